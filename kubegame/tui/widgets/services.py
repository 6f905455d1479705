"""Services: endpoints ready/desired, availability so far, rps served/arrived, latency, sparkline."""

from __future__ import annotations

from textual import events
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from kubegame.tui.view import STYLE, availability_severity, short_pct
from kubegame.tui.widgets.sparkline import spark


class ServiceRow(Static):
    class Selected(Message):
        def __init__(self, row: ServiceRow) -> None:
            super().__init__()
            self.row = row

    def __init__(self, key: str, namespace: str, name: str) -> None:
        super().__init__("", classes="service-row", markup=False)
        self.key = key
        self.namespace = namespace
        self.service_name = name
        self._key: tuple | None = None

    def show(self, sv, width: int) -> None:
        hist = tuple(round(h, 1) for h in sv.history[-max(8, width):])
        key = (sv.ready, sv.desired, round(sv.availability, 1), sv.arrived, sv.served, round(sv.latency_ms),
               hist, width)
        if key == self._key:
            return
        self._key = key
        eps_sev = "ok" if sv.ready >= sv.desired and sv.ready > 0 else "bad" if sv.ready == 0 else "warn"
        now_pct = 100.0 if sv.arrived == 0 else 100.0 * sv.served / sv.arrived
        name = sv.key if len(sv.key) <= 12 else sv.key[:11] + "…"
        head = Content.assemble(
            (f"{name:<12}", "bold"), (f"{sv.ready}/{sv.desired} ready", STYLE[eps_sev]), "  ",
            (short_pct(sv.availability), STYLE[availability_severity(sv.availability)]))
        load = Content.assemble((f"{sv.served}/{sv.arrived} rps", STYLE[availability_severity(now_pct)]), "  ",
                                f"{sv.latency_ms:.0f} ms")
        if head.cell_length + 2 + load.cell_length <= width:
            lines = [Content.assemble(head, "  ", load)]
        else:
            lines = [head, Content.assemble(" " * 12, load)]
        spark_w = max(8, width - 12 - 14)
        lines.append(Content.assemble(" " * 12, spark(sv.history, spark_w), (" availability", "$text-muted")))
        self.update(Content("\n").join(lines))

    def on_click(self, event: events.Click) -> None:
        self.post_message(self.Selected(self))


class ServiceList(VerticalScroll):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.rows: dict[str, ServiceRow] = {}

    def sync(self, services: list) -> None:
        new = []
        for sv in services:
            if sv.key not in self.rows:
                row = ServiceRow(sv.key, sv.namespace, sv.name)
                self.rows[sv.key] = row
                new.append(row)
        if new:
            self.mount(*new)
        width = self.content_size.width or 48
        for sv in services:
            self.rows[sv.key].show(sv, width)
