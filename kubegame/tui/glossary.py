"""The glossary the help screens show: entries come from the campaign's glossary module.

The campaign (issue 7) owns the words. This adapter looks for `kubegame.glossary`
exposing `ENTRIES: dict[str, str]` (or `entries() -> dict[str, str]`); without it the
screen lists the concepts the levels name and says that their entry is still missing.
"""

from __future__ import annotations

import importlib
from typing import Any


def entries() -> dict[str, str]:
    for mod_name in ("kubegame.glossary", "kubegame.level.glossary"):
        try:
            mod: Any = importlib.import_module(mod_name)
        except ImportError:
            continue
        if callable(getattr(mod, "entries", None)):
            data = mod.entries()
        else:
            data = getattr(mod, "ENTRIES", None) or getattr(mod, "GLOSSARY", None)
        if isinstance(data, dict):
            out: dict[str, str] = {}
            for k, v in data.items():
                text = v if isinstance(v, str) else getattr(v, "text", None) or getattr(v, "body", None) or str(v)
                out[str(k)] = text
            return out
    return {}


def lookup(term: str, table: dict[str, str] | None = None) -> tuple[str, str] | None:
    table = entries() if table is None else table
    want = term.strip().lower().rstrip("s")
    for k, v in table.items():
        if k.lower() == term.strip().lower() or k.lower().rstrip("s") == want:
            return k, v
    return None
