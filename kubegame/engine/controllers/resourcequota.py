"""ResourceQuota: the quota controller's usage counts and the ResourceQuota admission plugin.

pkg/controller/resourcequota and pkg/quota/v1/evaluator/core, plugin/pkg/admission/resourcequota:

- usage per namespace: `pods` / `count/pods` and the compute resources (`requests.cpu` or `cpu`,
  `requests.memory` or `memory`, `limits.cpu`, `limits.memory`, any `requests.X`/`limits.X`) of
  the pods that are not Succeeded or Failed; `services`, `services.nodeports`,
  `services.loadbalancers`, `configmaps`, `secrets`, `persistentvolumeclaims`,
  `requests.storage`, `resourcequotas`, and `count/<resource>.<group>` of any kind;
- admission: a create that would take a namespace over a quota's `hard` is refused:
  `exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=1800m, limited:
  requests.cpu=2`; a pod without a request or limit that a quota tracks is refused:
  `failed quota: compute: must specify limits.cpu for: app` (both Forbidden);
- status: `hard` and `used`, written when the usage changes.

Usage is kept per object as it changes (each pod's contribution, added and taken away), only in
namespaces that have a quota: no listing of every pod on a tick.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND
from kubegame.engine.objects import KObject, Pod
from kubegame.engine.quantity import QuantityError, cpu_millis, format_cpu, format_memory, memory_bytes

COMPUTE = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "cpu", "memory")


def _amount(resource: str, value: Any) -> int:
    try:
        return cpu_millis(value) if resource.endswith("cpu") else memory_bytes(value)
    except (QuantityError, TypeError, ValueError):
        return 0


def is_cpu(resource: str) -> bool:
    return resource.endswith("cpu")


def is_count(resource: str) -> bool:
    return resource.startswith("count/") or resource in (
        "pods", "services", "services.nodeports", "services.loadbalancers", "configmaps", "secrets",
        "persistentvolumeclaims", "resourcequotas", "replicationcontrollers")


def show(resource: str, amount: int) -> str:
    if is_count(resource):
        return str(amount)
    return format_cpu(amount) if is_cpu(resource) else format_memory(amount)


def hard_amount(resource: str, value: Any) -> int:
    if is_count(resource):
        try:
            return int(memory_bytes(value))
        except (QuantityError, TypeError, ValueError):
            return 0
    return _amount(resource, value)


def pod_usage(pod: Pod) -> dict[str, int]:
    """What one pod counts against quota (quota/v1/evaluator/core/pods.go PodUsageFunc)."""
    if pod.phase in ("Succeeded", "Failed"):
        return {}
    out: dict[str, int] = {"pods": 1, "count/pods": 1}
    spec = pod.spec
    containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
    inits = [c for c in spec.get("initContainers") or [] if isinstance(c, dict)]
    for kind in ("requests", "limits"):
        total: dict[str, int] = {}
        for c in containers:
            for r, v in ((c.get("resources") or {}).get(kind) or {}).items():
                total[r] = total.get(r, 0) + _amount(r, v)
        for c in inits:               # an init container's need counts when it is larger
            for r, v in ((c.get("resources") or {}).get(kind) or {}).items():
                total[r] = max(total.get(r, 0), _amount(r, v))
        for r, v in total.items():
            out[f"{kind}.{r}"] = v
            if kind == "requests" and r in ("cpu", "memory", "ephemeral-storage"):
                out[r] = v
    return out


def object_usage(obj: KObject) -> dict[str, int]:
    if isinstance(obj, Pod):
        return pod_usage(obj)
    res = BY_KIND.get(obj.kind)
    out: dict[str, int] = {}
    if res is not None:
        out[f"count/{res.qualified}"] = 1
    simple = {"Service": "services", "ConfigMap": "configmaps", "Secret": "secrets",
              "PersistentVolumeClaim": "persistentvolumeclaims", "ResourceQuota": "resourcequotas"}
    if obj.kind in simple:
        out[simple[obj.kind]] = 1
    if obj.kind == "Service":
        t = obj.spec.get("type")
        if t in ("NodePort", "LoadBalancer"):
            out["services.nodeports"] = len(obj.spec.get("ports") or [])
        if t == "LoadBalancer":
            out["services.loadbalancers"] = 1
    if obj.kind == "PersistentVolumeClaim":
        req = ((obj.spec.get("resources") or {}).get("requests") or {}).get("storage")
        out["requests.storage"] = _amount("storage", req) if req is not None else 0
    return out


TRACKED = ("Pod", "Service", "ConfigMap", "Secret", "PersistentVolumeClaim", "ResourceQuota", "Deployment",
           "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "ServiceAccount", "Role", "RoleBinding",
           "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "LimitRange")


def count_usage(cluster: Any, namespace: str) -> dict[str, int]:
    """A namespace's usage counted from scratch over its objects (the tests' oracle for the running sums)."""
    used: dict[str, int] = {}
    for kind in TRACKED:
        for obj in cluster.store.list(kind, namespace):
            for r, v in object_usage(obj).items():
                used[r] = used.get(r, 0) + v
    return used


class ResourceQuotaController(Controller):
    name = "resourcequota-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.quotas: dict[str, int] = {}                        # namespace -> how many quotas it has
        self.used: dict[str, dict[str, int]] = {}               # namespace -> resource -> amount
        self.contrib: dict[tuple[str, str, str], dict[str, int]] = {}   # (kind, ns, name) -> its usage
        self.store.subscribe("ResourceQuota", self._on_quota)
        for kind in TRACKED:
            if kind != "ResourceQuota":
                self.store.subscribe(kind, self._on_object)

    # -- usage -------------------------------------------------------------------------------
    def _on_quota(self, event: str, q: KObject) -> None:
        ns = q.namespace
        if event == "ADDED":
            self.quotas[ns] = self.quotas.get(ns, 0) + 1
            if self.quotas[ns] == 1:
                self._recount(ns)
            self._account(q, event)
            self._write_status(q)
        elif event == "DELETED":
            self.quotas[ns] = self.quotas.get(ns, 1) - 1
            self._account(q, event)
            if self.quotas[ns] <= 0:
                self.quotas.pop(ns, None)
                self.used.pop(ns, None)
                for key in [k for k in self.contrib if k[1] == ns]:
                    del self.contrib[key]
        else:
            self.enqueue((ns, q.name))

    def _recount(self, ns: str) -> None:
        """A namespace's first quota: count what is there (once)."""
        self.used[ns] = {}
        for kind in TRACKED:
            for obj in self.store.list(kind, ns):
                self._account(obj, "ADDED")

    def _on_object(self, event: str, obj: KObject) -> None:
        if obj.namespace in self.quotas:
            self._account(obj, event)

    def _account(self, obj: KObject, event: str) -> None:
        ns = obj.namespace
        key = (obj.kind, ns, obj.name)
        new = {} if event == "DELETED" else object_usage(obj)
        old = self.contrib.get(key, {})
        if new == old:
            return
        used = self.used.setdefault(ns, {})
        for r, v in old.items():
            used[r] = used.get(r, 0) - v
        for r, v in new.items():
            used[r] = used.get(r, 0) + v
        if new:
            self.contrib[key] = new
        else:
            self.contrib.pop(key, None)
        for q in self.store.list("ResourceQuota", ns):
            self.enqueue((ns, q.name))

    def _write_status(self, q: KObject) -> None:
        hard = dict(q.spec.get("hard") or {})
        used = self.used.get(q.namespace, {})
        status = {"hard": {k: hard[k] for k in sorted(hard)},
                  "used": {k: show(k, used.get(k, 0)) for k in sorted(hard)}}
        if q.status != status:
            q.status = status
            self.cluster.write_status(q)

    def sync(self) -> None:
        if not self.queue:
            return
        for ns, name in self.take():
            q = self.store.get("ResourceQuota", ns, name)
            if q is None:
                continue
            try:
                self._write_status(q)
            except ApiError:
                self.enqueue((ns, name))

    # -- admission ---------------------------------------------------------------------------
    def admit(self, obj: KObject) -> None:
        """Refuse a create that takes its namespace over a quota (plugin/pkg/admission/resourcequota)."""
        ns = obj.namespace
        if ns not in self.quotas:
            return
        delta = object_usage(obj)
        used = self.used.get(ns, {})
        for q in self.store.list("ResourceQuota", ns):
            hard = q.spec.get("hard") or {}
            if isinstance(obj, Pod):
                self._require(q, obj, hard)
            over = [r for r in sorted(hard) if r in delta and used.get(r, 0) + delta[r] > hard_amount(r, hard[r])]
            if over:
                raise ApiError("Forbidden", f"{self._what(obj)} is forbidden: exceeded quota: {q.name}, requested: "
                               + ",".join(f"{r}={show(r, delta[r])}" for r in over) + ", used: "
                               + ",".join(f"{r}={show(r, used.get(r, 0))}" for r in over) + ", limited: "
                               + ",".join(f"{r}={hard[r]}" for r in over), 403)

    def _what(self, obj: KObject) -> str:
        res = BY_KIND.get(obj.kind)
        return f'{res.qualified if res else obj.kind.lower()} "{obj.name}"'

    def _require(self, q: KObject, pod: Pod, hard: dict) -> None:
        """Each container must request (or limit) the compute resources the quota tracks."""
        required = [r for r in hard if r in COMPUTE]
        missing: dict[str, list[str]] = {}
        for c in list(pod.spec.get("containers") or []) + list(pod.spec.get("initContainers") or []):
            res = c.get("resources") or {}
            have = {f"requests.{k}" for k in res.get("requests") or {}} | set(res.get("requests") or {}) \
                | {f"limits.{k}" for k in res.get("limits") or {}}
            for r in required:
                if r not in have:
                    missing.setdefault(r, []).append(str(c.get("name", "")))
        if missing:
            text = "; ".join(f"{r} for: {','.join(sorted(missing[r]))}" for r in sorted(missing))
            raise ApiError("Forbidden", f'pods "{pod.name}" is forbidden: failed quota: {q.name}: must specify '
                           f"{text}", 403)
