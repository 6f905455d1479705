"""NetworkPolicy (networking.k8s.io/v1) as Kubernetes v1.37 defines it.

Upstream: staging/src/k8s.io/api/networking/v1/types.go (the semantics), pkg/apis/networking/v1/
defaults.go (policyTypes, protocol), pkg/apis/networking/validation/validation.go (the messages),
test/e2e/network/netpol (the conformance cases: default deny, allow from a podSelector and a
namespaceSelector, AND versus OR of selectors, ipBlock with except, named ports, egress with DNS),
pkg/printers/internalversion/printers.go (printNetworkPolicy) and
staging/src/k8s.io/kubectl/pkg/describe/describe.go (describeNetworkPolicy).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_system import (  # pytest puts tests/engine on sys.path (rootdir-relative imports)
    make_game,
    sh,
    steps,
)

from kubegame.engine import Cluster, NodeSpec
from kubegame.engine import networkpolicy as netpol
from kubegame.engine.errors import ApiError
from kubegame.kubectl import run
from kubegame.testing.builders import deployment
from kubegame.testing.strategies import manifests


def cluster() -> Cluster:
    c = Cluster(seed=3)
    c.add_node(NodeSpec("worker-1"))
    c.apply(deployment("shop", replicas=2, image="busybox:1.36"))
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "web", "labels": {"team": "web"}}})
    c.run(1)
    return c


def policy(name: str, spec: dict, namespace: str = "default") -> dict:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def peer(ns: str, labels: dict | None = None, ip: str = "10.244.9.9") -> netpol.Peer:
    return netpol.Peer(ns, tuple(sorted((labels or {}).items())), ip)


def test_defaults():
    c = cluster()
    c.create(policy("p", {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}))
    spec = c.get("NetworkPolicy", "default", "p").spec
    assert spec["policyTypes"] == ["Ingress", "Egress"]          # Egress because egress rules exist
    assert spec["egress"][0]["ports"][0]["protocol"] == "TCP"
    c.create(policy("q", {"podSelector": {}}))
    assert c.get("NetworkPolicy", "default", "q").spec["policyTypes"] == ["Ingress"]


@pytest.mark.parametrize("spec, message", [
    ({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]},
     'spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, '
     "(e.g. 10.9.8.0/24 or 2001:db8::/64)"),
    ({"podSelector": {}, "ingress": [{"from": [{}]}]}, "spec.ingress[0].from[0]: Required value: must specify a peer"),
    ({"podSelector": {}, "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
     "spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer"),
    ({"podSelector": {}, "policyTypes": ["Inbound"]},
     'spec.policyTypes[0]: Unsupported value: "Inbound": supported values: "Ingress", "Egress"'),
    ({"podSelector": {}, "ingress": [{"ports": [{"port": 90, "endPort": 80}]}]},
     "spec.ingress[0].ports[0].endPort: Invalid value: 80: must be greater than or equal to `port`"),
    ({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24"]}}]}]},
     'spec.ingress[0].from[0].ipBlock.except[0]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`'),
])
def test_validation(spec, message):
    c = cluster()
    with pytest.raises(ApiError) as info:
        c.create(policy("bad", spec))
    assert message in info.value.message


def test_an_unselected_pod_accepts_everything_and_a_default_deny_isolates():
    c = cluster()
    shop = c.pods("default")[0]
    dst = netpol.pod_peer(shop)
    assert netpol.allowed(c, peer("web"), dst, 8080)
    c.create(policy("deny", {"podSelector": {}}))
    assert not netpol.allowed(c, peer("web"), dst, 8080)
    assert not netpol.allowed(c, peer("default"), dst, 8080)     # same namespace too
    assert netpol.allowed(c, netpol.pod_peer(shop), peer("web"), 8080)   # egress is not isolated


def test_pod_and_namespace_selectors_and_versus_or():
    c = cluster()
    dst = netpol.pod_peer(c.pods("default")[0])
    both = {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}},
                                                       "podSelector": {"matchLabels": {"role": "fe"}}}]}]}
    c.create(policy("and", both))
    assert netpol.allowed(c, peer("web", {"role": "fe"}), dst, 8080)
    assert not netpol.allowed(c, peer("web", {"role": "db"}), dst, 8080)
    assert not netpol.allowed(c, peer("default", {"role": "fe"}), dst, 8080)
    c.delete("NetworkPolicy", "default", "and")
    either = {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": "web"}}},
                                                         {"podSelector": {"matchLabels": {"role": "fe"}}}]}]}
    c.create(policy("or", either))
    assert netpol.allowed(c, peer("web", {"role": "db"}), dst, 8080)
    assert netpol.allowed(c, peer("default", {"role": "fe"}), dst, 8080)    # podSelector: the policy's namespace
    assert not netpol.allowed(c, peer("kube-system", {"role": "fe"}), dst, 8080)


def test_ports_named_ranges_and_protocols():
    c = cluster()
    dst = netpol.pod_peer(c.pods("default")[0])
    c.create(policy("ports", {"podSelector": {}, "ingress": [{"ports": [
        {"port": 8080, "endPort": 8090}, {"port": "metrics"}, {"port": 53, "protocol": "UDP"}]}]}))
    assert netpol.allowed(c, peer("web"), dst, 8085)
    assert not netpol.allowed(c, peer("web"), dst, 8091)
    assert netpol.allowed(c, peer("web"), dst, 9100, port_name="metrics")
    assert netpol.allowed(c, peer("web"), dst, 53, "UDP") and not netpol.allowed(c, peer("web"), dst, 53, "TCP")


def test_ip_block_with_except():
    c = cluster()
    dst = netpol.pod_peer(c.pods("default")[0])
    c.create(policy("ip", {"podSelector": {}, "ingress": [{"from": [
        {"ipBlock": {"cidr": "203.0.113.0/24", "except": ["203.0.113.128/25"]}}]}]}))
    assert netpol.allowed(c, netpol.Peer(ip="203.0.113.5"), dst, 80)
    assert not netpol.allowed(c, netpol.Peer(ip="203.0.113.200"), dst, 80)
    assert not netpol.allowed(c, peer("web"), dst, 80)


def test_egress_needs_dns_then_the_port(tmp_path):
    g = make_game(tmp_path)
    sh(g, "kubectl run tmp --image=busybox -- sleep 3600")
    steps(g, 5)
    g.cluster.create(policy("no-egress", {"podSelector": {"matchLabels": {"run": "tmp"}}, "policyTypes": ["Egress"]}))
    _, err, code = sh(g, "kubectl exec tmp -- wget -qO- http://shop")
    assert (err, code) == ("wget: bad address 'shop'\ncommand terminated with exit code 1\n", 1)
    g.cluster.create(policy("dns", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
        "ports": [{"port": 53, "protocol": "UDP"}]}]}))
    _, err, code = sh(g, "kubectl exec tmp -- wget -qO- http://shop")
    assert (err, code) == ("wget: download timed out\ncommand terminated with exit code 1\n", 1)
    _, err, code = sh(g, "kubectl exec tmp -- curl -s http://shop")
    assert code == 28 and err.startswith("curl: (28) Failed to connect to shop port 80 after ")
    g.cluster.create(policy("web", {"podSelector": {}, "policyTypes": ["Egress"], "egress": [{
        "to": [{"podSelector": {"matchLabels": {"app": "shop"}}}], "ports": [{"port": 8080}]}]}))
    out, err, code = sh(g, "kubectl exec tmp -- wget -qO- http://shop")
    assert code == 0 and out.startswith("Hello from shop-"), err


def test_level_traffic_obeys_policies_and_from(tmp_path):
    g = make_game(tmp_path)
    steps(g, 3)
    assert g.cluster.traffic.last[("default", "shop")].failed == 0
    g.cluster.create(policy("deny", {"podSelector": {"matchLabels": {"app": "shop"}}}))
    steps(g, 3)
    s = g.cluster.traffic.last[("default", "shop")]
    assert s.arrived == 20 and s.failed == 20 and s.served == 0
    g.cluster.create(policy("allow-fe", {"podSelector": {"matchLabels": {"app": "shop"}}, "ingress": [
        {"from": [{"podSelector": {"matchLabels": {"role": "frontend"}}}], "ports": [{"port": 8080}]}]}))
    steps(g, 3)
    assert g.cluster.traffic.last[("default", "shop")].served == 0     # the default clients carry no labels
    g.cluster.traffic.demands["shop"].client = peer("default", {"role": "frontend"})
    g.cluster.traffic.wake()
    steps(g, 3)
    assert g.cluster.traffic.last[("default", "shop")].served == 20


def test_get_and_describe(tmp_path):
    c = cluster()
    c.create(policy("api", {"podSelector": {"matchLabels": {"app": "shop"}}, "ingress": [
        {"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}},
                  {"namespaceSelector": {"matchLabels": {"team": "web"}}}], "ports": [{"port": 8080}]},
        {}], "egress": [{"ports": [{"port": 53, "protocol": "UDP"}]}]}))
    c.create(policy("deny", {"podSelector": {}}))
    out = run(c, "kubectl get netpol").output
    assert out.splitlines() == ["NAME   POD-SELECTOR   AGE", "api    app=shop       0s", "deny   <none>         0s"]
    text = run(c, "kubectl describe networkpolicy api").output
    assert text.split("Spec:\n", 1)[1] == (
        "  PodSelector:     app=shop\n"
        "  Allowing ingress traffic:\n"
        "    To Port: 8080/TCP\n"
        "    From:\n"
        "      IPBlock:\n"
        "        CIDR: 10.0.0.0/8\n"
        "        Except: 10.1.0.0/16\n"
        "    From:\n"
        "      NamespaceSelector: team=web\n"
        "    ----------\n"
        "    To Port: <any> (traffic allowed to all ports)\n"
        "    From: <any> (traffic not restricted by source)\n"
        "  Allowing egress traffic:\n"
        "    To Port: 53/UDP\n"
        "    To: <any> (traffic not restricted by destination)\n"
        "  Policy Types: Ingress, Egress\n")
    text = run(c, "kubectl describe netpol deny").output
    assert "  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)\n" \
           "  Allowing ingress traffic:\n    <none> (Selected pods are isolated for ingress connectivity)\n" \
           "  Not affecting egress traffic\n  Policy Types: Ingress\n" in text
    assert json.loads(run(c, "kubectl get netpol deny -o json").output)["spec"]["policyTypes"] == ["Ingress"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=manifests(kind="NetworkPolicy", namespace="default"), second=manifests(kind="NetworkPolicy",
                                                                                    namespace="default"),
       labels=st.dictionaries(st.sampled_from(["app", "role"]), st.sampled_from(["shop", "web", "fe"]), max_size=2),
       ns=st.sampled_from(["default", "web", "kube-system"]), port=st.sampled_from([53, 80, 8080, 8085]))
def test_policies_are_additive(first, second, labels, ns, port):
    """An allow stays an allow when another policy is added, as long as the first already
    isolated both ends (types.go: policies are additive, never subtractive)."""
    c = cluster()
    c.create(first)
    second["metadata"]["name"] = "second"
    src, dst = peer(ns, labels), netpol.pod_peer(c.pods("default")[0])
    before = netpol.allowed(c, src, dst, port)
    isolated_in = bool(netpol._isolating(c, "default", dst.label_map(), "Ingress"))
    isolated_out = ns != "default" or bool(netpol._isolating(c, "default", src.label_map(), "Egress"))
    c.create(second)
    if before and isolated_in and isolated_out:
        assert netpol.allowed(c, src, dst, port)



def test_the_invariant_catches_a_denied_request_served(tmp_path):
    from kubegame.testing.invariants import InvariantViolation, check_network_policies
    g = make_game(tmp_path)
    steps(g, 3)
    g.cluster.create(policy("deny", {"podSelector": {"matchLabels": {"app": "shop"}}}))
    steps(g, 2)
    check_network_policies(g.cluster)                       # holds: nothing served
    from kubegame.engine.traffic import Sample
    g.cluster.traffic.last[("default", "shop")] = Sample(20, 20, 0, 20.0, 2)   # a broken traffic model
    with pytest.raises(InvariantViolation, match="served 20 requests its NetworkPolicies deny"):
        check_network_policies(g.cluster)
