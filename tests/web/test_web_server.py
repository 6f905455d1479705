"""kubegame web's server without a browser: sessions, players, seats, the kubeconfig URL and the
warning for a public address (kubegame/web/server.py). The real browser is in test_browser.py."""

from __future__ import annotations

import asyncio
import json
import os
import re
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from kubegame.web.server import GUEST_COOKIE, WebServer, is_loopback


def _run(server: WebServer, body) -> None:
    async def go() -> None:
        # a browser keeps cookies of 127.0.0.1; aiohttp's client does only when told to
        client = TestClient(TestServer(await server._make_app()), cookie_jar=aiohttp.CookieJar(unsafe=True))
        await client.start_server()
        try:
            await body(client)
        finally:
            await client.close()
    asyncio.run(asyncio.wait_for(go(), 120))


def _sid(page: str) -> str:
    m = re.search(r'data-session-websocket-url="[^"]*/ws/([A-Za-z0-9_-]+)"', page)
    assert m, page
    return m.group(1)


def test_each_page_load_is_its_own_session_and_a_guest_keeps_one_progress_folder(tmp_path):
    server = WebServer(home=tmp_path)

    async def body(client: TestClient) -> None:
        first = await client.get("/")
        assert first.status == 200
        page1 = await first.text()
        guest = first.cookies[GUEST_COOKIE].value
        assert "playing as <b>guest</b>" in page1
        second = await client.get("/")                     # the same browser: the cookie comes back
        page2 = await second.text()
        assert _sid(page1) != _sid(page2)                  # two tabs, two games
        assert second.cookies[GUEST_COOKIE].value == guest  # the guest is kept (its cookie renewed)
        assert f'data-session-websocket-url="ws://{first.url.host}:{first.url.port}/ws/' in page1
        proxied = await (await client.get("/", headers={"X-Forwarded-Proto": "https"})).text()
        assert 'data-session-websocket-url="wss://' in proxied and "curl -so kubegame.yaml https://" in proxied
        homes = {s.home for s in server.sessions.values()}
        assert homes == {tmp_path / "web" / "guests" / guest}
        runs = {s.run_dir for s in server.sessions.values()}
        assert len(runs) == 3                              # serve.json is each tab's own

    _run(server, body)


def test_a_named_player_and_a_bad_name(tmp_path):
    server = WebServer(home=tmp_path)

    async def body(client: TestClient) -> None:
        ok = await client.get("/", params={"player": "Ada-L"})
        assert ok.status == 200
        assert "playing as <b>Ada-L</b>" in await ok.text()
        assert GUEST_COOKIE not in ok.cookies
        (session,) = server.sessions.values()
        assert session.home == tmp_path / "web" / "players" / "ada-l"
        for bad in ("../etc", ".hidden", "a" * 33, "<script>", "x/y"):
            r = await client.get("/", params={"player": bad})
            assert r.status == 400, bad
            text = await r.text()
            assert "is not a player name" in text
            assert "<script>" not in text                  # the page escapes what it repeats
        assert len(server.sessions) == 1

    _run(server, body)


def test_seats_run_out_with_a_503_page(tmp_path):
    server = WebServer(home=tmp_path, max_sessions=2)

    async def body(client: TestClient) -> None:
        assert (await client.get("/")).status == 200
        assert (await client.get("/")).status == 200
        full = await client.get("/")
        assert full.status == 503
        assert "2 games are running on this server" in await full.text()

    _run(server, body)


def test_a_websocket_needs_a_session_of_this_server_and_uses_it_once(tmp_path):
    server = WebServer(home=tmp_path, serve_api=False, level="first-pod")

    async def body(client: TestClient) -> None:
        with pytest.raises(aiohttp.WSServerHandshakeError) as exc:
            await client.ws_connect("/ws/not-a-session")
        assert exc.value.status == 403
        sid = _sid(await (await client.get("/")).text())
        ws = await client.ws_connect(f"/ws/{sid}?width=100&height=30")
        try:
            first = await asyncio.wait_for(ws.receive(), 60)    # the game's first frame
            assert first.type == aiohttp.WSMsgType.BINARY and first.data
            with pytest.raises(aiohttp.WSServerHandshakeError) as again:
                await client.ws_connect(f"/ws/{sid}")          # the same id from elsewhere: refused
            assert again.value.status == 403
            service = server.sessions[sid].service
            assert service is not None and service._process is not None
            env_home = service._build_environment()["KUBEGAME_HOME"]
            assert env_home == str(tmp_path / "web" / "guests" / server.sessions[sid].home.name)
        finally:
            await ws.close()
        for _ in range(100):                                  # the game is stopped and forgotten
            if sid not in server.sessions:
                break
            await asyncio.sleep(0.1)
        assert sid not in server.sessions
        assert service._process.returncode is not None
        with pytest.raises(ProcessLookupError):             # the game itself, not only its shell, is gone
            os.kill(service._process.pid, 0)
        assert not (tmp_path / "web" / "sessions" / sid).exists()

    _run(server, body)


