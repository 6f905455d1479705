"""Pods that behave like real pods (issue 14): the app model, probes, ports, limits and OOMKilled,
QoS and memory-pressure eviction, pull policy, graceful stop, init containers and sidecars.

Each test names the Kubernetes source it follows (v1.37): pkg/kubelet/prober (prober.go,
worker.go, prober_manager.go), pkg/kubelet/images/image_manager.go, pkg/kubelet/eviction
(helpers.go), pkg/kubelet/kuberuntime (kuberuntime_container.go), pkg/apis/core/v1/helper/qos,
pkg/printers/internalversion/printers.go (printPod).
"""

from __future__ import annotations

import pytest

from kubegame import kubectl
from kubegame.engine import Cluster, Image, NodeSpec
from kubegame.engine.app import AppModel
from kubegame.engine.objects import qos_class

IMAGES = [
    Image("web:1.0", size_mb=20, startup_ticks=3, capacity_rps=50),
    Image("web:admin", size_mb=20, startup_ticks=3, capacity_rps=50, app=AppModel(http=(("/", 200), ("/healthz", 404)))),
    Image("db:1.0", size_mb=20, startup_ticks=2, capacity_rps=50, app=AppModel(listens=(5432,))),
    Image("grpc:1.0", size_mb=20, startup_ticks=1, app=AppModel(listens=(9000,), grpc_health=True)),
    Image("hungry:1.0", size_mb=20, startup_ticks=1, app=AppModel(memory_mb=300)),
    Image("leaky:1.0", size_mb=20, startup_ticks=1, app=AppModel(memory_mb=50, leak_mb_per_tick=10)),
    Image("cpu:1.0", size_mb=20, startup_ticks=1, capacity_rps=100, app=AppModel(cpu_per_rps_m=10)),
    Image("conf:1.0", size_mb=20, startup_ticks=1, app=AppModel(needs_env=("DB_URL",), files=("/tmp/healthy",))),
    Image("slow-stop:1.0", size_mb=20, startup_ticks=1, app=AppModel(stop_ticks=5)),
    Image("stubborn:1.0", size_mb=20, startup_ticks=1, app=AppModel(ignores_sigterm=True)),
    Image("job:1.0", size_mb=5, startup_ticks=1, run_ticks=3),
    Image("fail:1.0", size_mb=5, startup_ticks=1, run_ticks=2, exit_code=1),
]


def cluster(nodes: int = 1, memory: str = "8Gi") -> Cluster:
    c = Cluster(7, images=IMAGES)
    for i in range(nodes):
        c.add_node(NodeSpec(f"node-{i + 1}", cpu="4", memory=memory))
    return c


def pod(name: str, image: str = "web:1.0", labels: dict | None = None, **container) -> dict:
    c = {"name": "app", "image": image, **container}
    spec_keys = {k: container.pop(k) for k in list(container) if k in ("initContainers", "restartPolicy",
                                                                     "terminationGracePeriodSeconds")}
    for k in spec_keys:
        c.pop(k, None)
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {"app": name}},
            "spec": {"containers": [c], **spec_keys}}


def svc(name: str, target, port: int = 80) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": port, "targetPort": target}]}}


def row(c: Cluster, name: str) -> list[str]:
    out = kubectl.run(c, f"kubectl get pod {name} --no-headers").output.split()
    return out[:3]


def events(c: Cluster, name: str) -> list[tuple[str, str]]:
    return [(e.reason, e.message) for e in c.events if e.name == name]


# -- readiness (prober/worker.go, prober.go) ------------------------------------------------------

def test_a_readiness_probe_on_a_port_the_app_does_not_listen_on_keeps_the_pod_out():
    c = cluster()
    c.apply(pod("web", readinessProbe={"httpGet": {"path": "/healthz", "port": 9999}, "periodSeconds": 2},
                ports=[{"containerPort": 8080}]))
    c.apply(svc("web", 8080))
    c.run(20)
    p = c.get("Pod", "default", "web")
    assert row(c, "web") == ["web", "0/1", "Running"]
    assert c.endpoints.endpoints("default", "web") == []
    assert ("Unhealthy", f'Readiness probe failed: Get "http://{p.ip}:9999/healthz": dial tcp {p.ip}:9999: '
                         "connect: connection refused") in events(c, "web")
    ev = next(e for e in c.events if e.name == "web" and e.reason == "Unhealthy")
    assert ev.field_path == "spec.containers{app}" and ev.type == "Warning"


