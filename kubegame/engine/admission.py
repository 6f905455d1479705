"""Admission: what kube-apiserver does to a request body before anything reaches etcd.

Every write of an object body goes through `Cluster.prepare` (level manifests, kubectl create,
apply, replace, edit, patch, set, label; the API server of `kubegame serve` later), which
runs, in the API server's order:

1. **decode**, strictly (kube-apiserver's default field validation since v1.27 is Strict):
   every field must be known and of its JSON type as the official OpenAPI schema says
   (engine/schema_defs.py, generated from kubernetes-validate 1.37). A type error is Go's
   `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type
   int32`; unknown fields are `strict decoding error: unknown field "spec.replica"` (every one
   of them), both as `KIND in version "V" cannot be handled as a KIND: ...` (BadRequest,
   staging/src/k8s.io/apiserver/pkg/endpoints/handlers/rest.go, serializer/json strict mode);
2. **limits**: an object must fit in an etcd request (1.5 MiB, etcd's --max-request-bytes
   default: `etcdserver: request is too large`);
3. then defaulting and validation (defaults.py, validation.py: Invalid with field causes),
   which include the cluster's replica ceiling.

So nothing reaches the store that could break a later read, a state hash or a save.
"""

from __future__ import annotations

import json
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.quantity import QuantityError, parse_quantity
from kubegame.engine.schema_defs import DEFS, ROOTS

MAX_OBJECT_BYTES = 1536 * 1024          # etcd --max-request-bytes default (1.5 MiB)
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
# integer fields that are int32 in the Go types (the rest of the schema's integers are int64)
INT32_FIELDS = frozenset({
    "replicas", "minReplicas", "maxReplicas", "parallelism", "completions", "backoffLimit", "backoffLimitPerIndex",
    "maxFailedIndexes", "containerPort", "hostPort", "port", "nodePort", "revisionHistoryLimit",
    "progressDeadlineSeconds", "minReadySeconds", "priority", "averageUtilization", "initialDelaySeconds",
    "periodSeconds", "timeoutSeconds", "successThreshold", "failureThreshold", "weight", "maxSkew", "minDomains",
    "defaultMode", "mode", "stabilizationWindowSeconds", "value", "partition", "ordinal", "start",
    "healthCheckNodePort", "exitCode", "number",
})
QUANTITY_RE = "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def root_type(api_version: str, kind: str) -> str | None:
    return ROOTS.get(f"{api_version} {kind}")


def decode(body: dict) -> None:
    """Strictly decode a manifest (apiVersion and kind already known); raise BadRequest."""
    kind, api = body.get("kind"), body.get("apiVersion")
    root = root_type(str(api), str(kind))
    if root is None:
        return                             # a kind without a schema here (Event, Endpoints, ...)
    walker = _Walker()
    walker.walk(body, "@" + root, "", root, top=True)
    prefix = f'{kind} in version "{str(api).rsplit("/", 1)[-1]}" cannot be handled as a {kind}: '
    if walker.type_error:
        raise ApiError("BadRequest", prefix + walker.type_error, 400)
    if walker.unknown:
        raise ApiError("BadRequest", prefix + "strict decoding error: "
                       + ", ".join(f'unknown field "{p}"' for p in walker.unknown), 400)


def unknown_fields(body: dict) -> list[str]:
    """The paths of the fields the schema does not know (what Strict refuses, Warn reports)."""
    root = root_type(str(body.get("apiVersion")), str(body.get("kind")))
    if root is None:
        return []
    walker = _Walker()
    walker.walk(body, "@" + root, "", root, top=True)
    return list(walker.unknown)


