"""Loading levels: the bundled campaign, the model, YAML safety limits."""

import builtins
import os
import re
import time
from pathlib import Path

import kubernetes_validate
import pytest

from kubegame.engine.schema_defs import DEFS, ROOTS
from kubegame.level.catalog import bundled_levels, bundled_paths, find_level
from kubegame.level.errors import LevelError, LevelInvalid
from kubegame.level.loader import load_level, load_text
from kubegame.level.yamlsafe import MAX_BYTES

EXAMPLE = Path("/work/shared/examples/node-failure.yaml")
# LEVEL_FORMAT.md's example level, kept as a fixture: the bundled node-failure level has grown its own lesson
NODE_FAILURE = Path(__file__).resolve().parent / "fixtures" / "node-failure-example.yaml"
BUNDLED_NAME = re.compile(r"^(\d+-\d\d-)?(?P<name>[a-z0-9-]+)$")    # <chapter>-<nn>-<name> or <name>


def test_bundled_levels_load_in_campaign_order():
    levels = bundled_levels()
    assert len(levels) >= 2
    names = [lv.name for lv in levels]
    assert len(names) == len(set(names)), "bundled level names are unique"
    chapters = [lv.chapter for lv in levels]
    assert chapters == sorted(chapters)
    assert names[0] == "first-pod"
    for lv in levels:
        assert lv.solution, f"{lv.name} has a reference solution"
        assert len(lv.sha256) == 64


def test_bundled_file_names_match_level_names():
    for p in bundled_paths():
        m = BUNDLED_NAME.match(p.stem)
        assert m, f"{p.name}: expected <chapter>-<nn>-<name>.yaml"
        name = load_level(p).name
        assert p.stem == name or (m.group(1) and p.stem == m.group(1) + name), f"{p.name} holds level {name!r}"


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_bundled_manifests_pass_the_official_kubernetes_schema(path):
    level = load_level(path)
    assert level.manifests
    version = kubernetes_validate.latest_version()
    for m in level.manifests:
        # raises kubernetes_validate.ValidationError when the manifest would not apply on a real cluster
        assert kubernetes_validate.validate(m.body, version, strict=True)


def test_node_failure_model():
    lv = load_level(NODE_FAILURE)
    assert lv.name == "node-failure" and lv.duration == 600 and lv.seed == 7 and lv.chapter == 4
    assert lv.cluster.node_names() == ["worker-1", "worker-2", "worker-3"]
    g = lv.cluster.nodes[0]
    assert (g.zone, g.kernel, g.pods) == ("zone-a", "6.1", 110)     # LEVEL_FORMAT.md defaults
    assert lv.cluster.etcd_members == ["zone-a"]                     # one member in the first zone
    assert lv.cluster.node_pool.max == 2 and lv.cluster.node_pool.boot_ticks == 60
    assert lv.cluster.cost_per_node_tick == 1 and lv.pull_mbps == 50
    assert lv.budget == 2400
    img = lv.images[0]
    assert (img.name, img.size_mb, img.layers, img.startup_ticks, img.capacity_rps, img.latency_ms) == \
        ("shop:1.0", 120, ("debian-12",), 5, 60, 20)
    assert [(e.at, e.type) for e in lv.events] == [(20, "Message"), (120, "NodeFailure")]
    assert lv.events[1].get("node") == "worker-2"
    assert [o.type for o in lv.objectives] == ["availability", "budget"]
    assert lv.traffic[0].service == "shop" and lv.traffic[0].namespace == "default"
    assert (lv.stars_two, lv.stars_three) == (700, 900)
    assert lv.hints[0].after_tick == 130 and lv.hints[1].after_tick is None
    assert [s.at for s in lv.solution] == [2, 165]
    assert [m.kind for m in lv.manifests] == ["Deployment", "Service"]
    assert lv.manifests[0].line == 54    # the line after `---`


