"""Safe YAML for level files: kubegame.safeio's parser, its errors as LevelErrors.

The limits (LEVEL_FORMAT: at most 1 MiB, bounded aliases and values after alias expansion,
no recursive aliases, bounded nesting, only the standard tags, no duplicate keys, no NaN or
infinity) live in kubegame/safeio.py, shared by kubectl's `-f` and the replay loader.
"""

from __future__ import annotations

import os

from kubegame import safeio
from kubegame.level.errors import LevelError
from kubegame.safeio import MAX_ALIASES, MAX_BYTES, MAX_NODES, Document, Path  # noqa: F401 (re-exported)


def _level_error(e: safeio.InputError) -> LevelError:
    return LevelError(e.path, e.line, e.col, e.what, e.expected)


def parse_text(text: str, path: str) -> list[Document]:
    """Compose and convert every document of `text`; raise LevelError on the first YAML problem."""
    try:
        return safeio.parse_text(text, path)
    except safeio.InputError as e:
        raise _level_error(e) from None


def read_level_text(path: str | os.PathLike) -> tuple[str, bytes]:
    """Read one level file (at most MAX_BYTES, a regular file) as UTF-8; raise LevelError otherwise."""
    try:
        return safeio.read_level_text(path)
    except safeio.InputError as e:
        raise _level_error(e) from None
