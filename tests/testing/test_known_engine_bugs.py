"""Regression tests for engine bugs that kubegame.testing found (the fuzzer and the state machine)."""

from __future__ import annotations

from kubegame.engine.controllers.daemonset import target_node
from kubegame.testing.builders import make_cluster
from kubegame.testing.invariants import check_daemonsets_converged

AGENT = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
         "spec": {"selector": {"matchLabels": {"app": "agent"}},
                  "template": {"metadata": {"labels": {"app": "agent"}},
                               "spec": {"containers": [{"name": "agent", "image": "busybox:1.36"}]}}}}


def _agent_on_a_node_that_fails():
    c = make_cluster(2)
    c.apply(AGENT)
    c.run(30)
    c.fail_node("worker-1")
    c.run(60)                 # past nodeMonitorGracePeriod (40): the node is Unknown and tainted unreachable
    return c


def test_daemon_pod_keeps_running_on_an_unreachable_node() -> None:
    c = _agent_on_a_node_that_fails()
    pod = next(p for p in c.pods() if target_node(p) == "worker-1")
    assert pod.deletion_tick is None


def test_pod_deleted_while_its_node_was_down_terminates_after_recovery() -> None:
    c = _agent_on_a_node_that_fails()
    for p in c.pods():
        if target_node(p) == "worker-1" and p.deletion_tick is None:
            c.delete_pod(p)
    c.recover_node("worker-1")
    c.run(700)
    assert not [p.name for p in c.pods() if p.deletion_tick is not None]
    check_daemonsets_converged(c)
