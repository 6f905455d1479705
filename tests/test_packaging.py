"""What `pip install` ships: every package of the source tree, the campaign inside the package."""

from __future__ import annotations

import tomllib
from pathlib import Path

from kubegame.level.catalog import BUNDLED_DIR, bundled_paths

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_is_listed_for_setuptools():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "kubegame").rglob("__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert cfg["package-dir"]["kubegame.levels"] == "levels"
    assert "kubegame.levels" in listed


def test_the_campaign_lives_in_the_top_level_levels_folder():
    assert BUNDLED_DIR == (ROOT / "levels").resolve()
    assert len(bundled_paths()) >= 23
    assert not (ROOT / "kubegame" / "levels").exists()
