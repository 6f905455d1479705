"""Commands that change the cluster: create, apply, delete, scale, autoscale, label, annotate,
patch, edit, set image/resources, expose."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
from typing import Any

from kubegame import safeio
from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND, Resource
from kubegame.engine.quantity import QuantityError, parse_quantity
from kubegame.kubectl.core import (
    Ctx,
    Manifest,
    get_object,
    list_objects,
    load_manifests,
    manifest_resource,
    parse_refs,
)
from kubegame.kubectl.printers import go_ordered, kind_prefix, to_json, to_yaml
from kubegame.kubectl.result import EditRequest, Result
from kubegame.kubectl.util import KubectlError, parse_selector, selector_matches

RESOURCE_ARGS_HELP = ("You must provide one or more resources by argument or filename.\n"
                      "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                      "   '<resource> <name>'\n   '<resource>'")


def ref_name(res: Resource, name: str) -> str:
    return f"{kind_prefix(res.kind)}/{name}"


def print_obj_or(ctx: Ctx, body: dict, res: Resource, name: str, verb: str) -> None:
    """-o yaml/json/name/jsonpath/go-template or the `kind/name verb` line."""
    from kubegame.kubectl.cmd_get import output_format
    fmt = output_format(ctx)
    if fmt == "yaml":
        ctx.print(to_yaml(body))
    elif fmt == "json":
        ctx.print(to_json(go_ordered(body), keep_order=True) if ctx.dry_run == "client" else to_json(body))
    elif fmt == "name":
        ctx.print(ref_name(res, name))
    elif fmt == "kyaml":
        from kubegame.kubectl.kyaml import to_kyaml
        ctx.out.append(to_kyaml(go_ordered(body) if ctx.dry_run == "client" else body))
    elif fmt.startswith(("jsonpath=", "jsonpath-as-json=")):
        from kubegame.kubectl import jsonpath
        tpl = fmt.split("=", 1)[1]
        try:
            ctx.out.append(jsonpath.render_as_json(tpl, body) if fmt.startswith("jsonpath-as-json=") else
                           jsonpath.render(tpl, body))
        except jsonpath.JSONPathError as exc:
            raise KubectlError(f"error executing jsonpath {tpl!r}: {exc}") from None
    elif fmt.split("=", 1)[0] in ("go-template", "go-template-file", "template", "templatefile") and "=" in fmt:
        from kubegame.kubectl.cmd_get import render_template
        ctx.out.append(render_template(ctx, fmt, body))
    elif fmt:
        raise KubectlError(f'unable to match a printer suitable for the output format "{fmt}", allowed formats '
                           "are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,kyaml,"
                           "name,template,templatefile,yaml")
    else:
        ctx.print(f"{ref_name(res, name)} {verb}{ctx.dry_suffix()}")


def record_cause(ctx: Ctx, body: dict) -> dict:
    """--record (deprecated, still honoured): the command line as the `kubernetes.io/change-cause`
    annotation, built as kubectl's parseCommandArguments does: `kubectl` + the words + each flag as
    ` --name=value` (staging/src/k8s.io/kubectl/pkg/cmd/util/record_flags.go)."""
    if ctx.p.flags.get("record") is True and isinstance(body.get("metadata"), dict):
        words = " ".join(ctx.p.path.split() + list(ctx.p.args))
        flags = "".join(f" --{n}={v}" for n, v in ctx.p.order)
        cause = "kubectl" + (" " + words if words else "") + flags
        body["metadata"].setdefault("annotations", {})["kubernetes.io/change-cause"] = cause
    return body


def _save_config(ctx: Ctx, body: dict) -> dict:
    """--save-config: store the last-applied annotation, so a later apply merges three ways."""
    if ctx.p.flags.get("save-config") is True:
        from kubegame.kubectl.apply_patch import with_annotation
        return with_annotation(body)
    return body


def clean_for_write(body: dict) -> dict:
    """What a client sends back: drop status and server-owned metadata."""
    body = copy.deepcopy(body)
    body.pop("status", None)
    md = body.get("metadata")
    if isinstance(md, dict):
        for k in ("creationTimestamp", "resourceVersion", "uid", "generation", "managedFields",
                  "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            md.pop(k, None)
    return body


# -- create ---------------------------------------------------------------------------------------

def owned(ctx: Ctx, obj: Any, before: dict | None = None, subresource: str = "") -> Any:
    """Record the command's field manager as the owner of what it wrote (kubectl/fieldset.py)."""
    from kubegame.kubectl.fieldset import manager_for, record_update
    if ctx.dry_run == "none" and obj is not None and ctx.cluster.get(obj.kind, obj.namespace, obj.name) is obj:
        record_update(ctx.cluster, obj, before, manager_for(ctx.p), subresource)
    return obj


def _create_body(ctx: Ctx, body: dict, res: Resource, verb: str = "created") -> None:
    """Create (or with --dry-run=client -o yaml, print) a generated object."""
    dry = ctx.dry_run
    name = body["metadata"]["name"]
    if dry == "client":
        print_obj_or(ctx, body, res, name, verb)
        return
    ctx.authorize("create", res, ctx.namespace)        # a POST to the collection: no name
    obj = owned(ctx, ctx.cluster.create(_save_config(ctx, record_cause(ctx, body)), ctx.namespace,
                                        dry_run=dry == "server"))
    if res.kind == "Namespace" and not obj.status:
        obj.status = {"phase": "Active"}
    print_obj_or(ctx, ctx.cluster.render(obj), res, name, verb)     # the server's answer, dry run or not


def cmd_create_file(ctx: Ctx) -> None:
    if ctx.p.args:
        raise KubectlError(f"Unexpected args: [{' '.join(ctx.p.args)}]\nSee 'kubectl create -h' for help and examples")
    if not ctx.p.flags.get("filename"):
        raise KubectlError("must specify one of -f and -k")
    dry = ctx.dry_run
    for m in load_manifests(ctx, keep_going=True):
        res = manifest_resource(m)
        try:
            body = _validated(ctx, record_cause(ctx, _in_context_namespace(ctx, clean_for_write(m.body), res)))
            if dry == "client":        # nothing reaches the API server
                print_obj_or(ctx, _save_config(ctx, body), res, str((body.get("metadata") or {}).get("name") or ""),
                             "created")
                continue
            ctx.authorize("create", res, (body.get("metadata") or {}).get("namespace"))
            obj = owned(ctx, ctx.cluster.create(_save_config(ctx, body), ctx.p.flags.get("namespace"),
                                                dry_run=dry != "none"))
        except ApiError as exc:
            ctx.api_error(exc, m.source, "creating")
            continue
        _warn_unsimulated(ctx, m.body)
        print_obj_or(ctx, ctx.cluster.render(obj), res, obj.name, "created")


