"""What every controller shares: a work queue of keys filled by watches."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster


class Controller:
    """A reconcile loop: watches enqueue keys; `sync()` drains the queue once per tick.

    The queue is a dict (insertion-ordered, deduplicated), so the order of work is the
    order of changes, the same in every process.
    """

    name = "controller"
    needs_quorum = True        # a controller-manager loop: it stops while etcd has no quorum
    component: str | None = "kube-controller-manager"   # the process it runs in (None: not a control-plane pod's)

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.store = cluster.store
        self.queue: dict[tuple[str, str], bool] = {}

    def enqueue(self, key: tuple[str, str]) -> None:
        self.queue[key] = True

    def take(self) -> list[tuple[str, str]]:
        keys = list(self.queue)
        self.queue.clear()
        return keys

    def due(self, timers: dict[int, dict], now: int) -> dict:
        """Pop what is due at or before `now` from a tick-keyed timer dict (ticks skipped
        while the controller stood still, e.g. without quorum, are caught up in order)."""
        out: dict = {}
        if timers:
            for t in sorted(k for k in timers if k <= now):
                out.update(timers.pop(t))
        return out

    def sync(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
