"""The Cluster: API server front door, the controllers in their fixed order, the clock.

`Cluster.tick()` runs one simulated second (DESIGN.md "One tick", steps 3-8) and
returns that tick's events. Everything random is drawn from one seeded RNG.
"""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
import random
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from kubegame.engine import admission, checks, defaults, limitranger, rbac, storage, validation
from kubegame.engine.controllers import priority
from kubegame.engine.controllers.deployment import DeploymentController
from kubegame.engine.controllers.endpoints import EndpointsController
from kubegame.engine.controllers.kubelet import Kubelet
from kubegame.engine.controllers.nodelifecycle import NodeLifecycleController
from kubegame.engine.controllers.replicaset import ReplicaSetController
from kubegame.engine.controllers.scheduler import Scheduler
from kubegame.engine.controllers.staticpods import StaticPodController, component_up
from kubegame.engine.dns import ClusterDNS
from kubegame.engine.errors import ApiError, already_exists, invalid, not_found
from kubegame.engine.events import ClusterEvent
from kubegame.engine.hashing import ALPHANUMS, template_hash  # noqa: F401 (re-exported)
from kubegame.engine.host import Host
from kubegame.engine.images import BUILTIN_IMAGES, Image, Registry
from kubegame.engine.kinds import ACCEPTED_API_VERSIONS, BY_KIND, Resource
from kubegame.engine.objects import KObject, Node, Pod, PodShape, plain_copy, pod_shape, timestamp
from kubegame.engine.quantity import cpu_millis, memory_bytes
from kubegame.engine.store import Store
from kubegame.engine.traffic import Traffic

EVENT_TTL = 3600                              # kube-apiserver --event-ttl=1h
MAX_EVENTS = 2000


@dataclass
class NodeSpec:
    """A machine to add to the cluster (LEVEL_FORMAT.md `cluster.nodes` entry, expanded)."""

    name: str
    cpu: str | int = "4"
    memory: str | int = "8Gi"
    pods: int = 110
    zone: str = "zone-a"
    kernel: str = "6.1"
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[dict] = field(default_factory=list)


@dataclass
class ClusterConfig:
    node_monitor_grace_period: int = 50     # kube-controller-manager --node-monitor-grace-period (50 s since v1.32)
    default_toleration_seconds: int = 300   # DefaultTolerationSeconds admission plugin
    pull_mbps: float = 50
    max_replicas: int = 10_000              # a game limit: replicas/parallelism one object may ask for
    max_pending_pods: int = 5_000           # a game limit: pods waiting unscheduled, cluster-wide
    # the kubeconfig's users besides kubernetes-admin: {"name", "groups", "namespace"} (LEVEL_FORMAT kubeconfig)
    users: list[dict] = field(default_factory=list)
    current_user: str = "kubernetes-admin"  # whose context is current
    admin_context: bool = True              # whether the kubeconfig holds kubernetes-admin's context
    default_storage_class: bool = True      # the `standard` StorageClass (LEVEL_FORMAT cluster.defaultStorageClass)


