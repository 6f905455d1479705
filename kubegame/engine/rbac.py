"""Authentication and RBAC authorization: who sends a request, and whether the API server lets them.

- **Who**: a kubeconfig user is a client certificate (CN = user name, O = groups) that the
  cluster's CA signed; `Identity` is what kube-apiserver reads from it. Every authenticated
  request also carries the group `system:authenticated`.
- **Impersonation** (`kubectl --as`, `--as-group`): the impersonation filter checks the verb
  `impersonate` on `users`, `groups` or `serviceaccounts` first; the impersonated user has only
  the groups asked for, plus `system:authenticated` (staging/src/k8s.io/apiserver/pkg/endpoints/
  filters/impersonation.go).
- **Authorization**: the privileged group `system:masters` is always allowed; otherwise the RBAC
  authorizer (plugin/pkg/auth/authorizer/rbac/rbac.go) allows a request when a rule of a role
  bound to the user allows it: every ClusterRoleBinding, then the RoleBindings of the request's
  namespace (whose roleRef may name a ClusterRole). Rule matching is
  pkg/apis/rbac/v1/evaluation_helpers.go: verbs, apiGroups, resources (`*`, `pods/log`,
  `*/scale`), resourceNames, nonResourceURLs (`/healthz`, `/api/*`).
- **Denial**: `pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the
  namespace "shop"` (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
  forbiddenMessage, wrapped by apierrors.NewForbidden).

Bindings are indexed by namespace, so a check reads the cluster's ClusterRoleBindings and one
namespace's RoleBindings, never every object.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubegame.engine.errors import ApiError

RBAC_GROUP = "rbac.authorization.k8s.io"
ADMIN_USER = "kubernetes-admin"
ADMIN_GROUP = "kubeadm:cluster-admins"      # kubeadm >= 1.29 binds this group to cluster-admin
MASTERS = "system:masters"


@dataclass(frozen=True)
class Identity:
    """The user a request is authenticated as."""

    name: str
    groups: tuple[str, ...] = ()
    uid: str = ""

    def all_groups(self) -> tuple[str, ...]:
        return self.groups if "system:authenticated" in self.groups else self.groups + ("system:authenticated",)


@dataclass(frozen=True)
class Request:
    """authorizer.Attributes: one API request."""

    verb: str
    resource: str = ""            # "pods"; empty for a non-resource request
    group: str = ""
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    path: str = ""                # non-resource URL (`/healthz`)

    @property
    def is_resource(self) -> bool:
        return bool(self.resource)


# -- rule matching (pkg/apis/rbac/v1/evaluation_helpers.go) ----------------------------------------

def _verb_matches(rule: dict, verb: str) -> bool:
    verbs = rule.get("verbs") or []
    return "*" in verbs or verb in verbs


def _group_matches(rule: dict, group: str) -> bool:
    groups = rule.get("apiGroups") or []
    return "*" in groups or group in groups


def _resource_matches(rule: dict, combined: str, subresource: str) -> bool:
    for r in rule.get("resources") or []:
        if r == "*" or r == combined:
            return True
        if subresource and r == "*/" + subresource:
            return True
    return False


def _name_matches(rule: dict, name: str) -> bool:
    names = rule.get("resourceNames") or []
    return not names or name in names


def _url_matches(rule: dict, path: str) -> bool:
    for u in rule.get("nonResourceURLs") or []:
        if u == "*" or u == path or (u.endswith("*") and path.startswith(u[:-1])):
            return True
    return False


def rule_allows(rule: dict, req: Request) -> bool:
    if not isinstance(rule, dict) or not _verb_matches(rule, req.verb):
        return False
    if req.is_resource:
        combined = f"{req.resource}/{req.subresource}" if req.subresource else req.resource
        return (_group_matches(rule, req.group) and _resource_matches(rule, combined, req.subresource)
                and _name_matches(rule, req.name))
    return _url_matches(rule, req.path)


def subject_applies(subject: dict, who: Identity, binding_namespace: str) -> bool:
    """rbac.go appliesToUser: a User by name, a Group by membership, a ServiceAccount by its user name."""
    if not isinstance(subject, dict):
        return False
    kind, name = subject.get("kind"), subject.get("name")
    if kind == "User":
        return name == who.name
    if kind == "Group":
        return name in who.all_groups()
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_namespace
        return who.name == f"system:serviceaccount:{ns}:{name}"
    return False


# -- the authorizer -----------------------------------------------------------------------------

def _roles_of(binding: Any) -> tuple[str, str]:
    ref = binding.extra.get("roleRef") or {}
    return str(ref.get("kind") or ""), str(ref.get("name") or "")


def _rules(cluster: Any, kind: str, namespace: str, name: str) -> list[dict]:
    role = cluster.store.get(kind, namespace if kind == "Role" else "", name)
    if role is None:
        return []
    return list(role.extra.get("rules") or [])


def _bound_rules(cluster: Any, who: Identity, namespace: str) -> Iterator[dict]:
    """The rules bound to the user, lazily and in the authorizer's order: every ClusterRoleBinding's
    ClusterRole, then the namespace's RoleBindings (whose roleRef may name a ClusterRole)."""
    for crb in cluster.store.list("ClusterRoleBinding"):
        if any(subject_applies(s, who, "") for s in crb.extra.get("subjects") or []):
            kind, name = _roles_of(crb)
            if kind == "ClusterRole":
                yield from _rules(cluster, kind, "", name)
    if namespace:
        for rb in cluster.store.list("RoleBinding", namespace):
            if any(subject_applies(s, who, rb.namespace) for s in rb.extra.get("subjects") or []):
                kind, name = _roles_of(rb)
                if kind in ("Role", "ClusterRole"):
                    yield from _rules(cluster, kind, rb.namespace, name)


