"""kube-scheduler: filter nodes, score the feasible ones, bind the pod to the best.

Filters (in the default plugin order): NodeUnschedulable, TaintToleration, NodeAffinity
(nodeSelector + required node affinity), NodePorts, NodeResourcesFit, VolumeZone.
Scores: NodeResourcesFit LeastAllocated + NodeResourcesBalancedAllocation + ImageLocality
+ PodTopologySpread (weight 2, the system default constraints: hostname and zone).
Beyond 100 nodes only max(5%, 50% - N/125%) of the nodes are searched for feasible
ones, at least 100 (pkg/scheduler/schedule_one.go numFeasibleNodesToFind).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import Node, Pod

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

UNSCHEDULABLE = "node(s) were unschedulable"
AFFINITY = "node(s) didn't match Pod's node affinity/selector"
PORTS = "node(s) didn't have free ports for the requested pod ports"
VOLUME_ZONE = "node(s) had volume node affinity conflict"
UNRESOLVABLE = (UNSCHEDULABLE, AFFINITY, VOLUME_ZONE)   # preemption cannot help these


def num_feasible_nodes_to_find(n: int) -> int:
    if n < 100:
        return n
    pct = max(5, 50 - n // 125)
    return max(100, n * pct // 100)


def tolerates(tolerations: list[dict], taint: dict) -> bool:
    for t in tolerations:
        if t.get("effect") not in (None, "", taint.get("effect")):
            continue
        op = t.get("operator", "Equal")
        if op == "Exists" and t.get("key") in (None, "", taint.get("key")):
            return True
        if op == "Equal" and t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or ""):
            return True
    return False


def match_node_selector_term(term: dict, labels: dict, node_name: str) -> bool:
    for expr in term.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        val = labels.get(key)
        if op == "In" and val not in values:
            return False
        if op == "NotIn" and val in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
        if op in ("Gt", "Lt"):
            try:
                v, lim = int(val), int(values[0])  # type: ignore[arg-type]
            except (TypeError, ValueError, IndexError):
                return False
            if (op == "Gt" and not v > lim) or (op == "Lt" and not v < lim):
                return False
    for f in term.get("matchFields") or []:
        if f.get("key") == "metadata.name":
            if (f.get("operator") == "In") != (node_name in (f.get("values") or [])):
                return False
    return True


class PodConstraints:
    """What the filters need from one pod, worked out once per scheduling attempt."""

    __slots__ = ("tolerations", "node_selector", "required_terms", "preferred", "zone")

    def __init__(self, pod: Pod, cluster: Cluster):
        spec = pod.spec
        self.tolerations = spec.get("tolerations") or []
        self.node_selector = spec.get("nodeSelector") or {}
        na = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
        self.required_terms = req.get("nodeSelectorTerms") or []
        self.preferred = na.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        self.zone = cluster.hooks.get("volume_zone", lambda p: "")(pod) if cluster.hooks.get("volume_zone") else ""


class Scheduler(Controller):
    name = "default-scheduler"

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.active: dict[tuple[str, str], Pod] = {}
        self.unschedulable: dict[tuple[str, str], Pod] = {}
        self.next_start = 0
        self.node_order: list[str] | None = None
        self.spread: dict[str, dict[str, int]] = {}     # owner uid -> node -> pods bound there
        self.store.subscribe("Pod", self._on_pod)
        self.store.subscribe("Node", self._on_node)

    # -- watches ----------------------------------------------------------------------------
    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event == "ADDED":
            if pod.node_name:
                self._track(pod, +1)
                self.cluster.account(pod, pod.node_name, +1)
                self.cluster.kubelet.bound(pod)
            elif pod.spec.get("schedulerName", "default-scheduler") == "default-scheduler":
                self.active[pod.key] = pod
        elif event == "DELETED":
            self.active.pop(pod.key, None)
            self.unschedulable.pop(pod.key, None)
            if pod.node_name:
                self._track(pod, -1)
                self._flush()
        elif event == "MODIFIED" and pod.node_name and pod.phase in ("Succeeded", "Failed"):
            self._flush()

    def _on_node(self, event: str, node: Node) -> None:  # type: ignore[override]
        self.node_order = None
        if event != "DELETED":
            self._flush()

    def node_changed(self, node: Node) -> None:
        self.node_order = None
        self._flush()

    def _flush(self) -> None:
        """Cluster changed: unschedulable pods get another try (MoveAllToActiveOrBackoffQueue)."""
        if self.unschedulable:
            self.active.update(self.unschedulable)
            self.unschedulable.clear()

    def _track(self, pod: Pod, sign: int) -> None:
        uid = pod.owner_uid()
        if uid:
            per_node = self.spread.setdefault(uid, {})
            per_node[pod.node_name] = per_node.get(pod.node_name, 0) + sign
            if per_node[pod.node_name] <= 0:
                del per_node[pod.node_name]
                if not per_node:
                    del self.spread[uid]

    def _nodes(self) -> list[str]:
        """Node names interleaved by zone, as the scheduler's node tree lists them."""
        if self.node_order is None:
            zones: dict[str, list[str]] = {}
            for n in self.cluster.nodes():
                zones.setdefault(n.zone, []).append(n.name)
            order: list[str] = []
            lists = [zones[z] for z in sorted(zones)]
            for i in range(max((len(x) for x in lists), default=0)):
                for lst in lists:
                    if i < len(lst):
                        order.append(lst[i])
            self.node_order = order
        return self.node_order

    # -- the scheduling cycle ---------------------------------------------------------------
    def sync(self) -> None:
        if not self.active:
            return
        if not self.store.quorum:
            return
        queue = sorted(self.active.values(), key=lambda p: (-p.priority, p.creation_tick))
        self.active.clear()
        for pod in queue:
            if self.store.get("Pod", pod.namespace, pod.name) is not pod or pod.node_name or pod.terminating:
                continue
            self.schedule_one(pod)

    def schedule_one(self, pod: Pod) -> Node | None:
        names = self._nodes()
        total = len(names)
        if total == 0:
            self._fail(pod, "no nodes available to schedule pods", 0, {})
            return None
        want = num_feasible_nodes_to_find(total)
        cons = PodConstraints(pod, self.cluster)
        feasible: list[Node] = []
        reasons: dict[str, int] = {}
        start = self.next_start % total
        checked = 0
        for i in range(total):
            node = self.cluster.node(names[(start + i) % total])
            checked += 1
            if node is None:
                continue
            fail = self.filter(pod, node, cons)
            if fail:
                for r in fail:
                    reasons[r] = reasons.get(r, 0) + 1
            else:
                feasible.append(node)
                if len(feasible) >= want:
                    break
        self.next_start = (start + checked) % total
        if not feasible:
            preempted = self.cluster.hooks.get("preempt")
            if preempted is not None and preempted(pod, reasons):
                return None
            self._fail(pod, "", total, reasons)
            return None
        best = self.pick(pod, feasible, cons)
        self.bind(pod, best)
        return best

    def filter(self, pod: Pod, node: Node, cons: PodConstraints) -> list[str]:
        """The reasons a node cannot take the pod; empty when it fits."""
        if node.unschedulable and not tolerates(
                cons.tolerations, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}):
            return [UNSCHEDULABLE]
        for taint in node.taints:
            if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(cons.tolerations, taint):
                return [f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"]
        labels = node.labels
        for k, v in cons.node_selector.items():
            if labels.get(k) != v:
                return [AFFINITY]
        if cons.required_terms and not any(match_node_selector_term(t, labels, node.name)
                                           for t in cons.required_terms):
            return [AFFINITY]
        for port in pod.host_ports:
            if port in node.host_ports_used:
                return [PORTS]
        out = []
        if node.pod_count + 1 > node.max_pods:
            out.append("Too many pods")
        if pod.cpu_request and node.cpu_used + pod.cpu_request > node.cpu:
            out.append("Insufficient cpu")
        if pod.mem_request and node.mem_used + pod.mem_request > node.memory:
            out.append("Insufficient memory")
        if out:
            return out
        if cons.zone and node.zone != cons.zone:
            return [VOLUME_ZONE]
        return []

    def pick(self, pod: Pod, feasible: list[Node], cons: PodConstraints) -> Node:
        if len(feasible) == 1:
            return feasible[0]
        uid = pod.owner_uid()
        per_node = self.spread.get(uid, {}) if uid else {}
        per_zone: dict[str, int] = {}
        if per_node:
            for name, n in per_node.items():
                nd = self.cluster.node(name)
                if nd is not None:
                    per_zone[nd.zone] = per_zone.get(nd.zone, 0) + n
        raw_spread = [per_node.get(n.name, 0) + per_zone.get(n.zone, 0) for n in feasible]
        lo, hi = min(raw_spread), max(raw_spread)
        image = self.cluster.registry.resolve(pod.image)
        best: list[Node] = []
        best_score = -1.0
        for node, sp in zip(feasible, raw_spread):
            cpu_frac = (node.cpu_used + pod.cpu_request) / node.cpu if node.cpu else 1.0
            mem_frac = (node.mem_used + pod.mem_request) / node.memory if node.memory else 1.0
            least = ((1 - cpu_frac) + (1 - mem_frac)) * 50
            balanced = (1 - abs(cpu_frac - mem_frac) / 2) * 100
            spread = 100.0 if hi == lo else (hi - sp) * 100 / (hi - lo)
            score = int(least) + int(balanced) + 2 * int(spread)
            if image is not None and node.layers:
                have = sum(1 for layer in image.all_layers() if layer in node.layers)
                score += int(100 * have / len(image.all_layers()) * min(image.size_mb, 1000) / 1000)
            for pref in cons.preferred:
                if match_node_selector_term(pref.get("preference") or {}, node.labels, node.name):
                    score += int(pref.get("weight", 1))
            if score > best_score:
                best, best_score = [node], score
            elif score == best_score:
                best.append(node)
        if len(best) == 1:
            return best[0]
        return best[self.cluster.rng.randrange(len(best))]   # selectHost: random among the best

    def bind(self, pod: Pod, node: Node) -> None:
        self.store.bind(pod, node.name)
        pod.scheduled_tick = self.cluster.now
        pod.unschedulable_message = ""
        pod.nominated_node = ""
        self.cluster.account(pod, node.name, +1)
        self._track(pod, +1)
        self.store.modified(pod, status_only=True)
        self.cluster.record(pod, "Normal", "Scheduled",
                            f"Successfully assigned {pod.namespace}/{pod.name} to {node.name}", self.name)
        self.cluster.kubelet.bound(pod)

    def _fail(self, pod: Pod, plain: str, total: int, reasons: dict[str, int]) -> None:
        msg = plain or failed_scheduling_message(total, reasons)
        if pod.unschedulable_message != msg:
            pod.unschedulable_message = msg
            self.store.modified(pod, status_only=True)
        self.unschedulable[pod.key] = pod
        self.cluster.record(pod, "Warning", "FailedScheduling", msg, self.name)


def failed_scheduling_message(total: int, reasons: dict[str, int]) -> str:
    """`0/3 nodes are available: 1 Insufficient cpu, 2 node(s) ... preemption: 0/3 nodes are available: ...`"""
    parts = sorted(f"{n} {r}" for r, n in reasons.items())
    msg = f"0/{total} nodes are available: {', '.join(parts)}."
    helpless = sum(n for r, n in reasons.items() if r in UNRESOLVABLE or r.startswith("node(s) had untolerated"))
    no_victims = total - helpless
    pre = []
    if no_victims > 0:
        pre.append(f"{no_victims} No preemption victims found for incoming pod")
    if helpless > 0:
        pre.append(f"{helpless} Preemption is not helpful for scheduling")
    return msg + f" preemption: 0/{total} nodes are available: {', '.join(pre)}."

