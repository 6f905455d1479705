"""Job controller (pkg/controller/job): completions, parallelism, backoffLimit 6."""

from kit_workloads import cluster, run_until

from kubegame.engine.controllers.job import completions_column, finished_condition


def job(name: str = "migrate", image: str = "batch:1.0", policy: str = "Never", **spec) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name},
            "spec": {"template": {"spec": {"restartPolicy": policy,
                                           "containers": [{"name": "main", "image": image}]}}, **spec}}


def get(c, name="migrate"):
    return c.get("Job", "default", name)


def test_completions_3_parallelism_2_runs_at_most_2_at_once():
    c = cluster("n1", "n2")
    c.apply(job(completions=3, parallelism=2))
    most = 0
    for _ in range(200):
        c.tick()
        running = [p for p in c.pods() if p.active]
        most = max(most, len(running))
        if finished_condition(get(c)):
            break
    j = get(c)
    assert most == 2
    assert finished_condition(j) == "Complete"
    assert j.status["succeeded"] == 3 and j.status.get("active", 0) == 0
    assert completions_column(j) == "3/3"
    assert len([p for p in c.pods() if p.phase == "Succeeded"]) == 3
    assert any(e.reason == "Completed" and e.message == "Job completed" for e in c.events)
    assert "completionTime" in j.status


def test_job_gets_a_controller_uid_selector_and_pod_labels():
    c = cluster("n1")
    c.apply(job())
    c.tick()
    j = get(c)
    assert j.spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": j.uid}}
    p = c.pods()[0]
    assert p.labels["job-name"] == "migrate" and p.labels["batch.kubernetes.io/job-name"] == "migrate"
    assert p.name.startswith("migrate-")


def test_backoff_limit_defaults_to_6_and_fails_after_7_failed_pods():
    c = cluster("n1")
    c.apply(job(image="broken-batch:1.0"))
    assert get(c).spec["backoffLimit"] == 6
    run_until(c, lambda: finished_condition(get(c)) != "", limit=2000)
    j = get(c)
    assert finished_condition(j) == "Failed"
    failed = next(x for x in j.status["conditions"] if x["type"] == "Failed")
    assert failed["reason"] == "BackoffLimitExceeded"
    assert failed["message"] == "Job has reached the specified backoff limit"
    assert len([p for p in c.pods() if p.phase == "Failed"]) == 7
    assert j.status["failed"] == 7


def test_replacements_for_failed_pods_back_off_exponentially():
    # 10 s, 20 s, 40 s ... between a failure and the next pod (DefaultJobPodFailureBackOff)
    c = cluster("n1")
    c.apply(job(image="broken-batch:1.0", backoffLimit=3))
    run_until(c, lambda: finished_condition(get(c)) != "", limit=1000)
    starts = sorted(p.creation_tick for p in c.pods())
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) == 4
    assert gaps[0] >= 10 and gaps[1] >= 20 and gaps[2] >= 40


def test_restart_policy_on_failure_counts_container_restarts():
    c = cluster("n1")
    c.apply(job(image="broken-batch:1.0", policy="OnFailure", backoffLimit=2))
    run_until(c, lambda: finished_condition(get(c)) != "", limit=1000)
    assert finished_condition(get(c)) == "Failed"
    assert len(c.pods()) <= 1          # one pod restarted in place, then deleted when the Job failed


def test_no_completions_runs_until_one_pod_succeeds():
    c = cluster("n1")
    body = job(parallelism=2)
    c.apply(body)
    # a work queue Job: with only parallelism given, batch/v1 defaulting leaves completions unset
    assert "completions" not in get(c).spec
    run_until(c, lambda: finished_condition(get(c)) != "", limit=200)
    assert finished_condition(get(c)) == "Complete"


def conds(j):
    return [(c["type"], c.get("reason"), c.get("message")) for c in j.status.get("conditions") or []]


def test_success_comes_in_two_steps_with_completions_reached():
    """job_controller.go (JobManagedBy, GA): SuccessCriteriaMet, then Complete, both
    CompletionsReached / "Reached expected number of succeeded pods"."""
    c = cluster("n1")
    c.apply(job())
    run_until(c, lambda: finished_condition(get(c)) == "Complete", limit=200)
    reached = ("CompletionsReached", "Reached expected number of succeeded pods")
    assert conds(get(c)) == [("SuccessCriteriaMet", *reached), ("Complete", *reached)]


def test_active_deadline_fails_the_job_and_stops_its_pods():
    """pastActiveDeadline: startTime + activeDeadlineSeconds; FailureTarget first, Failed once
    the pods are gone, DeadlineExceeded / "Job was active longer than specified deadline"."""
    from kit_workloads import Image
    c = cluster("n1", images=[Image("slow-batch:1.0", startup_ticks=1, run_ticks=500)])
    c.apply(job(image="slow-batch:1.0", activeDeadlineSeconds=30))
    c.run(29)
    assert finished_condition(get(c)) == "" and [p for p in c.pods() if p.active]
    c.run(2)
    why = ("DeadlineExceeded", "Job was active longer than specified deadline")
    assert conds(get(c))[0] == ("FailureTarget", *why)
    run_until(c, lambda: finished_condition(get(c)) == "Failed", limit=60)
    assert conds(get(c)) == [("FailureTarget", *why), ("Failed", *why)]
    assert not [p for p in c.pods() if p.active]
    assert any(e.reason == "DeadlineExceeded" and e.message == why[1] and e.type == "Warning" for e in c.events)


def test_on_failure_fails_when_restarts_reach_the_backoff_limit():
    """pastBackoffLimitOnFailure: restarts >= backoffLimit (not >)."""
    c = cluster("n1")
    c.apply(job(image="broken-batch:1.0", policy="OnFailure", backoffLimit=2))
    seen = 0
    for _ in range(1000):
        c.tick()
        pods = [p for p in c.pods() if p.active]
        if pods:
            seen = max(seen, max(x.restart_count for p in pods for x in p.all_containers))
        if conds(get(c)):
            break
    assert conds(get(c))[0][:2] == ("FailureTarget", "BackoffLimitExceeded")
    assert seen == 2
