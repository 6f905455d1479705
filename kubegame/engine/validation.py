"""API server validation, with the field paths and wording of Kubernetes' validation errors.

Sources: pkg/apis/core/validation, pkg/apis/apps/validation (messages from
k8s.io/apimachinery/pkg/util/validation/field/errors.go).
"""

from __future__ import annotations

import json
import re
from typing import Any

from kubegame.engine.quantity import QuantityError, parse_quantity

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                 "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
                 "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")

# kinds whose names must be DNS-1123 labels rather than subdomains
LABEL_NAMED = ("Service", "Namespace", "Deployment", "StatefulSet", "DaemonSet")


def go_value(v: Any) -> str:
    """Render a value the way Go's %v/%q show it in field errors."""
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        inner = ", ".join(f"{json.dumps(str(k))}:{json.dumps(str(x))}" for k, x in v.items())
        return "map[string]string{" + inner + "}"
    if v is None:
        return "null"
    return str(v)


def required(path: str) -> str:
    return f"{path}: Required value"


def invalid_value(path: str, value: Any, detail: str) -> str:
    return f"{path}: Invalid value: {go_value(value)}: {detail}"


def unsupported(path: str, value: Any, allowed: list[str]) -> str:
    quoted = ", ".join(f'"{a}"' for a in allowed)
    return f"{path}: Unsupported value: {go_value(value)}: supported values: {quoted}"


def selector_matches(selector: dict | None, labels: dict) -> bool:
    """A metav1.LabelSelector (matchLabels + matchExpressions) against labels: a nil selector
    matches nothing, an empty one everything (metav1.LabelSelectorAsSelector)."""
    if selector is None:
        return False
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key"), expr.get("operator")
        values = expr.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def validate_name(kind: str, name: Any, causes: list[str]) -> None:
    if not name:
        causes.append("metadata.name: Required value: name or generateName is required")
        return
    if not isinstance(name, str):
        causes.append(invalid_value("metadata.name", name, "must be a string"))
        return
    if kind in LABEL_NAMED:
        if not DNS1123_LABEL.match(name) or len(name) > 63:
            causes.append(invalid_value("metadata.name", name, LABEL_MSG))
    elif not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
        causes.append(invalid_value("metadata.name", name, SUBDOMAIN_MSG))


QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
QUALIFIED_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                 "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                 "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
MAX_ANNOTATIONS_BYTES = 256 * 1024       # apimachinery's TotalAnnotationSizeLimitB
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def qualified_name_problem(key: str) -> str:
    """k8s.io/apimachinery/pkg/util/validation IsQualifiedName: `[prefix/]name`."""
    prefix, _, name = key.rpartition("/")
    if prefix and (not DNS1123_SUBDOMAIN.match(prefix) or len(prefix) > 253):
        return "prefix part " + SUBDOMAIN_MSG
    if not name:
        return "name part must be non-empty"
    if len(name) > 63:
        return "name part must be no more than 63 characters"
    if not QUALIFIED_NAME.match(name):
        return QUALIFIED_MSG
    return ""


def validate_annotations(path: str, annotations: Any, causes: list[str]) -> None:
    if not isinstance(annotations, dict):
        return
    total = 0
    for k, v in annotations.items():
        problem = qualified_name_problem(str(k))
        if problem:
            causes.append(invalid_value(path, k, problem))
        total += len(str(k)) + len(str(v))
    if total > MAX_ANNOTATIONS_BYTES:
        causes.append(f"{path}: Too long: must have at most {MAX_ANNOTATIONS_BYTES} bytes")


def validate_selector(path: str, selector: Any, causes: list[str]) -> None:
    """metav1validation.ValidateLabelSelector: operators and their values."""
    if not isinstance(selector, dict):
        return
    validate_labels(f"{path}.matchLabels", selector.get("matchLabels"), causes)
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        ep = f"{path}.matchExpressions[{i}]"
        if not isinstance(expr, dict):
            continue
        op, values = expr.get("operator"), expr.get("values") or []
        if op not in SELECTOR_OPERATORS:
            causes.append(invalid_value(f"{ep}.operator", op, "not a valid selector operator"))
        elif op in ("In", "NotIn") and not values:
            causes.append(f"{ep}.values: Required value: must be specified when `operator` is 'In' or 'NotIn'")
        elif op in ("Exists", "DoesNotExist") and values:
            causes.append(f"{ep}.values: Forbidden: may not be specified when `operator` is 'Exists' or "
                          "'DoesNotExist'")
        key = str(expr.get("key") or "")
        problem = qualified_name_problem(key)
        if problem:
            causes.append(invalid_value(f"{ep}.key", key, problem))


def validate_labels(path: str, labels: Any, causes: list[str]) -> None:
    if labels is None:
        return
    if not isinstance(labels, dict):
        causes.append(invalid_value(path, labels, "must be a map of strings"))
        return
    for k in labels:
        problem = qualified_name_problem(str(k))
        if problem:
            causes.append(invalid_value(path, k, problem))
    for v in labels.values():
        if not isinstance(v, str) or not LABEL_VALUE.match(v) or len(v) > 63:
            causes.append(invalid_value(f"{path}", v,
                          "a valid label must be an empty string or consist of alphanumeric characters, "
                          "'-', '_' or '.', and must start and end with an alphanumeric character"))


def validate_pod_spec(path: str, spec: Any, causes: list[str]) -> None:
    if not isinstance(spec, dict):
        causes.append(required(path))
        return
    containers = spec.get("containers")
    if not containers:
        causes.append(required(f"{path}.containers"))
        return
    names: list[str] = []
    for i, c in enumerate(containers):
        cp = f"{path}.containers[{i}]"
        if not isinstance(c, dict):
            causes.append(invalid_value(cp, c, "must be an object"))
            continue
        if not c.get("name"):
            causes.append(required(f"{cp}.name"))
        elif c["name"] in names:
            causes.append(f'{cp}.name: Duplicate value: "{c["name"]}"')
        else:
            names.append(c["name"])
            if not DNS1123_LABEL.match(str(c["name"])):
                causes.append(invalid_value(f"{cp}.name", c["name"], LABEL_MSG))
        if not c.get("image"):
            causes.append(required(f"{cp}.image"))
        res = c.get("resources") or {}
        for part in ("requests", "limits"):
            for rname, q in (res.get(part) or {}).items():
                try:
                    val = parse_quantity(q)
                except QuantityError as exc:
                    causes.append(invalid_value(f"{cp}.resources.{part}[{rname}]", q, str(exc)))
                    continue
                if val < 0:
                    causes.append(invalid_value(f"{cp}.resources.{part}.{rname}", q,
                                                "must be greater than or equal to 0"))
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        for rname in req:
            if rname in lim:
                try:
                    if parse_quantity(req[rname]) > parse_quantity(lim[rname]):
                        causes.append(invalid_value(f"{cp}.resources.requests", req[rname],
                                                    f"must be less than or equal to {rname} limit of {lim[rname]}"))
                except QuantityError:
                    pass
    rp = spec.get("restartPolicy", "Always")
    if rp not in ("Always", "OnFailure", "Never"):
        causes.append(unsupported(f"{path}.restartPolicy", rp, ["Always", "OnFailure", "Never"]))


def _int_or_percent(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool) and v >= 0) or (
        isinstance(v, str) and re.fullmatch(r"[0-9]+%", v) is not None)


