"""An interview: 5 to 8 incidents drawn from the pool by a seed, graded as an exam grades.

    iv = Interview(seed=7, minutes=30)          # the plan is fixed by the seed: iv.incidents
    iv.start()                                  # the wall clock starts (iv.remaining() seconds left)
    game = iv.game(0)                           # an IncidentGame (a Game): play it like a level
    iv.hand_in(game)                            # no more commands: its clock runs to the end
    iv.grade(game, ended="finished")            # partial credit per objective, by weight
    iv.answer(2)                                # the root-cause question (None: not answered)
    report = iv.report()                        # iv.analyse() first adds mitigation and needless changes

Points: each incident is worth POINTS; its objectives share OBJECTIVE_POINTS by their weights
(an objective counts when it passed at the end of the incident's clock), the root-cause
question QUESTION_POINTS. The interview's score is the percentage of all the points of every
planned incident (an incident the time did not reach scores 0); PASS_PERCENT passes, as the
CKA's 66% does. The plan, every incident's level and its seed are pure functions of the
interview's seed; only the wall clock (the time limit, the seconds spent) is not.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from kubegame.game import Game
from kubegame.interview.templates import Incident, load_pool

DEFAULT_MINUTES = 30
MIN_INCIDENTS, MAX_INCIDENTS = 5, 8
POINTS = 100
OBJECTIVE_POINTS = 80
QUESTION_POINTS = POINTS - OBJECTIVE_POINTS
PASS_PERCENT = 66
FORMAT = 1


def incident_seed(seed: int, index: int) -> int:
    """The cluster seed of incident `index` (0-based) of the interview `seed`."""
    return (seed * 1_000_003 + index * 7919 + 1) % 2**31


def plan(seed: int, pool: tuple | None = None) -> list[Incident]:
    """The incidents of the interview `seed`: how many, which templates, their parameters, the
    order of each question's options, and each level's seed."""
    pool = tuple(pool or load_pool())
    rng = random.Random(f"kubegame-interview:{seed}")
    n = min(len(pool), rng.randint(MIN_INCIDENTS, MAX_INCIDENTS))
    picked = rng.sample(pool, n)
    out: list[Incident] = []
    for i, template in enumerate(picked):
        inc = template.instantiate(random.Random(f"kubegame-interview:{seed}:{i}"))
        level = replace(inc.level, seed=incident_seed(seed, i), title=f"Incident {i + 1}/{n}: {inc.title}",
                        briefing=f"{inc.task}\n\n{inc.level.briefing}")
        out.append(replace(inc, level=level))
    return out


class IncidentGame(Game):
    """One incident of an interview: a Game on the incident's level, without hints (an exam has
    none), whose header shows the incident and the time left."""

    def __init__(self, incident: Incident, number: int, total: int, interview: Interview | None = None) -> None:
        super().__init__(incident.level, seed=incident.level.seed)
        self.incident = incident
        self.number, self.total = number, total
        self.interview = interview
        self.hints_off = "there are no hints in an interview: look (kubectl get, describe, logs, events) and decide"
        self.leave_question = ("Hand this incident in? Its clock runs to the end without more commands, "
                               "then it is graded.")
        self.leave_label = "Hand in"
        self.intro_note = f"Incident {number} of {total}. Task: {incident.task}"

    def again(self) -> IncidentGame:
        return IncidentGame(self.incident, self.number, self.total)

    def header_note(self) -> str:
        if self.interview is None or self.interview.started is None:
            return f"incident {self.number}/{self.total}"
        left = int(self.interview.remaining())
        return f"incident {self.number}/{self.total} · {left // 60}:{left % 60:02d} left"


@dataclass
class ObjectiveGrade:
    label: str
    weight: int
    passed: bool


@dataclass
class IncidentResult:
    """How one incident went: its grade, and what the player did (from the game's own records)."""

    number: int
    incident: Incident
    ended: str                              # finished | handed in | time up | not reached
    objectives: list[ObjectiveGrade] = field(default_factory=list)
    objective_points: float = 0.0
    answer: int | None = None               # the option chosen, None when not answered
    first_look: tuple[int, str] | None = None      # the first command that looked (answered, changed nothing)
    first_change: tuple[int, str] | None = None
    mitigation: tuple[int, str] | None = None      # the first change that made a difference (analyse())
    needless: list[tuple[int, str]] = field(default_factory=list)   # changes that made no difference
    failed: list[tuple[int, str]] = field(default_factory=list)
    commands: int = 0
    ticks: int = 0
    seconds: float = 0.0                    # wall time spent on it
    reference_acts: int | None = None       # the tick of the reference solution's first change
    analysed: bool = False
    replay: dict | None = None
    game: Any = None                        # the played game (kept for analyse(); not in the report)

    @property
    def correct(self) -> bool:
        return self.answer is not None and self.answer == self.incident.answer

    @property
    def points(self) -> float:
        return round(self.objective_points + (QUESTION_POINTS if self.correct else 0), 1)

    def to_json(self) -> dict:
        inc = self.incident
        cmd = (lambda c: None if c is None else {"tick": c[0], "run": c[1]})  # noqa: E731
        return {
            "number": self.number, "template": inc.template, "title": inc.title, "task": inc.task,
            "params": dict(inc.params), "seed": inc.level.seed, "concepts": list(inc.level.concepts),
            "ended": self.ended, "points": self.points, "objectivePoints": self.objective_points,
            "objectives": [{"label": o.label, "weight": o.weight, "passed": o.passed} for o in self.objectives],
            "question": inc.question, "options": list(inc.options), "rootCause": inc.answer,
            "answer": self.answer, "correct": self.correct,
            "firstLook": cmd(self.first_look), "firstChange": cmd(self.first_change),
            "mitigation": cmd(self.mitigation),
            "timeToFirstDiagnostic": None if self.first_look is None else self.first_look[0],
            "timeToMitigation": None if self.mitigation is None else self.mitigation[0],
            "referenceMitigation": self.reference_acts,
            "needlessChanges": [cmd(c) for c in self.needless], "failedCommands": [cmd(c) for c in self.failed],
            "commands": self.commands, "ticks": self.ticks, "seconds": round(self.seconds, 1),
            "analysed": self.analysed, "replay": self.replay}


class Interview:
    """The session: its plan, the wall clock, and one result per incident played."""

    def __init__(self, seed: int, minutes: float = DEFAULT_MINUTES, clock: Callable[[], float] = time.monotonic,
                 pool: tuple | None = None) -> None:
        if not minutes > 0:
            raise ValueError("an interview lasts more than 0 minutes")
        self.seed = int(seed)
        self.minutes = minutes
        self.clock = clock
        self.incidents = plan(self.seed, pool)
        self.started: float | None = None
        self.results: list[IncidentResult] = []
        self._begun: float | None = None      # when the current incident started (wall clock)

    # -- the clock ---------------------------------------------------------------------------
    def start(self) -> None:
        self.started = self.clock()

    def remaining(self) -> float:
        if self.started is None:
            return self.minutes * 60.0
        return max(0.0, self.minutes * 60.0 - (self.clock() - self.started))

    @property
    def time_up(self) -> bool:
        return self.started is not None and self.remaining() <= 0

    @property
    def next_index(self) -> int | None:
        """The incident to play next, None when every one has been played or the time is up."""
        i = len(self.results)
        return None if i >= len(self.incidents) or self.time_up else i

    # -- playing ------------------------------------------------------------------------------
    def game(self, index: int) -> IncidentGame:
        self._begun = self.clock()
        return IncidentGame(self.incidents[index], index + 1, len(self.incidents), self)

    @staticmethod
    def hand_in(game: Game) -> None:
        """No more commands: the incident's clock runs to its end (so handing in early gains
        nothing an objective would only lose later)."""
        game.play_to_end()

    def grade(self, game: IncidentGame, ended: str = "finished") -> IncidentResult:
        if not game.finished:
            self.hand_in(game)
        res = game.result()
        inc = game.incident
        r = IncidentResult(game.number, inc, ended, ticks=game.now, game=game, replay=game.replay())
        total = sum(inc.weights)
        for state, weight in zip(res.objectives, inc.weights):
            passed = bool(state.passed)
            r.objectives.append(ObjectiveGrade(state.label, weight, passed))
            if passed:
                r.objective_points += OBJECTIVE_POINTS * weight / total
        r.objective_points = round(r.objective_points, 1)
        log = list(game.command_log)
        r.commands = len(log)
        r.first_look = next(((c.tick, c.line) for c in log if c.exit_code == 0 and not c.changed), None)
        r.first_change = next(((c.tick, c.line) for c in log if c.changed), None)
        r.failed = [(c.tick, c.line) for c in log if c.exit_code != 0]
        r.seconds = 0.0 if self._begun is None else self.clock() - self._begun
        self.results.append(r)
        return r

    def answer(self, choice: int | None) -> None:
        """The root-cause answer of the incident graded last."""
        if not self.results:
            raise ValueError("no incident has been graded yet")
        if choice is not None and not 0 <= choice < len(self.results[-1].incident.options):
            raise ValueError(f"answer {choice} is not one of the options")
        self.results[-1].answer = choice

    def finish(self) -> None:
        """The time is up (or the player stopped): every incident not played scores 0."""
        for i in range(len(self.results), len(self.incidents)):
            self.results.append(IncidentResult(i + 1, self.incidents[i], "not reached"))

    # -- the report ---------------------------------------------------------------------------
    def analyse(self) -> None:
        """Hindsight (kubegame/hindsight.py) for every incident played: which changes made a
        difference (the first one is the mitigation) and which did not. Several headless plays
        per incident: run it off the UI's thread."""
        from kubegame.hindsight import hindsight
        for r in self.results:
            if r.game is None or r.analysed:
                continue
            h = hindsight(r.game)
            needless = {(n.tick, n.line) for n in h.needless}
            r.needless = sorted(needless)
            changes = [(c.tick, c.line) for c in r.game.command_log if c.changed]
            analysed = changes[:h.changes_analysed]
            r.mitigation = next((c for c in analysed if c not in needless), None)
            if r.mitigation is None and len(changes) > h.changes_analysed:
                r.mitigation = changes[h.changes_analysed]   # beyond what was run again: the next change
            ref = r.incident.level.solution
            r.reference_acts = min((s.at for s in ref), default=None)
            r.analysed = True

    def report(self) -> InterviewReport:
        return InterviewReport(self)


def practise(results: list[IncidentResult], campaign: list[dict] | None = None, most: int = 6) -> list[dict]:
    """The concepts of the incidents that lost points, the most lost first, each with the
    bundled levels that teach it (from the campaign's index)."""
    lost: Counter[str] = Counter()
    for r in results:
        missing = POINTS - r.points
        for c in r.incident.level.concepts:
            if missing > 0:
                lost[c] += missing
    if campaign is None:
        campaign = _campaign_index()
    out = []
    for concept, pts in sorted(lost.items(), key=lambda kv: (-kv[1], kv[0]))[:most]:
        levels = [e["name"] for e in campaign if concept in e.get("concepts", [])][:3]
        out.append({"concept": concept, "pointsLost": round(pts, 1), "levels": levels})
    return out


def _campaign_index() -> list[dict]:
    from kubegame.level import catalog
    rows = []
    for _path, entry in catalog.campaign():
        if isinstance(entry, dict):
            rows.append(entry)
    return rows


class InterviewReport:
    """What the report screen shows and the report file holds."""

    def __init__(self, interview: Interview) -> None:
        self.interview = interview
        self.results = list(interview.results)
        self.total = POINTS * len(interview.incidents)
        self.points = round(sum(r.points for r in self.results), 1)
        self.percent = round(100.0 * self.points / self.total, 1) if self.total else 0.0
        self.passed = self.percent >= PASS_PERCENT
        self.practise = practise(self.results)

    def to_json(self) -> dict:
        iv = self.interview
        return {"kubegameInterview": FORMAT, "seed": iv.seed, "minutes": iv.minutes,
                "incidents": len(iv.incidents), "points": self.points, "total": self.total,
                "percent": self.percent, "passed": self.passed, "passMark": PASS_PERCENT,
                "results": [r.to_json() for r in self.results], "practise": self.practise}

    def lines(self) -> list[str]:
        """The report as plain sentences (the report screen renders the same facts)."""
        out = [f"Interview {self.interview.seed}: {self.points:g} of {self.total} points, {self.percent:g}% "
               f"({'passed' if self.passed else 'not passed'}; the pass mark is {PASS_PERCENT}%)."]
        for r in self.results:
            out.append(f"{r.number}. {r.incident.title}: {r.points:g}/{POINTS} ({r.ended})")
            out += ["   " + s for s in incident_story(r)]
        if self.practise:
            out.append("Practise next: " + "; ".join(
                p["concept"] + (f" (levels {', '.join(p['levels'])})" if p["levels"] else "") for p in self.practise))
        return out


def incident_story(r: IncidentResult) -> list[str]:
    """What happened in one incident, in short sentences."""
    if r.ended == "not reached":
        return ["the time ran out before this incident."]
    inc = r.incident
    out = []
    met = [o for o in r.objectives if o.passed]
    out.append(f"objectives {len(met)}/{len(r.objectives)}: " + "; ".join(
        f"{'✓' if o.passed else '✗'} {o.label} (weight {o.weight})" for o in r.objectives)
        + f" = {r.objective_points:g}/{OBJECTIVE_POINTS}")
    if r.answer is None:
        out.append(f"root cause: not answered (it was: {inc.options[inc.answer]})")
    elif r.correct:
        out.append(f"root cause: right, {inc.options[inc.answer]} (+{QUESTION_POINTS})")
    else:
        out.append(f"root cause: you answered “{inc.options[r.answer]}”; it was: {inc.options[inc.answer]}")
    look = "no command looked at the cluster" if r.first_look is None else \
        f"first diagnostic at tick {r.first_look[0]} ({_short(r.first_look[1])})"
    if r.first_change is None:
        act = ", changed nothing"
    elif not r.analysed:
        act = f", first change at tick {r.first_change[0]}"
    elif r.mitigation is None:
        act = ", no change made a difference"
    else:
        act = f", mitigated at tick {r.mitigation[0]} ({_short(r.mitigation[1])})"
    ref = f"; the reference mitigates at tick {r.reference_acts}" if r.reference_acts is not None else ""
    out.append(look + act + ref + ".")
    if r.needless:
        out.append(f"{len(r.needless)} change(s) made no difference: "
                   + "; ".join(f"{_short(line)} at {t}" for t, line in r.needless[:3]) + ".")
    if r.failed:
        out.append(f"{len(r.failed)} command(s) failed, the first at tick {r.failed[0][0]}: {_short(r.failed[0][1])}.")
    out.append(f"{r.commands} command(s), {r.seconds / 60:.1f} minutes.")
    return out


def _short(line: str, n: int = 48) -> str:
    return line if len(line) <= n else line[: n - 1] + "…"
