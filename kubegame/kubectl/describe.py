"""`kubectl describe`: the layouts of staging/src/k8s.io/kubectl/pkg/describe/describe.go.

Output goes through a tabwriter(minwidth 0, tabwidth 8, padding 2) exactly as describe's
PrefixWriter does, so blocks of `Key:\tvalue` lines align the way kubectl aligns them.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from kubegame.engine.controllers.deployment import template_without_hash
from kubegame.engine.errors import ApiError
from kubegame.kubectl.core import Ctx, EventObj, get_object, list_objects, parse_refs
from kubegame.kubectl.printers import Item, endpoints_string, node_roles
from kubegame.kubectl.util import (
    KubectlError,
    format_label_selector,
    human_duration,
    label_selector_matches,
    parse_selector,
    selector_matches,
    tabwrite,
    tick_of,
)

DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def rfc1123z(ts: Any) -> str:
    """time.RFC1123Z: `Thu, 01 Jan 2026 00:00:05 +0000`."""
    t = tick_of(ts)
    if t is None:
        return "<unknown>"
    d = _dt.datetime(2026, 1, 1, tzinfo=_dt.UTC) + _dt.timedelta(seconds=t)
    return f"{DAYS[d.weekday()]}, {d.day:02d} {MONTHS[d.month - 1]} {d.year} {d:%H:%M:%S} +0000"


class W:
    """describe's PrefixWriter: levels of two-space indentation, tab-separated cells."""

    def __init__(self) -> None:
        self.buf: list[str] = []

    def w(self, level: int, text: str) -> None:
        self.buf.append("  " * level + text)

    def multi(self, level: int, title: str, items: list[str], empty: str = "<none>") -> None:
        if not items:
            self.w(level, f"{title}:\t{empty}\n")
            return
        self.w(level, f"{title}:\t{items[0]}\n")
        for it in items[1:]:               # printLabelsMultiline: the next lines start at the tab
            self.buf.append(f"\t{it}\n")

    def text(self) -> str:
        return tabwrite("".join(self.buf), 0, 2)


def _decoded_len(b64: str) -> int:
    """A Secret value's size: the bytes it decodes to (describe.go prints len(data[k]))."""
    import base64
    import binascii
    try:
        return len(base64.b64decode(b64, validate=False))
    except (binascii.Error, ValueError):
        return len(b64)


def _labels(d: dict) -> list[str]:
    return [f"{k}={v}" for k, v in sorted((d or {}).items())]


MAX_ANNOTATION_LEN = 140
SKIP_ANNOTATIONS = ("kubectl.kubernetes.io/last-applied-configuration",)


def _annotations(d: dict) -> list[str]:
    """printAnnotationsMultiline: sorted, the last-applied configuration left out, a long or
    multi-line value on its own lines (each cut at 138 characters with `...`)."""
    out = []
    for k, v in sorted((d or {}).items()):
        if k in SKIP_ANNOTATIONS:
            continue
        value = str(v).removesuffix("\n")
        if len(value) + len(k) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            lines = [s if len(s) <= MAX_ANNOTATION_LEN - 2 else s[:MAX_ANNOTATION_LEN - 2] + "..."
                     for s in value.split("\n")]
            out.append(f"{k}:" + "".join(f"\n\t  {s}" for s in lines))
        else:
            out.append(f"{k}: {v}")
    return out


def events_section(ctx: Ctx, w: W, kind: str, namespace: str, name: str, uid: str = "") -> None:
    if ctx.p.flags.get("show-events") is False:
        return                           # --show-events=false: describe searches no events
    evs = [e for e in ctx.cluster.events if e.kind == kind and e.name == name and
           (e.namespace or "") == (namespace or "")]
    if not evs:
        w.w(0, "Events:\t<none>\n")
        return
    evs.sort(key=lambda e: (e.tick, e.seq))
    now = ctx.cluster.now
    w.w(0, "Events:\n")
    w.w(1, "Type\tReason\tAge\tFrom\tMessage\n")
    w.w(1, "----\t------\t----\t----\t-------\n")
    for e in evs:
        if e.count > 1:
            age = f"{human_duration(now - e.tick)} (x{e.count} over {human_duration(now - e.first_tick)})"
        else:
            age = human_duration(now - e.first_tick)
        message = e.message.strip()
        if e.field_path:                     # 1.37: the part of the object, `spec.containers{app}: ...`
            message = f"{e.field_path}: {message}"
        w.w(1, f"{e.type}\t{e.reason}\t{age}\t{e.source}\t{message}\n")


