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
from kubegame.kubectl.stream import Stream
from kubegame.kubectl.util import KubectlError, label_selector_matches, request_timeout

SYSTEM_IMAGE_NAMES = frozenset(i.name for i in system.SYSTEM_IMAGES)


def _logtime(tick: int) -> str:
    ts = timestamp(tick)          # 2026-01-01T00:00:09Z
    return ts[:10].replace("-", "/") + " " + ts[11:19]


def pod_for(ctx: Ctx, arg: str, all_pods: bool = False, say_found: bool = False) -> list[Any]:
    """A pod by name, or the first pod of TYPE/NAME (kubectl's AttachablePodForObject; every pod
    with `all_pods`). `say_found`: logs' `Found 3 pods, using pod/x` (logsforobject.go)."""
    if "/" in arg:
        refs, _ = parse_refs([arg])
        res = refs[0].res
        if res.kind == "Pod":
            return pod_for(ctx, refs[0].name or "")
        ctx.authorize("get", res, ctx.namespace, refs[0].name or "")
        obj = ctx.cluster.get(res.kind, ctx.namespace, refs[0].name)
        if obj is None:
            raise ApiError("NotFound", f'{res.qualified} "{refs[0].name}" not found', 404)
        sel = obj.spec.get("selector") if res.kind != "Service" else {"matchLabels": obj.spec.get("selector") or {}}
        pods = [p for p in ctx.cluster.pods(ctx.namespace) if label_selector_matches(sel or {}, p.labels)]
        pods.sort(key=lambda p: (p.phase != "Running", not p.ready, p.creation_tick, p.name))
        if not pods:
            raise KubectlError("timed out waiting for the condition")
        if all_pods:
            return pods
        if len(pods) > 1 and say_found:
            ctx.err.append(f"Found {len(pods)} pods, using pod/{pods[0].name}\n")
        return pods[:1]
    ctx.authorize("get", BY_KIND["Pod"], ctx.namespace, arg)
    pod = ctx.cluster.get("Pod", ctx.namespace, arg)
    if pod is None:
        raise ApiError("NotFound", f'pods "{arg}" not found', 404)
    return [pod]


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


def run_lines(ctx: Ctx, pod: Any, c: Any, start: int, end: int | None, crashed: bool) -> list[tuple[int, str]]:
    """What container `c` of the pod printed in its run from `start` (to `end`): (tick, line)."""
    img = ctx.cluster.registry.resolve(c.image)
    if pod.namespace == "kube-system" and img is not None and img.name in SYSTEM_IMAGE_NAMES:
        return [(start, ln) for ln in system.run_log(ctx.cluster, pod)]   # the control plane's own logs
    lines = [(start, f"{_logtime(start)} starting {c.image}")]
    if crashed:
        msg = crash_message(ctx, pod).split("\n")
        lines += [(start, f"{_logtime(start)} {ln}" if i == 0 else ln) for i, ln in enumerate(msg)]
        return lines
    if img is not None and img.capacity_rps:
        port = next((p.get("containerPort") for p in c.spec.get("ports") or []), 8080)
        ready_at = start + max(1, img.startup_ticks)
        lines.append((start, f"{_logtime(start)} listening on :{port}"))
        stop = end if end is not None else ctx.cluster.now
        if ready_at <= stop:
            lines.append((ready_at, f"{_logtime(ready_at)} ready to serve"))
        traffic = getattr(ctx.cluster, "traffic", None)
        share = 0.0
        if traffic is not None and hasattr(traffic, "share"):
            svcs = getattr(ctx.cluster.endpoints, "pod_services", {}).get(pod.key, {})
            share = sum(traffic.share.get(s, 0.0) for s in svcs)
        if share > 0 and pod.ready:
            t = ready_at + 10
            while t <= stop:
                lines.append((t, f"{_logtime(t)} served {int(share * 10)} requests in the last 10s "
                                 f"(p50 {img.latency_ms:.0f}ms)"))
                t += 10
    elif img is not None and img.run_ticks is not None:
        if end is not None:
            lines.append((end, f"{_logtime(end)} done (exit code {img.exit_code})"))
    return lines


# -- the simulated network --------------------------------------------------------------------

