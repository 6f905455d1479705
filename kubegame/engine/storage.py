"""Storage rules the API server, the PV controller, the scheduler and the kubelet share.

What decides whether a PersistentVolume can serve a claim (pkg/controller/volume/persistentvolume/
index.go findMatchingVolume and util.go checkVolumeSatisfyClaim), which StorageClass is the default
(plugin/pkg/admission/storage/storageclass/setdefault), the shapes and messages of validation
(pkg/apis/core/validation ValidatePersistentVolume*, pkg/apis/storage/validation) and the admission
plugins that act on claims: DefaultStorageClass, StorageObjectInUseProtection and
PersistentVolumeClaimResize.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubegame.engine.errors import ApiError
from kubegame.engine.quantity import memory_bytes

if TYPE_CHECKING:
    from kubegame.engine.objects import KObject, Node
    from kubegame.engine.store import Store

DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS = "storageclass.beta.kubernetes.io/is-default-class"
BETA_CLASS = "volume.beta.kubernetes.io/storage-class"
NO_PROVISIONER = "kubernetes.io/no-provisioner"
DRIVER = "disk.csi.kubegame.io"          # the simulated cloud's zonal disk CSI driver
ZONE_LABEL = "topology.kubernetes.io/zone"
PVC_PROTECTION = "kubernetes.io/pvc-protection"
PV_PROTECTION = "kubernetes.io/pv-protection"
SELECTED_NODE = "volume.kubernetes.io/selected-node"
PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"

ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
SHORT_MODES = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
# the PersistentVolumeSource fields (one of them names where a volume's data lives)
PV_SOURCES = ("awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "csi", "fc", "flexVolume",
              "flocker", "gcePersistentDisk", "glusterfs", "hostPath", "iscsi", "local", "nfs",
              "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "vsphereVolume")


def access_modes_string(modes: list[str] | None) -> str:
    """GetAccessModesAsString: RWO,ROX,RWX,RWOP in that order, each once."""
    modes = list(modes or [])
    return ",".join(SHORT_MODES[m] for m in ACCESS_MODES if m in modes)


def claim_class(pvc: KObject) -> str:
    """GetPersistentVolumeClaimClass: the beta annotation, else spec.storageClassName, else ""."""
    if BETA_CLASS in pvc.annotations:
        return pvc.annotations[BETA_CLASS]
    return str(pvc.spec.get("storageClassName") or "")


def volume_class(pv: KObject) -> str:
    if BETA_CLASS in pv.annotations:
        return pv.annotations[BETA_CLASS]
    return str(pv.spec.get("storageClassName") or "")


def is_default_class(sc: KObject) -> bool:
    return sc.annotations.get(DEFAULT_CLASS) == "true" or sc.annotations.get(BETA_DEFAULT_CLASS) == "true"


def default_class(store: Store) -> KObject | None:
    """The default StorageClass: of several, the newest (GetDefaultClass sorts by creation, then name)."""
    classes = [sc for sc in store.list("StorageClass") if is_default_class(sc) and sc.deletion_tick is None]
    if not classes:
        return None
    return sorted(classes, key=lambda sc: (-sc.creation_tick, sc.name))[0]


def requested(pvc: KObject) -> int:
    return memory_bytes((((pvc.spec.get("resources") or {}).get("requests")) or {}).get("storage", 0) or 0)


def capacity(pv: KObject) -> int:
    return memory_bytes(((pv.spec.get("capacity") or {}).get("storage")) or 0)


def delayed(store: Store, class_name: str) -> bool:
    """IsDelayBindingMode: the claim's class binds WaitForFirstConsumer (a missing class: no)."""
    sc = store.get("StorageClass", "", class_name) if class_name else None
    return sc is not None and sc.extra.get("volumeBindingMode") == "WaitForFirstConsumer"


def bound_to(pv: KObject, pvc: KObject) -> bool:
    """isVolumeBoundToClaim: the volume's claimRef names this claim (and its uid, once set)."""
    ref = pv.spec.get("claimRef") or {}
    if ref.get("name") != pvc.name or ref.get("namespace") != pvc.namespace:
        return False
    return not ref.get("uid") or ref.get("uid") == pvc.uid


def mismatch(pv: KObject, pvc: KObject) -> str:
    """checkVolumeSatisfyClaim: why the volume cannot serve the claim; "" when it can."""
    if capacity(pv) < requested(pvc):
        return "requested PV is too small"
    if volume_class(pv) != claim_class(pvc):
        return "storageClassName does not match"
    if (pv.spec.get("volumeMode") or "Filesystem") != (pvc.spec.get("volumeMode") or "Filesystem"):
        return "incompatible volumeMode"
    if not set(pvc.spec.get("accessModes") or []) <= set(pv.spec.get("accessModes") or []):
        return "incompatible accessMode"
    return ""


