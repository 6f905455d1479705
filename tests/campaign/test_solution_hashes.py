"""Optimisations never change the simulation: every bundled level, idle and played with its own
solution, goes through the same states as when the hashes were recorded (issue 23).

The state hash is taken every 25 ticks and at the end; `KUBEGAME_UPDATE_GOLDEN=1` records them
again, only for a change that is meant to change behaviour (say why in the commit).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kubegame.game import Game
from kubegame.level.catalog import bundled_paths
from kubegame.level.loader import load_level

GOLDEN = Path(__file__).with_name("solution_hashes.json")
EVERY = 25


def trajectory(path: Path, solved: bool) -> list[str]:
    level = load_level(path, require_solution=True)
    game = Game(level)
    if solved:
        game.queue(level.solution)
    hashes = []
    while not game.finished and game.now < level.duration:
        game.step()
        if game.now % EVERY == 0:
            hashes.append(f"{game.now}:{game.cluster.state_hash()}")
    game.run_due()
    hashes.append(f"end {game.now}:{game.cluster.state_hash()}")
    return hashes


def _recorded() -> dict:
    return json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_states_are_unchanged(path: Path) -> None:
    got = {"idle": trajectory(path, False), "solution": trajectory(path, True)}
    if os.environ.get("KUBEGAME_UPDATE_GOLDEN"):
        data = _recorded()
        data[path.stem] = got
        GOLDEN.write_text(json.dumps(dict(sorted(data.items())), indent=1) + "\n")
        return
    want = _recorded().get(path.stem)
    assert want is not None, f"no recorded hashes for {path.stem}: run with KUBEGAME_UPDATE_GOLDEN=1"
    for run in ("idle", "solution"):
        first = next((i for i, (a, b) in enumerate(zip(got[run], want[run])) if a != b), None)
        assert first is None and len(got[run]) == len(want[run]), (
            f"{path.stem} ({run}) diverged at {got[run][first] if first is not None else 'the end'}")
