"""`kubegame`: the command line.

    kubegame [play [LEVEL]]          the full-screen game (kubegame.tui)
    kubegame levels [--json]         the bundled campaign with your best stars
    kubegame validate PATH...        check level files; exit 2 when any is invalid
    kubegame simulate LEVEL [--solution | --script FILE] [--seed N] [--json]
    kubegame verify [PATH...]        validates, doing nothing loses, the solution wins; exit 1 on failure
    kubegame shell LEVEL [--seed N] [--record FILE]   a plain line console
    kubegame replay FILE [--json] [--verify]   play a recorded session again (--verify: its score too)
    kubegame daily [--date D]        the day's chaos run, the same for everyone; its result file verifies
    kubegame interview [--seed N] [--minutes M] [--plan]   5-8 timed incidents, graded as an exam grades
    kubegame export LEVEL DIR        the level's manifests as plain YAML for kubectl apply -f DIR
    kubegame chaos [--seed N]        endless seeded waves of trouble; best ticks survived per seed
    kubegame simulate chaos --seed N --ticks T [--script FILE] [--json]   the same, headless
    kubegame sandbox                 a cluster with a node pool and no objectives, for your own files
    kubegame fuzz LEVEL [--seed N] [--examples N] [--json]   random play; every invariant after every tick
    kubegame serve [LEVEL|sandbox|chaos] [--port N] [--speed N] [--kubeconfig FILE] [--record FILE]
                                     the level headless behind the Kubernetes API, for real kubectl
    kubegame kubeconfig [--write FILE]   a kubeconfig for the running `kubegame serve`
    kubegame web [--host H] [--port N] [--level LEVEL]   the game in the browser, one game per tab
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import kubegame
from kubegame.level.errors import LevelError, LevelInvalid
from kubegame.runtime import tuned_gc

if TYPE_CHECKING:
    from kubegame.level.model import Level, Step

# The engine, the level loader, YAML and Textual are imported by the commands that use them,
# so `kubegame --help` and `kubegame levels` start as fast as Python does (issue 23).

EXIT_OK, EXIT_FAIL, EXIT_INVALID = 0, 1, 2
GLYPH = {"met": "✓", "at risk": "!", "failed": "✗"}


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def _report_invalid(exc: LevelInvalid) -> int:
    for e in exc.errors:
        _err(str(e))
    return EXIT_INVALID


def _load(ref: str) -> Level:
    from kubegame.level.catalog import find_level
    return find_level(ref)


# -- play ------------------------------------------------------------------------------------

def cmd_play(args: argparse.Namespace) -> int:
    level = None
    if args.level:
        try:
            level = _load(args.level)
        except LevelInvalid as exc:
            return _report_invalid(exc)
    try:
        app = importlib.import_module("kubegame.tui.app")
    except ModuleNotFoundError as exc:
        if exc.name and not exc.name.startswith("kubegame.tui"):
            raise
        _err("kubegame: the full-screen game is not available in this build (kubegame.tui.app is missing).\n"
             "Try the line console instead: kubegame shell " + (args.level or "first-pod"))
        return EXIT_FAIL
    return int(app.run(level=level, seed=args.seed, serve=bool(args.serve), host_files=not args.no_host_files) or 0)


# -- levels ----------------------------------------------------------------------------------

def cmd_levels(args: argparse.Namespace) -> int:
    from kubegame.progress import Progress
    progress = Progress()
    for w in progress.warnings:
        _err(w)
    from kubegame.level.catalog import campaign
    rows = []
    bad = 0
    for _, entry in campaign():
        if isinstance(entry, LevelInvalid):
            bad += 1
            _report_invalid(entry)
            continue
        best = progress.best(entry["name"])
        rows.append({"chapter": entry["chapter"], "name": entry["name"], "title": entry["title"],
                     "stars": int(best.get("stars", 0)), "bestScore": int(best.get("bestScore", 0)),
                     "_key": entry["sortKey"]})
    rows.sort(key=lambda r: r.pop("_key"))
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        w = max([len(r["name"]) for r in rows] + [4])
        print(f"{'CH':>3}  {'NAME':<{w}}  {'STARS':<5}  TITLE")
        for r in rows:
            stars = "★" * r["stars"] + "☆" * (3 - r["stars"])
            ch = "" if r["chapter"] is None else str(r["chapter"])
            print(f"{ch:>3}  {r['name']:<{w}}  {stars:<5}  {r['title']}")
    return EXIT_INVALID if bad else EXIT_OK


# -- validate --------------------------------------------------------------------------------

def level_warnings(path: str, level: Any) -> list[str]:
    """`PATH:LINE:COL: warning: ...` for each not-simulated field a level's manifests set
    (engine/fieldsupport.py), at the line where the manifest starts."""
    from kubegame.engine.fieldsupport import warnings_for
    out = []
    for m in level.manifests:
        md = m.body.get("metadata") or {}
        for w in warnings_for(m.body):
            out.append(f"{path}:{m.line}:{m.col}: warning: {m.body.get('kind')}/{md.get('name')}: {w}")
    return out


def cmd_validate(args: argparse.Namespace) -> int:
    from kubegame.level.catalog import level_files
    from kubegame.level.loader import load_level
    files = level_files(args.paths)
    if not files:
        _err("kubegame validate: no level files found")
        return EXIT_INVALID
    bad = 0
    for f in files:
        try:
            level = load_level(f)
            for w in level_warnings(str(f), level):
                print(w)
            print(f"{f}: ok")
        except LevelInvalid as exc:
            bad += 1
            for e in exc.errors:
                print(str(e))
    if bad:
        print(f"{bad} of {len(files)} file(s) invalid")
    return EXIT_INVALID if bad else EXIT_OK


# -- simulate --------------------------------------------------------------------------------

def load_script(path: str) -> list[Step]:
    """A YAML list of {at, run} (like `solution`), checked like a level."""
    from kubegame.level.loader import SOLUTION_STEPS
    from kubegame.level.model import Step
    from kubegame.level.schema import Ctx
    from kubegame.level.yamlsafe import parse_text, read_level_text
    try:
        text, _ = read_level_text(path)
        docs = [d for d in parse_text(text, path) if d.value is not None]
    except LevelError as e:
        raise LevelInvalid([e]) from None
    if len(docs) != 1:
        raise LevelInvalid([LevelError(path, 1, 1, f"a script has {len(docs)} documents",
                                       "one YAML list of {at, run}")])
    errors: list[LevelError] = []
    value = SOLUTION_STEPS.check(docs[0].value, (), Ctx(path, docs[0], errors))
    if errors:
        raise LevelInvalid(errors)
    return [Step(s["at"], s["run"]) for s in value]


def _print_result(res: Any, out: TextIO | None = None) -> None:
    out = out or sys.stdout
    verdict = "WON" if res.won else "LOST"
    print(f"level {res.level} (seed {res.seed}): {verdict} after {res.ticks} ticks", file=out)
    if res.lost_reason and not res.won:
        print(f"  reason: {res.lost_reason}", file=out)
    sc = res.score
    print(f"score {sc.total}/1000  stars {sc.stars}  (availability {sc.availability}, objectives "
          f"{sc.objectives}, thrift {sc.thrift}, calm {sc.calm})", file=out)
    for o in res.objectives:
        print(f"  {'✓' if o.passed else '✗'} {o.label}: {o.value} - {o.detail}", file=out)
    av = ", ".join(f"{k} {v:.2f}%" for k, v in res.availability.items())
    print(f"availability: {av or 'no traffic'}", file=out)
    print(f"cost: {res.cost:g}", file=out)
    print(f"state: {res.state_hash}", file=out)


def cmd_simulate(args: argparse.Namespace) -> int:
    from kubegame.debrief import play_debrief
    from kubegame.game import Game, GameSetupError
    from kubegame.hindsight import hindsight
    if args.level == "chaos" and not Path("chaos").exists():
        return cmd_simulate_chaos(args)
    try:
        level = _load(args.level)
        steps: list[Step] = []
        if args.solution:
            steps = list(level.solution)
        elif args.script:
            steps = load_script(args.script)
    except LevelInvalid as exc:
        return _report_invalid(exc)
    try:
        game = Game(level, seed=args.seed)
    except GameSetupError as exc:
        _err(f"error: {exc}")
        return EXIT_INVALID
    res = game.play_to_end(steps)
    if args.json:
        doc = res.to_json()
        if args.transcript:
            doc["transcript"] = transcript_json(game)
        doc["debrief"] = play_debrief(game, hindsight(game)).to_json()
        print(json.dumps(doc, indent=2))
    else:
        if args.transcript:
            print_transcript(game)
        _print_result(res)
    return EXIT_OK


def transcript_json(game: Any) -> list[dict]:
    return [{"tick": r.tick, "run": r.line, "output": r.output, "error": r.error, "exitCode": r.exit_code,
             "changed": r.changed, **({"note": r.note} if r.note else {})} for r in game.script_results]


def print_transcript(game: Any, out: TextIO | None = None) -> None:
    """Each scripted command at its tick, then what it printed (`simulate --transcript`)."""
    out = out or sys.stdout
    for r in game.script_results:
        print(f"[tick {r.tick}] $ {r.line}", file=out)
        text = r.output + r.error + r.note
        if text:
            print(text, end="" if text.endswith("\n") else "\n", file=out)
        if r.exit_code:
            print(f"[exit code {r.exit_code}]", file=out)
    if game.script_results:
        print(file=out)


# -- verify ----------------------------------------------------------------------------------

def verify_level(path: Path) -> dict[str, Any]:
    from kubegame.game import Game, GameSetupError
    from kubegame.level.loader import load_level
    row: dict[str, Any] = {"path": str(path), "name": path.stem, "valid": False, "idleLoses": False,
                           "solutionWins": False, "score": None, "problems": []}
    try:
        level = load_level(path, require_solution=True)
    except LevelInvalid as exc:
        row["problems"] = [str(e) for e in exc.errors]
        return row
    row["name"] = level.name
    row["valid"] = True
    try:
        idle = Game(level).play_to_end()
        row["idleLoses"] = not idle.won
        if idle.won:
            row["problems"].append("doing nothing wins")
        game = Game(level)
        sol = game.play_to_end(level.solution)
        row["solutionWins"] = sol.won
        row["score"] = sol.score.total
        if not sol.won:
            row["problems"].append(f"the solution loses: {sol.lost_reason}")
            row["problems"] += why_it_loses(game, sol)
    except GameSetupError as exc:
        row["problems"].append(str(exc))
    except Exception as exc:  # noqa: BLE001 - report, never a traceback
        row["problems"].append(f"internal error: {type(exc).__name__}: {exc}")
    return row


def why_it_loses(game: Any, res: Any) -> list[str]:
    """The solution's commands that failed and the objectives that did not hold."""
    out = []
    for r in game.script_results:
        if r.exit_code:
            err = (r.error or r.output).strip().splitlines()
            out.append(f"  at tick {r.tick}, `{r.line}` failed (exit {r.exit_code}): "
                       + (err[0] if err else "no message"))
    left = [s for s in game.script]
    for s in left:
        out.append(f"  at tick {s.at}, `{s.run}` never ran: the level ended at tick {res.ticks}")
    for o in res.objectives:
        if not o.passed:
            out.append(f"  objective not met: {o.label}: {o.detail}")
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    from kubegame.level.catalog import bundled_paths, level_files
    files = level_files(args.paths) if args.paths else bundled_paths()
    rows = [verify_level(f) for f in files]
    w = max([len(r["name"]) for r in rows] + [5])
    yes = {True: "ok", False: "FAIL"}
    print(f"{'LEVEL':<{w}}  VALID  IDLE LOSES  SOLUTION WINS  SCORE")
    failed = 0
    for r in rows:
        ok = r["valid"] and r["idleLoses"] and r["solutionWins"]
        failed += not ok
        score = "" if r["score"] is None else str(r["score"])
        print(f"{r['name']:<{w}}  {yes[r['valid']]:<5}  {yes[r['idleLoses']]:<10}  "
              f"{yes[r['solutionWins']]:<13}  {score}")
        for p in r["problems"]:
            print(f"  {p}")
    print(f"{len(rows) - failed} of {len(rows)} level(s) verified")
    return EXIT_FAIL if failed or not rows else EXIT_OK


