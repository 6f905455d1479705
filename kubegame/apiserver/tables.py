"""Server-side printing: a meta.k8s.io/v1 Table from the same columns and rows the built-in
kubectl prints (kubectl/printers.py, a port of pkg/printers/internalversion/printers.go), so real
kubectl's `get` shows what the built-in one shows; ages come from the game clock, as a real
server computes them at request time."""

from __future__ import annotations

from typing import Any

from kubegame.engine.objects import Pod
from kubegame.kubectl.printers import Item, headers, pod_row_of, row

_NAMES = {"UP-TO-DATE": "Up-to-date", "PORT(S)": "Port(s)", "IP": "IP"}


def column_name(header: str) -> str:
    """`CLUSTER-IP` -> `Cluster-IP`, `NOMINATED NODE` -> `Nominated Node` (kubectl upper-cases them back)."""
    if header in _NAMES:
        return _NAMES[header]

    def word(w: str) -> str:
        return "-".join(p if p in ("IP", "OS") else p[:1] + p[1:].lower() for p in w.split("-"))
    return " ".join(word(w) for w in header.split(" "))


def definitions(kind: str) -> list[dict]:
    normal = set(headers(kind, False))
    out = []
    for h in headers(kind, True):
        d: dict[str, Any] = {"name": column_name(h), "type": "string", "format": "name" if h == "NAME" else "",
                             "description": "", "priority": 0 if h in normal else 1}
        out.append(d)
    return out


def partial_metadata(d: dict) -> dict:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": d.get("metadata") or {}}


def table(now: int, kind: str, items: list[Item], include: str, resource_version: str,
          continue_token: str = "", headers_too: bool = True) -> dict:
    """The Table for a list (or one object); `include` is includeObject: None, Metadata or Object."""
    rows = []
    for it in items:
        cells = pod_row_of(now, it.obj, True) if kind == "Pod" and isinstance(it.obj, Pod) else row(now, it, True)
        r: dict[str, Any] = {"cells": cells}
        if include == "Object":
            r["object"] = it.d
        elif include != "None":
            r["object"] = partial_metadata(it.d)
        rows.append(r)
    md: dict[str, Any] = {"resourceVersion": resource_version}
    if continue_token:
        md["continue"] = continue_token
    out: dict[str, Any] = {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": md}
    if headers_too:
        out["columnDefinitions"] = definitions(kind)
    out["rows"] = rows
    return out


def wants_table(accept: str) -> bool:
    for part in accept.split(","):
        params = {k.strip(): v.strip() for k, _, v in (x.partition("=") for x in part.split(";")[1:])}
        if params.get("as") == "Table" and params.get("g") == "meta.k8s.io":
            return True
    return False


def _view_row(now: int, kind: str, d: dict) -> list[str]:
    """printers.go printLease / printEndpointSlice (formatDiscoveryPorts, formatDiscoveryEndpoints)."""
    from kubegame.kubectl.printers import age
    name = d["metadata"]["name"]
    if kind == "Lease":
        return [name, (d.get("spec") or {}).get("holderIdentity") or "<unset>", age(now, d)]
    ports = [str(p.get("port")) for p in d.get("ports") or [] if p.get("port") is not None]
    addrs = [a for e in d.get("endpoints") or [] for a in e.get("addresses") or []]
    shown = ",".join(addrs[:3]) + (f" + {len(addrs) - 3} more..." if len(addrs) > 3 else "")
    return [name, d.get("addressType", ""), ",".join(ports) or "<unset>", shown or "<unset>", age(now, d)]


VIEW_COLUMNS = {"Lease": ["Name", "Holder", "Age"],
                "EndpointSlice": ["Name", "AddressType", "Ports", "Endpoints", "Age"]}


def view_table(now: int, kind: str, docs: list[dict], include: str, resource_version: str) -> dict:
    rows = []
    for d in docs:
        r: dict[str, Any] = {"cells": _view_row(now, kind, d)}
        if include == "Object":
            r["object"] = d
        elif include != "None":
            r["object"] = partial_metadata(d)
        rows.append(r)
    cols = [{"name": c, "type": "string", "format": "name" if c == "Name" else "", "description": "", "priority": 0}
            for c in VIEW_COLUMNS[kind]]
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": resource_version},
            "columnDefinitions": cols, "rows": rows}
