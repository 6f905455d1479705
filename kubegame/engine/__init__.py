"""The simulated cluster: pure, deterministic, no I/O, no YAML, no Textual."""

from kubegame.engine import rbac
from kubegame.engine.cluster import Cluster, ClusterConfig, NodeSpec
from kubegame.engine.errors import ApiError
from kubegame.engine.images import Image, Registry
from kubegame.engine.objects import KObject, Pod

__all__ = ["ApiError", "Cluster", "ClusterConfig", "Image", "KObject", "NodeSpec", "Pod", "Registry", "rbac"]
