"""Validation and defaulting of the access and policy kinds: RBAC, ServiceAccount, ResourceQuota,
LimitRange, CronJob, with the field paths and wording of the API server.

Sources: pkg/apis/rbac/validation/validation.go, pkg/apis/rbac/v1/defaults.go,
pkg/apis/core/validation/validation.go (ValidateResourceQuota, ValidateLimitRange),
pkg/apis/batch/validation/validation.go (ValidateCronJob), pkg/apis/batch/v1/defaults.go.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine.quantity import QuantityError, parse_quantity
from kubegame.engine.validation import (
    DNS1123_SUBDOMAIN,
    SUBDOMAIN_MSG,
    go_value,
    invalid_value,
    required,
    unsupported,
)

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_KINDS = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
CRONJOB_NAME_MAX = 52            # the Job's name adds an 11-character suffix; a label value holds 63


def default(kind: str, body: dict) -> None:
    """pkg/apis/rbac/v1/defaults.go and pkg/apis/batch/v1/defaults.go (CronJob)."""
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        ref = body.get("roleRef")
        if isinstance(ref, dict) and not ref.get("apiGroup"):
            ref["apiGroup"] = RBAC_GROUP
        for s in body.get("subjects") or []:
            if isinstance(s, dict) and not s.get("apiGroup") and s.get("kind") in ("User", "Group"):
                s["apiGroup"] = RBAC_GROUP
    elif kind == "CronJob":
        spec = body.get("spec")
        if isinstance(spec, dict):
            spec.setdefault("concurrencyPolicy", "Allow")
            spec.setdefault("suspend", False)
            spec.setdefault("successfulJobsHistoryLimit", 3)
            spec.setdefault("failedJobsHistoryLimit", 1)


def path_segment_problem(name: str) -> str:
    """path.IsValidPathSegmentName: what RBAC object names must satisfy."""
    if name in (".", ".."):
        return f"may not be '{name}'"
    for bad in ("/", "%"):
        if bad in name:
            return f"may not contain '{bad}'"
    return ""


def validate_name(kind: str, name: Any, causes: list[str]) -> bool:
    """The kinds whose names are not DNS subdomains; True when this module checked the name."""
    if kind not in RBAC_KINDS:
        return False
    if not name:
        causes.append("metadata.name: Required value: name or generateName is required")
    elif isinstance(name, str) and path_segment_problem(name):
        causes.append(invalid_value("metadata.name", name, path_segment_problem(name)))
    return True


def validate(kind: str, body: dict, causes: list[str]) -> None:
    if kind in ("Role", "ClusterRole"):
        for i, rule in enumerate(body.get("rules") or []):
            _policy_rule(f"rules[{i}]", rule, kind == "Role", causes)
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        _binding(kind, body, causes)
    elif kind == "ResourceQuota":
        hard = (body.get("spec") or {}).get("hard") if isinstance(body.get("spec"), dict) else None
        for k, v in (hard or {}).items():
            _non_negative(f"spec.hard[{k}]", v, causes)
    elif kind == "LimitRange":
        _limit_range(body.get("spec") or {}, causes)
    elif kind == "CronJob":
        _cronjob(body, causes)


def _policy_rule(path: str, rule: Any, namespaced: bool, causes: list[str]) -> None:
    if not isinstance(rule, dict):
        return
    if not rule.get("verbs"):
        causes.append(f"{path}.verbs: Required value: verbs must contain at least one value")
    urls = rule.get("nonResourceURLs") or []
    if urls:
        shown = "[]string{" + ", ".join(f'"{u}"' for u in urls) + "}"
        if namespaced:
            causes.append(f"{path}.nonResourceURLs: Invalid value: {shown}: namespaced rules cannot apply to "
                          "non-resource URLs")
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            causes.append(f"{path}.nonResourceURLs: Invalid value: {shown}: rules cannot apply to both regular "
                          "resources and non-resource URLs")
        return
    if not rule.get("apiGroups"):
        causes.append(f"{path}.apiGroups: Required value: resource rules must supply at least one api group")
    if not rule.get("resources"):
        causes.append(f"{path}.resources: Required value: resource rules must supply at least one resource")


def _binding(kind: str, body: dict, causes: list[str]) -> None:
    ref = body.get("roleRef")
    if not isinstance(ref, dict):
        causes.append("roleRef.kind: Required value")
        causes.append("roleRef.name: Required value")
        return
    if ref.get("apiGroup") != RBAC_GROUP:
        causes.append(unsupported("roleRef.apiGroup", ref.get("apiGroup", ""), [RBAC_GROUP]))
    allowed = ["Role", "ClusterRole"] if kind == "RoleBinding" else ["ClusterRole"]
    if ref.get("kind") not in allowed:
        causes.append(unsupported("roleRef.kind", ref.get("kind", ""), allowed))
    if not ref.get("name"):
        causes.append("roleRef.name: Required value")
    elif path_segment_problem(str(ref["name"])):
        causes.append(invalid_value("roleRef.name", ref["name"], path_segment_problem(str(ref["name"]))))
    for i, s in enumerate(body.get("subjects") or []):
        if not isinstance(s, dict):
            continue
        p = f"subjects[{i}]"
        name, sk, group = s.get("name") or "", s.get("kind"), s.get("apiGroup", "")
        if not name:
            causes.append(f"{p}.name: Required value")
        if sk == "ServiceAccount":
            if group:
                causes.append(unsupported(f"{p}.apiGroup", group, [""]))
            if name and not DNS1123_SUBDOMAIN.match(name):
                causes.append(invalid_value(f"{p}.name", name, SUBDOMAIN_MSG))
            if kind == "ClusterRoleBinding" and not s.get("namespace"):
                causes.append(f"{p}.namespace: Required value")
        elif sk in ("User", "Group"):
            if group != RBAC_GROUP:
                causes.append(unsupported(f"{p}.apiGroup", group, [RBAC_GROUP]))
        else:
            causes.append(unsupported(f"{p}.kind", sk or "", ["ServiceAccount", "User", "Group"]))


def role_ref_changed(old: dict, new: dict) -> list[str]:
    """A binding's roleRef is immutable (ValidateRoleBindingUpdate)."""
    o, n = old.get("roleRef") or {}, new.get("roleRef") or {}
    if o != n:
        return [f'roleRef: Invalid value: rbac.RoleRef{{APIGroup:{go_value(n.get("apiGroup", ""))}, '
                f'Kind:{go_value(n.get("kind", ""))}, Name:{go_value(n.get("name", ""))}}}: cannot change roleRef']
    return []


