"""kubectl's table columns per kind and the -o formats.

Columns follow pkg/printers/internalversion/printers.go (kubernetes v1.32): the
column definitions (Priority 1 = only with -o wide) and the print functions
(printPod, printNode, printDeployment, printService, ...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from kubegame.engine import podstatus
from kubegame.engine.kinds import BY_KIND
from kubegame.kubectl.util import format_label_selector, format_labels, human_duration, tick_of


@dataclass
class Item:
    """One object to print: the engine object (if any), its rendered dict, and its kind."""

    kind: str
    d: dict
    obj: Any = None
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.d.get("metadata", {}).get("name", "")

    @property
    def namespace(self) -> str:
        return self.d.get("metadata", {}).get("namespace", "")

    @property
    def labels(self) -> dict:
        return self.d.get("metadata", {}).get("labels") or {}


HEADERS: dict[str, tuple[list[str], list[str]]] = {
    "Pod": (["NAME", "READY", "STATUS", "RESTARTS", "AGE"], ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]),
    "Node": (["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
             ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]),
    "Deployment": (["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"]),
    "ReplicaSet": (["NAME", "DESIRED", "CURRENT", "READY", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"]),
    "DaemonSet": (["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
                  ["CONTAINERS", "IMAGES", "SELECTOR"]),
    "StatefulSet": (["NAME", "READY", "AGE"], ["CONTAINERS", "IMAGES"]),
    "Job": (["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], ["CONTAINERS", "IMAGES", "SELECTOR"]),
    "Service": (["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], ["SELECTOR"]),
    "Endpoints": (["NAME", "ENDPOINTS", "AGE"], []),
    "Namespace": (["NAME", "STATUS", "AGE"], []),
    "ConfigMap": (["NAME", "DATA", "AGE"], []),
    "Secret": (["NAME", "TYPE", "DATA", "AGE"], []),
    "HorizontalPodAutoscaler": (["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], []),
    "PodDisruptionBudget": (["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"], []),
    "Ingress": (["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], []),
    "NetworkPolicy": (["NAME", "POD-SELECTOR", "AGE"], []),      # networkPolicyColumnDefinitions
    # pkg/printers/internalversion/printers.go: persistentVolume(Claim)ColumnDefinitions, storageClassColumnDefinitions
    "PersistentVolumeClaim": (["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                               "VOLUMEATTRIBUTESCLASS", "AGE"], ["VOLUMEMODE"]),
    "PersistentVolume": (["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                          "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"], ["VOLUMEMODE"]),
    "StorageClass": (["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"], []),
    "PriorityClass": (["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"], []),
    "ControllerRevision": (["NAME", "CONTROLLER", "REVISION", "AGE"], []),
    # pkg/printers/internalversion/printers.go: serviceAccountColumnDefinitions, roleColumnDefinitions, ...
    "ServiceAccount": (["NAME", "SECRETS", "AGE"], []),
    "Role": (["NAME", "CREATED AT"], []),
    "ClusterRole": (["NAME", "CREATED AT"], []),
    "RoleBinding": (["NAME", "ROLE", "AGE"], ["USERS", "GROUPS", "SERVICEACCOUNTS"]),
    "ClusterRoleBinding": (["NAME", "ROLE", "AGE"], ["USERS", "GROUPS", "SERVICEACCOUNTS"]),
    "ResourceQuota": (["NAME", "REQUEST", "LIMIT", "AGE"], []),
    "LimitRange": (["NAME", "CREATED AT"], []),
    "CronJob": (["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
                ["CONTAINERS", "IMAGES", "SELECTOR"]),
    "Event": (["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], []),
}
EVENT_WIDE = ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE", "FIRST SEEN", "COUNT",
              "NAME"]


def headers(kind: str, wide: bool) -> list[str]:
    if kind == "Event" and wide:
        return list(EVENT_WIDE)
    base, extra = HEADERS.get(kind, (["NAME", "AGE"], []))
    return base + (extra if wide else [])


def age(now: int, d: dict) -> str:
    t = tick_of(d.get("metadata", {}).get("creationTimestamp"))
    return human_duration(now - t) if t is not None else "<unknown>"


def _template_containers(spec: dict) -> tuple[str, str]:
    cs = ((spec.get("template") or {}).get("spec") or {}).get("containers") or []
    return ",".join(str(c.get("name", "")) for c in cs), ",".join(str(c.get("image", "")) for c in cs)


def _n(v: Any) -> str:
    return str(int(v or 0))


def _restarts_cell(now: int, st: dict) -> str:
    """RESTARTS: the count, and how long ago the last container restart was (`3 (2m ago)`)."""
    restarts, last = podstatus.restarts(st)
    t = tick_of(last) if last else None
    return f"{restarts} ({human_duration(now - t)} ago)" if restarts and t is not None else str(restarts)


def pod_row(now: int, it: Item, wide: bool) -> list[str]:
    """printPod (pkg/printers/internalversion/printers.go) from the pod as the API returns it."""
    d = it.d
    spec, st = d.get("spec") or {}, d.get("status") or {}
    ready, total = podstatus.ready_column(spec, st)
    restarts_s = _restarts_cell(now, st)
    status = podstatus.status_column({
        "phase": st.get("phase", "Pending"), "reason": st.get("reason", ""),
        "deleting": bool((d.get("metadata") or {}).get("deletionTimestamp")),
        "init": st.get("initContainerStatuses") or [], "init_specs": spec.get("initContainers") or [],
        "containers": st.get("containerStatuses") or [],
        "initialized": any(c.get("type") == "Initialized" and c.get("status") == "True"
                           for c in st.get("conditions") or []),
        "ready": any(c.get("type") == "Ready" and c.get("status") == "True" for c in st.get("conditions") or [])})
    row = [it.name, f"{ready}/{total}", status, restarts_s, age(now, d)]
    if wide:
        row += [st.get("podIP") or "<none>", spec.get("nodeName") or "<none>",
                st.get("nominatedNodeName") or "<none>", "<none>"]
    return row


def pod_row_of(now: int, pod: Any, wide: bool) -> list[str]:
    """pod_row worked out from the Pod itself, not its rendering: the same cells (a test holds them
    equal), a fraction of the work, for tables of thousands of pods (kubegame serve's LIST)."""
    bound = bool(pod.node_name)
    cs = [c.status() for c in pod.containers] if bound else []
    ics = [c.status() for c in pod.init_containers] if bound else []
    st = {"containerStatuses": cs, "initContainerStatuses": ics}
    ready, total = podstatus.ready_column(pod.spec, st)
    restarts_s = _restarts_cell(now, st)
    status = podstatus.status_column({
        "phase": pod.phase, "reason": pod.reason, "deleting": pod.deletion_tick is not None, "init": ics,
        "init_specs": pod.spec.get("initContainers") or [], "containers": cs,
        "initialized": bound and pod.initialized, "ready": bound and pod.ready})
    row = [pod.name, f"{ready}/{total}", status, restarts_s, human_duration(now - max(pod.creation_tick, 0))]
    if wide:
        row += [pod.ip or "<none>", pod.spec.get("nodeName") or "<none>", pod.nominated_node or "<none>", "<none>"]
    return row


def node_status(d: dict) -> str:
    conds = (d.get("status") or {}).get("conditions") or []
    ready = [c for c in conds if c.get("type") == "Ready"]
    if not ready:
        status = ["Unknown"]
    else:
        status = ["Ready" if ready[0].get("status") == "True" else "NotReady"]
    if (d.get("spec") or {}).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def node_roles(labels: dict) -> str:
    roles = sorted(k.split("/", 1)[1] for k in labels if k.startswith("node-role.kubernetes.io/") and "/" in k)
    if labels.get("kubernetes.io/role"):
        roles.append(labels["kubernetes.io/role"])
    roles = [r for r in roles if r]
    return ",".join(sorted(set(roles))) if roles else "<none>"


def node_row(now: int, it: Item, wide: bool) -> list[str]:
    d = it.d
    st = d.get("status") or {}
    info = st.get("nodeInfo") or {}
    row = [it.name, node_status(d), node_roles(it.labels), age(now, d), info.get("kubeletVersion", "")]
    if wide:
        addrs = st.get("addresses") or []
        internal = next((a["address"] for a in addrs if a.get("type") == "InternalIP"), "<none>")
        external = next((a["address"] for a in addrs if a.get("type") == "ExternalIP"), "<none>")
        row += [internal, external, info.get("osImage", "<unknown>"), info.get("kernelVersion", "<unknown>"),
                info.get("containerRuntimeVersion", "<unknown>")]
    return row


def service_ports(spec: dict) -> str:
    out = []
    for p in spec.get("ports") or []:
        proto = p.get("protocol", "TCP")
        if p.get("nodePort"):
            out.append(f"{p.get('port')}:{p['nodePort']}/{proto}")
        else:
            out.append(f"{p.get('port')}/{proto}")
    return ",".join(out) or "<none>"


def service_external_ip(d: dict) -> str:
    spec = d.get("spec") or {}
    t = spec.get("type", "ClusterIP")
    ext = list(spec.get("externalIPs") or [])
    if t in ("ClusterIP", "NodePort"):
        return ",".join(ext) if ext else "<none>"
    if t == "LoadBalancer":
        ing = ((d.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        ips = [i.get("ip") or i.get("hostname") for i in ing] + ext
        return ",".join(x for x in ips if x) if ips else "<pending>"
    if t == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def service_row(now: int, it: Item, wide: bool) -> list[str]:
    spec = it.d.get("spec") or {}
    row = [it.name, spec.get("type", "ClusterIP"), spec.get("clusterIP") or "<none>", service_external_ip(it.d),
           service_ports(spec), age(now, it.d)]
    if wide:
        sel = spec.get("selector")
        row.append(format_labels(sel) if sel else "<none>")
    return row


def endpoints_string(d: dict) -> str:
    addrs = []
    for ss in d.get("subsets") or []:
        ports = ss.get("ports") or [{}]
        for a in ss.get("addresses") or []:
            for p in ports:
                addrs.append(f"{a.get('ip')}:{p.get('port')}" if p.get("port") else str(a.get("ip")))
    if not addrs:
        return "<none>"
    if len(addrs) > 3:
        return ",".join(addrs[:3]) + f" + {len(addrs) - 3} more..."
    return ",".join(addrs)


def job_row(now: int, it: Item, wide: bool) -> list[str]:
    spec, st = it.d.get("spec") or {}, it.d.get("status") or {}
    conds = {c.get("type"): c.get("status") for c in st.get("conditions") or []}
    if conds.get("Complete") == "True":
        status = "Complete"
    elif conds.get("Failed") == "True":
        status = "Failed"
    elif spec.get("suspend"):
        status = "Suspended"
    elif conds.get("FailureTarget") == "True":
        status = "FailureTarget"
    elif conds.get("SuccessCriteriaMet") == "True":
        status = "SuccessCriteriaMet"
    else:
        status = "Running"
    completions = spec.get("completions")
    comp = f"{int(st.get('succeeded') or 0)}/{completions}" if completions is not None else \
        f"{int(st.get('succeeded') or 0)}/1 of {spec.get('parallelism', 1)}"
    start, end = tick_of(st.get("startTime")), tick_of(st.get("completionTime"))
    dur = "" if start is None else human_duration((end if end is not None else now) - start)
    row = [it.name, status, comp, dur, age(now, it.d)]
    if wide:
        c, i = _template_containers(spec)
        row += [c, i, format_label_selector(spec.get("selector"))]
    return row


def hpa_targets(d: dict) -> str:
    spec, st = d.get("spec") or {}, d.get("status") or {}
    if "targetCPUUtilizationPercentage" in spec:   # autoscaling/v1
        cur = st.get("currentCPUUtilizationPercentage")
        return f"cpu: {cur if cur is not None else '<unknown>'}{'%' if cur is not None else ''}/" \
               f"{spec['targetCPUUtilizationPercentage']}%"
    out = []
    current = st.get("currentMetrics") or []
    for i, m in enumerate(spec.get("metrics") or []):
        if m.get("type") == "Resource":
            r = m.get("resource") or {}
            tgt = r.get("target") or {}
            cur = None
            if i < len(current):
                cur = ((current[i].get("resource") or {}).get("current") or {}).get("averageUtilization")
            if tgt.get("type") == "Utilization":
                cur_s = f"{cur}%" if cur is not None else "<unknown>"
                out.append(f"{r.get('name')}: {cur_s}/{tgt.get('averageUtilization')}%")
            else:
                out.append(f"{r.get('name')}: <unknown>/{tgt.get('averageValue') or tgt.get('value')}")
        else:
            out.append("<unknown>")
    return ", ".join(out) if out else "<none>"


def row(now: int, it: Item, wide: bool) -> list[str]:
    """One table row for an object."""
    k, d = it.kind, it.d
    spec, st = d.get("spec") or {}, d.get("status") or {}
    if k == "Pod":
        return pod_row(now, it, wide)
    if k == "Node":
        return node_row(now, it, wide)
    if k == "Service":
        return service_row(now, it, wide)
    if k == "Job":
        return job_row(now, it, wide)
    if k == "Deployment":
        r = [it.name, f"{_n(st.get('readyReplicas'))}/{_n(spec.get('replicas'))}", _n(st.get("updatedReplicas")),
             _n(st.get("availableReplicas")), age(now, d)]
        if wide:
            c, i = _template_containers(spec)
            r += [c, i, format_label_selector(spec.get("selector"))]
        return r
    if k == "ReplicaSet":
        r = [it.name, _n(spec.get("replicas")), _n(st.get("replicas")), _n(st.get("readyReplicas")), age(now, d)]
        if wide:
            c, i = _template_containers(spec)
            r += [c, i, format_label_selector(spec.get("selector"))]
        return r
    if k == "DaemonSet":
        ns = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector")
        r = [it.name, _n(st.get("desiredNumberScheduled")), _n(st.get("currentNumberScheduled")),
             _n(st.get("numberReady")), _n(st.get("updatedNumberScheduled")), _n(st.get("numberAvailable")),
             format_labels(ns) if ns else "<none>", age(now, d)]
        if wide:
            c, i = _template_containers(spec)
            r += [c, i, format_label_selector(spec.get("selector"))]
        return r
    if k == "StatefulSet":
        r = [it.name, f"{_n(st.get('readyReplicas'))}/{_n(spec.get('replicas', 1))}", age(now, d)]
        if wide:
            c, i = _template_containers(spec)
            r += [c, i]
        return r
    if k == "Endpoints":
        return [it.name, endpoints_string(d), age(now, d)]
    if k == "Namespace":
        return [it.name, st.get("phase", "Active"), age(now, d)]
    if k == "ConfigMap":
        return [it.name, str(len(d.get("data") or {}) + len(d.get("binaryData") or {})), age(now, d)]
    if k == "Secret":
        return [it.name, d.get("type", "Opaque"), str(len(d.get("data") or {}) + len(d.get("stringData") or {})),
                age(now, d)]
    if k == "HorizontalPodAutoscaler":
        ref = spec.get("scaleTargetRef") or {}
        cur = st.get("currentReplicas")
        return [it.name, f"{ref.get('kind')}/{ref.get('name')}", hpa_targets(d),
                str(spec.get("minReplicas", 1)), str(spec.get("maxReplicas", "")),
                str(cur) if cur is not None else "0", age(now, d)]
    if k == "PodDisruptionBudget":
        allowed = st.get("disruptionsAllowed", it.extra.get("allowed", 0))
        return [it.name, str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
                str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A", str(allowed), age(now, d)]
    if k == "Ingress":
        hosts = [r.get("host") for r in spec.get("rules") or [] if r.get("host")]
        ing = ((st.get("loadBalancer") or {}).get("ingress")) or []
        ports = "80, 443" if spec.get("tls") else "80"
        return [it.name, spec.get("ingressClassName") or "<none>", ",".join(hosts) if hosts else "*",
                ",".join(i.get("ip") or i.get("hostname", "") for i in ing), ports, age(now, d)]
    if k == "NetworkPolicy":
        return [it.name, format_label_selector(spec.get("podSelector")), age(now, d)]
    if k in ("PersistentVolumeClaim", "PersistentVolume", "StorageClass"):
        return storage_row(now, it, wide)
    if k == "PriorityClass":
        return [it.name, str(d.get("value", 0)), "true" if d.get("globalDefault") else "false", age(now, d),
                d.get("preemptionPolicy", "PreemptLowerPriority")]
    if k == "ControllerRevision":
        ref = next((r for r in d.get("metadata", {}).get("ownerReferences") or [] if r.get("controller")), None)
        ctl = f"{ref['kind'].lower()}.{ref['apiVersion'].split('/')[0]}/{ref['name']}" if ref else "<none>"
        return [it.name, ctl, str(d.get("revision", 0)), age(now, d)]
    if k in ("ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ResourceQuota",
             "LimitRange", "CronJob"):
        return access_row(now, it, wide)
    if k == "Event":
        ev = it.obj
        last = human_duration(now - ev.tick)
        obj_ref = f"{ev.kind.lower()}/{ev.name}"
        if wide:
            src = ev.source + (f", {ev.host}" if ev.host else "")
            return [last, ev.type, ev.reason, obj_ref, "", src, ev.message, human_duration(now - ev.first_tick),
                    str(ev.count), it.name]
        return [last, ev.type, ev.reason, obj_ref, ev.message]
    return [it.name, age(now, d)]


def access_row(now: int, it: Item, wide: bool) -> list[str]:
    """The access and batch kinds (printServiceAccount, printRole, printRoleBinding, printResourceQuota,
    printLimitRange, printCronJob)."""
    k, d = it.kind, it.d
    spec, st = d.get("spec") or {}, d.get("status") or {}
    created = (d.get("metadata") or {}).get("creationTimestamp", "")
    if k == "ServiceAccount":
        return [it.name, str(len(d.get("secrets") or [])), age(now, d)]
    if k in ("Role", "ClusterRole", "LimitRange"):
        return [it.name, created]
    if k in ("RoleBinding", "ClusterRoleBinding"):
        ref = d.get("roleRef") or {}
        r = [it.name, f"{ref.get('kind', '')}/{ref.get('name', '')}", age(now, d)]
        if wide:
            subs = d.get("subjects") or []
            users = [s.get("name", "") for s in subs if s.get("kind") == "User"]
            groups = [s.get("name", "") for s in subs if s.get("kind") == "Group"]
            sas = [f"{s.get('namespace', '')}/{s.get('name', '')}" for s in subs if s.get("kind") == "ServiceAccount"]
            r += [", ".join(users), ", ".join(groups), ", ".join(sas)]
        return r
    if k == "ResourceQuota":
        hard, used = st.get("hard") or {}, st.get("used") or {}
        req = [f"{r}: {used.get(r, '0')}/{hard[r]}" for r in sorted(hard) if not r.startswith("limits.")]
        lim = [f"{r}: {used.get(r, '0')}/{hard[r]}" for r in sorted(hard) if r.startswith("limits.")]
        return [it.name, ", ".join(req), ", ".join(lim), age(now, d)]
    # CronJob
    last = st.get("lastScheduleTime")
    r = [it.name, str(spec.get("schedule", "")), spec.get("timeZone") or "<none>",
         "True" if spec.get("suspend") else "False", str(len(st.get("active") or [])),
         human_duration(now - (tick_of(last) or 0)) if last else "<none>", age(now, d)]
    if wide:
        job_spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
        c, i = _template_containers(job_spec)
        r += [c, i, format_label_selector(job_spec.get("selector")) if job_spec.get("selector") else "<none>"]
    return r


def kind_prefix(kind: str) -> str:
    """`deployment.apps`, `pod`: how kubectl names a kind in `-o name` and multi-type tables."""
    res = BY_KIND.get(kind)
    if res is None:
        return kind.lower()
    return f"{res.kind.lower()}.{res.group}" if res.group else res.kind.lower()


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    """go-yaml quotes ambiguous strings ("80", "true", timestamps) with double quotes."""
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    tag = dumper.resolve(yaml.ScalarNode, value, (True, False))
    if tag != "tag:yaml.org,2002:str" or value == "" or value != value.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"')
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def to_yaml(data: Any) -> str:
    """sigs.k8s.io/yaml: keys sorted, block style, lists not indented under their key."""
    return yaml.dump(data, Dumper=_Dumper, default_flow_style=False, sort_keys=True, width=1 << 30,
                     allow_unicode=True)


def to_json(data: Any, keep_order: bool = False) -> str:
    """kubectl's JSON printer: 4 spaces; an object from the server has its keys sorted (it is a map),
    a typed object built by kubectl keeps its struct order (`keep_order`, see go_ordered)."""
    return json.dumps(data, indent=4, sort_keys=not keep_order, ensure_ascii=False) + "\n"


GO_MAP_FIELDS = frozenset({"data", "binaryData", "stringData", "labels", "annotations", "hard", "used", "matchLabels",
                           "nodeSelector", "limits", "requests", "capacity", "allocatable", "default",
                           "defaultRequest", "min", "max", "maxLimitRequestRatio"})


@cache
def _json_order() -> dict[str, list[str]]:
    return json.loads((Path(__file__).parent / "data" / "json_order.json").read_text())


def go_ordered(body: Any) -> Any:
    """A typed object's keys in kubectl's Go struct order (data/json_order.json, read from the real
    1.37.1 binary): what `create ... --dry-run=client -o json` prints. Keys not seen there keep theirs."""
    order = _json_order()
    kind = body.get("kind", "") if isinstance(body, dict) else ""

    def walk(value: Any, path: str) -> Any:
        if isinstance(value, dict):
            last = path.rsplit(".", 1)[-1]
            if last in GO_MAP_FIELDS or (kind == "Service" and path == "spec.selector"):
                keys = sorted(value)              # a Go map: encoding/json sorts its keys
            else:
                known = order.get(f"{kind}:{path}") or []
                keys = sorted(value, key=lambda k: (known.index(k) if k in known else len(known), 0))
            return {k: walk(value[k], f"{path}.{k}" if path else k) for k in keys}
        if isinstance(value, list):
            return [walk(v, path + "[]") for v in value]
        return value

    return walk(body, "")


def as_list(items: list[dict]) -> dict:
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def storage_row(now: int, it: Item, wide: bool) -> list[str]:
    """printPersistentVolumeClaim, printPersistentVolume, printStorageClass."""
    from kubegame.engine import storage

    d = it.d
    md, spec, st = d.get("metadata") or {}, d.get("spec") or {}, d.get("status") or {}
    phase = "Terminating" if md.get("deletionTimestamp") else st.get("phase", "")
    vac = spec.get("volumeAttributesClassName") or "<unset>"
    if it.kind == "StorageClass":
        name = it.name + (" (default)" if storage.is_default_class(it.obj) else "")
        return [name, d.get("provisioner", ""), d.get("reclaimPolicy") or "Delete",
                d.get("volumeBindingMode") or "Immediate", "true" if d.get("allowVolumeExpansion") else "false",
                age(now, d)]
    if it.kind == "PersistentVolume":
        ref = spec.get("claimRef")
        row = [it.name, (spec.get("capacity") or {}).get("storage", "0"), storage.access_modes_string(spec.get("accessModes")),
               spec.get("persistentVolumeReclaimPolicy", ""), phase,
               f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else "", storage.volume_class(it.obj), vac,
               st.get("reason", ""), age(now, d)]
    else:
        bound = bool(spec.get("volumeName"))
        row = [it.name, phase, spec.get("volumeName", ""),
               ((st.get("capacity") or {}).get("storage", "")) if bound else "",
               storage.access_modes_string(st.get("accessModes")) if bound else "", storage.claim_class(it.obj), vac,
               age(now, d)]
    return row + ([spec.get("volumeMode") or "<unset>"] if wide else [])