def allowed(cluster: Any, who: Identity, req: Request) -> bool:
    """Whether the API server's authorizers (privileged group, then RBAC) allow the request."""
    return MASTERS in who.groups or any(rule_allows(r, req) for r in _bound_rules(cluster, who, req.namespace))


def rules_for(cluster: Any, who: Identity, namespace: str) -> list[dict]:
    """Every rule that applies to the user in a namespace (SelfSubjectRulesReview; `auth can-i --list`)."""
    if MASTERS in who.groups:
        return [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]},
                {"nonResourceURLs": ["*"], "verbs": ["*"]}]
    return list(_bound_rules(cluster, who, namespace))


def forbidden_message(who: Identity, req: Request) -> str:
    if not req.is_resource:
        return f'User "{who.name}" cannot {req.verb} path "{req.path}"'
    resource = f"{req.resource}/{req.subresource}" if req.subresource else req.resource
    where = f'in the namespace "{req.namespace}"' if req.namespace else "at the cluster scope"
    return f'User "{who.name}" cannot {req.verb} resource "{resource}" in API group "{req.group}" {where}'


def forbidden(who: Identity, req: Request) -> ApiError:
    """apierrors.NewForbidden(groupResource, name, forbiddenMessage)."""
    if not req.is_resource:
        return ApiError("Forbidden", f"forbidden: {forbidden_message(who, req)}", 403)
    gr = f"{req.resource}.{req.group}" if req.group else req.resource
    head = f'{gr} "{req.name}"' if req.name else gr
    return ApiError("Forbidden", f"{head} is forbidden: {forbidden_message(who, req)}", 403)


def authorize(cluster: Any, who: Identity, req: Request) -> None:
    """Raise Forbidden unless the request is allowed."""
    if not allowed(cluster, who, req):
        raise forbidden(who, req)


def impersonate(cluster: Any, who: Identity, user: str, groups: list[str]) -> Identity:
    """The impersonation filter: check `impersonate` on each, then act as the impersonated user."""
    if user.startswith("system:serviceaccount:"):
        parts = user.split(":")
        ns, name = (parts[2], parts[3]) if len(parts) == 4 else ("", user)
        req = Request("impersonate", "serviceaccounts", "", ns, name)
    else:
        req = Request("impersonate", "users", "", "", user)
    authorize(cluster, who, req)
    for g in groups:
        authorize(cluster, who, Request("impersonate", "groups", "", "", g))
    extra = ("system:serviceaccounts", f"system:serviceaccounts:{user.split(':')[2]}") \
        if user.startswith("system:serviceaccount:") and user.count(":") == 3 else ()
    return Identity(user, tuple(groups) + extra + ("system:authenticated",))


# -- the bootstrap policy ----------------------------------------------------------------------------
# The user-facing default ClusterRoles and their bindings, as kube-apiserver creates them at start
# (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go; testdata/cluster-roles.yaml holds the
# rules). admin, edit and view are aggregated: the ClusterRole aggregation controller fills their
# rules from the roles labelled aggregate-to-admin/edit/view (controllers/clusterroleaggregation.py).
# The system:controller:* roles of the control plane's own components are not held.

