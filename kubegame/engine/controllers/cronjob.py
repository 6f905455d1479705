"""CronJob controller: make a Job at each scheduled time on the game clock.

A reading of pkg/controller/cronjob/cronjob_controllerv2.go and utils.go:

- The schedule is read in `spec.timeZone` (else UTC); the earliest time considered is the last
  schedule (else the CronJob's creation), or now - startingDeadlineSeconds if later. Of the times
  missed since, only the most recent is started; more than 100 gives the Warning
  TooManyMissedTimes. A start later than startingDeadlineSeconds is skipped (Warning
  MissSchedule `Missed scheduled time to start a job: <RFC1123Z>`).
- concurrencyPolicy: Allow runs Jobs side by side; Forbid skips a time while one is active
  (JobAlreadyActive); Replace deletes the active Jobs first (SuccessfulDelete).
- The Job is named `<cronjob>-<scheduled time in minutes since 1970>`, owned by the CronJob,
  annotated `batch.kubernetes.io/cronjob-scheduled-timestamp`; event SuccessfulCreate
  `Created job <name>`; status.active and lastScheduleTime follow.
- A finished Job leaves status.active (SawCompletedJob `Saw completed job: <name>, condition:
  Complete`), sets lastSuccessfulTime when Complete, and the oldest finished Jobs beyond
  successfulJobsHistoryLimit (3) and failedJobsHistoryLimit (1) are deleted (SuccessfulDelete).
- `suspend: true` starts nothing; resuming starts only what is still within the deadline.

Event-driven: each CronJob has one wake-up tick, at its next scheduled time.
"""

from __future__ import annotations

from kubegame.engine import cron
from kubegame.engine.controllers.base import Controller
from kubegame.engine.controllers.job import finished_condition
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject, plain_copy, timestamp

MAX_MISSED = 100


def _tick_of(unix: int) -> int:
    return unix - cron.EPOCH_UNIX


