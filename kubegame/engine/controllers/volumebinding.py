"""The scheduler's volume plugins: where a pod's claims let it go (pkg/scheduler/framework/plugins/
volumebinding and volumerestrictions).

PreFilter turns the pod away from every node when a claim is missing, being deleted, unbound
in an Immediate class, or a ReadWriteOncePod claim another pod holds. Filter keeps a pod off
nodes its bound volumes cannot reach (their node affinity: `node(s) had volume node affinity
conflict`) and, for claims that wait for their first consumer, off nodes with neither a
matching volume nor a way to provision one (`node(s) didn't find available persistent volumes
to bind`). A zonal disk's affinity, one zone, becomes the scheduler's fast zone pin; anything
else a list of node selector terms a node must match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubegame.engine import storage
from kubegame.engine.controllers.persistentvolume import claim_names

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster
    from kubegame.engine.objects import Pod

UNBOUND_IMMEDIATE = "pod has unbound immediate PersistentVolumeClaims"
BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind"
NODE_CONFLICT = "node(s) had volume node affinity conflict"
PV_NOT_EXIST = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
RWOP_CONFLICT = "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode"
NOWHERE: list[dict] = [{"matchFields": [{"key": "metadata.name", "operator": "In", "values": []}]}]


class VolumeCheck:
    """What a pod's claims ask of a node: `prefilter` (no node will do, and why), `zone` (the one
    zone its disks are in), `terms` ((reason, node selector terms) a node must match one of) and
    `unbound` (claims to bind once the node is chosen)."""

    __slots__ = ("prefilter", "zone", "terms", "unbound")

    def __init__(self, prefilter: str = "", zone: str = "", terms: tuple = (), unbound: bool = False):
        self.prefilter, self.zone, self.terms, self.unbound = prefilter, zone, terms, unbound


NONE = VolumeCheck()


def _zone_of(terms: list[dict]) -> str:
    """The zone when the terms say exactly `topology.kubernetes.io/zone In [z]`; "" otherwise."""
    if len(terms) == 1 and not terms[0].get("matchFields"):
        exprs = terms[0].get("matchExpressions") or []
        if len(exprs) == 1 and exprs[0].get("key") == storage.ZONE_LABEL and exprs[0].get("operator") == "In" \
                and len(exprs[0].get("values") or []) == 1:
            return str(exprs[0]["values"][0])
    return ""


def check(cluster: Cluster, pod: Pod) -> VolumeCheck:
    if not pod.spec.get("volumes"):
        return NONE
    names = claim_names(pod)
    if not names:
        return NONE
    store = cluster.store
    zone, terms, unbound = "", [], False
    for name in names:
        pvc = store.get("PersistentVolumeClaim", pod.namespace, name)
        if pvc is None:
            return VolumeCheck(f'persistentvolumeclaim "{name}" not found')
        if pvc.deletion_tick is not None:
            return VolumeCheck(f'persistentvolumeclaim "{name}" is being deleted')
        modes = pvc.spec.get("accessModes") or []
        if "ReadWriteOncePod" in modes and any(
                p.key != pod.key and p.node_name and p.phase not in ("Succeeded", "Failed")
                for p in cluster.volumes.users_of(pod.namespace, name)):
            return VolumeCheck(RWOP_CONFLICT)
        if pvc.status.get("phase") == "Bound" and pvc.spec.get("volumeName"):
            pv = store.get("PersistentVolume", "", pvc.spec["volumeName"])
            if pv is None:
                terms.append((PV_NOT_EXIST, NOWHERE))
                continue
            pv_terms = storage.node_terms(pv)
            if pv_terms is None:
                continue
            z = _zone_of(pv_terms)
            if z and (not zone or zone == z):
                zone = z
            else:
                terms.append((NODE_CONFLICT, pv_terms if not z else NOWHERE))
            continue
        cls = storage.claim_class(pvc)
        if not storage.delayed(store, cls):
            return VolumeCheck(UNBOUND_IMMEDIATE)
        unbound = True
        reach = _reachable_terms(cluster, pvc, cls)
        if reach is not None:
            terms.append((BIND_CONFLICT, reach))
    if not zone and not terms and not unbound:
        return NONE
    return VolumeCheck("", zone, tuple(terms), unbound)


def _reachable_terms(cluster: Cluster, pvc, cls: str) -> list[dict] | None:
    """The nodes a delayed claim can bind on: any (None), or those matching one of the terms."""
    sc = cluster.store.get("StorageClass", "", cls)
    prov = str(sc.extra.get("provisioner") or "") if sc is not None else ""
    out: list[dict] = []
    if prov and prov != storage.NO_PROVISIONER:
        topologies = sc.extra.get("allowedTopologies") or []
        if not topologies:
            return None
        for t in topologies:
            out.append({"matchExpressions": [{"key": e.get("key"), "operator": "In", "values": list(e.get("values") or [])}
                                             for e in t.get("matchLabelExpressions") or []]})
    for pv in storage.candidates(cluster.store, pvc, None, False):
        pv_terms = storage.node_terms(pv)
        if pv_terms is None:
            return None
        out.extend(pv_terms)
    return out or NOWHERE
