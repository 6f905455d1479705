"""Real clients against `kubegame serve`, no mocks: the real kubectl 1.37.1 plays campaign levels to a
win, the official Python client (`kubernetes`) lists, watches, creates, patches and deletes, and a
watch follows a busy level for 1,000 ticks without losing or repeating an event."""

from __future__ import annotations

import json
import threading
import time

import pytest

from kubegame.game import Game
from kubegame.level.catalog import find_level

kubernetes = pytest.importorskip("kubernetes")   # a test dependency (pyproject [test]); make test installs it


def client_for(a):
    from kubernetes import client, config
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(a.kubeconfig), client_configuration=cfg)
    return client.ApiClient(cfg)


def run_with_clock(a, *args: str, max_ticks: int = 300):
    """Real kubectl while the game's clock runs a tick per 0.1 s (rollout status, drain wait on it)."""
    proc = a.start_kubectl(*args)
    ticks = 0
    while proc.poll() is None and ticks < max_ticks:
        time.sleep(0.1)
        a.tick(1)
        ticks += 1
    if proc.poll() is None:
        proc.kill()
    out, err = proc.communicate()
    return proc.returncode, out, err


@pytest.mark.parametrize("level", ["bad-release", "maintenance-window"])
def test_real_kubectl_plays_a_campaign_level_to_a_win(served, level):
    """The level's solution typed into the real kubectl at its ticks (rollout undo, scale, drain...),
    with describe, logs and top on the way; the game keeps score and the level is won."""
    a = served(level)
    lvl = find_level(level)
    for step in lvl.solution:
        while a.game.now < step.at:
            a.tick(1)
        words = step.run.split()[1:]
        code, out, err = run_with_clock(a, *__import__("shlex").split(step.run)[1:])
        assert code == 0, f"kubectl {' '.join(words)}: {out}{err}"
    code, out, err = run_with_clock(a, "rollout", "status", "deployment/" + lvl.traffic[0].service, max_ticks=120)
    assert code == 0 and "successfully rolled out" in out, out + err
    for args in (["describe", "deployment"], ["get", "pods", "-o", "wide"], ["top", "nodes"],
                 ["logs", f"deployment/{lvl.traffic[0].service}", "--tail=1"],
                 ["exec", f"deployment/{lvl.traffic[0].service}", "--", "hostname"]):
        r = a.kubectl(*args)
        assert r.returncode == 0, (args, r.stderr)
    a.tick(lvl.duration)
    res = a.call(a.game.result)
    assert a.game.finished and res.won, (res.lost_reason, [s.label for s in res.objectives if s.status != "met"])
    assert a.game.changes >= 1          # the outside client's writes counted (the calm score)


def test_the_python_client_lists_creates_patches_watches_and_deletes(served):
    from kubernetes import client, watch
    a = served("first-pod")
    api = client_for(a)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    names = [p.metadata.name for p in core.list_namespaced_pod("default").items]
    assert names and all(n.startswith("hello-") for n in names)
    assert [n.metadata.name for n in core.list_node().items] == sorted(
        n.name for n in a.call(a.game.cluster.nodes))
    cm = core.create_namespaced_config_map("default", {"metadata": {"name": "conf"}, "data": {"a": "1"}})
    assert cm.metadata.uid and a.call(lambda: a.game.cluster.get("ConfigMap", "default", "conf")) is not None
    core.patch_namespaced_config_map("conf", "default", {"data": {"a": "2"}})
    assert a.call(lambda: a.game.cluster.get("ConfigMap", "default", "conf").extra["data"]) == {"a": "2"}
    dep = apps.read_namespaced_deployment("hello", "default")
    rv = dep.metadata.resource_version
    seen: list[tuple[str, str]] = []

    def follow() -> None:
        w = watch.Watch()
        for ev in w.stream(apps.list_namespaced_deployment, "default", resource_version=rv, timeout_seconds=20):
            seen.append((ev["type"], ev["object"].metadata.resource_version))
            if ev["object"].status.ready_replicas == 3:
                w.stop()
    t = threading.Thread(target=follow)
    t.start()
    time.sleep(0.5)
    apps.patch_namespaced_deployment_scale("hello", "default", {"spec": {"replicas": 3}})
    for _ in range(60):
        if not t.is_alive():
            break
        a.tick(1)
        time.sleep(0.05)
    t.join(20)
    assert seen and all(t == "MODIFIED" for t, _ in seen)
    rvs = [int(r) for _, r in seen]
    assert rvs == sorted(set(rvs)) and rvs[0] > int(rv)
    core.delete_namespaced_config_map("conf", "default")
    assert a.call(lambda: a.game.cluster.get("ConfigMap", "default", "conf")) is None
    with pytest.raises(client.ApiException) as exc:
        core.read_namespaced_config_map("conf", "default")
    assert exc.value.status == 404
    body = json.loads(exc.value.body)
    assert body["reason"] == "NotFound" and body["message"] == 'configmaps "conf" not found'
    assert body["details"] == {"name": "conf", "kind": "configmaps"}