# -- shell -----------------------------------------------------------------------------------

SHELL_HELP = """commands:
  kubectl ... | k ...             the kubectl language
  node add [--zone Z] [--count N] node remove NAME
  etcd add-member --zone Z        etcd remove-member NAME
  tick [N]                        advance N ticks (default 1) and print their events
  status                          tick, objectives, availability, cost, score
  hint                            the next hint
  help                            this text
  quit                            leave
"""


def _status(game: Any, out: TextIO) -> None:
    print(f"tick {game.now}/{game.duration}  cost {game.cost:g}"
          + (f"/{game.level.budget:g}" if game.level.budget is not None else "")
          + f"  score {game.score().total}", file=out)
    for o in game.objective_states:
        print(f"  {GLYPH.get(o.status, '?')} {o.label}: {o.value} ({o.status}) - {o.detail}", file=out)
    for k, v in game.availability().items():
        print(f"  {k}: {v:.2f}% served", file=out)
    if game.finished:
        print("level " + ("won" if game.won else f"lost: {game.lost_reason}"), file=out)


def _event_line(e: Any) -> str:
    obj = f" {e.object}" if e.object else ""
    return f"[{e.tick}] {e.type} {e.reason}{obj}: {e.message}"


def run_shell(game: Any, lines: TextIO, out: TextIO, echo: bool) -> None:
    lv = game.level
    print(f"kubegame shell: {lv.name} - {lv.title} (seed {game.seed}, {lv.duration} ticks). "
          "Type help for commands.", file=out)
    prompt = not echo
    while True:
        if prompt:
            print("kubegame> ", end="", file=out, flush=True)
        raw = lines.readline()
        if not raw:
            break
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if echo:
            print(f"$ {line}", file=out)
        words = line.split()
        if words[0] in ("quit", "exit"):
            break
        if words[0] == "help":
            print(SHELL_HELP, end="", file=out)
        elif words[0] == "status":
            _status(game, out)
        elif words[0] == "hint":
            h = game.next_hint()
            print(h or "no hint yet", file=out)
        elif words[0] == "tick":
            try:
                n = int(words[1]) if len(words) > 1 else 1
                if n < 1 or len(words) > 2:
                    raise ValueError
            except ValueError:
                print("error: usage: tick [N] (N a positive number)", file=out)
                continue
            if game.finished:
                print("the level is over", file=out)
                continue
            for rep in game.run(n):
                for e in rep.events:
                    print(_event_line(e), file=out)
            print(f"tick {game.now}/{game.duration}", file=out)
            if game.finished:
                print("level " + ("won" if game.won else f"lost: {game.lost_reason}") +
                      f"; score {game.score().total}, stars {game.score().stars}", file=out)
        else:
            res = game.submit(line)
            text = res.output + res.error
            if res.edit is not None:
                text += "(kubectl edit needs the full-screen game; use kubectl patch or apply here)\n"
            print(text, end="" if text.endswith("\n") or not text else "\n", file=out, flush=True)
            if res.running and not prompt and res.stream.endless and res.stream.deadline is None:
                game.interrupt()          # a script: nobody will press Ctrl-C
                from kubegame.game import NEVER_RETURNS
                print(NEVER_RETURNS.format(line=line), end="", file=out)
            elif res.running:
                _follow(game, res, out)
            elif res.note:
                print(res.note, end="", file=out)


