"""StatefulSet controller: stable names, ordered start and stop, one volume per pod.

A reading of pkg/controller/statefulset (stateful_set_control.go, stateful_set_utils.go):

- Pod i is `<set>-<i>`, with hostname `<set>-<i>`, subdomain `serviceName` and the labels
  statefulset.kubernetes.io/pod-name, apps.kubernetes.io/pod-index, controller-revision-hash.
- Every volumeClaimTemplate gives pod i the claim `<template>-<set>-<i>`, created before the
  pod and kept when the pod or the set goes away (persistentVolumeClaimRetentionPolicy
  Retain). The claim binds in the zone of the pod's first node (see volume.py), so the pod
  can only come back in that zone.
- OrderedReady (the default): pods are created one at a time in ordinal order, each only
  when all its predecessors are Running and Ready; on scale-down the highest ordinal goes
  first, one at a time. A Failed pod is deleted and recreated. Parallel skips the waiting.
- RollingUpdate: from the highest ordinal down to `partition`, one pod at a time, each
  only when the others are Running and Ready.
Events: `create Pod db-0 in StatefulSet db successful`, `create Claim data-db-0 Pod db-0 in
StatefulSet db success`, `delete Pod db-2 in StatefulSet db successful`.
"""

from __future__ import annotations

import copy

from kubegame.engine.controllers.base import Controller
from kubegame.engine.controllers.replicaset import pod_available
from kubegame.engine.errors import ApiError
from kubegame.engine.hashing import template_hash
from kubegame.engine.objects import KObject, Pod

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
REVISION_LABEL = "controller-revision-hash"


def ordinal(sts: KObject, pod: Pod) -> int:
    prefix = sts.name + "-"
    if pod.name.startswith(prefix) and pod.name[len(prefix):].isdigit():
        return int(pod.name[len(prefix):])
    return -1


def running_and_ready(pod: Pod) -> bool:
    return pod.phase == "Running" and pod.ready and pod.deletion_tick is None


def claim_name(template: dict, sts: KObject, i: int) -> str:
    return f"{(template.get('metadata') or {}).get('name', '')}-{sts.name}-{i}"


