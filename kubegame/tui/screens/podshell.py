"""A shell in a Pod (`s` on a Pod in a resource view): each line runs as `kubectl exec POD -- ...`.

The game's pods run the small simulated shell of `kubectl exec` (cat, ls, env, wget, curl,
nslookup ...); a real interactive session is not simulated, so this window sends one
command at a time and shows its answer. Esc or `exit` closes it; the game pauses meanwhile.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RichLog


class PodShellScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "close", id="shell.close")]

    def __init__(self, namespace: str, pod: str, run: Callable[[str], Any], container: str = "") -> None:
        super().__init__(classes="modal")
        self.namespace, self.pod, self.run = namespace, pod, run
        self.container = container

    def compose(self) -> ComposeResult:
        with Vertical(id="podshell") as v:
            v.border_title = f"kubectl exec -it {self.pod} -- sh · Esc closes"
            yield RichLog(id="podshell-log", wrap=True, markup=False, highlight=False)
            yield Input(placeholder="a command in the container: ls /, env, wget -qO- SERVICE, exit",
                        id="podshell-input")

    def on_mount(self) -> None:
        log = self.query_one(RichLog)
        log.write(f"(a shell in {self.namespace}/{self.pod}: each line runs as kubectl exec {self.pod} -- LINE)")
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        event.input.value = ""
        if not line:
            return
        if line in ("exit", "logout"):
            self.dismiss(None)
            return
        log = self.query_one(RichLog)
        log.write(f"/ # {line}")
        ns = f" -n {self.namespace}" if self.namespace != "default" else ""
        try:
            words = shlex.split(line)
        except ValueError as exc:
            log.write(f"sh: {exc}")
            return
        c = f" -c {self.container}" if self.container else ""
        res = self.run(f"kubectl exec {self.pod}{ns}{c} -- {shlex.join(words)}")
        text = (getattr(res, "output", "") or "") + (getattr(res, "error", "") or "")
        for ln in text.rstrip("\n").split("\n") if text else []:
            log.write(ln)

    def action_close(self) -> None:
        self.dismiss(None)
