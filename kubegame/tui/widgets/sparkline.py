"""A sparkline on a fixed 0-100 scale (Textual's Sparkline scales to the data's own min and max,
which would draw 99.9% next to 100% as a crash)."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from kubegame.tui.view import STYLE, availability_severity

BLOCKS = "▁▂▃▄▅▆▇█"


def spark(values: Sequence[float], width: int, lo: float = 0.0, hi: float = 100.0,
          severity=availability_severity) -> Content:
    """The last `width` values as block characters, each coloured by its severity."""
    vals = list(values)[-width:] if width > 0 else []
    parts: list[tuple[str, str]] = []
    span = (hi - lo) or 1.0
    for v in vals:
        f = max(0.0, min(1.0, (v - lo) / span))
        ch = BLOCKS[min(7, int(f * 7.999))]
        style = STYLE[severity(v)] if severity else ""
        if parts and parts[-1][1] == style:
            parts[-1] = (parts[-1][0] + ch, style)
        else:
            parts.append((ch, style))
    pad = max(0, width - len(vals))
    return Content.assemble(("·" * pad, "$text-muted"), *parts)
