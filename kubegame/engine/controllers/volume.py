"""PersistentVolumeClaims: WaitForFirstConsumer binding, and the zone a volume lives in.

A claim stays Pending until the first pod that uses it is scheduled; the simulated cloud
provisioner then creates the disk in that node's zone and the claim turns Bound
(the `volumeBindingMode: WaitForFirstConsumer` of zonal storage classes, annotation
volume.kubernetes.io/selected-node). From then on the scheduler's VolumeZone filter
(pkg/scheduler/framework/plugins/volumezone) keeps every pod that mounts the claim in
that zone: `node(s) had volume node affinity conflict`.
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import KObject, Pod

ZONE_LABEL = "topology.kubernetes.io/zone"
SELECTED_NODE = "volume.kubernetes.io/selected-node"
DEFAULT_STORAGE_CLASS = "standard"


def claim_names(pod: Pod) -> list[str]:
    return [v["persistentVolumeClaim"]["claimName"] for v in pod.spec.get("volumes") or []
            if isinstance(v, dict) and (v.get("persistentVolumeClaim") or {}).get("claimName")]


def claim_zone(pvc: KObject) -> str:
    """The zone of a Bound claim's volume; "" while it is Pending."""
    return pvc.labels.get(ZONE_LABEL, "") if pvc.status.get("phase") == "Bound" else ""


class VolumeBinder(Controller):
    """persistentvolume-controller + the cloud's provisioner, in one."""

    name = "persistentvolume-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.store.subscribe("Pod", self._on_pod)
        self.store.subscribe("PersistentVolumeClaim", self._on_pvc)

    def _on_pvc(self, event: str, pvc: KObject) -> None:
        if event == "ADDED" and not pvc.status:
            pvc.spec.setdefault("storageClassName", DEFAULT_STORAGE_CLASS)
            pvc.spec.setdefault("volumeMode", "Filesystem")
            pvc.status = {"phase": "Pending"}

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event != "DELETED" and pod.node_name and pod.spec.get("volumes"):
            for name in claim_names(pod):
                pvc = self.store.get("PersistentVolumeClaim", pod.namespace, name)
                if pvc is not None and pvc.status.get("phase") != "Bound":
                    self.bind(pvc, pod.node_name)

    def volume_zone(self, pod: Pod) -> str:
        """The scheduler's VolumeZone hook: the zone the pod's bound volumes pin it to."""
        for name in claim_names(pod):
            pvc = self.store.get("PersistentVolumeClaim", pod.namespace, name)
            if pvc is not None:
                zone = claim_zone(pvc)
                if zone:
                    return zone
        return ""

    def sync(self) -> None:
        """Nothing to do per tick: claims bind when their first consumer is scheduled."""

    def bind(self, pvc: KObject, node_name: str) -> None:
        node = self.cluster.node(node_name)
        if node is None:
            return
        size = (((pvc.spec.get("resources") or {}).get("requests")) or {}).get("storage", "1Gi")
        pvc.labels[ZONE_LABEL] = node.zone
        pvc.annotations["pv.kubernetes.io/bind-completed"] = "yes"
        pvc.annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
        pvc.annotations[SELECTED_NODE] = node_name
        pvc.spec["volumeName"] = f"pvc-{pvc.uid}"
        pvc.status = {"accessModes": list(pvc.spec.get("accessModes") or ["ReadWriteOnce"]),
                      "capacity": {"storage": size}, "phase": "Bound"}
        self.store.modified(pvc, status_only=True)
        self.cluster.record(pvc, "Normal", "ProvisioningSucceeded",
                            f"Successfully provisioned volume pvc-{pvc.uid} in zone {node.zone}",
                            "csi-provisioner")