def _image_container_name(image: str) -> str:
    """kubectl create deployment: the container is named after the image's last path element."""
    name = image.rsplit("/", 1)[-1].split("@", 1)[0].split(":", 1)[0]
    name = re.sub(r"[^a-z0-9-]", "-", name.lower()).strip("-")
    return name or "container"


def _one_name(ctx: Ctx, what: str) -> str:
    if not ctx.p.args:
        raise KubectlError(f"exactly one NAME is required, got 0\nSee 'kubectl {ctx.p.path} -h' for help and examples")
    if len(ctx.p.args) > 1 and ctx.p.dash < 0:
        raise KubectlError(f"exactly one NAME is required, got {len(ctx.p.args)}\nSee 'kubectl {ctx.p.path} -h' "
                           "for help and examples")
    return ctx.p.args[0]


def cmd_create_deployment(ctx: Ctx) -> None:
    name = _one_name(ctx, "deployment")
    p = ctx.p
    images = p.flags["image"] if isinstance(p.flags["image"], list) else [p.flags["image"]]
    images = [i for img in images for i in img.split(",")] if images else []
    replicas = int(p.get("replicas", 1))
    port = int(p.get("port", -1))
    containers = []
    for img in images:
        c: dict[str, Any] = {"image": img, "name": _image_container_name(img), "resources": {}}
        if port >= 0:
            c["ports"] = [{"containerPort": port}]
        containers.append(c)
    if ctx.p.dash >= 0 and ctx.p.args[ctx.p.dash:] and containers:
        containers[0]["command"] = ctx.p.args[ctx.p.dash:]
    body = {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"labels": {"app": name}, "name": name},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}}, "strategy": {},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": containers}}},
            "status": {}}
    if ctx.p.flags.get("namespace"):
        body["metadata"]["namespace"] = ctx.namespace
    _create_body(ctx, body, BY_KIND["Deployment"])


def cmd_create_service(ctx: Ctx) -> None:
    name = _one_name(ctx, "service")
    p = ctx.p
    stype = {"clusterip": "ClusterIP", "nodeport": "NodePort", "loadbalancer": "LoadBalancer"}[p.path.split()[-1]]
    tcp = p.flags.get("tcp") or []
    if isinstance(tcp, str):
        tcp = [tcp]
    tcp = [t for item in tcp for t in item.split(",") if t]
    if not tcp and not (stype == "ClusterIP" and p.flags.get("clusterip") == "None"):
        raise KubectlError("at least one tcp port specifier must be provided")
    ports = []
    for spec in tcp:
        port_s, _, target_s = spec.partition(":")
        try:
            port = int(port_s)
            target: Any = int(target_s) if target_s else port
        except ValueError:
            raise KubectlError(f'invalid port: "{spec}"') from None
        # create_service.go: the port's name is the specifier with ':' made '-'
        pp: dict[str, Any] = {"name": spec.replace(":", "-"), "port": port, "protocol": "TCP", "targetPort": target}
        if stype == "NodePort" and p.get("node-port", 0):
            pp["nodePort"] = int(p.get("node-port"))
        ports.append(pp)
    body = {"apiVersion": "v1", "kind": "Service",
            "metadata": {"labels": {"app": name}, "name": name},
            "spec": {**({"ports": ports} if ports else {}), "selector": {"app": name}, "type": stype}, "status": {"loadBalancer": {}}}
    if p.flags.get("clusterip"):
        body["spec"]["clusterIP"] = p.flags["clusterip"]
    _create_body(ctx, body, BY_KIND["Service"])


def _literal(s: str) -> tuple[str, str]:
    k, eq, v = s.partition("=")
    if not eq or not k:
        raise KubectlError(f"invalid literal source {s}, expected key=value")
    return k, v


KEY_NAME = re.compile(r"^[-._a-zA-Z0-9]+$")


def _file_sources(ctx: Ctx, kind: str, name: str) -> dict[str, str]:
    """--from-file=[KEY=]PATH (a directory: each regular file in it) and --from-env-file=PATH
    (create_configmap.go handleConfigMapFromFileSources / handleConfigMapFromEnvFileSources)."""
    from kubegame.kubectl.core import data_files, is_dir, read_data_file
    p = ctx.p
    files = list(p.flags.get("from-file") or [])
    envs = list(p.flags.get("from-env-file") or [])
    if envs and (files or p.flags.get("from-literal")):
        raise KubectlError("from-env-file cannot be combined with from-file or from-literal")
    out: dict[str, str] = {}

    def add(key: str, value: str) -> None:
        if not KEY_NAME.match(key):
            raise KubectlError(f'"{key}" is not a valid key name for a {kind}: a valid config key must consist of '
                               "alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or "
                               "'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
        if key in out:
            raise KubectlError(f'cannot add key "{key}", another key by that name already exists in Data for {kind} '
                               f'"{name}"')
        out[key] = value

    for spec in files:
        key, eq, path = spec.partition("=")
        if not eq:
            key, path = os.path.basename(spec.rstrip("/")), spec
        try:
            if is_dir(ctx, path):
                if eq:
                    raise KubectlError("cannot give a key name for a directory path")
                for fname, fpath in data_files(ctx, path):
                    add(fname, read_data_file(ctx, fpath))
            else:
                add(key, read_data_file(ctx, path))
        except OSError as exc:
            raise KubectlError(f"error reading {path}: {exc.strerror}") from None
    for path in envs:
        try:
            text = read_data_file(ctx, path)
        except OSError as exc:
            raise KubectlError(f"error reading {path}: {exc.strerror}") from None
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            k, eq, v = line.partition("=")
            add(k, v)           # a bare KEY reads the process environment: the game has none
    return out


def _hash_name(body: dict) -> None:
    """--append-hash (pkg/util/hash/hash.go ConfigMapHash / SecretHash): NAME-HASH, the hash of the
    object's kind, name, type and data as Go's json.Marshal writes them (sorted keys)."""
    md = body["metadata"]
    if body["kind"] == "ConfigMap":
        doc: dict[str, Any] = {"kind": "ConfigMap", "name": md["name"], "data": body.get("data")}
        if body.get("binaryData"):
            doc["binaryData"] = body["binaryData"]
    else:
        doc = {"kind": "Secret", "type": body.get("type", ""), "name": md["name"], "data": body.get("data")}
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    md["name"] = f"{md['name']}-{digest.translate(str.maketrans('013ae', 'ghkmt'))}"


def cmd_create_configmap(ctx: Ctx) -> None:
    name = _one_name(ctx, "configmap")
    data = dict(_literal(s) for s in ctx.p.flags.get("from-literal") or [])
    for k, v in _file_sources(ctx, "ConfigMap", name).items():
        if k in data:
            raise KubectlError(f'cannot add key "{k}", another key by that name already exists in Data for '
                               f'ConfigMap "{name}"')
        data[k] = v
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap",
                            "metadata": {"name": name}}
    if data:
        body["data"] = data
    if ctx.p.flags.get("append-hash"):
        _hash_name(body)
    _create_body(ctx, body, BY_KIND["ConfigMap"])


