"""Objectives: evaluated every tick against the live cluster (LEVEL_FORMAT.md `objectives`).

Each objective keeps what it must remember (a sliding window, whether a rollout has
completed) and reports an `ObjectiveState` the UI renders:

- status `met`: holds now (and on track to pass);
- status `at risk`: does not hold now, but still can by the time it is judged;
- status `failed`: cannot pass any more (`final` is then True for failures that end
  the level at once: a survive window broken, the budget exceeded, quorum lost,
  a deadline missed or a held replica count dropped).

At the end of the level every objective is judged (`passed`) and the level is won
when all pass.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from kubegame.engine.controllers.daemonset import should_run
from kubegame.engine.system import is_control_plane
from kubegame.level.model import Level, ObjectiveSpec

MET = "met"
AT_RISK = "at risk"
FAILED = "failed"


@dataclass
class ObjectiveState:
    """What the UI shows for one objective, this tick."""

    index: int                 # position in the level's `objectives`
    type: str                  # availability, survive, ...
    label: str                 # "shop availability ≥ 97%"
    status: str                # MET | AT_RISK | FAILED
    value: str                 # the live measure: "99.1%", "3/4 ready", "396/2400"
    detail: str                # one sentence: why this status
    time_left: int | None      # ticks until it is judged (a deadline or the end); None when judged
    final: bool = False        # decided for good (a final failure ends the level)
    passed: bool | None = None  # set when the level has ended (or the objective is decided)

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "type": self.type, "label": self.label, "status": self.status,
                "value": self.value, "detail": self.detail, "timeLeft": self.time_left, "final": self.final,
                "passed": self.passed}


@dataclass
class World:
    """The live facts objectives read, filled in by the play session each tick."""

    cluster: Any
    now: int
    duration: int
    cost: float = 0.0
    burn: float = 0.0            # cost per tick at the moment
    budget: float | None = None
    quorum: bool = True
    ended: bool = False


def pct(x: float) -> str:
    return f"{x:.1f}%"


def _svc_namespace(level: Level, name: str) -> str:
    m = level.manifest("Service", name)
    return m.namespace if m else "default"


class Objective:
    def __init__(self, spec: ObjectiveSpec, level: Level):
        self.spec = spec
        self.level = level
        self.index = spec.index

    @property
    def type(self) -> str:
        return self.spec.type

    def label(self) -> str:
        return self.type

    def update(self, w: World) -> None:
        """Called once after every tick."""

    def state(self, w: World) -> ObjectiveState:
        raise NotImplementedError

    def _st(self, w: World, status: str, value: str, detail: str, deadline: int | None = None,
            final: bool = False, passed: bool | None = None) -> ObjectiveState:
        end = deadline if deadline is not None else w.duration
        left = None if (final or w.ended) else max(0, end - w.now)
        if w.ended and passed is None:
            passed = status == MET
        if final and passed is None:
            passed = status == MET
        label = self.spec.get("label") or self.label()     # an author's own wording (keeps an answer hidden)
        return ObjectiveState(self.index, self.type, label, status, value, detail, left, final, passed)


class Availability(Objective):
    """Percent of the Service's requests served over the whole level."""

    def __init__(self, spec, level):
        super().__init__(spec, level)
        self.key = (_svc_namespace(level, spec.get("service")), spec.get("service"))
        self.at_least = float(spec.get("atLeast"))

    def label(self) -> str:
        return f"{self.key[1]} availability ≥ {self.at_least:g}%"

    def state(self, w):
        t = w.cluster.traffic.totals_by_service.get(self.key)
        arrived, served = (t.arrived, t.served) if t else (0, 0)
        now_pct = 100.0 if arrived == 0 else 100.0 * served / arrived
        value = pct(now_pct)
        if now_pct >= self.at_least:
            return self._st(w, MET, value, f"{served} of {arrived} requests served")
        last = w.cluster.traffic.last.get(self.key)
        rate = last.arrived if last else 0
        remaining = rate * max(0, w.duration - w.now)
        best = 100.0 * (served + remaining) / (arrived + remaining) if arrived + remaining else 100.0
        if w.ended or best < self.at_least:
            return self._st(w, FAILED, value, f"only {served} of {arrived} requests served; "
                                              f"{self.at_least:g}% is out of reach" if not w.ended else
                            f"only {served} of {arrived} requests served")
        return self._st(w, AT_RISK, value, f"{served} of {arrived} requests served: below {self.at_least:g}%")


