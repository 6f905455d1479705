"""Commands that keep running, in the play session (kubegame/game.py): the shell, `simulate` and
solutions block on them and the clock advances (saying so); the game screen gets each tick's
lines in the TickReport; Ctrl-C (`Game.interrupt`) and a new command stop them, and a replay
stops them at the same ticks."""

from __future__ import annotations

import io

from test_game import small

from kubegame.cli import run_shell
from kubegame.game import INTERRUPTED, Game, run_replay
from kubegame.level.model import Step


def test_a_blocking_command_advances_the_clock_and_says_so():
    g = Game(small())
    start = g.now
    g.submit("kubectl scale deploy web --replicas=3")
    r = g.submit("kubectl rollout status deploy/web", block=True)
    assert not r.running and r.exit_code == 0
    assert r.output.splitlines()[-1] == 'deployment "web" successfully rolled out'
    assert g.now > start
    assert r.note == f"kubegame: the clock advanced {g.now - start} ticks (tick {start} to {g.now}) while the " \
                     "command ran\n"


def test_a_script_waits_for_a_running_command():
    g = Game(small())
    g.queue([Step(1, "kubectl scale deploy web --replicas=4"), Step(2, "kubectl wait --for=jsonpath="
                                                                      "{.status.readyReplicas}=4 deploy/web"),
             Step(3, "kubectl get deploy web")])
    g.run(40)
    waited, after = g.script_results[1], g.script_results[2]
    assert waited.output == "deployment.apps/web condition met\n"
    assert after.tick > 3 and " 4/4 " in after.output        # it ran when the wait returned


def test_a_running_command_streams_into_the_tick_reports_until_it_returns():
    g = Game(small())
    g.submit("kubectl scale deploy web --replicas=4")
    r = g.submit("kubectl wait --for=jsonpath={.status.readyReplicas}=4 deploy/web --timeout=60s")
    assert r.running and g.active is r
    seen = ""
    while r.running:
        rep = g.step()
        assert rep.stream is r
        seen += rep.stream_output
    assert seen == "deployment.apps/web condition met\n" and r.exit_code == 0 and g.active is None


def test_ctrl_c_and_a_new_command_stop_it_and_a_replay_stops_it_too():
    g = Game(small())
    r = g.submit("kubectl get pods -w")
    g.run(3)
    assert r.running
    stopped = g.interrupt()
    assert stopped is r and r.exit_code == INTERRUPTED and not r.running
    assert g.commands[-1] == {"tick": g.now, "run": "kubectl get pods -w", "interrupt": True}
    w = g.submit("kubectl get pods -w")
    g.run(2)
    g.submit("kubectl get deploy")                 # a new line stops the watch, as Ctrl-C would
    assert g.active is None and w.exit_code == INTERRUPTED
    g.run(5)
    out = run_replay(small(), g.replay())
    assert out.matches


def test_a_watch_piped_into_grep_filters_each_tick():
    g = Game(small())
    r = g.submit("kubectl get pods -w | grep web")
    assert r.running and r.filter is not None
    assert all("web" in ln for ln in r.output.splitlines())
    g.cluster.scale("Deployment", "default", "web", 3)
    got = ""
    for _ in range(5):
        got += g.step().stream_output
    assert got and all("web" in ln for ln in got.splitlines())
    counted = g.submit("kubectl get pods -w --request-timeout=3s | wc -l")
    assert counted.running and counted.output == ""            # wc waits for the end of its input
    while counted.running:
        g.step()
    assert int(counted.output.strip()) >= 3


def test_a_command_that_never_returns_is_stopped_in_a_script():
    g = Game(small())
    r = g.submit("kubectl get pods -w", block=True)
    assert not r.running and r.exit_code == INTERRUPTED
    assert "never returns on its own" in r.note and "--request-timeout" in r.note
    chained = g.submit("kubectl get pods -w && kubectl get deploy")
    assert "never returns on its own" in chained.note


def test_the_shell_prints_as_the_clock_advances():
    g = Game(small())
    out = io.StringIO()
    run_shell(g, io.StringIO("kubectl scale deploy web --replicas=3\nkubectl rollout status deploy/web\n"
                             "kubectl get pods -w\nkubectl wait --for=condition=Available=false deploy/web "
                             "--timeout=2s\n"), out, echo=True)
    text = out.getvalue()
    assert 'deployment "web" successfully rolled out\nkubegame: the clock advanced' in text
    assert "never returns on its own" in text
    last = text.splitlines()[-2:]
    assert last[0] == "error: timed out waiting for the condition on deployments/web"
    assert last[1].startswith("kubegame: the clock advanced 2 ticks ") and last[1].endswith("; exit code 1")


def test_a_blocking_line_hands_its_ticks_to_the_screen():
    """`kubectl wait ... && kubectl get deploy` blocks inside one submit(): the ticks it ran are kept
    as TickReports for the screen to show (their events, the timeline), and taken once."""
    g = Game(small())
    start = g.now
    r = g.submit("kubectl scale deploy web --replicas=4 && kubectl wait --for=jsonpath={.status.readyReplicas}=4 "
                 "deploy/web --timeout=60s && kubectl get deploy web")
    assert " 4/4 " in r.output and "the clock advanced" in r.note
    reports = g.take_blocked_reports()
    assert [rep.tick for rep in reports] == list(range(start + 1, g.now + 1))
    assert any(e.reason == "ScalingReplicaSet" for rep in reports for e in rep.events)
    assert g.take_blocked_reports() == []