def _controlled_by(d: dict) -> str | None:
    for r in d.get("metadata", {}).get("ownerReferences") or []:
        if r.get("controller"):
            return f"{r.get('kind')}/{r.get('name')}"
    return None


def _container_block(w: W, level: int, c: dict, status: dict | None, template: bool = False,
                     pod: dict | None = None) -> None:
    """describeContainers for one container (basic info, command, state, resources, probes,
    environment, mounts); in a pod template the name gets one more space (nameIndent). `pod`: the
    pod whose downward-API values `Environment` shows (describe pod passes it, a template none)."""
    w.w(level, f"{' ' if template else ''}{c.get('name')}:\n")
    lv = level + 1
    if status is not None:
        cid = status.get("containerID") or ""
        w.w(lv, f"Container ID:\t{cid}\n")
    w.w(lv, f"Image:\t{c.get('image')}\n")
    if status is not None:
        w.w(lv, f"Image ID:\t{status.get('imageID', '')}\n")
    ports = c.get("ports") or []

    def named(p: dict, number: Any) -> str:
        text = f"{number}/{p.get('protocol', 'TCP')}"
        return f"{text} ({p['name']})" if p.get("name") else text
    cports = ", ".join(named(p, p.get("containerPort")) for p in ports)
    hports = ", ".join(named(p, p.get("hostPort", 0)) for p in ports)
    w.w(lv, (f"Ports:\t{cports}" if "," in cports else f"Port:\t{cports or '<none>'}") + "\n")
    w.w(lv, (f"Host Ports:\t{hports}" if "," in hports else f"Host Port:\t{hports or '<none>'}") + "\n")
    for field, title in (("command", "Command"), ("args", "Args")):
        if c.get(field):
            w.w(lv, f"{title}:\n")
            for x in c[field]:
                for part in str(x).split("\n"):
                    w.w(lv + 1, f"{part}\n")
    if status is not None:
        state = status.get("state") or {}
        if "running" in state:
            w.w(lv, "State:\tRunning\n")
            w.w(lv + 1, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
        elif "waiting" in state:
            w.w(lv, "State:\tWaiting\n")
            w.w(lv + 1, f"Reason:\t{state['waiting'].get('reason', '')}\n")
            if state["waiting"].get("message"):
                w.w(lv + 1, f"Message:\t{state['waiting']['message']}\n")
        elif "terminated" in state:
            t = state["terminated"]
            w.w(lv, "State:\tTerminated\n")
            w.w(lv + 1, f"Reason:\t{t.get('reason', '')}\n")
            w.w(lv + 1, f"Exit Code:\t{t.get('exitCode', 0)}\n")
            if t.get("startedAt"):
                w.w(lv + 1, f"Started:\t{rfc1123z(t.get('startedAt'))}\n")
            if t.get("finishedAt"):
                w.w(lv + 1, f"Finished:\t{rfc1123z(t.get('finishedAt'))}\n")
        last = (status.get("lastState") or {}).get("terminated")
        if last:
            w.w(lv, "Last State:\tTerminated\n")
            w.w(lv + 1, f"Reason:\t{last.get('reason', 'Error')}\n")
            w.w(lv + 1, f"Exit Code:\t{last.get('exitCode', 1)}\n")
            if last.get("startedAt"):
                w.w(lv + 1, f"Started:\t{rfc1123z(last.get('startedAt'))}\n")
            if last.get("finishedAt"):
                w.w(lv + 1, f"Finished:\t{rfc1123z(last.get('finishedAt'))}\n")
        w.w(lv, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
        w.w(lv, f"Restart Count:\t{status.get('restartCount', 0)}\n")
    res = c.get("resources") or {}
    for part, title in (("limits", "Limits"), ("requests", "Requests")):
        if res.get(part):
            w.w(lv, f"{title}:\n")
            for k, v in sorted(res[part].items()):
                w.w(lv + 1, f"{k}:\t{v}\n")
    for field, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"), ("startupProbe", "Startup")):
        probe = c.get(field)
        if probe:
            w.w(lv, f"{title}:\t" + _probe(probe) + "\n")
    if c.get("envFrom"):
        w.w(lv, "Environment Variables from:\n")
        for e in c["envFrom"]:
            ref, src = (e.get("configMapRef"), "ConfigMap") if e.get("configMapRef") else (e.get("secretRef"), "Secret")
            ref = ref or {}
            optional = "true" if ref.get("optional") else "false"
            via = f"{src} with prefix '{e['prefix']}'" if e.get("prefix") else src
            w.w(lv + 1, f"{ref.get('name', '')}\t{via}\tOptional: {optional}\n")
    envs = c.get("env") or []
    w.w(lv, "Environment:\n" if envs else "Environment:\t<none>\n")
    for e in envs:
        vf = e.get("valueFrom")
        if not vf:
            for i, part in enumerate(str(e.get("value", "")).split("\n")):
                w.w(lv + 1, f"{e.get('name')}:\t{part}\n" if i == 0 else f"\t{part}\n")
        elif vf.get("fieldRef"):
            fr = vf["fieldRef"]
            value = env_field(pod, fr.get("fieldPath", "")) if pod is not None else ""
            w.w(lv + 1, f"{e.get('name')}:\t{value} ({fr.get('apiVersion', 'v1')}:{fr.get('fieldPath', '')})\n")
        elif vf.get("resourceFieldRef"):
            rf = vf["resourceFieldRef"]
            resource = rf.get("resource", "")
            part, _, name = resource.partition(".")
            value = str(((c.get("resources") or {}).get(part) or {}).get(name, "0"))
            if value == "0" and resource in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.w(lv + 1, f"{e.get('name')}:\t{value} ({resource})\n")
        elif vf.get("secretKeyRef"):
            r = vf["secretKeyRef"]
            w.w(lv + 1, f"{e.get('name')}:\t<set to the key '{r.get('key')}' in secret '{r.get('name')}'>\t"
                        f"Optional: {'true' if r.get('optional') else 'false'}\n")
        elif vf.get("configMapKeyRef"):
            r = vf["configMapKeyRef"]
            w.w(lv + 1, f"{e.get('name')}:\t<set to the key '{r.get('key')}' of config map '{r.get('name')}'>\t"
                        f"Optional: {'true' if r.get('optional') else 'false'}\n")
    mounts = sorted(c.get("volumeMounts") or [], key=lambda m: str(m.get("mountPath", "")))
    w.w(lv, "Mounts:\n" if mounts else "Mounts:\t<none>\n")
    for m in mounts:
        flags = ["ro" if m.get("readOnly") else "rw"] + ([f'path="{m["subPath"]}"'] if m.get("subPath") else [])
        w.w(lv + 1, f"{m.get('mountPath')} from {m.get('name')} ({','.join(flags)})\n")


def env_field(pod: dict, path: str) -> str:
    """fieldpath.ExtractFieldPathAsString for the downward API paths describe resolves."""
    md, spec, st = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    simple = {"metadata.name": md.get("name"), "metadata.namespace": md.get("namespace"),
              "metadata.uid": md.get("uid"), "spec.nodeName": spec.get("nodeName"),
              "spec.serviceAccountName": spec.get("serviceAccountName"), "status.hostIP": st.get("hostIP"),
              "status.podIP": st.get("podIP")}
    if path in simple:
        return str(simple[path] or "")
    for prefix, source in (("metadata.labels", md.get("labels")), ("metadata.annotations", md.get("annotations"))):
        if path.startswith(prefix + "['") and path.endswith("']"):
            return str((source or {}).get(path[len(prefix) + 2:-2], ""))
    return ""


def _probe(p: dict) -> str:
    """describe.go DescribeProbe: the handler, then delay, timeout, period and thresholds."""
    if "httpGet" in p:
        h = p["httpGet"]
        scheme = str(h.get("scheme") or "HTTP").lower()
        kind = f"http-get {scheme}://{h.get('host', '')}:{h.get('port')}{h.get('path', '/')}"
    elif "tcpSocket" in p:
        kind = f"tcp-socket {p['tcpSocket'].get('host', '')}:{p['tcpSocket'].get('port')}"
    elif "exec" in p:
        kind = "exec [" + " ".join(str(x) for x in p["exec"].get("command") or []) + "]"
    elif "grpc" in p:
        g = p["grpc"]
        kind = f"grpc <pod>:{g.get('port')} {g.get('service', '')}"
    else:
        kind = "unknown"
    return (f"{kind} delay={p.get('initialDelaySeconds', 0)}s timeout={p.get('timeoutSeconds', 1)}s "
            f"period={p.get('periodSeconds', 10)}s successThreshold={p.get('successThreshold', 1)} "
            f"failureThreshold={p.get('failureThreshold', 3)}")     # describe.go describeProbe, kubectl 1.37


def _tolerations(spec: dict) -> list[str]:
    out = []
    for t in spec.get("tolerations") or []:
        s = t.get("key", "")
        if t.get("value"):
            s += f"={t['value']}"
        if t.get("effect"):
            s += f":{t['effect']}"
        if t.get("operator") == "Exists" and not t.get("value"):
            s += " op=Exists"
        if t.get("tolerationSeconds") is not None:
            s += f" for {t['tolerationSeconds']}s"
        out.append(s)
    return out


def describe_pod(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    pod = it.obj
    w = W()
    w.w(0, f"Name:\t{md['name']}\n")
    w.w(0, f"Namespace:\t{md.get('namespace', '')}\n")
    w.w(0, f"Priority:\t{spec.get('priority', 0)}\n")
    w.w(0, f"Service Account:\t{spec.get('serviceAccountName', 'default')}\n")
    node = spec.get("nodeName")
    w.w(0, f"Node:\t{node + '/' + st.get('hostIP', '') if node else '<none>'}\n")
    if st.get("startTime"):
        w.w(0, f"Start Time:\t{rfc1123z(st['startTime'])}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    if md.get("deletionTimestamp"):
        w.w(0, f"Status:\tTerminating (lasts {human_duration(ctx.cluster.now - (pod.deletion_tick or 0))})\n")
        w.w(0, f"Termination Grace Period:\t{md.get('deletionGracePeriodSeconds', 30)}s\n")
    else:
        w.w(0, f"Status:\t{st.get('phase', 'Pending')}\n")
    if st.get("reason"):
        w.w(0, f"Reason:\t{st['reason']}\n")
    if st.get("message"):
        w.w(0, f"Message:\t{st['message']}\n")
    w.w(0, f"IP:\t{st.get('podIP', '')}\n")
    ips = st.get("podIPs") or []
    if ips:
        w.w(0, "IPs:\n")
        for ip in ips:
            w.w(1, f"IP:\t{ip.get('ip')}\n")
    else:
        w.w(0, "IPs:\t<none>\n")
    cb = _controlled_by(d)
    if cb:
        w.w(0, f"Controlled By:\t{cb}\n")
    if spec.get("initContainers"):
        w.w(0, "Init Containers:\n")
        istatuses = {s.get("name"): s for s in st.get("initContainerStatuses") or []}
        for c in spec["initContainers"]:
            _container_block(w, 1, c, istatuses.get(c.get("name"), {} if node else None), pod=d)
    w.w(0, "Containers:\n")
    statuses = {s.get("name"): s for s in st.get("containerStatuses") or []}
    for c in spec.get("containers") or []:
        _container_block(w, 1, c, statuses.get(c.get("name"), {} if node else None), pod=d)
    conds = st.get("conditions") or []
    if conds:
        w.w(0, "Conditions:\n")
        w.w(1, "Type\tStatus\n")
        order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]
        for c in sorted(conds, key=lambda c: order.index(c["type"]) if c.get("type") in order else 99):
            w.w(1, f"{c.get('type')} \t{c.get('status')} \n")
    from kubegame.kubectl.describe_storage import describe_volumes
    describe_volumes(w, spec.get("volumes") or [])
    w.w(0, f"QoS Class:\t{st.get('qosClass', 'BestEffort')}\n")
    w.multi(0, "Node-Selectors", _labels(spec.get("nodeSelector")))
    w.multi(0, "Tolerations", _tolerations(spec))
    events_section(ctx, w, "Pod", md.get("namespace", ""), md["name"])
    return w.text()


def _allocated(ctx: Ctx, node: Any) -> tuple[int, int, int, int, list[Any]]:
    pods = [p for p in ctx.cluster.pods() if p.node_name == node.name and p.phase not in ("Succeeded", "Failed")]
    cpu_r = mem_r = cpu_l = mem_l = 0
    from kubegame.engine.quantity import cpu_millis, memory_bytes
    for p in pods:
        cpu_r += p.cpu_request
        mem_r += p.mem_request
        for c in p.spec.get("containers") or []:
            lim = (c.get("resources") or {}).get("limits") or {}
            cpu_l += cpu_millis(lim.get("cpu", 0))
            mem_l += memory_bytes(lim.get("memory", 0))
    return cpu_r, mem_r, cpu_l, mem_l, pods


def _fmt_cpu(m: int) -> str:
    return f"{m // 1000}" if m % 1000 == 0 else f"{m}m"


def _fmt_mem(b: int) -> str:
    from kubegame.engine.quantity import format_memory
    return format_memory(b) if b else "0"


def describe_node(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    node = it.obj
    w = W()
    w.w(0, f"Name:\t{md['name']}\n")
    w.w(0, f"Roles:\t{node_roles(md.get('labels') or {})}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    w.w(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    taints = [f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}"
              for t in spec.get("taints") or []]
    w.multi(0, "Taints", taints)
    w.w(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    if node is not None and hasattr(node, "last_heartbeat"):   # describeNodeLease: the kubelet's Lease
        from kubegame.engine.apiviews import lease
        ls = lease(ctx.cluster, node)["spec"]
        w.w(0, "Lease:\n")
        w.w(1, f"HolderIdentity:\t{ls['holderIdentity']}\n")
        w.w(1, "AcquireTime:\t<unset>\n")
        w.w(1, f"RenewTime:\t{rfc1123z(ls['renewTime'].replace('.000000Z', 'Z'))}\n")
    w.w(0, "Conditions:\n")
    w.w(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n")
    w.w(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
    for c in st.get("conditions") or []:
        w.w(1, f"{c.get('type')} \t{c.get('status')} \t{rfc1123z(c.get('lastHeartbeatTime'))} \t"
               f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason')} \t{c.get('message')}\n")
    w.w(0, "Addresses:\n")
    for a in st.get("addresses") or []:
        w.w(1, f"{a.get('type')}:\t{a.get('address')}\n")
    for title, key in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
        w.w(0, f"{title}:\n")
        for k, v in sorted((st.get(key) or {}).items()):
            w.w(1, f"{k}:\t{v}\n")
    info = st.get("nodeInfo") or {}
    w.w(0, "System Info:\n")         # describe.go (1.37): no Kube-Proxy Version line
    for label, key in (("Machine ID", "machineID"), ("System UUID", "systemUUID"), ("Boot ID", "bootID"),
                       ("Kernel Version", "kernelVersion"), ("OS Image", "osImage"),
                       ("Operating System", "operatingSystem"), ("Architecture", "architecture"),
                       ("Container Runtime Version", "containerRuntimeVersion"),
                       ("Kubelet Version", "kubeletVersion")):
        w.w(1, f"{label}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.w(0, f"PodCIDR:\t{spec['podCIDR']}\n")
        w.w(0, f"PodCIDRs:\t{','.join(spec.get('podCIDRs') or [spec['podCIDR']])}\n")
    cpu_r, mem_r, cpu_l, mem_l, pods = _allocated(ctx, node)
    w.w(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    # describeNodeResource: an empty column after Name ("\t\t")
    w.w(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n")
    w.w(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n")
    ccap, mcap = max(node.cpu, 1), max(node.memory, 1)
    from kubegame.engine.quantity import cpu_millis, memory_bytes
    for p in pods:
        lims = [((c.get("resources") or {}).get("limits") or {}) for c in p.spec.get("containers") or []]
        pcl = sum(cpu_millis(lim.get("cpu", 0)) for lim in lims)
        pml = sum(memory_bytes(lim.get("memory", 0)) for lim in lims)
        w.w(1, f"{p.namespace}\t{p.name}\t\t{_fmt_cpu(p.cpu_request)} ({p.cpu_request * 100 // ccap}%)\t"
               f"{_fmt_cpu(pcl)} ({pcl * 100 // ccap}%)\t"
               f"{_fmt_mem(p.mem_request)} ({p.mem_request * 100 // mcap}%)\t{_fmt_mem(pml)} ({pml * 100 // mcap}%)\t"
               f"{human_duration(ctx.cluster.now - p.creation_tick)}\n")
    w.w(0, "Allocated resources:\n")
    w.w(1, "(Total limits may be over 100 percent, i.e., overcommitted.)\n")
    w.w(1, "Resource\tRequests\tLimits\n")
    w.w(1, "--------\t--------\t------\n")
    w.w(1, f"cpu\t{_fmt_cpu(cpu_r)} ({cpu_r * 100 // ccap}%)\t{_fmt_cpu(cpu_l)} ({cpu_l * 100 // ccap}%)\n")
    w.w(1, f"memory\t{_fmt_mem(mem_r)} ({mem_r * 100 // mcap}%)\t{_fmt_mem(mem_l)} ({mem_l * 100 // mcap}%)\n")
    eph_r, eph_l = (sum(memory_bytes(str(((c.spec.get("resources") or {}).get(k) or {}).get("ephemeral-storage", "0")))
                        for p in pods for c in p.containers) for k in ("requests", "limits"))
    ecap = max(memory_bytes(str((st.get("allocatable") or {}).get("ephemeral-storage", "0"))), 1)
    w.w(1, f"ephemeral-storage\t{_fmt_mem(eph_r) if eph_r else '0'} ({eph_r * 100 // ecap}%)\t"
           f"{_fmt_mem(eph_l) if eph_l else '0'} ({eph_l * 100 // ecap}%)\n")
    events_section(ctx, w, "Node", "", md["name"])
    return w.text()


def _pod_template(w: W, tpl: dict) -> None:
    tmd = tpl.get("metadata") or {}
    tspec = tpl.get("spec") or {}
    w.w(0, "Pod Template:\n")
    w.multi(1, "Labels", _labels(tmd.get("labels")))
    if tmd.get("annotations"):
        w.multi(1, "Annotations", _annotations(tmd.get("annotations")))
    w.w(1, "Containers:\n")
    for c in tspec.get("containers") or []:
        _container_block(w, 1, c, None, template=True)
    from kubegame.kubectl.describe_storage import describe_volumes
    describe_volumes(w, tspec.get("volumes") or [], "  ")
    w.multi(1, "Node-Selectors", _labels(tspec.get("nodeSelector")))
    tols = [t for t in _tolerations(tspec)]
    w.multi(1, "Tolerations", tols)


def _pod_statuses(ctx: Ctx, ns: str, sel: dict, owner_uid: str | None = None) -> str:
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for p in ctx.cluster.pods(ns):
        if owner_uid is not None and p.owner_uid() != owner_uid:
            continue
        if owner_uid is None and not label_selector_matches(sel, p.labels):
            continue
        counts[p.phase] = counts.get(p.phase, 0) + 1
    return (f"{counts['Running']} Running / {counts['Pending']} Waiting / {counts['Succeeded']} Succeeded / "
            f"{counts['Failed']} Failed")


def describe_deployment(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = W()
    w.w(0, f"Name:\t{md['name']}\n")
    w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    w.w(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    w.w(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    replicas = int(spec.get("replicas", 1))
    total = int(st.get("replicas") or 0)
    avail = int(st.get("availableReplicas") or 0)
    w.w(0, f"Replicas:\t{replicas} desired | {int(st.get('updatedReplicas') or 0)} updated | {total} total | "
           f"{avail} available | {int(st.get('unavailableReplicas') or max(0, total - avail))} unavailable\n")
    strat = spec.get("strategy") or {}
    w.w(0, f"StrategyType:\t{strat.get('type', 'RollingUpdate')}\n")
    w.w(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    if strat.get("type", "RollingUpdate") == "RollingUpdate":
        ru = strat.get("rollingUpdate") or {}
        w.w(0, f"RollingUpdateStrategy:\t{ru.get('maxUnavailable', '25%')} max unavailable, "
               f"{ru.get('maxSurge', '25%')} max surge\n")
    _pod_template(w, spec.get("template") or {})
    conds = st.get("conditions") or []
    if conds:
        w.w(0, "Conditions:\n")
        w.w(1, "Type\tStatus\tReason\n")
        w.w(1, "----\t------\t------\n")
        for c in conds:
            w.w(1, f"{c.get('type')} \t{c.get('status')}\t{c.get('reason')}\n")
    from kubegame.kubectl.cmd_rollout import owned_replicasets
    rss = owned_replicasets(ctx, it.obj)
    want = template_without_hash(spec.get("template") or {})
    new_rs = None
    for rs in rss:
        if template_without_hash(rs.spec.get("template") or {}) == want:
            new_rs = rs
    old = [rs for rs in rss if rs is not new_rs and int(rs.spec.get("replicas", 0)) > 0]
    fmt = lambda rs: f"{rs.name} ({int(rs.status.get('replicas') or 0)}/{int(rs.spec.get('replicas', 0))} replicas created)"  # noqa: E731
    w.w(0, f"OldReplicaSets:\t{', '.join(fmt(r) for r in old) if old else '<none>'}\n")
    w.w(0, f"NewReplicaSet:\t{fmt(new_rs) if new_rs else '<none>'}\n")
    events_section(ctx, w, "Deployment", md.get("namespace", ""), md["name"])
    return w.text()


def describe_replicaset(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = W()
    w.w(0, f"Name:\t{md['name']}\n")
    w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    w.w(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    cb = _controlled_by(d)
    if cb:
        w.w(0, f"Controlled By:\t{cb}\n")
    w.w(0, f"Replicas:\t{int(st.get('replicas') or 0)} current / {int(spec.get('replicas', 1))} desired\n")
    w.w(0, f"Pods Status:\t{_pod_statuses(ctx, md.get('namespace', ''), spec.get('selector') or {}, it.obj.uid)}\n")
    _pod_template(w, spec.get("template") or {})
    events_section(ctx, w, "ReplicaSet", md.get("namespace", ""), md["name"])
    return w.text()


def describe_service(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec = d["metadata"], d.get("spec") or {}
    w = W()
    w.w(0, f"Name:\t{md['name']}\n")
    w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    sel = spec.get("selector") or {}
    w.w(0, f"Selector:\t{','.join(_labels(sel)) if sel else '<none>'}\n")
    w.w(0, f"Type:\t{spec.get('type', 'ClusterIP')}\n")
    w.w(0, f"IP Family Policy:\t{spec.get('ipFamilyPolicy', 'SingleStack')}\n")
    w.w(0, f"IP Families:\t{','.join(spec.get('ipFamilies') or ['IPv4'])}\n")
    w.w(0, f"IP:\t{spec.get('clusterIP', '')}\n")
    w.w(0, f"IPs:\t{','.join(spec.get('clusterIPs') or [spec.get('clusterIP', '')])}\n")
    if spec.get("type") == "LoadBalancer":
        ing = ((d.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        if ing:
            w.w(0, f"LoadBalancer Ingress:\t{', '.join(i.get('ip') or i.get('hostname', '') for i in ing)}\n")
    # 1.37 reads the Service's EndpointSlices (engine/apiviews.py), not its Endpoints
    from kubegame.engine.apiviews import endpoint_slices, format_endpoint_slices
    svc_obj = ctx.cluster.get("Service", md.get("namespace", ""), md["name"])
    slices = endpoint_slices(ctx.cluster, svc_obj) if svc_obj is not None else []
    for p in spec.get("ports") or []:
        name = p.get("name") or "<unset>"
        w.w(0, f"Port:\t{name}\t{p.get('port')}/{p.get('protocol', 'TCP')}\n")
        tp = p.get("targetPort", p.get("port"))
        w.w(0, f"TargetPort:\t{tp}/{p.get('protocol', 'TCP')}\n")
        if p.get("nodePort"):
            w.w(0, f"NodePort:\t{name}\t{p['nodePort']}/{p.get('protocol', 'TCP')}\n")
        w.w(0, f"Endpoints:\t{format_endpoint_slices(slices, p.get('name', ''))}\n")
    w.w(0, f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}\n")
    if spec.get("externalTrafficPolicy"):
        w.w(0, f"External Traffic Policy:\t{spec['externalTrafficPolicy']}\n")
    w.w(0, f"Internal Traffic Policy:\t{spec.get('internalTrafficPolicy', 'Cluster')}\n")
    events_section(ctx, w, "Service", md.get("namespace", ""), md["name"])
    return w.text()


DESCRIBERS = {"Pod": describe_pod, "Node": describe_node, "Deployment": describe_deployment,
              "ReplicaSet": describe_replicaset, "Service": describe_service}


def cmd_describe(ctx: Ctx) -> None:
    from kubegame.kubectl import (  # noqa: F401 - register them
        describe_access,
        describe_network,
        describe_storage,
        describe_workloads,
    )
    p = ctx.p
    if not p.args and not p.flags.get("filename"):
        raise KubectlError("You must specify the type of resource to describe. Use \"kubectl api-resources\" for a "
                           "complete list of supported resources.")
    if p.flags.get("filename"):
        from kubegame.kubectl.cmd_write import _targets
        items = [Item(o.kind, ctx.cluster.render(o), o) for _r, o in _targets(ctx)]
    else:
        refs, _ = parse_refs(p.args)
        items = []
        matched_prefix = False
        ns = None if ctx.all_namespaces else ctx.namespace
        for r in refs:
            if r.name is None:
                found = list_objects(ctx, r.res, ns)
                if p.flags.get("selector"):
                    reqs = parse_selector(p.flags["selector"])
                    found = [i for i in found if selector_matches(reqs, i.labels)]
                items.extend(found)
            else:
                try:
                    items.append(get_object(ctx, r.res, ctx.namespace, r.name))
                except ApiError as exc:
                    # describe also matches name prefixes (kubectl describe pods shop)
                    pref = [i for i in list_objects(ctx, r.res, ctx.namespace) if i.name.startswith(r.name)]
                    if pref:
                        items.extend(pref)
                        matched_prefix = True
                    else:
                        ctx.api_error(exc)
        if not items and ctx.exit_code == 0:
            res0 = refs[0].res if refs else None
            if res0 is not None and res0.namespaced and not ctx.all_namespaces:
                ctx.err.append(f"No resources found in {ctx.namespace} namespace.\n")
            else:
                ctx.err.append("No resources found\n")
            return
    # pkg/cmd/describe: events are shown for one object only, unless --show-events is given
    if (len(items) > 1 or (not p.flags.get("filename") and matched_prefix) or ctx.exit_code) \
            and not p.has("show-events"):
        p.flags["show-events"] = False
    texts = []
    for it in items:
        if isinstance(it.obj, EventObj):
            texts.append(describe_workloads.describe_generic(ctx, it))
            continue
        fn = DESCRIBERS.get(it.kind, describe_workloads.describe_generic)
        texts.append(fn(ctx, it))
    # each description ends with a newline, and the next one follows "\n\n" (Fprintf(out, "\n\n%s", s))
    ctx.out.append("\n\n".join(t.rstrip("\n") + "\n" for t in texts))


__all__ = ["cmd_describe", "endpoints_string"]
