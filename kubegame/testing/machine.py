"""`ClusterMachine`: a Hypothesis RuleBasedStateMachine over a cluster.

It adds nodes, creates Deployments and Services, scales, rolls out new images, fails
and recovers nodes, deletes pods and ticks, and checks the engine's invariants after
every step. Subclass it to add rules and invariants of your own:

    class MyMachine(ClusterMachine):
        @invariant()
        def no_pod_without_ip_once_running(self):
            for p in self.cluster.pods():
                assert p.phase != "Running" or p.ip
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from kubegame.engine import Cluster, Image, NodeSpec
from kubegame.engine.controllers.deployment import resolve_fenceposts
from kubegame.testing.builders import deployment, service
from kubegame.testing.invariants import assert_invariants
from kubegame.testing.strategies import quantities_cpu, strategies_rolling

APPS = ("shop", "cart", "api")
IMAGES = (
    Image("app:1.0", size_mb=60, layers=("debian-12",), startup_ticks=3, capacity_rps=50),
    Image("app:1.1", size_mb=60, layers=("debian-12",), startup_ticks=6, capacity_rps=50),
    Image("app:1.2", size_mb=300, startup_ticks=2, capacity_rps=80),
    Image("app:bad", size_mb=60, layers=("debian-12",), startup_ticks=3, capacity_rps=50, crashes=True),
)


class ClusterMachine(RuleBasedStateMachine):
    """Random clusters, workloads, rollouts and failures; the engine's invariants after each step."""

    def __init__(self) -> None:
        super().__init__()
        self.cluster = Cluster(seed=0, images=list(IMAGES))
        self.node_count = 0
        # Deployments whose rollout began fully available with no failure since: the
        # RollingUpdate bounds must hold for them (name -> (replicas, surge, unavailable))
        self.guarded: dict[str, tuple[int, int, int]] = {}

    @initialize(seed=st.integers(0, 2**16), n=st.integers(1, 4))
    def start(self, seed: int, n: int) -> None:
        self.cluster = Cluster(seed=seed, images=list(IMAGES))
        for _ in range(n):
            self._add_node("4", "8Gi", "zone-a")

    # -- helpers ---------------------------------------------------------------------------
    def _add_node(self, cpu: str, memory: str, zone: str) -> None:
        self.node_count += 1
        self.cluster.add_node(NodeSpec(f"node-{self.node_count}", cpu=cpu, memory=memory, zone=zone))

    def deployments(self) -> list[str]:
        return [d.name for d in self.cluster.list("Deployment", "default")]

    def fully_available(self, name: str) -> bool:
        d = self.cluster.get("Deployment", "default", name)
        assert d is not None
        want = int(d.spec.get("replicas", 1))
        pods = [p for p in self.cluster.pods("default") if p.labels.get("app") == name and p.active]
        return len(pods) == want and all(p.ready for p in pods) and all(
            (self.cluster.node(p.node_name) or NodeSpec("x")).alive for p in pods if p.node_name)

    def _interrupt(self) -> None:
        self.guarded.clear()

    # -- rules -----------------------------------------------------------------------------
    @rule(cpu=st.sampled_from(["1", "2", "4"]), memory=st.sampled_from(["2Gi", "4Gi", "8Gi"]),
          zone=st.sampled_from(["zone-a", "zone-b"]))
    def add_node(self, cpu: str, memory: str, zone: str) -> None:
        self._add_node(cpu, memory, zone)

    @rule(app=st.sampled_from(APPS), replicas=st.integers(0, 6), cpu=quantities_cpu(),
          strategy=st.one_of(st.none(), strategies_rolling(), st.just({"type": "Recreate"})))
    def create_deployment(self, app: str, replicas: int, cpu: str, strategy: dict | None) -> None:
        if self.cluster.get("Deployment", "default", app) is None:
            self.cluster.apply(deployment(app, replicas=replicas, image="app:1.0", cpu=cpu, strategy=strategy))
            self.cluster.apply(service(app))
            self.cluster.traffic.set_demand(app, service=("default", app), rps=40 * max(1, replicas))

    @precondition(lambda self: self.deployments())
    @rule(data=st.data(), replicas=st.integers(0, 8))
    def scale(self, data, replicas: int) -> None:
        name = data.draw(st.sampled_from(self.deployments()))
        self.guarded.pop(name, None)
        self.cluster.scale("Deployment", "default", name, replicas)

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
            and name not in self.guarded and not self._rolling(name)
        self.cluster.update(body)
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
        self.cluster.delete_pod(pod, 0 if force else None)

    @rule(n=st.integers(1, 60))
    def tick(self, n: int) -> None:
        for _ in range(n):
            self.cluster.tick()
            self.check_rollout_bounds()
            assert_invariants(self.cluster)

    @rule()
    def settle(self) -> None:
        """Recover every node and wait: each Deployment converges to its spec where capacity allows."""
        for n in self.cluster.nodes():
            if not n.alive:
                self.cluster.recover_node(n.name)
        self._interrupt()
        for _ in range(700):
            self.cluster.tick()
        assert_invariants(self.cluster)
        for d in self.cluster.list("Deployment", "default"):
            pods = [p for p in self.cluster.pods("default") if p.labels.get("app") == d.name and p.active]
            pending = [p for p in pods if not p.node_name]
            image = d.spec["template"]["spec"]["containers"][0]["image"]
            if pending or image == "app:bad":
                continue          # no room, or a release that can never become Ready
            want = int(d.spec["replicas"])
            rss = [r for r in self.cluster.store.owned_by(d.uid) if r.kind == "ReplicaSet"]
            assert sum(int(r.spec.get("replicas", 0)) for r in rss) == want, f"{d.name} did not converge: RS sizes"
            assert len(pods) == want and all(p.ready and p.image == image for p in pods), \
                f"{d.name}: {[(p.name, p.image, p.status_reason()) for p in pods]} for {want} x {image}"

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

    @invariant()
    def engine_invariants(self) -> None:
        assert_invariants(self.cluster)

