"""HorizontalPodAutoscaler (autoscaling/v2): scale a workload on its pods' CPU or memory.

A reading of pkg/controller/podautoscaler (horizontal.go, replica_calculator.go,
metrics/utilization.go), with the kube-controller-manager defaults:

- Every HPA is processed every 15 ticks (--horizontal-pod-autoscaler-sync-period=15s).
- Resource metrics: utilization = sum(usage) * 100 / sum(requests) over the pods that have
  a sample (integer percent); ratio = utilization / target; desired = ceil(ratio * ready
  pods); within the tolerance 0.1 nothing changes (GetResourceReplicas).
- groupPods: terminating and Failed pods are ignored; Pending pods, and pods still in the
  5-minute CPU initialization period that are not Ready (or turned Ready less than a metric
  window ago), are "unready"; Running pods without a sample are "missing". On a scale-up
  unready pods count as 0%; missing pods count as 0% on a scale-up and as 100% on a
  scale-down; if that flips the direction or lands within the tolerance, nothing changes.
- Without spec.behavior (normalizeDesiredReplicas): scale-down stabilization keeps the
  highest recommendation of the last 300 ticks (--horizontal-pod-autoscaler-downscale-
  stabilization=5m); a scale-up goes at most to max(2 * current, 4); min/max clamp.
- With spec.behavior (normalizeDesiredReplicasWithBehaviors): stabilization windows on both
  sides, and the scaling policies (defaults: up max(100%, 4 pods) per 15 s, down 100% per
  15 s, stabilization 0 up and 300 down, selectPolicy Max).
- A target with 0 replicas disables scaling (ScalingActive False, ScalingDisabled).
Events: SuccessfulRescale `New size: 6; reason: cpu resource utilization (percentage of
request) above target`, `... reason: All metrics below target`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kubegame.engine import checks
from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, Pod, timestamp
from kubegame.engine.quantity import cpu_millis, format_cpu, format_memory, memory_bytes

SYNC_PERIOD = 15
TOLERANCE = 0.1
DOWNSCALE_STABILIZATION = 300
CPU_INITIALIZATION_PERIOD = 300
METRIC_WINDOW = 15
SCALE_UP_LIMIT_FACTOR = 2
SCALE_UP_LIMIT_MINIMUM = 4

DEFAULT_SCALE_UP = {"stabilizationWindowSeconds": 0, "selectPolicy": "Max",
                    "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                                 {"type": "Percent", "value": 100, "periodSeconds": 15}]}
DEFAULT_SCALE_DOWN = {"stabilizationWindowSeconds": DOWNSCALE_STABILIZATION, "selectPolicy": "Max",
                      "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}

SCALABLE = ("Deployment", "StatefulSet", "ReplicaSet")


class MetricError(Exception):
    """The replica count cannot be computed from this metric (condition ScalingActive False)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class MetricResult:
    replicas: int
    status: dict            # one entry of status.currentMetrics
    name: str               # "cpu resource utilization (percentage of request)"

    def copy(self) -> MetricResult:
        res = self.status["resource"]
        return MetricResult(self.replicas, {"type": self.status["type"], "resource": {
            "name": res["name"], "current": dict(res["current"])}}, self.name)


