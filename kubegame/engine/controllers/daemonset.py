"""DaemonSet controller: one pod on every eligible node, including nodes that join later.

A reading of pkg/controller/daemon (daemon_controller.go, update.go, util/daemonset_util.go):

- nodeShouldRunDaemonPod: the node matches the template's nodeSelector and required node
  affinity, and the pod tolerates the node's NoSchedule/NoExecute taints. A cordoned node
  still runs daemon pods (they tolerate node.kubernetes.io/unschedulable).
- Daemon pods go through the default scheduler, pinned to their node by the node affinity
  `matchFields metadata.name In [node]` (ReplaceDaemonSetPodNodeNameNodeAffinity), and get
  the tolerations of AddOrUpdateDaemonPodTolerations (not-ready and unreachable NoExecute
  with no tolerationSeconds, the pressure taints and unschedulable NoSchedule).
- A pod on a node that should not run one is deleted; a Failed daemon pod is deleted and
  replaced (event FailedDaemonPod).
- RollingUpdate (maxUnavailable 1, maxSurge 0 by default): old pods that are unavailable go
  first, then available ones while fewer than maxUnavailable pods are unavailable.
"""

from __future__ import annotations

import copy

from kubegame.engine.controllers.base import Controller
from kubegame.engine.controllers.deployment import int_or_percent
from kubegame.engine.controllers.replicaset import pod_available
from kubegame.engine.controllers.scheduler import match_node_selector_term, tolerates
from kubegame.engine.errors import ApiError
from kubegame.engine.hashing import template_hash
from kubegame.engine.objects import KObject, Node, Pod

REVISION_LABEL = "controller-revision-hash"
GENERATION_LABEL = "pod-template-generation"

