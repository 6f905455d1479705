"""The engine's invariants, callable from any test: `assert_invariants(cluster)`.

Each check reads the cluster the slow, obvious way (scanning every object) and
compares with what the event-driven controllers maintain incrementally.
"""

from __future__ import annotations

from kubegame.engine import Cluster
from kubegame.engine.objects import Pod


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


def check_ownership(cluster: Cluster) -> None:
    """A ReplicaSet never has more active pods than it asks for after its controller ran."""
    for rs in cluster.list("ReplicaSet"):
        if rs.key in cluster.replicasets.queue:
            continue
        active = [p for p in cluster.store.owned_by(rs.uid) if isinstance(p, Pod) and p.active]
        if len(active) > int(rs.spec.get("replicas", 0)):
            _fail(f"replicaset {rs.name}: {len(active)} active pods for {rs.spec.get('replicas')} replicas")


CHECKS = (check_capacity, check_endpoints, check_traffic, check_ownership)


def assert_invariants(cluster: Cluster) -> None:
    """Raise InvariantViolation when any engine invariant does not hold."""
    for check in CHECKS:
        check(cluster)
