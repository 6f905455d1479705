"""NetworkPolicy (networking.k8s.io/v1): which connections the pod network lets through.

The semantics are the API's (staging/src/k8s.io/api/networking/v1/types.go, and the
conformance tests in test/e2e/network/netpol): a pod is isolated for ingress when a policy
in its namespace selects it with `Ingress` in its policyTypes, and for egress likewise; an
isolated pod accepts (or opens) only connections some selecting policy allows, and policies
add up (an allow in any one of them is enough; none denies). A rule with no `from`/`to`
allows every peer; with no `ports` every port. A peer is a podSelector (pods of the
policy's namespace), a namespaceSelector (every pod of the selected namespaces), both (those
pods of those namespaces), or an ipBlock (CIDR minus `except`); ports match the destination
pod's port number or named container port, up to `endPort`, with the protocol (TCP by
default). Traffic to a Service is checked against the endpoint pod it reaches, on its target
port (policies act after kube-proxy's translation). Both ends are checked: the client's
egress and the server's ingress.

Defaulting (pkg/apis/networking/v1/defaults.go): policyTypes [Ingress], plus Egress when
the spec has egress rules; a port's protocol TCP. Validation follows
pkg/apis/networking/validation/validation.go.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubegame.engine.validation import (
    invalid_value,
    required,
    selector_matches,
    unsupported,
    validate_selector,
)

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

EXTERNAL_CLIENT_IP = "203.0.113.200"     # where the level's external traffic comes from (TEST-NET-3)


@dataclass(frozen=True)
class Peer:
    """One end of a connection: a pod (its namespace and labels) or an address outside the pod network."""

    namespace: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    ip: str = ""
    pod: Any = field(default=None, compare=False, hash=False)    # the Pod, when the end is a real one

    @property
    def in_cluster(self) -> bool:
        return bool(self.namespace)

    def label_map(self) -> dict[str, str]:
        return dict(self.labels)


def pod_peer(pod: Any) -> Peer:
    return Peer(pod.namespace, tuple(sorted(pod.labels.items())), pod.ip or "", pod)


# -- defaulting and validation -----------------------------------------------------------------------

def apply_defaults(body: dict) -> None:
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return
    spec.setdefault("podSelector", {})
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    for direction in ("ingress", "egress"):
        for rule in spec.get(direction) or []:
            for port in (rule or {}).get("ports") or [] if isinstance(rule, dict) else []:
                if isinstance(port, dict):
                    port.setdefault("protocol", "TCP")


def _cidr(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(value), strict=False) if isinstance(value, str) and "/" in value else None
    except ValueError:
        return None


def validate(body: dict, causes: list[str]) -> None:
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return
    validate_selector("spec.podSelector", spec.get("podSelector"), causes)
    types = spec.get("policyTypes") or []
    for i, t in enumerate(types):
        if t not in ("Ingress", "Egress"):
            causes.append(unsupported(f"spec.policyTypes[{i}]", t, ["Ingress", "Egress"]))
    if len(types) > 2:
        causes.append(invalid_value("spec.policyTypes", types, "may not specify more than two policyTypes"))
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(spec.get(direction) or []):
            if not isinstance(rule, dict):
                continue
            base = f"spec.{direction}[{i}]"
            for j, port in enumerate(rule.get("ports") or []):
                _validate_port(f"{base}.ports[{j}]", port, causes)
            for j, peer in enumerate(rule.get(peers) or []):
                _validate_peer(f"{base}.{peers}[{j}]", peer, causes)


def _validate_port(path: str, port: Any, causes: list[str]) -> None:
    if not isinstance(port, dict):
        return
    proto = port.get("protocol")
    if proto is not None and proto not in ("TCP", "UDP", "SCTP"):
        causes.append(unsupported(f"{path}.protocol", proto, ["SCTP", "TCP", "UDP"]))
    p, end = port.get("port"), port.get("endPort")
    if isinstance(p, int) and not isinstance(p, bool) and not 1 <= p <= 65535:
        causes.append(invalid_value(f"{path}.port", p, "must be between 1 and 65535, inclusive"))
    if end is not None:
        if not isinstance(p, int) or isinstance(p, bool):
            causes.append(invalid_value(f"{path}.endPort", end, "may not be specified when `port` is non-numeric")
                          if isinstance(p, str) else required(f"{path}.port"))
        elif isinstance(end, int) and end < p:
            causes.append(invalid_value(f"{path}.endPort", end, "must be greater than or equal to `port`"))


def _validate_peer(path: str, peer: Any, causes: list[str]) -> None:
    if not isinstance(peer, dict):
        return
    n = sum(1 for k in ("podSelector", "namespaceSelector", "ipBlock") if peer.get(k) is not None)
    if n == 0:
        causes.append(f"{path}: Required value: must specify a peer")
        return
    if peer.get("ipBlock") is not None and n > 1:
        causes.append(f"{path}: Forbidden: may not specify both ipBlock and another peer")
        return
    for k in ("podSelector", "namespaceSelector"):
        if peer.get(k) is not None:
            validate_selector(f"{path}.{k}", peer[k], causes)
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        cidr = block.get("cidr")
        if not cidr:
            causes.append(required(f"{path}.ipBlock.cidr"))
            return
        net = _cidr(cidr)
        if net is None:
            causes.append(invalid_value(f"{path}.ipBlock.cidr", cidr,
                                        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
            return
        for k, ex in enumerate(block.get("except") or []):
            sub = _cidr(ex)
            if sub is None:
                causes.append(invalid_value(f"{path}.ipBlock.except[{k}]", ex,
                                            "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"))
            elif sub.version != net.version or not sub.subnet_of(net) or sub.prefixlen <= net.prefixlen:  # type: ignore[arg-type]
                causes.append(invalid_value(f"{path}.ipBlock.except[{k}]", ex, "must be a strict subset of `cidr`"))


# -- the decision -------------------------------------------------------------------------------------

def _isolating(cluster: Cluster, pod_ns: str, labels: dict, direction: str) -> list[Any]:
    """The policies of the pod's namespace that select it and isolate it for `direction`."""
    out = []
    for pol in cluster.store.list("NetworkPolicy", pod_ns):
        spec = pol.spec
        if direction not in (spec.get("policyTypes") or ["Ingress"]):
            continue
        if selector_matches(spec.get("podSelector") or {}, labels):
            out.append(pol)
    return out


