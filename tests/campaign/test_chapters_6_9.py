"""Chapters 6-9 of the campaign: each level's reference solution earns three stars, doing
nothing loses, and plausible wrong approaches (named below) lose or earn at most one star."""

from __future__ import annotations

import pytest

from kubegame.engine.system import is_control_plane
from kubegame.game import Game
from kubegame.level.catalog import bundled_levels, find_level
from kubegame.level.model import Step

PIN_LEGACY = ("kubectl patch deployment billing -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":"
              "{\"pool\":\"legacy\"},\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\","
              "\"value\":\"legacy-kernel\",\"effect\":\"NoSchedule\"}]}}}}'")
PIN_KERNEL_LABEL_EARLY = ("kubectl patch deployment billing -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":"
                          "{\"feature.node.kubernetes.io/kernel-version.full\":\"6.1\"},\"tolerations\":[{\"key\":"
                          "\"dedicated\",\"operator\":\"Equal\",\"value\":\"legacy-kernel\",\"effect\":"
                          "\"NoSchedule\"}]}}}}'")
PIN_WITHOUT_TOLERATION = ("kubectl patch deployment billing -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":"
                          "{\"pool\":\"legacy\"}}}}}'")
BLOG_EXACT = ("kubectl patch ingress web --type=json -p '[{\"op\":\"add\",\"path\":\"/spec/rules/0/http/paths/-\","
              "\"value\":{\"path\":\"/blog\",\"pathType\":\"Exact\",\"backend\":{\"service\":{\"name\":\"blog\","
              "\"port\":{\"number\":80}}}}}]'")

# level name -> (the wrong approach, in words; the commands that play it)
WRONG: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "kernel-upgrade": ("scale to 20 replicas so that some survive the new kernel", [
        (5, "kubectl scale deployment billing --replicas=20")]),
    "launch-day": ("scale to 20 replicas by hand at the start, without new nodes", [
        (2, "kubectl scale deployment shop --replicas=20")]),
    "open-the-doors": ("scale the production shop up; the public Service still selects staging", [
        (3, "kubectl scale deployment shop --replicas=8")]),
    "one-address": ("scale the shop to absorb the blog's readers", [
        (3, "kubectl scale deployment shop --replicas=8")]),
    "agent-everywhere": ("add machines for the agents, leave the full nodes as they are", [
        (100, "node add --count 2"),
        (150, "kubectl scale deployment shop --replicas=9")]),
    "zone-bound": ("make room in the wrong zone (the pool's default), then drain", [
        (5, "node add"),
        (70, "kubectl drain db-host --ignore-daemonsets")]),
    "batch-deadline": ("run all six report chunks at once", [
        (3, "kubectl patch job quarterly-report -p '{\"spec\":{\"parallelism\":6}}'")]),
    "missing-config": ("restart the Deployment, then scale it up", [
        (3, "kubectl rollout restart deployment api"),
        (20, "kubectl scale deployment api --replicas=6")]),
    "maintenance-window": ("cordon the node and delete its pods by hand, past the PodDisruptionBudget", [
        (40, "kubectl cordon worker-1"),
        (40, "kubectl delete pods --field-selector spec.nodeName=worker-1")]),
    "quorum": ("add members in two more zones, but keep all three in zone-a", [
        (5, "etcd add-member --zone zone-b"),
        (6, "etcd add-member --zone zone-c")]),
    "black-friday": ("scale to 20 replicas and rent nodes, but leave etcd in zone-a", [
        (7, "kubectl scale deployment shop --replicas=20"),
        (60, "node add --zone zone-c --count 2")]),
}

# more wrong approaches where a half-understood lesson tempts
MORE_WRONG: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "kernel-upgrade": ("select on the kernel label before the upgrade: every worker still says 6.1", [
        (5, PIN_KERNEL_LABEL_EARLY)]),
    "kernel-upgrade#2": ("pin to the legacy node without tolerating its taint", [(5, PIN_WITHOUT_TOLERATION)]),
    "launch-day": ("rent every machine the pool allows at the start", [
        (2, "kubectl scale deployment shop --replicas=20"),
        (2, "node add --count 3")]),
    "one-address": ("route /blog with pathType Exact: /blog/launch-day does not match", [(3, BLOG_EXACT)]),
    "zone-bound": ("force-delete db-0 right after the node dies, before it is marked NotReady", [
        (5, "node add --zone zone-a"),
        (125, "kubectl delete pod db-0 --force --grace-period=0")]),
    "batch-deadline": ("double the parallelism only", [
        (3, "kubectl patch job quarterly-report -p '{\"spec\":{\"parallelism\":2}}'")]),
    "missing-config": ("create the ConfigMap, forget the Secret", [
        (3, "kubectl create configmap api-config --from-literal=LOG_LEVEL=info")]),
    "maintenance-window": ("drain without looking at the PodDisruptionBudget", [
        (40, "kubectl drain worker-1 --ignore-daemonsets")]),
    "quorum": ("add two more members in zone-a", [
        (5, "etcd add-member --zone zone-a"),
        (6, "etcd add-member --zone zone-a")]),
    "black-friday": ("fix etcd and autoscale, but rent no machines", [
        (5, "etcd add-member --zone zone-c"),
        (6, "etcd remove-member etcd-1"),
        (7, "kubectl autoscale deployment shop --cpu-percent=60 --min=8 --max=14")]),
}

