"""Level files (LEVEL_FORMAT.md): load and validate, scenario events, objectives, score.

    from kubegame.level import load_level, LevelInvalid
    level = load_level("levels/node-failure.yaml")   # or raises LevelInvalid(errors)
"""

from kubegame.level.catalog import bundled_levels, bundled_paths, find_level
from kubegame.level.errors import LevelError, LevelInvalid
from kubegame.level.loader import load_level, load_text
from kubegame.level.model import Level

__all__ = ["Level", "LevelError", "LevelInvalid", "bundled_levels", "bundled_paths", "find_level", "load_level",
           "load_text"]
