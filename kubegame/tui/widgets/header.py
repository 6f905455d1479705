"""The game screen's top line: level, tick progress, speed or pause, cost against budget, score.

It is laid out by priority: the tick, the pause/speed state and the score are always shown
whole; then the cost, then the progress bar, and the title takes what is left (cut with …).
Endless modes (chaos, the sandbox) show the tick without a duration, and chaos shows its
wave and the ticks survived instead of a 0-1000 score.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from kubegame.tui.view import STYLE

GAP = "  "


class GameHeader(Static):
    """One line, updated in place each frame (only when its text changes)."""

    DEFAULT_CSS = "GameHeader { height: 1; text-wrap: nowrap; text-overflow: clip; }"

    def __init__(self, **kw):
        super().__init__("", **kw)
        self._key: tuple | None = None
        self._args: dict | None = None
        self.plain = ""

    def on_resize(self) -> None:
        if self._args is not None:
            self.show(**self._args)         # lay out again for the new width

    def show(self, *, chapter: int | None, title: str, tick: int, duration: int, speed: int, paused: bool,
             cost: float, budget: float | None, score: int, finished: bool = False, endless: bool = False,
             score_label: str = "score", waiting: bool = False, extra: str = "") -> None:
        self._args = dict(chapter=chapter, title=title, tick=tick, duration=duration, speed=speed, paused=paused,
                          cost=cost, budget=budget, score=score, finished=finished, endless=endless,
                          score_label=score_label, waiting=waiting, extra=extra)
        width = self.size.width or self.app.size.width or 120
        key = (chapter, title, tick, duration, speed, paused, round(cost), budget, score, finished, width, endless,
               score_label, waiting, extra)
        if key == self._key:
            return
        self._key = key
        content = layout(width, chapter=chapter, title=title, tick=tick, duration=duration, speed=speed,
                         paused=paused, cost=cost, budget=budget, score=score, finished=finished, endless=endless,
                         score_label=score_label, waiting=waiting, extra=extra)
        self.plain = content.plain
        self.update(content)


def layout(width: int, *, chapter: int | None, title: str, tick: int, duration: int, speed: int, paused: bool,
           cost: float, budget: float | None, score: int, finished: bool = False, endless: bool = False,
           score_label: str = "score", waiting: bool = False, extra: str = "") -> Content:
    """The header line for `width` cells (a pure function, so tests can try every width)."""
    if finished:
        state = Content.styled("■ over", "$text-muted")
    elif waiting:
        state = Content.styled("⏸ space starts", "bold $text-warning")
    elif paused:
        state = Content.styled("⏸ paused", "bold $text-warning")
    else:
        state = Content.styled(f"▶ {speed}x", "bold $text-success")
    tick_txt = Content.assemble("tick ", (f"{tick}" if endless else f"{tick}/{duration}", "bold"))
    score_txt = Content.assemble(f"{score_label} ", (str(score), "bold")) if score_label else Content("")
    over = budget is not None and cost > budget
    near = budget is not None and not over and cost > 0.9 * budget
    cost_txt = Content.styled(f"cost {cost:g}" + (f"/{budget:g}" if budget is not None else ""),
                              STYLE["bad"] if over else STYLE["warn"] if near else "")
    extra_txt = Content.styled(extra, "bold") if extra else Content("")

    def bar(n: int) -> Content:
        frac = 0.0 if duration <= 0 else min(1.0, tick / duration)
        filled = int(round(frac * n))
        return Content.assemble(("█" * filled, "$accent"), ("░" * (n - filled), "$text-muted"))

    def right(parts: list[Content]) -> Content:
        shown = [p for p in parts if p.cell_length]
        return Content(GAP).join(shown) if shown else Content("")

    room = width - 2                       # a space at each edge
    must = [tick_txt, state, extra_txt, score_txt]
    tail = right(must)
    parts = list(must)
    # add the cost, then the progress bar, while they fit beside a title of at least 12 cells
    if cost_txt.cell_length and right([tick_txt, state, extra_txt, cost_txt, score_txt]).cell_length + 14 <= room:
        parts = [tick_txt, state, extra_txt, cost_txt, score_txt]
    if not endless:
        for n in (10, 6):
            with_bar = [Content.assemble(parts[0], " ", bar(n))] + parts[1:]
            if right(with_bar).cell_length + 14 + (20 if n == 10 else 0) <= room:
                parts = with_bar
                break
    tail = right(parts)
    left_room = room - tail.cell_length - 2
    lead = f"kubegame ▸ {chapter} · " if chapter is not None else "kubegame ▸ "
    if left_room < len(lead) + 12:
        lead = f"{chapter} · " if chapter is not None else ""
    title_room = max(0, left_room - len(lead))
    shown = title if len(title) <= title_room else (title[: max(0, title_room - 1)] + "…" if title_room > 1 else "")
    left = Content.assemble((lead, "bold"), (shown, "bold")) if title_room > 1 or not lead.strip() else \
        Content.styled(lead.rstrip(" ·"), "bold")
    if left.cell_length + tail.cell_length + 2 > room:
        left = Content("")
    pad = max(1, room - left.cell_length - tail.cell_length)
    return Content.assemble(" ", left, " " * pad, tail, " ")
