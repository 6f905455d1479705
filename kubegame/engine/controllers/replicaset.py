"""ReplicaSet controller: keep `replicas` active pods; report ready and available counts.

pkg/controller/replicaset: create what is missing (SuccessfulCreate), delete the
surplus in the order of controller.ActivePodsWithRanks with LogarithmicScaleDown, ranked
by the pods of all the Deployment's ReplicaSets on each node (SuccessfulDelete).
"""

from __future__ import annotations

import functools
import math

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, Pod

BURST_REPLICAS = 500      # pods one sync creates at most (pkg/controller/replicaset: burstReplicas)
RETRY_TICKS = 10          # a create refused by the cluster's cap on waiting pods is tried again after this


def pod_available(pod: Pod, min_ready: int, now: int) -> bool:
    return pod.ready and pod.deletion_tick is None and (
        min_ready == 0 or (pod.ready_tick is not None and now - pod.ready_tick >= min_ready))


def _log_rank(t: int | None, now: int) -> int:
    """logarithmicRankDiff's bucket: int(log2(age in nanoseconds)), -1 for no age."""
    if t is None:
        return -1
    d = (now - t) * 1_000_000_000
    return int(math.log2(d)) if d > 0 else -1


def _restarts(pod: Pod) -> int:
    return max((c.restart_count for c in pod.containers), default=0)


def deleted_first(a: Pod, b: Pod, colocated: dict[str, int], now: int) -> bool:
    """controller.ActivePodsWithRanks.Less with LogarithmicScaleDown (GA since v1.31;
    pkg/controller/controller_utils.go): True when `a` should go before `b`."""
    if bool(a.node_name) != bool(b.node_name):
        return not a.node_name                                   # 1. unassigned first
    pa, pb = PHASE_RANK.get(a.phase, 0), PHASE_RANK.get(b.phase, 0)
    if pa != pb:
        return pa < pb                                           # 2. Pending < Unknown < Running
    if a.ready != b.ready:
        return not a.ready                                       # 3. not ready first
    ca, cb = _deletion_cost(a), _deletion_cost(b)
    if ca != cb:
        return ca < cb                                           # 4. lower pod-deletion-cost first
    ra, rb = colocated.get(a.node_name, 0), colocated.get(b.node_name, 0)
    if ra != rb:
        return ra > rb                                           # 5. doubled up with related pods first
    if a.ready and b.ready and a.ready_tick != b.ready_tick:     # 6. ready for less time first
        if a.ready_tick is None or b.ready_tick is None:
            return a.ready_tick is None
        diff = _log_rank(a.ready_tick, now) - _log_rank(b.ready_tick, now)
        if diff == 0:
            return a.uid < b.uid
        return diff < 0
    xa, xb = _restarts(a), _restarts(b)
    if xa != xb:
        return xa > xb                                           # 7. more restarts first
    if a.creation_tick != b.creation_tick:                       # 8. newer first, by log2 bucket
        diff = _log_rank(a.creation_tick, now) - _log_rank(b.creation_tick, now)
        if diff == 0:
            return a.uid < b.uid
        return diff < 0
    return False


PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


def _deletion_cost(pod: Pod) -> int:
    try:
        return int((pod.annotations or {}).get("controller.kubernetes.io/pod-deletion-cost", 0) or 0)
    except ValueError:
        return 0


def rank_for_deletion(pods: list[Pod], colocated: dict[str, int], now: int) -> list[Pod]:
    """The pods in the order the ReplicaSet controller deletes them (sort.Sort over Less; the
    pod name breaks the ties Less leaves, so that the order is the same in every process)."""
    def cmp(a: Pod, b: Pod) -> int:
        if deleted_first(a, b, colocated, now):
            return -1
        if deleted_first(b, a, colocated, now):
            return 1
        return (a.name > b.name) - (a.name < b.name)
    return sorted(pods, key=functools.cmp_to_key(cmp))


