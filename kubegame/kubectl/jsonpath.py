"""The kubectl JSONPath subset (k8s.io/client-go/util/jsonpath).

Supported: literal text, `{.a.b}`, `{.items[*].metadata.name}`, `[n]`, `[-1]`, `[a:b]`, `['key']`,
`..field` (recursive descent), `[?(@.type=="Ready")]` filters (==, !=, <, >, <=, >=, and a bare
`@.field` for existence), `{range ...}{...}{end}`, string literals `{"\\n"}`.
"""

from __future__ import annotations

import json
import re
from typing import Any


class JSONPathError(Exception):
    pass


def _text(v: Any) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(v, separators=(",", ":"), sort_keys=True)


def _tokens(template: str) -> list[tuple[str, str]]:
    """Split into ("text", s) and ("expr", s) parts."""
    out, i = [], 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(("text", template[i:]))
            break
        if j > i:
            out.append(("text", template[i:j]))
        depth, k, quote = 0, j, ""
        while k < len(template):
            ch = template[k]
            if quote:
                if ch == "\\":
                    k += 1
                elif ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            k += 1
        if k >= len(template):
            raise JSONPathError("unclosed action")
        out.append(("expr", template[j + 1:k].strip()))
        i = k + 1
    return out


_STEP = re.compile(r"""
    \.\.(?P<rec>[A-Za-z0-9_\-$*]+)           |
    \.(?P<field>[A-Za-z0-9_\-$]+|\*)          |
    \[(?P<br>(?:[^\]'"]|'[^']*'|"[^"]*")*)\]
""", re.X)


def _steps(path: str) -> list[tuple[str, str]]:
    path = path.strip()
    if path.startswith("$"):
        path = path[1:]
    if path and not path.startswith((".", "[")):
        path = "." + path
    steps, i = [], 0
    while i < len(path):
        m = _STEP.match(path, i)
        if not m:
            raise JSONPathError(f"unrecognized character in action: {path[i]!r}")
        if m.group("rec") is not None:
            steps.append(("rec", m.group("rec")))
        elif m.group("field") is not None:
            steps.append(("field", m.group("field")))
        else:
            steps.append(("br", m.group("br").strip()))
        i = m.end()
    return steps


def _filter_value(item: Any, expr: str) -> Any:
    expr = expr.strip()
    if expr.startswith("@"):
        vals = evaluate(expr[1:] or ".", item)
        return vals[0] if vals else None
    if expr[:1] in "\"'":
        return expr[1:-1]
    try:
        return json.loads(expr)
    except ValueError:
        return expr


def _apply(step: tuple[str, str], values: list[Any]) -> list[Any]:
    kind, arg = step
    out: list[Any] = []
    for v in values:
        if kind == "field":
            if arg == "*":
                if isinstance(v, dict):
                    out.extend(v[k] for k in sorted(v))
                elif isinstance(v, list):
                    out.extend(v)
            elif isinstance(v, dict) and arg in v:
                out.append(v[arg])
        elif kind == "rec":
            stack = [v]
            while stack:
                cur = stack.pop(0)
                if isinstance(cur, dict):
                    if arg in cur:
                        out.append(cur[arg])
                    stack.extend(cur[k] for k in sorted(cur))
                elif isinstance(cur, list):
                    stack.extend(cur)
        else:
            if arg.startswith("?"):
                m = re.fullmatch(r"\?\(\s*(.+?)\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)", arg)
                if not m or not isinstance(v, list):
                    if not m:
                        raise JSONPathError(f"unrecognized filter: {arg}")
                    continue
                left, op, right = m.group(1), m.group(2), m.group(3)
                for item in v:
                    a = _filter_value(item, left)
                    if op is None:
                        if a is not None:
                            out.append(item)
                        continue
                    b = _filter_value(item, right)
                    try:
                        ok = {"==": a == b, "!=": a != b}.get(op)
                        if ok is None:
                            ok = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
                    except TypeError:
                        ok = False
                    if ok:
                        out.append(item)
            elif arg == "*":
                if isinstance(v, list):
                    out.extend(v)
                elif isinstance(v, dict):
                    out.extend(v[k] for k in sorted(v))
            elif arg[:1] in "'\"":
                key = arg[1:-1]
                if isinstance(v, dict) and key in v:
                    out.append(v[key])
            elif ":" in arg:
                if isinstance(v, list):
                    parts = [int(p) if p.strip() else None for p in arg.split(":")[:2]]
                    out.extend(v[parts[0]:parts[1]])
            else:
                try:
                    idx = int(arg)
                except ValueError:
                    raise JSONPathError(f"invalid array index {arg}") from None
                if isinstance(v, list):
                    if -len(v) <= idx < len(v):
                        out.append(v[idx])
                    else:
                        raise JSONPathError("array index out of bounds: index "
                                            f"{idx}, length {len(v)}")
    return out


def evaluate(path: str, data: Any) -> list[Any]:
    values = [data]
    for step in _steps(path):
        values = _apply(step, values)
    return values


def render(template: str, data: Any) -> str:
    """Execute a kubectl -o jsonpath template against data."""
    toks = _tokens(template)
    out, _ = _run(toks, 0, data, top=True)
    return out


def _run(toks: list[tuple[str, str]], i: int, data: Any, top: bool = False) -> tuple[str, int]:
    out = []
    while i < len(toks):
        kind, s = toks[i]
        if kind == "text":
            out.append(s)
            i += 1
            continue
        if s == "end":
            if top:
                raise JSONPathError("not in range, nothing to end")
            return "".join(out), i + 1
        if s.startswith("range "):
            items = evaluate(s[6:], data)
            # find the body span
            body_start = i + 1
            end_i = body_start
            depth = 1
            while end_i < len(toks):
                if toks[end_i][0] == "expr" and toks[end_i][1].startswith("range "):
                    depth += 1
                elif toks[end_i] == ("expr", "end"):
                    depth -= 1
                    if depth == 0:
                        break
                end_i += 1
            if end_i >= len(toks):
                raise JSONPathError("range without end")
            elems: list[Any] = []
            for it in items:
                if isinstance(it, list):
                    elems.extend(it)
                else:
                    elems.append(it)
            for el in elems:
                text, _ = _run(toks[body_start:end_i + 1], 0, el)
                out.append(text)
            i = end_i + 1
            continue
        if s[:1] in "\"'":
            lit = s[1:-1]
            out.append(lit.encode().decode("unicode_escape") if "\\" in lit else lit)
            i += 1
            continue
        vals = evaluate(s, data)
        if not vals and re.search(r"[A-Za-z]", s) and not top:
            pass
        out.append(" ".join(_text(v) for v in vals))
        i += 1
    return "".join(out), i


def render_as_json(template: str, data: Any) -> str:
    """-o jsonpath-as-json: every value the expressions find, as one JSON array (4-space indent, as
    k8s.io/client-go/util/jsonpath's EnableJSONOutput prints it)."""
    import json
    values: list = []
    for expr in re.findall(r"\{([^{}]*)\}", template):
        expr = expr.strip()
        if not expr or expr.startswith(("range", "end")):
            raise JSONPathError("jsonpath-as-json supports field expressions only here")
        values.extend(evaluate(expr if expr.startswith(".") else "." + expr, data))
    return json.dumps(values, indent=4, ensure_ascii=False) + "\n"
