"""The game screen's top line: level, tick progress, speed or pause, cost against budget, score."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from kubegame.tui.view import STYLE


class GameHeader(Static):
    """One line, updated in place each frame (only when its text changes)."""

    DEFAULT_CSS = "GameHeader { height: 1; text-wrap: nowrap; text-overflow: clip; }"

    def __init__(self, **kw):
        super().__init__("", **kw)
        self._key: tuple | None = None

    def show(self, *, chapter: int | None, title: str, tick: int, duration: int, speed: int, paused: bool,
             cost: float, budget: float | None, score: int, finished: bool = False) -> None:
        width = self.size.width or 120
        key = (chapter, title, tick, duration, speed, paused, round(cost), budget, score, finished, width)
        if key == self._key:
            return
        self._key = key
        bar_w = 10 if width >= 100 else 6
        frac = 0.0 if duration <= 0 else min(1.0, tick / duration)
        filled = int(round(frac * bar_w))
        if finished:
            state = ("■ over", "$text-muted")
        elif paused:
            state = ("⏸ paused", "bold $text-warning")
        else:
            state = (f"▶ {speed}x", "bold $text-success")
        over = budget is not None and cost > budget
        near = budget is not None and not over and cost > 0.9 * budget
        cost_txt = f"cost {cost:g}" + (f"/{budget:g}" if budget is not None else "")
        cost_style = STYLE["bad"] if over else STYLE["warn"] if near else ""
        lead = f" kubegame ▸ {chapter} · " if chapter is not None else " kubegame ▸ "
        right = Content.assemble(
            "  tick ", (f"{tick}/{duration} ", "bold"), ("█" * filled, "$accent"), ("░" * (bar_w - filled), "$text-muted"),
            "  ", state, "  ", (cost_txt, cost_style), "  score ", (str(score), "bold"), " ")
        room = max(8, width - right.cell_length - len(lead))
        shown = title if len(title) <= room else title[: max(1, room - 1)] + "…"
        left = Content.assemble((lead, "bold"), (shown, "bold"))
        pad = max(1, width - 1 - left.cell_length - right.cell_length)
        self.update(Content.assemble(left, " " * pad, right))
