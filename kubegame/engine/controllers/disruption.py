"""PodDisruptionBudgets (policy/v1): the disruption controller and the eviction API.

The controller follows pkg/controller/disruption/disruption.go:
- minAvailable as a number: desiredHealthy = minAvailable, expectedPods = the pods selected.
- minAvailable as a percent or maxUnavailable: expectedPods = the scale of the pods'
  controllers (a ReplicaSet owned by a Deployment counts as the Deployment), and
  desiredHealthy = ceil(minAvailable% of it), or expected - maxUnavailable (rounded up).
- currentHealthy = selected pods that are Ready and not being deleted;
  disruptionsAllowed = max(0, currentHealthy - desiredHealthy); condition DisruptionAllowed.

`evict()` is the pods/eviction subresource (pkg/registry/core/pod/storage/eviction.go):
- a pod that is Pending, Succeeded, Failed or already terminating is deleted without a
  budget check; more than one matching budget is a 500 error;
- a budget whose status is older than its spec (observedGeneration) or that allows no
  disruption refuses with 429 `Cannot evict pod as it would violate the pod's disruption
  budget.`; otherwise disruptionsAllowed is decremented in the same write and the pod is
  deleted gracefully;
- unhealthyPodEvictionPolicy IfHealthyBudget (the default): a not-Ready pod may go when
  the budget is healthy (currentHealthy >= desiredHealthy > 0); AlwaysAllow lets it go always.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, Pod, timestamp
from kubegame.engine.store import SelectorIndex

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."


def pdbs_for(cluster: Cluster, pod: Pod) -> list[KObject]:
    """The PodDisruptionBudgets whose selector matches a pod (GetPodPodDisruptionBudgets), by name."""
    if not cluster.store.any("PodDisruptionBudget"):
        return []
    get = cluster.store.get
    return [get("PodDisruptionBudget", *key)  # type: ignore[misc]
            for key in cluster.disruption.budgets.matching(pod.namespace, pod.labels)]


def _pod_ready(pod: Pod) -> bool:
    return pod.ready and pod.phase == "Running"


def evict(cluster: Cluster, pod: Pod, grace: int | None = None) -> None:
    """POST pods/<name>/eviction: delete the pod unless that would break its disruption budget.

    `grace` is the Eviction's deleteOptions.gracePeriodSeconds (None: the pod's own).
    """
    cluster.store.check_writable()
    if cluster.store.get("Pod", pod.namespace, pod.name) is not pod:
        raise ApiError("NotFound", f'pods "{pod.name}" not found', 404)
    if pod.deletion_tick is not None or pod.phase in ("Pending", "Succeeded", "Failed"):
        cluster.delete_pod(pod, grace)
        return
    budgets = pdbs_for(cluster, pod)
    if len(budgets) > 1:
        raise ApiError("InternalError",
                       "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
                       500)
    if budgets:
        pdb = budgets[0]
        st = pdb.status
        if not _pod_ready(pod):
            policy = pdb.spec.get("unhealthyPodEvictionPolicy", "IfHealthyBudget")
            desired = int(st.get("desiredHealthy", 0) or 0)
            if policy == "AlwaysAllow" or (int(st.get("currentHealthy", 0) or 0) >= desired > 0):
                cluster.delete_pod(pod, grace)
                return
        if int(st.get("observedGeneration", 0) or 0) < pdb.generation:
            raise ApiError("TooManyRequests", VIOLATION, 429)
        allowed = int(st.get("disruptionsAllowed", 0) or 0)
        if allowed < 0:
            raise ApiError("Forbidden", "pdb disruptions allowed is negative", 403)
        if allowed == 0:
            raise ApiError("TooManyRequests", VIOLATION, 429)
        st["disruptionsAllowed"] = allowed - 1
        st.setdefault("disruptedPods", {})[pod.name] = timestamp(cluster.now)
        if allowed - 1 == 0:
            st["conditions"] = [_condition(cluster, False, pdb)]
        cluster.write_status(pdb)
    cluster.delete_pod(pod, grace)


def _condition(cluster: Cluster, allowed: bool, pdb: KObject) -> dict:
    prev = next((c for c in pdb.status.get("conditions") or [] if c.get("type") == "DisruptionAllowed"), None)
    status = "True" if allowed else "False"
    since = prev.get("lastTransitionTime") if prev and prev.get("status") == status else timestamp(cluster.now)
    return {"lastTransitionTime": since, "message": "", "observedGeneration": pdb.generation,
            "reason": "SufficientPods" if allowed else "InsufficientPods", "status": status,
            "type": "DisruptionAllowed"}


def go_label_selector(sel: dict | None) -> str:
    """A *metav1.LabelSelector as Go's %v prints it (its generated String method)."""
    if sel is None:
        return "nil"
    labels = ",".join(f"{k}: {v}" for k, v in sorted((sel.get("matchLabels") or {}).items()))
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key')},Operator:{e.get('operator')},"
        f"Values:[{' '.join(e.get('values') or [])}],}},"
        for e in sel.get("matchExpressions") or [])
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{labels + ',' if labels else ''}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}")


