"""Pod priority and preemption.

Priority admission (plugin/pkg/admission/priority): a pod's `priorityClassName` resolves
to `spec.priority` (and the class's preemptionPolicy) when the pod is created; without a
name the globalDefault class applies, else priority 0. The built-in classes
system-cluster-critical (2000000000) and system-node-critical (2000001000) always exist.
An unknown class is refused: `pods "x" is forbidden: no PriorityClass with name foo was found`.

Preemption (pkg/scheduler/framework/plugins/defaultpreemption, framework/preemption):
when no node fits, for each node where removing pods could help, remove every pod of lower
priority, check the pod fits, then reprieve victims from the highest priority down while
it still fits (pods whose eviction would break a PodDisruptionBudget are reprieved first).
The node chosen has (in order) the fewest budget violations, the lowest highest-victim
priority, the smallest sum of victim priorities, the fewest victims. The victims are
deleted gracefully (event Preempted `Preempted by pod <uid> on node <node>`), the pod
gets status.nominatedNodeName and waits; while lower-priority pods on its nominated node
are still terminating it does not preempt again (PodEligibleToPreemptOthers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubegame.engine.controllers.base import Controller
from kubegame.engine.controllers.disruption import pdbs_for
from kubegame.engine.controllers.scheduler import PodConstraints, failed_scheduling_message
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, Node, Pod

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

BUILTIN_CLASSES = {"system-cluster-critical": 2000000000, "system-node-critical": 2000001000}


def resolve(cluster: Cluster, spec: dict) -> tuple[int, str] | None:
    """(priority, preemptionPolicy) for a pod spec; None when its class does not exist."""
    name = spec.get("priorityClassName")
    if name:
        if name in BUILTIN_CLASSES:
            return BUILTIN_CLASSES[name], "PreemptLowerPriority"
        pc = cluster.store.get("PriorityClass", "", name)
        if pc is None:
            return None
        return int(pc.extra.get("value", 0)), str(pc.extra.get("preemptionPolicy", "PreemptLowerPriority"))
    for pc in cluster.store.list("PriorityClass") if cluster.store.any("PriorityClass") else ():
        if pc.extra.get("globalDefault"):
            return int(pc.extra.get("value", 0)), str(pc.extra.get("preemptionPolicy", "PreemptLowerPriority"))
    return int(spec.get("priority") or 0), str(spec.get("preemptionPolicy", "PreemptLowerPriority"))


def admit_pod(cluster: Cluster, name: str, spec: dict) -> None:
    """The Priority admission plugin's refusal (call before storing a Pod); fills spec.priority."""
    got = resolve(cluster, spec)
    if got is None:
        raise ApiError("Forbidden", f'pods "{name}" is forbidden: no PriorityClass with name '
                                    f'{spec.get("priorityClassName")} was found', 403)
    spec["priority"], spec["preemptionPolicy"] = got


class PriorityController(Controller):
    """Offers the scheduler its preemption hook (priorities are resolved at admission: admit_pod)."""

    name = "default-scheduler"

    def sync(self) -> None:
        """Nothing per tick: work happens on pod creation and in the scheduler's PostFilter."""

    # -- preemption (the scheduler's PostFilter) ---------------------------------------------
    def preempt(self, pod: Pod, reasons: dict[str, int]) -> bool:
        """Try to make room for `pod`; True when the pod now waits for victims to go."""
        cluster = self.cluster
        if pod.spec.get("preemptionPolicy") == "Never":
            return False
        total = len(cluster.nodes())
        if pod.nominated_node:
            node = cluster.node(pod.nominated_node)
            if node is not None and any(p.deletion_tick is not None and p.priority < pod.priority
                                        for p in cluster.store.pods_on(node.name).values()):
                self._wait(pod, total, reasons)
                return True
        best: tuple[tuple, Node, list[Pod]] | None = None
        cons = PodConstraints(pod, cluster)
        for node in cluster.nodes():
            found = self.victims_on(pod, node, cons)
            if found is None:
                continue
            victims, violations = found
            prios = [v.priority for v in victims]
            rank = (violations, max(prios), sum(prios), len(victims), node.name)
            if best is None or rank < best[0]:
                best = (rank, node, victims)
        if best is None:
            return False
        _, node, victims = best
        for v in victims:
            cluster.record(v, "Normal", "Preempted", f"Preempted by pod {pod.uid} on node {node.name}",
                           "default-scheduler")
            cluster.delete_pod(v)
        pod.nominated_node = node.name
        cluster.store.modified(pod, status_only=True)
        self._wait(pod, total, reasons)
        return True

    def _wait(self, pod: Pod, total: int, reasons: dict[str, int]) -> None:
        msg = failed_scheduling_message(total, reasons).split(" preemption:")[0]
        self.cluster.scheduler._fail(pod, msg, total, reasons)

    def victims_on(self, pod: Pod, node: Node, cons: PodConstraints) -> tuple[list[Pod], int] | None:
        """selectVictimsOnNode: the fewest lower-priority pods whose removal lets `pod` fit."""
        cluster = self.cluster
        scheduler = cluster.scheduler
        lower = [p for p in cluster.store.pods_on(node.name).values()
                 if p.priority < pod.priority and p.deletion_tick is None and p.phase not in ("Succeeded", "Failed")]
        if not lower:
            return None
        for p in lower:
            cluster.account(p, node.name, -1)
        removed = list(lower)
        try:
            if scheduler.filter(pod, node, cons):
                return None
            # reprieve: budget-violating pods first, then by priority, highest first
            budgets: dict[str, int] = {}
            violating: list[Pod] = []
            ok: list[Pod] = []
            for p in sorted(lower, key=lambda p: (-p.priority, p.creation_tick, p.name)):
                breaks = False
                for b in pdbs_for(cluster, p):
                    left = budgets.get(b.uid, int(b.status.get("disruptionsAllowed", 0) or 0)) - 1
                    budgets[b.uid] = left
                    if left < 0:
                        breaks = True
                (violating if breaks else ok).append(p)
            victims: list[Pod] = []
            violations = 0
            for group, is_violating in ((violating, True), (ok, False)):
                for p in group:
                    cluster.account(p, node.name, +1)
                    if scheduler.filter(pod, node, cons):
                        cluster.account(p, node.name, -1)
                        victims.append(p)
                        if is_violating:
                            violations += 1
                    else:
                        removed.remove(p)
            return victims, violations
        finally:
            for p in removed:
                cluster.account(p, node.name, +1)


def priority_class_value(pc: KObject) -> int:
    return int(pc.extra.get("value", 0))
