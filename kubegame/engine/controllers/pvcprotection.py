"""A claim in use is not deleted under its pod (pkg/controller/volume/pvcprotection).

The StorageObjectInUseProtection admission plugin puts `kubernetes.io/pvc-protection` on
every claim; a deleted claim stays `Terminating` while a scheduled pod that has not finished
names it, and goes when the last such pod does (the classic "PVC stuck in Terminating").
"""

from __future__ import annotations

from kubegame.engine import storage
from kubegame.engine.controllers.base import Controller
from kubegame.engine.controllers.persistentvolume import claim_names
from kubegame.engine.objects import KObject, Pod


class PVCProtectionController(Controller):
    name = "pvc-protection-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.store.subscribe("PersistentVolumeClaim", self._on_claim)
        self.store.subscribe("Pod", self._on_pod)

    def _on_claim(self, event: str, pvc: KObject) -> None:
        if event != "DELETED" and pvc.deletion_tick is not None:
            self.enqueue(pvc.key)

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if pod.spec.get("volumes") and (event == "DELETED" or pod.phase in ("Succeeded", "Failed")):
            for name in claim_names(pod):
                self.enqueue((pod.namespace, name))

    def in_use(self, pvc: KObject) -> bool:
        """podUsesPVC: a pod bound to a node, not yet finished, names the claim."""
        return any(p.node_name and p.phase not in ("Succeeded", "Failed")
                   for p in self.cluster.volumes.users_of(pvc.namespace, pvc.name))

    def sync(self) -> None:
        for key in self.take():
            pvc = self.store.get("PersistentVolumeClaim", *key)
            if pvc is not None and pvc.deletion_tick is not None and not self.in_use(pvc):
                self.cluster.remove_finalizer(pvc, storage.PVC_PROTECTION)
