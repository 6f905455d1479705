"""`kubegame play --serve`: the game screen serves its cluster over the Kubernetes API on the app's
own event loop, so the real kubectl in another terminal and the typed command line act on one
cluster."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

from tui_helpers import FIRST, output_text, type_command

from kubegame import serve
from kubegame.tui.screens.game import GameScreen

KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")


async def _kubectl(kubeconfig: Path, home: Path, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        KUBECTL, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={"KUBECONFIG": str(kubeconfig), "HOME": str(home), "PATH": os.environ.get("PATH", "")})
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out.decode()


async def test_the_game_screen_serves_its_cluster_to_real_kubectl(make_app, tmp_path):
    app = make_app(FIRST, skip_briefing=True, serve=True)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if isinstance(app.screen, GameScreen) and app.screen.api_server is not None:
                break
        screen = app.screen
        assert screen.api_server is not None
        assert f"https://127.0.0.1:{screen.api_server.port}" in output_text(app)
        state = serve.read_state()
        assert state is not None and state["port"] == screen.api_server.port
        kc = tmp_path / "kc.yaml"
        serve.merge_into(str(kc), serve.kubeconfig(state["port"], state["token"], state["ca"].encode()))
        (tmp_path / "h").mkdir()
        code, out = await _kubectl(kc, tmp_path / "h", "get", "pods")
        assert code == 0 and "hello-" in out, out
        code, out = await _kubectl(kc, tmp_path / "h", "scale", "deployment", "hello", "--replicas=2")
        assert code == 0, out
        assert screen.game.cluster.get("Deployment", "default", "hello").spec["replicas"] == 2
        await type_command(pilot, "kubectl get deploy hello")
        assert "0/2" in output_text(app) or "1/2" in output_text(app) or "2/2" in output_text(app)
        port = screen.api_server.port
    assert serve.read_state() is None             # the state file goes with the screen
    try:
        await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 2)
        listening = True
    except OSError:
        listening = False
    assert not listening
