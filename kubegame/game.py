"""A play session: Cluster + Level + clock + objectives + score + replay log.

The UI drives a `Game` and renders what it returns; it never computes game rules.

    game = Game(level, seed=None)          # the level's seed unless given
    res = game.submit("kubectl get pods")  # runs now, between ticks; recorded in the replay
    report = game.step()                   # one tick: scenario, cluster, cost, objectives
    game.finished, game.won, game.result(), game.view()

Time: "at T" (solution steps, script steps, scenario events, replays) means "when the
clock reads T, before it advances to T+1"; commands at T run before the events at T.

Warm start: the level's manifests are applied to the cluster, which then runs without
traffic, scenario or cost until its initial workloads are Ready (at most WARMUP_MAX
ticks), because the briefing describes a cluster that is already running. Jobs are
created when the level clock starts, so their work counts. The level clock (`now`)
starts at 0 then; the cluster's own clock (`cluster.now`, AGE columns) is `t0` ahead.
"""

from __future__ import annotations

import importlib
import shlex
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any

import kubegame
from kubegame import pipeline
from kubegame.debrief import INCIDENTS, CommandRecord
from kubegame.engine.cluster import Cluster, NodeSpec
from kubegame.engine.errors import ApiError
from kubegame.engine.system import is_control_plane
from kubegame.level import objectives as obj
from kubegame.level import score as scoring
from kubegame.level.model import Level, Step
from kubegame.level.objectives import ObjectiveState, World
from kubegame.level.scenario import GameMessage, Scenario

# kubectl commands that only read: they never count as churn
READ_ONLY = {"get", "describe", "logs", "top", "explain", "api-resources", "api-versions", "version",
             "cluster-info", "events", "diff", "wait", "auth", "config", "completion", "help", "options",
             "exec", "port-forward", "attach"}
READ_ONLY_ROLLOUT = {"status", "history"}
HISTORY = 120           # ticks of per-Service availability kept for sparklines
WARMUP_MAX = 120        # ticks the initial workloads get to become Ready before the level starts
DEFERRED_KINDS = ("Job",)   # created when the level clock starts


class GameSetupError(Exception):
    """The level's manifests could not be applied to a fresh cluster (an engine/level mismatch)."""


INTERRUPTED = 130          # the exit code of a command stopped with Ctrl-C
MAX_BLOCKED_REPORTS = 2000  # the reports of a blocking command a screen has not taken yet, at most
NEVER_RETURNS = ("kubegame: `{line}` never returns on its own and nobody can press Ctrl-C here, so it was stopped "
                 "at once: bound it with --request-timeout (e.g. --request-timeout=30s)\n")


@dataclass
class CommandResult:
    """The answer to one submitted line."""

    line: str
    tick: int
    output: str = ""
    error: str = ""
    exit_code: int = 0
    changed: bool = False            # counted as a change (churn) for the score
    pager: bool = False              # the line ended in `| less`: the UI shows the output in a pager
    files: dict[str, str] = field(default_factory=dict)   # files the command read from disk
    edit: Any = None                 # a kubectl EditRequest: the UI shows `edit.text`, then calls game.finish_edit
    stream: Any = None               # a kubectl.stream.Stream: the command runs on as the clock ticks
    filter: Any = None               # pipeline.PipeFilter: the rest of `... -w | grep x`, fed as it prints
    shell: tuple[str, str, str] | None = None   # `exec -it POD -- sh`: (namespace, pod, container) to open
    note: str = ""                   # what the game says about the command (the clock it took)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def running(self) -> bool:
        """Still running on the game clock (`rollout status`, `get -w`, `wait`, `logs -f`, ...)."""
        return self.stream is not None and not self.stream.done

    @property
    def text(self) -> str:
        return self.output + self.error


@dataclass
class GameEvent:
    """One line of the event log: a Kubernetes Event, a scenario message or a game notice."""

    tick: int
    type: str            # Normal | Warning
    reason: str          # NodeNotReady, Scheduled, NodeFailure, Message, Hint ...
    message: str
    object: str = ""     # node/worker-2, pod/shop-7d9-x2kqp ("" for game messages)
    source: str = "kubernetes"   # kubernetes | scenario | game

    def to_dict(self) -> dict:
        return {"tick": self.tick, "type": self.type, "reason": self.reason, "message": self.message,
                "object": self.object, "source": self.source}


@dataclass
class TickReport:
    """What one `step()` produced."""

    tick: int
    events: list[GameEvent]              # everything of this tick, in order: scenario first, then Kubernetes
    messages: list[GameMessage]          # only the scenario/game messages (for a news ticker)
    objectives: list[ObjectiveState]
    finished: bool
    won: bool | None                     # None while playing
    lost_reason: str | None
    cost: float
    score: int                           # live estimate, final when finished
    availability: dict[str, float]       # Service key -> % served so far
    stream: Any = None                   # the running command's CommandResult, when one ran this tick
    stream_output: str = ""              # what it printed this tick (stdout)
    stream_error: str = ""               # ... and on stderr


@dataclass
class PodView:
    name: str
    namespace: str
    state: str            # running | starting | pending | lost | crash | done | terminating
    status: str           # kubectl's STATUS column
    ready: bool


@dataclass
class NodeView:
    name: str
    zone: str
    status: str           # Ready | NotReady | Unknown | Booting
    alive: bool
    cordoned: bool
    kernel: str
    cpu_pct: float        # requests / allocatable
    mem_pct: float
    pods: list[PodView]
    silent_for: int       # ticks since the last heartbeat (0 when alive)


@dataclass
class ServiceView:
    key: str              # "shop" or "ns/shop"
    namespace: str
    name: str
    ready: int            # Ready endpoints
    desired: int          # pods the Service selects
    availability: float   # % served over the level so far
    arrived: int          # requests this tick
    served: int
    latency_ms: float
    history: list[float]  # % served per tick, the last HISTORY ticks


