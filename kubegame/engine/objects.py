"""API objects: metadata, the spec as the API server stores it, and a status.

Every object keeps its spec as a plain dict (defaulted like the API server does),
so `kubectl get -o yaml`, apply, patch and edit all see the real Kubernetes shape.
Pods and Nodes also keep their live state in typed attributes the controllers
read on their hot paths, and render that state into `status` on demand.
"""

from __future__ import annotations

import pickle
from functools import lru_cache
from typing import Any

from kubegame.engine.kinds import BY_KIND, NO_GENERATION, NO_SPEC
from kubegame.engine.quantity import cpu_millis, format_cpu, format_memory, memory_bytes, parse_quantity

EPOCH_YEAR = 2026


@lru_cache(maxsize=1 << 16)
def timestamp(tick: int) -> str:
    """An RFC 3339 time for a tick: the cluster's clock starts at 2026-01-01T00:00:00Z."""
    days, rest = divmod(max(tick, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    # good for a year of ticks, far beyond any level
    month_days = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    month = 0
    while month < 11 and days >= month_days[month]:
        days -= month_days[month]
        month += 1
    return f"{EPOCH_YEAR}-{month + 1:02d}-{days + 1:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}Z"


def _same(data: Any) -> Any:
    return data


def plain_copy(data: Any) -> Any:
    """A deep copy of manifest data (dicts, lists, strings, numbers), several times faster than deepcopy."""
    return pickle.loads(pickle.dumps(data, pickle.HIGHEST_PROTOCOL))


class KObject:
    """One API object. `spec` and `extra` (top-level fields such as ConfigMap `data`) are dicts."""

    __slots__ = ("kind", "api_version", "name", "namespace", "key", "uid", "labels", "annotations",
                 "owner_references", "resource_version", "generation", "creation_tick",
                 "deletion_tick", "deletion_grace", "finalizers", "generate_name", "spec", "status",
                 "extra")

    def __init__(self, kind: str, name: str, namespace: str = "", spec: dict | None = None,
                 labels: dict | None = None, annotations: dict | None = None,
                 api_version: str | None = None):
        res = BY_KIND.get(kind)
        self.kind = kind
        self.api_version = api_version or (res.api_version if res else "v1")
        self.name = name
        self.namespace = namespace if (res is None or res.namespaced) else ""
        self.key = (self.namespace, self.name)       # names never change once an object exists
        self.uid = ""
        self.labels: dict[str, str] = dict(labels or {})
        self.annotations: dict[str, str] = dict(annotations or {})
        self.owner_references: list[dict] = []
        self.resource_version = 0
        self.generation = 1
        self.creation_tick = 0
        self.deletion_tick: int | None = None
        self.deletion_grace: int | None = None
        self.finalizers: list[str] = []
        self.generate_name = ""
        self.spec: dict[str, Any] = spec if spec is not None else {}
        self.status: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}

    # -- identity -------------------------------------------------------------------------
    @property
    def terminating(self) -> bool:
        return self.deletion_tick is not None

    def controller_ref(self) -> dict | None:
        for ref in self.owner_references:
            if ref.get("controller"):
                return ref
        return None

    def owner_uid(self) -> str | None:
        ref = self.controller_ref()
        return ref["uid"] if ref else None

    # -- rendering ------------------------------------------------------------------------
    def metadata_dict(self) -> dict:
        md: dict[str, Any] = {}
        if self.annotations:
            md["annotations"] = dict(sorted(self.annotations.items()))
        md["creationTimestamp"] = timestamp(self.creation_tick)
        if self.deletion_tick is not None:
            md["deletionGracePeriodSeconds"] = self.deletion_grace or 0
            md["deletionTimestamp"] = timestamp(self.deletion_tick + (self.deletion_grace or 0))
        if self.finalizers:
            md["finalizers"] = list(self.finalizers)
        if self.generate_name:
            md["generateName"] = self.generate_name
        if self.kind not in NO_GENERATION:
            md["generation"] = self.generation
        if self.labels:
            md["labels"] = dict(sorted(self.labels.items()))
        md["name"] = self.name
        if self.namespace:
            md["namespace"] = self.namespace
        if self.owner_references:
            md["ownerReferences"] = [dict(r) for r in self.owner_references]
        if self.resource_version:          # a dry run's object was never stored: no version, no uid
            md["resourceVersion"] = str(self.resource_version)
        if self.uid:
            md["uid"] = self.uid
        return md

    def status_dict(self) -> dict:
        return plain_copy(self.status) if self.status else {}

    def to_dict(self, copy: bool = True) -> dict:
        """The object as `kubectl get -o yaml` shows it. `copy=False` shares the spec and other
        fields with the live object: only for a caller that reads and never keeps or changes it
        (a list serialised at once)."""
        dup = plain_copy if copy else _same
        out: dict[str, Any] = {"apiVersion": self.api_version, "kind": self.kind,
                               "metadata": self.metadata_dict()}
        for k, v in self.extra.items():
            out[k] = dup(v) if isinstance(v, (dict, list)) else v
        if self.spec or (self.kind not in NO_SPEC and self.kind != "Namespace"):
            if self.kind not in NO_SPEC:
                out["spec"] = dup(self.spec)
        st = self.status_dict()
        if st or self.kind in ("Deployment", "ReplicaSet", "Pod", "Node", "Service"):
            out["status"] = st
        return out

    def __repr__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"<{self.kind} {ns}{self.name}>"


@lru_cache(maxsize=4096)
def derived_id(seed: str, uuid: bool = True) -> str:
    """An id fixed by a string (no RNG): a UUID, or 32 hex digits like /etc/machine-id; for what a
    real cluster makes once and keeps (a node's machine ids, the API's views of objects)."""
    import hashlib
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}" if uuid else h[:32]


