"""`kubectl create` generators for the access and batch kinds: serviceaccount, role, clusterrole,
rolebinding, clusterrolebinding, quota, cronjob, and `create job --from=cronjob/NAME`.

Each builds the body that kubectl 1.37 sends (staging/src/k8s.io/kubectl/pkg/cmd/create/
create_role.go, create_rolebinding.go, create_clusterrolebinding.go, create_quota.go,
create_cronjob.go, create_job.go), checked against the real binary's `--dry-run=client -o yaml`.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine.kinds import BY_KIND
from kubegame.engine.objects import plain_copy
from kubegame.kubectl.core import Ctx, resolve
from kubegame.kubectl.util import KubectlError

RBAC = "rbac.authorization.k8s.io"
VALID_VERBS = ("*", "get", "delete", "list", "create", "update", "patch", "watch", "proxy", "deletecollection",
               "use", "bind", "escalate", "impersonate")
SPECIAL_VERBS = {"use": "podsecuritypolicies", "bind": "roles", "escalate": "roles", "impersonate": "users"}


def _name(ctx: Ctx) -> str:
    from kubegame.kubectl.cmd_write import _one_name
    return _one_name(ctx, "")


def _create(ctx: Ctx, body: dict) -> None:
    from kubegame.kubectl.cmd_write import _create_body
    _create_body(ctx, body, BY_KIND[body["kind"]])


def _list(ctx: Ctx, flag: str) -> list[str]:
    v = ctx.p.flags.get(flag) or []
    vals = v if isinstance(v, list) else [v]
    return [x for item in vals for x in str(item).split(",") if x]


def cmd_create_serviceaccount(ctx: Ctx) -> None:
    name = _name(ctx)
    _create(ctx, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}})


def _rules(ctx: Ctx, cluster_scoped: bool) -> list[dict]:
    verbs = _list(ctx, "verb")
    if not verbs:
        raise KubectlError("at least one verb must be specified")
    for v in verbs:
        if v not in VALID_VERBS:
            ctx.err.append(f"Warning: '{v}' is not a standard resource verb\n")
    resources = _list(ctx, "resource")
    names = _list(ctx, "resource-name")
    urls = _list(ctx, "non-resource-url") if cluster_scoped else []
    if not resources and not urls:
        raise KubectlError("at least one resource must be specified" if not cluster_scoped else
                           "one of resource or nonResourceURL must be specified")
    if urls and names:
        raise KubectlError("resource name(s) can not be applied to non-resource URLs")
    groups: dict[str, list[str]] = {}
    for r in resources:
        base, _, sub = r.partition("/")
        if base == "*":
            groups.setdefault("*" if "." not in base else base.split(".", 1)[1], []).append(r)
            continue
        head, _, group = base.partition(".")
        try:
            res = resolve(head if not group else f"{head}.{group}")
            plural, grp = res.plural, res.group
        except KubectlError:
            raise KubectlError(f'the server doesn\'t have a resource type "{head}"') from None
        groups.setdefault(grp, []).append(plural + (f"/{sub}" if sub else ""))
    rules = []
    for g in sorted(groups):
        rule: dict[str, Any] = {"apiGroups": [g], "resources": groups[g]}
        if names:
            rule["resourceNames"] = names
        rule["verbs"] = verbs
        rules.append(rule)
    if urls:
        rules.append({"nonResourceURLs": urls, "verbs": verbs})
    return rules


def cmd_create_role(ctx: Ctx) -> None:
    name = _name(ctx)
    _create(ctx, {"apiVersion": f"{RBAC}/v1", "kind": "Role", "metadata": {"name": name},
                  "rules": _rules(ctx, False)})


def cmd_create_clusterrole(ctx: Ctx) -> None:
    name = _name(ctx)
    body: dict[str, Any] = {"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole", "metadata": {"name": name}}
    agg = ctx.p.flags.get("aggregation-rule")
    if agg:
        labels = dict(kv.split("=", 1) for kv in str(agg).split(",") if "=" in kv)
        body["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": labels}]}
        body["rules"] = None          # a nil slice in kubectl's Go object: `rules: null`
    else:
        body["rules"] = _rules(ctx, True)
    _create(ctx, body)


def _subjects(ctx: Ctx) -> list[dict]:
    out: list[dict] = [{"apiGroup": RBAC, "kind": "User", "name": u} for u in _list(ctx, "user")]
    out += [{"apiGroup": RBAC, "kind": "Group", "name": g} for g in _list(ctx, "group")]
    for sa in _list(ctx, "serviceaccount"):
        ns, sep, name = sa.partition(":")
        if not sep or not ns or not name:
            raise KubectlError("serviceaccount must be <namespace>:<name>")
        out.append({"kind": "ServiceAccount", "name": name, "namespace": ns})
    return out


def _create_binding(ctx: Ctx, kind: str, role_kind: str, role: str) -> None:
    body = {"apiVersion": f"{RBAC}/v1", "kind": kind, "metadata": {"name": _name(ctx)},
            "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": role}}
    subjects = _subjects(ctx)
    if subjects:
        body["subjects"] = subjects
    _create(ctx, body)


def cmd_create_rolebinding(ctx: Ctx) -> None:
    _name(ctx)
    role, crole = ctx.p.flags.get("role"), ctx.p.flags.get("clusterrole")
    if bool(role) == bool(crole):
        raise KubectlError("exactly one of clusterrole or role must be specified")
    _create_binding(ctx, "RoleBinding", "Role" if role else "ClusterRole", role or crole)


def cmd_create_clusterrolebinding(ctx: Ctx) -> None:
    _name(ctx)
    crole = ctx.p.flags.get("clusterrole")
    if not crole:
        raise KubectlError("clusterrole must be specified")
    _create_binding(ctx, "ClusterRoleBinding", "ClusterRole", crole)


def cmd_create_quota(ctx: Ctx) -> None:
    name = _name(ctx)
    spec: dict[str, Any] = {}
    hard = ctx.p.flags.get("hard") or ""
    if hard:
        pairs = {}
        for kv in str(hard).split(","):
            k, sep, v = kv.partition("=")
            if not sep:
                raise KubectlError(f"Invalid argument syntax {hard}, expected <resource>=<value>")
            pairs[k] = v
        spec["hard"] = pairs
    scopes = [s for s in str(ctx.p.flags.get("scopes") or "").split(",") if s]
    if scopes:
        spec["scopes"] = scopes
    _create(ctx, {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": spec,
                  "status": {}})


def cmd_create_cronjob(ctx: Ctx) -> None:
    name = _name(ctx)
    image = ctx.p.flags.get("image")
    if not image:
        raise KubectlError('required flag(s) "image" not set')
    schedule = ctx.p.flags.get("schedule")
    if not schedule:
        raise KubectlError('required flag(s) "schedule" not set')
    c: dict[str, Any] = {"image": image, "name": name, "resources": {}}
    if ctx.p.dash >= 0 and ctx.p.args[ctx.p.dash:]:
        c["command"] = ctx.p.args[ctx.p.dash:]
    restart = ctx.p.flags.get("restart") or "OnFailure"
    body = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": name},
            "spec": {"jobTemplate": {"metadata": {"name": name},
                                     "spec": {"template": {"metadata": {},
                                                           "spec": {"containers": [c], "restartPolicy": restart}}}},
                     "schedule": schedule},
            "status": {}}
    _create(ctx, body)


def job_from_cronjob(ctx: Ctx, name: str, source: str) -> None:
    """`kubectl create job NAME --from=cronjob/CJ`: the CronJob's jobTemplate, owned by it, annotated."""
    kind, _, cj_name = source.partition("/")
    if kind not in ("cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch") or not cj_name:
        raise KubectlError(f"from must be an existing cronjob: {source}" if kind else
                           "from must be of the form <resource>/<name>")
    from kubegame.kubectl.core import get_object
    cj = get_object(ctx, BY_KIND["CronJob"], ctx.namespace, cj_name).obj
    tpl = plain_copy(cj.spec.get("jobTemplate") or {})
    md = tpl.get("metadata") or {}
    annotations = {"cronjob.kubernetes.io/instantiate": "manual", **(md.get("annotations") or {})}
    body: dict[str, Any] = {"apiVersion": "batch/v1", "kind": "Job",
                            "metadata": {"annotations": annotations, "name": name, "namespace": ctx.namespace,
                                         "ownerReferences": [{"apiVersion": "batch/v1", "controller": True,
                                                              "kind": "CronJob", "name": cj.name, "uid": cj.uid}]},
                            "spec": tpl.get("spec") or {}}
    if md.get("labels"):
        body["metadata"]["labels"] = dict(md["labels"])
    _create(ctx, body)