_RW = ["create", "delete", "deletecollection", "patch", "update"]
_RO = ["get", "list", "watch"]


def _r(groups: list[str], resources: list[str], verbs: list[str]) -> dict:
    return {"apiGroups": groups, "resources": resources, "verbs": verbs}


AGGREGATE_TO_VIEW = [
    _r([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods",
              "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
              "services/status"], _RO),
    _r([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
              "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], _RO),
    _r([""], ["namespaces"], _RO),
    _r(["discovery.k8s.io"], ["endpointslices"], _RO),
    _r(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                  "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets",
                  "statefulsets/scale", "statefulsets/status"], _RO),
    _r(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], _RO),
    _r(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], _RO),
    _r(["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status",
                        "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale",
                        "replicasets/status", "replicationcontrollers/scale"], _RO),
    _r(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], _RO),
    _r(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], _RO),
]
AGGREGATE_TO_EDIT = [
    _r([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], _RO),
    _r([""], ["serviceaccounts"], ["impersonate"]),
    _r([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], _RW),
    _r([""], ["pods/eviction"], ["create"]),
    _r([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
              "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], _RW),
    _r([""], ["serviceaccounts/token"], ["create"]),
    _r(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets",
                  "replicasets/scale", "statefulsets", "statefulsets/scale"], _RW),
    _r(["autoscaling"], ["horizontalpodautoscalers"], _RW),
    _r(["batch"], ["cronjobs", "jobs"], _RW),
    _r(["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses",
                        "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"], _RW),
    _r(["policy"], ["poddisruptionbudgets"], _RW),
    _r(["networking.k8s.io"], ["ingresses", "networkpolicies"], _RW),
    _r(["coordination.k8s.io"], ["leases"], ["create", "delete", "deletecollection", "get", "list", "patch",
                                             "update", "watch"]),
]
AGGREGATE_TO_ADMIN = [
    _r(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]),
    _r([RBAC_GROUP], ["rolebindings", "roles"], ["create", "delete", "deletecollection", "get", "list", "patch",
                                                 "update", "watch"]),
]
_LABEL = "rbac.authorization.k8s.io/aggregate-to-"


def bootstrap_cluster_roles() -> list[dict]:
    def role(name: str, rules: list[dict] | None, labels: dict | None = None, aggregate: str = "") -> dict:
        body: dict = {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRole",
                      "metadata": {"name": name,
                                   "annotations": {"rbac.authorization.kubernetes.io/autoupdate": "true"},
                                   "labels": {"kubernetes.io/bootstrapping": "rbac-defaults", **(labels or {})}}}
        if aggregate:
            body["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {_LABEL + aggregate: "true"}}]}
            body["rules"] = []
        else:
            body["rules"] = rules
        return body

    return [
        role("admin", None, aggregate="admin"),
        role("cluster-admin", [_r(["*"], ["*"], ["*"]), {"nonResourceURLs": ["*"], "verbs": ["*"]}]),
        role("edit", None, {_LABEL + "admin": "true"}, aggregate="edit"),
        role("system:aggregate-to-admin", AGGREGATE_TO_ADMIN, {_LABEL + "admin": "true"}),
        role("system:aggregate-to-edit", AGGREGATE_TO_EDIT, {_LABEL + "edit": "true"}),
        role("system:aggregate-to-view", AGGREGATE_TO_VIEW, {_LABEL + "view": "true"}),
        role("system:basic-user", [_r(["authorization.k8s.io"], ["selfsubjectaccessreviews",
                                                                 "selfsubjectrulesreviews"], ["create"]),
                                   _r(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])]),
        role("system:discovery", [{"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
                                                       "/openapi", "/openapi/*", "/readyz", "/version",
                                                       "/version/"], "verbs": ["get"]}]),
        role("system:public-info-viewer", [{"nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version",
                                                                "/version/"], "verbs": ["get"]}]),
        role("view", None, {_LABEL + "edit": "true"}, aggregate="view"),
    ]