class StatefulSetController(Controller):
    name = "statefulset-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.store.subscribe("StatefulSet", self._on_sts)
        self.store.subscribe("Pod", self._on_pod, controller_kind="StatefulSet")

    def _on_sts(self, event: str, sts: KObject) -> None:
        if event != "DELETED":
            self.enqueue(sts.key)

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        self.enqueue((pod.namespace, pod.controller_ref()["name"]))   # type: ignore[index]

    def sync(self) -> None:
        for key in self.take():
            sts = self.store.get("StatefulSet", *key)
            if sts is None:
                continue
            try:
                self.reconcile(sts)
            except ApiError:
                self.enqueue(key)          # no quorum: retry next tick

    def revision(self, sts: KObject) -> str:
        return f"{sts.name}-{template_hash(sts.spec.get('template') or {})}"

    def owned(self, sts: KObject) -> dict[int, Pod]:
        out: dict[int, Pod] = {}
        for p in self.store.owned_by(sts.uid):
            if isinstance(p, Pod):
                i = ordinal(sts, p)
                if i >= 0:
                    out[i] = p
        return out

    def reconcile(self, sts: KObject) -> None:
        if sts.deletion_tick is None:
            self._scale(sts)
        self.update_status(sts)

    def _scale(self, sts: KObject) -> None:
        replicas = int(sts.spec.get("replicas", 1))
        monotonic = sts.spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
        rev = self.revision(sts)
        pods = self.owned(sts)
        # replicas: create, replace failed pods, wait for each to be Running and Ready
        for i in range(replicas):
            pod = pods.get(i)
            if pod is None:
                self.create_pod(sts, i, rev)
                if monotonic:
                    return
                continue
            if pod.phase == "Failed" and pod.deletion_tick is None:
                self._delete(sts, pod)
                if monotonic:
                    return
                continue
            if monotonic and not running_and_ready(pod):
                return                 # wait: OrderedReady starts the next pod only after this one
        # condemned: the highest ordinal first
        for i in sorted((i for i in pods if i >= replicas), reverse=True):
            pod = pods[i]
            if pod.deletion_tick is not None:
                if monotonic:
                    return
                continue
            self._delete(sts, pod)
            if monotonic:
                return
        # rolling update, from the highest ordinal down to the partition
        us = sts.spec.get("updateStrategy") or {}
        if us.get("type", "RollingUpdate") != "RollingUpdate":
            return
        partition = int((us.get("rollingUpdate") or {}).get("partition", 0) or 0)
        for i in range(replicas - 1, partition - 1, -1):
            pod = pods.get(i)
            if pod is None or pod.deletion_tick is not None:
                return
            if pod.labels.get(REVISION_LABEL) != rev:
                self._delete(sts, pod)
                return
            if not running_and_ready(pod):
                return

    def create_pod(self, sts: KObject, i: int, rev: str) -> Pod:
        tpl = sts.spec.get("template") or {}
        md = tpl.get("metadata") or {}
        name = f"{sts.name}-{i}"
        spec = copy.deepcopy(tpl.get("spec") or {})
        spec["hostname"] = name
        if sts.spec.get("serviceName"):
            spec["subdomain"] = sts.spec["serviceName"]
        claims = sts.spec.get("volumeClaimTemplates") or []
        if claims:
            vols = [v for v in spec.get("volumes") or []
                    if v.get("name") not in [(c.get("metadata") or {}).get("name") for c in claims]]
            for c in claims:
                cname = claim_name(c, sts, i)
                self.ensure_claim(sts, c, cname, name)
                vols.append({"name": (c.get("metadata") or {}).get("name", ""),
                             "persistentVolumeClaim": {"claimName": cname}})
            spec["volumes"] = vols
        labels = copy.deepcopy(md.get("labels") or {})
        labels[REVISION_LABEL] = rev
        labels[POD_NAME_LABEL] = name
        labels[POD_INDEX_LABEL] = str(i)
        try:
            pod = self.cluster.create_pod_from_template(sts, tpl, name=name, labels=labels, spec=spec)
        except ApiError as exc:
            if exc.reason == "Forbidden":       # stateful_set_control.go's failure event
                self.cluster.record(sts, "Warning", "FailedCreate",
                                    f"create Pod {name} in StatefulSet {sts.name} failed error: {exc.message}",
                                    self.name)
            raise
        self.cluster.record(sts, "Normal", "SuccessfulCreate",
                            f"create Pod {name} in StatefulSet {sts.name} successful", self.name)
        return pod  # type: ignore[return-value]

    def ensure_claim(self, sts: KObject, template: dict, cname: str, pod_name: str) -> None:
        if self.store.get("PersistentVolumeClaim", sts.namespace, cname) is not None:
            return
        md = template.get("metadata") or {}
        labels = dict(md.get("labels") or {})
        labels.update(((sts.spec.get("selector") or {}).get("matchLabels")) or {})
        spec = copy.deepcopy(template.get("spec") or {})
        spec.setdefault("accessModes", ["ReadWriteOnce"])
        body = {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": cname, "namespace": sts.namespace, "labels": labels},
                "spec": spec}
        self.cluster.create(body)
        self.cluster.record(sts, "Normal", "SuccessfulCreate",
                            f"create Claim {cname} Pod {pod_name} in StatefulSet {sts.name} success", self.name)

    def _delete(self, sts: KObject, pod: Pod) -> None:
        self.cluster.delete_pod(pod)
        self.cluster.record(sts, "Normal", "SuccessfulDelete",
                            f"delete Pod {pod.name} in StatefulSet {sts.name} successful", self.name)

    def update_status(self, sts: KObject) -> None:
        now = self.cluster.now
        rev = self.revision(sts)
        min_ready = int(sts.spec.get("minReadySeconds", 0) or 0)
        pods = [p for p in self.owned(sts).values() if p.deletion_tick is None and p.phase != "Failed"]
        updated = sum(1 for p in pods if p.labels.get(REVISION_LABEL) == rev)
        current_rev = sts.status.get("currentRevision") or rev
        if updated == len(pods) and len(pods) == int(sts.spec.get("replicas", 1)):
            current_rev = rev
        status = {"availableReplicas": sum(1 for p in pods if pod_available(p, min_ready, now)),
                  "collisionCount": 0,
                  "currentReplicas": sum(1 for p in pods if p.labels.get(REVISION_LABEL) == current_rev),
                  "currentRevision": current_rev,
                  "observedGeneration": sts.generation,
                  "readyReplicas": sum(1 for p in pods if p.ready),
                  "replicas": len(pods),
                  "updateRevision": rev,
                  "updatedReplicas": updated}
        status = {k: v for k, v in status.items() if v or k in ("replicas", "availableReplicas", "collisionCount")}
        if status != sts.status:
            sts.status = status
            self.store.modified(sts, status_only=True)
