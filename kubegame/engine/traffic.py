"""Traffic: requests in, served or failed, latency; the metrics HPA, `top` and objectives read.

Demand is computed per Service from its endpoint counts, not per request: kube-proxy
spreads connections evenly over a Service's endpoints, so each endpoint receives
demand / endpoints. A pod serves up to its image's capacity; the rest fails. A pod on
a dead node still receives its share (it is still an endpoint until the node is
marked) and fails all of it. Requests are whole numbers, so arrived = served + failed.

A Service whose demand is a steady whole number of requests per tick and whose
endpoints do not change serves the same Sample every tick: it goes quiet, leaves the
per-tick loop, and its totals are counted when read. Any change traffic depends on
(endpoints, Services, Ingresses, demands, spikes) wakes every Service.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubegame.engine import checks
from kubegame.engine.objects import KObject, Pod

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

SvcKey = tuple[str, str]


@dataclass(slots=True)
class Demand:
    """One source of requests (LEVEL_FORMAT.md `traffic` entry)."""

    key: str
    service: SvcKey | None = None
    host: str | None = None
    path: str = "/"
    rps: float = 0
    pattern: str = "steady"          # steady | diurnal | ramp
    amplitude: float = 0.0
    period: int = 300
    external: bool = False
    carry: float = 0.0               # fractional requests carried to the next tick
    client: Any = None               # who sends them (a networkpolicy.Peer); None: the default for its kind

    def rate(self, tick: int, duration: int) -> float:
        if self.pattern == "diurnal":
            return max(0.0, self.rps * (1 + self.amplitude * math.sin(2 * math.pi * tick / max(1, self.period))))
        if self.pattern == "ramp":
            end = self.amplitude or 1.0
            frac = min(1.0, tick / max(1, duration))
            return self.rps * (1 + (end - 1) * frac)
        return self.rps


@dataclass(frozen=True, slots=True)
class Sample:
    """One Service's traffic in one tick."""

    arrived: int = 0
    served: int = 0
    failed: int = 0
    latency_ms: float = 0.0
    endpoints: int = 0


@dataclass(slots=True)
class Totals:
    arrived: int = 0
    served: int = 0
    failed: int = 0

    @property
    def availability(self) -> float:
        return 100.0 if self.arrived == 0 else 100.0 * self.served / self.arrived


@dataclass(slots=True)
class _Backends:
    """A Service's endpoints reduced to what serving needs: capacities of live ones, dead count."""

    live: dict[tuple[float, float], int] = field(default_factory=dict)   # (capacity rps, idle ms) -> pods
    dead: int = 0
    count: int = 0
    memo: tuple[int, Sample] | None = None     # the last (arrived, result): steady traffic costs a lookup


SYSTEM_CPU_M = 50                   # the node's system daemons (kubelet, runtime), as metrics-server sees them
SYSTEM_MEMORY = 512 * 1024 * 1024
DNS_SERVICE = ("kube-system", "kube-dns")     # its endpoints decide every in-cluster name lookup