def _follow(game: Any, res: Any, out: TextIO) -> None:
    """A command that keeps running: the clock advances, printing what it prints, until it returns,
    the level ends or Ctrl-C stops it."""
    start = game.now
    try:
        while res.running and not game.finished:
            rep = game.step()
            text = rep.stream_output + rep.stream_error if rep.stream is res else ""
            if text:
                print(text, end="", file=out, flush=True)
    except KeyboardInterrupt:
        game.interrupt()
        print("^C", file=out)
    if res.running:
        game.interrupt(record=False)
        print(f"kubegame: the level ended at tick {game.now} while the command was still running", file=out)
    else:
        n = game.now - start
        print(f"kubegame: the clock advanced {n} tick{'s' if n != 1 else ''} (tick {start} to {game.now}) while "
              f"the command ran{'' if res.exit_code == 0 else f'; exit code {res.exit_code}'}", file=out)


def cmd_shell(args: argparse.Namespace) -> int:
    from kubegame.game import Game, GameSetupError
    try:
        level = _load(args.level)
        game = Game(level, seed=args.seed)
    except LevelInvalid as exc:
        return _report_invalid(exc)
    except GameSetupError as exc:
        _err(f"error: {exc}")
        return EXIT_INVALID
    if args.record and not _can_record(args.record):
        return EXIT_FAIL
    run_shell(game, sys.stdin, sys.stdout, echo=not sys.stdin.isatty())
    if args.record and not _write_replay(game, args.record):
        return EXIT_FAIL
    return EXIT_OK