@dataclass
class GameView:
    tick: int
    duration: int
    cost: float
    budget: float | None
    score: int
    nodes: list[NodeView]
    services: list[ServiceView]
    objectives: list[ObjectiveState]
    etcd: list[dict]                  # {name, zone, up}
    quorum: bool
    pool_left: int | None             # nodes the player may still add (None: no pool)
    finished: bool
    won: bool | None


@dataclass
class GameResult:
    level: str
    seed: int
    ticks: int
    won: bool
    lost_reason: str | None
    score: scoring.ScoreCard
    objectives: list[ObjectiveState]
    availability: dict[str, float]
    cost: float
    state_hash: str

    @property
    def stars(self) -> int:
        return self.score.stars

    def to_json(self) -> dict:
        """The `kubegame simulate --json` object."""
        return {"level": self.level, "seed": self.seed, "ticks": self.ticks, "won": self.won,
                "score": self.score.total, "stars": self.score.stars,
                "objectives": [{"type": o.type, "passed": bool(o.passed), "detail": o.detail}
                               for o in self.objectives],
                "availability": {k: round(v, 3) for k, v in self.availability.items()},
                "cost": self.cost, "stateHash": self.state_hash}


def _kubectl() -> Any:
    try:
        return importlib.import_module("kubegame.kubectl")
    except ImportError:  # pragma: no cover - kubectl ships with the game
        return None