PodShape = tuple[int, int, str, tuple[int, ...]]     # cpu request, memory request, image, host ports


def pod_shape(spec: dict) -> PodShape:
    """What the scheduler and kubelet read of a pod spec again and again, worked out once."""
    cpu, mem = pod_requests(spec)
    containers = spec.get("containers") or [{}]
    host_ports = tuple(p["hostPort"] for c in containers for p in (c.get("ports") or []) if p.get("hostPort"))
    return cpu, mem, containers[0].get("image", ""), host_ports


def _container_requests(c: dict) -> tuple[int, int]:
    """A container's requests; a request left out defaults to its limit (the API server's defaulting)."""
    res = c.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    return cpu_millis(req.get("cpu", lim.get("cpu", 0))), memory_bytes(req.get("memory", lim.get("memory", 0)))


def pod_requests(spec: dict) -> tuple[int, int]:
    """What the scheduler reserves (cpu millicores, memory bytes), as resourcehelper.PodRequests: the
    containers' sum plus the sidecars' (init containers with restartPolicy Always, which keep
    running), or the largest init container with the sidecars started before it, if more."""
    cpu = mem = 0
    for c in spec.get("containers") or []:
        if isinstance(c, dict):
            a, b = _container_requests(c)
            cpu, mem = cpu + a, mem + b
    side_cpu = side_mem = init_cpu = init_mem = 0
    for c in spec.get("initContainers") or []:
        if not isinstance(c, dict):
            continue
        a, b = _container_requests(c)
        if c.get("restartPolicy") == "Always":
            side_cpu, side_mem = side_cpu + a, side_mem + b
        else:
            init_cpu, init_mem = max(init_cpu, a + side_cpu), max(init_mem, b + side_mem)
    return max(cpu + side_cpu, init_cpu), max(mem + side_mem, init_mem)


