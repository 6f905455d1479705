"""Kubernetes Events: what `kubectl get events` and `describe`'s Events section show."""

from __future__ import annotations

from dataclasses import dataclass, field

from kubegame.engine.kinds import BY_KIND
from kubegame.engine.objects import timestamp as _ts


@dataclass(slots=True)
class ClusterEvent:
    """One Event; repeats of the same reason and message on the same object raise `count`."""

    tick: int                  # lastTimestamp
    type: str                  # Normal | Warning
    reason: str
    message: str
    kind: str                  # involvedObject
    namespace: str
    name: str
    source: str = ""           # component: default-scheduler, kubelet, replicaset-controller ...
    host: str = ""
    first_tick: int = 0
    count: int = 1
    uid: str = ""              # involvedObject.uid
    seq: int = 0               # creation order (stable sort key)
    key: tuple = field(default=(), repr=False, compare=False)   # the cluster's aggregation key
    field_path: str = ""       # involvedObject.fieldPath: spec.containers{app}

    @property
    def object_ref(self) -> str:
        return f"{self.kind.lower()}/{self.name}"

    def to_dict(self, event_name: str) -> dict:
        ts = _ts(self.tick)
        return {
            "apiVersion": "v1",
            "count": self.count,
            "firstTimestamp": _ts(self.first_tick),
            "involvedObject": {**({"apiVersion": BY_KIND[self.kind].api_version} if self.kind in BY_KIND else {}),
                               **({"fieldPath": self.field_path} if self.field_path else {}),
                               "kind": self.kind, "name": self.name,
                               **({"namespace": self.namespace} if self.namespace else {}),
                               "uid": self.uid},
            "kind": "Event",
            "lastTimestamp": ts,
            "message": self.message,
            "metadata": {"name": event_name, "namespace": self.namespace or "default"},
            "reason": self.reason,
            "source": {"component": self.source, **({"host": self.host} if self.host else {})},
            "type": self.type,
        }