class Game:
    endless = False          # chaos and the sandbox: no end the player plays towards (the UI shows no duration)
    host_files = True        # kubectl -f/--from-file read this machine's disk (False: kubegame web's players)

    def __init__(self, level: Level, seed: int | None = None):
        self.level = level
        self.seed = level.seed if seed is None else int(seed)
        # images released later are held back during the warm-up, then re-timed on the level clock
        held = [replace(i, available_at=10**9) if i.available_at > 0 else i for i in level.images]
        self.cluster = Cluster(self.seed, images=held, config=level.cluster_config())
        from kubegame.apiserver.watch import WatchLog
        self.watch_log = WatchLog(self.cluster)   # every write from the first: `kubegame serve`'s watches
        # kubeadm's control plane and add-ons first (CoreDNS lands on the control plane, as on a
        # fresh cluster), then the workers join
        self.cluster.manifest_parser, self.cluster.render_manifest = _parse_manifest, _render_manifest
        self.cluster.install_system(list(level.cluster.etcd_members))
        self.cluster.run(1)
        while self.cluster.now < WARMUP_MAX and not _system_settled(self.cluster):
            self.cluster.tick()
        for g in level.cluster.nodes:
            for spec in g.specs():
                self.cluster.add_node(spec)
        deferred = []
        for m in level.manifests:
            if m.kind in DEFERRED_KINDS:
                deferred.append(m)
                continue
            self._apply_initial(m)
        self.cluster.run(1)
        while self.cluster.now < WARMUP_MAX and not _settled(self.cluster):
            self.cluster.tick()
        self.t0 = self.cluster.now
        for i in level.images:
            if i.available_at > 0:
                self.cluster.registry.add(replace(i, available_at=i.available_at + self.t0))
        for m in deferred:
            self._apply_initial(m)
        for t in level.traffic:
            self.cluster.traffic.set_demand(
                t.key, service=(t.namespace, t.service) if t.service else None, host=t.host,
                path=t.path or "/", rps=t.rps, pattern=t.pattern, amplitude=t.amplitude, period=t.period,
                external=t.external)
            if t.client is not None:       # `from`: who the clients are, for NetworkPolicies
                from kubegame.engine.networkpolicy import Peer
                labels = tuple(sorted((str(k), str(v)) for k, v in (t.client.get("labels") or {}).items()))
                self.cluster.traffic.demands[t.key].client = Peer(
                    t.client.get("namespace") or t.namespace, labels, "10.244.250.1")
        self.cluster.traffic.duration = level.duration
        self.cluster.traffic.clock_offset = self.t0
        self.control_plane = self.cluster.controlplane      # etcd members, quorum, zone outages
        self.scenario = Scenario(level)
        self.objectives = obj.build(level)
        self.cost = 0.0
        self.base_cost = level.cluster.cost_per_node_tick * len(level.cluster.node_names()) * level.duration
        self.changes = 0
        self.pool_added = 0
        self.commands: list[dict] = []           # the replay log: {"tick", "run"[, "edit"]}
        self.command_log: list[CommandRecord] = []   # each command's outcome (the play's debrief)
        self.incidents: list[tuple[int, str, str]] = []   # (tick, type, message) of the scenario's trouble
        self.series: list[tuple[int, int]] = []       # per tick: requests (arrived, served), all Services
        self.finished = False
        self.won: bool | None = None
        self.lost_reason: str | None = None
        self.script: deque[Step] = deque()
        self.script_results: list[CommandResult] = []   # what each queued command answered (transcripts)
        self.history: dict[str, deque[float]] = {t.key: deque(maxlen=HISTORY) for t in level.traffic
                                                 if t.service}
        self.log: deque[GameEvent] = deque(maxlen=500)   # recent events for the UI
        self.hints_shown = 0
        self._states: list[ObjectiveState] = self._evaluate()
        self._last_report: TickReport | None = None
        self._pod_views: dict[str, tuple[tuple, list]] = {}      # node -> (version, its PodViews)
        self.active: CommandResult | None = None     # the command still running on the clock, if any
        # the ticks a blocking command ran inside submit(): a screen takes them (take_blocked_reports)
        # to show their events, as it shows the ticks it steps itself
        self.blocked_reports: list[TickReport] = []
        self._line_notes: list[str] = []
        self._api: Any = None                  # the Kubernetes API (kubegame serve), made on first use

    def _apply_initial(self, m: Any) -> None:
        """As `kubectl apply -f level.yaml` would: the object keeps its last-applied annotation."""
        from kubegame.kubectl.apply_patch import with_annotation
        try:
            self.cluster.apply(with_annotation(m.body))
        except ApiError as exc:
            raise GameSetupError(f"{self.level.path}:{m.line}:{m.col}: {m.kind} {m.name!r}: {exc.message}") from None

    @property
    def quorum(self) -> bool:
        """etcd has quorum: writes succeed."""
        return self.control_plane.has_quorum

    # -- clock -------------------------------------------------------------------------------
    @property
    def now(self) -> int:
        """The level clock: ticks since the level started."""
        return self.cluster.now - self.t0

    @property
    def tick(self) -> int:
        return self.now

    @property
    def duration(self) -> int:
        return self.level.duration

    # -- commands ----------------------------------------------------------------------------
    def submit(self, line: str, *, stdin: str | None = None, record: bool = True,
               files: dict[str, str] | None = None, block: bool = False) -> CommandResult:
        """Run one command now (between ticks). `kubectl ...`/`k ...` or a game verb, optionally
        with shell syntax after it (pipes into grep/jq/..., `$(...)`, `&&`: kubegame/pipeline.py).

        `files`: what `kubectl apply -f PATH` reads instead of the disk (a replay's recorded files);
        without it the files read are recorded in the replay, so a replay never needs them again.

        A command that keeps running (`rollout status`, `get -w`, `wait`, `logs -f`, a drain that
        retries) comes back `running`: each `step()` then adds what it printed that tick, until it
        returns, times out or `interrupt()` stops it; a new command interrupts it first, as Ctrl-C
        and a new prompt would. With `block` the clock advances here until it returns (the shell's
        scripts, `simulate`, solutions) and `note` says how far."""
        line = line.strip()
        res = CommandResult(line, self.now)
        if not line:
            return res
        if self.finished:
            res.error, res.exit_code = "error: the level is over\n", 1
            return res
        self._stop_running()
        source = files                  # what -f reads: the replay's files, the disk (None), or nothing
        if source is None and not self.host_files:
            from kubegame.kubectl.core import NoHostFiles
            source = NoHostFiles()
        read: dict[str, str] = {}
        self._line_notes = []
        piped = pipeline.run_line(line, lambda words, text: self._stage(shlex.join(words), text, source, read),
                                  stream_head=lambda words: self._stream_head(shlex.join(words), source, read))
        if piped is not None:
            res.output, res.error, res.exit_code = piped.output, piped.error, piped.exit_code
            res.changed, res.pager, res.stream, res.filter = piped.changed, piped.pager, piped.stream, piped.filter
            res.note = "".join(self._line_notes)
        else:
            one = self._dispatch(line, stdin, source)
            res.output, res.error, res.exit_code, res.edit, res.changed, res.stream, res.shell = \
                one.output, one.error, one.exit_code, one.edit, one.changed, one.stream, one.shell
            read.update(one.files)
        if res.changed:
            self.changes += 1
        if record:
            entry: dict[str, Any] = {"tick": self.now, "run": line}
            if stdin is not None:
                entry["stdin"] = stdin
            if files is not None or read:
                entry["files"] = dict(files) if files is not None else read
            self.commands.append(entry)
            self.command_log.append(CommandRecord(self.now, line, res.exit_code, res.changed))
        if res.running:
            self.active = res
            if block:
                self._block(res)
        return res

    def _stage(self, line: str, stdin: str | None, files: dict[str, str] | None,
               read: dict[str, str]) -> pipeline.StageResult:
        """One kubectl or game command of a shell line; one that keeps running blocks the line
        (the clock advances until it returns), unless it would never return."""
        one = self._dispatch(line, stdin, files)
        read.update(one.files)
        error = one.error
        if one.edit is not None:
            error += "error: kubectl edit cannot be part of a pipeline: run it on its own\n"
        if one.running:
            self._block(one)
            self._line_notes.append(one.note)
            return pipeline.StageResult(one.output, one.error, one.exit_code, one.changed)
        return pipeline.StageResult(one.output, error, one.exit_code if one.edit is None else 1, one.changed)

    def _stream_head(self, line: str, files: dict[str, str] | None, read: dict[str, str]) -> pipeline.StageResult:
        """The first command of `kubectl get pods -w | grep web`: it may keep running; the rest of the
        pipeline then filters what it prints as it comes (pipeline.run_line)."""
        one = self._dispatch(line, None, files)
        read.update(one.files)
        return pipeline.StageResult(one.output, one.error, one.exit_code, one.changed,
                                    stream=one.stream if one.running else None)

    # -- commands that keep running ----------------------------------------------------------
    def _poll_running(self) -> tuple[str, str]:
        """After a tick: what the running command printed."""
        res = self.active
        if res is None:
            return "", ""
        from kubegame.kubectl.stream import advance
        out, err = advance(res.stream, self.cluster)
        if res.filter is not None:
            out, err = res.filter.feed(out, err)
        res.output += out
        res.error += err
        if res.stream.done:
            o, e = self._finished_running(res)
            out, err = out + o, err + e
        return out, err

    def _finished_running(self, res: CommandResult) -> tuple[str, str]:
        """The command returned: its exit code (a pipeline's: its last command's), what a pipeline's
        sort or wc print at the end."""
        res.exit_code = res.stream.exit_code
        out = err = ""
        if res.filter is not None:
            out, err, code = res.filter.flush()
            res.output += out
            res.error += err
            if res.exit_code != INTERRUPTED:
                res.exit_code = code
        self.active = None
        for rec in reversed(self.command_log):
            if rec.line == res.line and rec.tick == res.tick:
                rec.exit_code = res.exit_code
                break
        return out, err

    def _block(self, res: CommandResult) -> None:
        """Advance the clock until the running command returns (or the level ends). A command that
        never returns on its own (`get -w`, `logs -f`) is stopped at once: in a script nobody could
        press Ctrl-C."""
        start = self.now
        if res.stream.endless and res.stream.deadline is None:
            res.stream.interrupt()
            self._finished_running(res)
            res.note = NEVER_RETURNS.format(line=res.line)
            return
        self.active = res
        while res.running and not self.finished:
            self.blocked_reports.append(self._tick())
        del self.blocked_reports[:-MAX_BLOCKED_REPORTS]
        if res.running:                       # the level ended first
            res.stream.interrupt()
            self._finished_running(res)
            res.note = f"kubegame: the level ended at tick {self.now} while the command was still running\n"
        else:
            res.note = (f"kubegame: the clock advanced {self.now - start} tick{'s' if self.now - start != 1 else ''} "
                        f"(tick {start} to {self.now}) while the command ran\n")
        if self.active is res:
            self.active = None

    def _stop_running(self) -> None:
        """A new command while one runs: the running one is interrupted first (Ctrl-C)."""
        res = self.active
        if res is not None and res.running:
            res.stream.interrupt()
            self._finished_running(res)
        self.active = None

    def take_blocked_reports(self) -> list[TickReport]:
        """The TickReports of the ticks a blocking command ran (`wait ... && get pods` on one line)."""
        out, self.blocked_reports = self.blocked_reports, []
        return out

    def interrupt(self, record: bool = True) -> CommandResult | None:
        """Ctrl-C: stop the running command; the replay records it at this tick."""
        res = self.active
        if res is None or not res.running:
            self.active = None
            return None
        res.stream.interrupt()
        self._finished_running(res)
        if record:
            self.commands.append({"tick": self.now, "run": res.line, "interrupt": True})
        return res

    def _dispatch(self, line: str, stdin: str | None, files: dict[str, str] | None = None) -> CommandResult:
        """Run one command without shell syntax: kubectl (k) or a game verb."""
        res = CommandResult(line, self.now)
        words = line.split()
        if words[0] in ("kubectl", "k"):
            kubectl = _kubectl()
            if kubectl is None:  # pragma: no cover
                res.error, res.exit_code = "error: kubectl is not available\n", 1
            else:
                r = kubectl.run(self.cluster, line, stdin=stdin, files=files)
                res.output, res.error, res.exit_code, res.edit = r.output, r.error, r.exit_code, r.edit
                res.files, res.stream, res.shell = dict(r.files), r.stream, r.shell
            res.changed = res.ok and not _read_only(words[1:]) and res.edit is None
        elif words[0] in ("node", "etcd"):
            res.output, res.error, res.exit_code = self._game_verb(line)
            res.changed = res.ok and not _help_asked(words) and not _ssh_read_only(words)
        else:
            res.error = (f"{words[0]}: command not found (expected kubectl ..., k ..., node add|remove, "
                         "etcd add-member|remove-member)\n")
            res.exit_code = 127
        return res

    def api(self) -> Any:
        """The Kubernetes API over this game (`kubegame serve`; a replay repeats outside clients'
        writes through it). Made on first use; its watch cache is the game's (watch_log)."""
        if self._api is None:
            from kubegame.apiserver.handler import APIServer
            self._api = APIServer(self)
        return self._api

    def submit_api(self, entry: dict) -> Any:
        """Repeat a recorded outside write (a replay's `api` entry) as the same user."""
        from kubegame.apiserver.handler import Request
        from kubegame.engine import rbac
        headers = {"content-type": str(entry.get("content_type") or ""),
                   "user-agent": str(entry.get("user_agent") or "")}
        who = rbac.Identity(str(entry.get("user") or rbac.ADMIN_USER), tuple(entry.get("groups") or ()))
        req = Request(str(entry["method"]), str(entry["path"]),
                      {k: [str(x) for x in v] for k, v in (entry.get("query") or {}).items()}, headers,
                      str(entry.get("body") or "").encode(), who)
        return self.api().handle(req)

    def finish_edit(self, res: CommandResult, new_text: str) -> CommandResult:
        """Save what the player edited after `kubectl edit` (the replay records the text)."""
        out = CommandResult(res.line, self.now)
        if res.edit is None or self.finished:
            out.error, out.exit_code = "error: nothing to edit\n", 1
            return out
        r = res.edit.apply(new_text)
        out.output, out.error, out.exit_code = r.output, r.error, r.exit_code
        out.changed = out.ok and "edited" in out.output
        if out.changed:
            self.changes += 1
        for rec in reversed(self.command_log):
            if rec.line == res.line:
                rec.changed, rec.exit_code = out.changed, out.exit_code
                break
        for entry in reversed(self.commands):
            if entry.get("run") == res.line and "edit" not in entry:
                entry["edit"] = new_text
                break
        return out

    def _game_verb(self, line: str) -> tuple[str, str, int]:
        try:
            words = shlex.split(line)
        except ValueError as exc:
            return "", f"error: {exc}\n", 1
        verb = " ".join(words[:2])
        args = words[2:]
        if verb == "node ssh" and "--" in words:
            return self._node_ssh(words)
        if "--help" in words or "-h" in words or len(words) == 1:
            return game_verb_help(words[0], verb), "", 0
        opts: dict[str, str] = {}
        pos: list[str] = []
        i = 0
        while i < len(args):
            a = args[i]
            if a.startswith("--"):
                if "=" in a:
                    k, v = a[2:].split("=", 1)
                elif i + 1 < len(args):
                    k, v = a[2:], args[i + 1]
                    i += 1
                else:
                    return "", f"error: flag needs an argument: {a}\n", 1
                opts[k] = v
            else:
                pos.append(a)
            i += 1
        if verb == "node add":
            return self._node_add(opts, pos)
        if verb == "node ssh":
            return "", "error: usage: node ssh NODE -- COMMAND [ARGS...]\n", 1
        if verb == "node remove":
            if len(pos) != 1 or opts:
                return "", "error: usage: node remove NAME\n", 1
            if self.cluster.node(pos[0]) is None:
                return "", f'Error from server (NotFound): nodes "{pos[0]}" not found\n', 1
            if is_control_plane(self.cluster.node(pos[0])):
                return "", (f"error: {pos[0]} is a control-plane node: remove its etcd member with "
                            "etcd remove-member NAME\n"), 1
            try:
                self.cluster.remove_node(pos[0])
            except ApiError as exc:
                return "", f"Error from server ({exc.reason}): {exc.message}\n", 1
            return f"node/{pos[0]} removed\n", "", 0
        if verb == "etcd add-member":
            zone = opts.get("zone")
            if not zone or pos or set(opts) - {"zone"}:
                return "", "error: usage: etcd add-member --zone ZONE\n", 1
            if zone not in self.level.cluster.zones():
                return "", f"error: unknown zone {zone!r} (expected one of: {', '.join(self.level.cluster.zones())})\n", 1
            if not self.control_plane.has_quorum:
                return "", "Error: etcdserver: unhealthy cluster (adding a member needs quorum)\n", 1
            m = self.control_plane.add_member(zone)
            cp = self.control_plane
            return (f"Member {m.name} added to cluster in {zone} ({cp.healthy}/{cp.size} up, quorum {cp.quorum})\n",
                    "", 0)
        if verb == "etcd remove-member":
            if len(pos) != 1 or opts:
                return "", "error: usage: etcd remove-member NAME\n", 1
            if all(m.name != pos[0] for m in self.control_plane.members):
                names = ", ".join(m.name for m in self.control_plane.members)
                return "", f"Error: etcdserver: member {pos[0]} not found (members: {names})\n", 1
            if not self.control_plane.has_quorum:
                return "", "Error: etcdserver: unhealthy cluster (removing a member needs quorum)\n", 1
            if self.control_plane.size == 1:
                return "", "Error: etcdserver: cannot remove the last member\n", 1
            self.control_plane.remove_member(pos[0])
            cp = self.control_plane
            return f"Member {pos[0]} removed from cluster ({cp.healthy}/{cp.size} up, quorum {cp.quorum})\n", "", 0
        return "", ("error: unknown game command (expected: node add [--zone Z] [--count N], node remove NAME, "
                    "node ssh NODE -- COMMAND, etcd add-member --zone Z, etcd remove-member NAME)\n"), 1

    def _node_ssh(self, words: list[str]) -> tuple[str, str, int]:
        """`node ssh NODE -- COMMAND`: a root shell on the node's machine (engine/hostshell.py)."""
        from kubegame.engine.hostshell import HostShell, split_ssh
        target = split_ssh(words)
        if target is None or not target[0] or not target[1]:
            return "", "error: usage: node ssh NODE -- COMMAND [ARGS...]\n", 1
        name, argv = target
        node = self.cluster.node(name)
        if node is None:
            return "", f"ssh: Could not resolve hostname {name}: Name or service not known\n", 255
        if not node.alive:
            return "", f"ssh: connect to host {name} port 22: No route to host\n", 255
        if len(argv) == 1 and " " in argv[0]:
            try:
                argv = shlex.split(argv[0])            # node ssh N -- "cmd a && cmd b": the remote shell splits it
            except ValueError as exc:
                return "", f"bash: {exc}\n", 2
        return HostShell(self.cluster, name).run_line(argv)

    def _node_add(self, opts: dict[str, str], pos: list[str]) -> tuple[str, str, int]:
        pool = self.level.cluster.node_pool
        if pos or set(opts) - {"zone", "count"}:
            return "", "error: usage: node add [--zone ZONE] [--count N]\n", 1
        if pool is None:
            return "", "error: this level has no node pool: no nodes can be added\n", 1
        try:
            count = int(opts.get("count", "1"))
        except ValueError:
            return "", f"error: --count must be a number, not {opts['count']!r}\n", 1
        if count < 1:
            return "", "error: --count must be at least 1\n", 1
        zone = opts.get("zone", pool.template.zone)
        if zone not in self.level.cluster.zones():
            return "", f"error: unknown zone {zone!r} (expected one of: {', '.join(self.level.cluster.zones())})\n", 1
        left = pool.max - self.pool_added
        if count > left:
            return "", f"error: the node pool allows {left} more node(s) (max {pool.max})\n", 1
        out = []
        for _ in range(count):
            n = 1
            while self.cluster.node(f"pool-{n}") is not None:
                n += 1
            t = pool.template
            spec = NodeSpec(f"pool-{n}", t.cpu, t.memory, t.pods, zone, t.kernel, dict(t.labels),
                            [dict(x) for x in t.taints])
            try:
                self.cluster.add_node(spec, boot_ticks=pool.boot_ticks, pool=True)
            except ApiError as exc:
                return "".join(out), f"Error from server ({exc.reason}): {exc.message}\n", 1
            self.pool_added += 1
            out.append(f"node/pool-{n} added in {zone}: Ready in about {pool.boot_ticks}s\n")
        return "".join(out), "", 0

    # -- the tick ----------------------------------------------------------------------------
    def queue(self, steps: list[Step]) -> None:
        """Commands to run at their ticks (a solution, a script, a replay)."""
        self.script.extend(sorted(steps, key=lambda s: s.at))

    def run_due(self) -> list[CommandResult]:
        """The queued commands whose tick has come; one that keeps running holds the script until
        it returns (the clock advances), as a shell script waits for each command."""
        out = []
        while self.script and self.script[0].at <= self.now and not self.finished:
            s = self.script.popleft()
            out.append(self.submit(s.run, block=True))
        self.script_results.extend(out)
        return out

    def step(self) -> TickReport:
        """Advance one tick and report what happened."""
        if self.finished:
            assert self._last_report is not None
            return self._last_report
        self.run_due()
        return self._tick()

    def _tick(self) -> TickReport:
        """One tick of the world: the scenario, the cluster, the running command, the objectives."""
        if self.finished:
            assert self._last_report is not None
            return self._last_report
        now = self.now
        messages = self.scenario.fire(now, self.cluster, self.control_plane)
        k8s_events = self.cluster.tick()
        running = self.active
        stream_out, stream_err = self._poll_running()
        burn = self.level.cluster.cost_per_node_tick * self._worker_count()
        self.cost += burn
        for m in messages:
            if m.source == "scenario" and m.type == "Warning" and m.reason in INCIDENTS:
                self.incidents.append((m.tick, m.reason, m.message))
        last = self.cluster.traffic.last
        self.series.append((sum(x.arrived for x in last.values()), sum(x.served for x in last.values())))
        for h in self.level.hints:
            if h.after_tick is not None and h.after_tick == self.now:
                messages.append(GameMessage(self.now, "Normal", "Hint", "a new hint is available", "game"))
        for key, hist in self.history.items():
            t = next(t for t in self.level.traffic if t.key == key)
            s = self.cluster.traffic.last.get((t.namespace, t.service))
            hist.append(100.0 if s is None or s.arrived == 0 else 100.0 * s.served / s.arrived)
        world = self._world(burn)
        for o in self.objectives:
            o.update(world)
        states = [o.state(world) for o in self.objectives]
        budget = self.level.budget
        if budget is not None and self.cost > budget:
            self.lost_reason = f"over budget: spent {self.cost:g} of {budget:g}"
        else:
            final = [s for s in states if s.final and s.passed is False]
            if final:
                self.lost_reason = f"{final[0].label}: {final[0].detail}"
        if self.lost_reason is not None:
            self.finished, self.won = True, False
            messages.append(GameMessage(self.now, "Warning", "LevelLost", self.lost_reason, "game"))
        elif self.now >= self.level.duration:
            self.finished = True
        if self.finished:
            world.ended = True
            states = [o.state(world) for o in self.objectives]
            if self.won is None:
                self.won = all(s.passed for s in states)
                if not self.won:
                    failed = next(s for s in states if not s.passed)
                    self.lost_reason = f"{failed.label}: {failed.detail}"
            messages.append(GameMessage(self.now, "Normal" if self.won else "Warning",
                                        "LevelWon" if self.won else "LevelEnded",
                                        "all objectives hold: level complete" if self.won else
                                        f"level lost: {self.lost_reason}", "game"))
        self._states = states
        events = [GameEvent(m.tick, m.type, m.reason, m.message, "", m.source) for m in messages if
                  m.source != "game" or m.reason == "Hint"]
        events += [GameEvent(e.tick - self.t0, e.type, e.reason, e.message, e.object_ref, "kubernetes")
                   for e in k8s_events]
        events += [GameEvent(m.tick, m.type, m.reason, m.message, "", m.source) for m in messages if
                   m.source == "game" and m.reason != "Hint"]
        self.log.extend(events)
        report = TickReport(self.now, events, messages, states, self.finished, self.won, self.lost_reason,
                            self.cost, self.score().total, self.availability(), running, stream_out, stream_err)
        self._last_report = report
        return report

    def run(self, ticks: int) -> list[TickReport]:
        out = []
        for _ in range(ticks):
            if self.finished:
                break
            out.append(self.step())
        return out

    def play_to_end(self, steps: list[Step] | None = None, until: int | None = None) -> GameResult:
        """Headless play: queue `steps`, tick to the end (or to tick `until`), return the result."""
        if steps:
            self.queue(steps)
        end = self.level.duration if until is None else min(until, self.level.duration)
        while not self.finished and self.now < end:
            self.step()
        self.run_due()
        return self.result()

    # -- evaluation -------------------------------------------------------------------------
    def _world(self, burn: float | None = None) -> World:
        if burn is None:
            burn = self.level.cluster.cost_per_node_tick * self._worker_count()
        return World(self.cluster, self.now, self.level.duration, self.cost, burn, self.level.budget, self.quorum,
                     ended=self.finished)

    def _worker_count(self) -> int:
        """The nodes that cost money: the workers (the control plane comes with the cluster)."""
        return sum(1 for n in self.cluster.nodes() if not is_control_plane(n))

    def _evaluate(self) -> list[ObjectiveState]:
        w = self._world()
        return [o.state(w) for o in self.objectives]

    @property
    def objective_states(self) -> list[ObjectiveState]:
        return list(self._states)

    def availability(self) -> dict[str, float]:
        """% of requests served so far, per Service the level sends traffic to."""
        out: dict[str, float] = {}
        for t in self.level.traffic:
            if not t.service:
                continue
            tot = self.cluster.traffic.totals_by_service.get((t.namespace, t.service))
            out[t.key] = 100.0 if tot is None or tot.arrived == 0 else 100.0 * tot.served / tot.arrived
        return out

    def score(self) -> scoring.ScoreCard:
        tr = self.cluster.traffic
        arrived = sum(t.arrived for t in tr.totals_by_service.values()) + tr.unrouted.arrived
        served = sum(t.served for t in tr.totals_by_service.values())
        passed = sum(1 for s in self._states if (s.passed if s.passed is not None else s.status == obj.MET))
        return scoring.compute(arrived=arrived, served=served, passed=passed, total_objectives=len(self._states),
                               cost=self.cost, base_cost=self.base_cost, budget=self.level.budget,
                               changes=self.changes, solution_steps=len(self.level.solution),
                               won=self.won if self.finished else None,
                               two=self.level.stars_two, three=self.level.stars_three)

    def result(self) -> GameResult:
        return GameResult(self.level.name, self.seed, self.now, bool(self.won), self.lost_reason, self.score(),
                          list(self._states), self.availability(), self.cost, self.cluster.state_hash())

    def hints(self) -> list[str]:
        """Hints the player may read now: those without afterTick, and those whose tick has come."""
        return [h.text for h in self.level.hints if h.after_tick is None or h.after_tick <= self.now]

    def next_hint(self) -> str | None:
        avail = self.hints()
        if not avail:
            return None
        text = avail[min(self.hints_shown, len(avail) - 1)]
        self.hints_shown = min(self.hints_shown + 1, len(avail))
        return text

    # -- replay -----------------------------------------------------------------------------
    def again(self) -> Game:
        """A fresh game of the same level and seed (hindsight plays it again; chaos and the daily
        run plan their own scenario, and say how to start theirs)."""
        return Game(self.level, seed=self.seed)

    def replay(self) -> dict:
        return {"kubegame": kubegame.__version__, "level": self.level.name, "levelSha256": self.level.sha256,
                "levelPath": self.level.path, "seed": self.seed, "commands": list(self.commands),
                "ticks": self.now, "stateHash": self.cluster.state_hash(),
                "won": self.won, "score": self.score().total}

    # -- what the UI renders -----------------------------------------------------------------
    def view(self) -> GameView:
        """What the UI renders. Each node's pod list is rebuilt only when the node or its pods
        changed (Store.node_versions), so a frame stays cheap on a big, steady cluster."""
        nodes = []
        versions = self.cluster.store.node_versions
        # the workers first, then the control plane; a worker's card shows the level's pods (not
        # kube-system's kube-proxy and CoreDNS), a control-plane node's its static pods and add-ons
        for n in sorted(self.cluster.nodes(), key=is_control_plane):
            hidden = "" if is_control_plane(n) else "kube-system"
            key = (versions.get(n.name, 0), n.alive)
            cached = self._pod_views.get(n.name)
            if cached is not None and cached[0] == key:
                pods = cached[1]
            else:
                pods = [PodView(p.name, p.namespace, _pod_state(p, n), p.status_reason(), bool(p.ready))
                        for p in sorted(self.cluster.store.pods_on(n.name).values(), key=lambda p: p.name)
                        if p.namespace != hidden]
                self._pod_views[n.name] = (key, pods)
            status = "Booting" if n.booting_until is not None and n.booting_until > self.cluster.now else \
                {"True": "Ready", "False": "NotReady", "Unknown": "Unknown"}.get(n.ready_status, n.ready_status)
            nodes.append(NodeView(n.name, n.zone, status, n.alive, n.unschedulable, n.kernel,
                                  100.0 * n.cpu_used / n.cpu if n.cpu else 0.0,
                                  100.0 * n.mem_used / n.memory if n.memory else 0.0, pods,
                                  0 if n.alive else self.cluster.now - n.last_heartbeat))
        services = []
        avail = self.availability()
        for t in self.level.traffic:
            if not t.service:
                continue
            eps = self.cluster.endpoints.endpoints(t.namespace, t.service)
            selected = self.cluster.endpoints.selected(t.namespace, t.service)
            s = self.cluster.traffic.last.get((t.namespace, t.service))
            services.append(ServiceView(t.key, t.namespace, t.service, len(eps), len(selected), avail[t.key],
                                        s.arrived if s else 0, s.served if s else 0, s.latency_ms if s else 0.0,
                                        list(self.history.get(t.key, []))))
        pool = self.level.cluster.node_pool
        return GameView(self.now, self.level.duration, self.cost, self.level.budget, self.score().total, nodes,
                        services, list(self._states),
                        [{"name": m.name, "zone": m.zone, "up": m.healthy} for m in self.control_plane.members],
                        self.quorum, None if pool is None else pool.max - self.pool_added, self.finished, self.won)


