"""Chaos and sandbox: the two modes beside the campaign, driven exactly like a level's Game.

    from kubegame.modes import chaos_game, sandbox_game
    game = chaos_game(seed=7)            # a ChaosGame (a Game): submit(), step(), view(), result() ...
    game.wave, game.survived, game.chaos_score(), game.chaos_json()
    game = sandbox_game()                # a plain Game on a cluster with a node pool, no objectives

Chaos is an endless, seeded run on a shop cluster spread over three zones. From tick
`FIRST_WAVE` on, a wave of trouble starts every `WAVE_TICKS` ticks: node failures, zone
outages, load spikes, bad releases pushed by "the team", kernel upgrades with reboots.
Later waves bring more events, bigger spikes and longer outages (`wave_plan`). The run
ends when the shop's availability over the last `SLO_WINDOW` ticks falls below the SLO
(`SLO` %); the score is the number of ticks survived. Waves are planned from their own
seeded RNG, independent of the cluster's, so the same seed always brings the same
trouble at the same ticks whatever the player does. Best scores per seed live in the
progress file under the name `chaos-<seed>` (kubegame/progress.py).

The sandbox is a three-zone cluster with a node pool, a registry of common images and
nothing else: no traffic, no objectives, no end in sight. `kubectl apply -f ./my.yaml`
reads real files (relative to the working directory).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

from kubegame.game import Game
from kubegame.level import objectives as obj
from kubegame.level.loader import load_text
from kubegame.level.model import Level, ScenarioEvent
from kubegame.level.scenario import GameMessage, Scenario
from kubegame.level.score import ScoreCard

ENDLESS = 1_000_000      # the chaos and sandbox clocks: "endless" for a human player
FIRST_WAVE = 60          # tick of the first wave
WAVE_TICKS = 150         # ticks between the starts of two waves
SLO = 85.0               # % of requests served ...
SLO_WINDOW = 60          # ... over every window of this many ticks
CHAOS_NAME = "chaos"
SANDBOX_NAME = "sandbox"
CHAOS_NODES = [f"worker-{z}{i}" for z in "abc" for i in (1, 2)]
ZONES = ["zone-a", "zone-b", "zone-c"]
NEW_KERNEL = "6.8"
BAD_IMAGE = "shop:1.2"


# -- the chaos level --------------------------------------------------------------------------

CHAOS_LEVEL = """\
apiVersion: kubegame/v1
kind: Level
metadata:
  name: chaos
