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


def _traffic_story(quieten: bool, monkeypatch) -> list:
    """Per tick: every Service's sample and totals, through steady spells, a spike, a scale-up,
    a node failure, a new fractional demand and a Service turned into a NodePort."""
    from kubegame.engine.traffic import Traffic

    monkeypatch.setattr(Traffic, "QUIETEN", quieten)
    c = make_cluster(nodes=3, cpu="4", memory="8Gi", images=IMAGES)
    for app in ("shop", "cart"):
        c.apply(deployment(app, replicas=2))
        c.apply(service(app))
    c.traffic.set_demand("shop", service=("default", "shop"), rps=80)
    c.traffic.set_demand("cart", service=("default", "cart"), rps=30)
    c.traffic.set_demand("cart-out", service=("default", "cart"), rps=10, external=True)
    seen = []
    for tick in range(260):
        if tick == 60:
            c.traffic.spike(("default", "shop"), 2.0, c.now + 15)
        if tick == 100:
            c.scale("Deployment", "default", "shop", 4)
        if tick == 140:
            c.fail_node("worker-2")
        if tick == 180:
            c.traffic.set_demand("shop-extra", service=("default", "shop"), rps=7.5)
        if tick == 220:
            c.apply(service("cart", type_="NodePort"))
        c.tick()
        tr = c.traffic
        seen.append((sorted(tr.last.items()), sorted((k, (t.arrived, t.served, t.failed))
                                                     for k, t in tr.totals_by_service.items())))
    return seen + [c.state_hash()]


def test_quiet_services_count_exactly_what_the_per_tick_loop_counts(monkeypatch):
    # a Service whose sample repeats leaves the per-tick loop and its totals are counted on
    # read; every tick's samples and totals must be what computing each tick gives
    assert _traffic_story(True, monkeypatch) == _traffic_story(False, monkeypatch)


def test_a_steady_service_goes_quiet_and_an_endpoint_change_wakes_it():
    c = setup(replicas=3, rps=120)
    c.run(5)
    key = ("default", "shop")
    assert key in c.traffic.quiet and "shop" not in c.traffic._live
    before = c.traffic.totals_by_service[key].arrived
    c.run(10)
    assert c.traffic.totals_by_service[key].arrived == before + 10 * 120
    c.scale("Deployment", "default", "shop", 4)
    c.run(2)
    assert key not in c.traffic.quiet or c.traffic.last[key].endpoints == 4
    c.run(20)
    assert c.traffic.last[key].endpoints == 4 and key in c.traffic.quiet


def test_fractional_demand_never_goes_quiet():
    c = setup(replicas=1, rps=2.5)
    c.run(20)
    assert ("default", "shop") not in c.traffic.quiet
