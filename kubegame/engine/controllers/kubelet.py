"""The kubelets: pull images, run init containers, start containers, probe them, enforce limits,
restart with back-off, stop them gracefully.

One object plays every node's kubelet. It is driven by a timer wheel (tick -> pods that have
something due), so a steady pod without probes costs nothing per tick. What an app does
(when it listens, what its HTTP paths answer, its memory, its stop time) comes from the
image's app model (engine/app.py). Behaviour and wording follow pkg/kubelet:
images/image_manager.go (pull policy), prober/ (probes and their events),
kuberuntime/kuberuntime_container.go (lifecycle hooks, graceful stop), container/backoff
(10 s doubling to 5 minutes), eviction/ (memory pressure: eviction.py beside this file).
"""

from __future__ import annotations

import heapq
import math
import re
from typing import TYPE_CHECKING, Any

from kubegame.engine import eviction
from kubegame.engine.controllers.base import Controller
from kubegame.engine.images import TOOLBOX
from kubegame.engine.objects import ContainerState, Node, Pod
from kubegame.engine.objects import timestamp as _ts
from kubegame.engine.quantity import cpu_millis, memory_bytes

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

BACKOFF_INITIAL = 10      # kubelet's container restart back-off starts at 10 s ...
BACKOFF_MAX = 300         # ... doubles, and is capped at 5 minutes
BACKOFF_RESET = 600       # a container that ran 10 minutes starts over at 10 s
RETRY = 10                # config errors, a missing image with pull policy Never: looked at again every 10 s
PROBE_DEFAULTS = {"initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1,
                  "failureThreshold": 3}
PROBE_KINDS = (("startupProbe", "Startup"), ("readinessProbe", "Readiness"), ("livenessProbe", "Liveness"))
# a passing probe whose answer cannot change until something happens to the pod is parked under
# FIELD + PARKED (its next due tick kept) instead of waking the kubelet every period (see _steady)
PARKED = "@parked"
INIT_WAIT = re.compile(r"\b(nslookup|wget|curl)\b[^;&|]*?\s([A-Za-z0-9][\w.:/-]*)\s*(?:[;&|]|$)")


