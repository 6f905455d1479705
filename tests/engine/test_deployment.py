"""Deployment controller against Kubernetes' rules (pkg/controller/deployment, deployment/util)."""

import re

import pytest

from kubegame.engine import Image
from kubegame.engine.controllers.deployment import resolve_fenceposts
from kubegame.testing import deployment, make_cluster, service
from kubegame.testing.builders import DEFAULT_IMAGES


def set_image(cluster, name, image):
    body = cluster.render(cluster.get("Deployment", "default", name))
    body["spec"]["template"]["spec"]["containers"][0]["image"] = image
    cluster.update(body)


def app_pods(cluster, name):
    return [p for p in cluster.pods("default") if p.labels.get("app") == name and p.active]


@pytest.mark.parametrize("surge,unavailable,replicas,expected", [
    ("25%", "25%", 10, (3, 2)),      # maxSurge rounds up, maxUnavailable rounds down
    ("25%", "25%", 4, (1, 1)),
    ("25%", "25%", 1, (1, 0)),
    (0, 0, 5, (0, 1)),                # both 0: unavailable becomes 1 (ResolveFenceposts)
    ("50%", 0, 3, (2, 0)),
])
def test_fenceposts_follow_resolve_fenceposts(surge, unavailable, replicas, expected):
    assert resolve_fenceposts(surge, unavailable, replicas) == expected