def test_no_readiness_probe_means_ready_at_start_and_refused_until_the_app_listens():
    # prober_manager.go: without a readiness probe a started container is ready
    c = cluster()
    c.apply(pod("web"))
    c.apply(svc("web", 8080))
    c.traffic.set_demand("web", service=("default", "web"), rps=10)
    c.run(2)
    p = c.get("Pod", "default", "web")
    assert p.ready and not c.kubelet.listening(p, 8080)
    assert c.traffic.last[("default", "web")].served == 0          # requests reach a pod that is not up
    c.run(4)
    assert c.kubelet.listening(p, 8080) and c.traffic.last[("default", "web")].served == 10


def test_a_readiness_probe_that_passes_after_start_up():
    c = cluster()
    c.apply(pod("web", readinessProbe={"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1}))
    c.run(3)
    assert not c.get("Pod", "default", "web").ready
    c.run(4)
    assert row(c, "web") == ["web", "1/1", "Running"]


def test_a_failing_readiness_probe_holds_a_rollout_until_the_progress_deadline():
    # pkg/controller/deployment/rolling.go (maxUnavailable counts unready pods), progress.go;
    # kubectl/pkg/polymorphichelpers/rollout_status.go
    from kubegame.testing.builders import deployment
    c = cluster(nodes=2)
    d = deployment("web", replicas=3, image="web:1.0", cpu="100m", progressDeadlineSeconds=30,
                   strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
    d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1}
    c.apply(d)
    c.run(15)
    assert kubectl.run(c, "kubectl rollout status deployment/web").output.strip() == \
        'deployment "web" successfully rolled out'
    assert kubectl.run(c, "kubectl set image deployment/web web=web:admin").exit_code == 0
    c.run(10)
    rows = [ln.split() for ln in kubectl.run(c, "kubectl get pods --no-headers").output.splitlines()]
    assert sorted(r[1] for r in rows) == ["0/1", "1/1", "1/1", "1/1"]     # one surge pod, never Ready
    assert kubectl.run(c, "kubectl rollout status deployment/web").output.strip() == \
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...'
    c.run(30)
    r = kubectl.run(c, "kubectl rollout status deployment/web")
    assert r.exit_code == 1 and r.error.strip() == 'error: deployment "web" exceeded its progress deadline'
    assert sorted(ln.split()[1] for ln in kubectl.run(c, "kubectl get pods --no-headers").output.splitlines()) \
        == ["0/1", "1/1", "1/1", "1/1"]


# -- liveness and startup ---------------------------------------------------------------------------

def test_a_liveness_probe_that_gets_404_restarts_the_container_with_back_off():
    c = cluster()
    c.apply(pod("admin", image="web:admin", livenessProbe={"httpGet": {"path": "/healthz", "port": 8080},
                                                           "periodSeconds": 2, "failureThreshold": 2}))
    c.run(120)
    p = c.get("Pod", "default", "admin")
    evs = events(c, "admin")
    assert ("Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404") in evs
    assert ("Killing", "Container app failed liveness probe, will be restarted") in evs
    assert p.restart_count >= 2
    assert any(r == "BackOff" for r, _ in evs)                     # CrashLoopBackOff between restarts
    d = kubectl.run(c, "kubectl describe pod admin").output
    # describe.go describeContainerProbe
    # describe.go describeProbe in kubectl 1.37: successThreshold= and failureThreshold= spelled out
    assert ("    Liveness:       http-get http://:8080/healthz delay=0s timeout=1s period=2s successThreshold=1 "
            "failureThreshold=2\n") in d


def test_a_startup_probe_holds_liveness_and_readiness_until_it_passes():
    c = cluster()
    c.apply(pod("web", startupProbe={"tcpSocket": {"port": 8080}, "periodSeconds": 1, "failureThreshold": 30},
                livenessProbe={"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 1,
                               "failureThreshold": 1}))
    c.run(12)
    p = c.get("Pod", "default", "web")
    assert p.ready and p.restart_count == 0          # liveness never ran while the app started
    kinds = [m.split(" probe")[0] for r, m in events(c, "web") if r == "Unhealthy"]
    assert kinds and set(kinds) == {"Startup"}


def test_a_startup_probe_that_never_passes_restarts_the_container():
    c = cluster()
    c.apply(pod("web", startupProbe={"tcpSocket": {"port": 1234}, "periodSeconds": 1, "failureThreshold": 3}))
    c.run(10)
    assert ("Killing", "Container app failed startup probe, will be restarted") in events(c, "web")
    assert c.get("Pod", "default", "web").restart_count >= 1


def test_exec_tcp_grpc_and_named_port_probes():
    c = cluster()
    c.apply(pod("ok-exec", image="conf:1.0", env=[{"name": "DB_URL", "value": "x"}],
                readinessProbe={"exec": {"command": ["cat", "/tmp/healthy"]}, "periodSeconds": 1}))
    c.apply(pod("bad-exec", image="conf:1.0", env=[{"name": "DB_URL", "value": "x"}],
                readinessProbe={"exec": {"command": ["cat", "/tmp/nope"]}, "periodSeconds": 1}))
    c.apply(pod("db", image="db:1.0", ports=[{"containerPort": 5432, "name": "pg"}],
                readinessProbe={"tcpSocket": {"port": "pg"}, "periodSeconds": 1}))
    c.apply(pod("grpc", image="grpc:1.0", readinessProbe={"grpc": {"port": 9000}, "periodSeconds": 1}))
    c.apply(pod("nogrpc", image="web:1.0", readinessProbe={"grpc": {"port": 8080}, "periodSeconds": 1}))
    c.run(10)
    ready = {p.name: p.ready for p in c.pods()}
    assert ready == {"ok-exec": True, "bad-exec": False, "db": True, "grpc": True, "nogrpc": False}
    assert ("Unhealthy", "Readiness probe failed: cat: can't open '/tmp/nope': No such file or directory") \
        in events(c, "bad-exec")
    assert ("Unhealthy", "Readiness probe failed: rpc error: code = Unimplemented desc = unknown service "
                         "grpc.health.v1.Health") in events(c, "nogrpc")


def test_probe_defaults_are_kubernetes_defaults():
    c = cluster()
    c.apply(pod("web", livenessProbe={"httpGet": {"port": 8080}}))
    probe = c.get("Pod", "default", "web").spec["containers"][0]["livenessProbe"]
    assert probe == {"httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                     "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


# -- ports --------------------------------------------------------------------------------------------

def test_a_target_port_the_app_does_not_listen_on_has_endpoints_but_every_request_fails():
    c = cluster()
    c.apply(pod("web", ports=[{"containerPort": 8080}]))
    c.apply(svc("web", 9090))
    c.apply(pod("tmp", image="busybox:1.36", labels={"app": "tmp"}))
    c.traffic.set_demand("web", service=("default", "web"), rps=10)
    c.run(10)
    assert [p.name for p in c.endpoints.endpoints("default", "web")] == ["web"]
    s = c.traffic.last[("default", "web")]
    assert (s.arrived, s.served) == (10, 0)
    r = kubectl.run(c, "kubectl exec tmp -- wget -qO- http://web")
    assert r.exit_code == 1 and "Connection refused" in r.error


def test_a_named_target_port_resolves_to_the_container_port():
    c = cluster()
    c.apply(pod("web", ports=[{"containerPort": 8080, "name": "http"}]))
    c.apply(svc("web", "http"))
    c.traffic.set_demand("web", service=("default", "web"), rps=10)
    c.run(10)
    assert c.traffic.last[("default", "web")].served == 10
    c.apply(pod("other", labels={"app": "web"}))                    # no port named http: not an endpoint
    c.run(10)
    assert [p.name for p in c.endpoints.endpoints("default", "web")] == ["web"]


# -- resources ---------------------------------------------------------------------------------------

def test_memory_over_the_limit_is_oomkilled_with_exit_code_137():
    c = cluster()
    c.apply(pod("hungry", image="hungry:1.0", resources={"limits": {"memory": "256Mi"}}))
    c.run(4)
    p = c.get("Pod", "default", "hungry")
    assert p.main.reason == "OOMKilled" or (p.main.last_state or {}).get("reason") == "OOMKilled"
    c.run(30)
    assert p.restart_count >= 2
    assert p.main.last_state["reason"] == "OOMKilled" and p.main.last_state["exitCode"] == 137
    d = kubectl.run(c, "kubectl describe pod hungry").output
    assert "Last State:" in d and "OOMKilled" in d and "137" in d
    statuses = {row(c, "hungry")[2]}
    for _ in range(40):
        c.tick()
        statuses.add(row(c, "hungry")[2])
    assert {"OOMKilled", "CrashLoopBackOff"} <= statuses


def test_a_leak_is_killed_when_it_crosses_the_limit():
    c = cluster()
    c.apply(pod("leaky", image="leaky:1.0", resources={"limits": {"memory": "100Mi"}}))
    c.run(2)
    p = c.get("Pod", "default", "leaky")
    started = p.main.started_tick
    assert started is not None
    # 50 MiB + 10 MiB a tick passes 100 MiB five ticks after the start; the container is killed then
    while c.now < started + 4:
        c.tick()
        assert p.main.state == "running" and row(c, "leaky")[2] == "Running"
    c.tick()
    assert (p.main.state, p.main.reason, p.main.exit_code) == ("terminated", "OOMKilled", 137)
    assert row(c, "leaky")[2] == "OOMKilled"
    c.tick()                                                       # the first restart is immediate
    assert p.main.state == "running" and p.main.last_state["reason"] == "OOMKilled"
    assert p.restart_count == 1


def test_a_cpu_limit_throttles_what_a_pod_serves():
    c = cluster()
    c.apply(pod("cpu", image="cpu:1.0", resources={"limits": {"cpu": "200m"}}))      # 200m / 10m = 20 rps
    c.apply(svc("cpu", 8080))
    c.traffic.set_demand("cpu", service=("default", "cpu"), rps=50)
    c.run(10)
    s = c.traffic.last[("default", "cpu")]
    assert s.served == 20 and s.failed == 30
    top = kubectl.run(c, "kubectl top pod cpu").output
    assert top.split("\n")[1].split()[:2] == ["cpu", "200m"]       # never more than its limit


def test_a_throttled_pod_answers_slower_than_an_unthrottled_one():
    c = cluster()
    c.apply(pod("slow", image="cpu:1.0", resources={"limits": {"cpu": "200m"}}))
    c.apply(pod("fast", image="cpu:1.0"))
    c.apply(svc("slow", 8080))
    c.apply(svc("fast", 8080))
    c.traffic.set_demand("slow", service=("default", "slow"), rps=15)
    c.traffic.set_demand("fast", service=("default", "fast"), rps=15)
    c.run(10)
    slow, fast = c.traffic.last[("default", "slow")], c.traffic.last[("default", "fast")]
    assert slow.served == fast.served == 15
    assert slow.latency_ms > 3 * fast.latency_ms                     # 15 of 20 rps vs 15 of 100 rps


@pytest.mark.parametrize("resources,qos", [
    ({}, "BestEffort"),
    ({"requests": {"cpu": "100m"}}, "Burstable"),
    ({"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m", "memory": "64Mi"}}, "Burstable"),
    ({"limits": {"cpu": "100m", "memory": "64Mi"}}, "Guaranteed"),
    ({"requests": {"cpu": "0.1", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}, "Guaranteed"),
])
def test_qos_classes(resources, qos):
    assert qos_class({"containers": [{"name": "a", "image": "x", "resources": resources}]}) == qos
    c = cluster()
    c.apply(pod("p", resources=resources))
    lines = kubectl.run(c, "kubectl describe pod p").output.splitlines()
    assert [ln.split() for ln in lines if ln.startswith("QoS Class:")] == [["QoS", "Class:", qos]]


def test_memory_pressure_evicts_best_effort_before_guaranteed():
    c = cluster(memory="900Mi")
    c.apply(pod("besteffort", image="hungry:1.0"))
    c.apply(pod("guaranteed", image="hungry:1.0", resources={"limits": {"cpu": "100m", "memory": "400Mi"}}))
    c.apply(pod("burstable", image="hungry:1.0", resources={"requests": {"memory": "100Mi"}}))
    c.run(40)
    pods = {p.name: p for p in c.pods()}
    assert pods["besteffort"].phase == "Failed" and pods["besteffort"].reason == "Evicted"
    assert pods["guaranteed"].phase == "Running"
    msg = pods["besteffort"].status_message
    assert msg.startswith("The node was low on resource: memory. Threshold quantity: 100Mi, available: ")
    assert "Container app was using 307200Ki, request is 0, has larger consumption of memory." in msg
    assert row(c, "besteffort")[2] == "ContainerStatusUnknown"
    d = kubectl.run(c, "kubectl describe pod besteffort").output
    assert "Status:           Failed" in d and "Reason:           Evicted" in d
    assert ("Evicted", msg) in events(c, "besteffort")
    node = c.node("node-1")
    assert node.memory_pressure
    cond = {x["type"]: x for x in c.render(node)["status"]["conditions"]}
    assert cond["MemoryPressure"]["status"] == "True"
    assert {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure"} in node.taints


# -- pull policy (images/image_manager.go) ---------------------------------------------------------------

def test_pull_policy_never_without_the_image_is_err_image_never_pull():
    c = cluster()
    c.apply(pod("p", imagePullPolicy="Never"))
    c.run(5)
    p = c.get("Pod", "default", "p")
    assert row(c, "p")[2] == "ErrImageNeverPull"
    assert p.main.message == 'Container image "web:1.0" is not present with pull policy of Never'
    assert ("ErrImageNeverPull", 'Container image "web:1.0" is not present with pull policy of Never') in events(c, "p")


def test_latest_defaults_to_always_and_always_pulls_even_when_cached():
    c = cluster()
    c.apply(pod("a", image="busybox:latest"))
    assert c.get("Pod", "default", "a").spec["containers"][0]["imagePullPolicy"] == "Always"
    c.run(5)
    c.apply(pod("b", image="busybox:latest"))
    c.run(5)
    assert ("Pulling", 'Pulling image "busybox:latest"') in events(c, "b")
    c.apply(pod("c", image="busybox:1.36"))
    c.run(5)
    c.apply(pod("d", image="busybox:1.36"))
    c.run(3)
    assert ("Pulled", 'Container image "busybox:1.36" already present on machine') in events(c, "d")


# -- stopping (kuberuntime_container.go) ------------------------------------------------------------------

def test_stop_time_sigterm_ignored_and_prestop_sleep():
    c = cluster()
    c.apply(pod("slow", image="slow-stop:1.0"))
    c.apply(pod("stubborn", image="stubborn:1.0", terminationGracePeriodSeconds=12))
    c.apply(pod("hook", lifecycle={"preStop": {"sleep": {"seconds": 6}}}))
    c.run(5)
    for name in ("slow", "stubborn", "hook"):
        c.delete("Pod", "default", name)
        assert row(c, name)[2] == "Terminating"
    gone = {}
    for _ in range(20):
        c.tick()
        for name in ("slow", "stubborn", "hook"):
            if name not in gone and c.get("Pod", "default", name) is None:
                gone[name] = c.now
    start = c.now - 20
    assert gone["slow"] - start == 5            # its own stop time
    assert gone["stubborn"] - start == 12       # the grace period, then SIGKILL
    assert gone["hook"] - start == 7            # the preStop sleep, then 1 tick to stop


# -- init containers and sidecars --------------------------------------------------------------------------

def test_init_containers_run_in_order_and_show_init_status():
    c = cluster()
    c.apply(pod("p", initContainers=[{"name": "one", "image": "job:1.0"}, {"name": "two", "image": "job:1.0"}]))
    seen = []
    for _ in range(20):
        c.tick()
        s = row(c, "p")[2]
        if not seen or seen[-1] != s:
            seen.append(s)
    # kubelet_pods.go: containers not yet created wait as PodInitializing in a pod with init containers
    assert seen == ["Init:0/2", "Init:1/2", "PodInitializing", "Running"]
    described = kubectl.run(c, "kubectl describe pod p").output
    assert "Init Containers:\n  one:\n" in described and "      Reason:       Completed\n" in described


def test_a_failing_init_container_crash_loops():
    c = cluster()
    c.apply(pod("p", initContainers=[{"name": "migrate", "image": "fail:1.0"}]))
    statuses = set()
    for _ in range(60):
        c.tick()
        statuses.add(row(c, "p")[2])
    assert "Init:Error" in statuses and "Init:CrashLoopBackOff" in statuses


def test_an_init_container_that_waits_for_a_service():
    c = cluster()
    wait = {"name": "wait", "image": "busybox:1.36",
            "command": ["sh", "-c", "until nslookup db; do echo waiting; sleep 2; done"]}
    c.apply(pod("app", initContainers=[wait]))
    c.run(20)
    assert row(c, "app")[2] == "Init:0/1"
    c.apply(svc("db", 5432, port=5432))
    c.run(10)
    assert row(c, "app")[2] == "Running"


def test_a_native_sidecar_keeps_running_and_counts_as_a_container():
    c = cluster()
    side = {"name": "proxy", "image": "web:1.0", "restartPolicy": "Always"}
    c.apply(pod("p", initContainers=[side]))
    c.run(15)
    r = row(c, "p")
    assert r[1] == "2/2" and r[2] == "Running"
    p = c.get("Pod", "default", "p")
    assert p.init_containers[0].running


def test_needs_env_missing_exits_1_and_crash_loops():
    c = cluster()
    c.apply(pod("conf", image="conf:1.0"))
    statuses = set()
    for _ in range(40):
        c.tick()
        statuses.add(row(c, "conf")[2])
    assert {"Error", "CrashLoopBackOff"} <= statuses
    assert c.get("Pod", "default", "conf").main.last_state["exitCode"] == 1


def test_completed_and_error_statuses():
    c = cluster()
    c.apply(pod("done", image="job:1.0", restartPolicy="Never"))
    c.apply(pod("broke", image="fail:1.0", restartPolicy="Never"))
    c.run(10)
    assert row(c, "done")[2] == "Completed" and row(c, "broke")[2] == "Error"
    assert c.get("Pod", "default", "done").phase == "Succeeded"
    assert c.get("Pod", "default", "broke").phase == "Failed"
