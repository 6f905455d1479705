"""kubegame.testing.invariants: each check passes on a healthy cluster and catches the bug it names."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

from kubegame.engine.controllers.daemonset import target_node
from kubegame.engine.errors import ApiError
from kubegame.engine.images import Image
from kubegame.testing import faults
from kubegame.testing.builders import deployment, make_cluster, service
from kubegame.testing.invariants import (
    InvariantViolation,
    Monitor,
    QuorumWatch,
    assert_invariants,
    check_daemonsets_converged,
    check_hpa_bounds,
    guard_evictions,
)
from kubegame.testing.machine import ClusterMachine

AGENT = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
         "spec": {"selector": {"matchLabels": {"app": "agent"}},
                  "template": {"metadata": {"labels": {"app": "agent"}},
                               "spec": {"containers": [{"name": "agent", "image": "busybox:1.36"}]}}}}


def shop(replicas: int = 3, nodes: int = 2):
    c = make_cluster(nodes)
    c.apply(deployment("shop", replicas=replicas))
    c.apply(service("shop"))
    c.traffic.set_demand("shop", service=("default", "shop"), rps=100)
    c.run(30)
    return c


def test_a_healthy_cluster_holds_every_invariant() -> None:
    c = shop()
    m = Monitor(c)
    for _ in range(50):
        m.before_tick()
        c.tick()
        m.after_tick()


@pytest.mark.parametrize("fault, words", [("cpu-double-count", "accounted cpu"), ("ready-not-endpoint", "endpoints")])
def test_each_fault_breaks_the_invariant_it_targets(fault: str, words: str) -> None:
    c = shop()
    faults.install(c, fault)
    c.delete_pod(c.pods()[0])           # a replacement pod starts: the fault fires
    with pytest.raises(InvariantViolation, match=words):
        for _ in range(40):
            c.tick()
            assert_invariants(c)


def test_unknown_fault_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="cpu-double-count"):
        faults.install(make_cluster(1), "nope")


def test_capacity_catches_overcommitted_node() -> None:
    c = shop()
    node = c.nodes()[0]
    node.cpu = 1                       # the node shrank under its pods
    with pytest.raises(InvariantViolation, match="over capacity"):
        assert_invariants(c)


def test_hpa_bounds() -> None:
    c = shop()
    c.apply({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "shop"},
             "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "shop"},
                      "minReplicas": 2, "maxReplicas": 4,
                      "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                          "type": "Utilization", "averageUtilization": 50}}}]}})
    c.run(20)
    check_hpa_bounds(c)
    h = c.get("HorizontalPodAutoscaler", "default", "shop")
    assert "desiredReplicas" in h.status
    h.status["desiredReplicas"] = 9
    with pytest.raises(InvariantViolation, match=r"outside \[2, 4\]"):
        check_hpa_bounds(c)


def test_daemonset_convergence() -> None:
    c = make_cluster(3)
    c.apply(AGENT)
    c.run(20)
    check_daemonsets_converged(c)
    pod = next(p for p in c.pods() if target_node(p) == "worker-2")
    c.remove_pod(pod)                       # gone, and the controller has not run yet
    with pytest.raises(InvariantViolation, match="0 pods on eligible node worker-2"):
        check_daemonsets_converged(c)
    check_daemonsets_converged(c, skip_nodes={"worker-2"})
    c.run(10)
    check_daemonsets_converged(c)


def test_a_daemon_pod_may_stay_on_a_node_tainted_no_schedule() -> None:
    c = make_cluster(2)
    c.apply(AGENT)
    c.run(20)
    node = c.node("worker-1")
    node.spec["taints"] = [{"key": "maintenance", "value": "yes", "effect": "NoSchedule"}]
    check_daemonsets_converged(c)           # the pod continues running (NodeShouldRunDaemonPod)
    node.spec["taints"] = [{"key": "maintenance", "value": "yes", "effect": "NoExecute"}]
    with pytest.raises(InvariantViolation, match="should not run on"):
        check_daemonsets_converged(c)


def _pdb(c, min_available: int) -> None:
    c.apply({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "shop"},
             "spec": {"minAvailable": min_available, "selector": {"matchLabels": {"app": "shop"}}}})
    c.run(2)


def test_eviction_guard_lets_the_engine_refuse_and_allow() -> None:
    c = shop(replicas=3)
    _pdb(c, 2)
    guard_evictions(c)
    pods = [p for p in c.pods() if p.ready]
    c.evict(pods[0])                        # 3 healthy, 2 needed: allowed
    with pytest.raises(ApiError) as exc:
        c.evict(pods[1])                    # would leave 1: refused with 429
    assert exc.value.code == 429


def test_eviction_guard_catches_an_eviction_api_that_ignores_budgets() -> None:
    c = shop(replicas=2)
    _pdb(c, 2)
    c.evict = lambda pod, grace=None: c.delete_pod(pod, grace)      # a broken Eviction API
    record: list[str] = []
    guard_evictions(c, record)
    with pytest.raises(InvariantViolation, match="broke PodDisruptionBudget default/shop"):
        c.evict(next(p for p in c.pods() if p.ready))
    assert record


def test_quorum_watch_allows_kubelet_status_and_catches_other_writes() -> None:
    c = shop()
    c.controlplane.fail_members(1)
    watch = QuorumWatch(c)
    for _ in range(60):                     # without quorum the kubelets keep reporting; nothing else moves
        watch.before()
        c.tick()
        watch.after()
    watch.before()
    c.get("Deployment", "default", "shop").spec["replicas"] = 7      # a write that skipped etcd
    c.tick()
    with pytest.raises(InvariantViolation, match="Deployment/default/shop"):
        watch.after()


class DoubleCountingMachine(ClusterMachine):
    """The machine with a fault in: it must find it."""

    def step_tick(self) -> None:
        if "kubelet_running" not in self.cluster.hooks:
            faults.install(self.cluster, "cpu-double-count")
        super().step_tick()


def test_cluster_machine_finds_an_injected_bug() -> None:
    with pytest.raises(InvariantViolation, match="accounted cpu"):
        run_state_machine_as_test(DoubleCountingMachine, settings=settings(
            max_examples=60, stateful_step_count=15, deadline=None, database=None, print_blob=False,
            phases=[Phase.generate], suppress_health_check=list(HealthCheck)))   # finding is the point here


def test_machine_images_keep_workload_images_out_of_rollouts() -> None:
    from kubegame.testing.machine import GOOD_IMAGES, IMAGES
    assert set(GOOD_IMAGES) <= {i.name for i in IMAGES}
    assert not any(isinstance(i, Image) and i.run_ticks for i in IMAGES)
