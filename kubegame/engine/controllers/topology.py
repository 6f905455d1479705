"""The scheduler's InterPodAffinity and PodTopologySpread plugins, on an index of pods by
topology domain.

Upstream (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go, scoring.go;
podtopologyspread/filtering.go, scoring.go, common.go) counts, in PreFilter, the pods that
match each term per topology pair by walking every node's pods. Here each distinct term
(namespaces, selector, topology key) is registered once and its counts per domain are kept
up to date as pods are placed and released (`account`, the same calls that keep the nodes'
requests), so a pod's filters cost the terms' counts, not a walk over every pod.

Rules followed:
- required pod affinity: every term's topology key must be on the node and a matching pod
  in that domain; the first pod of a group that matches its own terms may go anywhere with
  the keys when no pod matches yet (satisfyPodAffinity). UnschedulableAndUnresolvable.
- required pod anti-affinity: no matching pod in the node's domain (satisfyPodAntiAffinity),
  and no placed pod whose own required anti-affinity matches this pod in that domain
  (satisfyExistingPodsAntiAffinity). Both Unschedulable (preemption may help).
- topology spread, `whenUnsatisfiable: DoNotSchedule`: the node must have every key
  (else unresolvable) and `matching pods in its domain + self - global minimum <= maxSkew`,
  the minimum taken over the eligible domains (nodeAffinityPolicy Honor, nodeTaintsPolicy
  Ignore by default), and 0 when fewer than minDomains (default 1) domains are eligible.
- namespaces: the term's namespaces plus those its namespaceSelector selects; neither
  means the pod's own namespace (GetNamespacesFromPodAffinityTerm). matchLabelKeys adds
  the pod's own values of those labels to the selector.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from kubegame.engine.validation import selector_matches

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster
    from kubegame.engine.objects import Node, Pod

AFFINITY_RULES = "node(s) didn't match pod affinity rules"
ANTI_AFFINITY_RULES = "node(s) didn't match pod anti-affinity rules"
EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
SPREAD = "node(s) didn't match pod topology spread constraints"
SPREAD_LABEL = SPREAD + " (missing required label)"
UNRESOLVABLE = (AFFINITY_RULES, SPREAD_LABEL)

NODE = ""      # the pseudo topology key whose domains are the nodes themselves (per-node counts)


class Term:
    """A pod affinity term or a spread constraint's selector: which pods it counts, and by what key."""

    __slots__ = ("namespaces", "selector", "key", "sig", "equality")

    def __init__(self, namespaces: frozenset[str] | None, selector: dict, key: str):
        self.namespaces = namespaces            # None: every namespace
        self.selector = selector
        self.key = key
        self.sig = (None if namespaces is None else tuple(sorted(namespaces)), repr(_canonical(selector)), key)
        # one label=value every matching pod carries, to find the term from a pod's labels
        labels = selector.get("matchLabels") or {}
        self.equality: tuple[str, str] | None = None
        if labels:
            k = min(labels)
            self.equality = (k, str(labels[k]))
        else:
            for expr in selector.get("matchExpressions") or []:
                if expr.get("operator") == "In" and len(expr.get("values") or []) == 1:
                    self.equality = (expr["key"], str(expr["values"][0]))
                    break

    def matches(self, pod: Pod) -> bool:
        if self.namespaces is not None and pod.namespace not in self.namespaces:
            return False
        return selector_matches(self.selector, pod.labels)

    def on(self, key: str) -> Term:
        """The same pods, counted by another topology key."""
        other = object.__new__(Term)
        other.namespaces, other.selector, other.key, other.equality = self.namespaces, self.selector, key, self.equality
        other.sig = (self.sig[0], self.sig[1], key)
        return other


def _canonical(selector: dict) -> Any:
    return (sorted((selector.get("matchLabels") or {}).items()),
            sorted((e.get("key"), e.get("operator"), tuple(sorted(e.get("values") or ())))
                   for e in selector.get("matchExpressions") or []))


