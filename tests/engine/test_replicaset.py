"""ReplicaSet controller (pkg/controller/replicaset) and its deletion order (controller.ActivePodsWithRanks)."""

import re

from kubegame.engine import NodeSpec
from kubegame.testing import make_cluster


def rs_body(replicas, cpu="250m", image="shop:1.0"):
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "shop"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "shop"}},
                     "template": {"metadata": {"labels": {"app": "shop"}},
                                  "spec": {"containers": [{"name": "shop", "image": image,
                                                           "resources": {"requests": {"cpu": cpu}}}]}}}}


def test_creates_replicas_with_generated_names_and_events():
    c = make_cluster()
    c.apply(rs_body(3))
    events = c.tick()
    pods = c.pods("default")
    assert len(pods) == 3
    for p in pods:
        # generateName "shop-" + 5 characters of k8s.io/apimachinery/pkg/util/rand's alphabet
        assert re.fullmatch(r"shop-[bcdfghjklmnpqrstvwxz2456789]{5}", p.name)
    created = [e.message for e in events if e.reason == "SuccessfulCreate"]
    assert sorted(created) == sorted(f"Created pod: {p.name}" for p in pods)


def test_deleted_pod_is_replaced():
    c = make_cluster()
    c.apply(rs_body(2))
    c.run(20)
    victim = c.pods("default")[0]
    c.delete_pod(victim, grace=0)
    c.tick()
    names = [p.name for p in c.pods("default")]
    assert victim.name not in names and len(names) == 2


def test_scale_down_removes_unscheduled_pods_first():
    c = make_cluster(nodes=1, cpu="1")
    c.apply(rs_body(6, cpu="300m"))       # room for 3 on the node; 3 stay Pending
    c.run(20)
    pending = {p.name for p in c.pods("default") if not p.node_name}
    assert len(pending) == 3
    c.scale("ReplicaSet", "default", "shop", 3)
    c.tick()
    left = [p for p in c.pods("default") if p.active]
    assert len(left) == 3 and all(p.node_name for p in left)
    assert not pending & {p.name for p in left}


def test_scale_down_prefers_not_ready_then_colocated_pods():
    c = make_cluster(nodes=2, cpu="4")
    c.apply(rs_body(2))
    c.run(20)
    assert all(p.ready for p in c.pods("default"))
    c.add_node(NodeSpec("worker-3", cpu="4", memory="4Gi"))
    c.scale("ReplicaSet", "default", "shop", 3)
    c.run(2)                                # the new pod exists but is not Ready yet
    newest = max(c.pods("default"), key=lambda p: p.creation_tick)
    assert not newest.ready
    c.scale("ReplicaSet", "default", "shop", 2)
    c.tick()
    assert newest.terminating or c.get("Pod", "default", newest.name) is None


def test_status_counts_ready_and_available():
    c = make_cluster()
    c.apply(rs_body(3))
    c.run(20)
    rs = c.get("ReplicaSet", "default", "shop")
    assert rs.status == {"availableReplicas": 3, "fullyLabeledReplicas": 3, "observedGeneration": 1,
                         "readyReplicas": 3, "replicas": 3}


def test_generated_pod_names_are_cut_to_63_characters():
    """apiserver/pkg/storage/names/generate.go: a generateName base longer than 58 characters is
    cut to 58, then the 5 random characters follow, so a pod name is at most 63."""
    from kubegame.testing import deployment, make_cluster
    c = make_cluster()
    name = "a-very-long-deployment-name-that-goes-on-and-on-and-on-and-on"     # 61 characters
    c.apply(deployment(name, replicas=2))
    c.tick()
    pods = c.pods()
    assert len(pods) == 2
    rs_name = c.list("ReplicaSet")[0].name
    assert len(rs_name) > 58
    for p in pods:
        assert len(p.name) == 63 and p.name[:58] == rs_name[:58]


def test_logarithmic_scale_down_treats_similar_ages_alike():
    """controller_utils.go ActivePodsWithRanks.Less with LogarithmicScaleDown: ready times
    compare by int(log2(age in ns)); 100 s and 120 s share bucket 36, so the UID decides,
    while 10 s (bucket 33) against 120 s goes by age."""
    from kubegame.engine.controllers.replicaset import _log_rank, deleted_first
    assert _log_rank(0, 100) == _log_rank(0, 120) == 36 and _log_rank(0, 10) == 33
    c = make_cluster(nodes=2, cpu="4")
    c.apply(rs_body(2))
    c.run(20)
    a, b = sorted(c.pods("default"), key=lambda p: p.uid)
    now = 200
    a.ready_tick, b.ready_tick = now - 100, now - 120      # a is younger but in the same bucket
    colocated = {a.node_name: 1, b.node_name: 1}
    assert deleted_first(a, b, colocated, now) and not deleted_first(b, a, colocated, now)
    a.ready_tick, b.ready_tick = now - 120, now - 10       # b is much younger: b goes first
    assert deleted_first(b, a, colocated, now) and not deleted_first(a, b, colocated, now)


def test_scale_down_counts_the_deployments_other_replicasets_on_the_node():
    """getPodsRankedByRelatedPodsOnSameNode: the rank of a pod is the number of active pods of
    all the Deployment's ReplicaSets on its node, and the more doubled-up pod goes first."""
    from kubegame import kubectl
    from kubegame.engine.controllers.replicaset import deleted_first
    from kubegame.testing import deployment
    c = make_cluster(nodes=3, cpu="4", memory="8Gi")
    c.apply(deployment("web", replicas=3))
    c.run(30)
    old_rs = c.list("ReplicaSet", "default")[0]
    assert kubectl.run(c, "kubectl set image deployment/web web=shop:1.1").exit_code == 0
    c.run(2)                                   # the new ReplicaSet's first pod is up, the old pods remain
    new_rs = next(r for r in c.list("ReplicaSet", "default") if r is not old_rs)
    new_pods = [p for p in c.store.owned_by(new_rs.uid) if p.node_name]
    everyone = [p for p in c.pods("default") if p.active and p.node_name]
    related = c.replicasets._related_per_node(new_rs, new_pods)
    assert related == {n: sum(1 for p in everyone if p.node_name == n) for n in related}
    assert sum(related.values()) > len(new_pods)              # the old ReplicaSet's pods count too
    old_pods = [p for p in c.store.owned_by(old_rs.uid) if p.active and p.ready]
    a, b = next((x, y) for x in old_pods for y in old_pods if x.node_name != y.node_name)
    colocated = {a.node_name: 1, b.node_name: 2}
    assert deleted_first(b, a, colocated, c.now) and not deleted_first(a, b, colocated, c.now)