def cmd_create_pdb(ctx: Ctx) -> None:
    """create_pdb.go: --selector (a label selector), one of --min-available and --max-unavailable."""
    name = _name(ctx)
    sel = ctx.p.flags.get("selector")
    mn, mx = ctx.p.flags.get("min-available"), ctx.p.flags.get("max-unavailable")
    if not sel:
        raise KubectlError("a selector must be specified")
    if bool(mn) == bool(mx):
        raise KubectlError("one of min-available or max-unavailable must be specified" if not mn else
                           "min-available and max-unavailable cannot be both specified")
    from kubegame.kubectl.util import parse_selector
    reqs = parse_selector(str(sel))
    selector: dict[str, Any] = {}
    labels = {key: values[0] for key, op, values in reqs if op in ("=", "==") and values}
    ops = {"in": "In", "notin": "NotIn", "exists": "Exists", "!": "DoesNotExist", "!=": "NotIn"}
    exprs = [{"key": key, "operator": ops.get(op, op), **({"values": list(values)} if values else {})}
             for key, op, values in reqs if op not in ("=", "==")]
    if labels:
        selector["matchLabels"] = labels
    if exprs:
        selector["matchExpressions"] = exprs

    def value(v: str) -> Any:
        return int(v) if v.isdigit() else v

    spec: dict[str, Any] = {("minAvailable" if mn else "maxUnavailable"): value(str(mn or mx)), "selector": selector}
    _create(ctx, {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
                  "spec": spec, "status": {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0,
                                           "expectedPods": 0}})


