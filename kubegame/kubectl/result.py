"""What a kubectl command hands back to its caller."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EditRequest:
    """`kubectl edit`: the YAML to show the user; `apply(new_text)` saves what comes back."""

    text: str
    _apply: Callable[[str], Result] = field(repr=False)

    def apply(self, new_text: str) -> Result:
        return self._apply(new_text)


@dataclass
class Result:
    output: str = ""
    error: str = ""
    exit_code: int = 0
    edit: EditRequest | None = None
    files: dict[str, str] = field(default_factory=dict)   # files `-f` read from disk: path -> text
    stream: Any = None      # a kubectl.stream.Stream: the command keeps running on the game clock
    shell: tuple[str, str, str] | None = None   # exec/attach/debug -it: (namespace, pod, container) for a
    #                                             terminal that can open a shell in it (the game screen)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0
