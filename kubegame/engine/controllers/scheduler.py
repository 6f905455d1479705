"""kube-scheduler: filter nodes, score the feasible ones, bind the pod to the best.

Filters (in the default plugin order): NodeUnschedulable, TaintToleration, NodeAffinity
(nodeSelector + required node affinity), NodePorts, NodeResourcesFit, VolumeZone.
Scores: NodeResourcesFit LeastAllocated + NodeResourcesBalancedAllocation + ImageLocality
+ PodTopologySpread (weight 2, the system default constraints: hostname and zone).
Beyond 100 nodes only max(5%, 50% - N/125%) of the nodes are searched for feasible
ones, at least 100 (pkg/scheduler/schedule_one.go numFeasibleNodesToFind).
"""

from __future__ import annotations

import bisect
from itertools import compress, filterfalse
from operator import itemgetter
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

    __slots__ = ("tolerations", "node_selector", "required_terms", "preferred", "zone", "signature")

    def __init__(self, pod: Pod, cluster: Cluster):
        spec = pod.spec
        self.tolerations = spec.get("tolerations") or []
        self.node_selector = spec.get("nodeSelector") or {}
        na = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
        self.required_terms = req.get("nodeSelectorTerms") or []
        self.preferred = na.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        hook = cluster.hooks.get("volume_zone")
        self.zone = hook(pod) if hook is not None else ""
        # pods with the same signature pass or fail the node-static filters alike
        self.signature = repr((self.tolerations, self.node_selector, self.required_terms, pod.host_ports))