class Kubelet(Controller):
    name = "kubelet"
    needs_quorum = False      # kubelets keep their pods running while the control plane is down
    component = None

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.timers: dict[int, dict[tuple[str, str], Pod]] = {}
        self.heap: list[int] = []          # the ticks that have timers, earliest first
        # pods whose memory changes with the traffic they serve (checked every tick against limits
        # and their node's memory); empty for apps with a constant working set
        self.memory_watch: dict[tuple[str, str], Pod] = {}
        self.pressure = eviction.PressureMonitor(cluster)
        self.disk = eviction.DiskPressureMonitor(cluster)
        self.store.subscribe("Pod", self._on_pod)

    # -- watch ------------------------------------------------------------------------------
    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event == "MODIFIED" and pod.node_name and pod.start_tick is None and pod.timer is None \
                and pod.deletion_tick is None:
            self.enqueue(pod.key)
        elif event == "DELETED":
            self.memory_watch.pop(pod.key, None)

    def bound(self, pod: Pod) -> None:
        """The scheduler bound a pod: its kubelet starts it this tick."""
        self.at(self.cluster.now, pod)

    def at(self, tick: int, pod: Pod) -> None:
        if pod.timer is not None and pod.timer != tick:
            self.timers.get(pod.timer, {}).pop(pod.key, None)
        pod.timer = tick
        slot = self.timers.get(tick)
        if slot is None:
            slot = self.timers[tick] = {}
            heapq.heappush(self.heap, tick)
        slot[pod.key] = pod

    def release(self, pod: Pod) -> None:
        if pod.timer is not None:
            self.timers.get(pod.timer, {}).pop(pod.key, None)
            pod.timer = None
        self.memory_watch.pop(pod.key, None)

    # -- loop -------------------------------------------------------------------------------
    def sync(self) -> None:
        now = self.cluster.now
        for key in self.take():
            pod = self.store.get("Pod", *key)
            if isinstance(pod, Pod) and pod.node_name and pod.start_tick is None:
                self.at(now, pod)
        while self.heap and self.heap[0] <= now:
            # take the whole slot: timers set for this tick while it runs go to a new slot
            when = heapq.heappop(self.heap)
            for pod in self.timers.pop(when, {}).values():
                if pod.timer != when or self.store.get("Pod", pod.namespace, pod.name) is not pod:
                    continue      # re-timed or gone since
                pod.timer = None
                node = self.cluster.node(pod.node_name)
                if node is None or not node.alive or not self.cluster.kubelet_running(node.name):
                    continue      # a dead kubelet does nothing; recovery (or a start) resyncs its pods
                self._step(pod, node)
        if self.memory_watch:
            self._watch_memory()
        self.pressure.sync()
        self.disk.sync()

    def _write(self, pod: Pod) -> None:
        self.store.modified(pod, status_only=True, by_kubelet=True)

    def _event(self, pod: Pod, type_: str, reason: str, message: str, c: ContainerState | None = None) -> None:
        self.cluster.record(pod, type_, reason, message, "kubelet", host=pod.node_name,
                            field_path=_field_path(pod, c) if c is not None else "")

    # -- the pod's life ---------------------------------------------------------------------
    def _step(self, pod: Pod, node: Node) -> None:
        now = self.cluster.now
        for c in pod.all_containers:
            if c.next_probe and any(k.endswith(PARKED) for k in c.next_probe):
                _unpark(c, now)
        if pod.deletion_tick is not None:
            self._terminate(pod, node)
            return
        if pod.phase in ("Succeeded", "Failed"):
            return
        if pod.start_tick is None:
            self._begin(pod, node)
        before = _snapshot(pod)
        if not pod.initialized:
            self._step_init(pod, node)
        if pod.initialized:
            for c in pod.init_containers:
                if c.sidecar:
                    self._step_container(pod, node, c)
            for c in pod.containers:
                self._step_container(pod, node, c)
        self._settle(pod, node)
        wrote = _snapshot(pod) != before
        if wrote:
            self._write(pod)
        self._schedule(pod, now)
        hook = self.cluster.hooks.get("kubelet_running")     # kubegame.testing.faults only
        if hook is not None and pod.main.running and not wrote:
            hook(pod, node)

    def _begin(self, pod: Pod, node: Node) -> None:
        now = self.cluster.now
        pod.start_tick = now
        pod.phase = "Pending"
        pod.host_ip = node.internal_ip
        if pod.spec.get("hostNetwork"):
            pod.ip = node.internal_ip          # a host-network pod shares its node's address
        elif not pod.ip:
            pod.ip = f"10.244.{node.cidr_index}.{node.next_ip}"
            node.next_ip = node.next_ip + 1 if node.next_ip < 254 else 2
        for c in pod.all_containers:
            c.state, c.reason = "waiting", _creating(pod)
        self._write(pod)

    def _schedule(self, pod: Pod, now: int) -> None:
        due = [t for c in pod.all_containers for t in _due_ticks(c, now)]
        if due:
            self.at(max(now + 1, min(due)), pod)

    # -- init containers ---------------------------------------------------------------------
    def _step_init(self, pod: Pod, node: Node) -> None:
        """Init containers one after the other; a sidecar (restartPolicy Always) only has to start."""
        for c in pod.init_containers:
            if c.sidecar:
                self._step_container(pod, node, c)
                if not (c.running and c.started):
                    return
                continue
            if c.state == "terminated" and c.exit_code == 0:
                continue
            self._step_container(pod, node, c)
            if not (c.state == "terminated" and c.exit_code == 0):
                return
        pod.initialized = True
        pod.init_done_tick = self.cluster.now

    # -- one container -----------------------------------------------------------------------
    def _step_container(self, pod: Pod, node: Node, c: ContainerState) -> None:
        now = self.cluster.now
        if c.state == "waiting":
            if c.reason == "CrashLoopBackOff":
                if c.exit_at is None or c.exit_at <= now:
                    self._restart(pod, node, c)
                return
            if c.reason in ("ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull") and c.exit_at is not None \
                    and c.exit_at > now:
                return
            if c.reason in ("CreateContainerConfigError", "ContainerCreating", "PodInitializing") and c.exit_at is not None \
                    and c.exit_at > now and not c.pulling:
                return
            if c.pulling:
                if c.exit_at is not None and c.exit_at <= now:
                    self._pulled(pod, node, c)
                return
            if not c.pulled:
                self._pull(pod, node, c)
                if not c.pulled:
                    return
            problem = self._start_problem(pod, c)
            if problem:
                return
            self._start(pod, node, c)
            if c.running and c.exit_at == now:
                self._step_running(pod, node, c)              # an app over its memory limit at once
            return
        if c.state == "running":
            self._step_running(pod, node, c)
            return
        # terminated: restart by the policy (the first time at once, then after a back-off)
        if self._restarts(pod, c) and (c.exit_at is None or c.exit_at <= now):
            if c.backoff == 0:
                c.backoff = BACKOFF_INITIAL
                self._restart(pod, node, c)
            else:
                self._back_off(pod, c)

    def _pull(self, pod: Pod, node: Node, c: ContainerState) -> None:
        """The image manager: pull by the container's imagePullPolicy (images/image_manager.go)."""
        now = self.cluster.now
        registry = self.cluster.registry
        policy = c.spec.get("imagePullPolicy") or "IfNotPresent"
        known = registry.resolve(c.image)
        cached = known is not None and all(layer in node.layers for layer in known.all_layers())
        if policy == "Never":
            if cached:
                c.pulled = True
                return
            msg = f'Container image "{c.image}" is not present with pull policy of Never'
            if c.reason != "ErrImageNeverPull":
                self._event(pod, "Warning", "ErrImageNeverPull", msg, c)
                self._event(pod, "Warning", "Failed", "Error: ErrImageNeverPull", c)
            c.reason, c.message = "ErrImageNeverPull", msg
            c.exit_at = now + RETRY
            return
        if policy != "Always" and cached:
            self._event(pod, "Normal", "Pulled", f'Container image "{c.image}" already present on machine', c)
            c.pulled = True
            return
        image = registry.available(c.image, now)
        if image is None:
            self._pull_failed(pod, c)
            return
        done = node.pulls.get(image.name)
        if done is None or done < now:
            begin = max(now, node.pull_free_at)
            done = begin + max(1 if policy == "Always" else 0, registry.pull_ticks(image, node.layers))
            node.pull_free_at = done
            node.pulls[image.name] = done
        self._event(pod, "Normal", "Pulling", f'Pulling image "{c.image}"', c)
        c.reason, c.message = _creating(pod), ""
        c.pulling = True
        c.exit_at = max(done, now + 1)

    def _pulled(self, pod: Pod, node: Node, c: ContainerState) -> None:
        c.pulling = False
        c.exit_at = None
        image = self.cluster.registry.resolve(c.image)
        if image is None:
            self._pull_failed(pod, c)
            return
        for layer in image.all_layers():
            node.layers[layer] = True
        self.cluster.scheduler.refresh_node(node)
        node.pulls.pop(image.name, None)
        took = max(1, self.cluster.now - (pod.start_tick or self.cluster.now))
        size = int(image.size_mb * 1024 * 1024)
        self._event(pod, "Normal", "Pulled", f'Successfully pulled image "{c.image}" in {took}s '
                                             f"({took}s including waiting). Image size: {size} bytes.", c)
        c.pulled = True
        c.reason = _creating(pod)
        if self._start_problem(pod, c):
            return
        self._start(pod, node, c)

    def _pull_failed(self, pod: Pod, c: ContainerState) -> None:
        now = self.cluster.now
        ref = c.image if "/" in c.image else f"docker.io/library/{c.image}"
        if c.reason in ("ErrImagePull", "ImagePullBackOff"):
            c.backoff = min(max(c.backoff * 2, BACKOFF_INITIAL), BACKOFF_MAX)
            c.reason = "ImagePullBackOff"
            c.message = f'Back-off pulling image "{c.image}"'
            self._event(pod, "Normal", "BackOff", f'Back-off pulling image "{c.image}"', c)
            self._event(pod, "Warning", "Failed", "Error: ImagePullBackOff", c)
            c.exit_at = now + c.backoff
            return
        self._event(pod, "Normal", "Pulling", f'Pulling image "{c.image}"', c)
        msg = (f'Failed to pull image "{c.image}": rpc error: code = NotFound desc = failed to pull and '
               f'unpack image "{ref}": failed to resolve reference "{ref}": {ref}: not found')
        self._event(pod, "Warning", "Failed", msg, c)
        self._event(pod, "Warning", "Failed", "Error: ErrImagePull", c)
        c.reason, c.message = "ErrImagePull", msg
        c.exit_at = now + 1

    def _start_problem(self, pod: Pod, c: ContainerState) -> str:
        """A volume or a ConfigMap/Secret the container needs that is missing (it waits)."""
        now = self.cluster.now
        vol_err = self.volume_error(pod)
        if vol_err:
            if c.message != vol_err:
                if vol_err.startswith("Multi-Attach"):     # the attach/detach controller's, not the kubelet's
                    self.cluster.record(pod, "Warning", "FailedAttachVolume", vol_err, "attachdetach-controller")
                else:
                    self._event(pod, "Warning", "FailedMount", vol_err)
            c.reason, c.message = _creating(pod), vol_err
            c.exit_at = now + RETRY
            return vol_err
        cfg_err = self.config_error(pod, c)
        if cfg_err:
            if c.reason != "CreateContainerConfigError":
                self._event(pod, "Warning", "Failed", f"Error: {cfg_err}", c)
            c.reason, c.message = "CreateContainerConfigError", cfg_err
            c.exit_at = now + RETRY
            return cfg_err
        return ""

    def config_error(self, pod: Pod, c: ContainerState | None = None) -> str:
        """A ConfigMap or Secret a container's environment needs that does not exist."""
        specs = [c.spec] if c is not None else pod.spec.get("containers") or []
        for cs in specs:
            for env in cs.get("env") or []:
                src = (env.get("valueFrom") or {})
                for ref_kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                    ref = src.get(field)
                    if ref and not ref.get("optional"):
                        obj = self.cluster.get(ref_kind, pod.namespace, ref.get("name", ""))
                        if obj is None:
                            return f'{ref_kind.lower()} "{ref.get("name")}" not found'
                        data = dict(obj.extra.get("data") or {})
                        data.update(obj.extra.get("stringData") or {})
                        if ref.get("key") not in data:
                            return f"couldn't find key {ref.get('key')} in {ref_kind} {pod.namespace}/{ref.get('name')}"
            for src in cs.get("envFrom") or []:
                for ref_kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    ref = src.get(field)
                    if ref and not ref.get("optional") and self.cluster.get(ref_kind, pod.namespace,
                                                                           ref.get("name", "")) is None:
                        return f'{ref_kind.lower()} "{ref.get("name")}" not found'
        return ""

    def volume_error(self, pod: Pod) -> str:
        for vol in pod.spec.get("volumes") or []:
            for ref_kind, field, name_key in (("ConfigMap", "configMap", "name"), ("Secret", "secret", "secretName")):
                ref = vol.get(field)
                if ref and not ref.get("optional") and self.cluster.get(ref_kind, pod.namespace,
                                                                       ref.get(name_key, "")) is None:
                    return (f'MountVolume.SetUp failed for volume "{vol.get("name")}" : '
                            f'{ref_kind.lower()} "{ref.get(name_key)}" not found')
            claim = (vol.get("persistentVolumeClaim") or {}).get("claimName")
            if claim:
                err = self.claim_error(pod, str(vol.get("name")), claim)
                if err:
                    return err
        return ""

    def claim_error(self, pod: Pod, volume: str, claim: str) -> str:
        """The volume manager's wait for a claim, and the attach/detach controller's Multi-Attach
        check: a ReadWriteOnce disk attaches to one node at a time."""
        pvc = self.cluster.get("PersistentVolumeClaim", pod.namespace, claim)
        unmounted = f"Unable to attach or mount volumes: unmounted volumes=[{volume}], unattached volumes=[{volume}]: "
        if pvc is None:
            return (unmounted + f"error processing PVC {pod.namespace}/{claim}: failed to fetch PVC from API "
                    f'server: persistentvolumeclaims "{claim}" not found')
        if pvc.status.get("phase") != "Bound" or not pvc.spec.get("volumeName"):
            return unmounted + f"error processing PVC {pod.namespace}/{claim}: PVC is not bound"
        pv = self.cluster.get("PersistentVolume", "", pvc.spec["volumeName"])
        modes = (pv.spec.get("accessModes") if pv is not None else None) or []
        if pv is not None and "csi" in pv.spec and not {"ReadWriteMany", "ReadOnlyMany"} & set(modes):
            others = [p for p in self.cluster.volumes.users_of(pod.namespace, claim)
                      if p.key != pod.key and p.node_name and p.node_name != pod.node_name
                      and p.phase not in ("Succeeded", "Failed") and (p.state == "running" or p.restart_count)]
            if others:
                return (f'Multi-Attach error for volume "{pv.name}" Volume is already used by pod(s) '
                        + ", ".join(p.name for p in others))
        return ""

    def _start(self, pod: Pod, node: Node, c: ContainerState) -> None:
        """Create and start the container; work out when the app listens, exits or runs out of memory."""
        now = self.cluster.now
        image = self.cluster.registry.resolve(c.image)
        if image is None:
            self._pull_failed(pod, c)
            return
        app = image.app
        if app.check:
            from kubegame.engine import system
            app = system.effective_app(self.cluster, pod, app)
        self._event(pod, "Normal", "Created", f"Created container: {c.name}", c)
        self._event(pod, "Normal", "Started", f"Started container {c.name}", c)
        c.state, c.reason, c.message = "running", "", ""
        c.app = app
        c.started_tick = now
        c.exit_code = None
        c.killed = False
        c.stop_at = None
        c.exit_at = None
        c.probes, c.next_probe = {}, {}
        limits = (c.spec.get("resources") or {}).get("limits") or {}
        c.memory_limit = memory_bytes(limits.get("memory", 0))
        c.cpu_limit = cpu_millis(limits.get("cpu", 0))
        c.listening_at = now + max(0, image.startup_ticks) if app.listens else None
        startup = c.spec.get("startupProbe")
        c.started = not startup
        c.ready = False
        for field, _kind in PROBE_KINDS:
            probe = c.spec.get(field)
            if probe and not (c.init and not c.sidecar and field != "startupProbe"):
                if field == "startupProbe" or not startup:
                    c.next_probe[field] = now + _p(probe, "initialDelaySeconds")
        if not c.init or c.sidecar:
            c.ready = c.started and not c.spec.get("readinessProbe")
        # the app's own end: a crash, missing config, finished work, a memory leak over the limit
        missing_env = [e for e in app.needs_env if e not in self._env(pod, c)]
        missing_files = [f for f in app.needs_files if f not in self._files(pod, c)]
        if missing_env or missing_files:
            self._due_exit(c, now + 1, 1, "Error")
        elif app.check and not c.init and self._system_problem(pod, app.check):
            self._due_exit(c, now + 1, 1, "Error")
        elif image.crashes_on(node.kernel):
            self._due_exit(c, now + max(1, image.startup_ticks), 1, "Error")
        elif c.init and not c.sidecar:
            self._init_work(pod, c, image)
        elif image.run_ticks is not None:
            self._due_exit(c, now + max(1, image.run_ticks), image.exit_code,
                           "Completed" if image.exit_code == 0 else "Error")
        elif image.app is TOOLBOX and (c.spec.get("command") or c.spec.get("args")):
            ends = command_end(c.spec)
            if ends is not None:
                self._due_exit(c, now + ends[0], ends[1], "Completed" if ends[1] == 0 else "Error")
        if c.memory_limit:
            ws = app.working_set(0, 0)
            if ws > c.memory_limit:
                self._due_exit(c, now, 137, "OOMKilled")        # killed as it starts (see _step_container)
            elif app.leak_mb_per_tick:
                ticks = math.ceil((c.memory_limit - ws) / (app.leak_mb_per_tick * 1024 * 1024))
                self._due_exit(c, now + max(1, ticks), 137, "OOMKilled")
        if app.memory_dynamic:
            self.memory_watch[pod.key] = pod
        self.pressure.watch(node)

    def _init_work(self, pod: Pod, c: ContainerState, image: Any) -> None:
        """An init container runs its command to completion: a wait loop (`until nslookup db ...`)
        until what it waits for answers, anything else for the image's run (or start) time."""
        cmd = " ".join(str(x) for x in (c.spec.get("command") or []) + (c.spec.get("args") or []))
        if INIT_WAIT.search(cmd) and ("until" in cmd or "while" in cmd):
            c.exit_at = None           # polled every 2 s in _step_running
            c.next_probe["_wait"] = self.cluster.now + 1
            return
        ticks = image.run_ticks if image.run_ticks is not None else max(1, image.startup_ticks)
        self._due_exit(c, self.cluster.now + ticks, image.exit_code, "Completed" if image.exit_code == 0 else "Error")

    def _system_problem(self, pod: Pod, check: str) -> str:
        from kubegame.engine import system
        return system.start_problem(self.cluster, pod, check)

    @staticmethod
    def _due_exit(c: ContainerState, tick: int, code: int, reason: str) -> None:
        if c.exit_at is None or tick < c.exit_at:
            c.exit_at, c.exit_code_due, c.exit_reason_due = tick, code, reason

    def _env(self, pod: Pod, c: ContainerState) -> dict[str, str]:
        from kubegame.engine.shell import container_env
        return container_env(self.cluster, pod.namespace, c.spec)

    def _files(self, pod: Pod, c: ContainerState) -> dict[str, Any]:
        from kubegame.engine.shell import Shell
        return Shell(self.cluster, pod, pod.namespace, pod.name, c.name).files()

    def _step_running(self, pod: Pod, node: Node, c: ContainerState) -> None:
        now = self.cluster.now
        if c.listening_at == now:
            self.cluster.traffic.pod_changed(pod)           # the app accepts connections now
        if c.stop_at is not None and c.stop_at <= now:
            code = 137 if c.app is not None and c.app.ignores_sigterm else 143
            self._exit(pod, node, c, code, "Error")
            return
        if c.exit_at is not None and c.exit_at <= now and c.stop_at is None:
            self._exit(pod, node, c, c.exit_code_due, c.exit_reason_due)
            return
        if "_wait" in c.next_probe and c.next_probe["_wait"] <= now:
            if self._init_check(pod, c):
                c.next_probe.pop("_wait")
                self._exit(pod, node, c, 0, "Completed")
                return
            c.next_probe["_wait"] = now + 2
        for field, kind in PROBE_KINDS:
            due = c.next_probe.get(field)
            if due is None or due > now or c.stop_at is not None:
                continue
            probe = c.spec.get(field) or {}
            ok, msg = self.run_probe(pod, c, probe)
            c.next_probe[field] = now + max(1, _p(probe, "periodSeconds"))
            counts = c.probes.setdefault(field, [0, 0])
            if ok:
                counts[0], counts[1] = counts[0] + 1, 0
            else:
                counts[0], counts[1] = 0, counts[1] + 1
                self._event(pod, "Warning", "Unhealthy", f"{kind} probe failed: {msg}", c)
            if field == "startupProbe":
                if ok and counts[0] >= 1:
                    c.started = True
                    c.next_probe.pop("startupProbe", None)
                    for other in ("readinessProbe", "livenessProbe"):
                        if c.spec.get(other):
                            c.next_probe[other] = now + _p(c.spec[other], "initialDelaySeconds")
                    if not c.spec.get("readinessProbe"):
                        c.ready = True
                elif counts[1] >= _p(probe, "failureThreshold"):
                    self._kill(pod, c, "startup")
                    return
            elif field == "readinessProbe":
                if ok and counts[0] >= _p(probe, "successThreshold"):
                    c.ready = True
                elif not ok and counts[1] >= _p(probe, "failureThreshold"):
                    c.ready = False
            elif field == "livenessProbe" and not ok and counts[1] >= _p(probe, "failureThreshold"):
                self._kill(pod, c, "liveness")
                return
            if ok and field != "startupProbe" and (c.ready or field == "livenessProbe") and self._steady(pod, c, probe):
                c.next_probe[field + PARKED] = c.next_probe.pop(field)

    def _steady(self, pod: Pod, c: ContainerState, probe: dict) -> bool:
        """Will this passing probe pass every time until something happens to the pod? True for an
        HTTP, TCP or gRPC probe its own app answers (an app's answers change only when it starts,
        stops or reloads, and each of those steps the pod); an exec probe reads files that change."""
        spec = probe.get("httpGet") or probe.get("tcpSocket") or probe.get("grpc")
        if not isinstance(spec, dict) or c.stop_at is not None:
            return False
        port = _probe_port(c, spec.get("port"))
        return port is not None and self._listener(pod, port) is c

    def _init_check(self, pod: Pod, c: ContainerState) -> bool:
        """Does what an init container's loop waits for answer now? (run through the container's shell)"""
        from kubegame.engine.shell import Shell
        cmd = " ".join(str(x) for x in (c.spec.get("command") or []) + (c.spec.get("args") or []))
        m = INIT_WAIT.search(cmd)
        if m is None:
            return True
        tool, target = m.group(1), m.group(2)
        argv = [tool, "-q", "-O-", target] if tool == "wget" else [tool, target]
        _out, _err, code = Shell(self.cluster, pod, pod.namespace, pod.name, c.name).run(argv)
        return code == 0

    def _kill(self, pod: Pod, c: ContainerState, why: str) -> None:
        """A failed liveness or startup probe: the container is stopped and restarted."""
        now = self.cluster.now
        self._event(pod, "Normal", "Killing", f"Container {c.name} failed {why} probe, will be restarted", c)
        grace = int(pod.spec.get("terminationGracePeriodSeconds", 30))
        app = c.app
        stop = grace if app is None or app.ignores_sigterm else min(grace, max(1, app.stop_ticks))
        c.stop_at = now + max(1, stop)
        c.killed = True
        c.ready = False

    def _exit(self, pod: Pod, node: Node, c: ContainerState, code: int, reason: str) -> None:
        """The container's process ended: record it, then restart it by the policy (with back-off)."""
        now = self.cluster.now
        ran = now - (c.started_tick or now)
        c.state, c.exit_code, c.reason, c.message = "terminated", code, reason, ""
        c.finished_tick = now
        c.ready = False
        c.started = False
        c.stop_at = None
        c.exit_at = None
        c.next_probe, c.probes = {}, {}
        if reason == "OOMKilled":
            self._event(pod, "Warning", "OOMKilling",
                        f"Memory cgroup out of memory: Killed process in container {c.name}", c)
        self.pressure.watch(node)
        if ran >= BACKOFF_RESET:
            c.backoff = 0
        if self._restarts(pod, c):
            c.exit_at = now + 1          # the container shows its exit for a tick, then restarts or backs off

    def _back_off(self, pod: Pod, c: ContainerState) -> None:
        """After a restart: wait in CrashLoopBackOff (10 s, doubling to 5 minutes) before the next start."""
        now = self.cluster.now
        c.last_state = _terminated(c)
        c.exit_at = now + max(1, c.backoff - 1)
        c.state, c.reason = "waiting", "CrashLoopBackOff"
        c.message = (f"back-off {c.backoff}s restarting failed container={c.name} pod={pod.name}_{pod.namespace}"
                     f"({pod.uid})")
        self._event(pod, "Warning", "BackOff", "Back-off restarting failed container "
                                               f"{c.name} in pod {pod.name}_{pod.namespace}({pod.uid})", c)
        c.backoff = min(c.backoff * 2, BACKOFF_MAX)

    def _restarts(self, pod: Pod, c: ContainerState) -> bool:
        if c.sidecar:
            return True
        policy = pod.spec.get("restartPolicy", "Always")
        if c.init:
            return c.exit_code != 0 and policy != "Never"
        return policy == "Always" or (policy == "OnFailure" and c.exit_code != 0)

    def _restart(self, pod: Pod, node: Node, c: ContainerState) -> None:
        if c.state == "terminated":
            c.last_state = _terminated(c)
        c.state, c.reason = "waiting", ""
        c.restart_count += 1
        c.exit_at = None
        c.pulled = c.pulled and (c.spec.get("imagePullPolicy") or "IfNotPresent") != "Always"
        if not c.pulled:
            c.state, c.reason = "waiting", _creating(pod)
            self._pull(pod, node, c)
            if not c.pulled:
                return
        if self._start_problem(pod, c):
            return
        self._start(pod, node, c)

    # -- the pod as a whole ------------------------------------------------------------------
    def _settle(self, pod: Pod, node: Node) -> None:
        """Phase and the Ready condition from the containers (kubelet's generateAPIPodStatus)."""
        now = self.cluster.now
        if not pod.initialized:
            failed = [c for c in pod.init_containers if c.state == "terminated" and c.exit_code
                      and not self._restarts(pod, c)]
            if failed:
                self._finish(pod, node, "Failed")
                return
            pod.phase = "Pending"
        else:
            regular = pod.containers
            done = [c for c in regular if c.state == "terminated" and not self._restarts(pod, c)]
            if len(done) == len(regular):
                self._finish(pod, node, "Succeeded" if all(c.exit_code == 0 for c in done) else "Failed")
                return
            if any(c.running or c.restart_count or c.state == "terminated" for c in regular):
                pod.phase = "Running"
        sidecars = [c for c in pod.init_containers if c.sidecar]
        ready = pod.initialized and all(c.ready for c in pod.containers) and all(c.ready for c in sidecars)
        if ready != pod.ready:
            pod.ready = ready
            pod.ready_tick = now

    def _finish(self, pod: Pod, node: Node, phase: str) -> None:
        if pod.phase in ("Succeeded", "Failed"):
            return
        pod.phase = phase
        pod.ready = False
        for c in pod.all_containers:
            c.ready = False
            if c.running:
                c.state, c.exit_code, c.reason, c.finished_tick = "terminated", 0, "Completed", self.cluster.now
        for c in pod.containers:
            if c.exit_code == 0:
                c.last_state = None
        self.cluster.account(pod, pod.node_name, -1)
        self.memory_watch.pop(pod.key, None)
        self.pressure.watch(node)

    # -- memory --------------------------------------------------------------------------------
    def demand(self, pod: Pod, c: ContainerState) -> int:
        """The memory (bytes) a running container's app wants now: at rest, per request, leaked."""
        if not c.running or c.app is None:
            return 0
        # only the first container serves, and its traffic matters only to an app whose memory follows it
        rps = self.cluster.traffic.pod_rps(pod) if c.app.memory_per_rps_mb and pod.containers \
            and c is pod.containers[0] else 0
        return c.app.working_set(rps, self.cluster.now - (c.started_tick or self.cluster.now))

    def working_set(self, pod: Pod) -> int:
        """The pod's memory in use now (bytes): its running containers' working sets, each at most
        its limit (a cgroup never holds more; the kernel OOM-kills the app that asks for more)."""
        total = 0
        for c in pod.all_containers:
            want = self.demand(pod, c)
            total += min(want, c.memory_limit) if c.memory_limit else want
        return total

    def _watch_memory(self) -> None:
        """Pods whose memory follows their traffic: over its limit a container is OOMKilled."""
        now = self.cluster.now
        for pod in list(self.memory_watch.values()):
            node = self.cluster.node(pod.node_name)
            if node is None or not node.alive or pod.deletion_tick is not None:
                continue
            for c in pod.containers[:1]:
                if c.running and c.memory_limit and c.app is not None and c.exit_at != now:
                    if self.demand(pod, c) > c.memory_limit:
                        self._due_exit(c, now, 137, "OOMKilled")
                        self.at(now, pod)
                        self._step(pod, node)

    def evict(self, pod: Pod, message: str, container: str) -> None:
        """The eviction manager's verdict: stop every container, the pod ends Failed/Evicted."""
        node = self.cluster.node(pod.node_name)
        self._event(pod, "Warning", "Evicted", message)
        pod.reason, pod.status_message = "Evicted", message
        for c in pod.all_containers:
            if c.running:
                self._event(pod, "Normal", "Killing", f"Stopping container {c.name}", c)
        if node is not None:
            self._finish(pod, node, "Failed")
            for c in pod.all_containers:
                # kubelet_pods.go: a container of a terminated pod the runtime no longer has
                c.exit_code, c.reason = 137, "ContainerStatusUnknown"
        self._write(pod)

    # -- what the network sees ----------------------------------------------------------------
    def app_running(self, pod: Pod) -> bool:
        """The pod's main app is up on a live node (it may still not listen yet)."""
        node = self.cluster.node(pod.node_name) if pod.node_name else None
        return node is not None and node.alive and pod.main.running

    def http_answer(self, pod: Pod, port: int, path: str) -> int | None:
        """What an HTTP request to the pod's port gets: a status, or None (connection refused)."""
        c = self._listener(pod, port)
        if c is None:
            return None
        return c.app.http_status(path)

    def _listener(self, pod: Pod, port: int) -> ContainerState | None:
        now = self.cluster.now
        node = self.cluster.node(pod.node_name) if pod.node_name else None
        if node is None or not node.alive:
            return None
        for c in pod.containers + [s for s in pod.init_containers if s.sidecar]:
            if c.running and c.app is not None and c.listening_at is not None and c.listening_at <= now \
                    and c.app.listens_on(port) and c.stop_at is None:
                return c
        return None

    def listening(self, pod: Pod, port: int) -> bool:
        return self._listener(pod, port) is not None

    def run_probe(self, pod: Pod, c: ContainerState, probe: dict) -> tuple[bool, str]:
        """One probe of a container (prober/prober.go): (success, the failure as the kubelet words it)."""
        ip = pod.ip
        if "httpGet" in probe:
            h = probe.get("httpGet") or {}
            port = _probe_port(c, h.get("port"))
            path = h.get("path") or "/"
            scheme = str(h.get("scheme") or "HTTP").lower()
            listener = self._listener(pod, port) if port is not None else None
            if listener is None or listener is not c and c.app is not None and not c.app.listens_on(port or -1):
                if listener is None:
                    return False, (f'Get "{scheme}://{ip}:{port}{path}": dial tcp {ip}:{port}: connect: '
                                   "connection refused")
            status = listener.app.http_status(path)
            if 200 <= status < 400:
                return True, ""
            return False, f"HTTP probe failed with statuscode: {status}"
        if "tcpSocket" in probe:
            port = _probe_port(c, (probe.get("tcpSocket") or {}).get("port"))
            if port is not None and self.listening(pod, port):
                return True, ""
            return False, f"dial tcp {ip}:{port}: connect: connection refused"
        if "grpc" in probe:
            port = (probe.get("grpc") or {}).get("port")
            listener = self._listener(pod, int(port)) if isinstance(port, int) else None
            if listener is None:
                return False, f'timeout: failed to connect service "{ip}:{port}" within 1s'
            if not listener.app.grpc_health:
                return False, "rpc error: code = Unimplemented desc = unknown service grpc.health.v1.Health"
            return True, ""
        if "exec" in probe:
            from kubegame.engine.shell import Shell
            argv = [str(x) for x in (probe.get("exec") or {}).get("command") or []]
            out, err, code = Shell(self.cluster, pod, pod.namespace, pod.name, c.name).run(argv)
            return code == 0, (out + err).rstrip("\n")
        return True, ""

    # -- termination and node recovery ------------------------------------------------------
    def pod_deleting(self, pod: Pod) -> None:
        """Graceful deletion began: preStop hooks, then SIGTERM (or remove a pod that never ran)."""
        node = self.cluster.node(pod.node_name) if pod.node_name else None
        if node is None:
            self.cluster.remove_pod(pod)
            return
        if not node.alive:
            return                   # stays Terminating until the node comes back or a force delete
        pod.ready = False
        self.at(self.cluster.now, pod)

    def _terminate(self, pod: Pod, node: Node) -> None:
        now = self.cluster.now
        deadline = (pod.deletion_tick or now) + (pod.deletion_grace or 0)
        running = [c for c in pod.all_containers if c.running]
        if not running or now >= deadline:
            for c in running:
                self._exit(pod, node, c, 137, "Error")       # SIGKILL at the end of the grace period
            if not self.cluster.remove_pod(pod, by_kubelet=True):
                self.at(now + 1, pod)      # the API server cannot take the deletion yet
            return
        begun = pod.deletion_tick if pod.deletion_tick is not None else now     # what the kubelet saw then
        if pod.stop_stage == "":
            pod.stop_stage = "prestop"
            pod.prestop_until = begun
            for c in running:
                hook = ((c.spec.get("lifecycle") or {}).get("preStop")) or {}
                pod.prestop_until = max(pod.prestop_until, begun + self._prestop(pod, c, hook))
            self.at(min(deadline, pod.prestop_until), pod)
            if pod.prestop_until > now:
                return
        if pod.stop_stage == "prestop" and now >= min(deadline, pod.prestop_until or now):
            pod.stop_stage = "sigterm"
            # regular containers first, sidecars after them (in reverse order) as the kubelet stops them
            for c in [c for c in running if not c.sidecar] + [c for c in reversed(running) if c.sidecar]:
                self._event(pod, "Normal", "Killing", f"Stopping container {c.name}", c)
                app = c.app
                sent = max(begun, min(deadline, pod.prestop_until or begun))
                stop = deadline - sent if app is None or app.ignores_sigterm else max(1, app.stop_ticks)
                c.stop_at = max(now, min(deadline, sent + stop))
                c.ready = False
            self._write(pod)
        for c in running:
            if c.stop_at is not None and c.stop_at <= now:
                code = 137 if c.stop_at >= deadline and c.app is not None and c.app.ignores_sigterm else 0
                c.state, c.exit_code, c.finished_tick = "terminated", code, now
                c.reason = "Completed" if code == 0 else "Error"
        if not any(c.running for c in pod.all_containers):
            if not self.cluster.remove_pod(pod, by_kubelet=True):
                self.at(now + 1, pod)
            return
        stops = [c.stop_at for c in pod.all_containers if c.running and c.stop_at is not None]
        self.at(min([deadline] + stops), pod)

    def _prestop(self, pod: Pod, c: ContainerState, hook: dict) -> int:
        """Run a preStop hook; returns how many ticks it takes (sleep), counted in the grace period."""
        if "sleep" in hook:
            return max(0, int((hook.get("sleep") or {}).get("seconds", 0)))
        if "exec" in hook:
            from kubegame.engine.shell import Shell
            argv = [str(x) for x in (hook.get("exec") or {}).get("command") or []]
            secs = _sleep_seconds(argv)
            out, err, code = Shell(self.cluster, pod, pod.namespace, pod.name, c.name).run(argv)
            if code:
                self._event(pod, "Warning", "FailedPreStopHook",
                            f"PreStopHook failed: command {argv!r} exited with {code}: {(out + err).strip()}", c)
            return secs
        if "httpGet" in hook:
            h = hook.get("httpGet") or {}
            port = _probe_port(c, h.get("port"))
            if port is None or self.http_answer(pod, port, h.get("path") or "/") is None:
                self._event(pod, "Warning", "FailedPreStopHook",
                            f'PreStopHook failed: Get "http://{pod.ip}:{port}{h.get("path") or "/"}": dial tcp '
                            f"{pod.ip}:{port}: connect: connection refused", c)
        return 0

    def kill(self, pod: Pod) -> None:
        """The container was killed from outside (chaos, SIGKILL): exit code 137."""
        node = self.cluster.node(pod.node_name)
        c = pod.main
        self._event(pod, "Normal", "Killing", f"Stopping container {c.name}", c)
        if node is not None:
            self._exit(pod, node, c, 137, "Error")
            self._settle(pod, node)
            self._write(pod)
            self._schedule(pod, self.cluster.now)

    def node_recovered(self, node: Node) -> None:
        """The machine is back (it rebooted): finish deletions, restart containers."""
        now = self.cluster.now
        for pod in list(self.store.pods_on(node.name).values()):
            if pod.deletion_tick is not None:
                for c in pod.all_containers:      # the reboot killed the containers: confirm the deletion
                    if c.running:
                        c.state, c.exit_code, c.reason, c.finished_tick = "terminated", 255, "Unknown", now
                pod.ready = False
                self.at(now, pod)
                continue
            if pod.phase in ("Succeeded", "Failed"):
                continue
            rebooted = False
            for c in pod.all_containers:
                if c.running:        # the reboot killed it: it exits Unknown and restarts by the policy
                    c.state, c.exit_code, c.reason, c.finished_tick = "terminated", 255, "Unknown", now
                    c.ready = c.started = False
                    c.stop_at, c.next_probe, c.probes = None, {}, {}
                    c.exit_at = now + 1
                    rebooted = True
                elif c.state == "waiting" and c.exit_at is not None:
                    c.exit_at = max(c.exit_at, now + 1)
            if rebooted:
                pod.ready = False
                self._write(pod)
            self.at(now + 1, pod)


