"""Helpers for the TUI tests."""

from __future__ import annotations

from kubegame.tui.widgets.output import OutputPane

FIRST = "first-pod"            # bundled: one node "minikube", Deployment + Service "hello", 120 ticks
NODE_FAILURE = "node-failure"  # bundled: worker-1..3, worker-2 fails at tick 120


def output_text(app) -> str:
    pane = app.screen.query_one(OutputPane)
    return "\n".join(line.text for line in pane.lines)


async def type_command(pilot, line: str) -> None:
    await pilot.press("colon")
    app = pilot.app
    app.screen.query_one("#command").value = line
    await pilot.press("enter")
    await pilot.pause()
