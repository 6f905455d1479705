"""Hypothesis strategies for kubegame: nodes, images, manifests, clusters, commands, levels, scenarios.

    from kubegame.testing.strategies import manifests, commands, levels

    manifests(kind="DaemonSet")    # a valid apps/v1 DaemonSet as plain data (what YAML parses to)
    clusters()                     # a seeded Cluster with nodes, images and a few workloads
    commands(cluster)              # one kubectl (or game) command line for the objects that exist now
    levels()                       # the text of a complete level file that load_text() accepts
    scenarios(...)                 # a level's `events:` list

Every manifest is valid against the official Kubernetes schema (kubernetes-validate,
strict) and the engine's own validation; every command parses (no usage errors).
"""

from __future__ import annotations

import json
import random
from typing import Any

import yaml
from hypothesis import strategies as st

from kubegame.engine import Cluster, Image, NodeSpec
from kubegame.engine.system import SYSTEM_IMAGES, is_control_plane
from kubegame.testing.builders import deployment, pod_template, service

APP_NAMES = ("shop", "cart", "api", "web", "auth")
ZONES = ("zone-a", "zone-b", "zone-c")
KERNELS = ("6.1", "6.8")
NAMESPACES = ("team-a", "team-b", "staging")

KINDS = ("Namespace", "Pod", "ReplicaSet", "Deployment", "Service", "DaemonSet", "StatefulSet", "Job",
         "ConfigMap", "Secret", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceAccount",
         "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ResourceQuota", "LimitRange", "CronJob",
         "PersistentVolume", "PersistentVolumeClaim", "StorageClass", "NetworkPolicy")
RBAC_V1 = "rbac.authorization.k8s.io/v1"
API_VERSIONS = {"Namespace": "v1", "Pod": "v1", "Service": "v1", "ConfigMap": "v1", "Secret": "v1",
                "ReplicaSet": "apps/v1", "Deployment": "apps/v1", "DaemonSet": "apps/v1", "StatefulSet": "apps/v1",
                "Job": "batch/v1", "Ingress": "networking.k8s.io/v1",
                "HorizontalPodAutoscaler": "autoscaling/v2", "PodDisruptionBudget": "policy/v1",
                "ServiceAccount": "v1", "ResourceQuota": "v1", "LimitRange": "v1", "CronJob": "batch/v1",
                "Role": RBAC_V1, "ClusterRole": RBAC_V1, "RoleBinding": RBAC_V1, "ClusterRoleBinding": RBAC_V1,
                "PersistentVolume": "v1", "PersistentVolumeClaim": "v1", "StorageClass": "storage.k8s.io/v1",
                "NetworkPolicy": "networking.k8s.io/v1"}
STORAGE_CLASSES = ("standard", "manual", "fast")
SIZES = ("500Mi", "1Gi", "2Gi", "5Gi")
MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany")
USERS = ("jane", "bob", "ci-bot")
GROUPS = ("developers", "ops")
VERBS = ("get", "list", "watch", "create", "update", "patch", "delete")
RULE_TARGETS = (("", "pods"), ("", "services"), ("", "configmaps"), ("", "secrets"), ("", "pods/log"),
                ("apps", "deployments"), ("apps", "deployments/scale"), ("batch", "jobs"), ("batch", "cronjobs"))
SCHEDULES = ("* * * * *", "*/5 * * * *", "0 * * * *", "@hourly", "@every 90s", "30 2 * * mon-fri")


# -- machines and images -------------------------------------------------------------------------

@st.composite
def nodes(draw, name: str | None = None) -> NodeSpec:
    """A worker machine: 1-8 cpus, 2-16 GiB, a zone and a kernel."""
    return NodeSpec(
        name=name or draw(st.sampled_from([f"node-{i}" for i in range(1, 20)])),
        cpu=str(draw(st.integers(1, 8))),
        memory=f"{draw(st.integers(2, 16))}Gi",
        pods=draw(st.sampled_from([110, 110, 110, 8])),
        zone=draw(st.sampled_from(ZONES)),
        kernel=draw(st.sampled_from(KERNELS)),
    )


@st.composite
def images(draw, name: str | None = None) -> Image:
    """A registry image with random weight, layers, start-up time and capacity."""
    return Image(
        name=name or f"{draw(st.sampled_from(APP_NAMES))}:{draw(st.sampled_from(['1.0', '1.1', '2.0']))}",
        size_mb=draw(st.integers(5, 800)),
        layers=tuple(draw(st.lists(st.sampled_from(["debian-12", "alpine-3", "python-3.12", "node-20"]),
                                   max_size=2, unique=True))),
        startup_ticks=draw(st.integers(0, 20)),
        capacity_rps=draw(st.integers(10, 200)),
        latency_ms=draw(st.integers(5, 100)),
        crash_on_kernels=tuple(draw(st.lists(st.sampled_from(KERNELS), max_size=1))),
    )


