"""The kubectl output pane: commands echoed, answers in kubectl's own formatting, errors in red.

kubectl's tables are never wrapped (a wrapped table cannot be read): a line wider than the
pane scrolls sideways (Left/Right, or `w` wraps everything). Errors, hints and Tab-completion
lists always wrap, so nothing the player must read is cut at the edge. The pane keeps what
was written and lays it out again when its width changes.

Long answers are paged: when one command's output is taller than the pane, the pane shows
its first lines (the table header, the start of `describe`) and says how much more there is;
PgDn/PgUp scroll from anywhere, `z` zooms the pane to the whole screen.
"""

from __future__ import annotations

from collections import deque

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.events import Resize
from textual.message import Message
from textual.widgets import RichLog

KEEP = 3000          # lines of history kept


class OutputPane(RichLog):
    BINDINGS = [Binding("w", "toggle_wrap", "wrap", id="output.wrap")]

    class Paged(Message):
        """The visible part of the output changed: `above`/`below` lines are out of view."""

        def __init__(self, above: int, below: int) -> None:
            super().__init__()
            self.above, self.below = above, below

    def __init__(self, **kw) -> None:
        # RichLog's `wrap` lets a line fold at the width it is written with; whether it does is
        # chosen per line (`shrink`), so tables keep their width and messages fit the pane
        super().__init__(max_lines=KEEP, wrap=True, markup=False, highlight=False, auto_scroll=True,
                         min_width=1, **kw)
        self.entries: deque[tuple[str, str, str]] = deque(maxlen=KEEP)    # (kind, text, style)
        self.wrap_output = False
        self._laid_out_width = 0
        self._block_start: int | None = None

    # -- writing -------------------------------------------------------------------------------
    def command(self, line: str) -> None:
        self._add("command", line, "")

    def output(self, text: str) -> None:
        for ln in text.rstrip("\n").split("\n") if text else []:
            self._add("output", ln.expandtabs(), "")

    def error(self, text: str) -> None:
        for ln in text.rstrip("\n").split("\n") if text else []:
            self._add("error", ln.expandtabs(), "$text-error")

    def note(self, text: str, style: str = "$text-muted") -> None:
        for ln in text.rstrip("\n").split("\n"):
            self._add("note", ln, style)

    def _add(self, kind: str, text: str, style: str) -> None:
        self.entries.append((kind, text, style))
        self._render_entry(kind, text, style, scroll_end=self._block_start is None)

    def _style(self, spec: str) -> Style:
        """A theme style such as `bold $text-error` as a Rich style (follows the app's theme)."""
        variables = self.app.get_css_variables()
        words = []
        color = None
        for w in spec.split():
            if w.startswith("$"):
                color = variables.get(w[1:])
                if color is not None and not color.startswith("#"):
                    color = None             # "auto 60%" (muted): contrast-relative, shown dim
                    words.append("dim")
            else:
                words.append(w)
        try:
            return Style.parse(" ".join(words + ([color] if color else []))) if words or color else Style()
        except Exception:  # noqa: BLE001 - an odd theme value must not break the pane
            return Style()

    def _render_entry(self, kind: str, text: str, style: str, scroll_end: bool | None = None) -> None:
        if kind == "command":
            content = Text.assemble(("$ ", self._style("bold $text-accent")), (text, self._style("bold")))
        else:
            content = Text(text, style=self._style(style)) if style else Text(text)
        content.no_wrap = False
        # kubectl's own output keeps its columns (sideways scroll); everything else wraps
        wraps = kind in ("command", "error", "note") or self.wrap_output
        if wraps and self.size.width:
            width = max(10, self.size.width - self.styles.scrollbar_size_vertical)
            self.write(content, width=min(width, max(1, content.cell_len)), scroll_end=scroll_end)
        else:
            self.write(content, width=max(1, content.cell_len), scroll_end=scroll_end)

    def clear(self):  # type: ignore[override]
        self.entries.clear()
        return super().clear()

    # -- paging --------------------------------------------------------------------------------
    def begin_block(self) -> None:
        """A command's answer starts: remember where, so a long one can be shown from its top."""
        self._block_start = len(self.lines)

    def end_block(self) -> None:
        """The answer is written: show it from its first line when it does not fit, else the end."""
        start = self._block_start
        self._block_start = None
        if start is None:
            return
        height = self.scrollable_content_region.height or self.size.height
        if height and len(self.lines) - start > height:
            self.call_after_refresh(self.scroll_to, 0, max(0, start), animate=False)
        else:
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._report()

    def _report(self) -> None:
        height = self.scrollable_content_region.height
        above = int(self.scroll_y)
        below = max(0, len(self.lines) - above - height)
        self.post_message(self.Paged(above, below))

    # -- layout --------------------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)
        width = event.size.width
        if width and width != self._laid_out_width:
            self._laid_out_width = width
            self.relayout()
        else:
            self._report()

    def relayout(self) -> None:
        """Lay every kept entry out again (after a resize or a wrap toggle)."""
        at_end = self.is_vertical_scroll_end or self.max_scroll_y == 0
        entries = list(self.entries)
        super().clear()
        for kind, text, style in entries:
            self._render_entry(kind, text, style, scroll_end=False)
        if at_end:
            self.scroll_end(animate=False, immediate=False, x_axis=False)

    def action_toggle_wrap(self) -> None:
        self.wrap_output = not self.wrap_output
        self.relayout()
        self.notify("output wraps" if self.wrap_output else "output scrolls sideways (Left/Right)", timeout=2)

    def text(self) -> str:
        """Everything shown, as plain text (for tests and the pager)."""
        return "\n".join(line.text for line in self.lines)
