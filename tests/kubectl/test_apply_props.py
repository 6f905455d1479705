"""Properties of client-side apply (staging/src/k8s.io/kubectl/pkg/cmd/apply, strategicpatch's
CreateThreeWayMergePatch), drawn with kubegame.testing's manifests."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kubegame import kubectl
from kubegame.engine import Cluster, NodeSpec
from kubegame.testing.strategies import manifests

KINDS = ["Deployment", "Service", "ConfigMap", "Job", "CronJob", "Role", "ServiceAccount", "StatefulSet",
         "DaemonSet", "PodDisruptionBudget"]


def cluster() -> Cluster:
    c = Cluster(1)
    c.add_node(NodeSpec("node-1", cpu="8", memory="16Gi"))
    return c


def view(c: Cluster, body: dict) -> dict:
    o = c.get(body["kind"], "default" if body["kind"] not in ("ClusterRole",) else "", body["metadata"]["name"])
    d = c.render(o)
    d.pop("status", None)
    for k in ("resourceVersion", "generation", "annotations"):
        d["metadata"].pop(k, None)
    return d


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(KINDS).flatmap(lambda k: manifests(k, image_names=("busybox:1.36",))))
def test_get_yaml_piped_to_apply_changes_nothing(body):
    c = cluster()
    r = kubectl.run(c, "kubectl apply -f -", stdin=json.dumps(body))
    assert r.exit_code == 0, r.error
    before = view(c, body)
    out = kubectl.run(c, f"kubectl get {body['kind'].lower()} {body['metadata']['name']} -o yaml").output
    r = kubectl.run(c, "kubectl apply -f -", stdin=out)
    assert r.exit_code == 0 and r.error == "", r.error
    assert view(c, body) == before


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["Deployment", "Service", "ConfigMap", "Job"]).flatmap(
    lambda k: manifests(k, image_names=("busybox:1.36",))))
def test_a_field_dropped_from_the_file_is_dropped_from_the_object(body):
    c = cluster()
    body.setdefault("metadata", {}).setdefault("labels", {})["drop-me"] = "yes"
    assert kubectl.run(c, "kubectl apply -f -", stdin=json.dumps(body)).exit_code == 0
    del body["metadata"]["labels"]["drop-me"]
    r = kubectl.run(c, "kubectl apply -f -", stdin=json.dumps(body))
    assert r.output.endswith("configured\n"), (r.output, r.error)
    live = c.get(body["kind"], "default", body["metadata"]["name"])
    assert "drop-me" not in live.labels
