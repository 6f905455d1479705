"""PersistentVolumes and claims: binding, provisioning and reclaiming (pkg/controller/volume/persistentvolume).

A claim binds to the smallest Available volume of its class that has its access modes,
volume mode and selector (pv_controller.go syncUnboundClaim); with none, a class whose
provisioner runs here (the simulated cloud's zonal disks, `disk.csi.kubegame.io`) makes one,
at once for `volumeBindingMode: Immediate` or in the scheduled pod's zone for
`WaitForFirstConsumer` (the scheduler asks through `bind_for_pod`). A claim that cannot bind
stays Pending with the controller's real events, repeated every 15 s as its resync does
(`--pvclaimbinder-sync-period`). A volume whose claim is gone is Released and then reclaimed
by its policy: Retain keeps it (and its data), Delete removes a provisioned disk, Recycle
scrubs a hostPath or NFS volume back to Available.

Also here: the default StorageClass given to claims that name none after the fact (the
retroactive assignment of v1.28), the pods that use each claim (for `describe pvc`'s Used
By, the protection controller and the kubelet's Multi-Attach check), and the files written
on each volume (what `kubectl exec` writes there; they survive the pod, not the volume).
"""

from __future__ import annotations

from typing import Any

from kubegame.engine import storage
from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, Pod, timestamp

RESYNC = 15         # kube-controller-manager --pvclaimbinder-sync-period


def claim_names(pod: Pod) -> list[str]:
    return [v["persistentVolumeClaim"]["claimName"] for v in pod.spec.get("volumes") or []
            if isinstance(v, dict) and isinstance(v.get("persistentVolumeClaim"), dict)
            and v["persistentVolumeClaim"].get("claimName")]


