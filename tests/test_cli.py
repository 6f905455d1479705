"""The `kubegame` command line: every verb, its output and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest

from kubegame import __version__, cli
from kubegame.level.catalog import bundled_levels, bundled_paths, find_level

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = ROOT / "tests" / "malformed"
TRANSCRIPTS = ROOT / "tests" / "level" / "transcripts"
FIRST_POD = Path(find_level("first-pod").path)
SIM_KEYS = ["level", "seed", "ticks", "won", "score", "stars", "objectives", "availability", "cost", "stateHash",
            "debrief"]


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("KUBEGAME_HOME", str(h))
    return h


def kubegame(*args, stdin="", env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "kubegame", *args], input=stdin, capture_output=True, text=True,
                          cwd=ROOT, env=e, timeout=120)


def test_version():
    r = kubegame("--version")
    assert r.returncode == 0 and r.stdout == f"kubegame {__version__}\n"


def test_validate_valid_files_and_directories(capsys):
    assert cli.main(["validate", str(FIRST_POD.parent)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{p}: ok" for p in bundled_paths()]


def test_validate_invalid_exits_2_and_prints_every_error(capsys):
    bad = MALFORMED / "61-many-errors.yaml"
    assert cli.main(["validate", str(FIRST_POD), str(bad)]) == 2
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{FIRST_POD}: ok"
    assert len(out) == 5 and all(line.startswith(f"{bad}:") for line in out[1:4])
    assert out[-1] == "1 of 2 file(s) invalid"


def test_validate_the_whole_corpus_exits_2(capsys):
    assert cli.main(["validate", str(MALFORMED)]) == 2
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert out.splitlines()[-1].endswith("file(s) invalid")


def test_validate_missing_file(capsys, tmp_path):
    assert cli.main(["validate", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read the file" in capsys.readouterr().out


def test_levels_json_in_campaign_order_with_best_stars(capsys):
    from kubegame.progress import Progress
    Progress().record("node-failure", 880, 2, True)
    assert cli.main(["levels", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in rows] == [lv.name for lv in bundled_levels()]
    assert rows[0]["name"] == "first-pod"
    chapters = [r["chapter"] for r in rows]
    assert chapters == sorted(chapters) and chapters[0] == 1
    assert list(rows[0]) == ["chapter", "name", "title", "stars", "bestScore"]
    nf = next(r for r in rows if r["name"] == "node-failure")
    assert nf["stars"] == 2 and nf["bestScore"] == 880 and rows[0]["stars"] == 0


def test_levels_table(capsys):
    assert cli.main(["levels"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["CH", "NAME", "STARS", "TITLE"]
    assert out[1].split()[:3] == ["1", "first-pod", "☆☆☆"]


def test_simulate_json_is_identical_across_processes():
    a = kubegame("simulate", "node-failure", "--solution", "--json", env={"PYTHONHASHSEED": "1"})
    b = kubegame("simulate", "node-failure", "--solution", "--json", env={"PYTHONHASHSEED": "2"})
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    doc = json.loads(a.stdout)
    assert list(doc) == SIM_KEYS
    assert doc["level"] == "node-failure" and doc["seed"] == 7 and doc["ticks"] == 600 and doc["won"] is True
    assert len(doc["objectives"]) >= 2
    assert [list(o) for o in doc["objectives"]] == [["type", "passed", "detail"]] * len(doc["objectives"])
    assert set(doc["availability"]) == {"shop"} and doc["availability"]["shop"] >= 97
    assert len(doc["stateHash"]) == 64


def test_simulate_idle_seed_and_script(capsys, tmp_path):
    assert cli.main(["simulate", "first-pod", "--json"]) == 0
    idle = json.loads(capsys.readouterr().out)
    assert idle["won"] is False and idle["stars"] == 0
    script = tmp_path / "s.yaml"
    script.write_text('- {at: 0, run: "kubectl scale deployment hello --replicas=3"}\n')
    assert cli.main(["simulate", "first-pod", "--script", str(script), "--seed", "9", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["won"] is True and doc["seed"] == 9


def test_simulate_bad_script(capsys, tmp_path):
    script = tmp_path / "s.yaml"
    script.write_text("- {at: 0, command: oops}\n")
    assert cli.main(["simulate", "first-pod", "--script", str(script)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{script}:1:3: error: a solution step lacks the required field \"run\"")
    assert err[1].startswith(f"{script}:1:11: error: unknown field \"[0].command\"")


def test_simulate_text(capsys):
    assert cli.main(["simulate", "rolling-update", "--solution"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "level rolling-update (seed 3): WON after 240 ticks"
    assert out[1].startswith("score ")
    assert out[-1].startswith("state: ")


def test_simulate_unknown_level(capsys):
    assert cli.main(["simulate", "no-such-level"]) == 2
    assert "no bundled level is named 'no-such-level'" in capsys.readouterr().err


def test_verify_bundled_levels(capsys):
    assert cli.main(["verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["LEVEL", "VALID", "IDLE", "LOSES", "SOLUTION", "WINS", "SCORE"]
    rows = [line.split() for line in out[1:-1]]
    assert sorted(r[0] for r in rows) == sorted(lv.name for lv in bundled_levels())
    assert all(r[1:4] == ["ok", "ok", "ok"] for r in rows)
    assert out[-1] == f"{len(rows)} of {len(rows)} level(s) verified"


def test_verify_fails_a_level_whose_solution_loses(capsys, tmp_path):
    bad = tmp_path / "lazy.yaml"
    bad.write_text(FIRST_POD.read_text().replace('run: "kubectl scale deployment hello --replicas=3"',
                                                 'run: "kubectl get pods"'))
    assert cli.main(["verify", str(bad), str(FIRST_POD)]) == 1
    out = capsys.readouterr().out
    assert "FAIL" in out and "the solution loses" in out
    assert out.splitlines()[-1] == "1 of 2 level(s) verified"


def test_shell_transcript():
    stdin = (TRANSCRIPTS / "first-pod.in").read_text()
    r = kubegame("shell", "first-pod", stdin=stdin)
    assert r.returncode == 0, r.stderr
    assert r.stdout == (TRANSCRIPTS / "first-pod.out").read_text()


def test_shell_record_and_replay(tmp_path):
    rec = tmp_path / "session.json"
    stdin = "tick 3\nkubectl scale deployment hello --replicas=3\ntick 30\nkubectl get pods\ntick 5\n"
    r = kubegame("shell", "first-pod", "--record", str(rec), stdin=stdin)
    assert r.returncode == 0, r.stderr
    data = json.loads(rec.read_text())
    assert data["level"] == "first-pod" and data["ticks"] == 38 and data["kubegame"] == __version__
    assert data["commands"] == [{"tick": 3, "run": "kubectl scale deployment hello --replicas=3"},
                                {"tick": 33, "run": "kubectl get pods"}]
    r = kubegame("replay", str(rec), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["stateHash"] == data["stateHash"] and doc["replayMatches"] is True
    assert doc["ticks"] == 38


def test_replay_refuses_a_changed_level(tmp_path, capsys):
    lv = tmp_path / "mine.yaml"
    lv.write_text(FIRST_POD.read_text())
    rec = tmp_path / "session.json"
    r = kubegame("shell", str(lv), "--record", str(rec), stdin="tick 5\n")
    assert r.returncode == 0, r.stderr
    assert cli.main(["replay", str(rec)]) == 0
    assert "replay: state matches the recording" in capsys.readouterr().out
    lv.write_text(FIRST_POD.read_text().replace("rps: 100", "rps: 101"))
    assert cli.main(["replay", str(rec)]) == 2
    err = capsys.readouterr().err
    assert "error: the level 'first-pod' has changed since this replay was recorded" in err


def test_replay_of_garbage(tmp_path, capsys):
    f = tmp_path / "x.json"
    f.write_text("[1, 2")
    assert cli.main(["replay", str(f)]) == 2
    assert "cannot read the replay" in capsys.readouterr().err


def test_export_writes_plain_manifests(tmp_path, capsys):
    out = tmp_path / "k8s"
    assert cli.main(["export", "node-failure", str(out)]) == 0
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["01-deployment-shop.yaml", "02-service-shop.yaml"]
    import yaml
    version = kubernetes_validate.latest_version()
    for f in files:
        text = f.read_text()
        assert "kubegame" not in text
        body = yaml.safe_load(text)
        assert kubernetes_validate.validate(body, version, strict=True)
    assert capsys.readouterr().out.splitlines() == [str(f) for f in files]


def test_play_without_the_tui_says_so(monkeypatch, capsys):
    import importlib
    real = importlib.import_module

    def fake(name, *a, **k):
        if name == "kubegame.tui.app":
            raise ModuleNotFoundError("No module named 'kubegame.tui.app'", name="kubegame.tui.app")
        return real(name, *a, **k)

    monkeypatch.setattr(importlib, "import_module", fake)
    assert cli.main(["play", "first-pod"]) == 1
    assert "kubegame shell first-pod" in capsys.readouterr().err


def test_play_hands_the_level_to_the_tui(monkeypatch):
    import importlib
    import types
    seen = {}
    app = types.SimpleNamespace(run=lambda level, seed, serve, host_files: seen.update(
        level=level.name, seed=seed, serve=serve, host_files=host_files) or 0)
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module",
                        lambda name, *a, **k: app if name == "kubegame.tui.app" else real(name, *a, **k))
    assert cli.main(["play", "node-failure", "--seed", "4"]) == 0
    assert seen == {"level": "node-failure", "seed": 4, "serve": False, "host_files": True}
    assert cli.main(["play", "node-failure", "--serve", "--no-host-files"]) == 0
    assert seen["serve"] is True and seen["host_files"] is False


# -- tools for authors (issue 13) ------------------------------------------------------------------

def test_simulate_transcript_prints_each_command_with_its_output_and_error(tmp_path, capsys):
    script = tmp_path / "try.yaml"
    script.write_text('- {at: 1, run: "kubectl scale deployment hello --replicas=3"}\n'
                      '- {at: 2, run: "kubectl get deploy hello --no-headers | wc -l"}\n'
                      '- {at: 3, run: "kubectl scale deployment nosuch --replicas=3"}\n')
    assert cli.main(["simulate", "first-pod", "--script", str(script), "--transcript"]) == 0
    out = capsys.readouterr().out
    assert "[tick 1] $ kubectl scale deployment hello --replicas=3\ndeployment.apps/hello scaled\n" in out
    assert "[tick 2] $ kubectl get deploy hello --no-headers | wc -l\n1\n" in out
    assert ('[tick 3] $ kubectl scale deployment nosuch --replicas=3\n'
            'Error from server (NotFound): deployments.apps "nosuch" not found\n[exit code 1]') in out
    assert cli.main(["simulate", "first-pod", "--script", str(script), "--transcript", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [t["exitCode"] for t in doc["transcript"]] == [0, 0, 1]
    assert doc["transcript"][0]["changed"] and not doc["transcript"][1]["changed"]
    assert doc["debrief"]["commands"] == 3 and doc["debrief"]["changes"] == 1


def test_verify_says_why_a_solution_loses(tmp_path, capsys):
    bad = tmp_path / "typo.yaml"
    bad.write_text(FIRST_POD.read_text().replace("--replicas=3\"}", "--replica=3\"}"))
    assert cli.main(["verify", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "at tick 1, `kubectl scale deployment hello --replica=3` failed (exit 1): error: unknown flag: --replica" in out
    assert ("objective not met: hello: every replica ready (at least 3) by tick 60 and hold: fewer than 3 ready "
            "by tick 60") in out


def test_fuzz_writes_the_winning_plays(tmp_path, capsys):
    from kubegame import fuzz
    from kubegame.level.model import Step
    level = find_level("first-pod")
    report = fuzz.FuzzReport(level.name, 0, 1)
    report.winning = [[Step(1, "kubectl scale deployment hello --replicas=3")]]
    paths = fuzz.write_winning(tmp_path / "fuzz-first-pod.yaml", report, level)
    assert paths == [str(tmp_path / "fuzz-first-pod-win-1.yaml")]
    assert cli.main(["simulate", "first-pod", "--script", paths[0], "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["won"]


def test_game_verbs_have_help():
    from kubegame.game import Game
    game = Game(find_level("node-failure"))
    for line in ("node add --help", "node remove -h", "etcd add-member --help", "node", "etcd"):
        res = game.submit(line)
        assert res.ok and "Usage:" in res.output and not res.changed, line
    assert game.cluster.store.count("Node") == 4 and game.changes == 0      # 3 workers, the control plane


def test_interview_plan_prints_the_seeds_incidents_and_tasks(capsys):
    from kubegame.interview.session import plan
    assert cli.main(["interview", "--seed", "7", "--plan", "--minutes", "20"]) == 0
    out = capsys.readouterr().out.splitlines()
    incidents = plan(7)
    assert out[0] == f"interview 7: {len(incidents)} incidents, 20 minutes"
    assert out[1] == (f"1. {incidents[0].title} ({incidents[0].template}, {incidents[0].level.duration} ticks): "
                      f"{incidents[0].task}")
    assert len(out) == 1 + len(incidents)
    assert not any(inc.options[inc.answer] in "\n".join(out) for inc in incidents)   # no answer given away


def test_interview_refuses_a_time_limit_that_is_not_one(capsys):
    assert cli.main(["interview", "--seed", "7", "--minutes", "0"]) == 2
    assert "--minutes must be more than 0" in capsys.readouterr().err
