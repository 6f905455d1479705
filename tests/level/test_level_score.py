"""The score formula (kubegame/level/score.py); quorum itself is tested in tests/engine/test_controlplane.py."""

from kubegame.level.score import compute


def card(**kw):
    args = dict(arrived=1000, served=1000, passed=2, total_objectives=2, cost=1800, base_cost=1800, budget=2400,
                changes=2, solution_steps=2, won=True)
    args.update(kw)
    return compute(**args)


def test_perfect_play_scores_1000_and_three_stars():
    c = card()
    assert (c.availability, c.objectives, c.thrift, c.calm, c.total, c.stars) == (400, 400, 150, 50, 1000, 3)


def test_availability_points_from_90_to_100_percent():
    assert card(served=900).availability == 0
    assert card(served=950).availability == 200
    assert card(served=500).availability == 0
    assert card(arrived=0, served=0).availability == 400


def test_objectives_points():
    assert card(passed=1).objectives == 200
    assert card(passed=0, total_objectives=0).objectives == 400


def test_money_costs_points():
    assert card(cost=2100).thrift == 75           # halfway from base 1800 to budget 2400
    assert card(cost=2400).thrift == 0
    assert card(cost=5000, budget=None, base_cost=1800).thrift == 0   # no budget: reference is 2 * base
    assert card(cost=2700, budget=None).thrift == 75
    assert card(cost=1900, budget=500, base_cost=1800).thrift == 0    # budget below base: all or nothing
    assert card(cost=1700, budget=500, base_cost=1800).thrift == 150


def test_churn_costs_points():
    assert card(changes=4).calm == 50             # free: max(3, 2 * 2 solution steps) = 4
    assert card(changes=6).calm == 40
    assert card(changes=100).calm == 0


def test_stars():
    assert card(served=950).stars == 2            # 800
    assert card(served=900, cost=2400).stars == 1  # 450
    assert card(won=False).stars == 0
    assert card(won=None).stars == 0
    assert card(served=975, two=500, three=950).stars == 2
