"""The kubeconfig inside the game: contexts, users, the default namespace, and `kubectl config`.

The player's ~/.kube/config lives with the cluster (`cluster.kubeconfig`, shaped like kubeadm's
admin.conf). Every command runs as the user of the current context (or `--context`, `--user`),
in the context's namespace unless `-n` says otherwise, and `--as`/`--as-group` impersonate
(staging/src/k8s.io/client-go/tools/clientcmd; staging/src/k8s.io/kubectl/pkg/cmd/config).
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from kubegame.engine import rbac
from kubegame.engine.errors import ApiError
from kubegame.kubectl.util import KubectlError, table

# connection flags that would point kubectl at another server: the game's kubectl has only this one
UNSIMULATED_CONNECTION_FLAGS = ("kubeconfig", "server", "token", "username", "password", "certificate-authority",
                                "client-certificate", "client-key", "tls-server-name", "cluster")


@lru_cache(maxsize=256)
def _own_flags(path: str) -> frozenset[str]:
    from kubegame.kubectl.parser import _data
    return frozenset(f["name"] for f in (_data().get(path) or {}).get("flags") or [])


def global_flag(p: Any, name: str) -> Any:
    """A global option's value, unless the command has a flag of its own by that name
    (`create rolebinding --user`, `config set-context --cluster`)."""
    return None if name in _own_flags(p.path) else p.flags.get(name)


def config(cluster: Any) -> dict:
    kc = getattr(cluster, "kubeconfig", None)
    if not isinstance(kc, dict):
        kc = cluster.kubeconfig = rbac.kubeconfig_for([])
    return kc


def _find(entries: list, name: str) -> dict | None:
    return next((e for e in entries if e.get("name") == name), None)


def current_context(cluster: Any, p: Any) -> dict:
    """The context a command runs in: `--context`, else current-context; raises as kubectl would."""
    kc = config(cluster)
    name = global_flag(p, "context") or kc.get("current-context") or ""
    if not name:
        raise KubectlError("current-context is not set")
    ctx = _find(kc.get("contexts") or [], name)
    if ctx is None:
        raise KubectlError(f'context was not found for specified context: {name}')
    return ctx.get("context") or {}


def namespace(cluster: Any, p: Any) -> str:
    if global_flag(p, "namespace"):
        return str(p.flags["namespace"])
    try:
        return str(current_context(cluster, p).get("namespace") or "default")
    except KubectlError:
        return "default"


def identity(cluster: Any, p: Any) -> rbac.Identity:
    """Who the request is authenticated as (the context's user's certificate), then impersonation."""
    ctx = current_context(cluster, p)
    user = global_flag(p, "user") or ctx.get("user") or ""
    kc = config(cluster)
    entry = _find(kc.get("users") or [], user)
    who = cluster.identities.get(user) if entry is not None and (entry.get("user") or {}).get(
        "client-certificate-data") else None
    if who is None:
        raise ApiError("Unauthorized", "the server has asked for the client to provide credentials", 401)
    as_user = p.flags.get("as") or ""
    as_groups = list(p.flags.get("as-group") or [])
    if as_groups and not as_user:
        raise KubectlError("requesting uid, groups or user-extra for test without impersonating a user")
    if as_user:
        who = rbac.impersonate(cluster, who, as_user, as_groups)
    return who


def connection_warnings(p: Any) -> list[str]:
    return [f"Warning: kubegame ignores --{f}: its kubectl always talks to the game's cluster\n"
            for f in UNSIMULATED_CONNECTION_FLAGS if global_flag(p, f)]


# -- kubectl config ----------------------------------------------------------------------------------

def _redacted(kc: dict) -> dict:
    out = copy.deepcopy(kc)
    for c in out.get("clusters") or []:
        if "certificate-authority-data" in (c.get("cluster") or {}):
            c["cluster"]["certificate-authority-data"] = "DATA+OMITTED"
    for u in out.get("users") or []:
        for k in ("client-certificate-data", "client-key-data"):
            if k in (u.get("user") or {}):
                u["user"][k] = "REDACTED" if k == "client-key-data" else "DATA+OMITTED"
    return out


def _minified(kc: dict, ctx_name: str) -> dict:
    ctx = _find(kc.get("contexts") or [], ctx_name)
    if ctx is None:
        raise KubectlError("current-context must exist in order to minify")
    c = ctx.get("context") or {}
    return {**kc, "clusters": [x for x in kc.get("clusters") or [] if x.get("name") == c.get("cluster")],
            "contexts": [ctx], "current-context": ctx_name,
            "users": [x for x in kc.get("users") or [] if x.get("name") == c.get("user")]}


def cmd_view(ctx: Any) -> None:
    from kubegame.kubectl.cmd_get import print_data
    kc = config(ctx.cluster)
    if ctx.p.flags.get("minify"):
        kc = _minified(kc, ctx.p.flags.get("context") or kc.get("current-context", ""))
    if not ctx.p.flags.get("raw"):
        kc = _redacted(kc)
    print_data(ctx, kc, ctx.p.flags.get("output") or "yaml")


def cmd_current_context(ctx: Any) -> None:
    cur = config(ctx.cluster).get("current-context")
    if not cur:
        raise KubectlError("current-context is not set")
    ctx.print(cur)


def cmd_get_contexts(ctx: Any) -> None:
    kc = config(ctx.cluster)
    contexts = kc.get("contexts") or []
    names = ctx.p.args
    for n in names:
        if _find(contexts, n) is None:
            raise KubectlError(f'context {n} not found')
    chosen = [c for c in contexts if not names or c.get("name") in names]
    if ctx.p.flags.get("output") == "name":
        for c in sorted(chosen, key=lambda c: c.get("name", "")):
            ctx.print(c.get("name", ""))
        return
    rows = []
    for c in sorted(chosen, key=lambda c: c.get("name", "")):
        d = c.get("context") or {}
        rows.append(["*" if c.get("name") == kc.get("current-context") else "", c.get("name", ""),
                     d.get("cluster", ""), d.get("user", ""), d.get("namespace", "")])
    head = [] if ctx.p.flags.get("no-headers") else [["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"]]
    ctx.print(table(head + rows))


def cmd_use_context(ctx: Any) -> None:
    if len(ctx.p.args) != 1:
        raise KubectlError("Unexpected args: " + str(ctx.p.args) if ctx.p.args else "empty context names are not "
                           "allowed")
    name = ctx.p.args[0]
    kc = config(ctx.cluster)
    if _find(kc.get("contexts") or [], name) is None:
        raise KubectlError(f'no context exists with the name: "{name}"')
    kc["current-context"] = name
    ctx.print(f'Switched to context "{name}".')


def cmd_set_context(ctx: Any) -> None:
    kc = config(ctx.cluster)
    current = bool(ctx.p.flags.get("current"))
    if current and ctx.p.args:
        raise KubectlError("you cannot specify both a context name and --current")
    if not current and len(ctx.p.args) != 1:
        raise KubectlError("you must specify a non-empty context name or --current")
    name = kc.get("current-context", "") if current else ctx.p.args[0]
    if current and not name:
        raise KubectlError("no current context is set")
    contexts = kc.setdefault("contexts", [])
    entry = _find(contexts, name)
    created = entry is None
    if entry is None:
        entry = {"context": {}, "name": name}
        contexts.append(entry)
    c = entry.setdefault("context", {})
    for flag, key in (("cluster", "cluster"), ("user", "user"), ("namespace", "namespace")):
        if ctx.p.has(flag):
            value = ctx.p.flags[flag]
            if value:
                c[key] = value
            else:
                c.pop(key, None)
    ctx.print(f'Context "{name}" {"created" if created else "modified"}.')


def _unexpected(ctx: Any) -> None:
    """The help, then `error: Unexpected args: [a b]` (the Go slice printed with %v)."""
    ctx.out.append(ctx.p.spec.help)
    raise KubectlError(f"Unexpected args: [{' '.join(ctx.p.args)}]")


def cmd_delete_context(ctx: Any) -> None:
    kc = config(ctx.cluster)
    if not ctx.p.args:
        ctx.out.append(ctx.p.spec.help)          # delete_context.go: no NAME prints the help
        return
    if len(ctx.p.args) != 1:
        _unexpected(ctx)
    name = ctx.p.args[0]
    contexts = kc.get("contexts") or []
    if _find(contexts, name) is None:
        raise KubectlError(f"cannot delete context {name}, not in kubeconfig")
    kc["contexts"] = [c for c in contexts if c.get("name") != name]
    if kc.get("current-context") == name:
        ctx.err.append("warning: this removed your active context, use \"kubectl config use-context\" to select a "
                       "different one\n")
    ctx.print(f'deleted context {name} from kubeconfig')


def cmd_rename_context(ctx: Any) -> None:
    kc = config(ctx.cluster)
    if len(ctx.p.args) != 2:
        _unexpected(ctx)
    old, new = ctx.p.args
    contexts = kc.get("contexts") or []
    entry = _find(contexts, old)
    if entry is None:
        raise KubectlError(f'cannot rename the context "{old}", it\'s not in kubeconfig')
    if _find(contexts, new) is not None:
        raise KubectlError(f'cannot rename the context "{old}", the context "{new}" already exists in kubeconfig')
    entry["name"] = new
    if kc.get("current-context") == old:
        kc["current-context"] = new
    ctx.print(f'Context "{old}" renamed to "{new}".')


def cmd_get_users(ctx: Any) -> None:
    ctx.print("NAME\n" + "".join(u.get("name", "") + "\n" for u in sorted(config(ctx.cluster).get("users") or [],
                                                                           key=lambda u: u.get("name", ""))))


def cmd_get_clusters(ctx: Any) -> None:
    ctx.print("NAME\n" + "".join(c.get("name", "") + "\n" for c in config(ctx.cluster).get("clusters") or []))


def cmd_set_credentials(ctx: Any) -> None:
    """A user entry without a certificate the cluster's CA signed: requests as it are Unauthorized."""
    kc = config(ctx.cluster)
    if not ctx.p.args:
        ctx.out.append(ctx.p.spec.help)          # delete_context.go: no NAME prints the help
        return
    if len(ctx.p.args) != 1:
        _unexpected(ctx)
    name = ctx.p.args[0]
    users = kc.setdefault("users", [])
    entry = _find(users, name)
    created = entry is None
    if entry is None:
        users.append({"name": name, "user": {}})
    ctx.print(f'User "{name}" {"set" if created else "set"}.')