def _can_record(path: str) -> bool:
    """Refuse a directory or a device before playing, not after."""
    from kubegame.safeio import check_writable_target
    try:
        check_writable_target(path)
        return True
    except OSError as exc:
        _err(f"error: cannot record to {path}: {exc.strerror or exc}")
        return False


def _write_replay(game: Any, path: str) -> bool:
    from kubegame.safeio import atomic_write
    try:
        atomic_write(path, json.dumps(game.replay(), indent=2) + "\n")
        return True
    except OSError as exc:
        _err(f"error: cannot write the replay to {path}: {exc.strerror or exc}")
        return False


# -- replay ----------------------------------------------------------------------------------

def _cmd_verify_daily(args: argparse.Namespace, data: Any) -> int:
    from kubegame import daily
    from kubegame.safeio import InputError
    try:
        verdict = daily.verify(data, args.file)
    except InputError as exc:
        _err(f"{args.file}: error: cannot read the daily result: {exc.what}" + (f" (expected {exc.expected})"
                                                                                if exc.expected else ""))
        return EXIT_INVALID
    if args.json:
        print(json.dumps({"verified": verdict.ok, "date": verdict.date, "score": verdict.score,
                          "message": verdict.message}, indent=2))
    elif verdict.ok:
        print(verdict.message)
    else:
        _err(f"{args.file}: error: not verified: {verdict.message}")
    return EXIT_OK if verdict.ok else EXIT_FAIL


