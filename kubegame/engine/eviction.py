"""The kubelet's eviction manager for memory (pkg/kubelet/eviction), with its defaults.

When a node's available memory falls below the hard threshold `memory.available<100Mi`, the
node reports `MemoryPressure=True` (and gets the `node.kubernetes.io/memory-pressure:NoSchedule`
taint, as TaintNodesByCondition adds it) and the kubelet evicts one pod per monitoring
interval (10 s), ranked as rankMemoryPressure ranks them: pods using more than they request
first (so BestEffort before Burstable before Guaranteed), then lower priority, then the
largest use beyond the request. The condition clears after the pressure transition period
(5 minutes) without pressure. Messages are helpers.go's.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kubegame.engine import checks
from kubegame.engine.app import MIB
from kubegame.engine.objects import Node, Pod
from kubegame.engine.quantity import format_memory

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

THRESHOLD = 100 * 1024 * 1024        # --eviction-hard memory.available<100Mi
MONITORING_PERIOD = 10               # --housekeeping / eviction monitoring interval
TRANSITION_PERIOD = 300              # --eviction-pressure-transition-period 5m0s
TAINT = {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure"}


def _ki(n: int) -> str:
    return f"{max(0, n) // 1024}Ki"


class PressureMonitor:
    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.check: dict[str, bool] = {}            # nodes to look at this tick
        self.under: dict[str, int] = {}             # node -> last tick it was under pressure
        self.next_eviction: dict[str, int] = {}
        self.ceilings: dict[str, tuple[int, float]] = {}    # node -> (its version, its pods' most memory)

    def watch(self, node: Node) -> None:
        self.check[node.name] = True

    def surely_fits(self, node: Node) -> bool:
        """Whether the node's pods could not use all but 100Mi of its memory even at their most:
        each container's app at rest when its memory neither follows traffic nor leaks, else its
        limit (none: unbounded). Kept per node version (its pods' writes bump it), so a busy node
        is not summed pod by pod each time one of its pods changes."""
        version = self.cluster.store.node_versions.get(node.name, 0)
        kept = self.ceilings.get(node.name)
        if kept is None or kept[0] != version:
            most: float = 0
            for pod in self.cluster.store.pods_on(node.name).values():
                if pod.phase in ("Succeeded", "Failed"):
                    continue
                for c in pod.all_containers:
                    app = c.app
                    if app is None:
                        continue
                    want = math.inf if app.memory_dynamic else int(app.memory_mb * MIB)
                    most += min(want, c.memory_limit) if c.memory_limit else want
            kept = self.ceilings[node.name] = (version, most)
        ok = node.memory - kept[1] >= THRESHOLD
        if ok and checks.CHECK_CACHES:
            checks.expect(self.available(node) >= THRESHOLD, f"a wrong memory ceiling for {node.name}")
        return ok

    def available(self, node: Node) -> int:
        kubelet = self.cluster.kubelet
        used = sum(kubelet.working_set(p) for p in self.cluster.store.pods_on(node.name).values()
                   if p.phase not in ("Succeeded", "Failed"))
        return node.memory - used

    def sync(self) -> None:
        kubelet = self.cluster.kubelet
        names = dict(self.check)
        for pod in kubelet.memory_watch.values():
            names[pod.node_name] = True
        for name in self.under:
            names[name] = True
        self.check = {}
        now = self.cluster.now
        for name in names:
            node = self.cluster.node(name)
            if node is None or not node.alive:
                continue
            avail = THRESHOLD if self.surely_fits(node) else self.available(node)
            if avail < THRESHOLD:
                self.under[name] = now
                self._set(node, True)
                if self.next_eviction.get(name, 0) <= now:
                    victim = self.rank(node)
                    if victim is not None:
                        pod, container, usage, request = victim
                        msg = (f"The node was low on resource: memory. Threshold quantity: 100Mi, available: "
                               f"{_ki(avail)}. Container {container} was using {_ki(usage)}, request is "
                               f"{format_memory(request) if request else '0'}, has larger consumption of memory. ")
                        kubelet.evict(pod, msg, container)
                        self.next_eviction[name] = now + MONITORING_PERIOD
            elif name in self.under and now - self.under[name] >= TRANSITION_PERIOD:
                del self.under[name]
                self.next_eviction.pop(name, None)
                self._set(node, False)

    def rank(self, node: Node) -> tuple[Pod, str, int, int] | None:
        """The pod to evict first (rankMemoryPressure): exceeds requests, priority, usage - request."""
        kubelet = self.cluster.kubelet
        best: tuple[Any, ...] | None = None
        for pod in self.cluster.store.pods_on(node.name).values():
            if pod.phase in ("Succeeded", "Failed") or pod.deletion_tick is not None:
                continue
            if (pod.annotations or {}).get("kubernetes.io/config.mirror"):
                continue                 # static (mirror) pods are critical: never evicted
            usage = kubelet.working_set(pod)
            request = pod.mem_request
            key = (0 if usage > request else 1, pod.priority, -(usage - request), pod.name)
            if best is None or key < best[0]:
                name = pod.main.name
                best = (key, pod, name, usage, request)
        return None if best is None else (best[1], best[2], best[3], best[4])

    def _set(self, node: Node, pressure: bool) -> None:
        if node.memory_pressure != pressure:
            node.memory_pressure = pressure
            set_pressure(self.cluster, node, TAINT, pressure, "InsufficientMemory" if pressure else "SufficientMemory")

# -- the root disk (nodefs) ---------------------------------------------------------------------------

DISK_THRESHOLD = 0.10                # --eviction-hard nodefs.available<10%
DISK_TAINT = {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure"}


class DiskPressureMonitor:
    """nodefs.available<10%: DiskPressure=True, the disk-pressure taint, and one eviction per
    monitoring interval (rankDiskPressure: priority, then the pod's name, since the game does
    not count each pod's ephemeral storage) until the disk has room again; mirror pods are
    never evicted. Freeing the disk (`node ssh NODE -- rm FILE`) ends it after the transition period."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.watching: dict[str, int] = {}          # node -> last tick it was under pressure
        self.next_eviction: dict[str, int] = {}

    def disk_changed(self, name: str) -> None:
        self.watching.setdefault(name, -1)

    def sync(self) -> None:
        if not self.watching:
            return
        now = self.cluster.now
        for name in list(self.watching):
            node = self.cluster.node(name)
            host = self.cluster.hosts.get(name)
            if node is None or host is None:
                self.watching.pop(name, None)
                continue
            if not node.alive or not self.cluster.kubelet_running(name):
                continue
            free = host.free_fraction()
            if free < DISK_THRESHOLD:
                self.watching[name] = now
                self._set(node, True)
                if self.next_eviction.get(name, 0) <= now:
                    self._evict_one(node, host)
                    self.next_eviction[name] = now + MONITORING_PERIOD
            elif self.watching[name] < 0 or now - self.watching[name] >= TRANSITION_PERIOD:
                self.watching.pop(name)
                self.next_eviction.pop(name, None)
                self._set(node, False)

    def _evict_one(self, node: Node, host: Any) -> None:
        pods = [p for p in self.cluster.store.pods_on(node.name).values()
                if p.phase not in ("Succeeded", "Failed") and p.deletion_tick is None
                and not (p.annotations or {}).get("kubernetes.io/config.mirror") and p.priority < 2000000000]
        if not pods:
            return
        pod = min(pods, key=lambda p: (p.priority, p.name))
        avail = int(max(0.0, host.disk_gb - host.used_gb()) * 1024 ** 3)
        threshold = format_memory(int(host.disk_gb * DISK_THRESHOLD * 1024 ** 3))
        self.cluster.kubelet.evict(pod, f"The node was low on resource: ephemeral-storage. Threshold quantity: "
                                        f"{threshold}, available: {_ki(avail)}. ", pod.main.name)

    def _set(self, node: Node, pressure: bool) -> None:
        if node.disk_pressure != pressure:
            node.disk_pressure = pressure
            set_pressure(self.cluster, node, DISK_TAINT, pressure, "DiskPressure" if pressure else "NoDiskPressure")


def set_pressure(cluster: Cluster, node: Node, taint: dict, pressure: bool, what: str) -> None:
    """A node condition changed: TaintNodesByCondition's NoSchedule taint on or off, and the
    kubelet's `NodeHas...` event (`Node X status is now: NodeHasDiskPressure`)."""
    taints = [t for t in node.taints if t.get("key") != taint["key"]]
    if pressure:
        taints.append(dict(taint))
    cluster.record(node, "Normal", f"NodeHas{what}", f"Node {node.name} status is now: NodeHas{what}", "kubelet",
                   host=node.name)
    if taints:
        node.spec["taints"] = taints
    else:
        node.spec.pop("taints", None)
    cluster.store.modified(node, status_only=True, by_kubelet=True)