CPU_QUANTITIES = ("50m", "100m", "250m", "500m", "1", "1500m")
MEMORY_QUANTITIES = ("64Mi", "128Mi", "256Mi", "512Mi", "1Gi")


def quantities_cpu() -> st.SearchStrategy[str]:
    return st.sampled_from(CPU_QUANTITIES)


def quantities_memory() -> st.SearchStrategy[str]:
    return st.sampled_from(MEMORY_QUANTITIES)


def strategies_rolling() -> st.SearchStrategy[dict]:
    values = st.sampled_from([0, 1, 2, "0%", "25%", "50%", "100%"])
    return st.tuples(values, values).filter(lambda t: str(t[0]).rstrip("%") != "0" or str(t[1]).rstrip("%") != "0") \
        .map(lambda t: {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": t[0], "maxUnavailable": t[1]}})


# -- manifests -----------------------------------------------------------------------------------

def _meta(name: str, namespace: str | None, labels: dict | None = None) -> dict:
    md: dict[str, Any] = {"name": name}
    if namespace:
        md["namespace"] = namespace
    if labels:
        md["labels"] = dict(labels)
    return md


@st.composite
def _template(draw, app: str, image_names: tuple[str, ...], restart: str | None = None) -> dict:
    t = pod_template(app, draw(st.sampled_from(image_names)), draw(quantities_cpu()), draw(quantities_memory()))
    if restart:
        t["spec"]["restartPolicy"] = restart
    if draw(st.integers(0, 4)) == 0:
        t["spec"]["terminationGracePeriodSeconds"] = draw(st.sampled_from([0, 5, 30]))
    return t


@st.composite
def manifests(draw, kind: str = "Deployment", name: str | None = None, image_names: tuple[str, ...] = ("shop:1.0",),
              namespace: str | None = None, target: str | None = None):
    """A valid manifest of a kind as plain data, as YAML would parse it.

    kind: any of KINDS. `name` defaults to one of APP_NAMES (a Namespace: one of NAMESPACES);
    workloads label their pods `app: NAME`; `target` names what a Service, Ingress, HPA or
    PDB points at (default: `name`). `namespace` None leaves it out (the default namespace).
    """
    if kind not in KINDS:
        raise ValueError(f"manifests(): unsupported kind {kind!r} (supported: {', '.join(KINDS)})")
    if kind == "Namespace":
        return {"apiVersion": "v1", "kind": "Namespace",
                "metadata": {"name": name or draw(st.sampled_from(NAMESPACES))}}
    name = name or draw(st.sampled_from(APP_NAMES))
    target = target or name
    api = API_VERSIONS[kind]
    if kind == "Deployment":
        strategy = draw(st.one_of(st.none(), strategies_rolling(), st.just({"type": "Recreate"})))
        body = deployment(name, replicas=draw(st.integers(0, 8)), image=draw(st.sampled_from(image_names)),
                          cpu=draw(quantities_cpu()), memory=draw(quantities_memory()), strategy=strategy)
        if namespace:
            body["metadata"]["namespace"] = namespace
        else:
            del body["metadata"]["namespace"]
        return body
    if kind == "Service":
        body = service(target, type_=draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"])))
        body["metadata"] = _meta(name, namespace)
        return body
    if kind == "Pod":
        t = draw(_template(name, image_names, draw(st.sampled_from([None, "Always", "OnFailure", "Never"]))))
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace, {"app": name}), "spec": t["spec"]}
    if kind == "ReplicaSet":
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace, {"app": name}),
                "spec": {"replicas": draw(st.integers(0, 6)), "selector": {"matchLabels": {"app": name}},
                         "template": draw(_template(name, image_names))}}
    if kind == "DaemonSet":
        spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}},
                                "template": draw(_template(name, image_names))}
        strategy = draw(st.sampled_from([None, 1, "50%", "OnDelete"]))
        if strategy == "OnDelete":
            spec["updateStrategy"] = {"type": "OnDelete"}
        elif strategy is not None:
            spec["updateStrategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": strategy}}
        if draw(st.booleans()):
            spec["template"]["spec"]["tolerations"] = [{"key": "node-role.kubernetes.io/control-plane",
                                                        "operator": "Exists", "effect": "NoSchedule"}]
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace, {"app": name}), "spec": spec}
    if kind == "StatefulSet":
        spec = {"serviceName": name, "replicas": draw(st.integers(0, 4)),
                "selector": {"matchLabels": {"app": name}}, "template": draw(_template(name, image_names)),
                "podManagementPolicy": draw(st.sampled_from(["OrderedReady", "Parallel"]))}
        if draw(st.booleans()):
            spec["volumeClaimTemplates"] = [{
                "metadata": {"name": "data"},
                "spec": {"accessModes": ["ReadWriteOnce"],
                         "resources": {"requests": {"storage": draw(st.sampled_from(["1Gi", "10Gi"]))}}}}]
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace, {"app": name}), "spec": spec}
    if kind == "Job":
        parallelism = draw(st.integers(1, 3))
        spec = {"template": draw(_template(name, image_names, draw(st.sampled_from(["Never", "OnFailure"])))),
                "completions": draw(st.integers(parallelism, 5)), "parallelism": parallelism,
                "backoffLimit": draw(st.integers(0, 6))}
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace), "spec": spec}
    if kind == "ConfigMap":
        data = draw(st.dictionaries(st.sampled_from(["LOG_LEVEL", "MODE", "config.yaml", "greeting"]),
                                    st.sampled_from(["debug", "info", "fast", "hello: world\n", ""]), max_size=3))
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace), "data": data}
    if kind == "Secret":
        data = draw(st.dictionaries(st.sampled_from(["password", "token", "tls.key"]),
                                    st.sampled_from(["hunter2", "s3cr3t", "x"]), min_size=1, max_size=2))
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace), "type": "Opaque",
                "stringData": data}
    if kind == "Ingress":
        path = draw(st.sampled_from(["/", "/cart", "/api"]))
        rule = {"host": f"{name}.example.com",
                "http": {"paths": [{"path": path, "pathType": draw(st.sampled_from(["Prefix", "Exact"])),
                                    "backend": {"service": {"name": target, "port": {"number": 80}}}}]}}
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace), "spec": {"rules": [rule]}}
    if kind == "HorizontalPodAutoscaler":
        lo = draw(st.integers(1, 3))
        spec = {"scaleTargetRef": {"apiVersion": "apps/v1",
                                   "kind": draw(st.sampled_from(["Deployment", "StatefulSet"])), "name": target},
                "minReplicas": lo, "maxReplicas": draw(st.integers(lo, 10)),
                "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {
                    "type": "Utilization", "averageUtilization": draw(st.integers(30, 90))}}}]}
        if draw(st.booleans()):
            spec["behavior"] = {"scaleUp": {"stabilizationWindowSeconds": 0, "policies": [
                {"type": "Pods", "value": draw(st.integers(1, 4)), "periodSeconds": 15}]}}
        return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace), "spec": spec}
    if kind in ("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ResourceQuota",
                "LimitRange", "CronJob"):
        return draw(_policy_manifest(kind, name, namespace, image_names))
    if kind in ("PersistentVolume", "PersistentVolumeClaim", "StorageClass"):
        return draw(_storage_manifest(kind, name, namespace))
    if kind == "NetworkPolicy":
        return draw(_network_policy_manifest(name, namespace, target))
    # PodDisruptionBudget
    budget = draw(st.sampled_from([("minAvailable", 1), ("minAvailable", 2), ("minAvailable", "50%"),
                                   ("maxUnavailable", 1), ("maxUnavailable", "25%")]))
    return {"apiVersion": api, "kind": kind, "metadata": _meta(name, namespace),
            "spec": {budget[0]: budget[1], "selector": {"matchLabels": {"app": target}}}}