DAEMON_TOLERATIONS = (
    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/pid-pressure", "operator": "Exists"},
    {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
)


def daemon_tolerations(spec: dict) -> list[dict]:
    """The template's tolerations plus the ones every daemon pod gets."""
    tols = [dict(t) for t in spec.get("tolerations") or []]
    have = [(t.get("key"), t.get("effect")) for t in tols]
    for t in DAEMON_TOLERATIONS:
        if (t["key"], t["effect"]) not in have:
            tols.append(dict(t))
    if spec.get("hostNetwork"):
        tols.append({"effect": "NoSchedule", "key": "node.kubernetes.io/network-unavailable", "operator": "Exists"})
    return tols


def should_run(spec: dict, node: Node) -> bool:
    """nodeShouldRunDaemonPod for a pod template spec."""
    labels = node.labels
    for k, v in (spec.get("nodeSelector") or {}).items():
        if labels.get(k) != v:
            return False
    na = (spec.get("affinity") or {}).get("nodeAffinity") or {}
    terms = (na.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    if terms and not any(match_node_selector_term(t, labels, node.name) for t in terms):
        return False
    tols = daemon_tolerations(spec)
    for taint in node.taints:
        if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(tols, taint):
            return False
    return True


def should_continue_running(spec: dict, node: Node) -> bool:
    """NodeShouldRunDaemonPod's second answer: a daemon pod already on a node it still selects
    keeps running unless the node has a NoExecute taint the pod does not tolerate (a NoSchedule
    taint, such as unreachable:NoSchedule on a silent node, only keeps new daemon pods away)."""
    relaxed = dict(spec, tolerations=daemon_tolerations(spec) + [
        {"operator": "Exists", "effect": "NoSchedule"}, {"operator": "Exists", "effect": "PreferNoSchedule"}])
    if not should_run(relaxed, node):
        return False
    tols = daemon_tolerations(spec)
    return all(tolerates(tols, t) for t in node.taints if t.get("effect") == "NoExecute")


def target_node(pod: Pod) -> str:
    """The node a daemon pod is meant for: its nodeName, or its metadata.name node affinity."""
    if pod.node_name:
        return pod.node_name
    na = (pod.spec.get("affinity") or {}).get("nodeAffinity") or {}
    terms = (na.get("requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
    for term in terms:
        for f in term.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("values"):
                return str(f["values"][0])
    return ""


def pin_to_node(spec: dict, node_name: str) -> None:
    """ReplaceDaemonSetPodNodeNameNodeAffinity: require metadata.name In [node]."""
    affinity = spec.setdefault("affinity", {})
    na = affinity.setdefault("nodeAffinity", {})
    req = na.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
    field_term = {"key": "metadata.name", "operator": "In", "values": [node_name]}
    terms = req.get("nodeSelectorTerms") or []
    if not terms:
        req["nodeSelectorTerms"] = [{"matchFields": [field_term]}]
        return
    for term in terms:
        term["matchFields"] = [field_term]


class DaemonSetController(Controller):
    name = "daemonset-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.wakeups: dict[int, dict[tuple[str, str], bool]] = {}
        self.store.subscribe("DaemonSet", self._on_ds)
        self.store.subscribe("Pod", self._on_pod, controller_kind="DaemonSet")
        self.store.subscribe("Node", self._on_node)

    # -- watches ----------------------------------------------------------------------------
    def _on_ds(self, event: str, ds: KObject) -> None:
        if event != "DELETED":
            self.enqueue(ds.key)

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        self.enqueue((pod.namespace, pod.controller_ref()["name"]))   # type: ignore[index]

    def _on_node(self, event: str, node: KObject) -> None:
        for ds in self.store.list("DaemonSet"):
            self.enqueue(ds.key)

    # -- loop -------------------------------------------------------------------------------
    def sync(self) -> None:
        for key in self.due(self.wakeups, self.cluster.now):
            self.enqueue(key)
        for key in self.take():
            ds = self.store.get("DaemonSet", *key)
            if ds is None or ds.deletion_tick is not None:
                continue
            try:
                self.reconcile(ds)
            except ApiError:
                self.enqueue(key)          # no quorum: retry next tick

    def pods_by_node(self, ds: KObject) -> dict[str, list[Pod]]:
        out: dict[str, list[Pod]] = {}
        for p in self.store.owned_by(ds.uid):
            if isinstance(p, Pod):
                out.setdefault(target_node(p), []).append(p)
        return out

    def reconcile(self, ds: KObject) -> None:
        tpl = ds.spec.get("template") or {}
        tpl_spec = tpl.get("spec") or {}
        rev = template_hash(tpl)
        by_node = self.pods_by_node(ds)
        min_ready = int(ds.spec.get("minReadySeconds", 0) or 0)
        eligible: list[Node] = []
        for node in self.cluster.nodes():
            pods = [p for p in by_node.get(node.name, []) if p.deletion_tick is None]
            if should_run(tpl_spec, node):
                eligible.append(node)
                for p in pods:
                    if p.phase == "Failed":
                        self.cluster.record(ds, "Warning", "FailedDaemonPod",
                                            f"Found failed daemon pod {p.namespace}/{p.name} on node {node.name}, "
                                            "will try to kill it", self.name)
                        self._delete(ds, p)
                pods = [p for p in pods if p.phase != "Failed"]
                if not pods and not any(p.deletion_tick is not None for p in by_node.get(node.name, [])):
                    self.create_pod(ds, node.name, rev)
                elif len(pods) > 1:
                    # more than one: keep the oldest (podsShouldBeOnNode)
                    for p in sorted(pods, key=lambda p: (p.creation_tick, p.name))[1:]:
                        self._delete(ds, p)
            elif not should_continue_running(tpl_spec, node):
                for p in pods:
                    self._delete(ds, p)
        node_names = {n.name: True for n in self.cluster.nodes()}
        for name, pods in by_node.items():
            if name not in node_names:
                for p in pods:
                    if p.deletion_tick is None:
                        self._delete(ds, p)
        if (ds.spec.get("updateStrategy") or {}).get("type", "RollingUpdate") == "RollingUpdate":
            self.rolling_update(ds, rev, eligible, min_ready)
        self.update_status(ds, rev, eligible, min_ready)

    def rolling_update(self, ds: KObject, rev: str, eligible: list[Node], min_ready: int) -> None:
        """update.go rollingUpdate with maxSurge 0: replace old pods, at most maxUnavailable down."""
        now = self.cluster.now
        ru = (ds.spec.get("updateStrategy") or {}).get("rollingUpdate") or {}
        max_unavailable = int_or_percent(ru.get("maxUnavailable", 1), len(eligible), True)
        if max_unavailable == 0:
            max_unavailable = 1
        by_node = self.pods_by_node(ds)
        unavailable = 0
        old_available: list[Pod] = []
        old_unavailable: list[Pod] = []
        for node in eligible:
            pods = [p for p in by_node.get(node.name, []) if p.deletion_tick is None]
            if not pods or any(p.deletion_tick is not None for p in by_node.get(node.name, [])):
                unavailable += 1
                continue
            p = pods[0]
            avail = pod_available(p, min_ready, now)
            if not avail:
                unavailable += 1
            if p.labels.get(REVISION_LABEL) != rev:
                (old_available if avail else old_unavailable).append(p)
        for p in old_unavailable:
            self._delete(ds, p)
        for p in old_available:
            if unavailable >= max_unavailable:
                break
            self._delete(ds, p)
            unavailable += 1

    def create_pod(self, ds: KObject, node_name: str, rev: str) -> Pod:
        tpl = ds.spec.get("template") or {}
        md = tpl.get("metadata") or {}
        spec = copy.deepcopy(tpl.get("spec") or {})
        spec["tolerations"] = daemon_tolerations(spec)
        pin_to_node(spec, node_name)
        labels = copy.deepcopy(md.get("labels") or {})
        labels[REVISION_LABEL] = rev
        labels[GENERATION_LABEL] = str(ds.generation)
        try:
            pod = self.cluster.create_pod_from_template(ds, tpl, labels=labels, spec=spec)
        except ApiError as exc:
            if exc.reason == "Forbidden":       # admission refused it: FailedCreate, retried later
                self.cluster.record(ds, "Warning", "FailedCreate", f"Error creating: {exc.message}", self.name)
            raise
        self.cluster.record(ds, "Normal", "SuccessfulCreate", f"Created pod: {pod.name}", self.name)
        return pod

    def _delete(self, ds: KObject, pod: Pod) -> None:
        self.cluster.delete_pod(pod)
        self.cluster.record(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod.name}", self.name)

    def update_status(self, ds: KObject, rev: str, eligible: list[Node], min_ready: int) -> None:
        now = self.cluster.now
        by_node = self.pods_by_node(ds)
        eligible_names = {n.name: True for n in eligible}
        scheduled = ready = available = updated = misscheduled = 0
        for name, pods in by_node.items():
            live = [p for p in pods if p.deletion_tick is None and p.phase != "Failed"]
            if not live:
                continue
            if name not in eligible_names:
                if any(p.node_name for p in live):
                    misscheduled += 1
                continue
            p = live[0]
            if not p.node_name:
                continue
            scheduled += 1
            if p.ready:
                ready += 1
            if pod_available(p, min_ready, now):
                available += 1
            elif p.ready and min_ready and p.ready_tick is not None:
                self.wakeups.setdefault(p.ready_tick + min_ready, {})[ds.key] = True
            if p.labels.get(REVISION_LABEL) == rev:
                updated += 1
        desired = len(eligible)
        status = {"currentNumberScheduled": scheduled, "desiredNumberScheduled": desired,
                  "numberAvailable": available, "numberMisscheduled": misscheduled,
                  "numberReady": ready, "observedGeneration": ds.generation,
                  "updatedNumberScheduled": updated, "numberUnavailable": desired - available}
        status = {k: v for k, v in status.items() if v or k in (
            "currentNumberScheduled", "desiredNumberScheduled", "numberMisscheduled", "numberReady",
            "observedGeneration")}
        if status != ds.status:
            ds.status = status
            self.store.modified(ds, status_only=True)


def coverage(cluster, ds: KObject) -> tuple[int, int]:
    """(Ready nodes that run a Ready pod of the DaemonSet, Ready nodes that should run one)."""
    tpl_spec = (ds.spec.get("template") or {}).get("spec") or {}
    covered = eligible = 0
    for node in cluster.nodes():
        if not node.is_ready or not should_run(tpl_spec, node):
            continue
        eligible += 1
        for p in cluster.store.pods_on(node.name).values():
            if p.owner_uid() == ds.uid and p.ready and p.deletion_tick is None:
                covered += 1
                break
    return covered, eligible