def validate_workload(kind: str, spec: Any, causes: list[str], needs_selector: bool = True) -> None:
    if not isinstance(spec, dict):
        causes.append(required("spec"))
        return
    r = spec.get("replicas")
    if r is not None and (not isinstance(r, int) or isinstance(r, bool) or r < 0):
        causes.append(invalid_value("spec.replicas", r, "must be greater than or equal to 0"))
    sel = spec.get("selector")
    tpl = spec.get("template")
    if needs_selector and not sel:
        causes.append(required("spec.selector"))
    elif isinstance(sel, dict) and not (sel.get("matchLabels") or sel.get("matchExpressions")):
        causes.append(invalid_value("spec.selector", sel, "empty selector is invalid for deployment"))
    if not isinstance(tpl, dict):
        causes.append(required("spec.template"))
        return
    labels = (tpl.get("metadata") or {}).get("labels") or {}
    validate_labels("spec.template.metadata.labels", labels, causes)
    if isinstance(sel, dict) and (sel.get("matchLabels") or sel.get("matchExpressions")) and isinstance(labels, dict):
        if not selector_matches(sel, labels):
            causes.append(invalid_value("spec.template.metadata.labels", labels,
                                        "`selector` does not match template `labels`"))
    validate_pod_spec("spec.template.spec", tpl.get("spec"), causes)
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"):
        rp = (tpl.get("spec") or {}).get("restartPolicy", "Always") if isinstance(tpl.get("spec"), dict) else "Always"
        if rp != "Always":
            causes.append(unsupported("spec.template.spec.restartPolicy", rp, ["Always"]))
    if kind == "Deployment":
        st = spec.get("strategy") or {}
        t = st.get("type", "RollingUpdate")
        if t not in ("RollingUpdate", "Recreate"):
            causes.append(unsupported("spec.strategy.type", t, ["Recreate", "RollingUpdate"]))
        ru = st.get("rollingUpdate")
        if t == "Recreate" and ru:
            causes.append("spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'")
        if t == "RollingUpdate" and isinstance(ru, dict):
            for f in ("maxSurge", "maxUnavailable"):
                if f in ru and not _int_or_percent(ru[f]):
                    causes.append(invalid_value(f"spec.strategy.rollingUpdate.{f}", ru[f],
                                                "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"))
            if str(ru.get("maxSurge")) in ("0", "0%") and str(ru.get("maxUnavailable")) in ("0", "0%"):
                causes.append(invalid_value("spec.strategy.rollingUpdate.maxUnavailable", ru.get("maxUnavailable"),
                                            "may not be 0 when `maxSurge` is 0"))


def validate_service(spec: Any, causes: list[str]) -> None:
    if not isinstance(spec, dict):
        causes.append(required("spec"))
        return
    t = spec.get("type", "ClusterIP")
    if t not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        causes.append(unsupported("spec.type", t, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]))
    ports = spec.get("ports")
    if not ports and t != "ExternalName":
        causes.append(required("spec.ports"))
    for i, p in enumerate(ports or []):
        port = p.get("port") if isinstance(p, dict) else None
        if not isinstance(port, int) or not 1 <= port <= 65535:
            causes.append(invalid_value(f"spec.ports[{i}].port", port, "must be between 1 and 65535, inclusive"))
        np = p.get("nodePort") if isinstance(p, dict) else None
        if np is not None and t == "ClusterIP":
            causes.append(f"spec.ports[{i}].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")
        elif np is not None and (not isinstance(np, int) or not 30000 <= np <= 32767):
            causes.append(invalid_value(f"spec.ports[{i}].nodePort", np,
                                        "provided port is not in the valid range. The range of valid ports is 30000-32767"))
        if len(ports) > 1 and isinstance(p, dict) and not p.get("name"):
            causes.append(required(f"spec.ports[{i}].name"))


def validate(kind: str, body: dict, max_replicas: int | None = None) -> list[str]:
    """Validation causes for one (defaulted) object body; empty when it is valid. `max_replicas` is
    the cluster's replica ceiling (a game limit: kubegame's cluster lives in one process)."""
    from kubegame.engine import validation_access

    causes: list[str] = []
    md = body.get("metadata") or {}
    if not validation_access.validate_name(kind, md.get("name"), causes):
        validate_name(kind, md.get("name"), causes)
    validation_access.validate(kind, body, causes)
    if kind in ("PersistentVolume", "PersistentVolumeClaim", "StorageClass"):
        from kubegame.engine import storage
        storage.validate(kind, body, causes)
    if kind == "NetworkPolicy":
        from kubegame.engine import networkpolicy
        networkpolicy.validate(body, causes)
    validate_labels("metadata.labels", md.get("labels"), causes)
    validate_annotations("metadata.annotations", md.get("annotations"), causes)
    spec = body.get("spec")
    if isinstance(spec, dict):
        if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "PodDisruptionBudget"):
            validate_selector("spec.selector", spec.get("selector"), causes)
        if max_replicas is not None:
            for f in ("replicas", "parallelism", "completions", "maxReplicas"):
                v = spec.get(f)
                if isinstance(v, int) and not isinstance(v, bool) and v > max_replicas \
                        and (f != "maxReplicas" or kind == "HorizontalPodAutoscaler") \
                        and (f not in ("parallelism", "completions") or kind == "Job"):
                    causes.append(invalid_value(f"spec.{f}", v, f"must be less than or equal to {max_replicas} "
                                                "(this cluster's replica ceiling)"))
    if kind == "HorizontalPodAutoscaler" and isinstance(spec, dict):
        validate_hpa(spec, causes)
    if kind in ("ConfigMap", "Secret"):
        validate_data_size(kind, body, causes)
    if kind == "Pod":
        validate_pod_spec("spec", spec, causes)
    elif kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"):
        validate_workload(kind, spec, causes)
    elif kind == "Job":
        validate_workload(kind, spec, causes, needs_selector=False)
        if isinstance(spec, dict) and isinstance(spec.get("template"), dict):
            rp = (spec["template"].get("spec") or {}).get("restartPolicy", "Always")
            if rp not in ("OnFailure", "Never"):
                causes[:] = [c for c in causes if "restartPolicy" not in c]
                causes.append(unsupported("spec.template.spec.restartPolicy", rp, ["OnFailure", "Never"]))
    elif kind == "Service":
        validate_service(spec, causes)
    return causes


