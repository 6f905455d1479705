"""`kubectl set env|serviceaccount|selector|subject` (pkg/cmd/set: set_env.go, env/env_parse.go,
env/env_resolve.go, set_serviceaccount.go, set_selector.go, set_subject.go).

Each reads the objects, changes them as kubectl's updatePodSpecForObject / updateSelectorForObject
would, and writes them back; `--dry-run=client` or `-o` prints the changed object instead,
`--list` (set env) prints the variables. Objects with nothing to change print nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.kubectl.cmd_write import RESOURCE_ARGS_HELP, _targets, print_obj_or, ref_name, update_object
from kubegame.kubectl.core import Ctx, format_api_error, get_object, parse_refs
from kubegame.kubectl.util import KubectlError, parse_selector

ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
ENV_NAME_MSG = ("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', "
                "and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex "
                "used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")


def _pod_spec(body: dict) -> dict | None:
    """polymorphichelpers.updatePodSpecForObject: the pod spec inside a pod, a workload or a CronJob."""
    kind = body.get("kind")
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return None
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        return (((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}).get("spec")
    tpl = spec.get("template")
    return tpl.get("spec") if isinstance(tpl, dict) else None


def _pod_templates(ctx: Ctx, verb: str) -> Iterator[tuple[Any, Any, dict, dict, dict]]:
    """Each target with its object as it is, a copy to change and that copy's pod spec; an object
    without a pod template is reported and passed over."""
    for res, obj in _targets(ctx, allow_all=True, verb=verb):
        old = ctx.cluster.render(obj)
        body = copy.deepcopy(old)
        spec = _pod_spec(body)
        if spec is None:
            ctx.error(f"error: {ref_name(res, obj.name)} the object does not have a pod template")
            continue
        yield res, obj, old, body, spec


def _write(ctx: Ctx, res: Any, obj: Any, old: dict, body: dict, what: str,
           error_prefix: str | None = None) -> None:
    """Patch it; --dry-run=client / -o print the object.

    With no error_prefix nothing changed means nothing done (set env); with one
    the patch is always sent and a server error is reported after the command's own words,
    as kubectl's set serviceaccount / selector / subject do."""
    if error_prefix is None and body == old and ctx.dry_run == "none" and not ctx.p.flags.get("output"):
        return
    if ctx.dry_run == "client" or ctx.p.flags.get("local"):
        print_obj_or(ctx, body, res, obj.name, what)
        return
    try:
        if ctx.dry_run == "none":
            update_object(ctx, obj, body)           # authorizes the patch itself
            body = ctx.cluster.render(obj)
    except ApiError as exc:
        if error_prefix is None:
            ctx.api_error(exc)
        else:
            ctx.error("error: " + error_prefix + format_api_error(exc).removeprefix("Error from server ").strip())
        return
    print_obj_or(ctx, body, res, obj.name, what)


# -- set env ----------------------------------------------------------------------------------

def parse_env(specs: list[str]) -> tuple[list[dict], list[str]]:
    """env_parse.go parseIntoEnvVar: KEY=VALUE sets, KEY- removes."""
    env, remove = [], []
    for spec in specs:
        if spec == "-":
            raise KubectlError("kubegame does not simulate reading environment variables from stdin (`-`)")
        if "=" in spec:
            name, value = spec.split("=", 1)
            if not ENV_NAME.match(name):
                raise KubectlError(f'"{name}" is not a valid key name: {ENV_NAME_MSG}')
            env.append({"name": name, "value": value})
        elif spec.endswith("-"):
            remove.append(spec[:-1])
        else:
            raise KubectlError(f"unknown environment variable: {spec}")
    names = {e["name"] for e in env}
    if any(r in names for r in remove):
        raise KubectlError("can not both modify and remove the same environment variable in the same command")
    return env, remove


def update_env(existing: list[dict], env: list[dict], remove: list[str]) -> list[dict]:
    """set_env.go updateEnv: replace in place, append new ones in order, drop the removed."""
    out = []
    added = {e["name"]: e for e in env}
    done = set()
    for e in existing:
        if e.get("name") in remove:
            continue
        if e.get("name") in added:
            out.append(copy.deepcopy(added[e["name"]]))
            done.add(e["name"])
        else:
            out.append(e)
    out += [copy.deepcopy(e) for e in env if e["name"] not in done and e["name"] not in remove]
    # a name given twice keeps its last value, in its first place (as the Go loop leaves it)
    seen: dict[str, int] = {}
    result: list[dict] = []
    for e in out:
        if e.get("name") in seen:
            result[seen[e["name"]]] = e
        else:
            seen[e.get("name", "")] = len(result)
            result.append(e)
    return result