def _with_label_keys(selector: dict | None, keys: list[str] | None, labels: dict) -> dict:
    sel = dict(selector or {})
    extra = {k: labels[k] for k in keys or () if k in labels}
    if extra:
        sel["matchExpressions"] = list(sel.get("matchExpressions") or []) + [
            {"key": k, "operator": "In", "values": [v]} for k, v in sorted(extra.items())]
    return sel


class Spread:
    """One topology spread constraint of a pod."""

    __slots__ = ("term", "max_skew", "min_domains", "honor_affinity", "honor_taints", "self_match")

    def __init__(self, term: Term, c: dict, pod: Pod):
        self.term = term
        self.max_skew = int(c.get("maxSkew") or 1)
        self.min_domains = int(c.get("minDomains") or 1)
        self.honor_affinity = (c.get("nodeAffinityPolicy") or "Honor") == "Honor"
        self.honor_taints = (c.get("nodeTaintsPolicy") or "Ignore") == "Honor"
        self.self_match = 1 if selector_matches(term.selector, pod.labels) else 0


class PodTopology:
    """A pod's inter-pod terms and spread constraints, parsed once per template."""

    __slots__ = ("affinity", "anti", "own_anti", "hard", "soft", "preferred", "self_affinity", "user_spread")

    def __init__(self, pod: Pod, cluster: Cluster):
        spec = pod.spec
        aff = spec.get("affinity") or {}
        pa, paa = aff.get("podAffinity") or {}, aff.get("podAntiAffinity") or {}
        req = "requiredDuringSchedulingIgnoredDuringExecution"
        pref = "preferredDuringSchedulingIgnoredDuringExecution"
        self.affinity = [term_of(t, pod, cluster) for t in pa.get(req) or []]
        self.anti = [term_of(t, pod, cluster) for t in paa.get(req) or []]
        self.own_anti = self.anti           # what this pod imposes on pods that come after it
        # (weight, sign, term): preferred affinity adds, preferred anti-affinity subtracts
        self.preferred = [(int(w.get("weight") or 1), +1, term_of(w.get("podAffinityTerm") or {}, pod, cluster))
                          for w in pa.get(pref) or []]
        self.preferred += [(int(w.get("weight") or 1), -1, term_of(w.get("podAffinityTerm") or {}, pod, cluster))
                           for w in paa.get(pref) or []]
        self.self_affinity = bool(self.affinity) and all(t.matches(pod) for t in self.affinity)
        self.hard: list[Spread] = []
        self.soft: list[Spread] = []
        constraints = spec.get("topologySpreadConstraints") or []
        self.user_spread = bool(constraints)
        for c in constraints:
            sel = _with_label_keys(c.get("labelSelector"), c.get("matchLabelKeys"), pod.labels)
            term = Term(frozenset([pod.namespace]), sel, str(c.get("topologyKey") or ""))
            (self.hard if c.get("whenUnsatisfiable", "DoNotSchedule") == "DoNotSchedule" else self.soft).append(
                Spread(term, c, pod))

    @property
    def filters(self) -> bool:
        return bool(self.affinity or self.anti or self.hard)


def term_of(t: dict, pod: Pod, cluster: Cluster) -> Term:
    """A PodAffinityTerm of `pod`, its namespaces resolved (GetNamespacesFromPodAffinityTerm)."""
    names = set(t.get("namespaces") or [])
    ns_sel = t.get("namespaceSelector")
    namespaces: frozenset[str] | None
    if ns_sel is not None and not (ns_sel.get("matchLabels") or ns_sel.get("matchExpressions")):
        namespaces = None                                  # {}: every namespace
    else:
        if ns_sel is not None:
            names.update(ns.name for ns in cluster.store.list("Namespace") if selector_matches(ns_sel, ns.labels))
        elif not names:
            names.add(pod.namespace)
        namespaces = frozenset(names)
    sel = _with_label_keys(t.get("labelSelector"), t.get("matchLabelKeys"), pod.labels)
    if t.get("labelSelector") is None and not t.get("matchLabelKeys"):
        sel = None                                          # a nil selector matches no pod
    return Term(namespaces, sel if sel is not None else {"matchExpressions": [
        {"key": "\0none", "operator": "Exists"}]}, str(t.get("topologyKey") or ""))


