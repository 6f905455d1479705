"""The Level model: what a loaded, validated level file holds (LEVEL_FORMAT.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubegame.engine.cluster import ClusterConfig, NodeSpec
from kubegame.engine.images import Image

DEFAULT_ZONE = "zone-a"
DEFAULT_KERNEL = "6.1"


@dataclass
class NodeGroup:
    """One `cluster.nodes` entry; `count > 1` makes name-1, name-2, ..."""

    name: str
    cpu: str
    memory: str
    count: int = 1
    zone: str = DEFAULT_ZONE
    pods: int = 110
    kernel: str = DEFAULT_KERNEL
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict] = field(default_factory=list)

    def node_names(self) -> list[str]:
        if self.count == 1:
            return [self.name]
        return [f"{self.name}-{i}" for i in range(1, self.count + 1)]

    def specs(self) -> list[NodeSpec]:
        return [NodeSpec(n, self.cpu, self.memory, self.pods, self.zone, self.kernel, dict(self.labels),
                         [dict(t) for t in self.taints]) for n in self.node_names()]


@dataclass
class NodePool:
    max: int
    boot_ticks: int = 60
    template: NodeGroup = field(default_factory=lambda: NodeGroup("pool", "4", "8Gi"))


@dataclass
class ClusterSpec:
    nodes: list[NodeGroup]
    node_monitor_grace_period: int = 50
    default_toleration_seconds: int = 300
    etcd_members: list[str] = field(default_factory=list)   # one zone per member
    node_pool: NodePool | None = None
    cost_per_node_tick: float = 1
    max_replicas: int = 10_000          # the replica ceiling of one object (a game limit)
    default_storage_class: bool = True  # the cluster starts with the `standard` StorageClass

    def node_names(self) -> list[str]:
        return [n for g in self.nodes for n in g.node_names()]

    def zones(self) -> list[str]:
        out: list[str] = []
        for z in [g.zone for g in self.nodes] + list(self.etcd_members) + (
                [self.node_pool.template.zone] if self.node_pool else []):
            if z not in out:
                out.append(z)
        return out


@dataclass
class TrafficSpec:
    rps: float
    service: str | None = None          # Service name ...
    namespace: str = "default"          # ... and its namespace (from the manifest)
    host: str | None = None             # or an Ingress host and path
    path: str | None = None
    pattern: str = "steady"
    amplitude: float = 0.0
    period: int = 300
    external: bool = False
    client: dict | None = None          # `from`: the clients' namespace and labels (NetworkPolicy peers)

    @property
    def key(self) -> str:
        if self.service:
            return self.service if self.namespace == "default" else f"{self.namespace}/{self.service}"
        return f"{self.host}{self.path or ''}"


@dataclass
class ScenarioEvent:
    """One `events` entry. `params` holds the type's own fields (node, zone, factor, ...)."""

    at: int
    type: str
    params: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class ObjectiveSpec:
    """One `objectives` entry; `params` holds the type's own fields (service, atLeast, ...)."""

    type: str
    params: dict[str, Any] = field(default_factory=dict)
    index: int = 0

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)


@dataclass
class Hint:
    text: str
    after_tick: int | None = None


@dataclass
class Step:
    """A command at a tick: `solution` entries, scripts and replays."""

    at: int
    run: str


@dataclass
class Manifest:
    """An initial Kubernetes object, as written (`body`) and where it starts in the file."""

    body: dict
    line: int
    col: int
    doc_index: int

    @property
    def kind(self) -> str:
        return self.body.get("kind", "")

    @property
    def name(self) -> str:
        return (self.body.get("metadata") or {}).get("name", "")

    @property
    def namespace(self) -> str:
        return (self.body.get("metadata") or {}).get("namespace") or "default"


@dataclass
class Level:
    name: str
    title: str
    briefing: str
    duration: int
    cluster: ClusterSpec
    images: list[Image]
    traffic: list[TrafficSpec]
    chapter: int | None = None
    concepts: list[str] = field(default_factory=list)
    debrief: str = ""
    seed: int = 0
    budget: float | None = None
    pull_mbps: float = 50
    events: list[ScenarioEvent] = field(default_factory=list)
    objectives: list[ObjectiveSpec] = field(default_factory=list)
    stars_two: int = 700
    stars_three: int = 900
    hints: list[Hint] = field(default_factory=list)
    solution: list[Step] = field(default_factory=list)
    manifests: list[Manifest] = field(default_factory=list)
    path: str = ""
    sha256: str = ""
    text: str = ""
    # spec.kubeconfig: {"users": [{"name", "groups", "namespace"}], "current": user, "admin": bool}
    kubeconfig: dict = field(default_factory=lambda: {"users": [], "current": "kubernetes-admin", "admin": True})

    def cluster_config(self) -> ClusterConfig:
        return ClusterConfig(node_monitor_grace_period=self.cluster.node_monitor_grace_period,
                             default_toleration_seconds=self.cluster.default_toleration_seconds,
                             pull_mbps=self.pull_mbps, max_replicas=self.cluster.max_replicas,
                             users=[dict(u) for u in self.kubeconfig["users"]],
                             current_user=self.kubeconfig["current"], admin_context=self.kubeconfig["admin"],
                             default_storage_class=self.cluster.default_storage_class)

    def manifest(self, kind: str, name: str) -> Manifest | None:
        for m in self.manifests:
            if m.kind == kind and m.name == name:
                return m
        return None

    @property
    def sort_key(self) -> tuple:
        return (self.chapter if self.chapter is not None else 10**6, self.path.rsplit("/", 1)[-1], self.name)
