"""The bundled campaign as the level-select screen shows it, and `play LEVEL` resolution.

A level reference is a path to a level file, or the `metadata.name` (or file stem) of
a bundled level. Levels that fail to load are listed with their error, never hidden.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from kubegame.level.catalog import campaign, load_level  # the loader (and the engine) on first use

if TYPE_CHECKING:
    from kubegame.level.model import Level


class Entry:
    """One level of the list: loaded, or (bundled levels) summarised from levels/index.json and
    loaded when first asked for its Level, so the title screen shows without loading any level."""

    def __init__(self, path: str, level: Level | None = None, error: str = "", summary: dict | None = None):
        self.path = path
        self._level = level
        self.error = error
        self.summary = summary           # name, title, chapter, concepts, duration, sortKey

    @property
    def level(self) -> Level | None:
        if self._level is None and self.summary is not None and not self.error:
            try:
                self._level = load_level(self.path)
            except Exception as exc:  # noqa: BLE001 - a broken level is listed, not fatal
                self.error = _first_line(exc)
        return self._level

    @property
    def ok(self) -> bool:
        """Whether it loads (as far as is known without loading it)."""
        return self._level is not None or (self.summary is not None and not self.error)

    def _get(self, key: str, default):
        if self._level is not None:
            return getattr(self._level, key)
        return self.summary.get(key, default) if self.summary is not None and not self.error else default

    @property
    def name(self) -> str:
        return self._get("name", Path(self.path).stem)

    @property
    def title(self) -> str:
        return self._get("title", Path(self.path).stem)

    @property
    def chapter(self) -> int | None:
        return self._get("chapter", None)

    @property
    def concepts(self) -> list[str]:
        return list(self._get("concepts", []))

    @property
    def duration(self) -> int:
        return int(self._get("duration", 0))

    @property
    def sort_key(self) -> tuple:
        if self._level is not None:
            return self._level.sort_key
        if self.summary is not None and not self.error:
            return tuple(self.summary["sortKey"])
        return (10**7, Path(self.path).name, "")


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass
class Campaign:
    entries: list[Entry] = field(default_factory=list)

    def playable(self) -> list[Entry]:
        return [e for e in self.entries if e.ok]

    def find(self, ref: str) -> Entry | None:
        for e in self.entries:
            if ref in (e.name, Path(e.path).stem, Path(e.path).name):
                return e
        return None

    def next_after(self, name: str) -> Entry | None:
        play = self.playable()
        for i, e in enumerate(play):
            if e.name == name and i + 1 < len(play):
                return play[i + 1]
        return None

    def unlocked(self, name: str, won: set[str], unlock_all: bool = False) -> bool:
        """The first level is open; each next one opens when the one before it was won."""
        if unlock_all:
            return True
        play = self.playable()
        for i, e in enumerate(play):
            if e.name == name:
                return i == 0 or play[i - 1].name in won or e.name in won
        return True


def levels_dir() -> Path:
    return Path(str(resources.files("kubegame.levels")))


def load_campaign(directory: str | os.PathLike | None = None) -> Campaign:
    """The levels of a directory in campaign order; the bundled ones from their index."""
    if directory is None:
        entries = [Entry(str(p), None, _first_line(got), None) if isinstance(got, Exception)
                   else Entry(str(p), None, "", got) for p, got in campaign()]
    else:
        entries = []
        try:
            paths = sorted(p for p in Path(directory).iterdir() if p.suffix in (".yaml", ".yml"))
        except OSError:
            paths = []
        for p in paths:
            try:
                entries.append(Entry(str(p), load_level(p)))
            except Exception as exc:  # noqa: BLE001 - a broken level is listed, not fatal
                entries.append(Entry(str(p), None, _first_line(exc)))
    entries.sort(key=lambda e: e.sort_key)
    return Campaign(entries)


def resolve(ref: str, campaign: Campaign | None = None) -> Level:
    """A level file path or a bundled level's name -> the loaded Level (raises on failure)."""
    p = Path(ref)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return load_level(p)
    campaign = campaign or load_campaign()
    e = campaign.find(ref)
    if e is None:
        names = ", ".join(x.name for x in campaign.entries) or "none"
        raise LookupError(f"no level named {ref!r} (bundled levels: {names})")
    if e.level is None:
        raise LookupError(f"level {ref!r} does not load: {e.error}")
    return e.level
