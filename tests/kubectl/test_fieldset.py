"""Field sets, FieldsV1, conflicts and the apply merge of server-side apply
(sigs.k8s.io/structured-merge-diff fieldpath and merge; the fieldmanager's conflict message)."""

from __future__ import annotations

import pytest

from kubegame.kubectl.fieldset import (
    apply_merge,
    conflict_message,
    conflicts,
    field_set,
    fields_v1,
    path_text,
)

LIVE = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "web", "image": "nginx:1"}, {"name": "side", "image": "envoy"}]}}}}


def test_paths_name_list_items_by_their_merge_key() -> None:
    fs = field_set({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:2"}]}}}})
    assert sorted(map(path_text, fs)) == ['.spec.template.spec.containers[name="web"]',
                                          '.spec.template.spec.containers[name="web"].image',
                                          '.spec.template.spec.containers[name="web"].name']
    assert fields_v1(fs) == {"f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}}}}}}}
    assert ("metadata", "name") not in field_set(LIVE) and ("kind",) not in field_set(LIVE)


def test_a_different_value_owned_by_another_manager_conflicts() -> None:
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
               "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}}}
    csa = ("kubectl-client-side-apply", "Update", "")
    found = conflicts(LIVE, applied, "kubectl", {csa: field_set(LIVE)})
    assert found == [(csa, ("spec", "replicas"))]       # the same image co-owns
    # fieldmanager/internal/conflict.go printManager: an Update manager is named with its apiVersion ...
    assert conflict_message(found, "apps/v1").splitlines()[0] == \
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas'
    # ... an Apply manager by its name alone
    alice = ("alice", "Apply", "")
    found = conflicts(LIVE, applied, "kubectl", {alice: field_set(LIVE)})
    assert conflict_message(found, "apps/v1").splitlines()[0] == \
        'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    assert conflicts(LIVE, applied, "kubectl", {"kubectl": field_set(LIVE)}) == []     # its own fields


def test_the_merge_sets_applied_fields_and_drops_what_the_manager_no_longer_applies() -> None:
    before = field_set({"spec": {"template": {"spec": {"containers": [{"name": "side", "image": "envoy"}]}}}})
    applied = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 4}}
    got = apply_merge(LIVE, applied, before, set())
    assert got["spec"]["replicas"] == 4
    assert [c["name"] for c in got["spec"]["template"]["spec"]["containers"]] == ["web"]   # side was its own
    kept = apply_merge(LIVE, applied, before, before)        # another manager owns it too: it stays
    assert [c["name"] for c in kept["spec"]["template"]["spec"]["containers"]] == ["web", "side"]
    assert got["metadata"]["labels"] == {"app": "web"}


def _deployment(replicas: int, containers: list[str]) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": n, "image": "busybox:latest"} for n in containers]}}}}


@pytest.fixture
def k(empty):
    from .conftest import K
    return K(empty)


def test_server_side_apply_owns_conflicts_and_prunes(k) -> None:
    """apply --server-side: `serverside-applied`, no last-applied annotation, a conflict with the
    scale subresource's manager (the API server's message, kubectl's advice), --force-conflicts,
    a container the manager stops applying removed, managedFields shown with --show-managed-fields."""
    import json
    r = k("apply --server-side -f -", stdin=json.dumps(_deployment(2, ["web", "side"])))
    assert (r.output, r.error) == ("deployment.apps/web serverside-applied\n", "")
    dep = k.cluster.get("Deployment", "default", "web")
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (dep.annotations or {})
    k("scale deploy web --replicas=5")
    r = k("apply --server-side -f -", stdin=json.dumps(_deployment(3, ["web", "side"])))
    assert r.exit_code == 1
    assert r.error.splitlines()[0] == ('error: Apply failed with 1 conflict: conflict with "kubectl" with subresource '
                                       '"scale" using apps/v1: .spec.replicas')
    assert "--force-conflicts" in r.error and dep.spec["replicas"] == 5
    r = k("apply --server-side --force-conflicts -f -", stdin=json.dumps(_deployment(3, ["web"])))
    assert r.output == "deployment.apps/web serverside-applied\n" and dep.spec["replicas"] == 3
    assert [c["name"] for c in dep.spec["template"]["spec"]["containers"]] == ["web"]
    out = k("get deploy web -o yaml --show-managed-fields").output
    assert "  managedFields:\n  - apiVersion: apps/v1\n    fieldsType: FieldsV1\n" in out
    assert "    manager: kubectl\n    operation: Apply\n" in out
    assert "managedFields" not in k("get deploy web -o yaml").output


def test_a_client_side_applied_object_conflicts_with_a_server_side_apply(k) -> None:
    import json
    assert k("apply -f -", stdin=json.dumps(_deployment(2, ["web"]))).exit_code == 0
    r = k("apply --server-side -f -", stdin=json.dumps(_deployment(4, ["web"])))
    assert 'conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas' in r.error
    r = k("apply --server-side --field-manager=ci -f -", stdin=json.dumps(_deployment(2, ["web"])))
    assert r.exit_code == 0                          # the same values: ci co-owns them, no conflict


def test_new_list_items_keep_the_manifests_order() -> None:
    """The merge walks the manifest in its own order (never a set's): the same result in every process."""
    names = ["f", "b", "e", "a", "d", "c"]
    applied = {"spec": {"template": {"spec": {"containers": [{"name": n, "image": "x"} for n in names]}}}}
    got = apply_merge({"spec": {}}, applied, set(), set())
    assert [c["name"] for c in got["spec"]["template"]["spec"]["containers"]] == names
