"""`kubectl describe networkpolicy` in the layout of staging/src/k8s.io/kubectl/pkg/describe/describe.go
(describeNetworkPolicy, describeNetworkPolicySpec, printNetworkPolicySpecIngressFrom/EgressTo)."""

from __future__ import annotations

from kubegame.kubectl.core import Ctx
from kubegame.kubectl.describe import DESCRIBERS, W, _annotations, _labels
from kubegame.kubectl.printers import Item
from kubegame.kubectl.util import format_label_selector


def _go_time(ts: str | None) -> str:
    """metav1.Time's String(): Go's time.Time layout `2006-01-02 15:04:05 -0700 MST`."""
    if not ts:
        return "0001-01-01 00:00:00 +0000 UTC"
    return f"{ts[:10]} {ts[11:19]} +0000 UTC"


def _rules(w: W, rules: list, peers_key: str, isolated: str, port_word: str, any_peer: str) -> None:
    indent = "    "
    if not rules:
        w.w(0, f"{indent}<none> (Selected pods are isolated for {isolated} connectivity)\n")
        return
    for i, rule in enumerate(rules):
        rule = rule or {}
        if not rule.get("ports"):
            w.w(0, f"{indent}To Port: <any> (traffic allowed to all ports)\n")
        else:
            for p in rule["ports"]:
                proto = p.get("protocol") or "TCP"
                port = p.get("port", "<nil>") if p.get("port") is not None else "<nil>"
                if p.get("endPort") is None:
                    w.w(0, f"{indent}To Port: {port}/{proto}\n")
                else:
                    w.w(0, f"{indent}To Port Range: {port}-{p['endPort']}/{proto}\n")
        peers = rule.get(peers_key) or []
        if not peers:
            w.w(0, f"{indent}{port_word}: <any> (traffic not restricted by {any_peer})\n")
        for peer in peers:
            w.w(0, f"{indent}{port_word}:\n")
            pod_sel, ns_sel, block = peer.get("podSelector"), peer.get("namespaceSelector"), peer.get("ipBlock")
            if pod_sel is not None and ns_sel is not None:
                w.w(1, f"{indent}NamespaceSelector: {format_label_selector(ns_sel)}\n")
                w.w(1, f"{indent}PodSelector: {format_label_selector(pod_sel)}\n")
            elif pod_sel is not None:
                w.w(1, f"{indent}PodSelector: {format_label_selector(pod_sel)}\n")
            elif ns_sel is not None:
                w.w(1, f"{indent}NamespaceSelector: {format_label_selector(ns_sel)}\n")
            elif block is not None:
                w.w(1, f"{indent}IPBlock:\n")
                w.w(2, f"{indent}CIDR: {block.get('cidr', '')}\n")
                w.w(2, f"{indent}Except: {', '.join(block.get('except') or [])}\n")
        if i != len(rules) - 1:
            w.w(0, f"{indent}----------\n")


def describe_network_policy(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    spec = d.get("spec") or {}
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    w.w(0, f"Created on:\t{_go_time(md.get('creationTimestamp'))}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    w.w(0, "Spec:\n")
    sel = spec.get("podSelector") or {}
    w.w(1, "PodSelector: ")
    w.w(2, "<none> (Allowing the specific traffic to all pods in this namespace)\n"
        if not sel.get("matchLabels") and not sel.get("matchExpressions") else f"{format_label_selector(sel)}\n")
    types = spec.get("policyTypes") or []
    if "Ingress" in types:
        w.w(1, "Allowing ingress traffic:\n")
        _rules(w, spec.get("ingress") or [], "from", "ingress", "From", "source")
    else:
        w.w(1, "Not affecting ingress traffic\n")
    if "Egress" in types:
        w.w(1, "Allowing egress traffic:\n")
        _rules(w, spec.get("egress") or [], "to", "egress", "To", "destination")
    else:
        w.w(1, "Not affecting egress traffic\n")
    w.w(1, f"Policy Types: {', '.join(types) or '<none>'}\n")
    return w.text()


DESCRIBERS.update({"NetworkPolicy": describe_network_policy})