class ContainerState:
    """One container of a pod as the kubelet runs it (a containerStatuses entry)."""

    __slots__ = ("name", "image", "spec", "init", "sidecar", "state", "reason", "message", "exit_code",
                 "restart_count", "backoff", "started_tick", "finished_tick", "listening_at", "ready", "started",
                 "last_state", "probes", "next_probe", "pulling", "pulled", "exit_at", "exit_code_due",
                 "exit_reason_due", "stop_at", "killed", "app", "memory_limit", "cpu_limit", "mem_at_start")

    def __init__(self, spec: dict, init: bool = False):
        self.spec = spec
        self.name: str = str(spec.get("name", ""))
        self.image: str = str(spec.get("image", ""))
        self.init = init
        self.sidecar = init and spec.get("restartPolicy") == "Always"   # a native sidecar (v1.29+)
        self.state = "waiting"           # waiting | running | terminated
        self.reason = ""                 # waiting: ContainerCreating, ErrImagePull ...; terminated: Completed ...
        self.message = ""
        self.exit_code: int | None = None
        self.restart_count = 0
        self.backoff = 0                 # the next restart back-off in ticks (10, 20, ... 300)
        self.started_tick: int | None = None     # this run's start (Running since)
        self.finished_tick: int | None = None
        self.listening_at: int | None = None     # the app accepts connections from this tick
        self.ready = False
        self.started = False             # the startup probe passed (or there is none)
        self.last_state: dict | None = None      # lastState.terminated of the previous run
        self.probes: dict[str, list[int]] = {}   # probe kind -> [consecutive successes, failures]
        self.next_probe: dict[str, int] = {}     # probe kind -> tick of its next run
        self.pulling = False
        self.pulled = False              # the image is on the node for this container
        self.exit_at: int | None = None  # the tick the process exits by itself (crash, runTicks, OOM)
        self.exit_code_due = 0
        self.exit_reason_due = ""
        self.stop_at: int | None = None  # SIGTERM sent: the process is gone at this tick
        self.killed = False              # the kubelet stopped it (liveness, deletion), not the app
        self.app: Any = None             # the image's AppModel while it runs
        self.memory_limit = 0            # bytes (0: none)
        self.cpu_limit = 0               # millicores (0: none)
        self.mem_at_start = 0

    @property
    def running(self) -> bool:
        return self.state == "running"

    def status(self) -> dict[str, Any]:
        cs: dict[str, Any] = {"image": self.image, "imageID": "", "name": self.name, "ready": self.ready,
                              "restartCount": self.restart_count, "started": self.running and self.started}
        if self.running:
            cs["state"] = {"running": {"startedAt": timestamp(self.started_tick or 0)}}
        elif self.state == "terminated":
            t: dict[str, Any] = {"exitCode": self.exit_code or 0, "finishedAt": timestamp(self.finished_tick or 0),
                                 "reason": self.reason or ("Completed" if not self.exit_code else "Error"),
                                 "startedAt": timestamp(self.started_tick or 0)}
            cs["state"] = {"terminated": t}
        else:
            w: dict[str, Any] = {"reason": self.reason or "ContainerCreating"}
            if self.message:
                w["message"] = self.message
            cs["state"] = {"waiting": w}
        cs["lastState"] = {"terminated": dict(self.last_state)} if self.last_state else {}
        return cs