def _cmd_verify_interview(args: argparse.Namespace, data: Any) -> int:
    from kubegame.interview import files
    from kubegame.safeio import InputError
    try:
        ok, message = files.verify(data, args.file)
    except InputError as exc:
        _err(f"{args.file}: error: cannot read the interview report: {exc.what}"
             + (f" (expected {exc.expected})" if exc.expected else ""))
        return EXIT_INVALID
    if args.json:
        print(json.dumps({"verified": ok, "message": message}, indent=2))
    elif ok:
        print(message)
    else:
        _err(f"{args.file}: error: not verified: {message}")
    return EXIT_OK if ok else EXIT_FAIL


def cmd_replay(args: argparse.Namespace) -> int:
    from kubegame.game import Game, GameSetupError, run_replay
    from kubegame.replayfile import check_replay
    from kubegame.safeio import InputError
    try:
        from kubegame import daily
        from kubegame.interview import files as interview_files
        data = daily.read_result(args.file)
        if daily.is_daily(data):
            return _cmd_verify_daily(args, data)
        if interview_files.is_report(data):
            return _cmd_verify_interview(args, data)
        data = check_replay(data, args.file)
    except InputError as exc:
        _err(f"{args.file}: error: cannot read the replay: {exc.what}" + (f" (expected {exc.expected})"
                                                                          if exc.expected else ""))
        return EXIT_INVALID
    ref = str(data.get("levelPath") or data["level"])
    try:
        level = _load(ref) if Path(ref).exists() else _load(str(data["level"]))
    except LevelInvalid as exc:
        return _report_invalid(exc)
    if data.get("levelSha256") and data["levelSha256"] != level.sha256:
        _err(f"{args.file}: error: the level {data['level']!r} has changed since this replay was recorded "
             f"(level file sha256 {level.sha256[:12]}..., the replay expects {str(data['levelSha256'])[:12]}...); "
             "a replay only plays on the exact level file it was recorded on")
        return EXIT_INVALID
    try:
        game = Game(level, seed=int(data.get("seed", level.seed)))
        outcome = run_replay(None, data, game)
    except GameSetupError as exc:
        _err(f"error: {exc}")
        return EXIT_INVALID
    res = outcome.result
    # --verify: the score the file claims must be what its commands score, as well as the state
    claimed = data.get("score")
    score_ok = not args.verify or claimed is None or claimed == res.score.total
    if args.json:
        from kubegame.debrief import play_debrief
        from kubegame.hindsight import hindsight
        doc = res.to_json()
        doc["replayMatches"] = outcome.matches
        doc["debrief"] = play_debrief(game, hindsight(game)).to_json()
        if args.verify:
            doc["verified"] = outcome.matches and score_ok
        print(json.dumps(doc, indent=2))
    else:
        _print_result(res)
        print("replay: state matches the recording" if outcome.matches else
              f"replay: state DIFFERS from the recording (expected {outcome.expected_hash})")
        if not score_ok:
            _err(f"{args.file}: error: not verified: the file's score is {claimed}, but its commands score "
                 f"{res.score.total}")
        elif args.verify and outcome.matches:
            print(f"verified: {data['level']}, score {res.score.total}")
    return EXIT_OK if outcome.matches and score_ok else EXIT_FAIL


# -- export ----------------------------------------------------------------------------------

def cmd_export(args: argparse.Namespace) -> int:
    import yaml
    try:
        level = _load(args.level)
    except LevelInvalid as exc:
        return _report_invalid(exc)
    from kubegame.safeio import write_new
    out = Path(args.dir)
    try:
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise NotADirectoryError(20, "not a directory (export writes only into a real directory)", str(out))
        out.mkdir(parents=True, exist_ok=True)
        for i, m in enumerate(level.manifests, 1):
            name = re.sub(r"[^a-z0-9.-]", "-", f"{i:02d}-{m.kind.lower()}-{m.name}")
            path = out / f"{name}.yaml"
            # only new files: never through a link planted there, never over what is there
            write_new(path, yaml.safe_dump(m.body, sort_keys=False, default_flow_style=False))
            print(path)
    except FileExistsError as exc:
        _err(f"error: {exc.filename} already exists; export writes only new files (choose an empty directory)")
        return EXIT_FAIL
    except OSError as exc:
        _err(f"error: cannot write to {exc.filename or out}: {exc.strerror or exc}")
        return EXIT_FAIL
    return EXIT_OK


