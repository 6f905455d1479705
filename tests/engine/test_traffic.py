"""Traffic: demand spread evenly over endpoints, capped by capacity; arrived = served + failed."""

from kubegame.engine import Image
from kubegame.testing import deployment, make_cluster, service

IMAGES = [Image("shop:1.0", size_mb=10, startup_ticks=1, capacity_rps=50, latency_ms=20)]


def setup(replicas=3, rps=120, type_="ClusterIP"):
    c = make_cluster(nodes=3, cpu="4", memory="8Gi", images=IMAGES)
    c.apply(deployment("shop", replicas=replicas))
    c.apply(service("shop", type_=type_))
    c.traffic.set_demand("shop", service=("default", "shop"), rps=rps)
    c.run(10)
    return c


def test_served_within_capacity():
    c = setup(replicas=3, rps=120)
    s = c.traffic.last[("default", "shop")]
    assert (s.arrived, s.served, s.failed, s.endpoints) == (120, 120, 0, 3)


def test_overload_fails_the_excess():
    c = setup(replicas=2, rps=150)
    s = c.traffic.last[("default", "shop")]
    assert (s.arrived, s.served, s.failed) == (150, 100, 50)


def test_no_endpoints_fails_everything():
    c = setup(replicas=0, rps=30)
    s = c.traffic.last[("default", "shop")]
    assert (s.arrived, s.failed) == (30, 30)


def test_fractional_rates_carry_and_totals_add_up():
    c = setup(replicas=1, rps=2.5)
    c.run(10)
    t = c.traffic.totals_by_service[("default", "shop")]
    assert t.arrived == 50 and t.arrived == t.served + t.failed


def test_latency_rises_with_utilisation():
    low = setup(replicas=3, rps=30).traffic.last[("default", "shop")].latency_ms
    high = setup(replicas=3, rps=140).traffic.last[("default", "shop")].latency_ms
    assert 20 <= low < high


def test_spike_multiplies_demand_until_it_ends():
    c = setup(replicas=3, rps=60)
    c.traffic.spike(("default", "shop"), 3, c.now + 5)
    c.tick()
    assert c.traffic.last[("default", "shop")].arrived == 180
    c.run(5)
    assert c.traffic.last[("default", "shop")].arrived == 60


def test_external_traffic_needs_a_node_port_or_load_balancer():
    c = setup(replicas=2, rps=40)
    c.traffic.set_demand("ext", service=("default", "shop"), rps=20, external=True)
    c.tick()
    s = c.traffic.last[("default", "shop")]
    assert (s.arrived, s.served, s.failed) == (60, 40, 20)
    c2 = setup(replicas=2, rps=40, type_="NodePort")
    c2.traffic.set_demand("ext", service=("default", "shop"), rps=20, external=True)
    c2.tick()
    assert c2.traffic.last[("default", "shop")].failed == 0


def test_pod_usage_follows_load():
    c = setup(replicas=2, rps=50)
    p = c.endpoints.endpoints("default", "shop")[0]
    cpu, mem = c.traffic.pod_usage(p)
    # each pod gets 25 of its 50 rps: half its capacity, about half of its 250m request
    assert 120 <= cpu <= 135 and mem > 0


def test_ingress_longest_prefix_wins_and_unmatched_fails():
    c = setup(replicas=2, rps=0)
    c.apply(deployment("cart", replicas=1))
    c.apply(service("cart"))
    c.apply({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
             "spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [
                 {"path": "/", "pathType": "Prefix",
                  "backend": {"service": {"name": "shop", "port": {"number": 80}}}},
                 {"path": "/cart", "pathType": "Prefix",
                  "backend": {"service": {"name": "cart", "port": {"number": 80}}}}]}}]}})
    c.traffic.set_demand("cart", host="shop.example.com", path="/cart/items", rps=10)
    c.traffic.set_demand("cartx", host="shop.example.com", path="/cartx", rps=7)
    c.traffic.set_demand("other", host="other.example.com", path="/", rps=5)
    c.run(10)
    assert c.traffic.last[("default", "cart")].arrived == 10
    assert c.traffic.last[("default", "shop")].arrived == 7     # /cartx is not under /cart
    assert c.traffic.unrouted.failed == 50
