"""A pager for long output (`kubectl describe node x | less`, or `z` on a long answer): like less.

Space/PgDn and b/PgUp page, Up/Down and j/k scroll a line, g/G (Home/End) go to the top or
the end, `/` searches forward (n repeats), q or Esc closes. The game pauses while it is open.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PagerScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("q,escape", "close", "close", id="pager.close"),
        Binding("space,f", "page(1)", "page down", show=False, id="pager.down"),
        Binding("b", "page(-1)", "page up", show=False, id="pager.up"),
        Binding("j", "line(1)", show=False, id="pager.line_down"),
        Binding("k", "line(-1)", show=False, id="pager.line_up"),
        Binding("g", "top", show=False, id="pager.top"),
        Binding("G", "bottom", show=False, id="pager.bottom"),
        Binding("slash", "search", "search", key_display="/", id="pager.search"),
        Binding("n", "next_match", "next match", show=False, id="pager.next"),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__(classes="modal")
        self.title_text = title
        self.text = text
        self.lines = text.split("\n")
        self.pattern = ""
        self.last_hit = -1

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="pager") as v:
            v.border_title = f"{self.title_text} · q closes · / searches"
            yield Static(self.text, id="pager-text", markup=False)
        yield Input(placeholder="search for (Enter)", id="pager-search")

    def on_mount(self) -> None:
        self.query_one("#pager-search").display = False
        self.query_one("#pager").focus()
        self._subtitle()

    def _scroller(self) -> VerticalScroll:
        return self.query_one("#pager", VerticalScroll)

    def _subtitle(self) -> None:
        v = self._scroller()
        top = int(v.scroll_y) + 1
        bottom = min(len(self.lines), int(v.scroll_y) + max(1, v.scrollable_content_region.height))
        v.border_subtitle = f"lines {top}-{bottom} of {len(self.lines)}"

    def action_close(self) -> None:
        self.dismiss(None)

    def action_page(self, direction: int) -> None:
        v = self._scroller()
        v.scroll_page_down(animate=False) if direction > 0 else v.scroll_page_up(animate=False)
        self.call_after_refresh(self._subtitle)

    def action_line(self, direction: int) -> None:
        v = self._scroller()
        v.scroll_relative(y=direction, animate=False)
        self.call_after_refresh(self._subtitle)

    def action_top(self) -> None:
        self._scroller().scroll_home(animate=False)
        self.call_after_refresh(self._subtitle)

    def action_bottom(self) -> None:
        self._scroller().scroll_end(animate=False)
        self.call_after_refresh(self._subtitle)

    def action_search(self) -> None:
        box = self.query_one("#pager-search", Input)
        box.display = True
        box.value = ""
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.input.display = False
        self.pattern = event.value
        self.last_hit = int(self._scroller().scroll_y) - 1
        self._scroller().focus()
        self.action_next_match()

    def action_next_match(self) -> None:
        if not self.pattern:
            return
        low = self.pattern.lower()
        for i in range(self.last_hit + 1, len(self.lines)):
            if low in self.lines[i].lower():
                self.last_hit = i
                self._scroller().scroll_to(y=i, animate=False)
                self.call_after_refresh(self._subtitle)
                return
        self.notify(f"pattern not found: {self.pattern}", timeout=2)