def test_default_strategy_is_rolling_update_25_percent():
    c = make_cluster()
    c.apply(deployment("shop"))
    d = c.get("Deployment", "default", "shop")
    assert d.spec["strategy"] == {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert d.spec["revisionHistoryLimit"] == 10 and d.spec["progressDeadlineSeconds"] == 600


def test_rolling_update_of_10_keeps_within_surge_3_and_unavailable_2():
    c = make_cluster(nodes=4, cpu="8", memory="16Gi")
    c.apply(deployment("shop", replicas=10))
    c.run(30)
    assert len([p for p in app_pods(c, "shop") if p.ready]) == 10
    set_image(c, "shop", "shop:1.1")
    saw_new = False
    for _ in range(200):
        c.tick()
        pods = app_pods(c, "shop")
        assert len(pods) <= 13
        assert sum(1 for p in pods if p.ready) >= 8
        saw_new = saw_new or any(p.image == "shop:1.1" for p in pods)
    pods = app_pods(c, "shop")
    assert saw_new and len(pods) == 10 and all(p.image == "shop:1.1" and p.ready for p in pods)
    d = c.get("Deployment", "default", "shop")
    assert d.annotations["deployment.kubernetes.io/revision"] == "2"
    assert d.status["updatedReplicas"] == 10


def test_recreate_never_runs_old_and_new_pods_together():
    c = make_cluster()
    c.apply(deployment("shop", replicas=3, strategy={"type": "Recreate"}))
    c.run(30)
    set_image(c, "shop", "shop:1.1")
    for _ in range(120):
        c.tick()
        images = {p.image for p in c.pods("default") if p.labels.get("app") == "shop"}
        assert len(images) <= 1
    assert [p.image for p in app_pods(c, "shop")] == ["shop:1.1"] * 3


def test_scaling_events_use_kubernetes_wording():
    c = make_cluster()
    c.apply(deployment("shop", replicas=3))
    events = c.tick()
    msgs = [e.message for e in events if e.reason == "ScalingReplicaSet"]
    assert len(msgs) == 1
    assert re.fullmatch(r"Scaled up replica set shop-[bcdfghjklmnpqrstvwxz2456789]+ from 0 to 3", msgs[0])


def test_rs_name_carries_pod_template_hash_label():
    c = make_cluster()
    c.apply(deployment("shop"))
    c.tick()
    (rs,) = c.list("ReplicaSet", "default")
    h = rs.labels["pod-template-hash"]
    assert rs.name == f"shop-{h}"
    assert rs.spec["selector"]["matchLabels"] == {"app": "shop", "pod-template-hash": h}
    assert rs.owner_references[0]["kind"] == "Deployment" and rs.owner_references[0]["controller"] is True


def test_undo_reuses_the_old_replicaset_and_bumps_its_revision():
    c = make_cluster()
    c.apply(deployment("shop", replicas=2))
    c.run(20)
    set_image(c, "shop", "shop:1.1")
    c.run(60)
    assert len(c.list("ReplicaSet", "default")) == 2
    set_image(c, "shop", "shop:1.0")       # what `kubectl rollout undo` does: copy the old template back
    c.run(60)
    rss = c.list("ReplicaSet", "default")
    assert len(rss) == 2
    revs = sorted(int(r.annotations["deployment.kubernetes.io/revision"]) for r in rss)
    assert revs == [2, 3]
    d = c.get("Deployment", "default", "shop")
    assert d.annotations["deployment.kubernetes.io/revision"] == "3"
    assert all(p.image == "shop:1.0" for p in app_pods(c, "shop"))


def test_revision_history_limit_deletes_oldest_idle_replicasets():
    c = make_cluster(nodes=3, cpu="4", memory="8Gi",
                     images=[*DEFAULT_IMAGES, *[Image(f"shop:2.{i}", size_mb=10) for i in range(5)]])
    c.apply(deployment("shop", replicas=1, revisionHistoryLimit=2))
    c.run(20)
    for i in range(5):
        set_image(c, "shop", f"shop:2.{i}")
        c.run(40)
    rss = c.list("ReplicaSet", "default")
    assert len(rss) == 3                     # the current one + 2 kept for undo
    assert max(int(r.annotations["deployment.kubernetes.io/revision"]) for r in rss) == 6


def test_paused_deployment_does_not_roll_out_until_resumed():
    c = make_cluster()
    c.apply(deployment("shop", replicas=2))
    c.run(20)
    d = c.get("Deployment", "default", "shop")
    body = c.render(d)
    body["spec"]["paused"] = True
    body["spec"]["template"]["spec"]["containers"][0]["image"] = "shop:1.1"
    c.update(body)
    c.run(40)
    assert len(c.list("ReplicaSet", "default")) == 1
    cond = {x["type"]: x for x in c.get("Deployment", "default", "shop").status["conditions"]}
    assert cond["Progressing"]["reason"] == "DeploymentPaused"
    body = c.render(c.get("Deployment", "default", "shop"))
    body["spec"]["paused"] = False
    c.update(body)
    c.run(60)
    assert all(p.image == "shop:1.1" for p in app_pods(c, "shop"))


def test_progress_deadline_exceeded_on_a_release_that_never_becomes_ready():
    c = make_cluster()
    c.apply(deployment("shop", replicas=2, progressDeadlineSeconds=60))
    c.run(20)
    set_image(c, "shop", "shop:bad")
    c.run(120)
    cond = {x["type"]: x for x in c.get("Deployment", "default", "shop").status["conditions"]}
    assert cond["Progressing"]["status"] == "False"
    assert cond["Progressing"]["reason"] == "ProgressDeadlineExceeded"
    assert re.fullmatch(r'ReplicaSet "shop-\w+" has timed out progressing\.', cond["Progressing"]["message"])
    # the old pods keep serving: maxUnavailable 25% of 2 rounds down to 0
    assert sum(1 for p in app_pods(c, "shop") if p.ready and p.image == "shop:1.0") == 2


def test_available_condition_and_status_counts():
    c = make_cluster()
    c.apply(deployment("shop", replicas=3))
    c.apply(service("shop"))
    c.run(30)
    st = c.get("Deployment", "default", "shop").status
    assert (st["replicas"], st["readyReplicas"], st["availableReplicas"], st["updatedReplicas"]) == (3, 3, 3, 3)
    cond = {x["type"]: x for x in st["conditions"]}
    assert cond["Available"]["reason"] == "MinimumReplicasAvailable"
    assert cond["Progressing"]["reason"] == "NewReplicaSetAvailable"


def test_scaling_mid_rollout_is_proportional():
    # sync.go scale(): with two active ReplicaSets, a scale-up is shared in proportion to their
    # sizes (GetProportion over the max-replicas annotation), the leftover to the largest
    c = make_cluster(nodes=4, cpu="8", memory="16Gi")
    c.apply(deployment("shop", replicas=10, strategy={"type": "RollingUpdate",
                                                      "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}}))
    c.run(30)
    set_image(c, "shop", "shop:bad")       # a rollout that can never finish: both RSs stay active
    c.run(20)
    sizes = {r.spec["template"]["spec"]["containers"][0]["image"]: r.spec["replicas"]
             for r in c.list("ReplicaSet", "default")}
    assert sizes == {"shop:1.0": 8, "shop:bad": 5}      # 13 = 10 + surge 3
    c.scale("Deployment", "default", "shop", 20)
    c.tick()
    sizes = {r.spec["template"]["spec"]["containers"][0]["image"]: r.spec["replicas"]
             for r in c.list("ReplicaSet", "default")}
    # allowed 20 + 3 = 23: +10 shared 8:5 of 13 -> old 8*23/13 = 14.15 -> 14, new 5*23/13 = 8.8 -> 9
    assert sizes == {"shop:1.0": 14, "shop:bad": 9}
    assert all(r.annotations["deployment.kubernetes.io/desired-replicas"] == "20"
               for r in c.list("ReplicaSet", "default"))


def test_a_rollout_after_a_long_quiet_spell_gets_its_whole_progress_deadline():
    """pkg/controller/deployment/util/deployment_util.go DeploymentTimedOut measures from the
    Progressing condition's lastUpdateTime, which NewReplicaSetCreated sets to now: a
    Deployment stable for longer than progressDeadlineSeconds is not timed out by its next rollout."""
    from kubegame import kubectl
    c = make_cluster(nodes=3, cpu="4", memory="8Gi")
    c.apply(deployment("web", replicas=3))
    c.run(700)
    assert kubectl.run(c, "kubectl set image deployment/web web=shop:1.1").exit_code == 0
    for _ in range(30):
        c.tick()
        prog = next(x for x in c.get("Deployment", "default", "web").status["conditions"] if x["type"] == "Progressing")
        assert prog["reason"] != "ProgressDeadlineExceeded"
    c.run(60)
    r = kubectl.run(c, "kubectl rollout status deployment/web")
    assert r.exit_code == 0 and r.output.endswith('deployment "web" successfully rolled out\n')


def test_same_template_is_equal_ignoring_the_hash_without_a_copy():
    """The controller's copy-free comparison answers as template_without_hash(...) == ... does
    (EqualIgnoreHash, pkg/controller/deployment/util/deployment_util.go)."""
    from hypothesis import given
    from hypothesis import strategies as st

    from kubegame.engine.controllers.deployment import HASH_LABEL, same_template, template_without_hash
    labels = st.dictionaries(st.sampled_from(["app", HASH_LABEL, "tier"]), st.sampled_from(["a", "b"]), max_size=3)
    meta = st.fixed_dictionaries({}, optional={"labels": labels, "annotations": labels})
    tpl = st.fixed_dictionaries({}, optional={"metadata": meta, "spec": st.sampled_from([{"a": 1}, {"a": 2}])})

    @given(tpl, tpl)
    def check(a, b):
        assert same_template(a, b) == (template_without_hash(a) == b)
    check()