def cmd_create_secret(ctx: Ctx) -> None:
    name = _one_name(ctx, "secret")
    raw = dict(_literal(s) for s in ctx.p.flags.get("from-literal") or [])
    raw.update(_file_sources(ctx, "Secret", name))
    data = {k: base64.b64encode(v.encode()).decode() for k, v in raw.items()}
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret",
                            "metadata": {"name": name}}
    if ctx.p.flags.get("type"):
        body["type"] = ctx.p.flags["type"]      # 1.37 sends no type it was not given (the server defaults it)
    if data:
        body["data"] = data
    if ctx.p.flags.get("append-hash"):
        _hash_name(body)
    _create_body(ctx, body, BY_KIND["Secret"])


def cmd_create_secret_tls(ctx: Ctx) -> None:
    """create_secret_tls.go: tls.crt and tls.key from PEM files, type kubernetes.io/tls."""
    from kubegame.kubectl.core import read_data_file
    name = _one_name(ctx, "secret")
    cert, key = ctx.p.flags.get("cert"), ctx.p.flags.get("key")
    if not cert or not key:
        raise KubectlError("key and cert must be specified")
    texts = {}
    for field, path in (("tls.crt", cert), ("tls.key", key)):
        try:
            texts[field] = read_data_file(ctx, str(path))
        except OSError as exc:
            raise KubectlError(f"Cannot read file {path}, open {path}: {exc.strerror}") from None
    if "-----BEGIN" not in texts["tls.crt"]:
        raise KubectlError("tls: failed to find any PEM data in certificate input")
    if "-----BEGIN" not in texts["tls.key"]:
        raise KubectlError("tls: failed to find any PEM data in key input")
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
                            "type": "kubernetes.io/tls",
                            "data": {k: base64.b64encode(v.encode()).decode() for k, v in texts.items()}}
    if ctx.p.flags.get("append-hash"):
        _hash_name(body)
    _create_body(ctx, body, BY_KIND["Secret"])


def cmd_create_job(ctx: Ctx) -> None:
    name = _one_name(ctx, "job")
    image = ctx.p.flags.get("image")
    if ctx.p.flags.get("from"):
        if image:
            raise KubectlError("either --image or --from must be specified")
        from kubegame.kubectl.cmd_create import job_from_cronjob
        job_from_cronjob(ctx, name, str(ctx.p.flags["from"]))
        return
    if not image:
        raise KubectlError("either --image or --from must be specified")
    c: dict[str, Any] = {"image": image, "name": name, "resources": {}}
    if ctx.p.dash >= 0 and ctx.p.args[ctx.p.dash:]:
        c["command"] = ctx.p.args[ctx.p.dash:]
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"metadata": {},
                                  "spec": {"containers": [c], "restartPolicy": "Never"}}},
            "status": {}}
    _create_body(ctx, body, BY_KIND["Job"])


def cmd_create_namespace(ctx: Ctx) -> None:
    name = _one_name(ctx, "namespace")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
            "spec": {}, "status": {}}
    _create_body(ctx, body, BY_KIND["Namespace"])


# -- apply ----------------------------------------------------------------------------------------

def cmd_apply(ctx: Ctx) -> None:
    if not ctx.p.flags.get("filename"):
        raise KubectlError("must specify one of -f and -k")
    if ctx.p.args:
        raise KubectlError(f"Unexpected args: {ctx.p.args}\nSee 'kubectl apply -h' for help and examples")
    dry = ctx.dry_run
    server_side = bool(ctx.p.flags.get("server-side"))
    for m in load_manifests(ctx, keep_going=True):
        res = manifest_resource(m)
        try:
            as_written = record_cause(ctx, _in_context_namespace(ctx, clean_for_write(m.body), res))
            body = _validated(ctx, copy.deepcopy(as_written))
            md = body.get("metadata") or {}
            ns, name = md.get("namespace"), str(md.get("name") or "")
            ctx.authorize("get", res, ns, name)
            if server_side:
                obj, verb = _server_side_apply(ctx, res, body, str(ns or ""), name, dry)
            else:
                obj, verb = _apply_one(ctx, res, body, str(ns or ""), name, dry, as_written)
        except ApiError as exc:
            existing = _exists(ctx, m, res)
            ctx.api_error(exc, m.source, "applying patch" if existing else "creating")
            continue
        _warn_unsimulated(ctx, m.body)
        if res.kind == "Namespace" and not obj.status and dry == "none":
            obj.status = {"phase": "Active"}
        fmt = ctx.p.flags.get("output") or ""
        if fmt:
            print_obj_or(ctx, ctx.cluster.render(obj), res, obj.name, verb)
        else:
            ctx.print(f"{ref_name(res, obj.name)} {verb}{ctx.dry_suffix()}")


def _server_side_apply(ctx: Ctx, res: Resource, body: dict, ns: str, name: str, dry: str) -> tuple[Any, str]:
    """apply --server-side: the API server's apply (kubectl/fieldset.py) as `kubectl` (or
    --field-manager), conflicts refused unless --force-conflicts; no last-applied annotation."""
    from kubegame.kubectl import fieldset as fs
    live = ctx.cluster.get(res.kind, ns if res.namespaced else "", name) if name else None
    ctx.authorize("patch" if live is not None else "create", res, ns, name if live is not None else "")
    manager = fs.manager_for(ctx.p)
    try:
        obj, _created = fs.server_side_apply(ctx.cluster, res, body, ns or str(ctx.p.flags.get("namespace") or ""),
                                             name, manager, bool(ctx.p.flags.get("force-conflicts")), dry != "none")
    except fs.ApplyConflict as exc:
        raise KubectlError(fs.conflict_message(exc.found, res.api_version)) from None
    if dry == "none":
        fs.upgrade_client_side_apply(ctx.cluster, obj, manager)   # apply.go: the managed fields migration
    return obj, "serverside-applied"


