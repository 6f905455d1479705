"""Level files (LEVEL_FORMAT.md): load and validate, scenario events, objectives, score.

    from kubegame.level import load_level, LevelInvalid
    level = load_level("levels/node-failure.yaml")   # or raises LevelInvalid(errors)
"""

from __future__ import annotations

import importlib
from typing import Any

from kubegame.level.errors import LevelError, LevelInvalid

# the rest is imported on first use: kubegame.level.errors alone must not load the engine
_LAZY = {"bundled_levels": "catalog", "bundled_paths": "catalog", "find_level": "catalog",
         "load_level": "loader", "load_text": "loader", "Level": "model"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"kubegame.level.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'kubegame.level' has no attribute {name!r}")


__all__ = ["Level", "LevelError", "LevelInvalid", "bundled_levels", "bundled_paths", "find_level", "load_level",
           "load_text"]
