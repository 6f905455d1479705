"""`ClusterMachine`: a Hypothesis RuleBasedStateMachine over a cluster.

It adds nodes, creates Deployments, Services, DaemonSets, StatefulSets, Jobs,
HorizontalPodAutoscalers and PodDisruptionBudgets, scales, rolls out new images, runs
random kubectl commands (`commands()`), evicts pods, fails and recovers nodes and etcd
members, and ticks. After every tick it checks the engine's invariants
(`kubegame.testing.invariants.Monitor`): capacity, endpoints, traffic, ownership, HPA
bounds, no eviction breaks a PodDisruptionBudget, nothing but kubelet status changes
without etcd quorum; `settle` checks convergence (Deployments reach their spec,
DaemonSets cover every eligible node, HPAs keep their target within bounds).

Subclass it to add rules and invariants of your own:

    class MyMachine(ClusterMachine):
        @invariant()
        def no_pod_without_ip_once_running(self):
            for p in self.cluster.pods():
                assert p.phase != "Running" or p.ip

    TestMyMachine = MyMachine.TestCase
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kubegame import kubectl
from kubegame.engine import Cluster, Image, NodeSpec
from kubegame.engine.controllers.deployment import resolve_fenceposts
from kubegame.engine.errors import ApiError
from kubegame.kubectl.parser import parse
from kubegame.kubectl.stream import advance
from kubegame.testing.builders import deployment, service
from kubegame.testing.invariants import Monitor, assert_invariants, check_daemonsets_converged
from kubegame.testing.placement import watch_binds
from kubegame.testing.strategies import commands, manifests, quantities_cpu, strategies_rolling

APPS = ("shop", "cart", "api")
IMAGES = (
    Image("app:1.0", size_mb=60, layers=("debian-12",), startup_ticks=3, capacity_rps=50),
    Image("app:1.1", size_mb=60, layers=("debian-12",), startup_ticks=6, capacity_rps=50),
    Image("app:1.2", size_mb=300, startup_ticks=2, capacity_rps=80),
    Image("app:bad", size_mb=60, layers=("debian-12",), startup_ticks=3, capacity_rps=50, crashes=True),
)
WORKLOAD_IMAGES = (
    Image("agent:1.0", size_mb=10, startup_ticks=1, capacity_rps=0),
    Image("batch:1.0", size_mb=20, startup_ticks=1, capacity_rps=0, run_ticks=10),
)
GOOD_IMAGES = ("app:1.0", "app:1.1", "app:1.2")      # long-running releases that become Ready
DAEMONSETS = ("agent", "logs")
STATEFULSETS = ("db",)
JOBS = ("migrate", "report")
ETCD_LAYOUTS = (("zone-a",), ("zone-a", "zone-a", "zone-b"), ("zone-a", "zone-b", "zone-c", "zone-a", "zone-b"))


# how a Deployment's pods keep apart: required anti-affinity or DoNotSchedule spreading, by
# node or zone; "" for neither
PLACEMENTS = ("", "", "anti-host", "anti-zone", "spread-host", "spread-zone", "affinity-host")


def placed(body: dict, placement: str) -> None:
    """Give a Deployment's pod template the named placement rule."""
    if not placement:
        return
    app = body["metadata"]["name"]
    spec = body["spec"]["template"]["spec"]
    kind, where = placement.split("-")
    key = "kubernetes.io/hostname" if where == "host" else "topology.kubernetes.io/zone"
    term = {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}
    if kind == "anti":
        spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    elif kind == "affinity":
        spec["affinity"] = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    else:
        spec["topologySpreadConstraints"] = [{"maxSkew": 1, "whenUnsatisfiable": "DoNotSchedule", **term}]


