"""`kubegame bench`: the engine's speed, measured on scenarios built in code (seeded, the same every run).

Each figure has a target (issue 9). `--quick` runs the same scenarios at a tenth of
the size, for the test suite, which only checks that the benchmark runs. Timings are
the best of several rounds, as timeit advises: other work on the machine only ever
adds time.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubegame.engine import Cluster, Image, NodeSpec

TARGETS: dict[str, tuple[str, float]] = {
    "small_ticks_per_s": (">=", 20_000),
    "schedule_pods_per_s": (">=", 5_000),
    "startup_s": ("<=", 10),
    "scale_ticks_per_s": (">=", 1_000),
    "floor_ratio": ("<=", 2.0),
    "growth_ratio": ("<=", 3.0),
    "node_failure_tick_ms": ("<=", 50),
    "schedule_constrained_pods_per_s": (">=", 2000),
    "rss_mb": ("<=", 250),
    "verify_campaign_s": ("<=", 10),
    "ui_key_latency_ms": ("<=", 50),
    "ui_tick_render_ms": ("<=", 16),
    "api_list_table_ms": ("<=", 300),
    "api_get_p50_ms": ("<=", 20),
    "api_get_p99_ms": ("<=", 20),
    "api_watch_events_per_s": (">=", 20_000),
    "limits_ready_s": ("<=", 30),
    "limits_rss_mb": ("<=", 800),
    "limits_hpa_tick_us": ("<=", 200),
    "limits_node_failure_tick_ms": ("<=", 50),
    "deadline_wake_tick_ms": ("<=", 20),
    "cli_help_ms": ("<=", 80),
    "cli_levels_ms": ("<=", 150),
    "ui_first_frame_ms": ("<=", 600),
}

UNITS = {"small_ticks_per_s": "ticks/s", "schedule_pods_per_s": "pods/s", "startup_s": "s",
         "schedule_constrained_pods_per_s": "pods/s",
         "scale_ticks_per_s": "ticks/s", "floor_ratio": "x", "growth_ratio": "x", "node_failure_tick_ms": "ms",
         "rss_mb": "MB", "verify_campaign_s": "s", "ui_key_latency_ms": "ms", "ui_tick_render_ms": "ms",
         "api_list_table_ms": "ms", "api_get_p50_ms": "ms", "api_get_p99_ms": "ms",
         "api_watch_events_per_s": "events/s", "limits_ready_s": "s", "limits_rss_mb": "MB",
         "limits_hpa_tick_us": "us", "limits_node_failure_tick_ms": "ms", "deadline_wake_tick_ms": "ms",
         "cli_help_ms": "ms", "cli_levels_ms": "ms", "ui_first_frame_ms": "ms"}


@dataclass
class Size:
    nodes: int
    deployments: int
    replicas: int


FULL = Size(1000, 200, 50)
QUICK = Size(100, 20, 50)
# Kubernetes' documented limits (docs/setup/best-practices/cluster-large): 5,000 nodes, 150,000 pods
LIMITS = Size(5000, 3000, 50)
QUICK_LIMITS = Size(100, 60, 50)
AUTOSCALED = 100             # Deployments with an HPA and a PDB in the limits scenario


def _images(n: int = 10) -> list[Image]:
    return [Image(f"app{i}:1.0", size_mb=50, layers=("base",), startup_ticks=3, capacity_rps=100)
            for i in range(n)]


def _deployment(name: str, replicas: int, image: str) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "app", "image": image, "resources": {
                                      "requests": {"cpu": "100m", "memory": "128Mi"}}}]}}}}


def _service(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}


def build(nodes: int, deployments: int, replicas: int, services: bool = True, seed: int = 1,
          shape: Callable[[dict, int], dict] | None = None) -> Cluster:
    """nodes x (16 cpu, 64Gi) in three zones; Deployments (and Services with traffic) created at once,
    each passed through `shape` (with its index) first when given."""
    c = Cluster(seed=seed, images=_images())
    for i in range(nodes):
        c.add_node(NodeSpec(f"node-{i}", cpu="16", memory="64Gi", zone=f"zone-{'abc'[i % 3]}"))
    for i in range(deployments):
        name = f"app-{i}"
        body = _deployment(name, replicas, f"app{i % 10}:1.0")
        c.apply(shape(body, i) if shape is not None else body)
        if services:
            c.apply(_service(name))
            c.traffic.set_demand(name, service=("default", name), rps=40 * replicas)
    return c


def _all_scheduled(c: Cluster) -> bool:
    return all(p.node_name for p in c.store.objects.get("Pod", {}).values())


def _all_ready(c: Cluster) -> bool:
    return all(p.ready for p in c.store.objects.get("Pod", {}).values())


def steady_tick_seconds(c: Cluster, ticks: int, rounds: int = 5) -> float:
    """Wall seconds of a steady tick: the best of `rounds` means over ticks / rounds ticks each
    (after a warm-up of 20), as timeit takes the best repeat: the rest is other work on the machine."""
    c.run(20)
    gc.collect()
    per_round = max(1, ticks // rounds)
    best = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        c.run(per_round)
        best = min(best, (time.perf_counter() - t) / per_round)
    return best


def steady_rounds(c: Cluster, ticks: int, small: Cluster, rounds: int = 10) -> tuple[float, float, float]:
    """The best steady tick of `c`, the best floor (one plain loop reading one attribute of each
    of its pods) and the best steady tick of `small`, measured in alternate rounds so that all
    three see the machine in the same state."""
    c.run(20)
    small.run(20)
    gc.collect()
    pods = list(c.store.objects["Pod"].values())
    per_round = max(1, ticks // rounds)
    tick_s = floor = small_s = float("inf")
    for _ in range(rounds):
        for _ in range(3):                   # the floor with the pods in the CPU's caches
            t = time.perf_counter()
            for p in pods:
                p.ready  # noqa: B018 - the floor: one attribute read per pod
            floor = min(floor, time.perf_counter() - t)
        t = time.perf_counter()
        c.run(per_round)
        tick_s = min(tick_s, (time.perf_counter() - t) / per_round)
        t = time.perf_counter()
        small.run(per_round)
        small_s = min(small_s, (time.perf_counter() - t) / per_round)
    return tick_s, floor, small_s


def small_ticks_per_s(quick: bool) -> float:
    c = build(10, 5, 10)
    while not _all_ready(c):
        c.tick()
    return 1 / steady_tick_seconds(c, 2_000 if quick else 20_000)


def burst(size: Size) -> tuple[Cluster, float, float]:
    """Create every Deployment at once on a fresh cluster: (cluster, seconds until every pod is
    bound, seconds until every pod is Ready)."""
    c = build(size.nodes, size.deployments, size.replicas)
    gc.collect()
    t0 = time.perf_counter()
    _until_scheduled(c, size.deployments * size.replicas)
    scheduled = time.perf_counter() - t0
    while not _all_ready(c):
        c.tick()
    return c, scheduled, time.perf_counter() - t0


def constrained(deployment: dict, i: int) -> dict:
    """Every other Deployment's pods keep apart by a required hostname anti-affinity, the others
    by a DoNotSchedule hostname spread constraint with maxSkew 1."""
    name = deployment["metadata"]["name"]
    spec = deployment["spec"]["template"]["spec"]
    if i % 2:
        spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"app": name}}, "topologyKey": "kubernetes.io/hostname"}]}}
    else:
        spec["topologySpreadConstraints"] = [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                              "whenUnsatisfiable": "DoNotSchedule",
                                              "labelSelector": {"matchLabels": {"app": name}}}]
    return deployment


def constrained_burst(size: Size) -> float:
    """Pods per second bound when every pod carries a required anti-affinity or a spread constraint."""
    c = build(size.nodes, size.deployments, size.replicas, services=False, shape=constrained)
    total = size.deployments * size.replicas
    gc.collect()
    t0 = time.perf_counter()
    _until_scheduled(c, total)
    return total / (time.perf_counter() - t0)


def _until_scheduled(c: Cluster, total: int) -> None:
    """Tick until all `total` pods exist and are bound."""
    while True:
        c.tick()
        if c.store.count("Pod") == total and _all_scheduled(c):
            return


def scale_figures(size: Size, quick: bool) -> dict[str, float]:
    """Scheduling throughput and start-up (best of three bursts); then, on the last cluster, steady
    ticks, the floor, the growth against a tenth of the pods, and a node failure."""
    total = size.deployments * size.replicas
    scheduled = startup = float("inf")
    for _ in range(1 if quick else 3):
        c = None                             # let the last burst's cluster go before the next
        c, took_bound, took_ready = burst(size)
        scheduled, startup = min(scheduled, took_bound), min(startup, took_ready)
    tick_s, floor, small_s = steady_rounds(c, 100 if quick else 500, tenth(size))
    # node failure: the slowest tick while a loaded node fails, is marked, and its pods move
    slowest = node_failure_slowest(c)
    return {"schedule_pods_per_s": total / scheduled, "startup_s": startup, "scale_ticks_per_s": 1 / tick_s,
            "floor_ratio": tick_s / floor, "growth_ratio": tick_s / small_s, "node_failure_tick_ms": slowest * 1000}


def tenth(size: Size) -> Cluster:
    """growth_ratio's baseline: the same Deployments and Services with a tenth of the pods
    (replicas / 10 on nodes / 10), Ready: what one more pod costs a steady cluster."""
    small = build(max(10, size.nodes // 10), size.deployments, max(1, size.replicas // 10))
    while not _all_ready(small):
        small.tick()
    return small


def rss_mb(quick: bool) -> float:
    """Peak resident memory of the scale scenario, measured in a fresh process."""
    return in_fresh_process(f"scale_peak(bench.{'QUICK' if quick else 'FULL'})")["rss_mb"]


def scale_peak(size: Size) -> dict[str, float]:
    """The scale scenario Ready and 50 ticks on, in this process: its peak memory."""
    import resource
    c = build(size.nodes, size.deployments, size.replicas)
    while not _all_ready(c):
        c.tick()
    c.run(50)
    return {"rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def autoscaled(c: Cluster, count: int) -> None:
    """An HPA on CPU and a PodDisruptionBudget for each of the first `count` Deployments. The HPA's
    target (45%) is just above what the bench's traffic makes the pods use (42%), within the 10%
    tolerance: a steady cluster, yet every HPA reads all its pods each sync period. Every other
    budget counts the Deployment's scale (maxUnavailable), the others its pods (minAvailable)."""
    for i in range(count):
        name = f"app-{i}"
        c.apply({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
                 "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                          "minReplicas": 1, "maxReplicas": 100,
                          "metrics": [{"type": "Resource", "resource": {
                              "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 45}}}]}})
        budget = {"maxUnavailable": "10%"} if i % 2 else {"minAvailable": 45}
        c.apply({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name},
                 "spec": {**budget, "selector": {"matchLabels": {"app": name}}}})


def limits_figures(size: Size, count: int = AUTOSCALED) -> dict[str, float]:
    """The limits scenario, in this process: seconds from an empty cluster to every pod Ready, the
    peak RSS, the mean steady tick with the HPAs and PDBs (best of five rounds), and the slowest
    tick while the fullest node fails and its pods move."""
    import resource
    t0 = time.perf_counter()
    c = build(size.nodes, size.deployments, size.replicas)
    autoscaled(c, count)
    _until_scheduled(c, size.deployments * size.replicas)
    while not _all_ready(c):
        c.tick()
    ready = time.perf_counter() - t0
    tick_s = steady_tick_seconds(c, 600)
    slowest = node_failure_slowest(c)
    return {"limits_ready_s": ready, "limits_hpa_tick_us": tick_s * 1e6, "limits_node_failure_tick_ms": slowest * 1000,
            "limits_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def node_failure_slowest(c: Cluster) -> float:
    """Seconds of the slowest tick while the fullest node fails, is marked, and its pods move."""
    victim = max(c.nodes(), key=lambda n: n.pod_count)
    c.fail_node(victim.name)
    slowest = 0.0
    for _ in range(c.config.node_monitor_grace_period + c.config.default_toleration_seconds + 60):
        t = time.perf_counter()
        c.tick()
        slowest = max(slowest, time.perf_counter() - t)
    return slowest


def in_fresh_process(call: str) -> dict[str, float]:
    """Run `bench.<call>` in a new interpreter (with the game's collector settings) and return its
    figures: peak memory is then the scenario's own."""
    code = ("import gc, json\nfrom kubegame import bench\nfrom kubegame.runtime import GC_THRESHOLDS\n"
            f"gc.set_threshold(*GC_THRESHOLDS)\nprint(json.dumps(bench.{call}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=dict(os.environ))
    return json.loads(out.stdout.strip().splitlines()[-1])


def deadline_wake(deployments: int) -> float:
    """Seconds of the slowest tick around the progress deadline (600 s) after `deployments`
    Deployments of 5 replicas were created at once: every one of them has a deadline then."""
    c = build(max(10, deployments // 4), deployments, 5)
    while c.now < 580:
        c.tick()
    slowest = 0.0
    while c.now < 660:
        t = time.perf_counter()
        c.tick()
        slowest = max(slowest, time.perf_counter() - t)
    return slowest


def verify_campaign() -> tuple[float, list[str]]:
    """Seconds to verify every bundled level in process, and the levels that failed."""
    from kubegame.cli import verify_level
    from kubegame.level.catalog import bundled_paths
    t = time.perf_counter()
    rows = [verify_level(p) for p in bundled_paths()]
    took = time.perf_counter() - t
    return took, [r["name"] for r in rows if not (r["valid"] and r["idleLoses"] and r["solutionWins"])]


def ui_figures(quick: bool) -> dict[str, float]:
    try:
        from kubegame.tui.measure import first_frame_ms, measure
    except ImportError:
        return {}
    got = measure(nodes=20 if quick else 100, pods=200 if quick else 1000)
    out = {k: float(v) for k, v in got.items() if k in ("ui_key_latency_ms", "ui_tick_render_ms")}
    out["ui_first_frame_ms"] = first_frame_ms(1 if quick else 5)
    return out


def cli_figures(rounds: int = 5) -> dict[str, float]:
    """Milliseconds of `kubegame --help` and `kubegame levels` in a fresh process (best of `rounds`)."""
    home = tempfile.mkdtemp(prefix="kubegame-bench-")
    env = dict(os.environ, KUBEGAME_HOME=home)
    script = os.path.join(os.path.dirname(sys.executable), "kubegame")      # what a player types
    command = [script] if os.path.exists(script) else [sys.executable, "-m", "kubegame"]
    out = {}
    for key, args in (("cli_help_ms", ["--help"]), ("cli_levels_ms", ["levels"])):
        best = float("inf")
        for _ in range(rounds):
            t = time.perf_counter()
            subprocess.run([*command, *args], capture_output=True, check=True, env=env)
            best = min(best, time.perf_counter() - t)
        out[key] = best * 1000
    return out


class _ServedCluster:
    """What kubegame serve needs of a game, over a bench cluster: its clock, a replay log, api()."""

    def __init__(self, c: Cluster):
        from kubegame.apiserver.handler import APIServer
        self.cluster, self.commands, self.changes, self.finished = c, [], 0, False
        self._api = APIServer(self)

    @property
    def now(self) -> int:
        return self.cluster.now

    def api(self) -> Any:
        return self._api

    def step(self) -> None:
        self.cluster.tick()


def api_figures(size: Size) -> dict[str, float]:
    """kubegame serve (issue 18): a LIST of every pod as a Table (what `kubectl get pods -A` asks for,
    handler and JSON encoding); GET latency over HTTPS at 100 requests/s while the clock ticks 10
    times a second; watch events delivered per second to 10 watchers of every pod (the events'
    selection and their JSON lines; the cluster's own work not counted)."""
    import asyncio
    import threading

    from kubegame.apiserver.handler import Request
    from kubegame.engine import rbac
    c = build(size.nodes, size.deployments, size.replicas, services=False)
    _until_scheduled(c, size.deployments * size.replicas)
    for _ in range(10):
        c.tick()
    game = _ServedCluster(c)
    api = game.api()
    admin = rbac.Identity(rbac.ADMIN_USER, (rbac.MASTERS,))
    table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    out: dict[str, float] = {}
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        resp = api.handle(Request("GET", "/api/v1/pods", headers={"accept": table}, user=admin))
        json.dumps(resp.body, separators=(",", ":"))
        best = min(best, time.perf_counter() - t0)
    assert len(resp.body["rows"]) >= size.deployments * size.replicas
    out["api_list_table_ms"] = best * 1000
    # watch: 10 watchers of all pods, then a rolling wave of scale changes
    watchers = [api.handle(Request("GET", "/api/v1/pods", {"watch": ["true"], "resourceVersion": [
        str(c.store.resource_version)]}, user=admin)).watch for _ in range(10)]
    delivered, spent = 0, 0.0
    for i in range(10):
        for d in range(0, size.deployments, 2):
            c.scale("Deployment", "default", f"app-{d}", size.replicas + (5 if i % 2 == 0 else 0))
        for _ in range(3):
            c.tick()
        t0 = time.perf_counter()
        for w in watchers:
            for type_, d in api.watch_events(w):
                json.dumps({"type": type_, "object": d}, separators=(",", ":"))
                delivered += 1
        spent += time.perf_counter() - t0
    out["api_watch_events_per_s"] = delivered / spent if spent else 0.0
    # GET over HTTPS during a steady clock
    from kubegame.apiserver.http import Server, new_token
    token = new_token()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = Server(game, token, lambda: admin)
    port = asyncio.run_coroutine_threadsafe(server.start(), loop).result(30)
    stop = threading.Event()

    async def clock() -> None:
        while not stop.is_set():
            game.step()
            server.ticked()
            await asyncio.sleep(0.1)
    ticking = asyncio.run_coroutine_threadsafe(clock(), loop)
    pod = c.pods()[len(c.pods()) // 2]
    latencies = _get_latencies(port, token, server.certs.ca_pem, f"/api/v1/namespaces/{pod.namespace}/pods/{pod.name}")
    stop.set()
    ticking.result(30)
    asyncio.run_coroutine_threadsafe(server.stop(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    latencies.sort()
    out["api_get_p50_ms"] = latencies[len(latencies) // 2] * 1000
    out["api_get_p99_ms"] = latencies[int(len(latencies) * 0.99)] * 1000
    return out


def _get_latencies(port: int, token: str, ca_pem: bytes, path: str, rate: int = 100, seconds: int = 5) -> list[float]:
    """GETs at `rate` per second on one kept-alive connection (as a client's pool would), each timed."""
    import http.client
    import ssl
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".crt") as ca:
        ca.write(ca_pem)
        ca.flush()
        ctx = ssl.create_default_context(cafile=ca.name)
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=30)
    out = []
    start = time.perf_counter()
    for i in range(rate * seconds):
        wait = start + i / rate - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        t0 = time.perf_counter()
        conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        r.read()
        out.append(time.perf_counter() - t0)
        assert r.status == 200
    conn.close()
    return out[rate // 2:]          # the first half second warms the connection


def run(quick: bool = False) -> dict[str, float]:
    size = QUICK if quick else FULL
    out: dict[str, float] = {"small_ticks_per_s": small_ticks_per_s(quick)}
    out.update(scale_figures(size, quick))
    out["schedule_constrained_pods_per_s"] = max(constrained_burst(size) for _ in range(1 if quick else 3))
    out["rss_mb"] = rss_mb(quick)
    out["verify_campaign_s"], failed = verify_campaign()
    out.update(ui_figures(quick))
    out.update(api_figures(size))
    limits = QUICK_LIMITS if quick else LIMITS
    out.update(in_fresh_process(f"limits_figures(bench.{'QUICK_LIMITS' if quick else 'LIMITS'}, "
                                f"{min(AUTOSCALED, limits.deployments)})"))
    out["deadline_wake_tick_ms"] = deadline_wake(200 if quick else 2000) * 1000
    out.update(cli_figures())
    if failed:
        print(f"warning: these levels failed verification: {', '.join(failed)}", file=sys.stderr)
    return {k: round(v, 3) for k, v in out.items()}


def met(key: str, value: float) -> bool:
    op, target = TARGETS[key]
    return value >= target if op == ">=" else value <= target


def table(results: dict[str, Any]) -> str:
    lines = [f"{'FIGURE':<22} {'VALUE':>12} {'UNIT':<8} {'TARGET':<10} MET"]
    for key, (op, target) in TARGETS.items():
        if key not in results:
            lines.append(f"{key:<22} {'-':>12} {UNITS[key]:<8} {op} {target:<7} not measured")
            continue
        v = results[key]
        lines.append(f"{key:<22} {v:>12,.3f} {UNITS[key]:<8} {op} {target:<7} {'yes' if met(key, v) else 'NO'}")
    return "\n".join(lines)


def main(quick: bool = False, as_json: bool = False) -> int:
    results = run(quick)
    print(json.dumps(results, sort_keys=True) if as_json else table(results))
    return 0
