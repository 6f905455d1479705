"""The briefing: the level's Markdown, its objectives and the concepts it teaches, then start."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static


class BriefingScreen(Screen):
    BINDINGS = [
        Binding("enter", "start", "start", id="briefing.start"),
        Binding("escape", "back", "back", id="briefing.back"),
        Binding("g", "glossary", "glossary", id="briefing.glossary"),
    ]

    def __init__(self, game: Any) -> None:
        super().__init__(id="briefing")
        self.game = game
        self.level = game.level

    def compose(self) -> ComposeResult:
        lv = self.level
        with Vertical(id="brief-box"):
            chapter = f"chapter {lv.chapter} · " if lv.chapter is not None else ""
            yield Static(Content.assemble((f"{chapter}{lv.title}", "bold $text-accent")), id="brief-title")
            with VerticalScroll(id="brief-scroll"):
                yield Markdown(lv.briefing, id="brief-text")
                objs = "\n".join(f"- {s.label}" for s in self.game.objective_states) or "- survive"
                budget = f"\n\nBudget: **{lv.budget:g}** (a node costs {lv.cluster.cost_per_node_tick:g} per tick)." \
                    if lv.budget is not None else ""
                concepts = ", ".join(lv.concepts) or "-"
                yield Markdown(f"### Objectives\n\n{objs}\n\nThe level lasts **{lv.duration}** ticks "
                               f"(one tick is one second).{budget}\n\n**Concepts:** {concepts}", id="brief-goals")
            yield Static(Content.assemble(("Enter", "bold"), " start   ", ("Esc", "bold"), " back   ",
                                          ("g", "bold"), " glossary"), id="brief-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#brief-scroll").focus()

    def action_start(self) -> None:
        self.app.start_game(self.game)

    def action_back(self) -> None:
        self.app.show_title()

    def action_glossary(self) -> None:
        from kubegame.tui.screens.modals import GlossaryScreen

        self.app.push_screen(GlossaryScreen(self.level.concepts))