class Traffic:
    QUIETEN = True       # let repeating Services leave the per-tick loop (tests compare with False)

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.demands: dict[str, Demand] = {}
        self.spikes: dict[SvcKey | str, list[tuple[float, int]]] = {}   # target -> (factor, until tick)
        self.duration = 0
        self.clock_offset = 0             # patterns count ticks from here (the level's start)
        self.last: dict[SvcKey, Sample] = {}
        self.last_rv: int | None = None     # the store's resourceVersion when `last` was computed
        self._totals: dict[SvcKey, Totals] = {}
        self.unrouted = Totals()          # host/path requests no Ingress rule matched (404)
        self.backends: dict[SvcKey, _Backends] = {}
        self.share: dict[SvcKey, float] = {}    # requests per endpoint last tick
        # what each pod's CPU use depends on besides its node and its own writes: the shares, which
        # pods serve, their Services; a node's CPU figures are kept until one of these changes
        self.share_version = 0
        self.share_versions: dict[SvcKey, int] = {}      # the same, per Service
        self._node_cpu: dict[str, tuple[tuple, int, dict[tuple[str, str], int]]] = {}
        self._ceilings: dict[str, tuple[tuple, float]] = {}
        # Quiet Services: whole-number steady demand and unchanged endpoints give the same Sample
        # every tick, so they leave the per-tick loop and their totals are counted on read
        self.quiet: dict[SvcKey, tuple[Sample, int]] = {}   # svc -> (its sample, last tick counted)
        self._live: dict[str, Demand] = {}     # the demands computed each tick (not feeding quiet ones)
        self._wake_all = True                  # recompute every demand next tick
        self._dns_ok = True                    # whether in-cluster clients resolve names (engine/dns.py)
        self._synced = 0                       # the last tick synced
        cluster.store.subscribe("Ingress", self._on_ingress)
        cluster.store.subscribe("Service", self._on_service)
        cluster.store.subscribe("NetworkPolicy", self._on_policy)
        cluster.store.subscribe("Namespace", self._on_policy)
        cluster.store.subscribe("Pod", self._on_pod_policy)
        self._allowed: dict[str, float] = {}     # demand key -> the share of its requests policies let through
        self._routes: dict[str, SvcKey | None] = {}

    # -- set-up ----------------------------------------------------------------------------
    def set_demand(self, key: str, service: SvcKey | None = None, host: str | None = None, path: str = "/",
                   rps: float = 0, pattern: str = "steady", amplitude: float = 0.0, period: int = 300,
                   external: bool = False) -> Demand:
        d = Demand(key, service, host, path or "/", rps, pattern, amplitude, period, external)
        self.demands[key] = d
        self.wake()
        return d

    def spike(self, target: SvcKey | str, factor: float, until: int) -> None:
        """Multiply a Service's (or a demand key's) demand until a tick (LoadSpike events)."""
        self.spikes.setdefault(target, []).append((factor, until))
        self.wake()

    def _on_service(self, event: str, svc: KObject) -> None:
        self._routes.clear()
        self.backends.pop(svc.key, None)
        self.wake()

    def _on_ingress(self, event: str, ing: KObject) -> None:
        self._routes.clear()
        self.wake()

    def _on_policy(self, event: str, obj: KObject) -> None:
        if obj.kind == "NetworkPolicy" or self.cluster.store.any("NetworkPolicy"):
            self.wake()

    def _on_pod_policy(self, event: str, pod: KObject) -> None:
        # with policies in force a pod's labels decide what it may reach and who may reach it
        if self.cluster.store.any("NetworkPolicy"):
            self.wake()

    def client_of(self, d: Demand, target: SvcKey) -> Any:
        """Who sends a demand's requests: its level `from`, else an unlabelled pod of the Service's
        namespace (in-cluster), an address outside (external), or the ingress controller (host)."""
        from kubegame.engine import networkpolicy as netpol
        if d.client is not None:
            return d.client
        if d.external:
            return netpol.Peer(ip=netpol.EXTERNAL_CLIENT_IP)
        if d.service is None:
            return netpol.Peer("ingress-nginx", (("app.kubernetes.io/name", "ingress-nginx"),), "10.244.250.2")
        return netpol.Peer(target[0], (), "10.244.250.1")

    def allowed_share(self, d: Demand, target: SvcKey) -> float:
        """The share of a demand's requests NetworkPolicies let through: kube-proxy spreads them evenly
        over the endpoints, and a request to an endpoint the client may not reach (or any request by
        name when it may not reach CoreDNS) times out."""
        from kubegame.engine import networkpolicy as netpol
        client = self.client_of(d, target)
        if d.service is not None and not d.external and not netpol.dns_allowed(self.cluster, client):
            return 0.0
        pods = self.cluster.endpoints.endpoints(*target)
        if not pods:
            return 1.0
        ok = 0
        for pod in pods:
            port = self._port_of(target, pod)
            if netpol.allowed(self.cluster, client, netpol.pod_peer(pod), port, "TCP", netpol.port_name_of(pod, port)):
                ok += 1
        return ok / len(pods)

    def wake(self) -> None:
        """Something traffic depends on changed: count what quiet Services served so far and
        compute every demand again from the next tick."""
        self._fold()
        self.quiet.clear()
        self._wake_all = True

    def _wake_services(self, services: dict[SvcKey, bool]) -> dict[SvcKey, bool]:
        """Only these Services' endpoints changed: count what they served while quiet and compute
        their demands again this tick; every other quiet Service stays quiet (a node failure moves
        the pods of a few Services, not of all of them)."""
        for svc in services:
            kept = self.quiet.get(svc)
            if kept is not None:
                self._count_quiet(svc, *kept)
                del self.quiet[svc]
        return dict(services)

    @property
    def totals_by_service(self) -> dict[SvcKey, Totals]:
        """Requests per Service since the start (quiet Services' ticks counted now)."""
        self._fold()
        return self._totals

    def _fold(self) -> None:
        for svc, (sample, since) in self.quiet.items():
            self._count_quiet(svc, sample, since)

    def _count_quiet(self, svc: SvcKey, sample: Sample, since: int) -> None:
        """Add to a quiet Service's totals its sample for each tick since it was last counted."""
        synced = self._synced
        if since < synced:
            n = synced - since
            tot = self._totals[svc]
            tot.arrived += sample.arrived * n
            tot.served += sample.served * n
            tot.failed += sample.failed * n
            self.quiet[svc] = (sample, synced)

    # -- per tick ---------------------------------------------------------------------------
    def _factor(self, target: SvcKey | str, now: int) -> float:
        spikes = self.spikes.get(target)
        if not spikes:
            return 1.0
        live = [(f, u) for f, u in spikes if u > now]
        if not live:
            del self.spikes[target]
        elif len(live) != len(spikes):
            self.spikes[target] = live
        f = 1.0
        for factor, _ in live:
            f *= factor
        return f

    def route(self, d: Demand) -> SvcKey | None:
        if d.service is not None:
            return d.service
        if d.key not in self._routes:
            self._routes[d.key] = route_ingress(self.cluster, d.host or "", d.path)
        return self._routes[d.key]

    def sync(self) -> None:
        now = self.cluster.now
        changed = self.cluster.endpoints.changed
        woken: dict[SvcKey, bool] = {}
        if changed:
            for svc in changed:
                self.backends.pop(svc, None)
            if DNS_SERVICE in changed or self.cluster.store.any("NetworkPolicy"):
                self.wake()        # every name lookup, or what policies let through, may differ
            elif not self._wake_all:
                woken = self._wake_services(changed)
            changed.clear()
        spikes = bool(self.spikes)
        if spikes:
            self.wake()
        full = self._wake_all
        if full:
            self._live = dict(self.demands)
            self._dns_ok = self.cluster.dns.status() == "ok"
            self._allowed = {}
            if self.cluster.store.any("NetworkPolicy"):
                for d in self._live.values():
                    target = self.route(d)
                    if target is not None:
                        self._allowed[d.key] = self.allowed_share(d, target)
        elif woken:
            for d in self.demands.values():
                if (d.service if d.service is not None else self.route(d)) in woken:
                    self._live[d.key] = d
        dns_ok = self._dns_ok
        shares = self._allowed
        t = now - self.clock_offset
        arrivals: dict[SvcKey, int] = {}
        blocked: dict[SvcKey, int] = {}     # external requests to a Service not exposed outside
        targets: list[tuple[Demand, SvcKey | None]] = []
        for d in self._live.values():
            rate = d.rps if d.pattern == "steady" else d.rate(t, self.duration)
            target = d.service if d.service is not None else self.route(d)
            targets.append((d, target))
            if spikes:
                rate *= self._factor(d.key, now) * (self._factor(target, now) if target is not None else 1.0)
            exact = rate + d.carry
            n = int(exact)
            d.carry = exact - n
            if target is None:
                self.unrouted.arrived += n
                self.unrouted.failed += n
            elif (d.external and not self.reachable_from_outside(target)) or (
                    not dns_ok and not d.external and d.service is not None):
                # outside clients need a NodePort or LoadBalancer; in-cluster ones look the name up first
                blocked[target] = blocked.get(target, 0) + n
                arrivals.setdefault(target, 0)
            else:
                share = shares.get(d.key, 1.0) if shares else 1.0
                if share < 1.0:
                    denied = n - int(n * share + 1e-9)
                    blocked[target] = blocked.get(target, 0) + denied
                    n -= denied
                arrivals[target] = arrivals.get(target, 0) + n
        before = self.last
        last: dict[SvcKey, Sample] = {} if full else before    # quiet ones keep their entries
        totals = self._totals
        backends = self.backends
        repeated: list[SvcKey] = []
        for svc, n in arrivals.items():
            b = backends.get(svc)
            memo = b.memo if b is not None else None
            sample = memo[1] if memo is not None and memo[0] == n else self.serve(svc, n)
            extra = blocked.get(svc, 0) if blocked else 0
            if extra:
                sample = Sample(sample.arrived + extra, sample.served, sample.failed + extra,
                                sample.latency_ms, sample.endpoints)
            elif before.get(svc) is sample:
                repeated.append(svc)
            last[svc] = sample
            tot = totals.get(svc)
            if tot is None:
                tot = totals[svc] = Totals()
            tot.arrived += sample.arrived
            tot.served += sample.served
            tot.failed += sample.failed
        self.last = last
        self.last_rv = self.cluster.store.resource_version     # the API state `last` was served under
        self._synced = now
        self._wake_all = False
        if repeated and not spikes and self.QUIETEN:
            self._quieten(repeated, targets, now)

    def _quieten(self, repeated: list[SvcKey], targets: list[tuple[Demand, SvcKey | None]], now: int) -> None:
        """Services whose sample repeated and whose every demand is a steady whole number of
        requests per tick (so nothing carries over) go quiet: their demands leave the loop."""
        steady: dict[SvcKey, list[Demand]] = {svc: [] for svc in repeated}
        for d, target in targets:
            group = steady.get(target) if target is not None else None
            if group is None:
                continue
            if d.pattern == "steady" and d.carry == 0.0 and float(d.rps).is_integer():
                group.append(d)
            else:
                del steady[target]                  # a demand that varies keeps it in the loop
        for svc, demands in steady.items():
            self.quiet[svc] = (self.last[svc], now)
            for d in demands:
                del self._live[d.key]

    def pod_changed(self, pod: Pod) -> None:
        """A pod's app began (or stopped) accepting connections: its Services serve differently."""
        for svc in self.cluster.endpoints.pod_services.get(pod.key, ()):
            self.backends.pop(svc, None)
            self.share_versions[svc] = self.share_versions.get(svc, 0) + 1
        self.share_version += 1
        self.wake()

    def pod_rps(self, pod: Pod) -> float:
        """Requests per second the pod serves now (its share of each of its Services, at most what it can)."""
        total = 0.0
        for svc in self.cluster.endpoints.pod_services.get(pod.key, ()):
            share = self.share.get(svc, 0.0)
            if share and pod.serving:
                total += min(share, self.capacity(pod, self._port_of(svc, pod))[0])
        return total

    def _port_of(self, svc: SvcKey, pod: Pod) -> int:
        obj = self.cluster.store.get("Service", *svc)
        ports = obj.spec.get("ports") or [] if obj is not None else []
        return self.cluster.endpoints.target_port(pod, ports[0]) if ports else 0

    def capacity(self, pod: Pod, port: int) -> tuple[float, float]:
        """(requests/s, idle latency ms) the pod serves on a port: 0 when its app does not listen there
        (connection refused) or is down; less when a CPU limit throttles it."""
        kubelet = self.cluster.kubelet
        listener = kubelet._listener(pod, port)
        if listener is None:
            return 0.0, 0.0
        img = self.cluster.registry.resolve(listener.image)
        if img is None:
            return 0.0, 0.0
        cap, lat = float(img.capacity_rps), float(img.latency_ms)
        app = listener.app
        if listener.cpu_limit and app is not None and app.cpu_per_rps_m:
            cap = min(cap, listener.cpu_limit / app.cpu_per_rps_m)      # throttled by the CFS quota
        return cap, lat

    def _backends(self, svc: SvcKey) -> _Backends:
        b = self.backends.get(svc)
        if b is None:
            b = _Backends()
            for pod in self.cluster.endpoints.endpoints(*svc):
                b.count += 1
                cap, lat = self.capacity(pod, self._port_of(svc, pod))
                if cap <= 0:
                    b.dead += 1
                    continue
                group = (cap, lat)
                b.live[group] = b.live.get(group, 0) + 1
            self.backends[svc] = b
        return b

    def serve(self, svc: SvcKey, arrived: int) -> Sample:
        b = self.backends.get(svc) or self._backends(svc)
        if b.memo is not None and b.memo[0] == arrived:
            return b.memo[1]            # Samples are never changed once made
        if b.count == 0 or arrived == 0:
            if self.share.get(svc) != 0.0:
                self.share[svc] = 0.0
                self.share_version += 1
                self.share_versions[svc] = self.share_versions.get(svc, 0) + 1
            result = Sample(arrived, 0, arrived, 0.0, b.count)
        else:
            share = arrived / b.count
            if self.share.get(svc) != share:
                self.share[svc] = share
                self.share_version += 1
                self.share_versions[svc] = self.share_versions.get(svc, 0) + 1
            served_f = 0.0
            latency_sum = 0.0
            for (cap, lat), n in b.live.items():
                s = min(share, cap)
                served_f += s * n
                u = min(0.95, s / cap) if cap else 0.95
                latency_sum += n * s * lat / (1 - u)
            served = min(arrived, int(served_f + 1e-9))
            latency = latency_sum / served_f if served_f else 0.0
            result = Sample(arrived, served, arrived - served, round(latency, 1), b.count)
        b.memo = (arrived, result)
        return result

    def reachable_from_outside(self, svc: SvcKey) -> bool:
        """External clients reach a Service only through a NodePort or a provisioned LoadBalancer."""
        obj = self.cluster.store.get("Service", *svc)
        if obj is None:
            return False
        t = obj.spec.get("type", "ClusterIP")
        if t == "NodePort":
            return True
        if t == "LoadBalancer":
            return bool((obj.status.get("loadBalancer") or {}).get("ingress"))
        return False

    # -- metrics ----------------------------------------------------------------------------
    def utilisation(self, pod: Pod) -> float:
        """Requests per second this pod receives over what it can serve (may exceed 1)."""
        if not pod.serving:
            return 0.0
        node = self.cluster.node(pod.node_name)
        if node is None or not node.alive:
            return 0.0
        img = self.cluster.registry.resolve(pod.image)
        if img is None or not img.capacity_rps:
            return 0.0
        load = sum(self.share.get(svc, 0.0) for svc in self.cluster.endpoints.pod_services.get(pod.key, ()))
        return load / img.capacity_rps

    def pod_usage(self, pod: Pod) -> tuple[int, int]:
        """(cpu millicores, memory bytes) in use: what metrics-server would report for `kubectl top`.

        A node's pods never use more CPU than the node has: on a saturated node each pod gets
        its share of what is there (CPU is compressible: the kernel throttles)."""
        cpu, mem = self._raw_usage(pod)
        node = self.cluster.node(pod.node_name) if pod.node_name else None
        if node is not None and cpu:
            total_cpu, total_mem = self._raw_node(node)
            room_cpu = max(0, node.cpu - SYSTEM_CPU_M)
            if total_cpu > room_cpu:
                cpu = max(1, cpu * room_cpu // total_cpu)
            room_mem = max(0, node.memory - SYSTEM_MEMORY)
            if total_mem > room_mem:
                mem = mem * room_mem // total_mem
        return cpu, mem

    def pods_cpu(self, pods: list[Pod]) -> list[int]:
        """The CPU half of `pod_usage` (millicores) of each pod: what the HPA reads every sync period.

        A node whose pods could not use more CPU than it has even at their most (`_node_ceiling`)
        never throttles them: each pod's own figure is the answer. Otherwise the node's figures
        are kept until something they depend on changes."""
        nodes = self.cluster.store.objects.get("Node", {})
        versions = self.cluster.store.node_versions
        world = (self.share_version, self.cluster.endpoints.membership_version, self.cluster.registry.version)
        out = []
        for pod in pods:
            node = nodes.get(("", pod.node_name)) if pod.node_name else None
            if node is None:
                out.append(self._raw_cpu(pod))
                continue
            version = versions.get(node.name, 0)
            room = max(0, node.cpu - SYSTEM_CPU_M)
            if self._node_ceiling(node, version) <= room and not checks.CHECK_CACHES:
                out.append(self._raw_cpu(pod))
                continue
            kept = self._node_cpu.get(node.name)
            stamp = (version, world)
            if kept is None or kept[0] != stamp or checks.CHECK_CACHES:
                kept = self._node_cpu_figures(node, stamp, kept)
            cpu = kept[2].get(pod.key)
            if cpu is None:
                cpu = self._raw_cpu(pod)
            elif cpu and kept[1] > room:
                if checks.CHECK_CACHES:
                    checks.expect(self._node_ceiling(node, version) > room, f"a wrong CPU ceiling for {node.name}")
                cpu = max(1, cpu * room // kept[1])
            out.append(cpu)
        return out

    def could_saturate(self, node: Any, version: int) -> bool:
        """Whether the node's pods could ask for more CPU than it has (then each one's figure
        depends on the others')."""
        return self._node_ceiling(node, version) > max(0, node.cpu - SYSTEM_CPU_M)

    def _node_ceiling(self, node: Any, version: int) -> float:
        """The most CPU the node's pods could use at once, whatever the traffic: twice and a bit
        their requests (or their CPU limits); unbounded when an app's CPU follows its traffic
        (cpuPerRps). Kept per node version (a pod's write bumps it) and set of images."""
        stamp = (version, self.cluster.registry.version)
        kept = self._ceilings.get(node.name)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        total: float = 0
        for pod in self.cluster.store.pods_on(node.name).values():
            c = pod.main
            if c.app is not None and c.app.cpu_per_rps_m is not None:
                total = math.inf
                break
            most = int((pod.cpu_request or 100) * 2.02) + 1
            total += min(most, c.cpu_limit) if c.cpu_limit else most
        self._ceilings[node.name] = (stamp, total)
        return total

    def _node_cpu_figures(self, node: Any, stamp: tuple, kept: tuple | None) -> tuple:
        """(stamp, the node's pods' CPU before its limit, each pod's): kept while nothing they depend on
        changed: the node and its pods (their writes, and the node's death or return, bump its
        version), the shares, who serves which Service, the images."""
        per_pod = {key: self._raw_cpu(p) for key, p in self.cluster.store.pods_on(node.name).items()}
        total = sum(per_pod.values())
        if checks.CHECK_CACHES and kept is not None and kept[0] == stamp:
            checks.expect((kept[1], kept[2]) == (total, per_pod), f"stale CPU figures for node {node.name}")
        fresh = (stamp, total, per_pod)
        self._node_cpu[node.name] = fresh
        return fresh

    def node_usage(self, node: Any) -> tuple[int, int]:
        """(cpu millicores, memory bytes) a node uses: its pods and its system daemons, never more
        than the machine has."""
        cpu, mem = self._raw_node(node)
        return min(node.cpu, cpu + SYSTEM_CPU_M), min(node.memory, mem + SYSTEM_MEMORY)

    def _raw_node(self, node: Any) -> tuple[int, int]:
        cpu = mem = 0
        for pod in self.cluster.store.pods_on(node.name).values():
            c, m = self._raw_usage(pod)
            cpu += c
            mem += m
        return cpu, mem

    def _raw_usage(self, pod: Pod) -> tuple[int, int]:
        """What the pod's work takes, before the node's limits: memory is the app's working set
        (engine/app.py); CPU is `cpuPerRps` per request served, or, for an app that does not say,
        about its request at full capacity (as before the app model). A CPU limit caps it."""
        if pod.state != "running":
            return (0, 0)
        return self._raw_cpu(pod), self.cluster.kubelet.working_set(pod)

    def _raw_cpu(self, pod: Pod) -> int:
        if pod.state != "running":
            return 0
        c = pod.main
        app = c.app
        if app is not None and app.cpu_per_rps_m is not None:
            cpu = max(1, int(app.cpu_per_rps_m * self.pod_rps(pod)) + 1)
        else:
            u = min(self.utilisation(pod), 2.0)
            cpu = max(1, int((pod.cpu_request or 100) * (0.02 + u)))
        if c.cpu_limit:
            cpu = min(cpu, c.cpu_limit)
        return cpu

    def totals(self) -> dict[str, dict[str, int]]:
        return {f"{ns}/{name}": {"arrived": t.arrived, "served": t.served, "failed": t.failed}
                for (ns, name), t in sorted(self.totals_by_service.items())}


def route_ingress(cluster: Cluster, host: str, path: str) -> SvcKey | None:
    """Which Service an HTTP request reaches through the Ingress rules (networking.k8s.io/v1).

    Host: exact, or a `*.` wildcard matching one label. Paths: Exact before Prefix;
    the longest Prefix wins, matched element by element (`/foo` matches `/foo/bar`,
    not `/foobar`). ImplementationSpecific is treated as Prefix. Falls back to the
    Ingress's defaultBackend.
    """
    best: tuple[int, int, SvcKey] | None = None
    default: SvcKey | None = None
    for ing in cluster.store.list("Ingress"):
        spec = ing.spec
        for rule in spec.get("rules") or []:
            rhost = rule.get("host") or ""
            if rhost and not _host_matches(rhost, host):
                continue
            for p in ((rule.get("http") or {}).get("paths")) or []:
                ptype = p.get("pathType", "ImplementationSpecific")
                ppath = p.get("path") or "/"
                backend = (p.get("backend") or {}).get("service") or {}
                target = (ing.namespace, backend.get("name", ""))
                host_rank = 2 if rhost == host else (1 if rhost else 0)
                if ptype == "Exact":
                    if path == ppath:
                        rank = (host_rank, 10**6)
                    else:
                        continue
                elif _prefix_matches(ppath, path):
                    rank = (host_rank, len(ppath.rstrip("/")) + 1)
                else:
                    continue
                if best is None or rank > best[:2]:
                    best = (rank[0], rank[1], target)
        db = ((spec.get("defaultBackend") or {}).get("service")) or {}
        if db and default is None:
            default = (ing.namespace, db.get("name", ""))
    if best is not None:
        return best[2]
    return default


def _host_matches(rule_host: str, host: str) -> bool:
    if rule_host.startswith("*."):
        suffix = rule_host[1:]
        return host.endswith(suffix) and host.count(".") == rule_host.count(".")
    return rule_host == host


def _prefix_matches(prefix: str, path: str) -> bool:
    pre = [s for s in prefix.split("/") if s]
    parts = [s for s in path.split("/") if s]
    return parts[:len(pre)] == pre
