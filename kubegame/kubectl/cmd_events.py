"""`kubectl events` (pkg/cmd/events): the newer events verb, with `--for`, `--types`, `-o` and `-w`.

Its own printer (event_printer.go): `LAST SEEN` is `5m (x3 over 10m)` for a repeated Event and
OBJECT is `Kind/name` (`kubectl get events` prints `pod/name`). The list is sorted by when the
events were last seen. `-w` lists nothing first: the watch's initial events arrive one by one
(each printed on its own, so only the first row lines up with the header), then each new or
repeated Event as it is recorded; `kubectl get events -w` prints the list, then each change.
"""

from __future__ import annotations

from typing import Any

from kubegame.kubectl.core import Ctx, EventObj, list_objects, resolve
from kubegame.kubectl.printers import Item, as_list, row, to_json, to_yaml
from kubegame.kubectl.stream import Stream
from kubegame.kubectl.util import KubectlError, human_duration, request_timeout, table


def interval(now: int, ev: Any) -> str:
    """event_printer.go getInterval."""
    first = human_duration(now - ev.first_tick)
    if ev.count > 1:
        return f"{human_duration(now - ev.tick)} (x{ev.count} over {first})"
    return first


def _for_filter(ctx: Ctx) -> tuple[str, str] | None:
    """`--for TYPE/NAME` -> (kind, name): the involved object the events must be about."""
    spec = ctx.p.flags.get("for")
    if not spec:
        return None
    if "/" not in spec:
        raise KubectlError("--for must be in resource/name form")
    parts = spec.split("/")
    if len(parts) != 2:
        raise KubectlError("arguments in resource/name form may not have more than one slash")
    return resolve(parts[0].lower()).kind, parts[1]


def _types(ctx: Ctx) -> set[str]:
    types = {t for x in ctx.p.flags.get("types") or [] for t in x.split(",") if t}
    for t in types:
        if t.lower() not in ("normal", "warning"):
            raise KubectlError("valid --types are Normal or Warning")
    return {t.capitalize() for t in types}


class EventsWatch(Stream):
    """`events -w` and `get events -w`: every Event recorded or repeated from now on."""

    endless = True
    name = "events --watch"

    def __init__(self, ctx: Ctx, namespace: str | None, table_style: str = "events"):
        super().__init__(ctx.cluster, request_timeout(ctx.p))
        self.ctx = ctx
        self.namespace = namespace
        self.style = table_style
        self.types = _types(ctx) if table_style == "events" else set()
        self.about = _for_filter(ctx) if table_style == "events" else None
        self.headed = bool(ctx.p.flags.get("no-headers"))
        self.seen: dict[int, tuple[int, int]] = {}      # event seq -> (count, tick) printed
        self.fmt = ctx.p.get("output") or ""
        for ev in ctx.cluster.events:
            self.seen[ev.seq] = (ev.count, ev.tick)

    def wanted(self, ev: Any) -> bool:
        if self.namespace is not None and (ev.namespace or "default") != self.namespace:
            return False
        if self.types and ev.type not in self.types:
            return False
        return self.about is None or (ev.kind, ev.name) == self.about

    def _row(self, it: Item) -> list[str]:
        now = self.ctx.cluster.now
        ev = it.obj
        ns = [it.namespace] if self.namespace is None else []
        if self.style == "events":
            return ns + [interval(now, ev), ev.type, ev.reason, f"{ev.kind}/{ev.name}", ev.message.strip()]
        return ns + row(now, it, self.fmt == "wide")

    def _header(self) -> list[str]:
        ns = ["NAMESPACE"] if self.namespace is None else []
        if self.style == "events" or self.fmt != "wide":
            return ns + ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
        return ns + ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN",
                     "COUNT", "NAME"]

    def print_items(self, items: list[Item], together: bool) -> str:
        """The printer: each event flushed on its own unless `together` (a list in one flush)."""
        if self.fmt in ("yaml", "json"):
            out = []
            for it in items:
                out.append(to_yaml(it.d) if self.fmt == "yaml" else to_json(it.d) + "\n")
            return "---\n".join(out) if self.fmt == "yaml" else "".join(out)
        chunks: list[list[list[str]]] = []
        for it in items:
            if not chunks or not together:
                chunks.append([])
            if not self.headed:
                chunks[-1].append(self._header())
                self.headed = True
            chunks[-1].append(self._row(it))
        return "".join(table(c) for c in chunks)

    def initial(self) -> str:
        """What prints at once: `get events -w` lists first; `events -w` gets the existing events
        as the watch's first events, in the order of their names."""
        items = [Item("Event", e.render(), e.ev) for e in sorted(
            (EventObj(ev) for ev in self.ctx.cluster.events if self.wanted(ev)), key=lambda e: (e.namespace, e.name))]
        return self.print_items(items, together=self.style == "get")

    def step(self, cluster: Any) -> tuple[str, str]:
        fresh = []
        for ev in cluster.tick_events:
            mark = (ev.count, ev.tick)
            if self.seen.get(ev.seq) == mark:
                continue
            self.seen[ev.seq] = mark
            if self.wanted(ev):
                fresh.append(ev)
        if not fresh:
            return "", ""
        objs = [EventObj(ev) for ev in fresh]
        return self.print_items([Item("Event", e.render(), e.ev) for e in objs], together=False), ""

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        self.finish(0)
        return "", ""


def cmd_events(ctx: Ctx) -> None:
    """`kubectl events`: LAST SEEN TYPE REASON OBJECT MESSAGE, oldest first."""
    p = ctx.p
    fmt = p.get("output") or ""
    if fmt not in ("", "yaml", "json"):
        raise KubectlError(f'kubegame does not simulate "kubectl events -o {fmt}" (try -o yaml or -o json)')
    ns = None if ctx.all_namespaces else ctx.namespace
    types = _types(ctx)
    about = _for_filter(ctx)
    if p.flags.get("watch"):
        ctx.authorize_raw("watch", "events", "", ns or "")
        stream = EventsWatch(ctx, ns)
        ctx.out.append(stream.initial())
        ctx.stream = stream
        return
    items: list[Item] = list_objects(ctx, resolve("events"), ns)
    if types:
        items = [i for i in items if i.obj.type in types]
    if about is not None:
        items = [i for i in items if (i.obj.kind, i.obj.name) == about]
    # events.go: sort.Sort(SortableEvents) by last timestamp over the list's order (namespace, name); Go's
    # sort is an insertion sort, so stable, up to 12 events (beyond that pdqsort orders ties its own way)
    items.sort(key=lambda i: i.obj.tick)
    if not items:
        ctx.err.append(f"No events found in {ctx.namespace} namespace.\n" if ns else "No events found.\n")
        return
    if fmt:
        data = as_list([i.d for i in items])
        data["kind"] = "EventList"
        ctx.print(to_yaml(data) if fmt == "yaml" else to_json(data))
        return
    hdr = (["NAMESPACE"] if ns is None else []) + ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    rows: list[list[str]] = [] if p.flags.get("no-headers") else [hdr]
    now = ctx.cluster.now
    for i in items:
        ev = i.obj
        rows.append(([i.namespace] if ns is None else []) +
                    [interval(now, ev), ev.type, ev.reason, f"{ev.kind}/{ev.name}", ev.message.strip()])
    ctx.out.append(table(rows))
