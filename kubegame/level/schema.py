"""A small schema language for the kubegame/v1 Level document.

Each schema node checks one YAML value, records every problem it finds (with the
line and column of the offending node) and returns the value with defaults filled
in, or INVALID. Unknown fields are errors that list the allowed fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kubegame.engine.quantity import QuantityError, parse_quantity
from kubegame.level.errors import LevelError
from kubegame.level.yamlsafe import Document, Path

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()


def q(s: object) -> str:
    """A name in double quotes, as Kubernetes quotes field names and values."""
    return '"' + str(s).replace('"', '\\"') + '"'


def show_path(path: Path) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += ("." if out else "") + str(p)
    return out or "(document)"


def describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


@dataclass
class Ctx:
    """Where errors go while one document is checked."""

    file: str
    doc: Document
    errors: list[LevelError]
    prefix: Path = ()

    def raw(self, path: Path, value: Any) -> str:
        """The text a scalar was written as (6.10 stays 6.10, not 6.1)."""
        return self.doc.raw.get(self.prefix + tuple(path), str(value))

    def error(self, path: Path, what: str, expected: str = "", at_key: bool = False) -> None:
        full = self.prefix + tuple(path)
        line, col = self.doc.key_at(full) if at_key else self.doc.at(full)
        self.errors.append(LevelError(self.file, line, col, what, expected))


class Schema:
    expected = "a value"

    def check(self, value: Any, path: Path, ctx: Ctx) -> Any:
        raise NotImplementedError

    def wrong_type(self, value: Any, path: Path, ctx: Ctx) -> Any:
        ctx.error(path, f"{show_path(path)} is {describe(value)}", self.expected)
        return INVALID


class Str(Schema):
    expected = "a string"

    def __init__(self, pattern: re.Pattern | None = None, pattern_help: str = "", non_empty: bool = True):
        self.pattern = pattern
        self.pattern_help = pattern_help
        self.non_empty = non_empty

    def check(self, value, path, ctx):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            ctx.error(path, f"{show_path(path)} is {describe(value)}", f'a string (quote it: "{ctx.raw(path, value)}")')
            return INVALID
        if not isinstance(value, str):
            return self.wrong_type(value, path, ctx)
        if self.non_empty and not value.strip():
            ctx.error(path, f"{show_path(path)} is empty", "a non-empty string")
            return INVALID
        if self.pattern is not None and not self.pattern.match(value):
            ctx.error(path, f"{show_path(path)} {q(value)} is not valid", self.pattern_help)
            return INVALID
        return value


class Int(Schema):
    def __init__(self, lo: int | None = None, hi: int | None = None):
        self.lo, self.hi = lo, hi

    @property
    def expected(self) -> str:  # type: ignore[override]
        if self.lo is not None and self.hi is not None:
            return f"an integer from {self.lo} to {self.hi}"
        if self.lo is not None:
            return f"an integer of at least {self.lo}"
        return "an integer"

    def check(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong_type(value, path, ctx)
        if (self.lo is not None and value < self.lo) or (self.hi is not None and value > self.hi):
            ctx.error(path, f"{show_path(path)} is {value}, out of range", self.expected)
            return INVALID
        return value


class Num(Schema):
    def __init__(self, lo: float | None = None, hi: float | None = None, lo_open: bool = False,
                 what: str = "a number"):
        self.lo, self.hi, self.lo_open, self.what = lo, hi, lo_open, what

    @property
    def expected(self) -> str:  # type: ignore[override]
        if self.lo is not None and self.hi is not None:
            if self.lo_open:
                return f"{self.what} above {_n(self.lo)} and at most {_n(self.hi)}"
            return f"{self.what} within [{_n(self.lo)}, {_n(self.hi)}]"
        if self.lo is not None:
            return f"{self.what} {'above' if self.lo_open else 'of at least'} {_n(self.lo)}"
        return self.what

    def check(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return self.wrong_type(value, path, ctx)
        too_low = self.lo is not None and (value <= self.lo if self.lo_open else value < self.lo)
        if too_low or (self.hi is not None and value > self.hi):
            ctx.error(path, f"{show_path(path)} is {_n(value)}, out of range", self.expected)
            return INVALID
        return value


def _n(x: float) -> str:
    if isinstance(x, float) and abs(x) >= 1e15:
        return f"{x:g}"
    return str(int(x)) if float(x).is_integer() else str(x)


class Bool(Schema):
    expected = "true or false"

    def check(self, value, path, ctx):
        if not isinstance(value, bool):
            return self.wrong_type(value, path, ctx)
        return value


class Enum(Schema):
    def __init__(self, *values: str):
        self.values = values
        self.expected = "one of: " + ", ".join(values)

    def check(self, value, path, ctx):
        if value not in self.values or not isinstance(value, str):
            ctx.error(path, f"{show_path(path)} {q(value)} is not supported", self.expected)
            return INVALID
        return value


class Quantity(Schema):
    def __init__(self, what: str):
        self.expected = f"a Kubernetes quantity such as {what}"

    def check(self, value, path, ctx):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            return self.wrong_type(value, path, ctx)
        try:
            amount = parse_quantity(value)
        except QuantityError:
            ctx.error(path, f"{show_path(path)} {q(value)} is not a quantity", self.expected)
            return INVALID
        if amount <= 0:
            ctx.error(path, f"{show_path(path)} {q(value)} is not positive", self.expected)
            return INVALID
        return str(value)


class ListOf(Schema):
    def __init__(self, item: Schema, min_len: int = 0):
        self.item = item
        self.min_len = min_len
        self.expected = "a list" if not min_len else f"a list of at least {min_len} entr{'y' if min_len == 1 else 'ies'}"

    def check(self, value, path, ctx):
        if not isinstance(value, list):
            return self.wrong_type(value, path, ctx)
        if len(value) < self.min_len:
            ctx.error(path, f"{show_path(path)} is empty", self.expected)
            return INVALID
        return [self.item.check(v, path + (i,), ctx) for i, v in enumerate(value)]


class MapOf(Schema):
    expected = "a mapping of strings to strings"

    def check(self, value, path, ctx):
        if not isinstance(value, dict):
            return self.wrong_type(value, path, ctx)
        out = {}
        for k, v in value.items():
            if not isinstance(v, str):
                ctx.error(path + (k,), f"{show_path(path + (k,))} is {describe(v)}",
                          f'a string (quote it: "{ctx.raw(path + (k,), v)}")' if isinstance(v, (int, float))
                          else "a string")
                return INVALID
            out[str(k)] = v
        return out


class MapOfInt(Schema):
    """A mapping of HTTP paths to status codes (the app model's `http`)."""

    expected = "a mapping of paths (starting with /) to HTTP status codes"

    def check(self, value, path, ctx):
        if not isinstance(value, dict):
            return self.wrong_type(value, path, ctx)
        out = {}
        for k, v in value.items():
            if not isinstance(k, str) or not k.startswith("/"):
                ctx.error(path + (k,), f"{show_path(path + (k,))} is not a path", "a path starting with /")
                return INVALID
            if isinstance(v, bool) or not isinstance(v, int) or not 100 <= v <= 599:
                ctx.error(path + (k,), f"{show_path(path + (k,))} is {describe(v)}", "an HTTP status from 100 to 599")
                return INVALID
            out[k] = v
        return out


class Any_(Schema):
    expected = "a value"

    def check(self, value, path, ctx):
        return value


@dataclass
class F:
    """A field of a Struct."""

    schema: Schema
    required: bool = False
    default: Any = None


@dataclass
class Struct(Schema):
    """A mapping with known fields; `validate` may add cross-field checks."""

    what: str
    fields: dict[str, F]
    validate: Callable[[dict, Path, Ctx], None] | None = None
    expected: str = field(default="a mapping")

    def check(self, value, path, ctx):
        if not isinstance(value, dict):
            ctx.error(path, f"{show_path(path)} is {describe(value)}", f"a mapping ({self.what})")
            return INVALID
        out: dict[str, Any] = {}
        ok = True
        for k in value:
            if k not in self.fields:
                ctx.error(path + (k,), f"unknown field {q(show_path(path + (k,)))} in {self.what}",
                          "one of: " + ", ".join(self.fields), at_key=True)
                ok = False
        for name, f in self.fields.items():
            if name not in value or value[name] is None:
                if f.required:
                    ctx.error(path, f"{self.what} lacks the required field {q(name)}",
                              f"`{name}:` {f.schema.expected}", at_key=True)
                    ok = False
                    out[name] = INVALID
                else:
                    out[name] = f.default() if callable(f.default) else f.default
                continue
            v = f.schema.check(value[name], path + (name,), ctx)
            if v is INVALID:
                ok = False
            out[name] = v
        if ok and self.validate is not None:
            self.validate(out, path, ctx)
        return out


class Tagged(Schema):
    """A mapping whose `type` field picks the Struct that checks it (events, objectives)."""

    def __init__(self, what: str, variants: dict[str, Struct]):
        self.what = what
        self.variants = variants
        self.expected = f"a mapping with `type:` one of: {', '.join(variants)}"

    def check(self, value, path, ctx):
        if not isinstance(value, dict):
            ctx.error(path, f"{show_path(path)} is {describe(value)}", self.expected)
            return INVALID
        t = value.get("type")
        if t is None:
            ctx.error(path, f"{self.what} lacks the required field \"type\"",
                      "`type:` one of: " + ", ".join(self.variants), at_key=True)
            return INVALID
        if t not in self.variants:
            ctx.error(path + ("type",), f"{show_path(path + ('type',))} {q(t)} is not a known {self.what} type",
                      "one of: " + ", ".join(self.variants))
            return INVALID
        return self.variants[t].check(value, path, ctx)
