"""Discovery: which groups, versions and resources the server has (the legacy documents under
/api and /apis, and the aggregated apidiscovery.k8s.io/v2 list kubectl 1.37 asks for first;
staging/src/k8s.io/apiserver/pkg/endpoints/discovery)."""

from __future__ import annotations

from typing import Any

from kubegame.engine.kinds import ALL_CATEGORY, API_ONLY, RESOURCES, Resource

# the API server's group order (what `kubectl api-resources` and category expansion follow)
GROUP_ORDER = ["", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling",
               "batch", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
               "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io", "metrics.k8s.io"]
VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
WITH_STATUS = {"Pod", "Node", "Namespace", "Service", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet",
               "Job", "CronJob", "HorizontalPodAutoscaler", "PodDisruptionBudget", "PersistentVolume",
               "PersistentVolumeClaim", "ResourceQuota", "Ingress"}
WITH_SCALE = {"Deployment", "ReplicaSet", "StatefulSet"}


def subresources(res: Resource) -> list[tuple[str, str, str, str, list[str]]]:
    """(name, group, version, kind, verbs) of a resource's subresources, as the server registers them."""
    g, v = res.group, res.version
    out = []
    if res.kind == "Pod":
        out += [("attach", "", "v1", "PodAttachOptions", ["create", "get"]),
                ("binding", "", "v1", "Binding", ["create"]),
                ("eviction", "policy", "v1", "Eviction", ["create"]),
                ("exec", "", "v1", "PodExecOptions", ["create", "get"]),
                ("log", "", "v1", "Pod", ["get"]),
                ("portforward", "", "v1", "PodPortForwardOptions", ["create", "get"])]
    if res.kind in WITH_SCALE:
        out.append(("scale", "autoscaling", "v1", "Scale", ["get", "patch", "update"]))
    if res.kind in WITH_STATUS:
        out.append(("status", g, v, res.kind, ["get", "patch", "update"]))
    return sorted(out)


def _served() -> list[Resource]:
    return sorted(RESOURCES, key=lambda r: (GROUP_ORDER.index(r.group) if r.group in GROUP_ORDER else 99,
                                            r.plural))


def groups() -> list[tuple[str, str]]:
    """(group, version) pairs served, in the server's order (core first, metrics-server's last)."""
    seen: list[tuple[str, str]] = []
    for r in _served():
        if (r.group, r.version) not in seen:
            seen.append((r.group, r.version))
    for _p, g, v, *_rest in API_ONLY:
        if (g, v) not in seen:
            seen.append((g, v))
    seen.sort(key=lambda gv: GROUP_ORDER.index(gv[0]) if gv[0] in GROUP_ORDER else 99)
    return seen


def _only_in(group: str, version: str) -> list[tuple[str, str, bool, tuple[str, ...]]]:
    """(plural, kind, namespaced, verbs) of the served-only resources of a group version."""
    return sorted((p, k, n, vs) for p, g, v, n, k, vs in API_ONLY if g == group and v == version)


def resources_in(group: str, version: str) -> list[Resource]:
    return [r for r in _served() if r.group == group and r.version == version]


def _categories(res: Resource) -> list[str]:
    return ["all"] if res.kind in ALL_CATEGORY else []


def api_versions() -> dict:
    return {"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}


def _group_doc(group: str) -> dict:
    versions = [v for g, v in groups() if g == group]
    gvs = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": gvs, "preferredVersion": gvs[0]}


def api_group_list() -> dict:
    names = []
    for g, _v in groups():
        if g and g not in names:
            names.append(g)
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group_doc(g) for g in names]}


def api_group(group: str) -> dict | None:
    if not any(g == group for g, _ in groups()) or not group:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_doc(group)}


def resource_list(group: str, version: str) -> dict | None:
    """APIResourceList of one group version (the legacy per-version document)."""
    gv = f"{group}/{version}" if group else version
    served = resources_in(group, version)
    only = _only_in(group, version)
    if not served and not only:
        return None
    out: list[dict[str, Any]] = [{"name": p, "singularName": p[:-1], "namespaced": n, "kind": k, "verbs": list(vs)}
                                 for p, k, n, vs in only]
    for r in served:
        entry: dict[str, Any] = {"name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                                 "kind": r.kind, "verbs": list(VERBS)}
        if r.short_names:
            entry["shortNames"] = list(r.short_names)
        if _categories(r):
            entry["categories"] = _categories(r)
        out.append(entry)
        for name, sg, sv, kind, verbs in subresources(r):
            sub: dict[str, Any] = {"name": f"{r.plural}/{name}", "singularName": "", "namespaced": r.namespaced,
                                   "kind": kind, "verbs": verbs}
            if sg != group or sv != version:
                sub["group"], sub["version"] = sg, sv
            out.append(sub)
    out.sort(key=lambda e: e["name"])
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def aggregated(core: bool) -> dict:
    """APIGroupDiscoveryList (apidiscovery.k8s.io/v2): /api holds the core group, /apis the rest."""
    items = []
    names: list[str] = []
    for g, _v in groups():
        if (g == "") == core and g not in names:
            names.append(g)
    for g in names:
        versions = []
        for gg, v in groups():
            if gg != g:
                continue
            rs = [{"resource": p, "responseKind": {"group": g, "version": v, "kind": k},
                   "scope": "Namespaced" if n else "Cluster", "singularResource": p[:-1], "verbs": list(vs)}
                  for p, k, n, vs in _only_in(g, v)]
            rs += [_aggregated_resource(r) for r in resources_in(g, v)]
            rs.sort(key=lambda e: e["resource"])
            versions.append({"version": v, "resources": rs, "freshness": "Current"})
        md: dict[str, Any] = {"creationTimestamp": None}
        if g:
            md = {"name": g, "creationTimestamp": None}
        items.append({"metadata": md, "versions": versions})
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": {},
            "items": items}


def _aggregated_resource(r: Resource) -> dict:
    entry: dict[str, Any] = {"resource": r.plural,
                             "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                             "scope": "Namespaced" if r.namespaced else "Cluster", "singularResource": r.singular,
                             "verbs": list(VERBS)}
    if r.short_names:
        entry["shortNames"] = list(r.short_names)
    if _categories(r):
        entry["categories"] = _categories(r)
    subs = [{"subresource": name, "responseKind": {"group": sg, "version": sv, "kind": kind}, "verbs": verbs}
            for name, sg, sv, kind, verbs in subresources(r)]
    if subs:
        entry["subresources"] = subs
    return entry


AGGREGATED_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def wants_aggregated(accept: str) -> bool:
    """The client asked for the aggregated document (client-go sends it first, JSON as fallback)."""
    for part in accept.split(","):
        params = {k.strip(): v.strip() for k, _, v in (x.partition("=") for x in part.split(";")[1:])}
        if params.get("g") == "apidiscovery.k8s.io" and params.get("v") == "v2" and \
                params.get("as") == "APIGroupDiscoveryList":
            return True
    return False
