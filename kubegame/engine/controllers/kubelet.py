"""The kubelets: pull images, start containers, readiness, crashes and back-off, termination.

One object plays every node's kubelet. It is driven by a timer wheel (tick -> pods
that have something due), so a steady pod costs nothing per tick.
Messages follow pkg/kubelet (images/image_manager.go, kuberuntime, container/backoff).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING

from kubegame.engine.controllers.base import Controller
from kubegame.engine.objects import Node, Pod
from kubegame.engine.objects import timestamp as _ts

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

BACKOFF_INITIAL = 10      # kubelet's container restart back-off starts at 10 s ...
BACKOFF_MAX = 300         # ... doubles, and is capped at 5 minutes
BACKOFF_RESET = 600       # a container that ran 10 minutes starts over at 10 s


class Kubelet(Controller):
    name = "kubelet"
    needs_quorum = False      # kubelets keep their pods running while the control plane is down

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.timers: dict[int, dict[tuple[str, str], Pod]] = {}
        self.heap: list[int] = []          # the ticks that have timers, earliest first
        self.store.subscribe("Pod", self._on_pod)

    # -- watch ------------------------------------------------------------------------------
    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event == "MODIFIED" and pod.node_name and pod.start_tick is None and pod.timer is None \
                and pod.deletion_tick is None:
            self.enqueue(pod.key)

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
                if node is None or not node.alive:
                    continue      # a dead kubelet does nothing; recovery resyncs its pods
                self._step(pod, node)

    def _write(self, pod: Pod) -> None:
        self.store.modified(pod, status_only=True, by_kubelet=True)

    def _event(self, pod: Pod, type_: str, reason: str, message: str) -> None:
        self.cluster.record(pod, type_, reason, message, "kubelet", host=pod.node_name)

    # -- the pod's life ---------------------------------------------------------------------
    def _step(self, pod: Pod, node: Node) -> None:
        now = self.cluster.now
        if pod.deletion_tick is not None:
            done_at = pod.deletion_tick + (pod.deletion_grace or 0)
            if pod.state != "running" or now >= done_at:
                if not self.cluster.remove_pod(pod, by_kubelet=True):
                    self.at(now + 1, pod)      # the API server cannot take the deletion yet
            else:
                self.at(done_at, pod)          # still inside its grace period
            return
        if pod.start_tick is None:
            self._begin(pod, node)
            return
        if pod.phase in ("Succeeded", "Failed"):
            return
        if pod.state == "waiting" and pod.pulling:
            self._pulled(pod, node)
        elif pod.state == "waiting" and pod.waiting_reason in ("ContainerCreating", "ErrImagePull",
                                                               "ImagePullBackOff", "CreateContainerConfigError"):
            self._pull_or_start(pod, node)
        elif pod.state == "waiting" or pod.state == "terminated":
            self._start_container(pod, node, restart=True)
        elif pod.state == "running":
            self._running_timer(pod, node)

    def _begin(self, pod: Pod, node: Node) -> None:
        now = self.cluster.now
        pod.start_tick = now
        pod.phase = "Pending"
        pod.state = "waiting"
        pod.waiting_reason = "ContainerCreating"
        pod.host_ip = f"172.18.0.{node.cidr_index + 2}"
        if not pod.ip:
            pod.ip = f"10.244.{node.cidr_index}.{node.next_ip}"
            node.next_ip = node.next_ip + 1 if node.next_ip < 254 else 2
        self._write(pod)
        self._pull_or_start(pod, node)

    def config_error(self, pod: Pod) -> str:
        """A ConfigMap or Secret the pod needs that does not exist (CreateContainerConfigError)."""
        for c in pod.spec.get("containers") or []:
            for env in c.get("env") or []:
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
            for src in c.get("envFrom") or []:
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
        return ""

    def _pull_or_start(self, pod: Pod, node: Node) -> None:
        now = self.cluster.now
        vol_err = self.volume_error(pod)
        if vol_err:
            if pod.waiting_message != vol_err:
                self._event(pod, "Warning", "FailedMount", vol_err)
            pod.waiting_reason, pod.waiting_message = "ContainerCreating", vol_err
            self._write(pod)
            self.at(now + 10, pod)
            return
        registry = self.cluster.registry
        image = registry.available(pod.image, now)
        if image is None:
            self._pull_failed(pod)
            return
        cfg_err = self.config_error(pod)
        cached = all(layer in node.layers for layer in image.all_layers())
        if cached and not cfg_err:
            self._event(pod, "Normal", "Pulled", f'Container image "{pod.image}" already present on machine')
            self._start_container(pod, node)
            return
        if cached and cfg_err:
            if pod.waiting_reason != "CreateContainerConfigError":
                self._event(pod, "Warning", "Failed", f"Error: {cfg_err}")
            pod.waiting_reason, pod.waiting_message = "CreateContainerConfigError", cfg_err
            self._write(pod)
            self.at(now + 10, pod)
            return
        done = node.pulls.get(image.name)
        if done is None or done < now:
            begin = max(now, node.pull_free_at)
            done = begin + registry.pull_ticks(image, node.layers)
            node.pull_free_at = done
            node.pulls[image.name] = done
        self._event(pod, "Normal", "Pulling", f'Pulling image "{pod.image}"')
        pod.waiting_reason, pod.waiting_message = "ContainerCreating", ""
        pod.pulling = True
        self.at(max(done, now + 1), pod)

    def _pulled(self, pod: Pod, node: Node) -> None:
        pod.pulling = False
        image = self.cluster.registry.resolve(pod.image)
        if image is None:
            self._pull_failed(pod)
            return
        for layer in image.all_layers():
            node.layers[layer] = True
        self.cluster.scheduler.refresh_node(node)
        node.pulls.pop(image.name, None)
        took = max(1, self.cluster.now - (pod.start_tick or self.cluster.now))
        size = int(image.size_mb * 1024 * 1024)
        self._event(pod, "Normal", "Pulled", f'Successfully pulled image "{pod.image}" in {took}s '
                                              f"({took}s including waiting). Image size: {size} bytes.")
        pod.waiting_reason = "ContainerCreating"
        cfg_err = self.config_error(pod)
        if cfg_err:
            self._event(pod, "Warning", "Failed", f"Error: {cfg_err}")
            pod.waiting_reason, pod.waiting_message = "CreateContainerConfigError", cfg_err
            self._write(pod)
            self.at(self.cluster.now + 10, pod)
            return
        self._start_container(pod, node)

    def _pull_failed(self, pod: Pod) -> None:
        now = self.cluster.now
        ref = pod.image if "/" in pod.image else f"docker.io/library/{pod.image}"
        if pod.waiting_reason == "ErrImagePull":
            pod.backoff = min(max(pod.backoff * 2, BACKOFF_INITIAL), BACKOFF_MAX)
            pod.waiting_reason = "ImagePullBackOff"
            pod.waiting_message = f'Back-off pulling image "{pod.image}"'
            self._event(pod, "Normal", "BackOff", f'Back-off pulling image "{pod.image}"')
            self._event(pod, "Warning", "Failed", "Error: ImagePullBackOff")
            self._write(pod)
            self.at(now + pod.backoff, pod)
            return
        self._event(pod, "Normal", "Pulling", f'Pulling image "{pod.image}"')
        msg = (f'Failed to pull image "{pod.image}": rpc error: code = NotFound desc = failed to pull and '
               f'unpack image "{ref}": failed to resolve reference "{ref}": {ref}: not found')
        self._event(pod, "Warning", "Failed", msg)
        self._event(pod, "Warning", "Failed", "Error: ErrImagePull")
        pod.waiting_reason = "ErrImagePull"
        pod.waiting_message = msg
        self._write(pod)
        self.at(now + 1, pod)

    def _container_name(self, pod: Pod) -> str:
        return (pod.spec.get("containers") or [{}])[0].get("name", "")

    def _start_container(self, pod: Pod, node: Node, restart: bool = False) -> None:
        now = self.cluster.now
        image = self.cluster.registry.resolve(pod.image)
        if image is None:
            self._pull_failed(pod)
            return
        if restart:
            pod.restart_count += 1
        name = self._container_name(pod)
        self._event(pod, "Normal", "Created", f"Created container: {name}")
        self._event(pod, "Normal", "Started", f"Started container {name}")
        pod.state = "running"
        pod.phase = "Running"
        pod.waiting_reason = pod.waiting_message = ""
        pod.started_tick = now
        pod.exit_code = None
        self._write(pod)
        self.at(now + max(0, image.startup_ticks), pod)

    def _running_timer(self, pod: Pod, node: Node) -> None:
        """A running container's next moment: it becomes Ready, crashes, or finishes its work."""
        now = self.cluster.now
        image = self.cluster.registry.resolve(pod.image)
        if image is None:
            return
        started = pod.started_tick or now
        hook = self.cluster.hooks.get("kubelet_running")
        if hook is not None:
            hook(pod, node)
        if image.crashes_on(node.kernel):
            self._exit(pod, 1)
            return
        if not pod.ready:
            pod.ready = True
            pod.ready_tick = now
            self._write(pod)
            if image.run_ticks is not None:
                self.at(max(now + 1, started + image.run_ticks), pod)
            return
        if image.run_ticks is not None and now >= started + image.run_ticks:
            self._exit(pod, image.exit_code)

    def kill(self, pod: Pod) -> None:
        """The container was killed from outside (SIGKILL): exit code 137."""
        self._event(pod, "Normal", "Killing", f"Stopping container {self._container_name(pod)}")
        self._exit(pod, 137)

    def _exit(self, pod: Pod, code: int) -> None:
        now = self.cluster.now
        ran = now - (pod.started_tick or now)
        pod.last_state = {"containerID": "", "exitCode": code, "finishedAt": _ts(now),
                          "reason": "Completed" if code == 0 else "Error",
                          "startedAt": _ts(pod.started_tick or now)}
        pod.ready = False
        pod.exit_code = code
        policy = pod.spec.get("restartPolicy", "Always")
        if policy == "Never" or (policy == "OnFailure" and code == 0):
            pod.state = "terminated"
            pod.phase = "Succeeded" if code == 0 else "Failed"
            pod.last_state = None if code == 0 else pod.last_state
            self.cluster.account(pod, pod.node_name, -1)
            self._write(pod)
            return
        if ran >= BACKOFF_RESET:
            pod.backoff = 0
        if pod.backoff == 0:
            # the first restart is immediate; the container shows its exit for one tick
            pod.state = "terminated"
            pod.backoff = BACKOFF_INITIAL
            self._write(pod)
            self.at(now + 1, pod)
            return
        pod.state = "waiting"
        pod.waiting_reason = "CrashLoopBackOff"
        name = self._container_name(pod)
        pod.waiting_message = f"back-off {pod.backoff}s restarting failed container={name} pod={pod.name}_{pod.namespace}({pod.uid})"
        self._event(pod, "Warning", "BackOff", "Back-off restarting failed container "
                                               f"{name} in pod {pod.name}_{pod.namespace}({pod.uid})")
        self._write(pod)
        self.at(now + pod.backoff, pod)
        pod.backoff = min(pod.backoff * 2, BACKOFF_MAX)

    # -- termination and node recovery ------------------------------------------------------
    def pod_deleting(self, pod: Pod) -> None:
        """Graceful deletion began: stop the container, or remove a pod that never ran."""
        node = self.cluster.node(pod.node_name) if pod.node_name else None
        if node is None:
            self.cluster.remove_pod(pod)
            return
        if not node.alive:
            return                   # stays Terminating until the node comes back or a force delete
        if pod.state != "running":
            self.at(self.cluster.now, pod)     # nothing to stop: the kubelet confirms at once
            return
        if pod.ready:
            pod.ready = False
        self._event(pod, "Normal", "Killing", f"Stopping container {self._container_name(pod)}")
        self._write(pod)
        self.at(max(self.cluster.now + 1, (pod.deletion_tick or 0) + (pod.deletion_grace or 0)), pod)

    def node_recovered(self, node: Node) -> None:
        """The machine is back (it rebooted): finish deletions, restart containers."""
        now = self.cluster.now
        for pod in list(self.store.pods_on(node.name).values()):
            if pod.deletion_tick is not None:
                pod.state = "waiting"          # the reboot killed the container: confirm the deletion
                pod.ready = False
                self.at(now, pod)
                continue
            if pod.phase in ("Succeeded", "Failed"):
                continue
            if pod.state == "running":
                pod.ready = False
                pod.state = "waiting"
                pod.waiting_reason = "CrashLoopBackOff" if pod.backoff else ""
                pod.last_state = {"containerID": "", "exitCode": 255, "finishedAt": _ts(now),
                                  "reason": "Unknown", "startedAt": _ts(pod.started_tick or now)}
                self._write(pod)
                self.at(now + 1, pod)
            elif pod.start_tick is None or pod.timer is None:
                self.at(now + 1, pod)
            else:
                self.at(max(now + 1, pod.timer), pod)

