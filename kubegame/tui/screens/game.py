"""The game screen: the cluster on the left, services and stakes on the right, the command line below.

Time: one timer (16 Hz) feeds ticks at the chosen speed; `advance(n)` is the manual
step hook tests use. No tick runs while another screen (a modal) is on top.
Each frame the screen asks the game for its view and updates the widgets in place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from kubegame.kubectl import views
from kubegame.tui import glossary
from kubegame.tui.screens.editor import EditorScreen
from kubegame.tui.screens.modals import ConfirmScreen, GlossaryScreen, HelpScreen
from kubegame.tui.screens.pager import PagerScreen
from kubegame.tui.screens.podshell import PodShellScreen
from kubegame.tui.speeds import SPEEDS
from kubegame.tui.storage import History
from kubegame.tui.view import STYLE, pod_state_glyph
from kubegame.tui.widgets.chart import Timeline
from kubegame.tui.widgets.command import CommandInput
from kubegame.tui.widgets.events import EventLog
from kubegame.tui.widgets.header import GameHeader
from kubegame.tui.widgets.nodes import NodeCard, NodeList, PodLegend
from kubegame.tui.widgets.objectives import ObjectiveList
from kubegame.tui.widgets.output import OutputPane
from kubegame.tui.widgets.resources import ResourceView
from kubegame.tui.widgets.services import ServiceList, ServiceRow

TIMER_HZ = 16
UI_WORDS = ("clear", "help", "?", "hint", "quit", "exit", "explain")
GAME_WORDS = ("kubectl", "k", "node", "etcd")


class Console(Vertical):
    """The output pane and the command line; `z` zooms it to the whole screen."""

    ALLOW_MAXIMIZE = True


class GameScreen(Screen):
    ALLOW_IN_MAXIMIZED_VIEW = "GameHeader, Footer"
    BINDINGS = [
        Binding("space", "toggle_pause", "pause", id="game.pause"),
        Binding("z,ctrl+o", "zoom", "zoom output", key_display="z", id="game.zoom"),
        Binding("pageup", "output_page(-1)", show=False, id="game.output_up"),
        Binding("pagedown", "output_page(1)", show=False, id="game.output_down"),
        Binding("shift+pageup", "output_page(-1)", show=False, priority=True, id="game.output_up_any"),
        Binding("shift+pagedown", "output_page(1)", show=False, priority=True, id="game.output_down_any"),
        Binding("ctrl+home", "output_edge(-1)", show=False, id="game.output_top"),
        Binding("ctrl+end", "output_edge(1)", show=False, id="game.output_end"),
        Binding("plus,equals_sign", "speed(1)", "faster", key_display="+", id="game.faster"),
        Binding("minus", "speed(-1)", "slower", key_display="-", id="game.slower"),
        Binding("full_stop", "step", "step", key_display=".", id="game.step"),
        Binding("colon", "focus_command", "command", key_display=":", id="game.command"),
        Binding("slash", "filter", "filter", key_display="/", id="game.filter"),
        Binding("question_mark", "help", "help", key_display="?", id="game.help"),
        Binding("h", "hint", "hint", id="game.hint"),
        Binding("e", "edit_selected", "edit", id="game.edit"),
        Binding("g", "glossary", "glossary", show=False, id="game.glossary"),
        Binding("q", "leave", "leave", id="game.leave"),
    ]

    def __init__(self, game: Any, *, speed: int = 2, clock: bool = True, history: History | None = None,
                 on_finished: Callable[[Any, Timeline], None] | None = None,
                 on_leave: Callable[[], None] | None = None, serve: bool = False) -> None:
        super().__init__(id="game")
        self.serve = serve
        self.api_server: Any = None        # kubegame serve on this screen's event loop (`--serve`)
        self.game = game
        self.level = game.level
        self.speed = speed if speed in SPEEDS else 2
        self.paused = False
        # the first chapter waits for the player: the clock starts with space or the first command
        self.waiting = bool(clock) and getattr(self.level, "chapter", None) == 1
        self.clock = clock
        self.history = history if history is not None else History()
        self.on_finished = on_finished
        self.on_leave = on_leave
        self.timeline = Timeline(duration=self.level.duration)
        self.selected: tuple[str, str, str] | None = None     # (kind, namespace, name)
        self._credit = 0.0
        self._pending_events: list = []
        self._done = False
        self.frame_times: list[float] = []                    # seconds per frame update (measure.py)

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield GameHeader(id="header")
        yield ResourceView(id="view")
        with Horizontal(id="board"):
            with Vertical(id="left"):
                nodes = NodeList(id="nodes")
                nodes.border_title = "nodes"
                yield nodes
                yield Static("", id="pending", markup=False)
                yield PodLegend(id="legend")
            with Vertical(id="right"):
                services = ServiceList(id="services")
                services.border_title = "services"
                yield services
                objectives = ObjectiveList(id="objectives")
                objectives.border_title = "objectives"
                yield objectives
                yield Input(placeholder="filter: type to filter the focused list, Esc clears", id="filter")
                yield Static("", id="filter-note", markup=False)
                events = EventLog(id="events")
                events.border_title = "events"
                yield events
        with Console(id="console") as console:
            console.border_title = "kubectl"
            yield OutputPane(id="output")
            yield CommandInput(self.history, completer=self._complete, id="command")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#filter").display = False
        self.query_one("#filter-note").display = False
        self.query_one(ResourceView).display = False
        out = self.query_one(OutputPane)
        start = "The clock starts when you press space or run a command. " if self.waiting else ""
        intro = getattr(self.game, "intro_note", "")
        if intro:
            out.note(intro, "bold $text-accent")
        out.note(f"{self.level.title}: {start}Press : to type a command (try kubectl get pods), ? for help, "
                 "space to pause, z to zoom this pane, :pods for a table of pods.")
        self.refresh_view()
        self.query_one("#nodes").focus()
        if self.clock:
            self.set_interval(1 / TIMER_HZ, self._on_timer, name="game-clock")
        if self.serve:
            self.run_worker(self._start_serving(), name="kubegame-serve", exit_on_error=False)

    async def _start_serving(self) -> None:
        """The Kubernetes API over this game, on the app's own event loop: requests run between the
        screen's ticks, the typed command line and outside clients act on one cluster."""
        from kubegame import serve
        from kubegame.apiserver.http import Server, new_token
        token = new_token()
        server = Server(self.game, token, lambda: serve.player(self.game.cluster))
        try:
            port = await server.start()
        except OSError as exc:
            self.query_one(OutputPane).error(f"kubegame serve: cannot listen on 127.0.0.1: {exc.strerror or exc}")
            return
        self.api_server = server
        serve.write_state(port, token, server.certs.ca_pem, self.level.name, serve.default_namespace(self.game.cluster))
        if serve.web_tab():
            how = "the page's “real kubectl” button gives its kubeconfig"
        else:
            how = ("in another terminal: kubegame kubeconfig --write /tmp/kubegame.yaml, then "
                   "KUBECONFIG=/tmp/kubegame.yaml kubectl get pods")
        self.query_one(OutputPane).note(f"kubegame serve: this cluster is on https://127.0.0.1:{port}; {how}")

    async def on_unmount(self) -> None:
        if self.api_server is not None:
            from kubegame import serve
            serve.clear_state(self.api_server.token)
            await self.api_server.stop()
            self.api_server = None

    # -- time --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """Time runs only when this screen is on top (no modal open), not paused, not waiting, not over."""
        return not self.paused and not self.waiting and not self._done and self.app.screen is self

    def _on_timer(self) -> None:
        if not self.running:
            return
        self._credit += self.speed / TIMER_HZ
        n = int(self._credit)
        if n:
            self._credit -= n
            self.advance(n)

    def advance(self, n: int = 1) -> None:
        """Run n ticks of the game, then update the screen once (the manual step hook)."""
        if self._done:
            return
        finished = False
        for _ in range(max(0, n)):
            try:
                report = self.game.step()
            except Exception as exc:  # noqa: BLE001 - an engine bug shows, it does not crash the UI
                self.query_one(OutputPane).error(f"error: the simulation failed at tick {self.game.now}: "
                                                 f"{type(exc).__name__}: {exc}")
                self.paused = True
                break
            self._record(report)
            self._show_stream(report)
            if self.api_server is not None:
                self.api_server.ticked()
            if report.finished:
                finished = True
                break
        self.refresh_view()
        if finished:
            self._finish()

    def _record(self, report: Any) -> None:
        self._pending_events.extend(report.events)
        last = self.game.cluster.traffic.last
        arrived = sum(s.arrived for s in last.values())
        served = sum(s.served for s in last.values())
        self.timeline.add(report.tick, 100.0 if arrived == 0 else 100.0 * served / arrived, arrived, report.cost)
        for m in report.messages:
            if getattr(m, "source", "") == "scenario" and m.reason != "Message":
                self.timeline.marks.append((m.tick, m.reason, m.message))

    def _show_stream(self, report: Any) -> None:
        """The running command's lines of this tick go to the output pane as they come."""
        res = getattr(report, "stream", None)
        if res is None:
            return
        out = self.query_one(OutputPane)
        if report.stream_output:
            out.output(report.stream_output)
        if report.stream_error:
            out.error(report.stream_error)
        if not res.running:
            self._update_console_title()

    def interrupt(self) -> bool:
        """Ctrl-C: stop the running command (`get -w`, `rollout status`, `logs -f`); False when none runs."""
        res = self.game.interrupt() if getattr(self.game, "active", None) is not None else None
        if res is None:
            return False
        self.query_one(OutputPane).note("^C")
        self._update_console_title()
        return True

    def _update_console_title(self) -> None:
        res = getattr(self.game, "active", None)
        console = self.query_one(Console)
        console.border_title = "kubectl" if res is None or not res.running else \
            f"kubectl: {res.line} (running: Ctrl-C stops it)"

    def end_now(self) -> None:
        """No more commands: the game's clock runs to its end at once, headless (interview mode hands
        an incident in this way), then the screen finishes as if it had played out."""
        if self._done:
            return
        self._done = True
        try:
            self.game.play_to_end()
        except Exception as exc:  # noqa: BLE001 - an engine bug shows, it does not crash the UI
            self.notify(f"the simulation failed at tick {self.game.now}: {type(exc).__name__}: {exc}",
                        severity="error")
        if self.on_finished is not None:
            self.on_finished(self.game, self.timeline)

    def _finish(self) -> None:
        self._done = True
        if self.on_finished is not None:
            self.on_finished(self.game, self.timeline)

    # -- rendering ---------------------------------------------------------------------------
    def refresh_view(self) -> None:
        t0 = time.perf_counter()
        g = self.game
        view = g.view()
        endless = bool(getattr(g, "endless", False))
        chaos = hasattr(g, "chaos_score")
        self.query_one(GameHeader).show(
            chapter=self.level.chapter, title=self.level.title, tick=view.tick, duration=view.duration,
            speed=self.speed, paused=self.paused, cost=view.cost, budget=view.budget,
            score=g.chaos_score() if chaos else view.score, finished=view.finished, endless=endless,
            score_label="survived" if chaos else ("" if endless else "score"), waiting=self.waiting,
            extra=g.header_note() if hasattr(g, "header_note") else f"wave {g.wave}" if chaos and g.wave else "")
        rv = self.query_one(ResourceView)
        if rv.display:
            rv.sync(g.cluster)
        self.query_one(NodeList).sync(view.nodes)
        self.query_one(ServiceList).sync(view.services)
        self.query_one(ObjectiveList).sync(view.objectives)
        if self._pending_events:
            self.query_one(EventLog).add(self._pending_events)
            self._pending_events = []
        self._show_pending()
        self.frame_times.append(time.perf_counter() - t0)
        del self.frame_times[:-2000]

    def _show_pending(self) -> None:
        pending = [p for p in self.game.cluster.scheduler.pending() if not p.node_name and p.active]
        widget = self.query_one("#pending", Static)
        widget.display = bool(pending)
        if pending:
            g, _w, sev = pod_state_glyph("pending")
            names = ", ".join(p.name for p in pending[:3]) + (" ..." if len(pending) > 3 else "")
            widget.update(Content.assemble((f" {g} {len(pending)} pending (unscheduled): ", STYLE[sev]), names))

    # -- commands ----------------------------------------------------------------------------
    def _complete(self, text: str) -> list[str]:
        from kubegame import kubectl

        return list(kubectl.complete(self.game.cluster, text))

    @on(Input.Submitted, "#command")
    def _submitted(self, event: Input.Submitted) -> None:
        line = event.value
        event.input.value = ""
        if not line.strip():
            return
        self.query_one(CommandInput).remember(line)
        self.run_command(line)

    def run_command(self, line: str) -> None:
        """Run one line: a few words are the UI's own (help, hint, explain, clear, :VIEW); the rest go to
        the game. A long answer is shown from its first line (the pane pages it)."""
        out = self.query_one(OutputPane)
        out.begin_block()
        try:
            self._run_line(line)
        finally:
            out.end_block()

    def _run_line(self, line: str) -> None:
        out = self.query_one(OutputPane)
        words = line.split()
        if self.waiting:
            self._start_clock()
        if words and len(words) == 1 and (words[0].startswith(":") or words[0] not in UI_WORDS + GAME_WORDS) \
                and self._open_view(words[0]):
            return
        out.command(line)
        if not words:
            return
        verb = words[0]
        if verb == "clear" and len(words) == 1:
            out.clear()
            return
        if verb in ("help", "?") and len(words) == 1:
            self.action_help()
            return
        if verb == "hint" and len(words) == 1:
            self.action_hint()
            return
        if verb in ("quit", "exit") and len(words) == 1:
            self.action_leave()
            return
        if verb == "explain" and len(words) >= 2:
            hit = glossary.lookup(" ".join(words[1:]))
            if hit is None:
                out.error(f"no glossary entry for {' '.join(words[1:])!r} (for the Kubernetes API, "
                          "try kubectl explain)")
            else:
                out.output(f"{hit[0]}\n{hit[1].strip()}")
            return
        try:
            res = self.game.submit(line)
        except Exception as exc:  # noqa: BLE001 - any error in a command shows, never a crash
            out.error(f"error: {type(exc).__name__}: {exc}")
            return
        for report in getattr(self.game, "take_blocked_reports", list)():
            self._record(report)              # `wait ... && ...` ran ticks inside the line: show their events
        shell = getattr(res, "shell", None)
        if shell is not None:                  # exec/attach/debug -it: a shell window in the container
            out.note(f"(a shell in {shell[0]}/{shell[1]}, container {shell[2]}: Esc or exit closes it)")
            self.app.push_screen(PodShellScreen(shell[0], shell[1], self._shell_line, container=shell[2]))
            return
        if getattr(res, "pager", False) and not getattr(res, "running", False):
            self._show_result(res)
            self.app.push_screen(PagerScreen(line, (res.output + res.error).rstrip("\n")))
        else:
            self._show_result(res)
        if getattr(res, "note", ""):
            out.note(res.note.rstrip("\n"))
        self._update_console_title()
        if getattr(res, "edit", None) is not None:
            self._open_editor(res)
        if not self._done:
            self.refresh_view()
            if getattr(self.game, "finished", False):
                self._finish()

    def _show_result(self, res: Any) -> None:
        out = self.query_one(OutputPane)
        if getattr(res, "output", ""):
            out.output(res.output)
        if getattr(res, "error", ""):
            out.error(res.error)

    def _open_editor(self, res: Any) -> None:
        def save(text: str) -> Any:
            return self.game.finish_edit(res, text)

        def done(answer: Any) -> None:
            out = self.query_one(OutputPane)
            if answer is None:
                out.output("Edit cancelled, no changes made.")
            else:
                self._show_result(answer)
            self.refresh_view()

        self.app.push_screen(EditorScreen(res.line, res.edit.text, save), done)

    # -- selection and mouse -----------------------------------------------------------------
    def describe_pod(self, namespace: str, name: str) -> None:
        self.selected = ("pod", namespace, name)
        ns = f" -n {namespace}" if namespace != "default" else ""
        self.run_command(f"kubectl describe pod {name}{ns}")

    @on(NodeCard.Selected)
    def _node_clicked(self, event: NodeCard.Selected) -> None:
        if event.pod is not None:
            self.describe_pod(*event.pod)
            return
        self.selected = ("node", "", event.card.node_name)
        self.run_command(f"kubectl describe node {event.card.node_name}")

    @on(ServiceRow.Selected)
    def _service_clicked(self, event: ServiceRow.Selected) -> None:
        row = event.row
        ns = f" -n {row.namespace}" if row.namespace != "default" else ""
        if self.game.cluster.get("Deployment", row.namespace, row.service_name) is not None:
            self.selected = ("deployment", row.namespace, row.service_name)
        else:
            self.selected = ("service", row.namespace, row.service_name)
        self.run_command(f"kubectl describe service {row.service_name}{ns}")

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, NodeCard):
            self.selected = ("node", "", event.widget.node_name)

    # -- actions -----------------------------------------------------------------------------
    def _start_clock(self) -> None:
        self.waiting = False
        self.paused = False
        self._credit = 0.0

    def action_toggle_pause(self) -> None:
        if self.waiting:
            self._start_clock()
        else:
            self.paused = not self.paused
        self._credit = 0.0
        self.refresh_view()

    # -- the output pane -------------------------------------------------------------------------
    def action_zoom(self) -> None:
        """The console fills the screen (the header stays) or goes back to its place."""
        if self.maximized is not None:
            self.minimize()
        else:
            self.maximize(self.query_one(Console), container=False)
            self.query_one(CommandInput).focus()

    def action_output_page(self, direction: int) -> None:
        out = self.query_one(OutputPane)
        out.scroll_page_down(animate=False) if direction > 0 else out.scroll_page_up(animate=False)

    def action_output_edge(self, direction: int) -> None:
        out = self.query_one(OutputPane)
        out.scroll_end(animate=False) if direction > 0 else out.scroll_home(animate=False)

    @on(OutputPane.Paged)
    def _paged(self, event: OutputPane.Paged) -> None:
        console = self.query_one(Console)
        if event.below or event.above:
            parts = []
            if event.above:
                parts.append(f"▲ {event.above}")
            if event.below:
                parts.append(f"▼ {event.below} more")
            console.border_subtitle = " ".join(parts) + " · PgUp/PgDn · z zoom"
        else:
            console.border_subtitle = ""

    # -- k9s-style views ------------------------------------------------------------------------
    def _open_view(self, word: str) -> bool:
        """`:pods`, `:deploy`, `pods` ... typed alone: show that kind as a table. False if not a kind."""
        res = views.resolve_view(word)
        if res is None:
            if word.startswith(":"):
                self.query_one(OutputPane).error(f"no view {word!r}: try :pods, :deploy, :svc, :nodes, :events, "
                                                 ":rs, :ds, :sts, :jobs, :hpa, :pdb, :cm, :ns")
                return True
            return False
        rv = self.query_one(ResourceView)
        rv.open(views.Scope(res), self.game.cluster)
        rv.display = True
        self.query_one("#board").display = False
        rv.focus()
        return True

    @on(ResourceView.Closed)
    def _view_closed(self) -> None:
        self.query_one(ResourceView).display = False
        self.query_one("#board").display = True
        self.query_one("#nodes").focus()

    @on(ResourceView.Action)
    def _view_action(self, event: ResourceView.Action) -> None:
        res = event.scope.resource
        ns = f" -n {event.namespace}" if res.namespaced and event.namespace != "default" else ""
        ref = f"{res.singular} {event.name}{ns}"
        if event.action == "describe":
            self.run_command(f"kubectl describe {ref}")
        elif event.action == "yaml":
            self.run_command(f"kubectl get {ref} -o yaml")
        elif event.action == "edit":
            self.selected = (res.singular, event.namespace, event.name)
            self.run_command(f"kubectl edit {ref}")
        elif event.action == "logs":
            if res.kind in ("Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
                kind = "" if res.kind == "Pod" else f"{res.singular}/"
                self.run_command(f"kubectl logs {kind}{event.name}{ns} --tail=50")
            else:
                self.notify(f"{res.plural} have no logs: pick a pod or a workload", timeout=2)
        elif event.action == "shell":
            if res.kind != "Pod":
                self.notify("a shell runs in a pod: open :pods and pick one", timeout=2)
                return
            self.app.push_screen(PodShellScreen(event.namespace, event.name, self._shell_line))
        elif event.action == "delete":
            def answer(yes: bool | None) -> None:
                if yes:
                    self.run_command(f"kubectl delete {ref}")
            self.app.push_screen(ConfirmScreen(f"Delete {res.singular} {event.namespace}/{event.name}?"
                                               if res.namespaced else f"Delete {res.singular} {event.name}?",
                                               yes="Delete", no="Keep"), answer)

    def _shell_line(self, line: str) -> Any:
        res = self.game.submit(line)
        return res

    def action_speed(self, direction: int) -> None:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 1
        self.speed = SPEEDS[max(0, min(len(SPEEDS) - 1, i + direction))]
        self.refresh_view()

    def action_step(self) -> None:
        if self.paused:
            self.advance(1)
        else:
            self.notify("pause first (space), then . steps one tick", timeout=2)

    def action_focus_command(self) -> None:
        self.query_one(CommandInput).focus()

    def action_filter(self) -> None:
        f = self.query_one("#filter", Input)
        focused = self.focused
        self._filter_target = "nodes" if isinstance(focused, NodeCard | NodeList) else "events"
        f.placeholder = f"filter {self._filter_target}: type to filter, Enter keeps, Esc clears"
        f.display = True
        self.call_after_refresh(f.focus)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        target = getattr(self, "_filter_target", "events")
        if target == "nodes":
            shown = self.query_one(NodeList).set_filter(event.value)
        else:
            shown = self.query_one(EventLog).set_filter(event.value)
        note = self.query_one("#filter-note", Static)
        note.display = bool(event.value) and shown == 0
        if note.display:
            what = "node or pod" if target == "nodes" else "event"
            note.update(f"no {what} matches {event.value!r} (Esc clears the filter)")

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.query_one("#nodes").focus()
        if not event.value:
            event.input.display = False

    def on_key(self, event) -> None:
        f = self.query_one("#filter", Input)
        if event.key == "escape" and self.focused is f:
            f.value = ""
            f.display = False
            self.query_one("#filter-note").display = False
            self.query_one(NodeList).set_filter("")
            self.query_one(EventLog).set_filter("")
            self.query_one("#nodes").focus()
            event.stop()

    @on(CommandInput.Leave)
    def _leave_command(self) -> None:
        self.query_one("#nodes").focus()

    @on(CommandInput.Completions)
    def _completions(self, event: CommandInput.Completions) -> None:
        self.query_one(OutputPane).note("  ".join(event.candidates[:60]))

    def action_help(self) -> None:
        keys = []
        keymap = getattr(self.app, "_keymap", {}) or {}
        for b in self.BINDINGS:
            if isinstance(b, Binding):
                key = keymap.get(b.id, b.key_display or b.key) if b.id else (b.key_display or b.key)
                keys.append((key, b.description))
        keys += [("PgUp / PgDn", "scroll the output (shift+PgUp/PgDn from anywhere)"),
                 ("w", "wrap the output (when the output pane is focused)"),
                 (":pods :deploy :svc :nodes :events", "a table to move through: d describe, l logs, y yaml, "
                  "e edit, ctrl+d delete, s shell, Enter opens, Esc back"),
                 ("| grep, | jq, | less ...", "pipe kubectl into text tools (kubectl get pods | grep web)"),
                 ("Esc", "leave the command line / close a window"), ("Tab", "complete a command"),
                 ("↑ ↓", "command history"), ("ctrl+s", "save in the YAML editor"),
                 ("ctrl+c", "stop a running command (get -w, rollout status, logs -f); else quit"),
                 ("ctrl+q", "quit")]
        self.app.push_screen(HelpScreen(keys))

    def action_glossary(self) -> None:
        self.app.push_screen(GlossaryScreen(self.level.concepts))

    def action_hint(self) -> None:
        out = self.query_one(OutputPane)
        off = getattr(self.game, "hints_off", "")
        if off:
            out.note(off, "$text-warning")
            return
        text = self.game.next_hint()
        if text is None:
            out.note("no hint yet: keep watching the events", "$text-warning")
            self.notify("no hint yet", timeout=2)
        else:
            out.note(f"hint: {text}", "bold $text-accent")
            self.notify(text, title="hint", timeout=6)

    def action_edit_selected(self) -> None:
        if self.selected is None:
            self.notify("select a node or pod first (click it), or type kubectl edit KIND NAME", timeout=3)
            return
        kind, ns, name = self.selected
        flag = f" -n {ns}" if ns and ns != "default" else ""
        self.run_command(f"kubectl edit {kind} {name}{flag}")

    def action_leave(self) -> None:
        def answer(yes: bool | None) -> None:
            if yes and self.on_leave is not None:
                self.on_leave()         # interview mode hands the incident in (end_now) here
                self._done = True

        question = getattr(self.game, "leave_question", "Leave this level? Progress in it is lost.")
        self.app.push_screen(ConfirmScreen(question, yes=getattr(self.game, "leave_label", "Leave")), answer)
