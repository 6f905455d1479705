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

    def sync(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError
