"""`kubectl describe` for ServiceAccount, Role, ClusterRole, RoleBinding, ClusterRoleBinding,
ResourceQuota, LimitRange, CronJob and Namespace, in the layouts of
staging/src/k8s.io/kubectl/pkg/describe/describe.go (describeServiceAccount, RoleDescriber with
rbac.BreakdownRule, CompactRules and SortableRuleSlice, describeQuota, describeLimitRange,
describeCronJob, describeNamespace with DescribeResourceQuotas and DescribeLimitRanges).

kubectl writes a LimitRange's resources in Go map order (random); here they are sorted.
"""

from __future__ import annotations

from typing import Any

from kubegame.kubectl.core import Ctx
from kubegame.kubectl.describe import (
    DESCRIBERS,
    W,
    _annotations,
    _labels,
    _pod_template,
    events_section,
    rfc1123z,
)
from kubegame.kubectl.printers import Item

QUOTA_SCOPE_HELP = {
    "Terminating": "Matches all pods that have an active deadline. These pods have a limited lifespan on a node "
                   "before being actively terminated by the system.",
    "NotTerminating": "Matches all pods that do not have an active deadline. These pods usually include long "
                      "running pods whose container command is not expected to terminate.",
    "BestEffort": "Matches all pods that do not have resource requirements set. These pods have a best effort "
                  "quality of service.",
    "NotBestEffort": "Matches all pods that have at least one resource requirement set. These pods have a "
                     "burstable or guaranteed quality of service.",
}


def _go_list(xs: list) -> str:
    return "[" + " ".join(str(x) for x in xs) + "]"


def _head(w: W, md: dict, namespace: bool = True) -> None:
    w.w(0, f"Name:\t{md.get('name')}\n")
    if namespace and md.get("namespace"):
        w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))


def describe_service_account(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    w = W()
    _head(w, md)
    # describe.go describeServiceAccount (1.37): only the image pull secrets; mountable secrets and
    # tokens are no longer shown
    w.multi(0, "Image pull secrets", [s.get("name", "") for s in d.get("imagePullSecrets") or []])
    events_section(ctx, w, it.kind, md.get("namespace", ""), md.get("name", ""))
    return w.text()


def breakdown(rule: dict) -> list[dict]:
    """rbac.BreakdownRule: one rule per group, resource and name, and per non-resource URL."""
    out = []
    verbs = list(rule.get("verbs") or [])
    for g in rule.get("apiGroups") or []:
        for r in rule.get("resources") or []:
            names = rule.get("resourceNames") or []
            if names:
                out += [{"apiGroups": [g], "resources": [r], "resourceNames": [n], "verbs": verbs} for n in names]
            else:
                out.append({"apiGroups": [g], "resources": [r], "verbs": verbs})
    for u in rule.get("nonResourceURLs") or []:
        out.append({"nonResourceURLs": [u], "verbs": verbs})
    return out


def compact(rules: list[dict]) -> list[dict]:
    """rbac.CompactRules: rules of one group and resource (and nothing else) merge their verbs."""
    simple: dict[tuple[str, str], dict] = {}
    out: list[dict] = []
    for r in rules:
        if len(r.get("apiGroups") or []) == 1 and len(r.get("resources") or []) == 1 \
                and not r.get("resourceNames") and not r.get("nonResourceURLs"):
            key = (r["apiGroups"][0], r["resources"][0])
            if key in simple:
                verbs = simple[key]["verbs"]
                verbs += [v for v in r["verbs"] if v not in verbs]
                continue
            simple[key] = {"apiGroups": list(r["apiGroups"]), "resources": list(r["resources"]),
                           "verbs": list(r["verbs"])}
            out.append(simple[key])
        else:
            out.append(r)
    return out


def _rule_string(r: dict) -> str:
    """The generated String() of rbacv1.PolicyRule, which SortableRuleSlice compares."""
    return (f"&PolicyRule{{Verbs:{_go_list(r.get('verbs') or [])},APIGroups:{_go_list(r.get('apiGroups') or [])},"
            f"Resources:{_go_list(r.get('resources') or [])},ResourceNames:{_go_list(r.get('resourceNames') or [])},"
            f"NonResourceURLs:{_go_list(r.get('nonResourceURLs') or [])},}}")


def combine_resource_group(resources: list[str], groups: list[str]) -> str:
    if not resources:
        return ""
    base, _, sub = resources[0].partition("/")
    combined = base + (f".{groups[0]}" if groups and groups[0] else "")
    return combined + (f"/{sub}" if sub else "")


def describe_role(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    w = W()
    _head(w, md, namespace=False)
    rules = compact([b for r in d.get("rules") or [] if isinstance(r, dict) for b in breakdown(r)])
    rules.sort(key=_rule_string)
    w.w(0, "PolicyRule:\n")
    w.w(1, "Resources\tNon-Resource URLs\tResource Names\tVerbs\n")
    w.w(1, "---------\t-----------------\t--------------\t-----\n")
    for r in rules:
        w.w(1, f"{combine_resource_group(r.get('resources') or [], r.get('apiGroups') or [])}\t"
               f"{_go_list(r.get('nonResourceURLs') or [])}\t{_go_list(r.get('resourceNames') or [])}\t"
               f"{_go_list(r.get('verbs') or [])}\n")
    return w.text()


def describe_binding(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    w = W()
    _head(w, md, namespace=False)
    ref = d.get("roleRef") or {}
    w.w(0, "Role:\n")
    w.w(1, f"Kind:\t{ref.get('kind', '')}\n")
    w.w(1, f"Name:\t{ref.get('name', '')}\n")
    w.w(0, "Subjects:\n")
    w.w(1, "Kind\tName\tNamespace\n")
    w.w(1, "----\t----\t---------\n")
    for s in d.get("subjects") or []:
        w.w(1, f"{s.get('kind', '')}\t{s.get('name', '')}\t{s.get('namespace', '')}\n")
    return w.text()


def _scopes(w: W, level: int, spec: dict) -> None:
    scopes = sorted(spec.get("scopes") or [])
    if scopes:
        w.w(level, f"Scopes:\t{', '.join(scopes)}\n")
        for s in scopes:
            if s in QUOTA_SCOPE_HELP:
                w.w(level, f" * {QUOTA_SCOPE_HELP[s]}\n")


def _quota_table(w: W, level: int, spec: dict, status: dict, rule: str) -> None:
    """describeQuota's and DescribeResourceQuotas' table (the namespace's underlines are `---`)."""
    _scopes(w, level, spec)
    w.w(level, "Resource\tUsed\tHard\n")
    w.w(level, f"--------\t{rule}\t{rule}\n")
    hard, used = status.get("hard") or {}, status.get("used") or {}
    for r in sorted(hard):
        w.w(level, f"{r}\t{used.get(r, '0')}\t{hard[r]}\n")


def describe_quota(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    st = d.get("status") or {}
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    _quota_table(w, 0, d.get("spec") or {}, st, "----")
    return w.text()


def _limit_rows(w: W, spec: dict, prefix: str) -> None:
    for item in spec.get("limits") or []:
        if not isinstance(item, dict):
            continue
        fields = ("min", "max", "defaultRequest", "default", "maxLimitRequestRatio")
        names = sorted({k for f in fields for k in (item.get(f) or {})})
        for k in names:
            cells = [str((item.get(f) or {}).get(k, "-")) for f in fields]
            w.w(0, f"{prefix}{item.get('type', '')}\t{k}\t" + "\t".join(cells) + "\n")


def describe_limit_range(ctx: Ctx, it: Item) -> str:
    md = it.d.get("metadata") or {}
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    w.w(0, "Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
    w.w(0, "----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
    _limit_rows(w, it.d.get("spec") or {}, "")
    return w.text()


def _unset(v: Any, suffix: str = "") -> str:
    return "<unset>" if v is None else f"{v}{suffix}"


def describe_cronjob(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    spec, st = d.get("spec") or {}, d.get("status") or {}
    w = W()
    _head(w, md)
    w.w(0, f"Schedule:\t{spec.get('schedule', '')}\n")
    w.w(0, f"Concurrency Policy:\t{spec.get('concurrencyPolicy', 'Allow')}\n")
    w.w(0, f"Suspend:\t{'True' if spec.get('suspend') else 'False'}\n")
    w.w(0, f"Successful Job History Limit:\t{_unset(spec.get('successfulJobsHistoryLimit'))}\n")
    w.w(0, f"Failed Job History Limit:\t{_unset(spec.get('failedJobsHistoryLimit'))}\n")
    w.w(0, f"Starting Deadline Seconds:\t{_unset(spec.get('startingDeadlineSeconds'), 's')}\n")
    job = (spec.get("jobTemplate") or {}).get("spec") or {}
    sel = job.get("selector")
    from kubegame.kubectl.util import format_label_selector
    w.w(0, f"Selector:\t{format_label_selector(sel) if sel else '<unset>'}\n")
    w.w(0, f"Parallelism:\t{_unset(job.get('parallelism'))}\n")
    w.w(0, f"Completions:\t{_unset(job.get('completions'))}\n")
    if job.get("activeDeadlineSeconds") is not None:
        w.w(0, f"Active Deadline Seconds:\t{job['activeDeadlineSeconds']}s\n")
    _pod_template(w, job.get("template") or {})
    last = st.get("lastScheduleTime")
    w.w(0, f"Last Schedule Time:\t{rfc1123z(last) if last else '<unset>'}\n")
    active = [a.get("name", "") for a in st.get("active") or []]
    w.w(0, f"Active Jobs:\t{', '.join(active) if active else '<none>'}\n")
    events_section(ctx, w, it.kind, md.get("namespace", ""), md.get("name", ""))
    return w.text()


def describe_namespace(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    w = W()
    _head(w, md, namespace=False)
    w.w(0, f"Status:\t{(d.get('status') or {}).get('phase', 'Active')}\n")
    ns = md.get("name", "")
    quotas = ctx.cluster.list("ResourceQuota", ns)
    w.w(0, "\n")
    if not quotas:
        w.w(0, "No resource quota.\n")
    else:
        w.w(0, "Resource Quotas\n")
        for q in quotas:
            w.w(1, f"Name:\t{q.name}\n")
            _quota_table(w, 1, q.spec, q.status or {}, "---")
    ranges = ctx.cluster.list("LimitRange", ns)
    w.w(0, "\n")
    if not ranges:
        w.w(0, "No LimitRange resource.\n")
    else:
        w.w(0, "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n")
        w.w(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n")
        for lr in ranges:
            _limit_rows(w, lr.spec, " ")
    return w.text()


DESCRIBERS.update({
    "ServiceAccount": describe_service_account, "Role": describe_role, "ClusterRole": describe_role,
    "RoleBinding": describe_binding, "ClusterRoleBinding": describe_binding, "ResourceQuota": describe_quota,
    "LimitRange": describe_limit_range, "CronJob": describe_cronjob, "Namespace": describe_namespace,
})
