"""ReplicaSet controller: keep `replicas` active pods; report ready and available counts.

pkg/controller/replicaset: create what is missing (SuccessfulCreate), delete the
surplus in the order of controller.ActivePodsWithRanks (SuccessfulDelete).
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, Pod

BURST_REPLICAS = 500      # pods one sync creates at most (pkg/controller/replicaset: burstReplicas)
RETRY_TICKS = 10          # a create refused by the cluster's cap on waiting pods is tried again after this


def pod_available(pod: Pod, min_ready: int, now: int) -> bool:
    return pod.ready and pod.deletion_tick is None and (
        min_ready == 0 or (pod.ready_tick is not None and now - pod.ready_tick >= min_ready))


def deletion_rank(pod: Pod, colocated: dict[str, int], now: int) -> tuple:
    """Smaller sorts first = deleted first (controller.ActivePodsWithRanks.Less)."""
    phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(pod.phase, 0)
    ready_for = (now - pod.ready_tick) if (pod.ready and pod.ready_tick is not None) else 0
    cost = int((pod.annotations or {}).get("controller.kubernetes.io/pod-deletion-cost", 0) or 0)
    return (
        1 if pod.node_name else 0,              # unscheduled first
        phase_rank,                              # pending < unknown < running
        1 if pod.ready else 0,                   # not ready first
        cost,                                    # lower deletion cost first
        -colocated.get(pod.node_name, 0),        # more pods of the set on the same node first
        ready_for,                               # ready for less time first
        -pod.restart_count,                      # more restarts first
        -pod.creation_tick,                      # newer first
        pod.name,
    )


class ReplicaSetController(Controller):
    name = "replicaset-controller"

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
                        if exc.reason != "TooManyRequests":
                            raise
                        # the cluster's cap on waiting pods (ClusterConfig.max_pending_pods): try again soon
                        self.cluster.record(rs, "Warning", "FailedCreate", f"Error creating: {exc.message}", self.name)
                        self.wakeups.setdefault(now + RETRY_TICKS, {})[rs.key] = True
                        break
                    active.append(pod)
            elif diff > 0:
                colocated: dict[str, int] = {}
                for p in active:
                    if p.node_name:
                        colocated[p.node_name] = colocated.get(p.node_name, 0) + 1
                victims = sorted(active, key=lambda p: deletion_rank(p, colocated, now))[:diff]
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