GAME_VERB_HELP = {
    "node add": ("Add machines from the level's node pool (what a cloud console's \"add node\" does).\n\n"
                 "Usage:\n  node add [--zone ZONE] [--count N]\n\n"
                 "Options:\n  --zone ZONE  the zone to add the machines in (default: the pool template's zone)\n"
                 "  --count N    how many machines (default 1); the pool's max counts every node ever added\n\n"
                 "A new node boots for the pool's bootTicks before it is Ready, and costs from the moment it is added.\n"),
    "node remove": ("Give a machine back: the Node and every Pod bound to it go at once.\n\n"
                    "Usage:\n  node remove NAME\n\n"
                    "To move the Pods off first, use: kubectl drain NAME --ignore-daemonsets\n"),
    "node ssh": ("Run a command as root on a node's machine (what ssh to a real node gives you).\n\n"
                 "Usage:\n  node ssh NODE -- COMMAND [ARGS...]\n\n"
                 "Commands: systemctl status|start|stop|restart UNIT (kubelet, containerd), journalctl -u UNIT "
                 "[-n N],\n  crictl ps [-a] | pods | logs ID | inspect ID, cat, ls, mv, cp, rm, "
                 "sed -i 's/OLD/NEW/' FILE,\n  echo TEXT > FILE, df -h, du -sh PATH.\n\n"
                 "Examples:\n  node ssh worker-1 -- systemctl status kubelet\n"
                 "  node ssh control-plane -- ls /etc/kubernetes/manifests\n"),
    "etcd add-member": ("Add an etcd member to the control plane (needs quorum).\n\n"
                        "Usage:\n  etcd add-member --zone ZONE\n"),
    "etcd remove-member": ("Remove an etcd member from the control plane (needs quorum).\n\n"
                           "Usage:\n  etcd remove-member NAME\n"),
}