def _apply_one(ctx: Ctx, res: Resource, body: dict, ns: str, name: str, dry: str,
               as_written: dict | None = None) -> tuple[Any, str]:
    """Client-side apply (apply_patch.py): create with the last-applied annotation (of the file as
    written), or merge three ways."""
    from kubegame.kubectl.apply_patch import MISSING_WARNING, last_applied, three_way, with_annotation
    live = ctx.cluster.get(res.kind, ns if res.namespaced else "", name) if name else None
    if live is None:
        ctx.authorize("create", res, ns)
        return owned(ctx, ctx.cluster.create(with_annotation(body, as_written), ctx.p.flags.get("namespace"),
                                             dry_run=dry != "none")), \
            "created"
    ctx.authorize("patch", res, ns, name)
    current = clean_for_write(ctx.cluster.render(live))
    original = last_applied(current)
    if original is None:
        ctx.err.append(MISSING_WARNING.format(res=f"{res.plural}/{name}"))
    merged = three_way(original or {}, with_annotation(body, as_written), current)
    if merged == current:
        return live, "unchanged"
    before = ctx.cluster.render(live)
    obj, changed = ctx.cluster.update(merged, ctx.p.flags.get("namespace"), dry_run=dry != "none")
    owned(ctx, obj, before)
    return obj, "configured" if changed else "unchanged"


VALIDATE = {"strict": "Strict", "true": "Strict", "warn": "Warn", "ignore": "Ignore", "false": "Ignore"}


def _validated(ctx: Ctx, body: dict) -> dict:
    """--validate (kubectl sends it as fieldValidation): Strict refuses unknown fields on the server,
    Warn drops them with a `Warning: unknown field "spec.replica"` each, Ignore drops them silently."""
    from kubegame.engine.admission import unknown_fields
    mode = VALIDATE.get(str(ctx.p.flags.get("validate", "strict")).lower())
    if mode is None:
        raise KubectlError(f'invalid - validate option "{ctx.p.flags.get("validate")}"; must be one of: strict '
                           "(or true), warn, ignore (or false)")
    if mode == "Strict":
        return body
    for path in unknown_fields(body):
        _drop_path(body, path)
        if mode == "Warn":
            ctx.err.append(f'Warning: unknown field "{path}"\n')
    return body


def _drop_path(body: dict, path: str) -> None:
    """Remove the field at a validation path such as `spec.template.spec.containers[0].imagee`."""
    target: Any = body
    parts = path.split(".")
    for part in parts[:-1]:
        m = re.fullmatch(r"(.*?)\[(\d+)\]", part)
        if m:
            seq = target.get(m.group(1)) if isinstance(target, dict) else None
            target = seq[int(m.group(2))] if isinstance(seq, list) and int(m.group(2)) < len(seq) else None
        else:
            target = target.get(part) if isinstance(target, dict) else None
        if target is None:
            return
    if isinstance(target, dict):
        target.pop(parts[-1], None)


def _in_context_namespace(ctx: Ctx, body: dict, res: Resource) -> dict:
    """A manifest without a namespace goes to `-n`, else to the current context's namespace."""
    md = body.get("metadata")
    if res.namespaced and isinstance(md, dict) and not md.get("namespace") and not ctx.p.flags.get("namespace"):
        md["namespace"] = ctx.namespace
    return body


def _warn_unsimulated(ctx: Ctx, body: dict) -> None:
    """The API server's `Warning:` for each field the simulation stores but does not act on."""
    from kubegame.engine.fieldsupport import warnings_for
    for w in warnings_for(body):
        ctx.err.append(f"Warning: {w}\n")


def _exists(ctx: Ctx, m: Manifest, res: Resource) -> bool:
    md = m.body.get("metadata") or {}
    ns = md.get("namespace") or ctx.namespace
    return ctx.cluster.get(res.kind, ns if res.namespaced else "", str(md.get("name", ""))) is not None


# -- delete ---------------------------------------------------------------------------------------

def _named_verb(verb: str) -> str:
    """What reaching a named object asks for: delete sends DELETE at once (RequireObject(false) in
    delete.go), every other verb GETs the object first."""
    return "delete" if verb == "delete" else "get"


def _targets(ctx: Ctx, allow_all: bool = True, verb: str = "get") -> list[tuple[Resource, Any]]:
    """Objects named by args, -f, -l or --all: (resource, engine object)."""
    p = ctx.p
    out: list[tuple[Resource, Any]] = []
    if p.flags.get("filename"):
        for m in load_manifests(ctx):
            res = manifest_resource(m)
            md = m.body.get("metadata") or {}
            ns = md.get("namespace") or ctx.namespace
            try:
                out.append((res, get_object(ctx, res, ns, str(md.get("name", "")), _named_verb(verb)).obj))
            except ApiError as exc:
                if not p.flags.get("ignore-not-found"):
                    ctx.api_error(exc)
        return out
    if not p.args:
        raise KubectlError(RESOURCE_ARGS_HELP)
    refs, _ = parse_refs(p.args)
    sel = p.flags.get("selector")
    everything = p.flags.get("all") and allow_all
    ns = None if ctx.all_namespaces else ctx.namespace
    for r in refs:
        if r.name is None:
            if not sel and not everything and not p.flags.get("field-selector"):
                raise KubectlError("resource(s) were provided, but no name was specified")
            items = list_objects(ctx, r.res, ns)
            if sel:
                reqs = parse_selector(sel)
                items = [i for i in items if selector_matches(reqs, i.labels)]
            if p.flags.get("field-selector"):
                from kubegame.kubectl.cmd_get import filter_items
                items = filter_items(ctx, r.res.kind, items)
            out.extend((r.res, i.obj) for i in items)
        else:
            if sel:
                raise KubectlError("name cannot be provided when a selector is specified")
            try:
                out.append((r.res, get_object(ctx, r.res, ctx.namespace, r.name, _named_verb(verb)).obj))
            except ApiError as exc:
                if not p.flags.get("ignore-not-found"):
                    ctx.api_error(exc)
    return out


