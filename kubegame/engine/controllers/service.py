"""The cloud's service controller: LoadBalancer Services get an external IP after a few ticks.

k8s.io/cloud-provider/controllers/service: for a Service of type LoadBalancer it records
EnsuringLoadBalancer, asks the cloud for a load balancer, writes its address into
status.loadBalancer.ingress and records EnsuredLoadBalancer; `kubectl get svc` shows
EXTERNAL-IP `<pending>` until then. When the type changes away from LoadBalancer (or the
Service is deleted) the load balancer is deleted (DeletedLoadBalancer).
The simulated cloud hands out addresses from 203.0.113.0/24 (TEST-NET-3) in order.
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject

PROVISION_TICKS = 5


class ServiceController(Controller):
    name = "service-controller"
    component = None          # the cloud's controller manager (not a pod of the cluster)

    def __init__(self, cluster, provision_ticks: int = PROVISION_TICKS):
        super().__init__(cluster)
        self.provision_ticks = provision_ticks
        self.pending: dict[tuple[str, str], int] = {}     # service -> tick its LB is ready
        self.ips: dict[tuple[str, str], str] = {}
        self.next_ip = 10
        self.store.subscribe("Service", self._on_service)

    def _on_service(self, event: str, svc: KObject) -> None:
        if event == "DELETED":
            self.pending.pop(svc.key, None)
            if self.ips.pop(svc.key, None) is not None:
                self.cluster.record(svc, "Normal", "DeletedLoadBalancer", "Deleted load balancer", self.name)
            return
        self.enqueue(svc.key)

    def sync(self) -> None:
        now = self.cluster.now
        for key, ready_at in list(self.pending.items()):
            if ready_at <= now:
                self.enqueue(key)
        for key in self.take():
            svc = self.store.get("Service", *key)
            if svc is None:
                continue
            try:
                self.reconcile(svc)
            except ApiError:
                self.enqueue(key)          # no quorum: retry next tick

    def reconcile(self, svc: KObject) -> None:
        now = self.cluster.now
        key = svc.key
        has_ingress = bool((svc.status.get("loadBalancer") or {}).get("ingress"))
        if svc.spec.get("type") != "LoadBalancer":
            self.pending.pop(key, None)
            if self.ips.pop(key, None) is not None or has_ingress:
                svc.status = {"loadBalancer": {}}
                self.cluster.write_status(svc)
                self.cluster.record(svc, "Normal", "DeletedLoadBalancer", "Deleted load balancer", self.name)
            return
        if has_ingress:
            return
        if key not in self.pending:
            self.pending[key] = now + self.provision_ticks
            self.cluster.record(svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer", self.name)
            return
        if self.pending[key] > now:
            return
        ip = self.ips.get(key) or f"203.0.113.{self.next_ip}"
        svc.status = {"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}}
        self.cluster.write_status(svc)
        if key not in self.ips:
            self.ips[key] = ip
            self.next_ip = self.next_ip + 1 if self.next_ip < 254 else 10
        del self.pending[key]
        self.cluster.record(svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer", self.name)


def external_ip(svc: KObject) -> str:
    """`kubectl get svc` EXTERNAL-IP: the LB address, `<pending>`, or `<none>`."""
    t = svc.spec.get("type", "ClusterIP")
    if t == "LoadBalancer":
        ingress = (svc.status.get("loadBalancer") or {}).get("ingress") or []
        return ",".join(i.get("ip") or i.get("hostname", "") for i in ingress) or "<pending>"
    ext = svc.spec.get("externalIPs") or []
    return ",".join(ext) if ext else "<none>"
