"""InterPodAffinity, PodTopologySpread and TaintToleration scoring, as kube-scheduler v1.37 does them.

Sources: pkg/scheduler/framework/plugins/interpodaffinity/filtering.go (satisfyPodAffinity,
satisfyPodAntiAffinity, satisfyExistingPodsAntiAffinity and their ErrReason strings),
podtopologyspread/filtering.go (Filter: matchNum + selfMatch - minMatchNum <= maxSkew,
minDomains), podtopologyspread/common.go (nodeAffinityPolicy Honor / nodeTaintsPolicy
Ignore defaults, matchLabelKeys), tainttoleration/taint_toleration.go (Score counts
intolerable PreferNoSchedule taints, NormalizeScore reversed), and
pkg/scheduler/apis/config/v1/default_plugins.go (the score weights).
"""

from collections import Counter

from kubegame.engine import NodeSpec
from kubegame.testing import deployment, make_cluster, pod


def failed(cluster, name):
    return [e.message for e in cluster.events if e.reason == "FailedScheduling" and e.name == name]


def anti(app, key="kubernetes.io/hostname"):
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}]}}


def with_affinity(body, affinity):
    body["spec"]["template"]["spec"]["affinity"] = affinity
    return body


def placement(cluster, prefix):
    return Counter(p.node_name or "<pending>" for p in cluster.pods() if p.name.startswith(prefix))


def test_required_anti_affinity_leaves_the_third_replica_pending_on_two_nodes():
    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    c.apply(with_affinity(deployment("web", replicas=3), anti("web")))
    c.run(3)
    where = placement(c, "web-")
    assert where["<pending>"] == 1 and where["worker-1"] == 1 and where["worker-2"] == 1
    pending = next(p for p in c.pods() if not p.node_name)
    assert failed(c, pending.name)[-1] == (
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are "
        "available: 2 No preemption victims found for incoming pod.")


def test_anti_affinity_over_zones_allows_one_per_zone():
    c = make_cluster(nodes=4, cpu="4", memory="8Gi", zones=("zone-a", "zone-b"))
    c.apply(with_affinity(deployment("db", replicas=3), anti("db", "topology.kubernetes.io/zone")))
    c.run(3)
    running = [p for p in c.pods() if p.node_name]
    assert len(running) == 2
    assert sorted(c.node(p.node_name).zone for p in running) == ["zone-a", "zone-b"]


def test_existing_pods_anti_affinity_keeps_others_away():
    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    loner = pod("loner", labels={"app": "loner"}, affinity={"podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"team": "noisy"}}, "topologyKey": "kubernetes.io/hostname"}]}},
        nodeSelector={"kubernetes.io/hostname": "worker-1"})
    c.apply(loner)
    c.tick()
    assert c.get("Pod", "default", "loner").node_name == "worker-1"
    for i in range(3):
        c.apply(pod(f"noisy-{i}", labels={"team": "noisy"}))
    c.tick()
    assert {c.get("Pod", "default", f"noisy-{i}").node_name for i in range(3)} == {"worker-2"}
    c.apply(pod("pinned", labels={"team": "noisy"}, nodeSelector={"kubernetes.io/hostname": "worker-1"}))
    c.tick()
    assert failed(c, "pinned")[-1] == (
        "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't satisfy "
        "existing pods anti-affinity rules. preemption: 0/2 nodes are available: 1 No preemption victims found "
        "for incoming pod, 1 Preemption is not helpful for scheduling.")


def test_required_affinity_to_an_app_that_does_not_exist_stays_pending():
    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    c.apply(pod("cache", labels={"app": "cache"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}}))
    c.tick()
    assert not c.get("Pod", "default", "cache").node_name
    assert failed(c, "cache")[-1] == (
        "0/2 nodes are available: 2 node(s) didn't match pod affinity rules. preemption: 0/2 nodes are "
        "available: 2 Preemption is not helpful for scheduling.")
    # the db arrives: the cache follows it to its node
    c.apply(pod("db", labels={"app": "db"}, nodeSelector={"kubernetes.io/hostname": "worker-2"}))
    c.run(2)
    assert c.get("Pod", "default", "cache").node_name == "worker-2"


