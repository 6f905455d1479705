"""The Textual app: screens wired together, one factory for tests and one entry for the CLI.

    create_app(level_ref=None, **opts) -> KubeGameApp     # builds, does not run (tests, snapshots)
    run_game(level_ref=None, **opts) -> int                # `kubegame play [LEVEL]`: runs, returns the exit status

Options: seed, speed (1, 2, 4, 8, 16; default 2), clock (False: no timer, time only moves
through `app.advance(n)`; the first chapter then starts running, not waiting), key_grace (seconds
the results and title screens ignore keys after a level ends; default 1), unlock_all, home (where history, progress, replays and an optional
keymap.json live; default $KUBEGAME_HOME or the user data directory), levels_dir, theme,
skip_briefing.

The app never computes game rules: it renders what `kubegame.game.Game` reports and sends
the player's commands to it.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding

from kubegame.progress import Progress, save_replay
from kubegame.tui import catalog
from kubegame.tui.screens.title import TitleScreen
from kubegame.tui.speeds import SPEEDS
from kubegame.tui.storage import History
from kubegame.tui.storage import home as default_home

if TYPE_CHECKING:
    from kubegame.game import Game
    from kubegame.level.model import Level
    from kubegame.tui.screens.game import GameScreen
    from kubegame.tui.widgets.chart import Timeline

# The title screen needs neither the engine nor the game screen: they are imported when a level
# starts, so `kubegame` shows its title in about half the time (issue 23, ui_first_frame_ms).


class KubeGameApp(App):
    CSS_PATH = "kubegame.tcss"
    TITLE = "kubegame"
    ENABLE_COMMAND_PALETTE = True
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]
    BINDINGS = [Binding("ctrl+c", "interrupt_or_quit", "quit", show=False, priority=True, id="app.quit")]

    def __init__(self, level: Level | None = None, *, game: Game | None = None, seed: int | None = None,
                 speed: int = 2, clock: bool = True,
                 unlock_all: bool = False, home: str | os.PathLike | None = None,
                 levels_dir: str | os.PathLike | None = None, campaign: catalog.Campaign | None = None,
                 theme: str | None = None, skip_briefing: bool = False, keymap: dict[str, str] | None = None,
                 key_grace: float | None = None, serve: bool = False, host_files: bool = True,
                 interview: tuple[int | None, float | None] | None = None,
                 interview_clock: Any = None):
        super().__init__()
        from kubegame.tui.grace import GRACE_S
        self.key_grace = GRACE_S if key_grace is None else key_grace   # seconds keys wait after a level ends
        self.start_level = level
        self.start_with = game          # a prepared Game (chaos, sandbox) to start at once
        self.serve = serve              # each level's cluster also behind the Kubernetes API (kubegame serve)
        self.host_files = host_files    # False: kubectl reads no file of this machine (kubegame web)
        self.seed = seed
        self.speed = speed if speed in SPEEDS else 2
        self.clock = clock
        self.unlock_all = unlock_all
        self.skip_briefing = skip_briefing
        self.home = Path(home) if home is not None else default_home()
        self.campaign = campaign if campaign is not None else catalog.load_campaign(levels_dir)
        self.progress = Progress(self.home)
        self.history = History(self.home / "history")
        self.game_screen: GameScreen | None = None
        self.last_result: Any = None
        self.interview_flow: Any = None     # the interview being played (kubegame/tui/screens/interview.py)
        self.start_interview_with = interview   # (seed, minutes): `kubegame interview` starts with its rules
        self.interview_clock = interview_clock or time.monotonic   # tests pass a clock they move
        if theme:
            self.theme = theme
        km = dict(_load_keymap(self.home))
        km.update(keymap or {})
        if km:
            self.set_keymap(km)

    # -- navigation -------------------------------------------------------------------------
    def on_mount(self) -> None:
        for w in self.progress.warnings:
            self.notify(w, severity="warning", timeout=8)
        if self.start_interview_with is not None:
            self.start_interview(*self.start_interview_with)
        elif self.start_with is not None:
            self.start_game(self.start_with, push=True)
        elif self.start_level is not None:
            game = self.new_game(self.start_level)
            if self.skip_briefing:
                self.start_game(game, push=True)
            else:
                from kubegame.tui.screens.briefing import BriefingScreen
                self.push_screen(BriefingScreen(game))
        else:
            self.push_screen(TitleScreen())

    def new_game(self, level: Level) -> Game:
        from kubegame.game import Game
        return Game(level, seed=self.seed)

    def show_screen(self, screen) -> None:
        """`screen` in place of the one shown (modals over it are closed)."""
        self._show(screen)

    def _show(self, screen) -> None:
        if len(self.screen_stack) <= 1:
            self.push_screen(screen)
        else:
            while len(self.screen_stack) > 2:
                self.pop_screen()
            self.switch_screen(screen)

    def show_title(self) -> None:
        self.game_screen = None
        self._show(TitleScreen(grace=self.last_result is not None))

    def open_briefing(self, level: Level) -> None:
        try:
            game = self.new_game(level)
        except Exception as exc:  # noqa: BLE001 - a level that cannot start is reported, not fatal
            self.notify(f"cannot start {level.name}: {exc}", severity="error", timeout=8)
            return
        from kubegame.tui.screens.briefing import BriefingScreen
        self.game_screen = None
        self._show(BriefingScreen(game))

    def start_game(self, game: Game, push: bool = False, on_finished: Any = None, on_leave: Any = None) -> GameScreen:
        """The game screen on `game`; by default its end shows the results and leaving the title
        (interview mode grades each incident and hands it in instead)."""
        from kubegame.tui.screens.game import GameScreen
        if not self.host_files:
            game.host_files = False
        screen = GameScreen(game, speed=self.speed, clock=self.clock, history=self.history,
                            on_finished=on_finished or self._finished, on_leave=on_leave or self.show_title,
                            serve=self.serve)
        if getattr(game, "endless", False):
            screen.timeline.duration = 0       # the chart spans the ticks played, not a million
        self.game_screen = screen
        self._show(screen)
        return screen

    def start_mode(self, mode: str, briefing: bool = True) -> None:
        """Chaos (endless seeded waves) or the sandbox (a cluster with a node pool, no objectives),
        through its briefing (Enter starts), so a stray key never throws the player into one."""
        from kubegame import modes
        game = modes.chaos_game(self.seed or 0) if mode == "chaos" else modes.sandbox_game(self.seed or 0)
        if briefing:
            self.play_again(game)
        else:
            self.start_game(game)

    def start_daily(self) -> None:
        """Today's daily challenge (kubegame/daily.py), through its briefing."""
        from kubegame.daily import DailyGame, today
        self.play_again(DailyGame(today()))

    def start_interview(self, seed: int | None = None, minutes: float | None = None) -> None:
        """Interview mode (kubegame/interview/): its rules first; Enter there starts the clock."""
        from kubegame.interview.session import DEFAULT_MINUTES, Interview
        from kubegame.tui.screens.interview import InterviewIntroScreen
        seed = self.seed if seed is None else seed
        if seed is None:
            from kubegame.daily import daily_seed, today
            seed = daily_seed(today())       # the day's set, unless a seed is given
        self.game_screen = None
        self._show(InterviewIntroScreen(Interview(seed, minutes or DEFAULT_MINUTES, clock=self.interview_clock)))

    def play_again(self, game: Game) -> None:
        """A prepared run (chaos, daily, the sandbox) through its briefing; the results screen's retry."""
        from kubegame.tui.screens.briefing import BriefingScreen
        self.game_screen = None
        self._show(BriefingScreen(game))

    def _finished(self, game: Game, timeline: Timeline) -> None:
        from kubegame import daily, modes
        from kubegame.tui.screens.results import ResultsScreen
        res = game.result()
        self.last_result = res
        new_best = False
        best: int | None = None
        keep: Path | None = None        # the file the results screen offers for download (kubegame web)
        try:
            if isinstance(game, daily.DailyGame):
                best = int(self.progress.best(daily.progress_key(game.date)).get("bestScore", 0))
                path = keep = daily.save_result(game, self.home, self.progress)
                new_best = game.chaos_score() > best
                self.notify(f"saved {path}: anyone can check it with kubegame replay --verify FILE", timeout=10)
            elif isinstance(game, modes.ChaosGame):
                best = modes.best_chaos(game.seed, self.home)
                new_best = modes.record_chaos(game, self.home)
            elif game.level.name != modes.SANDBOX_NAME:
                new_best = self.progress.record(game.level.name, res.score.total, res.score.stars, res.won)
        except OSError as exc:
            self.notify(f"could not save progress: {exc}", severity="warning")
        try:
            saved = save_replay(game.replay(), self.home)
            keep = keep or saved
        except (OSError, TypeError, ValueError) as exc:
            self.notify(f"could not save the replay: {getattr(exc, 'strerror', None) or exc}", severity="warning")
        self.call_later(self._show, ResultsScreen(game, timeline, new_best, best, saved=keep))

    MIN_PALETTE_ROWS = 10

    async def action_interrupt_or_quit(self) -> None:
        """Ctrl-C stops the command running in the game screen, as in a terminal; with none, it quits."""
        screen = self.screen
        if screen is self.game_screen and screen is not None and screen.interrupt():
            return
        await self.action_quit()

    def action_command_palette(self) -> None:
        """Textual's command palette, where it fits: on a terminal of a few rows its option list has
        no room for a page and Textual 8.2.8 fails on PageUp (OptionList._move_page, KeyError)."""
        if self.size.height < self.MIN_PALETTE_ROWS:
            self.notify(f"the command palette needs a terminal of at least {self.MIN_PALETTE_ROWS} rows",
                        severity="warning", timeout=3)
            return
        super().action_command_palette()

    # -- the manual step hook ----------------------------------------------------------------
    def advance(self, n: int = 1) -> None:
        """Advance the running level by n ticks (tests drive time with this, not with sleeps)."""
        if self.game_screen is not None:
            self.game_screen.advance(n)


