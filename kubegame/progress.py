"""The player's data: best score and stars per level, and recorded replays.

Everything lives in the user data directory (platformdirs), or in $KUBEGAME_HOME when
set (tests use it). Every write goes to a temporary file in the same directory that is
flushed, fsynced and renamed over the old file (os.replace is atomic), so a crash or a
kill leaves the old file or the new one, never a broken one. A progress file that
cannot be read is set aside (renamed `progress.json.corrupt-N`) with a warning, and
play goes on from empty progress.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

ENV_HOME = "KUBEGAME_HOME"
PROGRESS_FILE = "progress.json"
FORMAT_VERSION = 1


def data_dir() -> Path:
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("kubegame", appauthor=False))


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write `text` to `path` atomically (temporary file + fsync + os.replace)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable where the platform allows it
        dfd = os.open(p.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


class Progress:
    """Best results per level. `warnings` collects what went wrong while reading."""

    def __init__(self, home: str | os.PathLike | None = None):
        self.home = Path(home) if home is not None else data_dir()
        self.path = self.home / PROGRESS_FILE
        self.warnings: list[str] = []
        self.levels: dict[str, dict[str, Any]] = {}
        self._clean_temp()
        self.load()

    def _clean_temp(self) -> None:
        """Remove temporary files a killed save left behind (the real file is intact)."""
        for tmp in self.home.glob(f".{PROGRESS_FILE}.*.tmp") if self.home.is_dir() else ():
            try:
                tmp.unlink()
            except OSError:
                pass

    def load(self) -> None:
        self.levels = {}
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as exc:
            self.warnings.append(f"warning: cannot read {self.path}: {exc.strerror or exc}; progress starts empty")
            return
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or not isinstance(data.get("levels"), dict):
                raise ValueError("not a kubegame progress file")
            for name, entry in data["levels"].items():
                if not isinstance(entry, dict):
                    raise ValueError(f"bad entry for {name!r}")
            self.levels = data["levels"]
        except (ValueError, UnicodeDecodeError) as exc:
            aside = self._set_aside()
            self.warnings.append(f"warning: {self.path} is corrupt ({exc}); moved it to {aside} and started afresh")

    def _set_aside(self) -> Path:
        n = 1
        while (self.path.parent / f"{PROGRESS_FILE}.corrupt-{n}").exists():
            n += 1
        aside = self.path.parent / f"{PROGRESS_FILE}.corrupt-{n}"
        try:
            os.replace(self.path, aside)
        except OSError:
            pass
        return aside

    def best(self, level: str) -> dict[str, Any]:
        return self.levels.get(level, {})

    def stars(self, level: str) -> int:
        return int(self.best(level).get("stars", 0))

    def record(self, level: str, score: int, stars: int, won: bool, endless: bool = False) -> bool:
        """Remember a result; returns True when it is a new best. Saves at once.

        A campaign level's best is its best *winning* score: a loss is never a new best.
        An endless run (chaos: ticks survived) always counts."""
        e = self.levels.setdefault(level, {"bestScore": 0, "stars": 0, "won": False, "plays": 0})
        e["plays"] = int(e.get("plays", 0)) + 1
        better = (won or endless) and score > int(e.get("bestScore", 0))
        if better:
            e["bestScore"] = score
        e["stars"] = max(int(e.get("stars", 0)), stars)
        e["won"] = bool(e.get("won")) or won
        self.save()
        return better

    def save(self) -> None:
        atomic_write(self.path, json.dumps({"version": FORMAT_VERSION, "levels": self.levels}, indent=2,
                                           sort_keys=True) + "\n")


def save_replay(replay: dict, home: str | os.PathLike | None = None) -> Path:
    """Store a replay under replays/ in the data directory; returns its path."""
    base = (Path(home) if home is not None else data_dir()) / "replays"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 1
    while (base / f"{replay.get('level', 'level')}-{stamp}-{n}.json").exists():
        n += 1
    path = base / f"{replay.get('level', 'level')}-{stamp}-{n}.json"
    atomic_write(path, json.dumps(replay, indent=2) + "\n")
    return path
