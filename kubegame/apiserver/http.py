"""The API on aiohttp: bearer-token authentication, the body limit, JSON and streaming responses
(watches, followed logs), and the game clock on the same event loop. A request handler runs the
synchronous APIServer.handle to the end before anything else runs on the loop, so a request never
sees half a tick; the clock task ticks between requests and wakes the open watches.

Listens on 127.0.0.1 only, over TLS with a certificate authority made for the run (tls.py)."""

from __future__ import annotations

import asyncio
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

from aiohttp import web

from kubegame.apiserver import status
from kubegame.apiserver.handler import MAX_BODY, APIServer, Request, Response
from kubegame.engine import rbac

HOST = "127.0.0.1"
MAX_WATCHES = 2_000             # open watches and followed logs at once; more get 429
WRITE_TIMEOUT = 30.0            # a client that stops reading is dropped after this long
BOOKMARK_TICKS = 60
EXEC_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")             # an idle watch with bookmarks gets one this often (the cacher's ~1 min)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _json(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


class Server:
    """One game behind the API. `identity()` says who the token is (the game's player)."""

    def __init__(self, game: Any, token: str, identity: Callable[[], rbac.Identity], port: int = 0,
                 certs: Any = None):
        from kubegame.apiserver import tls
        self.certs = certs or tls.generate()
        self.game = game
        self.api: APIServer = game.api()
        self.token = token
        self.identity = identity
        self.port = port
        self.runner: web.AppRunner | None = None
        self._wake = asyncio.Event()
        self.streams = 0
        self.requests = 0
        self.closing = False

    # -- life -------------------------------------------------------------------------------------
    async def start(self) -> int:
        app = web.Application(client_max_size=MAX_BODY + 1024)
        app.router.add_route("*", "/{tail:.*}", self._serve)
        self.runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=5.0)
        await self.runner.setup()
        from kubegame.apiserver import tls
        site = web.TCPSite(self.runner, HOST, self.port, backlog=1024, ssl_context=tls.server_context(self.certs))
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        self.closing = True               # open watches and followed logs end at their next wake
        self._wake.set()
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def _next_change(self, timeout: float) -> None:
        """Until the cluster next changes (a tick, a write) or `timeout` seconds pass."""
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            pass

    def ticked(self) -> None:
        """The cluster changed (a tick ran, or a write): wake every open watch."""
        self._wake.set()
        self._wake = asyncio.Event()

    # -- requests ---------------------------------------------------------------------------------
    def _authenticate(self, request: web.Request) -> rbac.Identity | None:
        auth = request.headers.get("Authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not given:
            return None
        if not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return None
        return self.identity()

    async def _read_body(self, request: web.Request) -> bytes | None:
        chunks, size = [], 0
        while True:
            chunk = await request.content.read(65536)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_BODY:
                return None
            chunks.append(chunk)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        who = self._authenticate(request)
        if who is None:
            return self._send(Response(401, status.unauthorized()))
        body = await self._read_body(request) if request.method in ("POST", "PUT", "PATCH", "DELETE") else b""
        if body is None:
            return self._send(Response(413, status.status(413, "RequestEntityTooLarge",
                                                          f"Request entity too large: limit is {MAX_BODY}")))
        query: dict[str, list[str]] = {}
        for k, v in request.query.items():
            query.setdefault(k, []).append(v)
        req = Request(request.method, request.path, query, {k.lower(): v for k, v in request.headers.items()},
                      body, who)
        if self.game.finished and request.method != "GET":
            return self._send(Response(503, status.status(503, "ServiceUnavailable",
                                                          "the level is over: kubegame serve accepts no more writes")))
        resp = self.api.handle(req)
        if resp.changed:
            self.ticked()
        if resp.exec_result is not None:
            return await self._stream_exec(request, resp)
        if resp.watch is not None:
            return await self._stream_watch(request, resp)
        if resp.follow is not None:
            return await self._stream_log(request, resp)
        return self._send(resp)

    def _send(self, resp: Response) -> web.Response:
        out = web.Response(status=resp.status)
        if isinstance(resp.body, (dict, list)):
            out.body = _json(resp.body)
            out.content_type = resp.content_type.split(";")[0]
            if ";" in resp.content_type:
                out.headers["Content-Type"] = resp.content_type
        else:
            out.text = resp.body if isinstance(resp.body, str) else ""
            out.headers["Content-Type"] = resp.content_type if resp.content_type != "text/plain" else \
                "text/plain; charset=utf-8"
        for w in resp.warnings:
            out.headers.add("Warning", '299 - "' + w.replace("\\", "\\\\").replace('"', '\\"') + '"')
        return out

    async def _write(self, sr: web.StreamResponse, data: bytes) -> bool:
        try:
            await asyncio.wait_for(sr.write(data), WRITE_TIMEOUT)
            return True
        except (TimeoutError, ConnectionResetError, RuntimeError, OSError):
            return False

    def _too_many(self) -> web.Response:
        return self._send(Response(429, status.status(429, "TooManyRequests",
                                                      "Too many requests, please try again later.")))

    async def _stream_watch(self, request: web.Request, resp: Response) -> web.StreamResponse:
        w = resp.watch
        assert w is not None
        if self.streams >= MAX_WATCHES:
            self.api.close_watch(w)
            return self._too_many()
        self.streams += 1
        sr = web.StreamResponse(status=200)
        sr.headers["Content-Type"] = resp.content_type
        sr.enable_chunked_encoding()
        timeout = request.query.get("timeoutSeconds", "")
        deadline = asyncio.get_running_loop().time() + (int(timeout) if timeout.isdigit() else 1800)
        try:
            await sr.prepare(request)

            def frame(type_: str, d: dict) -> bytes:
                if resp.table_kind and type_ not in ("BOOKMARK", "ERROR"):
                    d = self.api.table_event(resp.table_kind, d, resp.include)
                return _json({"type": type_, "object": d}) + b"\n"

            for type_, d in resp.initial:
                if not await self._write(sr, frame(type_, d)):
                    return sr
            quiet = 0
            while True:
                left = deadline - asyncio.get_running_loop().time()
                if left <= 0:
                    break
                await self._next_change(min(left, 5.0))
                if self.closing:
                    break
                if self.api.watches.too_old(w.rv) and w.kind != "Event":
                    await self._write(sr, frame("ERROR", status.status(410, "Expired", f"too old resource version: "
                                                                            f"{w.rv} ({self.api.watches.start_rv})")))
                    break
                events = self.api.watch_events(w)
                for type_, d in events:
                    if not await self._write(sr, frame(type_, d)):
                        return sr
                quiet = 0 if events else quiet + 1
                if w.bookmarks and quiet and quiet % BOOKMARK_TICKS == 0:
                    res = self.api.bookmark(_res(w.kind), self.api.cluster.store.resource_version)
                    if not await self._write(sr, frame("BOOKMARK", res)):
                        return sr
                if self.game.finished:
                    break
            await sr.write_eof()
        except (ConnectionResetError, asyncio.CancelledError, RuntimeError, OSError):
            pass
        finally:
            self.streams -= 1
            self.api.close_watch(w)
        return sr

    async def _stream_exec(self, request: web.Request, resp: Response) -> web.StreamResponse:
        """The remote command over WebSocket (client-go tools/remotecommand/websocket.go, kubelet's
        streaming server): binary frames whose first byte is the channel, 1 stdout, 2 stderr, 3 the
        error channel with a metav1.Status (NonZeroExitCode with the exit code as its cause), then a
        normal close. The command has already run (between ticks); stdin is not read."""
        ws = web.WebSocketResponse(protocols=EXEC_PROTOCOLS, autoping=True)
        if not ws.can_prepare(request).ok:
            return self._send(Response(400, status.bad_request(
                "kubegame serve speaks the WebSocket remote command protocols (v5.channel.k8s.io, "
                "v4.channel.k8s.io) only, not SPDY")))
        await ws.prepare(request)
        assert resp.exec_result is not None
        out, err, code = resp.exec_result["stdout"], resp.exec_result["stderr"], resp.exec_result["exitCode"]
        try:
            if out:
                await ws.send_bytes(b"\x01" + out.encode())
            if err:
                await ws.send_bytes(b"\x02" + err.encode())
            if code:
                st = {"metadata": {}, "status": "Failure",
                      "message": f"command terminated with non-zero exit code: command terminated with exit code "
                                 f"{code}", "reason": "NonZeroExitCode",
                      "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]}}
            else:
                st = {"metadata": {}, "status": "Success"}
            await ws.send_bytes(b"\x03" + _json(st))
            await ws.close()
        except (ConnectionResetError, RuntimeError, OSError):
            pass
        return ws

    async def _stream_log(self, request: web.Request, resp: Response) -> web.StreamResponse:
        if self.streams >= MAX_WATCHES:
            return self._too_many()
        self.streams += 1
        sr = web.StreamResponse(status=200)
        sr.headers["Content-Type"] = "text/plain; charset=utf-8"
        sr.enable_chunked_encoding()
        try:
            await sr.prepare(request)
            if resp.body and not await self._write(sr, resp.body.encode()):
                return sr
            while not self.closing and not self.game.finished:
                await self._next_change(5.0)
                text, done = self.api.follow_log(resp.follow)
                if text and not await self._write(sr, text.encode()):
                    return sr
                if done:
                    break
            await sr.write_eof()
        except (ConnectionResetError, asyncio.CancelledError, RuntimeError, OSError):
            pass
        finally:
            self.streams -= 1
        return sr


def _res(kind: str) -> Any:
    from kubegame.engine.kinds import BY_KIND
    return BY_KIND[kind]