def resource_replicas(current: int, target_util: int | None, target_avg: int | None,
                      samples: dict[str, int], requests: dict[str, int],
                      ready: int, unready: list[str], missing: list[str]) -> tuple[int, int, int]:
    """GetResourceReplicas (or GetRawResourceReplicas when target_avg is set).

    samples: usage of the ready pods; requests: requests of every counted pod.
    Returns (replicas, utilization percent, average value).
    """
    def ratio_of(metrics: dict[str, int]) -> tuple[float, int, int]:
        total = sum(metrics.values())
        avg = total // len(metrics) if metrics else 0
        if target_avg is not None:
            return (total / len(metrics)) / target_avg if metrics and target_avg else 0.0, 0, avg
        req = sum(requests.get(p, 0) for p in metrics)
        if req == 0:
            raise MetricError("FailedGetResourceMetric", "no metrics returned matched known pods")
        util = total * 100 // req
        if not target_util or target_util <= 0:   # validation refuses it; never divide by it
            raise MetricError("FailedGetResourceMetric", "the target utilization must be greater than 0")
        return util / target_util, util, avg

    metrics = dict(samples)
    if not metrics:
        raise MetricError("FailedGetResourceMetric", "did not receive metrics for targeted pods (pods might be unready)")
    usage_ratio, util, avg = ratio_of(metrics)
    scale_up_with_unready = bool(unready) and usage_ratio > 1.0
    if not scale_up_with_unready and not missing:
        if abs(1.0 - usage_ratio) <= TOLERANCE:
            return current, util, avg
        return math.ceil(usage_ratio * ready), util, avg
    for name in missing:
        if usage_ratio < 1.0:
            if target_avg is not None:
                metrics[name] = target_avg
            else:
                metrics[name] = requests.get(name, 0) * max(100, target_util or 0) // 100
        elif usage_ratio > 1.0:
            metrics[name] = 0
    if scale_up_with_unready:
        for name in unready:
            metrics[name] = 0
    new_ratio, _, _ = ratio_of(metrics)
    if abs(1.0 - new_ratio) <= TOLERANCE or (usage_ratio < 1.0 < new_ratio) or (new_ratio < 1.0 < usage_ratio):
        return current, util, avg
    new = math.ceil(new_ratio * len(metrics))
    if (new_ratio < 1.0 and new > current) or (new_ratio > 1.0 and new < current):
        return current, util, avg
    return new, util, avg


def scale_up_limit(current: int, up_events: list[tuple[int, int]], down_events: list[tuple[int, int]],
                   rules: dict, now: int) -> int:
    """calculateScaleUpLimitWithScalingRules."""
    if rules.get("selectPolicy") == "Disabled":
        return current
    pick = min if rules.get("selectPolicy") == "Min" else max
    result: int | None = None
    for p in rules.get("policies") or []:
        period = int(p.get("periodSeconds", 15))
        added = sum(n for t, n in up_events if t > now - period)
        deleted = sum(n for t, n in down_events if t > now - period)
        start = current - added + deleted
        if p.get("type") == "Pods":
            proposed = start + int(p["value"])
        else:
            proposed = math.ceil(start * (1 + int(p["value"]) / 100))
        result = proposed if result is None else pick(result, proposed)
    return current if result is None else result


def scale_down_limit(current: int, up_events: list[tuple[int, int]], down_events: list[tuple[int, int]],
                     rules: dict, now: int) -> int:
    """calculateScaleDownLimitWithBehaviors."""
    if rules.get("selectPolicy") == "Disabled":
        return current
    pick = max if rules.get("selectPolicy") == "Min" else min
    result: int | None = None
    for p in rules.get("policies") or []:
        period = int(p.get("periodSeconds", 15))
        added = sum(n for t, n in up_events if t > now - period)
        deleted = sum(n for t, n in down_events if t > now - period)
        start = current - added + deleted
        if p.get("type") == "Pods":
            proposed = start - int(p["value"])
        else:
            proposed = int(start * (1 - int(p["value"]) / 100))
        result = proposed if result is None else pick(result, proposed)
    return current if result is None else result


def behavior_rules(hpa: KObject) -> tuple[dict, dict] | None:
    """The scale-up and scale-down rules with the API defaults filled in; None without spec.behavior."""
    b = hpa.spec.get("behavior")
    if b is None:
        return None
    up = dict(DEFAULT_SCALE_UP)
    up.update({k: v for k, v in (b.get("scaleUp") or {}).items() if v is not None})
    down = dict(DEFAULT_SCALE_DOWN)
    down.update({k: v for k, v in (b.get("scaleDown") or {}).items() if v is not None})
    return up, down


