"""Shared helpers: HumanDuration, kubectl's tabwriter table, label and field selectors."""

from __future__ import annotations

import re
from typing import Any

from kubegame.engine.objects import EPOCH_YEAR
from kubegame.engine.validation import selector_matches as _engine_selector_matches

MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class KubectlError(Exception):
    """A client-side error: kubectl prints `error: MESSAGE`."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def human_duration(seconds: int) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration (the AGE column)."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 60 * 2:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rem = s % 60
        return f"{minutes}m" if rem == 0 else f"{minutes}m{rem}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def short_duration(seconds: int) -> str:
    """duration.ShortHumanDuration (used in `describe` events' Age column)."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h"
    if s < 86400 * 365:
        return f"{s // 86400}d"
    return f"{s // (86400 * 365)}y"


TS_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$")


def tick_of(ts: Any) -> int | None:
    """The tick of an RFC 3339 timestamp the engine rendered (the inverse of objects.timestamp)."""
    if not isinstance(ts, str):
        return None
    m = TS_RE.match(ts)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(x) for x in m.groups())
    if y != EPOCH_YEAR:
        return None
    days = sum(MONTH_DAYS[: mo - 1]) + d - 1
    return days * 86400 + h * 3600 + mi * 60 + s


def table(rows: list[list[str]]) -> str:
    """text/tabwriter as kubectl sets it up: minwidth 6, tabwidth 4, padding 3, last cell unpadded."""
    if not rows:
        return ""
    ncols = max(len(r) for r in rows)
    widths = [0] * ncols
    for r in rows:
        for i, cell in enumerate(r[:-1]):
            widths[i] = max(widths[i], len(cell) + 3, 6)
    out = []
    for r in rows:
        line = "".join(cell.ljust(widths[i]) for i, cell in enumerate(r[:-1])) + (r[-1] if r else "")
        out.append(line)
    return "\n".join(out) + "\n"


# -- label selectors (k8s.io/apimachinery/pkg/labels) -------------------------------------------

