"""SVG snapshots of every screen at 80x24 and 120x40 (pytest-textual-snapshot).

Regenerate after a deliberate change with `pytest tests/tui --snapshot-update`, then look
at the SVGs (the report, or `rsvg-convert -w 1400 file.svg -o file.png`).
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input, TextArea
from tui_helpers import FIRST, NODE_FAILURE, type_command

from kubegame.tui.app import create_app

SIZES = [(80, 24), (120, 40)]


def _app(home, level=None, **opts):
    return create_app(level, clock=False, home=home, **opts)


async def _quiet(pilot) -> None:
    for w in pilot.app.screen.query(Input):
        w.cursor_blink = False
    for w in pilot.app.screen.query(TextArea):
        w.cursor_blink = False
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()


async def _game(pilot, ticks: int = 130, command: str = "kubectl get pods -o wide") -> None:
    pilot.app.advance(ticks)
    await pilot.pause()
    await type_command(pilot, command)
    await _quiet(pilot)


SCREENS = {
    "title": (None, {}, _quiet),
    "briefing": (NODE_FAILURE, {}, _quiet),
    "game": (NODE_FAILURE, {"skip_briefing": True}, _game),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, kubegame_home, screen, size):
    level, opts, before = SCREENS[screen]
    assert snap_compare(_app(kubegame_home, level, **opts), terminal_size=size, run_before=before)


async def _results(pilot) -> None:
    pilot.app.advance(700)
    await pilot.pause()
    await pilot.pause()
    await asyncio.wait_for(pilot.app.screen.hindsight_done.wait(), 60)   # the reference's line and story
    await pilot.pause()
    await _quiet(pilot)


async def _help(pilot) -> None:
    await pilot.press("question_mark")
    await _quiet(pilot)


async def _glossary(pilot) -> None:
    await pilot.press("g")
    await _quiet(pilot)


async def _confirm(pilot) -> None:
    await pilot.press("q")
    await _quiet(pilot)


async def _editor(pilot) -> None:
    await type_command(pilot, "kubectl edit deployment shop")
    await _quiet(pilot)


MODALS = {"results": _results, "help": _help, "glossary": _glossary, "confirm": _confirm, "editor": _editor}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(MODALS))
def test_over_the_game(snap_compare, kubegame_home, screen, size):
    assert snap_compare(_app(kubegame_home, NODE_FAILURE, skip_briefing=True), terminal_size=size,
                        run_before=MODALS[screen])


def test_first_level_won_results(snap_compare, kubegame_home):
    async def won(pilot):
        await type_command(pilot, "kubectl scale deployment hello --replicas=3")
        pilot.app.advance(400)
        await pilot.pause()
        await pilot.pause()
        await asyncio.wait_for(pilot.app.screen.hindsight_done.wait(), 60)
        await pilot.pause()
        await _quiet(pilot)

    assert snap_compare(_app(kubegame_home, FIRST, skip_briefing=True), terminal_size=(120, 40), run_before=won)