def bootstrap_cluster_role_bindings() -> list[dict]:
    def binding(name: str, role: str, groups: list[str], bootstrap: bool = True) -> dict:
        md: dict = {"name": name}
        if bootstrap:
            md["annotations"] = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
            md["labels"] = {"kubernetes.io/bootstrapping": "rbac-defaults"}
        return {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRoleBinding", "metadata": md,
                "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
                "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": g} for g in groups]}

    return [
        binding("cluster-admin", "cluster-admin", [MASTERS]),
        # kubeadm init: the admin.conf user's group (cmd/kubeadm/app/phases/kubeconfig)
        binding(ADMIN_GROUP, "cluster-admin", [ADMIN_GROUP], bootstrap=False),
        binding("system:basic-user", "system:basic-user", ["system:authenticated"]),
        binding("system:discovery", "system:discovery", ["system:authenticated"]),
        binding("system:public-info-viewer", "system:public-info-viewer",
                ["system:authenticated", "system:unauthenticated"]),
    ]


# -- the player's kubeconfig -----------------------------------------------------------------------
# kept with the cluster (the player's ~/.kube/config), shaped like kubeadm's admin.conf; `kubectl config`
# reads and edits it (kubectl/kubeconfig.py). The certificates are stand-ins: the game has no TLS.

CLUSTER_NAME = "kubernetes"
SERVER = "https://127.0.0.1:6443"


def _fake_cert(user: str, groups: list[str]) -> str:
    import base64
    subject = f"CN={user}" + "".join(f",O={g}" for g in groups)
    return base64.b64encode(f"kubegame client certificate for {subject}".encode()).decode()


def context_name(user: str) -> str:
    return f"{user}@{CLUSTER_NAME}"


def kubeconfig_for(users: list[dict], current_user: str = ADMIN_USER, admin_context: bool = True) -> dict:
    entries = ([{"name": ADMIN_USER, "groups": [ADMIN_GROUP], "namespace": ""}] if admin_context else []) \
        + [u for u in users if u.get("name") != ADMIN_USER]
    contexts, people = [], []
    for u in entries:
        ctx: dict = {"cluster": CLUSTER_NAME, "user": u["name"]}
        if u.get("namespace"):
            ctx["namespace"] = u["namespace"]
        contexts.append({"context": ctx, "name": context_name(u["name"])})
        cert = _fake_cert(u["name"], list(u.get("groups") or []))
        people.append({"name": u["name"], "user": {"client-certificate-data": cert, "client-key-data": cert}})
    current = current_user if any(u["name"] == current_user for u in entries) else (entries[0]["name"] if entries
                                                                                    else "")
    return {"apiVersion": "v1", "kind": "Config", "preferences": {},
            "clusters": [{"cluster": {"certificate-authority-data": _fake_cert("kubernetes-ca", []),
                                      "server": SERVER}, "name": CLUSTER_NAME}],
            "contexts": contexts, "current-context": context_name(current) if current else "",
            "users": people}


# -- escalation prevention (pkg/registry/rbac/validation/rule.go ConfirmNoEscalation,
#    pkg/registry/rbac/escalation_check.go, role/policybased and rolebinding/policybased) -------------

RBAC_GROUP = "rbac.authorization.k8s.io"


def _breakdown(rule: dict) -> list[dict]:
    """BreakdownRule: one rule per group, resource (and name) and verb."""
    out = []
    verbs = [str(v) for v in rule.get("verbs") or []]
    if rule.get("nonResourceURLs"):
        for url in rule["nonResourceURLs"]:
            out += [{"nonResourceURLs": [url], "verbs": [v]} for v in verbs]
        return out
    for group in rule.get("apiGroups") or []:
        for resource in rule.get("resources") or []:
            names = rule.get("resourceNames") or [None]
            for name in names:
                for v in verbs:
                    r = {"apiGroups": [group], "resources": [resource], "verbs": [v]}
                    if name is not None:
                        r["resourceNames"] = [name]
                    out.append(r)
    return out


def _covers(owner: dict, want: dict) -> bool:
    """ruleCovers: the owner's rule grants everything the one-verb rule asks."""
    if not isinstance(owner, dict):
        return False
    verb = want["verbs"][0]
    if "*" not in (owner.get("verbs") or []) and verb not in (owner.get("verbs") or []):
        return False
    if want.get("nonResourceURLs"):
        url = want["nonResourceURLs"][0]
        return any(u == url or u == "*" or (u.endswith("*") and url.startswith(u[:-1]))
                   for u in owner.get("nonResourceURLs") or [])
    group, resource = want["apiGroups"][0], want["resources"][0]
    if "*" not in (owner.get("apiGroups") or []) and group not in (owner.get("apiGroups") or []):
        return False
    res = owner.get("resources") or []
    if not ("*" in res or resource in res or ("/" in resource and f"*/{resource.split('/', 1)[1]}" in res)):
        return False
    names = owner.get("resourceNames") or []
    return not names or (bool(want.get("resourceNames")) and want["resourceNames"][0] in names)