class CronJobController(Controller):
    name = "cronjob-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.wakeups: dict[int, dict[tuple[str, str], bool]] = {}
        self.last_schedule: dict[tuple[str, str], int] = {}     # CronJob -> unix time of its last start
        self.store.subscribe("CronJob", self._on_cronjob)
        self.store.subscribe("Job", self._on_job, controller_kind="CronJob")

    def _on_cronjob(self, event: str, cj: KObject) -> None:
        if event == "DELETED":
            self.last_schedule.pop(cj.key, None)
            return
        self.enqueue(cj.key)

    def _on_job(self, event: str, job: KObject) -> None:
        ref = next((r for r in job.owner_references if r.get("kind") == "CronJob" and r.get("controller")), None)
        if ref is not None:
            self.enqueue((job.namespace, str(ref.get("name"))))

    def _wake(self, key: tuple[str, str], tick: int) -> None:
        self.wakeups.setdefault(max(tick, self.cluster.now + 1), {})[key] = True

    def sync(self) -> None:
        if not self.queue and not self.wakeups:
            return
        for key in self.due(self.wakeups, self.cluster.now):
            self.enqueue(key)
        for key in self.take():
            cj = self.store.get("CronJob", *key)
            if cj is None or cj.deletion_tick is not None:
                continue
            try:
                self.reconcile(cj)
            except ApiError:
                self.enqueue(key)          # no quorum: next tick

    # -- one CronJob ---------------------------------------------------------------------------
    def _jobs(self, cj: KObject) -> list[KObject]:
        return sorted((o for o in self.store.owned_by(cj.uid) if o.kind == "Job"),
                      key=lambda j: (j.creation_tick, j.name))

    def reconcile(self, cj: KObject) -> None:
        now_unix = cron.unix_of_tick(self.cluster.now)
        spec = cj.spec
        tz = str(spec.get("timeZone") or "")
        schedule = str(spec.get("schedule") or "")
        st = dict(cj.status)
        changed = self._track_jobs(cj, st)
        try:
            cron.parse_schedule(schedule)
        except cron.CronError as exc:
            self.cluster.record(cj, "Warning", "UnparseableSchedule", f"unparseable schedule: {schedule!r} : {exc}",
                                self.name)
            return
        if not spec.get("suspend"):
            changed |= self._maybe_start(cj, st, schedule, tz, now_unix)
        if changed:
            cj.status = {k: st[k] for k in ("active", "lastScheduleTime", "lastSuccessfulTime") if st.get(k)}
            self.cluster.write_status(cj)
        self._cleanup(cj)
        nxt = cron.next_after(schedule, tz, now_unix)
        self._wake(cj.key, _tick_of(nxt))

    def _track_jobs(self, cj: KObject, st: dict) -> bool:
        """Keep status.active to the Jobs that run; record the ones that finished or vanished."""
        jobs = {j.name: j for j in self._jobs(cj)}
        active = []
        changed = False
        for ref in st.get("active") or []:
            job = jobs.get(ref.get("name"))
            if job is None:
                self.cluster.record(cj, "Normal", "MissingJob", f"Active job went missing: {ref.get('name')}",
                                    self.name)
                changed = True
                continue
            cond = finished_condition(job)
            if cond:
                self.cluster.record(cj, "Normal", "SawCompletedJob",
                                    f"Saw completed job: {job.name}, condition: {cond}", self.name)
                if cond == "Complete":
                    done = job.status.get("completionTime")
                    if done and (not st.get("lastSuccessfulTime") or done > st["lastSuccessfulTime"]):
                        st["lastSuccessfulTime"] = done
                changed = True
                continue
            active.append(ref)
        # a Job the controller made that is not listed yet (a restart of the controller)
        listed = {r.get("name") for r in active}
        for j in jobs.values():
            if j.name not in listed and not finished_condition(j) and j.deletion_tick is None \
                    and not any(r.get("name") == j.name for r in st.get("active") or []):
                active.append(self._ref(j))
                changed = True
        st["active"] = active
        return changed

    def _ref(self, job: KObject) -> dict:
        return {"apiVersion": "batch/v1", "kind": "Job", "name": job.name, "namespace": job.namespace,
                "resourceVersion": str(job.resource_version), "uid": job.uid}

    def _maybe_start(self, cj: KObject, st: dict, schedule: str, tz: str, now_unix: int) -> bool:
        spec = cj.spec
        last = self.last_schedule.get(cj.key)
        earliest = last if last is not None else cron.unix_of_tick(cj.creation_tick)
        deadline = spec.get("startingDeadlineSeconds")
        if isinstance(deadline, int) and now_unix - deadline > earliest:
            earliest = now_unix - deadline
        missed = cron.times_between(schedule, tz, earliest, now_unix, MAX_MISSED + 1)
        if not missed:
            return False
        scheduled = missed[-1]
        if len(missed) > MAX_MISSED:
            self.cluster.record(cj, "Warning", "TooManyMissedTimes",
                                f"too many missed start times: {len(missed)}. Set or decrease "
                                ".spec.startingDeadlineSeconds or check clock skew", self.name)
        if isinstance(deadline, int) and scheduled + deadline < now_unix:
            self.cluster.record(cj, "Warning", "MissSchedule",
                                f"Missed scheduled time to start a job: {cron.rfc1123z(scheduled, tz)}", self.name)
            return False
        policy = spec.get("concurrencyPolicy", "Allow")
        active = st.get("active") or []
        if policy == "Forbid" and active:
            self.cluster.record(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is "
                                "running and concurrency policy is Forbid", self.name)
            return False
        if policy == "Replace":
            for ref in active:
                if self.store.get("Job", cj.namespace, ref.get("name")) is not None:
                    self.cluster.delete("Job", cj.namespace, ref.get("name"))
                    self.cluster.record(cj, "Normal", "SuccessfulDelete", f"Deleted job {ref.get('name')}", self.name)
            st["active"] = active = []
        name = f"{cj.name}-{scheduled // 60}"
        if self.store.get("Job", cj.namespace, name) is not None:
            self.last_schedule[cj.key] = scheduled
            return False
        tpl = plain_copy(spec.get("jobTemplate") or {})
        md = tpl.get("metadata") or {}
        body = {"apiVersion": "batch/v1", "kind": "Job",
                "metadata": {"name": name, "namespace": cj.namespace,
                             "labels": dict(md.get("labels") or {}),
                             "annotations": {**(md.get("annotations") or {}),
                                             "batch.kubernetes.io/cronjob-scheduled-timestamp":
                                                 cron.rfc3339(scheduled, tz)}},
                "spec": tpl.get("spec") or {}}
        if not body["metadata"]["labels"]:
            del body["metadata"]["labels"]
        try:
            job = self.cluster.create(body, cj.namespace, owner=cj)
        except ApiError as exc:
            if exc.reason in ("Forbidden", "Invalid"):
                self.cluster.record(cj, "Warning", "FailedCreate", f"Error creating job: {exc.message}", self.name)
                self.last_schedule[cj.key] = scheduled
                return False
            raise
        self.cluster.record(cj, "Normal", "SuccessfulCreate", f"Created job {job.name}", self.name)
        self.last_schedule[cj.key] = scheduled
        st["active"] = list(active) + [self._ref(job)]
        st["lastScheduleTime"] = timestamp(_tick_of(scheduled))
        return True

    def _cleanup(self, cj: KObject) -> None:
        """Delete the oldest finished Jobs beyond the history limits."""
        finished = {"Complete": [], "Failed": []}  # type: dict[str, list[KObject]]
        for j in self._jobs(cj):
            cond = finished_condition(j)
            if cond in finished and j.deletion_tick is None:
                finished[cond].append(j)
        for cond, limit_field in (("Complete", "successfulJobsHistoryLimit"), ("Failed", "failedJobsHistoryLimit")):
            limit = cj.spec.get(limit_field)
            if not isinstance(limit, int):
                continue
            jobs = finished[cond]
            for j in jobs[:max(len(jobs) - limit, 0)]:
                self.cluster.delete("Job", j.namespace, j.name)
                self.cluster.record(cj, "Normal", "SuccessfulDelete", f"Deleted job {j.name}", self.name)