MINE = [lv for lv in bundled_levels() if lv.chapter is not None and 6 <= lv.chapter <= 9]


def play(name: str, steps: list[tuple[int, str]]):
    level = find_level(name.split("#")[0])
    return Game(level).play_to_end([Step(at, run) for at, run in steps])


def test_chapters_6_to_9_have_the_levels_of_the_issue():
    names = [lv.name for lv in MINE]
    assert names == list(WRONG)
    assert sorted({lv.chapter for lv in MINE}) == [6, 7, 8, 9]
    for lv in MINE:
        assert lv.path.rsplit("/", 1)[-1].startswith(f"{lv.chapter}-")
        assert len(lv.hints) >= 2 and lv.debrief.strip() and lv.briefing.strip() and lv.concepts
        assert lv.solution


@pytest.mark.parametrize("level", MINE, ids=lambda lv: lv.name)
def test_the_reference_solution_earns_three_stars(level):
    res = Game(level).play_to_end(level.solution)
    assert res.won, res.lost_reason
    assert res.stars == 3, res.score


@pytest.mark.parametrize("level", MINE, ids=lambda lv: lv.name)
def test_doing_nothing_loses(level):
    assert not Game(level).play_to_end().won


@pytest.mark.parametrize("name", list(WRONG))
def test_a_plausible_wrong_approach_earns_at_most_one_star(name):
    _why, steps = WRONG[name]
    res = play(name, steps)
    assert not res.won or res.stars <= 1, (name, res.score)


@pytest.mark.parametrize("name", list(MORE_WRONG))
def test_more_wrong_approaches_earn_at_most_one_star(name):
    _why, steps = MORE_WRONG[name]
    res = play(name, steps)
    assert not res.won or res.stars <= 1, (name, res.score)


def test_kernel_upgrade_brute_force_leaves_nothing_ready():
    """20 replicas spread over the upgraded workers: every one crash-loops, none may use the legacy node."""
    game = Game(find_level("kernel-upgrade"))
    game.queue([Step(5, "kubectl scale deployment billing --replicas=20")])
    game.play_to_end(until=120)
    pods = [p for p in game.cluster.pods() if p.labels.get("app") == "billing"]
    assert len(pods) == 20
    assert not any(p.node_name == "legacy" for p in pods)
    assert not any(p.ready for p in pods)


def test_kernel_upgrade_solution_runs_billing_on_the_legacy_node_only():
    level = find_level("kernel-upgrade")
    game = Game(level)
    game.queue(list(level.solution))
    game.play_to_end(until=200)
    ready = [p for p in game.cluster.pods() if p.labels.get("app") == "billing" and p.ready]
    assert len(ready) == 4 and {p.node_name for p in ready} == {"legacy"}


def test_zone_bound_database_follows_its_disk_to_zone_a():
    level = find_level("zone-bound")
    game = Game(level)
    game.queue(list(level.solution))
    game.play_to_end(until=200)
    pod = game.cluster.get("Pod", "default", "db-0")
    assert pod is not None and pod.ready
    assert game.cluster.node(pod.node_name).zone == "zone-a" and pod.node_name != "db-host"


def test_agent_everywhere_covers_the_nodes_added_later():
    level = find_level("agent-everywhere")
    game = Game(level)
    res = game.play_to_end(list(level.solution))
    # the control-plane node's NoSchedule taint keeps a DaemonSet without the toleration off it
    nodes = [n.name for n in game.cluster.nodes() if not is_control_plane(n)]
    assert any(n.startswith("pool-") for n in nodes)
    agents = {p.node_name for p in game.cluster.pods() if p.labels.get("app") == "log-agent" and p.ready}
    assert agents == set(nodes)
    assert res.won
