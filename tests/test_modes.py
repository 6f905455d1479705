"""Chaos and sandbox (kubegame/modes.py and the `chaos`, `simulate chaos`, `sandbox` verbs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubegame import cli, modes
from kubegame.engine.system import is_control_plane
from kubegame.game import Game
from kubegame.level.model import Step
from kubegame.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
# more nodes first, autoscaling once they are Ready (tick 73): scaled out earlier, the extra
# pods double up on the six workers, which saturate their CPU when demand grows
SENSIBLE = [
    Step(2, "node add --zone zone-b --count 3"),
    Step(3, "node add --zone zone-c --count 3"),
    Step(5, "kubectl set image deployment/shop shop=shop:1.1"),
    Step(90, "kubectl autoscale deployment shop --cpu-percent=60 --min=8 --max=24"),
]
SENSIBLE_YAML = "".join(f'- {{at: {s.at}, run: "{s.run}"}}\n' for s in SENSIBLE)


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("KUBEGAME_HOME", str(h))
    return h


def simulate_chaos(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "kubegame", "simulate", "chaos", *args], capture_output=True,
                          text=True, cwd=ROOT, env=e, timeout=120)


# -- chaos ------------------------------------------------------------------------------------

def test_same_seed_same_json_across_processes(tmp_path):
    script = tmp_path / "s.yaml"
    script.write_text(SENSIBLE_YAML)
    args = ("--seed", "5", "--ticks", "600", "--script", str(script), "--json")
    a = simulate_chaos(*args, env={"PYTHONHASHSEED": "1"})
    b = simulate_chaos(*args, env={"PYTHONHASHSEED": "2"})
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    doc = json.loads(a.stdout)
    assert doc["mode"] == "chaos" and doc["seed"] == 5 and doc["score"] == doc["survived"] <= 600
    assert len(doc["stateHash"]) == 64 and doc["trouble"]


def test_different_seeds_bring_different_trouble():
    a = [e.to_dict() for w in range(4) for e in modes.wave_plan(1, w)]
    b = [e.to_dict() for w in range(4) for e in modes.wave_plan(2, w)]
    assert a != b
    assert a == [e.to_dict() for w in range(4) for e in modes.wave_plan(1, w)]


@pytest.mark.parametrize("seed", [0, 1, 7, 42])
def test_difficulty_rises_from_wave_to_wave(seed):
    counts = [len(modes.wave_plan(seed, w)) for w in range(12)]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    early = sum(modes.wave_severity(seed, w) for w in range(3))
    late = sum(modes.wave_severity(seed, w) for w in range(9, 12))
    assert late > 2 * early
    kinds_early = {e.kind for e in modes.wave_plan(seed, 0)}
    assert kinds_early <= {"NodeFailure", "LoadSpike"}
    assert max(e.factor for w in range(8, 12) for e in modes.wave_plan(seed, w) if e.kind == "LoadSpike") > 3


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_doing_nothing_survives_less_than_a_sensible_script(seed):
    idle = modes.run_chaos(seed, 2000)
    sensible = modes.run_chaos(seed, 2000, list(SENSIBLE))
    assert idle.finished and not idle.won          # the SLO broke
    assert idle.chaos_score() < sensible.chaos_score()


def test_chaos_game_drives_like_a_level_game():
    game = modes.chaos_game(3)
    assert isinstance(game, Game) and game.level.name == "chaos"
    assert game.duration == modes.ENDLESS and game.wave == 0
    assert game.submit("kubectl get deployment shop").ok
    reports = game.run(modes.FIRST_WAVE + 1)
    assert game.wave == 1 and reports[-1].tick == modes.FIRST_WAVE + 1
    assert any(e.reason == "Message" and "wave 1" in e.message for r in reports for e in r.events)
    assert game.score().total == game.survived == modes.FIRST_WAVE + 1
    assert game.view().tick == game.now


def test_bad_release_and_kernel_upgrade_hit_the_cluster():
    seed = next(s for s in range(50) if {"BadRelease", "KernelUpgrade"} <= {e.kind for w in range(1, 4)
                                                                          for e in modes.wave_plan(s, w)})
    game = modes.chaos_game(seed)
    game.objectives = []                 # the SLO switched off: the waves go on whatever happens
    game.run(modes.wave_start(4))
    assert game.wave == 5 and not game.finished
    plan = [e for e in game.scenario.plan if e.at < game.now]
    kinds = [e.kind for e in plan]
    assert "BadRelease" in kinds and "KernelUpgrade" in kinds
    dep = game.cluster.get("Deployment", "default", "shop")
    assert [c["image"] for c in dep.spec["template"]["spec"]["containers"]] == [modes.BAD_IMAGE]
    upgraded = [n for e in plan if e.kind == "KernelUpgrade" for n in e.target.split(",")]
    assert upgraded and all(game.cluster.node(n).kernel == modes.NEW_KERNEL for n in upgraded)
    reasons = {e.reason for e in game.log}
    assert {"BadRelease", "KernelUpgrade"} <= reasons
    # the upgrade rebooted the machines: the containers there restarted on the new kernel
    assert any(p.restart_count > 0 for n in upgraded for p in game.cluster.store.pods_on(n).values())


def test_best_score_per_seed_is_saved(home):
    game = modes.run_chaos(4, 200, list(SENSIBLE))
    assert modes.record_chaos(game) is True
    assert modes.best_chaos(4) == game.chaos_score() > 0
    worse = modes.run_chaos(4, 50)
    assert modes.record_chaos(worse) is False
    assert modes.best_chaos(4) == game.chaos_score()
    assert modes.best_chaos(5) == 0
    assert Progress().best("chaos-4")["plays"] == 2


def test_simulate_chaos_text_and_errors(capsys, tmp_path):
    assert cli.main(["simulate", "chaos", "--seed", "2", "--ticks", "100"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("chaos seed 2: survived 100 ticks") and out[1].startswith("state: ")
    assert cli.main(["simulate", "chaos", "--solution"]) == 2
    assert "no reference solution" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {at: 0}\n")
    assert cli.main(["simulate", "chaos", "--script", str(bad)]) == 2


def test_chaos_console_records_the_best(home):
    r = subprocess.run([sys.executable, "-m", "kubegame", "chaos", "--seed", "9", "--console"],
                       input="tick 30\nkubectl get nodes\nquit\n", capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "KUBEGAME_HOME": str(home)}, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "worker-a-1" in r.stdout
    assert r.stdout.splitlines()[-1] == "chaos seed 9: 30 ticks survived, a new best (was 0)"
    assert Progress(home).best("chaos-9")["bestScore"] == 30


# -- sandbox ----------------------------------------------------------------------------------

MY_APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 3
  selector:
    matchLabels: {app: hello}
  template:
    metadata:
      labels: {app: hello}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          resources:
            requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  type: NodePort
  selector: {app: hello}
  ports:
    - port: 80
      targetPort: 80
"""


