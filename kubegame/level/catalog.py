"""The bundled campaign (levels/*.yaml in the repository, shipped as the package kubegame.levels)
and finding a level by name or path."""

from __future__ import annotations

import os
from pathlib import Path

import kubegame.levels
from kubegame.level.errors import LevelError, LevelInvalid
from kubegame.level.loader import load_level
from kubegame.level.model import Level

BUNDLED_DIR = Path(kubegame.levels.__file__).resolve().parent


def bundled_paths() -> list[Path]:
    return sorted(BUNDLED_DIR.glob("*.yaml"))


def bundled_levels() -> list[Level]:
    """Every bundled level, in campaign order (chapter, then file name)."""
    levels = [load_level(p, require_solution=True) for p in bundled_paths()]
    return sorted(levels, key=lambda lv: lv.sort_key)


def is_path(ref: str) -> bool:
    return os.sep in ref or "/" in ref or ref.endswith((".yaml", ".yml")) or os.path.exists(ref)


def find_level(ref: str) -> Level:
    """A bundled level's name, or a path to a level file. Raises LevelInvalid."""
    if is_path(ref):
        return load_level(ref)
    for p in bundled_paths():
        if p.stem == ref:
            return load_level(p)
    for p in bundled_paths():       # a bundled file whose metadata.name differs from its file name
        try:
            lv = load_level(p)
        except LevelInvalid:
            continue
        if lv.name == ref:
            return lv
    names = ", ".join(p.stem for p in bundled_paths())
    raise LevelInvalid([LevelError(ref, 1, 1, f"no bundled level is named {ref!r}",
                                   f"a bundled level ({names}) or a path to a .yaml file")])


def level_files(paths: list[str]) -> list[Path]:
    """Files named, and the *.yaml/*.yml files inside directories named (recursively, sorted)."""
    out: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            out += sorted(x for x in path.rglob("*") if x.suffix in (".yaml", ".yml") and x.is_file())
        else:
            out.append(path)
    return out
