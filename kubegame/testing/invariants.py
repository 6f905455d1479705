"""The engine's invariants, callable from any test: `assert_invariants(cluster)`.

Each check reads the cluster the slow, obvious way (scanning every object) and
compares with what the event-driven controllers maintain incrementally.

- `CHECKS` hold after every tick: `assert_invariants(cluster)` runs them all.
- `check_daemonsets_converged` holds once the cluster has been left alone long enough.
- `guard_evictions(cluster)` wraps the Eviction API: no eviction may break a PodDisruptionBudget.
- `QuorumWatch` compares the cluster across ticks without etcd quorum: nothing but the
  kubelets' own pod and node status may change.
- `Monitor` bundles all of them for a tick loop (what `kubegame fuzz` and ClusterMachine use).
"""

from __future__ import annotations

import json
from typing import Any

from kubegame.engine import Cluster
from kubegame.engine.controllers.daemonset import should_continue_running
from kubegame.engine.objects import Node, Pod


class InvariantViolation(AssertionError):
    """An engine invariant does not hold."""


def _fail(msg: str) -> None:
    raise InvariantViolation(msg)


def check_capacity(cluster: Cluster) -> None:
    """No node holds more than its allocatable cpu, memory or pod count, and the books match."""
    bound: dict[str, list[Pod]] = {}
    for p in cluster.pods():
        if p.node_name and p.phase not in ("Succeeded", "Failed"):
            bound.setdefault(p.node_name, []).append(p)
    for node in cluster.nodes():
        pods = bound.get(node.name, [])
        cpu = sum(p.cpu_request for p in pods)
        mem = sum(p.mem_request for p in pods)
        if (cpu, mem, len(pods)) != (node.cpu_used, node.mem_used, node.pod_count):
            _fail(f"node {node.name}: accounted cpu/mem/pods {node.cpu_used}/{node.mem_used}/{node.pod_count} "
                  f"but its pods request {cpu}/{mem}/{len(pods)}")
        ports = [port for p in pods for port in p.host_ports]
        if len(ports) != len(set(ports)):
            _fail(f"node {node.name}: two pods bind the same hostPort: {sorted(ports)}")
        if cpu > node.cpu or mem > node.memory or len(pods) > node.max_pods:
            _fail(f"node {node.name} over capacity: cpu {cpu}/{node.cpu}, memory {mem}/{node.memory}, "
                  f"pods {len(pods)}/{node.max_pods}")


def check_endpoints(cluster: Cluster) -> None:
    """A Service's endpoints are exactly its selected, Ready, non-terminating pods (once the
    endpoints controller has caught up with the changes made since its last run)."""
    if cluster.endpoints.dirty_pods or cluster.endpoints.dirty_services:
        return
    for svc in cluster.list("Service"):
        sel = svc.spec.get("selector") or {}
        if not sel:
            continue
        want = sorted(p.name for p in cluster.pods(svc.namespace)
                      if all(p.labels.get(k) == v for k, v in sel.items()) and p.ready
                      and not p.terminating and p.phase not in ("Succeeded", "Failed"))
        have = sorted(p.name for p in cluster.endpoints.endpoints(svc.namespace, svc.name))
        if want != have:
            _fail(f"service {svc.namespace}/{svc.name}: endpoints {have}, expected {want}")
        ep = cluster.get("Endpoints", svc.namespace, svc.name)
        if ep is not None:
            ips = sorted(a["ip"] for s in ep.extra.get("subsets") or [] for a in s.get("addresses") or [])
            want_ips = sorted(p.ip for p in cluster.endpoints.endpoints(svc.namespace, svc.name))
            if ips != want_ips:
                _fail(f"Endpoints object {svc.name} lists {ips}, controller has {want_ips}")


def check_traffic(cluster: Cluster) -> None:
    """Every request that arrived was either served or failed."""
    for key, s in cluster.traffic.last.items():
        if s.arrived != s.served + s.failed or min(s.arrived, s.served, s.failed) < 0:
            _fail(f"service {key}: arrived {s.arrived} != served {s.served} + failed {s.failed}")
    for key, t in cluster.traffic.totals_by_service.items():
        if t.arrived != t.served + t.failed:
            _fail(f"service {key} totals: arrived {t.arrived} != served {t.served} + failed {t.failed}")