# -- helpers ---------------------------------------------------------------------------------------

def _creating(pod: Pod) -> str:
    """The waiting reason of a container not yet created: PodInitializing in a pod with init containers
    (kubelet_pods.go convertToAPIContainerStatuses, defaultWaitingState), else ContainerCreating."""
    return "PodInitializing" if pod.init_containers else "ContainerCreating"


def _p(probe: dict, field: str) -> int:
    v = probe.get(field)
    return int(v) if isinstance(v, int) and not isinstance(v, bool) else PROBE_DEFAULTS[field]


def _probe_port(c: ContainerState, port: Any) -> int | None:
    """A probe's port: a number, or the name of one of the container's ports."""
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    if isinstance(port, str):
        if port.isdigit():
            return int(port)
        for p in c.spec.get("ports") or []:
            if isinstance(p, dict) and p.get("name") == port:
                return p.get("containerPort")
    return None


def _terminated(c: ContainerState) -> dict:
    return {"containerID": "", "exitCode": c.exit_code or 0, "finishedAt": _ts(c.finished_tick or 0),
            "reason": c.reason or ("Completed" if not c.exit_code else "Error"), "startedAt": _ts(c.started_tick or 0)}


def _unpark(c: ContainerState, now: int) -> None:
    """Something happened to the pod: its parked probes run again on their own schedule (the
    first period tick at or after now), exactly as if they had run, and passed, all along."""
    for key in [k for k in c.next_probe if k.endswith(PARKED)]:
        field = key[:-len(PARKED)]
        due = c.next_probe.pop(key)
        period = max(1, _p(c.spec.get(field) or {}, "periodSeconds"))
        if due < now:
            due += -(-(now - due) // period) * period
        c.next_probe[field] = due


def _due_ticks(c: ContainerState, now: int) -> list[int]:
    """When the container next needs the kubelet (a probe, its exit, a stop, its app starting to listen)."""
    out = [t for k, t in c.next_probe.items() if not k.endswith(PARKED)]
    for t in (c.exit_at, c.stop_at):
        if t is not None:
            out.append(t)
    if c.running and c.listening_at is not None and c.listening_at > now:
        out.append(c.listening_at)
    return out


def _snapshot(pod: Pod) -> tuple:
    """What a pod's status shows (to write it only when it changed)."""
    return (pod.phase, pod.ready, pod.initialized, tuple((c.state, c.reason, c.message, c.ready, c.started,
                                                          c.restart_count, c.exit_code) for c in pod.all_containers))


def _field_path(pod: Pod, c: ContainerState) -> str:
    """`spec.containers{app}` / `spec.initContainers{init}`: the part of the pod an event is about."""
    return f"spec.{'initContainers' if c.init else 'containers'}{{{c.name}}}"


def _sleep_seconds(argv: list[str]) -> int:
    """How long a preStop exec hook such as `sh -c "sleep 5"` takes."""
    text = " ".join(argv)
    m = re.search(r"\bsleep\s+(\d+)", text)
    return int(m.group(1)) if m else 0


__all__ = ["BACKOFF_INITIAL", "BACKOFF_MAX", "Kubelet"]


ONE_SHOT = ("true", "date", "echo", "printenv", "env", "hostname", "ls", "cat", "nslookup", "wget", "curl", "uname",
            "id", "whoami", "pwd", "df", "ps")
SLEEP = re.compile(r"(?:^|[;&|]\s*|\s)sleep\s+(\d+)\s*$")


def command_end(spec: dict) -> tuple[int, int] | None:
    """When a toolbox container (busybox, alpine, curl) given a command ends: (ticks, exit code), or
    None while it runs on (`sleep infinity`, `tail -f`, a loop). `true`, `date`, `echo hi` end at once
    with 0, `false` with 1, `sleep 30` (also last in `sh -c "...; sleep 30"`) after 30 ticks."""
    argv = [str(x) for x in (spec.get("command") or []) + (spec.get("args") or [])]
    if argv[:2] in (["sh", "-c"], ["/bin/sh", "-c"], ["bash", "-c"]) and len(argv) > 2:
        line = " ".join(argv[2:]).strip()
    else:
        line = " ".join(argv).strip()
    if not line or re.search(r"\b(while|until|for)\b|tail\s+-f|sleep\s+inf", line):
        return None
    m = SLEEP.search(line)
    if m:
        return max(1, int(m.group(1))), 0
    last = re.split(r"[;&|]+", line)[-1].strip().split()
    prog = last[0].rsplit("/", 1)[-1] if last else ""
    if prog == "false" or line.rstrip().endswith("exit 1"):
        return 1, 1
    if prog in ONE_SHOT or line.startswith(("echo ", "exit 0")):
        return 1, 0
    if prog == "exit" and len(last) > 1 and last[1].isdigit():
        return 1, int(last[1])
    return None