def cmd_fuzz(args: argparse.Namespace) -> int:
    try:
        from kubegame import fuzz
    except ModuleNotFoundError as exc:
        _err(f"kubegame fuzz needs Hypothesis ({exc.name} is missing): pip install kubegame[test]")
        return EXIT_FAIL
    return fuzz.run_cli(args)


def cmd_bench(args: argparse.Namespace) -> int:
    from kubegame import bench
    return bench.main(quick=args.quick, as_json=args.json)


# -- chaos and sandbox (kubegame/modes.py) ---------------------------------------------------

def cmd_simulate_chaos(args: argparse.Namespace) -> int:
    from kubegame import modes
    if args.solution:
        _err("error: chaos has no reference solution; use --script FILE")
        return EXIT_INVALID
    try:
        steps = load_script(args.script) if args.script else []
    except LevelInvalid as exc:
        return _report_invalid(exc)
    game = modes.run_chaos(args.seed or 0, args.ticks or 1000, steps)
    doc = game.chaos_json()
    if args.json:
        print(json.dumps(doc, indent=2))
    else:
        end = f"the SLO broke: {game.lost_reason}" if doc["sloBroken"] else "still standing"
        print(f"chaos seed {doc['seed']}: survived {doc['survived']} ticks, wave {doc['wave']}; {end}")
        print(f"state: {doc['stateHash']}")
    return EXIT_OK


def _run_mode(game: Any, console: bool) -> bool:
    """The full-screen game when the TUI can take a prepared Game (True: it ran, and recorded each
    finished run itself), else the line console (False)."""
    if not console:
        try:
            app = importlib.import_module("kubegame.tui.app")
        except ModuleNotFoundError:
            app = None
        if app is not None and hasattr(app, "run_with_game"):
            app.run_with_game(game)
            return True
    run_shell(game, sys.stdin, sys.stdout, echo=not sys.stdin.isatty())
    return False


def cmd_chaos(args: argparse.Namespace) -> int:
    from kubegame import modes
    seed = args.seed if args.seed is not None else 0
    game = modes.chaos_game(seed)
    if _run_mode(game, args.console):         # the game recorded every run it finished
        print(f"chaos seed {seed}: best {modes.best_chaos(seed)} ticks survived")
        return EXIT_OK
    best = modes.best_chaos(seed)
    if modes.record_chaos(game):
        print(f"chaos seed {seed}: {game.chaos_score()} ticks survived, a new best (was {best})")
    else:
        print(f"chaos seed {seed}: {game.chaos_score()} ticks survived (best {best})")
    return EXIT_OK


def cmd_daily(args: argparse.Namespace) -> int:
    from kubegame import daily
    try:
        date = daily.check_date(args.date) if args.date else daily.today()
    except ValueError as exc:
        _err(f"error: --date: {exc}")
        return EXIT_INVALID
    game = daily.DailyGame(date)
    if not _run_mode(game, args.console) and game.now > 0:   # the full-screen game saves each run itself
        path = daily.save_result(game)
        print(f"daily {date}: score {game.chaos_score()}; result saved to {path}")
        print(f"anyone can check it: kubegame replay --verify {path}")
    return EXIT_OK


def cmd_interview(args: argparse.Namespace) -> int:
    from kubegame.interview.session import DEFAULT_MINUTES, plan
    if args.minutes is not None and not 0 < args.minutes <= 24 * 60:
        _err("error: --minutes must be more than 0 and at most 1440")
        return EXIT_INVALID
    if args.seed is None:
        from kubegame.daily import daily_seed, today
        args.seed = daily_seed(today())
    if args.plan:
        incidents = plan(args.seed)
        print(f"interview {args.seed}: {len(incidents)} incidents, {args.minutes or DEFAULT_MINUTES:g} minutes")
        for i, inc in enumerate(incidents, 1):
            print(f"{i}. {inc.title} ({inc.template}, {inc.level.duration} ticks): {inc.task}")
        return EXIT_OK
    from kubegame.tui.app import create_app
    app = create_app(None, interview=(args.seed, args.minutes))
    app.run()
    return app.return_code or EXIT_OK


def cmd_sandbox(args: argparse.Namespace) -> int:
    from kubegame import modes
    _run_mode(modes.sandbox_game(), args.console)
    return EXIT_OK


# -- web -------------------------------------------------------------------------------------