def _ref_string(vf: dict) -> str:
    """env_resolve.go GetEnvVarRefString."""
    if vf.get("configMapKeyRef"):
        return f"configmap {vf['configMapKeyRef'].get('name')}, key {vf['configMapKeyRef'].get('key')}"
    if vf.get("secretKeyRef"):
        return f"secret {vf['secretKeyRef'].get('name')}, key {vf['secretKeyRef'].get('key')}"
    if vf.get("fieldRef"):
        return f"field path {vf['fieldRef'].get('fieldPath')}"
    if vf.get("resourceFieldRef"):
        r = vf["resourceFieldRef"]
        return f"resource field {r['containerName'] + '/' if r.get('containerName') else ''}{r.get('resource')}"
    return ""


def _env_from(ctx: Ctx, source: str, keys: list[str]) -> list[dict]:
    """--from=secret/NAME|configmap/NAME: one variable per key (sorted), named as keyToEnvName makes it."""
    refs, _ = parse_refs([source])
    res = refs[0].res
    if res.kind not in ("Secret", "ConfigMap"):
        raise KubectlError("unsupported resource specified in --from")
    obj = get_object(ctx, res, ctx.namespace, refs[0].name or "").d
    out = []
    for key in sorted(obj.get("data") or {}):
        if keys and key not in keys:
            continue
        ref = {"secretKeyRef" if res.kind == "Secret" else "configMapKeyRef": {"key": key, "name": refs[0].name}}
        out.append({"name": re.sub(r"[^a-zA-Z0-9_]", "_", key).upper(), "valueFrom": ref})
    return out


def cmd_set_env(ctx: Ctx) -> None:
    p = ctx.p
    args = list(p.args)
    split = next((i for i, a in enumerate(args) if "=" in a or (a.endswith("-") and len(a) > 1) or a == "-"),
                 len(args))
    resources, env_args = args[:split], args[split:]
    if any("=" not in a and not a.endswith("-") and a != "-" for a in env_args):
        raise KubectlError("all resources must be specified before environment changes: " + " ".join(env_args))
    if p.flags.get("all") and p.flags.get("selector"):
        raise KubectlError("cannot set --all and --selector at the same time")
    if not p.flags.get("filename") and not resources:
        raise KubectlError("one or more resources must be specified as <resource> <name> or <resource>/<name>")
    if p.flags.get("list") and p.flags.get("output"):
        raise KubectlError("--list and --output may not be specified together")
    keys = [k for x in p.flags.get("keys") or [] for k in x.split(",") if k]
    if keys and not p.flags.get("from"):
        raise KubectlError("when specifying --keys, a configmap or secret must be provided with --from")
    env, remove = parse_env(list(p.flags.get("env") or []) + env_args)
    if p.flags.get("from"):
        env += _env_from(ctx, str(p.flags["from"]), keys)
    if p.flags.get("prefix"):
        env = [{**e, "name": f"{p.flags['prefix']}{e['name']}"} for e in env]
    ctx.p.args = resources
    overwrite = p.get("overwrite", True)
    selector = str(p.get("containers", "*"))
    for res, obj, old, body, spec in _pod_templates(ctx, "set env"):
        containers = [c for c in (spec.get("containers") or []) + (spec.get("initContainers") or [])
                      if selector == "*" or re.fullmatch(selector.replace("*", ".*"), str(c.get("name", "")))]
        if not containers:
            ctx.err.append(f'Warning: {obj.kind}/{obj.name} does not have any containers matching "{selector}"\n')
            continue
        for c in containers:
            if not overwrite:
                for e in env:
                    cur = next((x for x in c.get("env") or [] if x.get("name") == e["name"]), None)
                    if cur is not None:
                        raise KubectlError(f"'{cur['name']}' already has a value ({cur.get('value', '')}), and "
                                           "--overwrite is false")
            new = update_env(list(c.get("env") or []), env, remove)
            if new:
                c["env"] = new
            else:
                c.pop("env", None)
            if p.flags.get("list"):
                ctx.print(f"# {obj.kind} {obj.name}, container {c.get('name')}")
                for e in new:
                    if not e.get("valueFrom"):
                        ctx.print(f"{e.get('name')}={e.get('value', '')}")
                    else:
                        ctx.print(f"# {e.get('name')} from {_ref_string(e['valueFrom'])}")
        if p.flags.get("list"):
            continue
        if body != old and not env and not env_args and not remove:
            raise KubectlError("at least one environment variable must be provided")
        _write(ctx, res, obj, old, body, "env updated")