def _load_keymap(home: Path) -> dict[str, str]:
    """Optional `keymap.json` in the data directory: {"game.pause": "p", ...} (binding ids to keys)."""
    try:
        data = json.loads((home / "keymap.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def create_app(level_ref: str | Level | None = None, **opts: Any) -> KubeGameApp:
    """Build the app without running it. `level_ref`: a bundled level's name, a file path, or a Level."""
    campaign = opts.pop("campaign", None)
    if campaign is None:
        campaign = catalog.load_campaign(opts.pop("levels_dir", None))
    level = None
    from kubegame.level.model import Level
    if isinstance(level_ref, Level):
        level = level_ref
    elif level_ref:
        level = catalog.resolve(level_ref, campaign)
    return KubeGameApp(level, campaign=campaign, **opts)


def run_game(level_ref: str | Level | None = None, **opts: Any) -> int:
    """Run the full-screen game; returns the process exit status (2 when the level cannot be loaded)."""
    try:
        app = create_app(level_ref, **opts)
    except Exception as exc:  # noqa: BLE001 - a bad LEVEL argument is a message, not a traceback
        print(f"kubegame: {exc}", file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0


def run_with_game(game: Game, **opts: Any) -> int:
    """Run the full-screen game on a prepared Game (`kubegame chaos`, `kubegame sandbox`)."""
    app = create_app(None, game=game, **opts)
    app.run()
    return app.return_code or 0


def run(level: Level | str | None = None, seed: int | None = None, **opts: Any) -> int:
    """What `kubegame play` calls (kubegame/cli.py): the same as run_game."""
    return run_game(level, seed=seed, **opts)
