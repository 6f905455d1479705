"""Level errors: one line each, `PATH:LINE:COL: error: WHAT (expected ...)`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LevelError(Exception):
    """One problem in a level file, pointing at the YAML node that causes it."""

    path: str
    line: int
    col: int
    what: str
    expected: str = ""

    def __str__(self) -> str:
        tail = f" (expected {self.expected})" if self.expected else ""
        return f"{self.path}:{self.line}:{self.col}: error: {self.what}{tail}"

    def __hash__(self) -> int:  # dataclass eq + Exception: keep hashable for sets of errors
        return hash((self.path, self.line, self.col, self.what))


class LevelInvalid(Exception):
    """A level file with one or more errors; `errors` holds all of them, in file order."""

    def __init__(self, errors: list[LevelError]):
        self.errors = sorted(errors, key=lambda e: (e.line, e.col))
        super().__init__("\n".join(str(e) for e in self.errors))