@st.composite
def _rules(draw) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        group, resource = draw(st.sampled_from(RULE_TARGETS))
        verbs = draw(st.lists(st.sampled_from(VERBS), min_size=1, max_size=4, unique=True))
        rule: dict = {"apiGroups": [group], "resources": [resource], "verbs": verbs}
        if draw(st.integers(0, 4)) == 0:
            rule["resourceNames"] = [draw(st.sampled_from(APP_NAMES))]
        out.append(rule)
    return out


@st.composite
def _subjects(draw, namespace: str | None) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["User", "Group", "ServiceAccount"]))
        if kind == "ServiceAccount":
            out.append({"kind": kind, "name": "default", "namespace": namespace or "default"})
        else:
            out.append({"apiGroup": "rbac.authorization.k8s.io", "kind": kind,
                        "name": draw(st.sampled_from(USERS if kind == "User" else GROUPS))})
    return out


@st.composite
def _policy_manifest(draw, kind: str, name: str, namespace: str | None, image_names: tuple[str, ...]) -> dict:
    """The access and batch kinds: valid for kubernetes-validate 1.37 strict and the engine."""
    api = API_VERSIONS[kind]
    cluster_scoped = kind in ("ClusterRole", "ClusterRoleBinding")
    md = _meta(name, None if cluster_scoped else namespace)
    if kind == "ServiceAccount":
        body: dict = {"apiVersion": api, "kind": kind, "metadata": md}
        if draw(st.booleans()):
            body["automountServiceAccountToken"] = False
        return body
    if kind in ("Role", "ClusterRole"):
        return {"apiVersion": api, "kind": kind, "metadata": md, "rules": draw(_rules())}
    if kind in ("RoleBinding", "ClusterRoleBinding"):
        role_kind = "ClusterRole" if cluster_scoped else draw(st.sampled_from(["Role", "ClusterRole"]))
        role = draw(st.sampled_from(["view", "edit", "admin"])) if role_kind == "ClusterRole" else name
        return {"apiVersion": api, "kind": kind, "metadata": md,
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role},
                "subjects": draw(_subjects(namespace))}
    if kind == "ResourceQuota":
        hard = {}
        for resource, values in (("pods", ("2", "10", "50")), ("requests.cpu", ("1", "4", "500m")),
                                 ("requests.memory", ("1Gi", "8Gi")), ("limits.cpu", ("2", "8")),
                                 ("services", ("1", "5")), ("count/deployments.apps", ("3", "10"))):
            if draw(st.booleans()):
                hard[resource] = draw(st.sampled_from(values))
        return {"apiVersion": api, "kind": kind, "metadata": md, "spec": {"hard": hard or {"pods": "10"}}}
    if kind == "LimitRange":
        item: dict = {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                      "defaultRequest": {"cpu": draw(st.sampled_from(["50m", "100m", "250m"])), "memory": "128Mi"}}
        if draw(st.booleans()):
            item["max"] = {"cpu": draw(st.sampled_from(["1", "2"]))}
        return {"apiVersion": api, "kind": kind, "metadata": md, "spec": {"limits": [item]}}
    # CronJob
    spec: dict = {"schedule": draw(st.sampled_from(SCHEDULES)),
                  "concurrencyPolicy": draw(st.sampled_from(["Allow", "Forbid", "Replace"])),
                  "jobTemplate": {"spec": {"template": draw(_template(name, image_names, "OnFailure"))}}}
    if draw(st.booleans()):
        spec["startingDeadlineSeconds"] = draw(st.integers(10, 300))
    if draw(st.booleans()):
        spec["successfulJobsHistoryLimit"] = draw(st.integers(0, 3))
    return {"apiVersion": api, "kind": kind, "metadata": md, "spec": spec}


