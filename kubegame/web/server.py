"""`kubegame web`: the game screen in browsers, one game per tab.

textual-serve (on aiohttp) runs a Textual app as a process per browser websocket and relays its
screen, keys, mouse and size. This module adds what a game served to a classroom needs:

- every page load gets a session: its own `kubegame play` process (its own game and cluster),
  run with `--no-host-files` (a browser player names no file of this machine) and `--serve` (the
  tab's cluster behind the Kubernetes API on this machine's 127.0.0.1, for real kubectl);
- progress, history and replays live per player under `<data dir>/web/`: `players/NAME` for
  `?player=NAME`, else `guests/ID`, the ID kept in a cookie so a reload keeps a guest's stars;
  two tabs of one player share progress (kubegame.progress merges under a lock), never a game;
- a session id is a single-use capability: the websocket and the kubeconfig URL need it, a
  second connection with it is refused, and it is forgotten when its game ends;
- at most `max_sessions` games run at once (each is a Python process); more get a 503 page.

The page (kubegame/web/page/) is textual-serve's terminal plus a bar: the player's name and
the commands that point real kubectl at this tab's cluster."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import secrets
import shlex
import shutil
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from kubegame import serve
from kubegame.progress import data_dir

PAGE = Path(__file__).parent / "page"
PLAYER_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
GUEST_COOKIE = "kubegame_guest"
GUEST_RE = re.compile(r"[A-Za-z0-9_-]{22}")
PENDING_S = 120.0          # a page's session waits this long for its websocket, then is forgotten
QUIT_GRACE_S = 5.0         # a game asked to quit gets this long before it is killed
COOKIE_MAX_AGE = 365 * 24 * 3600
MAX_COLUMNS, MAX_ROWS = 1000, 500   # the largest screen a browser may ask a game for

log = logging.getLogger("kubegame.web")


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host` ("" and 0.0.0.0 are every address)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class CannotListen(Exception):
    """The address is taken or not this machine's: `kubegame web` says so and exits 1."""


@dataclass
class Session:
    """One browser tab: a game process of its own, and where that game keeps its files."""
    sid: str
    player: str            # the name shown on the page: a player's, or "guest"
    home: Path             # the game's KUBEGAME_HOME: progress, history, replays (shared by a player's tabs)
    run_dir: Path          # this tab's alone: serve.json of its cluster
    created: float
    service: GameService | None = None

    def kubeconfig(self) -> dict | None:
        state = serve.read_state(self.run_dir / "serve.json")
        if state is None:
            return None
        return serve.kubeconfig(state["port"], state["token"], state["ca"].encode(),
                                str(state.get("namespace") or "default"))