class Pod(KObject):
    """A Pod with its live state as the kubelet tracks it.

    `containers` and `init_containers` hold each container's state; the single-container
    attributes (`state`, `waiting_reason`, `restart_count`, ...) read the first container,
    which is what most of the engine asks about."""

    __slots__ = ("node_name", "phase", "reason", "status_message", "ready", "ready_tick", "ip", "host_ip",
                 "cpu_request", "mem_request", "scheduled_tick", "unschedulable_message", "image", "sandbox",
                 "timer", "start_tick", "host_ports", "priority", "nominated_node", "template_key", "containers",
                 "init_containers", "init_done_tick", "initialized", "stop_stage", "prestop_until", "conditions_extra",
                 "_qos")

    def __init__(self, name: str, namespace: str, spec: dict, labels: dict | None = None,
                 annotations: dict | None = None, shape: PodShape | None = None):
        super().__init__("Pod", name, namespace, spec, labels, annotations)
        self.node_name: str = spec.get("nodeName") or ""
        self.phase = "Pending"
        self.reason = ""                 # pod-level reason (NodeLost, Evicted)
        self.status_message = ""         # pod-level message (the eviction manager's)
        self.ready = False
        self.ready_tick: int | None = None
        self.ip = ""
        self.host_ip = ""
        self.cpu_request, self.mem_request, self.image, self.host_ports = shape or pod_shape(spec)
        self.scheduled_tick: int | None = None
        self.unschedulable_message = ""
        self.sandbox = False             # a sandbox (IP) exists on the node
        self.timer: int | None = None    # tick of the kubelet's next action for this pod
        self.start_tick: int | None = None       # status.startTime
        self.priority: int = int(spec.get("priority") or 0)
        self.nominated_node = ""
        # (owner uid, generation) of the template it was made from, until its spec is edited
        self.template_key: tuple[str, int] | None = None
        self._qos: tuple[dict, str] | None = None    # (the spec it was worked out from, its QoS class)
        self.containers = [ContainerState(c) for c in spec.get("containers") or [] if isinstance(c, dict)] \
            or [ContainerState({"name": "", "image": self.image})]
        self.init_containers = [ContainerState(c, init=True) for c in spec.get("initContainers") or []
                                if isinstance(c, dict)]
        self.init_done_tick: int | None = None   # every init container completed (Initialized)
        self.initialized = not self.init_containers
        self.stop_stage = ""             # deletion: "" | prestop | sigterm
        self.prestop_until: int | None = None
        self.conditions_extra: list[dict] = []   # DisruptionTarget and the like

    def own_spec(self) -> None:
        """Give the pod a private copy of its spec: until now it shared its template's nested values
        with the other pods of that template (Cluster.create_pod_from_template)."""
        self.spec = plain_copy(self.spec)
        for states, key in ((self.containers, "containers"), (self.init_containers, "initContainers")):
            for state, c in zip(states, [c for c in self.spec.get(key) or [] if isinstance(c, dict)]):
                state.spec = c

    # -- the first container (what most callers mean) ----------------------------------------------
    @property
    def main(self) -> ContainerState:
        return self.containers[0]

    @property
    def state(self) -> str:
        return self.main.state

    @property
    def waiting_reason(self) -> str:
        c = self.main
        return c.reason if c.state == "waiting" else ""

    @property
    def waiting_message(self) -> str:
        c = self.main
        return c.message if c.state == "waiting" else ""

    @property
    def restart_count(self) -> int:
        return sum(c.restart_count for c in self.containers)

    @property
    def exit_code(self) -> int | None:
        return self.main.exit_code

    @property
    def last_state(self) -> dict | None:
        return self.main.last_state

    @property
    def started_tick(self) -> int | None:
        return self.main.started_tick

    @property
    def all_containers(self) -> list[ContainerState]:
        return self.init_containers + self.containers

    @property
    def active(self) -> bool:
        """Counted by ReplicaSets: not terminating and not finished (controller.IsPodActive)."""
        return self.deletion_tick is None and self.phase not in ("Succeeded", "Failed")

    @property
    def serving(self) -> bool:
        """Ready and not terminating: what makes it an endpoint."""
        return self.ready and self.deletion_tick is None

    def status_reason(self) -> str:
        """The STATUS column of `kubectl get pods` (printers.go printPod, from the pod's status)."""
        from kubegame.engine.podstatus import status_column
        return status_column(self.to_status_parts())

    def to_status_parts(self) -> dict:
        bound = bool(self.node_name)
        return {"phase": self.phase, "reason": self.reason, "deleting": self.deletion_tick is not None,
                "init": [c.status() for c in self.init_containers] if bound else [],
                "init_specs": [c.spec for c in self.init_containers],
                "containers": [c.status() for c in self.containers] if bound else [],
                "initialized": self.initialized, "ready": self.ready}

    def status_dict(self) -> dict:
        st: dict[str, Any] = {}
        conds = []
        if self.phase not in ("Succeeded", "Failed") or self.node_name:
            if self.node_name:
                conds.append({"lastProbeTime": None, "lastTransitionTime": timestamp(self.scheduled_tick or 0),
                              "status": "True", "type": "PodScheduled"})
            elif self.unschedulable_message:
                conds.append({"lastProbeTime": None, "lastTransitionTime": timestamp(self.creation_tick),
                              "message": self.unschedulable_message, "reason": "Unschedulable",
                              "status": "False", "type": "PodScheduled"})
        if self.node_name:
            ready = "True" if self.ready else "False"
            cready = "True" if all(c.ready for c in self.containers) and self.containers else "False"
            init = {"lastProbeTime": None, "lastTransitionTime": timestamp(self.init_done_tick or
                                                                          self.scheduled_tick or 0),
                    "status": "True" if self.initialized else "False", "type": "Initialized"}
            if not self.initialized:
                init["reason"] = "ContainersNotInitialized"
                waiting = [c.name for c in self.init_containers if c.state != "terminated" or c.exit_code]
                init["message"] = f"containers with incomplete status: [{' '.join(waiting)}]"
            rc = {"lastProbeTime": None, "lastTransitionTime": timestamp(self.ready_tick or self.scheduled_tick or 0),
                  "status": ready, "type": "Ready"}
            crc = {"lastProbeTime": None, "lastTransitionTime": timestamp(self.ready_tick or self.scheduled_tick or 0),
                   "status": cready, "type": "ContainersReady"}
            if ready == "False":
                not_ready = [c.name for c in self.containers if not c.ready]
                if not_ready:
                    rc["reason"] = crc["reason"] = "ContainersNotReady"
                    rc["message"] = crc["message"] = f"containers with unready status: [{' '.join(not_ready)}]"
            sandbox = {"lastProbeTime": None, "lastTransitionTime": timestamp(self.start_tick or
                                                                             self.scheduled_tick or 0),
                       "status": "True" if self.ip else "False", "type": "PodReadyToStartContainers"}
            conds = [sandbox, init, rc, crc] + conds + list(self.conditions_extra)
        if conds:
            st["conditions"] = conds
        if self.node_name:
            st["containerStatuses"] = [c.status() for c in self.containers]
            st["hostIP"] = self.host_ip
            if self.host_ip:
                st["hostIPs"] = [{"ip": self.host_ip}]
            if self.init_containers:
                st["initContainerStatuses"] = [c.status() for c in self.init_containers]
        if self.status_message:
            st["message"] = self.status_message
        st["phase"] = self.phase
        if self.ip:
            st["podIP"] = self.ip
            st["podIPs"] = [{"ip": self.ip}]
        if self._qos is None or self._qos[0] is not self.spec:       # a new spec (updates replace it)
            self._qos = (self.spec, qos_class(self.spec))
        st["qosClass"] = self._qos[1]
        if self.reason:
            st["reason"] = self.reason
        if self.start_tick is not None:
            st["startTime"] = timestamp(self.start_tick)
        if self.nominated_node:
            st["nominatedNodeName"] = self.nominated_node
        return st


