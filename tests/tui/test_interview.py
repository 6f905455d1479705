"""Interview mode in the full screen (issue 20): the rules, incidents on the game screen with the
time left in the header, the root-cause question after each, handing in, the time running out,
and the report, which is saved and verifies. Time is moved by the test (a fake wall clock)."""

from __future__ import annotations

import asyncio
import json

from tui_helpers import output_text, type_command

from kubegame.interview import files
from kubegame.tui.screens.game import GameScreen
from kubegame.tui.screens.interview import InterviewIntroScreen, InterviewReportScreen, QuestionScreen
from kubegame.tui.screens.modals import ConfirmScreen
from kubegame.tui.screens.title import TitleScreen
from kubegame.tui.widgets.header import GameHeader


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_interview_from_the_title_shows_the_days_set_and_esc_goes_back(make_app):
    from kubegame.daily import daily_seed, today
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, InterviewIntroScreen)
        iv = app.screen.interview
        assert iv.seed == daily_seed(today()) and iv.started is None      # the clock waits for Enter
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen) and iv.started is None


async def test_a_short_interview_played_to_its_report(make_app, kubegame_home):
    clock = Clock()
    app = make_app(interview=(7, 3), interview_clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, InterviewIntroScreen)
        await pilot.press("enter")
        await pilot.pause()
        iv = app.interview_flow.interview
        screen = app.screen
        assert isinstance(screen, GameScreen) and screen.game.number == 1
        assert "incident 1/8 · 3:00 left" in screen.query_one(GameHeader).plain
        assert f"Task: {iv.incidents[0].task}" in " ".join(output_text(app).split())
        await pilot.press("h")                                   # an exam has no hints
        assert "there are no hints in an interview" in output_text(app)

        # incident 1: solved by typing its fix, its clock runs out by itself, then the question
        await type_command(pilot, "kubectl get pods")
        await type_command(pilot, iv.incidents[0].level.solution[0].run)
        clock.now += 50
        while not isinstance(app.screen, QuestionScreen):
            screen.advance(50)
            await pilot.pause()
        assert "its clock has run out" in str(app.screen.query_one("#brief-title").render())
        first = iv.incidents[0]
        await pilot.press("abcd"[first.answer])
        await pilot.pause()

        # incident 2: handed in at once with q, y; the question skipped with s
        assert isinstance(app.screen, GameScreen) and app.screen.game.number == 2
        assert "2:10 left" in app.screen.query_one(GameHeader).plain
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, QuestionScreen) and "handed in" in str(
            app.screen.query_one("#brief-title").render())
        await pilot.press("s")
        await pilot.pause()

        # incident 3: the time runs out while it is played
        assert isinstance(app.screen, GameScreen) and app.screen.game.number == 3
        clock.now += 200
        app.interview_flow.check_time()
        await pilot.pause()
        await pilot.pause()
        report = app.screen
        assert isinstance(report, InterviewReportScreen)
        await asyncio.wait_for(report.analysed.wait(), 60)
        await pilot.pause()
        ended = [r.ended for r in iv.results]
        assert ended == ["finished", "handed in", "time up"] + ["not reached"] * 5
        assert iv.results[0].points == 100 and iv.results[0].first_look[1] == "kubectl get pods"
        assert iv.results[1].answer is None and iv.results[2].answer is None
        score = str(report.query_one("#report-score").render())
        assert score.startswith(f"{iv.report().percent:g}% ") and "not passed" in score
        text = report._markdown()
        assert "first diagnostic at tick 0 (kubectl get pods), mitigated at tick 0" in text
        assert "the time ran out before this incident" in text and "Practise next" in text
        (path,) = (kubegame_home / "interviews").glob("7-*.json")
        ok, message = files.verify(json.loads(path.read_text()), str(path))
        assert ok, message
        assert app.progress.best(files.progress_key(7))["bestScore"] == round(iv.report().percent)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TitleScreen)


async def test_keys_typed_as_an_incident_ends_do_not_answer_its_question(make_app):
    clock = Clock()
    app = make_app(interview=(7, 30), interview_clock=clock, key_grace=30)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        app.screen.end_now()
        await pilot.pause()
        await pilot.pause()
        question = app.screen
        assert isinstance(question, QuestionScreen) and question.in_grace
        await pilot.press("a", "b", "1", "s")                  # typed for the game screen: swallowed
        await pilot.pause()
        assert app.screen is question and app.interview_flow.interview.results[0].answer is None
        question.end_grace()
        await pilot.press("c")
        await pilot.pause()
        assert app.interview_flow.interview.results[0].answer == 2
        assert isinstance(app.screen, GameScreen) and app.screen.game.number == 2
