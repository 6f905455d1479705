"""`-o kyaml`: KYAML, the flow-style YAML subset kubectl 1.37 prints (sigs.k8s.io/yaml/kyaml/kyaml.go).

Maps as `{ ... }` and lists as `[ ... ]` with a comma after every entry, keys quoted only
when a YAML parser could read them as something else than a string (`"n"`, `"yes"`, `"t"`),
every string value double-quoted, a multi-line string folded with `\\` line ends, a list of
maps or lists "cuddled" (`[{` ... `}]`). Each document starts with `---`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

FOLD = "\\\n"
SEXAGESIMAL = re.compile(r"^[+-]?[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
TIMESTAMP = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([Tt ]\d{1,2}:\d{1,2}:\d{1,2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?$")
BOOLS = {"1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"}


def _go_int(s: str) -> bool:
    """strconv.ParseInt(s, 0, 64) accepts it (decimal, 0x, 0o, 0b, a leading 0 octal)."""
    t = s[1:] if s[:1] in "+-" else s
    if re.fullmatch(r"0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0", t) is None:
        return False
    try:
        return -2**63 <= int(t, 0 if not re.fullmatch(r"0[0-7]+", t) else 8) < 2**63
    except ValueError:
        return False


def _go_float(s: str) -> bool:
    """strconv.ParseFloat(s, 64) accepts it (including inf, nan and hex floats)."""
    if re.fullmatch(r"[+-]?(inf|infinity|nan)", s, re.I):
        return True
    if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+", s):
        return True
    return re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s) is not None


def type_ambiguous(s: str) -> bool:
    """isTypeAmbiguous: a YAML 1.1 parser could read it as null, a bool, a number or a time."""
    low = s.lower()
    if len(s) <= 5 and low in ("null", "~", ""):
        return True
    if s in BOOLS or (len(s) <= 5 and low in ("true", "y", "yes", "on", "false", "n", "no", "off")):
        return True
    bare = s.replace("_", "")
    if bare and (_go_int(bare) or _go_float(bare)):
        return True
    if SEXAGESIMAL.match(s):
        return True
    if len(s) <= 5 and low in (".inf", "-.inf", "+.inf", ".nan"):
        return True
    return TIMESTAMP.match(s) is not None


def needs_quotes(s: str) -> bool:
    if s == "" or type_ambiguous(s):
        return True
    for i, ch in enumerate(s):
        if ch.isalpha() or unicodedata.category(ch)[0] == "N" or ch == "_":
            continue
        if 0 < i < len(s) - 1 and ch in "-./":
            continue
        return True
    return False


def _escape(ch: str, compact: bool) -> str:
    if ch == "\n":
        return "\\n" if compact else "\\n" + FOLD
    if ch == "\t":
        return "\\t" if compact else "\t"
    if ch in '"\\':
        return "\\" + ch
    if ch.isprintable() or ch == " ":
        return ch
    special = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\r": "\\r", "\v": "\\v", "\x00": "\\0", "\x1b": "\\e",
               "\x85": "\\N", "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P"}
    if ch in special:
        return special[ch]
    o = ord(ch)
    if o < 0x20 or o == 0x7F:
        return f"\\x{o:02x}"
    return f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}"


def _string(val: str, indent: int, lazy: bool, compact: bool) -> str:
    """renderString."""
    multi = "\n" in val
    if not multi and lazy and not needs_quotes(val):
        return val
    buf = ['"']
    if multi and not compact:
        buf.append(FOLD)
    for ch in val:
        if buf[-1].endswith("\n"):
            buf.append("  " * indent + ("\\" if ch.isspace() and ch != "\n" else " "))
        buf.append(_escape(ch, compact))
    if multi and not compact:
        if not buf[-1].endswith("\n"):
            buf.append(FOLD)
        buf.append("  " * indent)
    buf.append('"')
    return "".join(buf)


def _scalar(v: Any, indent: int) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        if math.isnan(v):
            return ".nan"
        return repr(v) if not v.is_integer() else str(int(v))
    return _string(str(v), indent + 1, lazy=False, compact=False)


def _node(v: Any, indent: int) -> str:
    if isinstance(v, dict):
        if not v:
            return "{}"
        parts = ["{\n"]
        for k, x in v.items():
            parts.append("  " * (indent + 1) + _string(str(k), indent + 1, lazy=True, compact=True) + ": "
                         + _node(x, indent + 1) + ",\n")
        parts.append("  " * indent + "}")
        return "".join(parts)
    if isinstance(v, list):
        if not v:
            return "[]"
        if all(isinstance(x, (dict, list)) for x in v):
            return "[" + ", ".join(_node(x, indent) for x in v) + "]"
        parts = ["[\n", "  " * indent]
        for x in v:
            parts.append("  " + _node(x, indent + 1) + ",\n" + "  " * indent)
        parts.append("]")
        return "".join(parts)
    return _scalar(v, indent)


def to_kyaml(doc: Any) -> str:
    """One document: `---`, then the value."""
    return "---\n" + _node(doc, 0) + "\n"