# -- kubectl auth ------------------------------------------------------------------------------------

def cmd_whoami(ctx: Any) -> None:
    from kubegame.kubectl.cmd_get import print_data
    who = identity(ctx.cluster, ctx.p)
    out = ctx.p.flags.get("output") or ""
    if out:
        body = {"kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1", "metadata": {},
                "status": {"userInfo": {"username": who.name, "groups": list(who.all_groups())}}}
        if out == "json":            # a typed object: JSON in the Go struct's field order, YAML sorted
            import json
            ctx.print(json.dumps(body, indent=4))
            return
        print_data(ctx, body, out)
        return
    rows = [["Username", who.name], ["Groups", "[" + " ".join(who.all_groups()) + "]"]]
    ctx.print(table([["ATTRIBUTE", "VALUE"]] + rows))


def _go_list(xs: list[str]) -> str:
    return "[" + " ".join(xs) + "]"


def combine_resource_group(resource: list[str], group: list[str]) -> str:
    """describe.CombineResourceGroup: `pods.apps/log`."""
    if not resource:
        return ""
    base, _, sub = resource[0].partition("/")
    out = base + (f".{group[0]}" if group and group[0] else "")
    return out + (f"/{sub}" if sub else "")


def access_rules(rules: list[dict]) -> list[dict]:
    """`auth can-i --list`'s rows (pkg/cmd/auth/cani.go printStatus): each rule broken down to one
    verb, resource and name (rbacutil.BreakdownRule), the simple ones compacted again by verb
    (CompactRules), sorted by the rule's String() (SortableRuleSlice)."""
    broken: list[dict] = []
    for r in rules:
        verbs = list(r.get("verbs") or [])
        for g in r.get("apiGroups") or []:
            for res in r.get("resources") or []:
                for v in verbs:
                    for n in (r.get("resourceNames") or [None]):
                        broken.append({"verbs": [v], "apiGroups": [g], "resources": [res],
                                       "resourceNames": [n] if n is not None else [], "nonResourceURLs": []})
        for url in r.get("nonResourceURLs") or []:
            for v in verbs:
                broken.append({"verbs": [v], "apiGroups": [], "resources": [], "resourceNames": [],
                               "nonResourceURLs": [url]})
    compacted: list[dict] = []
    simple: dict[tuple, dict] = {}
    for r in broken:
        if r["nonResourceURLs"]:
            compacted.append(r)
            continue
        key = (r["apiGroups"][0], r["resources"][0], tuple(r["resourceNames"]))
        if key in simple:
            simple[key]["verbs"] += [v for v in r["verbs"] if v not in simple[key]["verbs"]]
        else:
            simple[key] = {**r, "verbs": list(r["verbs"])}
    compacted += list(simple.values())

    def go_string(r: dict) -> str:
        return (f"&PolicyRule{{Verbs:{_go_list(r['verbs'])},APIGroups:{_go_list(r['apiGroups'])},"
                f"Resources:{_go_list(r['resources'])},ResourceNames:{_go_list(r['resourceNames'])},"
                f"NonResourceURLs:{_go_list(r['nonResourceURLs'])},}}")
    return sorted(compacted, key=go_string)


