"""`kubegame fuzz` finds a deliberately injected engine bug and shrinks it to a short script
that `kubegame simulate --script` replays (the fault goes in through the engine's test-only
`cluster.hooks`, see kubegame/testing/faults.py)."""

from __future__ import annotations

import json

import pytest
import yaml

from kubegame import cli
from kubegame.fuzz import format_report, fuzz, replay
from kubegame.game import Game
from kubegame.level import find_level
from kubegame.testing import faults
from kubegame.testing.invariants import InvariantViolation, Monitor


def inject(name: str):
    """A fuzz `setup`: install the named fault on each fresh game's cluster."""
    def setup(game: Game) -> None:
        faults.install(game.cluster, name)
    return setup


def replay_as_simulate_does(level_ref: str, script: str, fault: str | None) -> str | None:
    """Load the script through the CLI's `simulate --script` reader, play it like `simulate`
    (Game.queue + step, the level's seed), and check the invariants after every tick."""
    level = find_level(level_ref)
    steps = cli.load_script(script)
    game = Game(level)
    if fault:
        faults.install(game.cluster, fault)
    monitor = Monitor(game.cluster)
    game.queue(steps)
    while not game.finished and game.now < level.duration:
        monitor.before_tick()
        game.step()
        try:
            monitor.after_tick()
        except InvariantViolation as exc:
            return str(exc)
    return None


@pytest.mark.parametrize("fault, invariant", [("cpu-double-count", "accounted cpu"),
                                               ("ready-not-endpoint", "endpoints")])
def test_fuzz_finds_an_injected_bug_and_shrinks_it_to_a_replayable_script(tmp_path, fault, invariant) -> None:
    level = find_level("first-pod")
    script = tmp_path / "found.yaml"
    report = fuzz(level, seed=3, examples=30, setup=inject(fault), script_path=script)

    v = report.violation
    assert v is not None, format_report(report)
    assert v.kind == "invariant" and invariant in v.message
    assert 1 <= len(v.script) <= 2, v.script          # shrunk: one or two commands make the bug show
    assert v.reproduced

    # the file is a `kubegame simulate --script` script ...
    steps = yaml.safe_load(script.read_text())
    assert steps == [{"at": s.at, "run": s.run} for s in v.script]
    assert cli.main(["simulate", "first-pod", "--script", str(script), "--json"]) == 0
    # ... which, played the simulate way with the fault in, breaks the same invariant,
    assert invariant in (replay_as_simulate_does("first-pod", str(script), fault) or "")
    # while the real engine plays it cleanly: the bug is the fault, not the script
    assert replay_as_simulate_does("first-pod", str(script), None) is None


def test_fuzz_without_a_fault_reports_win_rate_and_scores() -> None:
    level = find_level("first-pod")
    report = fuzz(level, seed=0, examples=6)
    assert report.violation is None
    assert report.plays == 6 and 0 <= report.wins <= 6 and len(report.scores) == 6
    d = report.distribution()
    assert d["min"] <= d["median"] <= d["max"] and sum(d["histogram"].values()) == 6
    doc = report.to_json()
    assert doc["winRate"] == report.win_rate and doc["violation"] is None
    assert "no invariant violated" in format_report(report)


def test_replay_reports_the_violation_at_its_tick() -> None:
    level = find_level("first-pod")
    pod = Game(level).cluster.pods()[0].name
    from kubegame.level.model import Step
    out = replay(level, [Step(2, f"kubectl delete pod {pod}")], setup=inject("cpu-double-count"))
    assert out.violation is not None and out.violation.tick > 2 and out.result is None
    assert replay(level, [Step(2, f"kubectl delete pod {pod}")]).violation is None


def test_cli_fuzz_json_and_exit_codes(tmp_path, capsys) -> None:
    assert cli.main(["fuzz", "first-pod", "--examples", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["level"] == "first-pod" and doc["plays"] == 3 and doc["violation"] is None

    out = tmp_path / "bug.yaml"
    assert cli.main(["fuzz", "first-pod", "--examples", "20", "--fault", "cpu-double-count",
                     "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "VIOLATION (invariant)" in text and "the script reproduces it" in text and out.exists()
    assert cli.main(["fuzz", "first-pod", "--replay", str(out), "--fault", "cpu-double-count"]) == 1
    assert cli.main(["fuzz", "first-pod", "--replay", str(out)]) == 0
    capsys.readouterr()
    assert cli.main(["fuzz", "first-pod", "--fault", "no-such-fault"]) == 2
    assert cli.main(["fuzz", "no-such-level"]) == 2
