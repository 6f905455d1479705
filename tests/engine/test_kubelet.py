"""The kubelet: image pulls through the layer cache, start-up, readiness, back-off, termination."""

from kubegame.engine import Image, NodeSpec
from kubegame.testing import make_cluster, pod, service

IMAGES = [
    Image("shop:1.0", size_mb=200, layers=("debian-12",), startup_ticks=5),     # 2 layers of 100 MB
    Image("cart:1.0", size_mb=200, layers=("debian-12",), startup_ticks=2),
    Image("bad:1.0", size_mb=10, startup_ticks=2, crashes=True),
    Image("k:1.0", size_mb=10, startup_ticks=1, crash_on_kernels=("6.8",)),
]


def cluster(**kw):
    return make_cluster(nodes=1, cpu="4", memory="8Gi", images=IMAGES, **kw)


def reasons(c, name):
    return [(e.reason, e.message) for e in c.events if e.name == name]


def test_pull_time_counts_only_missing_layers():
    c = cluster()
    c.apply(pod("a", image="shop:1.0"))
    c.tick()                                    # scheduled + pull starts: 200 MB / 50 MB/s = 4 ticks
    a = c.get("Pod", "default", "a")
    assert a.status_reason() == "ContainerCreating"
    c.run(3)
    assert a.state == "waiting"
    c.tick()
    # no readiness probe: Ready as soon as the container runs (pkg/kubelet/prober/prober_manager.go);
    # the app itself listens only after its start-up time
    assert a.state == "running" and a.ready and not c.kubelet.listening(a, 8080)
    c.run(5)
    assert a.ready and c.kubelet.listening(a, 8080)
    c.apply(pod("b", image="cart:1.0"))         # shares debian-12: only its own 100 MB layer
    c.tick()
    b = c.get("Pod", "default", "b")
    c.run(1)
    assert b.state == "waiting"
    c.tick()
    assert b.state == "running"
    assert ("Pulled", 'Successfully pulled image "cart:1.0" in 2s (2s including waiting). Image size: '
                      '209715200 bytes.') in reasons(c, "b")


def test_cached_image_is_already_present():
    c = cluster()
    c.apply(pod("a", image="cart:1.0"))
    c.run(10)
    c.apply(pod("b", image="cart:1.0"))
    c.tick()
    assert ("Pulled", 'Container image "cart:1.0" already present on machine') in reasons(c, "b")
    assert [r for r, _ in reasons(c, "b")] == ["Scheduled", "Pulled", "Created", "Started"]


def test_unknown_image_goes_err_image_pull_then_image_pull_back_off():
    c = cluster()
    c.apply(pod("typo", image="shop:1.O"))
    c.tick()
    p = c.get("Pod", "default", "typo")
    assert p.status_reason() == "ErrImagePull"
    c.tick()
    assert p.status_reason() == "ImagePullBackOff"
    msgs = [m for r, m in reasons(c, "typo") if r == "Failed"]
    assert msgs[0].startswith('Failed to pull image "shop:1.O": rpc error: code = NotFound')
    assert "Error: ErrImagePull" in msgs and "Error: ImagePullBackOff" in msgs


def test_crash_loop_back_off_doubles_from_10_to_300():
    c = cluster()
    c.apply(pod("bad", image="bad:1.0"))
    p = c.get("Pod", "default", "bad")
    starts = []
    for _ in range(1200):
        c.tick()
        if any(e.reason == "Started" and e.name == "bad" for e in c.tick_events):
            starts.append(c.now)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    # each run lasts startupTicks (2) before exiting; the first restart is immediate (+1 tick)
    assert [g - 2 for g in gaps[:7]] == [1, 10, 20, 40, 80, 160, 300]
    assert p.status_reason() in ("CrashLoopBackOff", "Running")
    assert p.restart_count == len(starts) - 1
    assert not p.ready


def test_crash_on_kernel_only_on_that_kernel():
    c = make_cluster(nodes=0, images=IMAGES)
    c.add_node(NodeSpec("new", cpu="2", memory="4Gi", kernel="6.8"))
    c.add_node(NodeSpec("old", cpu="2", memory="4Gi", kernel="6.1", labels={"k": "old"}))
    c.apply(pod("on-new", image="k:1.0", nodeName="new"))
    c.apply(pod("on-old", image="k:1.0", nodeName="old"))
    c.run(30)
    assert c.get("Pod", "default", "on-new").restart_count > 0
    assert c.get("Pod", "default", "on-old").ready


def test_graceful_termination_leaves_endpoints_at_once_and_ends_when_the_app_stops():
    # kuberuntime_container.go killContainer: SIGTERM, then SIGKILL at the end of the grace period;
    # an app that stops on SIGTERM (stopTicks 1, the default) is gone a tick later
    c = cluster()
    c.apply(pod("web", image="cart:1.0", labels={"app": "web"}))
    c.apply(service("web"))
    c.run(20)
    assert [p.name for p in c.endpoints.endpoints("default", "web")] == ["web"]
    p = c.get("Pod", "default", "web")
    c.delete("Pod", "default", "web")
    c.tick()
    assert c.endpoints.endpoints("default", "web") == []
    assert p.status_reason() == "Terminating"
    c.run(2)
    assert c.get("Pod", "default", "web") is None


def test_an_app_that_ignores_sigterm_runs_to_the_grace_period():
    from kubegame.engine.app import AppModel
    c = make_cluster(nodes=1, images=[Image("stubborn:1.0", startup_ticks=1, app=AppModel(ignores_sigterm=True))])
    c.apply(pod("s", image="stubborn:1.0"))
    c.run(5)
    p = c.get("Pod", "default", "s")
    c.delete("Pod", "default", "s")
    c.run(29)
    assert c.get("Pod", "default", "s") is p and p.status_reason() == "Terminating"
    c.run(2)
    assert c.get("Pod", "default", "s") is None


def test_pod_ips_come_from_the_nodes_slash_24():
    c = make_cluster(nodes=2, images=IMAGES)
    c.apply(pod("a", image="cart:1.0", nodeName="worker-1"))
    c.apply(pod("b", image="cart:1.0", nodeName="worker-2"))
    c.run(2)
    assert c.get("Pod", "default", "a").ip.startswith("10.244.0.")
    assert c.get("Pod", "default", "b").ip.startswith("10.244.1.")
    assert c.node("worker-2").spec["podCIDR"] == "10.244.1.0/24"


def test_job_style_container_completes_with_restart_policy_never():
    images = IMAGES + [Image("batch:1.0", size_mb=10, startup_ticks=1, run_ticks=20)]
    c = make_cluster(nodes=1, images=images)
    c.apply(pod("once", image="batch:1.0", restartPolicy="Never"))
    c.run(40)
    p = c.get("Pod", "default", "once")
    assert p.phase == "Succeeded" and p.status_reason() == "Completed"
    assert c.node("worker-1").pod_count == 0      # a finished pod no longer holds its requests
