"""The bundled campaign as the level-select screen shows it, and `play LEVEL` resolution.

A level reference is a path to a level file, or the `metadata.name` (or file stem) of
a bundled level. Levels that fail to load are listed with their error, never hidden.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from kubegame.level.loader import load_level
from kubegame.level.model import Level


@dataclass
class Entry:
    path: str
    level: Level | None = None
    error: str = ""

    @property
    def name(self) -> str:
        return self.level.name if self.level else Path(self.path).stem

    @property
    def title(self) -> str:
        return self.level.title if self.level else Path(self.path).stem

    @property
    def chapter(self) -> int | None:
        return self.level.chapter if self.level else None


@dataclass
class Campaign:
    entries: list[Entry] = field(default_factory=list)

    def playable(self) -> list[Entry]:
        return [e for e in self.entries if e.level is not None]

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
    d = Path(directory) if directory is not None else levels_dir()
    entries: list[Entry] = []
    try:
        paths = sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml"))
    except OSError:
        paths = []
    for p in paths:
        try:
            entries.append(Entry(str(p), load_level(p)))
        except Exception as exc:  # noqa: BLE001 - a broken level is listed, not fatal
            entries.append(Entry(str(p), None, str(exc).strip().splitlines()[0] if str(exc).strip() else
                                 type(exc).__name__))
    entries.sort(key=lambda e: e.level.sort_key if e.level else (10**7, Path(e.path).name, ""))
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
