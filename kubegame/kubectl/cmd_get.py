"""`kubectl get`: tables, -o wide/yaml/json/name/jsonpath/custom-columns, selectors, sorting."""

from __future__ import annotations

import copy

from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND
from kubegame.kubectl import jsonpath
from kubegame.kubectl.core import ALL_KINDS, Ctx, get_object, list_objects, parse_refs
from kubegame.kubectl.printers import (
    Item,
    as_list,
    headers,
    kind_prefix,
    row,
    to_json,
    to_yaml,
)
from kubegame.kubectl.util import (
    ApiBadRequest,
    KubectlError,
    field_matches,
    format_labels,
    parse_field_selector,
    parse_selector,
    selector_matches,
    table,
)

OUTPUTS = ("", "wide", "yaml", "json", "name", "kyaml")
TEMPLATE_FORMATS = ("go-template", "go-template-file", "template", "templatefile")


def render_template(ctx: Ctx, fmt: str, data: dict) -> str:
    """-o go-template=TEXT / go-template-file=PATH (and their aliases template, templatefile)."""
    from kubegame.kubectl import gotemplate
    kind, _, arg = fmt.partition("=")
    text = arg
    if kind in ("go-template-file", "templatefile"):
        from kubegame.kubectl.core import read_data_file
        try:
            text = read_data_file(ctx, arg)
        except OSError as exc:
            raise KubectlError(f"error reading --template {arg}, {exc.strerror}") from None
    try:
        nodes = gotemplate.parse(text)
    except gotemplate.TemplateError as exc:
        raise KubectlError(f"error parsing template {text}, template: output:1: {exc}") from None
    try:
        out: list[str] = []
        ex = gotemplate.Exec(gotemplate._as_json_numbers(data))
        ex.strict = ctx.p.get("allow-missing-template-keys", True) is False
        ex.run(nodes, gotemplate._as_json_numbers(data), out)
    except gotemplate.TemplateError as exc:
        raise KubectlError(f'error executing template "{text}": template: output:1: executing "output": {exc}') \
            from None
    return "".join(out)


def check_output(fmt: str) -> None:
    base = fmt.split("=", 1)[0]
    if fmt in OUTPUTS or base in ("jsonpath", "custom-columns", "jsonpath-as-json") or \
            base in TEMPLATE_FORMATS and "=" in fmt:
        return
    raise KubectlError(f"unable to match a printer suitable for the output format \"{fmt}\", allowed formats "
                       "are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,"
                       "jsonpath-as-json,jsonpath-file,kyaml,name,template,templatefile,wide,yaml")


def no_resources(ctx: Ctx, namespaced: bool) -> None:
    if ctx.all_namespaces or not namespaced:
        ctx.err.append("No resources found\n")
    else:
        ctx.err.append(f"No resources found in {ctx.namespace} namespace.\n")


def filter_items(ctx: Ctx, kind: str, items: list[Item]) -> list[Item]:
    sel = ctx.p.flags.get("selector")
    fsel = ctx.p.flags.get("field-selector")
    if sel:
        reqs = parse_selector(sel)
        items = [i for i in items if selector_matches(reqs, i.labels)]
    if fsel:
        try:
            freqs = parse_field_selector(fsel, kind)
        except ApiBadRequest as exc:
            # resource.Builder wraps the server's answer to a selected list (visitor.go)
            res = BY_KIND.get(kind)
            gvr = f"{res.group}/{res.version}, Resource={res.plural}" if res else kind
            raise ApiError("BadRequest", f'Unable to find "{gvr}" that match label selector "{sel or ""}", '
                                         f'field selector "{fsel}": {exc.message}', 400) from None
        items = [i for i in items if field_matches(freqs, i.d)]
    return items


def sort_items(items: list[Item], spec: str) -> list[Item]:
    path = spec.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    if not path.startswith("."):
        path = "." + path

    def key(it: Item):
        try:
            vals = jsonpath.evaluate(path, it.d)
        except jsonpath.JSONPathError:
            vals = []
        v = vals[0] if vals else None
        if isinstance(v, bool):
            return (1, int(v), "")
        if isinstance(v, (int, float)):
            return (1, v, "")
        if v is None:
            return (0, 0, "")
        return (2, 0, str(v))

    return sorted(items, key=key)


