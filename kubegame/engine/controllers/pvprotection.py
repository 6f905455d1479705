"""A bound volume is not deleted under its claim (pkg/controller/volume/pvprotection).

`kubernetes.io/pv-protection` keeps a deleted PersistentVolume `Terminating` while it is
Bound; once its claim lets go it goes.
"""

from __future__ import annotations

from kubegame.engine import storage
from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import KObject


class PVProtectionController(Controller):
    name = "pv-protection-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.store.subscribe("PersistentVolume", self._on_volume)

    def _on_volume(self, event: str, pv: KObject) -> None:
        if event != "DELETED" and pv.deletion_tick is not None:
            self.enqueue(pv.key)

    def sync(self) -> None:
        for key in self.take():
            pv = self.store.get("PersistentVolume", *key)
            if pv is not None and pv.deletion_tick is not None and pv.status.get("phase") != "Bound":
                self.cluster.remove_finalizer(pv, storage.PV_PROTECTION)
