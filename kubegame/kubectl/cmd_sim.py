"""Simulated container I/O: `kubectl run`, `logs`, `exec` answered from the simulated network.

Nothing here draws from the cluster's RNG: choosing which endpoint answers uses a
per-cluster counter, so typing `exec ... curl` never changes the game's random stream.
"""

from __future__ import annotations

import shlex
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.objects import timestamp
from kubegame.kubectl.core import Ctx, parse_refs
from kubegame.kubectl.result import Result
from kubegame.kubectl.util import KubectlError, label_selector_matches

CLUSTER_DOMAIN = "cluster.local"
DNS_IP = "10.96.0.10"


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

def _services(ctx: Ctx) -> list[Any]:
    return ctx.cluster.list("Service", None)


def resolve_host(ctx: Ctx, host: str, ns: str) -> tuple[str, Any] | None:
    """DNS: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, a ClusterIP or a pod IP."""
    host = host.rstrip(".")
    for svc in _services(ctx):
        names = {f"{svc.name}.{svc.namespace}", f"{svc.name}.{svc.namespace}.svc",
                 f"{svc.name}.{svc.namespace}.svc.{CLUSTER_DOMAIN}"}
        if svc.namespace == ns:
            names.add(svc.name)
        if host in names or host == svc.spec.get("clusterIP"):
            return ("svc", svc)
    for pod in ctx.cluster.pods():
        if pod.ip and pod.ip == host:
            return ("pod", pod)
    return None


def _pick(ctx: Ctx, svc: Any) -> Any:
    eps = list(ctx.cluster.endpoints.endpoints(svc.namespace, svc.name)) if hasattr(ctx.cluster, "endpoints") else []
    live = []
    for pod in eps:
        node = ctx.cluster.node(pod.node_name)
        if node is not None and node.alive and pod.state == "running":
            live.append(pod)
    if not live:
        return None
    counters = getattr(ctx.cluster, "_kubectl_rr", None)
    if counters is None:
        counters = {}
        ctx.cluster._kubectl_rr = counters
    i = counters.get(svc.key, 0)
    counters[svc.key] = i + 1
    return sorted(live, key=lambda p: p.name)[i % len(live)]


def _split_url(url: str) -> tuple[str, int | None, str]:
    u = url
    if "://" in u:
        u = u.split("://", 1)[1]
    hostport, _, path = u.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port) if port.isdigit() else None, "/" + path


def http_get(ctx: Ctx, tool: str, url: str, ns: str) -> tuple[str, str, int]:
    host, port, path = _split_url(url)
    r = resolve_host(ctx, host, ns)
    if r is None:
        if tool == "curl":
            return "", f"curl: (6) Could not resolve host: {host}\n", 6
        return "", f"wget: bad address '{host}'\n", 1
    kind, obj = r
    if kind == "svc":
        ports = [pp.get("port") for pp in obj.spec.get("ports") or []]
        port = port or 80
        ip = obj.spec.get("clusterIP")
        pod = _pick(ctx, obj) if port in ports else None
        if pod is None:
            if tool == "curl":
                return "", (f"curl: (7) Failed to connect to {host} port {port} after 3 ms: Couldn't connect to "
                            "server\n"), 7
            return "", f"Connecting to {host}:{port} ({ip}:{port})\nwget: can't connect to remote host ({ip}): " \
                       "Connection refused\n", 1
    else:
        pod = obj
        ip = pod.ip
        port = port or 80
        if pod.state != "running":
            if tool == "curl":
                return "", f"curl: (7) Failed to connect to {host} port {port}: Connection refused\n", 7
            return "", f"wget: can't connect to remote host ({ip}): Connection refused\n", 1
    img = ctx.cluster.registry.resolve(pod.image)
    if img is not None and not img.capacity_rps:
        if tool == "curl":
            return "", f"curl: (7) Failed to connect to {host} port {port}: Connection refused\n", 7
        return "", f"wget: can't connect to remote host ({ip}): Connection refused\n", 1
    body = f"Hello from {pod.name} ({pod.image}) on {pod.node_name}, path {path}\n"
    return body, "", 0


def nslookup(ctx: Ctx, name: str, ns: str) -> tuple[str, str, int]:
    head = f"Server:\t\t{DNS_IP}\nAddress:\t{DNS_IP}:53\n\n"
    r = resolve_host(ctx, name, ns)
    if r is None or r[0] != "svc":
        fq = name if name.endswith(CLUSTER_DOMAIN) or "." in name else f"{name}.{ns}.svc.{CLUSTER_DOMAIN}"
        return head + f"** server can't find {fq}: NXDOMAIN\n\n", "", 1
    svc = r[1]
    fq = f"{svc.name}.{svc.namespace}.svc.{CLUSTER_DOMAIN}"
    return head + f"Name:\t{fq}\nAddress: {svc.spec.get('clusterIP')}\n\n", "", 0


def env_lines(ctx: Ctx, pod: Any | None, ns: str, hostname: str) -> list[str]:
    lines = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", f"HOSTNAME={hostname}"]
    if pod is not None:
        for c in pod.spec.get("containers") or []:
            for e in c.get("env") or []:
                if "value" in e:
                    lines.append(f"{e.get('name')}={e.get('value')}")
            break
    for svc in ctx.cluster.list("Service", ns):
        ip = svc.spec.get("clusterIP")
        if not ip or ip == "None":
            continue
        prefix = svc.name.upper().replace("-", "_")
        ports = svc.spec.get("ports") or []
        if ports:
            p0 = ports[0]
            lines += [f"{prefix}_SERVICE_HOST={ip}", f"{prefix}_SERVICE_PORT={p0.get('port')}",
                      f"{prefix}_PORT={p0.get('protocol', 'TCP').lower()}://{ip}:{p0.get('port')}"]
    lines.append("HOME=/root")
    return lines


