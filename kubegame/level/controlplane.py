"""A simple model of a highly available control plane: etcd members in zones.

Quorum is floor(n/2)+1 members up (DESIGN.md, etcd). Without quorum every write
fails (`cluster.store.quorum = False`), controllers stop, running pods keep serving.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class EtcdMember:
    name: str
    zone: str
    up: bool = True


class ControlPlane:
    def __init__(self, zones: list[str]):
        self.members: list[EtcdMember] = []
        self._next = 1
        for z in zones:
            self.add(z)

    def add(self, zone: str) -> EtcdMember:
        m = EtcdMember(f"etcd-{self._next}", zone)
        self._next += 1
        self.members.append(m)
        return m

    def remove(self, name: str) -> EtcdMember | None:
        for m in self.members:
            if m.name == name:
                self.members.remove(m)
                return m
        return None

    def member(self, name: str) -> EtcdMember | None:
        return next((m for m in self.members if m.name == name), None)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def up(self) -> int:
        return sum(1 for m in self.members if m.up)

    @property
    def needed(self) -> int:
        return self.size // 2 + 1

    @property
    def quorum(self) -> bool:
        return self.size > 0 and self.up >= self.needed

    def fail(self, count: int) -> list[EtcdMember]:
        """Stop `count` running members, in member order."""
        out = []
        for m in self.members:
            if len(out) == count:
                break
            if m.up:
                m.up = False
                out.append(m)
        return out

    def recover(self, count: int) -> list[EtcdMember]:
        out = []
        for m in self.members:
            if len(out) == count:
                break
            if not m.up:
                m.up = True
                out.append(m)
        return out

    def apply(self, cluster: Any) -> bool:
        """Tell the API server whether writes succeed; returns the quorum."""
        q = self.quorum
        cluster.store.quorum = q
        return q

    def describe(self) -> str:
        return ", ".join(f"{m.name}({m.zone}{'' if m.up else ', down'})" for m in self.members)