def run_command(ctx: Ctx, argv: list[str], pod: Any | None, ns: str, hostname: str,
                container: str = "") -> tuple[str, str, int]:
    """One command inside a container: the engine's container shell (engine/shell.py), which exec
    probes run too."""
    return Shell(ctx.cluster, pod, ns, hostname, container).run(argv)


def interactive_shell(ctx: Ctx, pod: Any, container: str, example: str) -> Result:
    """`-it ... -- sh`: the game screen opens a shell window in the container (Result.shell); a plain
    line console cannot, and says what to type instead."""
    if not (ctx.p.flags.get("stdin") and ctx.p.flags.get("tty")):
        return Result("", "", 0)          # sh with no terminal reads an empty stdin and exits at once
    return Result("", "kubegame: an interactive shell needs the full-screen game (it opens one there); here, "
                      f"run one command at a time, e.g. {example}\n", 1, shell=(pod.namespace, pod.name, container))


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
    pod = pod_for(ctx, p.args[0])[0]
    ctx.authorize("create", BY_KIND["Pod"], pod.namespace, pod.name, "exec")
    from kubegame.kubectl.cmd_logs import find_container
    cname = find_container(ctx, pod, p.flags.get("container"), quiet=bool(p.flags.get("quiet"))).name
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
        return interactive_shell(ctx, pod, cname, f"kubectl exec {pod.name} -- wget -qO- SERVICE")
    out, err, code = run_command(ctx, argv, pod, pod.namespace, pod.name, cname)
    if code:
        err += f"command terminated with exit code {code}\n"
    return Result(out, "".join(ctx.err) + err, code)


def cmd_run(ctx: Ctx) -> Result | None:
    from kubegame.kubectl.cmd_write import owned
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
        if not str(p.flags["port"]).lstrip("-").isdigit():
            raise KubectlError("--port must be a number")
        container["ports"] = [{"containerPort": int(p.flags["port"])}]
    if p.flags.get("image-pull-policy"):
        policy = str(p.flags["image-pull-policy"])
        if policy not in ("Always", "IfNotPresent", "Never"):
            raise KubectlError(f"invalid image pull policy: {policy}")
        container["imagePullPolicy"] = policy
    if p.flags.get("privileged"):
        container["securityContext"] = {"privileged": True}
    envs = p.flags.get("env") or []
    if envs:
        container["env"] = [{"name": e.split("=", 1)[0], "value": e.split("=", 1)[1] if "=" in e else ""} for e in envs]
    if p.flags.get("expose") and not p.flags.get("port"):
        raise KubectlError("--port must be set when exposing a service")
    restart = p.flags.get("restart") or "Always"
    if restart not in ("Always", "OnFailure", "Never"):
        raise KubectlError(f"invalid restart policy: {restart}, valid values are: Always, OnFailure, Never")
    rm = bool(p.flags.get("rm"))
    interactive = bool(p.flags.get("stdin") or p.flags.get("tty"))
    if rm and not interactive:
        raise KubectlError("--rm should only be used for attached containers")
    if rm:
        restart = "Never" if not p.flags.get("restart") else restart
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"labels": labels, "name": name,
                         **({"annotations": dict(kv.split("=", 1) for x in p.flags["annotations"]
                                                 for kv in [x] if "=" in kv)} if p.flags.get("annotations") else {})},
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
    if p.flags.get("expose"):
        # run.go generateService: a ClusterIP Service named after the pod, selecting its labels
        svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
               "spec": {"ports": [{"port": int(p.flags["port"]), "protocol": "TCP",
                                   "targetPort": int(p.flags["port"])}], "selector": dict(labels)}}
        ctx.authorize("create", BY_KIND["Service"], ctx.namespace)
        owned(ctx, ctx.cluster.create(svc, ctx.namespace, dry_run=dry == "server"))
        ctx.print(f"service/{name} created{ctx.dry_suffix()}")
    owned(ctx, ctx.cluster.create(body, ctx.namespace, dry_run=dry == "server"))
    ctx.print(f"pod/{name} created{ctx.dry_suffix()}")
    return None


# -- port-forward ---------------------------------------------------------------------------------

