"""Screens that should not act on keys typed for the screen before them.

A player typing `kubectl get nodes` as a level ends must not have the results screen read
`n` (next level) and then `s`. A screen with `KeyGrace` ignores every key binding until
the keyboard has been quiet for `GRACE_S` seconds after it opened: each key that arrives
during the grace starts the quiet time again, so a command being typed is swallowed whole.
"""

from __future__ import annotations

import time

GRACE_S = 1.0


class KeyGrace:
    """Mixin for a Screen: `check_action` refuses bindings during the grace."""

    grace_s = GRACE_S

    def start_grace(self, seconds: float | None = None) -> None:
        if seconds is None:
            seconds = self.grace_s
            try:
                from textual._context import active_app
                seconds = min(seconds, float(getattr(active_app.get(), "key_grace", seconds)))
            except (LookupError, TypeError, ValueError):
                pass
        self._grace_until = time.monotonic() + seconds
        if getattr(self, "is_mounted", False):    # before the mount, on_mount sets the timer
            self._show_keys_after_grace()

    def _show_keys_after_grace(self) -> None:
        """The footer hides the keys during the grace (check_action refuses them): show them
        again when it ends, however often a key restarted it."""
        self.set_timer(max(0.0, self._grace_until - time.monotonic()) + 0.05, self._grace_over)

    def _grace_over(self) -> None:
        if not self.in_grace:
            self.refresh_bindings()
            self.on_grace_end()

    def on_grace_end(self) -> None:
        """Called once the keys act again (a screen starts its heavy work here, not while the
        keys typed for the screen before may still be arriving)."""

    def on_mount(self) -> None:
        if self.in_grace:
            self._show_keys_after_grace()

    @property
    def in_grace(self) -> bool:
        return time.monotonic() < getattr(self, "_grace_until", 0.0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not self.in_grace

    def on_key(self, event) -> None:
        if self.in_grace:
            self.start_grace()            # keys still arriving: keep waiting for quiet
            event.stop()
            event.prevent_default()

    def end_grace(self) -> None:
        """Tests (and a mouse click) end the grace at once."""
        self._grace_until = 0.0
