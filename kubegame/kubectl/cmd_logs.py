"""`kubectl logs` (pkg/cmd/logs/logs.go, polymorphichelpers/logsforobject.go, cmd/util/podcmd).

What a container printed comes from its image's app model (kubectl/cmd_sim.py run_lines):
each line has the tick it was written, so --since, --since-time, --timestamps and -f work
on the game clock. One pod by name or TYPE/NAME (the first of its pods), or every pod of
`-l` (10 lines each unless --tail); the default container (its annotation, else the first,
saying so when there are others), `-c`, `--all-containers` (init containers first),
`--previous`, `--prefix`, `--tail`, `--limit-bytes`. With `-f` the command follows the
containers until they exit (one container at a time, or all together for `-l`, at most
--max-log-requests); a container still waiting is retried every second, printing why, until
--pod-running-timeout.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND
from kubegame.engine.objects import timestamp
from kubegame.kubectl.cmd_sim import pod_for, run_lines
from kubegame.kubectl.core import Ctx
from kubegame.kubectl.stream import Stream
from kubegame.kubectl.util import (
    KubectlError,
    go_duration,
    parse_selector,
    request_timeout,
    selector_matches,
    tick_of,
)

USAGE = ("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for "
         "the logs command")
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


def all_container_names(pod: Any) -> str:
    """podcmd.AllContainerNames: containers, then init containers marked (init)."""
    return ", ".join([c.name for c in pod.containers] + [f"{c.name} (init)" for c in pod.init_containers])


def find_container(ctx: Ctx, pod: Any, name: str | None, quiet: bool = False) -> Any:
    """podcmd.FindOrDefaultContainerByName: the named container, the annotated default or the first."""
    name = name or (pod.annotations or {}).get(DEFAULT_CONTAINER) or ""
    if name:
        for c in pod.containers + pod.init_containers:
            if c.name == name:
                return c
        raise KubectlError(f"container {name} is not valid for pod {pod.name} out of: {all_container_names(pod)}")
    if not quiet and (len(pod.containers) > 1 or pod.init_containers):
        ctx.err.append(f'Defaulted container "{pod.main.name}" out of: {all_container_names(pod)}\n')
    return pod.main


def container_lines(ctx: Ctx, pod: Any, c: Any, previous: bool) -> list[tuple[int, str]]:
    """The lines one container wrote (tick, text): its current (or last) run, or --previous's."""
    if previous:
        last = c.last_state
        if not last:
            raise ApiError("BadRequest", f'previous terminated container "{c.name}" in pod "{pod.name}" not found', 400)
        st = tick_of(last.get("startedAt")) or pod.creation_tick
        fin = tick_of(last.get("finishedAt")) or ctx.cluster.now
        return run_lines(ctx, pod, c, st, fin, crashed=int(last.get("exitCode", 1) or 0) != 0)
    if c.state == "waiting" or not pod.node_name:
        reason = c.reason or "ContainerCreating"
        if c.last_state:                   # CrashLoopBackOff: the kubelet serves the run that just ended
            st = tick_of(c.last_state.get("startedAt")) or pod.creation_tick
            fin = tick_of(c.last_state.get("finishedAt")) or ctx.cluster.now
            return run_lines(ctx, pod, c, st, fin, crashed=int(c.last_state.get("exitCode", 1) or 0) != 0)
        raise ApiError("BadRequest", f'container "{c.name}" in pod "{pod.name}" is waiting to start: {reason}', 400)
    start = c.started_tick if c.started_tick is not None else pod.creation_tick
    crashed = c.state == "terminated" and (c.exit_code or 0) != 0
    end = (c.finished_tick or ctx.cluster.now) if c.state == "terminated" else None
    return run_lines(ctx, pod, c, start, end, crashed)


