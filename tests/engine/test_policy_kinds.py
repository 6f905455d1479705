"""ServiceAccounts, ResourceQuota, LimitRange and CronJob as the API server and controllers make them act.

Sources: plugin/pkg/admission/serviceaccount/admission.go, pkg/controller/serviceaccount,
plugin/pkg/admission/resourcequota/controller.go (the exceeded/must-specify messages),
pkg/quota/v1/evaluator/core/pods.go, plugin/pkg/admission/limitranger/admission.go,
pkg/apis/core/v1/defaults.go (SetDefaults_LimitRangeItem), pkg/controller/cronjob/cronjob_controllerv2.go
and utils.go, pkg/apis/batch/validation (ValidateCronJob), robfig/cron ParseStandard.
"""

from __future__ import annotations

import pytest

from kubegame import kubectl
from kubegame.engine import ApiError, Cluster, NodeSpec, cron


def cluster() -> Cluster:
    c = Cluster(seed=5)
    c.add_node(NodeSpec("node-1", cpu="4", memory="8Gi"))
    c.add_node(NodeSpec("node-2", cpu="4", memory="8Gi"))
    return c


def k(c: Cluster, line: str, **kw) -> kubectl.Result:
    return kubectl.run(c, "kubectl " + line, **kw)


def pod(name: str, cpu: str | None = "250m", sa: str | None = None, limits: dict | None = None) -> dict:
    res: dict = {}
    if cpu:
        res["requests"] = {"cpu": cpu, "memory": "64Mi"}
    if limits:
        res["limits"] = limits
    spec: dict = {"containers": [{"name": "app", "image": "nginx:1.27", "resources": res}]}
    if sa:
        spec["serviceAccountName"] = sa
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


# -- ServiceAccount ------------------------------------------------------------------------------

def test_every_namespace_has_a_default_service_account_and_the_root_ca():
    c = cluster()
    k(c, "create namespace shop")
    assert c.get("ServiceAccount", "shop", "default") is not None
    cm = c.get("ConfigMap", "shop", "kube-root-ca.crt")
    assert cm is not None and cm.extra["data"]["ca.crt"].startswith("-----BEGIN CERTIFICATE-----")
    assert k(c, "get sa -n shop").output == "NAME      SECRETS   AGE\ndefault   0         0s\n"
    k(c, "delete sa default -n shop")
    assert c.get("ServiceAccount", "shop", "default") is None
    c.run(1)
    assert c.get("ServiceAccount", "shop", "default") is not None      # the controller makes it again


def test_a_pod_naming_a_missing_service_account_is_refused():
    c = cluster()
    with pytest.raises(ApiError) as e:
        c.create(pod("p", sa="api"))
    assert e.value.message == ('pods "p" is forbidden: error looking up service account default/api: '
                               'serviceaccount "api" not found')
    k(c, "create sa api")
    assert c.create(pod("p", sa="api")).spec["serviceAccountName"] == "api"


# -- ResourceQuota ---------------------------------------------------------------------------------

def quota(c: Cluster, hard: str, name: str = "compute") -> None:
    assert k(c, f"create quota {name} --hard={hard}").exit_code == 0


def test_a_quota_counts_pods_and_refuses_what_goes_over():
    c = cluster()
    quota(c, "requests.cpu=600m,pods=5")
    c.create(pod("a", cpu="250m"))
    c.create(pod("b", cpu="250m"))
    c.run(1)
    assert c.get("ResourceQuota", "default", "compute").status["used"] == {"pods": "2", "requests.cpu": "500m"}
    with pytest.raises(ApiError) as e:
        c.create(pod("c", cpu="250m"))
    assert e.value.message == ('pods "c" is forbidden: exceeded quota: compute, requested: requests.cpu=250m, '
                               'used: requests.cpu=500m, limited: requests.cpu=600m')
    assert k(c, "get quota").output.splitlines()[1].split()[:4] == ["compute", "pods:", "2/5,", "requests.cpu:"]


def test_a_pod_without_the_request_a_quota_tracks_is_refused():
    c = cluster()
    quota(c, "requests.cpu=2,limits.memory=1Gi")
    with pytest.raises(ApiError) as e:
        c.create(pod("p", cpu=None))
    assert e.value.message == ('pods "p" is forbidden: failed quota: compute: must specify limits.memory for: app; '
                               'requests.cpu for: app')


def test_a_finished_pod_stops_counting():
    c = cluster()
    quota(c, "pods=1")
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "once"},
           "spec": {"template": {"spec": {"restartPolicy": "Never",
                                          "containers": [{"name": "app", "image": "busybox:latest",
                                                          "command": ["true"]}]}}}}
    c.create(job)
    c.run(40)
    assert c.get("Job", "default", "once").status.get("succeeded") == 1
    c.run(1)
    assert c.get("ResourceQuota", "default", "compute").status["used"]["pods"] == "0"
    c.create(pod("next"))


def test_a_deployment_over_quota_shows_failed_create_on_its_replicaset():
    c = cluster()
    quota(c, "pods=2")
    k(c, "create deployment web --image=nginx:1.27 --replicas=3")
    c.run(5)
    assert len([p for p in c.pods("default")]) == 2
    events = k(c, "get events").output
    assert "FailedCreate" in events and "exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2" \
        in events


def test_no_namespace_is_ever_over_its_quota_while_things_churn():
    c = cluster()
    quota(c, "pods=4,requests.cpu=1")
    k(c, "create deployment web --image=nginx:1.27 --replicas=6")
    c.run(3)
    for step in range(30):
        if step % 7 == 3:
            for p in c.pods("default")[:2]:
                c.delete_pod(p, 0)
        c.run(1)
        st = c.get("ResourceQuota", "default", "compute").status
        live = [p for p in c.pods("default") if p.phase not in ("Succeeded", "Failed")]
        assert len(live) <= 4 and int(st["used"]["pods"]) == len(live)


