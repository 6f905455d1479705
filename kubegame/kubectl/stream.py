"""Commands that keep running on the game clock.

Real kubectl blocks on `rollout status`, `get -w`, `wait`, `logs -f`, `events -w`, `delete`
(it waits for the object to go), `drain` (it retries refused evictions and waits for the
pods to go) and `port-forward`, until something happens on the server. In the game the
server's clock is the game clock: a handler that would block sets `ctx.stream` to a
`Stream`, the command's Result carries it, and whoever runs the command calls
`advance(stream, cluster)` once after every tick until the stream is done, times out or is
interrupted (Ctrl-C). The game screen prints each tick's text as it comes; the shell,
`simulate` and solutions advance the clock until the command returns (kubegame/game.py).
"""

from __future__ import annotations

import math
from typing import Any

INTERRUPTED = 130          # a shell's exit code for a command stopped by SIGINT (Ctrl-C)


class Stream:
    """A command still running. Subclasses print in `step` and finish with `finish(code)`."""

    endless = False        # never returns on its own (get -w, logs -f, events -w, port-forward)
    name = "kubectl"       # the command, for the game's notes

    def __init__(self, cluster: Any, timeout: float | None = None):
        self.started = cluster.now
        self.deadline = None if not timeout or timeout <= 0 else cluster.now + max(1, math.ceil(timeout))
        self.done = False
        self.exit_code = 0

    def step(self, cluster: Any) -> tuple[str, str]:
        """One tick: what the command prints (stdout, stderr)."""
        return "", ""

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        """The deadline passed: what it prints; the default is to return 1 quietly."""
        self.finish(1)
        return "", ""

    def finish(self, code: int = 0) -> None:
        if not self.done:
            self.done = True
            self.exit_code = code
            self.close()

    def close(self) -> None:
        """Release what the stream holds (a watch on the store)."""

    def interrupt(self) -> None:
        """Ctrl-C: the command stops where it is, printing nothing more."""
        self.finish(INTERRUPTED)


def advance(stream: Stream, cluster: Any) -> tuple[str, str]:
    """One tick of a running command: its output, then its deadline."""
    if stream.done:
        return "", ""
    try:
        out, err = stream.step(cluster)
    except Exception as exc:  # noqa: BLE001 - a running command must never crash the game
        stream.finish(1)
        return "", f"error: internal error in kubegame's kubectl: {type(exc).__name__}: {exc}\n"
    if not stream.done and stream.deadline is not None and cluster.now >= stream.deadline:
        o, e = stream.on_timeout(cluster)
        out, err = out + o, err + e
        stream.finish(1)
    return out, err


class Watch:
    """A watch on the store for one kind: the keys changed since the last `drain()` in the order
    they changed, and the rows of deleted objects taken when they went (an informer's queue)."""

    def __init__(self, cluster: Any, kind: str, render_deleted: Any = None):
        self.store = cluster.store
        self.kind = kind
        self.changed: dict[tuple[str, str], str] = {}
        self.gone: list[tuple[tuple[str, str], Any]] = []
        self.render_deleted = render_deleted
        self.store.subscribe(kind, self._on_event)

    def _on_event(self, event: str, obj: Any) -> None:
        if event == "DELETED":
            self.changed.pop(obj.key, None)
            self.gone.append((obj.key, self.render_deleted(obj) if self.render_deleted else obj))
        else:
            self.changed.pop(obj.key, None)
            self.changed[obj.key] = event

    def drain(self) -> tuple[list[tuple[tuple[str, str], str]], list[tuple[tuple[str, str], Any]]]:
        changed, gone = list(self.changed.items()), self.gone
        self.changed, self.gone = {}, []
        return changed, gone

    def close(self) -> None:
        self.store.unsubscribe(self.kind, self._on_event)
