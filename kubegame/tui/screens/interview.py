"""Interview mode's screens: the rules, the root-cause question after each incident, the report.

The flow (`InterviewFlow`) plays the incidents of a `kubegame.interview.session.Interview` one
after the other on the ordinary game screen; it owns the wall clock's timer, which hands the
running incident in when the time is up. The screens render what the Interview reports.
"""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from kubegame.tui.grace import KeyGrace

LETTERS = "abcd"


class InterviewFlow:
    """Incident after incident, the question after each, the report at the end."""

    def __init__(self, app: Any, interview: Any) -> None:
        self.app = app
        self.interview = interview
        self.timer: Any = None
        self.screen: Any = None        # the running incident's game screen
        self.ending = "finished"       # how the running incident ends: finished | handed in | time up

    def begin(self) -> None:
        self.interview.start()
        self.timer = self.app.set_interval(1.0, self.check_time, name="interview-clock")
        self.next()

    def next(self) -> None:
        i = self.interview.next_index
        if i is None:
            self.end()
            return
        self.ending = "finished"
        self.screen = self.app.start_game(self.interview.game(i), on_finished=self.finished,
                                          on_leave=self.hand_in)

    def hand_in(self, ending: str = "handed in") -> None:
        """The player handed the incident in (q, then yes) or the time is up: its clock runs to the
        end without more commands, then it is graded."""
        if self.screen is not None:
            self.ending = ending
            self.screen.end_now()

    def finished(self, game: Any, _timeline: Any) -> None:
        self.screen = None
        result = self.interview.grade(game, self.ending)
        if self.interview.time_up:
            self.end()
        else:
            self.app.call_later(self.app.show_screen, QuestionScreen(self, result))

    def answered(self, choice: int | None) -> None:
        self.interview.answer(choice)
        self.next()

    def check_time(self) -> None:
        """Each second: the header's time left, and the end when it is up."""
        if self.screen is not None and self.screen.is_attached:
            self.screen.refresh_view()
        if not self.interview.time_up:
            return
        if self.screen is not None:
            self.hand_in("time up")        # graded through finished(), which ends the interview
        elif isinstance(self.app.screen, QuestionScreen):
            self.end()

    def end(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
        self.interview.finish()
        self.app.call_later(self.app.show_screen, InterviewReportScreen(self.interview))


class InterviewIntroScreen(Screen):
    """The rules, before the clock starts: Enter starts, Esc goes back."""

    BINDINGS = [
        Binding("enter", "start", "start the clock", id="interview.start"),
        Binding("escape", "back", "back", id="interview.back"),
    ]

    def __init__(self, interview: Any) -> None:
        super().__init__(id="interview-intro")
        self.interview = interview

    def compose(self) -> ComposeResult:
        from kubegame.interview import session as s
        iv = self.interview
        n = len(iv.incidents)
        titles = "\n".join(f"{i + 1}. {inc.title}" for i, inc in enumerate(iv.incidents))
        text = (f"## Interview {iv.seed}\n\n{n} incidents, **{iv.minutes:g} minutes** of wall time for all of "
                f"them. Each one is a small broken cluster and a one-line task, as an exam words it.\n\n"
                f"- Each incident is worth {s.POINTS} points: its objectives share {s.OBJECTIVE_POINTS} by weight "
                f"(judged when its clock ends), the root-cause question after it {s.QUESTION_POINTS}.\n"
                "- There are no hints. `q` hands an incident in: its clock runs to the end without you.\n"
                "- When the time is up, the running incident is handed in and the rest score 0.\n"
                f"- {s.PASS_PERCENT}% passes. The report says how fast you looked and acted, what changed "
                f"nothing, and what to practise.\n\n### Today's incidents\n\n{titles}")
        with Vertical(id="brief-box"):
            yield Static(Content.styled(f"interview · seed {iv.seed}", "bold $text-accent"), id="brief-title")
            with VerticalScroll(id="brief-scroll"):
                yield Markdown(text, id="interview-rules")
            yield Static(Content.assemble(("Enter", "bold"), " start the clock   ", ("Esc", "bold"), " back"),
                         id="brief-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#brief-scroll").focus()

    def action_start(self) -> None:
        self.app.interview_flow = InterviewFlow(self.app, self.interview)
        self.app.interview_flow.begin()

    def action_back(self) -> None:
        self.app.show_title()


class QuestionScreen(KeyGrace, Screen):
    """The root-cause question: a-d (or 1-4, or a click) answers, s skips. Keys typed as the
    incident ended are swallowed (kubegame/tui/grace.py), so they never pick an answer."""

    BINDINGS = [Binding(k, f"choose({i})", show=False, id=f"question.{k}") for i, k in enumerate(LETTERS)] + [
        Binding(str(i + 1), f"choose({i})", show=False, id=f"question.{i + 1}") for i in range(4)] + [
        Binding("s", "choose(-1)", "skip the question", id="question.skip")]

    def __init__(self, flow: InterviewFlow, result: Any) -> None:
        super().__init__(id="question")
        self.flow = flow
        self.result = result
        self.start_grace()

    def compose(self) -> ComposeResult:
        inc = self.result.incident
        got = sum(o.passed for o in self.result.objectives)
        with Vertical(id="brief-box"):
            how = "handed in" if self.result.ended == "handed in" else "its clock has run out"
            yield Static(Content.styled(f"{inc.title}: {how}", "bold $text-accent"), id="brief-title")
            yield Static(f"Objectives met: {got} of {len(self.result.objectives)}.", id="question-score",
                         markup=False)
            yield Static(Content.assemble(("Root cause. ", "bold"), inc.question), id="question-text")
            options = OptionList(*[Option(f"{LETTERS[i]}) {text}", id=f"option-{i}")
                                   for i, text in enumerate(inc.options)], id="question-options")
            yield options
            yield Static(Content.assemble(("a-d", "bold"), " or ", ("1-4", "bold"), " answer (or click)   ",
                                          ("s", "bold"), " skip"), id="brief-keys")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#question-options").focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if self.in_grace:
            return
        self.action_choose(int(str(event.option.id).split("-")[1]))

    def action_choose(self, i: int) -> None:
        if i >= len(self.result.incident.options):
            return
        self.flow.answered(None if i < 0 else i)


class InterviewReportScreen(KeyGrace, Screen):
    """The report: the score, then each incident's story; hindsight (which changes mattered) is
    worked out off the UI's thread and added when done (`analysed` is set then)."""

    BINDINGS = [
        Binding("enter,escape", "back", "title", id="interview-report.back"),
        Binding("s", "download", "download", id="interview-report.download"),
    ]

    def __init__(self, interview: Any) -> None:
        super().__init__(id="interview-report")
        self.interview = interview
        self.analysed = asyncio.Event()
        self.saved: Any = None
        self.start_grace()

    def compose(self) -> ComposeResult:
        with Vertical(id="results-box"):
            yield Static("", id="report-score")
            with VerticalScroll(id="report-scroll"):
                yield Markdown(self._markdown(), id="report-text")
        yield Footer()

    def on_mount(self) -> None:
        self._show_score()
        self.run_worker(self._analyse, thread=True, exit_on_error=False, name="interview-analyse")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "download" and not (self.app.is_web and self.saved is not None):
            return False
        return super().check_action(action, parameters)

    def _analyse(self) -> None:
        self.interview.analyse()
        self.app.call_from_thread(self._analysed)

    async def _analysed(self) -> None:
        from kubegame.interview.files import save_report
        try:
            self.saved = save_report(self.interview.report(), self.app.home, self.app.progress)
            self.notify(f"saved {self.saved}", timeout=6)
        except OSError as exc:
            self.notify(f"could not save the report: {exc.strerror or exc}", severity="warning")
        try:
            await self.query_one("#report-text", Markdown).update(self._markdown())
        except NoMatches:
            pass
        self.analysed.set()

    def _show_score(self) -> None:
        from kubegame.interview.session import PASS_PERCENT
        rep = self.interview.report()
        style = "bold $text-success" if rep.passed else "bold $text-error"
        self.query_one("#report-score", Static).update(Content.assemble(
            (f"{rep.percent:g}% ", style), f"{rep.points:g} of {rep.total} points · ",
            ("passed" if rep.passed else "not passed", style), f" (pass mark {PASS_PERCENT}%)"))

    def _markdown(self) -> str:
        from kubegame.interview.session import incident_story
        rep = self.interview.report()
        parts = [f"## Interview {self.interview.seed}"]
        for r in rep.results:
            parts.append(f"### {r.number}. {r.incident.title}: {r.points:g}/100\n\n*{r.incident.task}*\n\n"
                         + "\n".join(f"- {line}" for line in incident_story(r)))
        if not self.interview.results or not all(r.analysed or r.game is None for r in self.interview.results):
            parts.append("*working out which of your changes made a difference …*")
        if rep.practise:
            parts.append("### Practise next\n\n" + "\n".join(
                f"- **{p['concept']}** ({p['pointsLost']:g} points lost)"
                + (f": levels {', '.join(p['levels'])}" if p["levels"] else "") for p in rep.practise))
        return "\n\n".join(parts)

    def action_back(self) -> None:
        self.app.interview_flow = None
        self.app.show_title()

    def action_download(self) -> None:
        if self.saved is not None:
            self.app.deliver_text(self.saved, save_filename=self.saved.name, mime_type="application/json")
