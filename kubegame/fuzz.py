"""`kubegame fuzz LEVEL`: play a level many times with random valid commands; check every invariant.

Each play is a Hypothesis example: the ticks at which to act and the command lines come
from `kubegame.testing.strategies.commands()` (drawn for the objects that exist at that
moment). After every tick the engine's invariants are checked
(`kubegame.testing.invariants.Monitor`). A violation, an engine exception or a kubectl
internal error stops the search; Hypothesis shrinks the play to a minimal command script,
which is written as a YAML list of {at, run} that `kubegame simulate LEVEL --script FILE`
replays (and `kubegame fuzz LEVEL --replay FILE` replays with the invariants checked).
Plays without a violation give the win rate and the score distribution: a level that
random play wins often is too easy.

    report = fuzz(level, seed=0, examples=100)
    report.violation            # None, or Violation(message, tick, script, ...)
    report.win_rate, report.scores
"""

from __future__ import annotations

import random
import statistics
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.errors import Flaky

from kubegame.game import Game, GameResult
from kubegame.level.model import Level, Step
from kubegame.testing.invariants import InvariantViolation, Monitor
from kubegame.testing.strategies import commands, random_command

Setup = Callable[[Game], None]     # called on each fresh Game before play (e.g. to inject a fault)
KUBECTL_CRASH = "internal error in kubegame's kubectl"
MAX_WINNING_KEPT = 10          # winning random plays kept (and written by the CLI) per run


@dataclass
class Violation:
    """What broke, when, and the command script that makes it happen."""

    kind: str                  # invariant | engine-error | kubectl-error
    message: str
    tick: int                  # the level tick after which it was seen
    script: list[Step]
    path: str | None = None    # where the script was written
    reproduced: bool | None = None   # the written script, replayed, shows it again

    def to_json(self) -> dict:
        return {"kind": self.kind, "message": self.message, "tick": self.tick,
                "script": [{"at": s.at, "run": s.run} for s in self.script], "scriptFile": self.path,
                "reproduced": self.reproduced}


@dataclass
class Outcome:
    """One play: its result (None when it broke) and the violation, if any."""

    script: list[Step]
    result: GameResult | None = None
    violation: Violation | None = None