spec:
  title: Chaos
  concepts: [Node, Zone, HPA, Deployment, RollingUpdate, Kernel, etcd, Quorum]
  briefing: |
    An endless day at the shop. Every {wave} ticks a new wave of trouble arrives, and
    every wave is worse than the last: nodes die, zones go dark, traffic spikes, the
    team pushes broken releases, kernels get upgraded under your containers.

    Keep the shop serving at least {slo:g}% of its requests over every {window} ticks.
    Your score is how many ticks you last. Tools: kubectl (scale, autoscale, rollout
    undo, set image, delete --force ...), `node add --zone Z` (up to six machines),
    `etcd add-member` / `remove-member`.

    Good to know: `shop:1.0` crashes on kernel {kernel}; `shop:1.1` is the fixed build.
    `{bad}` is broken.
  debrief: |
    Chaos engineering (Netflix's Chaos Monkey, LitmusChaos, Chaos Mesh) breaks things
    on purpose to find the weak spots before real failures do. Spare capacity,
    spreading over zones, autoscaling and fast rollbacks are what kept you alive.
  seed: 0
  duration: {duration}
  cluster:
    controlPlane:
      etcdMembers: [zone-a, zone-b, zone-c]
    nodes:
      - {{name: worker-a, count: 2, zone: zone-a, cpu: "2", memory: 4Gi}}
      - {{name: worker-b, count: 2, zone: zone-b, cpu: "2", memory: 4Gi}}
      - {{name: worker-c, count: 2, zone: zone-c, cpu: "2", memory: 4Gi}}
    nodePool:
      max: 6
      bootTicks: 60
      template: {{cpu: "2", memory: 4Gi, zone: zone-a}}
  images:
    - {{name: "shop:1.0", sizeMB: 80, layers: [distroless], startupTicks: 5, capacityRps: 50, crashOnKernels: ["{kernel}"]}}
    - {{name: "shop:1.1", sizeMB: 80, layers: [distroless], startupTicks: 5, capacityRps: 50}}
    - {{name: "{bad}", sizeMB: 80, layers: [distroless], startupTicks: 5, capacityRps: 50, crashes: true}}
  traffic:
    - {{service: shop, rps: 200, pattern: diurnal, amplitude: 0.2, period: 600}}
  objectives:
    - {{type: survive, service: shop, atLeast: {slo}, window: {window}}}
  hints:
    - {{text: "kubectl get pods -o wide and kubectl get nodes show where the trouble is."}}
    - {{text: "kubectl autoscale deployment shop --cpu-percent=60 --min=6 --max=20 absorbs spikes, if there is room."}}
    - {{text: "A release that crash-loops: kubectl rollout undo deployment/shop."}}
    - {{text: "After a kernel upgrade: kubectl set image deployment/shop shop=shop:1.1."}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {{app: shop}}
spec:
  replicas: 6
  selector:
    matchLabels: {{app: shop}}
  template:
    metadata:
      labels: {{app: shop}}
    spec:
      containers:
        - name: shop
          image: shop:1.0
          ports:
            - containerPort: 8080
          resources:
            requests: {{cpu: 250m, memory: 256Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: shop
spec:
  selector: {{app: shop}}
  ports:
    - port: 80
      targetPort: 8080
"""


def chaos_level(duration: int = ENDLESS) -> Level:
    """The chaos arena as a Level (its scenario is planned wave by wave by ChaosScenario)."""
    text = CHAOS_LEVEL.format(duration=duration, wave=WAVE_TICKS, slo=SLO, window=SLO_WINDOW, kernel=NEW_KERNEL,
                              bad=BAD_IMAGE)
    return load_text(text, "<chaos>")


# -- waves ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChaosEvent:
    """One planned piece of trouble: `kind` is NodeFailure, ZoneOutage, LoadSpike, BadRelease or KernelUpgrade."""

    at: int
    kind: str
    target: str = ""          # node or zone
    factor: float = 1.0       # LoadSpike
    duration: int = 0         # ticks until the node, zone or load is back to normal
    severity: float = 1.0

    def to_dict(self) -> dict:
        return {"at": self.at, "kind": self.kind, "target": self.target, "factor": self.factor,
                "duration": self.duration, "severity": self.severity}


def wave_start(wave: int) -> int:
    return FIRST_WAVE + wave * WAVE_TICKS


def wave_plan(seed: int, wave: int, nodes: list[str] | None = None) -> list[ChaosEvent]:
    """The trouble of wave `wave` (0-based) for `seed`: a pure function of both.

    Wave w brings 1 + w // 2 events (at most 6). The first waves draw only failures of
    single nodes and spikes; bad releases and kernel upgrades join from wave 1, zone
    outages from wave 2. Spikes grow by 0.25x per wave, outages last longer.
    """
    rng = random.Random(f"kubegame-chaos:{seed}:{wave}")
    nodes = sorted(nodes or CHAOS_NODES)
    kinds = ["NodeFailure", "LoadSpike"]
    if wave >= 1:
        kinds += ["BadRelease", "KernelUpgrade"]
    if wave >= 2:
        kinds += ["ZoneOutage"]
    count = min(6, 1 + wave // 2)
    start = wave_start(wave)
    out: list[ChaosEvent] = []
    for _ in range(count):
        kind = rng.choice(kinds)
        at = start + rng.randrange(0, WAVE_TICKS - 20)
        if kind == "NodeFailure":
            dur = rng.randrange(60, 120 + 20 * wave)
            out.append(ChaosEvent(at, kind, rng.choice(nodes), duration=dur, severity=1.0 + dur / 200))
        elif kind == "LoadSpike":
            factor = round(1.3 + 0.25 * wave + rng.random() * 0.3, 2)
            dur = rng.randrange(40, 80 + 10 * wave)
            out.append(ChaosEvent(at, kind, "shop", factor=factor, duration=dur, severity=factor))
        elif kind == "BadRelease":
            out.append(ChaosEvent(at, kind, "shop", severity=1.5))
        elif kind == "KernelUpgrade":
            k = min(len(nodes), 1 + wave // 3)
            picked = sorted(rng.sample(nodes, k))
            out.append(ChaosEvent(at, kind, ",".join(picked), severity=1.0 + 0.5 * k))
        else:
            dur = rng.randrange(60, 90 + 15 * wave)
            out.append(ChaosEvent(at, kind, rng.choice(ZONES), duration=dur, severity=2.0 + dur / 100))
    return sorted(out, key=lambda e: (e.at, e.kind, e.target))


def wave_severity(seed: int, wave: int) -> float:
    """How hard a wave is: the sum of its events' severities."""
    return round(sum(e.severity for e in wave_plan(seed, wave)), 3)


class ChaosScenario(Scenario):
    """A Scenario that plans a new wave whenever the clock reaches it, and knows BadRelease."""

    def __init__(self, level: Level, seed: int, nodes: list[str]):
        super().__init__(level)
        self.seed = seed
        self.nodes = nodes
        self.waves_planned = 0
        self.plan: list[ChaosEvent] = []

    def _plan_next(self) -> None:
        wave = self.waves_planned
        self.waves_planned += 1
        new: list[ScenarioEvent] = [ScenarioEvent(wave_start(wave), "Message", {
            "text": f"wave {wave + 1} begins"})]
        for e in wave_plan(self.seed, wave, self.nodes):
            self.plan.append(e)
            if e.kind == "NodeFailure":
                new += [ScenarioEvent(e.at, "NodeFailure", {"node": e.target}),
                        ScenarioEvent(e.at + e.duration, "NodeRecovery", {"node": e.target})]
            elif e.kind == "LoadSpike":
                new.append(ScenarioEvent(e.at, "LoadSpike", {"service": "shop", "factor": e.factor,
                                                             "duration": e.duration}))
            elif e.kind == "ZoneOutage":
                new.append(ScenarioEvent(e.at, "ZoneOutage", {"zone": e.target, "duration": e.duration}))
            elif e.kind == "KernelUpgrade":
                picked = e.target.split(",")
                # the upgrade reboots the machines: every container restarts on the new kernel
                new.append(ScenarioEvent(e.at, "KernelUpgrade", {"nodes": picked, "kernel": NEW_KERNEL}))
            else:
                new.append(ScenarioEvent(e.at, "BadRelease", {"image": BAD_IMAGE}))
        rest = self.events[self.pos:] + new
        self.events[self.pos:] = sorted(rest, key=lambda ev: ev.at)

    def fire(self, now: int, cluster: Any, cp: Any) -> list[GameMessage]:
        while wave_start(self.waves_planned) <= now + WAVE_TICKS:
            self._plan_next()
        return super().fire(now, cluster, cp)

    def _fire(self, now: int, ev: ScenarioEvent, cluster: Any, cp: Any) -> list[GameMessage]:
        if ev.type == "BadRelease":
            from kubegame import kubectl
            r = kubectl.run(cluster, f"kubectl set image deployment/shop shop={ev.get('image')}")
            text = (f"the team released {ev.get('image')} to the shop" if r.exit_code == 0 else
                    f"the team tried to release {ev.get('image')}: {r.error.strip()}")
            return [GameMessage(now, "Warning", "BadRelease", text)]
        return super()._fire(now, ev, cluster, cp)


class ChaosGame(Game):
    """A Game on the chaos arena: endless waves; lost when the SLO breaks; score = ticks survived."""

    endless = True

    def __init__(self, seed: int = 0, ticks: int | None = None):
        level = chaos_level(max(ticks, SLO_WINDOW) if ticks is not None else ENDLESS)
        super().__init__(level, seed=seed)
        self.ticks_limit = ticks
        self.scenario = ChaosScenario(level, self.seed, level.cluster.node_names())

    def again(self) -> ChaosGame:
        """A fresh run of the same seed (the results screen's retry)."""
        return ChaosGame(self.seed, self.ticks_limit)

    @property
    def wave(self) -> int:
        """The current wave, 1-based (0 before the first one)."""
        if self.now < FIRST_WAVE:
            return 0
        return (self.now - FIRST_WAVE) // WAVE_TICKS + 1

    @property
    def survived(self) -> int:
        """Ticks survived so far: the clock, stopped when the SLO broke."""
        return self.now

    def chaos_score(self) -> int:
        return self.survived

    def score(self) -> ScoreCard:
        """For the UI: the total is the ticks survived (no stars in chaos)."""
        av = self.availability().get("shop", 100.0)
        passed = sum(1 for s in self._states if s.status == obj.MET)
        return ScoreCard(self.survived, round(av), passed, 0, 0, 0)

    def chaos_json(self) -> dict:
        """The `kubegame simulate chaos --json` object."""
        res = self.result()
        return {"mode": "chaos", "seed": self.seed, "ticks": self.now, "survived": self.survived,
                "score": self.chaos_score(), "sloBroken": bool(self.finished and not self.won),
                "wave": self.wave, "slo": {"atLeast": SLO, "window": SLO_WINDOW},
                "availability": {k: round(v, 3) for k, v in res.availability.items()},
                "trouble": [e.to_dict() for e in self.scenario.plan if e.at < self.now],
                "commands": len(self.commands), "stateHash": res.state_hash}


def chaos_game(seed: int = 0, ticks: int | None = None) -> ChaosGame:
    """A chaos run for `seed`; `ticks` bounds it (headless runs), None is endless."""
    return ChaosGame(seed, ticks)


def run_chaos(seed: int, ticks: int, steps: list | None = None) -> ChaosGame:
    """Headless: play `ticks` ticks (or until the SLO breaks) with scripted steps."""
    game = chaos_game(seed, ticks)
    game.play_to_end(steps or [], until=ticks)
    return game


def chaos_key(seed: int) -> str:
    return f"chaos-{seed}"


def record_chaos(game: ChaosGame, home: Any = None) -> bool:
    """Save the run's score as the seed's best when it beats it; True when it did."""
    from kubegame.progress import Progress
    return Progress(home).record(chaos_key(game.seed), game.chaos_score(), 0, False, endless=True)


def best_chaos(seed: int, home: Any = None) -> int:
    from kubegame.progress import Progress
    return int(Progress(home).best(chaos_key(seed)).get("bestScore", 0))


# -- the sandbox ------------------------------------------------------------------------------

SANDBOX_IMAGES = [
    ("nginx:1.27", 70), ("nginx:latest", 70), ("httpd:2.4", 60), ("redis:7", 45), ("postgres:16", 150),
    ("mysql:8", 200), ("python:3.12", 380), ("node:20", 350), ("golang:1.22", 300), ("ubuntu:24.04", 30),
    ("debian:12", 50), ("traefik:v3", 50), ("grafana/grafana:latest", 120), ("prom/prometheus:latest", 90),
    ("fluent/fluent-bit:latest", 30), ("hashicorp/http-echo:latest", 5), ("kennethreitz/httpbin:latest", 180),
]

SANDBOX_LEVEL = """\
apiVersion: kubegame/v1
kind: Level
metadata:
  name: sandbox
spec:
  title: Sandbox
  concepts: [kubectl, Manifest, Cluster, Node]
  briefing: |
    A cluster of your own: three workers in three zones, a node pool of six more
    machines (`node add --zone Z`), a registry of common images, and no objectives.
    Write manifests in real files and try them: `kubectl apply -f ./my.yaml`.
  seed: 0
  duration: {duration}
  cluster:
    controlPlane:
      etcdMembers: [zone-a, zone-b, zone-c]
    nodes:
      - {{name: worker-a, zone: zone-a, cpu: "4", memory: 8Gi}}
      - {{name: worker-b, zone: zone-b, cpu: "4", memory: 8Gi}}
      - {{name: worker-c, zone: zone-c, cpu: "4", memory: 8Gi}}
    nodePool:
      max: 6
      bootTicks: 30
      template: {{cpu: "4", memory: 8Gi, zone: zone-a}}
  images:
{images}
  traffic:
    - {{service: kubernetes, rps: 0}}
  objectives:
    - {{type: quorum}}
---
apiVersion: v1
kind: Service
metadata:
  name: kubernetes-placeholder
spec:
  ports:
    - port: 443
"""


def sandbox_level(duration: int = ENDLESS) -> Level:
    images = "\n".join(f'    - {{name: "{n}", sizeMB: {mb}, startupTicks: 2, capacityRps: 100}}'
                       for n, mb in SANDBOX_IMAGES)
    text = SANDBOX_LEVEL.format(duration=duration, images=images).replace(
        "service: kubernetes, rps: 0", "service: kubernetes-placeholder, rps: 0")
    level = load_text(text, "<sandbox>")
    # a sandbox has no traffic, no objectives and no starting manifests
    level.traffic = []
    level.objectives = []
    level.manifests = []
    return level


def sandbox_game(seed: int = 0) -> Game:
    """A Game on an empty three-zone cluster: nothing to win, nothing to lose."""
    game = Game(sandbox_level(), seed=seed)
    game.endless = True
    return game


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2)
