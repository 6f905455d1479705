"""Small modal screens: leave confirmation, help, glossary. The game pauses while any is open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Markdown

from kubegame.tui import glossary

COMMANDS_HELP = """\
## Commands

| command | does |
| --- | --- |
| `kubectl ...` or `k ...` | real kubectl: `get`, `describe`, `scale`, `edit`, `apply -f`, `set image`, `rollout ...`, `cordon`, `drain`, `top`, `logs`, ... |
| `node add [--zone Z] [--count N]` | buy nodes from the level's node pool (they boot before they are Ready) |
| `node remove NAME` | give a node back |
| `etcd add-member --zone Z` / `etcd remove-member NAME` | change the control plane |
| `explain CONCEPT` | the glossary entry for a concept (`explain Pod`) |
| `hint` | the next hint (same as `h`) |
| `clear` | clear the output pane |

Output is kubectl's own. Tab completes words; ↑/↓ walk the history (kept between sessions).
Click a node or a pod on the board to `describe` it; `e` edits the one selected.
"""


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "no", id="confirm.no"),
    ]

    def __init__(self, question: str, yes: str = "Leave", no: str = "Stay") -> None:
        super().__init__(classes="modal")
        self.question = question
        self.yes, self.no = yes, no

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="error")
                yield Button(f"{self.no} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


def keys_markdown(bindings: list[tuple[str, str]]) -> str:
    rows = "\n".join(f"| `{k}` | {d} |" for k, d in bindings)
    return f"## Keys\n\n| key | does |\n| --- | --- |\n{rows}\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "close", id="help.close")]

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__(classes="modal")
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="sheet") as v:
            v.border_title = "help · Esc closes"
            yield Markdown(keys_markdown(self.bindings) + "\n" + COMMANDS_HELP, id="help-text")

    def action_dismiss(self, result=None) -> None:  # type: ignore[override]
        self.dismiss(None)


def glossary_markdown(concepts: list[str], table: dict[str, str]) -> str:
    first = [c for c in concepts]
    rest = [k for k in sorted(table, key=str.lower) if k not in first]
    out = []
    if first:
        out.append("## This level\n")
        for c in first:
            hit = glossary.lookup(c, table)
            out.append(f"**{c}**: {hit[1].strip() if hit else '(no glossary entry yet)'}\n")
    if rest:
        out.append("## Every concept\n")
        for k in rest:
            out.append(f"**{k}**: {table[k].strip()}\n")
    if not out:
        out.append("The glossary is empty.")
    return "\n".join(out)


class GlossaryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,g", "dismiss", "close", id="glossary.close")]

    def __init__(self, concepts: list[str] | None = None) -> None:
        super().__init__(classes="modal")
        self.concepts = list(concepts or [])

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="sheet") as v:
            v.border_title = "glossary · Esc closes"
            yield Markdown(glossary_markdown(self.concepts, glossary.entries()), id="glossary-text")

    def action_dismiss(self, result=None) -> None:  # type: ignore[override]
        self.dismiss(None)