class Survive(Objective):
    """Availability never below atLeast over any `window` consecutive ticks."""

    def __init__(self, spec, level):
        super().__init__(spec, level)
        self.key = (_svc_namespace(level, spec.get("service")), spec.get("service"))
        self.at_least = float(spec.get("atLeast"))
        self.window = int(spec.get("window", 30))
        self.samples: deque[tuple[int, int]] = deque(maxlen=self.window)
        self.broken_at: int | None = None
        self.worst: float = 100.0
        self.last_tick = 100.0

    def label(self) -> str:
        return f"{self.key[1]} ≥ {self.at_least:g}% over every {self.window}s"

    def _window_pct(self) -> float:
        a = sum(s[0] for s in self.samples)
        s = sum(s[1] for s in self.samples)
        return 100.0 if a == 0 else 100.0 * s / a

    def update(self, w):
        last = w.cluster.traffic.last.get(self.key)
        sample = (last.arrived, last.served) if last else (0, 0)
        self.samples.append(sample)
        self.last_tick = 100.0 if sample[0] == 0 else 100.0 * sample[1] / sample[0]
        if len(self.samples) == self.window and self.broken_at is None:
            p = self._window_pct()
            self.worst = min(self.worst, p)
            if p < self.at_least:
                self.broken_at = w.now

    def state(self, w):
        p = self._window_pct()
        if self.broken_at is not None:
            return self._st(w, FAILED, pct(self.worst),
                            f"fell to {pct(self.worst)} over the {self.window} ticks up to tick {self.broken_at}",
                            final=True, passed=False)
        if self.last_tick < self.at_least or p < self.at_least:
            return self._st(w, AT_RISK, pct(p), f"serving {pct(self.last_tick)} this tick")
        return self._st(w, MET, pct(p), f"worst {self.window}-tick window so far {pct(self.worst)}")


class RolloutComplete(Objective):
    def __init__(self, spec, level):
        super().__init__(spec, level)
        self.name = spec.get("deployment")
        m = level.manifest("Deployment", self.name)
        self.ns = m.namespace if m else "default"
        self.image = spec.get("image")
        self.by = spec.get("byTick")
        self.done_at: int | None = None
        self.progress = "not started"

    def label(self) -> str:
        by = f" by tick {self.by}" if self.by is not None else ""
        return f"{self.name} rolled out to {self.image}{by}"

    def _complete(self, w: World) -> bool:
        d = w.cluster.get("Deployment", self.ns, self.name)
        if d is None:
            self.progress = "deployment missing"
            return False
        containers = ((d.spec.get("template") or {}).get("spec") or {}).get("containers") or []
        images = [c.get("image", "") for c in containers]
        reg = w.cluster.registry
        if not any(i == self.image or (reg.resolve(i) is not None and reg.resolve(i).name == self.image)
                   for i in images):
            self.progress = f"runs {', '.join(images) or 'nothing'}"
            return False
        want = int(d.spec.get("replicas", 1))
        st = d.status
        updated, avail, total = (int(st.get("updatedReplicas", 0)), int(st.get("availableReplicas", 0)),
                                 int(st.get("replicas", 0)))
        self.progress = f"{min(updated, avail)}/{want} updated"
        return (st.get("observedGeneration", 0) >= d.generation and updated == want and avail >= want
                and total == want)

    def update(self, w):
        if self.done_at is None and (self.by is None or w.now <= self.by) and self._complete(w):
            self.done_at = w.now

    def state(self, w):
        if self.done_at is not None:
            return self._st(w, MET, "done", f"completed at tick {self.done_at}", self.by,
                            final=True, passed=True)
        deadline = self.by if self.by is not None else w.duration
        if w.now >= deadline and (self.by is not None or w.ended):
            return self._st(w, FAILED, self.progress, f"not complete by tick {deadline}", self.by,
                            final=True, passed=False)
        return self._st(w, AT_RISK, self.progress, "rollout not complete yet", self.by)


