"""Every bundled level, whoever wrote it: `kubegame verify` passes (valid, doing nothing loses,
the reference solution wins) and its manifests pass the official Kubernetes schema, strictly."""

import kubernetes_validate
import pytest

from kubegame.cli import verify_level
from kubegame.level.catalog import bundled_paths
from kubegame.level.loader import load_level

PATHS = bundled_paths()


def test_the_campaign_has_at_least_eighteen_levels():
    assert len(PATHS) >= 18


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_kubegame_verify(path):
    row = verify_level(path)
    assert row["problems"] == []
    assert row["valid"] and row["idleLoses"] and row["solutionWins"]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p.stem)
def test_manifests_pass_kubernetes_validate_strict(path):
    level = load_level(path, require_solution=True)
    version = kubernetes_validate.latest_version()
    assert level.manifests
    for m in level.manifests:
        assert kubernetes_validate.validate(m.body, version, strict=True)


def test_verify_notices_a_level_whose_solution_loses(tmp_path):
    path = next(p for p in PATHS if load_level(p).name == "first-pod")
    bad = tmp_path / "lazy.yaml"
    bad.write_text(path.read_text().replace('run: "kubectl scale deployment hello --replicas=3"',
                                            'run: "kubectl get pods"'))
    row = verify_level(bad)
    assert row["valid"] and not row["solutionWins"]
