"""kube-scheduler: filter nodes, score the feasible ones, bind the pod to the best.

Filters (in the default plugin order): NodeUnschedulable, TaintToleration, NodeAffinity
(nodeSelector + required node affinity), NodePorts, NodeResourcesFit, VolumeBinding and
VolumeRestrictions (volumebinding.py, with its PreFilter), PodTopologySpread and
InterPodAffinity (topology.py).
Scores with the default profile's weights (pkg/scheduler/apis/config/v1/default_plugins.go):
NodeResourcesFit LeastAllocated 1 + NodeResourcesBalancedAllocation 1 + ImageLocality 1 +
PodTopologySpread 2 (the pod's ScheduleAnyway constraints, else the system default
constraints: hostname and zone) + NodeAffinity 2 (preferred terms, normalised) +
TaintToleration 3 (PreferNoSchedule taints, normalised) + InterPodAffinity 2 (preferred terms).
Beyond 100 nodes only max(5%, 50% - N/125%) of the nodes are searched for feasible
ones, at least 100 (pkg/scheduler/schedule_one.go numFeasibleNodesToFind).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from itertools import compress, filterfalse
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from kubegame.engine import checks
from kubegame.engine.controllers import topology as topo_mod
from kubegame.engine.controllers.base import Controller
from kubegame.engine.controllers.topology import PodTopology, TopologyIndex
from kubegame.engine.controllers.volumebinding import BIND_CONFLICT, NODE_CONFLICT, PV_NOT_EXIST, VolumeCheck
from kubegame.engine.controllers.volumebinding import NONE as NO_VOLUMES
from kubegame.engine.objects import Node, Pod

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

UNSCHEDULABLE = "node(s) were unschedulable"
AFFINITY = "node(s) didn't match Pod's node affinity/selector"
PORTS = "node(s) didn't have free ports for the requested pod ports"
VOLUME_ZONE = NODE_CONFLICT
VOLUME_REASONS = (NODE_CONFLICT, BIND_CONFLICT, PV_NOT_EXIST)
TOPOLOGY_REASONS = (topo_mod.AFFINITY_RULES, topo_mod.ANTI_AFFINITY_RULES, topo_mod.EXISTING_ANTI_AFFINITY,
                    topo_mod.SPREAD, topo_mod.SPREAD_LABEL)
UNRESOLVABLE = (UNSCHEDULABLE, AFFINITY, *VOLUME_REASONS, *topo_mod.UNRESOLVABLE)   # preemption cannot help these


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
    """What the filters need from one pod, worked out once per scheduling attempt (and shared by
    the pods of one template, which differ only in the zone their volumes pin them to)."""

    __slots__ = ("tolerations", "node_selector", "required_terms", "preferred", "zone", "volume_terms",
                 "volume_sig", "signature")

    def __init__(self, pod: Pod, cluster: Cluster | None = None):
        spec = pod.spec
        self.tolerations = spec.get("tolerations") or []
        self.node_selector = spec.get("nodeSelector") or {}
        na = (spec.get("affinity") or {}).get("nodeAffinity") or {}
        req = na.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
        self.required_terms = req.get("nodeSelectorTerms") or []
        self.preferred = na.get("preferredDuringSchedulingIgnoredDuringExecution") or []
        vc = volume_check(pod, cluster) if cluster is not None else NO_VOLUMES
        self.zone = vc.zone
        self.volume_terms = vc.terms     # ((reason, node selector terms), ...) from the pod's claims
        self.volume_sig = repr(vc.terms) if vc.terms else ""
        # pods with the same signature pass or fail the node-static filters alike
        self.signature = repr((self.tolerations, self.node_selector, self.required_terms, pod.host_ports))

    def with_volumes(self, vc: VolumeCheck) -> PodConstraints:
        """The same constraints for a pod whose claims pin it to a zone or to some nodes."""
        sig = repr(vc.terms) if vc.terms else ""
        if vc.zone == self.zone and sig == self.volume_sig:
            return self
        other = object.__new__(PodConstraints)
        for name in self.__slots__:
            setattr(other, name, getattr(self, name))
        other.zone, other.volume_terms, other.volume_sig = vc.zone, vc.terms, sig
        return other


def volume_check(pod: Pod, cluster: Cluster) -> VolumeCheck:
    """The VolumeBinding plugin's view of the pod (controllers/volumebinding.py)."""
    hook = cluster.hooks.get("volume_check")
    return hook(pod) if hook is not None else NO_VOLUMES