def test_shared_example_is_the_fixture_copy():
    if EXAMPLE.exists():
        assert EXAMPLE.read_bytes() == NODE_FAILURE.read_bytes()
    assert load_level(NODE_FAILURE).name == "node-failure"
    assert find_level("node-failure").chapter == 4      # the bundled level keeps the name


def test_find_level_by_name_and_path():
    assert find_level("first-pod").name == "first-pod"
    assert find_level(str(NODE_FAILURE)).name == "node-failure"
    assert find_level("node-failure").path != str(NODE_FAILURE)      # by name: the bundled level
    with pytest.raises(LevelInvalid) as info:
        find_level("no-such-level")
    assert "no bundled level is named 'no-such-level'" in str(info.value)
    assert "first-pod" in str(info.value)


def test_oversized_file_is_refused_fast(tmp_path):
    big = tmp_path / "big.yaml"
    base = NODE_FAILURE.read_text()
    big.write_text(base + "\n#" + "x" * MAX_BYTES + "\n")
    start = time.process_time()   # CPU seconds: other processes on the machine do not count
    with pytest.raises(LevelInvalid) as info:
        load_level(big)
    assert time.process_time() - start < 1.0
    assert str(info.value) == (f"{big}:1:1: error: the file is larger than 1 MiB "
                               f"(expected a level file of at most {MAX_BYTES} bytes)")


def test_file_of_exactly_one_mebibyte_is_read(tmp_path):
    base = NODE_FAILURE.read_text()
    f = tmp_path / "edge.yaml"
    f.write_text(base + "#" + "x" * (MAX_BYTES - len(base.encode()) - 2) + "\n")
    assert f.stat().st_size == MAX_BYTES
    assert load_level(f).name == "node-failure"


