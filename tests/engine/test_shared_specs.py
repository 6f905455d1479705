"""Pods of one template share its defaulted spec's nested values (issue 23: about 4 KB less per
pod), each with its own top-level dict; a pod that must change them gets a private copy; and
in the tests a write into a shared spec is caught at the end of the tick (engine/checks.py)."""

from __future__ import annotations

import pytest

from kubegame.engine import checks
from tests.engine.kit_workloads import cluster, deployment, run_until


def _pods(c):
    return sorted(c.pods(), key=lambda p: p.name)


def test_pods_of_one_template_share_nested_values_not_their_top_level() -> None:
    c = cluster("n1", "n2")
    c.apply(deployment("web", 3))
    run_until(c, lambda: len(c.pods()) == 3 and all(p.node_name for p in c.pods()))
    a, b, _ = _pods(c)
    assert a.spec is not b.spec and a.spec["containers"] is b.spec["containers"]
    assert a.spec["nodeName"] == a.node_name and b.spec["nodeName"] == b.node_name   # set per pod


def test_a_limit_range_gives_the_pod_its_own_spec() -> None:
    c = cluster("n1")
    c.apply({"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "lr"},
             "spec": {"limits": [{"type": "Container", "defaultRequest": {"memory": "64Mi"},
                                  "default": {"memory": "128Mi"}}]}})
    c.apply(deployment("web", 2))
    run_until(c, lambda: len(c.pods()) == 2)
    a, b = _pods(c)
    assert a.spec["containers"] is not b.spec["containers"]
    assert a.spec["containers"][0]["resources"]["limits"]["memory"] == "128Mi"
    assert a.main.spec is a.spec["containers"][0]        # the container's state reads the copy


def test_a_write_into_a_shared_spec_fails_the_tick_in_the_tests() -> None:
    assert checks.CHECK_CACHES
    c = cluster("n1")
    c.apply(deployment("web", 2))
    run_until(c, lambda: len(c.pods()) == 2)
    _pods(c)[0].spec["containers"][0]["image"] = "other:1.0"      # what no engine code may do
    with pytest.raises(checks.StaleCache):
        c.tick()
