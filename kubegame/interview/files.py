"""Interview report files: written after each interview, and checked by `kubegame replay --verify`.

A report (`interviews/SEED-N.json` in the data directory) holds the claim (the points, the
percentage) and, for every incident played, its replay and the answer given. Verifying plans
the interview again from its seed, so the incidents, their parameters and the right answers are
the seed's, plays each replay again (its state hash must match), and grades it again: a report
with an edited score, answer, command or seed is rejected with the reason (docs/interview.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kubegame.interview.session import FORMAT, IncidentGame, Interview, InterviewReport
from kubegame.safeio import InputError, atomic_write


def progress_key(seed: int) -> str:
    return f"interview-{seed}"


def save_report(report: InterviewReport, home: Any = None, progress: Any = None) -> Path:
    """Write the report under interviews/ (SEED-N.json, a new N each time) and keep the seed's
    best percentage in the progress file; returns the path."""
    from kubegame.progress import Progress, data_dir
    base = (Path(home) if home is not None else data_dir()) / "interviews"
    seed = report.interview.seed
    n = 1
    while (base / f"{seed}-{n}.json").exists():
        n += 1
    path = base / f"{seed}-{n}.json"
    atomic_write(path, json.dumps(report.to_json(), indent=2) + "\n")
    (progress or Progress(home)).record(progress_key(seed), int(round(report.percent)), 0, report.passed,
                                        endless=True)
    return path


def is_report(data: Any) -> bool:
    return isinstance(data, dict) and "kubegameInterview" in data


def _field(data: dict, key: str, kind: type, path: str, where: str = "") -> Any:
    v = data.get(key)
    if not isinstance(v, kind) or isinstance(v, bool) and kind is not bool:
        raise InputError(path, 1, 1, f"`{where}{key}` is missing or not a {kind.__name__}",
                         "an interview report as kubegame interview writes it")
    return v


def verify(data: Any, path: str) -> tuple[bool, str]:
    """(ok, message) for an interview report; InputError for a file that is not one."""
    from kubegame.game import run_replay
    from kubegame.replayfile import check_replay
    if not is_report(data) or data.get("kubegameInterview") != FORMAT:
        raise InputError(path, 1, 1, "not a kubegame interview report", f'{{"kubegameInterview": {FORMAT}, ...}}')
    seed = _field(data, "seed", int, path)
    results = _field(data, "results", list, path)
    minutes = data.get("minutes", 30)
    iv = Interview(seed, minutes if isinstance(minutes, (int, float)) and minutes > 0 else 30)
    if len(results) > len(iv.incidents):
        return False, f"the report lists {len(results)} incidents; interview {seed} has {len(iv.incidents)}"
    for i, claimed in enumerate(results):
        if not isinstance(claimed, dict):
            raise InputError(path, 1, 1, f"results[{i}] is not a mapping", "one mapping per incident")
        inc = iv.incidents[i]
        if claimed.get("template") != inc.template or claimed.get("params") != inc.params:
            return False, (f"incident {i + 1} is not the one interview {seed} plans there "
                           f"({inc.template} {inc.params})")
        if claimed.get("ended") == "not reached":
            iv.finish()
            break
        replay = check_replay(_field(claimed, "replay", dict, path, f"results[{i}]."), path)
        if replay.get("seed") != inc.level.seed:
            return False, f"incident {i + 1} was played on seed {replay.get('seed')}, not its own ({inc.level.seed})"
        game = IncidentGame(inc, i + 1, len(iv.incidents), iv)
        outcome = run_replay(None, replay, game)
        if not outcome.matches:
            return False, (f"incident {i + 1}: its commands do not reach the state the report claims (a "
                           "command was changed, added or removed, or the state hash edited)")
        r = iv.grade(game, str(claimed.get("ended", "finished")))
        answer = claimed.get("answer")
        if answer is not None and (not isinstance(answer, int) or isinstance(answer, bool)
                                   or not 0 <= answer < len(inc.options)):
            return False, f"incident {i + 1}: the answer {answer!r} is not one of its options"
        iv.answer(answer)
        if claimed.get("points") != r.points:
            return False, f"incident {i + 1}: the report claims {claimed.get('points')} points; it scores {r.points:g}"
    else:
        iv.finish()
    report = iv.report()
    for key, value in (("points", report.points), ("percent", report.percent), ("passed", report.passed)):
        if data.get(key) != value:
            return False, f"the report's {key} is {data.get(key)!r}, but its incidents score {value!r}"
    return True, (f"verified: interview {seed}, {report.points:g} of {report.total} points, {report.percent:g}% "
                  f"({'passed' if report.passed else 'not passed'})")