class ReadyReplicas(Objective):
    def __init__(self, spec, level):
        super().__init__(spec, level)
        self.kind = spec.get("kind", "Deployment")
        self.name = spec.get("name")
        m = level.manifest(self.kind, self.name)
        self.ns = m.namespace if m else "default"
        self.at_least = int(spec.get("atLeast"))
        self.by = spec.get("byTick")
        self.hold = bool(spec.get("hold", False))
        self.all_ready = bool(spec.get("allReady", False))   # every desired replica, not only atLeast
        self.reached_at: int | None = None
        self.dropped_at: int | None = None
        self.ready = 0
        self.needed = self.at_least

    def label(self) -> str:
        by = f" by tick {self.by}" if self.by is not None else " at the end"
        hold = " and hold" if self.hold else ""
        if self.all_ready:
            return f"{self.name}: every replica ready (at least {self.at_least}){by}{hold}"
        return f"{self.name} ≥ {self.at_least} ready{by}{hold}"

    def _count(self, w: World) -> tuple[int, int]:
        """(ready, desired) of the object now."""
        obj = w.cluster.get(self.kind, self.ns, self.name)
        if obj is None:
            return 0, 0
        if self.kind == "DaemonSet":
            return int(obj.status.get("numberReady", 0) or 0), int(obj.status.get("desiredNumberScheduled", 0) or 0)
        return int(obj.status.get("readyReplicas", 0) or 0), int(obj.spec.get("replicas", 1) or 0)

    def update(self, w):
        self.ready, desired = self._count(w)
        self.needed = max(self.at_least, desired) if self.all_ready else self.at_least
        ok = self.ready >= self.needed
        if ok and self.reached_at is None and (self.by is None or w.now <= self.by):
            self.reached_at = w.now
        if self.hold and self.by is not None and w.now >= self.by and not ok and self.dropped_at is None \
                and self.reached_at is not None:
            self.dropped_at = w.now

    def state(self, w):
        value = f"{self.ready}/{self.needed} ready"
        ok = self.ready >= self.needed
        if self.by is None:          # judged at the end
            if ok:
                return self._st(w, MET, value, "enough replicas are ready")
            return self._st(w, FAILED if w.ended else AT_RISK, value, "not enough replicas are ready")
        if self.dropped_at is not None:
            return self._st(w, FAILED, value, f"dropped below {self.needed} at tick {self.dropped_at}",
                            final=True, passed=False)
        if self.reached_at is None:
            if w.now >= self.by:
                return self._st(w, FAILED, value, f"fewer than {self.at_least} ready by tick {self.by}",
                                final=True, passed=False)
            return self._st(w, AT_RISK, value, f"needs {self.at_least} ready by tick {self.by}", self.by)
        if not self.hold:
            return self._st(w, MET, value, f"reached at tick {self.reached_at}", final=True, passed=True)
        if not ok:
            return self._st(w, AT_RISK, value, f"must stay at {self.needed} from tick {self.by}", self.by)
        return self._st(w, MET, value, f"reached at tick {self.reached_at}; must hold to the end")


class JobComplete(Objective):
    def __init__(self, spec, level):
        super().__init__(spec, level)
        self.name = spec.get("job")
        m = level.manifest("Job", self.name)
        self.ns = m.namespace if m else "default"
        self.by = spec.get("byTick")
        self.done_at: int | None = None
        self.progress = "0 succeeded"

    def label(self) -> str:
        by = f" by tick {self.by}" if self.by is not None else ""
        return f"job {self.name} complete{by}"

    def _complete(self, w: World) -> bool:
        job = w.cluster.get("Job", self.ns, self.name)
        if job is None:
            self.progress = "job missing"
            return False
        for c in job.status.get("conditions") or []:
            if c.get("type") == "Complete" and c.get("status") == "True":
                return True
        completions = int(job.spec.get("completions", 1) or 1)
        succeeded = int(job.status.get("succeeded", 0) or 0)
        if not job.status:     # no Job controller status yet: count the Job's finished pods
            succeeded = sum(1 for p in w.cluster.store.owned_by(job.uid)
                            if getattr(p, "phase", "") == "Succeeded")
        self.progress = f"{succeeded}/{completions} succeeded"
        return succeeded >= completions

    def update(self, w):
        if self.done_at is None and (self.by is None or w.now <= self.by) and self._complete(w):
            self.done_at = w.now

    def state(self, w):
        if self.done_at is not None:
            return self._st(w, MET, "complete", f"completed at tick {self.done_at}", self.by,
                            final=True, passed=True)
        deadline = self.by if self.by is not None else w.duration
        if w.now >= deadline and (self.by is not None or w.ended):
            return self._st(w, FAILED, self.progress, f"not complete by tick {deadline}", self.by,
                            final=True, passed=False)
        return self._st(w, AT_RISK, self.progress, "the job has not completed yet", self.by)


