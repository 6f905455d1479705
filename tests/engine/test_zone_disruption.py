"""Zone disruption: pkg/controller/nodelifecycle/node_lifecycle_controller.go (ComputeZoneState,
handleDisruption, setLimiterInZone, ReducedQPSFunc, HealthyQPSFunc) with kube-controller-manager's
defaults (cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go): node-eviction-rate
0.1, secondary-node-eviction-rate 0.01, unhealthy-zone-threshold 0.55,
large-cluster-size-threshold 50, node-monitor-grace-period 50 s."""

from kubegame.engine import NodeSpec
from kubegame.engine.controllers import nodelifecycle as nl
from kubegame.testing import deployment, make_cluster

NOEXEC = ("node.kubernetes.io/unreachable", "NoExecute")


def noexecute(node):
    return any((t.get("key"), t.get("effect")) == NOEXEC for t in node.taints)


def test_the_numbers():
    assert (nl.NODE_EVICTION_RATE, nl.SECONDARY_NODE_EVICTION_RATE) == (0.1, 0.01)
    assert (nl.UNHEALTHY_ZONE_THRESHOLD, nl.LARGE_CLUSTER_SIZE_THRESHOLD) == (0.55, 50)
    assert make_cluster().config.node_monitor_grace_period == 50


def test_compute_zone_state_thresholds():
    assert nl.compute_zone_state(0, 1) == nl.FULL
    assert nl.compute_zone_state(2, 3) == nl.PARTIAL              # 3 of 5 = 0.6 >= 0.55, more than 2
    assert nl.compute_zone_state(0, 0) == nl.NORMAL
    assert nl.compute_zone_state(1, 2) == nl.NORMAL               # 2 of 3, but not more than 2
    assert nl.compute_zone_state(3, 3) == nl.NORMAL               # 0.5 < 0.55
    assert nl.compute_zone_state(9, 11) == nl.PARTIAL             # 0.55 exactly
    assert nl.zone_rate(nl.PARTIAL, 50) == 0.0 and nl.zone_rate(nl.PARTIAL, 51) == 0.01
    assert nl.zone_rate(nl.NORMAL, 3) == nl.zone_rate(nl.FULL, 3) == 0.1


def cluster(n, zones=("zone-a",)):
    c = make_cluster(nodes=n, cpu="4", memory="8Gi", zones=zones)
    c.apply(deployment("web", replicas=n))
    c.run(30)
    return c


def test_partial_disruption_in_a_small_zone_evicts_nothing():
    c = cluster(5)
    for name in ("worker-1", "worker-2", "worker-3"):
        c.fail_node(name)
    c.run(400)
    failed = [c.node(f"worker-{i}") for i in (1, 2, 3)]
    assert all(n.ready_status == "Unknown" for n in failed)
    assert not any(noexecute(n) for n in failed)
    assert not any(p.terminating for p in c.pods())
    assert c.nodelifecycle.zone_state() == {"zone-a": nl.PARTIAL}


def ticks_between_taints(c, names, count=2, limit=400):
    """The ticks at which the first `count` of the named nodes got their NoExecute taint."""
    seen, ticks = set(), []
    for _ in range(limit):
        c.tick()
        for name in names:
            if name not in seen and noexecute(c.node(name)):
                seen.add(name)
                ticks.append(c.now)
        if len(ticks) >= count:
            break
    return ticks


def test_a_normal_zone_taints_one_node_every_ten_seconds():
    c = cluster(10)
    start = c.now
    c.fail_node("worker-1")
    c.fail_node("worker-2")
    first, second = ticks_between_taints(c, ["worker-1", "worker-2"])
    assert first - start == 50 and second - first == 10      # the grace period, then 1 / 0.1 nodes per second


def test_every_zone_down_is_master_disruption_mode_no_taints_no_evictions():
    c = cluster(3)
    for i in (1, 2, 3):
        c.fail_node(f"worker-{i}")
    c.run(500)
    assert c.nodelifecycle.master_disruption
    assert not any(noexecute(n) for n in c.nodes())
    assert not any(p.terminating for p in c.pods())
    # one node comes back: the others' zone is fully... still disrupted? no: one Ready node,
    # two not Ready (not more than 2): Normal again, and the taints resume at 0.1 nodes/s
    c.recover_node("worker-1")
    c.run(2)
    assert not c.nodelifecycle.master_disruption
    assert sum(noexecute(c.node(f"worker-{i}")) for i in (2, 3)) == 1


def test_a_fully_disrupted_zone_beside_a_healthy_one_is_tainted_at_the_normal_rate():
    c = cluster(4, zones=("zone-a", "zone-b"))
    down = [n.name for n in c.nodes() if n.zone == "zone-a"]
    for name in down:
        c.fail_node(name)
    c.run(51)
    assert c.nodelifecycle.zone_state() == {"zone-a": nl.FULL, "zone-b": nl.NORMAL}
    assert sum(noexecute(c.node(n)) for n in down) == 1
    c.run(10)
    assert all(noexecute(c.node(n)) for n in down)


def test_a_large_zone_in_partial_disruption_taints_at_the_secondary_rate():
    c = make_cluster(nodes=0)
    for i in range(60):
        c.add_node(NodeSpec(f"n-{i}", cpu="2", memory="4Gi"))
    c.run(5)
    for i in range(40):
        c.fail_node(f"n-{i}")
    first, second = ticks_between_taints(c, [f"n-{i}" for i in range(40)])
    assert c.nodelifecycle.zone_state() == {"zone-a": nl.PARTIAL}
    assert second - first == 100                              # 1 / 0.01 nodes per second


def test_the_taint_manager_sets_disruption_target_before_deleting():
    c = cluster(10)
    victim = next(p for p in c.pods() if p.node_name == "worker-1")
    c.fail_node("worker-1")
    c.run(50 + 300 + 2)
    assert victim.terminating
    cond = next(x for x in victim.to_dict()["status"]["conditions"] if x["type"] == "DisruptionTarget")
    assert (cond["reason"], cond["message"]) == ("DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint")
