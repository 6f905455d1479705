"""`-o go-template=...`: Go's text/template over the object as kubectl hands it over (the JSON
decoded into maps, whole numbers as int64 and the rest as float64), with kubectl's extra functions `base64decode`
and `exists` (k8s.io/cli-runtime/pkg/printers/template.go).

Supported: text and actions with `{{-`/`-}}` trimming, comments, pipelines (`a | f b`), field
chains on `.`, `$` and variables, `(...)`, string/raw/number/bool/nil literals, variables
(`$x := ...`, `$x = ...`), if / else if / else, range (with `$i, $v :=` and else), with,
and the builtins and, or, not, len, index, slice, print, printf, println, eq, ne, lt, le, gt,
ge. A missing map key prints `<no value>` (missingkey=default, what kubectl's
--allow-missing-template-keys=true gives). `define`/`template`/`block` are not simulated.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


class TemplateError(Exception):
    """A template that does not parse or execute: kubectl prints it after `error: `."""


NO_VALUE = object()          # a missing key: prints <no value>


# -- values as Go's fmt prints them ----------------------------------------------------------------

def format_float(f: float) -> str:
    """fmt's %v of a float64: strconv.FormatFloat(f, 'g', -1, 64), the shortest digits, in exponent
    form when the exponent is below -4 or 6 and above (so 1767225625 prints 1.767225625e+09)."""
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if math.isnan(f):
        return "NaN"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    sign, digits, exponent = Decimal(repr(f)).normalize().as_tuple()
    text = "".join(map(str, digits))
    dp = len(text) + int(exponent)
    exp = dp - 1
    neg = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mant = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{neg}{mant}e{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    if dp <= 0:
        return f"{neg}0.{'0' * -dp}{text}"
    if dp >= len(text):
        return neg + text + "0" * (dp - len(text))
    return f"{neg}{text[:dp]}.{text[dp:]}"


def to_text(v: Any) -> str:
    """fmt.Sprint of a decoded JSON value."""
    if v is NO_VALUE or v is None:
        return "<no value>"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        return format_float(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{to_inner(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(to_inner(x) for x in v) + "]"
    return str(v)


def to_inner(v: Any) -> str:
    return "<nil>" if v is None or v is NO_VALUE else to_text(v)


def truth(v: Any) -> bool:
    """text/template's `if`: false, 0, nil, empty strings, maps and slices are false."""
    if v is NO_VALUE or v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return v != 0
    if isinstance(v, (str, list, dict)):
        return len(v) > 0
    return True


# -- parsing ----------------------------------------------------------------------------------

@dataclass
class Node:
    kind: str                         # text | action | if | range | with
    text: str = ""
    pipe: Any = None                  # the pipeline of an action / the condition
    decl: list[str] = field(default_factory=list)   # range/with/action variables
    assign: bool = False              # `$x = ...` (set an existing variable)
    body: list = field(default_factory=list)
    orelse: list = field(default_factory=list)


TOKEN = re.compile(r'''\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<raw>`[^`]*`)|(?P<num>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)'''
                   r'''|(?P<field>(?:\$[\w]*)?(?:\.[\w]+)+|\.|\$[\w]*)|(?P<op>:=|=|\||\(|\)|,)|(?P<word>[A-Za-z_]\w*))''')