class DaemonSetCoverage(Objective):
    """At the end, a Ready pod of the DaemonSet runs on every Ready node (LEVEL_FORMAT: "on every
    Ready node"); a nodeSelector narrows the nodes it is meant for, but a missing toleration does
    not excuse a tainted node: the agent is simply missing there."""

    def __init__(self, spec, level):
        super().__init__(spec, level)
        self.name = spec.get("daemonSet")
        m = level.manifest("DaemonSet", self.name)
        self.ns = m.namespace if m else "default"
        self.covered = 0
        self.eligible = 0
        self.missing: list[str] = []

    def label(self) -> str:
        return f"{self.name} on every Ready node"

    def update(self, w):
        ds = w.cluster.get("DaemonSet", self.ns, self.name)
        nodes = [n for n in w.cluster.nodes() if n.is_ready and n.alive]
        if ds is None:
            self.covered, self.eligible, self.missing = 0, len(nodes), [n.name for n in nodes]
            return
        pod_spec = (ds.spec.get("template") or {}).get("spec") or {}
        selector = pod_spec.get("nodeSelector") or {}
        eligible = []
        for n in nodes:
            if any(n.labels.get(k) != v for k, v in selector.items()):
                continue
            # every worker counts, tainted or not (tolerating the taint is the player's job); the
            # control plane only when the agent is meant to run there (it tolerates the taint)
            if is_control_plane(n) and not should_run(pod_spec, n):
                continue
            eligible.append(n.name)
        ready_on = {p.node_name for p in w.cluster.store.owned_by(ds.uid)
                    if getattr(p, "kind", "") == "Pod" and p.ready and p.deletion_tick is None}
        self.missing = [n for n in eligible if n not in ready_on]
        self.eligible = len(eligible)
        self.covered = self.eligible - len(self.missing)

    def state(self, w):
        value = f"{self.covered}/{self.eligible} nodes"
        if not self.missing:
            return self._st(w, MET, value, "a Ready pod on every Ready node")
        return self._st(w, FAILED if w.ended else AT_RISK, value, "missing on " + ", ".join(self.missing[:3])
                        + (" ..." if len(self.missing) > 3 else ""))


class Quorum(Objective):
    def __init__(self, spec, level):
        super().__init__(spec, level)
        self.lost_at: int | None = None

    def label(self) -> str:
        return "etcd keeps quorum"

    def update(self, w):
        if not w.quorum and self.lost_at is None:
            self.lost_at = w.now

    def state(self, w):
        if self.lost_at is not None:
            return self._st(w, FAILED, "lost", f"quorum lost at tick {self.lost_at}", final=True, passed=False)
        return self._st(w, MET, "quorum", "etcd has quorum")


class Budget(Objective):
    def label(self) -> str:
        return f"budget {self.level.budget:g}"

    def state(self, w):
        budget = w.budget if w.budget is not None else float("inf")
        value = f"{w.cost:g}/{budget:g}"
        if w.cost > budget:
            return self._st(w, FAILED, value, "over budget", final=True, passed=False)
        projected = w.cost + w.burn * max(0, w.duration - w.now)
        if projected > budget:
            return self._st(w, AT_RISK, value, f"at {w.burn:g} per tick the level will cost {projected:g}")
        return self._st(w, MET, value, f"projected cost {projected:g}")


KINDS: dict[str, type[Objective]] = {
    "availability": Availability, "survive": Survive, "rolloutComplete": RolloutComplete,
    "readyReplicas": ReadyReplicas, "jobComplete": JobComplete, "daemonSetCoverage": DaemonSetCoverage,
    "quorum": Quorum, "budget": Budget,
}


def build(level: Level) -> list[Objective]:
    return [KINDS[o.type](o, level) for o in level.objectives]