@st.composite
def _storage_manifest(draw, kind: str, name: str, namespace: str | None) -> dict:
    """Volumes, claims and classes: valid for kubernetes-validate 1.37 strict and the engine."""
    api = API_VERSIONS[kind]
    if kind == "StorageClass":
        body: dict = {"apiVersion": api, "kind": kind, "metadata": _meta(f"{name}-class", None),
                      "provisioner": draw(st.sampled_from(["disk.csi.kubegame.io", "kubernetes.io/no-provisioner"])),
                      "reclaimPolicy": draw(st.sampled_from(["Delete", "Retain"])),
                      "volumeBindingMode": draw(st.sampled_from(["Immediate", "WaitForFirstConsumer"]))}
        if draw(st.booleans()):
            body["allowVolumeExpansion"] = draw(st.booleans())
        return body
    modes = draw(st.lists(st.sampled_from(MODES), min_size=1, max_size=2, unique=True))
    if kind == "PersistentVolume":
        spec: dict = {"capacity": {"storage": draw(st.sampled_from(SIZES))}, "accessModes": modes,
                      "persistentVolumeReclaimPolicy": draw(st.sampled_from(["Retain", "Delete", "Recycle"])),
                      "storageClassName": draw(st.sampled_from(STORAGE_CLASSES)),
                      "hostPath": {"path": f"/mnt/{name}"}}
        if draw(st.booleans()):
            spec["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [draw(st.sampled_from(ZONES))]}]}]}}
        return {"apiVersion": api, "kind": kind, "metadata": _meta(f"{name}-pv", None), "spec": spec}
    spec = {"accessModes": modes, "resources": {"requests": {"storage": draw(st.sampled_from(SIZES))}}}
    if draw(st.booleans()):
        spec["storageClassName"] = draw(st.sampled_from(STORAGE_CLASSES))
    return {"apiVersion": api, "kind": kind, "metadata": _meta(f"{name}-data", namespace), "spec": spec}


@st.composite
def _peer(draw) -> dict:
    which = draw(st.sampled_from(["pod", "ns", "both", "ip"]))
    if which == "ip":
        block: dict = {"cidr": draw(st.sampled_from(["10.244.0.0/16", "0.0.0.0/0", "203.0.113.0/24"]))}
        if block["cidr"] == "0.0.0.0/0" and draw(st.booleans()):
            block["except"] = ["10.244.0.0/16"]
        return {"ipBlock": block}
    peer: dict = {}
    if which in ("pod", "both"):
        peer["podSelector"] = {"matchLabels": {"app": draw(st.sampled_from(APP_NAMES))}} if draw(st.booleans()) else {}
    if which in ("ns", "both"):
        peer["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": draw(
            st.sampled_from(("default",) + NAMESPACES + ("kube-system",)))}}
    return peer


