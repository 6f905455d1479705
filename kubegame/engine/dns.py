"""The cluster's DNS: CoreDNS pods behind the kube-dns Service (10.96.0.10).

Every pod's /etc/resolv.conf points at kube-dns, so a name resolves only while the Service
has a Ready CoreDNS endpoint whose Corefile holds the `kubernetes` plugin for
cluster.local; otherwise lookups time out (no endpoint) or answer NXDOMAIN (the query goes
upstream). Clients that reach a Service by name (the level's in-cluster traffic, `wget`
from a pod) fail with them; traffic through an Ingress or a NodePort needs no lookup.

CoreDNS's `reload` plugin checks the Corefile every 30 s (and the kubelet refreshes a
ConfigMap volume within its sync period): 30 ticks after the coredns ConfigMap changes,
each running server loads the new Corefile, or, when it does not parse, logs
`[ERROR] Restart failed` and keeps the old one. A server (re)started reads it at start and
exits on a parse error. In a cluster without kube-system installed (engine tests) names
resolve as if CoreDNS were there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubegame.engine.controllers.base import Controller

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

RELOAD_TICKS = 30
OK, TIMEOUT, NXDOMAIN = "ok", "timeout", "nxdomain"


class ClusterDNS(Controller):
    name = "coredns"
    needs_quorum = False
    component = None

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.loaded: dict[tuple[str, str], frozenset[str]] = {}   # CoreDNS pod -> plugins of the Corefile it runs
        self.reload_at: int | None = None
        self.errors: dict[tuple[str, str], list[tuple[int, str]]] = {}   # pod -> (tick, log line)
        self.store.subscribe("ConfigMap", self._on_config)

    def _on_config(self, event: str, cm) -> None:
        if cm.namespace == "kube-system" and cm.name == "coredns" and self.cluster.system_installed:
            self.reload_at = self.cluster.now + RELOAD_TICKS

    def sync(self) -> None:
        if self.reload_at is None or self.reload_at > self.cluster.now:
            return
        self.reload_at = None
        from kubegame.engine import system
        for pod in self.cluster.pods("kube-system"):
            app = pod.main.app
            if app is None or app.check != "coredns" or not pod.main.running:
                continue
            text = system.coredns_config(self.cluster, pod) or ""
            problem = system.corefile_problem(text)
            if problem:
                self.errors.setdefault(pod.key, []).append((self.cluster.now, f"[ERROR] Restart failed: {problem}"))
                continue
            base = self.cluster.registry.resolve(pod.main.image)
            if base is not None:
                pod.main.app = system.effective_app(self.cluster, pod, base.app)
                self.cluster.kubelet.at(self.cluster.now, pod)      # its probes see the new server
                self.errors.setdefault(pod.key, []).append((self.cluster.now, "[INFO] Reloading complete"))
                self.cluster.traffic.pod_changed(pod)
        self.cluster.traffic.wake()

    def status(self) -> str:
        """How a lookup of a cluster name ends now: ok, timeout or nxdomain."""
        if not self.cluster.system_installed:
            return OK
        servers = [p for p in self.cluster.endpoints.endpoints("kube-system", "kube-dns")
                   if p.ready and self.cluster.kubelet.app_running(p)]
        if not servers:
            return TIMEOUT
        if any("kubernetes" in self.loaded.get(p.key, frozenset()) for p in servers):
            return OK
        return NXDOMAIN