def test_a_watch_follows_a_busy_cluster_for_1000_ticks_without_losing_or_repeating_an_event(served):
    """The sandbox (endless) with a Deployment the client rescales every 25 ticks, between 1 and 12 pods,
    for 1,000 ticks: the watcher's view of every pod, built only from its events, equals the
    server's list at the end, and resourceVersions strictly rise."""
    from kubernetes import client, watch

    from kubegame import modes
    a = served(modes.sandbox_game())
    api = client_for(a)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    apps.create_namespaced_deployment("default", {
        "metadata": {"name": "churn"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "churn"}},
                 "template": {"metadata": {"labels": {"app": "churn"}},
                              "spec": {"containers": [{"name": "app", "image": "busybox:1.36",
                                                       "resources": {"requests": {"cpu": "10m"}}}]}}}})
    a.tick(1)
    start = core.list_pod_for_all_namespaces()
    view = {(p.metadata.namespace, p.metadata.name): p.metadata.resource_version for p in start.items}
    rvs: list[int] = []
    final_rv = [10**12]
    errors: list[BaseException] = []

    def follow() -> None:
        try:
            w = watch.Watch()
            for ev in w.stream(core.list_pod_for_all_namespaces, resource_version=start.metadata.resource_version,
                               timeout_seconds=600, _request_timeout=600):
                o = ev["object"]
                key = (o.metadata.namespace, o.metadata.name)
                rvs.append(int(o.metadata.resource_version))
                if ev["type"] == "DELETED":
                    view.pop(key, None)
                else:
                    view[key] = o.metadata.resource_version
                if rvs[-1] >= final_rv[0]:
                    w.stop()
        except BaseException as exc:       # surfaced below, not lost in the thread
            errors.append(exc)
    t = threading.Thread(target=follow)
    t.start()
    time.sleep(0.3)
    start_tick = a.game.now
    for i in range(40):
        apps.patch_namespaced_deployment_scale("churn", "default", {"spec": {"replicas": 1 + (i * 7) % 12}})
        a.tick(25)
    marker = core.create_namespaced_pod("default", {"metadata": {"name": "marker"}, "spec": {
        "containers": [{"name": "m", "image": "busybox:1.36"}]}})
    final = core.list_pod_for_all_namespaces()
    final_rv[0] = int(marker.metadata.resource_version)
    t.join(60)
    assert not errors, errors
    assert a.game.now - start_tick >= 1000
    assert len(rvs) > 200
    assert rvs == sorted(rvs) and len(rvs) == len(set(rvs)), "resourceVersions must strictly increase"
    assert view == {(p.metadata.namespace, p.metadata.name): p.metadata.resource_version for p in final.items}


def test_writes_from_outside_clients_replay_to_the_same_state_hash(served):
    from kubegame.game import run_replay
    a = served("first-pod")
    a.tick(2)
    assert a.kubectl("scale", "deployment", "hello", "--replicas=3").returncode == 0
    assert a.kubectl("create", "configmap", "conf", "--from-literal=a=1").returncode == 0
    a.tick(5)
    assert a.kubectl("label", "deployment", "hello", "tier=web").returncode == 0
    a.tick(20)
    r = a.kubectl("exec", "deploy/hello", "--", "sh", "-c", "echo hi > /tmp/x")     # writes in the container
    assert r.returncode == 0, r.stderr
    assert a.kubectl("exec", "deploy/hello", "--", "cat", "/tmp/x").stdout == "hi\n"
    a.tick(3)
    recorded = a.call(a.game.replay)
    assert [c["api"]["method"] for c in recorded["commands"]][:3] == ["PATCH", "POST", "PATCH"]
    assert all(c["api"]["path"].endswith("/exec") for c in recorded["commands"][3:])
    out = run_replay(find_level("first-pod"), json.loads(json.dumps(recorded)))
    assert out.matches and out.result.state_hash == a.call(a.game.cluster.state_hash)


def test_a_game_without_outside_writes_replays_as_before(served):
    """GETs and watches are not recorded: reading never changes the game."""
    a = served("first-pod")
    for _ in range(3):
        assert a.kubectl("get", "pods", "-A").returncode == 0
        a.tick(3)
    assert a.call(a.game.replay)["commands"] == []
    b = Game(find_level("first-pod"))
    b.run(a.game.now)
    assert b.cluster.state_hash() == a.call(a.game.cluster.state_hash)


def test_logs_follow_streams_on_the_game_clock(served):
    """`kubectl logs -f` on a pod of a level with traffic: lines written as ticks pass arrive while
    the command runs; the pod's end ends it."""
    a = served("first-pod")
    a.tick(15)
    pod = a.call(lambda: next(p.name for p in a.game.cluster.pods("default")))
    before = a.kubectl("logs", pod).stdout.count("\n")
    proc = a.start_kubectl("logs", "-f", pod)
    time.sleep(1.0)
    a.tick(40)
    time.sleep(1.0)
    a.call(lambda: a.game.cluster.delete("Pod", "default", pod, 0))
    a.tick(3)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.count("\n") > before and "served" in out
