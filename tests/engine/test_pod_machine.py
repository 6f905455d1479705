"""The pods' Hypothesis state machine (kubegame.testing.PodMachine) under the active profile:
probes, limits, pull policies, grace periods and sidecars drawn at random, the kubelet's
invariants after every tick (pkg/kubelet/prober, eviction, images, kuberuntime)."""

import pytest

from kubegame.engine.app import AppModel
from kubegame.testing.invariants import InvariantViolation
from kubegame.testing.podmachine import PodMachine, probe_can_pass

TestPodMachine = PodMachine.TestCase


@pytest.mark.parametrize("probe,can", [
    ({"httpGet": {"path": "/healthz", "port": 8080}}, True),
    ({"httpGet": {"path": "/healthz", "port": "http"}}, True),
    ({"httpGet": {"path": "/healthz", "port": 9999}}, False),
    ({"httpGet": {"path": "/nope", "port": 8080}}, False),
    ({"tcpSocket": {"port": 8080}}, True),
    ({"tcpSocket": {"port": 5432}}, False),
    ({"exec": {"command": ["cat", "/tmp/healthy"]}}, True),
    ({"exec": {"command": ["cat", "/tmp/nope"]}}, False),
    ({"grpc": {"port": 8080}}, False),
])
def test_the_oracle_reads_the_app_model(probe, can):
    container = {"name": "app", "ports": [{"containerPort": 8080, "name": "http"}]}
    assert probe_can_pass(AppModel(files=("/tmp/healthy",)), container, probe) is can


def _machine(fault: str) -> PodMachine:
    machine = PodMachine()
    machine.fault = fault
    machine.start(seed=0, memory=["4Gi"])
    return machine


def _pod(name: str, container: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"tier": "web"}},
            "spec": {"containers": [{"name": "app", "ports": [{"containerPort": 8080, "name": "http"}],
                                     **container}]}}


@pytest.mark.parametrize("fault", ["", "readiness-ignored"])
def test_the_endpoint_invariant_catches_a_kubelet_that_ignores_readiness(fault):
    """A readiness probe on a port the app does not listen on: with the real kubelet the pod stays
    out of the endpoints; with one that ignores readiness the machine's invariant fails."""
    machine = _machine(fault)
    machine.cluster.apply(_pod("p", {"image": "web:1.0",
                                     "readinessProbe": {"httpGet": {"path": "/healthz", "port": 9999}}}))
    machine.expose("web", 8080, 10)

    def run() -> None:
        for _ in range(8):
            machine.tick(1)
            machine.a_pod_whose_readiness_probe_can_never_pass_is_never_an_endpoint()
    if fault:
        with pytest.raises(InvariantViolation, match="is an endpoint of web"):
            run()
    else:
        run()
        assert machine.cluster.get("Pod", "default", "p").main.running


@pytest.mark.parametrize("fault", ["", "memory-limit-ignored"])
def test_the_memory_invariant_catches_a_kubelet_that_ignores_limits(fault):
    """An app that needs 300Mi under a 128Mi limit: the real kubelet OOMKills it in the tick it
    starts; one that ignores the limit leaves it running and the machine's invariant fails."""
    machine = _machine(fault)
    machine.cluster.apply(_pod("p", {"image": "hungry:1.0", "resources": {"limits": {"memory": "128Mi"}}}))

    def run() -> None:
        machine.tick(8)
    if fault:
        with pytest.raises(InvariantViolation, match="memory"):
            run()
    else:
        run()
        pod = machine.cluster.get("Pod", "default", "p")
        assert pod.main.last_state["reason"] == "OOMKilled" and pod.main.restart_count >= 1
