"""Endpoints controller: each Service's endpoints are the Ready, non-terminating pods it selects.

pkg/controller/endpoint: a Service with a selector gets an Endpoints object whose
`addresses` are the matching Ready pods and `notReadyAddresses` the others. Pods are
matched through an index on the Services' first selector label, so a pod change only
looks at the Services that could select it; a new Service finds its pods from the store's
label index.
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import KObject, Node, Pod


class EndpointsController(Controller):
    name = "endpoint-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.selectors: dict[tuple[str, str], dict[str, str]] = {}            # service -> selector
        self.by_label: dict[tuple[str, str, str], dict[tuple[str, str], bool]] = {}  # (ns, k, v) -> services
        self.matching: dict[tuple[str, str], dict[tuple[str, str], Pod]] = {}  # service -> selected pods
        self.ready: dict[tuple[str, str], dict[tuple[str, str], Pod]] = {}     # service -> endpoints
        self.pod_services: dict[tuple[str, str], dict[tuple[str, str], bool]] = {}
        self.membership_version = 0     # bumped whenever a pod joins or leaves a Service (traffic's caches)
        self.dirty_pods: dict[tuple[str, str], Pod | None] = {}
        self.dirty_services: dict[tuple[str, str], bool] = {}
        self.changed: dict[tuple[str, str], bool] = {}    # services whose endpoints changed this tick
        self.store.subscribe("Pod", self._on_pod)
        self.store.subscribe("Service", self._on_service)

    # -- watches ----------------------------------------------------------------------------
    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        self.dirty_pods[pod.key] = None if event == "DELETED" else pod

    def _on_service(self, event: str, svc: KObject) -> None:
        if event == "DELETED":
            self._drop_service(svc.key)
            ep = self.store.get("Endpoints", *svc.key)
            if ep is not None:
                self.store.remove(ep)
        else:
            self.dirty_services[svc.key] = True

    def node_changed(self, node: Node) -> None:
        """A node died or came back: the services of its pods serve differently now."""
        for pod in self.store.pods_on(node.name).values():
            for svc in self.pod_services.get(pod.key, ()):
                self.changed[svc] = True

    # -- index ------------------------------------------------------------------------------
    def _index_key(self, ns: str, selector: dict[str, str]) -> tuple[str, str, str]:
        k = sorted(selector)[0]
        return (ns, k, selector[k])

    def _drop_service(self, key: tuple[str, str]) -> None:
        sel = self.selectors.pop(key, None)
        if sel:
            self.by_label.get(self._index_key(key[0], sel), {}).pop(key, None)
        for pk in self.matching.pop(key, {}):
            self.pod_services.get(pk, {}).pop(key, None)
            self.membership_version += 1
        self.ready.pop(key, None)
        self.changed[key] = True

    # -- loop -------------------------------------------------------------------------------
    def sync(self) -> None:
        if not self.store.quorum:
            return        # controllers stop without etcd quorum; kube-proxy keeps the last endpoints
        for key in list(self.dirty_services):
            svc = self.store.get("Service", *key)
            self._drop_service(key)
            if svc is None:
                continue
            sel = svc.spec.get("selector") or {}
            if sel:
                self.selectors[key] = dict(sel)
                self.by_label.setdefault(self._index_key(key[0], sel), {})[key] = True
                self.matching[key] = {}
                self.ready[key] = {}
                for pod in list(self.store.pods_by_label.get(self._index_key(key[0], sel), {}).values()):
                    self._consider(key, sel, pod)
            self._write(key)
        self.dirty_services.clear()
        touched: dict[tuple[str, str], bool] = {}
        for pk, pod in self.dirty_pods.items():
            for svc in list(self.pod_services.get(pk, ())):
                if pod is None or not self._selects(svc, pod):
                    self.matching.get(svc, {}).pop(pk, None)
                    self.ready.get(svc, {}).pop(pk, None)
                    self.pod_services.get(pk, {}).pop(svc, None)
                    self.membership_version += 1
                    touched[svc] = True
            if pod is None:
                if self.pod_services.pop(pk, None):
                    self.membership_version += 1
                continue
            for k, v in pod.labels.items():
                for svc in self.by_label.get((pod.namespace, k, v), ()):
                    if self._consider(svc, self.selectors[svc], pod):
                        touched[svc] = True
        self.dirty_pods.clear()
        for svc in touched:
            self._write(svc)

    def _selects(self, svc: tuple[str, str], pod: Pod) -> bool:
        sel = self.selectors.get(svc)
        return bool(sel) and all(pod.labels.get(k) == v for k, v in sel.items())  # type: ignore[union-attr]

    def _consider(self, svc: tuple[str, str], sel: dict[str, str], pod: Pod) -> bool:
        """Update one pod's membership in one service; True when the endpoints changed."""
        matches = all(pod.labels.get(k) == v for k, v in sel.items()) and pod.phase not in ("Succeeded", "Failed") \
            and self._ports_resolve(svc, pod)
        ready = self.ready[svc]
        was = pod.key in ready
        was_matching = pod.key in self.matching[svc]
        if matches:
            self.matching[svc][pod.key] = pod
            services = self.pod_services.setdefault(pod.key, {})
            if svc not in services:
                services[svc] = True
                self.membership_version += 1
            if pod.serving:
                ready[pod.key] = pod
            else:
                ready.pop(pod.key, None)
        else:
            self.matching[svc].pop(pod.key, None)
            ready.pop(pod.key, None)
            if self.pod_services.get(pod.key, {}).pop(svc, None):
                self.membership_version += 1
        return was != (pod.key in ready) or was_matching != matches or matches

    def _write(self, key: tuple[str, str]) -> None:
        """Render the Endpoints object and tell traffic the service changed."""
        self.changed[key] = True
        svc = self.store.get("Service", *key)
        if svc is None or key not in self.selectors:
            return
        ready = sorted(self.ready.get(key, {}).values(), key=lambda p: p.ip)
        not_ready = sorted((p for p in self.matching.get(key, {}).values()
                            if p.key not in self.ready.get(key, {}) and p.ip and p.deletion_tick is None),
                           key=lambda p: p.ip)
        ports = [{"name": p["name"], "port": _target(p), "protocol": p.get("protocol", "TCP")}
                 if p.get("name") else {"port": _target(p), "protocol": p.get("protocol", "TCP")}
                 for p in svc.spec.get("ports") or []]
        subset: dict = {}
        if ready:
            subset["addresses"] = [_address(p) for p in ready if p.ip]
        if not_ready:
            subset["notReadyAddresses"] = [_address(p) for p in not_ready]
        if subset:
            subset["ports"] = ports
        ep = self.store.get("Endpoints", *key)
        subsets = [subset] if subset else []
        if ep is None:
            ep = KObject("Endpoints", key[1], key[0], labels=dict(svc.labels))
            ep.extra["subsets"] = subsets
            ep.uid = self.cluster.new_uid(system=key[0] == "kube-system") if self.store.quorum else ""
            if self.store.quorum:
                self.store.add(ep)
        elif ep.extra.get("subsets") != subsets:
            ep.extra["subsets"] = subsets
            self.store.modified(ep, status_only=True)

    def _ports_resolve(self, svc: tuple[str, str], pod: Pod) -> bool:
        """A named targetPort must name a port of the pod (podutil.FindPort); a pod without it is left
        out of the Service's endpoints, as the endpoints controller does."""
        obj = self.store.get("Service", *svc)
        if obj is None:
            return True
        for sp in obj.spec.get("ports") or []:
            if isinstance(sp, dict) and isinstance(sp.get("targetPort"), str) and not sp["targetPort"].isdigit():
                if find_port(pod, sp["targetPort"]) is None:
                    return False
        return True

    def target_port(self, pod: Pod, service_port: dict) -> int:
        """The pod port a Service port sends to: the number, or the container port of that name."""
        t = service_port.get("targetPort", service_port.get("port"))
        if isinstance(t, str) and not t.isdigit():
            found = find_port(pod, t)
            return found if found is not None else -1
        return int(t) if t is not None else 0

    def endpoints(self, namespace: str, name: str) -> list[Pod]:
        """The Ready pods behind a Service, in IP order."""
        return sorted(self.ready.get((namespace, name), {}).values(), key=lambda p: p.ip)

    def selected(self, namespace: str, name: str) -> list[Pod]:
        return list(self.matching.get((namespace, name), {}).values())


def find_port(pod: Pod, name: str) -> int | None:
    """The containerPort named `name` in the pod's containers (k8s.io/kubernetes/pkg/api/v1/pod FindPort)."""
    for c in pod.spec.get("containers") or []:
        for p in c.get("ports") or []:
            if isinstance(p, dict) and p.get("name") == name:
                return p.get("containerPort")
    return None


def _target(port: dict) -> int | str:
    return port.get("targetPort", port.get("port"))


def _address(pod: Pod) -> dict:
    return {"ip": pod.ip, "nodeName": pod.node_name,
            "targetRef": {"kind": "Pod", "name": pod.name, "namespace": pod.namespace, "uid": pod.uid}}
