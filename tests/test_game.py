"""The play session: clock, commands, scenario, objectives, early loss, score, replay."""

from pathlib import Path

import pytest

from kubegame.game import Game, GameResult, TickReport, run_replay
from kubegame.level.catalog import find_level
from kubegame.level.loader import load_text
from kubegame.level.model import Step
from kubegame.level.objectives import AT_RISK, FAILED, MET

SMALL = """apiVersion: kubegame/v1
kind: Level
metadata: {name: small}
spec:
  title: Small
  briefing: A small cluster.
  duration: 100
  cluster:
    controlPlane:
      etcdMembers: [zone-a, zone-a, zone-b]
    nodes:
      - {name: a, count: 2, zone: zone-a, cpu: "2", memory: 4Gi}
      - {name: b, zone: zone-b, cpu: "2", memory: 4Gi}
    nodePool:
      max: 2
      bootTicks: 10
      template: {cpu: "2", memory: 4Gi, zone: zone-b}
  BUDGET
  images:
    - {name: "web:1.0", startupTicks: 2, capacityRps: 50}
  traffic:
    - {service: web, rps: 60}
  EVENTS
  objectives:
    OBJECTIVES
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1.0", resources: {requests: {cpu: 100m, memory: 64Mi}}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
"""


def small(objectives="- {type: availability, service: web, atLeast: 90}", events="events: []", budget="",
          **kw):
    text = SMALL.replace("OBJECTIVES", objectives).replace("EVENTS", events).replace("BUDGET", budget)
    return load_text(text, "small.yaml")


def test_game_starts_warm_with_the_initial_workloads_ready():
    g = Game(small())
    assert g.now == 0 and g.t0 > 0
    d = g.cluster.get("Deployment", "default", "web")
    assert d.status.get("readyReplicas") == 2
    assert g.cost == 0
    assert g.cluster.traffic.totals_by_service == {}


def test_step_reports_the_tick():
    g = Game(small())
    rep = g.step()
    assert isinstance(rep, TickReport)
    assert rep.tick == 1 and g.now == 1
    assert not rep.finished and rep.won is None
    assert rep.cost == 3                       # three nodes, cost 1 per node per tick
    assert rep.availability == {"web": 100.0}
    assert [o.status for o in rep.objectives] == [MET]
    assert 0 <= rep.score <= 1000


def test_level_ends_at_duration_and_is_won():
    g = Game(small())
    reps = g.run(1000)
    assert len(reps) == 100 and g.now == 100
    assert reps[-1].finished and g.finished and g.won is True
    res = g.result()
    assert isinstance(res, GameResult)
    assert res.won and res.ticks == 100 and res.stars >= 1
    assert res.objectives[0].passed is True
    assert g.step() is reps[-1]                # stepping a finished game changes nothing
    assert g.submit("kubectl get pods").exit_code == 1


def test_same_seed_same_state_hash_and_different_seed_differs():
    a, b, c = Game(small(), seed=5), Game(small(), seed=5), Game(small(), seed=6)
    for g in (a, b, c):
        g.run(30)
    assert a.cluster.state_hash() == b.cluster.state_hash()
    assert a.cluster.state_hash() != c.cluster.state_hash()


def test_game_verbs_node_add_and_remove():
    g = Game(small())
    r = g.submit("node add --count 2")
    assert r.ok, r.error
    assert r.output == ("node/pool-1 added in zone-b: Ready in about 10s\n"
                        "node/pool-2 added in zone-b: Ready in about 10s\n")
    assert g.view().pool_left == 0
    assert g.submit("node add").error == "error: the node pool allows 0 more node(s) (max 2)\n"
    assert {n.name: n.status for n in g.view().nodes}["pool-2"] == "Booting"
    g.run(12)
    assert {n.name: n.status for n in g.view().nodes}["pool-1"] == "Ready"
    r = g.submit("node remove pool-2")
    assert r.ok and r.output == "node/pool-2 removed\n"
    assert g.cluster.node("pool-2") is None
    assert g.submit("node remove nope").exit_code == 1
    assert g.submit("node add --zone zone-q").error.startswith("error: unknown zone 'zone-q'")
    assert g.changes == 2


def test_node_add_without_pool_is_refused():
    g = Game(find_level("first-pod"))
    r = g.submit("node add")
    assert r.exit_code == 1 and "no node pool" in r.error


def test_etcd_members_and_quorum():
    g = Game(small(objectives="- {type: quorum}"))
    cp = g.control_plane
    assert [m.zone for m in cp.members] == ["zone-a", "zone-a", "zone-b"] and cp.has_quorum
    r = g.submit("etcd add-member --zone zone-b")
    assert r.ok and "etcd-4" in r.output and cp.size == 4 and cp.quorum == 3
    assert g.submit("etcd remove-member etcd-4").ok and cp.size == 3
    assert g.submit("etcd remove-member etcd-9").exit_code == 1
    assert g.submit("etcd add-member").exit_code == 1


