"""1,000 random key presses and pasted random text: the app never crashes."""

from __future__ import annotations

import random
import string

from textual import events
from tui_helpers import FIRST

from kubegame.tui.screens.game import GameScreen

# every key the game binds, the keys of its screens and modals, and noise; not the quit keys
# (ctrl+c / ctrl+q end the app, and q on the title screen exits by design)
KEYS = (["space", "plus", "minus", "full_stop", "colon", "slash", "question_mark", "h", "e", "g", "y", "n", "r",
         "u", "s", "escape", "enter", "tab", "shift+tab", "up", "down", "left", "right", "backspace", "delete",
         "home", "end", "pageup", "pagedown", "ctrl+s", "ctrl+a", "ctrl+e", "ctrl+k", "ctrl+u", "ctrl+w", "f1"]
        + list("abcdefxyz0123456789-=_./:") + ["q"])


def _random_text(rng: random.Random, n: int) -> str:
    alphabet = string.printable + "äöü€→✖●\x00\x07\x1b[31m"
    return "".join(rng.choice(alphabet) for _ in range(n))


async def test_thousand_random_keys_and_pastes(make_app):
    rng = random.Random(5)
    app = make_app(FIRST, skip_briefing=True)
    pressed = 0
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        while pressed < 1000:
            batch = [rng.choice(KEYS) for _ in range(10)]
            if "y" in batch:           # y may confirm leaving: look at the screen before the next key
                batch = batch[: batch.index("y") + 1]
            if "q" in batch:           # q exits from the title and results screens: only in the game
                i = batch.index("q")
                batch = batch[:i] or (["q"] if isinstance(app.screen, GameScreen) else ["escape"])
            batch = batch[: 1000 - pressed]
            await pilot.press(*batch)
            pressed += len(batch)
            if pressed % 50 < 10:
                app.advance(rng.randint(1, 20))
                focused = app.focused
                if focused is not None:
                    focused.post_message(events.Paste(_random_text(rng, rng.randint(1, 300))))
                await pilot.pause()
            if pressed % 200 < 10 and isinstance(app.screen, GameScreen):
                # paste into the command line itself and submit it
                await pilot.press("colon")
                cmd = app.screen.query_one("#command")
                cmd.post_message(events.Paste(_random_text(rng, 200)))
                await pilot.pause()
                await pilot.press("enter")
        assert app._exception is None, app._exception
        assert app.is_running
        assert app.return_code is None
        assert app.screen.is_attached
    assert pressed == 1000