def _compact(rules: list[dict]) -> list[str]:
    """CompactRules then CompactString: one line per group and resource, the verbs merged."""
    merged: dict[tuple, dict] = {}
    for r in rules:
        key = (tuple(r.get("apiGroups") or ()), tuple(r.get("resources") or ()), tuple(r.get("resourceNames") or ()),
               tuple(r.get("nonResourceURLs") or ()))
        if key in merged and not r.get("resourceNames"):
            merged[key]["verbs"] += [v for v in r["verbs"] if v not in merged[key]["verbs"]]
        else:
            merged.setdefault(key, {**r, "verbs": list(r["verbs"])})
    out = []
    for r in merged.values():
        parts = []
        for field, label in (("apiGroups", "APIGroups"), ("resources", "Resources"), ("resourceNames", "ResourceNames"),
                             ("nonResourceURLs", "NonResourceURLs"), ("verbs", "Verbs")):
            if r.get(field):
                parts.append(f"{label}:[" + " ".join(f'"{v}"' for v in r[field]) + "]")
        out.append("{" + ", ".join(parts) + "}")
    return sorted(out)


def _escalation(who: Identity, plural: str, name: str, missing: list[dict]) -> ApiError:
    groups = " ".join(f'"{g}"' for g in who.all_groups())
    return ApiError("Forbidden", f'{plural}.{RBAC_GROUP} "{name}" is forbidden: user "{who.name}" (groups=[{groups}]) '
                    "is attempting to grant RBAC permissions not currently held:\n" + "\n".join(_compact(missing)), 403)


def confirm_no_escalation(cluster: Any, who: Identity | None, kind: str, body: dict) -> None:
    """Creating or changing a Role or ClusterRole needs every permission it grants (or the
    `escalate` verb on it); binding one needs its permissions (or `bind` on it). Writes by the
    control plane itself (who is None) and by system:masters are not checked."""
    if who is None or MASTERS in who.groups:
        return
    md = body.get("metadata") or {}
    ns = str(md.get("namespace") or "") if kind in ("Role", "RoleBinding") else ""
    name = str(md.get("name") or "")
    if kind in ("Role", "ClusterRole"):
        plural = "roles" if kind == "Role" else "clusterroles"
        if allowed(cluster, who, Request("escalate", plural, RBAC_GROUP, ns, name)):
            return
        wanted = [r for rule in body.get("rules") or [] if isinstance(rule, dict) for r in _breakdown(rule)]
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = body.get("roleRef") or {}
        ref_kind, ref_name = str(ref.get("kind") or ""), str(ref.get("name") or "")
        ref_plural = "roles" if ref_kind == "Role" else "clusterroles"
        if allowed(cluster, who, Request("bind", ref_plural, RBAC_GROUP, ns, ref_name)):
            return
        role = cluster.store.get(ref_kind, ns if ref_kind == "Role" else "", ref_name) if ref_kind in (
            "Role", "ClusterRole") else None
        plural = "rolebindings" if kind == "RoleBinding" else "clusterrolebindings"
        if role is None:
            raise ApiError("Forbidden", f'{plural}.{RBAC_GROUP} "{name}" is forbidden: {ref_plural}.{RBAC_GROUP} '
                           f'"{ref_name}" not found', 403)
        wanted = [r for rule in role.extra.get("rules") or [] if isinstance(rule, dict) for r in _breakdown(rule)]
    else:
        return
    held = list(_bound_rules(cluster, who, ns)) if ns else [
        r for crb in cluster.store.list("ClusterRoleBinding")
        if any(subject_applies(s, who, "") for s in crb.extra.get("subjects") or [])
        for r in _rules(cluster, "ClusterRole", "", _roles_of(crb)[1]) if _roles_of(crb)[0] == "ClusterRole"]
    missing = [w for w in wanted if not any(_covers(h, w) for h in held)]
    if missing:
        raise _escalation(who, plural, name, missing)