class ClusterMachine(RuleBasedStateMachine):
    """Random clusters, workloads, rollouts and failures; the engine's invariants after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.cluster = Cluster(seed=0, images=list(IMAGES + WORKLOAD_IMAGES))
        self.monitor = Monitor(self.cluster)
        self.node_count = 0
        # Deployments whose rollout began fully available with no failure since: the
        # RollingUpdate bounds must hold for them (name -> (replicas, surge, unavailable))
        self.guarded: dict[str, tuple[int, int, int]] = {}
        self.running: Any = None          # the last kubectl command, while it runs on the clock

    @initialize(seed=st.integers(0, 2**16), n=st.integers(1, 4), etcd=st.sampled_from(ETCD_LAYOUTS))
    def start(self, seed: int, n: int, etcd: tuple[str, ...]) -> None:
        self.cluster = Cluster(seed=seed, images=list(IMAGES + WORKLOAD_IMAGES))
        self.running = None
        self.cluster.controlplane.configure(list(etcd))
        self.monitor = Monitor(self.cluster)
        watch_binds(self.cluster)         # every bind against the anti-affinity and spread rules
        for _ in range(n):
            self._add_node("4", "8Gi", "zone-a")

    # -- helpers ---------------------------------------------------------------------------
    def _add_node(self, cpu: str, memory: str, zone: str) -> None:
        self.node_count += 1
        self.cluster.add_node(NodeSpec(f"node-{self.node_count}", cpu=cpu, memory=memory, zone=zone))

    def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call an API write; without etcd quorum it must fail with ApiError (then None)."""
        try:
            return fn(*args, **kwargs)
        except ApiError as exc:
            if exc.reason == "Forbidden" and exc.code == 403:
                return None        # admission refused it (a quota, a LimitRange): what the API server may do
            if self.cluster.store.quorum:
                raise
            return None

    @property
    def quorum(self) -> bool:
        return self.cluster.store.quorum

    def deployments(self) -> list[str]:
        return [d.name for d in self.cluster.list("Deployment", "default")]

    def names(self, kind: str) -> list[str]:
        return [o.name for o in self.cluster.list(kind, "default")]

    def autoscaled(self) -> set[str]:
        return {(h.spec.get("scaleTargetRef") or {}).get("name", "") for h in self.cluster.list("HorizontalPodAutoscaler")}

    def fully_available(self, name: str) -> bool:
        d = self.cluster.get("Deployment", "default", name)
        assert d is not None
        want = int(d.spec.get("replicas", 1))
        pods = [p for p in self.cluster.pods("default") if p.labels.get("app") == name and p.active]
        return len(pods) == want and all(p.ready for p in pods) and all(
            (self.cluster.node(p.node_name) or NodeSpec("x")).alive for p in pods if p.node_name)

    def _interrupt(self) -> None:
        self.guarded.clear()

    def step_tick(self) -> None:
        """One tick with every invariant checked around it (and the running kubectl command stepped)."""
        self.monitor.before_tick()
        self.cluster.tick()
        if self.running is not None and not self.running.done:
            advance(self.running, self.cluster)      # a drain retrying, a wait, a rollout status
        self.check_rollout_bounds()
        self.check_zone_tainting()
        self.monitor.after_tick()

    def check_zone_tainting(self) -> None:
        """No NoExecute unreachable taint is added in a zone of at most 50 nodes in partial
        disruption, nor anywhere when every zone is fully disrupted (node_lifecycle_controller.go),
        the zones' states recounted from the nodes."""
        from kubegame.engine.controllers.nodelifecycle import FULL, PARTIAL, UNREACHABLE, compute_zone_state
        from kubegame.engine.objects import timestamp
        counts: dict[str, list[int]] = {}
        for n in self.cluster.nodes():
            counts.setdefault(n.zone, [0, 0])[0 if n.ready_status == "True" else 1] += 1
        states = {z: compute_zone_state(r, nr) for z, (r, nr) in counts.items()}
        now = timestamp(self.cluster.now)
        for n in self.cluster.nodes():
            if not any(t.get("key") == UNREACHABLE and t.get("effect") == "NoExecute" and t.get("timeAdded") == now
                       for t in n.taints):
                continue
            size = sum(counts[n.zone])
            assert not (states[n.zone] == PARTIAL and size <= 50), \
                f"{n.name} tainted NoExecute while {n.zone} ({size} nodes) is in partial disruption"
            assert not all(st == FULL for st in states.values()), \
                f"{n.name} tainted NoExecute while every zone is fully disrupted"

    # -- rules: nodes and Deployments --------------------------------------------------------
    @rule(cpu=st.sampled_from(["1", "2", "4"]), memory=st.sampled_from(["2Gi", "4Gi", "8Gi"]),
          zone=st.sampled_from(["zone-a", "zone-b"]))
    def add_node(self, cpu: str, memory: str, zone: str) -> None:
        self.write(self._add_node, cpu, memory, zone)

    @rule(app=st.sampled_from(APPS), replicas=st.integers(0, 6), cpu=quantities_cpu(),
          strategy=st.one_of(st.none(), strategies_rolling(), st.just({"type": "Recreate"})),
          placement=st.sampled_from(PLACEMENTS))
    def create_deployment(self, app: str, replicas: int, cpu: str, strategy: dict | None,
                          placement: str = "") -> None:
        if self.cluster.get("Deployment", "default", app) is None:
            body = deployment(app, replicas=replicas, image="app:1.0", cpu=cpu, strategy=strategy)
            placed(body, placement)
            if self.write(self.cluster.apply, body) is None:
                return
            self.write(self.cluster.apply, service(app))
            self.cluster.traffic.set_demand(app, service=("default", app), rps=40 * max(1, replicas))

    @precondition(lambda self: self.deployments())
    @rule(data=st.data(), replicas=st.integers(0, 8))
    def scale(self, data, replicas: int) -> None:
        name = data.draw(st.sampled_from(self.deployments()))
        self.guarded.pop(name, None)
        self.write(self.cluster.scale, "Deployment", "default", name, replicas)

    @precondition(lambda self: self.deployments())
    @rule(data=st.data(), image=st.sampled_from([i.name for i in IMAGES]))
    def rollout(self, data, image: str) -> None:
        name = data.draw(st.sampled_from(self.deployments()))
        d = self.cluster.get("Deployment", "default", name)
        assert d is not None
        body = self.cluster.render(d)
        body["spec"]["template"]["spec"]["containers"][0]["image"] = image
        strategy = d.spec.get("strategy") or {}
        starting_clean = self.fully_available(name) and strategy.get("type") == "RollingUpdate" \
            and name not in self.guarded and not self._rolling(name) and name not in self.autoscaled() \
            and self.quorum
        if self.write(self.cluster.update, body) is None:
            self.guarded.pop(name, None)
            return
        if starting_clean:
            replicas = int(d.spec["replicas"])
            ru = strategy.get("rollingUpdate") or {}
            surge, unavailable = resolve_fenceposts(ru.get("maxSurge"), ru.get("maxUnavailable"), replicas)
            self.guarded[name] = (replicas, surge, min(unavailable, replicas))
        else:
            self.guarded.pop(name, None)

    def _rolling(self, name: str) -> bool:
        rss = [r for r in self.cluster.list("ReplicaSet", "default") if r.labels.get("app") == name]
        return sum(1 for r in rss if int(r.spec.get("replicas", 0)) > 0) > 1

    @precondition(lambda self: any(n.alive for n in self.cluster.nodes()))
    @rule(data=st.data())
    def fail_node(self, data) -> None:
        name = data.draw(st.sampled_from([n.name for n in self.cluster.nodes() if n.alive]))
        self._interrupt()
        self.cluster.fail_node(name)

    @precondition(lambda self: any(not n.alive for n in self.cluster.nodes()))
    @rule(data=st.data())
    def recover_node(self, data) -> None:
        name = data.draw(st.sampled_from([n.name for n in self.cluster.nodes() if not n.alive]))
        self._interrupt()
        self.cluster.recover_node(name)

    @precondition(lambda self: self.cluster.pods())
    @rule(data=st.data(), force=st.booleans())
    def delete_pod(self, data, force: bool) -> None:
        pod = data.draw(st.sampled_from(self.cluster.pods()))
        self._interrupt()
        self.write(self.cluster.delete, "Pod", pod.namespace, pod.name, 0 if force else None)

    # -- rules: the other workloads ----------------------------------------------------------
    @rule(data=st.data(), name=st.sampled_from(DAEMONSETS))
    def create_daemonset(self, data, name: str) -> None:
        if self.cluster.get("DaemonSet", "default", name) is None:
            self.write(self.cluster.apply, data.draw(manifests("DaemonSet", name=name, image_names=("agent:1.0",))))

    @rule(data=st.data(), name=st.sampled_from(STATEFULSETS))
    def create_statefulset(self, data, name: str) -> None:
        if self.cluster.get("StatefulSet", "default", name) is None:
            self.write(self.cluster.apply, data.draw(manifests("StatefulSet", name=name, image_names=GOOD_IMAGES)))

    @precondition(lambda self: self.names("StatefulSet"))
    @rule(data=st.data(), replicas=st.integers(0, 5))
    def scale_statefulset(self, data, replicas: int) -> None:
        name = data.draw(st.sampled_from(self.names("StatefulSet")))
        self.write(self.cluster.scale, "StatefulSet", "default", name, replicas)

    @rule(data=st.data(), name=st.sampled_from(JOBS))
    def create_job(self, data, name: str) -> None:
        if self.cluster.get("Job", "default", name) is None:
            self.write(self.cluster.apply, data.draw(manifests("Job", name=name,
                                                                image_names=("batch:1.0", "app:bad"))))

    @precondition(lambda self: [d for d in self.deployments() if d not in self.autoscaled()])
    @rule(data=st.data())
    def create_hpa(self, data) -> None:
        name = data.draw(st.sampled_from([d for d in self.deployments() if d not in self.autoscaled()]))
        body = data.draw(manifests("HorizontalPodAutoscaler", name=name, target=name))
        body["spec"]["scaleTargetRef"]["kind"] = "Deployment"
        self.guarded.pop(name, None)
        self.write(self.cluster.apply, body)

    @precondition(lambda self: self.deployments())
    @rule(data=st.data())
    def create_pdb(self, data) -> None:
        name = data.draw(st.sampled_from(self.deployments()))
        if self.cluster.get("PodDisruptionBudget", "default", f"{name}-pdb") is None:
            self.write(self.cluster.apply, data.draw(manifests("PodDisruptionBudget", name=f"{name}-pdb",
                                                                target=name)))

    @rule(data=st.data(), kind=st.sampled_from(["ResourceQuota", "LimitRange", "CronJob"]))
    def create_policy(self, data, kind: str) -> None:
        """A quota, a LimitRange or a CronJob in the default namespace (check_quotas then holds every tick)."""
        name = {"ResourceQuota": "compute", "LimitRange": "limits", "CronJob": "nightly"}[kind]
        if self.cluster.get(kind, "default", name) is not None:
            return
        body = data.draw(manifests(kind, name=name, image_names=("batch:1.0",)))
        if kind == "ResourceQuota":
            # a quota may be made below what is used (it only holds back what comes next); the machine
            # makes it at or above, so that check_quotas holds from then on
            from kubegame.engine.controllers.resourcequota import count_usage, hard_amount
            used = count_usage(self.cluster, "default")
            if any(used.get(r, 0) > hard_amount(r, v) for r, v in body["spec"]["hard"].items()):
                return
        self.write(self.cluster.apply, body)

    @rule(data=st.data(), kind=st.sampled_from(["PersistentVolume", "PersistentVolumeClaim", "StorageClass",
                                                 "Pod", "delete"]))
    def storage(self, data, kind: str) -> None:
        """A volume, a claim, a class, a pod mounting a claim, or a claim deleted (check_volumes then
        holds every tick: a bound claim's volume satisfies it)."""
        name = data.draw(st.sampled_from(["shop", "cart", "api"]))
        if kind == "delete":
            claims = [c.name for c in self.cluster.list("PersistentVolumeClaim", "default")]
            if claims:
                self.write(self.cluster.delete, "PersistentVolumeClaim", "default", data.draw(st.sampled_from(claims)))
            return
        if kind == "Pod":
            body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"{name}-user"},
                    "spec": {"containers": [{"name": "app", "image": "batch:1.0"}],
                             "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": f"{name}-data"}}]}}
        else:
            body = data.draw(manifests(kind, name=name))
        md = body["metadata"]
        if self.cluster.get(kind, md.get("namespace", "default"), md["name"]) is None:
            self.write(self.cluster.create, body)

    @rule(data=st.data(), delete=st.booleans())
    def network_policy(self, data, delete: bool) -> None:
        """A NetworkPolicy applied or deleted (check_network_policies then holds every tick: no
        request the policies deny is served)."""
        if delete:
            names = [p.name for p in self.cluster.list("NetworkPolicy", "default")]
            if names:
                self.write(self.cluster.delete, "NetworkPolicy", "default", data.draw(st.sampled_from(names)))
            return
        name = data.draw(st.sampled_from(["shop", "cart", "api"]))
        self.write(self.cluster.apply, data.draw(manifests("NetworkPolicy", name=name, target=name)))

    @precondition(lambda self: any(p.node_name for p in self.cluster.pods()))
    @rule(data=st.data())
    def evict(self, data) -> None:
        """The Eviction API (what drain uses): refused with 429 when a PDB would break; the guard
        installed by Monitor fails the test if an eviction it allowed broke one."""
        pod = data.draw(st.sampled_from([p for p in self.cluster.pods() if p.node_name]))
        self._interrupt()
        try:
            self.cluster.evict(pod)
        except ApiError as exc:
            assert exc.code in (429, 500, 503, 404) or not self.quorum, exc

    @precondition(lambda self: self.cluster.nodes())
    @rule(data=st.data())
    def kubectl(self, data) -> None:
        """A random kubectl command for the objects that exist (commands()): it parses, never crashes."""
        line = data.draw(commands(self.cluster))
        parse(line)                      # no usage error
        if self.running is not None:
            self.running.interrupt()         # a new command: the running one was stopped (Ctrl-C)
        res = kubectl.run(self.cluster, line)
        assert "internal error" not in res.error, (line, res.error)
        self.running = res.stream
        if res.exit_code == 0 and not line.startswith(("kubectl get", "kubectl describe", "kubectl top")):
            self._interrupt()

    # -- rules: etcd --------------------------------------------------------------------------
    @precondition(lambda self: self.cluster.controlplane.healthy > 0)
    @rule(count=st.integers(1, 3))
    def fail_etcd(self, count: int) -> None:
        self._interrupt()
        self.cluster.controlplane.fail_members(count)

    @precondition(lambda self: self.cluster.controlplane.healthy < self.cluster.controlplane.size)
    @rule(count=st.integers(1, 3))
    def recover_etcd(self, count: int) -> None:
        self._interrupt()
        self.cluster.controlplane.recover_members(count)

    # -- time ----------------------------------------------------------------------------------
    @rule(n=st.integers(1, 60))
    def tick(self, n: int) -> None:
        for _ in range(n):
            self.step_tick()

    @rule()
    def settle(self) -> None:
        """Recover every node and etcd member and wait: each Deployment converges to its spec where
        capacity allows, every DaemonSet covers its eligible nodes, every HPA keeps its target in bounds."""
        for n in self.cluster.nodes():
            if not n.alive:
                self.cluster.recover_node(n.name)
        self.cluster.controlplane.recover_members(self.cluster.controlplane.size)
        self._interrupt()
        for _ in range(700):
            self.step_tick()
        assert_invariants(self.cluster)
        check_daemonsets_converged(self.cluster)
        autoscaled = self.autoscaled()
        for d in self.cluster.list("Deployment", "default"):
            pods = [p for p in self.cluster.pods("default") if p.labels.get("app") == d.name and p.active]
            pending = [p for p in pods if not p.node_name]
            image = d.spec["template"]["spec"]["containers"][0]["image"]
            if pending or image not in GOOD_IMAGES or d.name in autoscaled or self._refused(d):
                continue          # no room (nodes or quota), a release that never stays Ready, or an HPA moving it
            want = int(d.spec["replicas"])
            rss = [r for r in self.cluster.store.owned_by(d.uid) if r.kind == "ReplicaSet"]
            assert sum(int(r.spec.get("replicas", 0)) for r in rss) == want, f"{d.name} did not converge: RS sizes"
            assert len(pods) == want and all(p.ready and p.image == image for p in pods), \
                f"{d.name}: {[(p.name, p.image, p.status_reason()) for p in pods]} for {want} x {image}"
        self.check_hpa_targets()

    def _refused(self, d: Any) -> bool:
        """Admission refused some of its pods (a quota, a LimitRange): the ReplicaSet says FailedCreate."""
        from kubegame.testing.invariants import admission_refused
        return any(admission_refused(self.cluster, rs) for rs in self.cluster.store.owned_by(d.uid)
                   if rs.kind == "ReplicaSet")

    # -- invariants ------------------------------------------------------------------------
    def check_rollout_bounds(self) -> None:
        """During a RollingUpdate with no failure: available >= replicas - maxUnavailable and
        pods <= replicas + maxSurge (DESIGN.md, Kubernetes' deployment guarantees)."""
        for name, (replicas, surge, unavailable) in list(self.guarded.items()):
            pods = [p for p in self.cluster.pods("default") if p.labels.get("app") == name and p.active]
            available = sum(1 for p in pods if p.ready)
            assert len(pods) <= replicas + surge, f"{name}: {len(pods)} pods > {replicas} + surge {surge}"
            assert available >= replicas - unavailable, \
                f"{name}: {available} available < {replicas} - maxUnavailable {unavailable}"

    def check_hpa_targets(self) -> None:
        """After settling, an HPA's target (when it has replicas at all) lies within [min, max]."""
        for h in self.cluster.list("HorizontalPodAutoscaler"):
            ref = h.spec.get("scaleTargetRef") or {}
            target = self.cluster.get(ref.get("kind", ""), h.namespace, ref.get("name", ""))
            if target is None or int(target.spec.get("replicas", 1)) == 0:
                continue
            lo, hi = int(h.spec.get("minReplicas", 1)), int(h.spec["maxReplicas"])
            n = int(target.spec["replicas"])
            assert lo <= n <= hi, f"hpa {h.name}: target {target.name} has {n} replicas outside [{lo}, {hi}]"

    @invariant()
    def engine_invariants(self) -> None:
        assert_invariants(self.cluster)
