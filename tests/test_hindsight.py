"""The debrief with hindsight (kubegame/debrief.py, kubegame/hindsight.py): time to detect, time
to mitigate, needless changes and the reference's cost, for scripted plays whose figures are
worked out by hand below, and the same in `simulate --json` and `replay --json`."""

from __future__ import annotations

import json

from kubegame import cli
from kubegame.debrief import play_debrief
from kubegame.game import Game
from kubegame.hindsight import hindsight
from kubegame.level.catalog import find_level
from kubegame.level.model import Step


def _debrief(level: str, steps: list[Step]) -> dict:
    game = Game(find_level(level))
    game.play_to_end(steps)
    return play_debrief(game, hindsight(game)).to_json()


def test_node_failure_detect_mitigate_and_two_needless_changes():
    # node-failure: worker-2 stops at tick 120 (levels/4-01-node-failure.yaml). The player looks at
    # 125 (detect: 5 ticks), labels a node at 128 (a change, but nothing selects on that label),
    # scales the shop at 130 (the change that saves the replicas objective: mitigate, 10 ticks)
    # and annotates the Deployment at 140 (metadata only: no pod changes).
    d = _debrief("node-failure", [Step(125, "kubectl get pods -o wide"),
                                  Step(128, "kubectl label node worker-2 team=blue"),
                                  Step(130, "kubectl scale deployment shop --replicas=6"),
                                  Step(140, "kubectl annotate deployment shop note=x")])
    (inc,) = d["incidents"]
    assert (inc["tick"], inc["reason"]) == (120, "NodeFailure")
    assert inc["timeToDetect"] == 5 and inc["firstLook"]["run"] == "kubectl get pods -o wide"
    assert inc["firstChange"]["tick"] == 128                       # the first change was not the fix ...
    assert inc["timeToMitigate"] == 10 and inc["mitigation"]["run"] == "kubectl scale deployment shop --replicas=6"
    assert inc["referenceActs"] == 3                               # ... the reference had acted before it
    assert [(n["tick"], n["run"]) for n in d["needlessChanges"]] == [
        (128, "kubectl label node worker-2 team=blue"), (140, "kubectl annotate deployment shop note=x")]
    assert all(n["scoreWithout"] == d["score"] for n in d["needlessChanges"])
    assert d["changes"] == 3 and d["changesAnalysed"] == 3
    ref = d["reference"]
    assert ref["steps"] == [2, 3] and ref["won"] is True and ref["score"] > d["score"]
    assert ref["costAgainstReference"] == round(d["cost"] - ref["cost"], 3)


def test_a_repeated_scale_is_needless_and_the_first_is_not():
    # first-pod: scaling hello to 3 at tick 1 wins the level; the same scale again at 50 changes no
    # number, so the play scores the same without it. No incident strikes in this level.
    d = _debrief("first-pod", [Step(1, "kubectl scale deployment hello --replicas=3"),
                               Step(50, "kubectl scale deployment hello --replicas=3")])
    assert d["incidents"] == []
    assert [(n["tick"], n["run"]) for n in d["needlessChanges"]] == [(50, "kubectl scale deployment hello --replicas=3")]
    assert d["changes"] == 2 and d["changesAnalysed"] == 2
    assert d["reference"]["score"] == d["score"]                  # the reference is that first scale


def test_a_play_that_never_acts_has_no_mitigation():
    # node-failure idle but for one look at 150: detected after 30 ticks, never mitigated
    d = _debrief("node-failure", [Step(150, "kubectl get nodes")])
    (inc,) = d["incidents"]
    assert inc["timeToDetect"] == 30 and inc["timeToMitigate"] is None and inc["mitigation"] is None
    assert d["needlessChanges"] == [] and d["changesAnalysed"] == 0


def test_the_same_debrief_from_simulate_and_replay_json(tmp_path, capsys):
    script = tmp_path / "play.yaml"
    script.write_text("- {at: 125, run: kubectl get pods -o wide}\n"
                      "- {at: 128, run: kubectl label node worker-2 team=blue}\n"
                      "- {at: 130, run: kubectl scale deployment shop --replicas=6}\n")
    assert cli.main(["simulate", "node-failure", "--script", str(script), "--json"]) == 0
    simulated = json.loads(capsys.readouterr().out)["debrief"]
    assert simulated["incidents"][0]["timeToDetect"] == 5 and simulated["incidents"][0]["timeToMitigate"] == 10
    assert [n["tick"] for n in simulated["needlessChanges"]] == [128]
    game = Game(find_level("node-failure"))
    game.play_to_end([Step(125, "kubectl get pods -o wide"), Step(128, "kubectl label node worker-2 team=blue"),
                      Step(130, "kubectl scale deployment shop --replicas=6")])
    path = tmp_path / "replay.json"
    path.write_text(json.dumps(game.replay()))
    assert cli.main(["replay", str(path), "--json"]) == 0
    replayed = json.loads(capsys.readouterr().out)["debrief"]
    assert replayed == simulated