def check_network_policies(cluster: Cluster) -> None:
    """A request NetworkPolicies deny is never served: a Service every one of whose clients the
    policies cut off (worked out from scratch, now) served nothing in the last tick."""
    if not cluster.store.any("NetworkPolicy"):
        return
    traffic = cluster.traffic
    served_under = getattr(traffic, "last_rv", None)
    if served_under is None or any(p.resource_version > served_under for p in cluster.list("NetworkPolicy")):
        return                  # a policy changed since the last tick's traffic: the next tick applies it
    shares: dict[tuple[str, str], list[float]] = {}
    for d in traffic.demands.values():
        target = traffic.route(d)
        if target is not None:
            shares.setdefault(target, []).append(traffic.allowed_share(d, target))
    for target, got in shares.items():
        s = traffic.last.get(target)
        if s is not None and s.served and all(x == 0 for x in got):
            _fail(f"service {target[0]}/{target[1]} served {s.served} requests its NetworkPolicies deny")


def check_ownership(cluster: Cluster) -> None:
    """A ReplicaSet never has more active pods than it asks for after its controller ran."""
    for rs in cluster.list("ReplicaSet"):
        if rs.key in cluster.replicasets.queue:
            continue
        active = [p for p in cluster.store.owned_by(rs.uid) if isinstance(p, Pod) and p.active]
        if len(active) > int(rs.spec.get("replicas", 0)):
            _fail(f"replicaset {rs.name}: {len(active)} active pods for {rs.spec.get('replicas')} replicas")


def check_hpa_bounds(cluster: Cluster) -> None:
    """An HPA's recommendation lies within [minReplicas, maxReplicas] whenever it is scaling.

    Skipped while the HPA could not read its target (desired 0) and while scaling is disabled
    (the target has 0 replicas). A test that edits minReplicas/maxReplicas must let the HPA
    sync (15 ticks) before this holds again."""
    for hpa in cluster.list("HorizontalPodAutoscaler"):
        st = hpa.status
        if "desiredReplicas" not in st:
            continue
        conds = {c.get("type"): c for c in st.get("conditions") or []}
        if (conds.get("AbleToScale") or {}).get("status") == "False" or \
                (conds.get("ScalingActive") or {}).get("reason") == "ScalingDisabled":
            continue
        lo, hi = int(hpa.spec.get("minReplicas", 1)), int(hpa.spec.get("maxReplicas", 1))
        desired = int(st["desiredReplicas"])
        if not lo <= desired <= hi:
            _fail(f"hpa {hpa.namespace}/{hpa.name}: desiredReplicas {desired} outside [{lo}, {hi}]")


def check_quotas(cluster: Cluster) -> None:
    """No namespace is over its quota: what its live pods and objects use, counted from scratch here
    (not from the controller's running sums), is within every quota's hard limits."""
    from kubegame.engine.controllers.resourcequota import count_usage, hard_amount
    for q in cluster.list("ResourceQuota"):
        used = count_usage(cluster, q.namespace)
        for r, limit in (q.spec.get("hard") or {}).items():
            if used.get(r, 0) > hard_amount(r, limit):
                _fail(f"namespace {q.namespace} uses {r}={used[r]} over quota {q.name}'s {limit}")


