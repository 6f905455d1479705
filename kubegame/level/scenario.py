"""Scenario events (LEVEL_FORMAT.md `events`): what happens to the cluster at a tick.

`Scenario.fire(now, cluster, control_plane)` applies every event due at `now` (and the
recoveries that zone outages and load spikes scheduled) and returns what to tell the
player, as `GameMessage`s.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kubegame.engine import system
from kubegame.engine.system import is_control_plane
from kubegame.level.model import Level, ScenarioEvent


@dataclass
class GameMessage:
    """A line for the event log that comes from the game, not from Kubernetes."""

    tick: int
    type: str                 # Normal | Warning
    reason: str               # NodeFailure, Message, LoadSpike, ... (the event type)
    message: str
    source: str = "scenario"  # scenario | game | player

    def to_dict(self) -> dict:
        return {"tick": self.tick, "type": self.type, "reason": self.reason, "message": self.message,
                "source": self.source}


class Scenario:
    def __init__(self, level: Level):
        self.level = level
        self.events = list(level.events)          # sorted by `at`, file order within a tick
        self.pos = 0
        self.pending: list[tuple[int, str, Any]] = []   # (tick, what, arg): zone recoveries, spike ends
        self.failed: list[str] = []      # nodes NodeFailure events stopped, in order (NodeRecovery's default)

    @staticmethod
    def _pick_node(ev: ScenarioEvent, cluster: Any) -> str | None:
        """`runningPods: {app: shop}`: one of the live nodes that run such a Pod now, drawn from the
        cluster's seeded RNG (so no node's name can be learnt by heart); any live node if none does."""
        labels = ev.get("runningPods") or {}
        ns = ev.get("namespace", "default")
        alive = sorted(n.name for n in cluster.nodes() if n.alive and not is_control_plane(n))
        running = [name for name in alive if any(
            p.namespace == ns and not p.terminating and p.phase == "Running"
            and all(p.labels.get(k) == v for k, v in labels.items())
            for p in cluster.store.pods_on(name).values())]
        pool = running or alive
        return cluster.rng.choice(pool) if pool else None

    def next_at(self) -> int | None:
        return self.events[self.pos].at if self.pos < len(self.events) else None

    def fire(self, now: int, cluster: Any, cp: Any) -> list[GameMessage]:
        out: list[GameMessage] = []
        due = [p for p in self.pending if p[0] <= now]
        self.pending = [p for p in self.pending if p[0] > now]
        for _t, what, arg in due:
            if what == "zone-up":
                out += self._zone_up(now, arg, cluster, cp)
            elif what == "spike-end":
                out.append(GameMessage(now, "Normal", "LoadSpike", f"the load on {arg} is back to normal"))
        while self.pos < len(self.events) and self.events[self.pos].at <= now:
            ev = self.events[self.pos]
            self.pos += 1
            out += self._fire(now, ev, cluster, cp)
        return out

    # -- one event ----------------------------------------------------------------------------
    def _fire(self, now: int, ev: ScenarioEvent, cluster: Any, cp: Any) -> list[GameMessage]:
        t = ev.type
        msg = lambda ty, text: [GameMessage(now, ty, t, text)]  # noqa: E731
        if t == "Message":
            return msg("Normal", ev.get("text"))
        if t == "NodeFailure":
            node = ev.get("node") or self._pick_node(ev, cluster)
            if node is None or cluster.node(node) is None:
                return msg("Normal", f"node {node} is gone already" if node else "no node is left to fail")
            cluster.fail_node(node)
            self.failed.append(node)
            return msg("Warning", f"node {node} stopped: no more heartbeats, its pods stopped serving")
        if t == "NodeRecovery":
            node = ev.get("node") or (self.failed[-1] if self.failed else "")
            if cluster.node(node) is None:
                return msg("Normal", f"node {node} is gone; nothing to recover")
            cluster.recover_node(node)
            return msg("Normal", f"node {node} is back")
        if t == "ZoneOutage":
            zone = ev.get("zone")
            nodes = [n.name for n in cluster.nodes() if n.zone == zone and n.alive]
            members = [m.name for m in cp.members if m.zone == zone and m.healthy]
            cp.zone_outage(zone)
            if ev.get("duration"):
                self.pending.append((now + int(ev.get("duration")), "zone-up", zone))
            what = f"zone {zone} is down: {len(nodes)} node(s)" + (f", etcd {', '.join(members)}" if members else "")
            return msg("Warning", what)
        if t == "LoadSpike":
            svc = ev.get("service")
            m = self.level.manifest("Service", svc)
            key = (m.namespace if m else "default", svc)
            cluster.traffic.spike(key, float(ev.get("factor")), cluster.now + int(ev.get("duration")))
            self.pending.append((now + int(ev.get("duration")), "spike-end", svc))
            return msg("Warning", f"load on {svc} x{ev.get('factor'):g} for {ev.get('duration')} ticks")
        if t == "ImageRelease":
            return msg("Normal", f"image {ev.get('image')} is now in the registry")
        if t == "PodCrash":
            sel = ev.get("selector") or {}
            ns = ev.get("namespace", "default")
            pods = [p for p in cluster.pods(ns) if p.deletion_tick is None and p.phase in ("Pending", "Running")
                    and all(p.labels.get(k) == v for k, v in sel.items())]
            count = min(int(ev.get("count", 1)), len(pods))
            victims = cluster.rng.sample(pods, count) if count else []
            killed = []
            for p in victims:
                cluster.crash_pod(p)        # the container is killed; the kubelet restarts it
                killed.append(p.name)
            sel_s = ",".join(f"{k}={v}" for k, v in sel.items())
            return msg("Warning", f"chaos: killed {len(killed)} pod(s) matching {sel_s}"
                       + (f": {', '.join(killed)}" if killed else ""))
        if t == "EtcdMemberFailure":
            down = cp.fail_members(int(ev.get("count", 1)))
            return msg("Warning", f"etcd member(s) down: {', '.join(down) or 'none'}"
                       f" ({cp.healthy}/{cp.size} up, quorum needs {cp.quorum})")
        if t == "EtcdMemberRecovery":
            up = cp.recover_members(int(ev.get("count", 1)))
            return msg("Normal", f"etcd member(s) back: {', '.join(up) or 'none'}"
                       f" ({cp.healthy}/{cp.size} up)")
        if t == "KubeletStop":
            node = ev.get("node")
            if cluster.node(node) is None:
                return msg("Normal", f"node {node} is gone; its kubelet cannot stop")
            cluster.stop_kubelet(node)
            return msg("Warning", f"node {node}: someone ran a maintenance script on the machine")
        if t == "DiskFill":
            node = ev.get("node")
            if cluster.node(node) is None:
                return msg("Normal", f"node {node} is gone")
            system.fill_disk(cluster, node, float(ev.get("sizeGB", 85)), ev.get("path") or "/var/log/app/debug.log")
            return msg("Warning", f"node {node}: an app started writing debug logs to the host")
        if t == "ControlPlaneFailure":
            done = system.fail_component(cluster, ev.get("component"), ev.get("fault") or "manifestMoved",
                                         ev.get("node"))
            where = ", ".join(done) or "no node"
            return msg("Warning", f"a colleague edited the control plane's manifests on {where}")
        if t == "KernelUpgrade":
            done = []
            for n in ev.get("nodes") or []:
                if cluster.node(n) is not None:
                    cluster.set_kernel(n, ev.get("kernel"))
                    done.append(n)
            return msg("Normal", f"kernel {ev.get('kernel')} installed on {', '.join(done) or 'no node'}")
        return msg("Normal", f"{t}")   # pragma: no cover - the loader accepts only the types above

    def _zone_up(self, now: int, zone: str, cluster: Any, cp: Any) -> list[GameMessage]:
        cp.zone_recover(zone)
        return [GameMessage(now, "Normal", "ZoneOutage", f"zone {zone} is back")]
