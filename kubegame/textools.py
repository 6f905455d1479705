"""The text tools people pipe kubectl into, as GNU coreutils, grep, awk, sed and jq behave.

Each tool takes its arguments and its standard input and returns (stdout, stderr, exit code).
Only the options listed in `SUPPORTED` are understood; any other is an error that says so,
so a learner never gets a silently different answer from the real tool.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable

Out = tuple[str, str, int]
Tool = Callable[[list[str], str], Out]

SUPPORTED = {
    "grep": "grep [-i -v -E -F -w -x -c -n -o -q -A N -B N -C N -e PATTERN] PATTERN",
    "head": "head [-n N | -N]",
    "tail": "tail [-n N | -n +N | -N]",
    "wc": "wc [-l -w -c]",
    "sort": "sort [-r -n -u -b -s -k N[,M] -t SEP] (C locale: byte order)",
    "uniq": "uniq [-c -d -u]",
    "cut": "cut -f LIST [-d SEP] | -c LIST",
    "awk": "awk [-F SEP] '[/RE/ | NR>N | $N==\"x\"] {print $N, ...}'",
    "sed": "sed [-n] 's/RE/TEXT/[g]' | '/RE/d' | 'Np'",
    "tr": "tr [-d] SET1 [SET2]",
    "jq": "jq [-r -c] FILTER",
    "base64": "base64 [-d] [-w 0]",
    "cat": "cat",
    "echo": "echo [-n] WORDS",
    "xargs": "xargs [-n N] kubectl ...",
    "less": "less / more (a pager in the game screen)",
}


def not_supported(name: str) -> str:
    return (f"sh: {name}: not available in the game's command line; after a kubectl command you can use "
            + ", ".join(k for k in SUPPORTED if k not in ("cat", "echo")) + "\n")


class ToolError(Exception):
    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.message = message
        self.code = code


def _lines(text: str) -> list[str]:
    return text.split("\n")[:-1] if text.endswith("\n") else (text.split("\n") if text else [])


def _join(lines: list[str]) -> str:
    return "".join(ln + "\n" for ln in lines)


def _int(name: str, value: str, what: str = "number of lines") -> int:
    try:
        return int(value)
    except ValueError:
        raise ToolError(f"{name}: invalid {what}: '{value}'", 1) from None


def _options(name: str, args: list[str], flags: str, valued: str) -> tuple[dict[str, str | bool], list[str]]:
    """getopt-style short options: `flags` take no value, `valued` take one (-n5, -n 5)."""
    opts: dict[str, str | bool] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        i += 1
        if a == "--":
            rest += args[i:]
            break
        if a.startswith("-") and len(a) > 1 and not a[1:].isdigit():
            j = 1
            while j < len(a):
                c = a[j]
                if c in valued:
                    v = a[j + 1:]
                    if not v:
                        if i >= len(args):
                            raise ToolError(f"{name}: option requires an argument -- '{c}'\n"
                                            f"usage: {SUPPORTED[name]}")
                        v = args[i]
                        i += 1
                    if c in ("e",) and "e" in opts:
                        opts["e"] = f"{opts['e']}\n{v}"
                    else:
                        opts[c] = v
                    break
                if c in flags:
                    opts[c] = True
                    j += 1
                    continue
                raise ToolError(f"{name}: option -{c} is not supported here\nusage: {SUPPORTED[name]}")
            continue
        rest.append(a)
    return opts, rest


def _guarded(fn: Callable[[list[str], str], Out]) -> Tool:
    def run(args: list[str], stdin: str) -> Out:
        try:
            return fn(args, stdin)
        except ToolError as exc:
            return "", exc.message.rstrip("\n") + "\n", exc.code
    run.__doc__ = fn.__doc__
    return run


# -- grep ---------------------------------------------------------------------------------------

_POSIX_CLASSES = {"[:alpha:]": "a-zA-Z", "[:digit:]": "0-9", "[:alnum:]": "a-zA-Z0-9", "[:upper:]": "A-Z",
                  "[:lower:]": "a-z", "[:space:]": r"\s", "[:blank:]": r" \t", "[:punct:]": r"!-/:-@\[-`{-~",
                  "[:xdigit:]": "0-9A-Fa-f", "[:word:]": r"\w"}


def bre_to_python(pattern: str, extended: bool) -> str:
    """A POSIX basic (or, extended=True, extended) regular expression as a Python one."""
    for k, v in _POSIX_CLASSES.items():
        pattern = pattern.replace(k, v)
    if extended:
        return pattern
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(nxt if nxt in "(){}|+?" else c + nxt)
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < len(pattern) and pattern[j] == "^":
                j += 1
            if j < len(pattern) and pattern[j] == "]":
                j += 1
            k = pattern.find("]", j)
            if k < 0:
                out.append(re.escape(pattern[i:]))
                break
            out.append(pattern[i:k + 1])
            i = k + 1
            continue
        out.append("\\" + c if c in "(){}|+?" else c)
        i += 1
    return "".join(out)


@_guarded
def grep(args: list[str], stdin: str) -> Out:
    """grep: print the lines that match (GNU grep's options -i -v -E -F -w -x -c -n -o -q -A -B -C -e)."""
    opts, rest = _options("grep", args, "ivEFwxcnoqsH", "ABCe")
    patterns = str(opts["e"]).split("\n") if "e" in opts else None
    if patterns is None:
        if not rest:
            raise ToolError("usage: " + SUPPORTED["grep"])
        patterns = rest.pop(0).split("\n")
    if rest:
        raise ToolError(f"grep: {rest[0]}: the game's grep reads only its input (no files)")
    flags = re.IGNORECASE if opts.get("i") else 0
    parts = []
    for p in patterns:
        body = re.escape(p) if opts.get("F") else bre_to_python(p, bool(opts.get("E")))
        if opts.get("w"):
            body = rf"(?<!\w)(?:{body})(?!\w)"
        if opts.get("x"):
            body = rf"^(?:{body})$"
        parts.append(f"(?:{body})")
    try:
        rx = re.compile("|".join(parts), flags)
    except re.error as exc:
        raise ToolError(f"grep: invalid regular expression: {exc}") from None
    after = _int("grep", str(opts.get("A", opts.get("C", 0))), "context length argument")
    before = _int("grep", str(opts.get("B", opts.get("C", 0))), "context length argument")
    invert = bool(opts.get("v"))
    lines = _lines(stdin)
    hits = [i for i, ln in enumerate(lines) if bool(rx.search(ln)) != invert]
    if opts.get("q"):
        return "", "", 0 if hits else 1
    if opts.get("c"):
        return f"{len(hits)}\n", "", 0 if hits else 1
    out: list[str] = []
    if opts.get("o") and not invert:
        for i in hits:
            for m in rx.finditer(lines[i]):
                if m.group(0):
                    out.append((f"{i + 1}:" if opts.get("n") else "") + m.group(0))
        return _join(out), "", 0 if hits else 1
    shown: set[int] = set()
    last = -2
    hit_set = set(hits)
    for i in hits:
        lo, hi = max(0, i - before), min(len(lines) - 1, i + after)
        if (after or before) and last >= 0 and lo > last + 1:
            out.append("--")
        for k in range(max(lo, last + 1), hi + 1):
            if k in shown:
                continue
            shown.add(k)
            sep = ":" if k in hit_set else "-"
            out.append((f"{k + 1}{sep}" if opts.get("n") else "") + lines[k])
        last = max(last, hi)
    return _join(out), "", 0 if hits else 1


# -- head, tail, wc, sort, uniq, cut --------------------------------------------------------------

def _count_arg(name: str, args: list[str]) -> tuple[str, list[str]]:
    """`-N` (old style) or `-n N` / `-nN` / `--lines=N`."""
    rest = []
    n = "10"
    i = 0
    while i < len(args):
        a = args[i]
        if re.fullmatch(r"-\d+", a):
            n = a[1:]
        elif a in ("-n", "--lines") and i + 1 < len(args):
            n = args[i + 1]
            i += 1
        elif a.startswith("-n") and len(a) > 2:
            n = a[2:]
        elif a.startswith("--lines="):
            n = a.split("=", 1)[1]
        elif a.startswith("-") and a != "-":
            raise ToolError(f"{name}: option {a} is not supported here\nusage: {SUPPORTED[name]}")
        else:
            rest.append(a)
        i += 1
    if rest:
        raise ToolError(f"{name}: {rest[0]}: the game's {name} reads only its input (no files)")
    return n, rest


@_guarded
def head(args: list[str], stdin: str) -> Out:
    """head: the first N lines (-n -N: all but the last N)."""
    n, _ = _count_arg("head", args)
    lines = _lines(stdin)
    k = _int("head", n)
    return _join(lines[:k] if k >= 0 else lines[:k]), "", 0


@_guarded
def tail(args: list[str], stdin: str) -> Out:
    """tail: the last N lines (-n +N: from line N on)."""
    n, _ = _count_arg("tail", args)
    lines = _lines(stdin)
    if n.startswith("+"):
        return _join(lines[max(0, _int("tail", n[1:]) - 1):]), "", 0
    k = abs(_int("tail", n))
    return _join(lines[-k:] if k else []), "", 0


@_guarded
def wc(args: list[str], stdin: str) -> Out:
    """wc: lines, words, bytes (one count alone is printed unpadded, as GNU wc does for input)."""
    opts, rest = _options("wc", args, "lwcm", "")
    if rest:
        raise ToolError(f"wc: {rest[0]}: the game's wc reads only its input (no files)")
    picked = [c for c in "lwc" if opts.get(c) or (c == "c" and opts.get("m"))] or ["l", "w", "c"]
    counts = {"l": stdin.count("\n"), "w": len(stdin.split()), "c": len(stdin.encode("utf-8"))}
    if len(picked) == 1:
        return f"{counts[picked[0]]}\n", "", 0
    return " ".join(f"{counts[c]:>7}" for c in picked) + "\n", "", 0


def _field(line: str, k: int, sep: str | None) -> str:
    parts = line.split(sep) if sep else line.split()
    return parts[k - 1] if 0 < k <= len(parts) else ""


def _key_span(line: str, start: int, end: int | None, skip_blanks: bool) -> str:
    """The text of a sort key: from field `start` (with its leading blanks, as GNU sort counts them
    unless -b) to the end of field `end` (or of the line)."""
    fields = re.findall(r"[ \t]*[^ \t]+|[ \t]+$", line)
    if start > len(fields):
        return ""
    first = start - 1
    last = len(fields) if end is None else min(end, len(fields))
    text = "".join(fields[first:last]) if last > first else ""
    return text.lstrip(" \t") if skip_blanks else text


@_guarded
def sort(args: list[str], stdin: str) -> Out:
    """sort in the C locale (byte order): -r reverse, -n numeric, -u unique, -b, -k N[,M], -t SEP."""
    opts, rest = _options("sort", args, "rnubs", "kt")
    if rest:
        raise ToolError(f"sort: {rest[0]}: the game's sort reads only its input (no files)")
    lines = _lines(stdin)
    sep = str(opts["t"]) if "t" in opts else None
    key_range: tuple[int, int | None] | None = None
    if "k" in opts:
        m = re.fullmatch(r"(\d+)(?:\.\d+)?[a-z]*(?:,(\d+)(?:\.\d+)?[a-z]*)?", str(opts["k"]))
        if not m or int(m.group(1)) < 1:
            raise ToolError(f"sort: invalid number at field start: invalid count at start of '{opts['k']}'")
        key_range = (int(m.group(1)), int(m.group(2)) if m.group(2) else None)

    def key_text(line: str) -> str:
        if key_range is None:
            return line
        start, end = key_range
        if sep:
            parts = line.split(sep)
            return sep.join(parts[start - 1:end]) if start <= len(parts) else ""
        return _key_span(line, start, end, bool(opts.get("b")))

    def numeric(text: str) -> float:
        m = re.match(r"\s*(-?\d+(?:\.\d+)?)", text)
        return float(m.group(1)) if m else 0.0

    def key(line: str):
        text = key_text(line)
        return numeric(text) if opts.get("n") else text.encode()

    def full(line: str):
        # equal keys: GNU sort compares whole lines as a last resort (not with -u or -s)
        return (key(line), line.encode()) if not (opts.get("u") or opts.get("s")) else key(line)

    out = sorted(lines, key=full, reverse=bool(opts.get("r")))
    if opts.get("u"):
        uniq_out: list[str] = []
        last = object()
        for ln in out:
            k = key(ln)
            if k != last:
                uniq_out.append(ln)
                last = k
        out = uniq_out
    return _join(out), "", 0


@_guarded
def uniq(args: list[str], stdin: str) -> Out:
    """uniq: adjacent repeated lines once (-c with counts, -d only repeated, -u only unique)."""
    opts, rest = _options("uniq", args, "cdu", "")
    if rest:
        raise ToolError(f"uniq: {rest[0]}: the game's uniq reads only its input (no files)")
    groups: list[list] = []
    for ln in _lines(stdin):
        if groups and groups[-1][0] == ln:
            groups[-1][1] += 1
        else:
            groups.append([ln, 1])
    if opts.get("d"):
        groups = [g for g in groups if g[1] > 1]
    if opts.get("u"):
        groups = [g for g in groups if g[1] == 1]
    if opts.get("c"):
        return _join(f"{n:>7} {ln}" for ln, n in groups), "", 0
    return _join(ln for ln, _ in groups), "", 0


def _ranges(spec: str, name: str) -> list[tuple[int, int]]:
    out = []
    for part in spec.split(","):
        m = re.fullmatch(r"(\d*)-(\d*)|(\d+)", part)
        if not m or part in ("", "-"):
            raise ToolError(f"{name}: invalid field range\nusage: {SUPPORTED[name]}", 1)
        if m.group(3):
            k = int(m.group(3))
            out.append((k, k))
        else:
            out.append((int(m.group(1) or 1), int(m.group(2)) if m.group(2) else 10**9))
    if any(a < 1 for a, _ in out):
        raise ToolError(f"{name}: fields are numbered from 1", 1)
    return out


@_guarded
def cut(args: list[str], stdin: str) -> Out:
    """cut: fields (-f LIST, -d SEP, tab by default) or characters (-c LIST)."""
    opts, rest = _options("cut", args, "s", "dfc")
    if rest:
        raise ToolError(f"cut: {rest[0]}: the game's cut reads only its input (no files)")
    out = []
    if "c" in opts:
        rs = _ranges(str(opts["c"]), "cut")
        for ln in _lines(stdin):
            out.append("".join(ch for i, ch in enumerate(ln, 1) if any(a <= i <= b for a, b in rs)))
        return _join(out), "", 0
    if "f" not in opts:
        raise ToolError("cut: you must specify a list of bytes, characters, or fields")
    sep = str(opts.get("d", "\t"))
    if len(sep) != 1:
        raise ToolError("cut: the delimiter must be a single character")
    rs = _ranges(str(opts["f"]), "cut")
    for ln in _lines(stdin):
        if sep not in ln:
            if not opts.get("s"):
                out.append(ln)
            continue
        fields = ln.split(sep)
        out.append(sep.join(f for i, f in enumerate(fields, 1) if any(a <= i <= b for a, b in rs)))
    return _join(out), "", 0


# -- awk and sed ---------------------------------------------------------------------------------

_AWK = re.compile(r"^\s*(?P<pattern>[^{]*?)\s*(?:\{\s*(?P<action>[^{}]*?)\s*;?\s*\})?\s*$", re.S)
_AWK_ITEM = re.compile(r'\s*(\$NF|\$\(NF-\d+\)|\$\d+|NR|NF|"(?:[^"\\]|\\.)*")\s*(,)?')


@_guarded
def awk(args: list[str], stdin: str) -> Out:
    """awk: `[pattern] {print ITEMS}` with ITEMS of $N, $NF, NR, NF and "strings"."""
    opts, rest = _options("awk", args, "", "F")
    if len(rest) != 1:
        raise ToolError("usage: " + SUPPORTED["awk"])
    program = rest[0]
    m = _AWK.match(program)
    if not m or (not m.group("action") and not m.group("pattern")):
        raise ToolError(f"awk: the game's awk runs only programs like '{{print $1}}' or '/web/ {{print $1, $3}}', "
                        f"not {program!r}")
    action = (m.group("action") or "print").strip()
    if action != "print" and not action.startswith("print "):
        raise ToolError(f"awk: the game's awk only prints fields ({{print $1, $3}}), not {action!r}")
    items = []
    body = action[5:]
    pos = 0
    while pos < len(body.strip()) and body.strip():
        im = _AWK_ITEM.match(body, pos)
        if not im:
            raise ToolError(f"awk: cannot read {body[pos:].strip()!r}: print takes $N, $NF, NR, NF and \"text\"")
        items.append((im.group(1), im.group(2) == ","))
        pos = im.end()
        if pos >= len(body.rstrip()):
            break
    test = _awk_pattern(m.group("pattern") or "")
    sep = str(opts["F"]) if "F" in opts else None
    if sep == "\\t":
        sep = "\t"
    out = []
    for nr, ln in enumerate(_lines(stdin), 1):
        fields = (re.split(sep, ln) if sep and len(sep) > 1 else ln.split(sep)) if sep else ln.split()
        if not test(nr, ln, fields):
            continue
        if not items:
            out.append(ln)
            continue
        text = ""
        for k, (item, comma) in enumerate(items):
            text += _awk_value(item, nr, ln, fields)
            if k < len(items) - 1:
                text += " " if comma else ""
        out.append(text)
    return _join(out), "", 0


def _awk_value(item: str, nr: int, line: str, fields: list[str]) -> str:
    if item == "NR":
        return str(nr)
    if item == "NF":
        return str(len(fields))
    if item.startswith('"'):
        return json.loads(item)
    if item == "$NF":
        return fields[-1] if fields else ""
    m = re.fullmatch(r"\$\(NF-(\d+)\)", item)
    if m:
        k = len(fields) - int(m.group(1))
        return fields[k - 1] if 0 < k <= len(fields) else ""
    k = int(item[1:])
    if k == 0:
        return line
    return fields[k - 1] if k <= len(fields) else ""


def _awk_pattern(p: str) -> Callable[[int, str, list[str]], bool]:
    p = p.strip()
    if not p:
        return lambda nr, ln, f: True
    m = re.fullmatch(r"(!?)/(.*)/", p)
    if m:
        rx = _compile(m.group(2), "awk")
        neg = bool(m.group(1))
        return lambda nr, ln, f: bool(rx.search(ln)) != neg
    m = re.fullmatch(r"NR\s*(==|!=|>=|<=|>|<)\s*(\d+)", p)
    if m:
        op, k = m.group(1), int(m.group(2))
        return lambda nr, ln, f: _cmp(nr, op, k)
    m = re.fullmatch(r"\$(\d+)\s*(==|!=)\s*\"([^\"]*)\"", p)
    if m:
        col, op, val = int(m.group(1)), m.group(2), m.group(3)
        return lambda nr, ln, f: ((f[col - 1] if 0 < col <= len(f) else ln if col == 0 else "") == val) == (op == "==")
    m = re.fullmatch(r"\$(\d+)\s*(!?~)\s*/(.*)/", p)
    if m:
        col, op, rx = int(m.group(1)), m.group(2), _compile(m.group(3), "awk")
        return lambda nr, ln, f: bool(rx.search(f[col - 1] if 0 < col <= len(f) else "")) == (op == "~")
    raise ToolError(f"awk: the game's awk understands the patterns /RE/, NR>N and $N==\"text\", not {p!r}")


def _cmp(a: int, op: str, b: int) -> bool:
    return {"==": a == b, "!=": a != b, ">=": a >= b, "<=": a <= b, ">": a > b, "<": a < b}[op]


def _compile(pattern: str, name: str) -> re.Pattern:
    try:
        return re.compile(bre_to_python(pattern, True))
    except re.error as exc:
        raise ToolError(f"{name}: invalid regular expression: {exc}") from None


@_guarded
def sed(args: list[str], stdin: str) -> Out:
    """sed: one script of s/RE/TEXT/[g], /RE/d or Np (with -n)."""
    opts, rest = _options("sed", args, "nE", "e")
    script = str(opts["e"]) if "e" in opts else (rest.pop(0) if rest else "")
    if rest or not script:
        raise ToolError("usage: " + SUPPORTED["sed"])
    extended = bool(opts.get("E"))
    lines = _lines(stdin)
    quiet = bool(opts.get("n"))
    m = re.fullmatch(r"s(.)(.*?)(?<!\\)\1(.*?)(?<!\\)\1(g?)(p?)", script, re.S)
    if m:
        rx = re.compile(bre_to_python(m.group(2), extended))
        repl = re.sub(r"\\(\d)", r"\\g<\1>", m.group(3)).replace("&", r"\g<0>")
        out = []
        for ln in lines:
            new, n = rx.subn(repl, ln, count=0 if m.group(4) else 1)
            if not quiet or (m.group(5) and n):
                out.append(new)
        return _join(out), "", 0
    m = re.fullmatch(r"/(.*)/d", script)
    if m:
        rx = re.compile(bre_to_python(m.group(1), extended))
        return _join(ln for ln in lines if not rx.search(ln)), "", 0
    m = re.fullmatch(r"(\d+)p", script)
    if m and quiet:
        k = int(m.group(1))
        return _join(lines[k - 1:k]), "", 0
    raise ToolError(f"sed: the game's sed runs s/RE/TEXT/[g], /RE/d and -n Np, not {script!r}")


@_guarded
def tr(args: list[str], stdin: str) -> Out:
    """tr: translate (SET1 SET2) or delete (-d SET1) characters; a-z ranges and \\n escapes."""
    opts, rest = _options("tr", args, "ds", "")

    def expand(s: str) -> str:
        s = s.replace("\\n", "\n").replace("\\t", "\t")
        for k, v in _POSIX_CLASSES.items():
            s = s.replace(k, {"[:space:]": " \t\n", "[:blank:]": " \t"}.get(k, v))
        return re.sub(r"(.)-(.)", lambda m: "".join(chr(c) for c in range(ord(m.group(1)), ord(m.group(2)) + 1)), s)

    if opts.get("d"):
        if len(rest) != 1:
            raise ToolError("usage: " + SUPPORTED["tr"])
        drop = set(expand(rest[0]))
        return "".join(c for c in stdin if c not in drop), "", 0
    if len(rest) != 2:
        raise ToolError("usage: " + SUPPORTED["tr"])
    a, b = expand(rest[0]), expand(rest[1])
    b = (b + b[-1:] * len(a))[:len(a)] if b else ""
    table = str.maketrans(a, b)
    out = stdin.translate(table)
    if opts.get("s"):
        out = re.sub("([" + re.escape(b) + "])\\1+", r"\1", out)
    return out, "", 0


# -- jq, base64, cat, echo ------------------------------------------------------------------------

MAX_JQ_RESULTS = 100_000


@_guarded
def jq_tool(args: list[str], stdin: str) -> Out:
    """jq (the real libjq): FILTER over JSON input; -r raw strings, -c compact."""
    try:
        import jq as libjq
    except ImportError:  # pragma: no cover - jq ships with kubegame
        raise ToolError("jq: not installed (pip install jq)", 2) from None
    opts, rest = _options("jq", args, "rcjSe", "")
    program = rest.pop(0) if rest else "."
    if rest:
        raise ToolError(f"jq: {rest[0]}: the game's jq reads only its input (no files)")
    try:
        compiled = libjq.compile(program)
    except ValueError as exc:
        return "", f"jq: error: {exc}\njq: 1 compile error\n", 3
    out: list[str] = []
    try:
        for n, value in enumerate(compiled.input_text(stdin)):
            if n >= MAX_JQ_RESULTS:
                raise ToolError(f"jq: stopped after {MAX_JQ_RESULTS} results", 5)
            if isinstance(value, str) and (opts.get("r") or opts.get("j")):
                out.append(value)
            elif opts.get("c"):
                out.append(json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=bool(opts.get("S"))))
            else:
                out.append(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=bool(opts.get("S"))))
    except ValueError as exc:
        text = "".join(x + ("" if opts.get("j") else "\n") for x in out)
        return text, f"jq: error (at <stdin>:0): {exc}\n", 5
    return "".join(x + ("" if opts.get("j") else "\n") for x in out), "", 0


