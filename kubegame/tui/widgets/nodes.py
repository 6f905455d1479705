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

from kubegame.tui.view import LEGEND_ORDER, STYLE, STYLE_BOLD, bar, node_words, pod_state_glyph, usage_severity


class NodeCard(Static, can_focus=True):
    """One node."""

    class Selected(Message):
        def __init__(self, card: NodeCard) -> None:
            super().__init__()
            self.card = card

    def __init__(self, name: str) -> None:
        super().__init__("", classes="node-card", markup=False)
        self.node_name = name
        self.zone = ""
        self.pod_names: tuple[str, ...] = ()
        self._key: tuple | None = None

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
        glyphs = []
        for p in nv.pods:
            g, _word, psev = pod_state_glyph("lost" if not nv.alive else p.state)
            glyphs.append(f"[{STYLE[psev]} @click=screen.describe_pod('{p.namespace}','{p.name}')]{g}[/]")
        line3 = Content.from_markup("  " + " ".join(glyphs)) if glyphs else Content.styled("  (no pods)",
                                                                                            "$text-muted")
        self.update(Content("\n").join([line1, line2, line3]))

    def matches(self, text: str) -> bool:
        t = text.lower()
        return not t or t in self.node_name.lower() or t in self.zone.lower() or any(
            t in p.lower() for p in self.pod_names)

    def on_click(self, event: events.Click) -> None:
        if event.style.meta.get("@click"):
            return          # a pod glyph: its own action describes the pod
        self.focus()
        self.post_message(self.Selected(self))


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

    def set_filter(self, text: str) -> None:
        self.filter_text = text
        for card in self.cards.values():
            card.display = card.matches(text)