class PersistentVolumeController(Controller):
    name = "persistentvolume-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.volume_queue: dict[str, bool] = {}
        self.resync: dict[int, dict] = {}          # tick -> {claim key: True}
        self.pending: dict[tuple[str, str], str] = {}   # unbound claims -> their class
        self.users: dict[tuple[str, str], dict[tuple[str, str], Pod]] = {}   # (ns, claim) -> pods naming it
        self.files: dict[str, dict[str, str]] = {}   # volume name -> path on the volume -> content
        # what lives and dies with a pod: emptyDir and hostPath volumes' files, and each container's own layer
        self.scratch: dict[tuple[str, str], dict[str, str]] = {}   # (pod uid, volume name) -> files
        self.layers: dict[tuple[str, str], dict[str, str]] = {}    # (pod uid, container name) -> files
        self.store.subscribe("PersistentVolumeClaim", self._on_claim)
        self.store.subscribe("PersistentVolume", self._on_volume)
        self.store.subscribe("StorageClass", self._on_class)
        self.store.subscribe("Pod", self._on_pod)

    # -- watches ------------------------------------------------------------------------------
    def _on_claim(self, event: str, pvc: KObject) -> None:
        if event == "DELETED":
            self.pending.pop(pvc.key, None)
            if pvc.spec.get("volumeName"):
                self.volume_queue[pvc.spec["volumeName"]] = True
        else:
            self.enqueue(pvc.key)
        self.cluster.scheduler.volumes_changed()

    def _on_volume(self, event: str, pv: KObject) -> None:
        if event == "DELETED":
            self.files.pop(pv.name, None)
            ref = pv.spec.get("claimRef") or {}
            if ref.get("name"):
                self.enqueue((ref.get("namespace", ""), ref["name"]))
        else:
            self.volume_queue[pv.name] = True
            if pv.status.get("phase") in ("Available", "Pending"):
                self._wake(storage.volume_class(pv))
        self.cluster.scheduler.volumes_changed()

    def _on_class(self, event: str, sc: KObject) -> None:
        if event != "DELETED" and storage.is_default_class(sc):
            for key in list(self.pending):
                pvc = self.store.get("PersistentVolumeClaim", *key)
                if pvc is not None and "storageClassName" not in pvc.spec and storage.BETA_CLASS not in pvc.annotations:
                    self._assign_default(pvc)
        self._wake(sc.name)
        self.cluster.scheduler.volumes_changed()

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event == "DELETED" and (self.scratch or self.layers):
            for table in (self.scratch, self.layers):
                for key in [k for k in table if k[0] == pod.uid]:
                    del table[key]
        if not pod.spec.get("volumes"):
            return
        for name in claim_names(pod):
            users = self.users.setdefault((pod.namespace, name), {})
            if event == "DELETED":
                users.pop(pod.key, None)
                if not users:
                    del self.users[(pod.namespace, name)]
            else:
                users[pod.key] = pod

    def _wake(self, class_name: str) -> None:
        for key, cls in self.pending.items():
            if cls == class_name:
                self.enqueue(key)

    def state(self) -> dict:
        """The data written on volumes (part of the state hash)."""
        return {"files": {k: dict(sorted(v.items())) for k, v in sorted(self.files.items()) if v},
                "scratch": sorted((list(k), sorted(v.items())) for k, v in self.scratch.items() if v),
                "layers": sorted((list(k), sorted(v.items())) for k, v in self.layers.items() if v)}

    def users_of(self, namespace: str, claim: str) -> list[Pod]:
        return sorted(self.users.get((namespace, claim), {}).values(), key=lambda p: p.name)

    # -- the loop -----------------------------------------------------------------------------
    def sync(self) -> None:
        for key in self.due(self.resync, self.cluster.now):
            self.enqueue(key)
        for key in self.take():
            pvc = self.store.get("PersistentVolumeClaim", *key)
            if pvc is not None and pvc.deletion_tick is None:
                self.sync_claim(pvc)
        names = list(self.volume_queue)
        self.volume_queue.clear()
        for name in names:
            pv = self.store.get("PersistentVolume", "", name)
            if pv is not None:
                self.sync_volume(pv)

    def sync_claim(self, pvc: KObject) -> None:
        if pvc.status.get("phase") == "Bound" or storage.BIND_COMPLETED in pvc.annotations:
            self._sync_bound(pvc)
            return
        if "storageClassName" not in pvc.spec and storage.BETA_CLASS not in pvc.annotations:
            if storage.default_class(self.store) is not None:
                self._assign_default(pvc)
        cls = storage.claim_class(pvc)
        wanted = pvc.spec.get("volumeName")
        if wanted:
            pv = self.store.get("PersistentVolume", "", wanted)
            if pv is not None and (not pv.spec.get("claimRef") or storage.bound_to(pv, pvc)):
                why = storage.mismatch(pv, pvc)
                if not why:
                    self.bind(pv, pvc)
                    return
                self.cluster.record(pvc, "Warning", "VolumeMismatch",
                                    f'Cannot bind to requested volume "{wanted}": {why}', self.name)
            self._wait(pvc, cls)
            return
        delay = storage.delayed(self.store, cls)
        node_name = pvc.annotations.get(storage.SELECTED_NODE, "")
        node = self.cluster.node(node_name) if node_name else None
        found = storage.candidates(self.store, pvc, node, delay)
        if found:
            self.bind(found[0], pvc)
            return
        if delay and not node_name:
            self.cluster.record(pvc, "Normal", "WaitForFirstConsumer",
                                "waiting for first consumer to be created before binding", self.name)
        elif cls:
            if self.provision(pvc, cls, node.zone if node is not None else ""):
                return
        else:
            self.cluster.record(pvc, "Normal", "FailedBinding",
                                "no persistent volumes available for this claim and no storage class is set",
                                self.name)
        self._wait(pvc, cls)

    def _wait(self, pvc: KObject, cls: str) -> None:
        self.pending[pvc.key] = cls
        self.resync.setdefault(self.cluster.now + RESYNC, {})[pvc.key] = True

    def _assign_default(self, pvc: KObject) -> None:
        sc = storage.default_class(self.store)
        if sc is not None:
            pvc.spec["storageClassName"] = sc.name
            self.store.modified(pvc)
            self.pending[pvc.key] = sc.name

    def _sync_bound(self, pvc: KObject) -> None:
        pv = self.store.get("PersistentVolume", "", pvc.spec.get("volumeName", ""))
        if pv is None or (pv.spec.get("claimRef") or {}).get("uid") not in (pvc.uid, None, ""):
            if pvc.status.get("phase") != "Lost":
                reason, msg = (("ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
                               if pv is None else
                               ("ClaimMisbound", "Two claims are bound to the same volume, this one is bound "
                                                 "incorrectly"))
                pvc.status = {"phase": "Lost"}
                self.store.modified(pvc, status_only=True)
                self.cluster.record(pvc, "Warning", reason, msg, self.name)
        elif not (pv.spec.get("claimRef") or {}).get("uid"):
            self.bind(pv, pvc)

    # -- binding and provisioning -----------------------------------------------------------------
    def bind(self, pv: KObject, pvc: KObject) -> None:
        """ctrl.bind: the volume's claimRef, its phase, the claim's volumeName, its status."""
        if not storage.bound_to(pv, pvc) or not (pv.spec.get("claimRef") or {}).get("uid"):
            if not pv.spec.get("claimRef"):
                pv.annotations[storage.BOUND_BY_CONTROLLER] = "yes"
            pv.spec["claimRef"] = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": pvc.name,
                                   "namespace": pvc.namespace, "resourceVersion": str(pvc.resource_version),
                                   "uid": pvc.uid}
            pv.status = {**pv.status, "phase": "Pending"}    # so the phase write below tells the watchers
        self._phase(pv, "Bound")
        if not pvc.spec.get("volumeName"):
            pvc.annotations[storage.BOUND_BY_CONTROLLER] = "yes"
            pvc.spec["volumeName"] = pv.name
        pvc.annotations[storage.BIND_COMPLETED] = "yes"
        pvc.status = {"accessModes": list(pv.spec.get("accessModes") or []),
                      "capacity": dict(pv.spec.get("capacity") or {}), "phase": "Bound"}
        self.store.modified(pvc)
        self.pending.pop(pvc.key, None)
        self.cluster.scheduler.volumes_changed()

    def provision(self, pvc: KObject, cls: str, zone: str) -> bool:
        """provisionClaimOperation(External): True when a volume was made and bound."""
        sc = self.store.get("StorageClass", "", cls)
        if sc is None:
            self.cluster.record(pvc, "Warning", "ProvisioningFailed",
                                f'storageclass.storage.k8s.io "{cls}" not found', self.name)
            return False
        prov = str(sc.extra.get("provisioner") or "")
        if prov.startswith("kubernetes.io/"):
            self.cluster.record(pvc, "Warning", "ProvisioningFailed", f"no volume plugin matched name: {prov}",
                                self.name)
            return False
        if pvc.annotations.get("volume.kubernetes.io/storage-provisioner") != prov:
            pvc.annotations["volume.beta.kubernetes.io/storage-provisioner"] = prov
            pvc.annotations["volume.kubernetes.io/storage-provisioner"] = prov
            self.store.modified(pvc)
        self.cluster.record(pvc, "Normal", "ExternalProvisioning",
                            f"Waiting for a volume to be created either by the external provisioner '{prov}' or "
                            "manually by the system administrator. If volume creation is delayed, please verify "
                            "that the provisioner is running and correctly registered.", self.name)
        if prov != storage.DRIVER:
            return False            # no such provisioner runs in this cluster: the claim waits
        zone = zone or self._zone_for(sc)
        source = f"{storage.DRIVER}_csi-provisioner"
        self.cluster.record(pvc, "Normal", "Provisioning",
                            f'External provisioner is provisioning volume for claim "{pvc.namespace}/{pvc.name}"',
                            source)
        name = f"pvc-{pvc.uid}"
        request = (((pvc.spec.get("resources") or {}).get("requests")) or {}).get("storage", "1Gi")
        spec: dict[str, Any] = {
            "accessModes": list(pvc.spec.get("accessModes") or []), "capacity": {"storage": request},
            "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "name": pvc.name,
                         "namespace": pvc.namespace, "resourceVersion": str(pvc.resource_version), "uid": pvc.uid},
            "csi": {"driver": storage.DRIVER, "fsType": "ext4", "volumeHandle": f"{zone}/{name}"},
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": storage.ZONE_LABEL, "operator": "In", "values": [zone]}]}]}},
            "persistentVolumeReclaimPolicy": sc.extra.get("reclaimPolicy", "Delete"),
            "storageClassName": cls, "volumeMode": pvc.spec.get("volumeMode", "Filesystem")}
        if sc.extra.get("mountOptions"):
            spec["mountOptions"] = list(sc.extra["mountOptions"])
        try:
            pv = self.cluster.create({"apiVersion": "v1", "kind": "PersistentVolume",
                                      "metadata": {"name": name, "annotations": {storage.PROVISIONED_BY: prov}},
                                      "spec": spec}, system=True)
        except ApiError as exc:
            self.cluster.record(pvc, "Warning", "ProvisioningFailed",
                                f'failed to provision volume with StorageClass "{cls}": {exc.message}', source)
            return False
        self.cluster.record(pvc, "Normal", "ProvisioningSucceeded", f"Successfully provisioned volume {name}", source)
        self.bind(pv, pvc)
        return True

    def _zone_for(self, sc: KObject) -> str:
        """Where an Immediate claim's disk goes: an allowed zone with nodes, the one with fewest disks."""
        zones = sorted({n.zone for n in self.cluster.nodes()}) or ["zone-a"]
        allowed = [v for t in sc.extra.get("allowedTopologies") or []
                   for e in t.get("matchLabelExpressions") or [] if e.get("key") == storage.ZONE_LABEL
                   for v in e.get("values") or []]
        if allowed:
            zones = [z for z in zones if z in allowed] or sorted(allowed)
        used = {z: 0 for z in zones}
        for pv in self.store.list("PersistentVolume"):
            z = str((pv.spec.get("csi") or {}).get("volumeHandle") or "").split("/")[0]
            if z in used:
                used[z] += 1
        return min(zones, key=lambda z: (used[z], z))

    def bind_for_pod(self, pod: Pod, node_name: str) -> str:
        """The scheduler's PreBind for a pod placed on `node_name`: its claims that wait for their
        first consumer bind to a volume that node reaches, or are provisioned in its zone.
        Returns "" when every claim is bound, else why the pod cannot be bound yet."""
        node = self.cluster.node(node_name)
        for name in claim_names(pod):
            pvc = self.store.get("PersistentVolumeClaim", pod.namespace, name)
            if pvc is None or pvc.status.get("phase") == "Bound" or node is None:
                continue
            found = storage.candidates(self.store, pvc, node, True)
            if found:
                self.bind(found[0], pvc)
                continue
            if pvc.annotations.get(storage.SELECTED_NODE) != node_name:
                pvc.annotations[storage.SELECTED_NODE] = node_name
                self.store.modified(pvc)
            if not self.provision(pvc, storage.claim_class(pvc), node.zone):
                self._wait(pvc, storage.claim_class(pvc))
                return ('running PreBind plugin "VolumeBinding": binding volumes: provisioning failed for PVC '
                        f'"{pvc.name}"')
        return ""

    # -- volumes ------------------------------------------------------------------------------
    def sync_volume(self, pv: KObject) -> None:
        """syncVolume: Available, Bound, or Released and reclaimed."""
        ref = pv.spec.get("claimRef") or {}
        if not ref.get("name") or not ref.get("uid"):
            self._phase(pv, "Available")
            if ref.get("name"):
                self.enqueue((ref.get("namespace", ""), ref["name"]))
            else:
                self._wake(storage.volume_class(pv))
            return
        pvc = self.store.get("PersistentVolumeClaim", ref.get("namespace", ""), ref["name"])
        if pvc is not None and pvc.uid != ref.get("uid"):
            pvc = None
        if pvc is None:
            if pv.status.get("phase") not in ("Released", "Failed"):
                self._phase(pv, "Released")
                self.reclaim(pv)
        elif not pvc.spec.get("volumeName"):
            self.enqueue(pvc.key)
        elif pvc.spec["volumeName"] == pv.name:
            self._phase(pv, "Bound")
        elif pv.annotations.get(storage.BOUND_BY_CONTROLLER):
            pv.spec.pop("claimRef", None)         # we chose it for a claim bound elsewhere: let it go
            self._phase(pv, "Available")

    def reclaim(self, pv: KObject) -> None:
        """reclaimVolume: what the policy says happens to a volume whose claim is gone."""
        policy = pv.spec.get("persistentVolumeReclaimPolicy", "Retain")
        if policy == "Delete":
            if pv.annotations.get(storage.PROVISIONED_BY) == storage.DRIVER:
                self.files.pop(pv.name, None)
                self.cluster.delete("PersistentVolume", "", pv.name)
            elif not pv.annotations.get(storage.PROVISIONED_BY):
                self._phase(pv, "Failed", f'error getting deleter volume plugin for volume "{pv.name}": no '
                            "deletable volume plugin matched", "VolumeFailedDelete")
        elif policy == "Recycle":
            if "hostPath" in pv.spec or "nfs" in pv.spec:
                self.files.pop(pv.name, None)
                pv.spec.pop("claimRef", None)
                self._phase(pv, "Available")
                self.cluster.record(pv, "Normal", "VolumeRecycled", "Volume recycled", self.name)
            else:
                self._phase(pv, "Failed", "No recycler plugin found for the volume!", "VolumeFailedRecycle")

    def _phase(self, pv: KObject, phase: str, message: str = "", reason: str = "") -> None:
        if pv.status.get("phase") == phase and pv.status.get("message", "") == message:
            return
        pv.status = {"lastPhaseTransitionTime": timestamp(self.cluster.now), "phase": phase}
        if message:
            pv.status["message"] = message
        self.store.modified(pv, status_only=True)
        if message:
            self.cluster.record(pv, "Warning", reason, message, self.name)