class GameService(AppService):
    """textual-serve's app process, run with the tab's own data directory, and killed when it does
    not quit in time (a closed tab must never leave a game running)."""

    def __init__(self, command: str, session: Session, **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.session = session

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        env = super()._build_environment(width=width, height=height)
        env["KUBEGAME_HOME"] = str(self.session.home)
        env[serve.ENV_STATE] = str(self.session.run_dir / "serve.json")
        return env

    async def set_terminal_size(self, width: int, height: int) -> None:
        """A browser's size, within what a screen can be: a page asking for a million columns gets
        MAX_COLUMNS, not a game that renders itself out of memory."""
        await super().set_terminal_size(_bounded(width, 80, 20, MAX_COLUMNS), _bounded(height, 24, 5, MAX_ROWS))

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(super().stop(), QUIT_GRACE_S)
        except (TimeoutError, OSError):
            pass
        proc = self._process
        if proc is not None and proc.returncode is None:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            await proc.wait()


class WebServer(Server):
    def __init__(self, host: str = "127.0.0.1", port: int = 8000, level: str | None = None,
                 max_sessions: int = 16, serve_api: bool = True, home: Path | None = None) -> None:
        argv = [sys.executable, "-m", "kubegame", "play", "--no-host-files"]
        if serve_api:
            argv.append("--serve")
        if level:
            argv.append(level)
        # textual-serve starts the command with a shell: `exec` makes the game that shell's process,
        # so stopping it stops the game and not only the shell
        super().__init__("exec " + shlex.join(argv), host=host, port=port, title="kubegame", templates_path=PAGE)
        self.serve_api = serve_api
        self.max_sessions = max_sessions
        self.root = (home if home is not None else data_dir()) / "web"
        self.sessions: dict[str, Session] = {}
        self._ending: set[asyncio.Future] = set()     # games being stopped (kept until they are)
        self.bound_port = port

    # -- what is said before it starts ---------------------------------------------------------
    def warnings(self) -> list[str]:
        if is_loopback(self.host):
            return []
        lines = [f"kubegame web: warning: listening on {self.host}, which other machines can reach. Anyone who "
                 "can reach it can play, as a guest or under any player's name: kubegame web has no sign-in "
                 "(put it behind a proxy that authenticates, to limit who)."]
        if self.serve_api:
            lines.append("kubegame web: each tab's Kubernetes API listens on this machine's 127.0.0.1 only: "
                         "real kubectl connects from this machine, not from the players' ones.")
        return lines

    # -- the aiohttp application ---------------------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(PAGE), autoescape=True)
        app.add_routes([
            web.get("/", self.handle_index, name="index"),
            web.get("/ws/{sid}", self.handle_websocket, name="websocket"),
            web.get("/session/{sid}/kubeconfig", self.handle_kubeconfig, name="kubeconfig"),
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
            web.static("/kubegame", PAGE, name="page"),
        ])
        app.on_shutdown.append(self.on_shutdown)
        return app

    def _prune(self, now: float) -> None:
        for sid in [s.sid for s in self.sessions.values() if s.service is None and now - s.created > PENDING_S]:
            self._forget(sid)

    def _forget(self, sid: str) -> None:
        session = self.sessions.pop(sid, None)
        if session is not None:
            shutil.rmtree(session.run_dir, ignore_errors=True)

    @staticmethod
    def _page(request: web.Request, status: int, title: str, text: str) -> web.Response:
        return aiohttp_jinja2.render_template("message.html", request, {"title": title, "text": text},
                                              status=status)

    async def handle_index(self, request: web.Request) -> web.Response:
        self._prune(time.monotonic())
        name = request.query.get("player", "").strip()
        guest = None
        if name:
            if not PLAYER_RE.fullmatch(name):
                return self._page(request, 400, "Not a player name",
                                  f"{name[:40]!r} is not a player name: 1 to 32 letters, digits, '.', '_' or '-', "
                                  "starting with a letter or a digit.")
            home = self.root / "players" / name.lower()
        else:
            guest = request.cookies.get(GUEST_COOKIE, "")
            if not GUEST_RE.fullmatch(guest):
                guest = secrets.token_urlsafe(16)
            home = self.root / "guests" / guest
        if len(self.sessions) >= self.max_sessions:
            return self._page(request, 503, "Every seat is taken",
                              f"{self.max_sessions} games are running on this server, its most at once. "
                              "Try again when one ends.")
        sid = secrets.token_urlsafe(18)
        session = Session(sid, name or "guest", home, self.root / "sessions" / sid, time.monotonic())
        session.home.mkdir(parents=True, exist_ok=True)
        session.run_dir.mkdir(parents=True, exist_ok=True)
        self.sessions[sid] = session
        # behind a proxy that terminates TLS, X-Forwarded-Proto says the page came over HTTPS
        https = request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        base = f"{'https' if https else 'http'}://{request.host}"
        context = {
            "font_size": _bounded(request.query.get("fontsize", "16"), 16, 8, 40),
            "app_websocket_url": f"{'wss' if https else 'ws'}://{request.host}/ws/{sid}",
            "kubeconfig_url": f"{base}/session/{sid}/kubeconfig",
            "serve_api": self.serve_api,
            "remote": not is_loopback(self.host),
            "player": session.player,
            "named": bool(name),
        }
        response = aiohttp_jinja2.render_template("index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        if guest is not None:
            response.set_cookie(GUEST_COOKIE, guest, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Strict")
        return response

    async def handle_kubeconfig(self, request: web.Request) -> web.Response:
        session = self.sessions.get(request.match_info["sid"])
        if session is None:
            raise web.HTTPNotFound(text="kubegame web: no such session (it ended, or was never started here)\n")
        doc = session.kubeconfig()
        if doc is None:
            raise web.HTTPConflict(text="kubegame web: this tab's cluster is not served yet: start a level first\n")
        return web.Response(text=serve.kubeconfig_text(doc), content_type="application/yaml",
                            headers={"Cache-Control": "no-store",
                                     "Content-Disposition": "attachment; filename=kubegame.yaml"})

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        session = self.sessions.get(request.match_info["sid"])
        if session is None or session.service is not None:
            raise web.HTTPForbidden(text="kubegame web: this session is not open (reload the page for a new one)\n")
        websocket = web.WebSocketResponse(heartbeat=15)
        width = _bounded(request.query.get("width", "80"), 80, 20, MAX_COLUMNS)
        height = _bounded(request.query.get("height", "24"), 24, 5, MAX_ROWS)
        await websocket.prepare(request)
        service = GameService(self.command, session, write_bytes=websocket.send_bytes,
                              write_str=websocket.send_str, close=websocket.close,
                              download_manager=self.download_manager, debug=self.debug)
        session.service = service
        try:
            await service.start(width, height)
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as exc:  # noqa: BLE001 - a tab that sends nonsense ends, never the server
            log.warning("kubegame web: a tab's session ended on %s: %s", type(exc).__name__, exc)
        finally:
            # aiohttp cancels a handler whose client went away: the game's end must not be cut short
            ending = asyncio.ensure_future(self._end(session, service))
            self._ending.add(ending)
            ending.add_done_callback(self._ending.discard)
            await asyncio.shield(ending)
        return websocket

    async def _end(self, session: Session, service: GameService) -> None:
        try:
            await service.stop()
        finally:
            self._forget(session.sid)

    async def on_shutdown(self, app: web.Application) -> None:
        running = [s.service for s in self.sessions.values() if s.service is not None]
        await asyncio.gather(*(svc.stop() for svc in running), *self._ending, return_exceptions=True)
        for sid in list(self.sessions):
            self._forget(sid)

    # -- running -------------------------------------------------------------------------------
    async def start(self) -> web.AppRunner:
        """Listen; `bound_port` then says where (the port asked for may be 0: any free one)."""
        runner = web.AppRunner(await self._make_app(), handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        sockets = getattr(site._server, "sockets", None) or []
        if sockets:
            self.bound_port = sockets[0].getsockname()[1]
        return runner

    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.bound_port}/"

    def run(self) -> None:
        logging.basicConfig(level=logging.WARNING, format="%(message)s")
        asyncio.run(self._run())

    async def _run(self) -> None:
        try:
            runner = await self.start()
        except OSError as exc:
            raise CannotListen(f"cannot listen on {self.host}:{self.port}: {exc.strerror or exc}") from None
        print(f"kubegame web: open {self.url()} in a browser (one game per tab); Ctrl+C stops it", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            print("kubegame web: stopped", flush=True)


def _bounded(value: Any, default: int, low: int, high: int) -> int:
    """A whole number (or its text, from a query string) within [low, high]; `default` for anything else."""
    if isinstance(value, str):
        try:
            value = int(value)
        except ValueError:
            return default
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return min(max(value, low), high)