def _peer_matches(cluster: Cluster, policy_ns: str, peer: dict, other: Peer) -> bool:
    block = peer.get("ipBlock")
    if block is not None:
        net = _cidr(block.get("cidr"))
        try:
            ip = ipaddress.ip_address(other.ip) if other.ip else None
        except ValueError:
            ip = None
        if net is None or ip is None or ip.version != net.version or ip not in net:
            return False
        return not any((sub := _cidr(ex)) is not None and ip in sub for ex in block.get("except") or [])
    if not other.in_cluster:
        return False                      # pod and namespace selectors match pods only
    ns_sel, pod_sel = peer.get("namespaceSelector"), peer.get("podSelector")
    if ns_sel is not None:
        ns = cluster.store.get("Namespace", "", other.namespace)
        if not selector_matches(ns_sel, dict(ns.labels) if ns is not None else {}):
            return False
    elif other.namespace != policy_ns:
        return False                      # a podSelector alone: the policy's own namespace
    return pod_sel is None or selector_matches(pod_sel, other.label_map())


def _port_matches(rule_ports: list, port: int, port_name: str, protocol: str) -> bool:
    if not rule_ports:
        return True
    for p in rule_ports:
        if not isinstance(p, dict):
            continue
        if (p.get("protocol") or "TCP") != protocol:
            continue
        want = p.get("port")
        if want is None:
            return True
        if isinstance(want, str):
            if want == port_name:
                return True
            continue
        end = p.get("endPort")
        if (end is None and want == port) or (end is not None and want <= port <= end):
            return True
    return False


def allowed(cluster: Cluster, src: Peer, dst: Peer, port: int, protocol: str = "TCP", port_name: str = "") -> bool:
    """May `src` open a connection to `dst`'s port? Both the source's egress and the destination's
    ingress policies must allow it (a pod not isolated in a direction allows everything)."""
    if not cluster.store.any("NetworkPolicy"):
        return True
    if src.in_cluster:
        pols = _isolating(cluster, src.namespace, src.label_map(), "Egress")
        if pols and not any(_rule_allows(cluster, pol, "egress", "to", dst, port, protocol, port_name)
                            for pol in pols):
            return False
    if dst.in_cluster:
        pols = _isolating(cluster, dst.namespace, dst.label_map(), "Ingress")
        if pols and not any(_rule_allows(cluster, pol, "ingress", "from", src, port, protocol, port_name)
                            for pol in pols):
            return False
    return True


def _rule_allows(cluster: Cluster, pol: Any, direction: str, peers_key: str, other: Peer, port: int, protocol: str,
                 port_name: str) -> bool:
    for rule in pol.spec.get(direction) or []:
        if not isinstance(rule, dict):
            continue
        if not _port_matches(rule.get("ports") or [], port, port_name, protocol):
            continue
        peers = rule.get(peers_key) or []
        if not peers or any(_peer_matches(cluster, pol.namespace, p, other) for p in peers if isinstance(p, dict)):
            return True
    return False


def port_name_of(pod: Any, port: int) -> str:
    """The name of the container port a connection reaches (policies may name ports)."""
    for c in pod.spec.get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("containerPort") == port and p.get("name"):
                return str(p["name"])
    return ""


def dns_allowed(cluster: Cluster, src: Peer) -> bool:
    """Can the client reach a CoreDNS server on 53/UDP (the lookup before every connection by name)?
    True when some Ready kube-dns endpoint accepts it; in a cluster without kube-system, when its
    egress allows port 53/UDP to the kube-system namespace's CoreDNS pods."""
    if not cluster.store.any("NetworkPolicy"):
        return True
    servers = [p for p in cluster.endpoints.endpoints("kube-system", "kube-dns") if p.ready]
    if not servers:
        fake = Peer("kube-system", (("k8s-app", "kube-dns"),), "10.96.0.10")
        return allowed(cluster, src, fake, 53, "UDP", "dns")
    return any(allowed(cluster, src, pod_peer(p), 53, "UDP", "dns") for p in servers)
