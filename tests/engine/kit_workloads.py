"""Small builders shared by the workload-controller tests (DaemonSet, StatefulSet, Job, HPA, ...)."""

from __future__ import annotations

from kubegame.engine.cluster import Cluster, NodeSpec
from kubegame.engine.images import Image


def cluster(*nodes: NodeSpec | str, images: list[Image] | None = None, seed: int = 1) -> Cluster:
    imgs = [Image("web:1.0", startup_ticks=2, capacity_rps=100), Image("web:2.0", startup_ticks=2),
            Image("db:1.0", startup_ticks=3), Image("agent:1.0", startup_ticks=1),
            Image("batch:1.0", startup_ticks=1, run_ticks=10),
            Image("broken-batch:1.0", startup_ticks=1, crashes=True)] + list(images or [])
    c = Cluster(seed, images=imgs)
    for n in nodes:
        c.add_node(NodeSpec(n) if isinstance(n, str) else n)
    return c


def template(labels: dict, image: str = "web:1.0", cpu: str | None = "500m", **spec) -> dict:
    container: dict = {"name": "main", "image": image,
                       "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1}}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    return {"metadata": {"labels": dict(labels)}, "spec": {"containers": [container], **spec}}


def deployment(name: str, replicas: int, image: str = "web:1.0", cpu: str | None = "500m", **spec) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": template({"app": name}, image, cpu, **spec)}}


def run_until(c: Cluster, pred, limit: int = 400) -> int:
    """Tick until pred() holds; returns the ticks it took (fails the test at the limit)."""
    for i in range(limit):
        if pred():
            return i
        c.tick()
    assert pred(), "condition never held"
    return limit


def ready_pods(c: Cluster, **labels) -> list:
    return [p for p in c.pods() if p.ready and p.deletion_tick is None
            and all(p.labels.get(k) == v for k, v in labels.items())]


def cordon(c: Cluster, name: str) -> None:
    """`kubectl cordon`: spec.unschedulable, written through the store so the scheduler sees it."""
    node = c.node(name)
    node.spec["unschedulable"] = True
    c.store.modified(node)
