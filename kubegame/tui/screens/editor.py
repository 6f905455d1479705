"""The YAML editor for `kubectl edit` (and `e` on the selected object).

Save (ctrl+s) hands the text to the game; an error shows under the editor and the
text stays as typed, as kubectl edit reopens the file with the error on top.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea


def _has_tree_sitter() -> bool:
    try:
        import tree_sitter  # noqa: F401
    except ImportError:
        return False
    return True


class EditorScreen(ModalScreen):
    """Dismisses with the game's answer to the save, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "save", "save & apply", id="editor.save", priority=True),
        Binding("escape", "cancel", "cancel", id="editor.cancel", priority=True),
    ]

    def __init__(self, title: str, text: str, save: Callable[[str], object]) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.text = text
        self.save = save

    def compose(self) -> ComposeResult:
        with Vertical(id="editor-box") as v:
            v.border_title = f"{self.title_text} · ctrl+s save · Esc cancel"
            yield TextArea.code_editor(self.text, language="yaml" if _has_tree_sitter() else None,
                                       tab_behavior="indent", id="yaml")
            yield Static("", id="editor-error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#yaml", TextArea).focus()
        self.query_one("#editor-error").display = False

    def action_save(self) -> None:
        text = self.query_one("#yaml", TextArea).text
        try:
            res = self.save(text)
        except Exception as exc:  # noqa: BLE001 - shown, never a crash
            self.show_error(f"error: {type(exc).__name__}: {exc}")
            return
        if getattr(res, "exit_code", 0) != 0:
            self.show_error((getattr(res, "error", "") or getattr(res, "output", "") or "error").strip())
            return
        self.dismiss(res)

    def show_error(self, text: str) -> None:
        err = self.query_one("#editor-error", Static)
        err.update(text)
        err.display = True

    def action_cancel(self) -> None:
        self.dismiss(None)
