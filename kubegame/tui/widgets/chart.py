"""The results chart: availability, traffic and cost over the level's ticks, with the scenario's
events, the player's commands and (once kubegame/hindsight.py has played it) the reference
solution's availability beside the player's."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.content import Content
from textual.widget import Widget

from kubegame.tui.view import STYLE, availability_severity

BLOCKS = " ▁▂▃▄▅▆▇█"
LABEL_W = 13


@dataclass
class Timeline:
    """Per-tick samples the game screen recorded from the game's reports."""

    duration: int = 0
    ticks: list[int] = field(default_factory=list)
    availability: list[float] = field(default_factory=list)   # % served this tick, all Services
    traffic: list[int] = field(default_factory=list)          # requests arrived this tick
    cost: list[float] = field(default_factory=list)           # cost so far
    marks: list[tuple[int, str, str]] = field(default_factory=list)   # (tick, reason, message)
    commands: list[tuple[int, bool]] = field(default_factory=list)    # (tick, changed the cluster) per command
    reference: list[float] = field(default_factory=list)              # the reference's % served per tick

    def add(self, tick: int, availability: float, traffic: int, cost: float) -> None:
        self.ticks.append(tick)
        self.availability.append(availability)
        self.traffic.append(traffic)
        self.cost.append(cost)


def bucket(values: list[float], width: int, how=min) -> list[float | None]:
    """Resample to `width` columns (None where no sample falls)."""
    n = len(values)
    if n == 0 or width <= 0:
        return [None] * max(0, width)
    out: list[float | None] = []
    for c in range(width):
        a, b = c * n // width, (c + 1) * n // width
        chunk = values[a:max(b, a + 1)] if a < n else []
        out.append(how(chunk) if chunk else None)
    return out


def rows(values: list[float | None], height: int, lo: float, hi: float) -> list[str]:
    """A column chart `height` rows tall, top row first."""
    span = (hi - lo) or 1.0
    out = []
    for r in range(height - 1, -1, -1):
        line = []
        for v in values:
            if v is None:
                line.append(" ")
                continue
            level = max(0.0, min(1.0, (v - lo) / span)) * height - r
            line.append(BLOCKS[8] if level >= 1 else BLOCKS[max(0, int(level * 8))] if level > 0 else " ")
        out.append("".join(line))
    return out


class TimelineChart(Widget):
    DEFAULT_CSS = "TimelineChart { height: auto; }"

    def __init__(self, timeline: Timeline, **kw) -> None:
        super().__init__(**kw)
        self.timeline = timeline

    def get_content_height(self, container, viewport, width: int) -> int:
        # availability rows, reference, traffic, cost, your commands, events, axis, legend
        return 5 + (1 if self.timeline.reference else 0) + 1 + 1 + 1 + 1 + 1 + min(4, len(self._marks()))

    def _marks(self) -> list[tuple[int, str, str]]:
        return self.timeline.marks[:26]

    def render(self) -> Content:
        tl = self.timeline
        width = max(10, self.size.width - LABEL_W - 9)   # room for the scale on the right
        end = max(tl.duration, tl.ticks[-1] if tl.ticks else 0, 1)
        # pad to the level's duration so a level lost early shows where it stopped
        n_cols = width
        played = len(tl.ticks)
        cols_played = max(1, min(n_cols, round(n_cols * played / end))) if played else 0
        av = bucket(tl.availability, cols_played, min) + [None] * (n_cols - cols_played)
        tr = bucket([float(x) for x in tl.traffic], cols_played, max) + [None] * (n_cols - cols_played)
        co = bucket(tl.cost, cols_played, max) + [None] * (n_cols - cols_played)
        lo = min([v for v in av if v is not None] + [90.0])
        lo = max(0.0, min(lo, 90.0) - 5)
        lines: list[Content] = []
        av_rows = rows(av, 5, lo, 100.0)
        for i, r in enumerate(av_rows):
            label = "availability" if i == 0 else f"{100 - (100 - lo) * i / 4:>11.0f}%" if i in (2, 4) else ""
            parts = [(f"{label:<{LABEL_W}}", "$text-muted")]
            for ch, v in zip(r, av):
                parts.append((ch, STYLE[availability_severity(v)] if v is not None else ""))
            lines.append(Content.assemble(*parts))
        if tl.reference:
            ref_cols = max(1, min(n_cols, round(n_cols * len(tl.reference) / end)))
            ref = bucket(tl.reference, ref_cols, min) + [None] * (n_cols - ref_cols)
            parts = [(f"{'reference':<{LABEL_W}}", "$text-muted")]
            parts += [(ch, STYLE[availability_severity(v)] if v is not None else "")
                      for ch, v in zip(rows(ref, 1, lo, 100.0)[0], ref)]
            lines.append(Content.assemble(*parts))
        tmax = max([v for v in tr if v is not None] + [1.0])
        lines.append(Content.assemble((f"{'traffic':<{LABEL_W}}", "$text-muted"),
                                      (rows(tr, 1, 0, tmax)[0], "$text-accent"),
                                      (f" {tmax:.0f}/s", "$text-muted")))
        cmax = max([v for v in co if v is not None] + [1.0])
        lines.append(Content.assemble((f"{'cost':<{LABEL_W}}", "$text-muted"), (rows(co, 1, 0, cmax)[0], "$text-warning"),
                                      (f" {cmax:g}", "$text-muted")))
        marks = self._marks()
        mark_row = [" "] * n_cols
        for i, (tick, _reason, _msg) in enumerate(marks):
            col = min(n_cols - 1, int(tick * n_cols / end))
            mark_row[col] = chr(ord("A") + i)
        lines.append(Content.assemble((f"{'events':<{LABEL_W}}", "$text-muted"), ("".join(mark_row), "bold $text-error")))
        you = [" "] * n_cols                      # ▲ a command that changed the cluster, · one that looked
        for tick, changed in tl.commands:
            col = min(n_cols - 1, int(tick * n_cols / end))
            if changed or you[col] == " ":
                you[col] = "▲" if changed else "·"
        lines.append(Content.assemble((f"{'you':<{LABEL_W}}", "$text-muted"), ("".join(you), "bold $text-accent")))
        axis = [" "] * n_cols
        for t in (0, end // 4, end // 2, 3 * end // 4, end):
            s = str(t)
            col = min(n_cols - len(s), int(t * n_cols / end))
            axis[col:col + len(s)] = list(s)
        lines.append(Content.assemble((f"{'tick':<{LABEL_W}}", "$text-muted"), ("".join(axis), "$text-muted")))
        for i, (tick, reason, msg) in enumerate(marks[:4]):
            text = f"{chr(ord('A') + i)}  {tick:>4}  {reason}: {msg}"
            lines.append(Content.styled(" " * LABEL_W + text[: max(0, width)], "$text-muted"))
        return Content("\n").join(lines)
