"""A `kubegame serve` in a background thread, its clock stopped: a test ticks it (`tick`), runs the
real kubectl 1.37.1 binary against it (`kubectl`), the built-in kubectl on the same cluster
(`builtin`), and reads the engine on the server's own thread (`call`)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from kubegame import serve
from kubegame.apiserver.http import Server, new_token
from kubegame.game import Game
from kubegame.level.catalog import find_level

KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")


class Served:
    def __init__(self, game: Any, tmp: Path):
        self.game = game
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.token = new_token()
        self.server = Server(game, self.token, lambda: serve.player(game.cluster))
        self.port = self.call_async(self.server.start())
        self.kubeconfig = tmp / "kubeconfig"
        serve.merge_into(str(self.kubeconfig), serve.kubeconfig(self.port, self.token, self.server.certs.ca_pem,
                                                                 serve.default_namespace(game.cluster)))
        self.home = tmp / "home"
        self.home.mkdir()
        self.ca_file = tmp / "ca.crt"
        self.ca_file.write_bytes(self.server.certs.ca_pem)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def call_async(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def call(self, fn: Any, *args: Any) -> Any:
        async def run() -> Any:
            return fn(*args)
        return self.call_async(run())

    def tick(self, n: int = 1) -> None:
        def run() -> None:
            for _ in range(n):
                if self.game.finished:
                    break
                self.game.step()
                self.server.ticked()
        self.call(run)

    def env(self) -> dict:
        return {"KUBECONFIG": str(self.kubeconfig), "HOME": str(self.home), "PATH": os.environ.get("PATH", ""),
                "LANG": "C.UTF-8"}

    def kubectl(self, *args: str, stdin: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
        return subprocess.run([KUBECTL, *args], input=stdin, capture_output=True, text=True, timeout=timeout,
                              env=self.env())

    def start_kubectl(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen([KUBECTL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=self.env())

    def builtin(self, line: str, stdin: str | None = None) -> Any:
        return self.call(lambda: self.game.submit(line, stdin=stdin, record=False))

    def close(self) -> None:
        self.call_async(self.server.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def served(tmp_path: Path):
    made: list[Served] = []

    def make(level: str | Any = "first-pod", seed: int | None = None) -> Served:
        game = Game(find_level(level), seed=seed) if isinstance(level, str) else level
        s = Served(game, tmp_path / f"s{len(made)}")
        (tmp_path / f"s{len(made)}").mkdir(exist_ok=True)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()
