"""The bundled campaign (levels/*.yaml in the repository, shipped as the package kubegame.levels)
and finding a level by name or path.

levels/index.json holds each bundled file's name, title, chapter, concepts, duration and campaign order with the
sha256 of the text they were read from, so listing the campaign or finding a level by name
loads no level (and no engine); a file whose text changed since is loaded instead. Write it
again with `python -m kubegame.level.catalog` (tests/level/test_catalog_index.py checks it).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import kubegame.levels
from kubegame.level.errors import LevelError, LevelInvalid

if TYPE_CHECKING:
    from kubegame.level.model import Level

BUNDLED_DIR = Path(kubegame.levels.__file__).resolve().parent
INDEX = BUNDLED_DIR / "index.json"


def load_level(path: str | os.PathLike, require_solution: bool = False) -> Level:
    from kubegame.level.loader import load_level as load
    return load(path, require_solution)


def bundled_paths() -> list[Path]:
    return sorted(BUNDLED_DIR.glob("*.yaml"))


def bundled_levels() -> list[Level]:
    """Every bundled level, in campaign order (chapter, then file name)."""
    levels = [load_level(p, require_solution=True) for p in bundled_paths()]
    return sorted(levels, key=lambda lv: lv.sort_key)


def entry_of(level: Level) -> dict[str, Any]:
    """What the campaign lists of a level without loading it (`kubegame levels`, the title screen)."""
    return {"name": level.name, "title": level.title, "chapter": level.chapter, "sortKey": list(level.sort_key),
            "concepts": list(level.concepts), "duration": level.duration}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def campaign() -> list[tuple[Path, dict[str, Any] | LevelInvalid]]:
    """Each bundled file with its index entry (name, title, chapter, sortKey), or the LevelInvalid
    it raises; from the index where the file is unchanged, loaded where it is not."""
    try:
        index = json.loads(INDEX.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        index = {}
    out: list[tuple[Path, dict[str, Any] | LevelInvalid]] = []
    for p in bundled_paths():
        kept = index.get(p.stem) if isinstance(index, dict) else None
        try:
            if isinstance(kept, dict) and kept.get("sha256") == _digest(p):
                out.append((p, kept))
                continue
            out.append((p, entry_of(load_level(p))))
        except LevelInvalid as exc:
            out.append((p, exc))
        except OSError as exc:
            out.append((p, LevelInvalid([LevelError(str(p), 1, 1, f"cannot read the file: {exc}", "a level file")])))
    return out


def write_index() -> None:
    """levels/index.json from the bundled files as they are now."""
    data = {p.stem: {**entry_of(load_level(p)), "sha256": _digest(p)} for p in bundled_paths()}
    INDEX.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def is_path(ref: str) -> bool:
    return os.sep in ref or "/" in ref or ref.endswith((".yaml", ".yml")) or os.path.exists(ref)


def find_level(ref: str) -> Level:
    """A bundled level's name, or a path to a level file. Raises LevelInvalid."""
    if is_path(ref):
        return load_level(ref)
    for p in bundled_paths():
        if p.stem == ref:
            return load_level(p)
    for p, entry in campaign():     # a bundled file whose metadata.name differs from its file name
        if isinstance(entry, dict) and entry.get("name") == ref:
            return load_level(p)
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


if __name__ == "__main__":
    write_index()
