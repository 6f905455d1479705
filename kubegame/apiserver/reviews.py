"""The review APIs behind `kubectl auth can-i` and `auth whoami` (authorization.k8s.io/v1
SelfSubjectAccessReview and SelfSubjectRulesReview, authentication.k8s.io/v1 SelfSubjectReview;
pkg/registry/authorization/selfsubjectaccessreview/rest.go and friends): answered by the same
RBAC rules every request is authorised by."""

from __future__ import annotations

from typing import Any

from kubegame.engine import rbac
from kubegame.engine.kinds import API_ONLY

# (group, version, plural, kind, namespaced) of the review resources (create only)
REVIEWS = tuple((g, v, p, k, n) for p, g, v, n, k, verbs in API_ONLY if verbs == ("create",))
SERVED = {"selfsubjectreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews"}


def respond(server: Any, req: Any, group: str, plural: str, body: Any) -> Any:
    from kubegame.apiserver import status
    from kubegame.apiserver.handler import Response
    if req.method != "POST":
        return Response(405, status.method_not_allowed(req.method))
    if plural not in SERVED:
        return Response(405, status.status(405, "MethodNotAllowed", f"kubegame serve does not serve {plural}"))
    who = server._who(req)
    kind = next(k for _g, _v, p, k, _n in REVIEWS if p == plural)
    out = {"kind": kind, "apiVersion": f"{group}/v1", "metadata": {"creationTimestamp": None}}
    spec = (body or {}).get("spec") if isinstance(body, dict) else None
    spec = spec if isinstance(spec, dict) else {}
    if plural == "selfsubjectreviews":
        out["status"] = {"userInfo": {"username": who.name, "groups": list(who.all_groups())}}
        return Response(201, out)
    out["spec"] = spec
    if plural == "selfsubjectrulesreviews":
        rules = rbac.rules_for(server.cluster, who, str(spec.get("namespace") or ""))
        res_rules, url_rules = [], []
        for r in rules:
            if r.get("nonResourceURLs"):
                url_rules.append({"verbs": list(r.get("verbs") or []), "nonResourceURLs": list(r["nonResourceURLs"])})
            if r.get("resources"):
                entry = {"verbs": list(r.get("verbs") or []), "apiGroups": list(r.get("apiGroups") or []),
                         "resources": list(r["resources"])}
                if r.get("resourceNames"):
                    entry["resourceNames"] = list(r["resourceNames"])
                res_rules.append(entry)
        out["status"] = {"resourceRules": res_rules, "nonResourceRules": url_rules, "incomplete": False}
        return Response(201, out)
    ra, nra = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if isinstance(ra, dict):
        r = rbac.Request(str(ra.get("verb") or ""), str(ra.get("resource") or ""), str(ra.get("group") or ""),
                         str(ra.get("namespace") or ""), str(ra.get("name") or ""), str(ra.get("subresource") or ""))
    elif isinstance(nra, dict):
        r = rbac.Request(str(nra.get("verb") or ""), "", "", "", "", "", path=str(nra.get("path") or ""))
    else:
        return Response(422, status.status(422, "Invalid", f'{kind}.authorization.k8s.io "" is invalid: spec.'
                                                          'resourceAttributes: Invalid value: "null": exactly one of '
                                                          "nonResourceAttributes or resourceAttributes must be "
                                                          "specified"))
    out["status"] = {"allowed": rbac.allowed(server.cluster, who, r)}
    return Response(201, out)
