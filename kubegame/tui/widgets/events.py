"""The event log: Kubernetes Events and scenario news as they happen, newest last, filterable."""

from __future__ import annotations

from collections import deque

from textual.content import Content
from textual.widgets import RichLog

KEEP = 1000


def event_line(ev) -> Content:
    warn = ev.type == "Warning"
    source = getattr(ev, "source", "kubernetes")
    reason_style = "bold $text-warning" if warn else ("bold $text-accent" if source != "kubernetes" else "")
    obj = ev.object or ("★ " + source if source != "kubernetes" else "")
    return Content.assemble((f"{ev.tick:>4} ", "$text-muted"), (f"{ev.type:<7} ", reason_style if warn else ""),
                            (f"{ev.reason:<16} ", reason_style), (f"{obj} ", "$text-muted" if not warn else ""),
                            ev.message)


def matches(ev, text: str) -> bool:
    if not text:
        return True
    t = text.lower()
    return any(t in (x or "").lower() for x in (ev.type, ev.reason, ev.object, ev.message, str(ev.tick)))


class EventLog(RichLog):
    """Appends each tick's events; a filter rewrites it from the events kept."""

    def __init__(self, **kw) -> None:
        super().__init__(max_lines=KEEP, wrap=False, markup=False, highlight=False, auto_scroll=True, **kw)
        self.kept: deque = deque(maxlen=KEEP)
        self.filter_text = ""

    def add(self, evs: list) -> None:
        for ev in evs:
            self.kept.append(ev)
            if matches(ev, self.filter_text):
                self.write(event_line(ev))

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        self.clear()
        for ev in self.kept:
            if matches(ev, text):
                self.write(event_line(ev))
