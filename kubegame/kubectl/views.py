"""The data behind the game screen's k9s-style resource views (`:pods`, `:deploy`, `:svc` ...).

A view is `kubectl get KIND -A -o wide` as rows to move through: the same columns and cells
kubectl prints (kubegame/kubectl/printers.py), with each row keyed by its namespace and
name so that a selection survives the ticks. A view can be narrowed the way k9s drills
down: a Deployment's (or ReplicaSet's, Service's, Job's ...) Pods by its selector, a Node's
Pods by `spec.nodeName`, a Namespace's objects by namespace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubegame.engine.kinds import BY_KIND, Resource, lookup
from kubegame.engine.system import is_control_plane
from kubegame.engine.validation import selector_matches
from kubegame.kubectl.core import EventObj
from kubegame.kubectl.printers import Item, headers, row

# what Enter on a row of these kinds opens (k9s: a Deployment -> its Pods, a Node -> its Pods ...)
DRILL_TO_PODS = ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "Service", "Node", "Namespace")
NOTHING = {"matchExpressions": [{"key": "kubegame.io/matches-nothing", "operator": "Exists"}]}
WIDE = ("Pod", "Node", "Deployment", "ReplicaSet", "Service", "DaemonSet", "StatefulSet", "Job")   # -o wide columns
ALIASES = {"dp": "deploy", "deployments": "deploy", "svc": "svc", "ev": "events", "no": "nodes"}


@dataclass
class Scope:
    """Which objects a view shows: one kind, maybe narrowed to a selector, a node or a namespace."""

    resource: Resource
    selector: dict | None = None          # a metav1.LabelSelector (Pods only)
    node: str = ""                        # Pods bound to this node
    namespace: str = ""                   # only this namespace ("" = all)
    title: str = ""                       # what the narrowing says: "deployment/shop"

    @property
    def label(self) -> str:
        base = self.resource.plural
        return f"{base} of {self.title}" if self.title else base


@dataclass
class Row:
    namespace: str
    name: str
    cells: list[str]
    obj: Any = None


@dataclass
class Table:
    scope: Scope
    columns: list[str]
    rows: list[Row] = field(default_factory=list)


def resolve_view(word: str) -> Resource | None:
    """`pods`, `po`, `deploy`, `svc`, `nodes`, `events` ... (k9s's names are kubectl's)."""
    w = word.lstrip(":").strip().lower()
    w = ALIASES.get(w, w)
    return lookup(w)


def table(cluster: Any, scope: Scope) -> Table:
    """The rows of a view now, in the order kubectl lists them (namespace, then name)."""
    res = scope.resource
    wide = res.kind in WIDE
    columns = (["NAMESPACE"] if res.namespaced else []) + headers(res.kind, wide)
    out = Table(scope, columns)
    now = cluster.now
    # a view of every namespace leaves kube-system out (as a game's panes should: the player's
    # workloads), unless it lists a control-plane node's pods; `:ns kube-system` shows it
    node = cluster.node(scope.node) if scope.node else None
    hide = "" if scope.namespace or (node is not None and is_control_plane(node)) else "kube-system"
    if res.kind == "Event":
        evs = sorted((EventObj(e) for e in cluster.events), key=lambda e: (e.namespace, e.ev.tick, e.ev.seq))
        for e in evs:
            if (scope.namespace and e.namespace != scope.namespace) or e.namespace == hide:
                continue
            it = Item("Event", e.render(), e.ev)
            out.rows.append(Row(e.namespace, it.name, [e.namespace] + row(now, it, False), e.ev))
        return out
    objs = cluster.list(res.kind, scope.namespace or None) if res.namespaced else cluster.list(res.kind)
    for obj in objs:
        if scope.node and getattr(obj, "node_name", None) != scope.node:
            continue
        if hide and obj.namespace == hide:
            continue
        if scope.selector is not None and not selector_matches(scope.selector, obj.labels):
            continue
        it = Item(obj.kind, cluster.render(obj), obj)
        cells = ([obj.namespace] if res.namespaced else []) + row(now, it, wide)
        out.rows.append(Row(obj.namespace, obj.name, cells, obj))
    return out


def drill(cluster: Any, scope: Scope, namespace: str, name: str) -> Scope | None:
    """What Enter on a row opens: the Pods of a controller, Service or Node; None for the rest."""
    kind = scope.resource.kind
    if kind not in DRILL_TO_PODS:
        return None
    pods = BY_KIND["Pod"]
    obj = cluster.get(kind, namespace, name)
    if obj is None:
        return None
    title = f"{scope.resource.singular}/{name}"
    if kind == "Node":
        return Scope(pods, node=name, title=title)
    if kind == "Namespace":
        return Scope(pods, namespace=name, title=title)
    if kind == "Service":
        # a Service without a selector selects no Pods (its endpoints are managed by hand)
        sel = obj.spec.get("selector")
        selector = {"matchLabels": dict(sel)} if isinstance(sel, dict) and sel else NOTHING
    else:
        sel = obj.spec.get("selector")
        if kind == "Job" and not sel:
            sel = {"matchLabels": {"job-name": name}}
        selector = sel if isinstance(sel, dict) else NOTHING
    return Scope(pods, selector=selector, namespace=namespace, title=title)
