"""Hostile commands (issue 22): each is refused with Kubernetes' own wording, or stays harmless;
nothing a refused command sends changes the cluster, and the cluster still renders, hashes and
saves afterwards."""

from __future__ import annotations

import json
import os

import pytest

from kubegame import kubectl
from kubegame.game import Game
from kubegame.level.catalog import find_level

REFUSED = [
    ("kubectl autoscale deployment shop --min=1 --max=5 --cpu=0%",
     'The HorizontalPodAutoscaler "shop" is invalid: spec.metrics[0].resource.target.averageUtilization: '
     "Invalid value: 0: must be greater than 0"),
    ("kubectl autoscale deployment shop --min=0 --max=5",
     'The HorizontalPodAutoscaler "shop" is invalid: spec.minReplicas: Invalid value: 0: must be greater than '
     "or equal to 1"),
    ("kubectl scale deployment shop --replicas=99999999",
     'The Deployment "shop" is invalid: spec.replicas: Invalid value: 99999999: must be less than or equal to '
     "10000 (this cluster's replica ceiling)"),
    ("kubectl patch deployment shop -p '{\"spec\":{\"replicas\":\"many\"}}'",
     'Error from server (BadRequest): Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
     "unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ("kubectl patch deployment shop -p '{\"spec\":{\"replicas\":1e12}}'",
     'Error from server (BadRequest): Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
     "unmarshal number 1000000000000 into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ("kubectl patch deployment shop -p '{\"spec\":{\"replica\":3}}'",
     'Error from server (BadRequest): Deployment in version "v1" cannot be handled as a Deployment: strict decoding '
     'error: unknown field "spec.replica"'),
    ("kubectl label pod shop-7cccc558f-7x8sd 'bad key!=x'", None),
    ("kubectl annotate deployment shop big=" + "x" * 300_000,
     'The Deployment "shop" is invalid: metadata.annotations: Too long: must have at most 262144 bytes'),
]


@pytest.fixture
def game():
    return Game(find_level("node-failure"))


@pytest.mark.parametrize("line,expected", REFUSED, ids=lambda x: x[:50] if isinstance(x, str) else "")
def test_refused_commands_change_nothing(game, line, expected):
    before = game.cluster.state_hash()
    res = game.submit(line)
    assert res.exit_code != 0 and "internal error" not in res.error
    if expected is not None:
        assert res.error.strip() == expected
    assert game.cluster.state_hash() == before and not res.changed


MANIFESTS = {
    "selfref.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: s\n  annotations:\n    me: *m\n",
                     "yaml: line 6: anchor value contains itself"),
    "bomb.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata:\n"
                  + "  a: &a [x,x,x,x,x,x,x,x,x,x]\n"
                  + "".join(f"  {c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh")),
                  "document contains excessive aliasing"),
    "bogus.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bogus}\nspec:\n  selector:\n"
                   "    matchLabels: {app: x}\n    matchExpressions: [{key: app, operator: Bogus, values: [x]}]\n"
                   "  template:\n    metadata: {labels: {app: x}}\n    spec: {containers: [{name: c, image: shop:1.0}]}\n",
                   'The Deployment "bogus" is invalid: spec.selector.matchExpressions[0].operator: Invalid value: '
                   '"Bogus": not a valid selector operator'),
    "mdstr.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: just-a-string\nspec: {containers: [{name: c, image: shop:1.0}]}\n",
                   "json: cannot unmarshal string into Go struct field ObjectMeta.metadata of type v1.ObjectMeta"),
    "mdlist.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: [a]\nspec: {containers: [{name: c, image: shop:1.0}]}\n",
                    "json: cannot unmarshal array into Go struct field ObjectMeta.metadata of type v1.ObjectMeta"),
    "name5.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: {name: 5}\nspec: {containers: [{name: c, image: shop:1.0}]}\n",
                   "json: cannot unmarshal number 5 into Go struct field ObjectMeta.metadata.name of type string"),
    "ports.yaml": ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: shop:1.0, "
                   "ports: x}]}\n",
                   "json: cannot unmarshal string into Go struct field Container.spec.containers.ports of type "
                   "[]v1.ContainerPort"),
    "toplevel.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\nsurprise: 1\n",
                      'strict decoding error: unknown field "surprise"'),
    "annolist.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {x: [1, 2]}}\n",
                      "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.annotations of type "
                      "string"),
    "hpa0.yaml": ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n"
                  "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}\n  minReplicas: 0\n"
                  "  maxReplicas: 3\n",
                  "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1"),
    "nan.yaml": ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n}\ndata: {x: .nan}\n",
                 "is not a number JSON can hold"),
}


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_manifests_the_api_server_refuses_never_reach_the_store(game, tmp_path, name):
    text, expected = MANIFESTS[name]
    path = tmp_path / name
    path.write_text(text)
    before = game.cluster.state_hash()
    res = game.submit(f"kubectl apply -f {path}")
    assert res.exit_code == 1 and expected in res.error, res.error
    assert "internal error" not in res.error
    assert game.cluster.state_hash() == before
    # what is in the store still renders, hashes and saves
    for fmt in ("json", "yaml"):
        assert kubectl.run(game.cluster, f"kubectl get all -A -o {fmt}").exit_code == 0
    json.dumps(game.replay())


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_special_files_are_refused_before_they_are_read(game, special):
    res = game.submit(f"kubectl apply -f {special}")
    assert res.exit_code == 1 and f"{special} is a device, not a regular file" in res.error


