"""Exposure: Ingress routing (404 when no rule matches) and cloud LoadBalancers."""

from kit_workloads import cluster, deployment, ready_pods, run_until

from kubegame.engine.controllers.service import PROVISION_TICKS, external_ip
from kubegame.engine.traffic import route_ingress


def svc(name: str, type_: str = "ClusterIP") -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"type": type_, "selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}


INGRESS = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "shop"},
           "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [
               {"path": "/cart", "pathType": "Prefix",
                "backend": {"service": {"name": "cart", "port": {"number": 80}}}}]}}]}}


def test_an_unmatched_ingress_path_fails_as_404():
    c = cluster("n1")
    c.apply(deployment("cart", 1, cpu="100m"))
    c.apply(svc("cart"))
    c.apply(INGRESS)
    assert route_ingress(c, "shop.example.com", "/cart/items") == ("default", "cart")
    assert route_ingress(c, "shop.example.com", "/cartoons") is None      # per-element prefix match
    assert route_ingress(c, "shop.example.com", "/checkout") is None
    c.traffic.set_demand("ok", host="shop.example.com", path="/cart", rps=10)
    c.traffic.set_demand("lost", host="shop.example.com", path="/checkout", rps=5)
    run_until(c, lambda: len(ready_pods(c, app="cart")) == 1)
    c.run(10)
    assert c.traffic.unrouted.arrived >= 50 and c.traffic.unrouted.failed == c.traffic.unrouted.arrived
    assert c.traffic.totals()["default/cart"]["served"] > 0


def test_load_balancer_gets_an_external_ip_after_a_few_ticks():
    c = cluster("n1")
    c.apply(deployment("shop", 1, cpu="100m"))
    c.apply(svc("shop", "LoadBalancer"))
    c.traffic.set_demand("shop", service=("default", "shop"), rps=10, external=True)
    s = c.get("Service", "default", "shop")
    c.tick()
    assert external_ip(s) == "<pending>"
    assert any(e.reason == "EnsuringLoadBalancer" for e in c.events)
    c.run(PROVISION_TICKS)
    assert external_ip(s) == "203.0.113.10"
    assert s.status["loadBalancer"]["ingress"][0]["ip"] == "203.0.113.10"
    assert any(e.reason == "EnsuredLoadBalancer" and e.message == "Ensured load balancer" for e in c.events)
    run_until(c, lambda: len(ready_pods(c, app="shop")) == 1)
    before = c.traffic.totals()["default/shop"]["served"]
    c.run(5)
    assert c.traffic.totals()["default/shop"]["served"] > before


def test_external_traffic_to_a_cluster_ip_service_fails():
    c = cluster("n1")
    c.apply(deployment("shop", 1, cpu="100m"))
    c.apply(svc("shop"))
    c.traffic.set_demand("shop", service=("default", "shop"), rps=10, external=True)
    run_until(c, lambda: len(ready_pods(c, app="shop")) == 1)
    c.run(5)
    t = c.traffic.totals()["default/shop"]
    assert t["served"] == 0 and t["failed"] == t["arrived"] > 0
    assert external_ip(c.get("Service", "default", "shop")) == "<none>"
