"""metrics.k8s.io/v1beta1, as metrics-server serves it (NodeMetrics, PodMetrics): the usage the
built-in `kubectl top` prints, so real `kubectl top` prints the same."""

from __future__ import annotations

from typing import Any

from kubegame.engine import rbac
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import timestamp
from kubegame.kubectl.util import parse_selector, selector_matches

WINDOW = "10s"


class _Ctx:
    def __init__(self, cluster: Any):
        self.cluster = cluster


def _node_metrics(cluster: Any, n: Any) -> dict:
    cpu, mem = cluster.traffic.node_usage(n)
    return {"metadata": {"name": n.name, "creationTimestamp": timestamp(cluster.now), "labels": dict(n.labels)},
            "timestamp": timestamp(cluster.now), "window": WINDOW,
            "usage": {"cpu": f"{cpu}m", "memory": f"{mem // 1024}Ki"}}


def _pod_metrics(cluster: Any, pod: Any) -> dict:
    from kubegame.kubectl.cmd_nodes import container_usage
    cs = [{"name": name, "usage": {"cpu": f"{cpu}m", "memory": f"{mem // 1024}Ki"}}
          for name, cpu, mem in container_usage(_Ctx(cluster), pod)]
    return {"metadata": {"name": pod.name, "namespace": pod.namespace, "creationTimestamp": timestamp(cluster.now),
                         "labels": dict(pod.labels)},
            "timestamp": timestamp(cluster.now), "window": WINDOW, "containers": cs}


def respond(server: Any, req: Any, rest: list[str]) -> Any:
    from kubegame.apiserver.handler import NoRoute
    cluster = server.cluster
    who = server._who(req)
    ns = None
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] == "pods":
        ns, rest = rest[1], rest[2:]
    if not rest or rest[0] not in ("nodes", "pods") or len(rest) > 2 or (rest[0] == "nodes" and ns is not None):
        raise NoRoute()
    plural, name = rest[0], rest[1] if len(rest) > 1 else ""
    rbac.authorize(cluster, who, rbac.Request("get" if name else "list", plural, "metrics.k8s.io", ns or "", name))
    labels = parse_selector(req.q("labelSelector"))
    if plural == "nodes":
        nodes = [n for n in sorted(cluster.nodes(), key=lambda n: n.name)
                 if n.alive and n.ready_status == "True" and selector_matches(labels, n.labels)]
        return _answer("NodeMetrics", name, name, [(n.name, _node_metrics(cluster, n)) for n in nodes])
    pods = [p for p in cluster.pods(ns) if p.phase == "Running" and p.deletion_tick is None
            and selector_matches(labels, p.labels)]
    pods.sort(key=lambda p: (p.namespace, p.name))
    return _answer("PodMetrics", name, f"{ns}/{name}", [(p.name, _pod_metrics(cluster, p)) for p in pods])


def _answer(kind: str, name: str, shown: str, items: list[tuple[str, dict]]) -> Any:
    """One object of the list by name (404 `nodemetrics.metrics.k8s.io "NAME" not found`), or the list."""
    from kubegame.apiserver.handler import Response
    if name:
        found = [body for n, body in items if n == name]
        if not found:
            raise ApiError("NotFound", f'{kind.lower()}.metrics.k8s.io "{shown}" not found', 404)
        return Response(200, {"kind": kind, "apiVersion": "metrics.k8s.io/v1beta1", **found[0]})
    return Response(200, {"kind": f"{kind}List", "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {},
                          "items": [body for _, body in items]})
