"""Simulated container I/O: `kubectl run`, `logs`, `exec` answered from the simulated network.

Nothing here draws from the cluster's RNG: choosing which endpoint answers uses a
per-cluster counter, so typing `exec ... curl` never changes the game's random stream.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine import system
from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND
from kubegame.engine.objects import timestamp
from kubegame.engine.shell import CLUSTER_DOMAIN, DNS_IP, Shell  # noqa: F401 (re-exported)
from kubegame.kubectl.core import Ctx, parse_refs
from kubegame.kubectl.result import Result
from kubegame.kubectl.util import KubectlError, label_selector_matches

SYSTEM_IMAGE_NAMES = frozenset(i.name for i in system.SYSTEM_IMAGES)


def _logtime(tick: int) -> str:
    ts = timestamp(tick)          # 2026-01-01T00:00:09Z
    return ts[:10].replace("-", "/") + " " + ts[11:19]


def _pod_for(ctx: Ctx, arg: str) -> Any:
    """A pod by name, or the first pod of TYPE/NAME (kubectl's AttachablePodForObject)."""
    if "/" in arg:
        refs, _ = parse_refs([arg])
        res = refs[0].res
        if res.kind == "Pod":
            return _pod_for(ctx, refs[0].name or "")
        ctx.authorize("get", res, ctx.namespace, refs[0].name or "")
        obj = ctx.cluster.get(res.kind, ctx.namespace, refs[0].name)
        if obj is None:
            raise ApiError("NotFound", f'{res.qualified} "{refs[0].name}" not found', 404)
        sel = obj.spec.get("selector") if res.kind != "Service" else {"matchLabels": obj.spec.get("selector") or {}}
        pods = [p for p in ctx.cluster.pods(ctx.namespace) if label_selector_matches(sel or {}, p.labels)]
        pods.sort(key=lambda p: (p.phase != "Running", not p.ready, p.creation_tick, p.name))
        if not pods:
            raise KubectlError("timed out waiting for the condition")
        if len(pods) > 1:
            ctx.err.append(f"Found {len(pods)} pods, using pod/{pods[0].name}\n")
        return pods[0]
    ctx.authorize("get", BY_KIND["Pod"], ctx.namespace, arg)
    pod = ctx.cluster.get("Pod", ctx.namespace, arg)
    if pod is None:
        raise ApiError("NotFound", f'pods "{arg}" not found', 404)
    return pod


def _container(pod: Any, name: str | None) -> str:
    names = [c.get("name", "") for c in pod.spec.get("containers") or []]
    if name and name not in names:
        raise KubectlError(f"container {name} is not valid for pod {pod.name}")
    return name or (names[0] if names else "")


def _image(ctx: Ctx, pod: Any) -> Any:
    return ctx.cluster.registry.resolve(pod.image)


def crash_message(ctx: Ctx, pod: Any) -> str:
    node = ctx.cluster.node(pod.node_name)
    img = _image(ctx, pod)
    if img is not None and node is not None and not img.crashes and img.crash_on_kernels and img.crashes_on(node.kernel):
        return (f"fatal: kernel {node.kernel} is not supported: this build needs syscalls the host kernel does not "
                "provide (io_uring_setup: function not implemented)")
    if img is None:
        return "exec /app: no such file or directory"
    return "panic: runtime error: invalid memory address or nil pointer dereference\n" \
           "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b1c]"


def _run_lines(ctx: Ctx, pod: Any, start: int, end: int | None, crashed: bool) -> list[str]:
    img = _image(ctx, pod)
    if pod.namespace == "kube-system" and img is not None and img.name in SYSTEM_IMAGE_NAMES:
        return system.run_log(ctx.cluster, pod)         # the control plane's and add-ons' own logs
    lines = [f"{_logtime(start)} starting {pod.image}"]
    if crashed:
        lines += [f"{_logtime(start)} {ln}" if i == 0 else ln for i, ln in enumerate(crash_message(ctx, pod).split("\n"))]
        return lines
    if img is not None and img.capacity_rps:
        port = next((p.get("containerPort") for c in pod.spec.get("containers") or [] for p in c.get("ports") or []),
                    8080)
        ready_at = start + max(1, img.startup_ticks)
        lines.append(f"{_logtime(start)} listening on :{port}")
        if end is None or ready_at <= end:
            lines.append(f"{_logtime(ready_at)} ready to serve")
        traffic = getattr(ctx.cluster, "traffic", None)
        share = 0.0
        if traffic is not None and hasattr(traffic, "share"):
            svcs = getattr(ctx.cluster.endpoints, "pod_services", {}).get(pod.key, {})
            share = sum(traffic.share.get(s, 0.0) for s in svcs)
        stop = end if end is not None else ctx.cluster.now
        if share > 0 and pod.ready:
            t = ready_at + 10
            while t <= stop:
                lines.append(f"{_logtime(t)} served {int(share * 10)} requests in the last 10s "
                             f"(p50 {img.latency_ms:.0f}ms)")
                t += 10
    elif img is not None and img.run_ticks is not None:
        if end is not None:
            lines.append(f"{_logtime(end)} done (exit code {img.exit_code})")
    return lines


def cmd_logs(ctx: Ctx) -> None:
    p = ctx.p
    if not p.args:
        raise KubectlError("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a "
                           "required argument for the logs command\nSee 'kubectl logs -h' for help and examples")
    if p.flags.get("selector"):
        raise KubectlError("only one of -l or POD may be given") if p.args else None
    pod = _pod_for(ctx, p.args[0])
    ctx.authorize("get", BY_KIND["Pod"], pod.namespace, pod.name, "log")
    cname = _container(pod, p.flags.get("container") or (p.args[1] if len(p.args) > 1 else None))
    if p.flags.get("previous"):
        if not pod.restart_count or not pod.last_state:
            raise ApiError("BadRequest", f'previous terminated container "{cname}" in pod "{pod.name}" not found', 400)
        from kubegame.kubectl.util import tick_of
        st = tick_of(pod.last_state.get("startedAt")) or pod.creation_tick
        fin = tick_of(pod.last_state.get("finishedAt")) or ctx.cluster.now
        lines = _run_lines(ctx, pod, st, fin, crashed=int(pod.last_state.get("exitCode", 1) or 0) != 0)
    else:
        if pod.state == "waiting" or not pod.node_name:
            reason = pod.waiting_reason or "ContainerCreating"
            if reason == "CrashLoopBackOff" and pod.last_state:
                from kubegame.kubectl.util import tick_of
                st = tick_of(pod.last_state.get("startedAt")) or pod.creation_tick
                fin = tick_of(pod.last_state.get("finishedAt")) or ctx.cluster.now
                lines = _run_lines(ctx, pod, st, fin, crashed=True)
            else:
                raise ApiError("BadRequest", f'container "{cname}" in pod "{pod.name}" is waiting to start: {reason}',
                               400)
        else:
            start = pod.started_tick if pod.started_tick is not None else pod.creation_tick
            crashed = pod.state == "terminated" and (pod.exit_code or 0) != 0
            end = ctx.cluster.now if pod.state == "terminated" else None
            lines = _run_lines(ctx, pod, start, end, crashed)
    tail = int(p.get("tail", -1))
    if tail >= 0:
        lines = lines[-tail:] if tail else []
    if lines:
        ctx.print("\n".join(lines))


# -- the simulated network --------------------------------------------------------------------

def run_command(ctx: Ctx, argv: list[str], pod: Any | None, ns: str, hostname: str,
                container: str = "") -> tuple[str, str, int]:
    """One command inside a container: the engine's container shell (engine/shell.py), which exec
    probes run too."""
    return Shell(ctx.cluster, pod, ns, hostname, container).run(argv)


def cmd_exec(ctx: Ctx) -> Result | None:
    p = ctx.p
    if not p.args:
        raise KubectlError("pod, type/name or --filename must be specified")
    if p.dash < 0:
        if len(p.args) > 1:
            raise KubectlError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
                               "See 'kubectl exec -h' for help and examples")
        raise KubectlError("you must specify at least one command for the container")
    if p.dash != 1:
        raise KubectlError("exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\n"
                           "See 'kubectl exec -h' for help and examples")
    argv = p.args[p.dash:]
    if not argv:
        raise KubectlError("you must specify at least one command for the container")
    pod = _pod_for(ctx, p.args[0])
    ctx.authorize("create", BY_KIND["Pod"], pod.namespace, pod.name, "exec")
    cname = _container(pod, p.flags.get("container"))
    if pod.phase in ("Succeeded", "Failed"):
        raise KubectlError(f"cannot exec into a container in a completed pod; current phase is {pod.phase}")
    cstate = next((c for c in pod.all_containers if c.name == cname), pod.main)
    if cstate.state != "running":
        raise KubectlError(f'unable to upgrade connection: container not found ("{cname}")')
    node = ctx.cluster.node(pod.node_name)
    if node is None or not node.alive:
        raise KubectlError("error dialing backend: dial tcp: connect: no route to host")
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in ("sh", "bash", "ash") and len(argv) == 1:
        return Result("", "kubegame: interactive shells are not simulated; run one command at a time, e.g. "
                          f"kubectl exec {pod.name} -- wget -qO- SERVICE\n", 1)
    out, err, code = run_command(ctx, argv, pod, pod.namespace, pod.name, cname)
    if code:
        err += f"command terminated with exit code {code}\n"
    return Result(out, "".join(ctx.err) + err, code)


