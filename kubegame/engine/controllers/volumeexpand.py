"""Growing a bound claim (pkg/controller/volume/expand and the CSI external-resizer).

A bound claim whose storage request rose above its capacity (the API server has already
checked that its class sets `allowVolumeExpansion`) is resized a tick later: the disk and
the PersistentVolume grow, then the file system, and the claim's capacity follows, with the
resizer's and the kubelet's events. A class whose provisioner does not run here leaves the
claim waiting for that external resizer.
"""

from __future__ import annotations

from kubegame.engine import storage
from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import KObject
from kubegame.engine.quantity import memory_bytes


class ExpandController(Controller):
    name = "volume_expand"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.store.subscribe("PersistentVolumeClaim", self._on_claim)

    @staticmethod
    def wanted(pvc: KObject) -> str:
        """The storage the claim asks for when that is more than it has; "" otherwise."""
        if pvc.status.get("phase") != "Bound":
            return ""
        want = (((pvc.spec.get("resources") or {}).get("requests")) or {}).get("storage")
        have = ((pvc.status.get("capacity") or {}).get("storage")) or 0
        return str(want) if want is not None and memory_bytes(want) > memory_bytes(have) else ""

    def _on_claim(self, event: str, pvc: KObject) -> None:
        if event != "DELETED" and self.wanted(pvc):
            self.enqueue(pvc.key)

    def sync(self) -> None:
        for key in self.take():
            pvc = self.store.get("PersistentVolumeClaim", *key)
            want = self.wanted(pvc) if pvc is not None else ""
            pv = self.store.get("PersistentVolume", "", pvc.spec.get("volumeName", "")) if want else None
            if pv is None:
                continue
            sc = self.store.get("StorageClass", "", storage.claim_class(pvc))
            driver = (pv.spec.get("csi") or {}).get("driver", "")
            if sc is None or driver != storage.DRIVER:
                self.cluster.record(pvc, "Normal", "ExternalExpanding",
                                    "waiting for an external controller to expand this PVC", self.name)
                continue
            resizer = f"external-resizer {storage.DRIVER}"
            self.cluster.record(pvc, "Normal", "Resizing", f"External resizer is resizing volume {pv.name}", resizer)
            pv.spec["capacity"] = {**(pv.spec.get("capacity") or {}), "storage": want}
            self.store.modified(pv)
            self.cluster.record(pvc, "Normal", "VolumeResizeSuccessful", "Resize volume succeeded", resizer)
            pvc.status = {**pvc.status, "allocatedResources": {"storage": want},
                          "capacity": {**(pvc.status.get("capacity") or {}), "storage": want}}
            self.store.modified(pvc, status_only=True)
            for pod in self.cluster.volumes.users_of(pvc.namespace, pvc.name):
                if pod.node_name and pod.phase == "Running":
                    self.cluster.record(pvc, "Normal", "FileSystemResizeSuccessful",
                                        f'MountVolume.NodeExpandVolume succeeded for volume "{pv.name}" '
                                        f"{pod.node_name}", "kubelet", host=pod.node_name)
                    break
