"""Cluster management: cordon, uncordon, drain, taint; `top nodes|pods`."""

from __future__ import annotations

from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND
from kubegame.kubectl.cmd_write import _targets, update_object
from kubegame.kubectl.core import Ctx, parse_refs
from kubegame.kubectl.drain import Drain
from kubegame.kubectl.util import KubectlError, go_duration, parse_selector, selector_matches, table


def _nodes(ctx: Ctx, verb: str) -> list[Any]:
    p = ctx.p
    if not p.args and not p.flags.get("selector"):
        raise KubectlError(f"USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help and examples")
    if p.flags.get("selector"):
        ctx.authorize("list", BY_KIND["Node"], None)
        reqs = parse_selector(p.flags["selector"])
        return [n for n in ctx.cluster.nodes() if selector_matches(reqs, n.labels)]
    out = []
    for a in p.args:
        name = a.split("/", 1)[1] if a.startswith(("node/", "nodes/", "no/")) else a
        ctx.authorize("get", BY_KIND["Node"], None, name)
        node = ctx.cluster.node(name)
        if node is None:
            raise ApiError("NotFound", f'nodes "{name}" not found', 404)
        out.append(node)
    return out


def _set_unschedulable(ctx: Ctx, node: Any, value: bool) -> str:
    verb = "cordoned" if value else "uncordoned"
    ctx.authorize("patch", BY_KIND["Node"], None, node.name)
    if bool(node.spec.get("unschedulable")) == value:
        return f"node/{node.name} already {verb}"
    body = ctx.cluster.render(node)
    if value:
        body["spec"]["unschedulable"] = True       # the engine adds the controller's taint (cluster.update)
    else:
        body["spec"].pop("unschedulable", None)
    if ctx.dry_run == "none":
        update_object(ctx, node, body)         # the scheduler and taint manager watch Nodes
    return f"node/{node.name} {verb}{ctx.dry_suffix()}"


def cmd_cordon(ctx: Ctx) -> None:
    value = ctx.p.path == "cordon"
    for node in _nodes(ctx, ctx.p.path):
        ctx.print(_set_unschedulable(ctx, node, value))


