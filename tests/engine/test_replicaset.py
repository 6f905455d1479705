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
