"""Checks of each scheduling decision against the topology rules, recounted from scratch.

`watch_binds(cluster)` wraps the scheduler's bind so that every pod bound is checked, the
slow and obvious way, before the bind happens:

- no placed pod matching one of the pod's required anti-affinity terms is in the node's
  domain of that term's topology key, and no placed pod's own required anti-affinity
  matches the pod in its domain (interpodaffinity/filtering.go);
- for each `whenUnsatisfiable: DoNotSchedule` constraint, the matching placed pods in the
  node's domain + 1 - the fewest in any eligible domain (0 below minDomains) <= maxSkew
  (podtopologyspread/filtering.go).

"Placed" means bound to a node and not Succeeded or Failed, as the scheduler's cache holds them.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine import Cluster
from kubegame.engine.objects import Node, Pod
from kubegame.engine.validation import selector_matches
from kubegame.testing.invariants import _fail

REQ = "requiredDuringSchedulingIgnoredDuringExecution"


def _placed(cluster: Cluster) -> list[Pod]:
    return [p for p in cluster.pods() if p.node_name and p.phase not in ("Succeeded", "Failed")]


def _term_matches(term: dict, owner: Pod, other: Pod) -> bool:
    # without a namespaceSelector: the listed namespaces, else the owner's; with one, any
    # namespace may match (the selector itself is not resolved here)
    if term.get("namespaceSelector") is None and \
            other.namespace not in (term.get("namespaces") or [owner.namespace]):
        return False
    return selector_matches(term.get("labelSelector"), other.labels)


def check_bind(cluster: Cluster, pod: Pod, node: Node) -> None:
    placed = [p for p in _placed(cluster) if p.key != pod.key]
    nodes = {n.name: n for n in cluster.nodes()}
    anti = ((pod.spec.get("affinity") or {}).get("podAntiAffinity") or {}).get(REQ) or []
    for term in anti:
        if term.get("matchLabelKeys"):
            continue
        key = term.get("topologyKey")
        here = node.labels.get(key)
        for other in placed:
            on = nodes.get(other.node_name)
            if on is not None and here is not None and on.labels.get(key) == here and _term_matches(term, pod, other):
                _fail(f"{pod.name} bound to {node.name} next to {other.name} against its anti-affinity on {key}")
    for other in placed:
        for term in ((other.spec.get("affinity") or {}).get("podAntiAffinity") or {}).get(REQ) or []:
            key = term.get("topologyKey")
            on = nodes.get(other.node_name)
            if on is not None and node.labels.get(key) is not None and on.labels.get(key) == node.labels.get(key) \
                    and not term.get("matchLabelKeys") and _term_matches(term, other, pod):
                _fail(f"{pod.name} bound to {node.name} against {other.name}'s anti-affinity on {key}")
    for c in pod.spec.get("topologySpreadConstraints") or []:
        if c.get("whenUnsatisfiable", "DoNotSchedule") != "DoNotSchedule" or c.get("matchLabelKeys"):
            continue
        key = c["topologyKey"]
        sel = c.get("labelSelector")
        keys = {x["topologyKey"] for x in pod.spec["topologySpreadConstraints"]
                if x.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule"}
        eligible = [n for n in nodes.values() if all(k in n.labels for k in keys) and _honors(pod, n, c)]
        domains = {n.labels[key] for n in eligible}
        counts = dict.fromkeys(domains, 0)
        names = {n.name for n in eligible}
        for other in placed:
            if other.namespace == pod.namespace and other.node_name in names and selector_matches(sel, other.labels):
                counts[nodes[other.node_name].labels[key]] += 1
        low = 0 if len(domains) < int(c.get("minDomains") or 1) else min(counts.values(), default=0)
        mine = counts.get(node.labels.get(key), 0) + (1 if selector_matches(sel, pod.labels) else 0)
        if mine - low > int(c.get("maxSkew") or 1):
            _fail(f"{pod.name} bound to {node.name}: {key}={node.labels.get(key)} would hold {mine} matching "
                  f"pods against a minimum of {low} (maxSkew {c.get('maxSkew')})")


def _honors(pod: Pod, node: Node, c: dict) -> bool:
    from kubegame.engine.controllers.scheduler import match_node_selector_term, tolerates
    if (c.get("nodeAffinityPolicy") or "Honor") == "Honor":
        if any(node.labels.get(k) != v for k, v in (pod.spec.get("nodeSelector") or {}).items()):
            return False
        terms = (((pod.spec.get("affinity") or {}).get("nodeAffinity") or {}).get(REQ) or {}).get(
            "nodeSelectorTerms") or []
        if terms and not any(match_node_selector_term(t, node.labels, node.name) for t in terms):
            return False
    if (c.get("nodeTaintsPolicy") or "Ignore") == "Honor":
        tolerations = pod.spec.get("tolerations") or []
        if any(t.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(tolerations, t) for t in node.taints):
            return False
    return True


def watch_binds(cluster: Cluster) -> None:
    """Check every bind the scheduler makes from now on (see the module's docstring)."""
    scheduler = cluster.scheduler
    bind = scheduler.bind

    def checked(pod: Pod, node: Node, *args: Any) -> None:
        check_bind(cluster, pod, node)
        bind(pod, node, *args)

    scheduler.bind = checked          # type: ignore[method-assign]
