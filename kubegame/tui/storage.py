"""The command line's history, kept between sessions (progress lives in kubegame.progress).

Everything lives under `$KUBEGAME_HOME` when it is set, else the platform's user data
directory (`platformdirs.user_data_dir("kubegame")`). A file that cannot be read or
written never stops the game: history and progress simply start empty.
"""

from __future__ import annotations

import os
from pathlib import Path

HISTORY_MAX = 1000


def home() -> Path:
    """$KUBEGAME_HOME, else the user data directory (the same place progress and replays live)."""
    env = os.environ.get("KUBEGAME_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("kubegame", appauthor=False))


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


class History:
    """The command line's history, oldest first, one command a line in `history`."""

    def __init__(self, path: Path | None = None, max_lines: int = HISTORY_MAX):
        self.path = path if path is not None else home() / "history"
        self.max_lines = max_lines
        self.lines: list[str] = []
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            text = ""
        self.lines = [ln for ln in text.splitlines() if ln.strip()][-max_lines:]

    def add(self, line: str) -> None:
        line = line.strip().replace("\n", " ")
        if not line:
            return
        if self.lines and self.lines[-1] == line:
            return
        self.lines.append(line)
        del self.lines[:-self.max_lines]
        _write(self.path, "\n".join(self.lines) + "\n")
