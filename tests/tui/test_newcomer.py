"""The game as a newcomer meets it (issue 13): the output pane, the header, stray keys, pipes,
k9s-style views, the pager, the filter's note, chaos's own end screen.

Pilot tests at 80x24 and 120x40 on the real app and the real Game; time is stepped by the test.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import DataTable
from tui_helpers import FIRST, NODE_FAILURE, output_text, type_command

from kubegame.tui.screens.briefing import BriefingScreen
from kubegame.tui.screens.game import Console, GameScreen
from kubegame.tui.screens.modals import ConfirmScreen
from kubegame.tui.screens.pager import PagerScreen
from kubegame.tui.screens.results import ResultsScreen
from kubegame.tui.screens.title import TitleScreen
from kubegame.tui.widgets.header import GameHeader, layout
from kubegame.tui.widgets.output import OutputPane
from kubegame.tui.widgets.resources import ResourceView

SIZES = [(80, 24), (120, 40)]


def pane(app) -> OutputPane:
    return app.screen.query_one(OutputPane)


# -- the output pane ---------------------------------------------------------------------------------

@pytest.mark.parametrize("size", SIZES)
async def test_long_output_starts_at_its_top_scrolls_and_zooms(make_app, size):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl describe node worker-1")
        await pilot.pause()
        out = pane(app)
        height = out.scrollable_content_region.height
        assert len(out.lines) > height                     # longer than the pane
        top = int(out.scroll_y)
        assert out.lines[top].text.startswith("$ kubectl describe node worker-1")   # shown from its top
        console = app.screen.query_one(Console)
        assert "more" in str(console.border_subtitle)        # and it says there is more
        await pilot.press("pagedown")                        # PgDn from the command line scrolls it
        await pilot.pause()
        assert int(out.scroll_y) > top
        await pilot.press("pageup")
        await pilot.pause()
        assert int(out.scroll_y) == top
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert out.is_vertical_scroll_end
        await pilot.press("ctrl+o")                          # zoom: the console takes the screen
        await pilot.pause()
        assert app.screen.maximized is console
        assert out.scrollable_content_region.height > height
        assert app.screen.query_one(GameHeader).display      # the header stays
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen.maximized is None


@pytest.mark.parametrize("size", SIZES)
async def test_wide_tables_scroll_sideways_and_messages_wrap(make_app, size):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl get nodes -o wide")
        out = pane(app)
        width = out.scrollable_content_region.width
        header = next(ln.text for ln in out.lines if "INTERNAL-IP" in ln.text)
        assert "CONTAINER-RUNTIME" in header               # the whole row is kept, not cut
        if len(header.rstrip()) > width:
            assert out.max_scroll_x > 0                      # ... and reachable by scrolling sideways
        long_error = "kubectl get pods --selector=" + "x" * 150
        await type_command(pilot, long_error)
        text = "".join(ln.text.strip() for ln in out.lines)
        assert "x" * 150 in text.replace(" ", "")
        # an error is wrapped to the pane, never cut at its edge
        assert all(ln.cell_length <= max(width, 1) + 1 for ln in out.lines[-4:] if "x" * 10 in ln.text)


@pytest.mark.parametrize("size", SIZES)
async def test_completion_lists_and_hints_are_never_cut(make_app, size):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("colon")
        cmd = app.screen.query_one("#command")
        cmd.value = "kubectl "
        cmd.cursor_position = len(cmd.value)
        await pilot.press("tab")
        await pilot.pause()
        out = pane(app)
        width = out.scrollable_content_region.width
        words = " ".join(ln.text.strip() for ln in out.lines).split()
        for verb in ("get", "describe", "rollout", "uncordon", "api-resources"):
            assert verb in words, verb                      # every candidate is readable
        assert all(ln.cell_length <= width + 1 for ln in out.lines if "describe" in ln.text)


@pytest.mark.parametrize("width", range(80, 201, 7))
def test_header_keeps_tick_speed_and_score_whole_at_any_width(width):
    for score, tick, cost in ((812, 132, 396), (1000, 599, 2399)):
        text = layout(width, chapter=4, title="The Night the Node Died, a very long title indeed", tick=tick,
                      duration=600, speed=16, paused=False, cost=cost, budget=2400, score=score).plain
        assert len(text) <= width
        assert f"tick {tick}/600" in text and f"score {score}" in text and "▶ 16x" in text
        assert f"cost {cost}/2400" in text


async def test_header_at_80_columns_in_the_sandbox_keeps_pause_and_speed(make_app):
    from kubegame import modes
    app = make_app(game=modes.sandbox_game())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.advance(3)
        await pilot.press("space")
        await pilot.pause()
        text = app.screen.query_one(GameHeader).plain
        assert "paused" in text and "tick 3" in text and "/1000000" not in text
        await pilot.press("space")
        await pilot.press("plus")
        await pilot.pause()
        assert "▶ 4x" in app.screen.query_one(GameHeader).plain


# -- stray keys ----------------------------------------------------------------------------------------

async def _win_the_first_level(app, pilot) -> None:
    await pilot.pause()
    await type_command(pilot, "kubectl scale deployment hello --replicas=3")
    app.advance(400)
    await pilot.pause()
    assert isinstance(app.screen, ResultsScreen)


async def test_keys_typed_as_the_level_ends_do_nothing_on_the_results(make_app):
    app = make_app(FIRST, skip_briefing=True, key_grace=2.0)
    async with app.run_test(size=(120, 40)) as pilot:
        await _win_the_first_level(app, pilot)
        results = app.screen
        # typing aimed at the command line, `n` and `s` included
        await pilot.press(*["space" if k == " " else k for k in "kubectl get nodes"], "enter")
        await pilot.pause()
        assert app.screen is results                # nothing happened
        await asyncio.sleep(2.1)                    # a quiet keyboard: now keys act
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)


async def test_the_footer_shows_the_keys_again_when_the_grace_ends(make_app):
    """Found playing in the browser: back at the title after a level, the footer stayed empty."""
    from textual.widgets._footer import FooterKey

    def keys(app) -> set[str]:
        return {k.description for k in app.screen.query(FooterKey)}

    app = make_app(FIRST, skip_briefing=True, key_grace=1.5)
    async with app.run_test(size=(120, 40)) as pilot:
        await _win_the_first_level(app, pilot)
        assert "levels" not in keys(app)            # during the grace the keys do nothing, and say so
        await asyncio.sleep(1.7)
        await pilot.pause()
        assert "levels" in keys(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        assert "quit" not in keys(app)
        await asyncio.sleep(1.7)
        await pilot.pause()
        assert {"quit", "unlock all", "glossary"} <= keys(app)


async def test_unlock_all_needs_its_confirmation(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")                      # cancel: nothing unlocked
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen) and not app.unlock_all
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.unlock_all


async def test_the_first_chapter_waits_for_the_player(make_app):
    app = make_app(FIRST, skip_briefing=True, clock=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.waiting and not screen.running
        assert "space starts" in screen.query_one(GameHeader).plain
        await asyncio.sleep(0.5)                    # the timer runs, the clock does not
        assert screen.game.now == 0
        await type_command(pilot, "kubectl get pods")   # a command starts it
        assert not screen.waiting and screen.running


async def test_a_level_of_chapter_four_starts_running(make_app):
    app = make_app(NODE_FAILURE, skip_briefing=True, clock=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.screen.waiting and app.screen.running


# -- pipes, pager, filter -------------------------------------------------------------------------------

async def test_pipes_and_the_pager(make_app):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl get pods | grep -c shop")
        assert output_text(app).splitlines()[-1].strip() == "3"
        await type_command(pilot, "kubectl get pods -o json | jq -r '.items[0].spec.nodeName'")
        assert output_text(app).splitlines()[-1].strip().startswith("worker-")
        await type_command(pilot, "kubectl describe node worker-1 | less")
        await pilot.pause()
        assert isinstance(app.screen, PagerScreen)
        assert "Capacity:" in app.screen.text
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)


async def test_the_filter_says_when_nothing_matches(make_app):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#nodes").focus()
        await pilot.press("slash")
        await pilot.pause()
        f = app.screen.query_one("#filter")
        f.value = "no-such-node"
        await pilot.pause()
        note = app.screen.query_one("#filter-note")
        assert note.display and "no-such-node" in str(note.render())
        f.value = "worker-1"
        await pilot.pause()
        assert not note.display


# -- k9s-style views -------------------------------------------------------------------------------------

async def _view(pilot, word: str) -> ResourceView:
    await type_command(pilot, word)
    await pilot.pause()
    rv = pilot.app.screen.query_one(ResourceView)
    assert rv.display and pilot.app.screen.focused is rv
    return rv


@pytest.mark.parametrize("size", SIZES)
async def test_views_keys_act_on_the_selected_row(make_app, size):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        rv = await _view(pilot, ":deploy")
        assert [r.name for r in rv.rows_shown] == ["shop"]
        await pilot.press("d")
        assert "$ kubectl describe deployment shop" in output_text(app)
        await pilot.press("y")
        assert "kind: Deployment" in output_text(app)
        await pilot.press("enter")                      # drill down: the Deployment's pods
        await pilot.pause()
        assert rv.scope.resource.kind == "Pod" and len(rv.rows_shown) == 3
        pods = [r.name for r in rv.rows_shown]
        await pilot.press("down")
        await pilot.pause()
        chosen = rv.selected().name
        assert chosen == pods[1]
        await pilot.press("l")
        assert f"$ kubectl logs {chosen} --tail=50" in output_text(app)
        await pilot.press("ctrl+d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert f'pod "{chosen}" deleted' in output_text(app)
        app.advance(1)
        await pilot.pause()
        await pilot.press("escape")                     # back up to the Deployments
        await pilot.pause()
        assert rv.scope.resource.kind == "Deployment"
        await pilot.press("escape")                     # and to the board
        await pilot.pause()
        assert not rv.display and app.screen.query_one("#board").display


async def test_view_rows_follow_the_cluster_and_keys_remap(make_app):
    app = make_app(NODE_FAILURE, skip_briefing=True, keymap={"view.describe": "i"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        rv = await _view(pilot, "pods")                  # k9s's names work without the colon too
        assert len(rv.rows_shown) == 3
        app.screen.game.submit("kubectl scale deployment shop --replicas=5")
        app.advance(2)
        await pilot.pause()
        assert len(rv.rows_shown) == 5                   # the table follows the ticks
        assert isinstance(rv, DataTable)
        await pilot.press("i")
        assert "$ kubectl describe pod " in output_text(app)
        await type_command(pilot, ":nosuch")
        assert "no view ':nosuch'" in output_text(app)


async def test_shell_in_a_pod(make_app):
    from kubegame.tui.screens.podshell import PodShellScreen
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _view(pilot, ":pods")
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, PodShellScreen)
        box = app.screen.query_one("#podshell-input")
        box.value = "env"
        await pilot.press("enter")
        await pilot.pause()
        log = "\n".join(ln.text for ln in app.screen.query_one("#podshell-log").lines)
        assert "/ # env" in log and "HOSTNAME=" in log
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)


# -- honest ends ---------------------------------------------------------------------------------------------

async def test_chaos_has_its_own_end_screen(make_app, kubegame_home):
    from kubegame import modes
    game = modes.chaos_game(seed=3)
    app = make_app(game=game)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        for _ in range(40):
            screen.advance(100)
            if isinstance(app.screen, ResultsScreen):
                break
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        verdict = app.screen.query_one("#verdict").render_line(0).text
        assert "survived" in verdict and "wave" in verdict
        assert not app.screen.query("#score")           # no 0-1000 score, no objectives out of 400
        assert app.screen.timeline.duration == 0        # the chart spans the ticks played
        story = app.screen.query_one("#play-story").source
        assert "In this play" in story and "at tick" in story


async def test_a_lost_level_is_never_a_new_best(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.advance(500)                                # idle: the level is lost
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen) and not app.screen.result.won
        assert "new best" not in app.screen.query_one("#verdict").render_line(0).text
        assert not app.screen.new_best
        assert app.progress.best(FIRST).get("bestScore") == 0


async def test_the_daily_challenge_from_the_title_saves_a_result_that_verifies(make_app, kubegame_home):
    from kubegame import daily
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("d")                              # the day's run, through its briefing
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.game.level.title == f"Daily challenge {daily.today()}"
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GameScreen) and isinstance(screen.game, daily.DailyGame)
        await type_command(pilot, "kubectl scale deployment shop --replicas=8")
        for _ in range(20):
            screen.advance(100)
            if isinstance(app.screen, ResultsScreen):
                break
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        (path,) = (kubegame_home / "daily").glob(f"{daily.today()}-*.json")
        verdict = daily.verify(daily.read_result(str(path)), str(path))
        assert verdict.ok and verdict.score == screen.game.chaos_score() > 0
        assert app.progress.best(daily.progress_key(daily.today()))["bestScore"] == verdict.score
        await pilot.press("r")                              # again: the same day, not another seed
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.game.seed == daily.daily_seed(daily.today())


async def test_the_results_chart_marks_your_commands_and_draws_the_reference(make_app):
    from kubegame.tui.widgets.chart import TimelineChart
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl get pods")
        await type_command(pilot, "kubectl scale deployment hello --replicas=3")
        app.advance(400)
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        await asyncio.wait_for(app.screen.hindsight_done.wait(), 60)
        await pilot.pause()
        chart = app.screen.query_one(TimelineChart)
        text = chart.render().plain
        you = next(line for line in text.splitlines() if line.startswith("you"))
        assert you.count("▲") == 1                           # the scale; the look shares its column
        assert any(line.startswith("reference") for line in text.splitlines())
        story = app.screen.query_one("#play-story").source
        assert "the reference spends" in story


async def test_the_longest_title_keeps_its_column_on_the_title_screen(make_app):
    """Seen in the browser: "Ship It Without Dropping a Request locked: ..." ran into its column."""
    from textual.widgets import OptionList
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        ol = app.screen.query_one("#levels", OptionList)
        rows = [ol.get_option_at_index(i).prompt.plain for i in range(ol.option_count)]
        locked = [r for r in rows if "locked: win" in r]
        assert len(locked) > 5
        assert len({r.index("locked: win") for r in locked}) == 1          # one column for every row
        assert all(r[r.index("locked: win") - 1] == " " for r in locked)
        assert any("Ship It Without Dropping a Request " in r for r in locked)
