"""`PodMachine`: a Hypothesis state machine over pods that behave like real pods.

It draws pods (alone and in Deployments) with readiness, liveness and startup probes of
every handler, memory and CPU requests and limits, pull policies, grace periods and
preStop hooks, over images whose app models listen on some ports, answer some paths,
leak memory or ignore SIGTERM; it puts Services and traffic in front of them, deletes
pods and ticks. After every tick it checks the engine's invariants (`Monitor`) and the
kubelet's, each from the app model the slow, obvious way rather than the kubelet's books:

- a pod whose readiness probe can never pass is never a Service endpoint;
- a container never stays over its memory limit for a whole tick without being
  OOMKilled, and `top`'s figure for it never exceeds the limit;
- a Guaranteed pod is never evicted for memory while a BestEffort pod on its node runs;
- `imagePullPolicy: Never` never pulls, and `Always` pulls for every start;
- a deleted pod is gone by its grace period (plus the tick the kubelet needs), and an app
  that stops on SIGTERM without a preStop hook is gone after its own stop time.

Sources: pkg/kubelet/prober (worker.go), pkg/kubelet/eviction (helpers.go, rankMemoryPressure),
pkg/kubelet/images/image_manager.go, pkg/kubelet/kuberuntime/kuberuntime_container.go.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kubegame.engine import Cluster, Image, NodeSpec
from kubegame.engine.app import AppModel
from kubegame.engine.objects import Pod, qos_class
from kubegame.engine.quantity import memory_bytes
from kubegame.testing import faults
from kubegame.testing.invariants import Monitor, _fail

IMAGES = (
    Image("web:1.0", size_mb=20, startup_ticks=2, capacity_rps=50, app=AppModel(files=("/tmp/healthy",))),
    Image("admin:1.0", size_mb=20, startup_ticks=1, capacity_rps=50,
          app=AppModel(http=(("/", 200), ("/healthz", 404)))),
    Image("db:1.0", size_mb=30, startup_ticks=3, capacity_rps=50, app=AppModel(listens=(5432,), memory_mb=200)),
    Image("hungry:1.0", size_mb=20, startup_ticks=1, capacity_rps=50, app=AppModel(memory_mb=300)),
    Image("leaky:1.0", size_mb=20, startup_ticks=1, capacity_rps=50,
          app=AppModel(memory_mb=60, leak_mb_per_tick=15)),
    Image("busy:1.0", size_mb=20, startup_ticks=1, capacity_rps=100,
          app=AppModel(memory_mb=40, memory_per_rps_mb=4, cpu_per_rps_m=10)),
    Image("stubborn:1.0", size_mb=20, startup_ticks=1, capacity_rps=50, app=AppModel(ignores_sigterm=True)),
    Image("slow-stop:1.0", size_mb=20, startup_ticks=1, capacity_rps=50, app=AppModel(stop_ticks=4)),
)
IMAGE_NAMES = tuple(i.name for i in IMAGES)
APPS = {i.name: i.app for i in IMAGES}
TIERS = ("web", "api")
MEMORY = ("", "64Mi", "128Mi", "256Mi", "512Mi")
CPU = ("", "100m", "250m", "500m")


# -- what a pod's manifest may say --------------------------------------------------------------

def probes() -> st.SearchStrategy[dict]:
    """A probe of any handler, some that can pass against the images above and some that never can."""
    handler = st.one_of(
        st.builds(lambda path, port: {"httpGet": {"path": path, "port": port}},
                  st.sampled_from(["/", "/healthz", "/nope"]), st.sampled_from([8080, 9999, "http"])),
        st.builds(lambda port: {"tcpSocket": {"port": port}}, st.sampled_from([8080, 5432, 1234, "http"])),
        st.builds(lambda f: {"exec": {"command": ["cat", f]}}, st.sampled_from(["/tmp/healthy", "/tmp/nope"])),
        st.builds(lambda port: {"grpc": {"port": port}}, st.sampled_from([8080, 5432])),
    )
    timing = st.fixed_dictionaries({}, optional={
        "initialDelaySeconds": st.integers(0, 5), "periodSeconds": st.integers(1, 5),
        "failureThreshold": st.integers(1, 4), "successThreshold": st.just(1), "timeoutSeconds": st.integers(1, 3)})
    return st.builds(lambda h, t: {**h, **t}, handler, timing)


def resources() -> st.SearchStrategy[dict]:
    """Requests and limits for every QoS class: none, requests only, requests below or equal to limits."""
    def build(req_cpu: str, req_mem: str, lim_cpu: str, lim_mem: str) -> dict:
        out: dict[str, dict] = {}
        if req_cpu or req_mem:
            out["requests"] = {k: v for k, v in (("cpu", req_cpu), ("memory", req_mem)) if v}
        if lim_cpu or lim_mem:
            out["limits"] = {k: v for k, v in (("cpu", lim_cpu), ("memory", lim_mem)) if v}
            # a request above its limit is invalid: make it fit, as a level author would
            for k in ("cpu", "memory"):
                req, lim = out.get("requests", {}).get(k), out["limits"].get(k)
                if req and lim and _amount(k, req) > _amount(k, lim):
                    out["requests"][k] = lim
        return out
    return st.builds(build, st.sampled_from(CPU), st.sampled_from(MEMORY), st.sampled_from(CPU),
                     st.sampled_from(MEMORY))


def _amount(kind: str, q: str) -> int:
    from kubegame.engine.quantity import cpu_millis
    return cpu_millis(q) if kind == "cpu" else memory_bytes(q)


@st.composite
def containers(draw: Any, name: str = "app") -> dict:
    image = draw(st.sampled_from(IMAGE_NAMES))
    c: dict[str, Any] = {"name": name, "image": image, "ports": [{"containerPort": 8080, "name": "http"}]}
    for field in ("readinessProbe", "livenessProbe", "startupProbe"):
        if draw(st.booleans()):
            probe = draw(probes())
            if field == "startupProbe":
                probe["failureThreshold"] = max(probe.get("failureThreshold", 3), 10)
            c[field] = probe
    res = draw(resources())
    if res:
        c["resources"] = res
    policy = draw(st.sampled_from([None, "Always", "IfNotPresent", "Never"]))
    if policy:
        c["imagePullPolicy"] = policy
    if draw(st.booleans()):
        c["lifecycle"] = {"preStop": draw(st.sampled_from([
            {"sleep": {"seconds": 3}}, {"exec": {"command": ["sleep", "2"]}},
            {"httpGet": {"path": "/", "port": 8080}}]))}
    return c


# -- what the app model says a probe can do ------------------------------------------------------

def _port(container: dict, port: Any) -> int | None:
    if isinstance(port, int):
        return port
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return int(p["containerPort"])
    return None


def probe_can_pass(app: AppModel, container: dict, probe: dict) -> bool:
    """Could this probe ever succeed against this app? (the oracle; prober.go's handlers)."""
    if "httpGet" in probe:
        port = _port(container, probe["httpGet"].get("port"))
        return port is not None and app.listens_on(port) and 200 <= app.http_status(
            probe["httpGet"].get("path") or "/") < 400
    if "tcpSocket" in probe:
        port = _port(container, probe["tcpSocket"].get("port"))
        return port is not None and app.listens_on(port)
    if "grpc" in probe:
        return app.listens_on(int(probe["grpc"]["port"])) and app.grpc_health
    if "exec" in probe:
        argv = probe["exec"].get("command") or []
        return argv[:1] == ["cat"] and all(f in app.files for f in argv[1:])
    return True


class PodMachine(RuleBasedStateMachine):
    """Random pods with probes, limits and pull policies; the kubelet's invariants after each tick."""

    fault = ""          # a kubegame.testing.faults name to install (to test the tests)

    def __init__(self) -> None:
        super().__init__()
        self.cluster = Cluster(seed=0, images=list(IMAGES))
        self.monitor = Monitor(self.cluster)
        self.count = 0
        self.over: dict[tuple, int] = {}           # (pod key, container, started_tick) -> tick seen over its limit
        self.evicted: set[tuple[str, str]] = set()
        self.deleted: dict[tuple[str, str], tuple[int, int]] = {}   # pod key -> (deletion tick, deadline)
        self.pulls: dict[tuple, int] = {}          # (pod, container) -> Pulling events seen

    @initialize(seed=st.integers(0, 2**16), memory=st.lists(st.sampled_from(["1Gi", "2Gi", "4Gi"]),
                                                             min_size=1, max_size=3))
    def start(self, seed: int, memory: list[str]) -> None:
        self.cluster = Cluster(seed=seed, images=list(IMAGES))
        self.monitor = Monitor(self.cluster)
        if self.fault:
            faults.install(self.cluster, self.fault)
        for i, mem in enumerate(memory):
            self.cluster.add_node(NodeSpec(f"node-{i + 1}", cpu="4", memory=mem))

    # -- rules ---------------------------------------------------------------------------------
    @rule(data=st.data(), tier=st.sampled_from(TIERS), grace=st.sampled_from([None, 0, 5, 12]),
          sidecar=st.booleans())
    def create_pod(self, data: Any, tier: str, grace: int | None, sidecar: bool) -> None:
        self.count += 1
        spec: dict[str, Any] = {"containers": [data.draw(containers())]}
        if grace is not None:
            spec["terminationGracePeriodSeconds"] = grace
        if sidecar:
            spec["initContainers"] = [{**data.draw(containers("proxy")), "restartPolicy": "Always"}]
            spec["initContainers"][0]["ports"] = [{"containerPort": 9090, "name": "proxy"}]
        self.cluster.apply({"apiVersion": "v1", "kind": "Pod",
                            "metadata": {"name": f"pod-{self.count}", "labels": {"tier": tier}}, "spec": spec})

    @rule(data=st.data(), tier=st.sampled_from(TIERS), replicas=st.integers(1, 3))
    def create_deployment(self, data: Any, tier: str, replicas: int) -> None:
        self.count += 1
        name = f"deploy-{self.count}"
        self.cluster.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                                     "template": {"metadata": {"labels": {"app": name, "tier": tier}},
                                                  "spec": {"containers": [data.draw(containers())]}}}})

    @rule(tier=st.sampled_from(TIERS), port=st.sampled_from([8080, "http", 5432]), rps=st.integers(0, 120))
    def expose(self, tier: str, port: Any, rps: int) -> None:
        if self.cluster.get("Service", "default", tier) is None:
            self.cluster.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": tier},
                                "spec": {"selector": {"tier": tier}, "ports": [{"port": 80, "targetPort": port}]}})
        self.cluster.traffic.set_demand(tier, service=("default", tier), rps=rps)

    @precondition(lambda self: self.cluster.pods())
    @rule(data=st.data(), force=st.booleans())
    def delete_pod(self, data: Any, force: bool) -> None:
        pod = data.draw(st.sampled_from(self.cluster.pods()))
        if pod.deletion_tick is not None:
            return
        self.cluster.delete("Pod", pod.namespace, pod.name, 0 if force else None)
        after = self.cluster.get("Pod", pod.namespace, pod.name)
        if after is not None and after.deletion_tick is not None:
            grace = int(after.spec.get("terminationGracePeriodSeconds", 30))
            self.deleted[(pod.namespace, pod.name)] = (after.deletion_tick, after.deletion_tick + max(1, grace) + 1)

    @rule(n=st.integers(1, 12))
    def tick(self, n: int) -> None:
        for _ in range(n):
            self.monitor.before_tick()
            self.cluster.tick()
            self.monitor.after_tick()
            self.check_after_tick()

    # -- the kubelet's invariants --------------------------------------------------------------
    def check_after_tick(self) -> None:
        self.check_memory_limits()
        self.check_evictions()
        self.check_pulls()
        self.check_deletions()

    @invariant()
    def a_pod_whose_readiness_probe_can_never_pass_is_never_an_endpoint(self) -> None:
        for svc in self.cluster.list("Service", "default"):
            for pod in self.cluster.endpoints.endpoints("default", svc.name):
                for c in pod.containers + [s for s in pod.init_containers if s.sidecar]:
                    probe = c.spec.get("readinessProbe")
                    if probe and not probe_can_pass(APPS[c.image], c.spec, probe):
                        _fail(f"{pod.name} is an endpoint of {svc.name} but its readiness probe {probe} "
                              "can never pass")

    def check_memory_limits(self) -> None:
        kubelet = self.cluster.kubelet
        now = self.cluster.now
        seen: dict[tuple, int] = {}
        for pod in self.cluster.pods():
            # the limit the manifest asks for, not the kubelet's copy of it
            limits = {c.name: memory_bytes(((c.spec.get("resources") or {}).get("limits") or {}).get("memory", 0))
                      for c in pod.all_containers}
            limited = [c for c in pod.all_containers if c.running and limits[c.name]]
            for c in limited:
                key = (pod.key, c.name, c.started_tick)
                if kubelet.demand(pod, c) > limits[c.name]:
                    since = self.over.get(key, now)
                    if since < now:
                        _fail(f"{pod.name}/{c.name} has been over its memory limit since tick {since} "
                              "and is still running")
                    seen[key] = since
            if limited and len(limited) == sum(1 for c in pod.all_containers if c.running):
                if kubelet.working_set(pod) > sum(limits[c.name] for c in limited):
                    _fail(f"{pod.name} is shown using more memory than its containers' limits")
        self.over = seen

    def check_evictions(self) -> None:
        for pod in self.cluster.pods():
            if pod.reason != "Evicted" or pod.key in self.evicted:
                continue
            self.evicted.add(pod.key)
            if qos_class(pod.spec) != "Guaranteed":
                continue
            for other in self.cluster.store.pods_on(pod.node_name).values():
                if isinstance(other, Pod) and other.phase == "Running" and other.reason != "Evicted" \
                        and qos_class(other.spec) == "BestEffort" and other.main.running:
                    _fail(f"Guaranteed {pod.name} was evicted while BestEffort {other.name} runs on "
                          f"{pod.node_name}")

    def check_pulls(self) -> None:
        pulling: dict[tuple, int] = {}
        started: dict[tuple, int] = {}
        for ev in self.cluster.events:
            if ev.kind != "Pod" or not ev.field_path:
                continue
            key = (ev.name, ev.field_path)
            if ev.reason == "Pulling":
                pulling[key] = pulling.get(key, 0) + ev.count
            elif ev.reason == "Started":
                started[key] = started.get(key, 0) + ev.count
        for pod in self.cluster.pods():
            for c in pod.all_containers:
                path = f"spec.{'initContainers' if c.init else 'containers'}{{{c.name}}}"
                key = (pod.name, path)
                policy = c.spec.get("imagePullPolicy")
                if policy == "Never" and pulling.get(key):
                    _fail(f"{pod.name}/{c.name} has imagePullPolicy Never but was pulled")
                if policy == "Always" and started.get(key, 0) > pulling.get(key, 0):
                    _fail(f"{pod.name}/{c.name} has imagePullPolicy Always but started "
                          f"{started[key]} times after {pulling.get(key, 0)} pulls")

    def check_deletions(self) -> None:
        now = self.cluster.now
        for key, (since, deadline) in list(self.deleted.items()):
            pod = self.cluster.get("Pod", *key)
            if pod is None or pod.deletion_tick != since:
                self.deleted.pop(key)
                continue
            if now > deadline:
                _fail(f"{key[1]} was deleted at tick {since} and still exists at {now} (deadline {deadline})")
            c = pod.main
            app = APPS.get(c.image)
            if app is not None and not app.ignores_sigterm and not c.spec.get("lifecycle") and c.running \
                    and now > since + app.stop_ticks + 2:
                _fail(f"{key[1]}'s app stops {app.stop_ticks} ticks after SIGTERM but still runs at {now}")