def test_zone_outage_loses_quorum_and_the_level():
    g = Game(small(objectives="- {type: quorum}",
                   events="events:\n    - {at: 5, type: EtcdMemberFailure, count: 2}"))
    reps = g.run(10)
    assert g.cluster.store.quorum is False
    assert g.finished and g.won is False
    assert reps[-1].tick == 6                  # lost at once, not at the end
    assert reps[-1].objectives[0].status == FAILED
    assert "quorum lost" in g.lost_reason
    assert any(e.reason == "EtcdMemberFailure" for r in reps for e in r.events)


def test_zone_outage_fails_nodes_and_recovers_them():
    g = Game(small(events="events:\n    - {at: 3, type: ZoneOutage, zone: zone-b, duration: 10}"))
    g.run(4)
    assert g.cluster.node("b").alive is False
    assert [m.healthy for m in g.control_plane.members] == [True, True, False]
    g.run(10)
    assert g.cluster.node("b").alive is True
    assert all(m.healthy for m in g.control_plane.members)


def test_node_failure_event_fires_at_its_tick():
    g = Game(find_level("node-failure"))
    g.run(120)
    assert g.cluster.node("worker-2").alive
    rep = g.step()
    assert not g.cluster.node("worker-2").alive
    assert rep.messages[0].reason == "NodeFailure" and rep.messages[0].tick == 120
    assert rep.events[0].source == "scenario"


def test_budget_exceeded_loses_at_once():
    g = Game(small(objectives="- {type: budget}", budget="budget: 30"))
    rep = g.step()
    assert rep.objectives[0].status == AT_RISK          # 3 per tick * 100 ticks > 30
    reps = g.run(20)
    assert g.finished and not g.won and reps[-1].tick == 11
    assert g.lost_reason == "over budget: spent 33 of 30"


def test_survive_window_broken_loses_at_once():
    g = Game(small(objectives="- {type: survive, service: web, atLeast: 90, window: 5}"))
    g.run(3)
    g.cluster.scale("Deployment", "default", "web", 0)
    reps = g.run(50)
    assert g.finished and not g.won
    assert reps[-1].tick < 20
    assert reps[-1].objectives[0].status == FAILED and reps[-1].objectives[0].final


def test_ready_replicas_objective_by_tick():
    g = Game(small(objectives="- {type: readyReplicas, kind: Deployment, name: web, atLeast: 3, byTick: 30}"))
    assert g.objective_states[0].status == AT_RISK
    g.cluster.scale("Deployment", "default", "web", 3)
    g.run(15)
    assert g.objective_states[0].status == MET and g.objective_states[0].passed
    assert g.objective_states[0].value == "3/3 ready"


def test_scale_via_kubectl_wins_first_pod():
    lv = find_level("first-pod")
    idle = Game(lv).play_to_end()
    assert not idle.won
    g = Game(lv)
    g.step()
    r = g.submit("kubectl scale deployment hello --replicas=3")
    assert r.ok and r.output == "deployment.apps/hello scaled\n" and r.changed
    assert g.submit("kubectl get pods").changed is False
    res = g.play_to_end()
    assert res.won and res.stars >= 1
    assert g.changes == 1


def test_unknown_command():
    g = Game(small())
    r = g.submit("rm -rf /")
    assert r.exit_code == 127 and r.error.startswith("rm: command not found")
    assert g.submit("   ").exit_code == 0


def test_replay_reproduces_the_state_hash():
    lv = find_level("node-failure")
    g = Game(lv)
    g.run(3)
    g.submit("kubectl scale deployment shop --replicas=4")
    g.submit("kubectl get pods")
    g.run(50)
    g.submit("node add")
    g.run(20)
    data = g.replay()
    assert data["level"] == "node-failure" and data["levelSha256"] == lv.sha256 and data["seed"] == 7
    assert [c["tick"] for c in data["commands"]] == [3, 3, 53]
    assert data["ticks"] == 73
    out = run_replay(lv, data)
    assert out.matches and out.result.state_hash == data["stateHash"]
    data["commands"][0]["run"] = "kubectl scale deployment shop --replicas=5"
    assert not run_replay(lv, data).matches


def test_solution_steps_run_at_their_ticks():
    lv = find_level("first-pod")
    g = Game(lv)
    g.queue([Step(3, "kubectl get pods")])
    g.run(3)
    assert g.commands == []
    g.step()
    assert g.commands == [{"tick": 3, "run": "kubectl get pods"}]


