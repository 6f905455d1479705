"""The store's label index answers every selector as a pass over the namespace with
selector_matches would (metav1.LabelSelectorAsSelector), and SelectorIndex finds exactly the
selectors that match a pod's labels (issue 23: HPA and PDB never list a namespace)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kubegame.engine.objects import Pod
from kubegame.engine.store import SelectorIndex, Store
from kubegame.engine.validation import selector_matches

KEYS = st.sampled_from(["app", "tier", "zone"])
VALUES = st.sampled_from(["a", "b", "c"])
ODD = st.one_of(VALUES, st.sampled_from([1, None, ["a"]]))     # what hostile input may put in a selector
LABELS = st.dictionaries(KEYS, VALUES, max_size=3)
EXPR = st.builds(lambda k, op, vs: {"key": k, "operator": op, **({"values": vs} if op in ("In", "NotIn") else {})},
                 KEYS, st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist"]), st.lists(VALUES, max_size=2))
SELECTOR = st.one_of(st.none(), st.fixed_dictionaries({}, optional={"matchLabels": st.dictionaries(KEYS, ODD, max_size=3),
                                                                   "matchExpressions": st.lists(EXPR, max_size=2)}))


def _pod(name: str, ns: str, labels: dict) -> Pod:
    return Pod(name, ns, {"containers": [{"name": "c", "image": "x"}]}, labels=dict(labels))


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["default", "other"]), LABELS), max_size=12), SELECTOR,
       st.lists(st.tuples(st.integers(0, 11), LABELS), max_size=4))
def test_pods_selected_is_a_filtered_scan(pods, selector, relabels) -> None:
    store = Store()
    made = [store.add(_pod(f"p{i}", ns, labels)) for i, (ns, labels) in enumerate(pods)]
    for i, labels in relabels:            # kubectl label: in place, then a write
        if i < len(made):
            made[i].labels.clear()
            made[i].labels.update(labels)
            store.modified(made[i])
    if made:
        store.remove(made[0])
    for ns in ("default", "other"):
        want = [p for p in store.list("Pod") if p.namespace == ns and selector_matches(selector, p.labels)]
        assert store.pods_selected(ns, selector) == want


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(["default", "other"]), SELECTOR.filter(lambda s: s is not None)),
                max_size=8), st.sampled_from(["default", "other"]), LABELS)
def test_selector_index_finds_the_matching_selectors(selectors, ns, labels) -> None:
    index = SelectorIndex()
    for i, (sns, sel) in enumerate(selectors):
        index.put((sns, f"s{i}"), sel)
    if selectors:
        index.drop((selectors[0][0], "s0"))
    want = sorted((sns, f"s{i}") for i, (sns, sel) in enumerate(selectors)
                  if i > 0 and sns == ns and selector_matches(sel, labels))
    assert index.matching(ns, labels) == want
