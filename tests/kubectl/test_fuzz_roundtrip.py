"""No exception escapes `run`/`complete`; `get -o yaml` then `apply -f -` changes nothing."""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubegame import kubectl
from kubegame.engine import Cluster, NodeSpec

from .conftest import SHOP, SHOP_SVC

VALID = [
    "kubectl get pods -o wide", "kubectl get deploy shop -o yaml", "kubectl describe deploy shop",
    "kubectl scale deploy shop --replicas=2", "kubectl rollout status deploy/shop", "kubectl get all -A",
    "kubectl label pods -l app=shop tier=web", "kubectl set image deploy/shop shop=busybox:1.36",
    "kubectl get pods -o jsonpath={.items[0].metadata.name}", "kubectl top pods", "kubectl drain node-1",
    "kubectl patch deploy shop -p {}", "kubectl explain pods.spec", "kubectl delete svc shop",
]
ALPHABET = st.sampled_from(list("abcdeklopstw -=/.,{}[]'\"\\:*!()") + ["--", "-o", "pods", "deploy", "yaml"])


def _cluster() -> Cluster:
    c = Cluster(seed=3)
    c.add_node(NodeSpec("node-1"))
    c.create(SHOP)
    c.create(SHOP_SVC)
    c.run(5)
    return c


CLUSTER = _cluster()


def _check(line: str) -> None:
    r = kubectl.run(CLUSTER, line)
    assert isinstance(r, kubectl.Result)
    assert "internal error" not in r.error, (line, r.error)
    if r.exit_code != 0:
        assert r.error.strip() or r.output.strip(), line
    kubectl.complete(CLUSTER, line)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_arbitrary_text_never_raises(text: str) -> None:
    r = kubectl.run(CLUSTER, "kubectl " + text)
    assert isinstance(r, kubectl.Result)
    if r.exit_code != 0:
        assert r.error.strip() or r.output.strip()
    assert isinstance(kubectl.complete(CLUSTER, "kubectl " + text), list)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID), st.lists(st.tuples(st.integers(0, 80), ALPHABET, st.booleans()), max_size=3))
def test_mutated_commands_never_raise(line: str, edits) -> None:
    for pos, piece, delete in edits:
        pos = min(pos, len(line))
        line = line[:pos] + line[pos + 1:] if delete else line[:pos] + piece + line[pos:]
    _check(line)


def test_internal_errors_become_messages(monkeypatch) -> None:
    from kubegame.kubectl import cmd_get

    def boom(ctx):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(cmd_get, "cmd_get", boom)
    r = kubectl.run(CLUSTER, "kubectl get pods")
    assert r.exit_code == 1 and r.error.startswith("error: internal error") and "kaboom" in r.error


def test_round_trip_yaml_apply_unchanged(shop) -> None:
    """get -o yaml | apply -f -: the first time (objects made without apply) patches the last-applied
    annotation in, with kubectl's warning; from then on it reports `unchanged` and leaves the cluster
    as it was (staging/src/k8s.io/kubectl/pkg/cmd/apply/patcher.go)."""
    for kind, name in (("deploy", "shop"), ("svc", "shop"), ("node", "node-1")):
        text = kubectl.run(shop, f"kubectl get {kind} {name} -o yaml").output
        r = kubectl.run(shop, "kubectl apply -f -", stdin=text)
        assert r.exit_code == 0 and r.output.endswith(" configured\n"), (r.output, r.error)
        assert "is missing the kubectl.kubernetes.io/last-applied-configuration annotation" in r.error
        text = kubectl.run(shop, f"kubectl get {kind} {name} -o yaml").output
        before = shop.state_hash()
        r = kubectl.run(shop, "kubectl apply -f -", stdin=text)
        assert r.exit_code == 0 and r.error == "", r.error
        assert r.output.endswith(" unchanged\n"), r.output
        assert shop.state_hash() == before


