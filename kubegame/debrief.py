"""What happened in this play, told from the game's own records (the results screen, `--json`).

A level's debrief text tells its lesson; this tells the player's story: each incident the
scenario brought, when the player first looked (a read-only command) and first changed
something after it, the worst moment for availability, the commands that failed, and the
reference solution's timing beside the player's.

    d = play_debrief(game)
    d.lines()      # sentences for the results screen
    d.to_json()    # the same as data
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# scenario event types that are trouble (the rest are news: Message, ImageRelease, recoveries)
INCIDENTS = ("NodeFailure", "ZoneOutage", "LoadSpike", "PodCrash", "EtcdMemberFailure", "KernelUpgrade",
             "BadRelease")


@dataclass
class CommandRecord:
    tick: int
    line: str
    exit_code: int
    changed: bool


@dataclass
class NeedlessChange:
    """A change the play would have done as well without (kubegame/hindsight.py)."""
    tick: int
    line: str
    score_without: int


@dataclass
class ReferenceRun:
    """The level's reference solution played on the same seed."""
    score: int
    won: bool
    cost: float
    availability: list[float]        # % served each tick, all Services
    steps: list[int]                 # the ticks of its commands

    def overall(self) -> float:
        return sum(self.availability) / len(self.availability) if self.availability else 100.0


@dataclass
class Hindsight:
    reference: ReferenceRun | None = None
    needless: list[NeedlessChange] = field(default_factory=list)
    changes_total: int = 0
    changes_analysed: int = 0


def _cmd(c: CommandRecord | None) -> dict | None:
    return None if c is None else {"tick": c.tick, "run": c.line}


@dataclass
class Incident:
    tick: int
    reason: str
    message: str
    first_look: CommandRecord | None = None      # detected: the first command after it
    first_change: CommandRecord | None = None    # the first command after it that changed the cluster
    mitigation: CommandRecord | None = None      # the first change after it that made a difference
    reference_acts: int | None = None            # the reference's first step at or after it (else its last before)

    def to_json(self) -> dict:
        return {"tick": self.tick, "reason": self.reason, "message": self.message,
                "firstLook": _cmd(self.first_look), "firstChange": _cmd(self.first_change),
                "mitigation": _cmd(self.mitigation),
                "timeToDetect": None if self.first_look is None else self.first_look.tick - self.tick,
                "timeToMitigate": None if self.mitigation is None else self.mitigation.tick - self.tick,
                "referenceActs": self.reference_acts}