def test_view_for_the_ui():
    g = Game(find_level("node-failure"))
    g.run(125)
    v = g.view()
    assert v.tick == 125 and v.duration == 600 and v.budget == 2400 and v.cost == 375
    names = [n.name for n in v.nodes]
    assert names == ["worker-1", "worker-2", "worker-3", "control-plane"]    # the workers first
    dead = v.nodes[1]
    assert not dead.alive and dead.silent_for == 5
    assert all(p.state == "lost" for p in dead.pods)
    svc = v.services[0]
    assert svc.key == "shop" and svc.arrived == 150 and len(svc.history) == 120
    assert v.etcd == [{"name": "etcd-1", "zone": "zone-a", "up": True}] and v.quorum
    assert v.pool_left == 2


def test_hints_unlock_with_time():
    g = Game(find_level("node-failure"))
    assert g.hints() == ["kubectl get pods -o wide shows which node each pod runs on; kubectl get nodes shows "
                         "which node stopped reporting."]
    g.run(60)
    assert len(g.hints()) == 3                       # the "before the failure" hint comes before it
    assert g.next_hint().startswith("kubectl get pods -o wide")
    assert g.next_hint().startswith("kubectl describe pod")
    assert g.next_hint().startswith("Before the failure")


def test_an_etcd_member_may_sit_in_a_zone_without_workers():
    from kubegame.level.loader import load_level
    lv = load_level(Path(__file__).parent / "level" / "fixtures" / "etcd-control-plane-zones.yaml")
    assert lv.cluster.etcd_members == ["zone-a", "zone-b", "zone-c"]
    g = Game(lv)
    assert [m.zone for m in g.control_plane.members] == ["zone-a", "zone-b", "zone-c"]
    g.cluster.zone_outage("zone-b")                  # a control-plane-only zone goes dark
    assert g.quorum and all(n.alive for n in g.cluster.nodes() if n.zone != "zone-b")
    assert [n.name for n in g.cluster.nodes() if not n.alive] == ["control-plane-2"]   # its member's node
    g.cluster.zone_outage("zone-c")
    assert not g.quorum                              # one member of three left: no quorum


@pytest.mark.parametrize("name", ["first-pod", "node-failure", "rolling-update"])
def test_bundled_level_idle_loses_and_solution_wins(name):
    lv = find_level(name)
    assert not Game(lv).play_to_end().won
    res = Game(lv).play_to_end(lv.solution)
    assert res.won, res.lost_reason
    assert res.stars >= 2


JOB_AND_DS = """
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: "batch:1.0"}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: log-agent}
spec:
  selector: {matchLabels: {app: log}}
  template:
    metadata: {labels: {app: log}}
    spec:
      containers: [{name: a, image: "web:1.0", resources: {requests: {cpu: 10m, memory: 16Mi}}}]
"""


def test_job_and_daemonset_objectives():
    text = SMALL.replace("OBJECTIVES", "- {type: jobComplete, job: migrate, byTick: 60}\n"
                                       "    - {type: daemonSetCoverage, daemonSet: log-agent}").replace(
        "EVENTS", "events: []").replace("BUDGET", "").replace(
        '    - {name: "web:1.0", startupTicks: 2, capacityRps: 50}',
        '    - {name: "web:1.0", startupTicks: 2, capacityRps: 50}\n    - {name: "batch:1.0", runTicks: 20}')
    g = Game(load_text(text + JOB_AND_DS, "jobs.yaml"))
    assert g.cluster.get("Job", "default", "migrate") is not None    # created when the level clock starts
    states = {s.type: s for s in g.objective_states}
    assert states["jobComplete"].status == AT_RISK
    res = g.play_to_end()
    states = {s.type: s for s in res.objectives}
    assert states["jobComplete"].passed, states["jobComplete"].detail
    assert states["daemonSetCoverage"].passed and states["daemonSetCoverage"].value == "3/3 nodes"
    assert res.won


def test_daemonset_coverage_counts_a_tainted_node_the_agent_does_not_tolerate():
    # LEVEL_FORMAT: the agent must run "on every Ready node"; a missing toleration is no excuse
    text = SMALL.replace("OBJECTIVES", "- {type: daemonSetCoverage, daemonSet: log-agent}").replace(
        "EVENTS", "events: []").replace("BUDGET", "").replace(
        '      - {name: b, zone: zone-b, cpu: "2", memory: 4Gi}',
        '      - {name: b, zone: zone-b, cpu: "2", memory: 4Gi, taints: [{key: gpu, value: "yes", effect: NoSchedule}]}')
    assert "taints: [{key: gpu" in text
    daemonset_only = "\n---\n" + JOB_AND_DS.split("---\n")[2]
    g = Game(load_text(text + daemonset_only, "ds.yaml"))
    res = g.play_to_end()
    states = {s.type: s for s in res.objectives}
    assert not states["daemonSetCoverage"].passed
    assert states["daemonSetCoverage"].value == "2/3 nodes"