class Source:
    """One container's log: what was printed of it so far."""

    def __init__(self, pod: Any, c: Any, prefix: str):
        self.key, self.uid, self.name = pod.key, pod.uid, c.name
        self.prefix = prefix
        self.started = c.started_tick
        self.printed = 0
        self.ended = False
        self.failures = 0

    def container(self, cluster: Any) -> tuple[Any, Any]:
        pod = cluster.get("Pod", *self.key)
        if pod is None or pod.uid != self.uid:
            return None, None
        return pod, next((c for c in pod.containers + pod.init_containers if c.name == self.name), None)


class Options:
    """The flags that shape the lines."""

    def __init__(self, ctx: Ctx):
        p = ctx.p
        self.now = ctx.cluster.now
        self.timestamps = bool(p.flags.get("timestamps"))
        self.tail = int(p.get("tail", -1))
        if self.tail < -1:
            raise KubectlError("--tail must be greater than or equal to -1")
        if p.flags.get("selector") and "tail" not in p.flags:
            self.tail = 10                                  # logs.go selectorTail
        self.limit = int(p.get("limit-bytes", 0))
        if "limit-bytes" in p.flags and self.limit <= 0:
            raise KubectlError("--limit-bytes must be greater than 0")
        since = go_duration(str(p.get("since", "0s")), "since")
        if "since" in p.flags and since <= 0:
            raise KubectlError("--since must be greater than 0")
        since_time = p.flags.get("since-time")
        if since_time and since:
            raise KubectlError("at most one of `sinceTime` or `sinceSeconds` may be specified")
        self.from_tick: int | None = None
        if since:
            self.from_tick = self.now - round(since)
        elif since_time:
            t = tick_of(since_time)
            if t is None:
                raise KubectlError(f'parsing time "{since_time}" as "2006-01-02T15:04:05Z07:00": cannot parse '
                                   f'"{since_time}" as "2006"')
            self.from_tick = t

    def render(self, lines: list[tuple[int, str]], prefix: str, first: bool) -> str:
        if self.from_tick is not None:
            lines = [x for x in lines if x[0] >= self.from_tick]
        if first and self.tail >= 0:
            lines = lines[-self.tail:] if self.tail else []
        out = []
        for tick, text in lines:
            stamp = timestamp(tick).replace("Z", ".000000000Z") + " " if self.timestamps else ""
            out.append(f"{prefix}{stamp}{text}\n")
        text = "".join(out)
        if self.limit > 0:
            text = text[:self.limit]
        return text


def _pods(ctx: Ctx) -> tuple[list[Any], str | None]:
    """The pods to read and the container argument (POD CONTAINER)."""
    p = ctx.p
    sel = p.flags.get("selector")
    if not p.args and not sel:
        raise KubectlError(USAGE + "\nSee 'kubectl logs -h' for help and examples")
    if len(p.args) > 2:
        raise KubectlError(USAGE + "\nSee 'kubectl logs -h' for help and examples")
    if p.args and sel and len(p.args) == 1:
        raise KubectlError("only a selector (-l) or a POD name is allowed\nSee 'kubectl logs -h' for help and "
                           "examples")
    inline = p.args[1] if len(p.args) == 2 else None
    if sel:
        ctx.authorize("list", BY_KIND["Pod"], ctx.namespace)
        reqs = parse_selector(sel)
        pods = [x for x in ctx.cluster.pods(ctx.namespace) if selector_matches(reqs, x.labels)]
        if not pods:
            ctx.err.append(f"No resources found in {ctx.namespace} namespace.\n")
        return pods, inline
    try:
        return pod_for(ctx, p.args[0], all_pods=bool(p.flags.get("all-pods")), say_found=True), inline
    except ApiError as exc:
        if exc.code == 404:
            raise KubectlError(f"error from server (NotFound): {exc.message} in namespace \"{ctx.namespace}\"") \
                from None
        raise