# -- set serviceaccount / selector / subject ------------------------------------------------------

def cmd_set_serviceaccount(ctx: Ctx) -> None:
    p = ctx.p
    if not p.args:
        raise KubectlError("serviceaccount is required")
    account = p.args[-1]
    ctx.p.args = p.args[:-1]
    if not ctx.p.args and not p.flags.get("filename"):
        raise KubectlError(RESOURCE_ARGS_HELP)
    for res, obj, old, body, spec in _pod_templates(ctx, "set serviceaccount"):
        spec["serviceAccountName"] = account
        spec.pop("serviceAccount", None)
        _write(ctx, res, obj, old, body, "serviceaccount updated", "failed to patch ServiceAccountName ")


def cmd_set_selector(ctx: Ctx) -> None:
    p = ctx.p
    if not p.args:
        raise KubectlError("one selector is required")
    expr = p.args[-1]
    ctx.p.args = p.args[:-1]
    reqs = parse_selector(expr)
    if not ctx.p.args and not p.flags.get("filename"):
        raise KubectlError(RESOURCE_ARGS_HELP)
    labels: dict[str, str] = {}
    for r in reqs:
        if r[1] not in ("=", "==") or len(r[2]) != 1:
            raise KubectlError(f"match expression {reqs} not supported on this object")
        labels[r[0]] = r[2][0]
    for res, obj in _targets(ctx, allow_all=True, verb="set selector"):
        if obj.kind != "Service":
            raise KubectlError("setting a selector is only supported for Services")
        old = ctx.cluster.render(obj)
        body = copy.deepcopy(old)
        body["spec"]["selector"] = labels
        if p.flags.get("resource-version"):
            body["metadata"]["resourceVersion"] = str(p.flags["resource-version"])
            if str(obj.resource_version) != str(p.flags["resource-version"]):
                raise ApiError("Conflict", f'Operation cannot be fulfilled on services "{obj.name}": the object has '
                               "been modified; please apply your changes to the latest version and try again", 409)
        _write(ctx, res, obj, old, body, "selector updated", "")


def cmd_set_subject(ctx: Ctx) -> None:
    p = ctx.p
    if p.flags.get("all") and p.flags.get("selector"):
        raise KubectlError("cannot set --all and --selector at the same time")
    if not p.args and not p.flags.get("filename") and not p.flags.get("selector") and not p.flags.get("all"):
        raise KubectlError(RESOURCE_ARGS_HELP)
    users = [u for x in p.flags.get("user") or [] for u in [x]]
    groups = [g for x in p.flags.get("group") or [] for g in [x]]
    sas = [s for x in p.flags.get("serviceaccount") or [] for s in [x]]
    targets = _targets(ctx, allow_all=True, verb="set subject")
    if not users and not groups and not sas:
        raise KubectlError("you must specify at least one value of user, group or serviceaccount")
    for sa in sas:
        tokens = sa.split(":")
        if len(tokens) != 2 or not tokens[1]:
            raise KubectlError("serviceaccount must be <namespace>:<name>")
        if not tokens[0] and any(o.kind == "ClusterRoleBinding" for _r, o in targets):
            raise KubectlError("serviceaccount must be <namespace>:<name>, namespace must be specified")
    for res, obj in targets:
        if obj.kind not in ("RoleBinding", "ClusterRoleBinding"):
            ctx.error(f"error: {ref_name(res, obj.name)} setting subjects is only supported for "
                      "RoleBinding/ClusterRoleBinding")
            continue
        old = ctx.cluster.render(obj)
        body = copy.deepcopy(old)
        subjects = list(body.get("subjects") or [])
        wanted = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": u} for u in users]
        wanted += [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g} for g in groups]
        for sa in sas:
            ns, name = sa.split(":")
            wanted.append({"kind": "ServiceAccount", "name": name, "namespace": ns or obj.namespace})
        for w in wanted:
            if not any(s.get("kind") == w["kind"] and s.get("name") == w["name"] and
                       s.get("namespace", "") == w.get("namespace", "") for s in subjects):
                subjects.append(w)
        body["subjects"] = subjects
        if body == old and ctx.dry_run == "none":
            continue
        _write(ctx, res, obj, old, body, "subjects updated", "failed to patch subjects to rolebinding: ")
