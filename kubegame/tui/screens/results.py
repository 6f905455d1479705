"""Results: won or lost, score and stars, each objective, the chart over the level, the debrief."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from kubegame.tui.screens.title import stars_text
from kubegame.tui.view import STYLE
from kubegame.tui.widgets.chart import Timeline, TimelineChart
from kubegame.tui.widgets.objectives import objective_line


class ResultsScreen(Screen):
    BINDINGS = [
        Binding("r", "retry", "retry", id="results.retry"),
        Binding("n", "next", "next level", id="results.next"),
        Binding("enter,escape", "back", "levels", id="results.back"),
        Binding("q", "quit", "quit", id="results.quit"),
    ]

    def __init__(self, game: Any, timeline: Timeline, new_best: bool = False) -> None:
        super().__init__(id="results")
        self.game = game
        self.level = game.level
        self.result = game.result()
        self.timeline = timeline
        self.new_best = new_best

    def compose(self) -> ComposeResult:
        r = self.result
        sc = r.score
        with VerticalScroll(id="results-box"):
            verdict = ("LEVEL COMPLETE ✔", "bold $text-success") if r.won else ("LEVEL LOST ✖", "bold $text-error")
            yield Static(Content.assemble(verdict, "  ", (self.level.title, "bold"), "  ",
                                          (stars_text(sc.stars), "bold $text-warning"),
                                          ("  new best!" if self.new_best else "", "$text-accent")), id="verdict")
            if r.lost_reason:
                yield Static(Content.styled(f"why: {r.lost_reason}", STYLE["bad"]), id="lost-reason")
            yield Static(Content.assemble(
                ("score ", "$text-muted"), (f"{sc.total}", "bold"), ("/1000", "$text-muted"),
                f"   availability {sc.availability}/400   objectives {sc.objectives}/400   "
                f"thrift {sc.thrift}/150   calm {sc.calm}/50   ", ("cost ", "$text-muted"), f"{r.cost:g}",
                ("   ticks ", "$text-muted"), f"{r.ticks}/{self.level.duration}"), id="score")
            with Vertical(id="result-objectives") as v:
                v.border_title = "objectives"
                for st in r.objectives:
                    yield Static(objective_line(st, 100), classes="objective")
            chart = TimelineChart(self.timeline, id="chart")
            chart.border_title = "over the level"
            yield chart
            if self.level.debrief:
                yield Markdown(self.level.debrief, id="debrief")
            yield Static(Content.assemble(("r", "bold"), " retry   ", ("n", "bold"), " next level   ",
                                          ("Enter", "bold"), " level select"), id="results-keys")
        yield Footer()

    def action_retry(self) -> None:
        self.app.open_briefing(self.level)

    def action_next(self) -> None:
        nxt = self.app.campaign.next_after(self.level.name)
        if nxt is None or nxt.level is None:
            self.notify("that was the last level", timeout=2)
            return
        self.app.open_briefing(nxt.level)

    def action_back(self) -> None:
        self.app.show_title()

    def action_quit(self) -> None:
        self.app.exit(0)
