"""Node lifecycle: missed heartbeats -> Ready=Unknown -> unreachable taints -> NoExecute evictions.

pkg/controller/nodelifecycle (node_lifecycle_controller.go) and its taint-eviction
controller: a node silent for --node-monitor-grace-period (50 s since v1.32) becomes
Unknown, gets the node.kubernetes.io/unreachable NoSchedule taint at once and its pods turn
NotReady. The NoExecute taint goes through its zone's rate-limited queue, whose rate
follows the zone's state (ComputeZoneState, setLimiterInZone):

- Normal: --node-eviction-rate 0.1 nodes/s (one node every 10 s, burst 1);
- PartialDisruption (more than 2 nodes not Ready and at least
  --unhealthy-zone-threshold 0.55 of the zone): --secondary-node-eviction-rate 0.01 in a
  zone of more than --large-cluster-size-threshold 50 nodes, else 0: nothing is tainted;
- FullDisruption (no node Ready): 0.1 again, unless every zone is fully disrupted: then
  the controller enters "master disruption mode", taints nothing and takes the NoExecute
  taints off, since the fault is more likely its own network than every node at once.

A pod is deleted when its toleration of the NoExecute taint (300 s by default) runs out,
with the DisruptionTarget condition (DeletionByTaintManager) set first.
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import Node, Pod
from kubegame.engine.objects import timestamp as _ts

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"

# kube-controller-manager's defaults (cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go)
NODE_EVICTION_RATE = 0.1              # --node-eviction-rate, nodes per second
SECONDARY_NODE_EVICTION_RATE = 0.01   # --secondary-node-eviction-rate
UNHEALTHY_ZONE_THRESHOLD = 0.55       # --unhealthy-zone-threshold
LARGE_CLUSTER_SIZE_THRESHOLD = 50     # --large-cluster-size-threshold

NORMAL, PARTIAL, FULL = "Normal", "PartialDisruption", "FullDisruption"


def compute_zone_state(ready: int, not_ready: int) -> str:
    """ComputeZoneState."""
    if ready == 0 and not_ready > 0:
        return FULL
    if not_ready > 2 and not_ready / (not_ready + ready) >= UNHEALTHY_ZONE_THRESHOLD:
        return PARTIAL
    return NORMAL


def zone_rate(state: str, zone_size: int) -> float:
    """setLimiterInZone: the NoExecute tainting rate (nodes/s) of a zone in that state."""
    if state == PARTIAL:          # ReducedQPSFunc
        return SECONDARY_NODE_EVICTION_RATE if zone_size > LARGE_CLUSTER_SIZE_THRESHOLD else 0.0
    return NODE_EVICTION_RATE     # Normal, and FullDisruption's HealthyQPSFunc


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
        # zoneNoExecuteTainter: per zone, the not-Ready nodes waiting for their NoExecute taint
        self.tainting: dict[str, list[str]] = {}
        self.next_token: dict[str, int] = {}                    # zone -> tick its limiter allows the next
        self.zone_states: dict[str, str] = {}
        self.master_disruption = False
        self.states_cache: tuple[dict[str, str], dict[str, int]] | None = None
        self.store.subscribe("Node", self._on_node)

    def _on_node(self, event: str, node: Node) -> None:  # type: ignore[override]
        """The taint-eviction controller's watch: changed taints (ours, `kubectl taint`, an edit)
        may leave pods on the node with a NoExecute taint they do not tolerate."""
        self.states_cache = None             # the zones' counts may have changed
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
        if not self.cluster.kubelet_running(node.name):
            return                                   # the machine is up, its kubelet is not
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
            beating = node.alive and self.cluster.kubelet_running(name)
            if what == "check" and not beating and node.ready_status == "True":
                self._mark_unknown(node)
            elif what == "recovered" and beating and node.ready_status != "True":
                self._mark_ready(node)
            elif what == "booted":
                node.booting_until = None
                if node.alive:
                    self._mark_ready(node)
                    self.cluster.record(node, "Normal", "RegisteredNode",
                                        f"Node {node.name} event: Registered Node {node.name} in Controller",
                                        "node-controller")
        if self.tainting or self.master_disruption:
            self._tainting_pass()
        for pod in self.due(self.evictions, now).values():
            self._evict(pod)

    # -- zones: disruption states and the rate-limited NoExecute tainting ----------------------
    def zone_state(self) -> dict[str, str]:
        """Each zone's state now (handleDisruption's input): the zones' nodes' Ready conditions,
        recounted only when a node was added, removed or changed readiness."""
        if self.states_cache is None:
            counts: dict[str, list[int]] = {}
            for n in self.cluster.nodes():
                c = counts.setdefault(n.zone, [0, 0])
                c[0 if n.ready_status == "True" else 1] += 1
            self.states_cache = ({z: compute_zone_state(r, nr) for z, (r, nr) in sorted(counts.items())},
                                 {z: r + nr for z, (r, nr) in counts.items()})
        return self.states_cache[0]

    def _tainting_pass(self) -> None:
        """doNoExecuteTaintingPass, after handleDisruption has set each zone's rate."""
        now = self.cluster.now
        states = self.zone_state()
        all_full = bool(states) and all(st == FULL for st in states.values())
        if all_full and not self.master_disruption:
            self.master_disruption = True
            for n in self.cluster.nodes():           # markNodeAsReachable: the NoExecute taints go
                if any(t.get("effect") == "NoExecute" and t.get("key") in (UNREACHABLE, NOT_READY) for t in n.taints):
                    n.spec["taints"] = [t for t in n.taints if not (
                        t.get("effect") == "NoExecute" and t.get("key") in (UNREACHABLE, NOT_READY))]
                    self.store.modified(n, status_only=True)
                    self.tainting.setdefault(n.zone, []).append(n.name)
        elif not all_full and self.master_disruption:
            self.master_disruption = False           # every limiter starts afresh
            self.next_token.clear()
        if self.master_disruption:
            return
        self.zone_state()
        sizes = self.states_cache[1] if self.states_cache else {}
        for zone in sorted(self.tainting):
            state = states.get(zone, NORMAL)
            if self.zone_states.get(zone) != state:      # SwapLimiter: a fresh bucket, one token
                self.zone_states[zone] = state
                self.next_token.pop(zone, None)
            rate = zone_rate(state, sizes.get(zone, 0))
            queue = self.tainting[zone]
            while queue and rate > 0 and self.next_token.get(zone, now) <= now:
                node = self.cluster.node(queue.pop(0))
                if node is None or node.ready_status == "True" or node.zone != zone:
                    continue
                self._taint_noexecute(node)
                self.next_token[zone] = now + max(1, round(1 / rate))
            if not queue:
                del self.tainting[zone]

    def _taint_noexecute(self, node: Node) -> None:
        if any(t.get("key") == UNREACHABLE and t.get("effect") == "NoExecute" for t in node.taints):
            return
        node.spec["taints"] = list(node.taints) + [
            {"effect": "NoExecute", "key": UNREACHABLE, "timeAdded": _ts(self.cluster.now)}]
        self.store.modified(node, status_only=True)

    def _mark_unknown(self, node: Node) -> None:
        self.states_cache = None
        now = self.cluster.now
        node.ready_status = "Unknown"
        node.ready_since = now
        taints = [t for t in node.taints if t.get("key") != UNREACHABLE]
        taints += [{"effect": "NoSchedule", "key": UNREACHABLE}]       # doNoScheduleTaintingPass: at once
        node.spec["taints"] = taints
        self.store.modified(node, status_only=True)
        self.tainting.setdefault(node.zone, []).append(node.name)     # markNodeForTainting
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
        if not any(c.get("type") == "DisruptionTarget" for c in pod.conditions_extra):
            pod.conditions_extra.append({"lastProbeTime": None, "lastTransitionTime": _ts(self.cluster.now),
                                         "message": "Taint manager: deleting due to NoExecute taint",
                                         "reason": "DeletionByTaintManager", "status": "True",
                                         "type": "DisruptionTarget"})
        try:
            self.cluster.delete_pod(pod)
        except Exception:  # no quorum: try again next tick
            self.evictions.setdefault(self.cluster.now + 1, {})[pod.key] = pod

    def _mark_ready(self, node: Node) -> None:
        self.states_cache = None
        node.ready_status = "True"
        node.ready_since = self.cluster.now
        node.spec["taints"] = [t for t in node.taints if t.get("key") not in (UNREACHABLE, NOT_READY)]
        if not node.spec["taints"]:
            del node.spec["taints"]
        self.store.modified(node, status_only=True)
        self.cluster.record(node, "Normal", "NodeReady", f"Node {node.name} status is now: NodeReady",
                            "node-controller")
        self.cluster.endpoints.node_changed(node)

