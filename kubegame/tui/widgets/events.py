"""The event log: Kubernetes Events and scenario news as they happen, newest last, filterable.

Lines are Rich Text (so long messages wrap), coloured from the theme: a Warning is
marked ⚠ and a game/scenario line ★, so the type reads without colour too.
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.widgets import RichLog

KEEP = 1000


def event_text(ev, colours: dict[str, str]) -> Text:
    warn = ev.type == "Warning"
    source = getattr(ev, "source", "kubernetes")
    mark = "⚠" if warn else ("★" if source != "kubernetes" else "·")
    reason_style = f"bold {colours.get('text-warning', 'yellow')}" if warn else (
        f"bold {colours.get('text-accent', 'cyan')}" if source != "kubernetes" else "bold")
    muted = colours.get("text-muted", "grey50")
    t = Text(no_wrap=False, overflow="fold")
    t.append(f"{ev.tick:>4} ", style=muted)
    t.append(f"{mark} ", style=reason_style)
    t.append(f"{ev.reason} ", style=reason_style)
    if ev.object:
        t.append(f"{ev.object} ", style=muted)
    t.append(ev.message)
    return t


def matches(ev, text: str) -> bool:
    if not text:
        return True
    t = text.lower()
    return any(t in (x or "").lower() for x in (ev.type, ev.reason, ev.object, ev.message, str(ev.tick)))


class EventLog(RichLog):
    """Appends each tick's events; a filter rewrites it from the events kept."""

    def __init__(self, **kw) -> None:
        super().__init__(max_lines=KEEP, wrap=True, min_width=20, markup=False, highlight=False, auto_scroll=True,
                         **kw)
        self.kept: deque = deque(maxlen=KEEP)
        self.filter_text = ""

    def _colours(self) -> dict[str, str]:
        try:
            return self.app.get_css_variables()
        except Exception:  # noqa: BLE001 - before the app is running
            return {}

    def add(self, evs: list) -> None:
        colours = self._colours()
        for ev in evs:
            self.kept.append(ev)
            if matches(ev, self.filter_text):
                self.write(event_text(ev, colours))

    def set_filter(self, text: str) -> int:
        """Show the kept events that match; returns how many match."""
        self.filter_text = text
        self.clear()
        colours = self._colours()
        shown = 0
        for ev in self.kept:
            if matches(ev, text):
                self.write(event_text(ev, colours))
                shown += 1
        return shown
