"""The player's data: best score and stars per level, and recorded replays.

Everything lives in the user data directory (platformdirs), or in $KUBEGAME_HOME when
set (tests use it). Every write goes to a temporary file in the same directory that is
flushed, fsynced and renamed over the old file (os.replace is atomic), so a crash or a
kill leaves the old file or the new one, never a broken one. A progress file that
cannot be read is set aside (renamed `progress.json.corrupt-N`) with a warning, and
play goes on from empty progress.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kubegame.safeio import InputError, atomic_write, load_json, read_text  # noqa: F401 (atomic_write re-exported)

ENV_HOME = "KUBEGAME_HOME"
PROGRESS_FILE = "progress.json"
FORMAT_VERSION = 1


def data_dir() -> Path:
    env = os.environ.get(ENV_HOME)
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("kubegame", appauthor=False))


MAX_PROGRESS_BYTES = 4 * 1024 * 1024
ENTRY_FIELDS = {"bestScore": int, "stars": int, "won": bool, "plays": int}


def checked_levels(data: Any) -> dict[str, dict[str, Any]]:
    """The `levels` of a progress file, every field of every entry of the right type and range."""
    if not isinstance(data, dict) or not isinstance(data.get("levels"), dict):
        raise InputError("progress.json", 1, 1, "not a kubegame progress file", '{"version": 1, "levels": {...}}')
    out: dict[str, dict[str, Any]] = {}
    for name, entry in data["levels"].items():
        if not isinstance(entry, dict):
            raise InputError("progress.json", 1, 1, f"the entry for {name!r} is not a mapping", "a mapping")
        clean: dict[str, Any] = {}
        for key, kind in ENTRY_FIELDS.items():
            if key not in entry:
                continue
            v = entry[key]
            if kind is int and (isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 10**9):
                raise InputError("progress.json", 1, 1, f"{name}.{key} is {v!r}", "a whole number from 0 to 10^9")
            if kind is bool and not isinstance(v, bool):
                raise InputError("progress.json", 1, 1, f"{name}.{key} is {v!r}", "true or false")
            clean[key] = v
        if clean.get("stars", 0) > 3:
            raise InputError("progress.json", 1, 1, f"{name}.stars is {clean['stars']}", "0 to 3")
        out[str(name)] = clean
    return out


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
        if not self.path.exists() and not self.path.is_symlink():
            return
        try:
            text = read_text(self.path, MAX_PROGRESS_BYTES, "progress file")
            data = load_json(text, str(self.path), max_depth=4)
            self.levels = checked_levels(data)
        except InputError as exc:
            if exc.what.startswith("cannot read"):
                self.warnings.append(f"warning: cannot read {self.path} ({exc.what}); progress starts empty")
                return
            aside = self._set_aside()
            self.warnings.append(f"warning: {self.path} is corrupt ({exc.what}); moved it to {aside} and started "
                                 "afresh")

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
        An endless run (chaos: ticks survived) always counts. The file is read again under a lock
        first, so two games of one player at once (two kubegame web tabs) both keep their results."""
        with _locked(self.home):
            self.load()
            return self._record(level, score, stars, won, endless)

    def _record(self, level: str, score: int, stars: int, won: bool, endless: bool) -> bool:
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
        import json
        atomic_write(self.path, json.dumps({"version": FORMAT_VERSION, "levels": self.levels}, indent=2,
                                           sort_keys=True) + "\n")


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """An exclusive lock on the data directory's `.lock` file while progress is read and written
    (POSIX flock; where there is none, or the directory cannot be written, no lock)."""
    try:
        import fcntl
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(home / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def save_replay(replay: dict, home: str | os.PathLike | None = None) -> Path:
    """Store a replay under replays/ in the data directory; returns its path."""
    base = (Path(home) if home is not None else data_dir()) / "replays"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 1
    while (base / f"{replay.get('level', 'level')}-{stamp}-{n}.json").exists():
        n += 1
    path = base / f"{replay.get('level', 'level')}-{stamp}-{n}.json"
    import json
    atomic_write(path, json.dumps(replay, indent=2) + "\n")
    return path
