"""Job controller: run pods until `completions` succeed, at most `parallelism` at a time.

A reading of pkg/controller/job/job_controller.go (NonIndexed completion mode):

- The API server gives a Job the selector `batch.kubernetes.io/controller-uid=<uid>` and
  labels its template with controller-uid and job-name (both the batch.kubernetes.io/
  and the legacy keys) unless `manualSelector` is set.
- active wanted = min(parallelism, completions - succeeded); with no completions set, pods
  run until one succeeds.
- Failures: with restartPolicy Never each Failed pod counts; with OnFailure the kubelet
  restarts the container in place and the restarts count. More than `backoffLimit`
  (default 6) failures fail the Job (condition Failed, reason BackoffLimitExceeded,
  `Job has reached the specified backoff limit`) and its running pods are deleted.
- A replacement for a failed pod waits 10 s doubled per failure, capped at 6 minutes
  (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff).
- activeDeadlineSeconds after startTime fails the Job (DeadlineExceeded, `Job was active
  longer than specified deadline`); with OnFailure, the restarts of the running pods'
  containers reaching backoffLimit fail it (pastBackoffLimitOnFailure).
- The end comes in two steps (JobManagedBy, GA): the interim condition FailureTarget or
  SuccessCriteriaMet (CompletionsReached, `Reached expected number of succeeded pods`) at
  once, the running pods deleted, then Failed or Complete with the same reason once no pod
  is terminating (event Completed `Job completed`, or the failure's reason as a Warning).
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, Pod, timestamp

BACKOFF_BASE = 10
BACKOFF_MAX = 360


def finished_condition(job: KObject) -> str:
    """"Complete", "Failed" or "" (still running)."""
    for c in job.status.get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return str(c["type"])
    return ""


class JobController(Controller):
    name = "job-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.wakeups: dict[int, dict[tuple[str, str], bool]] = {}
        self.failed_at: dict[str, int] = {}       # pod uid -> tick its failure was seen
        self.start_tick: dict[tuple[str, str], int] = {}   # Job -> the tick of its status.startTime
        self.store.subscribe("Job", self._on_job)
        self.store.subscribe("Pod", self._on_pod, controller_kind="Job")

    def _on_job(self, event: str, job: KObject) -> None:
        if event == "ADDED":
            self._default_selector(job)
        if event != "DELETED":
            self.enqueue(job.key)

    def _default_selector(self, job: KObject) -> None:
        """What the API server's job strategy does on create (generateSelector)."""
        if job.spec.get("manualSelector"):
            return
        labels = {"batch.kubernetes.io/controller-uid": job.uid, "batch.kubernetes.io/job-name": job.name,
                  "controller-uid": job.uid, "job-name": job.name}
        job.spec["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": job.uid}}
        tpl = job.spec.setdefault("template", {})
        md = tpl.setdefault("metadata", {})
        md.setdefault("labels", {}).update(labels)

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        self.enqueue((pod.namespace, pod.controller_ref()["name"]))   # type: ignore[index]

    def sync(self) -> None:
        for key in self.due(self.wakeups, self.cluster.now):
            self.enqueue(key)
        for key in self.take():
            job = self.store.get("Job", *key)
            if job is None or job.deletion_tick is not None:
                continue
            try:
                self.reconcile(job)
            except ApiError:
                self.enqueue(key)          # no quorum: retry next tick

    def reconcile(self, job: KObject) -> None:
        now = self.cluster.now
        if finished_condition(job):
            return
        pods = [p for p in self.store.owned_by(job.uid) if isinstance(p, Pod)]
        active = [p for p in pods if p.active]
        succeeded = sum(1 for p in pods if p.phase == "Succeeded")
        failed_pods = [p for p in pods if p.phase == "Failed"]
        for p in failed_pods:
            self.failed_at.setdefault(p.uid, now)
        succeeded = max(succeeded, int(job.status.get("succeeded", 0) or 0))
        failed = max(len(failed_pods), int(job.status.get("failed", 0) or 0))
        spec = job.spec
        completions = spec.get("completions")
        parallelism = int(spec.get("parallelism", 1))
        backoff_limit = int(spec.get("backoffLimit", 6))
        policy = ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy", "Never")
        restarts = sum(c.restart_count for p in active if p.phase in ("Pending", "Running")
                       for c in p.all_containers) if policy == "OnFailure" else 0
        st = dict(job.status)
        if "startTime" not in st:
            st["startTime"] = timestamp(now)
            self.start_tick[job.key] = now
        start = self.start_tick.setdefault(job.key, now)
        conditions = list(st.get("conditions") or [])
        deadline = spec.get("activeDeadlineSeconds")
        pending_end = next((c for c in conditions if c.get("type") in ("FailureTarget", "SuccessCriteriaMet")), None)
        if pending_end is None:
            if policy == "OnFailure":
                # pastBackoffLimitOnFailure: the restarts of the running and pending pods' containers
                past_limit = restarts >= backoff_limit if backoff_limit > 0 else restarts > 0
            else:
                past_limit = failed > backoff_limit
            why = None
            if past_limit:
                why = ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
            elif deadline is not None and now - start >= int(deadline):
                why = ("DeadlineExceeded", "Job was active longer than specified deadline")
            if why is not None:
                pending_end = self._condition("FailureTarget", *why)
            elif (completions is not None and succeeded >= int(completions)) or (
                    completions is None and succeeded > 0 and not active):
                pending_end = self._condition("SuccessCriteriaMet", "CompletionsReached",
                                              "Reached expected number of succeeded pods")
            elif deadline is not None:
                self.wakeups.setdefault(start + int(deadline), {})[job.key] = True
            if pending_end is not None:
                conditions.append(pending_end)   # the interim condition (JobManagedBy, GA in v1.35)
        if pending_end is not None:
            for p in active:
                self._delete(job, p)
            active = []
            if not any(p.deletion_tick is not None for p in pods if p.phase not in ("Succeeded", "Failed")):
                # every pod has terminated: the final condition, with the interim one's reason
                if pending_end["type"] == "FailureTarget":
                    conditions.append(self._condition("Failed", pending_end["reason"], pending_end["message"]))
                    self.cluster.record(job, "Warning", pending_end["reason"], pending_end["message"], self.name)
                else:
                    conditions.append(self._condition("Complete", pending_end["reason"], pending_end["message"]))
                    st["completionTime"] = timestamp(now)
                    self.cluster.record(job, "Normal", "Completed", "Job completed", self.name)
        elif spec.get("suspend"):
            for p in active:
                self._delete(job, p)
            active = []
        else:
            if completions is None:
                want = 0 if succeeded > 0 else parallelism
            else:
                want = min(parallelism, int(completions) - succeeded)
            diff = want - len(active)
            if diff > 0:
                ready_at = self._backoff_until(failed_pods) if policy == "Never" else now
                if ready_at > now:
                    self.wakeups.setdefault(ready_at, {})[job.key] = True
                else:
                    for _ in range(diff):
                        active.append(self.create_pod(job))
            elif diff < 0:
                for p in sorted(active, key=lambda p: (p.ready, -p.creation_tick, p.name))[:-diff]:
                    self._delete(job, p)
                    active.remove(p)

        st["active"] = len(active)
        st["ready"] = sum(1 for p in active if p.ready)
        st["succeeded"] = succeeded
        st["failed"] = failed
        st["terminating"] = sum(1 for p in pods if p.deletion_tick is not None)
        st["uncountedTerminatedPods"] = {}
        if conditions:
            st["conditions"] = conditions
        st = {k: v for k, v in st.items() if v or k in ("ready", "terminating", "uncountedTerminatedPods")}
        if st != job.status:
            job.status = st
            self.store.modified(job, status_only=True)

    def _backoff_until(self, failed_pods: list[Pod]) -> int:
        if not failed_pods:
            return self.cluster.now
        last = max(self.failed_at.get(p.uid, self.cluster.now) for p in failed_pods)
        delay = min(BACKOFF_BASE * 2 ** (len(failed_pods) - 1), BACKOFF_MAX)
        return last + delay

    def _condition(self, type_: str, reason: str, message: str) -> dict:
        ts = timestamp(self.cluster.now)
        c = {"lastProbeTime": ts, "lastTransitionTime": ts, "status": "True", "type": type_}
        if reason:
            c["reason"] = reason
            c["message"] = message
        return c

    def create_pod(self, job: KObject) -> Pod:
        try:
            pod = self.cluster.create_pod_from_template(job, job.spec.get("template") or {})
        except ApiError as exc:
            if exc.reason == "Forbidden":       # admission refused it: FailedCreate, retried later
                self.cluster.record(job, "Warning", "FailedCreate", f"Error creating: {exc.message}", self.name)
            raise
        self.cluster.record(job, "Normal", "SuccessfulCreate", f"Created pod: {pod.name}", self.name)
        return pod

    def _delete(self, job: KObject, pod: Pod) -> None:
        self.cluster.delete_pod(pod)
        self.cluster.record(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod.name}", self.name)


def completions_column(job: KObject) -> str:
    """`kubectl get jobs` COMPLETIONS: `succeeded/completions` (or `succeeded/1 of parallelism`)."""
    succeeded = int(job.status.get("succeeded", 0) or 0)
    completions = job.spec.get("completions")
    if completions is None:
        parallelism = int(job.spec.get("parallelism", 1))
        return f"{succeeded}/1 of {parallelism}" if parallelism > 1 else f"{succeeded}/1"
    return f"{succeeded}/{completions}"