def _tokens(src: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    src = src.strip()
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if m is None or m.end() == pos:
            raise TemplateError(f"unexpected {src[pos:pos + 10]!r} in command")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
        while pos < len(src) and src[pos].isspace():
            pos += 1
    return out


def _split_actions(src: str) -> list[tuple[str, str]]:
    """The template as ("text", s) and ("action", inner) pieces, with `{{-` / `-}}` trimming."""
    pieces: list[tuple[str, str]] = []
    pos = 0
    while True:
        i = src.find("{{", pos)
        if i < 0:
            pieces.append(("text", src[pos:]))
            break
        j = src.find("}}", i + 2)
        if j < 0:
            raise TemplateError("unclosed action")
        text = src[pos:i]
        inner = src[i + 2:j]
        if inner.startswith("- ") or inner == "-":
            text = text.rstrip()
            inner = inner[1:]
        trim_after = inner.endswith(" -") or inner == "-"
        if trim_after:
            inner = inner[:-1]
        pieces.append(("text", text))
        pieces.append(("action", inner.strip()))
        pos = j + 2
        if trim_after:
            while pos < len(src) and src[pos].isspace():
                pos += 1
    return [p for p in pieces if not (p[0] == "text" and p[1] == "")]


def parse(src: str) -> list[Node]:
    pieces = _split_actions(src)
    stack: list[tuple[Node, list]] = []
    root: list[Node] = []
    cur = root
    for kind, text in pieces:
        if kind == "text":
            cur.append(Node("text", text))
            continue
        if text.startswith("/*"):
            if not text.endswith("*/"):
                raise TemplateError("unclosed comment")
            continue
        word = text.split(None, 1)[0] if text else ""
        rest = text[len(word):].strip()
        if word in ("if", "range", "with"):
            node = Node(word)
            node.decl, node.pipe = _decl_pipe(rest)
            cur.append(node)
            stack.append((node, cur))
            cur = node.body
        elif word == "else":
            if not stack:
                raise TemplateError("unexpected {{else}}")
            node, parent = stack[-1]
            if rest.startswith("if "):
                inner = Node("if")
                inner.decl, inner.pipe = _decl_pipe(rest[3:])
                node.orelse = [inner]
                stack[-1] = (inner, parent)       # the chained if closes with the same {{end}}
                cur = inner.body
            else:
                cur = node.orelse
        elif word == "end":
            if not stack:
                raise TemplateError("unexpected {{end}}")
            _node, cur = stack.pop()
        elif word in ("define", "template", "block"):
            raise TemplateError(f"kubegame does not simulate {{{{{word}}}}} in go templates")
        else:
            node = Node("action")
            node.decl, node.pipe = _decl_pipe(text)
            if node.decl and "=" in text and ":=" not in text.split('"')[0]:
                node.assign = True
            cur.append(node)
    if stack:
        raise TemplateError(f"unexpected EOF (an {{{{{stack[-1][0].kind}}}}} without {{{{end}}}})")
    return root


def _decl_pipe(text: str) -> tuple[list[str], list]:
    toks = _tokens(text)
    decl: list[str] = []
    for i, (k, v) in enumerate(toks):
        if k == "op" and v in (":=", "="):
            names = [x for kk, x in toks[:i] if kk == "field"]
            if not names or any(not n.startswith("$") or "." in n for n in names):
                raise TemplateError("bad variable declaration")
            decl, toks = names, toks[i + 1:]
            break
    return decl, _pipeline(toks)


def _pipeline(toks: list) -> list:
    """[command, ...] where a command is [operand, ...] (its first a function name or an operand)."""
    cmds: list = [[]]
    depth = 0
    sub: list = []
    for k, v in toks:
        if depth:
            if k == "op" and v == "(":
                depth += 1
            elif k == "op" and v == ")":
                depth -= 1
                if depth == 0:
                    cmds[-1].append(("pipe", _pipeline(sub)))
                    sub = []
                    continue
            sub.append((k, v))
            continue
        if k == "op" and v == "(":
            depth = 1
            continue
        if k == "op" and v == "|":
            cmds.append([])
            continue
        if k == "op" and v == ")":
            raise TemplateError("unexpected right paren")
        cmds[-1].append((k, v))
    if depth:
        raise TemplateError("unclosed left paren")
    if any(not c for c in cmds):
        raise TemplateError("missing value for command")
    return cmds


# -- execution --------------------------------------------------------------------------------

def _unquote(s: str) -> str:
    return bytes(s[1:-1], "utf-8").decode("unicode_escape") if s.startswith('"') else s[1:-1]


def _field(value: Any, names: list[str]) -> Any:
    for n in names:
        if value is NO_VALUE:
            return NO_VALUE
        if isinstance(value, dict):
            value = value.get(n, NO_VALUE)
        elif value is None:
            raise TemplateError(f"nil pointer evaluating interface {{}}.{n}")
        else:
            raise TemplateError(f"can't evaluate field {n} in type {type(value).__name__}")
    return value


def _lt(a: Any, b: Any) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return a < b
    if isinstance(a, str) and isinstance(b, str):
        return a < b
    raise TemplateError("incompatible types for comparison")


def _printf(fmt: str, *args: Any) -> str:
    out, i, ai = [], 0, 0
    while i < len(fmt):
        c = fmt[i]
        if c != "%":
            out.append(c)
            i += 1
            continue
        j = i + 1
        while j < len(fmt) and fmt[j] in "-+# 0123456789.":
            j += 1
        if j >= len(fmt):
            out.append("%!(NOVERB)")
            break
        verb, flags = fmt[j], fmt[i + 1:j]
        i = j + 1
        if verb == "%":
            out.append("%")
            continue
        if ai >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        a = args[ai]
        ai += 1
        if verb in "vs":
            text = to_text(a)
        elif verb == "q":
            text = '"' + to_text(a).replace("\\", "\\\\").replace('"', '\\"') + '"'
        elif verb == "d" and isinstance(a, int) and not isinstance(a, bool):
            text = str(a)
        elif verb == "d" and isinstance(a, float):
            text = f"%!d(float64={to_text(a)})"
        elif verb in "fFeEgG" and isinstance(a, (int, float)):
            text = ("%" + flags + verb) % a
            flags = ""
        else:
            text = to_text(a)
        if flags and flags.lstrip("-").isdigit():
            width = int(flags.lstrip("-"))
            text = text.ljust(width) if flags.startswith("-") else text.rjust(width)
        out.append(text)
    return "".join(out)


def _index(item: Any, *keys: Any) -> Any:
    for k in keys:
        if isinstance(item, dict):
            item = item.get(k, NO_VALUE)
        elif isinstance(item, list):
            if not isinstance(k, (int, float)) or isinstance(k, bool):
                raise TemplateError("cannot index slice/array with type string")
            if not 0 <= int(k) < len(item):
                raise TemplateError(f"error calling index: index out of range: {int(k)}")
            item = item[int(k)]
        elif item is None or item is NO_VALUE:
            raise TemplateError("error calling index: index of untyped nil")
        else:
            raise TemplateError(f"can't index item of type {type(item).__name__}")
    return item


def _base64decode(v: Any) -> str:
    try:
        return base64.b64decode(str(v), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as exc:
        raise TemplateError(f"base64decode: {exc}") from None


FUNCS = {
    "len": lambda x: len(x) if isinstance(x, (str, list, dict)) else (_ for _ in ()).throw(
        TemplateError(f"error calling len: len of type {type(x).__name__}")),
    "index": _index,
    "slice": lambda x, *a: x[int(a[0]) if a else 0:int(a[1]) if len(a) > 1 else None],
    "print": lambda *a: "".join(to_text(x) if isinstance(x, str) or i == 0 or isinstance(a[i - 1], str) else
                                " " + to_text(x) for i, x in enumerate(a)),
    "println": lambda *a: " ".join(to_text(x) for x in a) + "\n",
    "printf": lambda f, *a: _printf(str(f), *a),
    "not": lambda x: not truth(x),
    "eq": lambda a, *b: any(a == x for x in b),
    "ne": lambda a, b: a != b,
    "lt": _lt,
    "le": lambda a, b: a == b or _lt(a, b),
    "gt": lambda a, b: _lt(b, a),
    "ge": lambda a, b: a == b or _lt(b, a),
    "base64decode": _base64decode,
    "exists": lambda item, *keys: _exists(item, keys),
    "html": lambda x: to_text(x).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;")
    .replace("'", "&#39;"),
    "js": lambda x: to_text(x).replace("\\", "\\\\").replace("'", "\\'").replace('"', '\\"'),
    "urlquery": lambda *a: __import__("urllib.parse").parse.quote_plus("".join(to_text(x) for x in a)),
}


def _exists(item: Any, keys: tuple) -> bool:
    try:
        return _index(item, *keys) is not NO_VALUE
    except TemplateError:
        return False


class Exec:
    def __init__(self, root: Any):
        self.vars: list[dict[str, Any]] = [{"$": root}]
        self.strict = False        # --allow-missing-template-keys=false: missingkey=error

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.vars):
            if name in scope:
                return scope[name]
        raise TemplateError(f"undefined variable: {name}")

    def operand(self, tok: tuple, dot: Any) -> Any:
        k, v = tok
        if k == "pipe":
            return self.pipeline(v, dot)
        if k == "str" or k == "raw":
            return _unquote(v)
        if k == "num":
            return float(v) if any(c in v for c in ".eE") else int(v)
        if k == "field":
            if v == ".":
                return dot
            if v.startswith("$"):
                var, _, rest = v.partition(".")
                base = self.lookup(var)
                return _field(base, rest.split(".")) if rest else base
            value = _field(dot, v[1:].split("."))
            if value is NO_VALUE and self.strict:
                raise TemplateError(f'map has no entry for key "{v[1:].split(".")[-1]}"')
            return value
        if k == "word":
            if v in ("true", "false"):
                return v == "true"
            if v == "nil":
                return None
            if v in FUNCS or v in ("and", "or"):
                return self.call(v, [], dot, NO_VALUE)
            raise TemplateError(f'function "{v}" not defined')
        raise TemplateError(f"unexpected {v!r}")

    def call(self, name: str, args: list, dot: Any, piped: Any) -> Any:
        vals = [self.operand(a, dot) for a in args]
        if piped is not NO_VALUE:
            vals.append(piped)
        if name == "and":
            out: Any = True
            for x in vals:
                out = x
                if not truth(x):
                    return x
            return out
        if name == "or":
            for x in vals:
                if truth(x):
                    return x
            return vals[-1] if vals else None
        fn = FUNCS.get(name)
        if fn is None:
            raise TemplateError(f'function "{name}" not defined')
        try:
            return fn(*vals)
        except TypeError:
            raise TemplateError(f"wrong number of args for {name}") from None

    def pipeline(self, cmds: list, dot: Any) -> Any:
        value: Any = NO_VALUE
        for i, cmd in enumerate(cmds):
            head = cmd[0]
            if head[0] == "word" and head[1] in list(FUNCS) + ["and", "or"]:
                value = self.call(head[1], cmd[1:], dot, value if i else NO_VALUE)
            else:
                if len(cmd) > 1 or i:
                    raise TemplateError(f"can't give argument to non-function {head[1]}")
                value = self.operand(head, dot)
        return value

    def run(self, nodes: list[Node], dot: Any, out: list[str]) -> None:
        for n in nodes:
            if n.kind == "text":
                out.append(n.text)
            elif n.kind == "action":
                v = self.pipeline(n.pipe, dot)
                if n.decl:
                    if n.assign:
                        for scope in reversed(self.vars):
                            if n.decl[0] in scope:
                                scope[n.decl[0]] = v
                                break
                        else:
                            raise TemplateError(f"undefined variable: {n.decl[0]}")
                    else:
                        self.vars[-1][n.decl[0]] = v
                else:
                    out.append(to_text(v))
            elif n.kind == "if":
                self.vars.append({})
                v = self.pipeline(n.pipe, dot)
                if n.decl:
                    self.vars[-1][n.decl[0]] = v
                self.run(n.body if truth(v) else n.orelse, dot, out)
                self.vars.pop()
            elif n.kind == "with":
                self.vars.append({})
                v = self.pipeline(n.pipe, dot)
                if n.decl:
                    self.vars[-1][n.decl[0]] = v
                if truth(v):
                    self.run(n.body, v, out)
                else:
                    self.run(n.orelse, dot, out)
                self.vars.pop()
            elif n.kind == "range":
                v = self.pipeline(n.pipe, dot)
                items: list[tuple[Any, Any]]
                if isinstance(v, dict):
                    items = [(k, v[k]) for k in sorted(v)]
                elif isinstance(v, list):
                    items = list(enumerate(v))
                elif v is None or v is NO_VALUE:
                    items = []
                elif isinstance(v, (int, float)) and not isinstance(v, bool):
                    items = [(i, i) for i in range(int(v))]
                else:
                    raise TemplateError(f"range can't iterate over {to_text(v)}")
                if not items:
                    self.run(n.orelse, dot, out)
                for key, item in items:
                    self.vars.append({})
                    if len(n.decl) == 1:
                        self.vars[-1][n.decl[0]] = item
                    elif len(n.decl) == 2:
                        self.vars[-1][n.decl[0]] = key
                        self.vars[-1][n.decl[1]] = item
                    self.run(n.body, item, out)
                    self.vars.pop()


def render(template: str, data: Any) -> str:
    """Execute a Go template on decoded JSON; TemplateError with text/template's words otherwise."""
    nodes = parse(template)
    out: list[str] = []
    Exec(_as_json_numbers(data)).run(nodes, _as_json_numbers(data), out)
    return "".join(out)


def _as_json_numbers(v: Any) -> Any:
    """apimachinery's util/json.Unmarshal: a whole number is an int64, any other a float64."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, float):
        return int(v) if v.is_integer() and abs(v) < 2**63 else v
    if isinstance(v, int):
        return v
    if isinstance(v, dict):
        return {k: _as_json_numbers(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_as_json_numbers(x) for x in v]
    return v