def _scaled(value: object, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        x = total * int(value[:-1]) / 100
        return math.ceil(x) if round_up else math.floor(x)
    return int(value)  # type: ignore[arg-type]


class DisruptionController(Controller):
    name = "controllermanager"      # the disruption controller's event source

    def __init__(self, cluster):
        super().__init__(cluster)
        self.budgets = SelectorIndex()        # the budgets by their selectors, for a pod's events
        self.store.subscribe("PodDisruptionBudget", self._on_pdb)
        self.store.subscribe("Pod", self._on_pod)
        for kind in ("Deployment", "ReplicaSet", "StatefulSet"):
            self.store.subscribe(kind, self._on_workload)

    def _on_pdb(self, event: str, pdb: KObject) -> None:
        if event == "DELETED":
            self.budgets.drop(pdb.key)
            return
        self.budgets.put(pdb.key, pdb.spec.get("selector") or {})
        self.enqueue(pdb.key)

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if not self.budgets.selectors:
            return
        for key in self.budgets.matching(pod.namespace, pod.labels):
            self.enqueue(key)

    def _on_workload(self, event: str, obj: KObject) -> None:
        if not self.store.any("PodDisruptionBudget"):
            return
        for pdb in self.store.list("PodDisruptionBudget", obj.namespace):
            self.enqueue(pdb.key)

    def sync(self) -> None:
        for key in self.take():
            pdb = self.store.get("PodDisruptionBudget", *key)
            if pdb is None:
                continue
            try:
                self.reconcile(pdb)
            except ApiError:
                self.enqueue(key)

    def expected_scale(self, pods: list[Pod]) -> tuple[int, str, list[str]]:
        """getExpectedScale: the summed scale of the pods' controllers, an error text when a pod's
        controller cannot be found, and the pods with no controller at all (left out of the count)."""
        seen: dict[str, int] = {}
        unmanaged: list[str] = []
        for pod in pods:
            ref = pod.controller_ref()
            if ref is None:
                unmanaged.append(pod.name)
                continue
            owner = self.store.get(ref.get("kind", ""), pod.namespace, ref.get("name", ""))
            if owner is None or owner.kind not in ("ReplicaSet", "StatefulSet", "ReplicationController",
                                                   "Deployment", "Job", "DaemonSet"):
                return 0, f'found no controllers for pod "{pod.name}"', unmanaged
            if owner.kind == "ReplicaSet":
                dref = owner.controller_ref()
                if dref and dref.get("kind") == "Deployment":
                    dep = self.store.get("Deployment", pod.namespace, dref.get("name", ""))
                    if dep is not None:
                        owner = dep
            if owner.kind == "Job":
                scale = int(owner.spec.get("parallelism", 1))
            elif owner.kind == "DaemonSet":
                scale = int(owner.status.get("desiredNumberScheduled", 0))
            else:
                scale = int(owner.spec.get("replicas", 1))
            seen[owner.uid] = scale
        return sum(seen.values()), "", unmanaged

    def reconcile(self, pdb: KObject) -> None:
        pods = self.store.pods_selected(pdb.namespace, pdb.spec.get("selector") or {})
        healthy = sum(1 for p in pods if p.deletion_tick is None and _pod_ready(p))
        spec = pdb.spec
        error = ""
        unmanaged: list[str] = []
        if spec.get("maxUnavailable") is not None:
            expected, error, unmanaged = self.expected_scale(pods)
            desired = max(0, expected - _scaled(spec["maxUnavailable"], expected, True))
        elif isinstance(spec.get("minAvailable"), str) and str(spec["minAvailable"]).endswith("%"):
            expected, error, unmanaged = self.expected_scale(pods)
            desired = _scaled(spec["minAvailable"], expected, True)
        else:
            expected = len(pods)
            desired = int(spec.get("minAvailable") or 0)
        if error:
            # trySync's error: the event, then failSafe (0 allowed, DisruptionAllowed False SyncFailed)
            message = f"Failed to calculate the number of expected pods: {error}"
            self.cluster.record(pdb, "Warning", "CalculateExpectedPodCountFailed", message, self.name)
            st = dict(pdb.status)
            cond = _condition(self.cluster, False, pdb)
            cond["reason"], cond["message"] = "SyncFailed", error
            st.update({"disruptionsAllowed": 0, "observedGeneration": pdb.generation, "conditions": [cond]})
            if st != pdb.status:
                pdb.status = st
                self.store.modified(pdb, status_only=True)
            return
        if unmanaged:
            self.cluster.record(pdb, "Warning", "UnmanagedPods", (
                f"Pods selected by this PodDisruptionBudget (selector: {go_label_selector(spec.get('selector'))}) "
                "were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, "
                "which may result in undefined behavior. To account for these pods please set "
                '".spec.minAvailable" field of the PDB to an integer value.'), self.name)
        allowed = max(0, healthy - desired)
        disrupted = {name: t for name, t in (pdb.status.get("disruptedPods") or {}).items()
                     if any(p.name == name and p.deletion_tick is None for p in pods)}
        st = {"currentHealthy": healthy, "desiredHealthy": desired, "disruptionsAllowed": allowed,
              "expectedPods": expected, "observedGeneration": pdb.generation,
              "conditions": [_condition(self.cluster, allowed > 0, pdb)]}
        if disrupted:
            st["disruptedPods"] = disrupted
        if st != pdb.status:
            pdb.status = st
            self.store.modified(pdb, status_only=True)