class PortForward(Stream):
    """`kubectl port-forward` (pkg/cmd/portforward, client-go's portforward): it listens until Ctrl-C
    or until the pod goes (`lost connection to pod`). The game has no machine of yours to connect
    from, so no connection ever comes: the command says so once."""

    endless = True
    name = "port-forward"

    def __init__(self, ctx: Ctx, pod: Any):
        super().__init__(ctx.cluster, request_timeout(ctx.p))
        self.key, self.uid = pod.key, pod.uid

    def step(self, cluster: Any) -> tuple[str, str]:
        pod = cluster.get("Pod", *self.key)
        if pod is None or pod.uid != self.uid or pod.phase != "Running":
            self.finish(1)
            return "", "error: lost connection to pod\n"
        return "", ""

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        self.finish(0)
        return "", ""


def _split_port(spec: str) -> tuple[str, str]:
    local, _, remote = spec.partition(":")
    return (local, remote) if remote or ":" in spec else (spec, spec)


def cmd_port_forward(ctx: Ctx) -> None:
    p = ctx.p
    if len(p.args) < 2:
        raise KubectlError("TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward "
                           "-h' for help and examples")
    target, ports = p.args[0], p.args[1:]
    svc = None
    if "/" in target:
        refs, _ = parse_refs([target])
        if refs[0].res.kind == "Service":
            ctx.authorize("get", refs[0].res, ctx.namespace, refs[0].name or "")
            svc = ctx.cluster.get("Service", ctx.namespace, refs[0].name)
            if svc is None:
                raise ApiError("NotFound", f'services "{refs[0].name}" not found', 404)
    pod = pod_for(ctx, target)[0]
    ctx.authorize("create", BY_KIND["Pod"], pod.namespace, pod.name, "portforward")
    pairs = []
    for spec in ports:
        local, remote = _split_port(spec)
        if not remote:
            raise KubectlError("remote port cannot be empty")
        if svc is not None:
            remote = _service_target(svc, pod, remote)
        elif not remote.isdigit():
            named = {str(x.get("name")): x.get("containerPort") for c in pod.spec.get("containers") or []
                     for x in c.get("ports") or [] if x.get("name")}
            if remote not in named:
                raise KubectlError(f"Pod '{pod.name}' does not have a named port '{remote}'")
            remote = str(named[remote])
        if not local:
            local = str(30000 + int(pod.uid.replace("-", "")[:4], 16) % 30000)     # the OS's free port
        pairs.append((local, remote))
    if pod.phase != "Running":
        raise KubectlError(f"unable to forward port because pod is not running. Current status={pod.phase}")
    addresses = [a for x in p.flags.get("address") or ["localhost"] for a in x.split(",") if a]
    binds = []
    for a in addresses:
        binds += ["127.0.0.1", "[::1]"] if a == "localhost" else [f"[{a}]" if ":" in a else a]
    for local, remote in pairs:
        for b in binds:
            ctx.print(f"Forwarding from {b}:{local} -> {remote}")
    ctx.err.append("kubegame: nothing in the game connects to a forwarded port (there is no machine of yours "
                   "here); reach the pod with kubectl exec POD -- wget -qO- localhost:PORT instead. Ctrl-C stops "
                   "the forward.\n")
    ctx.stream = PortForward(ctx, pod)


def _service_target(svc: Any, pod: Any, remote: str) -> str:
    """translateServicePortToTargetPort: a service port (number or name) -> the pod's container port."""
    sports = svc.spec.get("ports") or []
    if remote.isdigit():
        sp = next((x for x in sports if str(x.get("port")) == remote), None)
        if sp is None:
            raise KubectlError(f"Service {svc.name} does not have a service port {remote}")
    else:
        sp = next((x for x in sports if x.get("name") == remote), None)
        if sp is None:
            raise KubectlError(f"Service '{svc.name}' does not have a named port '{remote}'")
    tp = sp.get("targetPort", sp.get("port"))
    if isinstance(tp, int) or str(tp).isdigit():
        return str(tp)
    for c in pod.spec.get("containers") or []:
        for x in c.get("ports") or []:
            if x.get("name") == tp:
                return str(x.get("containerPort"))
    raise KubectlError(f"Pod '{pod.name}' does not have a named port '{tp}'")