def node_terms(pv: KObject) -> list[dict] | None:
    """The volume's required node affinity terms (None: any node can reach it)."""
    required = ((pv.spec.get("nodeAffinity") or {}).get("required")) or {}
    terms = required.get("nodeSelectorTerms")
    return list(terms) if terms else None


def reachable(pv: KObject, node: Node) -> bool:
    from kubegame.engine.controllers.scheduler import match_node_selector_term

    terms = node_terms(pv)
    return terms is None or any(match_node_selector_term(t, node.labels, node.name) for t in terms)


def candidates(store: Store, pvc: KObject, node: Node | None = None, delay: bool = False) -> list[KObject]:
    """findMatchingVolume: the volumes that can serve the claim, best first (pre-bound, then smallest).

    Without a node, a claim whose class waits for its first consumer matches only volumes
    pre-bound to it: the scheduler picks the rest once it knows the node.
    """
    from kubegame.engine.validation import selector_matches

    cls = claim_class(pvc)
    selector = pvc.spec.get("selector")
    out = []
    for pv in store.list("PersistentVolume"):
        if pv.deletion_tick is not None or volume_class(pv) != cls:
            continue
        prebound = bound_to(pv, pvc)
        if pv.spec.get("claimRef") and not prebound:
            continue
        if not prebound and (pv.status.get("phase") != "Available" or (node is None and delay)):
            continue
        if mismatch(pv, pvc) or (selector and not selector_matches(selector, pv.labels)):
            continue
        if node is not None and not reachable(pv, node):
            continue
        out.append(pv)
    return sorted(out, key=lambda pv: (not bound_to(pv, pvc), capacity(pv), pv.name))


# -- admission ------------------------------------------------------------------------------------

def admit_claim(store: Store, pvc: KObject) -> None:
    """DefaultStorageClass (a claim that names no class gets the default one) and
    StorageObjectInUseProtection (the pvc-protection finalizer)."""
    if "storageClassName" not in pvc.spec and BETA_CLASS not in pvc.annotations:
        sc = default_class(store)
        if sc is not None:
            pvc.spec["storageClassName"] = sc.name
    if PVC_PROTECTION not in pvc.finalizers:
        pvc.finalizers.append(PVC_PROTECTION)
    pvc.status = {"phase": "Pending"}


def admit_volume(pv: KObject) -> None:
    if PV_PROTECTION not in pv.finalizers:
        pv.finalizers.append(PV_PROTECTION)
    if not pv.status:
        pv.status = {"phase": "Pending"}


def check_claim_update(store: Store, pvc: KObject, new_spec: dict) -> list[str]:
    """ValidatePersistentVolumeClaimUpdate, then the PersistentVolumeClaimResize admission plugin.

    Only a bound claim's storage request may change, and only up; the real message goes on
    with a diff of the two specs, left out here."""
    bound = pvc.status.get("phase") == "Bound"
    old, new = dict(pvc.spec), dict(new_spec)
    old_req = ((old.get("resources") or {}).get("requests") or {}).get("storage")
    new_req = ((new.get("resources") or {}).get("requests") or {}).get("storage")
    if bound:
        for s in (old, new):
            s["resources"] = {**(s.get("resources") or {}),
                              "requests": {k: v for k, v in ((s.get("resources") or {}).get("requests") or {}).items()
                                           if k != "storage"}}
    old.pop("volumeAttributesClassName", None)
    new.pop("volumeAttributesClassName", None)
    if old != new:
        return ["spec: Forbidden: spec is immutable after creation except resources.requests and "
                "volumeAttributesClassName for bound claims"]
    if bound and new_req is not None and old_req != new_req:
        have = memory_bytes(((pvc.status.get("capacity") or {}).get("storage")) or 0)
        if memory_bytes(new_req) <= have and memory_bytes(new_req) < memory_bytes(old_req or 0):
            return ["spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"]
        if memory_bytes(new_req) > memory_bytes(old_req or 0):
            sc = store.get("StorageClass", "", claim_class(pvc)) if claim_class(pvc) else None
            if sc is None or not sc.extra.get("allowVolumeExpansion"):
                raise ApiError("Forbidden", f'persistentvolumeclaims "{pvc.name}" is forbidden: only dynamically '
                               "provisioned pvc can be resized and the storageclass that provisions the pvc must "
                               "support resize", 403)
    return []


def check_volume_update(pv: KObject, new_spec: dict) -> list[str]:
    """ValidatePersistentVolumeUpdate: the volume's source, mode and node affinity stay as created."""
    causes = []
    if any(pv.spec.get(s) != new_spec.get(s) for s in PV_SOURCES):
        causes.append("spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after "
                      "creation")
    if (pv.spec.get("volumeMode") or "Filesystem") != (new_spec.get("volumeMode") or "Filesystem"):
        causes.append(f'spec.volumeMode: Invalid value: "{new_spec.get("volumeMode")}": field is immutable')
    if pv.spec.get("nodeAffinity") and pv.spec.get("nodeAffinity") != new_spec.get("nodeAffinity"):
        causes.append("spec.nodeAffinity: Invalid value: field is immutable")
    return causes


