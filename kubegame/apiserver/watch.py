"""The watch cache: every write's (resourceVersion, type, object) in a ring, as the API server's
watch cache keeps them (staging/src/k8s.io/apiserver/pkg/storage/cacher). A kind with an open
watch is rendered at the moment it changes, so its watchers see every state; a watch that starts
from an older resourceVersion is served what the ring still holds (a state that changed again
since is sent once, at its newest), and one older than the ring gets 410 Gone, as a compacted
etcd answers. A game keeps the log from its first write (game.py), so a watch from any object's
resourceVersion works while the ring holds it; it costs one append per write until a watch opens."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from kubegame.engine.kinds import RESOURCES
from kubegame.kubectl.util import field_matches, selector_matches

RING = 20_000


@dataclass(slots=True)
class Change:
    rv: int
    type: str
    kind: str
    obj: Any
    rendered: dict | None


class WatchLog:
    def __init__(self, cluster: Any, size: int = RING):
        self.cluster = cluster
        self.ring: deque[Change] = deque(maxlen=size)
        self.start_rv = cluster.store.resource_version   # nothing before this is known
        self.open: dict[str, int] = {}                    # kind -> open watches
        for r in RESOURCES:
            if r.kind != "Event":
                cluster.store.subscribe(r.kind, partial(self._on, r.kind))

    def _render(self, obj: Any, rv: int) -> dict:
        d = self.cluster.render(obj)
        d.setdefault("metadata", {})["resourceVersion"] = str(rv)
        return d

    def _on(self, kind: str, type_: str, obj: Any) -> None:
        rv = self.cluster.store.resource_version
        rendered = self._render(obj, rv) if self.open.get(kind) else None
        if len(self.ring) == self.ring.maxlen:
            self.start_rv = self.ring[0].rv
        self.ring.append(Change(rv, type_, kind, obj, rendered))

    def too_old(self, rv: int) -> bool:
        return rv < self.start_rv

    def since(self, rv: int, kind: str) -> list[tuple[int, str, dict]]:
        """(rv, type, object) of the kind's changes after `rv`, oldest first."""
        out = []
        if not self.ring or self.ring[-1].rv <= rv:
            return out
        # the ring is in rv order: skip to the first newer change from the right end
        idx = len(self.ring)
        while idx > 0 and self.ring[idx - 1].rv > rv:
            idx -= 1
        for i in range(idx, len(self.ring)):
            c = self.ring[i]
            if c.kind != kind:
                continue
            d = c.rendered
            if d is None:
                if c.type != "DELETED" and getattr(c.obj, "resource_version", None) != c.rv:
                    continue                       # changed again: its newest state comes later
                d = self._render(c.obj, c.rv)      # (a deleted object changes no more)
            out.append((c.rv, c.type, d))
        return out


@dataclass
class Watcher:
    """One open watch: its kind, scope and selectors, where it has read to, and which objects it
    has told the client exist (an object leaving the selector is sent as DELETED, one entering it
    as ADDED, as the cacher's watcher does)."""

    kind: str
    namespace: str | None
    labels: list
    fields: list
    rv: int
    bookmarks: bool = False
    present: set = field(default_factory=set)
    quiet_ticks: int = 0

    def matches(self, d: dict) -> bool:
        md = d.get("metadata") or {}
        if self.namespace is not None and md.get("namespace", "") != self.namespace:
            return False
        return selector_matches(self.labels, md.get("labels") or {}) and field_matches(self.fields, d)

    def translate(self, type_: str, d: dict) -> str | None:
        md = d.get("metadata") or {}
        key = (md.get("namespace", ""), md.get("name", ""))
        ok = self.matches(d)
        if type_ == "DELETED":
            if key in self.present:
                self.present.discard(key)
                return "DELETED"
            return "DELETED" if ok else None
        if ok:
            seen = key in self.present
            self.present.add(key)
            return "MODIFIED" if seen else "ADDED"
        if key in self.present:
            self.present.discard(key)
            return "DELETED"
        return None
