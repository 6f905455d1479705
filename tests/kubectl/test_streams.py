"""Commands that keep running on the game clock (kubegame/kubectl/stream.py): rollout status,
get -w, wait, logs -f, events -w, delete's wait, drain, port-forward. Each comes back with a
Stream that prints as the cluster ticks, until it returns, times out or is interrupted.

Wording from upstream: pkg/cmd/rollout/rollout_status.go and polymorphichelpers/rollout_status.go,
pkg/cmd/get/get.go (watch), pkg/cmd/wait/{wait,condition,delete,json}.go, pkg/cmd/logs/logs.go,
pkg/cmd/events/{events,event_printer}.go, pkg/cmd/delete/delete.go, pkg/cmd/portforward/portforward.go.
"""

from __future__ import annotations

from kubegame.kubectl.stream import INTERRUPTED, advance

from .conftest import K

BUSY = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo", "labels": {"app": "solo"}},
        "spec": {"containers": [{"name": "app", "image": "busybox:latest"}]}}


def run_to_end(k: K, r, limit: int = 400) -> tuple[str, str, int]:
    """Tick until the command returns: (stdout, stderr, exit code) over its whole run."""
    out, err = r.output, r.error
    if r.stream is None:
        return out, err, r.exit_code
    start = k.cluster.now
    while not r.stream.done and k.cluster.now - start < limit:
        k.cluster.tick()
        o, e = advance(r.stream, k.cluster)
        out, err = out + o, err + e
    return out, err, r.stream.exit_code


# -- rollout status ---------------------------------------------------------------------------

def test_rollout_status_watches_until_the_rollout_is_done(k: K) -> None:
    k("set image deploy/shop shop=busybox:1.36")
    r = k("rollout status deploy/shop")
    assert r.stream is not None and r.output == "Waiting for deployment spec update to be observed...\n"
    out, err, code = run_to_end(k, r)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[-1] == 'deployment "shop" successfully rolled out'
    assert any("out of 3 new replicas have been updated..." in ln for ln in lines)
    assert k("rollout status deploy/shop").stream is None      # already done: one line, at once


def test_rollout_status_timeout_and_no_watch(k: K) -> None:
    k("set image deploy/shop shop=busybox:1.36")
    r = k("rollout status deploy/shop --timeout=2s")
    out, err, code = run_to_end(k, r)
    assert (err, code) == ("error: timed out waiting for the condition\n", 1)
    assert k.cluster.now - r.stream.started == 2
    once = k("rollout status deploy/shop --watch=false")
    assert once.stream is None and once.exit_code == 0 and once.output.startswith("Waiting for deployment")


def test_rollout_status_of_a_deleted_object_fails(k: K) -> None:
    k("set image deploy/shop shop=busybox:1.36")
    r = k("rollout status deploy/shop")
    k("delete deploy shop --wait=false")
    _out, err, code = run_to_end(k, r)
    assert (err, code) == ("error: object has been deleted\n", 1)


# -- get -w ------------------------------------------------------------------------------------

def test_get_watch_lists_then_prints_each_change_on_its_own(k: K) -> None:
    r = k("get pods -w")
    first = r.output.splitlines()
    assert first[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] and len(first) == 4
    k("scale deploy shop --replicas=4")
    out, _err = "", ""
    for _ in range(3):
        k.cluster.tick()
        o, e = advance(r.stream, k.cluster)
        out += o
    assert out and "NAME" not in out                     # the header comes once
    new = [ln for ln in out.splitlines() if ln.startswith("shop-")]
    assert new and all("   " in ln for ln in new)
    assert not r.stream.done and r.stream.endless         # a watch never returns on its own
    r.stream.interrupt()
    assert r.stream.exit_code == INTERRUPTED


