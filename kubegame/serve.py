"""`kubegame serve` and `kubegame kubeconfig`: a level headless on the game clock behind the
Kubernetes API (kubegame/apiserver), for real kubectl, client libraries and watch-based tools.

serve writes where it listens and its token to `serve.json` in the data directory (mode 0600,
replaced atomically) so `kubegame kubeconfig` can print a kubeconfig for it; it never touches
~/.kube/config. Writes by outside clients go into the game's replay, so `--record FILE` saves a
play that `kubegame replay` repeats to the same state hash."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import yaml

from kubegame import safeio
from kubegame.engine import rbac

CONTEXT = "kubegame"
STATUS_EVERY = 30          # ticks between `status` lines on stdout


ENV_STATE = "KUBEGAME_SERVE_STATE"   # where serve.json lives instead (kubegame web: one per browser tab)


def web_tab() -> bool:
    """Whether this game is a kubegame web tab's (its page, not `kubegame kubeconfig`, hands out
    the kubeconfig)."""
    return bool(os.environ.get(ENV_STATE))


def state_file() -> Path:
    env = os.environ.get(ENV_STATE)
    if env:
        return Path(env)
    from kubegame.progress import data_dir
    return data_dir() / "serve.json"


def player(cluster: Any) -> rbac.Identity:
    """Who the token is: the user of the game's current kubeconfig context (a level may hand the
    player a restricted user)."""
    from kubegame.kubectl.kubeconfig import config
    kc = config(cluster)
    current = kc.get("current-context") or ""
    ctx = next((c.get("context") or {} for c in kc.get("contexts") or [] if c.get("name") == current), {})
    user = ctx.get("user") or rbac.ADMIN_USER
    return cluster.identities.get(user) or rbac.Identity(user)


def default_namespace(cluster: Any) -> str:
    from kubegame.kubectl.kubeconfig import config
    kc = config(cluster)
    current = kc.get("current-context") or ""
    ctx = next((c.get("context") or {} for c in kc.get("contexts") or [] if c.get("name") == current), {})
    return str(ctx.get("namespace") or "default")


def kubeconfig(port: int, token: str, ca_pem: bytes, namespace: str = "default") -> dict:
    server = f"https://127.0.0.1:{port}"
    ca = base64.b64encode(ca_pem).decode()
    return {"apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"name": CONTEXT, "cluster": {"server": server, "certificate-authority-data": ca}}],
            "users": [{"name": CONTEXT, "user": {"token": token}}],
            "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": CONTEXT,
                                                       "namespace": namespace}}],
            "current-context": CONTEXT}


def kubeconfig_text(doc: dict) -> str:
    return yaml.safe_dump(doc, sort_keys=False, default_flow_style=False)


def merge_into(path: str, doc: dict) -> None:
    """Add (or replace) the kubegame cluster, user and context in a kubeconfig file and make it
    current; other entries are kept. The file is replaced atomically, mode 0600."""
    existing: dict = {}
    if os.path.lexists(path):
        text = safeio.read_text(path, max_bytes=4 * 1024 * 1024)
        docs = safeio.parse_text(text, path)
        if docs and isinstance(docs[0].value, dict):
            existing = docs[0].value
    out = dict(existing) if existing else {"apiVersion": "v1", "kind": "Config", "preferences": {}}
    for section in ("clusters", "users", "contexts"):
        kept = [e for e in (out.get(section) or []) if isinstance(e, dict) and e.get("name") != CONTEXT]
        out[section] = kept + doc[section]
    out["current-context"] = CONTEXT
    safeio.atomic_write(path, kubeconfig_text(out))


def write_state(port: int, token: str, ca_pem: bytes, level: str, namespace: str) -> None:
    path = state_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # atomic_write's temporary file is made by mkstemp (mode 0600): the token is the user's alone
    safeio.atomic_write(str(path), json.dumps({"port": port, "token": token, "ca": ca_pem.decode(), "level": level,
                                               "pid": os.getpid(), "namespace": namespace}) + "\n")


def read_state(path: Path | None = None) -> dict | None:
    """serve.json (of `path`, else of this process's data directory), or None when there is no
    running server's file there."""
    path = state_file() if path is None else path
    try:
        text = safeio.read_text(str(path), max_bytes=65536)
        data = json.loads(text)
    except (OSError, ValueError, safeio.InputError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("port"), int) or not isinstance(data.get("token"), str) \
            or not isinstance(data.get("ca"), str):
        return None
    return data


def clear_state(token: str) -> None:
    data = read_state()
    if data is not None and data.get("token") == token:
        try:
            state_file().unlink()
        except OSError:
            pass


def status_line(game: Any) -> str:
    states = game.objective_states
    met = sum(1 for s in states if s.status == "met")
    avail = game.availability()
    a = min(avail.values()) if avail else 100.0
    return (f"status tick={game.now}/{game.duration} objectives={met}/{len(states)} "
            f"availability={a:.1f}% pods={len(game.cluster.pods())}")


async def serve(game: Any, label: str, port: int = 0, speed: float = 1.0, kubeconfig_path: str | None = None,
                out: TextIO | None = None, started: Any = None) -> Any:
    """Run the game's clock and the API until the level ends; returns the server (for its counts)."""
    from kubegame.apiserver.http import Server, new_token
    out = out or sys.stdout
    token = new_token()
    server = Server(game, token, lambda: player(game.cluster), port)
    actual = await server.start()
    ns = default_namespace(game.cluster)
    write_state(actual, token, server.certs.ca_pem, label, ns)
    if kubeconfig_path:
        merge_into(kubeconfig_path, kubeconfig(actual, token, server.certs.ca_pem, ns))
    print(f"kubegame serve: {label} on https://127.0.0.1:{actual} (the game clock at {speed:g} ticks/s)", file=out)
    if kubeconfig_path:
        print(f"kubeconfig: {kubeconfig_path} (context {CONTEXT}); run: export KUBECONFIG={kubeconfig_path}",
              file=out)
    else:
        print("kubeconfig: kubegame kubeconfig --write FILE, then export KUBECONFIG=FILE", file=out)
    out.flush()
    if started is not None:
        started(server)
    try:
        while not game.finished:
            if speed <= 0:
                await asyncio.sleep(0.2)
                continue
            await asyncio.sleep(1.0 / speed)
            game.step()
            server.ticked()
            if game.now % STATUS_EVERY == 0:
                print(status_line(game), file=out)
                out.flush()
        res = game.result()
        for s in game.objective_states:
            print(f"objective {s.status}: {s.label} ({s.value})", file=out)
        print(f"result: {'won' if res.won else 'lost'} score={res.score.total} stars={res.stars}", file=out)
        out.flush()
    finally:
        clear_state(token)
        await server.stop()
    return server
