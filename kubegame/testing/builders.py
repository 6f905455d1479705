"""Plain builders for clusters and manifests: what tests and strategies start from.

No Hypothesis needed here; `kubegame.testing.strategies` draws these same shapes.
"""

from __future__ import annotations

from kubegame.engine import Cluster, Image, NodeSpec
from kubegame.engine.cluster import ClusterConfig

DEFAULT_IMAGES = (
    Image("shop:1.0", size_mb=120, layers=("debian-12",), startup_ticks=5, capacity_rps=60),
    Image("shop:1.1", size_mb=120, layers=("debian-12",), startup_ticks=5, capacity_rps=60),
    Image("shop:bad", size_mb=120, layers=("debian-12",), startup_ticks=5, capacity_rps=60, crashes=True),
)


def make_cluster(nodes: int = 3, cpu: str = "2", memory: str = "4Gi", seed: int = 0,
                 images: tuple[Image, ...] | list[Image] = DEFAULT_IMAGES, zones: tuple[str, ...] = ("zone-a",),
                 prefix: str = "worker", config: ClusterConfig | None = None) -> Cluster:
    """A cluster of `nodes` identical workers named worker-1.., spread round-robin over `zones`."""
    cluster = Cluster(seed=seed, images=list(images), config=config)
    for i in range(nodes):
        cluster.add_node(NodeSpec(f"{prefix}-{i + 1}", cpu=cpu, memory=memory, zone=zones[i % len(zones)]))
    return cluster


# what a web app's pod template carries on a real cluster: without it a pod is Ready the moment its
# container starts, before the app listens (kubelet prober_manager.go)
READINESS_PROBE = {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1}


def pod_template(app: str, image: str, cpu: str = "250m", memory: str = "256Mi", probe: bool = True,
                 **spec_extra) -> dict:
    container = {"name": app, "image": image, "ports": [{"containerPort": 8080}],
                 "resources": {"requests": {"cpu": cpu, "memory": memory}}}
    if probe:
        container["readinessProbe"] = {"httpGet": dict(READINESS_PROBE["httpGet"]), "periodSeconds": 1}
    return {"metadata": {"labels": {"app": app}}, "spec": {"containers": [container], **spec_extra}}


def deployment(name: str, replicas: int = 3, image: str = "shop:1.0", cpu: str = "250m", memory: str = "256Mi",
               strategy: dict | None = None, namespace: str = "default", **spec_extra) -> dict:
    spec = {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
            "template": pod_template(name, image, cpu, memory)}
    if strategy is not None:
        spec["strategy"] = strategy
    spec.update(spec_extra)
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}}, "spec": spec}


def service(name: str, selector: dict | None = None, type_: str = "ClusterIP", namespace: str = "default") -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": namespace},
            "spec": {"type": type_, "selector": selector or {"app": name},
                     "ports": [{"port": 80, "targetPort": 8080}]}}


def pod(name: str, image: str = "shop:1.0", labels: dict | None = None, **spec_extra) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": {"containers": [{"name": "main", "image": image}], **spec_extra}}
