"""Results: won or lost, score and stars, each objective, the chart, what happened in this play, the debrief.

Chaos has its own end: the ticks survived, the waves reached and the best run for the seed
(no 0-1000 score, no stars). Keys wait for a quiet keyboard (kubegame/tui/grace.py), so
typing aimed at the game's command line as the level ends does nothing here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from kubegame.debrief import play_debrief
from kubegame.tui.grace import KeyGrace
from kubegame.tui.screens.title import stars_text
from kubegame.tui.view import STYLE
from kubegame.tui.widgets.chart import Timeline, TimelineChart
from kubegame.tui.widgets.objectives import objective_line


class ResultsScreen(KeyGrace, Screen):
    BINDINGS = [
        Binding("enter", "primary", "continue", id="results.continue"),
        Binding("r", "retry", "retry", id="results.retry"),
        Binding("n", "next", "next level", id="results.next"),
        Binding("escape", "back", "levels", id="results.back"),
        Binding("s", "download", "download", id="results.download"),
    ]

    def __init__(self, game: Any, timeline: Timeline, new_best: bool = False, best: int | None = None,
                 saved: Path | None = None) -> None:
        super().__init__(id="results")
        self.saved = saved          # the play's replay, or a daily run's result file
        self.game = game
        self.level = game.level
        self.result = game.result()
        self.timeline = timeline
        self.new_best = new_best
        self.best = best
        self.chaos = hasattr(game, "chaos_score")
        self.timeline.commands = [(c.tick, c.changed) for c in game.command_log]
        self._hindsight_started = False
        self.hindsight_done = asyncio.Event()
        self.start_grace()

    def on_mount(self) -> None:
        if not self.in_grace:
            self.on_grace_end()

    def on_grace_end(self) -> None:
        """Hindsight (kubegame/hindsight.py) plays the level again, a second or more of work: it
        starts once the keys act, so keys typed as the level ended are not held up behind it."""
        if self._hindsight_started:
            return
        self._hindsight_started = True
        if self.level.solution and not self.chaos:
            self.run_worker(self._hindsight, thread=True, exit_on_error=False, name="hindsight")
        else:
            self.hindsight_done.set()       # no reference to compare with: the story is told

    def _hindsight(self) -> None:
        """The reference and the play without each change, off the UI's thread; the chart and the
        story gain them when done (`hindsight_done` is set then)."""
        from kubegame.hindsight import hindsight
        h = hindsight(self.game)
        self.app.call_from_thread(self._show_hindsight, h)

    async def _show_hindsight(self, h) -> None:
        try:
            chart, story = self.query_one(TimelineChart), self.query_one("#play-story", Markdown)
        except NoMatches:           # the player has moved on: nothing to show it on
            return
        if h.reference is not None:
            self.timeline.reference = h.reference.availability
            chart.refresh(layout=True)
        await story.update(_story(play_debrief(self.game, h).lines()))
        self.hindsight_done.set()

    def compose(self) -> ComposeResult:
        r = self.result
        sc = r.score
        with VerticalScroll(id="results-box"):
            if self.chaos:
                yield from self._chaos_header()
            else:
                verdict = ("LEVEL COMPLETE ✔", "bold $text-success") if r.won else ("LEVEL LOST ✖", "bold $text-error")
                best = "  new best!" if self.new_best and r.won else ""
                yield Static(Content.assemble(verdict, "  ", (self.level.title, "bold"), "  ",
                                              (stars_text(sc.stars), "bold $text-warning"),
                                              (best, "$text-accent")), id="verdict")
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
            chart.border_title = "over the run" if self.chaos else "over the level"
            yield chart
            yield Markdown(_story(play_debrief(self.game).lines()), id="play-story")
            if self.level.debrief:
                yield Markdown(self.level.debrief, id="debrief")
            keys = [("Enter", "bold"), " next level   " if r.won and not self.chaos else " retry   "]
            if not self.chaos:
                keys += [("r", "bold"), " retry   ", ("n", "bold"), " next level   "]
            keys += [("Esc", "bold"), " level select"]
            if self.app.is_web and self.saved is not None:
                what = "the result file" if self.saved.parent.name == "daily" else "the replay"
                keys += ["   ", ("s", "bold"), f" download {what}"]
            yield Static(Content.assemble(*keys), id="results-keys")
        yield Footer()

    def _chaos_header(self) -> ComposeResult:
        g = self.game
        survived = g.chaos_score()
        best = self.best
        verdict = ("CHAOS: THE SLO BROKE", "bold $text-error") if g.lost_reason else ("CHAOS: STILL STANDING",
                                                                                     "bold $text-success")
        best_txt = "  a new best for this seed!" if self.new_best else (
            f"  best for seed {g.seed}: {best} ticks" if best is not None else "")
        yield Static(Content.assemble(verdict, "  ", ("survived ", "$text-muted"), (f"{survived}", "bold"),
                                      (" ticks", "$text-muted"), ("   wave ", "$text-muted"), (f"{g.wave}", "bold"),
                                      (best_txt, "$text-accent")), id="verdict")
        if g.lost_reason:
            yield Static(Content.styled(f"why: {g.lost_reason}", STYLE["bad"]), id="lost-reason")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "download" and not (self.app.is_web and self.saved is not None):
            return False        # in a terminal the file is on this machine already (the notice says where)
        return super().check_action(action, parameters)

    def action_download(self) -> None:
        """In the browser (kubegame web) the file lives on the server: hand the player a copy."""
        if self.saved is not None:
            self.app.deliver_text(self.saved, save_filename=self.saved.name, mime_type="application/json")

    def action_primary(self) -> None:
        if self.result.won and not self.chaos:
            self.action_next()
        else:
            self.action_retry()

    def action_retry(self) -> None:
        if self.chaos:
            self.app.play_again(self.game.again())    # the same seed (or day) again
            return
        self.app.open_briefing(self.level)

    def action_next(self) -> None:
        if self.chaos:
            return
        nxt = self.app.campaign.next_after(self.level.name)
        if nxt is None or nxt.level is None:
            self.notify("that was the last level", timeout=2)
            return
        self.app.open_briefing(nxt.level)

    def action_back(self) -> None:
        self.app.show_title()


def _story(lines: list[str]) -> str:
    return "### In this play\n\n" + "\n".join(f"- {line}" for line in lines)
