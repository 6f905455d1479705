"""DaemonSet controller (pkg/controller/daemon): one pod per eligible node."""

from kit_workloads import cluster, cordon, run_until, template

from kubegame.engine.cluster import NodeSpec
from kubegame.engine.controllers.daemonset import coverage


def ds(name: str = "log-agent", image: str = "agent:1.0", **spec) -> dict:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": name}},
                     "template": template({"app": name}, image, cpu="50m", **spec)}}


def daemon_pods(c, name="log-agent"):
    return [p for p in c.pods() if p.labels.get("app") == name and p.deletion_tick is None]


def test_one_pod_on_every_node():
    c = cluster("n1", "n2", "n3")
    c.apply(ds())
    run_until(c, lambda: sum(p.ready for p in daemon_pods(c)) == 3)
    c.tick()                  # the controller sees the kubelets' Ready on its next sync
    assert sorted(p.node_name for p in daemon_pods(c)) == ["n1", "n2", "n3"]
    st = c.get("DaemonSet", "default", "log-agent").status
    assert st["desiredNumberScheduled"] == 3 and st["numberReady"] == 3 and st["numberAvailable"] == 3
    assert coverage(c, c.get("DaemonSet", "default", "log-agent")) == (3, 3)


def test_a_node_that_joins_later_gets_a_daemon_pod():
    c = cluster("n1")
    c.apply(ds())
    run_until(c, lambda: sum(p.ready for p in daemon_pods(c)) == 1)
    c.add_node(NodeSpec("n2"), boot_ticks=10)
    run_until(c, lambda: sum(p.ready for p in daemon_pods(c)) == 2)
    assert sorted(p.node_name for p in daemon_pods(c)) == ["n1", "n2"]


def test_node_selector_limits_the_nodes():
    c = cluster(NodeSpec("ssd", labels={"disk": "ssd"}), "plain")
    c.apply(ds(nodeSelector={"disk": "ssd"}))
    c.run(10)
    assert [p.node_name for p in daemon_pods(c)] == ["ssd"]
    assert c.get("DaemonSet", "default", "log-agent").status["desiredNumberScheduled"] == 1


def test_tainted_node_needs_a_toleration_but_cordoned_node_still_runs_one():
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    c = cluster(NodeSpec("db", taints=[taint]), "web")
    cordon(c, "web")          # cordoned: daemon pods tolerate node.kubernetes.io/unschedulable
    c.apply(ds())
    c.apply(ds("tolerant", tolerations=[{"key": "dedicated", "operator": "Exists", "effect": "NoSchedule"}]))
    c.run(10)
    assert [p.node_name for p in daemon_pods(c)] == ["web"]
    assert sorted(p.node_name for p in daemon_pods(c, "tolerant")) == ["db", "web"]


def test_daemon_pods_are_pinned_by_node_affinity_and_tolerate_unreachable():
    c = cluster("n1")
    c.apply(ds())
    c.tick()
    p = daemon_pods(c)[0]
    terms = p.spec["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert terms == [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]
    unreachable = [t for t in p.spec["tolerations"] if t["key"] == "node.kubernetes.io/unreachable"]
    assert unreachable == [{"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"}]


def test_rolling_update_replaces_at_most_max_unavailable_1_at_a_time():
    c = cluster("n1", "n2", "n3", "n4")
    c.apply(ds())
    run_until(c, lambda: sum(p.ready for p in daemon_pods(c)) == 4)
    c.apply(ds(image="web:2.0"))
    for _ in range(300):
        c.tick()
        nodes_ready = sum(1 for p in daemon_pods(c) if p.ready)
        assert nodes_ready >= 3, "maxUnavailable 1: at least 3 of 4 nodes keep a Ready daemon pod"
    assert sorted(p.image for p in daemon_pods(c)) == ["web:2.0"] * 4
    c.tick()
    st = c.get("DaemonSet", "default", "log-agent").status
    assert st["updatedNumberScheduled"] == 4 and st["numberAvailable"] == 4


def test_deleting_a_node_drops_it_from_desired():
    c = cluster("n1", "n2")
    c.apply(ds())
    run_until(c, lambda: sum(p.ready for p in daemon_pods(c)) == 2)
    c.remove_node("n2")
    c.run(2)
    assert c.get("DaemonSet", "default", "log-agent").status["desiredNumberScheduled"] == 1
    assert [p.node_name for p in daemon_pods(c)] == ["n1"]