def collect(ctx: Ctx, refs, multi: bool) -> tuple[list[tuple[str, list[Item]]], bool]:
    """Objects per kind, in request order. Returns groups and whether names were given."""
    groups: dict[str, list[Item]] = {}
    ns = None if ctx.all_namespaces else ctx.namespace
    named = any(r.name is not None for r in refs)
    for r in refs:
        groups.setdefault(r.res.kind, [])
        if r.name is None:
            groups[r.res.kind].extend(filter_items(ctx, r.res.kind, list_objects(ctx, r.res, ns)))
        else:
            try:
                groups[r.res.kind].append(get_object(ctx, r.res, ctx.namespace, r.name))
            except ApiError as exc:
                if not ctx.p.flags.get("ignore-not-found"):
                    ctx.api_error(exc)
    sort_by = ctx.p.flags.get("sort-by")
    out = []
    for kind, items in groups.items():
        if sort_by:
            items = sort_items(items, sort_by)
        out.append((kind, items))
    return out, named


def output_format(ctx: Ctx) -> str:
    """-o, with `-o go-template --template=TEXT` joined into `go-template=TEXT`."""
    fmt = str(ctx.p.get("output") or "")
    if fmt in TEMPLATE_FORMATS and ctx.p.flags.get("template"):
        return f"{fmt}={ctx.p.flags['template']}"
    if not fmt and ctx.p.flags.get("template"):
        return f"go-template={ctx.p.flags['template']}"      # --template alone implies -o go-template
    return fmt


def cmd_get(ctx: Ctx) -> None:
    p = ctx.p
    fmt = output_format(ctx)
    check_output(fmt)
    watching = p.flags.get("watch") or p.flags.get("watch-only")
    if p.flags.get("output-watch-events") and not watching:
        raise KubectlError("--output-watch-events option can only be used with --watch or --watch-only")
    if watching and p.args:
        from kubegame.kubectl.cmd_watch import start_get_watch
        if p.flags.get("filename"):
            raise KubectlError("kubegame does not simulate --watch together with --filename")
        if p.flags.get("sort-by"):
            ctx.err.append("warning: --watch requested, --sort-by will be ignored for watch events received\n"
                           if p.flags.get("watch") else "warning: --watch-only requested, --sort-by will be ignored\n")
        start_get_watch(ctx, fmt)
        return
    if p.flags.get("filename"):
        from kubegame.kubectl.core import load_manifests, manifest_resource
        refs_items = []
        for m in load_manifests(ctx):
            res = manifest_resource(m)
            ns = (m.body.get("metadata") or {}).get("namespace") or ctx.namespace
            try:
                refs_items.append(get_object(ctx, res, ns, (m.body.get("metadata") or {}).get("name", "")))
            except ApiError as exc:
                ctx.api_error(exc)
        groups: dict[str, list[Item]] = {}
        for it in refs_items:
            groups.setdefault(it.kind, []).append(it)
        print_groups(ctx, list(groups.items()), len(groups) > 1, fmt, single=len(refs_items) == 1)
        return
    if not p.args:
        ctx.error('You must specify the type of resource to get. Use "kubectl api-resources" for a '
                  "complete list of supported resources.\n\nerror: Required resource not specified.\n"
                  'Use "kubectl explain <resource>" for a detailed description of that resource (e.g. '
                  "kubectl explain pods).\nSee 'kubectl get -h' for help and examples")
        return
    refs, multi = parse_refs(p.args)
    if p.flags.get("show-kind"):
        multi = True
    groups_l, named = collect(ctx, refs, multi)
    single = named and len(refs) == 1
    total = sum(len(i) for _, i in groups_l)
    if total == 0:
        if not named and fmt in ("", "wide", "name") or (not named and fmt.startswith(("custom-columns",))):
            namespaced = any(BY_KIND[k].namespaced for k, _ in groups_l)
            no_resources(ctx, namespaced)
            return
        if named:
            return
    print_groups(ctx, groups_l, multi, fmt, single=single)


