"""Objectives: each with its live state (met, at risk, failed), its measure and the time left."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from kubegame.tui.view import STYLE, STYLE_BOLD, format_ticks, objective_glyph


def objective_line(st, width: int) -> Content:
    glyph, sev = objective_glyph(st.status)
    if st.passed is True:
        glyph, sev, word = "✔", "ok", "passed"
    elif st.passed is False:
        glyph, sev, word = "✖", "bad", "failed"
    else:
        word = st.status
    left = f"{format_ticks(st.time_left)} left" if st.time_left is not None and st.passed is None else ""
    tail = Content.assemble(f" {st.value:>9} ", (f"{word:<7}", STYLE_BOLD[sev]), (f" {left}" if left else "",
                                                                                   "$text-muted"))
    room = width - 2 - tail.cell_length
    if room < len(st.label) and room < 24:       # narrow: the label on its own line
        label = st.label if len(st.label) <= width - 2 else st.label[: max(1, width - 3)] + "…"
        return Content.assemble((glyph, STYLE[sev]), " ", label, "\n  ", tail)
    room = max(10, room)
    label = st.label if len(st.label) <= room else st.label[: room - 1] + "…"
    return Content.assemble((glyph, STYLE[sev]), " ", f"{label:<{room}}", tail)


class ObjectiveList(VerticalScroll):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.items: list[Static] = []
        self._keys: list[tuple] = []

    def sync(self, states: list) -> None:
        while len(self.items) < len(states):
            s = Static("", classes="objective", markup=False)
            self.items.append(s)
            self._keys.append(())
            self.mount(s)
        width = self.content_size.width or 48
        for i, st in enumerate(states):
            key = (st.status, st.value, st.time_left, st.passed, st.label, width)
            if key != self._keys[i]:
                self._keys[i] = key
                self.items[i].update(objective_line(st, width))
                self.items[i].tooltip = st.detail