def cmd_create_priorityclass(ctx: Ctx) -> None:
    name = _name(ctx)
    body: dict[str, Any] = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": name},
                            "value": int(ctx.p.get("value", 0))}
    if ctx.p.flags.get("description"):
        body["description"] = ctx.p.flags["description"]
    if ctx.p.flags.get("global-default"):
        body["globalDefault"] = True
    body["preemptionPolicy"] = ctx.p.flags.get("preemption-policy") or "PreemptLowerPriority"
    _create(ctx, body)


def _backend(spec: str) -> dict:
    svc, _, port = spec.partition(":")
    return {"service": {"name": svc, "port": {"number": int(port)} if port.isdigit() else {"name": port}}}


def cmd_create_ingress(ctx: Ctx) -> None:
    """create_ingress.go: --rule=host/path=service:port[,tls[=secret]]; a path ending in `*` is a Prefix."""
    name = _name(ctx)
    spec: dict[str, Any] = {}
    if ctx.p.flags.get("class"):
        spec["ingressClassName"] = ctx.p.flags["class"]
    if ctx.p.flags.get("default-backend"):
        spec["defaultBackend"] = _backend(str(ctx.p.flags["default-backend"]))
    rules: list[dict] = []
    tls: list[dict] = []
    raw = ctx.p.flags.get("rule") or []
    if not raw and not ctx.p.flags.get("default-backend"):
        raise KubectlError("not enough information provided: every ingress has to either specify a default-backend "
                           "(which catches all traffic) or a list of rules (which catch specific paths)")
    for r in raw if isinstance(raw, list) else [raw]:
        rule_part, _, opts = str(r).partition(",")
        hostpath, sep, backend = rule_part.partition("=")
        if not sep:
            raise KubectlError(f"rule {r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]")
        host, slash, path = hostpath.partition("/")
        path = "/" + path if slash else "/"
        path_type = "Prefix" if path.endswith("*") else "Exact"
        path = path.rstrip("*") or "/"
        entry = {"backend": _backend(backend), "path": path, "pathType": path_type}
        existing = next((x for x in rules if x.get("host", "") == host), None)
        if existing is None:
            existing = {"host": host, "http": {"paths": []}} if host else {"http": {"paths": []}}
            rules.append(existing)
        existing["http"]["paths"].append(entry)
        if opts.startswith("tls"):
            secret = opts.partition("=")[2]
            t: dict[str, Any] = {"hosts": [host]} if host else {}
            if secret:
                t["secretName"] = secret
            tls.append(t)
    if rules:
        spec["rules"] = rules
    if tls:
        spec["tls"] = tls
    _create(ctx, {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name}, "spec": spec,
                  "status": {"loadBalancer": {}}})


def cmd_create_secret_docker_registry(ctx: Ctx) -> None:
    """create_secret_docker.go: a .dockerconfigjson with the registry's auths entry."""
    import base64
    import json
    name = _name(ctx)
    user, pw = ctx.p.flags.get("docker-username"), ctx.p.flags.get("docker-password")
    if not user or not pw:
        raise KubectlError("either --from-file or the combination of --docker-username, --docker-password and "
                           "--docker-server is required")
    server = ctx.p.flags.get("docker-server") or "https://index.docker.io/v1/"
    entry: dict[str, Any] = {"username": user, "password": pw}
    if ctx.p.flags.get("docker-email"):
        entry["email"] = ctx.p.flags["docker-email"]
    entry["auth"] = base64.b64encode(f"{user}:{pw}".encode()).decode()
    cfg = json.dumps({"auths": {server: entry}}, separators=(",", ":"))
    _create(ctx, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
                  "type": "kubernetes.io/dockerconfigjson",
                  "data": {".dockerconfigjson": base64.b64encode(cfg.encode()).decode()}})