def cmd_delete(ctx: Ctx) -> None:
    p = ctx.p
    grace = int(p.get("grace-period", -1))
    force = bool(p.flags.get("force"))
    if p.flags.get("now"):
        if grace != -1:
            raise KubectlError("--now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not force:
        grace = 1
    if force and grace < 0:
        grace = 0
    cascade = p.flags.get("cascade", "background")
    if cascade in ("true",):
        cascade = "background"
    if cascade == "false":
        cascade = "orphan"
    if cascade not in ("background", "foreground", "orphan"):
        raise KubectlError(f'invalid cascade value ({cascade}). Must be "background", "foreground", or "orphan".')
    dry = ctx.dry_run
    targets = _targets(ctx, verb="delete")
    if not targets and ctx.exit_code == 0:
        if p.flags.get("selector") or p.flags.get("all"):
            ctx.err.append("No resources found\n")
        return
    if force and grace == 0:
        ctx.err.append("Warning: Immediate deletion does not wait for confirmation that the running resource has "
                       "been terminated. The resource may continue to run on the cluster indefinitely.\n")
    gone: list[tuple[Any, str, str, str]] = []          # what `--wait` (the default) waits for
    for res, obj in targets:
        # delete.go PrintObj (1.37): `pod "x" deleted from default namespace`, then the dry-run words
        word = "force deleted" if force and grace == 0 else "deleted"
        if p.flags.get("output") == "name":
            line = ref_name(res, obj.name)
        else:
            where = f" from {obj.namespace} namespace" if res.namespaced and obj.namespace else ""
            line = f'{kind_prefix(res.kind)} "{obj.name}" {word}{where}{ctx.dry_suffix() if dry != "none" else ""}'
        if dry != "none":
            ctx.print(line)
            continue
        if res.kind == "Event":
            try:
                ctx.cluster.events.remove(obj)
            except ValueError:
                pass
            ctx.print(line)
            continue
        try:
            ctx.authorize("delete", res, obj.namespace, obj.name)
            ctx.cluster.delete(res.kind, obj.namespace, obj.name, grace=None if grace < 0 else grace,
                               propagation={"background": "Background", "foreground": "Foreground",
                                            "orphan": "Orphan"}[cascade])
        except ApiError as exc:
            ctx.api_error(exc)
            continue
        ctx.print(line)
        gone.append((res, obj.namespace, obj.name, obj.uid))
    if dry == "none" and p.get("wait", True) and gone:
        _wait_for_deletion(ctx, gone)


def _wait_for_deletion(ctx: Ctx, gone: list[tuple[Any, str, str, str]]) -> None:
    """delete.go with --wait (the default): wait until the objects are gone (a pod's grace period, a
    finalizer), printing nothing more; --timeout=0 means a week."""
    from kubegame.kubectl.cmd_wait import WEEK, Condition, WaitFor
    from kubegame.kubectl.util import go_duration
    timeout = go_duration(str(ctx.p.get("timeout", "0s")), "timeout") or WEEK
    left = [t for t in gone if (o := ctx.cluster.get(t[0].kind, t[1] if t[0].namespaced else "", t[2])) is not None
            and o.uid == t[3]]
    if not left:
        return
    waiter = WaitFor(ctx, left, [Condition("delete")], timeout, quiet=True)
    waiter.check(ctx.cluster)
    if not waiter.done:
        ctx.stream = waiter


# -- scale / autoscale ---------------------------------------------------------------------------

SCALABLE = ("Deployment", "ReplicaSet", "StatefulSet")


def cmd_scale(ctx: Ctx) -> None:
    p = ctx.p
    n = int(p.flags["replicas"])
    if n < 0:
        raise KubectlError("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0")
    targets = _targets(ctx, allow_all=True, verb="scale")
    cur = int(p.get("current-replicas", -1))
    for res, obj in targets:
        if res.kind not in SCALABLE:
            ctx.error(f'error: no scaler has been implemented for {{"{res.group}" "{res.kind}"}}')
            continue
        if cur >= 0 and int(obj.spec.get("replicas", 1)) != cur:
            ctx.error(f"error: Expected replicas to be {cur}, was {obj.spec.get('replicas', 1)}")
            continue
        if ctx.dry_run == "none":
            try:
                ctx.authorize("patch", res, obj.namespace, obj.name, "scale")
                before = ctx.cluster.render(obj)
                ctx.cluster.scale(res.kind, obj.namespace, obj.name, n)
                owned(ctx, obj, before, "scale")
                if ctx.p.flags.get("record") is True:
                    update_object(ctx, obj, ctx.cluster.render(obj))
            except ApiError as exc:
                ctx.api_error(exc)
                continue
        ctx.print(f"{ref_name(res, obj.name)} scaled{ctx.dry_suffix()}")


def _autoscale_metrics(p: Any) -> list[dict]:
    """--cpu / --memory as kubectl 1.37 reads them: `70%` a utilization, `500m` / `200Mi` an average value,
    a bare number milliCPU / mebibytes; the deprecated --cpu-percent a utilization."""
    out = []
    for name, flag, unit in (("cpu", "cpu", "m"), ("memory", "memory", "Mi")):
        raw = str(p.flags.get(flag) or "")
        if name == "cpu" and not raw and int(p.get("cpu-percent", -1)) >= 0:
            raw = f"{int(p.get('cpu-percent'))}%"
        if not raw:
            continue
        if raw.endswith("%"):
            try:
                pct = int(raw[:-1])
            except ValueError:
                raise KubectlError(f"invalid {name} percentage: {raw}") from None
            target: dict[str, Any] = {"type": "Utilization", "averageUtilization": pct}
        else:
            value = raw + unit if raw.isdigit() else raw
            try:
                parse_quantity(value)
            except QuantityError:
                raise KubectlError(f"invalid {name} quantity: {raw}") from None
            target = {"type": "AverageValue", "averageValue": value}
        out.append({"type": "Resource", "resource": {"name": name, "target": target}})
    return out


def cmd_autoscale(ctx: Ctx) -> None:
    p = ctx.p
    targets = _targets(ctx, allow_all=False, verb="autoscale")
    mx = int(p.flags["max"])
    mn = int(p.get("min", -1))
    metrics = _autoscale_metrics(p)
    if mx < 1:
        raise KubectlError("--max=MAXPODS is required and must be at least 1, max: 0")
    if mn > mx:
        raise KubectlError(f"--max=MAXPODS must be larger or equal to --min=MINPODS, max: {mx}, min: {mn}")
    for res, obj in targets:
        if res.kind not in SCALABLE:
            ctx.error(f"error: cannot autoscale a {res.kind}: not scalable")
            continue
        name = p.flags.get("name") or obj.name
        spec: dict[str, Any] = {"maxReplicas": mx,
                                "scaleTargetRef": {"apiVersion": res.api_version, "kind": res.kind, "name": obj.name}}
        if mn >= 0:
            spec["minReplicas"] = mn
        if metrics:
            spec["metrics"] = metrics
        body = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                "metadata": {"name": name, "namespace": obj.namespace},
                "spec": spec, "status": {"currentMetrics": None, "desiredReplicas": 0}}
        hres = BY_KIND["HorizontalPodAutoscaler"]
        if ctx.dry_run == "client":
            print_obj_or(ctx, body, hres, name, "autoscaled")
            continue
        try:
            ctx.authorize("create", BY_KIND["HorizontalPodAutoscaler"], obj.namespace)
            created = owned(ctx, ctx.cluster.create(body, obj.namespace, dry_run=ctx.dry_run == "server"))
        except ApiError as exc:
            ctx.api_error(exc)
            continue
        d = ctx.cluster.render(created)
        d.setdefault("status", body["status"])    # the typed HPA kubectl decodes: its status fields, zero
        print_obj_or(ctx, d, hres, name, "autoscaled")