@dataclass
class PlayDebrief:
    ticks: int
    incidents: list[Incident] = field(default_factory=list)
    commands: int = 0
    changes: int = 0
    failed: list[CommandRecord] = field(default_factory=list)
    worst: tuple[int, float] | None = None       # (tick, % served that tick) at the lowest point
    reference_changes: list[int] = field(default_factory=list)   # ticks of the reference solution's steps
    cost: float = 0.0
    score: int = 0
    hindsight: Hindsight | None = None           # None: the play was not run again (the fast debrief)

    def to_json(self) -> dict:
        doc = {"ticks": self.ticks, "commands": self.commands, "changes": self.changes,
               "failedCommands": [{"tick": c.tick, "run": c.line, "exitCode": c.exit_code} for c in self.failed],
               "worst": None if self.worst is None else {"tick": self.worst[0], "served": round(self.worst[1], 2)},
               "incidents": [i.to_json() for i in self.incidents],
               "referenceSteps": list(self.reference_changes), "cost": self.cost, "score": self.score}
        h = self.hindsight
        if h is not None:
            doc["needlessChanges"] = [{"tick": n.tick, "run": n.line, "scoreWithout": n.score_without}
                                      for n in h.needless]
            doc["changesAnalysed"] = h.changes_analysed
            r = h.reference
            doc["reference"] = None if r is None else {
                "score": r.score, "won": r.won, "cost": r.cost, "availability": round(r.overall(), 2),
                "steps": list(r.steps), "costAgainstReference": round(self.cost - r.cost, 3)}
        return doc

    def lines(self) -> list[str]:
        out: list[str] = []
        for inc in self.incidents:
            s = f"at tick {inc.tick}: {inc.message}"
            if inc.first_look is None:
                s += "; no command followed"
            else:
                s += f"; you looked at {inc.first_look.tick} ({_short(inc.first_look.line)})"
                if inc.first_change is None:
                    s += ", changed nothing after it"
                elif inc.first_change is not inc.first_look:
                    s += f", acted at {inc.first_change.tick} ({_short(inc.first_change.line)})"
                else:
                    s += " and acted with it"
                if inc.mitigation is not None and inc.mitigation is not inc.first_change:
                    s += f", mitigated at {inc.mitigation.tick} ({_short(inc.mitigation.line)})"
            if inc.reference_acts is not None:
                s += f"; the reference acts at {inc.reference_acts}"
            out.append(s + ".")
        if not self.incidents:
            out.append("no incident struck during this play.")
        if self.worst is not None and self.worst[1] < 100.0:
            out.append(f"the worst tick was {self.worst[0]}: {self.worst[1]:.0f}% of requests served.")
        elif self.worst is not None:
            out.append("every request was served, every tick.")
        verb = "command" if self.commands == 1 else "commands"
        out.append(f"you ran {self.commands} {verb}, {self.changes} of them changed the cluster"
                   + (f", {len(self.failed)} failed" if self.failed else "") + ".")
        for c in self.failed[:3]:
            out.append(f"  failed at {c.tick}: {_short(c.line, 60)}")
        h = self.hindsight
        if h is not None and h.needless:
            shown = "; ".join(f"{_short(n.line)} at {n.tick}" for n in h.needless[:3])
            them = "it" if len(h.needless) == 1 else "them"
            out.append(f"{len(h.needless)} of your changes made no difference (the play scores as well without "
                       f"{them}): {shown}.")
        if h is not None and h.changes_analysed < h.changes_total:
            out.append(f"({h.changes_total - h.changes_analysed} later changes were not run again.)")
        if self.reference_changes:
            ticks = ", ".join(str(t) for t in self.reference_changes[:6])
            out.append(f"the reference solution acts at tick {ticks}.")
        if h is not None and h.reference is not None:
            r = h.reference
            out.append(f"you spent {self.cost:g} and scored {self.score}; the reference spends {r.cost:g} and "
                       f"scores {r.score}.")
        return out


def _short(line: str, n: int = 40) -> str:
    return line if len(line) <= n else line[: n - 1] + "…"


def play_debrief(game: Any, hindsight: Hindsight | None = None) -> PlayDebrief:
    """The story of `game` so far (a kubegame.game.Game). With `hindsight` (kubegame/hindsight.py)
    a mitigation is the first change after an incident that made a difference, and the needless
    changes and the reference's cost are told too."""
    d = PlayDebrief(game.now, hindsight=hindsight)
    records: list[CommandRecord] = list(getattr(game, "command_log", []))
    d.commands = len(records)
    d.changes = sum(1 for c in records if c.changed)
    d.failed = [c for c in records if c.exit_code != 0]
    d.cost = float(getattr(game, "cost", 0.0))
    d.score = int(game.score().total) if hasattr(game, "score") else 0
    needless = {(n.tick, n.line) for n in hindsight.needless} if hindsight is not None else set()
    steps = sorted(s.at for s in game.level.solution) if getattr(game, "level", None) is not None else []
    for tick, reason, message in getattr(game, "incidents", []):
        inc = Incident(tick, reason, message)
        after = [c for c in records if c.tick >= tick]
        inc.first_look = after[0] if after else None
        inc.first_change = next((c for c in after if c.changed), None)
        inc.mitigation = next((c for c in after if c.changed and (c.tick, c.line) not in needless), None)
        if steps:
            inc.reference_acts = next((t for t in steps if t >= tick), steps[-1])
        d.incidents.append(inc)
    worst = None
    for i, (arrived, served) in enumerate(getattr(game, "series", [])):
        if arrived:
            pct = 100.0 * served / arrived
            if worst is None or pct < worst[1]:
                worst = (i + 1, pct)
    d.worst = worst if worst is not None else ((1, 100.0) if getattr(game, "series", None) else None)
    level = getattr(game, "level", None)
    if level is not None:
        d.reference_changes = [s.at for s in level.solution]
    return d
