"""Objects the API serves as views of others, never stored: each node's Lease in kube-node-lease
(the kubelet's heartbeat, what `kubectl describe node` shows) and the EndpointSlices of each
Service (discovery.k8s.io/v1, what `kubectl describe service` reads in 1.37), made from the
Endpoints the endpoints controller keeps, as the EndpointSlice controller would make them
(pkg/controller/endpointslice: at most 100 endpoints a slice, the managed-by and service-name
labels, the Service as controller owner). Computed when read; nothing here writes."""

from __future__ import annotations

import hashlib
from typing import Any

from kubegame.engine.objects import KObject, derived_id, timestamp

LEASE_NS = "kube-node-lease"
LEASE_SECONDS = 40               # the kubelet's nodeLeaseDurationSeconds
MAX_PER_SLICE = 100              # the controller's --max-endpoints-per-slice
MANAGED_BY = "endpointslice-controller.k8s.io"
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"   # names.SimpleNameGenerator's letters


def _micro(tick: int) -> str:
    return timestamp(tick).replace("Z", ".000000Z")


def lease(cluster: Any, node: Any) -> dict:
    """coordination.k8s.io/v1 Lease of a node: held by the node, renewed at its last heartbeat."""
    hb = node.last_heartbeat if not node.alive else cluster.now
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"creationTimestamp": timestamp(node.creation_tick), "name": node.name,
                         "namespace": LEASE_NS,
                         "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node.name,
                                              "uid": node.uid}],
                         "resourceVersion": str(node.resource_version), "uid": derived_id(f"{node.uid}/lease")},
            "spec": {"holderIdentity": node.name, "leaseDurationSeconds": LEASE_SECONDS, "renewTime": _micro(hb)}}


def leases(cluster: Any) -> list[dict]:
    return [lease(cluster, n) for n in sorted(cluster.nodes(), key=lambda n: n.name)]


def _suffix(uid: str, i: int) -> str:
    h = hashlib.sha256(f"{uid}/slice/{i}".encode()).digest()
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in h[:5])


def endpoint_slices(cluster: Any, svc: KObject) -> list[dict]:
    """The Service's EndpointSlices: none without a selector (only the API server's own `kubernetes`
    Service has one then, named after it); otherwise one per 100 endpoints, at least one."""
    ep = cluster.get("Endpoints", svc.namespace, svc.name)
    default_service = svc.namespace == "default" and svc.name == "kubernetes"
    if ep is None or (not svc.spec.get("selector") and not default_service):
        return []
    subsets = ep.extra.get("subsets") or []
    entries: list[dict] = []
    ports: list[dict] = []
    for ss in subsets:
        ports = [{"name": p.get("name", ""), "port": p.get("port"), "protocol": p.get("protocol", "TCP")}
                 for p in ss.get("ports") or []]
        for ready, key in ((True, "addresses"), (False, "notReadyAddresses")):
            for a in ss.get(key) or []:
                e: dict = {"addresses": [a.get("ip")],
                           "conditions": {"ready": ready, "serving": ready, "terminating": False}}
                if a.get("nodeName"):
                    e["nodeName"] = a["nodeName"]
                if a.get("targetRef"):
                    e["targetRef"] = dict(a["targetRef"])
                node = cluster.node(a["nodeName"]) if a.get("nodeName") else None
                zone = node.labels.get("topology.kubernetes.io/zone") if node is not None else None
                if zone:
                    e["zone"] = zone
                entries.append(e)
    if not subsets:
        ports = [{"name": p.get("name", ""), "port": p.get("targetPort", p.get("port")),
                  "protocol": p.get("protocol", "TCP")} for p in svc.spec.get("ports") or []]
        ports = [p for p in ports if isinstance(p["port"], int)]
    chunks = [entries[i:i + MAX_PER_SLICE] for i in range(0, len(entries), MAX_PER_SLICE)] or [[]]
    out = []
    for i, chunk in enumerate(chunks):
        name = svc.name if default_service else f"{svc.name[:57]}-{_suffix(svc.uid, i)}"
        labels = {**svc.labels, "kubernetes.io/service-name": svc.name}
        if not default_service:
            labels["endpointslice.kubernetes.io/managed-by"] = MANAGED_BY
        md = {"creationTimestamp": timestamp(svc.creation_tick), "generateName": f"{svc.name}-",
              "generation": 1, "labels": dict(sorted(labels.items())), "name": name, "namespace": svc.namespace,
              "ownerReferences": [{"apiVersion": "v1", "blockOwnerDeletion": True, "controller": True,
                                   "kind": "Service", "name": svc.name, "uid": svc.uid}],
              "resourceVersion": str(ep.resource_version), "uid": derived_id(f"{svc.uid}/slice/{i}")}
        if default_service:
            del md["generateName"], md["ownerReferences"]
        d: dict = {"addressType": "IPv4", "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                   "metadata": md, "ports": ports or None}
        d["endpoints"] = chunk or None
        out.append(d)
    return out


def all_endpoint_slices(cluster: Any, namespace: str | None) -> list[dict]:
    out = []
    for svc in cluster.list("Service", namespace):
        out.extend(endpoint_slices(cluster, svc))
    out.sort(key=lambda d: (d["metadata"]["namespace"], d["metadata"]["name"]))
    return out


def format_endpoint_slices(slices: list[dict], port_name: str | None) -> str:
    """describe.go formatEndpointSlices: the first three ready endpoints of the port, `+ N more...`."""
    if not slices:
        return "<none>"
    shown: list[str] = []
    count, more, limit = 0, False, 3
    for s in slices:
        # a headless Service's slice has no ports: its endpoints print bare
        ports = [p for p in s.get("ports") or [] if port_name is None or p.get("name", "") == port_name] \
            if s.get("ports") else [None]
        for p in ports:
            for e in s.get("endpoints") or []:
                if len(shown) == limit:
                    more = True
                if not (e.get("conditions") or {}).get("ready", True):
                    continue
                if not more:
                    shown.append(e["addresses"][0] if p is None else f"{e['addresses'][0]}:{p.get('port')}")
                count += 1
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text