def game_verb_help(group: str, verb: str) -> str:
    """`node add --help`, `node --help`, `etcd --help`."""
    if verb in GAME_VERB_HELP:
        return GAME_VERB_HELP[verb]
    subs = [v for v in GAME_VERB_HELP if v.startswith(group + " ")]
    if not subs:
        return "Game commands: node add, node remove, node ssh, etcd add-member, etcd remove-member.\n"
    lines = "".join(f"  {v:<20} {GAME_VERB_HELP[v].splitlines()[0]}\n" for v in subs)
    return f"Usage:\n  {group} COMMAND\n\nCommands:\n{lines}\nUse \"{group} COMMAND --help\" for more.\n"


_MANIFEST_MEMO: dict[str, Any] = {}      # manifest text -> its value or its error (pure functions, remembered)


def _parse_manifest(text: str) -> Any:
    """A static pod manifest on a node, as the kubelet reads it (YAML or JSON). The caller must not
    change the value returned (the static pod source copies it)."""
    from kubegame import safeio
    hit = _MANIFEST_MEMO.get(text)
    if hit is None:
        try:
            docs = safeio.parse_text(text, "manifest")
            hit = docs[0].value if len(docs) == 1 else ValueError("a static pod manifest holds one document")
        except safeio.InputError as e:
            hit = ValueError(f"yaml: line {e.line}: {e.what}")
        if len(_MANIFEST_MEMO) > 512:
            _MANIFEST_MEMO.clear()
        _MANIFEST_MEMO[text] = hit
    if isinstance(hit, ValueError):
        raise ValueError(str(hit))
    return hit