# -- LimitRange --------------------------------------------------------------------------------------

LIMITS = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"},
          "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                               "defaultRequest": {"cpu": "100m"}, "max": {"cpu": "1"}}]}}


def test_a_limit_range_defaults_requests_and_limits_and_says_so():
    c = cluster()
    c.create(LIMITS)
    lr = c.get("LimitRange", "default", "limits").spec["limits"][0]
    assert lr["defaultRequest"] == {"cpu": "100m", "memory": "256Mi"}       # defaultRequest takes default
    p = c.create(pod("p", cpu=None))
    assert p.spec["containers"][0]["resources"] == {"requests": {"cpu": "100m", "memory": "256Mi"},
                                                   "limits": {"cpu": "500m", "memory": "256Mi"}}
    assert p.annotations["kubernetes.io/limit-ranger"] == ("LimitRanger plugin set: cpu, memory request for "
                                                           "container app; cpu, memory limit for container app")
    assert p.cpu_request == 100       # the scheduler sees the defaulted request


def test_a_limit_range_refuses_a_container_over_its_max():
    c = cluster()
    c.create(LIMITS)
    with pytest.raises(ApiError) as e:
        c.create(pod("p", cpu="250m", limits={"cpu": "2"}))
    assert e.value.message == 'pods "p" is forbidden: maximum cpu usage per Container is 1, but limit is 2'


def test_limit_range_validation_reads_as_the_api_server_writes_it():
    c = cluster()
    bad = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "bad"},
           "spec": {"limits": [{"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}]}}
    r = k(c, "apply -f -", stdin=__import__("json").dumps(bad))
    assert 'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1' in r.error


# -- CronJob -----------------------------------------------------------------------------------------

def test_schedules_parse_as_robfig_cron_does():
    assert cron.parse_schedule("*/5 * * * *") == ("*/5 * * * *", 0)
    assert cron.parse_schedule("@hourly") == ("0 * * * *", 0)
    assert cron.parse_schedule("@every 90s") == ("", 90)
    for bad, msg in [("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
                     ("61 * * * *", "end of range (61) above maximum (59): 61"),
                     ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
                     ("@fortnightly", "unrecognized descriptor: @fortnightly")]:
        with pytest.raises(cron.CronError) as e:
            cron.parse_schedule(bad)
        assert str(e.value) == msg
    # 2026-01-01 is a Thursday: the next Monday 09:00 in Berlin is 2026-01-05T08:00Z
    nxt = cron.next_after("0 9 * * mon", "Europe/Berlin", cron.EPOCH_UNIX)
    assert nxt - cron.EPOCH_UNIX == 4 * 86400 + 8 * 3600


def test_a_cronjob_makes_a_job_each_minute_named_by_its_time():
    c = cluster()
    assert k(c, "create cronjob tick --image=busybox:latest --schedule='* * * * *' -- true").exit_code == 0
    c.run(185)
    jobs = sorted(j.name for j in c.list("Job", "default"))
    minutes = [cron.EPOCH_UNIX // 60 + m for m in (1, 2, 3)]
    assert jobs == [f"tick-{m}" for m in minutes]
    job = c.get("Job", "default", f"tick-{minutes[0]}")
    assert job.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-01-01T00:01:00Z"
    assert job.owner_references[0]["kind"] == "CronJob"
    out = k(c, "get cronjobs").output.splitlines()
    assert out[0].split() == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"]
    ev = k(c, "get events --field-selector involvedObject.kind=CronJob").output
    assert f"Created job tick-{minutes[0]}" in ev and f"Saw completed job: tick-{minutes[0]}, condition: Complete" in ev


def test_forbid_skips_a_time_while_a_job_runs_and_history_is_trimmed():
    c = cluster()
    body = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "slow"},
            "spec": {"schedule": "* * * * *", "concurrencyPolicy": "Forbid", "successfulJobsHistoryLimit": 1,
                     "jobTemplate": {"spec": {"template": {"spec": {
                         "restartPolicy": "Never",
                         "containers": [{"name": "app", "image": "busybox:latest", "command": ["sleep", "90"]}]}}}}}}
    c.create(body)
    c.run(125)
    events = k(c, "get events --field-selector involvedObject.name=slow").output
    assert "Not starting job because prior execution is running and concurrency policy is Forbid" in events
    c.run(400)
    finished = [j for j in c.list("Job", "default") if j.status.get("succeeded")]
    assert len(finished) <= 1 and "SuccessfulDelete" in k(c, "get events").output


def test_a_suspended_cronjob_starts_nothing_and_a_manual_job_can_be_made_from_it():
    c = cluster()
    k(c, "create cronjob nightly --image=busybox:latest --schedule='@every 30s' -- true")
    k(c, "patch cronjob nightly -p '{\"spec\":{\"suspend\":true}}'")
    c.run(100)
    assert c.list("Job", "default") == []
    assert k(c, "create job manual --from=cronjob/nightly").output == "job.batch/manual created\n"
    job = c.get("Job", "default", "manual")
    assert job.annotations["cronjob.kubernetes.io/instantiate"] == "manual"


def test_cronjob_validation_reads_as_the_api_server_writes_it():
    c = cluster()
    r = k(c, "create cronjob x --image=busybox --schedule='bad'")
    assert r.error == ('The CronJob "x" is invalid: spec.schedule: Invalid value: "bad": expected exactly 5 fields, '
                       "found 1: [bad]\n")
    r = k(c, "create cronjob x --image=busybox --schedule='CRON_TZ=UTC 0 * * * *'")
    assert "cannot use TZ or CRON_TZ in schedule, use timeZone field instead" in r.error