@st.composite
def _network_policy_manifest(draw, name: str, namespace: str | None, target: str) -> dict:
    """Default-deny, allow-from and egress policies: valid for kubernetes-validate 1.37 strict and the engine."""
    spec: dict = {"podSelector": {"matchLabels": {"app": target}} if draw(st.booleans()) else {}}
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        if draw(st.booleans()):
            rules = []
            for _ in range(draw(st.integers(0, 2))):
                rule: dict = {}
                if draw(st.booleans()):
                    rule[peers] = draw(st.lists(_peer(), min_size=1, max_size=2))
                if draw(st.booleans()):
                    port: dict = {"port": draw(st.sampled_from([53, 80, 8080, "http"]))}
                    if port["port"] == 53:
                        port["protocol"] = "UDP"
                    elif port["port"] == 8080 and draw(st.booleans()):
                        port["endPort"] = 8090
                    rule["ports"] = [port]
                rules.append(rule)
            spec[direction] = rules
    if draw(st.booleans()):
        spec["policyTypes"] = draw(st.sampled_from([["Ingress"], ["Egress"], ["Ingress", "Egress"]]))
    return {"apiVersion": API_VERSIONS["NetworkPolicy"], "kind": "NetworkPolicy",
            "metadata": _meta(f"{name}-netpol", namespace), "spec": spec}


@st.composite
def clusters(draw, max_nodes: int = 5) -> Cluster:
    """A seeded cluster with nodes, images, and a few Deployments with Services."""
    imgs = [draw(images(name=f"{app}:1.0")) for app in APP_NAMES[:3]]
    cluster = Cluster(seed=draw(st.integers(0, 2**16)), images=imgs)
    for i in range(draw(st.integers(1, max_nodes))):
        cluster.add_node(draw(nodes(name=f"node-{i + 1}")))
    for img in imgs:
        app = img.name.split(":")[0]
        if draw(st.booleans()):
            cluster.apply(draw(manifests("Deployment", name=app, image_names=(img.name,))))
            cluster.apply(service(app))
    return cluster


# -- commands ------------------------------------------------------------------------------------

NEW_NAMES = ("fuzz-a", "fuzz-b")


def _names(cluster: Cluster, kind: str, namespace: str = "default") -> list[str]:
    return [o.name for o in cluster.list(kind, namespace) if not o.terminating]


def _level_zones(level: Any) -> list[str]:
    return list(level.cluster.zones()) if level is not None else list(ZONES[:1])


class Picker:
    """The choices a command line is made of: Hypothesis draws them (`commands()`), or a seeded
    random.Random does (`random_command()`, the fuzzer's independent plays)."""

    def __init__(self, draw: Any = None, rng: random.Random | None = None):
        self.draw, self.rng = draw, rng

    def one(self, seq: Any) -> Any:
        seq = list(seq)
        return self.draw(st.sampled_from(seq)) if self.draw is not None else self.rng.choice(seq)  # type: ignore[union-attr]

    def int(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi)) if self.draw is not None else self.rng.randint(lo, hi)  # type: ignore[union-attr]

    def bool(self) -> bool:
        return self.draw(st.booleans()) if self.draw is not None else self.rng.random() < 0.5  # type: ignore[union-attr]


@st.composite
def commands(draw, cluster: Cluster, level: Any = None, read_only: bool = True, hostile: bool = False) -> str:
    """One command line that is valid for the objects that exist in `cluster` now (see command_line)."""
    return command_line(Picker(draw=draw), cluster, level, read_only, hostile)


def random_command(rng: random.Random, cluster: Cluster, level: Any = None, read_only: bool = True,
                   hostile: bool = False) -> str:
    """The same vocabulary as `commands()`, chosen by a seeded random.Random (no Hypothesis)."""
    return command_line(Picker(rng=rng), cluster, level, read_only, hostile)