def _render_manifest(body: dict) -> str:
    import json

    from kubegame.kubectl.printers import to_yaml
    key = "render:" + json.dumps(body, sort_keys=True)
    text = _MANIFEST_MEMO.get(key)
    if text is None:
        text = to_yaml(body)
        _MANIFEST_MEMO[key] = text
    return text


def _system_settled(cluster: Any) -> bool:
    """kubeadm's bootstrap is done: the static pods are Ready and CoreDNS is scheduled."""
    pods = cluster.pods("kube-system")
    dns = [p for p in pods if p.labels.get("k8s-app") == "kube-dns"]
    return len(dns) >= 2 and all(p.node_name for p in dns) and all(
        p.ready for p in pods if p.labels.get("tier") == "control-plane")


def _settled(cluster: Any) -> bool:
    """The initial workloads are up: every controller has its Ready replicas, no pod is Pending."""
    for kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        for o in cluster.list(kind):
            if int(o.status.get("readyReplicas", 0) or 0) < int(o.spec.get("replicas", 1)):
                return False
    for o in cluster.list("DaemonSet"):
        if int(o.status.get("numberReady", 0) or 0) < int(o.status.get("desiredNumberScheduled", 0) or 0):
            return False
    return all(p.phase != "Pending" and (p.ready or p.phase != "Running") for p in cluster.pods())


