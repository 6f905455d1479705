"""The game in a real terminal: tmux runs `python -m kubegame play first-pod`, the test types and reads the pane."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")
ROOT = Path(__file__).resolve().parents[2]


def _tmux(*args: str) -> str:
    return subprocess.run([TMUX, *args], check=True, capture_output=True, text=True).stdout


def _wait_for(session: str, text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    pane = ""
    while time.monotonic() < deadline:
        pane = _tmux("capture-pane", "-p", "-t", session)
        if text in pane:
            return pane
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear on the screen within {timeout}s; the screen was:\n{pane}")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_play_in_tmux(tmp_path):
    session = f"kubegame-test-{uuid.uuid4().hex[:8]}"
    status = tmp_path / "status"
    env_home = tmp_path / "home"
    cmd = (f"cd {ROOT} && KUBEGAME_HOME={env_home} TERM=xterm-256color {sys.executable} -m kubegame play first-pod; "
           f"echo $? > {status}")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd)
    try:
        _wait_for(session, "Hello, Pod")                  # the briefing
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "kubectl")                     # the game screen's console
        _wait_for(session, "space starts")               # chapter 1 waits for the player
        _tmux("send-keys", "-t", session, "space")        # start the clock ...
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "space")        # ... and pause it, so the screen holds still
        _wait_for(session, "paused")
        _tmux("send-keys", "-t", session, ":")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "-l", "kubectl get nodes")
        _tmux("send-keys", "-t", session, "Enter")
        pane = _wait_for(session, "VERSION")
        assert "minikube" in pane
        table = [ln for ln in pane.splitlines() if "minikube" in ln and "Ready" in ln and "v1." in ln]
        assert table, pane
        _tmux("send-keys", "-t", session, "Escape")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "q")
        _wait_for(session, "Leave this level")
        _tmux("send-keys", "-t", session, "y")
        _wait_for(session, "campaign")                    # back at the level select
        _tmux("send-keys", "-t", session, "q")
        deadline = time.monotonic() + 15
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status.exists(), "the game did not exit"
        assert status.read_text().strip() == "0"
        assert (env_home / "history").read_text().splitlines() == ["kubectl get nodes"]
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed")
def test_a_pipe_in_a_real_terminal(tmp_path):
    """Typed keys in a real terminal: a kubectl command piped through awk and grep."""
    session = f"kubegame-pipe-{uuid.uuid4().hex[:8]}"
    cmd = (f"cd {ROOT} && KUBEGAME_HOME={tmp_path / 'home'} TERM=xterm-256color {sys.executable} -m kubegame "
           "play node-failure")
    _tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd)
    try:
        _wait_for(session, "The Night the Node Died")
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "kubectl")
        _tmux("send-keys", "-t", session, "space")
        _wait_for(session, "paused")
        _tmux("send-keys", "-t", session, ":")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "-l",
              "kubectl get nodes --no-headers | awk '{print \"NODE=\" $1}' | grep 'NODE=worker-2'")
        _tmux("send-keys", "-t", session, "Enter")
        pane = _wait_for(session, "NODE=worker-2")
        assert "NODE=worker-1" not in pane and "NODE=worker-3" not in pane    # grep kept one line
        assert "$ kubectl get nodes --no-headers | awk" in pane
    finally:
        subprocess.run([TMUX, "kill-session", "-t", session], capture_output=True)
