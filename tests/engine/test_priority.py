"""PriorityClass and preemption (pkg/scheduler/framework/plugins/defaultpreemption)."""

import pytest
from kit_workloads import cluster, run_until

from kubegame.engine.controllers.priority import admit_pod
from kubegame.engine.errors import ApiError


def pc(name: str, value: int, **extra) -> dict:
    return {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
            "value": value, **extra}


def pod(name: str, cpu: str, klass: str | None = None) -> dict:
    spec: dict = {"containers": [{"name": "main", "image": "web:1.0", "resources": {"requests": {"cpu": cpu}}}]}
    if klass:
        spec["priorityClassName"] = klass
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def test_priority_class_resolves_to_spec_priority_at_creation():
    c = cluster("n1")
    c.apply(pc("high", 1000))
    c.apply(pod("p", "100m", "high"))
    p = c.get("Pod", "default", "p")
    assert p.spec["priority"] == 1000 and p.priority == 1000
    c.apply(pod("q", "100m", "system-cluster-critical"))
    assert c.get("Pod", "default", "q").priority == 2000000000


def test_global_default_class_applies_without_a_name():
    c = cluster("n1")
    c.apply(pc("normal", 50, globalDefault=True))
    c.apply(pod("p", "100m"))
    assert c.get("Pod", "default", "p").priority == 50


def test_unknown_class_is_forbidden_by_admission():
    c = cluster("n1")
    with pytest.raises(ApiError) as err:
        admit_pod(c, "p", {"priorityClassName": "nope"})
    assert err.value.message == 'pods "p" is forbidden: no PriorityClass with name nope was found'


def test_high_priority_pod_preempts_a_lower_priority_pod():
    c = cluster("n1")        # 4 CPUs
    c.apply(pc("high", 1000))
    c.apply(pod("low", "3"))
    run_until(c, lambda: c.get("Pod", "default", "low").ready)
    c.apply(pod("urgent", "2", "high"))
    c.tick()
    low, urgent = c.get("Pod", "default", "low"), c.get("Pod", "default", "urgent")
    assert low.deletion_tick is not None
    assert any(e.reason == "Preempted" and e.name == "low"
               and e.message == f"Preempted by pod {urgent.uid} on node n1" for e in c.events)
    assert urgent.nominated_node == "n1" and not urgent.node_name
    assert urgent.to_dict()["status"]["nominatedNodeName"] == "n1"
    run_until(c, lambda: c.get("Pod", "default", "urgent").ready, limit=60)
    assert c.get("Pod", "default", "low") is None


def test_preemption_removes_as_few_victims_as_possible():
    c = cluster("n1")
    c.apply(pc("high", 1000))
    c.apply(pc("mid", 500))
    for name, klass in (("a", None), ("b", "mid"), ("c", None)):
        c.apply(pod(name, "1", klass))
    run_until(c, lambda: all(c.get("Pod", "default", n).ready for n in "abc"))
    c.apply(pod("urgent", "2", "high"))     # 1 CPU free: one victim is enough
    c.tick()
    gone = sorted(n for n in "abc" if c.get("Pod", "default", n).deletion_tick is not None)
    assert len(gone) == 1 and gone[0] in ("a", "c"), "the mid-priority pod is reprieved"


def test_preemption_policy_never_waits_instead():
    c = cluster("n1")
    c.apply(pc("polite", 1000, preemptionPolicy="Never"))
    c.apply(pod("low", "3"))
    run_until(c, lambda: c.get("Pod", "default", "low").ready)
    c.apply(pod("urgent", "2", "polite"))
    c.run(5)
    assert c.get("Pod", "default", "low").deletion_tick is None
    assert "Insufficient cpu" in c.get("Pod", "default", "urgent").unschedulable_message


def test_equal_priority_never_preempts():
    c = cluster("n1")
    c.apply(pod("first", "3"))
    run_until(c, lambda: c.get("Pod", "default", "first").ready)
    c.apply(pod("second", "2"))
    c.run(5)
    assert c.get("Pod", "default", "first").deletion_tick is None