def print_groups(ctx: Ctx, groups: list[tuple[str, list[Item]]], multi: bool, fmt: str, single: bool) -> None:
    all_items = [i for _, items in groups for i in items]
    if fmt in ("yaml", "json", "kyaml"):
        dicts = [strip_managed(i.d) for i in all_items]
        if ctx.p.flags.get("show-managed-fields"):
            from kubegame.kubectl.fieldset import managed_fields
            for d, i in zip(dicts, all_items, strict=True):
                if getattr(i.obj, "uid", None) and isinstance(d.get("metadata"), dict):
                    d["metadata"]["managedFields"] = managed_fields(ctx.cluster, i.obj)
        data = dicts[0] if single and len(dicts) == 1 else as_list(dicts)
        if fmt == "kyaml":
            from kubegame.kubectl.kyaml import to_kyaml
            ctx.out.append(to_kyaml(data))
            return
        ctx.print(to_yaml(data) if fmt == "yaml" else to_json(data))
        return
    if fmt == "name":
        for i in all_items:
            ctx.print(f"{kind_prefix(i.kind)}/{i.name}")
        return
    if fmt.startswith(("jsonpath=", "jsonpath-as-json=")):
        tpl = fmt.split("=", 1)[1]
        dicts = [i.d for i in all_items]
        data = dicts[0] if single and len(dicts) == 1 else as_list(dicts)
        try:
            text = jsonpath.render_as_json(tpl, data) if fmt.startswith("jsonpath-as-json=") else \
                jsonpath.render(tpl, data)
        except jsonpath.JSONPathError as exc:
            raise KubectlError(f"error executing jsonpath {tpl!r}: {exc}") from None
        ctx.out.append(text)
        return
    if fmt.split("=", 1)[0] in TEMPLATE_FORMATS:
        dicts = [i.d for i in all_items]
        ctx.out.append(render_template(ctx, fmt, dicts[0] if single and len(dicts) == 1 else as_list(dicts)))
        return
    if fmt.startswith("custom-columns="):
        spec = fmt.split("=", 1)[1]
        cols = []
        for part in spec.split(","):
            if ":" not in part:
                raise KubectlError("unexpected custom-columns spec: " + part + ", expected <header>:<json-path-expr>")
            h, _, path = part.partition(":")
            cols.append((h, path))
        rows = [] if ctx.p.flags.get("no-headers") else [[h for h, _ in cols]]
        for i in all_items:
            r = []
            for _, path in cols:
                pth = path.strip("{}")
                try:
                    vals = jsonpath.evaluate(pth if pth.startswith(".") else "." + pth, i.d)
                except jsonpath.JSONPathError:
                    vals = []
                r.append(",".join(jsonpath._text(v) for v in vals) if vals else "<none>")
            rows.append(r)
        ctx.print(table(rows).rstrip("\n"))
        return
    wide = fmt == "wide"
    blocks = []
    for kind, items in groups:
        if not items:
            continue
        blocks.append(table_for(ctx, kind, items, wide, multi))
    ctx.out.append("\n".join(blocks))


def table_for(ctx: Ctx, kind: str, items: list[Item], wide: bool, with_kind: bool) -> str:
    now = ctx.cluster.now
    hdr = headers(kind, wide)
    res = BY_KIND.get(kind)
    show_ns = ctx.all_namespaces and (res is None or res.namespaced)
    label_cols = []
    for lc in ctx.p.flags.get("label-columns") or []:
        label_cols.extend(x for x in lc.split(",") if x)
    show_labels = bool(ctx.p.flags.get("show-labels"))
    rows = []
    if not ctx.p.flags.get("no-headers"):
        h = (["NAMESPACE"] if show_ns else []) + hdr
        h += [lc.split("/")[-1].upper() for lc in label_cols]
        if show_labels:
            h.append("LABELS")
        rows.append(h)
    for it in items:
        r = row(now, it, wide)
        if with_kind and kind != "Event":
            r[0] = f"{kind_prefix(kind)}/{r[0]}"
        if show_ns:
            r = [it.namespace] + r
        r += [it.labels.get(lc, "") for lc in label_cols]
        if show_labels:
            r.append(format_labels(it.labels))
        rows.append(r)
    return table(rows)


def print_data(ctx: Ctx, data: dict, fmt: str) -> None:
    """One plain document (a kubeconfig, a review) as -o yaml, json or jsonpath prints it."""
    if fmt == "yaml":
        ctx.print(to_yaml(data))
    elif fmt == "json":
        ctx.print(to_json(data))
    elif fmt.startswith(("jsonpath=", "jsonpath-as-json=")):
        tpl = fmt.split("=", 1)[1]
        try:
            ctx.out.append(jsonpath.render(tpl, data))
        except jsonpath.JSONPathError as exc:
            raise KubectlError(f"error executing jsonpath {tpl!r}: {exc}") from None
    else:
        raise KubectlError(f'unable to match a printer suitable for the output format "{fmt}", allowed formats '
                           "are: json,jsonpath,jsonpath-as-json,jsonpath-file,name,go-template,go-template-file,"
                           "template,templatefile,yaml")


def strip_managed(d: dict) -> dict:
    return copy.deepcopy(d)


__all__ = ["ALL_KINDS", "cmd_get", "print_groups", "table_for", "check_output"]
