"""Hindsight: what the play would have been without each change, and what the reference did.

The engine is deterministic, so a play can be run again exactly, minus one command: a change
whose removal leaves the result as good (the same win or loss, a score at least as high) made
no difference, and the debrief calls it needless. The level's reference solution, played on the
same seed, gives the line to compare with: its availability tick by tick, its cost and score.

    h = hindsight(game)                  # plays the reference, and the play once per change
    debrief = play_debrief(game, h)      # kubegame/debrief.py: detect / mitigate / needless / cost

Each run is a full headless play of the level, so the number of changes looked at is bounded
(MAX_CHANGES); the rest are reported as not analysed.
"""

from __future__ import annotations

from typing import Any

from kubegame.debrief import Hindsight, NeedlessChange, ReferenceRun

MAX_CHANGES = 12


def _outcome(result: Any) -> tuple[bool, int]:
    return bool(result.won), int(result.score.total)


def changing_commands(game: Any) -> list[int]:
    """Indexes into game.commands of the typed commands that changed the cluster (command_log
    holds each typed command's outcome, in the same order; Ctrl-C and outside API writes have
    no entry there)."""
    typed = [i for i, c in enumerate(game.commands) if "api" not in c and not c.get("interrupt")]
    return [i for i, rec in zip(typed, game.command_log) if rec.changed]


def reference_run(game: Any) -> ReferenceRun | None:
    """The level's reference solution on the same seed, played to its end (a play lost early is
    compared with the whole reference, as the player would have liked to play it)."""
    level = game.level
    if not level.solution or getattr(game, "endless", False):
        return None
    ref = game.again()
    ref.play_to_end(list(level.solution))
    res = ref.result()
    per_tick = [100.0 if arrived == 0 else 100.0 * served / arrived for arrived, served in ref.series]
    return ReferenceRun(score=res.score.total, won=bool(res.won), cost=float(ref.cost), availability=per_tick,
                        steps=[s.at for s in level.solution])


def hindsight(game: Any, max_changes: int = MAX_CHANGES) -> Hindsight:
    from kubegame.game import run_replay
    h = Hindsight(reference=reference_run(game))
    mine = _outcome(game.result())
    replay = game.replay()
    changes = changing_commands(game)
    h.changes_total = len(changes)
    for i in changes[:max_changes]:
        without = dict(replay, commands=[c for j, c in enumerate(game.commands) if j != i], ticks=game.now)
        outcome = run_replay(None, without, game.again())
        other = _outcome(outcome.result)
        h.changes_analysed += 1
        if other >= mine:
            c = game.commands[i]
            h.needless.append(NeedlessChange(int(c["tick"]), str(c["run"]), other[1]))
    return h
