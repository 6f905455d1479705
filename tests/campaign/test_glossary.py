"""The glossary: every concept a bundled level lists has an entry, and the entries say something."""

import pytest

from kubegame.level.catalog import bundled_levels
from kubegame.level.glossary import ENTRIES

REQUIRED = ["Container", "Image", "Layer", "Registry", "Pod", "Node", "Cluster", "ReplicaSet", "Deployment",
            "RollingUpdate", "Service", "Label", "Selector", "ClusterIP", "NodePort", "LoadBalancer", "Ingress",
            "kubectl", "Manifest", "DebugPod", "DaemonSet", "StatefulSet", "Volume", "Job", "ConfigMap", "Secret",
            "HPA", "PodDisruptionBudget", "Taint", "Affinity", "Zone", "etcd", "Quorum", "Kernel", "Scheduling",
            "Probe", "Namespace", "Toleration", "Minikube", "VM"]


def missing_entries(levels, entries) -> list[str]:
    """`level: concept` for every concept a level lists without a glossary entry."""
    return [f"{lv.name}: {c}" for lv in levels for c in lv.concepts if c not in entries]


def test_every_concept_a_level_lists_has_an_entry():
    levels = bundled_levels()
    assert sum(len(lv.concepts) for lv in levels) > 0
    assert missing_entries(levels, ENTRIES) == []


def test_the_check_catches_a_missing_entry():
    levels = bundled_levels()
    named = next(c for lv in levels for c in lv.concepts)
    without = {k: v for k, v in ENTRIES.items() if k != named}
    assert any(m.endswith(": " + named) for m in missing_entries(levels, without))


@pytest.mark.parametrize("concept", REQUIRED)
def test_required_concepts_have_entries(concept):
    assert concept in ENTRIES


@pytest.mark.parametrize("concept", sorted(ENTRIES))
def test_entries_are_a_few_plain_sentences(concept):
    text = ENTRIES[concept]
    assert 80 <= len(text) <= 600, f"{concept}: {len(text)} characters"
    assert (text[0].isupper() or text[0] in "`(") and text.rstrip().endswith((".", ")", "`"))
    assert text.count(".") >= 2, f"{concept}: write a few sentences"


def test_the_tui_reads_these_entries():
    from kubegame.tui.glossary import entries, lookup
    assert entries() == ENTRIES
    assert lookup("pods") == ("Pod", ENTRIES["Pod"])