def cmd_can_i(ctx: Any) -> None:
    from kubegame.kubectl.core import resolve
    who = identity(ctx.cluster, ctx.p)
    ns = "" if ctx.p.flags.get("all-namespaces") else ctx.namespace
    if ctx.p.flags.get("list"):
        rows = [[combine_resource_group(r["resources"], r["apiGroups"]), _go_list(r["nonResourceURLs"]),
                 _go_list(r["resourceNames"]), _go_list(r["verbs"])]
                for r in access_rules(rbac.rules_for(ctx.cluster, who, ns))]
        head = [] if ctx.p.flags.get("no-headers") else [["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]]
        ctx.print(table(head + rows))
        return
    args = ctx.p.args
    if len(args) < 2:
        raise KubectlError("you must specify two arguments: verb resource or verb resource/resourceName.\n"
                           "See 'kubectl auth can-i -h' for help and examples.")
    verb, target = args[0], args[1]
    name = args[2] if len(args) > 2 else ""
    if target.startswith("/"):
        req = rbac.Request(verb, path=target)
    else:
        kind, _, rname = target.partition("/")
        name = rname or name
        sub = ctx.p.flags.get("subresource") or ""
        try:
            res = resolve(kind)
            group, plural = res.group, res.plural
            namespaced = res.namespaced
        except KubectlError:
            ctx.err.append(f"Warning: the server doesn't have a resource type '{kind}'\n\n")
            plural, _, group = kind.partition(".")
            namespaced = True
        if not namespaced and ns and plural != "*":        # cani.go: the namespace is dropped, with a warning
            ctx.err.append(f"Warning: resource '{f'{plural}.{group}' if group else plural}' is not namespace "
                           "scoped\n\n")
        req = rbac.Request(verb, plural, group, ns if namespaced else "", name, sub)
    ok = rbac.allowed(ctx.cluster, who, req)
    if not ctx.p.flags.get("quiet"):
        ctx.print("yes" if ok else "no")
    if not ok:
        ctx.exit_code = 1