def test_the_kubeconfig_url_before_and_after_the_tab_serves_its_cluster(tmp_path):
    server = WebServer(home=tmp_path)

    async def body(client: TestClient) -> None:
        assert (await client.get("/session/nope/kubeconfig")).status == 404
        sid = _sid(await (await client.get("/")).text())
        early = await client.get(f"/session/{sid}/kubeconfig")
        assert early.status == 409
        assert "start a level first" in await early.text()
        # what `kubegame play --serve` writes when its level starts (kubegame/serve.py)
        run = server.sessions[sid].run_dir
        (run / "serve.json").write_text(json.dumps({"port": 43210, "token": "t0k", "ca": "-----BEGIN-----\n",
                                                    "level": "first-pod", "namespace": "default"}))
        ready = await client.get(f"/session/{sid}/kubeconfig")
        assert ready.status == 200
        text = await ready.text()
        assert "server: https://127.0.0.1:43210" in text and "token: t0k" in text
        assert ready.headers["Cache-Control"] == "no-store"

    _run(server, body)


def test_a_public_address_is_warned_about():
    assert WebServer(host="127.0.0.1").warnings() == []
    assert WebServer(host="localhost").warnings() == []
    warned = WebServer(host="0.0.0.0").warnings()
    assert "other machines can reach" in warned[0] and "no sign-in" in warned[0]
    assert "127.0.0.1 only" in warned[1]
    assert len(WebServer(host="0.0.0.0", serve_api=False).warnings()) == 1
    assert is_loopback("::1") and is_loopback("127.0.0.2")
    assert not is_loopback("") and not is_loopback("192.168.1.4") and not is_loopback("example.org")


def test_the_game_runs_with_no_host_files_and_the_tabs_own_serve_state(tmp_path):
    server = WebServer(home=tmp_path, level="first-pod")
    assert "--no-host-files" in server.command and "--serve" in server.command
    assert server.command.endswith("first-pod")
    assert server.command.startswith("exec ")              # the shell becomes the game: a kill reaches it
    assert Path(server.command.split()[1]).name.startswith("python")


def test_the_web_command_refuses_what_cannot_work(capsys):
    import socket

    from kubegame import cli
    assert cli.main(["web", "--max-sessions", "0"]) == 2
    assert "--max-sessions must be from 1 to 1000" in capsys.readouterr().err
    assert cli.main(["web", "--level", "no-such-level"]) == 2
    assert "no-such-level" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main(["web", "--port", str(port)]) == 1
    assert f"kubegame web: cannot listen on 127.0.0.1:{port}:" in capsys.readouterr().err


def test_a_page_cannot_ask_a_game_for_a_screen_of_a_million_columns(tmp_path):
    from kubegame.web.server import MAX_COLUMNS, MAX_ROWS, GameService, Session
    sent: list[dict] = []
    service = GameService("true", Session("s", "guest", tmp_path, tmp_path, 0.0), write_bytes=None,
                          write_str=None, close=None, download_manager=None)

    async def record(data: dict) -> bool:
        sent.append(data)
        return True

    service.send_meta = record
    for width, height in ((10**9, 10**9), (-4, 0), ("wide", None), (True, 30), (132, 43)):
        asyncio.run(service.set_terminal_size(width, height))
    assert [(m["width"], m["height"]) for m in sent] == [(MAX_COLUMNS, MAX_ROWS), (20, 5), (80, 24), (80, 30),
                                                         (132, 43)]


def test_nonsense_on_a_websocket_ends_that_tab_only(tmp_path):
    server = WebServer(home=tmp_path, serve_api=False, level="first-pod")

    async def one(client: TestClient, nonsense: str) -> None:
        sid = _sid(await (await client.get("/")).text())
        ws = await client.ws_connect(f"/ws/{sid}")
        await asyncio.wait_for(ws.receive(), 60)
        await ws.send_str(nonsense)
        for _ in range(150):                                  # that tab's game ends ...
            if sid not in server.sessions:
                break
            await asyncio.sleep(0.1)
        assert sid not in server.sessions, nonsense
        await ws.close()

    async def body(client: TestClient) -> None:
        await asyncio.gather(*(one(client, n) for n in ("not json", '{"a": 1}', '["stdin", 5]', '["resize", {}]')))
        assert (await client.get("/")).status == 200          # ... and the server goes on

    _run(server, body)
