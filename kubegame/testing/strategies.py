"""Hypothesis strategies for kubegame: nodes, images, manifests and whole clusters."""

from __future__ import annotations

from hypothesis import strategies as st

from kubegame.engine import Cluster, Image, NodeSpec
from kubegame.testing.builders import deployment, service

APP_NAMES = ("shop", "cart", "api", "web", "auth")
ZONES = ("zone-a", "zone-b", "zone-c")
KERNELS = ("6.1", "6.8")


@st.composite
def nodes(draw, name: str | None = None) -> NodeSpec:
    """A worker machine: 1-8 cpus, 2-16 GiB, a zone and a kernel."""
    return NodeSpec(
        name=name or draw(st.sampled_from([f"node-{i}" for i in range(1, 20)])),
        cpu=str(draw(st.integers(1, 8))),
        memory=f"{draw(st.integers(2, 16))}Gi",
        pods=draw(st.sampled_from([110, 110, 110, 8])),
        zone=draw(st.sampled_from(ZONES)),
        kernel=draw(st.sampled_from(KERNELS)),
    )


@st.composite
def images(draw, name: str | None = None) -> Image:
    """A registry image with random weight, layers, start-up time and capacity."""
    return Image(
        name=name or f"{draw(st.sampled_from(APP_NAMES))}:{draw(st.sampled_from(['1.0', '1.1', '2.0']))}",
        size_mb=draw(st.integers(5, 800)),
        layers=tuple(draw(st.lists(st.sampled_from(["debian-12", "alpine-3", "python-3.12", "node-20"]),
                                   max_size=2, unique=True))),
        startup_ticks=draw(st.integers(0, 20)),
        capacity_rps=draw(st.integers(10, 200)),
        latency_ms=draw(st.integers(5, 100)),
        crash_on_kernels=tuple(draw(st.lists(st.sampled_from(KERNELS), max_size=1))),
    )


def quantities_cpu() -> st.SearchStrategy[str]:
    return st.sampled_from(["50m", "100m", "250m", "500m", "1", "1500m"])


def quantities_memory() -> st.SearchStrategy[str]:
    return st.sampled_from(["64Mi", "128Mi", "256Mi", "512Mi", "1Gi"])


def strategies_rolling() -> st.SearchStrategy[dict]:
    values = st.sampled_from([0, 1, 2, "0%", "25%", "50%", "100%"])
    return st.tuples(values, values).filter(lambda t: str(t[0]).rstrip("%") != "0" or str(t[1]).rstrip("%") != "0") \
        .map(lambda t: {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": t[0], "maxUnavailable": t[1]}})


@st.composite
def manifests(draw, kind: str = "Deployment", name: str | None = None, image_names: tuple[str, ...] = ("shop:1.0",)):
    """A valid manifest of a kind (Deployment, Service or Pod) as plain data, as YAML would parse it."""
    name = name or draw(st.sampled_from(APP_NAMES))
    if kind == "Deployment":
        strategy = draw(st.one_of(st.none(), strategies_rolling(), st.just({"type": "Recreate"})))
        return deployment(name, replicas=draw(st.integers(0, 8)), image=draw(st.sampled_from(image_names)),
                          cpu=draw(quantities_cpu()), memory=draw(quantities_memory()), strategy=strategy)
    if kind == "Service":
        return service(name, type_=draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"])))
    if kind == "Pod":
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": draw(st.sampled_from(image_names)),
                                         "resources": {"requests": {"cpu": draw(quantities_cpu())}}}]}}
    raise ValueError(f"manifests(): unsupported kind {kind!r}")


@st.composite
def clusters(draw, max_nodes: int = 5) -> Cluster:
    """A seeded cluster with nodes, images, and a few Deployments with Services."""
    imgs = [draw(images(name=f"{app}:1.0")) for app in APP_NAMES[:3]]
    cluster = Cluster(seed=draw(st.integers(0, 2**16)), images=imgs)
    for i in range(draw(st.integers(1, max_nodes))):
        cluster.add_node(draw(nodes(name=f"node-{i + 1}")))
    for img in imgs:
        app = img.name.split(":")[0]
        if draw(st.booleans()):
            cluster.apply(draw(manifests("Deployment", name=app, image_names=(img.name,))))
            cluster.apply(service(app))
    return cluster
