"""The command line: kubectl and game commands, history (Up/Down, kept between sessions), Tab completion.

Completion asks `kubegame.kubectl.complete(cluster, partial)`; candidates may be whole
lines or words for the last word of the line, both are understood. One candidate is
inserted; several complete to their common prefix and are listed in the output pane.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input

from kubegame.tui.storage import History


def apply_completion(text: str, candidates: list[str]) -> tuple[str, list[str]]:
    """The new line after Tab, and the candidates to list (when more than one)."""
    cands = [c for c in dict.fromkeys(candidates) if isinstance(c, str) and c]
    if not cands:
        return text, []
    if all(c.startswith(text) for c in cands) and any(" " in c for c in cands):
        full = cands
    else:
        head, _, _last = text.rpartition(" ")
        prefix = head + " " if head or text.endswith(" ") else ""
        if text.endswith(" "):
            prefix = text
        full = [prefix + c for c in cands]
    if len(full) == 1:
        line = full[0]
        return (line if line.endswith(("=", "/")) else line + " "), []
    common = os.path.commonprefix(full)
    new = common if len(common) > len(text) else text
    return new, cands


class CommandInput(Input):
    BINDINGS = [
        Binding("up", "history(-1)", "older", show=False, id="command.history_back"),
        Binding("down", "history(1)", "newer", show=False, id="command.history_forward"),
        Binding("tab", "complete", "complete", id="command.complete"),
        Binding("escape", "leave", "back to board", id="command.leave"),
    ]

    class Completions(Message):
        def __init__(self, candidates: list[str]) -> None:
            super().__init__()
            self.candidates = candidates

    class Leave(Message):
        pass

    def __init__(self, history: History, completer: Callable[[str], list[str]] | None = None, **kw) -> None:
        super().__init__(placeholder="kubectl get pods   (Tab completes, ↑↓ history, Esc back to the board)",
                         select_on_focus=False, **kw)
        self.history = history
        self.completer = completer
        self._pos: int | None = None
        self._draft = ""

    def remember(self, line: str) -> None:
        self.history.add(line)
        self._pos = None
        self._draft = ""

    def action_history(self, direction: int) -> None:
        lines = self.history.lines
        if not lines:
            return
        if self._pos is None:
            if direction > 0:
                return
            self._draft = self.value
            self._pos = len(lines)
        self._pos = max(0, min(len(lines), self._pos + direction))
        self.value = self._draft if self._pos == len(lines) else lines[self._pos]
        self.cursor_position = len(self.value)
        if self._pos == len(lines):
            self._pos = None

    def action_complete(self) -> None:
        if self.completer is None:
            return
        text = self.value[: self.cursor_position]
        try:
            cands = list(self.completer(text))
        except Exception:  # noqa: BLE001 - completion must never break typing
            cands = []
        new, listed = apply_completion(text, cands)
        rest = self.value[self.cursor_position:]
        if new != text:
            self.value = new + rest
            self.cursor_position = len(new)
        if listed:
            self.post_message(self.Completions(listed))

    def action_leave(self) -> None:
        self.post_message(self.Leave())