def cmd_web(args: argparse.Namespace) -> int:
    if args.level:
        try:
            _load(args.level)
        except LevelInvalid as exc:
            return _report_invalid(exc)
    if not 1 <= args.max_sessions <= 1000:
        _err("error: --max-sessions must be from 1 to 1000")
        return EXIT_INVALID
    if not 0 <= args.port <= 65535:
        _err(f"error: --port must be from 0 to 65535, not {args.port}")
        return EXIT_INVALID
    from kubegame.web.server import CannotListen, WebServer
    server = WebServer(host=args.host, port=args.port, level=args.level, max_sessions=args.max_sessions,
                       serve_api=not args.no_serve)
    for line in server.warnings():
        _err(line)
    try:
        server.run()
    except CannotListen as exc:
        _err(f"kubegame web: {exc}")
        return EXIT_FAIL
    return EXIT_OK


# -- serve -----------------------------------------------------------------------------------

def cmd_serve(args: argparse.Namespace) -> int:
    import asyncio

    from kubegame import modes, serve
    from kubegame.game import Game, GameSetupError
    label = args.level or "sandbox"
    try:
        if label == "sandbox" and not Path(label).exists():
            game = modes.sandbox_game()
        elif label == "chaos" and not Path(label).exists():
            game = modes.chaos_game(args.seed or 0)
        else:
            game = Game(_load(label), seed=args.seed)
    except LevelInvalid as exc:
        return _report_invalid(exc)
    except GameSetupError as exc:
        _err(f"error: {exc}")
        return EXIT_INVALID
    if args.record and not _can_record(args.record):
        return EXIT_FAIL
    if args.speed < 0 or args.speed > 1000:
        _err("error: --speed must be between 0 (the clock stands still) and 1000 ticks per second")
        return EXIT_FAIL
    try:
        with tuned_gc():
            asyncio.run(serve.serve(game, label, args.port, args.speed, args.kubeconfig))
    except KeyboardInterrupt:
        print("kubegame serve: stopped", file=sys.stderr)
    except OSError as exc:
        _err(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}")
        return EXIT_FAIL
    finally:
        if args.record:
            _write_replay(game, args.record)
    return EXIT_OK


def cmd_kubeconfig(args: argparse.Namespace) -> int:
    from kubegame import serve
    state = serve.read_state()
    if state is None:
        _err("error: no kubegame serve is running (start one with: kubegame serve LEVEL)")
        return EXIT_FAIL
    doc = serve.kubeconfig(state["port"], state["token"], state["ca"].encode(), str(state.get("namespace") or "default"))
    if args.write:
        try:
            serve.merge_into(args.write, doc)
        except (OSError, Exception) as exc:     # a file that is not a kubeconfig, a directory, ...
            _err(f"error: cannot write {args.write}: {getattr(exc, 'strerror', None) or exc}")
            return EXIT_FAIL
        print(args.write)
        return EXIT_OK
    sys.stdout.write(serve.kubeconfig_text(doc))
    return EXIT_OK