def check_size(body: dict, kind: str) -> None:
    """etcd refuses a request over its limit: the object must fit."""
    try:
        size = len(json.dumps(body, separators=(",", ":"), allow_nan=False))
    except (ValueError, TypeError, RecursionError):
        raise ApiError("BadRequest", f"{kind} cannot be encoded as JSON", 400) from None
    if size > MAX_OBJECT_BYTES:
        raise ApiError("RequestEntityTooLarge" if size > 2 * MAX_OBJECT_BYTES else "InternalError",
                       "etcdserver: request is too large", 413 if size > 2 * MAX_OBJECT_BYTES else 500)


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _go_type(t: str, field: str = "") -> str:
    """The Go type of a schema type token, as encoding/json names it."""
    if t.startswith("["):
        return "[]" + _go_type(t[1:])
    if t.startswith("{"):
        return "map[string]" + _go_type(t[1:])
    if t.startswith("@"):
        parts = t[1:].split(".")
        return f"{parts[-2]}.{parts[-1]}"
    return {"string": "string", "int": "int32" if field in INT32_FIELDS else "int64", "number": "float64",
            "bool": "bool", "quantity": "resource.Quantity", "intstr": "intstr.IntOrString",
            "any": "interface {}"}.get(t, t)


class _Walker:
    def __init__(self) -> None:
        self.unknown: list[str] = []
        self.type_error = ""

    def mismatch(self, value: Any, t: str, struct: str, gopath: str, field: str) -> None:
        if self.type_error:
            return
        what = _json_kind(value)
        if what == "number":
            shown = int(value) if isinstance(value, float) and value.is_integer() else value
            what = f"number {shown}"
        self.type_error = (f"json: cannot unmarshal {what} into Go struct field {struct}.{gopath} "
                           f"of type {_go_type(t, field)}")

    def walk(self, value: Any, t: str, path: str, struct: str, gopath: str = "", field: str = "",
             top: bool = False) -> None:
        if value is None:
            return
        if t.startswith("@"):
            name = t[1:]
            d = DEFS.get(name)
            if d is None:
                return
            if "t" in d:
                self.walk(value, d["t"], path, struct, gopath, field)
                return
            if not isinstance(value, dict):
                self.mismatch(value, t, struct, gopath, field)
                return
            short = name.rsplit(".", 1)[-1]
            fields: dict[str, str] = d["f"]
            for k, v in value.items():
                sub = f"{path}.{k}" if path else str(k)
                if k not in fields:
                    if top and k == "status":
                        continue
                    self.unknown.append(sub)
                    continue
                self.walk(v, fields[k], sub, short, f"{gopath}.{k}" if gopath else str(k), str(k))
            return
        if t.startswith("["):
            if not isinstance(value, list):
                self.mismatch(value, t, struct, gopath, field)
                return
            for i, v in enumerate(value):
                self.walk(v, t[1:], f"{path}[{i}]", struct, gopath, field)
            return
        if t.startswith("{"):
            if not isinstance(value, dict):
                self.mismatch(value, t, struct, gopath, field)
                return
            for k, v in value.items():
                self.walk(v, t[1:], f"{path}.{k}", struct, gopath, field)
            return
        self.scalar(value, t, struct, gopath, field)

    def scalar(self, value: Any, t: str, struct: str, gopath: str, field: str) -> None:
        if t == "string":
            ok = isinstance(value, str)
        elif t == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
            limit = INT32_MAX if field in INT32_FIELDS else INT64_MAX
            if ok and not -limit - 1 <= value <= limit:
                ok = False
        elif t == "number":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif t == "bool":
            ok = isinstance(value, bool)
        elif t == "intstr":
            ok = (isinstance(value, str) or (isinstance(value, int) and -INT32_MAX - 1 <= value <= INT32_MAX)) \
                and not isinstance(value, bool)
        elif t == "quantity":
            ok = isinstance(value, (int, float, str)) and not isinstance(value, bool)
            if ok:
                try:
                    parse_quantity(value)
                except QuantityError:
                    if not self.type_error:
                        self.type_error = f"quantities must match the regular expression {QUANTITY_RE}"
                    return
        else:
            ok = True
        if not ok:
            self.mismatch(value, t, struct, gopath, field)
