"""Pilot tests: play bundled levels on the real Game through the real app, time stepped by the test."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea
from tui_helpers import FIRST, NODE_FAILURE, output_text, type_command

from kubegame.tui.screens.briefing import BriefingScreen
from kubegame.tui.screens.editor import EditorScreen
from kubegame.tui.screens.game import GameScreen
from kubegame.tui.screens.modals import ConfirmScreen, GlossaryScreen, HelpScreen
from kubegame.tui.screens.results import ResultsScreen
from kubegame.tui.screens.title import TitleScreen
from kubegame.tui.widgets.header import GameHeader
from kubegame.tui.widgets.nodes import NodeCard


def header_text(app) -> str:
    return app.screen.query_one(GameHeader).render_line(0).text


async def test_title_lists_the_campaign_with_locks_and_unlock_all(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        ol = app.screen.query_one("#levels")
        ids = [ol.get_option_at_index(i).id for i in range(ol.option_count)]
        assert f"level:{FIRST}" in ids and f"level:{NODE_FAILURE}" in ids
        assert ol.get_option(f"level:{NODE_FAILURE}").disabled        # locked until the one before is won
        assert not ol.get_option(f"level:{FIRST}").disabled
        await pilot.press("u")                                        # unlock-all asks first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert not app.screen.query_one("#levels").get_option(f"level:{NODE_FAILURE}").disabled
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.name == FIRST
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


async def test_briefing_shows_objectives_then_starts(make_app):
    app = make_app(FIRST)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        md = app.screen.query_one("#brief-goals")
        assert "hello" in md.source and "Objectives" in md.source
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        assert "Hello, Pod" in header_text(app)


async def test_commands_show_kubectl_output_and_errors(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl get nodes")
        out = output_text(app)
        assert "$ kubectl get nodes" in out
        assert "minikube" in out and "STATUS" in out
        await type_command(pilot, "kubectl get nosuchthing")
        assert "error" in output_text(app).lower()
        await type_command(pilot, "kubectl scale deployment hello --replicas=3")
        assert "deployment.apps/hello scaled" in output_text(app)
        app.advance(10)
        await pilot.pause()
        card = app.screen.query_one(NodeCard)
        assert len(card.pods) == 3


async def test_pause_step_and_speed(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.speed == 2 and "2x" in header_text(app)
        await pilot.press("plus", "plus", "plus", "plus")
        assert screen.speed == 16 and "16x" in header_text(app)
        await pilot.press("minus", "minus", "minus", "minus", "minus")
        assert screen.speed == 1
        await pilot.press("space")
        assert screen.paused and "paused" in header_text(app)
        t0 = screen.game.now
        await pilot.press("full_stop")
        assert screen.game.now == t0 + 1
        screen._on_timer()              # the clock does nothing while paused
        assert screen.game.now == t0 + 1
        await pilot.press("space")
        assert not screen.paused
        for _ in range(16):             # 1 tick/s: 16 timer beats of 1/16 s make one tick
            screen._on_timer()
        assert screen.game.now == t0 + 2


async def test_a_modal_pauses_time(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        t0 = screen.game.now
        for _ in range(64):
            screen._on_timer()
        assert screen.game.now == t0
        await pilot.press("escape")
        assert app.screen is screen
        for _ in range(8):
            screen._on_timer()
        assert screen.game.now == t0 + 1


async def test_win_the_first_level(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl scale deployment hello --replicas=3")
        app.advance(400)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert app.screen.result.won
        assert "LEVEL COMPLETE" in app.screen.query_one("#verdict").render_line(0).text
        assert app.progress.stars(FIRST) >= 1
        await pilot.press("enter")                                    # a win: Enter opens the next level
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.level.name == app.campaign.next_after(FIRST).name
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)
        # winning opens the next level of the campaign
        nxt = app.campaign.next_after(FIRST)
        assert nxt is not None
        assert not app.screen.query_one("#levels").get_option(f"level:{nxt.name}").disabled


async def test_lose_by_doing_nothing_then_retry(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.advance(500)
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        assert not app.screen.result.won
        assert "LEVEL LOST" in app.screen.query_one("#verdict").render_line(0).text
        assert app.screen.timeline.ticks          # the chart has the level's samples
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.game.now == 0


async def test_help_glossary_hint_and_leave(make_app):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        game_screen = app.screen
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert "game.pause" not in app.screen.query_one("#help-text").source
        assert "space" in app.screen.query_one("#help-text").source
        await pilot.press("escape")
        await pilot.press("g")
        assert isinstance(app.screen, GlossaryScreen)
        assert "Node" in app.screen.query_one("#glossary-text").source
        await pilot.press("escape")
        assert app.screen is game_screen
        await pilot.press("h")
        assert "hint: kubectl get pods -o wide shows which node" in output_text(app)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert app.screen is game_screen
        await pilot.press("q", "y")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


async def test_edit_opens_the_yaml_editor_errors_keep_the_text(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl edit deployment hello")
        assert isinstance(app.screen, EditorScreen)
        area = app.screen.query_one(TextArea)
        assert "replicas: 1" in area.text
        broken = area.text.replace("replicas: 1", "replicas: [oops")
        area.text = broken
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, EditorScreen)           # still open
        assert app.screen.query_one("#editor-error").display
        assert area.text == broken                              # nothing lost
        area.text = broken.replace("replicas: [oops", "replicas: 2")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, EditorScreen)
        assert "edited" in output_text(app)
        assert app.screen.game.cluster.get("Deployment", "default", "hello").spec["replicas"] == 2
        await type_command(pilot, "kubectl edit deployment hello")
        await pilot.press("escape")
        await pilot.pause()
        assert "Edit cancelled" in output_text(app)


async def test_e_edits_the_selected_node_and_click_describes(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.advance(5)
        await pilot.pause()
        await pilot.click(NodeCard, offset=(4, 0))
        await pilot.pause()
        out = output_text(app)
        assert "kubectl describe node minikube" in out and "Name:" in out
        await pilot.click(NodeCard, offset=(4, 2))           # the first pod glyph
        await pilot.pause()
        assert "kubectl describe pod hello-" in output_text(app)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        assert "kind: Pod" in app.screen.query_one(TextArea).text
        await pilot.press("escape")


async def test_history_is_kept_between_sessions_and_tab_completes(make_app, kubegame_home):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl get pods")
    assert (kubegame_home / "history").read_text().splitlines()[-1] == "kubectl get pods"
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("colon", "up")
        cmd = app.screen.query_one("#command", Input)
        assert cmd.value == "kubectl get pods"
        cmd.value = ""
        await pilot.press(*"kubectl scale deployment h", "tab")
        assert cmd.value == "kubectl scale deployment hello "
        cmd.value = "kubectl get po"
        cmd.cursor_position = len(cmd.value)
        await pilot.press("tab")
        assert "pods" in output_text(app)                      # several candidates are listed


async def test_an_exception_in_a_command_shows_and_does_not_crash(make_app):
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

        def boom(line, **kw):
            raise RuntimeError("kaboom")

        app.screen.game.submit = boom
        await type_command(pilot, "kubectl get pods")
        assert "RuntimeError: kaboom" in output_text(app)
        assert isinstance(app.screen, GameScreen)


async def test_explain_and_filter(make_app):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.advance(125)
        await pilot.pause()
        log = app.screen.query_one("#events")
        assert any("NodeFailure" in ln.text for ln in log.lines)
        # the nodes have focus: / filters the nodes
        await pilot.press("slash", *"worker-2")
        await pilot.pause()
        shown = [c.node_name for c in app.screen.query(NodeCard) if c.display]
        assert shown == ["worker-2"]
        await pilot.press("escape")
        await pilot.pause()
        assert len([c for c in app.screen.query(NodeCard) if c.display]) == 4      # and the control plane
        # focus the event log: / filters the events
        log.focus()
        await pilot.press("slash", *"zzz-no-match")
        await pilot.pause()
        assert not log.lines
        await pilot.press("escape")
        await pilot.pause()
        assert any("NodeFailure" in ln.text for ln in log.lines)
        await type_command(pilot, "explain NoSuchConcept")
        assert "no glossary entry" in output_text(app)


async def test_keys_can_be_remapped_by_binding_id(make_app):
    app = make_app(FIRST, skip_briefing=True, keymap={"game.pause": "p"})
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        assert app.screen.paused


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (60, 20), (200, 60)])
async def test_every_size_renders_and_resizing_never_crashes(make_app, size):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=size) as pilot:
        app.advance(150)
        await pilot.pause()
        await pilot.resize_terminal(40, 12)
        await pilot.pause()
        await pilot.resize_terminal(*size)
        await pilot.pause()
        assert "worker-2" in "".join(c.node_name for c in app.screen.query(NodeCard))
        assert app.screen.query_one(GameHeader).render_line(0).text.strip()


async def test_title_starts_chaos_and_sandbox(make_app):
    from kubegame import modes
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("c")                  # chaos opens its briefing; Enter starts it
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        assert isinstance(app.screen.game, modes.ChaosGame)
        app.advance(5)
        await pilot.pause()
        assert app.screen.game.now >= 5
        app.show_title()
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, BriefingScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)
        assert app.screen.game.level.name == modes.SANDBOX_NAME
        await type_command(pilot, "kubectl get nodes")
        assert "Ready" in output_text(app)


async def test_light_and_16_colour_themes_render_the_game(make_app):
    # light terminals and plain 16-colour ones: the board still renders, with glyphs and words
    for theme in ("textual-light", "ansi-dark", "ansi-light"):
        app = make_app(NODE_FAILURE, skip_briefing=True, theme=theme)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.theme == theme
            app.advance(3)
            await pilot.pause()
            assert isinstance(app.screen, GameScreen)
            cards = list(app.screen.query(NodeCard))
            assert cards and "Ready" in cards[0].render_line(0).text


async def test_a_running_command_streams_into_the_pane_and_ctrl_c_stops_it(make_app):
    """`kubectl get pods -w` prints as the ticks pass; Ctrl-C stops it (the app keeps running)."""
    app = make_app(FIRST, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await type_command(pilot, "kubectl get pods -w")
        game = app.screen.game
        assert game.active is not None and game.active.running
        assert "(running: Ctrl-C stops it)" in str(app.screen.query_one("#console").border_title)
        before = len(output_text(app).splitlines())
        game.cluster.scale("Deployment", "default", "hello", 3)
        app.advance(5)
        await pilot.pause()
        assert len(output_text(app).splitlines()) > before       # new rows came in, tick by tick
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)                # Ctrl-C stopped the command, not the app
        assert game.active is None and output_text(app).rstrip().endswith("^C")
        assert str(app.screen.query_one("#console").border_title) == "kubectl"