def check_class_update(old: dict, new: dict) -> list[str]:
    """ValidateStorageClassUpdate."""
    causes = []
    if (old.get("parameters") or {}) != (new.get("parameters") or {}):
        causes.append("parameters: Forbidden: updates to parameters are forbidden.")
    if old.get("provisioner") != new.get("provisioner"):
        causes.append("provisioner: Forbidden: updates to provisioner are forbidden.")
    if old.get("reclaimPolicy") != new.get("reclaimPolicy"):
        causes.append("reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.")
    if old.get("volumeBindingMode") != new.get("volumeBindingMode"):
        causes.append(f'volumeBindingMode: Invalid value: "{new.get("volumeBindingMode")}": field is immutable')
    return causes


# -- validation -------------------------------------------------------------------------------------

def _modes(path: str, modes: Any, causes: list[str], what: str) -> None:
    from kubegame.engine.validation import required, unsupported

    if not modes:
        causes.append(required(path) + (": at least 1 access mode is required" if what == "claim" else ""))
        return
    for m in modes:
        if m not in ACCESS_MODES:
            causes.append(unsupported(path, m, sorted(ACCESS_MODES)))
    if "ReadWriteOncePod" in modes and len(modes) > 1:
        causes.append(f"{path}: Forbidden: may not use ReadWriteOncePod with other access modes")


def validate(kind: str, body: dict, causes: list[str]) -> None:
    """ValidatePersistentVolume, ValidatePersistentVolumeClaim, ValidateStorageClass."""
    from kubegame.engine.validation import invalid_value, required, unsupported

    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    if kind == "PersistentVolume":
        if not (spec.get("capacity") or {}).get("storage"):
            causes.append(required("spec.capacity"))
        _modes("spec.accessModes", spec.get("accessModes"), causes, "volume")
        sources = [s for s in PV_SOURCES if s in spec]
        if not sources:
            causes.append("spec: Required value: must specify a volume type")
        for s in sources[1:]:
            causes.append(f"spec.{s}: Forbidden: may not specify more than 1 volume type")
        policy = spec.get("persistentVolumeReclaimPolicy")
        if policy not in ("Delete", "Recycle", "Retain"):
            causes.append(unsupported("spec.persistentVolumeReclaimPolicy", policy, ["Delete", "Recycle", "Retain"]))
        if "hostPath" in spec and not (spec["hostPath"] or {}).get("path"):
            causes.append(required("spec.hostPath.path"))
        if "local" in spec:
            if not (spec["local"] or {}).get("path"):
                causes.append(required("spec.local.path"))
            if not node_terms_of(spec):
                causes.append("spec.nodeAffinity: Required value: Local volumes require node affinity")
    elif kind == "PersistentVolumeClaim":
        _modes("spec.accessModes", spec.get("accessModes"), causes, "claim")
        storage = (((spec.get("resources") or {}).get("requests")) or {}).get("storage")
        if storage is None:
            causes.append(required("spec.resources[storage]"))
        elif memory_bytes(storage) <= 0:
            causes.append(invalid_value("spec.resources[storage]", str(storage), "must be greater than zero"))
    elif kind == "StorageClass":
        if not body.get("provisioner"):
            causes.append(required("provisioner"))
        if body.get("reclaimPolicy") not in ("Delete", "Retain"):
            causes.append(unsupported("reclaimPolicy", body.get("reclaimPolicy"), ["Delete", "Retain"]))
        if body.get("volumeBindingMode") not in ("Immediate", "WaitForFirstConsumer"):
            causes.append(unsupported("volumeBindingMode", body.get("volumeBindingMode"),
                                      ["Immediate", "WaitForFirstConsumer"]))


def node_terms_of(spec: dict) -> list[dict]:
    return list((((spec.get("nodeAffinity") or {}).get("required")) or {}).get("nodeSelectorTerms") or [])


def apply_defaults(kind: str, body: dict) -> None:
    """pkg/apis/core/v1/defaults.go and pkg/apis/storage/v1/defaults.go."""
    spec = body.get("spec")
    if kind == "PersistentVolume" and isinstance(spec, dict):
        spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
        spec.setdefault("volumeMode", "Filesystem")
    elif kind == "PersistentVolumeClaim" and isinstance(spec, dict):
        spec.setdefault("volumeMode", "Filesystem")
    elif kind == "StorageClass":
        body.setdefault("reclaimPolicy", "Delete")
        body.setdefault("volumeBindingMode", "Immediate")


def default_class_body(name: str = "standard") -> dict:
    """The StorageClass every cluster starts with: the simulated cloud's zonal disks, made when a
    pod first needs one, in that pod's zone."""
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": name, "annotations": {DEFAULT_CLASS: "true"}},
            "provisioner": DRIVER, "reclaimPolicy": "Delete", "volumeBindingMode": "WaitForFirstConsumer",
            "allowVolumeExpansion": True}