def check_volumes(cluster: Cluster) -> None:
    """A bound claim's volume satisfies it (size, access modes, volume mode, class) and names it
    back; no volume serves two claims (pkg/controller/volume/persistentvolume/util.go
    checkVolumeSatisfyClaim)."""
    from kubegame.engine import storage
    from kubegame.engine.quantity import memory_bytes
    served: dict[str, str] = {}
    for pvc in cluster.list("PersistentVolumeClaim"):
        if pvc.status.get("phase") != "Bound":
            continue
        pv = cluster.get("PersistentVolume", "", pvc.spec.get("volumeName", ""))
        if pv is None:
            continue        # Lost is the controller's next word on it; not a wrong binding
        # the size it was bound with (a claim being grown asks for more for a tick, until the resizer runs)
        have = memory_bytes(((pvc.status.get("capacity") or {}).get("storage")) or 0)
        why = "the volume is smaller than the claim's capacity" if storage.capacity(pv) < have else \
            next((m for m in [storage.mismatch(pv, pvc)] if m and m != "requested PV is too small"), "")
        if why:
            _fail(f"claim {pvc.namespace}/{pvc.name} is bound to {pv.name}, which does not satisfy it: {why}")
        if not storage.bound_to(pv, pvc):
            _fail(f"claim {pvc.namespace}/{pvc.name} is bound to {pv.name}, whose claimRef names another claim")
        other = served.setdefault(pv.name, f"{pvc.namespace}/{pvc.name}")
        if other != f"{pvc.namespace}/{pvc.name}":
            _fail(f"volume {pv.name} serves two claims: {other} and {pvc.namespace}/{pvc.name}")


CHECKS = (check_capacity, check_endpoints, check_traffic, check_network_policies, check_ownership, check_hpa_bounds,
          check_quotas, check_volumes)


def assert_invariants(cluster: Cluster) -> None:
    """Raise InvariantViolation when any engine invariant does not hold."""
    for check in CHECKS:
        check(cluster)


# -- checks that need more than one moment --------------------------------------------------------

def daemon_pods_by_node(cluster: Cluster, ds: Any) -> dict[str, list[Pod]]:
    """A DaemonSet's active pods, by the node each one is meant for."""
    from kubegame.engine.controllers.daemonset import target_node
    out: dict[str, list[Pod]] = {}
    for p in cluster.store.owned_by(ds.uid):
        if isinstance(p, Pod) and p.active:
            out.setdefault(target_node(p), []).append(p)
    return out


def admission_refused(cluster: Cluster, owner: Any) -> bool:
    """Whether the API server's admission refused a pod of this controller (its FailedCreate event)."""
    return any(e.reason == "FailedCreate" and "is forbidden" in e.message
               for e in cluster.events_for(owner.kind, owner.namespace, owner.name))


def eligible_nodes(cluster: Cluster, ds: Any) -> list[Node]:
    """The Ready nodes a DaemonSet should run on (nodeShouldRunDaemonPod)."""
    from kubegame.engine.controllers.daemonset import should_run
    spec = (ds.spec.get("template") or {}).get("spec") or {}
    return [n for n in cluster.nodes() if n.alive and n.is_ready and should_run(spec, n)]


def check_daemonsets_converged(cluster: Cluster, skip_nodes: set[str] | frozenset[str] = frozenset()) -> None:
    """Once converged, a DaemonSet has exactly one pod on every eligible Ready node, and none on a
    Ready node that is not eligible (`skip_nodes`: nodes not to judge). A DaemonSet whose pods
    admission refuses (a quota, a LimitRange: FailedCreate `... is forbidden`) is not judged."""
    for ds in cluster.list("DaemonSet"):
        if ds.terminating or admission_refused(cluster, ds):
            continue
        by_node = daemon_pods_by_node(cluster, ds)
        eligible = {n.name for n in eligible_nodes(cluster, ds)} - set(skip_nodes)
        for name in sorted(eligible):
            if len(by_node.get(name, [])) != 1:
                _fail(f"daemonset {ds.namespace}/{ds.name}: {len(by_node.get(name, []))} pods on eligible node {name}")
        spec = (ds.spec.get("template") or {}).get("spec") or {}
        for n in cluster.nodes():
            if n.name in eligible or n.name in skip_nodes or not (n.alive and n.is_ready) or not by_node.get(n.name):
                continue
            if not should_continue_running(spec, n):
                _fail(f"daemonset {ds.namespace}/{ds.name}: pod {by_node[n.name][0].name} on node {n.name}, "
                      "which it should not run on")


def _healthy(cluster: Cluster, pdb: Any) -> int:
    from kubegame.engine.validation import selector_matches
    return sum(1 for p in cluster.pods(pdb.namespace) if selector_matches(pdb.spec.get("selector") or {}, p.labels)
               and p.ready and p.phase == "Running" and p.deletion_tick is None)


