"""Load and validate a level file (LEVEL_FORMAT.md) into a `Level`.

`load_level(path)` returns a Level or raises `LevelInvalid` carrying every error of
the file, each `PATH:LINE:COL: error: WHAT (expected ...)`. Loading never runs code
and never reads a file other than the one named.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

from kubegame.engine.app import app_from_spec
from kubegame.engine.images import Image, Registry
from kubegame.engine.system import control_plane_names
from kubegame.level import manifests as mf
from kubegame.level.errors import LevelError, LevelInvalid
from kubegame.level.model import (
    ClusterSpec,
    Hint,
    Level,
    Manifest,
    NodeGroup,
    NodePool,
    ObjectiveSpec,
    ScenarioEvent,
    Step,
    TrafficSpec,
)
from kubegame.level.schema import (
    DNS1123_LABEL,
    Any_,
    Bool,
    Ctx,
    Enum,
    F,
    Int,
    ListOf,
    MapOf,
    MapOfInt,
    Num,
    Quantity,
    Str,
    Struct,
    Tagged,
    q,
)
from kubegame.level.yamlsafe import Document, parse_text, read_level_text

LEVEL_API_VERSION = "kubegame/v1"
MAX_NODES = 5000             # Kubernetes' documented limit (kubernetes.io/docs/setup/best-practices/cluster-large)
DNS_HELP = "a DNS-1123 label: lower case letters, digits and '-', starting and ending with a letter or digit"
IMAGE_RE = re.compile(r"^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9_.-]*$")
LABEL = Str(DNS1123_LABEL, DNS_HELP)
PERCENT = Num(0, 100, what="a percentage")
TICK = Int(0)

# -- the Level document's schema ------------------------------------------------------------

TAINT = Struct("a taint", {
    "key": F(Str(), required=True),
    "value": F(Str(non_empty=False), default=""),
    "effect": F(Enum("NoSchedule", "PreferNoSchedule", "NoExecute"), required=True),
})


def _machine_fields(named: bool) -> dict[str, F]:
    fields: dict[str, F] = {}
    if named:
        fields["name"] = F(LABEL, required=True)
        fields["count"] = F(Int(1, 1000), default=1)
    fields.update({
        "zone": F(LABEL, default="zone-a"),
        "cpu": F(Quantity('"4" or 500m'), required=True),
        "memory": F(Quantity("8Gi or 512Mi"), required=True),
        "pods": F(Int(1, 1000), default=110),
        "kernel": F(Str(), default="6.1"),
        "labels": F(MapOf(), default=dict),
        "taints": F(ListOf(TAINT), default=list),
    })
    return fields


NODE = Struct("a node entry", _machine_fields(True))
POOL = Struct("cluster.nodePool", {
    "max": F(Int(1, 1000), required=True),
    "bootTicks": F(Int(0), default=60),
    "template": F(Struct("the node pool template", _machine_fields(False)), required=True),
})
CLUSTER = Struct("spec.cluster", {
    "nodeMonitorGracePeriod": F(Int(1), default=40),
    "defaultTolerationSeconds": F(Int(0), default=300),
    "controlPlane": F(Struct("cluster.controlPlane", {"etcdMembers": F(ListOf(LABEL, 1), required=True)})),
    "nodes": F(ListOf(NODE, 1), required=True),
    "nodePool": F(POOL),
    "costPerNodeTick": F(Num(0, 1e6), default=1),
    "maxReplicas": F(Int(1, 100_000), default=10_000),
    "defaultStorageClass": F(Bool(), default=True),
})
IMAGE = Struct("an image", {
    "name": F(Str(IMAGE_RE, "repository:tag, such as shop:1.0"), required=True),
    "sizeMB": F(Num(0, 1e6, lo_open=True), default=100),
    "layers": F(ListOf(Str()), default=list),
    "startupTicks": F(Int(0), default=3),
    "capacityRps": F(Num(0, 1e6), default=100),
    "latencyMs": F(Num(0, 1e6), default=20),
    "crashes": F(Bool(), default=False),
    "crashOnKernels": F(ListOf(Str()), default=list),
    "availableAt": F(TICK, default=0),
    "runTicks": F(Int(1)),
    "app": F(Struct("the app model of an image", {
        "listens": F(ListOf(Int(1, 65535)), default=lambda: [8080]),
        "http": F(MapOfInt(), default=dict),
        "grpcHealth": F(Bool(), default=False),
        "files": F(ListOf(Str(re.compile(r"^/"), "an absolute path")), default=list),
        "needsFiles": F(ListOf(Str(re.compile(r"^/"), "an absolute path")), default=list),
        "needsEnv": F(ListOf(Str()), default=list),
        "memoryMB": F(Num(0, 1e6), default=64),
        "memoryPerRpsMB": F(Num(0, 1e4), default=0),
        "leakMBPerTick": F(Num(0, 1e4), default=0),
        "cpuPerRps": F(Quantity("5m or 0.01")),
        "stopTicks": F(Int(0, 3600), default=1),
        "ignoresSigterm": F(Bool(), default=False),
    })),
})


def _traffic_check(v: dict, path: tuple, ctx: Ctx) -> None:
    if (v["service"] is None) == (v["host"] is None):
        ctx.error(path, "a traffic entry needs either `service` or `host`",
                  "`service: NAME` (a Service in this file) or `host: HOST` (with an optional `path`)")
    elif v["path"] is not None and v["host"] is None:
        ctx.error(path + ("path",), "`path` is only for `host` traffic", "`host:` with `path:`")
    elif v["external"] and v["host"] is not None:
        ctx.error(path + ("external",), "`external` is only for `service` traffic (Ingress traffic comes from outside)",
                  "`external: true` with `service:`")


TRAFFIC = Struct("a traffic entry", {
    "service": F(LABEL),
    "host": F(Str()),
    "path": F(Str(re.compile(r"^/"), "a path starting with /")),
    "rps": F(Num(0, 1e6), required=True),
    "pattern": F(Enum("steady", "diurnal", "ramp"), default="steady"),
    "amplitude": F(Num(0, 100), default=0.0),
    "period": F(Int(1), default=300),
    "external": F(Bool(), default=False),
    "from": F(Struct("traffic.from", {"namespace": F(LABEL), "labels": F(MapOf())})),
}, validate=_traffic_check)


def _event(fields: dict[str, F], validate: Any = None) -> Struct:
    base = {"at": F(TICK, required=True), "type": F(Any_(), required=True)}
    base.update(fields)
    return Struct("an event", base, validate=validate)


def _one_node(v: dict, path: tuple, ctx: Ctx) -> None:
    if (v.get("node") is None) == (v.get("runningPods") is None):
        ctx.error(path, "a NodeFailure names either `node` or `runningPods`",
                  "`node: NAME`, or `runningPods: {LABEL: VALUE}` to fail one of the nodes that run such "
                  "pods at that tick, drawn from the seed")


EVENT = Tagged("event", {
    "NodeFailure": _event({"node": F(Str()), "runningPods": F(MapOf()), "namespace": F(LABEL, default="default")},
                          validate=_one_node),
    "NodeRecovery": _event({"node": F(Str())}),
    "ZoneOutage": _event({"zone": F(Str(), required=True), "duration": F(Int(1))}),
    "LoadSpike": _event({"service": F(Str(), required=True), "factor": F(Num(0, 1000, lo_open=True), required=True),
                         "duration": F(Int(1), required=True)}),
    "ImageRelease": _event({"image": F(Str(), required=True)}),
    "PodCrash": _event({"selector": F(MapOf(), required=True), "count": F(Int(1), default=1),
                        "namespace": F(LABEL, default="default")}),
    "EtcdMemberFailure": _event({"count": F(Int(1), default=1)}),
    "EtcdMemberRecovery": _event({"count": F(Int(1), default=1)}),
    "KernelUpgrade": _event({"nodes": F(ListOf(Str(), 1), required=True), "kernel": F(Str(), required=True)}),
    "Message": _event({"text": F(Str(), required=True)}),
    "KubeletStop": _event({"node": F(Str(), required=True)}),
    "DiskFill": _event({"node": F(Str(), required=True), "sizeGB": F(Num(0, 1000, lo_open=True), default=85),
                        "path": F(Str(re.compile(r"^/[^\s]*$"), "an absolute path"),
                                  default="/var/log/app/debug.log")}),
    "ControlPlaneFailure": _event({
        "component": F(Enum("kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"), required=True),
        "fault": F(Enum("manifestMoved", "badFlag"), default="manifestMoved"),
        "node": F(Str())}),
})


def _objective(fields: dict[str, F]) -> Struct:
    base = {"type": F(Any_(), required=True), "label": F(Str())}
    base.update(fields)
    return Struct("an objective", base)


OBJECTIVE = Tagged("objective", {
    "availability": _objective({"service": F(Str(), required=True), "atLeast": F(PERCENT, required=True)}),
    "survive": _objective({"service": F(Str(), required=True), "atLeast": F(PERCENT, required=True),
                           "window": F(Int(1), default=30)}),
    "rolloutComplete": _objective({"deployment": F(Str(), required=True), "image": F(Str(), required=True),
                                   "byTick": F(TICK)}),
    "readyReplicas": _objective({"kind": F(Enum("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"),
                                           default="Deployment"),
                                 "name": F(Str(), required=True), "atLeast": F(Int(0), required=True),
                                 "byTick": F(TICK), "hold": F(Bool(), default=False),
                                 "allReady": F(Bool(), default=False)}),
    "jobComplete": _objective({"job": F(Str(), required=True), "byTick": F(TICK)}),
    "daemonSetCoverage": _objective({"daemonSet": F(Str(), required=True)}),
    "quorum": _objective({}),
    "budget": _objective({}),
})


SOLUTION_STEPS = ListOf(Struct("a solution step", {"at": F(TICK, required=True), "run": F(Str(), required=True)}))


def _kubeconfig_check(v: dict, path: tuple, ctx: Ctx) -> None:
    names = [u["name"] for u in v["users"]]
    for i, n in enumerate(names):
        if n == "kubernetes-admin" or n in names[:i]:
            ctx.error(path + ("users", i, "name"), f"user {n!r} is " + ("the admin, who is always there" if
                      n == "kubernetes-admin" else "listed twice"), "another user name")
    if v["current"] != "kubernetes-admin" and v["current"] not in names:
        ctx.error(path + ("current",), f"current user {v['current']!r} is not in kubeconfig.users",
                  "kubernetes-admin or one of: " + ", ".join(names))
    elif v["current"] == "kubernetes-admin" and not v["admin"]:
        ctx.error(path + ("current",), "the current user is kubernetes-admin, but `admin: false` leaves the admin out",
                  "`current: USER` naming one of kubeconfig.users")


KUBECONFIG_USER = Struct("a kubeconfig user", {
    "name": F(Str(re.compile(r"^[^\s/%]+$"), "a user name without spaces, '/' or '%'"), required=True),
    "groups": F(ListOf(Str()), default=list),
    "namespace": F(LABEL),
})
KUBECONFIG = Struct("spec.kubeconfig", {
    "users": F(ListOf(KUBECONFIG_USER), default=list),
    "current": F(Str(), default="kubernetes-admin"),
    "admin": F(Bool(), default=True),
}, validate=_kubeconfig_check)


def _stars_check(v: dict, path: tuple, ctx: Ctx) -> None:
    if v["two"] > v["three"]:
        ctx.error(path + ("two",), f"stars.two ({v['two']}) is above stars.three ({v['three']})",
                  "two <= three")


SPEC = Struct("the Level spec", {
    "title": F(Str(), required=True),
    "chapter": F(Int(0)),
    "concepts": F(ListOf(Str()), default=list),
    "briefing": F(Str(), required=True),
    "debrief": F(Str(non_empty=False), default=""),
    "seed": F(Int(0), default=0),
    "duration": F(Int(1, 1_000_000), required=True),
    "cluster": F(CLUSTER, required=True),
    "budget": F(Num(0, 1e12, lo_open=True)),
    "pullMBps": F(Num(0, 1e6, lo_open=True), default=50),
    "images": F(ListOf(IMAGE, 1), required=True),
    "traffic": F(ListOf(TRAFFIC, 1), required=True),
    "events": F(ListOf(EVENT), default=list),
    "objectives": F(ListOf(OBJECTIVE, 1), required=True),
    "stars": F(Struct("spec.stars", {"two": F(Int(0, 1000), default=700), "three": F(Int(0, 1000), default=900)},
                      validate=_stars_check), default=lambda: {"two": 700, "three": 900}),
    "hints": F(ListOf(Struct("a hint", {"text": F(Str(), required=True), "afterTick": F(TICK)})), default=list),
    "solution": F(SOLUTION_STEPS, default=list),
    "kubeconfig": F(KUBECONFIG, default=lambda: {"users": [], "current": "kubernetes-admin", "admin": True}),
})
LEVEL = Struct("the Level document", {
    "apiVersion": F(Enum(LEVEL_API_VERSION), required=True),
    "kind": F(Enum("Level"), required=True),
    "metadata": F(Struct("Level metadata", {"name": F(LABEL, required=True)}), required=True),
    "spec": F(SPEC, required=True),
})

# -- loading --------------------------------------------------------------------------------


def load_level(path: str | os.PathLike, require_solution: bool = False) -> Level:
    """Read, parse and validate one level file; raise LevelInvalid with all its errors."""
    p = os.fspath(path)
    try:
        text, data = read_level_text(p)
    except LevelError as e:
        raise LevelInvalid([e]) from None
    level = load_text(text, p, require_solution=require_solution)
    level.sha256 = hashlib.sha256(data).hexdigest()
    return level


def load_text(text: str, path: str = "<level>", require_solution: bool = False) -> Level:
    """Parse and validate level text (`path` only names it in errors)."""
    if len(text.encode("utf-8")) > 1024 * 1024:
        raise LevelInvalid([LevelError(path, 1, 1, "the file is larger than 1 MiB",
                                       "a level file of at most 1048576 bytes")])
    try:
        docs = parse_text(text, path)
    except LevelError as e:
        raise LevelInvalid([e]) from None
    return _Validator(path, docs, require_solution).run(text)


class _Validator:
    def __init__(self, path: str, docs: list[Document], require_solution: bool):
        self.path = path
        self.docs = docs
        self.require_solution = require_solution
        self.errors: list[LevelError] = []
        self.level_doc: Document | None = None
        self.level_ctx: Ctx | None = None
        self.manifests: list[tuple[Manifest, Document]] = []

    def err_at(self, pos: tuple[int, int], what: str, expected: str) -> None:
        self.errors.append(LevelError(self.path, pos[0], pos[1], what, expected))

    def run(self, text: str) -> Level:
        raw_level = None
        for i, doc in enumerate(self.docs):
            v = doc.value
            if v is None:
                continue          # an empty document (a trailing `---`)
            if not isinstance(v, dict):
                what = "a list" if isinstance(v, list) else f"a scalar ({q(v)})" if not isinstance(v, str) else \
                    f"a string ({q(v[:30])})"
                self.err_at(doc.start, f"document {i + 1} is {what}, not a mapping",
                            "each document to be a mapping: the Level or a Kubernetes manifest")
                continue
            if v.get("kind") == "Level" or str(v.get("apiVersion", "")).startswith("kubegame/"):
                if self.level_doc is not None:
                    self.err_at(doc.start, "a second Level document",
                                f"exactly one Level document (the first is at line {self.level_doc.start[0]})")
                    continue
                self.level_doc = doc
                self.level_ctx = Ctx(self.path, doc, self.errors)
                raw_level = LEVEL.check(v, (), self.level_ctx)
                continue
            self.manifests.append((Manifest(v, doc.start[0], doc.start[1], i), doc))
        if self.level_doc is None:
            start = self.docs[0].start if self.docs else (1, 1)
            self.err_at(start, "no Level document", f"one document with `apiVersion: {LEVEL_API_VERSION}` and `kind: Level`")
        prepared = self.check_manifests()
        spec = raw_level.get("spec") if isinstance(raw_level, dict) else None
        if isinstance(spec, dict):
            self.cross_check(spec, prepared)
        if self.errors:
            raise LevelInvalid(self.errors)
        assert isinstance(raw_level, dict)
        level = build_level(raw_level, [m for m, _ in self.manifests], self.path)
        level.text = text
        level.sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return level

    # -- manifests ------------------------------------------------------------------------
    def check_manifests(self) -> dict[tuple[str, str, str], dict]:
        """Schema and API checks; returns the prepared (defaulted) bodies by (kind, ns, name)."""
        seen: dict[tuple[str, str, str], int] = {}
        namespaces = list(mf.BUILTIN_NAMESPACES)
        prepared: dict[tuple[str, str, str], dict] = {}
        cluster = None
        for m, doc in self.manifests:
            ctx = Ctx(self.path, doc, self.errors)
            if not mf.check_schema(m.body, ctx):
                continue
            key = (m.kind, m.namespace if m.kind != "Namespace" else "", m.name)
            ns = (m.body.get("metadata") or {}).get("namespace")
            if m.kind == "Namespace":
                namespaces.append(m.name)
            elif ns is not None and ns not in namespaces:
                ctx.error(("metadata", "namespace"), f'{m.kind} "{m.name}": namespace {q(ns)} does not exist',
                          "a Namespace defined earlier in this file, or default")
                continue
            if key in seen:
                ctx.error(("metadata", "name"), f'a second {m.kind} "{m.name}" in namespace {key[1] or "(cluster)"}',
                          f"unique names (the first is at line {seen[key]})")
                continue
            seen[key] = m.line
            if cluster is None:
                cluster = _scratch_cluster()
            body = mf.check_api(cluster, m.body, ctx)
            if body is not None:
                prepared[key] = body
        return prepared

    # -- cross references ----------------------------------------------------------------
    def cross_check(self, spec: dict, prepared: dict) -> None:
        """Names the Level uses exist; ticks lie within the level. Runs on partially valid data."""
        ctx = self.level_ctx
        assert ctx is not None
        sp = ("spec",)
        duration = spec.get("duration") if isinstance(spec.get("duration"), int) else None

        def items(key: str) -> list[tuple[int, dict]]:
            v = spec.get(key)
            return [(i, x) for i, x in enumerate(v) if isinstance(x, dict)] if isinstance(v, list) else []

        def objs(kind: str) -> dict[str, dict]:
            out: dict[str, dict] = {}
            for m, _doc in self.manifests:
                if m.kind == kind and isinstance(m.name, str):
                    out.setdefault(m.name, m.body)
            return out

        services = objs("Service")
        kinds = {k: objs(k) for k in ("Deployment", "Job", "DaemonSet", "ReplicaSet", "StatefulSet")}

        def need(container: dict[str, Any], name: Any, path: tuple, what: str) -> bool:
            if not isinstance(name, str):
                return False
            if name in container:
                return True
            known = ", ".join(sorted(container)) or f"none: this file defines no {what}"
            ctx.error(path, f"{what} {q(name)} is not defined in this file", f"one of: {known}")
            return False

        def tick(path: tuple, value: Any, field: str) -> None:
            if duration is not None and isinstance(value, int) and value > duration:
                ctx.error(path, f"{field} {value} is after the level ends", f"a tick within [0, {duration}]")

        def one_of(value: Any, allowed: list[str], path: tuple, what: str) -> None:
            if isinstance(value, str) and value not in allowed:
                ctx.error(path, f"{what} {q(value)} does not exist", "one of: " + ", ".join(allowed))

        # nodes, zones, images
        cl = spec.get("cluster") if isinstance(spec.get("cluster"), dict) else {}
        node_names: list[str] = []
        seen_nodes: set[str] = set()          # a set: a level may name thousands of nodes
        zones: list[str] = []
        groups = cl.get("nodes") if isinstance(cl.get("nodes"), list) else []
        for i, g in enumerate(groups):
            if not isinstance(g, dict) or not isinstance(g.get("name"), str) or not isinstance(g.get("count"), int):
                continue
            if isinstance(g.get("zone"), str):
                zones.append(g["zone"])
            count = g["count"]
            for n in [g["name"]] if count == 1 else [f"{g['name']}-{k}" for k in range(1, count + 1)]:
                if n in seen_nodes:
                    ctx.error(sp + ("cluster", "nodes", i, "name"), f"node {q(n)} is defined twice",
                              "unique node names (a group with count N makes NAME-1 ... NAME-N)")
                    break
                if n == "control-plane" or n.startswith("control-plane-"):
                    ctx.error(sp + ("cluster", "nodes", i, "name"), f"node {q(n)} has a control-plane node's name",
                              "another name: the control-plane nodes (control-plane, control-plane-N) come "
                              "with the cluster, one per etcd member")
                    break
                seen_nodes.add(n)
                node_names.append(n)
        if len(node_names) > MAX_NODES:
            ctx.error(sp + ("cluster", "nodes"), f"the cluster has {len(node_names)} nodes",
                      f"at most {MAX_NODES} (the largest cluster Kubernetes supports)")
        pool = cl.get("nodePool")
        if isinstance(pool, dict) and isinstance(pool.get("template"), dict) and \
                isinstance(pool["template"].get("zone"), str):
            zones.append(pool["template"]["zone"])
        cp = cl.get("controlPlane")
        members = 1
        if isinstance(cp, dict) and isinstance(cp.get("etcdMembers"), list):
            # a zone may hold etcd members and no worker nodes (a control-plane-only zone)
            members = len(cp["etcdMembers"])
            zones += [z for z in cp["etcdMembers"] if isinstance(z, str)]
        zone_list = list(dict.fromkeys(zones))
        image_names: list[str] = []
        registry = Registry()
        for i, img in items("images"):
            name = img.get("name")
            if not isinstance(name, str):
                continue
            if name in image_names:
                ctx.error(sp + ("images", i, "name"), f"image {q(name)} is listed twice", "unique image names")
            image_names.append(name)
            registry.add(Image(name))
            tick(sp + ("images", i, "availableAt"), img.get("availableAt"), "availableAt")
        if isinstance(spec.get("images"), list):
            for m, doc in self.manifests:
                mctx = Ctx(self.path, doc, self.errors)
                for path, ref in mf.images_of(m.body):
                    if registry.resolve(ref) is None:
                        mctx.error(path, f'{m.kind} "{m.name}": image {q(ref)} is not in spec.images',
                                   "one of: " + (", ".join(image_names) or "(no images listed)"))
        # traffic
        for i, t in items("traffic"):
            tp = sp + ("traffic", i)
            if isinstance(t.get("service"), str):
                if need(services, t["service"], tp + ("service",), "Service") and t.get("external") is True:
                    stype = (services[t["service"]].get("spec") or {}).get("type", "ClusterIP")
                    if stype not in ("NodePort", "LoadBalancer"):
                        ctx.error(tp + ("external",), f"external traffic to Service {q(t['service'])} of type {stype}",
                                  "a Service of type NodePort or LoadBalancer")
            elif isinstance(t.get("host"), str):
                hosts = []
                for body in objs("Ingress").values():
                    for rule in (body.get("spec") or {}).get("rules") or []:
                        if isinstance(rule, dict) and rule.get("host"):
                            hosts.append(rule["host"])
                if t["host"] not in hosts:
                    ctx.error(tp + ("host",), f"no Ingress rule in this file routes host {q(t['host'])}",
                              ("one of: " + ", ".join(hosts)) if hosts else
                              "an Ingress (networking.k8s.io/v1) in this file with a rule for this host")
        # events
        for i, ev in items("events"):
            ep = sp + ("events", i)
            tick(ep + ("at",), ev.get("at"), "at")
            t = ev.get("type")
            if t in ("NodeFailure", "NodeRecovery"):
                if ev.get("node") is not None:
                    one_of(ev.get("node"), node_names, ep + ("node",), "node")
                elif t == "NodeRecovery" and not any(isinstance(e, dict) and e.get("type") == "NodeFailure"
                                                     and isinstance(e.get("at"), int) and isinstance(ev.get("at"), int)
                                                     and e["at"] <= ev["at"] for _, e in items("events")):
                    ctx.error(ep, "a NodeRecovery without `node` recovers the node the last NodeFailure stopped, "
                              "but no NodeFailure comes before it", "`node: NAME`, or a NodeFailure earlier")
            elif t == "KernelUpgrade" and isinstance(ev.get("nodes"), list):
                for j, n in enumerate(ev["nodes"]):
                    one_of(n, node_names, ep + ("nodes", j), "node")
            elif t in ("KubeletStop", "DiskFill"):
                one_of(ev.get("node"), node_names + control_plane_names(members), ep + ("node",), "node")
            elif t == "ControlPlaneFailure" and ev.get("node") is not None:
                one_of(ev.get("node"), control_plane_names(members), ep + ("node",), "control-plane node")
            elif t == "ZoneOutage":
                one_of(ev.get("zone"), zone_list, ep + ("zone",), "zone")
            elif t == "LoadSpike":
                need(services, ev.get("service"), ep + ("service",), "Service")
            elif t == "ImageRelease":
                if isinstance(ev.get("image"), str) and ev["image"] not in image_names:
                    ctx.error(ep + ("image",), f"image {q(ev['image'])} is not in spec.images",
                              "one of: " + ", ".join(image_names))
            elif t in ("EtcdMemberFailure", "EtcdMemberRecovery") and isinstance(ev.get("count"), int) \
                    and ev["count"] > members:
                ctx.error(ep + ("count",), f"count {ev['count']} is more than the {members} etcd member(s)",
                          f"a count from 1 to {members}")
        # objectives
        for i, ob in items("objectives"):
            op = sp + ("objectives", i)
            t = ob.get("type")
            tick(op + ("byTick",), ob.get("byTick"), "byTick")
            if t in ("availability", "survive"):
                need(services, ob.get("service"), op + ("service",), "Service")
                w = ob.get("window")
                if t == "survive" and duration is not None and isinstance(w, int) and w > duration:
                    ctx.error(op + ("window",), f"window {w} is longer than the level",
                              f"a window within [1, {duration}]")
            elif t == "rolloutComplete":
                need(kinds["Deployment"], ob.get("deployment"), op + ("deployment",), "Deployment")
                if isinstance(ob.get("image"), str) and ob["image"] not in image_names:
                    ctx.error(op + ("image",), f"image {q(ob['image'])} is not in spec.images",
                              "one of: " + ", ".join(image_names))
            elif t == "readyReplicas" and ob.get("kind") in kinds:
                need(kinds[ob["kind"]], ob.get("name"), op + ("name",), ob["kind"])
            elif t == "jobComplete":
                need(kinds["Job"], ob.get("job"), op + ("job",), "Job")
            elif t == "daemonSetCoverage":
                need(kinds["DaemonSet"], ob.get("daemonSet"), op + ("daemonSet",), "DaemonSet")
            elif t == "budget" and spec.get("budget") is None:
                ctx.error(op + ("type",), "a budget objective, but spec.budget is not set", "`budget:` in spec")
        for i, h in items("hints"):
            tick(sp + ("hints", i, "afterTick"), h.get("afterTick"), "afterTick")
        for i, s in items("solution"):
            tick(sp + ("solution", i, "at"), s.get("at"), "at")
        if self.require_solution and not spec.get("solution"):
            ctx.error(sp, "a bundled level lacks `solution`", "a reference play: a list of {at, run}", at_key=True)


def _scratch_cluster() -> Any:
    from kubegame.engine.cluster import Cluster
    return Cluster(0)


def build_level(raw: dict, manifests: list[Manifest], path: str) -> Level:
    """Turn the checked Level document (defaults filled) into the Level model."""
    spec = raw["spec"]
    c = spec["cluster"]

    def group(g: dict, name: str = "pool") -> NodeGroup:
        return NodeGroup(g.get("name", name), g["cpu"], g["memory"], g.get("count", 1), g["zone"], g["pods"],
                         g["kernel"], dict(g["labels"]), [dict(t) for t in g["taints"]])

    nodes = [group(g) for g in c["nodes"]]
    pool = None
    if c["nodePool"]:
        pool = NodePool(c["nodePool"]["max"], c["nodePool"]["bootTicks"], group(c["nodePool"]["template"]))
    etcd = list(c["controlPlane"]["etcdMembers"]) if c["controlPlane"] else [nodes[0].zone]
    cluster = ClusterSpec(nodes, c["nodeMonitorGracePeriod"], c["defaultTolerationSeconds"], etcd, pool,
                          c["costPerNodeTick"], c["maxReplicas"], c["defaultStorageClass"])
    images = [Image(i["name"], size_mb=i["sizeMB"], layers=tuple(i["layers"]), startup_ticks=i["startupTicks"],
                    capacity_rps=i["capacityRps"], latency_ms=i["latencyMs"], crashes=i["crashes"],
                    crash_on_kernels=tuple(i["crashOnKernels"]), available_at=i["availableAt"],
                    run_ticks=i["runTicks"], app=app_from_spec(i["app"])) for i in spec["images"]]
    svc_ns = {m.name: m.namespace for m in manifests if m.kind == "Service"}
    traffic = [TrafficSpec(t["rps"], t["service"], svc_ns.get(t["service"] or "", "default"), t["host"], t["path"],
                           t["pattern"], t["amplitude"], t["period"], t["external"], t["from"])
               for t in spec["traffic"]]
    events = [ScenarioEvent(e["at"], e["type"], {k: v for k, v in e.items() if k not in ("at", "type")})
              for e in spec["events"]]
    events.sort(key=lambda e: e.at)   # stable: same tick keeps file order
    objectives = [ObjectiveSpec(o["type"], {k: v for k, v in o.items() if k != "type"}, i)
                  for i, o in enumerate(spec["objectives"])]
    return Level(
        name=raw["metadata"]["name"], title=spec["title"], briefing=spec["briefing"], duration=spec["duration"],
        cluster=cluster, images=images, traffic=traffic, chapter=spec["chapter"], concepts=list(spec["concepts"]),
        debrief=spec["debrief"], seed=spec["seed"], budget=spec["budget"], pull_mbps=spec["pullMBps"],
        events=events, objectives=objectives, stars_two=spec["stars"]["two"], stars_three=spec["stars"]["three"],
        hints=[Hint(h["text"], h["afterTick"]) for h in spec["hints"]],
        solution=[Step(s["at"], s["run"]) for s in spec["solution"]], manifests=manifests, path=path,
        kubeconfig={"users": [dict(u) for u in spec["kubeconfig"]["users"]], "current": spec["kubeconfig"]["current"],
                    "admin": spec["kubeconfig"]["admin"]})


def errors_of(path: str | os.PathLike) -> list[LevelError]:
    """All errors of one file (empty when it is valid)."""
    try:
        load_level(path)
    except LevelInvalid as e:
        return e.errors
    return []

