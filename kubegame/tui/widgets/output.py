"""The kubectl output pane: commands echoed, answers in kubectl's own formatting, errors in red."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import RichLog

KEEP = 3000


class OutputPane(RichLog):
    def __init__(self, **kw) -> None:
        super().__init__(max_lines=KEEP, wrap=False, markup=False, highlight=False, auto_scroll=True, **kw)

    def command(self, line: str) -> None:
        self.write(Content.assemble(("$ ", "bold $text-accent"), (line, "bold")))

    def output(self, text: str) -> None:
        for ln in text.rstrip("\n").split("\n") if text else []:
            self.write(Content(ln.expandtabs()))

    def error(self, text: str) -> None:
        for ln in text.rstrip("\n").split("\n") if text else []:
            self.write(Content.styled(ln.expandtabs(), "$text-error"))

    def note(self, text: str, style: str = "$text-muted") -> None:
        for ln in text.rstrip("\n").split("\n"):
            self.write(Content.styled(ln, style))
