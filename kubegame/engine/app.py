"""What the app inside an image does (LEVEL_FORMAT `images[].app`): the model probes, ports,
limits and stopping act on.

An app listens on some TCP ports (once it has started: `startupTicks` after its container
starts), answers HTTP paths with status codes, holds some files, needs some files and
environment variables to start, uses memory at rest, per request and per tick (a leak),
CPU per request, and stops some ticks after SIGTERM (or ignores it). Every field has a
default that keeps an image without `app` an ordinary web app on port 8080.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubegame.engine.quantity import cpu_millis

MIB = 1024 * 1024
DEFAULT_HTTP = ("/", "/healthz", "/readyz", "/livez")


@dataclass(frozen=True)
class AppModel:
    listens: tuple[int, ...] = (8080,)
    http: tuple[tuple[str, int], ...] = ()          # path -> status; empty: the default paths answer 200
    grpc_health: bool = False
    files: tuple[str, ...] = ()
    needs_files: tuple[str, ...] = ()
    needs_env: tuple[str, ...] = ()
    memory_mb: float = 64
    memory_per_rps_mb: float = 0
    leak_mb_per_tick: float = 0
    cpu_per_rps_m: float | None = None              # None: CPU follows the request (see cpu_need)
    stop_ticks: int = 1
    ignores_sigterm: bool = False
    check: str = ""                                 # a system image's own start check (engine/system.py)
    set_fields: tuple[str, ...] = field(default=(), compare=False)   # what the level wrote (for describe)

    # -- network -------------------------------------------------------------------------------
    def listens_on(self, port: int) -> bool:
        return port in self.listens

    def http_status(self, path: str) -> int:
        """The status the app answers for a path (404 for one it does not know)."""
        path = path or "/"
        table = dict(self.http) if self.http else {p: 200 for p in DEFAULT_HTTP}
        if path in table:
            return table[path]
        base = path.split("?", 1)[0]
        return table.get(base, 404)

    # -- resources ------------------------------------------------------------------------------
    def working_set(self, rps: float, ran_ticks: int) -> int:
        """Memory in use (bytes): at rest, per request served, and what a leak accumulated."""
        mb = self.memory_mb + self.memory_per_rps_mb * max(0.0, rps) + self.leak_mb_per_tick * max(0, ran_ticks)
        return int(mb * MIB)

    @property
    def memory_dynamic(self) -> bool:
        """Does the working set change while the app runs (so a limit must be watched)?"""
        return bool(self.memory_per_rps_mb or self.leak_mb_per_tick)

    def cpu_need(self, rps: float, request_m: int) -> float:
        """Millicores the app needs to serve `rps`; without `cpuPerRps`, a pod at full capacity
        needs about its request (what kept levels written before the app model as they were)."""
        if self.cpu_per_rps_m is not None:
            return self.cpu_per_rps_m * rps
        return float(request_m or 100)


DEFAULT_APP = AppModel()


def app_from_spec(spec: dict | None) -> AppModel:
    """The AppModel of a level's `images[].app` mapping (already checked by the loader)."""
    if not spec:
        return DEFAULT_APP
    cpu = spec.get("cpuPerRps")
    return AppModel(
        listens=tuple(int(p) for p in spec.get("listens", [8080])),
        http=tuple((str(k), int(v)) for k, v in (spec.get("http") or {}).items()),
        grpc_health=bool(spec.get("grpcHealth", False)),
        files=tuple(spec.get("files") or ()),
        needs_files=tuple(spec.get("needsFiles") or ()),
        needs_env=tuple(spec.get("needsEnv") or ()),
        memory_mb=float(spec.get("memoryMB", 64)),
        memory_per_rps_mb=float(spec.get("memoryPerRpsMB", 0)),
        leak_mb_per_tick=float(spec.get("leakMBPerTick", 0)),
        cpu_per_rps_m=float(cpu_millis(cpu)) if cpu is not None else None,
        stop_ticks=int(spec.get("stopTicks", 1)),
        ignores_sigterm=bool(spec.get("ignoresSigterm", False)),
        set_fields=tuple(sorted(spec)),
    )
