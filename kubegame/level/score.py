"""The score: 0-1000 points and 0-3 stars.

    score = availability + objectives + thrift + calm            (rounded, 0..1000)

    availability = 400 * clamp((A - 0.90) / 0.10, 0, 1)
        A: served / arrived over all of the level's requests (1 when nothing arrived);
        90 % or less earns nothing, every request served earns all 400.
    objectives   = 400 * passed / total
        objectives that hold (live) or passed (at the end).
    thrift       = 150 * clamp((R - cost) / (R - B), 0, 1)
        B: what the initial nodes cost for the whole level (doing nothing extra);
        R: spec.budget, or 2 * B when the level has none. Spending B or less earns
        all 150; spending R or more earns nothing. (When R <= B: 150 if cost <= B.)
    calm         = 50 - 5 * max(0, changes - free), at least 0
        changes: the player's commands that changed the cluster (kubectl verbs that
        only read, and failed commands, do not count); free = max(3, 2 * the number
        of steps of the level's reference solution). Needless churn costs points.

Stars: 0 when the level is lost; when won, 1 star, 2 at `stars.two` (default 700)
and 3 at `stars.three` (default 900).
"""

from __future__ import annotations

from dataclasses import dataclass


def clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return max(lo, min(hi, x))


@dataclass
class ScoreCard:
    total: int
    availability: int
    objectives: int
    thrift: int
    calm: int
    stars: int

    def to_dict(self) -> dict:
        return {"total": self.total, "availability": self.availability, "objectives": self.objectives,
                "thrift": self.thrift, "calm": self.calm, "stars": self.stars}


def compute(*, arrived: int, served: int, passed: int, total_objectives: int, cost: float, base_cost: float,
            budget: float | None, changes: int, solution_steps: int, won: bool | None,
            two: int = 700, three: int = 900) -> ScoreCard:
    a = 1.0 if arrived == 0 else served / arrived
    avail = 400 * clamp((a - 0.90) / 0.10)
    objs = 400 * (passed / total_objectives if total_objectives else 1.0)
    ref = budget if budget is not None else 2 * base_cost
    if ref <= base_cost:
        thrift = 150.0 if cost <= base_cost else 0.0
    else:
        thrift = 150 * clamp((ref - cost) / (ref - base_cost))
    free = max(3, 2 * solution_steps)
    calm = max(0.0, 50 - 5 * max(0, changes - free))
    parts = [round(avail), round(objs), round(thrift), round(calm)]
    total = int(clamp(sum(parts), 0, 1000))
    stars = 0
    if won:
        stars = 3 if total >= three else 2 if total >= two else 1
    return ScoreCard(total, parts[0], parts[1], parts[2], parts[3], stars)
