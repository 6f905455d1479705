"""Node lifecycle: missed heartbeats -> Ready=Unknown -> unreachable taints -> NoExecute evictions.

pkg/controller/nodelifecycle and its taint-eviction controller: a node silent for
--node-monitor-grace-period (40 s) becomes Unknown and gets the
node.kubernetes.io/unreachable NoExecute and NoSchedule taints; its pods turn NotReady,
and each is deleted when its toleration of that taint (300 s by default) runs out.
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import Node, Pod
from kubegame.engine.objects import timestamp as _ts

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"


def toleration_seconds(pod: Pod, key: str, effect: str = "NoExecute") -> int | None:
    """How long a pod tolerates a taint: None forever, 0 not at all (v1helper.GetMatchingTolerations)."""
    matching = [t for t in pod.spec.get("tolerations") or []
                if t.get("effect") in (None, "", effect) and tolerates_key(t, key)]
    if not matching:
        return 0
    if any(t.get("tolerationSeconds") is None for t in matching):
        return None
    return max(int(t["tolerationSeconds"]) for t in matching)


def noexecute_delay(pod: Pod, node: Node) -> int | None:
    """Ticks until the taint manager evicts a pod from a node's NoExecute taints (None: never)."""
    delays = []
    for taint in node.taints:
        if taint.get("effect") != "NoExecute":
            continue
        matching = [t for t in pod.spec.get("tolerations") or []
                    if t.get("effect") in (None, "", "NoExecute")
                    and tolerates_key(t, taint.get("key", ""), taint.get("value", ""))]
        if not matching:
            delays.append(0)
        elif all(t.get("tolerationSeconds") is not None for t in matching):
            delays.append(max(int(t["tolerationSeconds"]) for t in matching))
    return min(delays) if delays else None


def tolerates_key(t: dict, key: str, value: str = "") -> bool:
    op = t.get("operator", "Equal")
    if op == "Exists":
        return t.get("key") in (None, "", key)
    return t.get("key") == key and (t.get("value") or "") == (value or "")


class NodeLifecycleController(Controller):
    name = "node-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.due_nodes: dict[int, dict[str, str]] = {}          # tick -> node name -> what
        self.evictions: dict[int, dict[tuple[str, str], Pod]] = {}
        self.taints_seen: dict[str, str] = {}                   # node -> its taints when last seen
        self.store.subscribe("Node", self._on_node)

    def _on_node(self, event: str, node: Node) -> None:  # type: ignore[override]
        """The taint-eviction controller's watch: changed taints (ours, `kubectl taint`, an edit)
        may leave pods on the node with a NoExecute taint they do not tolerate."""
        if event == "DELETED":
            self.taints_seen.pop(node.name, None)
            return
        taints = repr(node.taints)
        if self.taints_seen.get(node.name, taints) != taints:
            self.taints_changed(node)
        self.taints_seen[node.name] = taints

    def _at(self, tick: int, node: str, what: str) -> None:
        self.due_nodes.setdefault(tick, {})[node] = what

    def node_failed(self, node: Node) -> None:
        self._at(self.cluster.now + self.cluster.config.node_monitor_grace_period, node.name, "check")

    def watch_boot(self, node: Node) -> None:
        self._at(node.booting_until or self.cluster.now, node.name, "booted")

    def node_recovered(self, node: Node) -> None:
        node.last_heartbeat = self.cluster.now
        if node.ready_status != "True" and node.booting_until is None:
            if self.store.quorum:
                self._mark_ready(node)
            else:
                self._at(self.cluster.now + 1, node.name, "recovered")   # marked once etcd is back

    def sync(self) -> None:
        now = self.cluster.now
        for name, what in self.due(self.due_nodes, now).items():
            node = self.cluster.node(name)
            if node is None:
                continue
            if what == "check" and not node.alive and node.ready_status == "True":
                self._mark_unknown(node)
            elif what == "recovered" and node.alive and node.ready_status != "True":
                self._mark_ready(node)
            elif what == "booted":
                node.booting_until = None
                if node.alive:
                    self._mark_ready(node)
                    self.cluster.record(node, "Normal", "RegisteredNode",
                                        f"Node {node.name} event: Registered Node {node.name} in Controller",
                                        "node-controller")
        for pod in self.due(self.evictions, now).values():
            self._evict(pod)

    def _mark_unknown(self, node: Node) -> None:
        now = self.cluster.now
        node.ready_status = "Unknown"
        node.ready_since = now
        taints = [t for t in node.taints if t.get("key") != UNREACHABLE]
        taints += [{"effect": "NoSchedule", "key": UNREACHABLE, "timeAdded": None},
                   {"effect": "NoExecute", "key": UNREACHABLE, "timeAdded": _ts(now)}]
        for t in taints:
            if t.get("timeAdded") is None:
                t.pop("timeAdded", None)
        node.spec["taints"] = taints
        self.store.modified(node, status_only=True)
        self.cluster.record(node, "Normal", "NodeNotReady", f"Node {node.name} status is now: NodeNotReady",
                            "node-controller")
        # MarkPodsNotReady: the node's pods leave every Service's endpoints
        for pod in list(self.store.pods_on(node.name).values()):
            if pod.ready:
                pod.ready = False
                self.store.modified(pod, status_only=True)

    def taints_changed(self, node: Node) -> None:
        """A node's taints changed: evict (in time) the pods that do not tolerate its NoExecute ones."""
        for pod in list(self.store.pods_on(node.name).values()):
            self._schedule_eviction(pod)

    def _schedule_eviction(self, pod: Pod) -> None:
        node = self.cluster.node(pod.node_name)
        if pod.deletion_tick is not None or node is None:
            return
        secs = noexecute_delay(pod, node)
        if secs is None:
            return
        self.evictions.setdefault(self.cluster.now + max(secs, 0), {})[pod.key] = pod

    def _evict(self, pod: Pod) -> None:
        node = self.cluster.node(pod.node_name)
        if (node is None or noexecute_delay(pod, node) is None or pod.deletion_tick is not None
                or self.store.get("Pod", pod.namespace, pod.name) is not pod):
            return
        self.cluster.record(pod, "Normal", "TaintManagerEviction",
                            f"Marking for deletion Pod {pod.namespace}/{pod.name}", "taint-eviction-controller")
        try:
            self.cluster.delete_pod(pod)
        except Exception:  # no quorum: try again next tick
            self.evictions.setdefault(self.cluster.now + 1, {})[pod.key] = pod

    def _mark_ready(self, node: Node) -> None:
        node.ready_status = "True"
        node.ready_since = self.cluster.now
        node.spec["taints"] = [t for t in node.taints if t.get("key") not in (UNREACHABLE, NOT_READY)]
        if not node.spec["taints"]:
            del node.spec["taints"]
        self.store.modified(node, status_only=True)
        self.cluster.record(node, "Normal", "NodeReady", f"Node {node.name} status is now: NodeReady",
                            "node-controller")
        self.cluster.endpoints.node_changed(node)

