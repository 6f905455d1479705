"""Deployment controller: rolling updates and recreates through ReplicaSets, revisions, conditions.

A close reading of pkg/controller/deployment (rolling.go, recreate.go, sync.go,
progress.go) and deployment/util: maxSurge rounds up, maxUnavailable rounds down,
both 0 means 1 unavailable; old ReplicaSets are scaled down only as far as keeps
`replicas - maxUnavailable` pods available.
"""

from __future__ import annotations

import copy
import math

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.hashing import template_hash
from kubegame.engine.objects import KObject, Pod, plain_copy, timestamp

REVISION = "deployment.kubernetes.io/revision"
DESIRED = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
HASH_LABEL = "pod-template-hash"


def int_or_percent(value: object, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if isinstance(value, str) and value.endswith("%"):
        pct = int(value[:-1])
        scaled = total * pct / 100
        return math.ceil(scaled) if round_up else math.floor(scaled)
    return int(value)  # type: ignore[arg-type]


def resolve_fenceposts(max_surge: object, max_unavailable: object, replicas: int) -> tuple[int, int]:
    """(surge, unavailable) for a desired replica count (deploymentutil.ResolveFenceposts)."""
    surge = int_or_percent(max_surge if max_surge is not None else "25%", replicas, True)
    unavailable = int_or_percent(max_unavailable if max_unavailable is not None else "25%", replicas, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def revision(obj: KObject) -> int:
    try:
        return int(obj.annotations.get(REVISION, "0"))
    except ValueError:
        return 0


def template_without_hash(tpl: dict) -> dict:
    t = copy.deepcopy(tpl)
    labels = (t.get("metadata") or {}).get("labels")
    if labels:
        labels.pop(HASH_LABEL, None)
    return t


def same_template(rs_template: dict, template: dict) -> bool:
    """`template_without_hash(rs_template) == template` (EqualIgnoreHash) without copying either:
    the controller asks it of every ReplicaSet on every reconcile."""
    meta = rs_template.get("metadata")
    labels = meta.get("labels") if isinstance(meta, dict) else None
    if not labels or HASH_LABEL not in labels:
        return rs_template == template
    other = template.get("metadata")
    if not isinstance(other, dict) or rs_template.keys() != template.keys() or meta.keys() != other.keys():
        return False
    if {k: v for k, v in labels.items() if k != HASH_LABEL} != other.get("labels"):
        return False
    return all(meta[k] == other[k] for k in meta if k != "labels") and \
        all(rs_template[k] == template[k] for k in rs_template if k != "metadata")


class DeploymentController(Controller):
    name = "deployment-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.wakeups: dict[int, dict[tuple[str, str], bool]] = {}
        self.progress_ticks: dict[tuple[str, str], int] = {}   # last progress per Deployment
        # the one tick each Deployment's progress deadline can pass: a wake-up for an older
        # deadline, or for a Deployment that completed since, is dropped without a reconcile
        self.deadline_at: dict[tuple[str, str], int] = {}
        self.store.subscribe("Deployment", self._on_deployment)
        self.store.subscribe("ReplicaSet", self._on_rs)
        self.store.subscribe("Pod", self._on_pod, controller_kind="ReplicaSet")

    # -- watches ----------------------------------------------------------------------------
    def _on_deployment(self, event: str, d: KObject) -> None:
        if event != "DELETED":
            self.enqueue(d.key)

    def _on_rs(self, event: str, rs: KObject) -> None:
        ref = rs.controller_ref()
        if ref and ref.get("kind") == "Deployment":
            self.enqueue((rs.namespace, ref["name"]))

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event != "DELETED":
            return
        rs = self.store.get("ReplicaSet", pod.namespace, pod.controller_ref()["name"])  # type: ignore[index]
        if rs is not None:
            self._on_rs(event, rs)

    def wake(self, tick: int, key: tuple[str, str]) -> None:
        """Check the Deployment's progress at `tick` (its deadline from now on)."""
        self.deadline_at[key] = tick
        self.wakeups.setdefault(tick, {})[key] = True

    # -- loop -------------------------------------------------------------------------------
    def sync(self) -> None:
        now = self.cluster.now
        for key in self.due(self.wakeups, now):
            if self.deadline_at.get(key, now + 1) <= now:
                del self.deadline_at[key]
                self.enqueue(key)
        for key in self.take():
            d = self.store.get("Deployment", *key)
            if d is None or d.deletion_tick is not None:
                continue
            try:
                self.reconcile(d)
            except ApiError:
                self.enqueue(key)          # no quorum: try again next tick

    def replica_sets(self, d: KObject) -> list[KObject]:
        rss = [o for o in self.store.owned_by(d.uid) if o.kind == "ReplicaSet"]
        return sorted(rss, key=lambda r: (r.creation_tick, r.name))

    def find_new(self, d: KObject, rss: list[KObject]) -> KObject | None:
        want = d.spec.get("template") or {}
        for rs in rss:
            if same_template(rs.spec.get("template") or {}, want):
                return rs
        return None

    def reconcile(self, d: KObject) -> None:
        """syncDeployment: a paused Deployment or a scaling event only scales; otherwise roll out."""
        rss = self.replica_sets(d)
        before = copy.deepcopy(d.status)
        if d.spec.get("paused") or self.is_scaling_event(d, rss):
            new_rs = self.find_new(d, rss)
            self.scale(d, new_rs, [r for r in rss if r is not new_rs])
            self.update_status(d, new_rs, self.replica_sets(d), before)
            return
        if (d.spec.get("strategy") or {}).get("type") == "Recreate":
            self.rollout_recreate(d, rss, before)
        else:
            self.rollout_rolling(d, rss, before)

    def is_scaling_event(self, d: KObject, rss: list[KObject]) -> bool:
        """The replica count changed since the active ReplicaSets were last sized (desired-replicas)."""
        want = str(d.spec.get("replicas", 1))
        return any(r.annotations.get(DESIRED) not in (None, want) for r in rss if int(r.spec.get("replicas", 0)) > 0)

    def scale(self, d: KObject, new_rs: KObject | None, olds: list[KObject]) -> None:
        """sync.go scale(): one active ReplicaSet takes the new size; otherwise sizes change in
        proportion to each ReplicaSet's share (GetProportion), the leftover to the largest."""
        want = int(d.spec.get("replicas", 1))
        active = [r for r in ([new_rs] if new_rs is not None else []) + olds if int(r.spec.get("replicas", 0)) > 0]
        if len(active) <= 1:
            target = active[0] if active else (new_rs if new_rs is not None else (olds[-1] if olds else None))
            if target is not None:
                self.scale_rs(d, target, want)
            return
        if new_rs is not None and int(new_rs.spec.get("replicas", 0)) == want \
                and int(new_rs.status.get("availableReplicas", 0)) == want:
            for rs in olds:                      # IsSaturated: the old ones go
                if int(rs.spec.get("replicas", 0)) > 0:
                    self.scale_rs(d, rs, 0)
            return
        if (d.spec.get("strategy") or {}).get("type") == "Recreate":
            return
        surge, _ = self.fenceposts(d)
        allowed = want + surge if want > 0 else 0
        current = sum(int(r.spec.get("replicas", 0)) for r in active)
        to_add = allowed - current
        # ReplicaSetsBySizeNewer when growing, BySizeOlder when shrinking: the largest first
        newer_first = to_add > 0
        active.sort(key=lambda r: (-int(r.spec.get("replicas", 0)),
                                   (-r.creation_tick if newer_first else r.creation_tick), r.name))
        sizes: dict[str, int] = {}
        added = 0
        for rs in active:
            n = int(rs.spec.get("replicas", 0))
            prop = 0
            if to_add != 0 and n > 0 and to_add != added:
                annotated = int(rs.annotations.get(MAX_REPLICAS, 0) or 0) or int(d.status.get("replicas", 0) or 1)
                fraction = (-n if want == 0 else int(math.floor(n * (want + surge) / annotated + 0.5)) - n)
                prop = min(fraction, to_add - added) if to_add > 0 else max(fraction, to_add - added)
            sizes[rs.name] = n + prop
            added += prop
        if active and to_add != 0:
            sizes[active[0].name] = max(0, sizes[active[0].name] + to_add - added)
        for rs in active:
            self.scale_rs(d, rs, sizes[rs.name])

    # -- RollingUpdate ----------------------------------------------------------------------
    def rollout_rolling(self, d: KObject, rss: list[KObject], before: dict) -> None:
        new_rs = self.get_new_rs(d, rss, create=True)
        assert new_rs is not None
        rss = self.replica_sets(d)
        olds = [r for r in rss if r is not new_rs]
        if self.reconcile_new(d, rss, new_rs):
            self.update_status(d, new_rs, rss, before)
            return
        if self.reconcile_old(d, rss, olds, new_rs):
            self.update_status(d, new_rs, rss, before)
            return
        if self.complete(d, new_rs, rss):
            self.cleanup(d, olds)
        self.update_status(d, new_rs, self.replica_sets(d), before)

    def fenceposts(self, d: KObject) -> tuple[int, int]:
        replicas = int(d.spec.get("replicas", 1))
        ru = (d.spec.get("strategy") or {}).get("rollingUpdate") or {}
        surge, unavailable = resolve_fenceposts(ru.get("maxSurge"), ru.get("maxUnavailable"), replicas)
        return surge, min(unavailable, replicas)

    def reconcile_new(self, d: KObject, rss: list[KObject], new_rs: KObject) -> bool:
        replicas = int(d.spec.get("replicas", 1))
        cur = int(new_rs.spec.get("replicas", 0))
        if cur == replicas:
            return False
        if cur > replicas:
            return self.scale_rs(d, new_rs, replicas)
        surge, _ = self.fenceposts(d)
        current_pods = sum(int(r.spec.get("replicas", 0)) for r in rss)
        max_total = replicas + surge
        if current_pods >= max_total:
            return False
        scale_up = min(max_total - current_pods, replicas - cur)
        return self.scale_rs(d, new_rs, cur + scale_up)

    def reconcile_old(self, d: KObject, rss: list[KObject], olds: list[KObject], new_rs: KObject) -> bool:
        old_pods = sum(int(r.spec.get("replicas", 0)) for r in olds)
        if old_pods == 0:
            return False
        all_pods = sum(int(r.spec.get("replicas", 0)) for r in rss)
        replicas = int(d.spec.get("replicas", 1))
        _, max_unavailable = self.fenceposts(d)
        min_available = replicas - max_unavailable
        new_unavailable = int(new_rs.spec.get("replicas", 0)) - int(new_rs.status.get("availableReplicas", 0))
        max_scaled_down = all_pods - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        # cleanupUnhealthyReplicas: old pods that are not available go first
        cleaned = 0
        for rs in olds:
            if cleaned >= max_scaled_down:
                break
            n = int(rs.spec.get("replicas", 0))
            avail = int(rs.status.get("availableReplicas", 0))
            if n == 0 or n == avail:
                continue
            down = min(max_scaled_down - cleaned, n - avail)
            self.scale_rs(d, rs, n - down)
            cleaned += down
        # scaleDownOldReplicaSetsForRollingUpdate
        available = sum(int(r.status.get("availableReplicas", 0)) for r in rss)
        scaled = 0
        if available > min_available:
            total = available - min_available
            for rs in olds:
                if scaled >= total:
                    break
                n = int(rs.spec.get("replicas", 0))
                if n == 0:
                    continue
                down = min(n, total - scaled)
                self.scale_rs(d, rs, n - down)
                scaled += down
        return cleaned + scaled > 0

    # -- Recreate ---------------------------------------------------------------------------
    def rollout_recreate(self, d: KObject, rss: list[KObject], before: dict) -> None:
        new_rs = self.get_new_rs(d, rss, create=False)
        olds = [r for r in rss if r is not new_rs]
        scaled = False
        for rs in olds:
            if int(rs.spec.get("replicas", 0)) != 0:
                scaled = self.scale_rs(d, rs, 0) or scaled
        if scaled:
            self.update_status(d, new_rs, rss, before)
            return
        for rs in olds:
            for p in self.store.owned_by(rs.uid):
                if isinstance(p, Pod) and p.phase not in ("Succeeded", "Failed"):
                    self.update_status(d, new_rs, rss, before)
                    return          # wait until every old pod is gone
        if new_rs is None:
            new_rs = self.get_new_rs(d, rss, create=True, initial=0)
            rss = self.replica_sets(d)
        assert new_rs is not None
        want = int(d.spec.get("replicas", 1))
        if int(new_rs.spec.get("replicas", 0)) != want:
            self.scale_rs(d, new_rs, want)
        if self.complete(d, new_rs, rss):
            self.cleanup(d, olds)
        self.update_status(d, new_rs, self.replica_sets(d), before)

    # -- ReplicaSets ------------------------------------------------------------------------
    def get_new_rs(self, d: KObject, rss: list[KObject], create: bool, initial: int | None = None) -> KObject | None:
        max_rev = max((revision(r) for r in rss), default=0)
        existing = self.find_new(d, rss)
        olds_max = max((revision(r) for r in rss if r is not existing), default=0)
        if existing is not None:
            want_rev = olds_max + 1
            changed = False
            if revision(existing) < want_rev:
                history = existing.annotations.get("deployment.kubernetes.io/revision-history")
                old_rev = existing.annotations.get(REVISION)
                if old_rev and revision(existing) > 0:
                    existing.annotations["deployment.kubernetes.io/revision-history"] = (
                        f"{history},{old_rev}" if history else old_rev)
                existing.annotations[REVISION] = str(want_rev)
                changed = True
            if existing.spec.get("minReadySeconds", 0) != d.spec.get("minReadySeconds", 0):
                existing.spec["minReadySeconds"] = d.spec.get("minReadySeconds", 0)
                changed = True
            if changed:
                self.store.modified(existing)
            if d.annotations.get(REVISION) != existing.annotations[REVISION]:
                d.annotations[REVISION] = existing.annotations[REVISION]
                self.store.modified(d, status_only=True)
            return existing
        if not create:
            return None
        collisions = int(d.status.get("collisionCount", 0) or 0)
        while True:
            h = template_hash(d.spec.get("template") or {}, collisions)
            name = f"{d.name}-{h}"
            clash = self.store.get("ReplicaSet", d.namespace, name)
            if clash is None:
                break
            collisions += 1
            d.status["collisionCount"] = collisions
        tpl = plain_copy(d.spec.get("template") or {})
        tpl.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = h
        selector = plain_copy(d.spec.get("selector") or {})
        selector.setdefault("matchLabels", {})[HASH_LABEL] = h
        if initial is None:
            replicas = int(d.spec.get("replicas", 1))
            surge, _ = self.fenceposts(d)
            current = sum(int(r.spec.get("replicas", 0)) for r in rss)
            initial = max(0, min(replicas + surge - current, replicas))
        surge, _ = self.fenceposts(d)
        body = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": name, "namespace": d.namespace,
                         "labels": dict(tpl["metadata"]["labels"]),
                         "annotations": {DESIRED: str(d.spec.get("replicas", 1)),
                                         MAX_REPLICAS: str(int(d.spec.get("replicas", 1)) + surge),
                                         REVISION: str(max_rev + 1)}},
            "spec": {"replicas": initial, "selector": selector, "template": tpl,
                     **({"minReadySeconds": d.spec["minReadySeconds"]} if d.spec.get("minReadySeconds") else {})},
        }
        rs = self.cluster.create(body, owner=d)
        d.annotations[REVISION] = str(max_rev + 1)
        self.store.modified(d, status_only=True)
        self._set_condition(d, "Progressing", "True", "NewReplicaSetCreated", f'Created new replica set "{name}"')
        # the condition's lastUpdateTime is now, and DeploymentTimedOut measures from it
        # (pkg/controller/deployment/util/deployment_util.go): the deadline starts afresh
        self.progress_ticks[d.key] = self.cluster.now
        if d.spec.get("progressDeadlineSeconds") is not None:
            self.wake(self.cluster.now + int(d.spec["progressDeadlineSeconds"]) + 1, d.key)
        if initial > 0:
            self.cluster.record(d, "Normal", "ScalingReplicaSet",
                                f"Scaled up replica set {name} from 0 to {initial}", self.name)
        return rs

    def scale_rs(self, d: KObject, rs: KObject, n: int) -> bool:
        cur = int(rs.spec.get("replicas", 0))
        replicas = int(d.spec.get("replicas", 1))
        surge, _ = self.fenceposts(d) if (d.spec.get("strategy") or {}).get("type") != "Recreate" else (0, 0)
        annotations_changed = (rs.annotations.get(DESIRED) != str(replicas)
                               or rs.annotations.get(MAX_REPLICAS) != str(replicas + surge))
        if cur == n and not annotations_changed:
            return False
        rs.spec["replicas"] = n
        rs.annotations[DESIRED] = str(replicas)
        rs.annotations[MAX_REPLICAS] = str(replicas + surge)
        if cur != n:
            rs.generation += 1
        self.store.modified(rs)
        if cur != n:
            verb = "up" if n > cur else "down"
            self.cluster.record(d, "Normal", "ScalingReplicaSet",
                                f"Scaled {verb} replica set {rs.name} from {cur} to {n}", self.name)
        return cur != n

    def cleanup(self, d: KObject, olds: list[KObject]) -> None:
        """Delete the oldest unused ReplicaSets beyond revisionHistoryLimit."""
        limit = int(d.spec.get("revisionHistoryLimit", 10))
        idle = [r for r in olds if int(r.spec.get("replicas", 0)) == 0
                and int(r.status.get("replicas", 0)) == 0 and r.deletion_tick is None]
        idle.sort(key=lambda r: (revision(r), r.creation_tick))
        for rs in idle[:max(0, len(idle) - limit)]:
            self.cluster.delete("ReplicaSet", rs.namespace, rs.name)

    # -- status -----------------------------------------------------------------------------
    def complete(self, d: KObject, new_rs: KObject | None, rss: list[KObject]) -> bool:
        replicas = int(d.spec.get("replicas", 1))
        if new_rs is None:
            return False
        updated = int(new_rs.status.get("replicas", 0))
        total = sum(int(r.status.get("replicas", 0)) for r in rss)
        available = sum(int(r.status.get("availableReplicas", 0)) for r in rss)
        return updated == replicas and total == replicas and available == replicas

    def _set_condition(self, d: KObject, type_: str, status: str, reason: str, message: str,
                       touch: bool = True) -> None:
        conds: list[dict] = d.status.setdefault("conditions", [])
        now = timestamp(self.cluster.now)
        for c in conds:
            if c["type"] == type_:
                if c["status"] != status:
                    c["lastTransitionTime"] = now
                if c["status"] != status or c["reason"] != reason or touch:
                    c["lastUpdateTime"] = now
                c.update(status=status, reason=reason, message=message)
                return
        conds.append({"lastTransitionTime": now, "lastUpdateTime": now, "message": message,
                      "reason": reason, "status": status, "type": type_})

    def condition(self, d: KObject, type_: str) -> dict | None:
        for c in d.status.get("conditions") or []:
            if c["type"] == type_:
                return c
        return None

    def update_status(self, d: KObject, new_rs: KObject | None, rss: list[KObject], before: dict) -> None:
        replicas = int(d.spec.get("replicas", 1))
        st = d.status
        total_spec = sum(int(r.spec.get("replicas", 0)) for r in rss)
        available = sum(int(r.status.get("availableReplicas", 0)) for r in rss)
        st["observedGeneration"] = d.generation
        st["replicas"] = sum(int(r.status.get("replicas", 0)) for r in rss)
        st["updatedReplicas"] = int(new_rs.status.get("replicas", 0)) if new_rs is not None else 0
        st["readyReplicas"] = sum(int(r.status.get("readyReplicas", 0)) for r in rss)
        st["availableReplicas"] = available
        st["unavailableReplicas"] = max(0, total_spec - available) if total_spec else 0
        for k in ("updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"):
            if not st[k]:
                del st[k]
        _, max_unavailable = self.fenceposts(d) if (d.spec.get("strategy") or {}).get("type") != "Recreate" else (0, 0)
        if available >= replicas - max_unavailable:
            self._set_condition(d, "Available", "True", "MinimumReplicasAvailable",
                                "Deployment has minimum availability.", touch=False)
        else:
            self._set_condition(d, "Available", "False", "MinimumReplicasUnavailable",
                                "Deployment does not have minimum availability.", touch=False)
        self._progress(d, new_rs, rss, before)
        # keep Available first, Progressing second, as the API server returns them
        st["conditions"] = sorted(st.get("conditions", []), key=lambda c: c["type"] != "Available")
        if st != before:
            self.store.modified(d, status_only=True)

    def _progress(self, d: KObject, new_rs: KObject | None, rss: list[KObject], before: dict) -> None:
        """Progressing: NewReplicaSetAvailable, ReplicaSetUpdated, ProgressDeadlineExceeded, paused."""
        now = self.cluster.now
        prog = self.condition(d, "Progressing")
        if d.spec.get("paused"):
            if not prog or prog["reason"] != "DeploymentPaused":
                self._set_condition(d, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused")
            return
        if prog and prog["reason"] == "DeploymentPaused":
            self._set_condition(d, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed")
            prog = self.condition(d, "Progressing")
        rs_name = new_rs.name if new_rs is not None else ""
        if self.complete(d, new_rs, rss):
            self.deadline_at.pop(d.key, None)
            if not prog or prog["reason"] != "NewReplicaSetAvailable":
                self._set_condition(d, "Progressing", "True", "NewReplicaSetAvailable",
                                    f'ReplicaSet "{rs_name}" has successfully progressed.')
            return
        b = before or {}
        st = d.status
        progressed = (st.get("updatedReplicas", 0) > b.get("updatedReplicas", 0)
                      or st.get("replicas", 0) < b.get("replicas", 0)
                      or st.get("readyReplicas", 0) > b.get("readyReplicas", 0)
                      or st.get("availableReplicas", 0) > b.get("availableReplicas", 0))
        deadline = d.spec.get("progressDeadlineSeconds")
        if prog and prog["reason"] == "ProgressDeadlineExceeded" and not progressed:
            return
        if progressed or prog is None or prog["reason"] in ("NewReplicaSetAvailable", "DeploymentResumed",
                                                              "ProgressDeadlineExceeded"):
            if progressed or prog is None or prog["reason"] != "NewReplicaSetCreated":
                self._set_condition(d, "Progressing", "True", "ReplicaSetUpdated",
                                    f'ReplicaSet "{rs_name}" is progressing.')
            self.progress_ticks[d.key] = now
            if deadline is not None:
                self.wake(now + int(deadline) + 1, d.key)
            return
        since = self.progress_ticks.get(d.key, now)
        if deadline is not None and now - since > int(deadline):
            self._set_condition(d, "Progressing", "False", "ProgressDeadlineExceeded",
                                f'ReplicaSet "{rs_name}" has timed out progressing.')
