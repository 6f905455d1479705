"""StatefulSet controller (pkg/controller/statefulset) and zonal volumes (scheduler VolumeZone)."""

from kit_workloads import cluster, cordon, run_until, template

from kubegame.engine.cluster import NodeSpec
from kubegame.engine.controllers.scheduler import VOLUME_ZONE


def sts(replicas: int = 3, **extra) -> dict:
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
            "spec": {"replicas": replicas, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                     "template": template({"app": "db"}, "db:1.0", cpu="100m"),
                     "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                               "spec": {"accessModes": ["ReadWriteOnce"],
                                                        "resources": {"requests": {"storage": "1Gi"}}}}],
                     **extra}}


def names(c):
    return sorted(p.name for p in c.pods() if p.labels.get("app") == "db" and p.deletion_tick is None)


def test_ordered_ready_creates_pods_one_at_a_time_in_ordinal_order():
    c = cluster("n1", "n2")
    c.apply(sts(3))
    seen: list[list[str]] = []
    for _ in range(60):
        c.tick()
        now = names(c)
        if not seen or seen[-1] != now:
            seen.append(now)
        # db-(i+1) exists only once db-i is Running and Ready
        for i in (1, 2):
            if f"db-{i}" in now:
                prev = c.get("Pod", "default", f"db-{i - 1}")
                assert prev.ready and prev.phase == "Running"
    assert seen[:3] == [["db-0"], ["db-0", "db-1"], ["db-0", "db-1", "db-2"]]
    p = c.get("Pod", "default", "db-1")
    assert p.spec["hostname"] == "db-1" and p.spec["subdomain"] == "db"
    assert p.labels["statefulset.kubernetes.io/pod-name"] == "db-1"
    assert c.get("StatefulSet", "default", "db").status["readyReplicas"] == 3


def test_scale_down_removes_the_highest_ordinal_first():
    c = cluster("n1", "n2")
    c.apply(sts(3))
    run_until(c, lambda: c.get("StatefulSet", "default", "db").status.get("readyReplicas") == 3)
    c.scale("StatefulSet", "default", "db", 1)
    c.tick()
    terminating = [p.name for p in c.pods() if p.deletion_tick is not None]
    assert terminating == ["db-2"]
    run_until(c, lambda: names(c) == ["db-0"] and len(c.pods()) == 1)


def test_volume_claim_templates_make_one_claim_per_pod_bound_in_the_first_nodes_zone():
    c = cluster(NodeSpec("a1", zone="zone-a"), NodeSpec("b1", zone="zone-b"))
    c.apply(sts(2))
    run_until(c, lambda: c.get("StatefulSet", "default", "db").status.get("readyReplicas") == 2)
    for i in (0, 1):
        pvc = c.get("PersistentVolumeClaim", "default", f"data-db-{i}")
        pod = c.get("Pod", "default", f"db-{i}")
        assert pvc.status["phase"] == "Bound"
        pv = c.get("PersistentVolume", "", pvc.spec["volumeName"])
        # the provisioned disk's node affinity pins it to the zone of the first pod's node
        term = pv.spec["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]
        assert term == {"key": "topology.kubernetes.io/zone", "operator": "In",
                        "values": [c.node(pod.node_name).zone]}
        assert pvc.annotations["volume.kubernetes.io/selected-node"] == pod.node_name
        assert pod.spec["volumes"][-1] == {"name": "data", "persistentVolumeClaim": {"claimName": f"data-db-{i}"}}
    msgs = [e.message for e in c.events if e.reason == "SuccessfulCreate" and e.kind == "StatefulSet"]
    assert "create Claim data-db-0 Pod db-0 in StatefulSet db success" in msgs
    assert "create Pod db-0 in StatefulSet db successful" in msgs


def test_a_stateful_pod_can_only_come_back_in_its_volumes_zone():
    c = cluster(NodeSpec("a1", zone="zone-a"), NodeSpec("b1", zone="zone-b"))
    c.apply(sts(1))
    run_until(c, lambda: (p := c.get("Pod", "default", "db-0")) is not None and p.ready)
    pod = c.get("Pod", "default", "db-0")
    home = pod.node_name
    zone = c.node(home).zone
    other = "b1" if home == "a1" else "a1"
    # the home node is cordoned and the pod deleted: the only schedulable node is in the other zone
    cordon(c, home)
    c.delete_pod(pod, grace=0)
    c.run(5)
    again = c.get("Pod", "default", "db-0")
    assert again is not None and not again.node_name
    assert VOLUME_ZONE in again.unschedulable_message
    assert "1 node(s) had volume node affinity conflict" in again.unschedulable_message
    # a new node in the volume's zone takes it
    c.add_node(NodeSpec("new", zone=zone))
    run_until(c, lambda: c.get("Pod", "default", "db-0").ready)
    assert c.get("Pod", "default", "db-0").node_name == "new"
    assert c.get("Pod", "default", "db-0").node_name != other


def test_claims_survive_the_statefulset():
    # persistentVolumeClaimRetentionPolicy Retain (the default)
    c = cluster("n1")
    c.apply(sts(1))
    run_until(c, lambda: c.get("PersistentVolumeClaim", "default", "data-db-0") is not None)
    c.delete("StatefulSet", "default", "db")
    c.run(40)
    assert c.get("PersistentVolumeClaim", "default", "data-db-0") is not None


def test_rolling_update_goes_from_the_highest_ordinal_down():
    c = cluster("n1", "n2")
    c.apply(sts(3))
    run_until(c, lambda: c.get("StatefulSet", "default", "db").status.get("readyReplicas") == 3)
    body = sts(3)
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "web:2.0"
    c.apply(body)
    order = []
    for _ in range(200):
        c.tick()
        for p in c.pods():
            if p.deletion_tick is not None and p.name not in order:
                order.append(p.name)
    assert order == ["db-2", "db-1", "db-0"]
    assert all(p.image == "web:2.0" for p in c.pods())
