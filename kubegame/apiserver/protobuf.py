"""The Kubernetes protobuf encoding, read side (k8s.io/apimachinery/pkg/runtime/serializer/protobuf:
the `k8s\\x00` magic, then a runtime.Unknown wrapping the object's bytes). kubectl's typed clients
send protobuf (`create deployment|configmap|secret|namespace ...`, `autoscale`, evictions, `auth
can-i`): each body is decoded into the JSON object Go's encoding/json would have produced, with
the field numbers of k8s.io/api's generated.proto and the pointer/omitempty facts of its types.go
(data/proto.json, made by data/generate_proto.py). Answers are always JSON, which the clients
also accept."""

from __future__ import annotations

import base64
import datetime
import json
import struct
from functools import cache
from pathlib import Path
from typing import Any

MAGIC = b"k8s\x00"


class ProtobufError(Exception):
    pass


def _varint(data: bytes, i: int) -> tuple[int, int]:
    out, shift = 0, 0
    while True:
        if i >= len(data) or shift > 63:
            raise ProtobufError("truncated varint")
        b = data[i]
        i += 1
        out |= (b & 0x7F) << shift
        if not b & 0x80:
            return out, i
        shift += 7


def fields(data: bytes) -> dict[int, list]:
    """field number -> values (ints for varints, bytes for length-delimited)."""
    out: dict[int, list] = {}
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(data, i)
        elif wire == 2:
            n, i = _varint(data, i)
            if i + n > len(data):
                raise ProtobufError("truncated field")
            v, i = data[i:i + n], i + n
        elif wire == 5:
            v, i = data[i:i + 4], i + 4
        elif wire == 1:
            v, i = data[i:i + 8], i + 8
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        out.setdefault(num, []).append(v)
    return out


def _text(f: dict, num: int) -> str:
    v = f.get(num)
    return v[-1].decode("utf-8", "replace") if v and isinstance(v[-1], bytes) else ""


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw) of a runtime.Unknown."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf magic")
    unknown = fields(body[len(MAGIC):])
    type_meta = fields(unknown.get(1, [b""])[-1])
    return _text(type_meta, 1), _text(type_meta, 2), unknown.get(2, [b""])[-1]


def review_spec(body: bytes) -> dict:
    """The spec of a SelfSubjectAccessReview or SelfSubjectRulesReview, as the JSON form has it."""
    _api_version, kind, raw = unwrap(body)
    spec = fields(fields(raw).get(2, [b""])[-1])
    if kind == "SelfSubjectRulesReview":
        return {"namespace": _text(spec, 1)}
    out: dict = {}
    if 1 in spec:
        ra = fields(spec[1][-1])
        out["resourceAttributes"] = {k: _text(ra, n) for n, k in ((1, "namespace"), (2, "verb"), (3, "group"),
                                                                  (4, "version"), (5, "resource"),
                                                                  (6, "subresource"), (7, "name")) if _text(ra, n)}
    if 2 in spec:
        nra = fields(spec[2][-1])
        out["nonResourceAttributes"] = {k: _text(nra, n) for n, k in ((1, "path"), (2, "verb")) if _text(nra, n)}
    return out


# API group -> the protobuf package of its types
_GROUP_PACKAGE = {"": "core", "apps": "apps", "batch": "batch", "autoscaling": "autoscaling", "policy": "policy",
                  "rbac.authorization.k8s.io": "rbac", "networking.k8s.io": "networking",
                  "scheduling.k8s.io": "scheduling", "storage.k8s.io": "storage",
                  "authorization.k8s.io": "authorization", "authentication.k8s.io": "authentication",
                  "coordination.k8s.io": "coordination", "discovery.k8s.io": "discovery"}
META = "k8s.io.apimachinery.pkg.apis.meta.v1."