# -- updates through the API (label, annotate, patch, edit, set) -----------------------------------

def update_object(ctx: Ctx, obj: Any, body: dict, verb: str = "patch") -> bool:
    """PUT a changed body; returns whether anything changed."""
    from kubegame.engine.kinds import BY_KIND as _KINDS
    ctx.authorize(verb, _KINDS[obj.kind], obj.namespace, obj.name)
    before = ctx.cluster.render(obj)
    _, changed = ctx.cluster.update(record_cause(ctx, clean_for_write(body)), obj.namespace or None,
                                    dry_run=ctx.dry_run != "none")
    if changed:
        owned(ctx, obj, before)
    return changed


def write_and_report(ctx: Ctx, res: Any, obj: Any, body: dict, what: str, *, only_if_changed: bool = False,
                     dry_suffix: bool = True) -> None:
    """PUT the changed body and print kubectl's `TYPE/NAME WHAT` line, or the server's error."""
    try:
        changed = update_object(ctx, obj, body)
    except ApiError as exc:
        ctx.api_error(exc)
        return
    if only_if_changed and not changed:
        return                       # set image: an unchanged object prints nothing (set_image.go skips it)
    if ctx.p.flags.get("output"):
        print_obj_or(ctx, ctx.cluster.render(obj) if ctx.dry_run == "none" else body, res, obj.name, what)
        return
    ctx.print(f"{ref_name(res, obj.name)} {what}{ctx.dry_suffix() if dry_suffix else ''}")


