"""Test clusters built with the engine API directly."""

from __future__ import annotations

import pytest

from kubegame import kubectl
from kubegame.engine import Cluster, NodeSpec

SHOP = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "shop", "labels": {"app": "shop"}},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "shop"}},
             "template": {"metadata": {"labels": {"app": "shop"}},
                          "spec": {"containers": [{"name": "shop", "image": "busybox:latest",
                                                   "ports": [{"containerPort": 8080}],
                                                   "resources": {"requests": {"cpu": "100m",
                                                                              "memory": "64Mi"}}}]}}},
}
SHOP_SVC = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "shop"},
            "spec": {"selector": {"app": "shop"}, "ports": [{"port": 80, "targetPort": 8080}]}}


class K:
    """Runs kubectl lines against a cluster; `k("get pods")` returns the Result."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster

    def __call__(self, line: str, **kw) -> kubectl.Result:
        if not line.startswith(("kubectl", "k ")):
            line = "kubectl " + line
        return kubectl.run(self.cluster, line, **kw)


@pytest.fixture
def empty() -> Cluster:
    c = Cluster(seed=7)
    c.add_node(NodeSpec("node-1", cpu="4", memory="8Gi", zone="zone-a"))
    c.add_node(NodeSpec("node-2", cpu="4", memory="8Gi", zone="zone-b"))
    return c


@pytest.fixture
def shop(empty: Cluster) -> Cluster:
    """Two nodes, the shop Deployment (3 replicas) and its Service, run 20 ticks."""
    empty.create(SHOP)
    empty.create(SHOP_SVC)
    empty.run(20)
    return empty


@pytest.fixture
def k(shop: Cluster) -> K:
    return K(shop)
