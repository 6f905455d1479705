"""Deliberate engine bugs, injected through the engine's test-only `cluster.hooks`.

They exist to test the testers: `kubegame fuzz` and ClusterMachine must find each of
them, and shrink it to a short script. Nothing in the game installs them.

    from kubegame.testing import faults
    faults.install(cluster, "cpu-double-count")
    kubegame fuzz first-pod --fault cpu-double-count      # the CLI's way
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubegame.engine import Cluster


def cpu_double_count(cluster: Cluster) -> None:
    """When a pod's container comes up, its node's scheduler books count its cpu request twice
    (the bug class: an accounting update applied on a second code path)."""
    counted: set[tuple[str, str]] = set()

    def hook(pod: Any, node: Any) -> None:
        if not pod.ready and pod.key not in counted:
            counted.add(pod.key)
            node.cpu_used += pod.cpu_request

    cluster.hooks["kubelet_running"] = hook


def ready_not_endpoint(cluster: Cluster) -> None:
    """A pod is marked Ready without the write that tells the endpoints controller
    (the bug class: state changed behind the watchers' back)."""

    def hook(pod: Any, node: Any) -> None:
        if not pod.ready:
            pod.ready = True
            pod.ready_tick = cluster.now

    cluster.hooks["kubelet_running"] = hook


def readiness_ignored(cluster: Cluster) -> None:
    """A running container turns Ready whatever its readiness probe says, and tells the watchers
    (the bug class: a probe result dropped)."""

    def hook(pod: Any, node: Any) -> None:
        if not pod.ready and pod.initialized and all(c.running for c in pod.containers):
            for c in pod.containers:
                c.ready = True
            pod.ready = True
            pod.ready_tick = cluster.now
            cluster.store.modified(pod, status_only=True, by_kubelet=True)

    cluster.hooks["kubelet_running"] = hook


def memory_limit_ignored(cluster: Cluster) -> None:
    """The kubelet never OOM-kills a container over its memory limit
    (the bug class: a cgroup setting not applied)."""
    kubelet = cluster.kubelet
    due_exit = kubelet._due_exit

    def hook(c: Any, tick: int, code: int, reason: str) -> None:
        if reason != "OOMKilled":
            due_exit(c, tick, code, reason)

    kubelet._due_exit = hook        # type: ignore[method-assign]


FAULTS: dict[str, Callable[[Cluster], None]] = {
    "cpu-double-count": cpu_double_count,
    "ready-not-endpoint": ready_not_endpoint,
    "readiness-ignored": readiness_ignored,
    "memory-limit-ignored": memory_limit_ignored,
}


def install(cluster: Cluster, name: str) -> None:
    """Install the named fault on a cluster (KeyError lists the known names)."""
    if name not in FAULTS:
        raise KeyError(f"unknown fault {name!r} (known: {', '.join(FAULTS)})")
    FAULTS[name](cluster)