class Cluster:
    """A simulated Kubernetes cluster."""

    def __init__(self, seed: int = 0, images: list[Image] | None = None, config: ClusterConfig | None = None):
        self.config = config or ClusterConfig()
        self.seed = seed
        self.rng = random.Random(seed)
        # kube-system's names and uids come from a stream of their own, derived from the seed, so
        # installing the add-ons leaves the level's own sequence (pod names, the scenario's draws) alone
        self.system_rng = random.Random(f"{seed}/kube-system")
        self.system_installed = False      # kube-system's control plane and add-ons (engine/system.py)
        self.hosts: dict[str, Host] = {}   # node -> its machine's files, units, disk (engine/host.py)
        self.member_health: dict[str, bool] = {}   # etcd member -> the health its etcd pod last followed
        # how static pod manifests are read and written on the hosts (the game sets YAML; the engine has none)
        self.manifest_parser: Any = _parse_json
        self.render_manifest: Any = _render_json
        self._components: tuple[int, dict[str, bool]] = (-1, {})
        # who sends the API request being served (kubectl sets it; None: the control plane's own
        # writes), for the checks that depend on the requester (RBAC escalation prevention)
        self.requester: rbac.Identity | None = None
        self.now = 0                      # the current tick (a plain attribute: read everywhere)
        self.store = Store()
        self.registry = Registry(pull_mbps=self.config.pull_mbps)
        for img in BUILTIN_IMAGES:
            self.registry.add(img)
        for img in images or []:
            self.registry.add(img)
        self.events: deque[ClusterEvent] = deque()
        self._event_index: dict[tuple, ClusterEvent] = {}
        self._event_seq = 0
        self._system_uids = 0              # how many uids system_uid has made
        self.tick_events: list[ClusterEvent] = []
        self._cidr_next = 0
        self._service_ips: dict[str, str] = {}
        self._node_ports: dict[int, str] = {}
        self.hooks: dict[str, Any] = {}       # test-only fault injection (kubegame.testing)
        self.controller_errors: list[str] = []   # controllers that raised (a bug; see _controller_failed)
        self.rr_counters: dict = {}           # which endpoint answers a Service next, for exec's wget/curl
        self._propagation: dict[str, str] = {}   # uid -> the propagation policy its pending deletion asked for
        # pod templates, defaulted and pickled once per owner generation, with their shapes
        self._templates: dict[tuple[str, int], tuple[bytes, PodShape]] = {}

        # the controllers, in tick order (DESIGN.md "One tick")
        self.nodelifecycle = NodeLifecycleController(self)
        self.deployments = DeploymentController(self)
        self.replicasets = ReplicaSetController(self)
        self.extra_controllers: list[Any] = []   # StatefulSet, Job, HPA ... (registered by their modules)
        self.scheduler = Scheduler(self)
        self.kubelet = Kubelet(self)
        self.endpoints = EndpointsController(self)
        self.traffic = Traffic(self)
        self.static_pods = StaticPodController(self)
        self.dns = ClusterDNS(self)
        self._add_workload_controllers()

        for ns in ("default", "kube-node-lease", "kube-public", "kube-system"):
            self._create_namespace(ns)
        self._create_kubernetes_service()
        self._bootstrap_rbac()
        if self.config.default_storage_class:
            self.create(storage.default_class_body(), system=True)
        # who the player is: the kubeconfig's users, each a client certificate the cluster's CA signed
        self.identities: dict[str, rbac.Identity] = {rbac.ADMIN_USER: rbac.Identity(rbac.ADMIN_USER,
                                                                                    (rbac.ADMIN_GROUP,))}
        for u in self.config.users:
            self.identities[u["name"]] = rbac.Identity(u["name"], tuple(u.get("groups") or ()))
        self.kubeconfig: dict = rbac.kubeconfig_for(self.config.users, self.config.current_user,
                                                    self.config.admin_context)

    def _add_workload_controllers(self) -> None:
        """DaemonSet, StatefulSet, Job, HPA (DESIGN.md tick order), then PDBs, cloud LBs, etcd."""
        from kubegame.engine.controllers import controlplane, daemonset, disruption, hpa, job  # noqa: I001
        from kubegame.engine.controllers import persistentvolume, priority, pvcprotection, pvprotection, service
        from kubegame.engine.controllers import statefulset, volumebinding, volumeexpand
        from kubegame.engine.controllers import clusterroleaggregation, cronjob, resourcequota, serviceaccount
        self.daemonsets = daemonset.DaemonSetController(self)
        self.statefulsets = statefulset.StatefulSetController(self)
        self.jobs = job.JobController(self)
        self.hpas = hpa.HorizontalPodAutoscalerController(self)
        self.disruption = disruption.DisruptionController(self)
        self.services = service.ServiceController(self)
        self.volumes = persistentvolume.PersistentVolumeController(self)
        self.pvc_protection = pvcprotection.PVCProtectionController(self)
        self.pv_protection = pvprotection.PVProtectionController(self)
        self.volume_expand = volumeexpand.ExpandController(self)
        self.priority = priority.PriorityController(self)
        self.controlplane = controlplane.ControlPlane(self)
        self.cronjobs = cronjob.CronJobController(self)
        self.serviceaccounts = serviceaccount.ServiceAccountController(self)
        self.rbac_aggregation = clusterroleaggregation.ClusterRoleAggregationController(self)
        self.quota = resourcequota.ResourceQuotaController(self)
        self.extra_controllers += [self.daemonsets, self.statefulsets, self.cronjobs, self.jobs, self.hpas,
                                   self.disruption, self.services, self.serviceaccounts, self.rbac_aggregation,
                                   self.quota, self.volumes, self.pvc_protection, self.pv_protection,
                                   self.volume_expand, self.controlplane]
        self.hooks["preempt"] = self.priority.preempt
        self.hooks["volume_check"] = lambda pod: volumebinding.check(self, pod)

    def _bootstrap_rbac(self) -> None:
        """kube-apiserver's RBAC bootstrap: the default ClusterRoles and their bindings, aggregated."""
        for body in rbac.bootstrap_cluster_roles() + rbac.bootstrap_cluster_role_bindings():
            self.create(body, system=True)
        self.rbac_aggregation.aggregate_all()
        self.rbac_aggregation.take()

    def evict(self, pod: Pod, grace: int | None = None) -> None:
        """POST pods/NAME/eviction: 429 when a PodDisruptionBudget would break (controllers/disruption.py)."""
        from kubegame.engine.controllers.disruption import evict
        evict(self, pod, grace)

    def add_etcd_member(self, zone: str) -> str:
        """`etcd add-member --zone Z`; returns the new member's name (needs quorum)."""
        return self.controlplane.add_member(zone).name

    def remove_etcd_member(self, name: str) -> None:
        """`etcd remove-member NAME` (needs quorum)."""
        self.controlplane.remove_member(name)

    def zone_outage(self, zone: str, duration: int | None = None, recover: bool = False) -> None:
        """ZoneOutage: every node and etcd member of the zone down (for `duration` ticks); recover=True ends it."""
        if recover:
            self.controlplane.zone_recover(zone)
        else:
            self.controlplane.zone_outage(zone, duration)

    # -- time ------------------------------------------------------------------------------
    @property
    def tick_count(self) -> int:
        return self.now

    def tick(self) -> list[ClusterEvent]:
        """Advance one tick: node lifecycle, workloads, scheduler, kubelets, endpoints, traffic."""
        self.now += 1
        self.store.tick = self.now
        self.tick_events = []
        quorum = self.store.quorum
        up = self.components_up()
        for c in self.controllers():
            # without etcd quorum the control plane stands still; a component whose every instance is
            # down (its static pods) runs none of its loops
            component = getattr(c, "component", None)
            if (quorum or not c.needs_quorum) and (component is None or (
                    up.get(component, True) and up.get("kube-apiserver", True))):
                try:
                    c.sync()
                except Exception as exc:  # noqa: BLE001 - an engine bug must not stop the player's game
                    self._controller_failed(c, exc)
        try:
            self.traffic.sync()
        except Exception as exc:  # noqa: BLE001
            self._controller_failed(self.traffic, exc)
        self._expire_events()
        if checks.CHECK_CACHES:
            for base, _, fingerprint in self._templates.values():
                checks.expect(pickle.loads(fingerprint) == base, "a shared pod template spec was written to")
        return self.tick_events

    def _controller_failed(self, controller: Any, exc: Exception) -> None:
        """A controller raised: that is a bug (the tests and `kubegame fuzz` treat it as one, through
        `controller_errors`); for the player it is an event, and the tick goes on."""
        if isinstance(exc, checks.StaleCache):
            raise exc
        name = getattr(controller, "name", type(controller).__name__)
        where = ""
        tb = exc.__traceback__
        while tb is not None and tb.tb_next is not None:
            tb = tb.tb_next
        if tb is not None:
            where = f" ({tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno})"
        message = f"{name} failed: {type(exc).__name__}: {exc}{where}; kubegame goes on (please report it)"
        if len(self.controller_errors) < 100:
            self.controller_errors.append(message)
        self.record(None, "Warning", "ControllerError", message, name, kind="Cluster", name="kubegame")

    def controllers(self) -> list[Any]:
        """Every reconcile loop in tick order (DESIGN.md "One tick", steps 3-7)."""
        return [self.nodelifecycle, self.deployments, self.replicasets, *self.extra_controllers,
                self.scheduler, self.static_pods, self.kubelet, self.endpoints, self.dns]

    # -- kube-system ---------------------------------------------------------------------------
    def install_system(self, zones: list[str]) -> None:
        """kubeadm's control plane (one control-plane node per etcd member zone), CoreDNS and kube-proxy."""
        from kubegame.engine import system
        system.install(self, zones)

    def components_up(self) -> dict[str, bool]:
        """Which control-plane components have a running instance (all of them without kube-system)."""
        if not self.system_installed:
            return {}
        tick, cached = self._components
        if tick != self.now:
            from kubegame.engine.system import COMPONENTS
            cached = {c: component_up(self, c) for c in COMPONENTS}
            self._components = (self.now, cached)
        return cached

    def apiserver_up(self) -> bool:
        """Does any kube-apiserver answer on :6443 (kubectl's connection)?"""
        return self.components_up().get("kube-apiserver", True)

    def host(self, name: str) -> Host:
        """The machine under a node (made on first use for nodes that joined without one)."""
        h = self.hosts.get(name)
        if h is None:
            h = self.hosts[name] = Host.for_node(name)
        return h

    def kubelet_running(self, node: str) -> bool:
        h = self.hosts.get(node)
        return h is None or h.units.get("kubelet") == "active"

    def stop_kubelet(self, name: str, why: str = "") -> None:
        """`systemctl stop kubelet` (or a level's KubeletStop): the node's heartbeats and pod syncs
        stop; its containers keep running and serving until the node controller marks them NotReady."""
        node = self._node_or_raise(name)
        host = self.host(name)
        if host.units.get("kubelet") != "active":
            return
        host.units["kubelet"] = "inactive"
        host.since["kubelet"] = self.now
        host.log(self.now, "kubelet", why or "Stopping kubelet.service - kubelet: The Kubernetes Node Agent...")
        host.log(self.now, "systemd", "kubelet.service: Deactivated successfully.")
        if node.alive:
            node.last_heartbeat = self.now
            self.nodelifecycle.node_failed(node)

    def start_kubelet(self, name: str) -> None:
        """`systemctl start kubelet`: heartbeats resume (the node turns Ready) and the kubelet
        resyncs its pods (their containers kept running)."""
        node = self._node_or_raise(name)
        host = self.host(name)
        if host.units.get("kubelet") == "active":
            return
        host.units["kubelet"] = "active"
        host.since["kubelet"] = self.now
        host.log(self.now, "systemd", "Started kubelet.service - kubelet: The Kubernetes Node Agent.")
        if node.alive:
            self.nodelifecycle.node_recovered(node)
            for pod in self.store.pods_on(name).values():
                self.kubelet.at(self.now, pod)
            self.static_pods.host_changed(name)

    def run(self, ticks: int) -> list[ClusterEvent]:
        out: list[ClusterEvent] = []
        for _ in range(ticks):
            out.extend(self.tick())
        return out

    # -- randomness ------------------------------------------------------------------------
    def random_suffix(self, n: int = 5, system: bool = False) -> str:
        """utilrand.String(n): five bits per character from one 63-bit draw, out-of-range
        indexes skipped (k8s.io/apimachinery/pkg/util/rand/rand.go)."""
        getrandbits = (self.system_rng if system else self.rng).getrandbits
        out = []
        bits, remaining = getrandbits(63), 12          # maxAlphanumsPerInt = 63 / 5
        while len(out) < n:
            if remaining == 0:
                bits, remaining = getrandbits(63), 12
            idx = bits & 31
            if idx < 27:
                out.append(ALPHANUMS[idx])
            bits >>= 5
            remaining -= 1
        return "".join(out)

    def system_uid(self, obj: KObject) -> str:
        """A uid for what the control plane makes on its own (bootstrap RBAC, a namespace's default
        ServiceAccount): derived from the seed and the object, so these objects leave the seeded RNG's
        sequence (pod names, IPs, the scenario's draws) as it would be without them."""
        self._system_uids += 1
        n = self._system_uids
        h = hashlib.sha256(f"{self.seed}/{obj.kind}/{obj.namespace}/{obj.name}/{n}".encode()).hexdigest()
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    def new_uid(self, system: bool = False) -> str:
        h = f"{(self.system_rng if system else self.rng).getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"

    # -- events ----------------------------------------------------------------------------
    def record(self, obj: KObject | None, type_: str, reason: str, message: str, source: str,
               kind: str = "", namespace: str = "", name: str = "", host: str = "",
               field_path: str = "") -> ClusterEvent:
        """Emit an Event (aggregated: the same object, part, reason and message bump `count`)."""
        if obj is not None:
            kind, namespace, name = obj.kind, obj.namespace, obj.name
        uid = obj.uid if obj is not None else ""
        key = (kind, namespace, name, reason, message, source, field_path)
        ev = self._event_index.get(key)
        if ev is not None and self.now - ev.tick < EVENT_TTL:
            ev.count += 1
            ev.tick = self.now
        else:
            self._event_seq += 1
            ev = ClusterEvent(self.now, type_, reason, message, kind, namespace, name, source, host,
                              first_tick=self.now, uid=uid, seq=self._event_seq, key=key, field_path=field_path)
            self._event_index[key] = ev
            self.events.append(ev)
            if len(self.events) > MAX_EVENTS:
                old = self.events.popleft()
                self._drop_event(old)
        self.tick_events.append(ev)
        return ev

    def _drop_event(self, ev: ClusterEvent) -> None:
        if self._event_index.get(ev.key) is ev:
            del self._event_index[ev.key]

    def _expire_events(self) -> None:
        while self.events and self.now - self.events[0].tick > EVENT_TTL:
            self._drop_event(self.events.popleft())

    def events_for(self, kind: str, namespace: str, name: str) -> list[ClusterEvent]:
        return [e for e in self.events if e.kind == kind and e.namespace == namespace and e.name == name]

    # -- nodes -----------------------------------------------------------------------------
    def add_node(self, spec: NodeSpec, boot_ticks: int = 0, pool: bool = False) -> Node:
        """Add a machine; with boot_ticks it joins NotReady and turns Ready when booted."""
        if self.store.get("Node", "", spec.name) is not None:
            raise already_exists("nodes", spec.name)
        node = Node(spec.name, cpu_millis(spec.cpu), memory_bytes(spec.memory), spec.pods, spec.zone,
                    spec.kernel, spec.labels, spec.taints)
        node.uid = self.new_uid(system=CONTROL_PLANE_ROLE in spec.labels)
        node.cidr_index = self._cidr_next
        node.spec["podCIDR"] = f"10.244.{self._cidr_next}.0/24"
        node.spec["podCIDRs"] = [node.spec["podCIDR"]]
        self._cidr_next += 1
        node.pool = pool
        node.last_heartbeat = self.now
        node.ready_since = self.now
        if boot_ticks > 0:
            node.booting_until = self.now + boot_ticks
            node.ready_status = "False"
            node.spec.setdefault("taints", []).append(
                {"effect": "NoSchedule", "key": "node.kubernetes.io/not-ready"})
        self.store.add(node)
        if boot_ticks > 0:
            self.nodelifecycle.watch_boot(node)
        else:
            self.record(node, "Normal", "RegisteredNode",
                        f"Node {node.name} event: Registered Node {node.name} in Controller",
                        "node-controller")
        return node

    def node(self, name: str) -> Node | None:
        return self.store.get("Node", "", name)  # type: ignore[return-value]

    def nodes(self) -> list[Node]:
        return self.store.list("Node")  # type: ignore[return-value]

    def fail_node(self, name: str) -> None:
        """The machine stops: no heartbeats; its pods stop serving at once."""
        node = self._node_or_raise(name)
        if node.alive:
            node.alive = False
            self.store.touch_node(name)
            node.last_heartbeat = self.now
            self.nodelifecycle.node_failed(node)
            self.endpoints.node_changed(node)

    def recover_node(self, name: str) -> None:
        node = self._node_or_raise(name)
        if not node.alive:
            node.alive = True
            self.store.touch_node(name)
            self.nodelifecycle.node_recovered(node)
            self.kubelet.node_recovered(node)
            self.endpoints.node_changed(node)

    def remove_node(self, name: str) -> None:
        """Delete the Node and everything bound to it (PodGC removes pods of vanished nodes)."""
        node = self._node_or_raise(name)
        self.store.remove(node)
        for pod in list(self.store.pods_on(name).values()):
            self.remove_pod(pod)

    def set_kernel(self, name: str, kernel: str, reboot: bool = True) -> None:
        """A kernel upgrade: the machine reboots into the new kernel (its containers restart on
        it, sharing it), and node-feature-discovery relabels the node."""
        node = self._node_or_raise(name)
        node.kernel = kernel
        node.labels["feature.node.kubernetes.io/kernel-version.full"] = kernel
        self.store.modified(node, status_only=True, by_kubelet=True)
        if reboot and node.alive:
            self.kubelet.node_recovered(node)

    def _node_or_raise(self, name: str) -> Node:
        node = self.node(name)
        if node is None:
            raise not_found("nodes", name)
        return node

    def account(self, pod: Pod, node_name: str, sign: int) -> None:
        """Add (+1) or release (-1) a pod's requests on its node (the scheduler's NodeInfo)."""
        node = self.node(node_name)
        if node is None:
            return
        node.cpu_used += sign * pod.cpu_request
        node.mem_used += sign * pod.mem_request
        node.pod_count += sign
        for port in pod.host_ports:
            node.host_ports_used[port] = node.host_ports_used.get(port, 0) + sign
            if node.host_ports_used[port] <= 0:
                del node.host_ports_used[port]
        self.scheduler.refresh_node(node)
        if sign < 0:
            self.scheduler.room_grew(node)
        else:
            self.scheduler.refit(node)
        self.scheduler.topology.account(pod, node, sign)

    # -- reads -----------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> KObject | None:
        return self.store.get(kind, self._ns(kind, namespace), name)

    def must_get(self, kind: str, namespace: str, name: str) -> KObject:
        obj = self.get(kind, namespace, name)
        if obj is None:
            raise not_found(BY_KIND[kind].qualified if kind in BY_KIND else kind.lower() + "s", name)
        return obj

    def list(self, kind: str, namespace: str | None = None) -> list[KObject]:
        return self.store.list(kind, None if namespace is None else self._ns(kind, namespace))

    def pods(self, namespace: str | None = None) -> list[Pod]:
        return self.list("Pod", namespace)  # type: ignore[return-value]

    def render(self, obj: KObject, copy: bool = True) -> dict:
        """The object as the API server returns it (`kubectl get -o yaml`); `copy=False` for a reader
        that serialises it at once (KObject.to_dict)."""
        if isinstance(obj, Node) and obj.alive:
            obj.last_heartbeat = self.now
        return obj.to_dict(copy)

    def _ns(self, kind: str, namespace: str) -> str:
        res = BY_KIND.get(kind)
        return namespace if (res is None or res.namespaced) else ""

    # -- writes ----------------------------------------------------------------------------
    def _resource(self, body: dict) -> Resource:
        kind = body.get("kind")
        api_version = body.get("apiVersion")
        if not kind or not isinstance(kind, str):
            raise ApiError("BadRequest", "Object 'Kind' is missing in the object", 400)
        if not api_version:
            raise ApiError("BadRequest", "Object 'apiVersion' is missing in the object", 400)
        res = BY_KIND.get(kind)
        if res is None:
            raise ApiError("BadRequest",
                           f'no matches for kind "{kind}" in version "{api_version}"', 400)
        accepted = ACCEPTED_API_VERSIONS.get(kind, (res.api_version,))
        if api_version not in accepted:
            raise ApiError("BadRequest", f'no matches for kind "{kind}" in version "{api_version}"', 400)
        return res

    def prepare(self, body: dict, namespace: str | None = None) -> tuple[Resource, dict]:
        """Default and validate a manifest as the API server would; returns a defaulted copy."""
        if not isinstance(body, dict):
            raise ApiError("BadRequest", "the object is not a mapping", 400)
        res = self._resource(body)
        admission.decode(body)               # strict decoding: known fields of the right types
        body = _without_nulls(plain_copy(body))   # `replicas: null` decodes to an unset field, then defaulted
        md = body.setdefault("metadata", {})
        if not isinstance(md, dict):
            raise ApiError("BadRequest", "metadata must be an object", 400)
        if res.namespaced:
            ns = md.get("namespace") or namespace or "default"
            if namespace and md.get("namespace") and md["namespace"] != namespace:
                raise ApiError("BadRequest",
                               f"the namespace from the provided object \"{md['namespace']}\" does not match "
                               f"the namespace \"{namespace}\". You must pass '--namespace={md['namespace']}' "
                               "to perform this operation.", 400)
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
        if not md.get("name") and md.get("generateName"):
            md["name"] = generated_name(md["generateName"], self.random_suffix(system=md.get("namespace") == SYSTEM_NS))
        defaults.apply_defaults(res.kind, body)
        causes = validation.validate(res.kind, body, self.config.max_replicas)
        if causes:
            raise invalid(res.kind_group, str(md.get("name") or ""), causes)
        admission.check_size(body, res.kind)
        return res, body

    def create(self, body: dict, namespace: str | None = None, owner: KObject | None = None,
               dry_run: bool = False, system: bool = False) -> KObject:
        """POST: create an object from a manifest."""
        res, body = self.prepare(body, namespace)
        md = body["metadata"]
        name, ns = md["name"], md.get("namespace", "")
        if res.namespaced and self.store.get("Namespace", "", ns) is None:
            raise ApiError("NotFound", f'namespaces "{ns}" not found', 404)
        if self.store.get(res.kind, ns, name) is not None:
            raise already_exists(res.qualified, name)
        if res.kind in RBAC_KINDS:
            rbac.confirm_no_escalation(self, self.requester, res.kind, body)
        obj = self._build(res, body)
        if owner is not None:
            obj.owner_references = [owner_ref(owner)]
        if dry_run:
            return obj
        self.store.check_writable()
        self._admit(obj)
        obj.uid = self.system_uid(obj) if system else self.new_uid(system=obj.namespace == SYSTEM_NS)
        self.store.add(obj)
        if obj.kind == "Namespace":
            self.serviceaccounts.ensure(obj.name)
        return obj

    def create_pod_from_template(self, owner: KObject, template: dict, name: str | None = None,
                                 labels: dict | None = None, spec: dict | None = None) -> Pod:
        """The pod a workload controller makes from its pod template.

        The template was defaulted and validated with its owner, so this skips the API
        server's generic create path (the hot path when 10,000 pods are made at once).
        """
        self.store.check_writable()
        waiting = len(self.scheduler.active) + len(self.scheduler.unschedulable)
        if waiting >= self.config.max_pending_pods:
            raise ApiError("TooManyRequests", f"kubegame holds at most {self.config.max_pending_pods} pods waiting to "
                           "be scheduled; the controller creates the next one when one of them is scheduled or "
                           "deleted", 429)
        md = template.get("metadata") or {}
        shape = None
        if spec is None:
            # the template's spec, defaulted once per owner generation and shared by its pods: each
            # pod's spec is its own top-level dict (nodeName, priority are set per pod) over the same
            # nested values, which nothing writes to (a pod that must change them calls own_spec first)
            key = (owner.uid, owner.generation)
            cached = self._templates.get(key)
            if cached is None:
                if len(self._templates) > 256:
                    self._templates.clear()
                base = plain_copy(template.get("spec") or {})
                defaults.pod_only_defaults(base)
                defaults.default_tolerations(base, self.config.default_toleration_seconds)
                fingerprint = pickle.dumps(base, pickle.HIGHEST_PROTOCOL) if checks.CHECK_CACHES else b""
                cached = self._templates[key] = (base, pod_shape(base), fingerprint)
            spec = dict(cached[0])
            shape = cached[1]
        else:
            defaults.pod_only_defaults(spec)
            defaults.default_tolerations(spec, self.config.default_toleration_seconds)
        if name is None:
            while True:
                name = generated_name(f"{owner.name}-", self.random_suffix(system=owner.namespace == SYSTEM_NS))
                if self.store.get("Pod", owner.namespace, name) is None:
                    break
        elif self.store.get("Pod", owner.namespace, name) is not None:
            raise already_exists("pods", name)
        pod = Pod(name, owner.namespace, spec, labels if labels is not None else dict(md.get("labels") or {}),
                  plain_copy(md["annotations"]) if md.get("annotations") else None, shape=shape)
        pod.generate_name = f"{owner.name}-" if name.startswith(f"{owner.name}-") else ""
        pod.owner_references = [owner_ref(owner)]
        if shape is not None:
            pod.template_key = (owner.uid, owner.generation)
        self._admit(pod)
        pod.uid = self.new_uid(system=owner.namespace == SYSTEM_NS)
        self.store.add(pod)
        return pod

    def _build(self, res: Resource, body: dict) -> KObject:
        md = body["metadata"]
        spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        if res.kind == "Pod":
            defaults.default_tolerations(spec, self.config.default_toleration_seconds)
            obj: KObject = Pod(md["name"], md.get("namespace", "default"), spec, md.get("labels"),
                               md.get("annotations"))
        else:
            obj = KObject(res.kind, md["name"], md.get("namespace", ""), spec, md.get("labels"),
                          md.get("annotations"), api_version=res.api_version)
        for k, v in body.items():
            if k not in ("apiVersion", "kind", "metadata", "spec", "status"):
                obj.extra[k] = v
        if md.get("ownerReferences"):
            obj.owner_references = copy.deepcopy(md["ownerReferences"])
        if md.get("finalizers"):
            obj.finalizers = list(md["finalizers"])
        if md.get("generateName"):
            obj.generate_name = md["generateName"]
        return obj

    def _admit(self, obj: KObject) -> None:
        """The admission chain, in kube-apiserver's order: ServiceAccount, LimitRanger, Priority, then
        ResourceQuota (validating, last); Service IPs and node ports; namespace phase."""
        if isinstance(obj, Pod):
            self._admit_service_account(obj)
            ranges = self.store.list("LimitRange", obj.namespace) if self.store.any("LimitRange") else []
            if ranges and obj.template_key is not None:
                obj.own_spec()            # LimitRanger writes defaults into the containers
            if ranges and limitranger.admit(ranges, obj.name, obj.spec, obj.annotations):
                obj.cpu_request, obj.mem_request, obj.image, obj.host_ports = pod_shape(obj.spec)
                obj.template_key = None
            priority.admit_pod(self, obj.name, obj.spec)
            obj.priority = int(obj.spec.get("priority") or 0)
        elif obj.kind == "PersistentVolumeClaim":
            storage.admit_claim(self.store, obj)
        elif obj.kind == "PersistentVolume":
            storage.admit_volume(obj)
        self.quota.admit(obj)
        if obj.kind == "Service":
            self._allocate_service(obj)
        elif obj.kind == "Namespace":
            obj.status = {"phase": "Active"}

    def _admit_service_account(self, pod: Pod) -> None:
        """plugin/pkg/admission/serviceaccount: the pod's ServiceAccount must exist (mirror pods are exempt)."""
        if pod.annotations and "kubernetes.io/config.mirror" in pod.annotations:
            return
        sa = str(pod.spec.get("serviceAccountName") or "default")
        if self.store.get("ServiceAccount", pod.namespace, sa) is None:
            raise ApiError("Forbidden", f'pods "{pod.name}" is forbidden: error looking up service account '
                           f'{pod.namespace}/{sa}: serviceaccount "{sa}" not found', 403)

    def update(self, body: dict, namespace: str | None = None, dry_run: bool = False) -> tuple[KObject, bool]:
        """PUT: replace an object's labels, annotations and spec. Returns (object, changed)."""
        res, body = self.prepare(body, namespace)
        md = body["metadata"]
        obj = self.store.get(res.kind, md.get("namespace", ""), md["name"])
        if obj is None:
            raise not_found(res.qualified, md["name"])
        if res.kind in RBAC_KINDS:
            rbac.confirm_no_escalation(self, self.requester, res.kind, body)
        new_spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
        if res.kind == "Pod":
            new_spec = self._merge_pod_spec(obj, new_spec)  # type: ignore[arg-type]
        if res.kind == "Service":
            self._keep_service_allocations(obj, new_spec)
        if res.kind == "Node" and bool(new_spec.get("unschedulable")) != bool(obj.spec.get("unschedulable")):
            _unschedulable_taint(new_spec, obj)
        causes = validation.immutable_changes(res.kind, obj.spec, new_spec)
        if causes:
            raise invalid(res.kind_group, obj.name, causes)
        new_extra = {k: v for k, v in body.items() if k not in ("apiVersion", "kind", "metadata", "spec", "status")}
        if res.kind in ("RoleBinding", "ClusterRoleBinding"):
            from kubegame.engine.validation_access import role_ref_changed
            causes = role_ref_changed(obj.extra, new_extra)
            if causes:
                raise invalid(res.kind_group, obj.name, causes)
        if res.kind == "PersistentVolumeClaim":
            causes = storage.check_claim_update(self.store, obj, new_spec)
        elif res.kind == "PersistentVolume":
            causes = storage.check_volume_update(obj, new_spec)
        elif res.kind == "StorageClass":
            causes = storage.check_class_update(obj.extra, new_extra)
        if causes:
            raise invalid(res.kind_group, obj.name, causes)
        labels = md.get("labels") or {}
        annotations = md.get("annotations") or {}
        finalizers = [str(f) for f in md.get("finalizers") or []]
        if obj.deletion_tick is not None and not isinstance(obj, Pod):
            added = [f for f in finalizers if f not in obj.finalizers]
            if added:
                raise invalid(res.kind_group, obj.name, [
                    "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being "
                    f"deleted, found new finalizers []string{{{', '.join(json.dumps(f) for f in added)}}}"])
        spec_changed = new_spec != obj.spec
        changed = (spec_changed or labels != obj.labels or annotations != obj.annotations or new_extra != obj.extra
                   or finalizers != obj.finalizers)
        if not changed or dry_run:
            return obj, changed
        self.store.check_writable()
        obj.labels = dict(labels)
        obj.annotations = dict(annotations)
        obj.extra = new_extra
        if finalizers != obj.finalizers:
            obj.finalizers = finalizers
            if obj.deletion_tick is not None and not finalizers and not isinstance(obj, Pod):
                self._finish_delete(obj, None, self._propagation.pop(obj.uid, "Background"))
                return obj, True
        if spec_changed:
            obj.spec = new_spec
            obj.generation += 1
            if isinstance(obj, Pod):
                containers = new_spec.get("containers") or [{}]
                obj.image = containers[0].get("image", obj.image)
        self.store.modified(obj)
        return obj, True

    def _merge_pod_spec(self, pod: Pod, new_spec: dict) -> dict:
        """Pods are mostly immutable: only images, activeDeadlineSeconds and added tolerations change."""
        defaults.default_tolerations(new_spec, self.config.default_toleration_seconds)
        if pod.node_name and not new_spec.get("nodeName"):
            new_spec["nodeName"] = pod.node_name
        def strip(s: dict) -> dict:
            s = copy.deepcopy(s)
            for c in s.get("containers") or []:
                c.pop("image", None)
            s.pop("activeDeadlineSeconds", None)
            s.pop("tolerations", None)
            return s
        if strip(new_spec) != strip(pod.spec):
            raise invalid("Pod", pod.name, [
                "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                "(allow it to be set to 1 if it was previously negative)"])
        return new_spec

    def apply(self, body: dict, namespace: str | None = None, dry_run: bool = False) -> tuple[KObject, str]:
        """Create or update; returns the object and `created`, `configured` or `unchanged`."""
        res, prepared = self.prepare(body, namespace)
        md = prepared["metadata"]
        if self.store.get(res.kind, md.get("namespace", ""), md["name"]) is None:
            return self.create(body, namespace, dry_run=dry_run), "created"
        obj, changed = self.update(body, namespace, dry_run=dry_run)
        return obj, "configured" if changed else "unchanged"

    def write_status(self, obj: KObject) -> None:
        """A controller's status write (fails without quorum like any write)."""
        self.store.modified(obj)

    def delete(self, kind: str, namespace: str, name: str, grace: int | None = None,
               propagation: str = "Background") -> KObject:
        """DELETE: pods terminate gracefully; owners cascade to their dependents (the garbage collector)."""
        res = BY_KIND.get(kind)
        obj = self.get(kind, namespace, name)
        if obj is None or res is None:
            raise not_found(res.qualified if res else kind.lower(), name)
        if kind == "Node":
            self.remove_node(name)
            return obj
        self.store.check_writable()
        if isinstance(obj, Pod):
            self.delete_pod(obj, grace)
            return obj
        if kind == "Namespace":
            if name in ("default", "kube-system", "kube-public", "kube-node-lease"):
                raise ApiError("Forbidden", f'namespaces "{name}" is forbidden: this namespace may not be deleted', 403)
            for k in list(self.store.objects):
                for o in self.store.list(k, name):
                    if self.store.get(o.kind, o.namespace, o.name) is not None:
                        self.delete(o.kind, o.namespace, o.name, grace)
                        if o.finalizers and not isinstance(o, Pod):   # the namespace goes now, and all in it
                            self._finish_delete(o)
        elif obj.finalizers:
            # metadata.finalizers: the object stays, Terminating, until its finalizers are removed
            if obj.deletion_tick is None:
                obj.deletion_tick, obj.deletion_grace = self.now, 0
                self._propagation[obj.uid] = propagation
                self.store.modified(obj)
            return obj
        self._finish_delete(obj, grace, propagation)
        return obj

    def remove_finalizer(self, obj: KObject, finalizer: str) -> None:
        """A controller's finalizer is done: the last one gone, a deleted object goes."""
        if finalizer not in obj.finalizers:
            return
        obj.finalizers = [f for f in obj.finalizers if f != finalizer]
        if obj.deletion_tick is not None and not obj.finalizers:
            self._finish_delete(obj, None, self._propagation.pop(obj.uid, "Background"))
        else:
            self.store.modified(obj)

    def _finish_delete(self, obj: KObject, grace: int | None = None, propagation: str = "Background") -> None:
        """The object leaves etcd; its dependents follow as the garbage collector says."""
        if self.store.get(obj.kind, obj.namespace, obj.name) is not obj:
            return
        self.store.remove(obj)
        if obj.kind == "Service":
            self._release_service(obj)
        dependents = self.store.owned_by(obj.uid)
        for dep in dependents:
            if propagation == "Orphan":
                self.store.set_owners(dep, [r for r in dep.owner_references if r.get("uid") != obj.uid])
                self.store.modified(dep)
            elif self.store.get(dep.kind, dep.namespace, dep.name) is dep:
                self.delete(dep.kind, dep.namespace, dep.name, grace)

    def delete_pod(self, pod: Pod, grace: int | None = None, reason: str = "") -> None:
        """Begin graceful termination (grace None: the pod's terminationGracePeriodSeconds; 0: now)."""
        if grace == 0:
            self.remove_pod(pod)
            return
        if pod.deletion_tick is not None:
            if grace is not None and pod.deletion_grace is not None and grace < pod.deletion_grace:
                pod.deletion_grace = grace
                self.kubelet.pod_deleting(pod)
            return
        pod.deletion_tick = self.now
        pod.deletion_grace = grace if grace is not None else int(pod.spec.get("terminationGracePeriodSeconds", 30))
        if reason:
            pod.reason = reason
        self.store.modified(pod)
        self.kubelet.pod_deleting(pod)

    def crash_pod(self, pod: Pod) -> bool:
        """Kill a pod's running container (chaos): it exits 137 and restarts by its restartPolicy."""
        node = self.node(pod.node_name) if pod.node_name else None
        if node is None or not node.alive or pod.state != "running" or pod.terminating:
            return False
        self.kubelet.kill(pod)
        return True

    def remove_pod(self, pod: Pod, by_kubelet: bool = False) -> bool:
        """The pod object goes away (kubelet confirmed termination, or a force delete).

        Returns False when etcd has no quorum and a kubelet asked (it tries again later).
        """
        if self.store.get("Pod", pod.namespace, pod.name) is not pod:
            return True
        if by_kubelet and not self.store.quorum:
            return False
        self.store.remove(pod)
        if pod.node_name and pod.phase not in ("Succeeded", "Failed"):
            self.account(pod, pod.node_name, -1)
        self.kubelet.release(pod)
        self.store.pods_by_node.get(pod.node_name, {}).pop(pod.key, None)
        return True

    def scale(self, kind: str, namespace: str, name: str, replicas: int) -> KObject:
        obj = self.must_get(kind, namespace, name)
        if replicas < 0:
            raise invalid(BY_KIND[kind].kind_group, name,
                          [f"spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0"])
        if replicas > self.config.max_replicas:
            raise invalid(BY_KIND[kind].kind_group, name,
                          [f"spec.replicas: Invalid value: {replicas}: must be less than or equal to "
                           f"{self.config.max_replicas} (this cluster's replica ceiling)"])
        if obj.spec.get("replicas") != replicas:
            self.store.check_writable()
            obj.spec["replicas"] = replicas
            obj.generation += 1
            self.store.modified(obj)
        return obj

    # -- namespaces and services -----------------------------------------------------------
    def _create_namespace(self, name: str) -> None:
        ns = KObject("Namespace", name, "", {"finalizers": ["kubernetes"]},
                     labels={"kubernetes.io/metadata.name": name})
        ns.status = {"phase": "Active"}
        ns.uid = self.new_uid()
        self.store.add(ns)
        self.serviceaccounts.ensure(name)

    def _create_kubernetes_service(self) -> None:
        svc = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "kubernetes", "namespace": "default",
                            "labels": {"component": "apiserver", "provider": "kubernetes"}},
               "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "targetPort": 6443}]}}
        self.create(svc)

    def _allocate_service(self, svc: KObject) -> None:
        spec = svc.spec
        if not spec.get("clusterIP") and spec.get("type") != "ExternalName":
            # random within 10.96.0.0/12, as the real allocator does
            while True:
                n = self.rng.randrange(2, 1 << 20)
                ip = f"10.{96 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"
                if ip not in self._service_ips and (n & 255) not in (0, 255):
                    break
            spec["clusterIP"] = ip
        if spec.get("clusterIP") and spec["clusterIP"] != "None":
            self._service_ips[spec["clusterIP"]] = f"{svc.namespace}/{svc.name}"
            spec["clusterIPs"] = [spec["clusterIP"]]
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            for p in spec.get("ports") or []:
                if p.get("nodePort"):
                    if p["nodePort"] in self._node_ports:
                        raise invalid("Service", svc.name, [
                            f"spec.ports[0].nodePort: Invalid value: {p['nodePort']}: provided port is already allocated"])
                else:
                    while True:
                        port = self.rng.randrange(30000, 32768)
                        if port not in self._node_ports:
                            break
                    p["nodePort"] = port
                self._node_ports[p["nodePort"]] = svc.name

    def _keep_service_allocations(self, old: KObject, new_spec: dict) -> None:
        for f in ("clusterIP", "clusterIPs"):
            if f in old.spec and f not in new_spec:
                new_spec[f] = copy.deepcopy(old.spec[f])
        old_ports = {(p.get("port"), p.get("protocol")): p for p in old.spec.get("ports") or []}
        if new_spec.get("type") in ("NodePort", "LoadBalancer"):
            for p in new_spec.get("ports") or []:
                prev = old_ports.get((p.get("port"), p.get("protocol")))
                if not p.get("nodePort") and prev and prev.get("nodePort"):
                    p["nodePort"] = prev["nodePort"]
                elif not p.get("nodePort"):
                    while True:
                        port = self.rng.randrange(30000, 32768)
                        if port not in self._node_ports:
                            break
                    p["nodePort"] = port
                    self._node_ports[port] = old.name

    def _release_service(self, svc: KObject) -> None:
        self._service_ips.pop(svc.spec.get("clusterIP", ""), None)
        for p in svc.spec.get("ports") or []:
            self._node_ports.pop(p.get("nodePort"), None)

    # -- state -----------------------------------------------------------------------------
    def state(self) -> dict:
        """Everything that defines the cluster now, as plain data (what the hash covers)."""
        objs = []
        for kind in sorted(self.store.objects):
            if kind == "Event":
                continue
            for obj in self.store.list(kind):
                objs.append(self.render(obj))
        nodes = {n.name: {"alive": n.alive, "layers": sorted(n.layers), "kernel": n.kernel}
                 for n in self.nodes()}
        out = {"tick": self.now, "objects": objs, "nodes": nodes, "traffic": self.traffic.totals()}
        if self.hosts:
            out["hosts"] = {name: {"units": dict(sorted(h.units.items())), "files": dict(sorted(h.files.items())),
                                   "sizes": dict(sorted(h.sizes.items()))} for name, h in sorted(self.hosts.items())}
        volumes = self.volumes.state()
        if any(volumes.values()):
            out["volumes"] = volumes
        return out

    def state_hash(self) -> str:
        """sha256 of the cluster's state: same level, seed and commands give the same hash anywhere."""
        data = json.dumps(self.state(), sort_keys=True, separators=(",", ":"), default=str)
        h = hashlib.sha256(data.encode())
        h.update(repr(self.rng.getstate()).encode())
        h.update(repr(self.system_rng.getstate()).encode())
        return h.hexdigest()


SYSTEM_NS = "kube-system"
RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(str(exc)) from None


def _render_json(body: dict) -> str:
    return json.dumps(body, indent=2) + "\n"


def _without_nulls(value: Any) -> Any:
    """JSON null for a field is Go's nil: the field is unset (and defaulting fills it)."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def _unschedulable_taint(spec: dict, node: KObject) -> None:
    """The node lifecycle controller's taint for a cordoned node (TaintNodesByCondition:
    node.kubernetes.io/unschedulable:NoSchedule), added or removed with spec.unschedulable."""
    key = "node.kubernetes.io/unschedulable"
    taints = [t for t in spec.get("taints") or [] if t.get("key") != key]
    if spec.get("unschedulable"):
        taints.append({"effect": "NoSchedule", "key": key, "timeAdded": timestamp(node.creation_tick)})
    if taints:
        spec["taints"] = taints
    else:
        spec.pop("taints", None)


def owner_ref(owner: KObject) -> dict:
    return {"apiVersion": owner.api_version, "blockOwnerDeletion": True, "controller": True,
            "kind": owner.kind, "name": owner.name, "uid": owner.uid}


MAX_GENERATED_NAME_LENGTH = 63 - 5     # apiserver/pkg/storage/names/generate.go: maxNameLength - randomLength


def generated_name(base: str, suffix: str) -> str:
    """SimpleNameGenerator.GenerateName: the base cut to 58 characters, then 5 random ones."""
    return base[:MAX_GENERATED_NAME_LENGTH] + suffix