def cmd_label(ctx: Ctx) -> None:
    p = ctx.p
    annotate = p.path == "annotate"
    field = "annotations" if annotate else "labels"
    noun = "annotation" if annotate else "label"
    # args: TYPE NAME... KEY=VAL... KEY-...  (or TYPE/NAME)
    args = list(p.args)
    changes = [a for a in args if "=" in a or (a.endswith("-") and len(a) > 1)]
    resources = [a for a in args if a not in changes]
    if not resources and not p.flags.get("filename"):
        raise KubectlError("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if not changes and not p.flags.get("list"):
        raise KubectlError(f"at least one {noun} update is required")
    sets: dict[str, str] = {}
    removes: list[str] = []
    for c in changes:
        if c.endswith("-") and "=" not in c:
            removes.append(c[:-1])
        else:
            k, _, v = c.partition("=")
            if not annotate and not re.fullmatch(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", v):
                raise KubectlError(f"invalid label value: \"{c}\": a valid label must be an empty string or consist "
                                   "of alphanumeric characters, '-', '_' or '.', and must start and end with an "
                                   "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
                                   "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
            sets[k] = v
    ctx.p.args = resources
    targets = _targets(ctx, allow_all=True)
    if p.flags.get("list"):
        # label.go: one object lists `key=value`; several get a `Listing labels for Kind.group/name:` header
        one = len(targets) == 1
        for res, obj in targets:
            indent = "" if one else " "
            if not one:
                ctx.print(f"Listing {noun}s for {res.kind}.{res.group}/{obj.name}:")
            for k, v in sorted(getattr(obj, field).items()):
                ctx.print(f"{indent}{k}={v}")
        return
    for res, obj in targets:
        current = dict(getattr(obj, field))
        if not p.flags.get("overwrite"):
            for k, v in sets.items():
                if k in current and current[k] != v:
                    raise KubectlError(f"'{k}' already has a value ({current[k]}), and --overwrite is false")
        new = dict(current)
        new.update(sets)
        for k in removes:
            new.pop(k, None)
        verb = ("annotated" if annotate else "labeled")
        if new == current:
            ctx.print(f"{ref_name(res, obj.name)} not {verb}")
            continue
        body = ctx.cluster.render(obj)
        body["metadata"][field] = new
        write_and_report(ctx, res, obj, body, verb)



def merge_patch(target: Any, patch: Any, strategic: bool = False) -> Any:
    """RFC 7386 JSON merge patch; with strategic, the API server's strategic merge patch
    (apply_patch.strategic_merge: lists merge by the Go types' patch merge keys)."""
    if strategic:
        from kubegame.kubectl.apply_patch import strategic_merge
        return strategic_merge(target, patch)
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for k, v in patch.items():
        if v is None:
            result.pop(k, None)
        else:
            result[k] = merge_patch(result.get(k), v)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise KubectlError(f'invalid JSON pointer "{path}"')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def json_patch(doc: Any, ops: Any) -> Any:
    """RFC 6902 JSON patch: add, remove, replace, move, copy, test."""
    if not isinstance(ops, list):
        raise KubectlError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = copy.deepcopy(doc)

    def parent(path: str) -> tuple[Any, str]:
        parts = _pointer(path)
        if not parts:
            raise KubectlError("jsonpatch: cannot operate on the whole document")
        cur = doc
        for part in parts[:-1]:
            if isinstance(cur, list):
                cur = cur[int(part)]
            elif isinstance(cur, dict) and part in cur:
                cur = cur[part]
            else:
                raise KubectlError(f"jsonpatch add operation does not apply: doc is missing path: \"{path}\"")
        return cur, parts[-1]

    def getv(path: str) -> Any:
        c, last = parent(path)
        if isinstance(c, list):
            return c[int(last)]
        if last not in c:
            raise KubectlError(f'jsonpatch: doc is missing key: "{path}"')
        return c[last]

    for op in ops:
        kind, path = op.get("op"), op.get("path", "")
        try:
            if kind == "add":
                c, last = parent(path)
                if isinstance(c, list):
                    c.insert(len(c) if last == "-" else int(last), copy.deepcopy(op.get("value")))
                else:
                    c[last] = copy.deepcopy(op.get("value"))
            elif kind == "remove":
                c, last = parent(path)
                if isinstance(c, list):
                    c.pop(int(last))
                elif last in c:
                    del c[last]
                else:
                    raise KubectlError(f'jsonpatch remove operation does not apply: doc is missing path: "{path}"')
            elif kind == "replace":
                c, last = parent(path)
                if isinstance(c, list):
                    c[int(last)] = copy.deepcopy(op.get("value"))
                elif last in c:
                    c[last] = copy.deepcopy(op.get("value"))
                else:
                    raise KubectlError(f'jsonpatch replace operation does not apply: doc is missing key: {path}')
            elif kind in ("move", "copy"):
                v = getv(op.get("from", ""))
                if kind == "move":
                    json_patch_remove = [{"op": "remove", "path": op.get("from", "")}]
                    doc = json_patch(doc, json_patch_remove)
                doc = json_patch(doc, [{"op": "add", "path": path, "value": v}])
            elif kind == "test":
                if getv(path) != op.get("value"):
                    raise KubectlError("testing value " + path + " failed: test failed")
            else:
                raise KubectlError(f'Unexpected kind: {kind}')
        except (IndexError, ValueError, TypeError):
            raise KubectlError(f"jsonpatch {kind} operation does not apply: doc is missing path: \"{path}\"") from None
    return doc


def _parse_patch(text: str) -> Any:
    """A patch as kubectl reads it: JSON (numbers as JSON has them), else YAML; with the game's
    limits on nesting, aliases and NaN."""
    if text.lstrip().startswith(("{", "[")):
        try:
            return safeio.load_json(text, "patch")
        except safeio.InputError as exc:
            if "nests too deeply" in exc.what:
                raise KubectlError(f"unable to parse \"{text[:80]}...\": {exc.what}") from None
    try:
        docs = safeio.parse_text(text, "patch")
    except safeio.InputError as exc:
        shown = text if len(text) <= 200 else text[:200] + "..."
        raise KubectlError(f"unable to parse \"{shown}\": yaml: {exc.what.removeprefix('invalid YAML: ')}") from None
    return docs[0].value if docs else None


def cmd_patch(ctx: Ctx) -> None:
    p = ctx.p
    text = p.flags.get("patch")
    if text is None and p.flags.get("patch-file"):
        pf = p.flags["patch-file"]
        if ctx.files is not None and pf in ctx.files:
            text = ctx.files[pf]
        else:
            raise KubectlError(f"unable to read patch file: open {pf}: no such file or directory")
    if not text:
        raise KubectlError("must specify --patch or --patch-file containing the contents of the patch")
    ptype = p.flags.get("type", "strategic")
    if ptype not in ("json", "merge", "strategic"):
        raise KubectlError(f"--type must be one of [json merge strategic], not \"{ptype}\"")
    patch = _parse_patch(text)
    targets = _targets(ctx, allow_all=False, verb="patch")
    for res, obj in targets:
        body = ctx.cluster.render(obj)
        if ptype == "json":
            try:
                new = json_patch(body, patch)
            except KubectlError as exc:
                if str(exc).startswith("json:"):
                    raise
                # the API server (handlers/patch.go): NewGenericServerResponse(422) hides the op's error
                ctx.error("The request is invalid: the server rejected our request due to an error in our request")
                continue
        else:
            if not isinstance(patch, dict):
                raise KubectlError(f"unable to parse \"{text}\": json: cannot unmarshal into map")
            new = merge_patch(body, patch, strategic=ptype == "strategic")
        try:
            changed = update_object(ctx, obj, new)
        except ApiError as exc:
            ctx.api_error(exc)
            continue
        ctx.print(f"{ref_name(res, obj.name)} patched{'' if changed else ' (no change)'}{ctx.dry_suffix()}")


EDIT_HEADER = ("# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
               "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
               "# reopened with the relevant failures.\n#\n")


def cmd_edit(ctx: Ctx) -> Result | None:
    targets = _targets(ctx, allow_all=False, verb="edit")
    if not targets:
        return None
    if len(targets) > 1:
        raise KubectlError("kubegame edits one object at a time; name a single object")
    res, obj = targets[0]
    cluster = ctx.cluster
    fmt = "json" if ctx.p.flags.get("output") == "json" else "yaml"
    body = cluster.render(obj)
    text = EDIT_HEADER + (to_json(body) if fmt == "json" else to_yaml(body))
    original = text
    who = cluster.requester

    def apply(new_text: str) -> Result:
        cluster.requester = who          # the save is the same user's PUT
        try:
            return _apply_edit(cluster, res, obj, original, new_text)
        except Exception as exc:  # noqa: BLE001
            return Result("", f"error: {exc}\n", 1)
        finally:
            cluster.requester = None

    ctx.edit = EditRequest(text, apply)  # type: ignore[attr-defined]
    return Result("", "", 0, ctx.edit)  # type: ignore[attr-defined]


def _apply_edit(cluster: Any, res: Resource, obj: Any, original: str, new_text: str) -> Result:
    stripped = "\n".join(ln for ln in new_text.splitlines() if not ln.lstrip().startswith("#"))
    if not stripped.strip():
        return Result("", "Edit cancelled, no changes made.\n", 0)
    if new_text == original:
        return Result("", "Edit cancelled, no changes made.\n", 0)
    try:
        docs = safeio.parse_text(stripped, "edited object")
        body = docs[0].value if docs else None
    except safeio.InputError as exc:
        return Result("", f"error: error parsing edited object: yaml: line {exc.line}: "
                          f"{exc.what.removeprefix('invalid YAML: ')}\n", 1)
    if not isinstance(body, dict):
        return Result("", "error: the edited file did not contain an object\n", 1)
    md = body.get("metadata") or {}
    if body.get("kind") != obj.kind or md.get("name") != obj.name:
        return Result("", "error: At least one of apiVersion, kind and name was changed\n", 1)
    try:
        _, changed = cluster.update(clean_for_write(body), obj.namespace or None)
    except ApiError as exc:
        from kubegame.kubectl.core import format_api_error
        return Result("", format_api_error(exc) + "\n", 1)
    if not changed:
        return Result("", "Edit cancelled, no changes made.\n", 0)
    return Result(f"{ref_name(res, obj.name)} edited\n", "", 0)


def _pod_template(obj: Any) -> dict | None:
    if obj.kind == "Pod":
        return {"spec": obj.spec}
    return obj.spec.get("template") if isinstance(obj.spec.get("template"), dict) else None


def cmd_set_image(ctx: Ctx) -> None:
    p = ctx.p
    pairs = [a for a in p.args if "=" in a]
    ctx.p.args = [a for a in p.args if "=" not in a]
    if not ctx.p.args and not p.flags.get("filename"):
        raise KubectlError(RESOURCE_ARGS_HELP)
    if not pairs:
        raise KubectlError("at least one image update is required")
    images = dict(a.split("=", 1) for a in pairs)
    targets = _targets(ctx, allow_all=True, verb="set image")
    for res, obj in targets:
        body = ctx.cluster.render(obj)
        tpl = body if obj.kind == "Pod" else body.get("spec", {}).get("template")
        if tpl is None:
            ctx.error(f"error: {kind_prefix(res.kind)}/{obj.name} has no pod template")
            continue
        containers = (tpl.get("spec") or {}).get("containers") or []
        for cname, image in images.items():
            hit = [c for c in containers if cname == "*" or c.get("name") == cname]
            if not hit:
                raise KubectlError(f'unable to find container named "{cname}"')
            for c in hit:
                c["image"] = image
        write_and_report(ctx, res, obj, body, "image updated", only_if_changed=True)


def _resource_list(text: str) -> dict[str, str]:
    out = {}
    for part in text.split(","):
        k, eq, v = part.partition("=")
        if not eq:
            raise KubectlError(f"invalid resource requirement: {part}")
        out[k] = v
    return out


def cmd_set_resources(ctx: Ctx) -> None:
    p = ctx.p
    if not p.args and not p.flags.get("filename"):
        raise KubectlError(RESOURCE_ARGS_HELP)
    limits = _resource_list(p.flags["limits"]) if p.flags.get("limits") else {}
    requests = _resource_list(p.flags["requests"]) if p.flags.get("requests") else {}
    if not limits and not requests:
        raise KubectlError("you must specify an update to requests or limits (in the form of --requests/--limits)")
    cname = p.flags.get("containers", "*")
    targets = _targets(ctx, allow_all=True, verb="set resources")
    for res, obj in targets:
        body = ctx.cluster.render(obj)
        tpl = body.get("spec", {}).get("template") if obj.kind != "Pod" else body
        containers = ((tpl or {}).get("spec") or {}).get("containers") or []
        hit = [c for c in containers if cname == "*" or c.get("name") == cname]
        if not hit:
            raise KubectlError(f'unable to find container named {cname}')
        for c in hit:
            r = c.setdefault("resources", {})
            if limits:
                r.setdefault("limits", {}).update(limits)
            if requests:
                r.setdefault("requests", {}).update(requests)
        write_and_report(ctx, res, obj, body, "resource requirements updated")


# -- expose ---------------------------------------------------------------------------------------

def cmd_expose(ctx: Ctx) -> None:
    p = ctx.p
    targets = _targets(ctx, allow_all=False, verb="expose")
    for res, obj in targets:
        if res.kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
            sel = (obj.spec.get("selector") or {}).get("matchLabels")
            if not sel:
                raise KubectlError(f"couldn't retrieve selectors via --selector flag or introspection: the "
                                   f"{res.kind} has no matchLabels selector")
            pod_spec = (obj.spec.get("template") or {}).get("spec") or {}
        elif res.kind == "Pod":
            sel = dict(obj.labels)
            if not sel:
                raise KubectlError("couldn't retrieve selectors via --selector flag or introspection: the pod has "
                                   "no labels and cannot be exposed")
            pod_spec = obj.spec
        elif res.kind == "Service":
            sel = obj.spec.get("selector") or {}
            pod_spec = {}
        else:
            raise KubectlError(f"cannot expose a {res.kind}")
        if p.flags.get("selector"):
            sel = dict(s.split("=", 1) for s in p.flags["selector"].split(",") if "=" in s)
        port = p.flags.get("port", "")
        if not port:
            ports = [pp.get("containerPort") for c in pod_spec.get("containers") or [] for pp in c.get("ports") or []]
            if res.kind == "Service":
                ports = [pp.get("port") for pp in obj.spec.get("ports") or []]
            if not ports:
                raise KubectlError("couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for "
                                   "help and examples")
            port_list = ports
        else:
            port_list = [int(x) for x in str(port).split(",")]
        proto = p.flags.get("protocol") or "TCP"
        target = p.flags.get("target-port", "")
        svc_ports = []
        for i, pt in enumerate(port_list):
            sp: dict[str, Any] = {"port": int(pt), "protocol": proto,
                                  "targetPort": (int(target) if str(target).isdigit() else target) if target else int(pt)}
            if len(port_list) > 1:
                sp["name"] = f"port-{i + 1}"
            svc_ports.append(sp)
        name = p.flags.get("name") or obj.name
        spec: dict[str, Any] = {"ports": svc_ports, "selector": sel}
        stype = p.flags.get("type")
        if stype:
            spec["type"] = stype
        if p.flags.get("cluster-ip"):
            spec["clusterIP"] = p.flags["cluster-ip"]
        # expose.go: --external-ip, --load-balancer-ip, --session-affinity=ClientIP
        if p.flags.get("external-ip"):
            spec["externalIPs"] = [x for x in str(p.flags["external-ip"]).split(",") if x]
        if p.flags.get("load-balancer-ip"):
            spec["loadBalancerIP"] = p.flags["load-balancer-ip"]
        if p.flags.get("session-affinity"):
            if p.flags["session-affinity"] not in ("None", "ClientIP"):
                raise KubectlError(f"unknown session affinity: {p.flags['session-affinity']}")
            spec["sessionAffinity"] = p.flags["session-affinity"]
        labels = dict(obj.labels) if res.kind != "Pod" else dict(obj.labels)
        body = {"apiVersion": "v1", "kind": "Service",
                "metadata": {"name": name, **({"labels": labels} if labels else {})},
                "spec": spec, "status": {"loadBalancer": {}}}
        sres = BY_KIND["Service"]
        if ctx.dry_run == "client":
            print_obj_or(ctx, body, sres, name, "exposed")
            continue
        try:
            ctx.authorize("create", BY_KIND["Service"], obj.namespace)
            created = owned(ctx, ctx.cluster.create(body, obj.namespace, dry_run=ctx.dry_run == "server"))
        except ApiError as exc:
            ctx.api_error(exc)
            continue
        print_obj_or(ctx, ctx.cluster.render(created), sres, name, "exposed")


__all__ = ["json", "merge_patch", "json_patch"]