def command_line(pick: Picker, cluster: Cluster, level: Any = None, read_only: bool = True,
                 hostile: bool = False) -> str:
    """One command line that is valid for the objects that exist in `cluster` now.

    kubectl writes (scale, set image, rollout undo/restart, delete pod, cordon/uncordon/drain,
    label, taint, patch, create/expose/run/autoscale) and reads (get, describe). With a
    `level` (a kubegame.level.Level) also the game verbs: `node add` when the level has a node
    pool, `node remove`, `etcd add-member/remove-member`. Every line parses: a command may still
    be refused by the API server (AlreadyExists, NotFound, 429), as a player's would be.
    Lines are single-line, so they fit a `solution:` or a `kubegame simulate --script` file.
    With `hostile`, also lines a careless or malicious player types: huge numbers, special
    files, deep JSON, wrong types (each must be refused cleanly or stay harmless).
    """
    deployments = _names(cluster, "Deployment")
    statefulsets = _names(cluster, "StatefulSet")
    replicasets = [r.name for r in cluster.list("ReplicaSet", "default") if r.controller_ref() is None]
    pods = [p.name for p in cluster.pods("default") if not p.terminating]
    node_names = [n.name for n in cluster.nodes() if not is_control_plane(n)]   # the workers: the player's machines
    system = {i.name for i in SYSTEM_IMAGES}          # kube-system's images: not the player's to deploy
    image_names = [i for i in cluster.registry.images if ":" in i and i not in system] or ["busybox:1.36"]
    image_pool = image_names + ["nosuch:1.0"] if pick.int(0, 9) == 0 else image_names

    options: list[str] = ["create", "run"]
    if read_only:
        options.append("read")
    if deployments:
        options += ["scale", "scale", "set image", "rollout undo", "rollout restart", "patch", "expose",
                    "autoscale", "set resources"]
    if statefulsets:
        options.append("scale sts")
    if replicasets:
        options.append("scale rs")
    if pods:
        options += ["delete pod", "label pod"]
    if node_names:
        options += ["cordon", "uncordon", "drain", "taint"]
    if level is not None:
        options += ["etcd"]
        if level.cluster.node_pool is not None:
            options += ["node add", "node add"]
        if len(node_names) > 1:
            options.append("node remove")
    if hostile:
        options.append("hostile")
    what = pick.one(options)
    if what == "hostile":
        return pick.one(hostile_lines(deployments[0] if deployments else "nosuch"))

    if what == "read":
        return pick.one(["kubectl get pods -o wide", "kubectl get nodes", "kubectl get all",
                                     "kubectl get events", "kubectl top nodes", "kubectl get pdb",
                                     "kubectl get deploy,rs,sts,ds,jobs,hpa", "kubectl describe nodes"])
    if what == "scale":
        return f"kubectl scale deployment {pick.one(deployments)} --replicas={pick.int(0, 8)}"
    if what == "scale sts":
        return f"kubectl scale statefulset {pick.one(statefulsets)} --replicas={pick.int(0, 5)}"
    if what == "scale rs":
        return f"kubectl scale rs {pick.one(replicasets)} --replicas={pick.int(0, 5)}"
    if what == "set image":
        name = pick.one(deployments)
        d = cluster.get("Deployment", "default", name)
        container = ((d.spec.get("template") or {}).get("spec") or {}).get("containers", [{}])[0].get("name", name) \
            if d is not None else name
        return f"kubectl set image deployment/{name} {container}={pick.one(image_pool)}"
    if what == "set resources":
        return (f"kubectl set resources deployment {pick.one(deployments)} "
                f"--requests=cpu={pick.one(CPU_QUANTITIES)},memory={pick.one(MEMORY_QUANTITIES)}")
    if what == "rollout undo":
        return f"kubectl rollout undo deployment/{pick.one(deployments)}"
    if what == "rollout restart":
        return f"kubectl rollout restart deployment/{pick.one(deployments)}"
    if what == "patch":
        name = pick.one(deployments)
        patch = pick.one([
            {"spec": {"replicas": pick.int(1, 6)}},
            {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}}},
            {"metadata": {"labels": {"tier": "web"}}},
        ])
        return f"kubectl patch deployment {name} -p '{json.dumps(patch, separators=(',', ':'))}'"
    if what == "expose":
        return (f"kubectl expose deployment {pick.one(deployments)} --port=80 --target-port=8080 "
                f"--name={pick.one(NEW_NAMES)}")
    if what == "autoscale":
        lo = pick.int(1, 3)
        return (f"kubectl autoscale deployment {pick.one(deployments)} --min={lo} "
                f"--max={pick.int(lo, 8)} --cpu-percent={pick.int(30, 90)}")
    if what == "delete pod":
        force = " --force --grace-period=0" if pick.bool() else ""
        return f"kubectl delete pod {pick.one(pods)}{force}"
    if what == "label pod":
        return f"kubectl label pod {pick.one(pods)} fuzz={pick.one(['a', 'b'])} --overwrite"
    if what in ("cordon", "uncordon"):
        return f"kubectl {what} {pick.one(node_names)}"
    if what == "drain":
        return f"kubectl drain {pick.one(node_names)} --ignore-daemonsets --delete-emptydir-data --force"
    if what == "taint":
        node = pick.one(node_names)
        return pick.one([f"kubectl taint nodes {node} fuzz=yes:NoSchedule --overwrite",
                                     f"kubectl taint nodes {node} fuzz=yes:NoExecute --overwrite",
                                     f"kubectl taint nodes {node} fuzz-"])
    if what == "create":
        name = pick.one(NEW_NAMES)
        return pick.one([
            f"kubectl create deployment {name} --image={pick.one(image_pool)} --replicas={pick.int(1, 4)}",
            f"kubectl create job {name} --image={pick.one(image_pool)}",
            f"kubectl create configmap {name} --from-literal=mode=fast",
            f"kubectl create secret generic {name} --from-literal=password=hunter2",
            f"kubectl create service clusterip {name} --tcp=80:8080",
        ])
    if what == "run":
        return f"kubectl run {pick.one(NEW_NAMES)} --image={pick.one(image_pool)}"
    if what == "node add":
        zone = pick.one(_level_zones(level))
        return f"node add --zone {zone}" if pick.bool() else "node add"
    if what == "node remove":
        return f"node remove {pick.one(node_names)}"
    # etcd
    members = [m.name for m in cluster.controlplane.members]
    if members and len(members) > 1 and pick.bool():
        return f"etcd remove-member {pick.one(members)}"
    return f"etcd add-member --zone {pick.one(_level_zones(level))}"


