"""Kubernetes resource quantities ("500m", "2", "512Mi", "8Gi", "1e3").

CPU is kept as integer millicores and memory as integer bytes, the way the
scheduler compares them (k8s.io/apimachinery/pkg/api/resource).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
            "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
            "P": Decimal("1e15"), "E": Decimal("1e18")}
_RE = re.compile(r"^([+-]?[0-9.]+)([eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$")


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity."""


def parse_quantity(value: object) -> Decimal:
    """Parse a quantity to a Decimal in base units; raise QuantityError if invalid."""
    if isinstance(value, str):
        return _parse_text(value)
    return _parse(value)


@lru_cache(maxsize=4096)
def _parse_text(value: str) -> Decimal:
    """Quantities are few and repeated (every pod of a template has the same): parse each once."""
    return _parse(value)


MAX_QUANTITY = Decimal(2**63)     # beyond int64: no resource.Quantity Kubernetes can store


def _parse(value: object) -> Decimal:
    try:
        out = _parse_number(value)
    except ArithmeticError:         # decimal.Overflow from an exponent such as 1e9999999
        raise QuantityError("unable to parse numeric part of quantity") from None
    if not out.is_finite() or abs(out) >= MAX_QUANTITY:
        raise QuantityError("quantity is too large: it must fit in a 64-bit integer of base units")
    return out


def _parse_number(value: object) -> Decimal:
    if isinstance(value, bool):
        raise QuantityError("quantities must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise QuantityError("quantities must be a string or a number")
    text = value.strip()
    m = _RE.match(text)
    if not m or text.count(".") > 1 or text in {".", "+", "-"}:
        raise QuantityError("quantities must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
    try:
        number = Decimal(m.group(1))
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise QuantityError(str(exc)) from None
    suffix = m.group(2) or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix[:1] in ("e", "E"):
        exponent = int(suffix[1:]) if len(suffix) < 8 else 10**6
        if exponent > 40:
            raise QuantityError("quantity is too large: it must fit in a 64-bit integer of base units")
        return number * (Decimal(10) ** exponent)
    return number * _DECIMAL[suffix]


def cpu_millis(value: object) -> int:
    """CPU quantity -> millicores, rounded up like the scheduler's MilliValue()."""
    d = parse_quantity(value) * 1000
    i = int(d)
    return i if i == d or d < 0 else i + 1


def memory_bytes(value: object) -> int:
    """Memory quantity -> bytes, rounded up."""
    d = parse_quantity(value)
    i = int(d)
    return i if i == d or d < 0 else i + 1


def format_cpu(millis: int) -> str:
    """Millicores as kubectl shows them: 250m, 2."""
    if millis % 1000 == 0:
        return str(millis // 1000)
    return f"{millis}m"


def format_memory(n: int) -> str:
    """Bytes as the largest exact binary suffix: 256Mi, 8Gi, 1500."""
    for suffix in ("Ei", "Pi", "Ti", "Gi", "Mi", "Ki"):
        unit = _BINARY[suffix]
        if n and n % unit == 0:
            return f"{n // unit}{suffix}"
    return str(n)
