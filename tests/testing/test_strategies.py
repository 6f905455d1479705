"""kubegame.testing.strategies: manifests pass the Kubernetes schema, commands parse, levels load."""

from __future__ import annotations

import kubernetes_validate
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubegame import kubectl
from kubegame.engine import Cluster, NodeSpec
from kubegame.game import Game
from kubegame.kubectl.parser import parse
from kubegame.kubectl.stream import advance
from kubegame.level import find_level, load_text
from kubegame.testing.strategies import (
    KINDS,
    clusters,
    commands,
    level_documents,
    levels,
    manifests,
    scenarios,
)

K8S = kubernetes_validate.latest_version()
QUICK = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _empty_cluster() -> Cluster:
    c = Cluster(0)
    c.add_node(NodeSpec("node-1"))
    return c


@pytest.mark.parametrize("kind", KINDS)
def test_manifests_pass_kubernetes_validate_strict_and_the_engine(kind: str) -> None:
    @QUICK
    @given(manifests(kind, image_names=("shop:1.0", "busybox:1.36"), namespace=None))
    def check(body: dict) -> None:
        assert body["kind"] == kind
        # raises kubernetes_validate.ValidationError when `kubectl apply` on a real cluster would refuse it
        assert kubernetes_validate.validate(body, K8S, strict=True)
        c = _empty_cluster()
        obj, verb = c.apply(body)
        assert verb == "created" and obj.kind == kind
        c.run(3)

    check()


@QUICK
@given(st.sampled_from([k for k in KINDS if k != "Namespace"]), st.data())
def test_manifests_in_a_namespace_validate(kind: str, data) -> None:
    ns = data.draw(manifests("Namespace"))
    body = data.draw(manifests(kind, namespace=ns["metadata"]["name"], image_names=("busybox:1.36",)))
    assert kubernetes_validate.validate(body, K8S, strict=True)
    c = _empty_cluster()
    c.apply(ns)
    c.apply(body)


@settings(max_examples=1, database=None)
@given(st.data())
def test_unknown_kind_is_refused(data) -> None:
    with pytest.raises(ValueError, match="unsupported kind"):
        data.draw(manifests("EndpointSlice"))


def _usage_free(cluster: Cluster, line: str) -> kubectl.Result | None:
    if line.startswith("kubectl"):
        parse(line)                                   # raises UsageError on a usage mistake
    res = kubectl.run(cluster, line) if line.startswith("kubectl") else None
    if res is not None:
        assert "internal error" not in res.error, (line, res.error)
        assert "--help' for usage" not in res.error and "unknown flag" not in res.error, (line, res.error)
    return res


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(clusters(), st.data())
def test_commands_are_valid_kubectl_for_the_objects_that_exist(cluster: Cluster, data) -> None:
    cluster.run(5)
    for _ in range(12):
        line = data.draw(commands(cluster))
        assert line.startswith("kubectl ")
        res = _usage_free(cluster, line)
        for _ in range(2):
            cluster.tick()
            if res is not None and res.stream is not None:
                advance(res.stream, cluster)
        if res is not None and res.stream is not None:
            res.stream.interrupt()


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["node-failure", "quorum", "maintenance-window", "agent-everywhere"]), st.data())
def test_commands_with_a_level_include_game_verbs_and_parse(name: str, data) -> None:
    level = find_level(name)
    game = Game(level)
    for _ in range(10):
        line = data.draw(commands(game.cluster, level=level, read_only=False))
        if line.startswith("kubectl"):
            parse(line)
        res = game.submit(line)
        assert "internal error" not in res.error, (line, res.error)
        assert "usage" not in res.error and "unknown game command" not in res.error, (line, res.error)
        assert res.exit_code != 127, line
        game.run(3)


def test_commands_cover_the_verbs_the_issue_names() -> None:
    level = find_level("node-failure")          # has a node pool
    game = Game(level)
    seen: set[str] = set()

    @settings(max_examples=300, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(commands(game.cluster, level=level))
    def collect(line: str) -> None:
        words = line.split()
        seen.add(" ".join(words[:2]) if words[0] in ("node", "etcd") else " ".join(words[1:3]))

    collect()
    verbs = {v.split()[0] for v in seen} | seen
    for want in ("scale", "set", "rollout", "delete", "cordon", "uncordon", "drain", "label", "create", "expose",
                 "patch", "autoscale", "node add", "taint"):
        assert want in verbs, f"{want} never drawn: {sorted(seen)}"


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(levels())
def test_levels_load(text: str) -> None:
    level = load_text(text)
    assert level.manifests and level.objectives and level.traffic


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(levels())
def test_generated_levels_play_to_their_end(text: str) -> None:
    level = load_text(text)
    res = Game(level).play_to_end(level.solution)
    assert res.ticks <= level.duration and 0 <= res.score.total <= 1000


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(level_documents())
def test_level_manifests_pass_kubernetes_validate(docs: list[dict]) -> None:
    for body in docs[1:]:
        assert kubernetes_validate.validate(body, K8S, strict=True)


@settings(max_examples=30, deadline=None)
@given(scenarios(duration=100, nodes=["a-1", "a-2"], zones=["zone-a"], services=["shop"], images=["shop:1.0"],
                 etcd_members=3))
def test_scenarios_name_only_what_exists(events: list[dict]) -> None:
    for ev in events:
        assert 0 <= ev["at"] <= 100
        assert ev.get("node", "a-1") in ("a-1", "a-2")
        assert set(ev.get("nodes", [])) <= {"a-1", "a-2"}
        assert ev.get("zone", "zone-a") == "zone-a"
        assert ev.get("service", "shop") == "shop"
        assert 1 <= ev.get("count", 1) <= 3


def test_the_documented_tools_import_from_the_package():
    import subprocess
    import sys

    import kubegame.testing as kt
    from kubegame.testing import ClusterMachine, clusters, commands, levels, manifests
    from kubegame.testing.machine import ClusterMachine as direct
    assert ClusterMachine is direct and callable(manifests) and callable(clusters)
    assert callable(commands) and callable(levels)
    assert set(kt.LAZY) <= set(kt.__all__) <= set(dir(kt))
    # without Hypothesis imported, `import kubegame.testing` does not load it
    code = "import sys, kubegame.testing; print('hypothesis' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
