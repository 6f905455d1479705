"""PodDisruptionBudget status and the eviction API (pkg/controller/disruption,
pkg/registry/core/pod/storage/eviction.go)."""

import pytest
from kit_workloads import cluster, cordon, deployment, ready_pods, run_until

from kubegame.engine.controllers.disruption import VIOLATION
from kubegame.engine.errors import ApiError


def pdb(name: str = "web", **spec) -> dict:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, **spec}}


def setup(replicas: int, **budget):
    c = cluster("n1", "n2")
    c.apply(deployment("web", replicas, cpu="100m"))
    c.apply(pdb(**budget))
    run_until(c, lambda: len(ready_pods(c, app="web")) == replicas)
    c.tick()
    return c


def status(c):
    return c.get("PodDisruptionBudget", "default", "web").status


def test_min_available_status_counts_healthy_pods():
    c = setup(3, minAvailable=2)
    st = status(c)
    assert (st["currentHealthy"], st["desiredHealthy"], st["disruptionsAllowed"], st["expectedPods"]) == (3, 2, 1, 3)
    assert st["conditions"][0]["reason"] == "SufficientPods"


def test_drain_against_min_available_2_of_2_is_refused_until_a_replacement_is_ready():
    c = setup(2, minAvailable=2)
    assert status(c)["disruptionsAllowed"] == 0
    victim = sorted(ready_pods(c, app="web"), key=lambda p: p.name)[0]
    cordon(c, victim.node_name)
    with pytest.raises(ApiError) as err:
        c.evict(victim)
    assert err.value.code == 429 and err.value.message == VIOLATION
    assert err.value.message == "Cannot evict pod as it would violate the pod's disruption budget."
    assert victim.deletion_tick is None
    # a replacement: one more replica, Ready on the other node
    c.scale("Deployment", "default", "web", 3)
    with pytest.raises(ApiError):
        c.evict(victim)           # the new pod is not Ready yet
    run_until(c, lambda: status(c)["disruptionsAllowed"] == 1)
    c.evict(victim)
    assert victim.deletion_tick is not None


def test_eviction_decrements_the_budget_in_the_same_write():
    # maxUnavailable 1 of 3: the first eviction passes, a second one right after is refused
    c = setup(3, maxUnavailable=1)
    assert status(c)["disruptionsAllowed"] == 1
    a, b, _ = sorted(ready_pods(c, app="web"), key=lambda p: p.name)
    c.evict(a)
    assert status(c)["disruptionsAllowed"] == 0
    assert a.name in status(c)["disruptedPods"]
    with pytest.raises(ApiError) as err:
        c.evict(b)
    assert err.value.code == 429
    # once the ReplicaSet's replacement is Ready the budget allows one again
    run_until(c, lambda: status(c)["disruptionsAllowed"] == 1)
    c.evict(b)
    assert b.deletion_tick is not None


def test_percent_min_available_uses_the_controller_scale():
    # expectedPods comes from the Deployment's replicas; desiredHealthy = ceil(50% of 3) = 2
    c = setup(3, minAvailable="50%")
    st = status(c)
    assert st["expectedPods"] == 3 and st["desiredHealthy"] == 2 and st["disruptionsAllowed"] == 1


def test_pending_pods_are_evicted_without_a_budget_check():
    c = cluster("n1")
    c.apply(deployment("web", 2, cpu="3"))     # only one fits on a 4-CPU node
    c.apply(pdb(minAvailable=2))
    c.run(5)
    pending = [p for p in c.pods() if not p.node_name]
    assert len(pending) == 1
    c.evict(pending[0])
    assert c.get("Pod", "default", pending[0].name) is None or pending[0].deletion_tick is not None


def test_more_than_one_budget_is_an_error():
    c = setup(2, minAvailable=1)
    c.apply(pdb("other", minAvailable=1))
    c.tick()
    with pytest.raises(ApiError) as err:
        c.evict(ready_pods(c, app="web")[0])
    assert err.value.code == 500
    assert "more than one PodDisruptionBudget" in err.value.message


def test_a_budget_not_yet_observed_refuses():
    # observedGeneration < generation: the budget is still being processed -> 429
    c = cluster("n1")
    c.apply(deployment("web", 3, cpu="100m"))
    run_until(c, lambda: len(ready_pods(c, app="web")) == 3)
    c.apply(pdb(minAvailable=0))
    with pytest.raises(ApiError) as err:
        c.evict(ready_pods(c, app="web")[0])
    assert err.value.code == 429


def test_no_eviction_ever_breaks_a_budget():
    # invariant: evicting as fast as allowed never leaves fewer than minAvailable Ready pods
    c = setup(4, minAvailable=3)
    cordon(c, "n1")
    for _ in range(200):
        for p in sorted(c.store.pods_on("n1").values(), key=lambda p: p.name):
            try:
                c.evict(p)
            except ApiError:
                pass
        c.tick()
        assert len(ready_pods(c, app="web")) >= 3 or c.now < 3
    assert not [p for p in c.store.pods_on("n1").values() if p.deletion_tick is None]


def test_eviction_grace_period_comes_from_delete_options():
    c = setup(3, maxUnavailable=1)
    p = ready_pods(c, app="web")[0]
    c.evict(p, grace=5)
    assert p.deletion_grace == 5


def test_bare_pods_are_unmanaged_not_counted_and_warned_about():
    """disruption.go getExpectedScale collects pods without a controller as unmanaged (left out
    of the expected count) and trySync records UnmanagedPods with upstream's wording."""
    from kubegame.testing import pod
    c = setup(2, maxUnavailable=1)
    c.apply(pod("stray", image="web:1.0", labels={"app": "web"}))
    run_until(c, lambda: len(ready_pods(c, app="web")) == 3)
    c.tick()
    st = status(c)
    assert st["expectedPods"] == 2 and st["currentHealthy"] == 3 and st["desiredHealthy"] == 1
    assert st["disruptionsAllowed"] == 2
    msgs = [e.message for e in c.events if e.reason == "UnmanagedPods"]
    assert msgs and msgs[-1] == (
        "Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: "
        "web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged. As a result, the "
        "status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account "
        'for these pods please set ".spec.minAvailable" field of the PDB to an integer value.')


def test_a_pod_whose_controller_is_gone_fails_safe_to_zero_allowed():
    """trySync: getExpectedScale's error is an event, then failSafe: 0 allowed, SyncFailed."""
    from kubegame.testing import pod
    c = setup(2, maxUnavailable=1)
    body = pod("orphan", image="web:1.0", labels={"app": "web"})
    body["metadata"]["ownerReferences"] = [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "gone",
                                            "uid": "0000", "controller": True}]
    c.apply(body)
    c.run(3)
    st = status(c)
    assert st["disruptionsAllowed"] == 0
    cond = st["conditions"][0]
    assert (cond["type"], cond["status"], cond["reason"], cond["message"]) == (
        "DisruptionAllowed", "False", "SyncFailed", 'found no controllers for pod "orphan"')
    assert any(e.reason == "CalculateExpectedPodCountFailed" and e.message ==
               'Failed to calculate the number of expected pods: found no controllers for pod "orphan"'
               for e in c.events)
