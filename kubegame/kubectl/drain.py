"""Evictions that honour PodDisruptionBudgets, and drains that retry refused evictions.

The Eviction API (pkg/registry/core/pod/storage/eviction.go) refuses to evict a pod when
a PodDisruptionBudget selecting it has no disruptions allowed:
  `Cannot evict pod as it would violate the pod's disruption budget.`
kubectl drain (k8s.io/kubectl/pkg/drain) then retries every 5 seconds. Here a refused
drain becomes a DrainJob the game steps once per tick (`step_drains(cluster)`).
TODO(engine): the eviction check belongs in the engine (an `evict(pod)` API).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.kubectl.util import label_selector_matches

RETRY_TICKS = 5


def _scaled(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        pct = int(value[:-1])
        x = pct * total / 100
        return math.ceil(x) if round_up else math.floor(x)
    return int(value)


def expected_pods(cluster: Any, pdb: Any, pods: list[Any]) -> int:
    """The controller's scale for the selected pods (disruption controller getExpectedPodCount)."""
    owners: dict[str, int] = {}
    for p in pods:
        ref = p.controller_ref()
        if ref is None:
            continue
        if ref.get("uid") in owners:
            continue
        kind = ref.get("kind")
        obj = cluster.get(kind, p.namespace, ref.get("name")) if kind else None
        if obj is not None and kind == "ReplicaSet":
            dref = obj.controller_ref()
            dep = cluster.get("Deployment", p.namespace, dref.get("name")) if dref else None
            owners[ref["uid"]] = int((dep or obj).spec.get("replicas", 1))
        elif obj is not None:
            owners[ref["uid"]] = int(obj.spec.get("replicas", 1))
    return sum(owners.values()) if owners else len(pods)


def disruptions_allowed(cluster: Any, pdb: Any) -> int:
    """status.disruptionsAllowed of a PDB: currentHealthy - desiredHealthy (at least 0)."""
    pods = [p for p in cluster.pods(pdb.namespace)
            if label_selector_matches(pdb.spec.get("selector") or {}, p.labels) and p.deletion_tick is None]
    healthy = sum(1 for p in pods if p.ready)
    spec = pdb.spec
    if "minAvailable" in spec:
        expected = expected_pods(cluster, pdb, pods) if isinstance(spec["minAvailable"], str) else len(pods)
        desired = _scaled(spec["minAvailable"], expected, True)
    elif "maxUnavailable" in spec:
        expected = expected_pods(cluster, pdb, pods)
        desired = max(0, expected - _scaled(spec["maxUnavailable"], expected, True))
    else:
        desired = 0
    return max(0, healthy - desired)


def evict(cluster: Any, pod: Any, grace: int | None = None) -> None:
    """POST pods/eviction: refuse (429 TooManyRequests) when a PDB would be violated."""
    evictor = getattr(cluster, "evict", None)
    if callable(evictor):          # the engine's Eviction API (controllers/disruption.py)
        evictor(pod)
        if grace is not None:
            cluster.delete_pod(pod, grace)
        return
    if pod.deletion_tick is None:
        pdbs = [b for b in cluster.list("PodDisruptionBudget", pod.namespace)
                if label_selector_matches(b.spec.get("selector") or {}, pod.labels)]
        if len(pdbs) > 1:
            raise ApiError("InternalError", "This pod has more than one PodDisruptionBudget, which the eviction "
                           "subresource does not support.", 500)
        if pdbs and pod.ready and disruptions_allowed(cluster, pdbs[0]) <= 0:
            raise ApiError("TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                           429)
    cluster.delete_pod(pod, grace)


@dataclass
class DrainJob:
    """A drain waiting on refused evictions; `step()` once per tick retries every 5 ticks."""

    node: str
    pods: list[tuple[str, str]]          # (namespace, name) still to evict
    grace: int | None = None
    next_try: int = 0
    output: list[str] = field(default_factory=list)
    done: bool = False

    def step(self, cluster: Any) -> list[str]:
        """Retry due evictions; returns the lines kubectl would print this tick."""
        if self.done or cluster.now < self.next_try:
            return []
        lines: list[str] = []
        remaining = []
        for ns, name in self.pods:
            pod = cluster.get("Pod", ns, name)
            if pod is None or pod.deletion_tick is not None:
                if pod is None:
                    lines.append(f"pod/{name} evicted")
                continue
            try:
                evict(cluster, pod, self.grace)
                lines.append(f"evicting pod {ns}/{name}")
            except ApiError as exc:
                if exc.code == 429:
                    lines.append(f"error when evicting pods/\"{name}\" -n \"{ns}\" (will retry after 5s): "
                                 f"{exc.message}")
                    remaining.append((ns, name))
                else:
                    lines.append(f"error when evicting pods/\"{name}\" -n \"{ns}\": {exc.message}")
        self.pods = remaining
        self.next_try = cluster.now + RETRY_TICKS
        if not remaining:
            self.done = True
            lines.append(f"node/{self.node} drained")
        self.output.extend(lines)
        return lines


def _jobs(cluster: Any) -> list[DrainJob]:
    jobs = getattr(cluster, "_kubectl_drains", None)
    if jobs is None:
        jobs = []
        try:
            cluster._kubectl_drains = jobs
        except AttributeError:
            pass
    return jobs


def pending_drains(cluster: Any) -> list[DrainJob]:
    """Drains still retrying refused evictions."""
    return [j for j in _jobs(cluster) if not j.done]


def add_drain(cluster: Any, job: DrainJob) -> None:
    jobs = _jobs(cluster)
    jobs[:] = [j for j in jobs if not j.done and j.node != job.node]
    jobs.append(job)


def step_drains(cluster: Any) -> list[str]:
    """Call once per tick: retries due evictions of every pending drain; returns kubectl's lines."""
    out: list[str] = []
    for j in pending_drains(cluster):
        out.extend(j.step(cluster))
    return out