def test_sandbox_applies_a_file_from_a_directory(tmp_path, monkeypatch):
    (tmp_path / "my.yaml").write_text(MY_APP)
    monkeypatch.chdir(tmp_path)
    game = modes.sandbox_game()
    assert game.level.objectives == [] and game.level.traffic == [] and game.cluster.pods("default") == []
    res = game.submit("kubectl apply -f ./my.yaml")
    assert res.ok, res.error
    assert res.output == "deployment.apps/hello created\nservice/hello created\n"
    game.run(30)
    ready = [p for p in game.cluster.pods() if p.labels.get("app") == "hello" and p.ready]
    assert len(ready) == 3
    assert not game.finished
    svc = game.submit("kubectl get service hello").output
    assert "NodePort" in svc and "80:3" in svc


def test_sandbox_has_a_node_pool_and_three_zones():
    game = modes.sandbox_game()
    workers = [n for n in game.cluster.nodes() if not is_control_plane(n)]
    assert sorted(n.zone for n in workers) == ["zone-a", "zone-b", "zone-c"]
    assert game.submit("node add --zone zone-b --count 2").ok
    game.run(31)
    assert len([n for n in game.cluster.nodes() if n.is_ready and not is_control_plane(n)]) == 5
    assert not game.submit("kubectl apply -f ./does-not-exist.yaml").ok


def test_sandbox_console(tmp_path):
    (tmp_path / "my.yaml").write_text(MY_APP)
    r = subprocess.run([sys.executable, "-m", "kubegame", "sandbox", "--console"],
                       input="kubectl apply -f my.yaml\ntick 20\nkubectl get deployments\nquit\n",
                       capture_output=True, text=True, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "deployment.apps/hello created" in r.stdout
    assert "hello   3/3" in r.stdout