class Scheduler(Controller):
    name = "default-scheduler"

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.active: dict[tuple[str, str], Pod] = {}
        self.unschedulable: dict[tuple[str, str], Pod] = {}
        self.next_start = 0
        self.node_order: list[Node] | None = None
        self.positions: dict[str, int] = {}
        # what a node's score depends on, interned: nodes in the same state score the same
        self.node_state: list[int] = []                  # per node (in node order): its state id
        self.state_ids: dict[tuple, int] = {}
        self.states: list[tuple] = []
        self.state_zone: list[str] = []
        self.layer_sets: dict[str, tuple[int, frozenset]] = {}   # node -> (cache size, its layers)
        self.base_scores: dict[tuple, dict[int, int]] = {}    # (cpu, memory, image) -> state -> score
        self.static: dict[str, list[str | None]] = {}   # signature -> per node: static failure or None
        # within one scheduling pass: (signature, cpu, memory, zone) -> indexes of the nodes that fit,
        # in node order; a bind re-checks only the node it filled
        self.fits: dict[tuple, list[int]] = {}
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
        if event in ("ADDED", "DELETED"):
            self.node_order = None          # the node list itself changed: rebuild it lazily
        self.node_changed(node)

    def node_changed(self, node: Node) -> None:
        """A node's labels, taints, cordon or readiness changed: forget the node-static filter
        results and give unschedulable pods another try."""
        self.static.clear()
        self.fits.clear()
        self._flush()

    def pending(self) -> list[Pod]:
        """The pods waiting to be scheduled, by name."""
        return sorted([*self.active.values(), *self.unschedulable.values()], key=lambda p: p.name)

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

    def _nodes(self) -> list[Node]:
        """The nodes interleaved by zone, as the scheduler's node tree lists them."""
        if self.node_order is None:
            zones: dict[str, list[Node]] = {}
            for n in self.cluster.nodes():
                zones.setdefault(n.zone, []).append(n)
            order: list[Node] = []
            lists = [zones[z] for z in sorted(zones)]
            for i in range(max((len(x) for x in lists), default=0)):
                for lst in lists:
                    if i < len(lst):
                        order.append(lst[i])
            self.node_order = order
            self.positions = {n.name: i for i, n in enumerate(order)}
            self.state_ids, self.states, self.state_zone = {}, [], []
            self.base_scores = {}
            self.node_state = [self._state(n) for n in order]
            self.static.clear()
            self.fits.clear()
        return self.node_order

    # -- the scheduling cycle ---------------------------------------------------------------
    def sync(self) -> None:
        if not self.active:
            return
        if not self.store.quorum:
            return
        queue = sorted(self.active.values(), key=lambda p: (-p.priority, p.creation_tick))
        self.active.clear()
        self.fits = {}
        for pod in queue:
            if self.store.get("Pod", pod.namespace, pod.name) is not pod or pod.node_name or pod.terminating:
                continue
            self.schedule_one(pod)

    def schedule_one(self, pod: Pod) -> Node | None:
        nodes = self._nodes()
        total = len(nodes)
        if total == 0:
            self._fail(pod, "no nodes available to schedule pods", 0, {})
            return None
        want = num_feasible_nodes_to_find(total)
        cons = PodConstraints(pod, self.cluster)
        fits = self._fitting(pod, cons, nodes)
        start = self.next_start % total
        # the first `want` fitting nodes from `start` on, wrapping around (numFeasibleNodesToFind)
        pos = bisect.bisect_left(fits, start)
        window = fits[pos:pos + want]
        if len(window) < want:
            window += fits[:min(pos, want - len(window))]
        if not window:
            self.next_start = start
            reasons: dict[str, int] = {}
            for node in nodes:
                for r in self.filter(pod, node, cons):
                    reasons[r] = reasons.get(r, 0) + 1
            preempted = self.cluster.hooks.get("preempt")
            if preempted is not None and preempted(pod, reasons):
                return None
            self._fail(pod, "", total, reasons)
            return None
        checked = ((window[-1] - start) % total) + 1 if len(window) == want else total
        self.next_start = (start + checked) % total
        best = self.pick(pod, window, cons)
        self.bind(pod, best)
        return best

    def _fitting(self, pod: Pod, cons: PodConstraints, nodes: list[Node]) -> list[int]:
        key = (cons.signature, pod.cpu_request, pod.mem_request, cons.zone, pod.host_ports)
        fits = self.fits.get(key)
        if fits is None:
            static = self.static.get(cons.signature)
            if static is None:
                static = self.static[cons.signature] = [self.static_filter(pod, n, cons) for n in nodes]
            fits = self.fits[key] = [i for i, n in enumerate(nodes)
                                     if static[i] is None
                                     and self._room(n, pod.cpu_request, pod.mem_request, cons.zone, pod.host_ports)]
        return fits

    @staticmethod
    def _room(node: Node, cpu: int, mem: int, zone: str, ports: tuple[int, ...] = ()) -> bool:
        return (node.pod_count < node.max_pods and node.cpu_used + cpu <= node.cpu
                and node.mem_used + mem <= node.memory and (not zone or node.zone == zone)
                and not any(p in node.host_ports_used for p in ports))

    def _refit(self, node: Node) -> None:
        """A pod was bound to `node`: drop it from the fit lists it no longer fits."""
        if not self.fits or self.node_order is None:
            return
        idx = self.positions.get(node.name)
        if idx is None:
            return
        for (_, cpu, mem, zone, ports), fits in self.fits.items():
            if not self._room(node, cpu, mem, zone, ports):
                pos = bisect.bisect_left(fits, idx)
                if pos < len(fits) and fits[pos] == idx:
                    del fits[pos]

    def filter(self, pod: Pod, node: Node, cons: PodConstraints) -> list[str]:
        """The reasons a node cannot take the pod; empty when it fits."""
        fail = self.static_filter(pod, node, cons)
        return [fail] if fail is not None else self.resource_filter(pod, node, cons)

    def static_filter(self, pod: Pod, node: Node, cons: PodConstraints) -> str | None:
        """NodeUnschedulable, TaintToleration, NodeAffinity: what only the node's spec and labels decide."""
        if node.unschedulable and not tolerates(
                cons.tolerations, {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}):
            return UNSCHEDULABLE
        for taint in node.taints:
            if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(cons.tolerations, taint):
                return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"
        labels = node.labels
        for k, v in cons.node_selector.items():
            if labels.get(k) != v:
                return AFFINITY
        if cons.required_terms and not any(match_node_selector_term(t, labels, node.name)
                                           for t in cons.required_terms):
            return AFFINITY
        return None

    def resource_filter(self, pod: Pod, node: Node, cons: PodConstraints) -> list[str]:
        """NodePorts, NodeResourcesFit (all its reasons) and VolumeZone: what pods bound there decide."""
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

    def pick(self, pod: Pod, window: list[int], cons: PodConstraints) -> Node:
        """The highest-scoring node of the window; ties are broken at random, as selectHost does.

        Scores: LeastAllocated + BalancedAllocation + 2 x PodTopologySpread (pods of the
        same owner on the node and in its zone, normalised over the candidates) +
        ImageLocality + preferred node affinity weights. Nodes in the same state (same
        requests, capacity, zone and image cache) score the same, so each state is scored
        once and only the owner's own nodes are scored one by one.
        """
        nodes = self.node_order or []
        if len(window) == 1:
            return nodes[window[0]]
        uid = pod.owner_uid()
        per_node = self.spread.get(uid, {}) if uid else {}
        per_zone: dict[str, int] = {}
        own: dict[int, int] = {}                  # window nodes that already run pods of this owner
        for name, n in per_node.items():
            idx = self.positions.get(name)
            if idx is not None:
                zone = nodes[idx].zone
                per_zone[zone] = per_zone.get(zone, 0) + n
                own[idx] = n
        # the window's nodes that run none of this owner's pods, reduced to their state ids
        # (itemgetter/map/compress keep the per-node work in C: the window can hold 420 nodes)
        if own:
            in_window = set(window)
            own_in_window = [i for i in own if i in in_window]
        else:
            own_in_window = []
        plain = list(filterfalse(own.__contains__, window)) if own_in_window else window
        ids = self.node_state
        plain_ids = list(itemgetter(*plain)(ids)) if len(plain) > 1 else [ids[i] for i in plain]
        states = dict.fromkeys(plain_ids)         # distinct states, in window order
        zone_of = self.state_zone
        spreads = [per_zone.get(zone_of[k], 0) for k in states] + [
            own[i] + per_zone.get(nodes[i].zone, 0) for i in own_in_window]
        lo, hi = min(spreads), max(spreads)
        image = self.cluster.registry.resolve(pod.image)

        image_layers = image.all_layers() if image is not None else ()
        image_weight = 100 * min(image.size_mb, 1000) / 1000 / len(image_layers) if image_layers else 0.0
        state_table = self.states
        cpu_req, mem_req = pod.cpu_request, pod.mem_request
        spread_span = hi - lo
        base_scores = self.base_scores.setdefault((cpu_req, mem_req, pod.image), {})

        def base(state: int) -> int:
            """LeastAllocated + BalancedAllocation + ImageLocality: fixed for a state and a pod
            shape, so remembered for the whole run (state ids are never reused for another state)."""
            cpu_used, mem_used, cpu, memory, _zone, layers = state_table[state]
            cpu_frac = (cpu_used + cpu_req) / cpu if cpu else 1.0
            mem_frac = (mem_used + mem_req) / memory if memory else 1.0
            least = ((1 - cpu_frac) + (1 - mem_frac)) * 50
            balanced = (1 - abs(cpu_frac - mem_frac) / 2) * 100
            locality = sum(1 for x in image_layers if x in layers) * image_weight
            b = base_scores[state] = int(least) + int(balanced) + int(locality)
            return b

        def score(state: int, sp: int) -> int:
            b = base_scores.get(state)
            if b is None:
                b = base(state)
            spread = (hi - sp) * 100 / spread_span if spread_span else 100.0   # PodTopologySpread
            return b + 2 * int(spread)

        if cons.preferred:       # per-node label weights: score node by node
            def weight(i: int) -> int:
                return sum(int(p.get("weight", 1)) for p in cons.preferred
                           if match_node_selector_term(p.get("preference") or {}, nodes[i].labels, nodes[i].name))
            scored = [(score(ids[i], own.get(i, 0) + per_zone.get(nodes[i].zone, 0)) + weight(i), i) for i in window]
            top = max(sc for sc, _ in scored)
            best = [i for sc, i in scored if sc == top]
        else:
            by_state = {k: score(k, per_zone.get(zone_of[k], 0)) for k in states}
            by_own = {i: score(ids[i], own[i] + per_zone.get(nodes[i].zone, 0)) for i in own_in_window}
            top = max([*by_state.values(), *by_own.values()])
            winners = {k for k, sc in by_state.items() if sc == top}
            best = list(compress(plain, map(winners.__contains__, plain_ids))) if winners else []
            best += [i for i, sc in by_own.items() if sc == top]
            best.sort()
        if len(best) == 1:
            return nodes[best[0]]
        return nodes[best[self.cluster.rng.randrange(len(best))]]

    def refresh_node(self, node: Node) -> None:
        """A node's requests or image cache changed: update its scoring state."""
        idx = self.positions.get(node.name)
        if idx is not None and self.node_order is not None and idx < len(self.node_state):
            self.node_state[idx] = self._state(node)
            if len(self.states) > 50_000:        # interned states pile up on a long run: start afresh
                self.node_order = None

    def _state(self, node: Node) -> int:
        """The id of the node's scoring state: requests, capacity, zone and image cache."""
        cached = self.layer_sets.get(node.name)
        if cached is None or cached[0] != len(node.layers):      # a node's image cache only grows
            cached = self.layer_sets[node.name] = (len(node.layers), frozenset(node.layers))
        layers = cached[1]
        key = (node.cpu_used, node.mem_used, node.cpu, node.memory, node.zone, layers)
        sid = self.state_ids.get(key)
        if sid is None:
            sid = self.state_ids[key] = len(self.states)
            self.states.append(key)
            self.state_zone.append(node.zone)
        return sid

    def bind(self, pod: Pod, node: Node) -> None:
        self.store.bind(pod, node.name)
        pod.scheduled_tick = self.cluster.now
        pod.unschedulable_message = ""
        pod.nominated_node = ""
        self.cluster.account(pod, node.name, +1)
        self._refit(node)
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