FILES = {
    "/etc/resolv.conf": lambda ns: (f"search {ns}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}\n"
                                    f"nameserver {DNS_IP}\noptions ndots:5\n"),
}


def run_command(ctx: Ctx, argv: list[str], pod: Any | None, ns: str, hostname: str) -> tuple[str, str, int]:
    """One command inside a container: stdout, stderr, exit code."""
    if not argv:
        return "", "", 0
    prog = argv[0].rsplit("/", 1)[-1]
    args = argv[1:]
    if prog in ("sh", "bash", "ash") and len(args) >= 2 and args[0] == "-c":
        out, err, code = "", "", 0
        for part in args[1].split("&&"):
            try:
                words = shlex.split(part)
            except ValueError:
                return out, err + f"{prog}: syntax error: unterminated quoted string\n", 2
            o, e, code = run_command(ctx, words, pod, ns, hostname)
            out, err = out + o, err + e
            if code:
                break
        return out, err, code
    if prog in ("sh", "bash", "ash") and not args:
        return "", "", 0
    if prog == "curl":
        urls = [a for a in args if not a.startswith("-")]
        if not urls:
            return "", "curl: try 'curl --help' or 'curl --manual' for more information\n", 2
        return http_get(ctx, "curl", urls[-1], ns)
    if prog == "wget":
        urls = [a for a in args if not a.startswith("-") and a != "-"]
        quiet_stdout = any(a in ("-O-", "-qO-", "-qO", "-O") for a in args) or "-" in args
        if not urls:
            return "", "BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] URL...\n", 1
        out, err, code = http_get(ctx, "wget", urls[-1], ns)
        if code == 0 and not quiet_stdout:
            host, _, _ = _split_url(urls[-1])
            return "", f"Connecting to {host}\nsaving to 'index.html'\nindex.html           100% |********| " \
                       f"{len(out)}  0:00:00 ETA\n'index.html' saved\n", 0
        return out, err, code
    if prog == "nslookup":
        if not args:
            return "", "BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup HOST [DNS_SERVER]\n", 1
        return nslookup(ctx, args[0], ns)
    if prog in ("env", "printenv"):
        lines = env_lines(ctx, pod, ns, hostname)
        if prog == "printenv" and args:
            vals = dict(ln.split("=", 1) for ln in lines)
            found = [vals[a] for a in args if a in vals]
            return "".join(v + "\n" for v in found), "", 0 if len(found) == len(args) else 1
        return "\n".join(lines) + "\n", "", 0
    if prog == "cat":
        out, err, code = "", "", 0
        for f in args:
            if f in FILES:
                out += FILES[f](ns)
            elif f == "/etc/hostname":
                out += hostname + "\n"
            elif f == "/etc/hosts":
                ip = pod.ip if pod is not None else "10.244.0.99"
                out += f"127.0.0.1\tlocalhost\n{ip}\t{hostname}\n"
            else:
                err += f"cat: can't open '{f}': No such file or directory\n"
                code = 1
        return out, err, code
    if prog == "hostname":
        return hostname + "\n", "", 0
    if prog == "echo":
        return " ".join(args) + "\n", "", 0
    if prog in ("true",):
        return "", "", 0
    if prog in ("false",):
        return "", "", 1
    if prog == "ls":
        return "bin\ndev\netc\nhome\nproc\nroot\nsys\ntmp\nusr\nvar\n", "", 0
    if prog in ("sleep", "date"):
        return (timestamp(ctx.cluster.now) + "\n" if prog == "date" else ""), "", 0
    return "", (f"OCI runtime exec failed: exec failed: unable to start container process: exec: \"{argv[0]}\": "
                "executable file not found in $PATH: unknown\n"), 126


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
    cname = _container(pod, p.flags.get("container"))
    if pod.phase in ("Succeeded", "Failed"):
        raise KubectlError(f"cannot exec into a container in a completed pod; current phase is {pod.phase}")
    if pod.state != "running":
        raise KubectlError(f'unable to upgrade connection: container not found ("{cname}")')
    node = ctx.cluster.node(pod.node_name)
    if node is None or not node.alive:
        raise KubectlError("error dialing backend: dial tcp: connect: no route to host")
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in ("sh", "bash", "ash") and len(argv) == 1:
        return Result("", "kubegame: interactive shells are not simulated; run one command at a time, e.g. "
                          f"kubectl exec {pod.name} -- wget -qO- SERVICE\n", 1)
    out, err, code = run_command(ctx, argv, pod, pod.namespace, pod.name)
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
            "metadata": {"creationTimestamp": None, "labels": labels, "name": name},
            "spec": {"containers": [container], "dnsPolicy": "ClusterFirst", "restartPolicy": restart},
            "status": {}}
    if interactive:
        container["stdin"] = True
        container["tty"] = bool(p.flags.get("tty"))
    dry = ctx.dry_run
    if dry == "client":
        from kubegame.engine.kinds import BY_KIND
        from kubegame.kubectl.cmd_write import print_obj_or
        print_obj_or(ctx, body, BY_KIND["Pod"], name, "created")
        return None
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
        tail = f'pod "{name}" deleted\n' if rm else ""
        if code:
            err += f"pod {ctx.namespace}/{name} terminated (Error)\n"
        return Result(out + tail, err, code)
    ctx.cluster.create(body, ctx.namespace, dry_run=dry == "server")
    ctx.print(f"pod/{name} created{ctx.dry_suffix()}")
    return None
