"""`kubegame daily`: the day's chaos run, the same for everyone, and a result anyone can check.

The day's seed is its date (2026-12-03 plays seed 20261203), so everyone who plays that day
meets the same trouble at the same ticks. A run lasts at most `DAILY_TICKS` ticks; the score is
the ticks survived before the SLO broke (all of them for a run that held).

A result file holds the whole replay. `kubegame replay --verify FILE` plays it again in a fresh
game of that day and accepts it only when the file's seed is its date's, the commands reach the
state hash the file claims, and they score what it claims: an edited score, a command added or
removed, or another day's seed is rejected with the reason (docs/daily.md).
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kubegame.modes import ChaosGame
from kubegame.safeio import InputError, atomic_write, load_json, read_text

DAILY_TICKS = 1200        # a run's length at most: 20 minutes at one tick a second
FORMAT = 1
DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def check_date(date: str) -> str:
    """`date` when it is a real calendar day written YYYY-MM-DD; ValueError otherwise."""
    if not isinstance(date, str) or not DATE.match(date):
        raise ValueError(f"{date!r} is not a date: write it YYYY-MM-DD")
    datetime.date.fromisoformat(date)       # 2026-02-30 is refused here
    return date


def today() -> str:
    """Today in UTC: the same day for every player, wherever they are."""
    return datetime.datetime.now(datetime.UTC).date().isoformat()


def daily_seed(date: str) -> int:
    return int(check_date(date).replace("-", ""))


class DailyGame(ChaosGame):
    """The chaos arena on the day's seed, for DAILY_TICKS ticks at most."""

    def __init__(self, date: str) -> None:
        self.date = check_date(date)
        super().__init__(daily_seed(date), DAILY_TICKS)
        self.level = replace(self.level, title=f"Daily challenge {date}", briefing=(
            f"Today's challenge, the same for everyone on {date} (UTC): the chaos arena on the day's "
            f"seed, {DAILY_TICKS} ticks at most. Your result file can be checked by anyone with "
            f"kubegame replay --verify FILE.\n\n") + self.level.briefing)

    def again(self) -> DailyGame:
        return DailyGame(self.date)

    def result_doc(self) -> dict:
        """The result file's content: the claim (date, seed, score) and the replay that proves it."""
        return {"kubegameDaily": FORMAT, "date": self.date, "seed": self.seed, "ticks": DAILY_TICKS,
                "score": self.chaos_score(), "complete": bool(self.finished), "sloBroken": bool(self.finished
                                                                                                and not self.won),
                "replay": self.replay()}


def progress_key(date: str) -> str:
    return f"daily-{date}"


def save_result(game: DailyGame, home: Any = None, progress: Any = None) -> Path:
    """Write the run's result file under daily/ in the data directory (DATE-N.json, a new N each
    run) and keep the day's best in the progress file; returns the file's path."""
    from kubegame.progress import Progress, data_dir
    base = (Path(home) if home is not None else data_dir()) / "daily"
    n = 1
    while (base / f"{game.date}-{n}.json").exists():
        n += 1
    path = base / f"{game.date}-{n}.json"
    atomic_write(path, json.dumps(game.result_doc(), indent=2) + "\n")
    (progress or Progress(home)).record(progress_key(game.date), game.chaos_score(), 0, False, endless=True)
    return path


@dataclass
class Verdict:
    ok: bool
    message: str
    date: str = ""
    score: int = 0


def is_daily(data: Any) -> bool:
    return isinstance(data, dict) and "kubegameDaily" in data


def read_result(path: str) -> Any:
    """A replay, a daily result or an interview report, read with the replay's limits
    (kubegame/replayfile.py); a report nests its replays three levels down."""
    from kubegame import replayfile
    return load_json(read_text(path, replayfile.MAX_REPLAY_BYTES, "replay file"), path, max_depth=11)


def verify(data: Any, path: str) -> Verdict:
    """Play a daily result again and check every claim in it. InputError for a file that is not
    a daily result at all; a Verdict (ok or the reason it is not) otherwise."""
    from kubegame.game import run_replay
    from kubegame.replayfile import check_replay
    if not is_daily(data) or data.get("kubegameDaily") != FORMAT:
        raise InputError(path, 1, 1, "not a kubegame daily result", f'{{"kubegameDaily": {FORMAT}, "date": ..., ...}}')
    for key, kind in (("date", str), ("seed", int), ("score", int), ("replay", dict)):
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise InputError(path, 1, 1, f"`{key}` is missing or not a {kind.__name__}", "a daily result as "
                             "kubegame daily writes it")
    try:
        date = check_date(data["date"])
    except ValueError as exc:
        raise InputError(path, 1, 1, str(exc), "YYYY-MM-DD") from None
    replay = check_replay(data["replay"], path)
    seed = daily_seed(date)
    if data["seed"] != seed or replay.get("seed") != seed:
        wrong = data["seed"] if data["seed"] != seed else replay.get("seed")
        return Verdict(False, f"the seed {wrong} is not the seed of {date} ({seed}): a daily result is played "
                              "on its own day's seed", date)
    if int(replay.get("ticks", 0)) > DAILY_TICKS:
        return Verdict(False, f"the run claims {replay['ticks']} ticks; a daily run lasts {DAILY_TICKS} at most", date)
    game = DailyGame(date)
    outcome = run_replay(None, replay, game)
    if not outcome.matches:
        return Verdict(False, "its commands do not reach the state the file claims (a command was changed, "
                              "added or removed, or the state hash edited)", date)
    scored = game.chaos_score()
    for where, claimed in (("score", data["score"]), ("replay.score", replay.get("score", scored))):
        if claimed != scored:
            return Verdict(False, f"the file's {where} is {claimed}, but its commands score {scored}", date, scored)
    end = "the SLO broke" if game.finished and not game.won else (
        "the day's run held to the end" if game.finished else "the run was stopped early")
    return Verdict(True, f"verified: the daily challenge of {date}, score {scored} ({scored} of {DAILY_TICKS} "
                         f"ticks survived; {end})", date, scored)