def targets_column(hpa: KObject) -> str:
    """`kubectl get hpa` TARGETS: `cpu: 72%/60%` per metric (`cpu: <unknown>/60%` before a sample)."""
    current = {((m.get("resource") or {}).get("name")): m for m in hpa.status.get("currentMetrics") or []
               if m.get("type") == "Resource"}
    parts = []
    for m in hpa.spec.get("metrics") or []:
        if m.get("type") != "Resource":
            continue
        res = m.get("resource") or {}
        name = res.get("name", "cpu")
        target = res.get("target") or {}
        cur = ((current.get(name) or {}).get("resource") or {}).get("current") or {}
        if target.get("type", "Utilization") == "Utilization":
            now = f"{cur['averageUtilization']}%" if "averageUtilization" in cur else "<unknown>"
            parts.append(f"{name}: {now}/{target.get('averageUtilization', 80)}%")
        else:
            now = cur.get("averageValue", "<unknown>")
            parts.append(f"{name}: {now}/{target.get('averageValue', target.get('value', ''))}")
    return ", ".join(parts) or "<none>"


class HorizontalPodAutoscalerController(Controller):
    name = "horizontal-pod-autoscaler"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.wakeups: dict[int, dict[tuple[str, str], bool]] = {}
        self.generations: dict[tuple[str, str], int] = {}
        self.recommendations: dict[tuple[str, str], list[tuple[int, int]]] = {}   # (tick, replicas)
        self.up_events: dict[tuple[str, str], list[tuple[int, int]]] = {}
        self.down_events: dict[tuple[str, str], list[tuple[int, int]]] = {}
        # (cluster stamp, until, result, own stamp) per HPA: metric_replicas
        self.kept_metrics: dict[tuple[str, str], tuple[tuple, float, MetricResult, tuple | None]] = {}
        self.store.subscribe("HorizontalPodAutoscaler", self._on_hpa)

    def _on_hpa(self, event: str, hpa: KObject) -> None:
        if event == "DELETED":
            for d in (self.generations, self.recommendations, self.up_events, self.down_events, self.kept_metrics):
                d.pop(hpa.key, None)
            return
        if self.generations.get(hpa.key) != hpa.generation:
            self.generations[hpa.key] = hpa.generation
            self.enqueue(hpa.key)

    def sync(self) -> None:
        now = self.cluster.now
        for key in self.due(self.wakeups, now):
            self.enqueue(key)
        for key in self.take():
            hpa = self.store.get("HorizontalPodAutoscaler", *key)
            if hpa is None:
                continue
            for tick, keys in self.wakeups.items():     # one schedule per HPA
                if tick > now:
                    keys.pop(key, None)
            try:
                self.reconcile(hpa)
                self.wakeups.setdefault(now + SYNC_PERIOD, {})[key] = True
            except ApiError:
                self.wakeups.setdefault(now + 1, {})[key] = True    # no quorum: retry

    # -- the target and its pods ------------------------------------------------------------
    def target(self, hpa: KObject) -> KObject | None:
        ref = hpa.spec.get("scaleTargetRef") or {}
        kind = ref.get("kind", "")
        if kind not in SCALABLE:
            return None
        return self.store.get(kind, hpa.namespace, ref.get("name", ""))

    def pods(self, target: KObject) -> list[Pod]:
        return self.store.pods_selected(target.namespace, target.spec.get("selector") or {})

    # -- metrics ------------------------------------------------------------------------------
    def metric_replicas(self, hpa: KObject, metric: dict, current: int, target: KObject) -> MetricResult:
        """One metric's proposal. A CPU figure is kept while nothing it read changed: in a steady
        cluster every sync period would otherwise walk every pod of every HPA to the same answer.
        Two stamps say so: the cluster's (no pod or node written, no share or Service membership
        changed) and, when that moved, the HPA's own (`_own_stamp`); and no pod may have crossed a
        groupPods time boundary (the end of its CPU initialization period or of a metric window)."""
        res = metric.get("resource") or {}
        if metric.get("type") != "Resource" or res.get("name", "cpu") != "cpu":
            return self._metric(hpa, metric, current, self.pods(target))[0]
        store, now, check = self.store, self.cluster.now, checks.CHECK_CACHES
        inputs = (hpa.generation, target.uid, current, repr(metric) if check else id(metric))
        stamp = (store.pod_writes, store.node_writes, self.cluster.traffic.share_version,
                 self.cluster.endpoints.membership_version, self.cluster.registry.version, inputs)
        kept = self.kept_metrics.get(hpa.key)
        valid = kept is not None and now < kept[1]
        if valid and kept[0] == stamp and not check:          # type: ignore[index]
            return kept[2].copy()                             # type: ignore[index]
        pods = self.pods(target)
        own = self._own_stamp(target, pods, inputs)
        if valid and own is not None and kept[3] == own and not check:   # type: ignore[index]
            self.kept_metrics[hpa.key] = (stamp, *kept[1:])   # type: ignore[index]
            return kept[2].copy()                             # type: ignore[index]
        result, until = self._metric(hpa, metric, current, pods)
        if check and valid and (kept[0] == stamp or (own is not None and kept[3] == own)):  # type: ignore[index]
            checks.expect(kept[2] == result, f"stale HPA metric for {hpa.key}: {kept[2]} != {result}")  # type: ignore[index]
        self.kept_metrics[hpa.key] = (stamp, until, result.copy(), own)
        return result

    def _own_stamp(self, target: KObject, pods: list[Pod], inputs: tuple) -> tuple | None:
        """What this HPA's CPU figure read, and only that: writes to pods with its selector's labels,
        the nodes its pods are on (their versions: a death, a write), the shares of its pods'
        Services and who they are, the images. None when a pod's CPU may also depend on its
        neighbours' (a node that could saturate) or the selector is not a plain label map."""
        sel = target.spec.get("selector") or {}
        pairs = sel.get("matchLabels") or {}
        if not pairs or sel.get("matchExpressions") or not all(isinstance(v, str) for v in pairs.values()):
            return None
        ns, store, traffic = target.namespace, self.store, self.cluster.traffic
        nodes = store.objects.get("Node", {})
        versions, pod_services = store.node_versions, self.cluster.endpoints.pod_services
        labels = tuple(store.label_versions.get((ns, k, v), 0) for k, v in sorted(pairs.items()))
        on: list[int] = []
        serves: list[tuple] = []         # each pod's Services
        services: dict = {}
        for p in pods:
            if p.node_name:
                node = nodes.get(("", p.node_name))
                version = versions.get(p.node_name, 0)
                if node is not None and traffic.could_saturate(node, version):
                    return None
                on.append(version)
            mine = tuple(pod_services.get(p.key, ()))
            serves.append(mine)
            for svc in mine:
                services[svc] = True
        shares = tuple(sorted((svc, traffic.share_versions.get(svc, 0)) for svc in services))
        return labels, tuple(on), tuple(serves), shares, self.cluster.registry.version, inputs

    def _metric(self, hpa: KObject, metric: dict, current: int, pods: list[Pod]) -> tuple[MetricResult, float]:
        """(the proposal, the tick from which the pods' grouping may differ)."""
        if metric.get("type") != "Resource":
            raise MetricError("InvalidMetricSourceType",
                              f"the HPA was unable to compute the replica count: unsupported metric type {metric.get('type')}")
        res = metric.get("resource") or {}
        rname = res.get("name", "cpu")
        target = res.get("target") or {}
        if rname not in ("cpu", "memory"):
            raise MetricError("FailedGetResourceMetric", f"unable to get metrics for resource {rname}")
        now = self.cluster.now
        traffic = self.cluster.traffic
        samples: dict[str, int] = {}
        requests: dict[str, int] = {}
        unready: list[str] = []
        missing: list[str] = []
        ready = 0
        until = math.inf
        util_target = target.get("averageUtilization", 80) if target.get("type", "Utilization") == "Utilization" else None
        avg_target = None
        if util_target is None:
            raw = target.get("averageValue", 0)
            avg_target = cpu_millis(raw) if rname == "cpu" else memory_bytes(raw)
        cpus = traffic.pods_cpu(pods) if rname == "cpu" else None
        for i, p in enumerate(pods):
            if p.deletion_tick is not None or p.phase == "Failed" or p.phase == "Succeeded":
                continue
            req = p.cpu_request if rname == "cpu" else p.mem_request
            if util_target is not None and not req:
                c0 = (p.spec.get("containers") or [{}])[0]
                raise MetricError("FailedGetResourceMetric",
                                  f"the HPA was unable to compute the replica count: failed to get {rname} utilization: "
                                  f"missing request for {rname} in container {c0.get('name', '')} of Pod {p.name}")
            requests[p.name] = req
            if p.phase == "Pending":
                unready.append(p.name)
                continue
            if p.state != "running":
                missing.append(p.name)
                continue
            if rname == "cpu":
                started = p.start_tick if p.start_tick is not None else now
                if started + CPU_INITIALIZATION_PERIOD > now:
                    if p.start_tick is not None:
                        until = min(until, started + CPU_INITIALIZATION_PERIOD)
                    if p.ready_tick is not None and now < p.ready_tick + METRIC_WINDOW:
                        until = min(until, p.ready_tick + METRIC_WINDOW)
                    not_ready = not p.ready or (p.ready_tick is not None and now < p.ready_tick + METRIC_WINDOW)
                else:
                    not_ready = not p.ready and p.ready_tick is None
                if not_ready:
                    unready.append(p.name)
                    continue
            samples[p.name] = cpus[i] if cpus is not None else traffic.pod_usage(p)[1]
            ready += 1
        replicas, util, avg = resource_replicas(current, util_target, avg_target, samples, requests,
                                                ready, unready, missing)
        shown = format_cpu(avg) if rname == "cpu" else format_memory(avg)
        cur: dict[str, Any] = {"averageValue": shown}
        if util_target is not None:
            cur["averageUtilization"] = util
        label = (f"{rname} resource utilization (percentage of request)" if util_target is not None
                 else f"{rname} resource")
        return MetricResult(replicas, {"type": "Resource", "resource": {"name": rname, "current": cur}}, label), until

    # -- the loop -------------------------------------------------------------------------------
    def reconcile(self, hpa: KObject) -> None:
        now = self.cluster.now
        key = hpa.key
        spec = hpa.spec
        min_r = int(spec.get("minReplicas", 1))
        max_r = int(spec.get("maxReplicas", 1))
        conditions: dict[str, dict] = {}
        st: dict[str, Any] = {k: v for k, v in hpa.status.items() if k in ("lastScaleTime",)}
        target = self.target(hpa)
        ref = spec.get("scaleTargetRef") or {}
        if target is None:
            kind = ref.get("kind", "")
            plural = {"Deployment": "deployments.apps", "StatefulSet": "statefulsets.apps",
                      "ReplicaSet": "replicasets.apps"}.get(kind, kind.lower() + "s")
            msg = (f"the HPA controller was unable to get the target's current scale: "
                   f'{plural} "{ref.get("name", "")}" not found')
            conditions["AbleToScale"] = self._cond("AbleToScale", "False", "FailedGetScale", msg)
            self.cluster.record(hpa, "Warning", "FailedGetScale", msg, self.name)
            st.update({"currentReplicas": 0, "desiredReplicas": 0})
            self._write(hpa, st, conditions)
            return
        current = int(target.spec.get("replicas", 1))
        st["currentReplicas"] = current
        desired = current
        reason = ""
        metric_statuses: list[dict] = []
        conditions["AbleToScale"] = self._cond("AbleToScale", "True", "SucceededGetScale",
                                               "the HPA controller was able to get the target's current scale")
        if current == 0 and min_r != 0:
            desired = 0
            conditions["ScalingActive"] = self._cond("ScalingActive", "False", "ScalingDisabled",
                                                     "scaling is disabled since the replica count of the target is zero")
        elif current > max_r:
            desired, reason = max_r, "Current number of replicas above Spec.MaxReplicas"
        elif current < min_r:
            desired, reason = min_r, "Current number of replicas below Spec.MinReplicas"
        else:
            best: MetricResult | None = None
            error: MetricError | None = None
            for m in spec.get("metrics") or []:
                try:
                    r = self.metric_replicas(hpa, m, current, target)
                except MetricError as exc:
                    error = exc
                    continue
                metric_statuses.append(r.status)
                if best is None or r.replicas > best.replicas:
                    best = r
            if best is None:
                err = error or MetricError("FailedGetResourceMetric", "no metrics")
                conditions["ScalingActive"] = self._cond("ScalingActive", "False", err.reason, err.message)
                self.cluster.record(hpa, "Warning", err.reason, err.message, self.name)
                st["desiredReplicas"] = current
                st["currentMetrics"] = metric_statuses or None
                self._write(hpa, st, conditions)
                return
            conditions["ScalingActive"] = self._cond(
                "ScalingActive", "True", "ValidMetricFound",
                f"the HPA was able to successfully calculate a replica count from {best.name}")
            proposed = best.replicas
            rules = behavior_rules(hpa)
            if rules is None:
                desired = self.normalize(key, current, proposed, min_r, max_r, conditions)
            else:
                desired = self.normalize_with_behaviors(key, current, proposed, min_r, max_r, rules, conditions)
            if desired > current:
                reason = f"{best.name} above target"
            elif desired < current:
                reason = "All metrics below target"
        if desired != current:
            self.cluster.scale(target.kind, target.namespace, target.name, desired)
            self.cluster.record(hpa, "Normal", "SuccessfulRescale", f"New size: {desired}; reason: {reason}", self.name)
            if desired > current:
                self.up_events.setdefault(key, []).append((now, desired - current))
            else:
                self.down_events.setdefault(key, []).append((now, current - desired))
            st["lastScaleTime"] = timestamp(now)
        st["desiredReplicas"] = desired
        st["currentMetrics"] = metric_statuses or None
        self._write(hpa, st, conditions)

    def _recommendations(self, key: tuple[str, str], current: int) -> list[tuple[int, int]]:
        """The HPA's recent recommendations; a new HPA starts with its target's current replicas
        (reconcileAutoscaler seeds a.recommendations[key] with currentReplicas), so an HPA put on
        10 idle replicas keeps them through the downscale stabilization window."""
        recs = self.recommendations.get(key)
        if recs is None:
            recs = self.recommendations[key] = [(self.cluster.now, current)]
        return recs

    def normalize(self, key: tuple[str, str], current: int, proposed: int, min_r: int, max_r: int,
                  conditions: dict[str, dict]) -> int:
        """normalizeDesiredReplicas: downscale stabilization, then convertDesiredReplicasWithRules."""
        now = self.cluster.now
        recs = self._recommendations(key, current)
        recs[:] = [(t, r) for t, r in recs if t >= now - DOWNSCALE_STABILIZATION]
        stabilized = max([proposed] + [r for _, r in recs])
        recs.append((now, proposed))
        if stabilized != proposed:
            conditions["AbleToScale"] = self._cond(
                "AbleToScale", "True", "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the highest recent recommendation")
        else:
            conditions["AbleToScale"] = self._cond("AbleToScale", "True", "ReadyForNewScale",
                                                   "recommended size matches current size")
        limit = max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM)
        if max_r > limit:
            maximum, why, msg = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
        else:
            maximum, why, msg = max_r, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
        if stabilized < min_r:
            desired, why, msg = min_r, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
        elif stabilized > maximum:
            desired = maximum
        else:
            desired, why, msg = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        conditions["ScalingLimited"] = self._cond("ScalingLimited", "False" if desired == stabilized else "True", why, msg)
        return desired

    def normalize_with_behaviors(self, key: tuple[str, str], current: int, proposed: int, min_r: int, max_r: int,
                                 rules: tuple[dict, dict], conditions: dict[str, dict]) -> int:
        """normalizeDesiredReplicasWithBehaviors: stabilizeRecommendationWithBehaviors + rate limits."""
        now = self.cluster.now
        up, down = rules
        up_window = int(up.get("stabilizationWindowSeconds") or 0)
        down_window = int(down.get("stabilizationWindowSeconds") or 0)
        recs = self._recommendations(key, current)
        keep = max(up_window, down_window)
        recs[:] = [(t, r) for t, r in recs if t > now - keep]
        up_rec = down_rec = proposed
        for t, r in recs:
            if t > now - up_window:
                up_rec = min(up_rec, r)
            if t > now - down_window:
                down_rec = max(down_rec, r)
        recs.append((now, proposed))
        stabilized = max(current, up_rec)
        stabilized = min(stabilized, down_rec)
        if stabilized != proposed:
            why = "ScaleUpStabilized" if stabilized < proposed else "ScaleDownStabilized"
            msg = ("recent recommendations were lower than current one, applying the lowest recent recommendation"
                   if stabilized < proposed else
                   "recent recommendations were higher than current one, applying the highest recent recommendation")
            conditions["AbleToScale"] = self._cond("AbleToScale", "True", why, msg)
        else:
            conditions["AbleToScale"] = self._cond("AbleToScale", "True", "ReadyForNewScale",
                                                   "recommended size matches current size")
        ups, downs = self.up_events.get(key, []), self.down_events.get(key, [])
        horizon = max([int(p.get("periodSeconds", 15)) for p in (up.get("policies") or []) + (down.get("policies") or [])]
                      + [15])
        ups[:] = [(t, n) for t, n in ups if t > now - horizon]
        downs[:] = [(t, n) for t, n in downs if t > now - horizon]
        desired, why, msg = stabilized, "DesiredWithinRange", "the desired count is within the acceptable range"
        if stabilized > current:
            limit = max(scale_up_limit(current, ups, downs, up, now), current)
            if max_r > limit:
                maximum, w, m = limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"
            else:
                maximum, w, m = max_r, "TooManyReplicas", "the desired replica count is more than the maximum replica count"
            if stabilized > maximum:
                desired, why, msg = maximum, w, m
        elif stabilized < current:
            limit = min(scale_down_limit(current, ups, downs, down, now), current)
            if min_r < limit:
                minimum, w, m = limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"
            else:
                minimum, w, m = min_r, "TooFewReplicas", "the desired replica count is less than the minimum replica count"
            if stabilized < minimum:
                desired, why, msg = minimum, w, m
        conditions["ScalingLimited"] = self._cond("ScalingLimited", "False" if desired == stabilized else "True", why, msg)
        return desired

    # -- status ----------------------------------------------------------------------------------
    def _cond(self, type_: str, status: str, reason: str, message: str) -> dict:
        return {"lastTransitionTime": timestamp(self.cluster.now), "message": message, "reason": reason,
                "status": status, "type": type_}

    def _write(self, hpa: KObject, st: dict, conditions: dict[str, dict]) -> None:
        old = {c.get("type"): c for c in hpa.status.get("conditions") or []}
        conds = []
        for type_ in ("AbleToScale", "ScalingActive", "ScalingLimited"):
            c = conditions.get(type_)
            if c is None:
                continue
            prev = old.get(type_)
            if prev is not None and prev.get("status") == c["status"]:
                c["lastTransitionTime"] = prev.get("lastTransitionTime")
            conds.append(c)
        st = {k: v for k, v in st.items() if v is not None}
        st["conditions"] = conds
        st["observedGeneration"] = hpa.generation
        if st != hpa.status:
            hpa.status = st
            self.cluster.write_status(hpa)
