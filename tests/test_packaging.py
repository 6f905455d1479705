"""What `pip install` ships: every package of the source tree, the campaign inside the package."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
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


def test_every_data_file_of_the_package_is_shipped():
    """A file the game reads at run time (styles, kubectl's data, the web page, the interview's
    incident templates) matches a package-data pattern, or an installed game would lack it."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = cfg["package-data"]["kubegame"]
    base = ROOT / "kubegame"
    data = [p for p in base.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")
            and "__pycache__" not in p.parts]
    assert any(p.parent.name == "pool" for p in data)
    unshipped = [str(p.relative_to(base)) for p in data
                 if not any(p.relative_to(base).match(pat) or fnmatch(str(p.relative_to(base)), pat)
                            for pat in patterns)]
    assert unshipped == [], "add these to [tool.setuptools.package-data] in pyproject.toml"