def _pod_state(p: Any, node: Any) -> str:
    if not node.alive:
        return "lost"
    if p.deletion_tick is not None:
        return "terminating"
    if p.phase in ("Succeeded",):
        return "done"
    if p.waiting_reason in ("CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff", "CreateContainerConfigError") \
            or p.phase == "Failed" or (p.state == "terminated" and p.exit_code):
        return "crash"
    if p.ready:
        return "running"
    return "starting"


def _read_only(words: list[str]) -> bool:
    """Is a kubectl command (words after `kubectl`) one that only reads?"""
    verbs = [w for w in words if not w.startswith("-")]
    if not verbs:
        return True
    if verbs[0] == "rollout":
        return len(verbs) > 1 and verbs[1] in READ_ONLY_ROLLOUT
    if "--dry-run" in " ".join(words) or "--help" in words or "-h" in words:
        return True
    if verbs[0] == "run" and "--rm" in words:
        return True          # a throw-away debug pod: created, used and deleted by the one command
    return verbs[0] in READ_ONLY


SSH_READ_ONLY = ("cat", "ls", "df", "du", "journalctl", "crictl", "hostname", "echo", "true")


def _ssh_read_only(words: list[str]) -> bool:
    """`node ssh N -- systemctl status kubelet`, `cat`, `crictl ps`: looking, not a change."""
    if words[:2] != ["node", "ssh"] or "--" not in words:
        return False
    argv = words[words.index("--") + 1:]
    if any(w in (">", ">>", "&&", ";") for w in argv) or not argv:
        return not argv
    prog = argv[0].rsplit("/", 1)[-1]
    if prog == "systemctl":
        verbs = [a for a in argv[1:] if not a.startswith("-")]
        return bool(verbs) and verbs[0] in ("status", "is-active", "show", "list-units", "cat")
    return prog in SSH_READ_ONLY