# -- main ------------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kubegame", description="Keep a simulated Kubernetes cluster healthy.")
    p.add_argument("--version", action="version", version=f"kubegame {kubegame.__version__}")
    sub = p.add_subparsers(dest="command")
    s = sub.add_parser("play", help="the full-screen game")
    s.add_argument("level", nargs="?")
    s.add_argument("--seed", type=int)
    s.add_argument("--serve", action="store_true", help="also serve the level's cluster over the Kubernetes API "
                                                        "(kubegame kubeconfig prints a kubeconfig for it)")
    s.add_argument("--no-host-files", action="store_true", help="kubectl -f and --from-file read no file of this "
                                                                "machine (kubegame web's players are elsewhere)")
    s.set_defaults(func=cmd_play)
    s = sub.add_parser("levels", help="the bundled levels in campaign order")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_levels)
    s = sub.add_parser("validate", help="check level files")
    s.add_argument("paths", nargs="+")
    s.set_defaults(func=cmd_validate)
    s = sub.add_parser("simulate", help="play a level headless to its end")
    s.add_argument("level")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--solution", action="store_true")
    g.add_argument("--script")
    s.add_argument("--seed", type=int)
    s.add_argument("--ticks", type=int, help="chaos only: how many ticks to play (default 1000)")
    s.add_argument("--transcript", action="store_true", help="print each command with its output and error")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_simulate)
    s = sub.add_parser("verify", help="every level: valid, idle loses, solution wins")
    s.add_argument("paths", nargs="*")
    s.set_defaults(func=cmd_verify)
    s = sub.add_parser("shell", help="a plain line console")
    s.add_argument("level")
    s.add_argument("--seed", type=int)
    s.add_argument("--record", help="write the session's replay to this file at the end")
    s.set_defaults(func=cmd_shell)
    s = sub.add_parser("replay", help="play a recorded session (or a daily result) again")
    s.add_argument("file")
    s.add_argument("--json", action="store_true")
    s.add_argument("--verify", action="store_true", help="also check the score the file claims (a daily result "
                                                         "is always checked: its seed, state and score)")
    s.set_defaults(func=cmd_replay)
    s = sub.add_parser("daily", help="the day's chaos run, the same for everyone; a result file anyone can verify")
    s.add_argument("--date", help="another day's challenge, YYYY-MM-DD (default: today, UTC)")
    s.add_argument("--console", action="store_true", help="the line console instead of the full-screen game")
    s.set_defaults(func=cmd_daily)
    s = sub.add_parser("interview", help="5 to 8 timed incidents, graded per objective, with a report")
    s.add_argument("--seed", type=int, help="the interview's seed (default: today's, the same for everyone)")
    s.add_argument("--minutes", type=float, help="the time for all the incidents (default 30)")
    s.add_argument("--plan", action="store_true", help="print the incidents and their tasks, do not play")
    s.set_defaults(func=cmd_interview)
    s = sub.add_parser("export", help="write the level's manifests for kubectl apply -f DIR")
    s.add_argument("level")
    s.add_argument("dir")
    s.set_defaults(func=cmd_export)
    s = sub.add_parser("bench", help="measure the engine's speed (issue 9's figures)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--quick", action="store_true", help="a smaller run, for the test suite")
    s.set_defaults(func=cmd_bench)
    s = sub.add_parser("chaos", help="endless seeded waves of trouble (LEVEL 'chaos' in simulate is headless)")
    s.add_argument("--seed", type=int)
    s.add_argument("--console", action="store_true", help="the line console instead of the full-screen game")
    s.set_defaults(func=cmd_chaos)
    s = sub.add_parser("sandbox", help="a cluster with a node pool and no objectives")
    s.add_argument("--console", action="store_true", help="the line console instead of the full-screen game")
    s.set_defaults(func=cmd_sandbox)
    s = sub.add_parser("serve", help="a level headless behind the Kubernetes API, for real kubectl and clients")
    s.add_argument("level", nargs="?", help="a level, sandbox (the default) or chaos")
    s.add_argument("--port", type=int, default=0, help="the port on 127.0.0.1 (default: a free one)")
    s.add_argument("--speed", type=float, default=1.0, help="ticks per second (default 1: the game clock "
                                                            "keeps real time; 0 stops it)")
    s.add_argument("--seed", type=int)
    s.add_argument("--kubeconfig", help="merge a kubegame context into this kubeconfig file (never ~/.kube/config "
                                        "unless you name it)")
    s.add_argument("--record", help="save the play (outside clients' writes too) as a replay")
    s.set_defaults(func=cmd_serve)
    s = sub.add_parser("web", help="the game in the browser: one game per tab (textual-serve)")
    s.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this "
                                                      "machine only; anything else is reachable by others)")
    s.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    s.add_argument("--level", help="start every tab at this level instead of the title screen")
    s.add_argument("--max-sessions", type=int, default=16, help="games running at once at most (default 16; "
                                                                 "each is a process of about 100 MB)")
    s.add_argument("--no-serve", action="store_true", help="do not serve each tab's cluster over the "
                                                           "Kubernetes API (no kubectl connection offered)")
    s.set_defaults(func=cmd_web)
    s = sub.add_parser("kubeconfig", help="a kubeconfig for the running kubegame serve")
    s.add_argument("--write", metavar="FILE", help="merge it into FILE (made if missing) instead of printing it")
    s.set_defaults(func=cmd_kubeconfig)
    s = sub.add_parser("fuzz", help="play a level with random valid commands; check every invariant every tick")
    s.add_argument("level")
    s.add_argument("--seed", type=int, default=0, help="Hypothesis seed (default 0)")
    s.add_argument("--examples", type=int, default=100, help="random plays (default 100)")
    s.add_argument("--max-commands", type=int, default=8, help="commands per play at most (default 8)")
    s.add_argument("--out", help="where to write a violation's minimal script (default fuzz-LEVEL.yaml)")
    s.add_argument("--replay", metavar="FILE", help="replay a script with the invariants checked instead")
    s.add_argument("--fault", help="inject a deliberate engine bug (kubegame.testing.faults), to test the fuzzer")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_fuzz)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not getattr(args, "func", None):
        args = build_parser().parse_args(["play"])
    try:
        with tuned_gc():
            return args.func(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