def pods_to_drain(ctx: Ctx, node: Any) -> tuple[list[Any], list[str], list[str]]:
    """pkg/drain/filters.go GetPodsForDeletion: (pods to evict, errors, warnings)."""
    p = ctx.p
    ctx.authorize("list", BY_KIND["Pod"], None)
    pods = sorted(ctx.cluster.store.pods_on(node.name).values(), key=lambda x: (x.namespace, x.name))
    sel = p.flags.get("pod-selector")
    if sel:
        reqs = parse_selector(sel)
        pods = [x for x in pods if selector_matches(reqs, x.labels)]
    errors, warnings, to_evict = [], [], []
    ds_pods, unmanaged, emptydir = [], [], []
    skip = int(p.get("skip-wait-for-delete-timeout", 0))
    for pod in pods:
        if skip > 0 and pod.deletion_tick is not None and ctx.cluster.now - pod.deletion_tick > skip:
            continue                      # filters.go skipDeletedFilter
        if pod.phase in ("Succeeded", "Failed"):
            to_evict.append(pod)
            continue
        if "kubernetes.io/config.mirror" in (pod.annotations or {}):
            continue                      # mirrorPodFilter: a static pod's mirror, the kubelet owns it
        ref = pod.controller_ref()
        if ref and ref.get("kind") == "DaemonSet":
            ds_pods.append(pod)
            continue
        if ref is None:
            unmanaged.append(pod)
        if any("emptyDir" in (v or {}) for v in pod.spec.get("volumes") or []):
            emptydir.append(pod)
        to_evict.append(pod)
    if ds_pods:
        names = ", ".join(f"{x.namespace}/{x.name}" for x in ds_pods)
        if p.flags.get("ignore-daemonsets"):
            warnings.append(f"ignoring DaemonSet-managed Pods: {names}")
        else:
            errors.append(f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {names}")
    if unmanaged:
        names = ", ".join(f"{x.namespace}/{x.name}" for x in unmanaged)
        if p.flags.get("force"):
            warnings.append("deleting Pods that declare no controller: " + names)
        else:
            errors.append("cannot delete Pods that declare no controller (use --force to override): " + names)
    if emptydir:
        names = ", ".join(f"{x.namespace}/{x.name}" for x in emptydir)
        if not p.flags.get("delete-emptydir-data"):
            errors.append("cannot delete Pods with local storage (use --delete-emptydir-data to override): "
                          + names)
    return to_evict, errors, warnings


def cmd_drain(ctx: Ctx) -> None:
    """pkg/cmd/drain: cordon every node, then drain them in turn on the game clock (drain.Drain)."""
    p = ctx.p
    if p.flags.get("disable-eviction"):
        raise KubectlError("kubegame does not simulate --disable-eviction (drain evicts through the Eviction API)")
    nodes = _nodes(ctx, "drain")
    grace = int(p.get("grace-period", -1))
    grace_v = None if grace < 0 else grace
    for node in nodes:
        ctx.print(_set_unschedulable(ctx, node, True))
    if ctx.dry_run != "none":
        for node in nodes:
            to_evict, errors, warnings = pods_to_drain(ctx, node)
            if errors:
                ctx.error(f'error: unable to drain node "{node.name}" due to error: cannot delete '
                          + "; ".join(e[len("cannot delete "):] for e in errors) + ", continuing command...")
                continue
            for w in warnings:
                ctx.err.append(f"Warning: {w}\n")
            for pod in to_evict:
                ctx.print(f"evicting pod {pod.namespace}/{pod.name}{ctx.dry_suffix()}")
            ctx.print(f"node/{node.name} drained{ctx.dry_suffix()}")
        return
    timeout = go_duration(str(p.get("timeout", "0s")), "timeout")
    stream = Drain(ctx, nodes, grace_v, max(0.0, timeout))
    out, err = stream.start_node(ctx.cluster)
    ctx.out.append(out)
    ctx.err.append(err)
    if stream.done:
        ctx.exit_code = stream.exit_code
        return
    ctx.stream = stream


def parse_taint(spec: str) -> tuple[str, str, str, bool]:
    """`key=value:Effect`, `key:Effect`, `key:Effect-`, `key-`."""
    remove = spec.endswith("-")
    s = spec[:-1] if remove else spec
    key_val, _, effect = s.partition(":")
    key, _, value = key_val.partition("=")
    if effect and effect not in ("NoSchedule", "PreferNoSchedule", "NoExecute"):
        raise KubectlError(f"invalid taint effect: {effect}, unsupported taint effect")
    if not remove and not effect:
        raise KubectlError(f"invalid taint spec: {spec}, unknown taint spec: {spec}")
    if not key:
        raise KubectlError(f"invalid taint spec: {spec}")
    return key, value, effect, remove


def cmd_taint(ctx: Ctx) -> None:
    p = ctx.p
    args = list(p.args)
    if not args:
        raise KubectlError("one or more resources must be specified as <resource> <name>")
    if args[0] in ("node", "nodes", "no"):
        args = args[1:]
    names, specs = [], []
    for a in args:
        if ":" in a or a.endswith("-") or "=" in a:
            specs.append(a)
        else:
            names.append(a.split("/", 1)[1] if "/" in a else a)
    if not specs:
        raise KubectlError("at least one taint update is required")
    parsed = [parse_taint(s) for s in specs]
    nodes = []
    if p.flags.get("all"):
        nodes = ctx.cluster.nodes()
    else:
        if p.flags.get("selector"):
            reqs = parse_selector(p.flags["selector"])
            nodes = [n for n in ctx.cluster.nodes() if selector_matches(reqs, n.labels)]
        for n in names:
            node = ctx.cluster.node(n)
            if node is None:
                raise ApiError("NotFound", f'nodes "{n}" not found', 404)
            nodes.append(node)
    for node in nodes:
        ctx.authorize("patch", BY_KIND["Node"], None, node.name)
        body = ctx.cluster.render(node)
        taints = list(body["spec"].get("taints") or [])
        verb = "tainted"
        for key, value, effect, remove in parsed:
            if remove:
                before = len(taints)
                taints = [t for t in taints if not (t.get("key") == key and (not effect or t.get("effect") == effect))]
                if len(taints) == before:
                    raise KubectlError(f"taint \"{key}{':' + effect if effect else ''}\" not found")
                verb = "untainted"
            else:
                existing = [t for t in taints if t.get("key") == key and t.get("effect") == effect]
                if existing and not p.flags.get("overwrite"):
                    raise KubectlError(f"node {node.name} already has {key} taint(s) with same effect(s) and "
                                       "--overwrite is false")
                taints = [t for t in taints if not (t.get("key") == key and t.get("effect") == effect)]
                t = {"effect": effect, "key": key}
                if value:
                    t["value"] = value
                taints.append(t)
        if taints:
            body["spec"]["taints"] = taints
        else:
            body["spec"].pop("taints", None)
        if ctx.dry_run == "none":
            update_object(ctx, node, body)     # the scheduler and taint manager watch Nodes
        ctx.print(f"node/{node.name} {verb}{ctx.dry_suffix()}")


# -- top ----------------------------------------------------------------------------------------

def _usage(ctx: Ctx, pod: Any) -> tuple[int, int]:
    traffic = getattr(ctx.cluster, "traffic", None)
    fn = getattr(traffic, "pod_usage", None)
    if callable(fn):
        return fn(pod)
    return (pod.cpu_request if pod.phase == "Running" else 0, pod.mem_request if pod.phase == "Running" else 0)


def _mi(b: int) -> str:
    return f"{b // (1024 * 1024)}Mi"


def cmd_top_node(ctx: Ctx) -> None:
    """kubectl top node: CPU(cores) CPU% MEMORY(bytes) MEMORY% (pkg/cmd/top/top_node.go)."""
    p = ctx.p
    ctx.authorize_raw("list", "nodes", "metrics.k8s.io", "")
    nodes = ctx.cluster.nodes()
    if p.args:
        want = p.args[0]
        nodes = [n for n in nodes if n.name == want]
        if not nodes:
            raise ApiError("NotFound", f'nodes "{want}" not found', 404)
    if p.flags.get("selector"):
        reqs = parse_selector(p.flags["selector"])
        nodes = [n for n in nodes if selector_matches(reqs, n.labels)]
    rows = []
    missing = []
    for n in nodes:
        if not n.alive or n.ready_status != "True":
            missing.append(n.name)
            continue
        cpu, mem = ctx.cluster.traffic.node_usage(n)     # pods + system daemons, at most the machine
        rows.append((n.name, cpu, mem, n.cpu, n.memory))
    if p.get("sort-by") == "cpu":
        rows.sort(key=lambda r: -r[1])
    elif p.get("sort-by") == "memory":
        rows.sort(key=lambda r: -r[2])
    out = [] if p.flags.get("no-headers") else [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    for name, cpu, mem, ccap, mcap in rows:
        out.append([name, f"{cpu}m", f"{cpu * 100 // max(ccap, 1)}%", _mi(mem), f"{mem * 100 // max(mcap, 1)}%"])
    for name in missing:
        out.append([name, "<unknown>", "<unknown>", "<unknown>", "<unknown>"])
    ctx.out.append(top_table(out))


def top_table(rows: list[list[str]]) -> str:
    """metrics_printer.go ends every cell with a tab, the last one too: each line keeps the last
    column's padding."""
    return table([r + [""] for r in rows])


def container_usage(ctx: Ctx, pod: Any) -> list[tuple[str, int, int]]:
    """A pod's usage per container: metrics-server reports each container's cgroup; the game keeps
    the pod's total, so it is shared by the containers' requests (the first takes what is left)."""
    cpu, mem = _usage(ctx, pod)
    cs = pod.containers
    if len(cs) == 1:
        return [(cs[0].name, cpu, mem)]
    from kubegame.engine.quantity import cpu_millis, memory_bytes
    reqs = [((c.spec.get("resources") or {}).get("requests") or {}) for c in cs]
    rc = [cpu_millis(str(r.get("cpu", "0"))) for r in reqs]
    rm = [memory_bytes(str(r.get("memory", "0"))) for r in reqs]
    out = []
    for i, c in enumerate(cs[1:], 1):
        out.append((c.name, cpu * rc[i] // max(1, sum(rc)), mem * rm[i] // max(1, sum(rm))))
    out.insert(0, (cs[0].name, cpu - sum(x[1] for x in out), mem - sum(x[2] for x in out)))
    return out


def cmd_top_pod(ctx: Ctx) -> None:
    p = ctx.p
    ns = None if ctx.all_namespaces else ctx.namespace
    ctx.authorize_raw("list", "pods", "metrics.k8s.io", ns or "")
    pods = [pd for pd in ctx.cluster.pods(ns) if pd.phase == "Running" and pd.deletion_tick is None]
    if p.args and p.flags.get("selector"):
        raise KubectlError("only one of NAME or selector can be provided")
    if p.args:
        pods = [pd for pd in pods if pd.name == p.args[0]]
        if not pods:
            raise KubectlError(f'Metrics not available for pod {ctx.namespace}/{p.args[0]}, age: unknown'
                               if ctx.cluster.get("Pod", ctx.namespace, p.args[0]) else
                               f'pods "{p.args[0]}" not found')
    if p.flags.get("selector"):
        reqs = parse_selector(p.flags["selector"])
        pods = [pd for pd in pods if selector_matches(reqs, pd.labels)]
    if not pods:
        ctx.err.append("No resources found\n" if ns is None else f"No resources found in {ns} namespace.\n")
        return
    rows = [(pd, *_usage(ctx, pd)) for pd in pods]
    sort_by = p.get("sort-by") or ""
    if sort_by and sort_by not in ("cpu", "memory"):
        raise KubectlError("--sort-by accepts only cpu or memory")
    if sort_by == "cpu":
        rows.sort(key=lambda r: -r[1])
    elif sort_by == "memory":
        rows.sort(key=lambda r: -r[2])
    else:
        rows.sort(key=lambda r: (r[0].namespace, r[0].name) if ns is None else r[0].name)
    containers = bool(p.flags.get("containers"))
    hdr = (["NAMESPACE"] if ns is None else []) + (["POD"] if containers else []) + \
        ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    out = [] if p.flags.get("no-headers") else [hdr]
    for pd, cpu, mem in rows:
        prefix = [pd.namespace] if ns is None else []
        if containers:
            per = container_usage(ctx, pd)
            if sort_by == "cpu":
                per.sort(key=lambda x: -x[1])
            elif sort_by == "memory":
                per.sort(key=lambda x: -x[2])
            for cname, ccpu, cmem in per:
                out.append(prefix + [pd.name, cname, f"{ccpu}m", _mi(cmem)])
        else:
            out.append(prefix + [pd.name, f"{cpu}m", _mi(mem)])
    if p.flags.get("sum"):
        # printPodResourcesSum: underlines under the two usage columns, then the totals
        width = len(hdr)
        out.append([""] * (width - 2) + ["________", "________"])
        out.append([""] * (width - 3) + ["", f"{sum(r[1] for r in rows)}m", _mi(sum(r[2] for r in rows))])
    ctx.out.append(top_table(out))


__all__ = ["cmd_cordon", "cmd_drain", "cmd_taint", "cmd_top_node", "cmd_top_pod", "parse_refs", "_targets"]