def hostile_commands(deployment: str) -> st.SearchStrategy[str]:
    """Lines that once crashed, froze or flooded the game (issue 22's findings), as a strategy."""
    return st.sampled_from(hostile_lines(deployment))


def hostile_lines(deployment: str) -> list[str]:
    deep = '{"metadata":{"annotations":{"a":' * 1 + "[" * 150 + "]" * 150 + "}}}"
    return list([
        f"kubectl scale deployment {deployment} --replicas=99999999",
        f"kubectl scale deployment {deployment} --replicas=2147483648",
        f"kubectl autoscale deployment {deployment} --min=1 --max=5 --cpu-percent=0",
        f"kubectl patch deployment {deployment} -p '{{\"spec\":{{\"replicas\":\"many\"}}}}'",
        f"kubectl patch deployment {deployment} -p '{{\"spec\":{{\"replicas\":1e12}}}}'",
        f"kubectl patch deployment {deployment} -p '{deep}'",
        f"kubectl annotate deployment {deployment} fuzz-big={'x' * 5000} --overwrite",
        "kubectl apply -f /dev/zero",
        "kubectl apply -f /dev/tty",
        "kubectl apply -f /dev/null",
        "kubectl create deployment fuzz-h --image=busybox:1.36 --replicas=9999",
        "kubectl create job fuzz-j --image=busybox:1.36 -- sh -c 'exit 1'",
        "kubectl get pods -o jsonpath='{range .items[*]}{.metadata.name}{end}'",
        "kubectl get pods | grep -E '(((((a*)*)*)*)*)*b'",
    ])


# -- scenarios and levels ------------------------------------------------------------------------

@st.composite
def scenarios(draw, duration: int = 600, nodes: tuple[str, ...] | list[str] = ("worker-1",),
              zones: tuple[str, ...] | list[str] = ("zone-a",), services: tuple[str, ...] | list[str] = ("shop",),
              images: tuple[str, ...] | list[str] = ("shop:1.0",), etcd_members: int = 1,
              max_events: int = 6) -> list[dict]:
    """A level's `events:` list (plain data) naming only the given nodes, zones, services and images."""
    kinds = ["NodeFailure", "NodeRecovery", "LoadSpike", "PodCrash", "Message", "EtcdMemberFailure",
             "EtcdMemberRecovery", "KernelUpgrade", "ImageRelease", "ZoneOutage"]
    out = []
    for _ in range(draw(st.integers(0, max_events))):
        at = draw(st.integers(0, duration))
        t = draw(st.sampled_from(kinds))
        ev: dict[str, Any] = {"at": at, "type": t}
        if t in ("NodeFailure", "NodeRecovery"):
            ev["node"] = draw(st.sampled_from(list(nodes)))
        elif t == "LoadSpike":
            ev.update(service=draw(st.sampled_from(list(services))), factor=draw(st.sampled_from([1.5, 2, 3])),
                      duration=draw(st.integers(1, 120)))
        elif t == "PodCrash":
            ev.update(selector={"app": draw(st.sampled_from(list(services)))}, count=draw(st.integers(1, 3)))
        elif t == "Message":
            ev["text"] = draw(st.sampled_from(["Marketing launched a campaign.", "All quiet.", "Rack 2 is flaky."]))
        elif t in ("EtcdMemberFailure", "EtcdMemberRecovery"):
            ev["count"] = draw(st.integers(1, etcd_members))
        elif t == "KernelUpgrade":
            ev.update(nodes=draw(st.lists(st.sampled_from(list(nodes)), min_size=1, max_size=2, unique=True)),
                      kernel=draw(st.sampled_from(KERNELS)))
        elif t == "ImageRelease":
            ev["image"] = draw(st.sampled_from(list(images)))
        else:
            ev["zone"] = draw(st.sampled_from(list(zones)))
            if draw(st.booleans()):
                ev["duration"] = draw(st.integers(1, 200))
        out.append(ev)
    return out


