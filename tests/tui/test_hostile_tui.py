"""The game screen survives hostile input (issue 22): `kubectl apply -f /dev/tty` or a FIFO answers
at once and the level goes on; the palette on a tiny terminal; the terminal is restored."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest
from test_terminal import ROOT, TMUX, _tmux, _wait_for
from tui_helpers import NODE_FAILURE, output_text, type_command

from kubegame.tui.screens.game import GameScreen


async def test_special_files_answer_at_once_and_the_level_goes_on(make_app, tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for target in ("/dev/tty", str(fifo), "/dev/zero"):
            await type_command(pilot, f"kubectl apply -f {target}")
            assert f"error: error reading {target}" in output_text(app)
        before = app.screen.game.now
        app.advance(5)
        await pilot.pause()
        assert isinstance(app.screen, GameScreen) and app.screen.game.now == before + 5


@pytest.mark.parametrize("rows", [3, 4, 6])
async def test_the_palette_on_a_tiny_terminal(make_app, rows):
    app = make_app(NODE_FAILURE, skip_briefing=True)
    async with app.run_test(size=(80, rows)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press("pageup", "pagedown", "escape")
        await pilot.pause()
        assert isinstance(app.screen, GameScreen)


@pytest.mark.skipif(TMUX is None or shutil.which("stty") is None, reason="tmux or stty is not installed")
def test_the_terminal_is_restored_after_apply_of_dev_tty(tmp_path):
    session = f"kubegame-tty-{uuid.uuid4().hex[:8]}"
    modes = tmp_path / "stty.txt"
    cmd = (f"cd {ROOT} && KUBEGAME_HOME={tmp_path / 'home'} TERM=xterm-256color {sys.executable} -m kubegame "
           f"play node-failure; stty -a > {modes}")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd)
    try:
        _wait_for(session, "The Night the Node Died")
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "kubectl")
        _tmux("send-keys", "-t", session, ":")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "-l", "kubectl apply -f /dev/tty")
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "/dev/tty is a device, not a regular file")
        _tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "q")
        _wait_for(session, "Leave this level")
        _tmux("send-keys", "-t", session, "y")
        _wait_for(session, "campaign")
        time.sleep(0.5)
        _tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 15
        while not (modes.exists() and modes.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        text = modes.read_text()
        assert " icanon" in text and " echo" in text and "-icanon" not in text    # cooked mode again
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)
