"""Nodes: one card per node (zone, status, cpu/memory requested, its pods as glyphs).

Cards are created once per node and updated in place; a card re-renders only when
what it shows changed. Clicking a card describes the node; clicking a pod glyph
describes the pod.
"""

from __future__ import annotations

from textual import events
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from kubegame.tui.view import (
    LEGEND_ORDER,
    STYLE,
    STYLE_BOLD,
    bar,
    node_words,
    pod_state_glyph,
    usage_severity,
)


class NodeCard(Static, can_focus=True):
    """One node."""

    class Selected(Message):
        def __init__(self, card: NodeCard, pod: tuple[str, str] | None = None) -> None:
            super().__init__()
            self.card = card
            self.pod = pod          # (namespace, name) when a pod glyph was clicked

    def __init__(self, name: str) -> None:
        super().__init__("", classes="node-card", markup=False)
        self.node_name = name
        self.zone = ""
        self.pod_names: tuple[str, ...] = ()
        self._key: tuple | None = None
        self._per_line = 1
        self.pods: list[tuple[str, str]] = []

    def show(self, nv, width: int) -> None:
        pods = tuple((p.namespace, p.name, p.state) for p in nv.pods)
        key = (nv.status, nv.alive, nv.cordoned, nv.silent_for if not nv.alive else 0, round(nv.cpu_pct),
               round(nv.mem_pct), pods, width)
        if key == self._key:
            return
        self._key = key
        self.zone = nv.zone
        self.pod_names = tuple(p.name for p in nv.pods)
        words, sev = node_words(nv)
        self.set_class(not nv.alive, "-down")
        self.set_class(sev == "warn", "-warn")
        cpu, mem = nv.cpu_pct / 100, nv.mem_pct / 100
        bw = 8 if width >= 40 else 5
        line1 = Content.assemble((nv.name, "bold"), "  ", (nv.zone, "$text-muted"), "  ", (words, STYLE_BOLD[sev]))
        line2 = Content.assemble(
            "  cpu ", (bar(cpu, bw), STYLE[usage_severity(cpu)]), f" {nv.cpu_pct:3.0f}%   mem ",
            (bar(mem, bw), STYLE[usage_severity(mem)]), f" {nv.mem_pct:3.0f}%", ("   pods ", "$text-muted"),
            str(len(nv.pods)))
        per_line = max(1, (width - 4) // 2)   # the card: blank left border + padding, then "  "
        self._per_line = per_line
        rows: list[Content] = []
        for i in range(0, len(nv.pods), per_line):
            parts: list = ["  "]
            for p in nv.pods[i:i + per_line]:
                g, _word, psev = pod_state_glyph("lost" if not nv.alive else p.state)
                parts += [(g, STYLE[psev]), " "]
            rows.append(Content.assemble(*parts))
        if not rows:
            rows.append(Content.styled("  (no pods)", "$text-muted"))
        self.pods = [(p.namespace, p.name) for p in nv.pods]
        self.update(Content("\n").join([line1, line2, *rows]))

    def pod_at(self, x: int, y: int) -> tuple[str, str] | None:
        """The pod whose glyph is at content offset (x, y), if any."""
        row, col = y - 2, x - 2
        if row < 0 or col < 0 or col % 2:
            return None
        i = row * self._per_line + col // 2
        if col // 2 >= self._per_line or i >= len(self.pods):
            return None
        return self.pods[i]

    def matches(self, text: str) -> bool:
        t = text.lower()
        return not t or t in self.node_name.lower() or t in self.zone.lower() or any(
            t in p.lower() for p in self.pod_names)

    def on_click(self, event: events.Click) -> None:
        self.focus()
        offset = event.get_content_offset(self)
        pod = self.pod_at(offset.x, offset.y) if offset is not None else None
        self.post_message(self.Selected(self, pod))


class PodLegend(Static):
    def on_mount(self) -> None:
        parts: list = []
        for state in LEGEND_ORDER:
            g, word, sev = pod_state_glyph(state)
            parts += [(g, STYLE[sev]), f" {word}  "]
        self.update(Content.assemble(*parts))


class NodeList(VerticalScroll):
    """The node cards, in the order the cluster lists its nodes."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.cards: dict[str, NodeCard] = {}
        self.filter_text = ""

    def sync(self, nodes: list) -> None:
        names = [n.name for n in nodes]
        gone = [name for name in self.cards if name not in set(names)]
        for name in gone:
            self.cards.pop(name).remove()
        new = []
        for n in nodes:
            if n.name not in self.cards:
                card = NodeCard(n.name)
                self.cards[n.name] = card
                new.append(card)
        if new:
            self.mount(*new)
        width = self.content_size.width or 50
        for n in nodes:
            card = self.cards[n.name]
            card.show(n, width)
            card.display = card.matches(self.filter_text)

    def set_filter(self, text: str) -> int:
        """Show the nodes whose name, zone or pods match; returns how many match."""
        self.filter_text = text
        shown = 0
        for card in self.cards.values():
            card.display = card.matches(text)
            shown += card.display
        return shown