def _quantity(v: Any) -> float | None:
    try:
        return parse_quantity(v)
    except (QuantityError, TypeError, ValueError):
        return None


def _non_negative(path: str, v: Any, causes: list[str]) -> None:
    q = _quantity(v)
    if q is not None and q < 0:
        causes.append(invalid_value(path, str(v), "must be greater than or equal to 0"))


def _limit_range(spec: dict, causes: list[str]) -> None:
    for i, lim in enumerate(spec.get("limits") or []):
        if not isinstance(lim, dict):
            continue
        p = f"spec.limits[{i}]"
        t = lim.get("type")
        if t not in ("Pod", "Container", "PersistentVolumeClaim"):
            causes.append(unsupported(f"{p}.type", t or "", ["Container", "Pod", "PersistentVolumeClaim"])
                          if t else f"{p}.type: Required value")
        if t == "Pod":
            for f in ("default", "defaultRequest"):
                if lim.get(f):
                    causes.append(f"{p}.{f}: Forbidden: may not be specified when `type` is 'Pod'")
        for field in ("min", "max", "default", "defaultRequest", "maxLimitRequestRatio"):
            for k, v in (lim.get(field) or {}).items():
                _non_negative(f"{p}.{field}[{k}]", v, causes)
        values = {f: lim.get(f) or {} for f in ("min", "max", "default", "defaultRequest")}
        for k in sorted(set().union(*values.values())):
            for small, big, at, shown, text in LIMIT_ORDER:
                lo, hi = (_quantity(values[f][k]) if k in values[f] else None for f in (small, big))
                if lo is not None and hi is not None and lo > hi:
                    words = {f: str(v[k]) for f, v in values.items() if k in v}
                    causes.append(invalid_value(f"{p}.{at}[{k}]", words[shown], text.format(**words)))


# ValidateLimitRange's ordering checks, in its order: (must not exceed, what it must not exceed, the
# field the error names, the value it shows, the message)
LIMIT_ORDER = (
    ("min", "max", "min", "min", "min value {min} is greater than max value {max}"),
    ("min", "defaultRequest", "defaultRequest", "defaultRequest",
     "min value {min} is greater than default request value {defaultRequest}"),
    ("defaultRequest", "max", "defaultRequest", "defaultRequest",
     "default request value {defaultRequest} is greater than max value {max}"),
    ("defaultRequest", "default", "defaultRequest", "defaultRequest",
     "default request value {defaultRequest} is greater than default limit value {default}"),
    ("min", "default", "default", "min", "min value {min} is greater than default value {default}"),
    ("default", "max", "default", "max", "default value {default} is greater than max value {max}"),
)


def _cronjob(body: dict, causes: list[str]) -> None:
    from kubegame.engine.cron import CronError, parse_schedule, valid_time_zone

    name = (body.get("metadata") or {}).get("name")
    if isinstance(name, str) and len(name) > CRONJOB_NAME_MAX:
        causes.append(invalid_value("metadata.name", name, f"must be no more than {CRONJOB_NAME_MAX} characters"))
    spec = body.get("spec")
    if not isinstance(spec, dict):
        causes.append(required("spec.schedule"))
        return
    sched = spec.get("schedule")
    if not sched:
        causes.append(required("spec.schedule"))
    elif isinstance(sched, str):
        if "TZ" in sched:
            causes.append(invalid_value("spec.schedule", sched, "cannot use TZ or CRON_TZ in schedule, use "
                                        "timeZone field instead"))
        else:
            try:
                parse_schedule(sched)
            except CronError as exc:
                causes.append(invalid_value("spec.schedule", sched, str(exc)))
    tz = spec.get("timeZone")
    if isinstance(tz, str) and not valid_time_zone(tz):
        causes.append(invalid_value("spec.timeZone", tz, f"unknown time zone {tz}"))
    cp = spec.get("concurrencyPolicy", "Allow")
    if cp not in ("Allow", "Forbid", "Replace"):
        causes.append(unsupported("spec.concurrencyPolicy", cp, ["Allow", "Forbid", "Replace"]))
    for f in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        v = spec.get(f)
        if isinstance(v, int) and not isinstance(v, bool) and v < 0:
            causes.append(invalid_value(f"spec.{f}", v, "must be greater than or equal to 0"))
    tpl = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
    if not isinstance(tpl, dict) or not (tpl.get("spec") or {}).get("containers"):
        causes.append(required("spec.jobTemplate.spec.template.spec.containers"))
    else:
        rp = (tpl.get("spec") or {}).get("restartPolicy", "Always")
        if rp not in ("OnFailure", "Never"):
            causes.append(unsupported("spec.jobTemplate.spec.template.spec.restartPolicy", rp, ["OnFailure", "Never"]))