class TopologyIndex:
    """Counts of placed pods per (term, topology domain), kept as pods are placed and released."""

    MAX_TERMS = 4096

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.placed: dict[tuple[str, str], tuple[Pod, Node]] = {}
        self.terms: dict[tuple, Term] = {}
        self.counts: dict[tuple, dict[str, int]] = {}
        self.by_label: dict[tuple[str, str], list[tuple]] = {}
        self.general: list[tuple] = []
        # placed pods' own required anti-affinity: term sig -> domain -> pods there carrying it
        self.anti_terms: dict[tuple, Term] = {}
        self.anti_counts: dict[tuple, dict[str, int]] = {}
        self.anti_by_label: dict[tuple[str, str], list[tuple]] = {}
        self.anti_general: list[tuple] = []
        self.own_anti: dict[tuple[str, str], list[Term]] = {}   # pod -> the anti terms it carries
        self.version = 0

    def account(self, pod: Pod, node: Node, sign: int) -> None:
        """A pod was placed on (+1) or released from (-1) a node."""
        self.version += 1
        if sign > 0:
            self.placed[pod.key] = (pod, node)
        else:
            self.placed.pop(pod.key, None)
        labels = node.labels
        for sig in self._candidates(pod, self.by_label, self.general):
            term = self.terms[sig]
            if term.matches(pod):
                _add(self.counts[sig], node.name if term.key == NODE else labels.get(term.key), sign)
        anti = self.own_anti.pop(pod.key, None) if sign < 0 else _own_anti(pod, self.cluster)
        if anti:
            if sign > 0:
                self.own_anti[pod.key] = anti
            for term in anti:
                if term.sig not in self.anti_terms:
                    self.anti_terms[term.sig] = term
                    self.anti_counts[term.sig] = {}
                    if term.equality is not None:
                        self.anti_by_label.setdefault(term.equality, []).append(term.sig)
                    else:
                        self.anti_general.append(term.sig)
                _add(self.anti_counts[term.sig], labels.get(term.key), sign)

    @staticmethod
    def _candidates(pod: Pod, by_label: dict, general: list) -> list[tuple]:
        out = list(general)
        for item in pod.labels.items():
            sigs = by_label.get(item)
            if sigs:
                out.extend(sigs)
        return out

    def count(self, term: Term) -> dict[str, int]:
        """Matching placed pods per domain of the term's key (registering the term on first use)."""
        counts = self.counts.get(term.sig)
        if counts is None:
            if len(self.terms) >= self.MAX_TERMS:
                self.terms.clear()
                self.counts.clear()
                self.by_label.clear()
                self.general.clear()
            counts = self.counts[term.sig] = {}
            self.terms[term.sig] = term
            if term.equality is not None:
                self.by_label.setdefault(term.equality, []).append(term.sig)
            else:
                self.general.append(term.sig)
            for pod, node in self.placed.values():
                if term.matches(pod):
                    _add(counts, node.name if term.key == NODE else node.labels.get(term.key), 1)
        return counts

    def existing_anti(self, pod: Pod) -> list[tuple[str, set[str]]]:
        """(topology key, domains) where a placed pod's required anti-affinity forbids this pod."""
        out = []
        for sig in self._candidates(pod, self.anti_by_label, self.anti_general):
            counts = self.anti_counts[sig]
            if counts and self.anti_terms[sig].matches(pod):
                out.append((self.anti_terms[sig].key, set(counts)))
        return out


def _own_anti(pod: Pod, cluster: Cluster) -> list[Term] | None:
    terms = ((pod.spec.get("affinity") or {}).get("podAntiAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    if not terms:
        return None
    return [term_of(t, pod, cluster) for t in terms]


def _add(counts: dict[str, int], domain: str | None, sign: int) -> None:
    if domain is None:
        return
    n = counts.get(domain, 0) + sign
    if n > 0:
        counts[domain] = n
    else:
        counts.pop(domain, None)


def normalizing_weight(size: int) -> float:
    """podtopologyspread/scoring.go topologyNormalizingWeight: log(size + 2)."""
    return math.log(size + 2)
