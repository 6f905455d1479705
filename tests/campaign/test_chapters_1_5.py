"""Chapters 1-5 of the campaign: each level teaches, its reference solution earns three stars,
and one plausible wrong approach (named below) loses or earns at most one star."""

from __future__ import annotations

import pytest

from kubegame.game import Game
from kubegame.level.catalog import bundled_levels, find_level
from kubegame.level.model import Step

TOLERATE_10S = ("kubectl patch deployment shop -p '{\"spec\":{\"template\":{\"spec\":{\"tolerations\":["
                "{\"key\":\"node.kubernetes.io/unreachable\",\"operator\":\"Exists\",\"effect\":\"NoExecute\","
                "\"tolerationSeconds\":10}]}}}}'")

# level name -> (the wrong approach, in words; the commands that play it)
WRONG: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "first-pod": ("start extra Pods by hand with kubectl run instead of scaling the Deployment", [
        (1, "kubectl run hello-2 --image=hello:1.0"),
        (1, "kubectl run hello-3 --image=hello:1.0")]),
    "replica-counter": ("delete the load-test Pods by hand, then scale web", [
        (2, "kubectl delete pods -l app=load-test"),
        (3, "kubectl scale replicaset web --replicas=3")]),
    "heavy-image": ("keep the 1600 MB image; add nodes and scale when the campaign is announced", [
        (120, "node add --count 2"),
        (121, "kubectl scale deployment shop --replicas=8")]),
    "typo-tag": ("delete the failing Pods so that they retry the pull", [
        (3, "kubectl delete pods -l app=web"),
        (40, "kubectl delete pods -l app=web")]),
    "lost-selector": ("restart the Deployment, then scale it up", [
        (3, "kubectl rollout restart deployment catalog"),
        (20, "kubectl scale deployment catalog --replicas=6")]),
    "which-backend": ("scale the Deployment to 20 replicas to drown out the slow backend", [
        (3, "kubectl scale deployment shop --replicas=20")]),
    "node-failure": ("replace the dead machine: add a node after the failure and wait", [
        (125, "node add")]),
    "no-room": ("scale to 20 replicas without adding nodes", [
        (110, "kubectl scale deployment api --replicas=20")]),
    "zone-outage": ("scale to 12 replicas, still pinned to zone-a", [
        (3, "kubectl scale deployment shop --replicas=12")]),
    "rolling-update": ("set the image with the default strategy (25% surge, 25% unavailable)", [
        (31, "kubectl set image deployment/shop shop=shop:1.1")]),
    "bad-release": ("fix forward: keep the broken 2.1 rollout and wait for 2.2", [
        (2, "kubectl set image deployment/shop shop=shop:2.1"),
        (171, "kubectl set image deployment/shop shop=shop:2.2")]),
    "recreate": ("roll out both Deployments with the strategies they have", [
        (21, "kubectl set image deployment/api api=api:2"),
        (22, "kubectl set image deployment/indexer indexer=indexer:2")]),
}

# more wrong approaches, where brute force tempts twice
MORE_WRONG: dict[str, tuple[str, list[tuple[int, str]]]] = {
    "no-room": ("rent every node the pool allows at the start", [
        (2, "node add --count 4"),
        (3, "kubectl scale deployment api --replicas=12")]),
    "heavy-image": ("rent the nodes at the start, long before the campaign", [
        (2, "node add --count 2"),
        (3, "kubectl scale deployment shop --replicas=8")]),
    "node-failure": ("shorten the toleration but keep only three Pods, then rent a node", [
        (2, TOLERATE_10S),
        (125, "node add --count 2")]),
}

MINE = sorted(WRONG)


def chapter_1_to_5():
    return [lv for lv in bundled_levels() if lv.chapter is not None and 1 <= lv.chapter <= 5]


def play(name: str, commands: list[tuple[int, str]]):
    lv = find_level(name)
    return Game(lv).play_to_end([Step(at, run) for at, run in commands])


def test_chapters_1_to_5_have_at_least_ten_levels_and_each_has_a_wrong_approach():
    names = [lv.name for lv in chapter_1_to_5()]
    assert len(names) >= 10
    assert sorted(names) == MINE
    assert {lv.chapter for lv in chapter_1_to_5()} == {1, 2, 3, 4, 5}


@pytest.mark.parametrize("name", MINE)
def test_the_level_teaches_before_and_after_play(name):
    lv = find_level(name)
    assert len(lv.briefing.split()) >= 60, "the briefing explains the concept in plain words"
    assert lv.debrief and len(lv.debrief.split()) >= 40, "the debrief connects it to real clusters"
    assert len(lv.hints) >= 2
    assert len(lv.concepts) >= 3
    assert lv.solution


@pytest.mark.parametrize("name", MINE)
def test_idle_loses_and_the_reference_solution_earns_three_stars(name):
    lv = find_level(name)
    idle = Game(lv).play_to_end()
    assert not idle.won
    res = Game(lv).play_to_end(lv.solution)
    assert res.won, res.lost_reason
    assert res.stars == 3, f"score {res.score.total} < three-star threshold {lv.stars_three}"


@pytest.mark.parametrize("name", MINE)
def test_the_wrong_approach_loses_or_earns_at_most_one_star(name):
    what, commands = WRONG[name]
    res = play(name, commands)
    assert not res.won or res.stars <= 1, f"{name}: {what!r} won {res.stars} stars ({res.score.total})"


@pytest.mark.parametrize("name", sorted(MORE_WRONG))
def test_more_brute_force_loses_or_earns_at_most_one_star(name):
    what, commands = MORE_WRONG[name]
    res = play(name, commands)
    assert not res.won or res.stars <= 1, f"{name}: {what!r} won {res.stars} stars ({res.score.total})"


def test_the_wrong_approaches_really_act():
    """The scripted wrong approaches change the cluster: they lose by what they do, not by a typo."""
    for name, (_, commands) in {**WRONG, **MORE_WRONG}.items():
        g = Game(find_level(name))
        g.queue([Step(at, run) for at, run in commands])
        results = []
        while not g.finished and g.script:
            results += g.run_due()
            g.step()
        assert results and all(r.ok for r in results), (name, [(r.line, r.error) for r in results if not r.ok])