@st.composite
def level_documents(draw, name: str | None = None, max_apps: int = 2) -> list[dict]:
    """The documents of a complete level (the Level first, then its manifests) as plain data."""
    duration = draw(st.integers(30, 300))
    zones = draw(st.lists(st.sampled_from(ZONES), min_size=1, max_size=2, unique=True))
    groups = []
    for i in range(draw(st.integers(1, 2))):
        g: dict[str, Any] = {"name": f"worker{i + 1}" if i else "worker", "count": draw(st.integers(1, 3)),
                             "zone": draw(st.sampled_from(zones)), "cpu": str(draw(st.integers(1, 4))),
                             "memory": f"{draw(st.sampled_from([2, 4, 8]))}Gi"}
        if draw(st.integers(0, 3)) == 0:
            g["kernel"] = draw(st.sampled_from(KERNELS))
        groups.append(g)
    zones = list(dict.fromkeys(g["zone"] for g in groups))
    node_names = [n for g in groups for n in ([g["name"]] if g["count"] == 1 else
                                               [f"{g['name']}-{k}" for k in range(1, g["count"] + 1)])]
    apps = list(APP_NAMES[:draw(st.integers(1, max_apps))])
    imgs = []
    for app in apps:
        for tag in ("1.0", "1.1"):
            imgs.append({"name": f"{app}:{tag}", "sizeMB": draw(st.integers(10, 300)),
                         "startupTicks": draw(st.integers(1, 8)), "capacityRps": draw(st.integers(20, 100))})
    batch = draw(st.booleans())
    if batch:
        imgs.append({"name": "batch:1.0", "sizeMB": 20, "startupTicks": 1, "runTicks": draw(st.integers(5, 20))})
    agent = draw(st.booleans())
    if agent:
        imgs.append({"name": "agent:1.0", "sizeMB": 10, "startupTicks": 1, "capacityRps": 0})
    etcd = draw(st.integers(1, 3))
    cluster: dict[str, Any] = {"nodes": groups}
    if etcd > 1 or draw(st.booleans()):
        cluster["controlPlane"] = {"etcdMembers": [draw(st.sampled_from(zones)) for _ in range(etcd)]}
    if draw(st.booleans()):
        cluster["nodePool"] = {"max": draw(st.integers(1, 3)), "bootTicks": draw(st.integers(0, 60)),
                               "template": {"cpu": "2", "memory": "4Gi", "zone": draw(st.sampled_from(zones))}}
    objectives: list[dict] = []
    traffic = []
    docs: list[dict] = []
    for app in apps:
        docs.append(deployment(app, replicas=draw(st.integers(1, 3)), image=f"{app}:1.0", cpu="250m"))
        del docs[-1]["metadata"]["namespace"]
        svc = service(app, type_=draw(st.sampled_from(["ClusterIP", "NodePort"])))
        del svc["metadata"]["namespace"]
        docs.append(svc)
        traffic.append({"service": app, "rps": draw(st.integers(10, 200))})
        objectives.append({"type": "availability", "service": app, "atLeast": draw(st.integers(50, 99))})
        if draw(st.booleans()):
            objectives.append({"type": "readyReplicas", "kind": "Deployment", "name": app,
                               "atLeast": draw(st.integers(1, 4)), "byTick": draw(st.integers(0, duration))})
        if draw(st.integers(0, 2)) == 0:
            objectives.append({"type": "rolloutComplete", "deployment": app, "image": f"{app}:1.1"})
    if batch:
        docs.append(draw(manifests("Job", name="migrate", image_names=("batch:1.0",))))
        objectives.append({"type": "jobComplete", "job": "migrate"})
    if agent:
        docs.append(draw(manifests("DaemonSet", name="log-agent", image_names=("agent:1.0",))))
        objectives.append({"type": "daemonSetCoverage", "daemonSet": "log-agent"})
    if draw(st.booleans()):
        docs.append(draw(manifests("PodDisruptionBudget", name=f"{apps[0]}-pdb", target=apps[0])))
    spec: dict[str, Any] = {
        "title": "A generated level", "briefing": "Generated by kubegame.testing.strategies.levels().",
        "seed": draw(st.integers(0, 1000)), "duration": duration, "cluster": cluster, "images": imgs,
        "traffic": traffic,
        "events": draw(scenarios(duration, node_names, zones, apps, [i["name"] for i in imgs], etcd)),
        "objectives": objectives,
    }
    if draw(st.booleans()):
        objectives.append({"type": "quorum"})
    if draw(st.booleans()):
        spec["budget"] = float(len(node_names) * duration * draw(st.sampled_from([1, 2])))
        objectives.append({"type": "budget"})
    if draw(st.booleans()):
        spec["solution"] = [{"at": draw(st.integers(0, duration)),
                             "run": f"kubectl scale deployment {apps[0]} --replicas={draw(st.integers(1, 4))}"}]
    level = {"apiVersion": "kubegame/v1", "kind": "Level",
             "metadata": {"name": name or f"generated-{draw(st.integers(0, 999))}"}, "spec": spec}
    return [level] + docs


@st.composite
def levels(draw, name: str | None = None, max_apps: int = 2) -> str:
    """The text of a complete, valid level file (LEVEL_FORMAT.md): kubegame.level.load_text accepts it."""
    docs = draw(level_documents(name=name, max_apps=max_apps))
    return yaml.safe_dump_all(docs, sort_keys=False, default_flow_style=False)
