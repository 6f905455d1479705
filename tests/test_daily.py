"""The daily challenge (kubegame/daily.py): the day's seed, the result file, and `kubegame replay
--verify`, which accepts an honest file in another process and rejects every kind of tampering."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kubegame import cli
from kubegame.daily import DAILY_TICKS, DailyGame, check_date, daily_seed, save_result
from kubegame.level.model import Step

ROOT = Path(__file__).resolve().parents[1]
DAY = "2026-12-03"
PLAY = [Step(2, "kubectl scale deployment shop --replicas=8"),
        Step(3, "kubectl get pods"),
        Step(70, "kubectl set image deployment/shop shop=shop:1.1")]


@pytest.fixture(scope="module")
def honest(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("daily-home")
    game = DailyGame(DAY)
    game.play_to_end(list(PLAY))
    return save_result(game, home)


def _verify(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kubegame", "replay", "--verify", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def _tampered(honest: Path, tmp_path: Path, edit) -> Path:
    doc = json.loads(honest.read_text())
    edit(doc)
    out = tmp_path / "tampered.json"
    out.write_text(json.dumps(doc))
    return out


def test_the_days_seed_is_its_date_and_everyone_meets_the_same_trouble():
    assert daily_seed("2026-12-03") == 20261203
    for bad in ("2026-02-30", "12/03/2026", "2026-1-3", "yesterday"):
        with pytest.raises(ValueError):
            check_date(bad)
    plans = []
    for date in (DAY, DAY, "2026-12-04"):
        game = DailyGame(date)
        game.play_to_end([], until=200)                 # waves are planned as the run goes
        plans.append([(e.at, e.kind, e.target) for e in game.scenario.plan if e.at < 200])
    assert plans[0] and plans[0] == plans[1]
    assert plans[0] != plans[2]
    assert game.level.title == "Daily challenge 2026-12-04" and game.level.duration == DAILY_TICKS


def test_an_honest_result_verifies_in_another_process(honest):
    doc = json.loads(honest.read_text())
    assert doc["kubegameDaily"] == 1 and doc["date"] == DAY and doc["seed"] == 20261203
    assert doc["score"] == doc["replay"]["score"] > 0 and doc["complete"] is True
    run = _verify(honest)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"verified: the daily challenge of {DAY}, score {doc['score']} ")


@pytest.mark.parametrize("edit, why", [
    (lambda d: d.update(score=d["score"] + 100), "the file's score is"),
    (lambda d: d["replay"].update(score=d["replay"]["score"] + 1), "the file's replay.score is"),
    (lambda d: d["replay"]["commands"].pop(0), "do not reach the state the file claims"),
    (lambda d: d["replay"]["commands"].append({"tick": 4, "run": "kubectl scale deployment shop --replicas=20"}),
     "do not reach the state the file claims"),
    (lambda d: (d.update(seed=20261202), d["replay"].update(seed=20261202)),
     "the seed 20261202 is not the seed of 2026-12-03 (20261203)"),
    (lambda d: d.update(date="2026-12-04"), "is not the seed of 2026-12-04 (20261204)"),
    (lambda d: d["replay"].update(ticks=DAILY_TICKS + 500), f"a daily run lasts {DAILY_TICKS} at most"),
])
def test_a_tampered_result_is_rejected_with_its_reason(honest, tmp_path, edit, why):
    run = _verify(_tampered(honest, tmp_path, edit))
    assert run.returncode == 1, run.stdout
    assert "error: not verified: " in run.stderr and why in run.stderr, run.stderr


def test_a_file_that_is_not_a_result_at_all(honest, tmp_path, capsys):
    broken = _tampered(honest, tmp_path, lambda d: d.update(date="soon"))
    assert cli.main(["replay", "--verify", str(broken)]) == 2
    assert "cannot read the daily result: 'soon' is not a date" in capsys.readouterr().err
    junk = tmp_path / "junk.json"
    junk.write_text('{"kubegameDaily": 1, "date": "2026-12-03"}')
    assert cli.main(["replay", "--verify", str(junk)]) == 2
    assert "`seed` is missing" in capsys.readouterr().err


def test_daily_refuses_a_date_that_is_not_one(capsys):
    assert cli.main(["daily", "--date", "2026-13-01"]) == 2
    assert "error: --date:" in capsys.readouterr().err


def test_verify_checks_a_level_replays_score_too(tmp_path, capsys):
    from kubegame.game import Game
    from kubegame.level.catalog import find_level
    game = Game(find_level("first-pod"))
    game.play_to_end([Step(1, "kubectl scale deployment hello --replicas=3")])
    doc = game.replay()
    path = tmp_path / "replay.json"
    path.write_text(json.dumps(doc))
    assert cli.main(["replay", "--verify", str(path)]) == 0
    assert f"verified: first-pod, score {doc['score']}" in capsys.readouterr().out
    doc["score"] = 1000
    path.write_text(json.dumps(doc))
    assert cli.main(["replay", "--verify", str(path)]) == 1
    assert "not verified: the file's score is 1000" in capsys.readouterr().err
    assert cli.main(["replay", str(path)]) == 0          # without --verify only the state is compared


def test_the_console_daily_saves_a_result_that_verifies(tmp_path):
    env = {**__import__("os").environ, "KUBEGAME_HOME": str(tmp_path)}
    run = subprocess.run([sys.executable, "-m", "kubegame", "daily", "--console", "--date", DAY], cwd=ROOT, env=env,
                         input="kubectl scale deployment shop --replicas=8\ntick 400\n", capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    (path,) = (tmp_path / "daily").glob(f"{DAY}-*.json")
    assert f"result saved to {path}" in run.stdout
    assert f"kubegame replay --verify {path}" in run.stdout
    assert _verify(path).returncode == 0
