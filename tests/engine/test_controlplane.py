"""etcd quorum and zone outages: quorum = floor(n/2)+1; without it every write times out."""

import pytest
from kit_workloads import cluster, deployment, ready_pods, run_until

from kubegame.engine.cluster import NodeSpec
from kubegame.engine.controllers.controlplane import quorum_size
from kubegame.engine.errors import ApiError


def test_quorum_is_floor_half_plus_one():
    assert [quorum_size(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def serving_cluster():
    c = cluster(NodeSpec("a1", zone="zone-a"), NodeSpec("b1", zone="zone-b"))
    c.controlplane.configure(["zone-a", "zone-a", "zone-b"])
    c.apply(deployment("web", 2, cpu="100m"))
    c.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
             "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})
    c.traffic.set_demand("web", service=("default", "web"), rps=50)
    run_until(c, lambda: len(ready_pods(c, app="web")) == 2)
    c.run(3)
    return c


def test_without_quorum_writes_fail_while_running_pods_keep_serving():
    c = serving_cluster()
    c.controlplane.fail_members(2)
    assert not c.store.quorum
    with pytest.raises(ApiError) as err:
        c.scale("Deployment", "default", "web", 5)
    assert err.value.message == "etcdserver: request timed out"
    with pytest.raises(ApiError):
        c.apply(deployment("other", 1))
    before = c.traffic.totals()["default/web"]["served"]
    c.run(20)
    assert c.traffic.totals()["default/web"]["served"] - before >= 20 * 50 - 1
    assert c.get("Deployment", "default", "other") is None
    # membership changes need quorum too
    with pytest.raises(ApiError):
        c.add_etcd_member("zone-b")
    with pytest.raises(ApiError):
        c.remove_etcd_member("etcd-1")
    c.controlplane.recover_members(1)
    assert c.store.quorum
    c.scale("Deployment", "default", "web", 3)
    run_until(c, lambda: len(ready_pods(c, app="web")) == 3)


def test_controllers_stop_without_quorum():
    c = serving_cluster()
    victim = ready_pods(c, app="web")[0]
    c.remove_pod(victim)               # a pod is gone just before etcd loses quorum
    c.controlplane.fail_members(2)
    assert not c.store.quorum
    c.run(20)
    assert len([p for p in c.pods() if p.labels.get("app") == "web"]) == 1, "the ReplicaSet cannot create"
    c.controlplane.recover_members(2)
    run_until(c, lambda: len(ready_pods(c, app="web")) == 2)


def test_add_and_remove_members():
    c = cluster("n1")
    assert [m.zone for m in c.controlplane.members] == ["zone-a"]
    name = c.add_etcd_member("zone-b")
    c.add_etcd_member("zone-c")
    assert c.controlplane.size == 3 and c.controlplane.quorum == 2
    c.remove_etcd_member(name)
    assert [m.name for m in c.controlplane.members] == ["etcd-1", "etcd-3"]
    with pytest.raises(ApiError):
        c.remove_etcd_member("etcd-9")


def test_zone_outage_takes_nodes_and_members_down_and_brings_them_back():
    c = serving_cluster()
    c.zone_outage("zone-a", duration=50)
    assert not c.node("a1").alive and c.node("b1").alive
    assert not c.store.quorum          # 2 of the 3 members were in zone-a
    assert "[-]etcd failed" in c.controlplane.healthz()
    c.run(50)
    assert c.node("a1").alive and c.store.quorum
    assert "healthz check passed" in c.controlplane.healthz()


def test_members_spread_over_three_zones_survive_one_zone():
    c = cluster(NodeSpec("a1", zone="zone-a"), NodeSpec("b1", zone="zone-b"), NodeSpec("c1", zone="zone-c"))
    c.controlplane.configure(["zone-a", "zone-b", "zone-c"])
    c.zone_outage("zone-a")
    assert c.store.quorum
    c.apply(deployment("web", 1, cpu="100m"))
    c.zone_outage("zone-a", recover=True)
    assert c.node("a1").alive
