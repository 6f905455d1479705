"""`kubectl get -w` and `kubectl events -w`: watches that print as the game clock ticks.

pkg/cmd/get/get.go `watch`: one resource type; the current objects first (a list in one
flush, so its rows line up under the header; `--watch-only` skips them), then a row per
change, each flushed on its own (so it does not line up with the header, as in a real
terminal). A watch never returns on its own: Ctrl-C, or `--request-timeout` closes it with
exit code 0. The game collapses the changes of one object within one tick into one row
(the object as it is at the end of the tick); a deleted object prints as it was when it went.
"""

from __future__ import annotations

from typing import Any

from kubegame.kubectl.core import Ctx, get_object, item, list_objects, parse_refs
from kubegame.kubectl.printers import Item, headers, kind_prefix, row, to_json, to_yaml
from kubegame.kubectl.stream import Stream, Watch
from kubegame.kubectl.util import (
    KubectlError,
    field_matches,
    parse_field_selector,
    parse_selector,
    request_timeout,
    selector_matches,
    table,
)


class GetWatch(Stream):
    endless = True
    name = "get --watch"

    def __init__(self, ctx: Ctx, kind: str, name: str | None, namespace: str | None, fmt: str):
        super().__init__(ctx.cluster, request_timeout(ctx.p))
        self.ctx = ctx
        self.kind = kind
        self.obj_name = name
        self.namespace = namespace
        self.fmt = fmt
        self.events = bool(ctx.p.flags.get("output-watch-events"))
        self.printed = 0                  # objects printed so far (the header comes with the first)
        sel = ctx.p.flags.get("selector")
        self.selector = parse_selector(sel) if sel else None
        fsel = ctx.p.flags.get("field-selector")
        self.fields = parse_field_selector(fsel, kind) if fsel else None
        self.watch = Watch(ctx.cluster, kind, lambda obj: item(ctx.cluster, obj))

    def wanted(self, it: Item) -> bool:
        if self.namespace is not None and it.namespace != self.namespace:
            return False
        if self.obj_name is not None and it.name != self.obj_name:
            return False
        if self.selector is not None and not selector_matches(self.selector, it.labels):
            return False
        return self.fields is None or field_matches(self.fields, it.d)

    def render(self, items: list[tuple[str, Item]]) -> str:
        """One flush of the printer: (watch event type, object) pairs."""
        fmt = self.fmt
        out = []
        if fmt in ("", "wide"):
            rows = []
            if self.printed == 0 and not self.ctx.p.flags.get("no-headers"):
                h = (["NAMESPACE"] if self.namespace is None and self.ctx.all_namespaces else []) + \
                    headers(self.kind, fmt == "wide")
                rows.append((["EVENT"] if self.events else []) + h)
            for ev, it in items:
                r = row(self.ctx.cluster.now, it, fmt == "wide")
                if self.namespace is None and self.ctx.all_namespaces:
                    r = [it.namespace] + r
                rows.append(([ev] if self.events else []) + r)
            self.printed += len(items)
            return table(rows) if rows else ""
        for ev, it in items:
            d = {"type": ev, "object": it.d} if self.events else it.d
            if fmt == "name":
                out.append(f"{kind_prefix(it.kind)}/{it.name}\n")
            elif fmt == "yaml":
                out.append(("---\n" if self.printed else "") + to_yaml(d))
            elif fmt == "json":
                out.append(to_json(d) + "\n")
            else:
                from kubegame.kubectl import jsonpath
                try:
                    out.append(jsonpath.render(fmt.split("=", 1)[1], d))
                except jsonpath.JSONPathError as exc:
                    raise KubectlError(f"error executing jsonpath: {exc}") from None
            self.printed += 1
        return "".join(out)

    def step(self, cluster: Any) -> tuple[str, str]:
        changed, gone = self.watch.drain()
        text = []
        for key, _event in changed:
            obj = cluster.get(self.kind, *key)
            if obj is None:
                continue
            it = item(cluster, obj)
            if self.wanted(it):
                text.append(self.render([("ADDED" if _event == "ADDED" else "MODIFIED", it)]))
        for _key, it in gone:
            if self.wanted(it):
                text.append(self.render([("DELETED", it)]))
        return "".join(text), ""

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        self.finish(0)                  # the watch request ended: kubectl returns quietly
        return "", ""

    def close(self) -> None:
        self.watch.close()


def start_get_watch(ctx: Ctx, fmt: str) -> None:
    """`get -w` / `--watch-only` after the arguments were checked."""
    p = ctx.p
    refs, _multi = parse_refs(p.args)
    kinds = {r.res.kind for r in refs}
    if len(kinds) != 1:
        raise KubectlError("you may only specify a single resource type")
    names = [r.name for r in refs if r.name is not None]
    if len(names) > 1:
        raise KubectlError("watch is only supported on individual resources and resource collections, but "
                           f"{len(names)} resources were found")
    res = refs[0].res
    if res.kind == "Event":
        from kubegame.kubectl.cmd_events import EventsWatch
        stream = EventsWatch(ctx, None if ctx.all_namespaces else ctx.namespace, table_style="get")
        if not p.flags.get("watch-only"):
            ctx.out.append(stream.initial())
        ctx.stream = stream
        return
    ns = None if ctx.all_namespaces or not res.namespaced else (ctx.namespace if res.namespaced else None)
    if names:
        current = [get_object(ctx, res, ctx.namespace, names[0])]
    else:
        ctx.authorize("watch", res, ns)
        current = list_objects(ctx, res, ns)
    stream = GetWatch(ctx, res.kind, names[0] if names else None,
                      ns if res.namespaced else None, fmt)
    current = [it for it in current if stream.wanted(it)]
    if not p.flags.get("watch-only") and current:     # an empty list prints nothing: it just waits
        ctx.out.append(stream.render([("ADDED", it) for it in current]))
    ctx.stream = stream