def test_alias_bomb_is_refused_fast(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefghijkl":
        lines.append(f"{c}: &{c} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = c
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(lines) + "\n")
    start = time.process_time()   # CPU seconds: other processes on the machine do not count
    with pytest.raises(LevelInvalid) as info:
        load_level(f)
    assert time.process_time() - start < 1.0
    assert len(info.value.errors) == 1
    assert "alias bomb" in info.value.errors[0].what


def test_too_many_aliases_are_refused(tmp_path):
    f = tmp_path / "aliases.yaml"
    f.write_text("a: &a x\nb: [" + ", ".join(["*a"] * 101) + "]\n")
    with pytest.raises(LevelInvalid) as info:
        load_level(f)
    assert str(info.value) == (f"{f}:2:4: error: more than 100 aliases (an alias bomb?) "
                               "(expected at most 100 uses of YAML aliases)")


def test_aliases_and_merge_keys_work_within_limits():
    text = NODE_FAILURE.read_text().replace(
        "    nodePool:\n      max: 2\n      bootTicks: 60\n      template: {cpu: \"2\", memory: 4Gi, zone: zone-a}",
        "    nodePool:\n      max: 2\n      bootTicks: 60\n      template: {<<: *machine, zone: zone-a}").replace(
        "        cpu: \"2\"\n        memory: 4Gi\n", "        <<: &machine {cpu: \"2\", memory: 4Gi}\n")
    lv = load_text(text, "merge.yaml")
    assert lv.cluster.node_pool.template.cpu == "2"
    assert lv.cluster.nodes[0].memory == "4Gi"


def test_loading_opens_only_the_level_file(monkeypatch, tmp_path):
    f = tmp_path / "incl.yaml"
    f.write_text(NODE_FAILURE.read_text().replace("title: The Night the Node Died",
                                                  "title: !include /etc/passwd"))
    opened = []
    real_open, real_os_open = builtins.open, os.open

    def spy(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    def os_spy(file, *a, **k):
        opened.append(str(file))
        return real_os_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(os, "open", os_spy)
    with pytest.raises(LevelInvalid) as info:
        load_level(f)
    assert opened == [str(f)]
    assert "the tag !include is not allowed" in str(info.value)


def test_python_tags_never_run(tmp_path):
    marker = tmp_path / "ran"
    f = tmp_path / "evil.yaml"
    f.write_text(f'x: !!python/object/apply:os.system ["touch {marker}"]\n')
    with pytest.raises(LevelInvalid):
        load_level(f)
    assert not marker.exists()


def test_level_error_format():
    e = LevelError("a.yaml", 3, 7, "something is wrong", "something right")
    assert str(e) == "a.yaml:3:7: error: something is wrong (expected something right)"
    assert str(LevelError("a.yaml", 1, 1, "bad")) == "a.yaml:1:1: error: bad"


def test_all_errors_of_a_file_are_reported_in_order(tmp_path):
    text = NODE_FAILURE.read_text()
    text = text.replace("  seed: 7\n", "  seed: seven\n").replace("rps: 150", "rps: lots").replace(
        "      targetPort: 8080", "      targetPort: 8080\n      nodePorts: 3")
    with pytest.raises(LevelInvalid) as info:
        load_text(text, "multi.yaml")
    lines = [(e.line, e.what) for e in info.value.errors]
    assert [ln for ln, _ in lines] == sorted(ln for ln, _ in lines)
    assert len(lines) == 3
    assert "spec.seed is a string" in lines[0][1]
    assert "spec.traffic[0].rps is a string" in lines[1][1]
    assert 'unknown field "spec.ports[0].nodePorts"' in lines[2][1]


def test_generated_schema_knows_the_supported_kinds():
    kinds = sorted(k.split(" ")[1] for k in ROOTS)
    assert kinds == sorted(["ConfigMap", "DaemonSet", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job",
                            "Namespace", "Pod", "PodDisruptionBudget", "ReplicaSet", "Secret", "Service",
                            "StatefulSet", "ServiceAccount", "PriorityClass", "ResourceQuota", "LimitRange",
                            "CronJob", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
                            "PersistentVolume", "PersistentVolumeClaim", "StorageClass", "NetworkPolicy"])
    spec = DEFS["io.k8s.api.apps.v1.DeploymentSpec"]
    assert spec["r"] == ["selector", "template"]
    assert spec["f"]["replicas"] == "int"


def test_every_kind_the_format_supports_loads():
    extra = """
---
apiVersion: v1
kind: Namespace
metadata: {name: tools}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: tools}
data: {mode: fast}
---
apiVersion: v1
kind: Secret
metadata: {name: pw}
stringData: {password: hunter2}
---
apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: m, image: "shop:1.0"}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: log-agent}
spec:
  selector: {matchLabels: {app: log}}
  template:
    metadata: {labels: {app: log}}
    spec:
      containers: [{name: a, image: "shop:1.0"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: shop}
  minReplicas: 2
  maxReplicas: 6
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: shop}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: shop}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: shop, port: {number: 80}}}
"""
    text = NODE_FAILURE.read_text().replace(
        "  objectives:\n", "  objectives:\n    - {type: jobComplete, job: migrate, byTick: 300}\n"
        "    - {type: daemonSetCoverage, daemonSet: log-agent}\n    - {type: quorum}\n"
        "    - {type: readyReplicas, kind: Deployment, name: shop, atLeast: 3, byTick: 200, hold: true}\n"
        "    - {type: survive, service: shop, atLeast: 50, window: 30}\n"
        "    - {type: rolloutComplete, deployment: shop, image: \"shop:1.0\"}\n").replace(
        "  traffic:\n", "  traffic:\n    - {host: shop.example.com, path: /cart, rps: 5}\n")
    lv = load_text(text + extra, "all-kinds.yaml")
    assert [m.kind for m in lv.manifests][2:] == ["Namespace", "ConfigMap", "Secret", "Job", "DaemonSet",
                                                  "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress"]
    assert len(lv.objectives) == 8
    assert lv.traffic[0].host == "shop.example.com" and lv.traffic[0].key == "shop.example.com/cart"
