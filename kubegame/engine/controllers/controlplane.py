"""The control plane: etcd members spread over zones, quorum, and zone outages.

etcd (raft) commits a write only when a majority of its members agree: quorum =
floor(n/2) + 1 of the configured members. Without quorum every write to the API server
fails with `etcdserver: request timed out`, so commands, controllers and the scheduler
stop, while running containers keep serving (the kubelets keep their pods running).
Changing membership is itself a write to the raft log: `etcdctl member add/remove`
needs quorum (etcd's documented runtime reconfiguration rules), so losing quorum cannot
be fixed by removing the dead members.

A zone outage takes down every node and every etcd member of the zone, and brings back
only those when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError, unavailable

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster


@dataclass
class EtcdMember:
    name: str
    zone: str
    healthy: bool = True
    down_by_zone: bool = False     # failed by a zone outage (recovers with the zone)
    node: str = ""                 # the control-plane node whose etcd static pod it is ("" without kube-system)


def quorum_size(n: int) -> int:
    """floor(n/2) + 1: the members that must agree for a write."""
    return n // 2 + 1


class ControlPlane(Controller):
    name = "etcd"
    needs_quorum = False       # etcd itself: zone recoveries happen whatever the quorum
    component = None

    def __init__(self, cluster: Cluster, zones: list[str] | None = None):
        super().__init__(cluster)
        self.members: list[EtcdMember] = []
        self._seq = 0
        self.zone_recoveries: dict[int, dict[str, bool]] = {}   # tick -> zones coming back
        self.zones_down: dict[str, bool] = {}
        self.nodes_down_by_zone: dict[str, list[str]] = {}   # zone -> nodes the outage failed
        self.quorum_lost_ticks = 0
        self.nodes: list[str] = []       # the control-plane nodes (kube-system installed), in join order
        self.configure(zones or ["zone-a"])

    # -- membership --------------------------------------------------------------------------
    def configure(self, zones: list[str], nodes: list[str] | None = None) -> None:
        """Set the initial members (LEVEL_FORMAT `controlPlane.etcdMembers`); no quorum check.
        `nodes`: the control-plane node each runs on (engine/system.py)."""
        self.members = []
        self._seq = 0
        self.nodes = list(nodes or [])
        for i, z in enumerate(zones):
            self._new_member(z).node = self.nodes[i] if i < len(self.nodes) else ""
        self._update()

    def _new_member(self, zone: str) -> EtcdMember:
        self._seq += 1
        m = EtcdMember(f"etcd-{self._seq}", zone)
        if self.zones_down.get(zone):
            m.healthy, m.down_by_zone = False, True
        self.members.append(m)
        return m

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def healthy(self) -> int:
        return sum(1 for m in self.members if m.healthy)

    @property
    def quorum(self) -> int:
        return quorum_size(len(self.members))

    @property
    def has_quorum(self) -> bool:
        return bool(self.members) and self.healthy >= self.quorum

    def member(self, name: str) -> EtcdMember:
        for m in self.members:
            if m.name == name:
                return m
        raise ApiError("NotFound", f"etcdserver: member not found: {name}", 404)

    def add_member(self, zone: str) -> EtcdMember:
        """`etcd add-member --zone Z`: needs quorum (a raft configuration change)."""
        if not self.has_quorum:
            raise unavailable()
        m = self._new_member(zone)
        if self.cluster.system_installed:
            from kubegame.engine import system
            m.node = system.join_control_plane(self.cluster, zone)
            self.nodes.append(m.node)
        self._update()
        return m

    def remove_member(self, name: str) -> EtcdMember:
        """`etcd remove-member NAME`: needs quorum; the last member cannot go."""
        m = self.member(name)
        if not self.has_quorum:
            raise unavailable()
        if len(self.members) == 1:
            raise ApiError("BadRequest", "etcdserver: re-configuration failed due to not enough started members", 400)
        self.members.remove(m)
        if m.node and self.cluster.node(m.node) is not None:
            self.nodes.remove(m.node)          # `kubeadm reset` on it, then `kubectl delete node`
            self.cluster.remove_node(m.node)
        self._update()
        return m

    def fail_member(self, name: str) -> None:
        self.member(name).healthy = False
        self._update()

    def recover_member(self, name: str) -> None:
        m = self.member(name)
        m.healthy, m.down_by_zone = True, False
        self._update()

    def fail_members(self, count: int) -> list[str]:
        """EtcdMemberFailure: the first `count` healthy members (in name order) fail."""
        out = []
        for m in self.members:
            if len(out) >= count:
                break
            if m.healthy:
                m.healthy = False
                out.append(m.name)
        self._update()
        return out

    def recover_members(self, count: int) -> list[str]:
        """EtcdMemberRecovery: the first `count` failed members come back."""
        out = []
        for m in self.members:
            if len(out) >= count:
                break
            if not m.healthy and not self.zones_down.get(m.zone):
                m.healthy, m.down_by_zone = True, False
                out.append(m.name)
        self._update()
        return out

    def _update(self) -> None:
        if self.cluster.system_installed:
            from kubegame.engine import system
            system.members_changed(self.cluster, self.members)
        was = self.store.quorum
        self.store.quorum = self.has_quorum
        if was and not self.store.quorum:
            self.cluster.record(None, "Warning", "QuorumLost",
                                f"etcd has {self.healthy} of {self.size} members healthy; "
                                f"quorum needs {self.quorum}: etcdserver: request timed out",
                                "etcd", kind="Cluster", name="etcd")
        elif not was and self.store.quorum:
            self.cluster.record(None, "Normal", "QuorumRestored",
                                f"etcd has {self.healthy} of {self.size} members healthy (quorum {self.quorum})",
                                "etcd", kind="Cluster", name="etcd")

    # -- zones --------------------------------------------------------------------------------
    def zone_outage(self, zone: str, duration: int | None = None) -> None:
        """Every node and etcd member of `zone` goes down; with `duration`, they come back after it."""
        if not self.zones_down.get(zone):
            self.zones_down[zone] = True
            failed = []
            for node in self.cluster.nodes():
                if node.zone == zone and node.alive:
                    self.cluster.fail_node(node.name)
                    failed.append(node.name)
            self.nodes_down_by_zone[zone] = failed
            for m in self.members:
                if m.zone == zone and m.healthy:
                    m.healthy, m.down_by_zone = False, True
            self._update()
        if duration is not None:
            self.zone_recoveries.setdefault(self.cluster.now + duration, {})[zone] = True

    def zone_recover(self, zone: str) -> None:
        if not self.zones_down.pop(zone, False):
            return
        for name in self.nodes_down_by_zone.pop(zone, []):
            if self.cluster.node(name) is not None:
                self.cluster.recover_node(name)
        for m in self.members:
            if m.zone == zone and m.down_by_zone:
                m.healthy, m.down_by_zone = True, False
        self._update()

    def sync(self) -> None:
        for zone in self.due(self.zone_recoveries, self.cluster.now):
            self.zone_recover(zone)
        if not self.store.quorum:
            self.quorum_lost_ticks += 1

    # -- reads ----------------------------------------------------------------------------------
    def healthz(self) -> str:
        """`kubectl get --raw /healthz?verbose` as the API server answers it."""
        etcd = "[+]etcd ok" if self.has_quorum else "[-]etcd failed: reason withheld"
        lines = ["[+]ping ok", "[+]log ok", etcd, "[+]poststarthook/start-apiserver-admission-initializer ok",
                 "[+]poststarthook/generic-apiserver-start-informers ok"]
        lines.append("healthz check passed" if self.has_quorum else "healthz check failed")
        return "\n".join(lines)

    def rows(self) -> list[dict]:
        """One row per member for `etcd member list`-style tables."""
        return [{"name": m.name, "zone": m.zone, "status": "started" if m.healthy else "unreachable"}
                for m in self.members]