def cmd_run(ctx: Ctx) -> Result | None:
    p = ctx.p
    if not p.args or (p.dash == 0):
        raise KubectlError("NAME is required for run\nSee 'kubectl run -h' for help and examples")
    name = p.args[0]
    image = p.flags["image"]
    argv = p.args[p.dash:] if p.dash >= 0 else p.args[1:]
    labels = {"run": name}
    if p.flags.get("labels"):
        labels = dict(kv.split("=", 1) for kv in p.flags["labels"].split(",") if "=" in kv)
    container: dict[str, Any] = {"image": image, "name": name, "resources": {}}
    if argv:
        container["command" if p.flags.get("command") else "args"] = argv
    if p.flags.get("port"):
        container["ports"] = [{"containerPort": int(p.flags["port"])}]
    envs = p.flags.get("env") or []
    if envs:
        container["env"] = [{"name": e.split("=", 1)[0], "value": e.split("=", 1)[1] if "=" in e else ""} for e in envs]
    restart = p.flags.get("restart") or "Always"
    rm = bool(p.flags.get("rm"))
    interactive = bool(p.flags.get("stdin") or p.flags.get("tty"))
    if rm and not interactive:
        raise KubectlError("--rm should only be used for attached containers")
    if rm:
        restart = "Never" if not p.flags.get("restart") else restart
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"labels": labels, "name": name},
            "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
            "status": {}}
    if interactive:
        container["stdin"] = True
        container["tty"] = bool(p.flags.get("tty"))
    dry = ctx.dry_run
    if dry == "client":
        from kubegame.kubectl.cmd_write import print_obj_or
        print_obj_or(ctx, body, BY_KIND["Pod"], name, "created")
        return None
    ctx.authorize("create", BY_KIND["Pod"], ctx.namespace)
    if ctx.cluster.get("Pod", ctx.namespace, name) is not None:
        raise ApiError("AlreadyExists", f'pods "{name}" already exists', 409)
    img = ctx.cluster.registry.available(image, ctx.cluster.now)
    if interactive:
        if img is None:
            return Result("", f"error: timed out waiting for the condition (image {image} cannot be pulled: "
                              "ErrImagePull)\n", 1)
        if not argv or (argv[0].rsplit("/", 1)[-1] in ("sh", "bash", "ash") and len(argv) == 1):
            return Result("If you don't see a command prompt, try pressing enter.\n",
                          "kubegame: interactive shells are not simulated; give the command after --, e.g. "
                          f"kubectl run {name} --rm -it --image={image} -- wget -qO- SERVICE\n", 1)
        out, err, code = run_command(ctx, argv, None, ctx.namespace, name)
        if not rm:
            ctx.cluster.create(body, ctx.namespace)
        tail = f'pod "{name}" deleted from {ctx.namespace} namespace\n' if rm else ""
        if code:
            err += f"pod {ctx.namespace}/{name} terminated (Error)\n"
        return Result(out + tail, err, code)
    ctx.cluster.create(body, ctx.namespace, dry_run=dry == "server")
    ctx.print(f"pod/{name} created{ctx.dry_suffix()}")
    return None
