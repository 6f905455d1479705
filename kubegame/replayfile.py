"""Reading a replay file safely: size, JSON (no NaN, bounded nesting) and every field checked.

A replay is what `Game.replay()` writes (docs/scripts.md, "Replays"). A tampered or broken
file gets one clear `InputError`, never a traceback; a replay without its state hash is
refused (it would prove nothing).
"""

from __future__ import annotations

import re
from typing import Any

from kubegame.safeio import InputError, load_json, read_text

MAX_REPLAY_BYTES = 32 * 1024 * 1024
MAX_COMMANDS = 100_000
MAX_TICKS = 10_000_000
HEX64 = re.compile(r"^[0-9a-f]{64}$")


def _need(ok: bool, path: str, what: str, expected: str) -> None:
    if not ok:
        raise InputError(path, 1, 1, what, expected)


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_replay(data: Any, path: str) -> dict:
    """The replay's fields, each of the right type and range; InputError otherwise."""
    _need(isinstance(data, dict), path, "not a kubegame replay", "a JSON object with level, seed, commands")
    for key in ("level", "commands", "stateHash"):
        _need(key in data, path, f"the replay has no `{key}`",
              "a replay as kubegame writes it (level, levelSha256, seed, commands, ticks, stateHash)")
    _need(isinstance(data["level"], str) and 0 < len(data["level"]) <= 253, path,
          "`level` is not a level name", "a string")
    for key in ("levelSha256", "stateHash"):
        if key in data:
            _need(isinstance(data[key], str) and bool(HEX64.match(data[key])), path,
                  f"`{key}` is not a sha256", "64 hexadecimal digits")
    if "levelPath" in data:
        _need(isinstance(data["levelPath"], str) and len(data["levelPath"]) < 4096, path,
              "`levelPath` is not a path", "a string")
    if "seed" in data:
        _need(_int(data["seed"]) and 0 <= data["seed"] < 2**63, path, "`seed` is not a seed",
              "a whole number from 0")
    if "ticks" in data:
        _need(_int(data["ticks"]) and 0 <= data["ticks"] <= MAX_TICKS, path, "`ticks` is out of range",
              f"a whole number from 0 to {MAX_TICKS}")
    cmds = data["commands"]
    _need(isinstance(cmds, list) and len(cmds) <= MAX_COMMANDS, path, "`commands` is not a list of commands",
          f"a list of at most {MAX_COMMANDS} {{tick, run}}")
    for i, c in enumerate(cmds):
        where = f"commands[{i}]"
        _need(isinstance(c, dict), path, f"{where} is not a command", "{\"tick\": N, \"run\": \"kubectl ...\"}")
        _need(_int(c.get("tick")) and 0 <= c["tick"] <= MAX_TICKS, path, f"{where}.tick is not a tick",
              "a whole number from 0")
        if "api" in c:
            _check_api(c["api"], path, where)
        else:
            _need(isinstance(c.get("run"), str) and len(c["run"]) <= 100_000, path,
                  f"{where}.run is not a command line", "a string")
        for key in ("stdin", "edit"):
            if key in c:
                _need(isinstance(c[key], str), path, f"{where}.{key} is not text", "a string")
        if "files" in c:
            files = c["files"]
            _need(isinstance(files, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()),
                  path, f"{where}.files is not a map of file names to their text", "{\"PATH\": \"TEXT\"}")
        if "interrupt" in c:
            _need(c["interrupt"] is True, path, f"{where}.interrupt is not true", "true (Ctrl-C stopped the command)")
        extra = set(c) - {"tick", "run", "stdin", "edit", "files", "interrupt", "api"}
        _need(not extra, path, f"{where} has unknown field(s) {', '.join(sorted(extra))}",
              "tick, run, stdin, edit, files, interrupt, api")
    return data


API_FIELDS = {"method": str, "path": str, "content_type": str, "body": str, "user": str, "user_agent": str}


def _check_api(api: Any, path: str, where: str) -> None:
    """An outside client's write to `kubegame serve` (apiserver/handler.py records it)."""
    _need(isinstance(api, dict), path, f"{where}.api is not a request", "{method, path, query, body, ...}")
    for key, typ in API_FIELDS.items():
        if key in api:
            _need(isinstance(api[key], typ) and len(api[key]) <= 4_000_000, path, f"{where}.api.{key} is not text",
                  "a string")
    exec_get = api.get("method") == "GET" and str(api.get("path", "")).endswith("/exec")   # a WebSocket exec
    _need(api.get("method") in ("POST", "PUT", "PATCH", "DELETE") or exec_get, path,
          f"{where}.api.method is not a write", "POST, PUT, PATCH or DELETE (or GET of pods/NAME/exec)")
    _need(isinstance(api.get("path"), str) and api["path"].startswith("/"), path, f"{where}.api.path is not a path",
          "an API path such as /api/v1/namespaces/default/pods")
    query = api.get("query", {})
    _need(isinstance(query, dict) and all(isinstance(k, str) and isinstance(v, list) and
                                          all(isinstance(x, str) for x in v) for k, v in query.items()),
          path, f"{where}.api.query is not a query", "{\"NAME\": [\"VALUE\", ...]}")
    groups = api.get("groups", [])
    _need(isinstance(groups, list) and all(isinstance(g, str) for g in groups), path,
          f"{where}.api.groups is not a list of groups", "a list of strings")
    extra = set(api) - set(API_FIELDS) - {"query", "groups"}
    _need(not extra, path, f"{where}.api has unknown field(s) {', '.join(sorted(extra))}",
          "method, path, query, content_type, body, user, groups, user_agent")


def load_replay(path: str) -> dict:
    """Read and check a replay file."""
    text = read_text(path, MAX_REPLAY_BYTES, "replay file")
    return check_replay(load_json(text, path, max_depth=8), path)
