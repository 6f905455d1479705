"""The HTTP API's contract, request by request (staging/src/k8s.io/apiserver/pkg/endpoints): auth,
errors as metav1.Status, discovery, tables, watches, patches, server-side apply, dry runs, and
hostile requests (no token, a huge body, a watch that never reads, a thousand connections)."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import ssl
import threading
import time
from collections import deque

import pytest


def conn(a) -> http.client.HTTPSConnection:
    ctx = ssl.create_default_context(cafile=str(a.ca_file))
    return http.client.HTTPSConnection("127.0.0.1", a.port, context=ctx, timeout=30)


def req(a, method: str, path: str, body=None, token: str | None = "", headers: dict | None = None):
    c = conn(a)
    h = dict(headers or {})
    if token is not None:
        h["Authorization"] = f"Bearer {token or a.token}"
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    if data is not None and "Content-Type" not in h:
        h["Content-Type"] = "application/json"
    c.request(method, path, body=data, headers=h)
    r = c.getresponse()
    raw = r.read()
    c.close()
    try:
        doc = json.loads(raw)
    except ValueError:
        doc = raw.decode()
    return r.status, doc, r.getheader("Content-Type", "")


def test_requests_without_the_token_get_401_unauthorized_status(served):
    a = served()
    for token in (None, "wrong-token"):
        code, doc, _ = req(a, "GET", "/api/v1/pods", token=token)
        assert code == 401
        assert doc == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                       "message": "Unauthorized", "reason": "Unauthorized", "code": 401}
    assert req(a, "GET", "/api/v1/namespaces/default/pods")[0] == 200


def test_the_server_listens_on_loopback_only(served):
    a = served()
    site = next(iter(a.server.runner.sites))
    addrs = {s.getsockname()[0] for s in site._server.sockets}
    assert addrs == {"127.0.0.1"}
    with socket.create_connection(("127.0.0.1", a.port), timeout=5):
        pass


def test_errors_are_status_objects_with_the_real_reasons(served):
    a = served()
    code, doc, _ = req(a, "GET", "/api/v1/namespaces/default/pods/nope")
    assert (code, doc["reason"], doc["message"]) == (404, "NotFound", 'pods "nope" not found')
    assert doc["details"] == {"name": "nope", "kind": "pods"}
    code, doc, _ = req(a, "GET", "/apis/apps/v1/namespaces/default/deployments/nope")
    assert doc["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}
    code, doc, _ = req(a, "GET", "/api/v1/nopes")
    assert (code, doc["message"], doc["details"]) == (404, "the server could not find the requested resource", {})
    code, doc, _ = req(a, "POST", "/api/v1/namespaces/default/configmaps", b'{"metadata": {')
    assert code == 400 and doc["reason"] == "BadRequest"
    code, doc, _ = req(a, "POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "c"}})
    assert code == 201
    code, doc, _ = req(a, "POST", "/api/v1/namespaces/default/configmaps", {"metadata": {"name": "c"}})
    assert (code, doc["reason"], doc["message"]) == (409, "AlreadyExists", 'configmaps "c" already exists')
    code, doc, _ = req(a, "PATCH", "/apis/apps/v1/namespaces/default/deployments/hello",
                       {"spec": {"replicas": -1}}, headers={"Content-Type": "application/merge-patch+json"})
    assert code == 422 and doc["reason"] == "Invalid"
    assert doc["details"]["causes"] == [{"reason": "FieldValueInvalid", "field": "spec.replicas",
                                         "message": "Invalid value: -1: must be greater than or equal to 0"}]


def test_a_stale_resource_version_is_a_conflict(served):
    a = served()
    _, dep, _ = req(a, "GET", "/apis/apps/v1/namespaces/default/deployments/hello")
    stale = dict(dep)
    dep["spec"]["replicas"] = 2
    assert req(a, "PUT", "/apis/apps/v1/namespaces/default/deployments/hello", dep)[0] == 200
    stale["spec"]["replicas"] = 4
    code, doc, _ = req(a, "PUT", "/apis/apps/v1/namespaces/default/deployments/hello", stale)
    assert code == 409 and doc["reason"] == "Conflict"
    assert doc["message"] == ('Operation cannot be fulfilled on deployments.apps "hello": the object has been '
                              "modified; please apply your changes to the latest version and try again")


def test_dry_run_all_changes_nothing(served):
    a = served()
    before = a.call(a.game.cluster.state_hash)
    q = "?dryRun=All"
    assert req(a, "POST", "/api/v1/namespaces/default/configmaps" + q, {"metadata": {"name": "x"}})[0] == 201
    assert req(a, "PATCH", "/apis/apps/v1/namespaces/default/deployments/hello" + q, {"spec": {"replicas": 5}},
               headers={"Content-Type": "application/merge-patch+json"})[1]["spec"]["replicas"] == 5
    assert req(a, "DELETE", "/apis/apps/v1/namespaces/default/deployments/hello" + q)[0] == 200
    assert req(a, "PATCH", "/apis/apps/v1/namespaces/default/deployments/hello/scale" + q,
               {"spec": {"replicas": 7}}, headers={"Content-Type": "application/merge-patch+json"})[0] == 200
    assert a.call(a.game.cluster.state_hash) == before
    assert a.call(a.game.replay)["commands"] == []


def test_server_side_apply_conflicts_and_force(served):
    a = served()
    path = "/api/v1/namespaces/default/configmaps/conf"
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf"}, "data": {"a": "1"}}
    yaml_ct = {"Content-Type": "application/apply-patch+yaml"}
    code, doc, _ = req(a, "PATCH", path + "?fieldManager=alice", body, headers=yaml_ct)
    assert code == 201 and doc["data"] == {"a": "1"}
    assert [(m["manager"], m["operation"]) for m in doc["metadata"]["managedFields"]] == [("alice", "Apply")]
    body["data"]["a"] = "2"
    code, doc, _ = req(a, "PATCH", path + "?fieldManager=bob", body, headers=yaml_ct)
    assert code == 409 and doc["reason"] == "Conflict"
    assert doc["message"] == 'Apply failed with 1 conflict: conflict with "alice": .data.a'
    assert doc["details"]["causes"] == [{"reason": "FieldManagerConflict", "message": 'conflict with "alice"',
                                         "field": ".data.a"}]
    code, doc, _ = req(a, "PATCH", path + "?fieldManager=bob&force=true", body, headers=yaml_ct)
    assert code == 200 and doc["data"] == {"a": "2"}
    assert [m["manager"] for m in doc["metadata"]["managedFields"]] == ["bob"]   # alice lost her only field
    code, doc, _ = req(a, "PATCH", path, body, headers=yaml_ct)
    assert code == 400 and "fieldManager: Required value" in doc["message"]


def test_strategic_merge_patch_directives(served):
    a = served()
    path = "/apis/apps/v1/namespaces/default/deployments/hello"
    smp = {"Content-Type": "application/strategic-merge-patch+json"}
    patch = {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "side"}, {"name": "hello"}],
        "containers": [{"name": "side", "image": "busybox:1.36"}, {"name": "hello", "image": "hello:1.0"}]}}}}
    code, doc, _ = req(a, "PATCH", path, patch, headers=smp)
    assert code == 200, doc
    assert [c["name"] for c in doc["spec"]["template"]["spec"]["containers"]] == ["side", "hello"]
    hello = doc["spec"]["template"]["spec"]["containers"][1]
    assert hello["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]      # merged by name, not replaced
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}}}
    code, doc, _ = req(a, "PATCH", path, patch, headers=smp)
    assert [c["name"] for c in doc["spec"]["template"]["spec"]["containers"]] == ["hello"]
    code, doc, _ = req(a, "PATCH", path, [{"op": "test", "path": "/spec/replicas", "value": 99}],
                       headers={"Content-Type": "application/json-patch+json"})
    assert (code, doc["message"]) == (422, "the server rejected our request due to an error in our request")


def test_discovery_aggregated_and_legacy(served):
    a = served()
    accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
    code, doc, ctype = req(a, "GET", "/apis", headers={"Accept": accept})
    assert ctype == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    apps = next(i for i in doc["items"] if i["metadata"]["name"] == "apps")
    deploy = next(r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments")
    assert deploy["scope"] == "Namespaced" and deploy["shortNames"] == ["deploy"]
    assert {s["subresource"] for s in deploy["subresources"]} == {"scale", "status"}
    code, doc, ctype = req(a, "GET", "/apis")
    assert ctype == "application/json" and doc["kind"] == "APIGroupList"
    code, doc, _ = req(a, "GET", "/api/v1")
    pods = next(r for r in doc["resources"] if r["name"] == "pods")
    assert pods["verbs"] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    assert "pods/eviction" in {r["name"] for r in doc["resources"]}
    code, doc, _ = req(a, "GET", "/openapi/v3")
    url = doc["paths"]["apis/apps/v1"]["serverRelativeURL"]
    code, doc, _ = req(a, "GET", url)
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert {p["name"] for p in patch["parameters"]} >= {"fieldValidation", "dryRun", "fieldManager"}
    assert patch["x-kubernetes-group-version-kind"] == {"group": "apps", "version": "v1", "kind": "Deployment"}


def test_lists_as_tables_with_the_builtin_columns(served):
    a = served()
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    code, doc, ctype = req(a, "GET", "/api/v1/namespaces/default/pods?limit=1", headers={"Accept": accept})
    assert ctype.startswith("application/json;as=Table")
    assert [c["name"] for c in doc["columnDefinitions"]] == ["Name", "Ready", "Status", "Restarts", "Age", "IP",
                                                             "Node", "Nominated Node", "Readiness Gates"]
    assert [c["priority"] for c in doc["columnDefinitions"]] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert len(doc["rows"]) == 1 and doc["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    assert doc["rows"][0]["cells"][2] == "Running"


def test_limit_and_continue_page_through_a_list(served):
    a = served()
    code, doc, _ = req(a, "GET", "/api/v1/pods?limit=3")
    names = [p["metadata"]["name"] for p in doc["items"]]
    while doc["metadata"].get("continue"):
        code, doc, _ = req(a, "GET", "/api/v1/pods?limit=3&continue=" + doc["metadata"]["continue"])
        names += [p["metadata"]["name"] for p in doc["items"]]
    _, every, _ = req(a, "GET", "/api/v1/pods")
    assert names == [p["metadata"]["name"] for p in every["items"]] and len(names) > 3


def test_a_watch_from_a_resource_version_older_than_the_cache_gets_410_gone(served):
    a = served()
    a.call(lambda: setattr(a.game.watch_log, "ring", deque(a.game.watch_log.ring, maxlen=5)))
    a.tick(30)
    code, doc, _ = req(a, "GET", "/api/v1/pods?watch=true&resourceVersion=1")
    assert (code, doc["reason"]) == (410, "Expired") and doc["message"].startswith("too old resource version: 1 (")


def test_impersonating_a_user_without_rights_is_forbidden(served):
    a = served()
    code, doc, _ = req(a, "GET", "/api/v1/namespaces/default/secrets", headers={"Impersonate-User": "jane"})
    assert code == 403 and doc["reason"] == "Forbidden"
    assert doc["message"] == ('secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" '
                              'in the namespace "default"')


def test_a_body_over_the_limit_is_refused(served):
    a = served()
    big = b'{"metadata":{"name":"big"},"data":{"a":"' + b"x" * (3 * 1024 * 1024 + 10) + b'"}}'
    code, doc, _ = req(a, "POST", "/api/v1/namespaces/default/configmaps", big)
    assert code == 413 and doc["reason"] == "RequestEntityTooLarge"
    assert a.call(lambda: a.game.cluster.get("ConfigMap", "default", "big")) is None


def test_a_watch_that_never_reads_does_not_stop_the_game(served):
    from kubegame import modes
    a = served(modes.sandbox_game())
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "hello"},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "hello"}},
                    "template": {"metadata": {"labels": {"app": "hello"}},
                                 "spec": {"containers": [{"name": "app", "image": "busybox:1.36"}]}}}}
    assert req(a, "POST", "/apis/apps/v1/namespaces/default/deployments", dep)[0] == 201
    ctx = ssl.create_default_context(cafile=str(a.ca_file))
    raw = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port)), server_hostname="127.0.0.1")
    raw.sendall(f"GET /api/v1/pods?watch=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {a.token}\r\n\r\n".encode())
    for i in range(20):                    # churn: scale up and down while the watcher never reads
        req(a, "PATCH", "/apis/apps/v1/namespaces/default/deployments/hello/scale",
            {"spec": {"replicas": 1 + i % 6}}, headers={"Content-Type": "application/merge-patch+json"})
        a.tick(5)
    assert a.game.now >= 100 and not a.game.finished
    assert req(a, "GET", "/version")[0] == 200
    raw.close()


def test_a_thousand_concurrent_connections_each_get_an_answer(served):
    import aiohttp
    a = served()
    sslctx = ssl.create_default_context(cafile=str(a.ca_file))
    codes: list[int] = []

    async def one(session: aiohttp.ClientSession) -> None:
        async with session.get(f"{a.url}/api/v1/namespaces/default/pods/nope",
                               headers={"Authorization": f"Bearer {a.token}"}) as r:
            doc = await r.json()
            codes.append(r.status if doc.get("kind") == "Status" else -1)

    async def many() -> None:
        connector = aiohttp.TCPConnector(ssl=sslctx, limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=240)) as session:
            await asyncio.gather(*(one(session) for _ in range(1000)))
    stop = threading.Event()

    def clock() -> None:
        while not stop.is_set():
            a.tick(1)
            time.sleep(0.05)
    t = threading.Thread(target=clock)
    t.start()
    start = a.game.now
    try:
        asyncio.run(many())
    finally:
        stop.set()
        t.join()
    assert len(codes) == 1000 and set(codes) == {404}
    assert a.game.now > start


@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz"])
def test_health_endpoints(served, path):
    a = served()
    assert req(a, "GET", path)[:2] == (200, "ok")
