"""HorizontalPodAutoscaler v2 (pkg/controller/podautoscaler: horizontal.go, replica_calculator.go)."""

from kit_workloads import cluster, deployment, run_until

from kubegame.engine.controllers.hpa import SYNC_PERIOD, resource_replicas, targets_column


def hpa(name: str = "web", target: int = 60, min_r: int = 1, max_r: int = 10, behavior: dict | None = None) -> dict:
    spec = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
            "minReplicas": min_r, "maxReplicas": max_r,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                "type": "Utilization", "averageUtilization": target}}}]}
    if behavior is not None:
        spec["behavior"] = behavior
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
            "spec": spec}


def service(name: str = "web") -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name}, "ports": [{"port": 80, "targetPort": 8080}]}}


def loaded(replicas: int, rps: float, cpu: str = "1"):
    """A Deployment behind a Service with `rps` of demand, its pods Ready for 30 ticks."""
    c = cluster("n1", "n2", "n3")
    c.apply(deployment("web", replicas, cpu=cpu))
    c.apply(service())
    c.traffic.set_demand("web", service=("default", "web"), rps=rps)
    run_until(c, lambda: sum(1 for p in c.pods() if p.ready) == replicas)
    c.run(30)
    return c


def replicas(c) -> int:
    return c.get("Deployment", "default", "web").spec["replicas"]


def test_rule_desired_is_ceil_current_times_utilization_over_target():
    # GetResourceReplicas: 4 pods at 90% against 60% -> ceil(4 * 90/60) = 6
    samples = {f"p{i}": 900 for i in range(4)}
    requests = {f"p{i}": 1000 for i in range(4)}
    assert resource_replicas(4, 60, None, samples, requests, 4, [], []) == (6, 90, 900)


def test_rule_tolerance_0_1_keeps_the_current_count():
    # |1 - 65/60| = 0.083 <= 0.1: no change
    samples = {f"p{i}": 650 for i in range(4)}
    requests = {f"p{i}": 1000 for i in range(4)}
    assert resource_replicas(4, 60, None, samples, requests, 4, [], [])[0] == 4
    samples = {f"p{i}": 700 for i in range(4)}      # 70/60 = 1.167: outside the tolerance
    assert resource_replicas(4, 60, None, samples, requests, 4, [], [])[0] == 5


def test_rule_unready_pods_count_as_zero_on_scale_up():
    # 2 Ready pods at 150% of request against 100%, 4 more not Ready yet (6 replicas).
    # Counting only the Ready pods would ask for ceil(1.5 * 2) = 3; with the unready pods at 0%
    # the ratio is 3000/6000 = 0.5, which flips the direction, so the HPA keeps 6.
    samples = {"a": 1500, "b": 1500}
    requests = {k: 1000 for k in "abcdef"}
    assert resource_replicas(6, 100, None, samples, requests, 2, list("cdef"), [])[0] == 6
    assert resource_replicas(2, 100, None, samples, {"a": 1000, "b": 1000}, 2, [], [])[0] == 3


def test_rule_missing_pods_count_as_full_request_on_scale_down():
    # ratio 0.2 on the sampled pod, the missing one counts as 100% of its request: (200+1000)/2000 -> 60%
    samples = {"a": 200}
    requests = {"a": 1000, "b": 1000}
    n, util, _ = resource_replicas(2, 50, None, samples, requests, 1, [], ["b"])
    assert util == 20 and n == 2      # new ratio 1.2 flips direction -> keep current


def test_hpa_at_90_percent_against_60_from_4_replicas_asks_for_6():
    # 352 rps over 4 pods of capacity 100 -> 88% busy -> 900m of a 1-CPU request = 90%
    c = loaded(4, 352)
    p = next(p for p in c.pods() if p.ready)
    assert c.traffic.pod_usage(p)[0] == 900
    c.apply(hpa(target=60))
    c.tick()
    h = c.get("HorizontalPodAutoscaler", "default", "web")
    assert replicas(c) == 6
    assert h.status["desiredReplicas"] == 6 and h.status["currentReplicas"] == 4
    assert h.status["currentMetrics"][0]["resource"]["current"]["averageUtilization"] == 90
    assert targets_column(h) == "cpu: 90%/60%"
    msgs = [e.message for e in c.events if e.reason == "SuccessfulRescale"]
    assert msgs == ["New size: 6; reason: cpu resource utilization (percentage of request) above target"]