@dataclass
class FuzzReport:
    level: str
    seed: int
    examples: int                       # plays asked for
    plays: int = 0                      # plays that ran to the end without a violation
    wins: int = 0
    scores: list[int] = field(default_factory=list)
    violation: Violation | None = None
    winning: list[list[Step]] = field(default_factory=list)   # the scripts of the first random plays that won
    # the win rate comes from independent random plays (Hypothesis mutates the examples it has seen,
    # so its plays cluster around earlier ones and would overstate how often luck wins)
    random_plays: int = 0
    random_wins: int = 0

    @property
    def win_rate(self) -> float:
        """Wins among the independent random plays."""
        return self.random_wins / self.random_plays if self.random_plays else 0.0

    def distribution(self) -> dict[str, Any]:
        """min, quartiles, max, mean, and a histogram of the 0-1000 score in bins of 100."""
        if not self.scores:
            return {}
        s = sorted(self.scores)
        q = statistics.quantiles(s, n=4, method="inclusive") if len(s) > 1 else [s[0]] * 3
        bins = [0] * 10
        for x in s:
            bins[min(9, x // 100)] += 1
        return {"min": s[0], "p25": q[0], "median": q[1], "p75": q[2], "max": s[-1],
                "mean": round(statistics.fmean(s), 1),
                "histogram": {f"{i * 100}-{i * 100 + 99 if i < 9 else 1000}": n for i, n in enumerate(bins)}}

    def to_json(self) -> dict:
        return {"level": self.level, "seed": self.seed, "examples": self.examples, "plays": self.plays,
                "wins": self.wins, "randomPlays": self.random_plays, "randomWins": self.random_wins,
                "winRate": round(self.win_rate, 4), "scores": self.distribution(),
                "violation": self.violation.to_json() if self.violation else None,
                "winning": [[{"at": s.at, "run": s.run} for s in w] for w in self.winning]}


def _load_every_module() -> None:
    """Import every kubegame module before a search. Hypothesis mixes literal constants from the
    project's loaded modules into what it draws (hypothesis/internal/conjecture/providers.py,
    local constants), so the same seed drew other plays depending on what the caller had
    imported (`kubegame fuzz` loads kubegame.cli, a test file may not). With every module
    loaded, a seed means the same plays wherever the fuzzer runs."""
    import importlib
    import pkgutil

    import kubegame
    for info in pkgutil.walk_packages(kubegame.__path__, "kubegame."):
        if info.name not in _LOADED and not info.name.endswith("__main__"):
            _LOADED.add(info.name)
            try:
                importlib.import_module(info.name)
            except ImportError:          # pragma: no cover - an optional part that is not installed
                pass


_LOADED: set[str] = set()


class _Found(Exception):
    """Raised inside a Hypothesis example to make it a failing (and shrinkable) one."""


# -- one play -----------------------------------------------------------------------------------

class _Player:
    """Drives a Game tick by tick, checking the invariants; records every command as a Step."""

    def __init__(self, level: Level, setup: Setup | None):
        self.game = Game(level)
        if setup is not None:
            setup(self.game)
        self.monitor = Monitor(self.game.cluster)
        self.script: list[Step] = []

    def violation(self, kind: str, message: str) -> Violation:
        return Violation(kind, message, self.game.now, list(self.script))

    def submit(self, line: str) -> Violation | None:
        self.script.append(Step(self.game.now, line))
        try:
            res = self.game.submit(line)
        except Exception as exc:  # noqa: BLE001 - a command that crashes the game is a finding
            return self.violation("engine-error", f"{line}: {type(exc).__name__}: {exc}")
        if KUBECTL_CRASH in res.error:
            return self.violation("kubectl-error", f"{line}: {res.error.strip()}")
        return None

    def tick(self) -> Violation | None:
        try:
            self.game.step()
            self.monitor.after_tick()
        except InvariantViolation as exc:
            return self.violation("invariant", str(exc))
        except Exception as exc:  # noqa: BLE001 - an engine crash is a finding, not a fuzzer crash
            return self.violation("engine-error", f"{type(exc).__name__}: {exc}")
        return None

    def begin_tick(self) -> None:
        self.monitor.before_tick()


def replay(level: Level, steps: list[Step], setup: Setup | None = None) -> Outcome:
    """Play `steps` as `kubegame simulate --script` does (each command when the clock reads its
    `at`, before that tick), checking every invariant after every tick."""
    pending = deque(sorted(steps, key=lambda s: s.at))

    def due(now: int) -> Iterator[str]:
        while pending and pending[0].at <= now:
            yield pending.popleft().run

    return _play(_Player(level, setup), level, due)


def _random_play(level: Level, data: Any, setup: Setup | None, max_commands: int) -> Outcome:
    last = max(0, level.duration - 1)
    ticks = deque(sorted(data.draw(st.lists(st.integers(0, last), max_size=max_commands), label="ticks")))
    player = _Player(level, setup)

    def due(now: int) -> Iterator[str]:
        while ticks and ticks[0] <= now:
            ticks.popleft()
            yield data.draw(commands(player.game.cluster, level=level, read_only=False, hostile=True),
                            label="command")

    return _play(player, level, due)


def _play(player: _Player, level: Level, due: Callable[[int], Iterator[str]]) -> Outcome:
    """Tick the game to its end, submitting before each tick the commands due then; stop at the
    first broken invariant."""
    while not player.game.finished and player.game.now < level.duration:
        player.begin_tick()
        for line in due(player.game.now):
            v = player.submit(line)
            if v is not None:
                return Outcome(player.script, violation=v)
        v = player.tick()
        if v is not None:
            return Outcome(player.script, violation=v)
    return Outcome(player.script, result=player.game.result())


# -- the search ---------------------------------------------------------------------------------

def write_winning(base: str | Path, report: FuzzReport, level: Level) -> list[str]:
    """Each kept winning play as a script `BASE-win-N.yaml` (kubegame simulate LEVEL --script FILE
    replays it): a level that random play wins shows its author how."""
    paths = []
    base = str(base)
    stem = base[:-5] if base.endswith(".yaml") else base
    for i, steps in enumerate(report.winning, 1):
        path = f"{stem}-win-{i}.yaml"
        header = [f"# kubegame fuzz: a random play that won level {level.name} ({len(steps)} command(s))",
                  f"# replay: kubegame simulate {level.path or level.name} --script {path}"]
        body = yaml.safe_dump([{"at": s.at, "run": s.run} for s in steps], sort_keys=False,
                              default_flow_style=False, width=1000) if steps else "[]\n"
        _write_new(path, "\n".join(header) + "\n" + body)
        paths.append(path)
    return paths


def _write_new(path: str | Path, text: str) -> None:
    from kubegame.safeio import atomic_write
    atomic_write(path, text)


def write_script(path: str | Path, violation: Violation, level: Level) -> None:
    """The script as `kubegame simulate --script` reads it, with what it shows in a comment."""
    header = [f"# kubegame fuzz: a minimal script that breaks an invariant on level {level.name}",
              f"# {violation.kind} after tick {violation.tick}: " + violation.message.replace("\n", " "),
              f"# replay: kubegame simulate {level.path or level.name} --script {path}",
              f"#     or: kubegame fuzz {level.path or level.name} --replay {path}   (checks the invariants)"]
    body = yaml.safe_dump([{"at": s.at, "run": s.run} for s in violation.script], sort_keys=False,
                          default_flow_style=False, width=1000) if violation.script else "[]\n"
    _write_new(path, "\n".join(header) + "\n" + body)


def fuzz(level: Level, seed: int = 0, examples: int = 100, max_commands: int = 8, setup: Setup | None = None,
         script_path: str | Path | None = None, shrink: bool = True) -> FuzzReport:
    """Play `level` up to `examples` times with random valid commands (Hypothesis, seeded by `seed`);
    stop at the first invariant violation and shrink it to a minimal script (written to
    `script_path` when given, then replayed to confirm it reproduces)."""
    report = FuzzReport(level.name, seed, examples)
    found: dict[str, Outcome] = {}
    _load_every_module()

    phases = [Phase.generate, Phase.shrink] if shrink else [Phase.generate]

    @settings(max_examples=examples, database=None, deadline=None, derandomize=False, phases=phases,
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet, report_multiple_bugs=False,
              print_blob=False, stateful_step_count=1)
    @hypothesis_seed(seed)
    @given(st.data())
    def search(data: Any) -> None:
        outcome = _random_play(level, data, setup, max_commands)
        if outcome.violation is not None:
            found["last"] = outcome           # the last failing play Hypothesis runs is the minimal one
            raise _Found(outcome.violation.message)
        if not found and outcome.result is not None:
            report.plays += 1
            report.wins += int(outcome.result.won)
            report.scores.append(outcome.result.score.total)


    try:
        search()
    except _Found:
        pass
    except Flaky as exc:          # the same commands gave different outcomes: the engine is not deterministic
        report.violation = Violation("nondeterminism", str(exc).splitlines()[0], -1, [])
        return report
    if report.violation is None and "last" not in found:
        count_random_wins(report, level, seed, examples, max_commands, setup)
    if "last" in found:
        v = found["last"].violation
        assert v is not None
        report.violation = v
        if script_path is not None:
            write_script(script_path, v, level)
            v.path = str(script_path)
        again = replay(level, v.script, setup).violation
        v.reproduced = again is not None and again.kind == v.kind
    return report


def random_play(level: Level, rng: random.Random, max_commands: int = 8, setup: Setup | None = None) -> Outcome:
    """One play with commands and ticks chosen by `rng` (the same vocabulary as the search)."""
    last = max(0, level.duration - 1)
    ticks = deque(sorted(rng.randint(0, last) for _ in range(rng.randint(0, max_commands))))
    game = Game(level)
    if setup is not None:
        setup(game)
    script: list[Step] = []
    while not game.finished and game.now < level.duration:
        while ticks and ticks[0] <= game.now:
            ticks.popleft()
            line = random_command(rng, game.cluster, level=level, read_only=False, hostile=True)
            script.append(Step(game.now, line))
            game.submit(line)
        game.step()
    if game.cluster.controller_errors:
        return Outcome(script, violation=Violation("engine-error", game.cluster.controller_errors[0], game.now,
                                                   script))
    return Outcome(script, result=game.result())


def count_random_wins(report: FuzzReport, level: Level, seed: int, plays: int, max_commands: int = 8,
                      setup: Setup | None = None) -> None:
    """The win rate: `plays` independent random plays, each seeded by (seed, its number)."""
    for i in range(plays):
        outcome = random_play(level, random.Random(f"kubegame-fuzz:{seed}:{i}"), max_commands, setup)
        if outcome.violation is not None:
            if report.violation is None:
                report.violation = outcome.violation
            continue
        assert outcome.result is not None
        report.random_plays += 1
        if outcome.result.won:
            report.random_wins += 1
            if len(report.winning) < MAX_WINNING_KEPT:
                report.winning.append(outcome.script)


# -- text output --------------------------------------------------------------------------------

def format_report(report: FuzzReport) -> str:
    lines = [f"level {report.level}: {report.plays} random play(s) of {report.examples} (seed {report.seed})"]
    if report.plays:
        d = report.distribution()
        lines.append(f"won {report.random_wins} of {report.random_plays} independent random plays "
                     f"({100 * report.win_rate:.1f}%); {report.wins} of the {report.plays} searched plays")
        lines.append(f"score: min {d['min']}  p25 {d['p25']:g}  median {d['median']:g}  p75 {d['p75']:g}  "
                     f"max {d['max']}  mean {d['mean']:g}")
        top = max(d["histogram"].values()) or 1
        for label, n in d["histogram"].items():
            if n:
                lines.append(f"  {label:>9} {'#' * max(1, round(30 * n / top))} {n}")
    v = report.violation
    if v is None:
        lines.append("no invariant violated")
    else:
        lines.append(f"VIOLATION ({v.kind}) after tick {v.tick}: {v.message}")
        lines.append(f"minimal script ({len(v.script)} command(s)):")
        lines += [f"  - {{at: {s.at}, run: {s.run!r}}}" for s in v.script] or ["  (no commands: idle play breaks it)"]
        if v.path:
            lines.append(f"written to {v.path}; replay: kubegame simulate {report.level} --script {v.path}")
        if v.reproduced is not None:
            lines.append("the script reproduces it" if v.reproduced else
                         "WARNING: replaying the script did not reproduce it (a nondeterminism bug?)")
    return "\n".join(lines)


# -- `kubegame fuzz` ----------------------------------------------------------------------------

def run_cli(args: Any) -> int:
    """`kubegame fuzz LEVEL [--seed N] [--examples N] [--max-commands N] [--out FILE] [--replay FILE]
    [--fault NAME] [--json]`: exit 0 when no invariant broke, 1 when one did, 2 on a bad level/script."""
    import json
    import sys

    from kubegame.cli import EXIT_FAIL, EXIT_INVALID, EXIT_OK, _report_invalid, load_script
    from kubegame.game import GameSetupError
    from kubegame.level.catalog import find_level
    from kubegame.level.errors import LevelInvalid
    from kubegame.testing import faults

    try:
        level = find_level(args.level)
        steps = load_script(args.replay) if args.replay else None
    except LevelInvalid as exc:
        return _report_invalid(exc)
    setup: Setup | None = None
    if args.fault:
        if args.fault not in faults.FAULTS:
            print(f"error: unknown fault {args.fault!r} (known: {', '.join(faults.FAULTS)})", file=sys.stderr)
            return EXIT_INVALID
        name = args.fault

        def setup(game: Game) -> None:
            faults.install(game.cluster, name)
    if args.examples < 1 or args.max_commands < 0:
        print("error: --examples must be at least 1 and --max-commands at least 0", file=sys.stderr)
        return EXIT_INVALID
    try:
        if steps is not None:
            outcome = replay(level, steps, setup)
            v = outcome.violation
            if args.json:
                doc: dict[str, Any] = {"level": level.name, "violation": v.to_json() if v else None}
                if outcome.result is not None:
                    doc["result"] = outcome.result.to_json()
                print(json.dumps(doc, indent=2))
            elif v is None:
                res = outcome.result
                assert res is not None
                print(f"level {level.name}: {'WON' if res.won else 'LOST'} after {res.ticks} ticks, score "
                      f"{res.score.total}; no invariant violated")
            else:
                print(f"VIOLATION ({v.kind}) after tick {v.tick}: {v.message}")
            return EXIT_OK if v is None else EXIT_FAIL
        out = args.out or f"fuzz-{level.name}.yaml"
        from kubegame.safeio import check_writable_target
        check_writable_target(out)
        report = fuzz(level, seed=args.seed, examples=args.examples, max_commands=args.max_commands,
                      setup=setup, script_path=out)
        won_paths = write_winning(out, report, level)
    except GameSetupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: cannot write {exc.filename or out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        doc = report.to_json()
        doc["winningScripts"] = won_paths
        print(json.dumps(doc, indent=2))
    else:
        print(format_report(report))
        for p in won_paths:
            print(f"a winning play: {p}")
    return EXIT_OK if report.violation is None else EXIT_FAIL