class Scheduler(Controller):
    name = "default-scheduler"
    component = "kube-scheduler"
    # pick() finds the window's states through each state's node list when the window holds at
    # least this many nodes per live state (else it visits the window node by node)
    GROUPED_STATES_PER_NODE = 4

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.active: dict[tuple[str, str], Pod] = {}
        self.unschedulable: dict[tuple[str, str], Pod] = {}
        self.failed_generation: dict[tuple[str, str], int] = {}   # pod -> its generation when it failed
        self.next_start = 0
        self.node_order: list[Node] | None = None
        self.zone_count = 0
        self.positions: dict[str, int] = {}
        # what a node's score depends on, interned: nodes in the same state score the same
        self.node_state: list[int] = []                  # per node (in node order): its state id
        self.members: dict[int, list[int]] = {}          # state id -> its nodes' indexes, ascending
        self.state_ids: dict[tuple, int] = {}
        self.states: list[tuple] = []
        self.state_zone: list[str] = []
        self.layer_sets: dict[str, tuple[int, frozenset]] = {}   # node -> (cache size, its layers)
        self.base_scores: dict[tuple, dict[int, int]] = {}    # (cpu, memory, image) -> state -> score
        self.room: dict[tuple, dict[int, bool]] = {}          # (cpu, memory, zone) -> state -> pod fits
        self.static: dict[str, list[str | None]] = {}   # signature -> per node: static failure or None
        self.static_clean: dict[str, bool] = {}           # signature -> no node fails its static filters
        self.volume_static: dict[str, list[str | None]] = {}   # claims' terms -> per node: volume failure or None
        # within one scheduling pass: (signature, cpu, memory, zone) -> indexes of the nodes that fit,
        # in node order; a bind re-checks only the node it filled
        self.fits: dict[tuple, list[int]] = {}
        self.by_template: dict[tuple[str, int], PodConstraints] = {}   # pod.template_key -> constraints
        self.spread: dict[str, dict[str, int]] = {}     # owner uid -> node -> pods bound there
        # the same, by node index and by zone (for the current node order; rebuilt with it)
        self.own_nodes: dict[str, dict[int, int]] = {}
        self.own_zones: dict[str, dict[str, int]] = {}
        self.topology = TopologyIndex(cluster)       # placed pods per (term, topology domain)
        self.pod_topology: dict[tuple[str, int], PodTopology] = {}
        self.domain_nodes: dict[str, dict[str, list[int]]] = {}   # topology key -> value -> node indexes
        self.eligible: dict[tuple, tuple[frozenset[int] | None, frozenset[str]]] = {}
        self.checks_cache: tuple[tuple, list[tuple[str, set[int]]]] | None = None
        self.topology_waiting: dict[tuple[str, str], Pod] = {}   # unschedulable for a topology reason
        self.volume_waiting: dict[tuple[str, str], Pod] = {}     # unschedulable for a volume reason
        self._prefer_taints: bool | None = False    # worked out on first use after a node change
        self.lacking_nodes: dict[str, list[int]] = {}   # topology key -> node indexes without it
        self.store.subscribe("Pod", self._on_pod)
        self.store.subscribe("Node", self._on_node)

    # -- watches ----------------------------------------------------------------------------
    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event == "ADDED":
            if pod.node_name:
                self._track(pod, +1)
                self.cluster.account(pod, pod.node_name, +1)
                self.cluster.kubelet.bound(pod)
                self._placed()
            elif pod.spec.get("schedulerName", "default-scheduler") == "default-scheduler":
                self.active[pod.key] = pod
        elif event == "DELETED":
            self.active.pop(pod.key, None)
            self.unschedulable.pop(pod.key, None)
            self.failed_generation.pop(pod.key, None)
            if pod.node_name:
                self._track(pod, -1)
                self._flush()
        elif event == "MODIFIED" and pod.node_name and pod.phase in ("Succeeded", "Failed"):
            self._flush()
        elif event == "MODIFIED" and pod.key in self.unschedulable \
                and self.failed_generation.get(pod.key) != pod.generation:
            self.active[pod.key] = self.unschedulable.pop(pod.key)    # its spec was edited: try again

    def _on_node(self, event: str, node: Node) -> None:  # type: ignore[override]
        if event in ("ADDED", "DELETED"):
            self.node_order = None          # the node list itself changed: rebuild it lazily
        self.node_changed(node)

    def node_changed(self, node: Node) -> None:
        """A node's labels, taints, cordon or readiness changed: forget the node-static filter
        results and give unschedulable pods another try."""
        self.refresh_node(node)
        self.static.clear()
        self.static_clean.clear()
        self.volume_static.clear()
        self.fits.clear()
        self._forget_topology()
        self._flush()

    @property
    def prefer_taints(self) -> bool:
        """A node has a PreferNoSchedule taint, so pods are scored node by node."""
        if self._prefer_taints is None:
            self._prefer_taints = any(t.get("effect") == "PreferNoSchedule"
                                      for n in self.cluster.nodes() for t in n.taints)
        return self._prefer_taints

    def _forget_topology(self) -> None:
        """Node labels, taints or the node list changed: the domains and eligible nodes are stale."""
        self.domain_nodes.clear()
        self.lacking_nodes.clear()
        self.eligible.clear()
        self.checks_cache = None
        self._prefer_taints = None

    def pending(self) -> list[Pod]:
        """The pods waiting to be scheduled, by name."""
        return sorted([*self.active.values(), *self.unschedulable.values()], key=lambda p: p.name)

    def _placed(self) -> None:
        """A pod was placed: pods an inter-pod rule or a spread constraint kept out try again
        (the AssignedPodAdd event InterPodAffinity and PodTopologySpread register for)."""
        if self.topology_waiting:
            for key, pod in self.topology_waiting.items():
                if self.unschedulable.pop(key, None) is not None:
                    self.active[key] = pod
            self.topology_waiting.clear()

    def volumes_changed(self) -> None:
        """A claim, volume or class changed: pods its volumes kept out try again, and the
        cached volume filters are stale."""
        self.volume_static.clear()
        if self.volume_waiting:
            for key, pod in self.volume_waiting.items():
                if self.unschedulable.pop(key, None) is not None:
                    self.active[key] = pod
            self.volume_waiting.clear()
        for key in [k for k in self.fits if k[5]]:      # only fit lists made for claims' terms are stale
            del self.fits[key]

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
            if self.node_order is not None:
                idx = self.positions.get(pod.node_name)
                if idx is not None:
                    self._count_own(uid, idx, sign)

    def _count_own(self, uid: str, idx: int, n: int) -> None:
        for table, key in ((self.own_nodes, idx), (self.own_zones, self.node_order[idx].zone)):  # type: ignore[index]
            counts = table.setdefault(uid, {})
            counts[key] = counts.get(key, 0) + n
            if counts[key] <= 0:
                del counts[key]
                if not counts:
                    del table[uid]

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
            self.zone_count = len(zones)
            self.positions = {n.name: i for i, n in enumerate(order)}
            self.state_ids, self.states, self.state_zone = {}, [], []
            self.base_scores, self.room = {}, {}
            self.node_state = [self._state(n) for n in order]
            self.members = {}
            for i, sid in enumerate(self.node_state):
                self.members.setdefault(sid, []).append(i)
            self.own_nodes, self.own_zones = {}, {}
            for uid, per_node in self.spread.items():
                for name, n in per_node.items():
                    if name in self.positions:
                        self._count_own(uid, self.positions[name], n)
            self.static.clear()
            self.static_clean.clear()
            self.fits.clear()
            self._forget_topology()
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
        nodes = self._nodes()
        total = len(nodes)
        if total == 0:
            self._fail(pod, "no nodes available to schedule pods", 0, {})
            return None
        want = num_feasible_nodes_to_find(total)
        vc = volume_check(pod, self.cluster)
        if vc.prefilter:
            # a PreFilter rejection: every node is turned away for the same reason
            self.volume_waiting[pod.key] = pod
            self._fail(pod, f"0/{total} nodes are available: {vc.prefilter}. preemption: 0/{total} nodes are "
                            f"available: {total} Preemption is not helpful for scheduling.", total, {})
            return None
        cons = self.constraints(pod, vc)
        fits = self._fitting(pod, cons, nodes)
        topo = self.topology_of(pod)
        checks = self.topology_checks(pod, topo)
        if checks:
            bad = set().union(*(failing for _reason, failing in checks))
            if bad:
                fits = [i for i in fits if i not in bad]
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
        best = self.pick(pod, window, cons, topo, bool(checks) or bool(cons.volume_terms))
        if vc.unbound:
            waiting = self.cluster.volumes.bind_for_pod(pod, best.name)     # PreBind: the claims bind first
            if waiting:
                self.volume_waiting[pod.key] = pod
                self._fail(pod, waiting, total, {})
                return None
        self.bind(pod, best)
        return best

    def constraints(self, pod: Pod, vc: VolumeCheck | None = None) -> PodConstraints:
        """The pod's constraints; pods made from one template (and not edited since) share them."""
        shared = _per_template(self.by_template, pod, lambda: PodConstraints(pod))
        return shared.with_volumes(vc if vc is not None else volume_check(pod, self.cluster))

    def _fitting(self, pod: Pod, cons: PodConstraints, nodes: list[Node]) -> list[int]:
        key = (cons.signature, pod.cpu_request, pod.mem_request, cons.zone, pod.host_ports, cons.volume_sig)
        fits = self.fits.get(key)
        if fits is None or checks.CHECK_CACHES:
            static = self.static.get(cons.signature)
            if static is None:
                static = self.static[cons.signature] = [self.static_filter(pod, n, cons) for n in nodes]
                self.static_clean[cons.signature] = static.count(None) == len(static)
            vol = self._volume_static(cons, nodes)
            fresh = [i for i, n in enumerate(nodes)
                     if static[i] is None and (vol is None or vol[i] is None)
                     and self._room(n, pod.cpu_request, pod.mem_request, cons.zone, pod.host_ports)]
            if fits is not None:
                checks.expect(fits == fresh, f"a stale fit list for {pod.name}")
            fits = self.fits[key] = fresh
        return fits

    def _volume_static(self, cons: PodConstraints, nodes: list[Node]) -> list[str | None] | None:
        """Per node: the volume reason it fails the pod's claims for, or None (cached per claim set)."""
        if not cons.volume_sig:
            return None
        vol = self.volume_static.get(cons.volume_sig)
        if vol is None:
            vol = self.volume_static[cons.volume_sig] = [self._volume_reason(n, cons) for n in nodes]
        return vol

    @staticmethod
    def _volume_reason(node: Node, cons: PodConstraints) -> str | None:
        for reason, terms in cons.volume_terms:
            if not any(match_node_selector_term(t, node.labels, node.name) for t in terms):
                return reason
        return None

    @staticmethod
    def _room(node: Node, cpu: int, mem: int, zone: str, ports: tuple[int, ...] = ()) -> bool:
        return (node.pod_count < node.max_pods and node.cpu_used + cpu <= node.cpu
                and node.mem_used + mem <= node.memory and (not zone or node.zone == zone)
                and not any(p in node.host_ports_used for p in ports))

    def refit(self, node: Node) -> None:
        """A pod was bound to `node` (by the scheduler or with spec.nodeName): drop it from the fit
        lists it no longer fits."""
        idx = self._fit_position(node)
        if idx is None:
            return
        for (_, cpu, mem, zone, ports, _vol), fits in self.fits.items():
            if not self._room(node, cpu, mem, zone, ports):
                pos = bisect.bisect_left(fits, idx)
                if pos < len(fits) and fits[pos] == idx:
                    del fits[pos]

    def _fit_position(self, node: Node) -> int | None:
        """The node's index in the fit lists, None when there are none to keep up to date."""
        if not self.fits or self.node_order is None:
            return None
        return self.positions.get(node.name)

    def room_grew(self, node: Node) -> None:
        """A pod left `node`: put it back in the fit lists it fits again, so they stay exact from one
        cycle to the next instead of being rebuilt over every node (5,000 at Kubernetes' limits)."""
        idx = self._fit_position(node)
        if idx is None:
            return
        for (sig, cpu, mem, zone, ports, vol_sig), fits in self.fits.items():
            static = self.static.get(sig)
            vol = self.volume_static.get(vol_sig) if vol_sig else None
            if static is None or static[idx] is not None or (vol_sig and (vol is None or vol[idx] is not None)):
                continue
            if self._room(node, cpu, mem, zone, ports):
                pos = bisect.bisect_left(fits, idx)
                if pos == len(fits) or fits[pos] != idx:
                    fits.insert(pos, idx)

    def filter(self, pod: Pod, node: Node, cons: PodConstraints) -> list[str]:
        """The reasons a node cannot take the pod; empty when it fits."""
        fail = self.static_filter(pod, node, cons)
        if fail is not None:
            return [fail]
        out = self.resource_filter(pod, node, cons)
        if out:
            return out
        checks = self.topology_checks(pod, self.topology_of(pod))
        if checks:
            self._nodes()
            idx = self.positions.get(node.name)
            for reason, failing in checks:
                if idx in failing:
                    return [reason]
        return []

    # -- PodTopologySpread and InterPodAffinity (topology.py) -----------------------------------
    def topology_of(self, pod: Pod) -> PodTopology | None:
        """The pod's inter-pod terms and spread constraints, or None when it has neither."""
        spec = pod.spec
        aff = spec.get("affinity")
        if not spec.get("topologySpreadConstraints") and not (
                aff and (aff.get("podAffinity") or aff.get("podAntiAffinity"))):
            return None
        return _per_template(self.pod_topology, pod, lambda: PodTopology(pod, self.cluster))

    def topology_checks(self, pod: Pod, topo: PodTopology | None) -> list[tuple[str, set[int]]]:
        """(reason, indexes of the nodes that fail it), in the plugins' order: PodTopologySpread,
        then InterPodAffinity's affinity, anti-affinity and existing pods' anti-affinity."""
        existing = self.topology.existing_anti(pod) if self.topology.anti_terms else []
        if (topo is None or not topo.filters) and not existing:
            return []
        key = (pod.key, pod.generation, self.topology.version)
        if self.checks_cache is not None and self.checks_cache[0] == key:
            return self.checks_cache[1]
        nodes = self._nodes()
        total = len(nodes)
        out: list[tuple[str, set[int]]] = []
        if topo is not None:
            lacking: set[int] = set()
            skewed: set[int] = set()
            for s in topo.hard:
                domains = self._domains(s.term.key)
                lacking |= self._lacking(s.term.key)
                counts, eligible = self._spread_counts(pod, s, topo)
                if len(eligible) < s.min_domains:
                    low = 0
                elif sum(1 for d in counts if d in eligible) < len(eligible):
                    low = 0
                else:
                    low = min(counts[d] for d in eligible)
                for d, n in counts.items():
                    if n + s.self_match - low > s.max_skew:
                        skewed.update(domains.get(d, ()))
            if lacking:
                out.append((topo_mod.SPREAD_LABEL, lacking))
            if skewed - lacking:
                out.append((topo_mod.SPREAD, skewed - lacking))
            if topo.affinity:
                allowed = set(range(total))
                any_match = False
                for t in topo.affinity:
                    counts = self.topology.count(t)
                    any_match = any_match or bool(counts)
                    here: set[int] = set()
                    for d in counts:
                        here.update(self._domains(t.key).get(d, ()))
                    allowed &= here
                if not any_match and topo.self_affinity:
                    allowed = {i for i in range(total) if all(t.key in nodes[i].labels for t in topo.affinity)}
                if len(allowed) < total:
                    out.append((topo_mod.AFFINITY_RULES, set(range(total)) - allowed))
            anti: set[int] = set()
            for t in topo.anti:
                domains = self._domains(t.key)
                for d in self.topology.count(t):
                    anti.update(domains.get(d, ()))
            if anti:
                out.append((topo_mod.ANTI_AFFINITY_RULES, anti))
        blocked: set[int] = set()
        for tkey, forbidden in existing:
            domains = self._domains(tkey)
            for d in forbidden:
                blocked.update(domains.get(d, ()))
        if blocked:
            out.append((topo_mod.EXISTING_ANTI_AFFINITY, blocked))
        self.checks_cache = (key, out)
        return out

    def _lacking(self, key: str) -> set[int]:
        """The node indexes without a label for the key."""
        if key not in self.lacking_nodes:
            having = {i for idxs in self._domains(key).values() for i in idxs}
            self.lacking_nodes[key] = [i for i in range(len(self._nodes())) if i not in having]
        return set(self.lacking_nodes[key])

    def _domains(self, key: str) -> dict[str, list[int]]:
        """The node indexes of each value of a topology key, in node order."""
        domains = self.domain_nodes.get(key)
        if domains is None:
            domains = self.domain_nodes[key] = {}
            for i, n in enumerate(self._nodes()):
                v = n.labels.get(key)
                if v is not None:
                    domains.setdefault(v, []).append(i)
        return domains

    def _spread_counts(self, pod: Pod, s: topo_mod.Spread, topo: PodTopology) -> tuple[dict[str, int], frozenset[str]]:
        """Matching pods per domain over the constraint's eligible nodes, and the eligible domains
        (calPreFilterState: nodes with every key of the constraints, through the inclusion policies)."""
        cons = self.constraints(pod)
        keys = tuple(sorted({c.term.key for c in topo.hard}))
        restrict = s.honor_affinity and bool(cons.node_selector or cons.required_terms)
        ekey = (cons.signature, keys, restrict, s.honor_taints, s.term.key)
        cached = self.eligible.get(ekey)
        if cached is None:
            nodes = self._nodes()
            chosen = []
            for i, n in enumerate(nodes):
                if any(k not in n.labels for k in keys):
                    continue
                if restrict and (any(n.labels.get(k) != v for k, v in cons.node_selector.items()) or (
                        cons.required_terms and not any(match_node_selector_term(t, n.labels, n.name)
                                                        for t in cons.required_terms))):
                    continue
                if s.honor_taints and any(t.get("effect") in ("NoSchedule", "NoExecute")
                                          and not tolerates(cons.tolerations, t) for t in n.taints):
                    continue
                chosen.append(i)
            everyone = len(chosen) == len(nodes) or not (restrict or s.honor_taints)
            cached = self.eligible[ekey] = (None if everyone else frozenset(chosen),
                                            frozenset(nodes[i].labels[s.term.key] for i in chosen))
        only, domains = cached
        if only is None:
            return self.topology.count(s.term), domains
        nodes = self._nodes()
        counts: dict[str, int] = {}
        for name, n in self.topology.count(s.term.on(topo_mod.NODE)).items():
            idx = self.positions.get(name)
            if idx in only:
                d = nodes[idx].labels[s.term.key]
                counts[d] = counts.get(d, 0) + n
        return counts, domains

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
        if cons.volume_terms:
            reason = self._volume_reason(node, cons)
            if reason:
                return [reason]
        if cons.zone and node.zone != cons.zone:
            return [VOLUME_ZONE]
        return []

    def pick(self, pod: Pod, window: list[int], cons: PodConstraints, topo: PodTopology | None = None,
             filtered: bool = False) -> Node:
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
        own = self.own_nodes.get(uid, _NONE) if uid else _NONE        # node -> pods of this owner there
        per_zone = self.own_zones.get(uid, _NONE) if uid else _NONE   # zone -> pods of this owner there
        if topo is not None and topo.user_spread:
            own, per_zone = _NONE, _NONE        # the pod's own constraints replace the system defaults
        if cons.preferred or self.prefer_taints or (topo is not None and (topo.soft or topo.preferred)):
            best = self._best_node_by_node(pod, window, cons, own, per_zone, topo)
            return nodes[best[self._draw(len(best))]]
        return nodes[self._best_by_state(pod, window, cons, own, per_zone, filtered)]

    def _best_by_state(self, pod: Pod, window: list[int], cons: PodConstraints,
                       own: dict[int, int], per_zone: dict[str, int], filtered: bool = False) -> int:
        """One of the top-scoring nodes of the window: each state of the nodes that run none of
        the owner's pods is scored once, the owner's own nodes one by one."""
        ids, zone_of = self.node_state, self.state_zone
        grouped = (not pod.host_ports and not filtered and self.static_clean.get(cons.signature)
                   and len(self.members) * self.GROUPED_STATES_PER_NODE <= len(window))
        if grouped:
            # a node's fit is decided by its state: find the states in the window by bisecting
            # each state's sorted node list, without visiting the window's nodes one by one
            segments = _segments(window, len(self.node_state))
            present = self._states_in(segments, pod.cpu_request, pod.mem_request, cons.zone)
            if len(segments) == 1:
                (a, b), = segments
                own_in_window = [i for i in own if a <= i <= b and ids[i] in present]
            else:      # [0, b] and [a, last]
                b, a = segments[0][1], segments[1][0]
                own_in_window = [i for i in own if (i <= b or i >= a) and ids[i] in present]
            for i in own_in_window:
                present[ids[i]] -= 1
            states = [k for k, n in present.items() if n]
        else:
            # the window's plain nodes reduced to their state ids (itemgetter/map/compress keep
            # the per-node work in C: the window can hold 420 nodes)
            in_window = set(window) if own else ()
            own_in_window = [i for i in own if i in in_window]
            plain = list(filterfalse(own.__contains__, window)) if own_in_window else window
            plain_ids = list(itemgetter(*plain)(ids)) if len(plain) > 1 else [ids[i] for i in plain]
            states = list(dict.fromkeys(plain_ids))
        own_states = [ids[i] for i in own_in_window]
        base = self._base_scores(pod, states, own_states)
        # PodTopologySpread with the system default constraints (hostname maxSkew 3, zone maxSkew 5,
        # ScheduleAnyway) over the owner's pods, as scoring.go scores and normalises them
        wh, wz = math.log(len(window) + 2), math.log(self.zone_count + 2)
        # a plain node's spread score depends only on its zone: worked out once per zone
        state_zones = list(itemgetter(*states)(zone_of)) if len(states) > 1 else [zone_of[k] for k in states]
        zone_raw = {z: round(2 + per_zone.get(z, 0) * wz + 4) for z in dict.fromkeys(state_zones)}
        own_raw = [round(own[i] * wh + 2 + per_zone.get(zone_of[k], 0) * wz + 4)
                   for i, k in zip(own_in_window, own_states)]
        raws = [*zone_raw.values(), *own_raw]
        lo, hi = min(raws), max(raws)
        zone_score = {z: 2 * (100 * (hi + lo - r) // hi) for z, r in zone_raw.items()}
        state_scores = [base[k] + zone_score[z] for k, z in zip(states, state_zones)]
        own_scores = [base[k] + 2 * (100 * (hi + lo - r) // hi) for k, r in zip(own_states, own_raw)]
        top = max(state_scores + own_scores)
        winners = sorted([k for k, sc in zip(states, state_scores) if sc == top])
        own_best = sorted([i for i, sc in zip(own_in_window, own_scores) if sc == top])
        # ties in a fixed order: the winning states by id, each state's nodes ascending, then the
        # owner's own nodes ascending; one uniform draw among them, as selectHost's reservoir gives
        if not grouped:
            wanted = set(winners)
            best = sorted(compress(plain, map(wanted.__contains__, plain_ids)))
            if len(winners) > 1:
                best.sort(key=ids.__getitem__)       # stable: by state, each state's nodes ascending
            n = self._draw(len(best) + len(own_best))
            return best[n] if n < len(best) else own_best[n - len(best)]
        # present[k]: the state's window nodes that run none of the owner's pods
        n = self._draw(sum(present[k] for k in winners) + len(own_best))
        for k in winners:
            if n < present[k]:
                members = self.members[k]
                spans = [(bisect.bisect_left(members, a), bisect.bisect_right(members, b)) for a, b in segments]
                skip = sorted(bisect.bisect_left(members, i) for i in own_in_window if ids[i] == k)
                return _nth_unskipped(members, spans, skip, n)
            n -= present[k]
        return own_best[n]

    def _draw(self, ties: int) -> int:
        """Which of `ties` equally good nodes to take (no random draw for a single one)."""
        return self.cluster.rng.randrange(ties) if ties > 1 else 0

    def _best_node_by_node(self, pod: Pod, window: list[int], cons: PodConstraints,
                           own: dict[int, int], per_zone: dict[str, int],
                           topo: PodTopology | None = None) -> list[int]:
        """The top-scoring nodes of the window, each node scored on its own: when preferred node
        affinity, PreferNoSchedule taints, ScheduleAnyway constraints or preferred pod affinity
        weigh each node's labels. Each plugin's raw scores are normalised over the window as
        upstream's NormalizeScore does, then weighted."""
        nodes, ids = self.node_order or [], self.node_state
        base = self._base_scores(pod, list(dict.fromkeys(ids[i] for i in window)), [])
        total = [base[ids[i]] for i in window]
        # PodTopologySpread: the pod's ScheduleAnyway constraints (scoring.go), else the defaults
        if topo is not None and topo.user_spread:
            spread = self._spread_scores(window, topo)
        else:
            wh, wz = math.log(len(window) + 2), math.log(self.zone_count + 2)
            raw = [round(own.get(i, 0) * wh + 2 + per_zone.get(nodes[i].zone, 0) * wz + 4) for i in window]
            lo, hi = min(raw), max(raw)
            spread = [100 * (hi + lo - r) // hi for r in raw]
        # NodeAffinity: the weights of the preferred terms the node matches, normalised to 100
        affinity = [sum(int(p.get("weight", 1)) for p in cons.preferred
                        if match_node_selector_term(p.get("preference") or {}, nodes[i].labels, nodes[i].name))
                    for i in window] if cons.preferred else [0] * len(window)
        top_affinity = max(affinity)
        # TaintToleration: the PreferNoSchedule taints the pod does not tolerate, fewer is better
        taints = [sum(1 for t in nodes[i].taints if t.get("effect") == "PreferNoSchedule"
                      and not tolerates(cons.tolerations, t)) for i in window] if self.prefer_taints \
            else [0] * len(window)
        top_taints = max(taints)
        # InterPodAffinity: preferred terms' weights times the matching pods in the node's domain
        pods_pref = [0] * len(window)
        if topo is not None and topo.preferred:
            for weight, sign, term in topo.preferred:
                counts = self.topology.count(term)
                for k, i in enumerate(window):
                    d = nodes[i].labels.get(term.key)
                    if d is not None:
                        pods_pref[k] += sign * weight * counts.get(d, 0)
        lo_p, hi_p = min(pods_pref), max(pods_pref)
        scored = []
        for k in range(len(window)):
            score = total[k] + 2 * spread[k]
            if top_affinity:
                score += 2 * (affinity[k] * 100 // top_affinity)
            score += 3 * (100 - taints[k] * 100 // top_taints if top_taints else 100)
            if hi_p > lo_p:
                score += 2 * ((pods_pref[k] - lo_p) * 100 // (hi_p - lo_p))
            scored.append(score)
        top = max(scored)
        return [i for i, sc in zip(window, scored) if sc == top]

    def _spread_scores(self, window: list[int], topo: PodTopology) -> list[int]:
        """podtopologyspread/scoring.go: per node, the sum over ScheduleAnyway constraints of
        matching pods in its domain x log(domains + 2) + (maxSkew - 1); normalised as
        100 x (max + min - score) / max; a node without every key scores 0."""
        nodes = self.node_order or []
        if not topo.soft:
            return [100] * len(window)
        sizes = [len({nodes[j].labels[s.term.key] for j in window if s.term.key in nodes[j].labels})
                 for s in topo.soft]
        counts_of = [self.topology.count(s.term) for s in topo.soft]
        raw: list[float | None] = []
        for i in window:
            labels = nodes[i].labels
            if any(s.term.key not in labels for s in topo.soft):
                raw.append(None)
                continue
            score = 0.0
            for s, counts, size in zip(topo.soft, counts_of, sizes):
                score += counts.get(labels[s.term.key], 0) * topo_mod.normalizing_weight(size) + (s.max_skew - 1)
            raw.append(float(round(score)))
        known = [r for r in raw if r is not None]
        if not known:
            return [0] * len(window)
        lo, hi = min(known), max(known)
        return [0 if r is None else (100 if hi == 0 else int(100 * (hi + lo - r) / hi)) for r in raw]

    def _base_scores(self, pod: Pod, *needed: list[int]) -> dict[int, int]:
        """LeastAllocated + BalancedAllocation + ImageLocality per state, for the pod's shape: fixed
        for a state and a shape, so remembered for the whole run (state ids are never reused)."""
        cpu_req, mem_req = pod.cpu_request, pod.mem_request
        scores = self.base_scores.setdefault((cpu_req, mem_req, pod.image), {})
        missing = set().union(*needed).difference(scores)      # in C: hundreds of states per pod
        if missing:
            image = self.cluster.registry.resolve(pod.image)
            image_layers = image.all_layers() if image is not None else ()
            weight = 100 * min(image.size_mb, 1000) / 1000 / len(image_layers) if image_layers else 0.0
            for k in missing:
                cpu_used, mem_used, cpu, memory, _zone, layers, _pods, _max_pods = self.states[k]
                cpu_frac = (cpu_used + cpu_req) / cpu if cpu else 1.0
                mem_frac = (mem_used + mem_req) / memory if memory else 1.0
                least = ((1 - cpu_frac) + (1 - mem_frac)) * 50
                balanced = (1 - abs(cpu_frac - mem_frac) / 2) * 100
                locality = sum(1 for x in image_layers if x in layers) * weight
                scores[k] = int(least) + int(balanced) + int(locality)
        return scores

    def _states_in(self, segments: list[tuple[int, int]], cpu: int, mem: int, zone: str) -> dict[int, int]:
        """The states with room for the pod, and how many of their nodes lie in the segments."""
        out: dict[int, int] = {}
        room = self.room.get((cpu, mem, zone))
        if room is None:
            room = self.room[(cpu, mem, zone)] = {}
        left, right = bisect.bisect_left, bisect.bisect_right
        for k, members in self.members.items():
            fits = room.get(k)
            if fits is None:
                cpu_used, mem_used, cap_cpu, cap_mem, node_zone, _layers, pods, max_pods = self.states[k]
                fits = room[k] = (pods < max_pods and cpu_used + cpu <= cap_cpu and mem_used + mem <= cap_mem
                                  and (not zone or node_zone == zone))
            if fits:
                n = 0
                for a, b in segments:
                    n += right(members, b) - left(members, a)
                if n:
                    out[k] = n
        return out

    def refresh_node(self, node: Node) -> None:
        """A node's requests or image cache changed: update its scoring state."""
        idx = self.positions.get(node.name)
        if idx is not None and self.node_order is not None and idx < len(self.node_state) \
                and self.node_order[idx] is node:
            old, new = self.node_state[idx], self._state(node)
            if old != new:
                self.node_state[idx] = new
                before = self.members[old]
                del before[bisect.bisect_left(before, idx)]
                if not before:
                    del self.members[old]
                bisect.insort(self.members.setdefault(new, []), idx)
            if len(self.states) > 50_000:        # interned states pile up on a long run: start afresh
                self.node_order = None

    def _state(self, node: Node) -> int:
        """The id of the node's scoring state: requests, capacity, zone and image cache."""
        cached = self.layer_sets.get(node.name)
        if cached is None or cached[0] != len(node.layers):      # a node's image cache only grows
            cached = self.layer_sets[node.name] = (len(node.layers), frozenset(node.layers))
        layers = cached[1]
        key = (node.cpu_used, node.mem_used, node.cpu, node.memory, node.zone, layers, node.pod_count, node.max_pods)
        sid = self.state_ids.get(key)
        if sid is None:
            sid = self.state_ids[key] = len(self.states)
            self.states.append(key)
            self.state_zone.append(node.zone)
        return sid

    def bind(self, pod: Pod, node: Node) -> None:
        self.store.bind(pod, node.name)
        self.failed_generation.pop(pod.key, None)
        pod.scheduled_tick = self.cluster.now
        pod.unschedulable_message = ""
        pod.nominated_node = ""
        self.cluster.account(pod, node.name, +1)      # and drops the node from fit lists it no longer fits
        self._track(pod, +1)
        self.cluster.kubelet.bound(pod)        # before the watch: the kubelet need not queue it again
        self._placed()
        self.store.modified(pod, status_only=True)
        self.cluster.record(pod, "Normal", "Scheduled",
                            f"Successfully assigned {pod.namespace}/{pod.name} to {node.name}", self.name)

    def _fail(self, pod: Pod, plain: str, total: int, reasons: dict[str, int]) -> None:
        msg = plain or failed_scheduling_message(total, reasons)
        if pod.unschedulable_message != msg:
            pod.unschedulable_message = msg
            self.store.modified(pod, status_only=True)
        self.unschedulable[pod.key] = pod
        self.failed_generation[pod.key] = pod.generation
        if any(r in TOPOLOGY_REASONS for r in reasons):
            self.topology_waiting[pod.key] = pod
        if any(r in VOLUME_REASONS for r in reasons):
            self.volume_waiting[pod.key] = pod
        self.cluster.record(pod, "Warning", "FailedScheduling", msg, self.name)


_NONE: dict = {}     # an owner with no pods bound yet (read only)


def _per_template(cache: dict, pod: Pod, make: Callable[[], Any]) -> Any:
    """What `make` works out for a pod, shared by the pods of one template (not edited since)."""
    key = pod.template_key
    if key is None:
        return make()
    value = cache.get(key)
    if value is None:
        if len(cache) > 1024:
            cache.clear()
        value = cache[key] = make()
    return value


def _nth_unskipped(members: list[int], spans: list[tuple[int, int]], skip: list[int], n: int) -> int:
    """The n-th entry of members[a:b] for each (a, b) in spans, not counting the positions in skip."""
    for a, b in spans:
        here = [p for p in skip if a <= p < b]
        if n < b - a - len(here):
            pos = a + n
            for p in here:                 # ascending: each skipped position at or before moves it on
                if p <= pos:
                    pos += 1
            return members[pos]
        n -= b - a - len(here)
    raise IndexError(n)


def _segments(window: list[int], total: int) -> list[tuple[int, int]]:
    """The window (fitting node indexes from a start, wrapping around) as ascending inclusive ranges."""
    first, last = window[0], window[-1]
    if first <= last:
        return [(first, last)]
    return [(0, last), (first, total - 1)]


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