def cmd_logs(ctx: Ctx) -> None:
    p = ctx.p
    opts = Options(ctx)
    pods, inline = _pods(ctx)
    named = p.flags.get("container")
    if named and inline:
        raise KubectlError("only one of -c or an inline [CONTAINER] arg is allowed")
    named = named or inline
    every = bool(p.flags.get("all-containers"))
    if every and named:
        raise KubectlError(f"--all-containers=true should not be specified with container name {named}")
    prefix_on = bool(p.flags.get("prefix") or p.flags.get("all-pods"))
    sources: list[tuple[Any, Any]] = []
    for pod in pods:
        ctx.authorize("get", BY_KIND["Pod"], pod.namespace, pod.name, "log")
        chosen = pod.init_containers + pod.containers if every else \
            [find_container(ctx, pod, named, quiet=bool(p.flags.get("selector")))]
        sources.extend((pod, c) for c in chosen)
    follow = bool(p.flags.get("follow"))
    if follow and len(sources) > 1 and len(sources) > int(p.get("max-log-requests", 5)):
        raise KubectlError(f"you are attempting to follow {len(sources)} log streams, but maximum allowed "
                           f"concurrency is {int(p.get('max-log-requests', 5))}, use --max-log-requests to increase "
                           "the limit")
    previous = bool(p.flags.get("previous"))
    ignore = bool(p.flags.get("ignore-errors"))
    state = []
    for pod, c in sources:
        prefix = f"[pod/{pod.name}/{c.name}] " if prefix_on else ""
        src = Source(pod, c, prefix)
        try:
            lines = container_lines(ctx, pod, c, previous)
        except ApiError as exc:
            if follow and exc.code == 400 and not previous:
                ctx.err.append(exc.message + "\n")      # consumeWithRetry: retried every second
                state.append(src)
                continue
            if ignore:
                ctx.err.append(f"error: {exc.message}\n")
                continue
            raise
        text = opts.render(lines, prefix, first=True)
        src.printed = len(lines)
        ctx.out.append(text)
        if follow and not previous and c.state == "running":
            state.append(src)
        elif follow and not previous:
            src.ended = True
    if follow and state:
        ctx.stream = LogsFollow(ctx, state, opts, go_duration(str(p.get("pod-running-timeout", "20s")),
                                                              "pod-running-timeout"))


class LogsFollow(Stream):
    """`logs -f`: the new lines of each followed container every tick, until each has exited."""

    name = "logs -f"
    endless = True

    def __init__(self, ctx: Ctx, sources: list[Source], opts: Options, wait: float):
        super().__init__(ctx.cluster, request_timeout(ctx.p))     # --request-timeout ends the stream
        self.ctx = ctx
        self.sources = sources
        self.opts = opts
        self.wait = max(1, round(wait))

    def step(self, cluster: Any) -> tuple[str, str]:
        out, err = "", ""
        for src in self.sources:
            if src.ended:
                continue
            pod, c = src.container(cluster)
            if c is None:
                src.ended = True
                continue
            if src.started is None:                      # still waiting to start: retried every second
                try:
                    lines = container_lines(self.ctx, pod, c, False)
                except ApiError as exc:
                    src.failures += 1
                    if src.failures >= self.wait:
                        src.ended = True
                        self.finish(1)
                        return out, err + "error: timed out waiting for the condition\n"
                    err += exc.message + "\n"
                    continue
                src.started = c.started_tick
                out += self.opts.render(lines, src.prefix, first=False)
                src.printed = len(lines)
                continue
            if c.started_tick != src.started:            # that run ended; a restart is a new stream
                src.ended = True
                continue
            lines = container_lines(self.ctx, pod, c, False)
            if len(lines) > src.printed:
                out += self.opts.render(lines[src.printed:], src.prefix, first=False)
                src.printed = len(lines)
            if c.state != "running":
                src.ended = True
        if all(s.ended for s in self.sources):
            self.finish(0)
        return out, err

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        self.finish(0)
        return "", ""