def test_round_trip_list(shop) -> None:
    kubectl.run(shop, "kubectl apply -f -", stdin=kubectl.run(shop, "kubectl get deploy,svc -o yaml").output)
    text = kubectl.run(shop, "kubectl get deploy,svc -o yaml").output
    before = shop.state_hash()
    r = kubectl.run(shop, "kubectl apply -f -", stdin=text)
    assert r.output.count("unchanged") == 3, r.output      # shop deploy, kubernetes svc, shop svc
    assert shop.state_hash() == before


def test_apply_creates_configures_and_dry_runs(empty) -> None:
    import yaml
    text = yaml.safe_dump(SHOP)
    r = kubectl.run(empty, "kubectl apply -f shop.yaml --dry-run=client", files={"shop.yaml": text})
    assert r.output == "deployment.apps/shop created (dry run)\n"
    assert empty.get("Deployment", "default", "shop") is None
    r = kubectl.run(empty, "kubectl apply -f shop.yaml", files={"shop.yaml": text})
    assert r.output == "deployment.apps/shop created\n"
    changed = copy.deepcopy(SHOP)
    changed["spec"]["replicas"] = 5
    r = kubectl.run(empty, "kubectl apply -f dir", files={"dir/shop.yaml": yaml.safe_dump(changed),
                                                          "dir/svc.yaml": yaml.safe_dump(SHOP_SVC)})
    assert r.output == "deployment.apps/shop configured\nservice/shop created\n"
    assert empty.get("Deployment", "default", "shop").spec["replicas"] == 5


def test_apply_errors(empty) -> None:
    r = kubectl.run(empty, "kubectl apply -f x.yaml", files={})
    assert r.error == 'error: the path "x.yaml" does not exist\n'
    r = kubectl.run(empty, "kubectl apply -f -", stdin="kind: Deployment\nmetadata:\n  name: x\n  bad: [\n")
    assert r.error.startswith("error: error parsing STDIN: error converting YAML to JSON: yaml: line ")
    r = kubectl.run(empty, "kubectl apply -f -", stdin="metadata:\n  name: x\n")
    assert "kind not set" in r.error
    bad = copy.deepcopy(SHOP)
    del bad["spec"]["template"]["spec"]["containers"][0]["image"]
    import yaml
    r = kubectl.run(empty, "kubectl apply -f -", stdin=yaml.safe_dump(bad))
    assert r.error == ('The Deployment "shop" is invalid: spec.template.spec.containers[0].image: '
                       "Required value\n")
    # immutable selector
    kubectl.run(empty, "kubectl apply -f -", stdin=yaml.safe_dump(SHOP))
    moved = copy.deepcopy(SHOP)
    moved["spec"]["selector"]["matchLabels"]["app"] = "other"
    moved["spec"]["template"]["metadata"]["labels"]["app"] = "other"
    r = kubectl.run(empty, "kubectl apply -f -", stdin=yaml.safe_dump(moved))
    assert r.exit_code == 1 and "field is immutable" in r.error


def test_complete(shop) -> None:
    c = kubectl.complete
    assert "get" in c(shop, "kubectl ge") and "gett" not in c(shop, "kubectl ge")
    assert c(shop, "kubectl get deploy") == ["deployments"] or "deploy" in c(shop, "kubectl get deploy")
    assert c(shop, "kubectl get deployments ") == ["shop"]
    assert c(shop, "kubectl get deploy/s") == ["deploy/shop"]
    assert "--replicas" in c(shop, "kubectl scale deploy shop --rep")
    assert c(shop, "kubectl get pods -o y") == ["yaml"]
    assert c(shop, "kubectl get pods --output=j") == ["--output=json", "--output=jsonpath="]
    assert "kube-system" in c(shop, "kubectl get pods -n kube-")
    assert c(shop, "kubectl rollout ") == ["history", "pause", "restart", "resume", "status", "undo"]
    assert c(shop, "kubectl cordon node-") == ["node-1", "node-2"]
    assert all(p.startswith("shop-") for p in c(shop, "kubectl logs "))