@_guarded
def base64_tool(args: list[str], stdin: str) -> Out:
    """base64: encode (76 columns, -w 0 for one line) or decode (-d / --decode)."""
    args = ["-d" if a == "--decode" else a for a in args]
    opts, rest = _options("base64", args, "di", "w")
    if rest:
        raise ToolError(f"base64: {rest[0]}: the game's base64 reads only its input (no files)")
    if opts.get("d"):
        data = "".join(stdin.split())
        try:
            raw = base64.b64decode(data + "=" * (-len(data) % 4), validate=True)
        except (binascii.Error, ValueError):
            return "", "base64: invalid input\n", 1
        return raw.decode("utf-8", errors="replace"), "", 0
    enc = base64.b64encode(stdin.encode("utf-8")).decode()
    width = _int("base64", str(opts.get("w", 76)), "wrap size")
    if width <= 0:
        return enc, "", 0             # GNU base64 -w 0 ends without a newline
    return "".join(enc[i:i + width] + "\n" for i in range(0, len(enc), width)) or "\n", "", 0


def cat(args: list[str], stdin: str) -> Out:
    """cat: its input (files are not read here)."""
    files = [a for a in args if a != "-"]
    if files:
        return "", f"cat: {files[0]}: the game's command line reads no files (use kubectl apply -f FILE)\n", 1
    return stdin, "", 0


def echo(args: list[str], stdin: str) -> Out:
    """echo [-n] WORDS."""
    newline = True
    if args and args[0] == "-n":
        newline = False
        args = args[1:]
    return " ".join(args) + ("\n" if newline else ""), "", 0


TOOLS: dict[str, Tool] = {
    "grep": grep, "egrep": lambda a, s: grep(["-E", *a], s), "fgrep": lambda a, s: grep(["-F", *a], s),
    "head": head, "tail": tail, "wc": wc, "sort": sort, "uniq": uniq, "cut": cut, "awk": awk, "sed": sed,
    "tr": tr, "jq": jq_tool, "base64": base64_tool, "cat": cat, "echo": echo,
}
