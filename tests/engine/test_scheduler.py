"""kube-scheduler's filters, scores and FailedScheduling messages (pkg/scheduler)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubegame.engine import NodeSpec
from kubegame.engine.controllers.scheduler import num_feasible_nodes_to_find
from kubegame.testing import deployment, make_cluster, pod


def failed_scheduling(cluster, name):
    return [e.message for e in cluster.events if e.reason == "FailedScheduling" and e.name == name]


def test_insufficient_cpu_message_matches_kube_scheduler():
    # wording: pkg/scheduler/schedule_one.go FitError + defaultpreemption
    # ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption
    #  victims found for incoming pod.")
    c = make_cluster(nodes=3, cpu="1")
    body = pod("big")
    body["spec"]["containers"][0]["resources"] = {"requests": {"cpu": "2"}}
    c.apply(body)
    c.tick()
    p = c.get("Pod", "default", "big")
    assert not p.node_name and p.status_reason() == "Pending"
    msg = ("0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: "
           "3 No preemption victims found for incoming pod.")
    assert failed_scheduling(c, "big") == [msg]
    assert p.to_dict()["status"]["conditions"][0]["reason"] == "Unschedulable"


def test_reasons_are_counted_and_sorted_per_node():
    c = make_cluster(nodes=1, cpu="1")
    c.add_node(NodeSpec("tainted", cpu="8", memory="8Gi",
                        taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]))
    c.add_node(NodeSpec("ssd", cpu="8", memory="8Gi", labels={"disk": "ssd"}))
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"nodeSelector": {"disk": "hdd"},
                     "containers": [{"name": "c", "image": "shop:1.0", "resources": {"requests": {"cpu": "2"}}}]}}
    c.apply(body)
    c.tick()
    assert failed_scheduling(c, "p") == [
        "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: db}, "
        "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: "
        "3 Preemption is not helpful for scheduling."]


def test_cordoned_node_is_skipped_and_a_pending_pod_runs_when_room_appears():
    c = make_cluster(nodes=1)
    node = c.node("worker-1")
    node.spec["unschedulable"] = True
    c.store.modified(node)
    c.apply(pod("p"))
    c.tick()
    assert "1 node(s) were unschedulable" in failed_scheduling(c, "p")[0]
    c.add_node(NodeSpec("worker-2", cpu="2", memory="4Gi"))
    c.tick()
    assert c.get("Pod", "default", "p").node_name == "worker-2"


def test_tolerated_taint_and_node_selector_place_the_pod():
    c = make_cluster(nodes=2)
    c.add_node(NodeSpec("db-1", cpu="2", memory="4Gi", labels={"role": "db"},
                        taints=[{"key": "dedicated", "value": "db", "effect": "NoSchedule"}]))
    c.apply(pod("db", nodeSelector={"role": "db"},
                tolerations=[{"key": "dedicated", "operator": "Equal", "value": "db", "effect": "NoSchedule"}]))
    c.tick()
    assert c.get("Pod", "default", "db").node_name == "db-1"


def test_replicas_spread_over_equal_nodes():
    c = make_cluster(nodes=3, cpu="4", memory="8Gi")
    c.apply(deployment("shop", replicas=3))
    c.run(2)
    assert sorted(p.node_name for p in c.pods("default")) == ["worker-1", "worker-2", "worker-3"]


def test_pods_never_exceed_node_capacity():
    c = make_cluster(nodes=2, cpu="1", memory="1Gi")
    c.apply(deployment("shop", replicas=10, cpu="300m", memory="100Mi"))
    c.run(5)
    bound = [p for p in c.pods("default") if p.node_name]
    assert len(bound) == 6               # 3 x 300m fit in 1 cpu on each node
    for n in c.nodes():
        assert n.cpu_used <= n.cpu


def test_too_many_pods():
    c = make_cluster(nodes=0)
    c.add_node(NodeSpec("tiny", cpu="8", memory="8Gi", pods=2))
    c.apply(deployment("shop", replicas=3, cpu="10m"))
    c.run(2)
    pending = [p for p in c.pods("default") if not p.node_name]
    assert len(pending) == 1
    assert "1 Too many pods" in failed_scheduling(c, pending[0].name)[0]


@pytest.mark.parametrize("nodes,expected", [(50, 50), (100, 100), (1000, 420), (5000, 500), (20000, 1000)])
def test_percentage_of_nodes_to_score(nodes, expected):
    # schedule_one.go numFeasibleNodesToFind: max(5, 50 - n/125)% of the nodes, at least 100
    assert num_feasible_nodes_to_find(nodes) == expected


def test_required_node_affinity_on_kernel_label():
    c = make_cluster(nodes=1)
    c.add_node(NodeSpec("old-kernel", cpu="2", memory="4Gi", kernel="5.15"))
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "feature.node.kubernetes.io/kernel-version.full",
                               "operator": "In", "values": ["5.15"]}]}]}}}
    c.apply(pod("p", affinity=affinity))
    c.tick()
    assert c.get("Pod", "default", "p").node_name == "old-kernel"


def test_host_port_conflict_keeps_the_surge_pod_pending():
    # NodePorts filter: a node whose bound pods use the hostPort cannot take another (checked against
    # the pods bound now, not a cached answer)
    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    body = deployment("agent", replicas=2)
    body["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 8125, "hostPort": 8125}]
    c.apply(body)
    c.run(20)
    assert sorted(p.node_name for p in c.pods("default")) == ["worker-1", "worker-2"]
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "shop:1.1"
    c.apply(body)
    c.run(3)
    pending = [p for p in c.pods("default") if not p.node_name]
    assert len(pending) == 1
    assert "2 node(s) didn't have free ports for the requested pod ports" in failed_scheduling(c, pending[0].name)[0]


def _mixed_cluster_hash(grouped_per_node: int, seed: int) -> str:
    """A cluster with zones, taints, a cordon, several pod shapes, preferred affinity and a failed
    node, scheduled with the grouped window search always on (0) or never (huge)."""
    import random

    from kubegame.engine.controllers.scheduler import Scheduler

    rnd = random.Random(seed)
    c = make_cluster(nodes=0, seed=seed)
    c.scheduler.GROUPED_STATES_PER_NODE = grouped_per_node
    for i in range(120 + rnd.randrange(60)):
        taints = [{"key": "gpu", "value": "yes", "effect": "NoSchedule"}] if rnd.random() < 0.1 else None
        c.add_node(NodeSpec(f"n-{i}", cpu=rnd.choice(["4", "8"]), memory="16Gi",
                            zone=f"zone-{'abc'[i % 3]}", taints=taints))
    assert Scheduler.GROUPED_STATES_PER_NODE == 4      # the class default is untouched
    for d in range(8):
        extra = {}
        if d == 3:
            extra["affinity"] = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 10, "preference": {"matchExpressions": [
                    {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["zone-b"]}]}}]}}
        body = deployment(f"app-{d}", replicas=rnd.randrange(5, 40), image="shop:1.0",
                          cpu=rnd.choice(["100m", "250m", "500m"]), memory=rnd.choice(["128Mi", "512Mi"]))
        body["spec"]["template"]["spec"].update(extra)
        c.apply(body)
    c.run(5)
    node = c.node("n-7")
    node.spec["unschedulable"] = True
    c.store.modified(node)
    c.fail_node("n-11")
    c.apply(deployment("late", replicas=30, cpu="200m"))
    c.run(400)
    return c.state_hash()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_grouped_window_search_places_pods_exactly_as_the_node_by_node_scan(seed):
    # pick() may find the window's candidate states through per-state node lists instead of
    # visiting the window's nodes; both must choose the same nodes (same random draws too)
    assert _mixed_cluster_hash(0, seed) == _mixed_cluster_hash(10**9, seed)


def test_a_pod_edited_after_creation_is_scheduled_by_its_own_spec_not_its_template():
    # pods of one template share their scheduling constraints until a pod's spec is edited
    # (adding tolerations to a pod is allowed: validation.ValidatePodUpdate)
    c = make_cluster(nodes=0)
    c.add_node(NodeSpec("gpu-1", cpu="4", memory="8Gi", taints=[{"key": "gpu", "value": "yes",
                                                                   "effect": "NoSchedule"}]))
    c.apply(deployment("shop", replicas=2))
    c.tick()
    pods = c.pods("default")
    assert [p.node_name for p in pods] == ["", ""]
    body = pods[0].to_dict()
    body["spec"]["tolerations"].append({"key": "gpu", "operator": "Equal", "value": "yes",
                                        "effect": "NoSchedule"})
    c.update(body)
    c.run(2)
    assert [p.node_name for p in c.pods("default")] == ["gpu-1", ""]


@given(st.lists(st.integers(0, 60), unique=True, min_size=1, max_size=30).map(sorted), st.data())
def test_nth_unskipped_is_the_nth_of_the_materialised_list(members, data):
    from kubegame.engine.controllers.scheduler import _nth_unskipped

    n = len(members)
    cut = data.draw(st.integers(0, n))
    spans = [(0, cut), (cut, n)] if data.draw(st.booleans()) else [(0, n)]
    skip = sorted(data.draw(st.sets(st.integers(0, n - 1))))
    listed = [members[p] for a, b in spans for p in range(a, b) if p not in skip]
    for i, want in enumerate(listed):
        assert _nth_unskipped(members, spans, skip, i) == want
    with pytest.raises(IndexError):
        _nth_unskipped(members, spans, skip, len(listed))