def test_hpa_runs_every_15_ticks():
    c = loaded(2, 100)
    c.apply(hpa(target=60))
    c.tick()
    first = c.get("HorizontalPodAutoscaler", "default", "web").resource_version
    c.run(SYNC_PERIOD - 1)
    assert c.get("HorizontalPodAutoscaler", "default", "web").resource_version == first
    assert c.hpas.wakeups, "the next sync is scheduled"
    assert min(c.hpas.wakeups) == c.now + 1


def test_scale_up_is_limited_to_max_of_twice_current_and_4_without_behavior():
    # normalizeDesiredReplicas: scaleUpLimit = max(2 * 2, 4) = 4 even though 2 pods at 202% want 9
    c = loaded(2, 1000)
    c.apply(hpa(target=50, max_r=20))
    c.tick()
    assert replicas(c) == 4
    h = c.get("HorizontalPodAutoscaler", "default", "web")
    limited = next(x for x in h.status["conditions"] if x["type"] == "ScalingLimited")
    assert limited["status"] == "True" and limited["reason"] == "ScaleUpLimit"


def test_scale_up_policy_pods_1_per_period_with_behavior():
    behavior = {"scaleUp": {"policies": [{"type": "Pods", "value": 1, "periodSeconds": 15}], "selectPolicy": "Max"}}
    c = loaded(2, 1000)
    c.apply(hpa(target=50, max_r=20, behavior=behavior))
    c.tick()
    assert replicas(c) == 3


def test_max_replicas_caps_the_count():
    c = loaded(2, 1000)
    c.apply(hpa(target=50, max_r=3))
    c.tick()
    assert replicas(c) == 3
    for _ in range(10):
        c.run(SYNC_PERIOD)
        assert replicas(c) <= 3


def test_scale_down_waits_for_the_300_tick_stabilization_window():
    c = loaded(4, 352)
    c.apply(hpa(target=60))
    c.tick()
    assert replicas(c) == 6
    scaled_up = c.now
    c.traffic.demands["web"].rps = 0
    run_until(c, lambda: replicas(c) < 6, limit=400)
    # the recommendation of 6 holds for 300 ticks (downscale stabilization)
    assert c.now - scaled_up >= 300
    assert replicas(c) == 1
    assert any(e.message == "New size: 1; reason: All metrics below target" for e in c.events)


def test_missing_cpu_request_makes_the_metric_unknown():
    c = loaded(2, 100, cpu="")
    c.apply(hpa(target=60))
    c.tick()
    h = c.get("HorizontalPodAutoscaler", "default", "web")
    active = next(x for x in h.status["conditions"] if x["type"] == "ScalingActive")
    assert active["status"] == "False" and active["reason"] == "FailedGetResourceMetric"
    assert "missing request for cpu in container main" in active["message"]
    assert targets_column(h) == "cpu: <unknown>/60%"
    assert replicas(c) == 2


def test_target_with_zero_replicas_disables_scaling():
    c = loaded(2, 100)
    c.scale("Deployment", "default", "web", 0)
    c.apply(hpa(target=60, min_r=1))
    c.tick()
    h = c.get("HorizontalPodAutoscaler", "default", "web")
    active = next(x for x in h.status["conditions"] if x["type"] == "ScalingActive")
    assert active["reason"] == "ScalingDisabled"
    assert replicas(c) == 0


def test_below_min_replicas_is_raised_to_min():
    c = loaded(1, 10)
    c.apply(hpa(target=60, min_r=3))
    c.tick()
    assert replicas(c) == 3
    assert any("Current number of replicas below Spec.MinReplicas" in e.message for e in c.events)


def test_a_new_hpa_on_idle_replicas_keeps_them_through_the_stabilization_window():
    """horizontal.go reconcileAutoscaler seeds a new HPA's recommendations with the target's
    current replicas: 6 idle pods under a new HPA (min 2) stay 6 for the 300 s downscale
    stabilization window, then go to 2."""
    c = loaded(6, 0)
    c.apply(hpa(min_r=2))
    c.run(120)
    assert replicas(c) == 6
    h = c.get("HorizontalPodAutoscaler", "default", "web")
    able = next(x for x in h.status["conditions"] if x["type"] == "AbleToScale")
    assert able["reason"] == "ScaleDownStabilized"
    c.run(200)
    assert replicas(c) == 2