def _help_asked(words: list[str]) -> bool:
    return "--help" in words or "-h" in words or len(words) < 2


def replay_steps(commands: list[dict]) -> list[Step]:
    return [Step(int(c["tick"]), str(c["run"])) for c in commands if "run" in c]


@dataclass
class ReplayOutcome:
    result: GameResult
    matches: bool
    expected_hash: str
    notes: list[str] = field(default_factory=list)


def run_replay(level: Level | None, data: dict, game: Game | None = None) -> ReplayOutcome:
    """Play a recorded session again (same level, seed, commands at their ticks), reading no file:
    what `kubectl apply -f` read during play is in the replay (`files`). `data` is checked first
    (kubegame/replayfile.py). `game`: a fresh game to play it on instead (a chaos or daily run,
    whose scenario is planned as it goes)."""
    if game is None:
        assert level is not None
        game = Game(level, seed=int(data.get("seed", level.seed)))
    level = game.level
    ticks = int(data.get("ticks", level.duration))
    pending = deque(sorted(data.get("commands") or [], key=lambda c: int(c["tick"])))
    while True:
        while pending and int(pending[0]["tick"]) <= game.now:
            c = pending.popleft()
            if c.get("interrupt"):
                game.interrupt()
                continue
            if "api" in c:
                game.submit_api(c["api"])
                continue
            r = game.submit(str(c["run"]), stdin=c.get("stdin"), files=dict(c.get("files") or {}))
            if "edit" in c and r.edit is not None:
                game.finish_edit(r, c["edit"])
        if game.finished or game.now >= ticks:
            break
        game.step()
    res = game.result()
    expected = str(data.get("stateHash", ""))
    return ReplayOutcome(res, res.state_hash == expected, expected)