def cmd_create_service_externalname(ctx: Ctx) -> None:
    name = _name(ctx)
    ext = ctx.p.flags.get("external-name")
    if not ext:
        raise KubectlError("external name must be specified")
    _create(ctx, {"apiVersion": "v1", "kind": "Service", "metadata": {"labels": {"app": name}, "name": name},
                  "spec": {"externalName": ext, "selector": {"app": name}, "type": "ExternalName"},
                  "status": {"loadBalancer": {}}})


def cmd_create_token(ctx: Ctx) -> None:
    """create_token.go: a TokenRequest for the ServiceAccount; the token printed is a JWT with the
    claims the API server puts in one (its signature is the game's, not an RSA key's)."""
    import base64
    import hashlib
    import json

    from kubegame.engine.errors import ApiError
    from kubegame.engine.kinds import BY_KIND
    from kubegame.kubectl.util import go_duration
    p = ctx.p
    if len(p.args) != 1:
        raise KubectlError(f"exactly one NAME is required, got {len(p.args)}\nSee 'kubectl create token -h' for help "
                           "and examples")
    name = p.args[0]
    seconds = go_duration(str(p.get("duration", "0s")), "duration")
    if seconds < 0:
        raise KubectlError("--duration must be greater than or equal to 0")
    if seconds and seconds < 600:
        raise ApiError("BadRequest", "TokenRequest.authentication.k8s.io \"" + name + "\" is invalid: "
                       "spec.expirationSeconds: Invalid value: " + str(int(seconds)) + ": may not specify a duration "
                       "less than 10 minutes", 400)
    kind = str(p.flags.get("bound-object-kind") or "")
    if kind and kind not in ("Pod", "Secret", "Node"):
        raise KubectlError("supported --bound-object-kind values are Node, Pod, Secret")
    if kind and not p.flags.get("bound-object-name"):
        raise KubectlError("--bound-object-name is required if --bound-object-kind is provided")
    if not kind and (p.flags.get("bound-object-name") or p.flags.get("bound-object-uid")):
        raise KubectlError("--bound-object-name can only be set if --bound-object-kind is provided")
    ns = ctx.namespace
    ctx.authorize("create", BY_KIND["ServiceAccount"], ns, name, "token")
    sa = ctx.cluster.get("ServiceAccount", ns, name)
    if sa is None:
        raise ApiError("NotFound", f'serviceaccounts "{name}" not found', 404)
    from kubegame.kubectl.core import EPOCH_UNIX
    iat = EPOCH_UNIX + ctx.cluster.now
    exp = iat + int(seconds or 3600)
    audiences = list(p.flags.get("audience") or []) or ["https://kubernetes.default.svc.cluster.local"]
    claims: dict[str, Any] = {"aud": audiences, "exp": exp, "iat": iat,
                              "iss": "https://kubernetes.default.svc.cluster.local",
                              "jti": hashlib.sha256(f"{sa.uid}/{iat}".encode()).hexdigest()[:36],
                              "kubernetes.io": {"namespace": ns,
                                                "serviceaccount": {"name": name, "uid": sa.uid}},
                              "nbf": iat, "sub": f"system:serviceaccount:{ns}:{name}"}
    if kind:
        claims["kubernetes.io"][kind.lower()] = {"name": p.flags["bound-object-name"],
                                                 "uid": p.flags.get("bound-object-uid") or ""}

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).decode().rstrip("=")
    head = b64(json.dumps({"alg": "RS256", "kid": hashlib.sha256(ctx.cluster.seed.to_bytes(8, "big")).hexdigest()[:43]},
                          separators=(",", ":")).encode())
    body = b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = b64(hashlib.sha512(f"{head}.{body}".encode()).digest() * 4)
    token = f"{head}.{body}.{sig}"
    fmt = p.flags.get("output") or ""
    if fmt:
        from kubegame.engine.objects import timestamp
        review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                  "metadata": {"creationTimestamp": None, "name": name, "namespace": ns},
                  "spec": {"audiences": audiences, "boundObjectRef": None, "expirationSeconds": int(seconds or 3600)},
                  "status": {"expirationTimestamp": timestamp(ctx.cluster.now + int(seconds or 3600)),
                             "token": token}}
        from kubegame.kubectl.cmd_get import print_data
        print_data(ctx, review, fmt)
        return
    ctx.print(token)


def cmd_certificate(ctx: Ctx) -> None:
    """certificate approve|deny: the game's cluster has no CertificateSigningRequests (kubelets join
    with their certificates already made), so any CSR named is not found."""
    from kubegame.engine.errors import ApiError
    if not ctx.p.args and not ctx.p.flags.get("filename"):
        raise KubectlError("one or more CSRs must be specified as <name> or -f <filename>")
    for name in ctx.p.args:
        ctx.api_error(ApiError("NotFound", f'certificatesigningrequests.certificates.k8s.io "{name}" not found', 404))