MAX_DATA_BYTES = 1024 * 1024        # corevalidation.MaxSecretSize / the ConfigMap data limit (1 MiB)


def validate_data_size(kind: str, body: dict, causes: list[str]) -> None:
    """A ConfigMap's or Secret's data holds at most 1 MiB (pkg/apis/core/validation)."""
    total = 0
    for field in ("data", "binaryData", "stringData"):
        d = body.get(field)
        if isinstance(d, dict):
            for k, v in d.items():
                total += len(str(k)) + len(str(v))
    if total > MAX_DATA_BYTES:
        where = "[]" if kind == "ConfigMap" else "data"
        causes.append(f"{where}: Too long: must have at most {MAX_DATA_BYTES} bytes")


def validate_hpa(spec: dict, causes: list[str]) -> None:
    """pkg/apis/autoscaling/validation: ValidateHorizontalPodAutoscalerSpec and the metric targets."""
    lo, hi = spec.get("minReplicas", 1), spec.get("maxReplicas")
    if isinstance(lo, int) and lo < 1:
        causes.append(invalid_value("spec.minReplicas", lo, "must be greater than or equal to 1"))
    if not isinstance(hi, int) or isinstance(hi, bool):
        causes.append(required("spec.maxReplicas"))
    elif hi < 1:
        causes.append(invalid_value("spec.maxReplicas", hi, "must be greater than 0"))
    elif isinstance(lo, int) and hi < lo:
        causes.append(invalid_value("spec.maxReplicas", hi, "must be greater than or equal to `minReplicas`"))
    ref = spec.get("scaleTargetRef")
    if not isinstance(ref, dict) or not ref.get("kind"):
        causes.append(required("spec.scaleTargetRef.kind"))
    if not isinstance(ref, dict) or not ref.get("name"):
        causes.append(required("spec.scaleTargetRef.name"))
    for i, m in enumerate(spec.get("metrics") or []):
        if not isinstance(m, dict):
            continue
        for source in ("resource", "containerResource", "pods", "object", "external"):
            target = ((m.get(source) or {}).get("target")) if isinstance(m.get(source), dict) else None
            if not isinstance(target, dict):
                continue
            tp = f"spec.metrics[{i}].{source}.target"
            util = target.get("averageUtilization")
            if isinstance(util, int) and util <= 0:
                causes.append(invalid_value(f"{tp}.averageUtilization", util, "must be greater than 0"))
            for q in ("averageValue", "value"):
                if q in target:
                    try:
                        if parse_quantity(target[q]) <= 0:
                            causes.append(invalid_value(f"{tp}.{q}", target[q], "must be positive"))
                    except QuantityError:
                        pass


def immutable_changes(kind: str, old: dict, new: dict) -> list[str]:
    """Causes for changes to fields the API server refuses to change."""
    causes = []
    if kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job"):
        if (old.get("selector") or None) != (new.get("selector") or None) and new.get("selector") is not None:
            sel = new.get("selector")
            causes.append(f"spec.selector: Invalid value: v1.LabelSelector{{MatchLabels:{go_value((sel or {}).get('matchLabels') or {})}, "
                          f"MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: field is immutable")
    if kind == "Service" and old.get("clusterIP") and new.get("clusterIP") and old["clusterIP"] != new["clusterIP"]:
        causes.append(invalid_value("spec.clusterIPs[0]", new["clusterIP"], "may not change once set"))
    return causes