def test_the_first_pod_of_a_self_affine_group_may_go_anywhere():
    # satisfyPodAffinity: no pod matches yet and the pod matches its own terms
    c = make_cluster(nodes=3, cpu="4", memory="8Gi")
    c.apply(with_affinity(deployment("pack", replicas=4), {"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": "pack"}}, "topologyKey": "kubernetes.io/hostname"}]}}))
    c.run(3)
    where = placement(c, "pack-")
    assert len(where) == 1 and "<pending>" not in where and sum(where.values()) == 4


def test_anti_affinity_reaches_other_namespaces_only_when_asked():
    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    c.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    c.apply({**pod("there", labels={"app": "x"}, nodeSelector={"kubernetes.io/hostname": "worker-1"}),
             "metadata": {"name": "there", "namespace": "other", "labels": {"app": "x"}}})
    term = {"labelSelector": {"matchLabels": {"app": "x"}}, "topologyKey": "kubernetes.io/hostname"}
    c.apply(pod("same-ns", labels={"app": "y"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [term]}}))
    c.apply(pod("all-ns", labels={"app": "z"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{**term, "namespaceSelector": {}}]}}))
    c.apply(pod("listed", labels={"app": "w"}, affinity={"podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [{**term, "namespaces": ["other"]}]}}))
    c.run(2)
    assert not c.get("Pod", "default", "same-ns").node_name       # its own namespace has no app=x
    assert c.get("Pod", "default", "all-ns").node_name == "worker-1"
    assert c.get("Pod", "default", "listed").node_name == "worker-1"


def spread(max_skew=1, key="kubernetes.io/hostname", when="DoNotSchedule", **extra):
    return [{"maxSkew": max_skew, "topologyKey": key, "whenUnsatisfiable": when,
             "labelSelector": {"matchLabels": {"app": "web"}}, **extra}]


def test_do_not_schedule_spread_keeps_the_skew_within_max_skew():
    c = make_cluster(nodes=3, cpu="8", memory="16Gi")
    body = deployment("web", replicas=7)
    body["spec"]["template"]["spec"]["topologySpreadConstraints"] = spread()
    c.apply(body)
    c.run(3)
    counts = sorted(placement(c, "web-").values())
    assert counts == [2, 2, 3]


def test_spread_over_a_zone_that_cannot_take_more_leaves_pods_pending():
    # zone-b's only node is full: zone-a may run at most maxSkew more than zone-b
    c = make_cluster(nodes=2, cpu="2", memory="8Gi", zones=("zone-a", "zone-b"))
    c.add_node(NodeSpec("big-a", cpu="16", memory="32Gi", zone="zone-a"))
    body = deployment("web", replicas=10, cpu="500m")
    body["spec"]["template"]["spec"]["topologySpreadConstraints"] = spread(key="topology.kubernetes.io/zone")
    c.apply(body)
    c.run(3)
    zones = Counter(c.node(p.node_name).zone for p in c.pods() if p.node_name)
    assert zones == {"zone-a": 5, "zone-b": 4}
    pending = [p for p in c.pods() if not p.node_name]
    assert len(pending) == 1
    assert "node(s) didn't match pod topology spread constraints" in failed(c, pending[0].name)[-1]


def test_a_node_without_the_topology_key_is_unresolvable():
    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    c.apply(pod("p", labels={"app": "web"}, topologySpreadConstraints=spread(key="example.com/rack")))
    c.tick()
    assert failed(c, "p")[-1] == (
        "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints (missing required "
        "label). preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.")


def test_min_domains_counts_missing_domains_as_zero():
    # two zones exist, minDomains 3: the global minimum is 0, so each zone takes at most maxSkew
    c = make_cluster(nodes=2, cpu="8", memory="16Gi", zones=("zone-a", "zone-b"))
    body = deployment("web", replicas=4)
    body["spec"]["template"]["spec"]["topologySpreadConstraints"] = spread(
        key="topology.kubernetes.io/zone", minDomains=3)
    c.apply(body)
    c.run(3)
    assert sorted(placement(c, "web-").values()) == [1, 1, 2]      # one per zone, two pending


def test_node_affinity_policy_honor_ignores_nodes_the_pod_cannot_use():
    # the pod may only use zone-a's nodes; zone-b's empty node is not an eligible domain
    c = make_cluster(nodes=2, cpu="8", memory="16Gi", zones=("zone-a",))
    c.add_node(NodeSpec("b-1", cpu="8", memory="16Gi", zone="zone-b"))
    body = deployment("web", replicas=4)
    spec = body["spec"]["template"]["spec"]
    spec["topologySpreadConstraints"] = spread()
    spec["nodeSelector"] = {"topology.kubernetes.io/zone": "zone-a"}
    c.apply(body)
    c.run(3)
    assert dict(placement(c, "web-")) == {"worker-1": 2, "worker-2": 2}
    # with Ignore, b-1 counts as a domain with 0 pods: only one pod per zone-a node fits the skew
    c2 = make_cluster(nodes=2, cpu="8", memory="16Gi", zones=("zone-a",))
    c2.add_node(NodeSpec("b-1", cpu="8", memory="16Gi", zone="zone-b"))
    spec["topologySpreadConstraints"] = spread(nodeAffinityPolicy="Ignore")
    c2.apply(body)
    c2.run(3)
    assert sorted(placement(c2, "web-").items()) == [("<pending>", 2), ("worker-1", 1), ("worker-2", 1)]


def test_schedule_anyway_spreads_without_blocking():
    c = make_cluster(nodes=2, cpu="8", memory="16Gi")
    body = deployment("web", replicas=6)
    body["spec"]["template"]["spec"]["topologySpreadConstraints"] = spread(when="ScheduleAnyway")
    c.apply(body)
    c.run(3)
    assert sorted(placement(c, "web-").values()) == [3, 3]


def test_prefer_no_schedule_taint_steers_pods_away():
    # TaintToleration scores 3 x 100 for an untainted node, 0 for the tainted one
    c = make_cluster(nodes=3, cpu="16", memory="32Gi")
    c.add_node(NodeSpec("spot", cpu="16", memory="32Gi",
                        taints=[{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}]))
    c.apply(deployment("web", replicas=20))
    c.run(3)
    where = placement(c, "web-")
    assert where.get("spot", 0) == 0 and sum(where.values()) == 20
    # a pod that tolerates the taint does not care
    batch = deployment("batch", replicas=8)
    batch["spec"]["template"]["spec"]["tolerations"] = [{"key": "spot", "operator": "Exists"}]
    c.apply(batch)
    c.run(3)
    assert placement(c, "batch-").get("spot", 0) >= 2


def test_preferred_pod_anti_affinity_spreads_and_preferred_affinity_packs():
    c = make_cluster(nodes=4, cpu="16", memory="32Gi")
    c.apply(pod("db", labels={"app": "db"}, nodeSelector={"kubernetes.io/hostname": "worker-3"}))
    c.tick()
    c.apply(with_affinity(deployment("cache", replicas=3), {"podAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {
            "labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}}]}}))
    c.run(3)
    assert dict(placement(c, "cache-")) == {"worker-3": 3}


def test_the_machines_bind_check_catches_a_bind_against_the_rules():
    """kubegame.testing.placement recounts from scratch: binding around the scheduler's filters fails it."""
    import pytest

    from kubegame.testing.invariants import InvariantViolation
    from kubegame.testing.placement import check_bind

    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    c.apply(with_affinity(deployment("web", replicas=2), anti("web")))
    c.run(3)
    first, second = sorted(c.pods(), key=lambda p: p.name)
    assert first.node_name != second.node_name
    with pytest.raises(InvariantViolation, match="against its anti-affinity"):
        check_bind(c, second, c.node(first.node_name))
    c2 = make_cluster(nodes=2, cpu="4", memory="8Gi")
    body = deployment("web", replicas=3)
    body["spec"]["template"]["spec"]["topologySpreadConstraints"] = spread()
    c2.apply(body)
    c2.run(3)
    full = max(placement(c2, "web-").items(), key=lambda kv: kv[1])[0]
    extra = next(p for p in c2.pods() if p.node_name != full)
    with pytest.raises(InvariantViolation, match="maxSkew 1"):
        check_bind(c2, extra, c2.node(full))