class ReplicaSetController(Controller):
    name = "replicaset-controller"

    def _related_per_node(self, rs: KObject, active: list[Pod]) -> dict[str, int]:
        """getPodsRankedByRelatedPodsOnSameNode: per node, the active pods of this ReplicaSet and
        of the other ReplicaSets of its Deployment (getIndirectlyRelatedPods)."""
        pods = list(active)
        owner = rs.owner_uid()
        if owner:
            for sibling in self.store.owned_by(owner):
                if sibling.kind == "ReplicaSet" and sibling is not rs:
                    pods += [p for p in self.store.owned_by(sibling.uid)
                             if isinstance(p, Pod) and p.active]
        per_node: dict[str, int] = {}
        for p in pods:
            if p.node_name:
                per_node[p.node_name] = per_node.get(p.node_name, 0) + 1
        return per_node

    def __init__(self, cluster):
        super().__init__(cluster)
        self.wakeups: dict[int, dict[tuple[str, str], bool]] = {}
        self.store.subscribe("ReplicaSet", self._on_rs)
        self.store.subscribe("Pod", self._on_pod, controller_kind="ReplicaSet")

    def _on_rs(self, event: str, rs: KObject) -> None:
        if event != "DELETED":
            self.enqueue(rs.key)

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        self.enqueue((pod.namespace, pod.controller_ref()["name"]))   # type: ignore[index]

    def sync(self) -> None:
        now = self.cluster.now
        for key in self.due(self.wakeups, now):
            self.enqueue(key)
        for key in self.take():
            rs = self.store.get("ReplicaSet", *key)
            if rs is None:
                continue
            try:
                self.reconcile(rs)
            except ApiError:
                self.enqueue(key)     # no quorum: retry next tick

    def owned_pods(self, rs: KObject) -> list[Pod]:
        return [p for p in self.store.owned_by(rs.uid) if isinstance(p, Pod)]

    def reconcile(self, rs: KObject) -> None:
        now = self.cluster.now
        pods = self.owned_pods(rs)
        active = [p for p in pods if p.active]
        want = int(rs.spec.get("replicas", 1))
        if rs.deletion_tick is None:
            diff = len(active) - want
            if diff < 0:
                for _ in range(min(-diff, BURST_REPLICAS)):
                    try:
                        pod = self.create_pod(rs)
                    except ApiError as exc:
                        if exc.reason not in ("TooManyRequests", "Forbidden"):
                            raise
                        # admission refused it (a quota, a LimitRange, a missing ServiceAccount) or the
                        # cluster's cap on waiting pods (ClusterConfig.max_pending_pods): try again soon
                        self.cluster.record(rs, "Warning", "FailedCreate", f"Error creating: {exc.message}", self.name)
                        self.wakeups.setdefault(now + RETRY_TICKS, {})[rs.key] = True
                        break
                    active.append(pod)
            elif diff > 0:
                colocated = self._related_per_node(rs, active)
                victims = rank_for_deletion(active, colocated, now)[:diff]
                for pod in victims:
                    self.cluster.delete_pod(pod)
                    self.cluster.record(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {pod.name}", self.name)
                active = [p for p in active if p not in victims]
        self.update_status(rs, active)

    def create_pod(self, rs: KObject) -> Pod:
        pod = self.cluster.create_pod_from_template(rs, rs.spec.get("template") or {})
        self.cluster.record(rs, "Normal", "SuccessfulCreate", f"Created pod: {pod.name}", self.name)
        return pod

    def update_status(self, rs: KObject, active: list[Pod]) -> None:
        now = self.cluster.now
        min_ready = int(rs.spec.get("minReadySeconds", 0) or 0)
        sel_labels = ((rs.spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        ready = sum(1 for p in active if p.ready)
        available = 0
        for p in active:
            if pod_available(p, min_ready, now):
                available += 1
            elif p.ready and min_ready and p.ready_tick is not None:
                self.wakeups.setdefault(p.ready_tick + min_ready, {})[rs.key] = True
        status = {"availableReplicas": available,
                  "fullyLabeledReplicas": sum(1 for p in active if all(p.labels.get(k) == v for k, v in sel_labels.items())),
                  "observedGeneration": rs.generation,
                  "readyReplicas": ready,
                  "replicas": len(active)}
        status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
        if status != rs.status:
            rs.status = status
            self.store.modified(rs, status_only=True)