def guard_evictions(cluster: Cluster, record: list[str] | None = None) -> None:
    """Wrap `cluster.evict` (the Eviction API that `kubectl drain` uses): an eviction that takes a
    PodDisruptionBudget's healthy pods below desiredHealthy, while the budget's status was up to
    date, raises InvariantViolation (and appends its message to `record`: kubectl turns exceptions
    into error text, so a caller that runs drains through kubectl reads `record`). Idempotent."""
    if getattr(cluster, "_evictions_guarded", False):
        return
    from kubegame.engine.controllers.disruption import pdbs_for
    original = cluster.evict

    def evict(pod: Pod, grace: int | None = None) -> None:
        budgets = pdbs_for(cluster, pod) if pod.ready and pod.deletion_tick is None else []
        before = {b.uid: (_healthy(cluster, b), dict(b.status), b.generation) for b in budgets}
        original(pod, grace)            # raises ApiError (429) when refused
        for b in budgets:
            healthy, st, generation = before[b.uid]
            fresh = st.get("currentHealthy") == healthy and st.get("observedGeneration") == generation
            desired = int(st.get("desiredHealthy", 0) or 0)
            if fresh and _healthy(cluster, b) < desired:
                msg = (f"eviction of pod {pod.name} broke PodDisruptionBudget {b.namespace}/{b.name}: "
                       f"{_healthy(cluster, b)} healthy < desiredHealthy {desired}")
                if record is not None:
                    record.append(msg)
                _fail(msg)

    cluster.evict = evict  # type: ignore[method-assign]
    cluster._evictions_guarded = True  # type: ignore[attr-defined]


def write_fingerprint(cluster: Cluster) -> dict[str, str]:
    """Every object as the API server stores it, minus what only kubelets write (pod and node
    status): what must stay the same while etcd has no quorum."""
    out: dict[str, str] = {}
    for kind in sorted(cluster.store.objects):
        if kind == "Event":
            continue
        for obj in cluster.store.list(kind):
            body = cluster.render(obj)
            md = dict(body.get("metadata") or {})
            md.pop("resourceVersion", None)
            body["metadata"] = md
            if isinstance(obj, Pod | Node):
                body.pop("status", None)
            out[f"{kind}/{obj.namespace}/{obj.name}"] = json.dumps(body, sort_keys=True, default=str)
    return out


class QuorumWatch:
    """Without etcd quorum no object changes except through the kubelets' own status.

        watch.before(); cluster.tick(); watch.after()    # raises InvariantViolation
    """

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.snapshot: dict[str, str] | None = None

    def before(self) -> None:
        self.snapshot = None if self.cluster.store.quorum else write_fingerprint(self.cluster)

    def after(self) -> None:
        if self.snapshot is None or self.cluster.store.quorum:
            return
        now = write_fingerprint(self.cluster)
        if now != self.snapshot:
            changed = sorted(k for k in set(now) | set(self.snapshot) if now.get(k) != self.snapshot.get(k))
            _fail(f"without etcd quorum these objects changed: {', '.join(changed[:5])}")


class Monitor:
    """Every invariant around a tick loop: `before_tick()`, tick, `after_tick()`.

    Installs the eviction guard on the cluster; `after_tick` runs `checks` (default CHECKS) and
    the quorum comparison."""

    def __init__(self, cluster: Cluster, checks: tuple = CHECKS):
        self.cluster = cluster
        self.checks = checks
        self.quorum = QuorumWatch(cluster)
        self.evictions: list[str] = []      # PDB violations seen by the eviction guard
        guard_evictions(cluster, self.evictions)

    def before_tick(self) -> None:
        self.quorum.before()

    def after_tick(self) -> None:
        if self.evictions:
            _fail(self.evictions[0])
        if self.cluster.controller_errors:
            _fail(f"a controller raised: {self.cluster.controller_errors[0]}")
        for check in self.checks:
            check(self.cluster)
        self.quorum.after()
