"""/openapi/v3 (and a 404 for v2, as a server with the v2 endpoint disabled): one OpenAPI 3.0
document per group version, built from the v1.37 definitions kubegame ships for `kubectl explain`
(kubectl/data/openapi.json). Each path carries the operations, x-kubernetes-group-version-kind
and query parameters real kubectl looks for: fieldValidation on PATCH tells kubectl 1.37 that the
server validates fields itself (cli-runtime query_param_verifier_v3.go), and no strategic merge
patch body is declared, so client-side apply computes its patch from the Go types' merge keys
(apply/patcher.go falls back to them), exactly as against a real server."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from kubegame.apiserver import discovery
from kubegame.apiserver.status import not_found_path
from kubegame.engine.kinds import Resource

_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")


def _definitions() -> dict:
    from kubegame.kubectl.cmd_info import openapi
    return openapi()


def _fix(schema: Any) -> Any:
    """JSON-schema spellings to OpenAPI 3.0's as the API server publishes them: `type: [string, null]`
    -> `type: string`; a reference with a description of its own -> `allOf: [{$ref}]` beside it, and
    `#/components/schemas/NAME` (kube-openapi's v3 builder writes struct fields that way)."""
    if isinstance(schema, dict):
        if "$ref" in schema and len(schema) > 1:
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            return {"allOf": [_fix({"$ref": schema["$ref"]})], "default": {}, **_fix(rest)}
        out = {}
        for k, v in schema.items():
            if k == "$ref" and isinstance(v, str):
                out[k] = "#/components/schemas/" + v.split("/")[-1]
            elif k == "type" and isinstance(v, list):
                kinds = [t for t in v if t != "null"]
                out[k] = kinds[0] if kinds else "object"
            else:
                out[k] = _fix(v)
        return out
    if isinstance(schema, list):
        return [_fix(x) for x in schema]
    return schema


def _param(name: str) -> dict:
    return {"name": name, "in": "query", "schema": {"type": "string", "uniqueItems": True}}


def _op(res: Resource, action: str, params: tuple[str, ...] = (), body: tuple[str, ...] = ()) -> dict:
    op: dict[str, Any] = {"operationId": f"{action}{res.kind}",
                          "x-kubernetes-action": action,
                          "x-kubernetes-group-version-kind": {"group": res.group, "version": res.version,
                                                              "kind": res.kind},
                          "responses": {"200": {"description": "OK"}, "401": {"description": "Unauthorized"}}}
    if params:
        op["parameters"] = [_param(p) for p in params]
    if body:
        op["requestBody"] = {"content": {t: {"schema": {"type": "object"}} for t in body}, "required": True}
    return op


def _paths(group: str, version: str) -> dict:
    base = f"/apis/{group}/{version}" if group else f"/api/{version}"
    paths = {}
    for r in discovery.resources_in(group, version):
        coll = f"{base}/namespaces/{{namespace}}/{r.plural}" if r.namespaced else f"{base}/{r.plural}"
        paths[coll] = {"get": _op(r, "list"), "post": _op(r, "post", _WRITE_PARAMS, ("*/*",)),
                       "delete": _op(r, "deletecollection", ("dryRun",))}
        paths[coll + "/{name}"] = {
            "get": _op(r, "get"), "put": _op(r, "put", _WRITE_PARAMS, ("*/*",)),
            "patch": _op(r, "patch", _WRITE_PARAMS + ("force",),
                         ("application/json-patch+json", "application/merge-patch+json",
                          "application/apply-patch+yaml")),
            "delete": _op(r, "delete", ("dryRun", "gracePeriodSeconds", "propagationPolicy"))}
    return paths


@cache
def document(group: str, version: str) -> bytes:
    defs = _definitions()["definitions"]
    schemas = {name: _fix(d) for name, d in sorted(defs.items())}
    for name in schemas:
        parts = name.split(".")
        kind = parts[-1]
        gv_version = parts[-2]
        res = next((r for r in discovery.resources_in(group, version) if r.kind == kind and r.version == gv_version),
                   None)
        if res is not None and name.startswith("io.k8s.api.") and parts[3] == (group.split(".")[0] or "core"):
            schemas[name]["x-kubernetes-group-version-kind"] = [{"group": group, "kind": kind, "version": version}]
    doc = {"openapi": "3.0.0", "info": {"title": "Kubernetes", "version": "v1.37.1"},
           "paths": _paths(group, version), "components": {"schemas": schemas}}
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def _gv_path(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


@cache
def index() -> dict:
    paths = {}
    for g, v in discovery.groups():
        if g == "metrics.k8s.io":
            continue
        h = hashlib.sha512(document(g, v)).hexdigest()[:128].upper()
        paths[_gv_path(g, v)] = {"serverRelativeURL": f"/openapi/v3/{_gv_path(g, v)}?hash={h}"}
    return {"paths": paths}


def respond(parts: list[str], _hash: str) -> Any:
    from kubegame.apiserver.handler import Response
    if parts[:1] != ["v3"]:
        return Response(404, not_found_path())
    rest = parts[1:]
    if not rest:
        return Response(200, index())
    for g, v in discovery.groups():
        if g != "metrics.k8s.io" and rest == _gv_path(g, v).split("/"):
            return Response(200, document(g, v).decode(), "application/json")
    return Response(404, not_found_path())