def test_get_watch_only_events_and_request_timeout(k: K) -> None:
    r = k("get deploy --watch-only --output-watch-events --request-timeout=3s")
    assert r.output == ""
    k("scale deploy shop --replicas=2")
    out, err, code = run_to_end(k, r)
    assert code == 0 and err == ""                        # the watch request ended: exit 0, quietly
    assert out.splitlines()[0].split()[:2] == ["EVENT", "NAME"]
    assert out.splitlines()[1].startswith("MODIFIED")
    assert k("get pods,svc -w").error == "error: you may only specify a single resource type\n"
    assert "--output-watch-events option can only be used with --watch or --watch-only" in \
        k("get pods --output-watch-events").error


def test_get_watch_prints_a_deleted_object_as_it_went(k: K) -> None:
    k.cluster.create(BUSY)
    k.cluster.run(5)
    r = k("get pod solo -o name -w --request-timeout=60")
    assert r.output == "pod/solo\n"
    k("delete pod solo --wait=false")
    out, _err, _code = run_to_end(k, r)
    assert "pod/solo" in out


# -- wait --------------------------------------------------------------------------------------

def test_wait_for_conditions_jsonpath_and_deletion(k: K) -> None:
    assert k("wait --for=condition=Available deploy/shop").output == "deployment.apps/shop condition met\n"
    assert k("wait --for=jsonpath={.status.readyReplicas}=3 deploy/shop").output == \
        "deployment.apps/shop condition met\n"
    pods = [p.name for p in k.cluster.pods() if p.labels.get("app") == "shop"]
    r = k("wait --for=condition=Ready pod -l app=shop")
    assert r.output == "".join(f"pod/{n} condition met\n" for n in sorted(pods))
    k("delete pod -l app=shop --wait=false")
    r = k("wait --for=delete pod -l app=shop --timeout=60s")
    out, err, code = run_to_end(k, r)
    assert code == 0 and out.count("condition met") == 3


def test_wait_times_out_naming_the_object(k: K) -> None:
    r = k("wait --for=condition=Ready=false deploy/shop --timeout=3s")
    out, err, code = run_to_end(k, r)
    assert (err, code) == ("error: timed out waiting for the condition on deployments/shop\n", 1)
    r = k("wait --for=condition=Ready=false deploy/shop --timeout=0")
    assert (r.error, r.exit_code, r.stream) == ("error: condition not met for deployments/shop\n", 1, None)


def test_wait_errors_as_real_kubectl(k: K) -> None:
    assert k("wait pod/x").error == "error: unrecognized condition: []\n"
    assert k("wait --for=bogus pod/x").error == 'error: unrecognized condition: "bogus"\n'
    assert k("wait --for=condition=Ready pod/nope").error == 'Error from server (NotFound): pods "nope" not found\n'
    assert k("wait --for=condition=Ready pods").error == \
        "error: resource(s) were provided, but no name was specified\n"
    assert k("wait --for=condition=Ready pods -l app=none").error == "error: no matching resources found\n"
    assert k("wait --for=delete pod/nope").output == ""      # nothing to wait for: not an error
    assert k("wait --for=jsonpath={.spec}= pod/x").error.startswith("error: jsonpath wait has to have a value")


def test_wait_for_create_polls_until_it_exists(k: K) -> None:
    r = k("wait --for=create pod/solo --timeout=30s")
    assert r.stream is not None and r.output == ""
    k.cluster.tick()
    advance(r.stream, k.cluster)
    k.cluster.create(BUSY)
    out, _err, code = run_to_end(k, r)
    assert code == 0 and out == "pod/solo condition met\n"


# -- delete waits -----------------------------------------------------------------------------

def test_delete_waits_until_the_pods_are_gone(k: K) -> None:
    r = k("delete pod -l app=shop")
    assert r.output.count("deleted from default namespace") == 3
    assert r.stream is not None                        # --wait=true: the pods terminate first
    out, err, code = run_to_end(k, r)
    assert (out, err, code) == (r.output, "", 0)       # the wait prints nothing more
    assert k("delete pod -l app=shop --wait=false").stream is None


