"""Hypothesis over hostile input (issue 22): any text into the command line, any bytes into the
level loader, any JSON into the replay and progress loaders gives a clear error or success, never
a traceback; after any accepted write the cluster still hashes, renders and saves."""

from __future__ import annotations

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubegame import kubectl
from kubegame.game import Game
from kubegame.level.catalog import find_level
from kubegame.level.errors import LevelInvalid
from kubegame.level.loader import load_text
from kubegame.progress import Progress
from kubegame.replayfile import check_replay
from kubegame.safeio import InputError, load_json
from kubegame.testing.strategies import manifests

LEVEL = find_level("node-failure")
WORDS = st.sampled_from(["kubectl", "k", "get", "apply", "-f", "-", "pods", "deploy", "shop", "|", "grep", "jq",
                         "$(", ")", "'", '"', "--replicas=", "99999999999999999999", "-o", "json", "yaml", "&&",
                         "2>&1", ">", "/dev/zero", "\x00", "{", "}", "[", "]", "*", "\\", "node", "etcd", "add",
                         "--help", "=", "-1", "1e400", "NaN", ":", "label", "x=y", "patch", "-p"])
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=4), max_leaves=30)


@SETTINGS
@given(st.lists(WORDS | st.text(max_size=10), min_size=1, max_size=12))
def test_any_line_gives_text_or_an_error_never_a_traceback(words):
    game = Game(LEVEL)
    line = " ".join(words)
    res = game.submit(line)
    assert isinstance(res.output, str) and isinstance(res.error, str)
    assert "internal error" not in res.error and "Traceback" not in res.error
    game.step()
    assert not game.cluster.controller_errors
    game.cluster.state_hash()


@SETTINGS
@given(st.binary(max_size=2000))
def test_any_bytes_into_the_level_loader(data):
    text = data.decode("utf-8", errors="replace")
    try:
        load_text(text, "x.yaml")
    except LevelInvalid as exc:
        assert all(str(e).startswith("x.yaml:") for e in exc.errors)


@SETTINGS
@given(json_values)
def test_any_json_into_the_replay_checker(value):
    try:
        check_replay(value, "r.json")
    except InputError as exc:
        assert str(exc).startswith("r.json:1:1: error: ")


@SETTINGS
@given(st.binary(max_size=500))
def test_any_bytes_as_a_progress_file(tmp_path_factory, data):
    home = tmp_path_factory.mktemp("home")
    (home / "progress.json").write_bytes(data)
    p = Progress(home)
    assert isinstance(p.levels, dict)
    for name in p.levels:
        p.stars(name)
        p.best(name)


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_into_the_json_loader(text):
    try:
        load_json(text, "t.json")
    except InputError:
        pass


JUNK = st.sampled_from([None, "", "x", 0, -1, 2**40, 1.5, [], {}, ["a"], {"a": 1}, True])


@SETTINGS
@given(st.data())
def test_after_any_accepted_write_the_cluster_hashes_renders_and_saves(data):
    game = Game(LEVEL)
    body = data.draw(manifests(kind=data.draw(st.sampled_from(["Deployment", "Service", "ConfigMap", "Pod", "Job"])),
                               image_names=("shop:1.0",)))
    for _ in range(data.draw(st.integers(0, 3))):        # break a field or two
        path = data.draw(st.sampled_from([("metadata", "labels"), ("metadata", "annotations"), ("spec", "replicas"),
                                          ("spec",), ("metadata", "name"), ("spec", "selector"), ("data",)]))
        target = body
        for key in path[:-1]:
            target = target.setdefault(key, {}) if isinstance(target, dict) else {}
        if isinstance(target, dict):
            target[path[-1]] = copy.deepcopy(data.draw(JUNK))   # sampled_from shares its objects
    res = kubectl.run(game.cluster, "kubectl apply -f -", stdin=json.dumps(body))
    assert "internal error" not in res.error, res.error
    game.run(2)
    game.cluster.state_hash()
    for fmt in ("json", "yaml"):
        out = kubectl.run(game.cluster, f"kubectl get all,cm -A -o {fmt}")
        assert out.exit_code == 0, out.error
    json.dumps(game.replay())
    assert not game.cluster.controller_errors
