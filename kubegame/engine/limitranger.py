"""The LimitRanger admission plugin: a namespace's LimitRanges default and bound pod resources.

plugin/pkg/admission/limitranger/admission.go, with the LimitRange defaulting of
pkg/apis/core/v1/defaults.go (SetDefaults_LimitRangeItem: an unset `default` takes `max`, an unset
`defaultRequest` takes `default`, then `min`):

- mutating: every container without a request (limit) for a resource of a `Container` item gets
  the item's defaultRequest (default), and the pod the annotation
  `kubernetes.io/limit-ranger: LimitRanger plugin set: cpu request for container app; ...`;
- validating: `min`, `max` and `maxLimitRequestRatio` per Container (and summed per Pod), with
  the plugin's messages (`maximum cpu usage per Container is 1, but limit is 2`), as Forbidden.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.quantity import QuantityError, parse_quantity

ANNOTATION = "kubernetes.io/limit-ranger"


def _q(v: Any) -> Any:
    try:
        return parse_quantity(v)
    except (QuantityError, TypeError, ValueError):
        return None


def item_defaults(item: dict) -> tuple[dict, dict]:
    """(default limits, default requests) of a Container item, after SetDefaults_LimitRangeItem."""
    dflt = dict(item.get("default") or {})
    for k, v in (item.get("max") or {}).items():
        dflt.setdefault(k, v)
    dreq = dict(item.get("defaultRequest") or {})
    for k, v in dflt.items():
        dreq.setdefault(k, v)
    for k, v in (item.get("min") or {}).items():
        dreq.setdefault(k, v)
    return dflt, dreq


def default_limit_range(body: dict) -> None:
    """Store the defaulted items, as the API server does for a LimitRange."""
    for item in ((body.get("spec") or {}).get("limits") or []) if isinstance(body.get("spec"), dict) else []:
        if isinstance(item, dict) and item.get("type") == "Container":
            dflt, dreq = item_defaults(item)
            if dflt:
                item["default"] = dflt
            if dreq:
                item["defaultRequest"] = dreq


def _containers(spec: dict) -> list[tuple[str, dict]]:
    out = [("container", c) for c in spec.get("containers") or [] if isinstance(c, dict)]
    out += [("init container", c) for c in spec.get("initContainers") or [] if isinstance(c, dict)]
    return out


def admit(ranges: list, pod_name: str, spec: dict, annotations: dict) -> bool:
    """Default and check a pod spec against the LimitRanges; returns whether the spec changed."""
    changed = False
    notes: list[str] = []
    errors: list[str] = []
    for lr in ranges:
        for item in (lr.spec.get("limits") or []):
            if not isinstance(item, dict) or item.get("type") != "Container":
                continue
            dflt, dreq = item_defaults(item)
            for ctype, c in _containers(spec):
                res = c.setdefault("resources", {})
                set_req, set_lim = [], []
                for k, v in dreq.items():
                    if k not in (res.get("requests") or {}):
                        res.setdefault("requests", {})[k] = v
                        set_req.append(k)
                for k, v in dflt.items():
                    if k not in (res.get("limits") or {}):
                        res.setdefault("limits", {})[k] = v
                        set_lim.append(k)
                if set_req:
                    notes.append(", ".join(sorted(set_req)) + f" request for {ctype} {c.get('name', '')}")
                if set_lim:
                    notes.append(", ".join(sorted(set_lim)) + f" limit for {ctype} {c.get('name', '')}")
                changed |= bool(set_req or set_lim)
    if notes:
        annotations[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
    for lr in ranges:
        for item in (lr.spec.get("limits") or []):
            if not isinstance(item, dict):
                continue
            if item.get("type") == "Container":
                for _, c in _containers(spec):
                    res = c.get("resources") or {}
                    errors += _check(item, "Container", res.get("requests") or {}, res.get("limits") or {})
            elif item.get("type") == "Pod":
                req: dict = {}
                lim: dict = {}
                for _, c in _containers(spec)[:len(spec.get("containers") or [])]:
                    res = c.get("resources") or {}
                    for src, dst in ((res.get("requests") or {}, req), (res.get("limits") or {}, lim)):
                        for k, v in src.items():
                            q = _q(v)
                            if q is not None:
                                dst[k] = dst.get(k, 0) + q
                errors += _check(item, "Pod", req, lim, summed=True)
    if errors:
        msg = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
        raise ApiError("Forbidden", f'pods "{pod_name}" is forbidden: {msg}', 403)
    return changed


def _shown(v: Any) -> str:
    from kubegame.engine.quantity import format_cpu
    if isinstance(v, str):
        return v
    try:
        if v == int(v):
            return str(int(v))
        return format_cpu(int(v * 1000))
    except (TypeError, ValueError):
        return str(v)


def _check(item: dict, kind: str, req: dict, lim: dict, summed: bool = False) -> list[str]:
    errs: list[str] = []
    for k, enforced in (item.get("min") or {}).items():
        r, lm, e = _q(req.get(k)) if k in req else None, _q(lim.get(k)) if k in lim else None, _q(enforced)
        if r is None:
            errs.append(f"minimum {k} usage per {kind} is {enforced}.  No request is specified")
        elif e is not None and r < e:
            errs.append(f"minimum {k} usage per {kind} is {enforced}, but request is {_shown(req[k])}")
        elif lm is not None and e is not None and lm < e:
            errs.append(f"minimum {k} usage per {kind} is {enforced}, but limit is {_shown(lim[k])}")
    for k, enforced in (item.get("max") or {}).items():
        r, lm, e = _q(req.get(k)) if k in req else None, _q(lim.get(k)) if k in lim else None, _q(enforced)
        if lm is None:
            errs.append(f"maximum {k} usage per {kind} is {enforced}.  No limit is specified")
        elif e is not None and lm > e:
            errs.append(f"maximum {k} usage per {kind} is {enforced}, but limit is {_shown(lim[k])}")
        elif r is not None and e is not None and r > e:
            errs.append(f"maximum {k} usage per {kind} is {enforced}, but request is {_shown(req[k])}")
    for k, enforced in (item.get("maxLimitRequestRatio") or {}).items():
        r, lm, e = _q(req.get(k)) if k in req else None, _q(lim.get(k)) if k in lim else None, _q(enforced)
        if lm is None or r is None or e is None or r == 0:
            continue
        ratio = float(lm) / float(r)
        if ratio > float(e):
            errs.append(f"{k} max limit to request ratio per {kind} is {enforced}, but provided ratio is {ratio:f}")
    return errs