def qos_class(spec: dict) -> str:
    """Guaranteed, Burstable or BestEffort (pkg/apis/core/v1/helper/qos GetPodQOS): BestEffort
    when no container (init ones included) requests or limits cpu or memory; Guaranteed when
    every container has cpu and memory limits equal to its requests (a request left out
    defaults to the limit); Burstable otherwise."""
    any_set = False
    guaranteed = True
    for c in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if not isinstance(c, dict):
            continue
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        if any(k in req or k in lim for k in ("cpu", "memory")):
            any_set = True
        for r in ("cpu", "memory"):
            if r not in lim:
                guaranteed = False
            elif r in req:
                try:
                    if parse_quantity(req[r]) != parse_quantity(lim[r]):
                        guaranteed = False
                except ValueError:
                    guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


class Node(KObject):
    """A Node and the machine behind it: capacity, heartbeat, its kubelet's image cache."""

    __slots__ = ("cpu", "memory", "max_pods", "zone", "kernel", "alive", "last_heartbeat", "ready_status",
                 "ready_since", "layers", "pull_free_at", "pulls", "cidr_index", "next_ip", "booting_until",
                 "cpu_used", "mem_used", "pod_count", "host_ports_used", "pool", "memory_pressure",
                 "disk_pressure")

    def __init__(self, name: str, cpu: int, memory: int, max_pods: int = 110, zone: str = "zone-a",
                 kernel: str = "6.1", labels: dict | None = None, taints: list | None = None):
        all_labels = {
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "topology.kubernetes.io/zone": zone,
            "topology.kubernetes.io/region": "region-1",
            "feature.node.kubernetes.io/kernel-version.full": kernel,
        }
        all_labels.update(labels or {})
        spec: dict[str, Any] = {}
        if taints:
            spec["taints"] = [dict(t) for t in taints]
        super().__init__("Node", name, "", spec, all_labels)
        self.cpu = cpu
        self.memory = memory
        self.max_pods = max_pods
        self.zone = zone
        self.kernel = kernel
        self.alive = True
        self.last_heartbeat = 0
        self.ready_status = "True"        # the Ready condition: True | False | Unknown
        self.ready_since = 0
        self.layers: dict[str, bool] = {}  # the kubelet's layer cache (a dict: ordered, no set)
        self.pull_free_at = 0              # serialized image pulls: when the puller is free
        self.pulls: dict[str, int] = {}    # image -> tick its pull completes
        self.cidr_index = 0
        self.next_ip = 2
        self.booting_until: int | None = None
        self.cpu_used = 0                  # requests of pods bound here (the scheduler's NodeInfo)
        self.mem_used = 0
        self.pod_count = 0
        self.host_ports_used: dict[int, int] = {}
        self.pool = False
        self.memory_pressure = False       # the kubelet's eviction manager says memory is short
        self.disk_pressure = False         # ... or that the root disk (nodefs) is short

    @property
    def unschedulable(self) -> bool:
        return bool(self.spec.get("unschedulable"))

    @property
    def internal_ip(self) -> str:
        return f"172.18.0.{self.cidr_index + 2}"

    @property
    def taints(self) -> list[dict]:
        return self.spec.get("taints") or []

    @property
    def is_ready(self) -> bool:
        return self.ready_status == "True"

    def status_dict(self) -> dict:
        cap = {"cpu": format_cpu(self.cpu), "ephemeral-storage": "100Gi", "memory": format_memory(self.memory),
               "pods": str(self.max_pods)}
        hb = timestamp(self.last_heartbeat)
        def cond(t: str, s: str, reason: str, msg: str) -> dict:
            return {"lastHeartbeatTime": hb, "lastTransitionTime": timestamp(self.ready_since),
                    "message": msg, "reason": reason, "status": s, "type": t}
        if self.ready_status == "Unknown":
            ready = cond("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
            others = [cond(t, "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
                      for t in ("MemoryPressure", "DiskPressure", "PIDPressure")]
        elif self.ready_status == "False":
            ready = cond("Ready", "False", "KubeletNotReady", "container runtime is starting")
            others = []
        else:
            ready = cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")
            mp = (cond("MemoryPressure", "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available")
                  if self.memory_pressure else
                  cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"))
            dp = (cond("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure")
                  if self.disk_pressure else
                  cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"))
            others = [mp, dp,
                      cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available")]
        return {
            "addresses": [{"address": self.internal_ip, "type": "InternalIP"},
                          {"address": self.name, "type": "Hostname"}],
            "allocatable": dict(cap),
            "capacity": cap,
            "conditions": others + [ready],
            "nodeInfo": {"architecture": "amd64", "bootID": derived_id(f"{self.name}/boot"),
                         "containerRuntimeVersion": "containerd://1.7.18",
                         "kernelVersion": self.kernel, "kubeProxyVersion": "",
                         "kubeletVersion": "v1.37.1", "machineID": derived_id(f"{self.name}/machine", uuid=False),
                         "operatingSystem": "linux", "osImage": "Debian GNU/Linux 12 (bookworm)",
                         "systemUUID": derived_id(f"{self.name}/system")},
        }