@cache
def _messages() -> dict[str, dict[str, list]]:
    return json.loads((Path(__file__).parent / "data" / "proto.json").read_text())


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _time(f: dict, micro: bool) -> str | None:
    seconds = _signed(f.get(1, [0])[-1]) if f.get(1) else 0
    nanos = f.get(2, [0])[-1] if f.get(2) else 0
    if not seconds and not nanos:
        return None
    t = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{nanos // 1000:06d}Z" if micro else "Z")


def _scalar(typ: str, raw: Any) -> Any:
    if typ == "string":
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else ""
    if typ == "bytes":
        return base64.b64encode(raw).decode() if isinstance(raw, bytes) else ""
    if typ == "bool":
        return bool(raw)
    if typ in ("double", "fixed64") and isinstance(raw, bytes) and len(raw) == 8:
        return struct.unpack("<d", raw)[0]
    if typ in ("float", "fixed32") and isinstance(raw, bytes) and len(raw) == 4:
        return struct.unpack("<f", raw)[0]
    if isinstance(raw, int):
        return _signed(raw)
    raise ProtobufError(f"a {typ} field has the wrong wire type")


def _zero(v: Any) -> bool:
    return v in (0, False, "") and not isinstance(v, float) or v == 0.0


def _packed(typ: str, raw: bytes) -> list:
    if typ in ("double", "fixed64"):
        return [struct.unpack("<d", raw[i:i + 8])[0] for i in range(0, len(raw), 8)]
    out, i = [], 0
    while i < len(raw):
        v, i = _varint(raw, i)
        out.append(_scalar(typ, v))
    return out


def decode_message(name: str, data: bytes, depth: int = 0) -> Any:
    """One message as its JSON value."""
    if depth > 64:
        raise ProtobufError("nested too deeply")
    f = fields(data)
    if name in (META + "Time", META + "MicroTime"):
        return _time(f, name.endswith("MicroTime"))
    if name == "k8s.io.apimachinery.pkg.api.resource.Quantity":
        return _scalar("string", f.get(1, [b""])[-1])
    if name == "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
        if f.get(1, [0])[-1] == 1:
            return _scalar("string", f.get(3, [b""])[-1])
        return _signed(f.get(2, [0])[-1]) if f.get(2) else 0
    if name in ("k8s.io.apimachinery.pkg.runtime.RawExtension", META + "FieldsV1"):
        raw = f.get(1, [b""])[-1]
        try:
            return json.loads(raw.decode()) if raw else None
        except (ValueError, UnicodeDecodeError):
            raise ProtobufError("an embedded object is not JSON") from None
    if name == META + "Duration":
        ns = _signed(f.get(1, [0])[-1]) if f.get(1) else 0
        return f"{ns / 1e9:g}s"
    schema = _messages().get(name)
    if schema is None:
        raise ProtobufError(f"kubegame serve cannot decode {name}")
    out: dict[str, Any] = {}
    for num, values in f.items():
        spec = schema.get(str(num))
        if spec is None:
            continue                                   # a field newer than this table: dropped, as Go would
        fname, typ, flags = spec
        if typ == "map":
            ktype, vtype = flags
            m = {}
            for entry in values:
                ef = fields(entry) if isinstance(entry, bytes) else {}
                k = _scalar(ktype, ef.get(1, [b"" if ktype in ("string", "bytes") else 0])[-1])
                raw = ef.get(2, [b"" if vtype in ("string", "bytes") or vtype not in SCALAR_TYPES else 0])[-1]
                m[k] = _scalar(vtype, raw) if vtype in SCALAR_TYPES else decode_message(vtype, raw, depth + 1)
            out[fname] = m
            continue
        repeated = "r" in flags
        if typ in SCALAR_TYPES:
            items: list = []
            for v in values:
                if isinstance(v, bytes) and typ not in ("string", "bytes") and repeated:
                    items.extend(_packed(typ, v))
                else:
                    items.append(_scalar(typ, v))
            if repeated:
                out[fname] = items
            else:
                value = items[-1]
                if _zero(value) and "o" in flags and "p" not in flags:
                    continue
                out[fname] = value
            continue
        decoded = [decode_message(typ, v if isinstance(v, bytes) else b"", depth + 1) for v in values]
        if repeated:
            out[fname] = decoded
        elif "i" in flags and isinstance(decoded[-1], dict):
            out.update(decoded[-1])                   # an embedded struct: `json:",inline"`
        elif decoded[-1] is not None:
            out[fname] = decoded[-1]
    return out


SCALAR_TYPES = {"string", "int32", "int64", "bool", "bytes", "double", "float", "uint32", "uint64", "sint32",
                "sint64", "fixed32", "fixed64"}


def decode_object(body: bytes) -> dict:
    """A protobuf request body as the JSON object it stands for (apiVersion and kind included)."""
    api_version, kind, raw = unwrap(body)
    group, _, version = api_version.rpartition("/")
    package = _GROUP_PACKAGE.get(group)
    if package is None or not kind:
        raise ProtobufError(f"kubegame serve cannot decode {kind or 'an object'} of {api_version or 'no version'}")
    obj = decode_message(f"k8s.io.api.{package}.{version}.{kind}", raw)
    if not isinstance(obj, dict):
        raise ProtobufError("the body is not an object")
    return {"apiVersion": api_version, "kind": kind, **obj}