# -- drain ------------------------------------------------------------------------------------

def test_drain_streams_evictions_and_finishes(k: K) -> None:
    node = next(p.node_name for p in k.cluster.pods() if p.labels.get("app") == "shop")
    r = k(f"drain {node} --ignore-daemonsets")
    out, err, code = run_to_end(k, r)
    assert code == 0
    assert out.startswith(f"node/{node} cordoned\n")
    assert out.count("evicting pod default/") == out.count(" evicted\n") >= 1
    assert out.endswith(f"node/{node} drained\n")


# -- logs -f ----------------------------------------------------------------------------------

def test_logs_follow_prints_new_lines_until_the_container_exits(k: K) -> None:
    k.cluster.create({**BUSY, "spec": {"restartPolicy": "Never",
                                       "containers": [{"name": "app", "image": "busybox:latest"}]}})
    k.cluster.run(3)
    r = k("logs solo -f --timestamps")
    assert r.stream is not None
    assert r.output.startswith("2026-01-01T")
    k("delete pod solo --wait=false")
    out, _err, code = run_to_end(k, r)
    assert code == 0 and r.stream.done


def test_logs_flags(k: K) -> None:
    r = k("logs -l app=shop --prefix")
    assert all(ln.startswith("[pod/shop-") and "/shop] " in ln for ln in r.output.splitlines())
    assert k("logs -l app=shop pod").error.startswith("error: only a selector (-l) or a POD name is allowed")
    assert k("logs nope").error == 'error: error from server (NotFound): pods "nope" not found in namespace ' \
                                   '"default"\n'
    pod = next(p.name for p in k.cluster.pods() if p.labels.get("app") == "shop")
    assert k(f"logs {pod} -c nope").error == f"error: container nope is not valid for pod {pod} out of: shop\n"
    assert k(f"logs {pod} --tail=-2").error == "error: --tail must be greater than or equal to -1\n"
    assert k(f"logs {pod} --since=1s --since-time=2026-01-01T00:00:00Z").error == \
        "error: at most one of `sinceTime` or `sinceSeconds` may be specified\n"
    assert k("logs -l app=shop -f --max-log-requests=2").error == \
        "error: you are attempting to follow 3 log streams, but maximum allowed concurrency is 2, use " \
        "--max-log-requests to increase the limit\n"


# -- events -----------------------------------------------------------------------------------

def test_events_verb_prints_kind_slash_name_and_watches(k: K) -> None:
    r = k("events")
    assert r.output.splitlines()[0].split() == ["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert "Deployment/shop" in r.output and "deployment/shop" not in r.output
    only = k("events --for deployment/shop")
    assert all("Deployment/shop" in ln for ln in only.output.splitlines()[1:])
    assert k("events --for shop").error == "error: --for must be in resource/name form\n"
    assert k("events --types=Bad").error == "error: valid --types are Normal or Warning\n"
    w = k("events -w --request-timeout=5s")
    k("scale deploy shop --replicas=5")
    out, _err, code = run_to_end(k, w)
    assert code == 0 and "ScalingReplicaSet" in out[len(w.output):]      # recorded while it watched


# -- port-forward -----------------------------------------------------------------------------

def test_port_forward_listens_until_the_pod_goes(k: K) -> None:
    k.cluster.create(BUSY)
    k.cluster.run(5)
    r = k("port-forward pod/solo 8080:80")
    assert r.output == "Forwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n"
    assert r.stream is not None and r.stream.endless
    k.cluster.delete("Pod", "default", "solo", grace=0)
    _out, err, code = run_to_end(k, r)
    assert (err.splitlines()[-1], code) == ("error: lost connection to pod", 1)
    assert k("port-forward svc/shop 9000:81").error == "error: Service shop does not have a service port 81\n"
    assert k("port-forward svc/shop 9000:80 --address=0.0.0.0").output == "Forwarding from 0.0.0.0:9000 -> 8080\n"
