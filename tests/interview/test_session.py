"""Interview sessions (kubegame/interview/session.py): the grade per objective by weight, the
root-cause answer, the wall clock, the report's detect/mitigate/needless facts for scripted plays,
the concepts to practise, and the report file that `kubegame replay --verify` checks."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest

from kubegame.interview import files
from kubegame.interview.session import (
    OBJECTIVE_POINTS,
    PASS_PERCENT,
    QUESTION_POINTS,
    Interview,
    practise,
)
from kubegame.interview.templates import load_pool

TEMPLATES = {t.name: t for t in load_pool()}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def incident(name: str, **values):
    t = TEMPLATES[name]
    v = t.variants()[0] | values
    return t.instantiate(random.Random(0), v)


def interview_of(*incs, minutes: float = 30, clock=None) -> Interview:
    iv = Interview(1, minutes, clock=clock or Clock())
    iv.incidents = list(incs)
    return iv


def test_objectives_share_the_credit_by_weight_and_the_answer_adds_its_points():
    inc = incident("zone-outage", app="shop", zone="zone-a")      # weights 2 (3 ready, hold) and 1 (availability)
    iv = interview_of(inc)
    iv.start()
    game = iv.game(0)
    # removing the pin at once: the zone's nodes still look Ready, so the new pods land there too;
    # the replicas are short at tick 120 (objective 1 fails) but the shop serves > 60% (objective 2 holds)
    game.submit("kubectl patch deployment shop --type=json -p '[{\"op\": \"remove\", \"path\": "
                "\"/spec/template/spec/nodeSelector\"}]'")
    r = iv.grade(game, "handed in")
    assert [o.passed for o in r.objectives] == [False, True]
    assert [o.weight for o in r.objectives] == [2, 1]
    assert r.objective_points == round(OBJECTIVE_POINTS * 1 / 3, 1) == 26.7
    wrong = next(i for i in range(4) if i != inc.answer)
    iv.answer(wrong)
    assert not r.correct and r.points == 26.7
    iv.answer(inc.answer)
    assert r.correct and r.points == 26.7 + QUESTION_POINTS
    with pytest.raises(ValueError):
        iv.answer(4)


def test_handing_in_runs_the_clock_out_so_an_early_hand_in_gains_nothing():
    inc = incident("node-failure")          # the node dies at tick 1; the replicas are judged from tick 100
    iv = interview_of(inc)
    game = iv.game(0)
    game.step()
    game.step()
    assert game.objective_states[0].status == "met"      # it still looks fine at tick 2 ...
    r = iv.grade(game, "handed in")
    assert game.finished and r.ticks == game.now >= 100      # played on to the final failure
    # ... not when judged: the replicas dropped at tick 100 (a final failure that ends the incident);
    # the availability up to then still passes
    assert [o.passed for o in r.objectives] == [False, True] and r.objective_points == 26.7


def test_the_wall_clock_ends_the_interview_and_the_incidents_not_reached_score_zero():
    clock = Clock()
    a, b = incident("wrong-selector"), incident("oomkilled")
    iv = interview_of(a, b, minutes=2, clock=clock)
    assert iv.remaining() == 120 and not iv.time_up
    iv.start()
    game = iv.game(0)
    game.queue(list(a.level.solution))
    clock.now += 90
    r = iv.grade(game)
    assert r.seconds == 90 and r.objective_points == OBJECTIVE_POINTS
    iv.answer(a.answer)
    assert iv.next_index == 1 and iv.remaining() == 30
    clock.now += 31
    assert iv.time_up and iv.next_index is None
    iv.finish()
    report = iv.report()
    assert [x.ended for x in report.results] == ["finished", "not reached"]
    assert report.points == 100 and report.total == 200 and report.percent == 50.0
    assert not report.passed and PASS_PERCENT == 66


def test_the_report_tells_first_diagnostic_mitigation_and_needless_changes_as_counted_by_hand():
    inc = incident("crashing-release", app="shop", bad="2.1")
    iv = interview_of(inc)
    iv.start()
    game = iv.game(0)
    for tick, line in [(2, "kubectl get pods"),                                   # the first look
                       (4, "kubectl describe deployment nope"),                    # fails: not a look
                       (6, "kubectl label deployment shop team=checkout"),         # a change that does nothing
                       (9, "kubectl set image deployment/shop shop=shop:2.0"),     # the fix
                       (30, "kubectl annotate service shop owner=me")]:            # another needless one
        while game.now < tick:
            game.step()
        game.submit(line)
    r = iv.grade(game)
    iv.answer(inc.answer)
    iv.analyse()
    assert r.first_look == (2, "kubectl get pods")
    assert r.failed == [(4, "kubectl describe deployment nope")]
    assert r.first_change == (6, "kubectl label deployment shop team=checkout")
    assert r.mitigation == (9, "kubectl set image deployment/shop shop=shop:2.0")
    assert r.needless == [(6, "kubectl label deployment shop team=checkout"),
                          (30, "kubectl annotate service shop owner=me")]
    assert r.reference_acts == 5 and r.points == 100
    doc = r.to_json()
    assert (doc["timeToFirstDiagnostic"], doc["timeToMitigation"], doc["referenceMitigation"]) == (2, 9, 5)
    assert [c["tick"] for c in doc["needlessChanges"]] == [6, 30]
    text = "\n".join(iv.report().lines())
    assert "first diagnostic at tick 2 (kubectl get pods), mitigated at tick 9" in text
    assert "2 change(s) made no difference" in text


def test_the_concepts_to_practise_are_those_of_the_points_lost_most_first():
    inc_a, inc_b = incident("oomkilled"), incident("wrong-selector")
    iv = interview_of(inc_a, inc_b)
    ga = iv.game(0)
    ra = iv.grade(ga)                     # nothing done: 0 points, all 100 lost
    iv.answer(inc_a.answer)               # ... but the question right: 80 lost
    gb = iv.game(1)
    gb.queue(list(inc_b.level.solution))
    iv.grade(gb)
    iv.answer(None)                       # solved, question skipped: 20 lost
    assert ra.points == QUESTION_POINTS
    campaign = [{"name": "limits-level", "concepts": ["Limits"]}, {"name": "svc-level", "concepts": ["Service"]}]
    got = practise(iv.results, campaign, most=10)
    lost = {p["concept"]: p["pointsLost"] for p in got}
    for c in inc_a.level.concepts:
        assert lost[c] == 80
    for c in inc_b.level.concepts:
        assert lost[c] == 20
    assert got[0]["pointsLost"] == 80 and got[-1]["pointsLost"] == 20
    assert {p["concept"]: p["levels"] for p in got}["Limits"] == ["limits-level"]


def played_report(tmp_path) -> tuple[dict, str]:
    iv = Interview(5, 30, clock=Clock())
    iv.start()
    for i in range(3):
        game = iv.game(i)
        if i != 1:
            game.queue(list(game.level.solution))
        game.submit("kubectl get pods -A")
        iv.grade(game)
        iv.answer(iv.incidents[i].answer if i != 2 else (iv.incidents[i].answer + 1) % 4)
    iv.finish()
    iv.analyse()
    path = files.save_report(iv.report(), tmp_path)
    return json.loads(path.read_text()), str(path)


def test_an_honest_report_verifies_in_another_process_and_an_edited_one_does_not(tmp_path):
    data, path = played_report(tmp_path)
    assert data["points"] == 100 + 20 + 80 and data["results"][3]["ended"] == "not reached"
    out = subprocess.run([sys.executable, "-m", "kubegame", "replay", "--verify", path],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"verified: interview 5, 200 of {data['total']} points")

    def tampered(change) -> tuple[bool, str]:
        doc = json.loads(json.dumps(data))
        change(doc)
        return files.verify(doc, "x.json")

    def more_points(d):
        d["points"] += 20
    ok, why = tampered(more_points)
    assert not ok and "the report's points is 220" in why

    def right_answer(d):                 # the answer changed, the points it claims left as they were
        d["results"][2]["answer"] = d["results"][2]["rootCause"]
    ok, why = tampered(right_answer)
    assert not ok and "incident 3: the report claims 80.0 points; it scores 100" in why

    def no_command(d):                   # the fix taken out (a read taken out changes nothing: it verifies)
        cmds = d["results"][0]["replay"]["commands"]
        d["results"][0]["replay"]["commands"] = [c for c in cmds if "get pods" in c["run"]]
        assert len(d["results"][0]["replay"]["commands"]) < len(cmds)
    ok, why = tampered(no_command)
    assert not ok and "incident 1: its commands do not reach the state" in why

    def other_seed(d):
        d["seed"] = 6
    ok, why = tampered(other_seed)
    assert not ok and "interview 6 has 6" in why

    def another_interviews_seed(d):
        d["seed"] = 9
    ok, why = tampered(another_interviews_seed)
    assert not ok and "incident 1 is not the one interview 9 plans there" in why

    def other_incident_seed(d):
        d["results"][0]["replay"]["seed"] += 1
    ok, why = tampered(other_incident_seed)
    assert not ok and "not its own" in why
    assert files.verify(json.loads(json.dumps(data)), "x.json")[0]


def test_a_file_that_is_no_report_is_an_input_error_not_a_crash():
    from kubegame.safeio import InputError
    with pytest.raises(InputError):
        files.verify({"kubegameInterview": 1, "seed": "x", "results": []}, "r.json")
    with pytest.raises(InputError):
        files.verify({"kubegameInterview": 1, "seed": 3, "results": [7]}, "r.json")
    assert files.verify({"kubegameInterview": 1, "seed": 3, "results": [], "points": 0, "percent": 0.0,
                         "passed": False}, "r.json")[0]