_LABEL_KEY = re.compile(r"^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts]


Requirement = tuple[str, str, list[str]]   # key, op (=, !=, in, notin, exists, !), values


def parse_selector(text: str) -> list[Requirement]:
    """Parse `app=shop,tier!=db,env in (a,b),!canary,release`."""
    reqs: list[Requirement] = []
    if not text.strip():
        return reqs
    for part in _split_top(text):
        if not part:
            raise KubectlError("unable to parse requirement: found '', expected: identifier")
        m = re.fullmatch(r"(\S+)\s+(in|notin)\s*\(([^)]*)\)", part)
        if m:
            key, op, vals = m.group(1), m.group(2), [v.strip() for v in m.group(3).split(",") if v.strip()]
        elif part.startswith("!"):
            key, op, vals = part[1:].strip(), "!", []
        else:
            m = re.fullmatch(r"([^=!\s]+)\s*(==|=|!=)\s*(\S*)", part)
            if m:
                key, op, vals = m.group(1), "!=" if m.group(2) == "!=" else "=", [m.group(3)]
            elif re.fullmatch(r"[^=!\s()]+", part):
                key, op, vals = part, "exists", []
            else:
                raise KubectlError(f"unable to parse requirement: <nil>: Invalid value: \"{part}\": "
                                   "name part must consist of alphanumeric characters, '-', '_' or '.', "
                                   "and must start and end with an alphanumeric character")
        if not _LABEL_KEY.match(key):
            raise KubectlError(f"unable to parse requirement: <nil>: Invalid value: \"{key}\": name part must "
                               "consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                               "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                               "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
        reqs.append((key, op, vals))
    return reqs


def selector_matches(reqs: list[Requirement], labels: dict[str, str]) -> bool:
    for key, op, vals in reqs:
        has = key in labels
        v = labels.get(key)
        if op == "=" and v != vals[0]:
            return False
        if op == "!=" and has and v == vals[0]:
            return False
        if op == "in" and v not in vals:
            return False
        if op == "notin" and has and v in vals:
            return False
        if op == "exists" and not has:
            return False
        if op == "!" and has:
            return False
    return True


def format_label_selector(sel: dict | None) -> str:
    """metav1.FormatLabelSelector: `app=shop,tier in (a,b)`; `<none>` when empty."""
    if not sel:
        return "<none>"
    parts = [f"{k}={v}" for k, v in sorted((sel.get("matchLabels") or {}).items())]
    for e in sel.get("matchExpressions") or []:
        op = e.get("operator")
        vals = ",".join(e.get("values") or [])
        if op == "In":
            parts.append(f"{e.get('key')} in ({vals})")
        elif op == "NotIn":
            parts.append(f"{e.get('key')} notin ({vals})")
        elif op == "Exists":
            parts.append(str(e.get("key")))
        elif op == "DoesNotExist":
            parts.append(f"!{e.get('key')}")
    return ",".join(parts) or "<none>"


label_selector_matches = _engine_selector_matches   # a metav1.LabelSelector, as the engine matches it


def format_labels(labels: dict | None) -> str:
    if not labels:
        return "<none>"
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


# -- field selectors -----------------------------------------------------------------------------

FIELD_PATHS = {
    "metadata.name": lambda d: d.get("metadata", {}).get("name", ""),
    "metadata.namespace": lambda d: d.get("metadata", {}).get("namespace", ""),
    "status.phase": lambda d: (d.get("status") or {}).get("phase", ""),
    "spec.nodeName": lambda d: (d.get("spec") or {}).get("nodeName", ""),
    "spec.restartPolicy": lambda d: (d.get("spec") or {}).get("restartPolicy", ""),
    "spec.schedulerName": lambda d: (d.get("spec") or {}).get("schedulerName", ""),
    "spec.serviceAccountName": lambda d: (d.get("spec") or {}).get("serviceAccountName", ""),
    "status.podIP": lambda d: (d.get("status") or {}).get("podIP", ""),
    "spec.unschedulable": lambda d: "true" if (d.get("spec") or {}).get("unschedulable") else "false",
    "type": lambda d: d.get("type", ""),
    "reason": lambda d: d.get("reason", ""),
    "involvedObject.name": lambda d: (d.get("involvedObject") or {}).get("name", ""),
    "involvedObject.kind": lambda d: (d.get("involvedObject") or {}).get("kind", ""),
    "involvedObject.namespace": lambda d: (d.get("involvedObject") or {}).get("namespace", ""),
    "involvedObject.apiVersion": lambda d: (d.get("involvedObject") or {}).get("apiVersion", ""),
    "involvedObject.resourceVersion": lambda d: (d.get("involvedObject") or {}).get("resourceVersion", ""),
    "involvedObject.uid": lambda d: (d.get("involvedObject") or {}).get("uid", ""),
    "involvedObject.fieldPath": lambda d: (d.get("involvedObject") or {}).get("fieldPath", ""),
    "source": lambda d: (d.get("source") or {}).get("component", ""),
    "status.nominatedNodeName": lambda d: (d.get("status") or {}).get("nominatedNodeName", ""),
    "spec.hostNetwork": lambda d: "true" if (d.get("spec") or {}).get("hostNetwork") else "false",
}

FIELDS_BY_KIND = {
    # pkg/registry/core/pod/strategy.go ToSelectableFields, event/strategy.go, node/strategy.go
    "Pod": ["metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
            "status.nominatedNodeName"],
    "Node": ["metadata.name", "spec.unschedulable"],
    "Event": ["metadata.name", "metadata.namespace", "involvedObject.name", "involvedObject.kind",
              "involvedObject.namespace", "involvedObject.uid", "involvedObject.fieldPath",
              "involvedObject.apiVersion", "involvedObject.resourceVersion", "reason", "source",
              "type"],
}


def parse_field_selector(text: str, kind: str, version: str = "v1") -> list[tuple[str, str, str]]:
    out = []
    if not text.strip():
        return out
    for part in text.split(","):
        m = re.fullmatch(r"\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*", part)
        if not m:
            raise KubectlError(f"invalid selector: '{text}'; can't understand '{part}'")
        key, op, val = m.group(1), m.group(2), m.group(3)
        allowed = FIELDS_BY_KIND.get(kind, ["metadata.name", "metadata.namespace"])
        if key not in allowed:
            raise ApiBadRequest(f'"{key}" is not a known field selector: only "metadata.name", '
                                f'"metadata.namespace"' if kind not in FIELDS_BY_KIND else
                                f'field label not supported: {key}')
        out.append((key, "!=" if op == "!=" else "=", val))
    return out


class ApiBadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def field_matches(reqs: list[tuple[str, str, str]], d: dict) -> bool:
    for key, op, val in reqs:
        got = FIELD_PATHS[key](d)
        if (op == "=") != (str(got) == val):
            return False
    return True


def tabwrite(text: str, minwidth: int, padding: int) -> str:
    """Go's text/tabwriter (no flags): column blocks of consecutive lines, cells ended by a tab."""
    lines = [ln.split("\t") for ln in text.split("\n")]
    out: list[str] = []
    widths: list[int] = []

    def write_lines(a: int, b: int) -> None:
        for ln in lines[a:b]:
            parts = []
            for j, cell in enumerate(ln):
                if j < len(ln) - 1 and j < len(widths):
                    parts.append(cell.ljust(widths[j]))
                else:
                    parts.append(cell)
            out.append("".join(parts))

    def fmt(line0: int, line1: int) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            ln = lines[this]
            if column >= len(ln) - 1:
                this += 1
                continue
            write_lines(line0, this)
            line0 = this
            width = minwidth
            while this < line1:
                ln = lines[this]
                if column >= len(ln) - 1:
                    break
                width = max(width, len(ln[column]) + padding)
                this += 1
            widths.append(width)
            fmt(line0, this)
            widths.pop()
            line0 = this
        write_lines(line0, line1)

    fmt(0, len(lines))
    return "\n".join(out)


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration(raw: str, flag: str) -> float:
    """Go's time.ParseDuration ("30s", "1m30s", "-1s", "0") in seconds, with its errors as pflag
    prints them (`invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"`)."""
    def fail(why: str) -> KubectlError:
        return KubectlError(f'invalid argument "{raw}" for "--{flag}" flag: time: {why}', 1)
    s = raw
    sign = 1.0
    if s[:1] in ("-", "+"):
        sign, s = (-1.0 if s[0] == "-" else 1.0), s[1:]
    if s == "0":
        return 0.0
    if not s:
        raise fail(f'invalid duration "{raw}"')
    total = 0.0
    while s:
        m = re.match(r"(\d*)(\.\d*)?", s)
        if m is None or (not m.group(1) and (m.group(2) or ".") == "."):
            raise fail(f'invalid duration "{raw}"')
        number = float((m.group(1) or "0") + (m.group(2) or ""))
        s = s[m.end():]
        u = re.match(r"[^\d.]*", s).group(0)
        if not u:
            raise fail(f'missing unit in duration "{raw}"')
        if u not in _DURATION_UNITS:
            raise fail(f'unknown unit "{u}" in duration "{raw}"')
        total += number * _DURATION_UNITS[u]
        s = s[len(u):]
    return sign * total


def request_timeout(p: Any) -> float | None:
    """--request-timeout (client-go's clientcmd): whole seconds or a Go duration; 0: none."""
    raw = p.flags.get("request-timeout")
    if raw is None:
        return None
    raw = str(raw)
    if re.fullmatch(r"\d+", raw):
        secs = float(int(raw))
    else:
        try:
            secs = go_duration(raw, "request-timeout")
        except KubectlError:
            secs = -1.0
        if secs < 0:
            raise KubectlError("Invalid timeout value. Timeout must be a single integer in seconds, or an integer "
                               "followed by a corresponding time unit (e.g. 1s | 2m | 3h)")
    return secs or None


def go_duration_text(seconds: float) -> str:
    """Go's time.Duration.String() for whole seconds: 10s, 1m30s, 1h0m0s."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60}s"
    return f"{s // 3600}h{s % 3600 // 60}m{s % 60}s"


def aggregate(errors: list[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): one message, or `[a, b]`."""
    return errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