def test_a_fifo_or_a_directory_holding_one_does_not_block(game, tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    res = game.submit(f"kubectl apply -f {fifo}")             # would block forever if opened for reading
    assert res.exit_code == 1 and "is a FIFO, not a regular file" in res.error
    res = game.submit(f"kubectl apply -f {tmp_path}")
    assert res.exit_code == 1 and "is a FIFO" in res.error


def test_big_files_and_whole_file_systems_are_refused(game, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (5 * 1024 * 1024))
    res = game.submit(f"kubectl apply -f {big}")
    assert res.exit_code == 1 and "larger than 4 MiB" in res.error
    many = tmp_path / "many"
    many.mkdir()
    for i in range(501):
        (many / f"{i}.yaml").write_text("")
    res = game.submit(f"kubectl apply -R -f {many}")
    assert res.exit_code == 1 and "more than 500 files" in res.error


def test_recursive_apply_stays_under_the_directory(game, tmp_path):
    inside = tmp_path / "in"
    inside.mkdir()
    outside = tmp_path / "out"
    outside.mkdir()
    (outside / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside}\n")
    (inside / "link").symlink_to(outside, target_is_directory=True)
    (inside / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inside}\n")
    res = game.submit(f"kubectl apply -R -f {inside}")
    assert res.ok and "configmap/inside created" in res.output and "outside" not in res.output


def test_a_huge_replica_count_grows_only_as_far_as_the_cluster_allows(game):
    res = game.submit("kubectl create deployment flood --image=shop:1.0 --replicas=9999")
    assert res.ok
    game.run(60)
    pods = game.cluster.store.count("Pod")
    assert pods <= game.cluster.config.max_pending_pods + 3 * 110 + 10      # waiting cap + what the nodes hold
    events = [e for e in game.cluster.events if e.reason == "FailedCreate"]
    assert events and "at most 5000 pods waiting" in events[0].message
    assert not game.cluster.controller_errors
    assert kubectl.run(game.cluster, "kubectl get deploy flood").exit_code == 0


def test_a_controller_that_raises_becomes_an_event_and_the_game_goes_on(game):
    class Broken:
        name = "broken-controller"
        needs_quorum = False

        def sync(self):
            raise ZeroDivisionError("division by zero")

    game.cluster.extra_controllers.append(Broken())
    reports = game.run(3)
    assert len(reports) == 3 and game.now == 3 and not game.finished
    assert game.cluster.controller_errors and "ZeroDivisionError" in game.cluster.controller_errors[0]
    assert any(e.reason == "ControllerError" for r in reports for e in r.events)
    assert game.submit("kubectl get pods").ok
