"""Field sets, FieldsV1, conflicts and the apply merge of server-side apply
(sigs.k8s.io/structured-merge-diff fieldpath and merge; the fieldmanager's conflict message)."""

from __future__ import annotations

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
    found = conflicts(LIVE, applied, "kubectl", {"kubectl-client-side-apply": field_set(LIVE)})
    assert found == [("kubectl-client-side-apply", ("spec", "replicas"))]       # the same image co-owns
    assert conflict_message(found, "apps/v1").splitlines()[0] == \
        'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas'
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
