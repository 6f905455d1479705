"""`kubectl describe` for Job, DaemonSet, StatefulSet, HorizontalPodAutoscaler, PodDisruptionBudget,
Endpoints, Secret, ConfigMap, PriorityClass and Ingress, and the generic describer for the rest
(ControllerRevision, Event), in the layouts of staging/src/k8s.io/kubectl/pkg/describe/describe.go
(describeJob, describeDaemonSet, describeStatefulSet, describeHorizontalPodAutoscalerV2,
describePodDisruptionBudgetV1, describeEndpoints, describeSecret, ConfigMapDescriber,
describePriorityClass, describeIngressV1, genericDescriber/printUnstructuredContent)."""

from __future__ import annotations

import re
from typing import Any

from kubegame.kubectl.core import Ctx
from kubegame.kubectl.describe import (
    DESCRIBERS,
    W,
    _annotations,
    _controlled_by,
    _decoded_len,
    _labels,
    _pod_template,
    events_section,
    rfc1123z,
)
from kubegame.kubectl.printers import Item
from kubegame.kubectl.util import format_label_selector, human_duration, label_selector_matches, tick_of


def _head(w: W, md: dict) -> None:
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"Namespace:\t{md.get('namespace', '')}\n")


def _meta(w: W, md: dict) -> None:
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))


def _events(ctx: Ctx, w: W, it: Item) -> None:
    md = it.d.get("metadata") or {}
    events_section(ctx, w, it.kind, md.get("namespace", ""), md.get("name", ""))


def _pod_counts(ctx: Ctx, ns: str, selector: dict, owner_uid: str) -> tuple[int, int, int, int]:
    """getPodStatusForController: Running / Waiting (Pending) / Succeeded / Failed of the owned pods."""
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    for p in ctx.cluster.pods(ns):
        if p.owner_uid() == owner_uid and label_selector_matches(selector, p.labels):
            counts[p.phase] = counts.get(p.phase, 0) + 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def describe_job(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = W()
    _head(w, md)
    w.w(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    _meta(w, md)
    cb = _controlled_by(d)
    if cb:
        w.w(0, f"Controlled By:\t{cb}\n")
    if "parallelism" in spec:
        w.w(0, f"Parallelism:\t{spec['parallelism']}\n")
    w.w(0, f"Completions:\t{spec['completions'] if spec.get('completions') is not None else '<unset>'}\n")
    if "completionMode" in spec:
        w.w(0, f"Completion Mode:\t{spec['completionMode']}\n")
    if "suspend" in spec:
        w.w(0, f"Suspend:\t{'true' if spec['suspend'] else 'false'}\n")
    if "backoffLimit" in spec:
        w.w(0, f"Backoff Limit:\t{spec['backoffLimit']}\n")
    if "ttlSecondsAfterFinished" in spec:
        w.w(0, f"TTL Seconds After Finished:\t{spec['ttlSecondsAfterFinished']}\n")
    if st.get("startTime"):
        w.w(0, f"Start Time:\t{rfc1123z(st['startTime'])}\n")
    if st.get("completionTime"):
        w.w(0, f"Completed At:\t{rfc1123z(st['completionTime'])}\n")
    if st.get("startTime") and st.get("completionTime"):
        took = (tick_of(st["completionTime"]) or 0) - (tick_of(st["startTime"]) or 0)
        w.w(0, f"Duration:\t{human_duration(took)}\n")
    if "activeDeadlineSeconds" in spec:
        w.w(0, f"Active Deadline Seconds:\t{spec['activeDeadlineSeconds']}s\n")
    active, succeeded, failed = int(st.get("active") or 0), int(st.get("succeeded") or 0), int(st.get("failed") or 0)
    if "ready" not in st:
        w.w(0, f"Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")
    else:
        w.w(0, f"Pods Statuses:\t{active} Active ({int(st['ready'])} Ready) / {succeeded} Succeeded / "
               f"{failed} Failed\n")
    if spec.get("completionMode") == "Indexed":
        idx = st.get("completedIndexes") or ""
        w.w(0, f"Completed Indexes:\t{_cap_indexes(idx)}\n")
    _pod_template(w, spec.get("template") or {})
    _events(ctx, w, it)
    return w.text()


def _cap_indexes(indexes: str, soft: int = 50) -> str:
    """capIndexesListOrNone: the list up to the first comma after 50 characters, then `...`."""
    if not indexes:
        return "<none>"
    ix = indexes.find(",", soft)
    return indexes if ix < 0 or len(indexes) <= soft else indexes[:ix + 1] + "..."


def describe_daemonset(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = W()
    _head(w, md)
    w.w(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    node_sel = ((spec.get("template") or {}).get("spec") or {}).get("nodeSelector") or {}
    w.w(0, f"Node-Selector:\t{','.join(f'{k}={v}' for k, v in sorted(node_sel.items())) or '<none>'}\n")
    _meta(w, md)
    w.w(0, f"Desired Number of Nodes Scheduled: {int(st.get('desiredNumberScheduled') or 0)}\n")
    w.w(0, f"Current Number of Nodes Scheduled: {int(st.get('currentNumberScheduled') or 0)}\n")
    w.w(0, f"Number of Nodes Scheduled with Up-to-date Pods: {int(st.get('updatedNumberScheduled') or 0)}\n")
    w.w(0, f"Number of Nodes Scheduled with Available Pods: {int(st.get('numberAvailable') or 0)}\n")
    w.w(0, f"Number of Nodes Misscheduled: {int(st.get('numberMisscheduled') or 0)}\n")
    r, p, s, f = _pod_counts(ctx, md.get("namespace", ""), spec.get("selector") or {}, it.obj.uid)
    w.w(0, f"Pods Status:\t{r} Running / {p} Waiting / {s} Succeeded / {f} Failed\n")
    _pod_template(w, spec.get("template") or {})
    _events(ctx, w, it)
    return w.text()


def describe_statefulset(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = W()
    _head(w, md)
    w.w(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    w.w(0, f"Selector:\t{format_label_selector(spec.get('selector'))}\n")
    _meta(w, md)
    if spec.get("serviceName"):
        w.w(0, f"Service Name:\t{spec['serviceName']}\n")
    if spec.get("podManagementPolicy"):
        w.w(0, f"Pod Management Policy:\t{spec['podManagementPolicy']}\n")
    w.w(0, f"Replicas:\t{int(spec.get('replicas', 1))} desired | {int(st.get('replicas') or 0)} total\n")
    strategy = spec.get("updateStrategy") or {}
    w.w(0, f"Update Strategy:\t{strategy.get('type', 'RollingUpdate')}\n")
    ru = strategy.get("rollingUpdate")
    if ru is not None and "partition" in ru:
        w.w(1, f"Partition:\t{ru['partition']}\n")
        if "maxUnavailable" in ru:
            w.w(1, f"MaxUnavailable:\t{ru['maxUnavailable']}\n")
    retention = spec.get("persistentVolumeClaimRetentionPolicy")
    if retention is not None:
        w.w(0, "Persistent Volume Claim Retention Policy:\n")
        w.w(1, f"WhenDeleted:\t{retention.get('whenDeleted', '')}\n")
        w.w(1, f"WhenScaled:\t{retention.get('whenScaled', '')}\n")
    r, p, s, f = _pod_counts(ctx, md.get("namespace", ""), spec.get("selector") or {}, it.obj.uid)
    w.w(0, f"Pods Status:\t{r} Running / {p} Waiting / {s} Succeeded / {f} Failed\n")
    _pod_template(w, spec.get("template") or {})
    claims = spec.get("volumeClaimTemplates") or []
    if not claims:
        w.w(0, "Volume Claims:\t<none>\n")
    else:
        w.w(0, "Volume Claims:\n")
        for pvc in claims:
            pmd, pspec = pvc.get("metadata") or {}, pvc.get("spec") or {}
            w.w(1, f"Name:\t{pmd.get('name', '')}\n")
            w.w(1, f"StorageClass:\t{pspec.get('storageClassName', '')}\n")
            w.multi(1, "Labels", _labels(pmd.get("labels")))
            w.multi(1, "Annotations", [f"{k}={v}" for k, v in sorted((pmd.get("annotations") or {}).items())])
            size = ((pspec.get("resources") or {}).get("requests") or {}).get("storage")
            w.w(1, f"Capacity:\t{size if size is not None else '<default>'}\n")
            w.w(1, f"Access Modes:\t[{' '.join(pspec.get('accessModes') or [])}]\n")
    _events(ctx, w, it)
    return w.text()


def _hpa_resource_target(w: W, target: dict, cur: dict) -> None:
    """The current / target part of a Resource or ContainerResource metric line."""
    if target.get("averageValue") is not None:
        w.w(0, f":\t{cur.get('averageValue', '<unknown>')} / {target['averageValue']}\n")
        return
    now = f"{cur['averageUtilization']}% ({cur.get('averageValue', '0')})" \
        if cur.get("averageUtilization") is not None else "<unknown>"
    want = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
    w.w(1, f"(as a percentage of request):\t{now} / {want}\n")


def _hpa_metric(w: W, metric: dict, current: dict | None) -> None:
    kind = metric.get("type")
    if kind in ("Resource", "ContainerResource"):
        key = "resource" if kind == "Resource" else "containerResource"
        res = metric.get(key) or {}
        cur = (current or {}).get(key, {}).get("current", {}) if current else {}
        if kind == "Resource":
            w.w(1, f"resource {res.get('name')} on pods")
        else:
            w.w(1, f'resource {res.get("name")} of container "{res.get("container")}" on pods')
        _hpa_resource_target(w, res.get("target") or {}, cur)
    elif kind == "Pods":
        pm = metric.get("pods") or {}
        cur = (current or {}).get("pods", {}).get("current", {}) if current else {}
        w.w(1, f'"{(pm.get("metric") or {}).get("name")}" on pods:\t{cur.get("averageValue", "<unknown>")} / '
               f'{(pm.get("target") or {}).get("averageValue")}\n')
    elif kind == "Object":
        om = metric.get("object") or {}
        obj = om.get("describedObject") or {}
        target = om.get("target") or {}
        cur = (current or {}).get("object", {}).get("current", {}) if current else {}
        w.w(1, f'"{(om.get("metric") or {}).get("name")}" on {obj.get("kind")}/{obj.get("name")} ')
        if target.get("type") == "AverageValue":
            w.w(0, f"(target average value):\t{cur.get('averageValue', '<unknown>')} / {target.get('averageValue')}\n")
        else:
            w.w(0, f"(target value):\t{cur.get('value', '<unknown>')} / {target.get('value')}\n")
    elif kind == "External":
        em = metric.get("external") or {}
        target = em.get("target") or {}
        cur = (current or {}).get("external", {}).get("current", {}) if current else {}
        name = (em.get("metric") or {}).get("name")
        if target.get("averageValue") is not None:
            w.w(1, f'"{name}" (target average value):\t{cur.get("averageValue", "<unknown>")} / '
                   f'{target["averageValue"]}\n')
        else:
            w.w(1, f'"{name}" (target value):\t{cur.get("value", "<unknown>")} / {target.get("value")}\n')
    else:
        w.w(1, f'<unknown metric type "{kind}">\n')


def _behavior(w: W, direction: str, rules: dict | None) -> None:
    """printDirectionBehavior."""
    if rules is None:
        return
    w.w(1, f"{direction}:\n")
    if rules.get("stabilizationWindowSeconds") is not None:
        w.w(2, f"Stabilization Window: {rules['stabilizationWindowSeconds']} seconds\n")
    if rules.get("policies"):
        w.w(2, f"Select Policy: {rules.get('selectPolicy') or 'Max'}\n")
        w.w(2, "Policies:\n")
        for p in rules["policies"]:
            w.w(3, f"- Type: {p.get('type')}\tValue: {p.get('value')}\tPeriod: {p.get('periodSeconds')} seconds\n")


def describe_hpa(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = W()
    _head(w, md)
    _meta(w, md)
    w.w(0, f"CreationTimestamp:\t{rfc1123z(md.get('creationTimestamp'))}\n")
    ref = spec.get("scaleTargetRef") or {}
    w.w(0, f"Reference:\t{ref.get('kind')}/{ref.get('name')}\n")
    w.w(0, "Metrics:\t( current / target )\n")
    currents = st.get("currentMetrics") or []
    for i, m in enumerate(spec.get("metrics") or []):
        _hpa_metric(w, m, currents[i] if i < len(currents) else None)
    w.w(0, f"Min replicas:\t{spec['minReplicas'] if spec.get('minReplicas') is not None else '<unset>'}\n")
    w.w(0, f"Max replicas:\t{spec.get('maxReplicas')}\n")
    if spec.get("behavior") is not None:
        w.w(0, "Behavior:\n")
        _behavior(w, "Scale Up", spec["behavior"].get("scaleUp"))
        _behavior(w, "Scale Down", spec["behavior"].get("scaleDown"))
    w.w(0, f"{ref.get('kind')} pods:\t")
    w.w(0, f"{int(st.get('currentReplicas') or 0)} current / {int(st.get('desiredReplicas') or 0)} desired\n")
    conds = st.get("conditions") or []
    if conds:
        w.w(0, "Conditions:\n")
        w.w(1, "Type\tStatus\tReason\tMessage\n")
        w.w(1, "----\t------\t------\t-------\n")
        for c in conds:
            w.w(1, f"{c.get('type')}\t{c.get('status')}\t{c.get('reason')}\t{c.get('message')}\n")
    _events(ctx, w, it)
    return w.text()


def describe_pdb(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec, st = d["metadata"], d.get("spec") or {}, d.get("status") or {}
    w = W()
    _head(w, md)
    if "minAvailable" in spec:
        w.w(0, f"Min available:\t{spec['minAvailable']}\n")
    elif "maxUnavailable" in spec:
        w.w(0, f"Max unavailable:\t{spec['maxUnavailable']}\n")
    sel = spec.get("selector")
    w.w(0, f"Selector:\t{format_label_selector(sel) if sel is not None else '<unset>'}\n")
    w.w(0, "Status:\n")
    w.w(2, f"Allowed disruptions:\t{int(st.get('disruptionsAllowed') or 0)}\n")
    w.w(2, f"Current:\t{int(st.get('currentHealthy') or 0)}\n")
    w.w(2, f"Desired:\t{int(st.get('desiredHealthy') or 0)}\n")
    w.w(2, f"Total:\t{int(st.get('expectedPods') or 0)}\n")
    _events(ctx, w, it)
    return w.text()


def describe_endpoints(ctx: Ctx, it: Item) -> str:
    d = it.d
    md = d["metadata"]
    w = W()
    _head(w, md)
    _meta(w, md)
    w.w(0, "Subsets:\n")
    for sub in d.get("subsets") or []:
        ready = ",".join(a.get("ip", "") for a in sub.get("addresses") or [])
        not_ready = ",".join(a.get("ip", "") for a in sub.get("notReadyAddresses") or [])
        w.w(1, f"Addresses:\t{ready or '<none>'}\n")
        w.w(1, f"NotReadyAddresses:\t{not_ready or '<none>'}\n")
        if sub.get("ports"):
            w.w(1, "Ports:\n")
            w.w(2, "Name\tPort\tProtocol\n")
            w.w(2, "----\t----\t--------\n")
            for p in sub["ports"]:
                w.w(2, f"{p.get('name') or '<unset>'}\t{p.get('port')}\t{p.get('protocol', 'TCP')}\n")
        w.w(0, "\n")
    _events(ctx, w, it)
    return w.text()


def describe_secret(ctx: Ctx, it: Item) -> str:
    d = it.d
    md = d["metadata"]
    w = W()
    _head(w, md)
    _meta(w, md)
    kind = d.get("type", "Opaque")
    w.w(0, f"\nType:\t{kind}\n")
    w.w(0, "\nData\n====\n")
    for k, v in sorted((d.get("data") or {}).items()):
        if k == "token" and kind == "kubernetes.io/service-account-token":
            import base64
            w.w(0, f"{k}:\t{base64.b64decode(str(v)).decode('utf-8', 'replace')}\n")
        else:
            w.w(0, f"{k}:\t{_decoded_len(str(v))} bytes\n")
    return w.text()


def describe_configmap(ctx: Ctx, it: Item) -> str:
    d = it.d
    md = d["metadata"]
    w = W()
    _head(w, md)
    _meta(w, md)
    w.w(0, "\nData\n====\n")
    for k, v in sorted((d.get("data") or {}).items()):
        w.w(0, f"{k}:\n----\n")
        w.w(0, f"{v}\n")
        w.w(0, "\n")
    w.w(0, "\nBinaryData\n====\n")
    for k, v in sorted((d.get("binaryData") or {}).items()):
        w.w(0, f"{k}: {_decoded_len(str(v))} bytes\n")
    w.w(0, "\n")
    _events(ctx, w, it)
    return w.text()


def describe_priorityclass(ctx: Ctx, it: Item) -> str:
    d = it.d
    md = d["metadata"]
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"Value:\t{d.get('value', 0)}\n")
    w.w(0, f"GlobalDefault:\t{'true' if d.get('globalDefault') else 'false'}\n")
    w.w(0, f"PreemptionPolicy:\t{d.get('preemptionPolicy', 'PreemptLowerPriority')}\n")
    w.w(0, f"Description:\t{d.get('description', '')}\n")
    ann = {k: v for k, v in (md.get("annotations") or {}).items()}
    w.w(0, f"Annotations:\t{','.join(f'{k}={v}' for k, v in sorted(ann.items())) or '<none>'}\n")
    _events(ctx, w, it)
    return w.text()


def _backend(ctx: Ctx, ns: str, backend: dict) -> str:
    """describeBackendV1: `svc:port (ip:port,...)` from the Service's endpoints (formatEndpointSlices:
    three, then `+ N more...`), or the missing Service's error."""
    svc = backend.get("service")
    if svc is None:
        res = backend.get("resource") or {}
        return f"APIGroup: {res.get('apiGroup') or '<none>'}, Kind: {res.get('kind', '')}, Name: {res.get('name', '')}"
    port = svc.get("port") or {}
    sb = f"{svc.get('name')}:{port.get('name') or port.get('number', '')}"
    ep_obj = ctx.cluster.get("Endpoints", ns, svc.get("name"))
    obj = ctx.cluster.get("Service", ns, svc.get("name"))
    if obj is None:
        return f'{sb} (<error: services "{svc.get("name")}" not found>)'
    if ep_obj is None:
        return f"{sb} (<none>)"
    port_name = ""
    for sp in obj.spec.get("ports") or []:
        if (port.get("number") and sp.get("port") == port.get("number")) or \
                (port.get("name") and sp.get("name") == port.get("name")):
            port_name = sp.get("name") or ""
    addrs = []
    for sub in ctx.cluster.render(ep_obj).get("subsets") or []:
        for p in sub.get("ports") or []:
            if (p.get("name") or "") != port_name:
                continue
            addrs += [f"{a.get('ip')}:{p.get('port')}" for a in sub.get("addresses") or []]
    if len(addrs) > 3:
        return f"{sb} ({','.join(addrs[:3])} + {len(addrs) - 3} more...)"
    return f"{sb} ({','.join(addrs)})"


def describe_ingress(ctx: Ctx, it: Item) -> str:
    d = it.d
    md, spec = d["metadata"], d.get("spec") or {}
    ns = md.get("namespace", "")
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.w(0, f"Namespace:\t{ns}\n")
    lbs = ((d.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    w.w(0, f"Address:\t{','.join(x.get('ip') or x.get('hostname', '') for x in lbs)}\n")
    w.w(0, f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}\n")
    default = spec.get("defaultBackend")
    w.w(0, "Default backend:\t" + (_backend(ctx, ns, default) if default else "<default>") + "\n")
    tls = spec.get("tls") or []
    if tls:
        w.w(0, "TLS:\n")
        for t in tls:
            hosts = ",".join(t.get("hosts") or [])
            if t.get("secretName"):
                w.w(1, f"{t['secretName']} terminates {hosts}\n")
            else:
                w.w(1, f"SNI routes {hosts}\n")
    w.w(0, "Rules:\n  Host\tPath\tBackends\n")
    w.w(1, "----\t----\t--------\n")
    count = 0
    for r in spec.get("rules") or []:
        if not r.get("http"):
            continue
        count += 1
        w.w(1, f"{r.get('host') or '*'}\t\n")
        for p in (r.get("http") or {}).get("paths") or []:
            w.w(2, f"\t{p.get('path', '')} \t{_backend(ctx, ns, p.get('backend') or {})}\n")
    if count == 0:
        w.w(1, "*\t*\t" + (_backend(ctx, ns, default) if default else "<default>") + "\n")
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    _events(ctx, w, it)
    return w.text()


def smart_label(field: str) -> str:
    """smartLabelFor: `creationTimestamp` -> `Creation Timestamp`, `apiVersion` -> `API Version`."""
    if re.search(r"[^A-Za-z-]", field):
        return field
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|-", field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if i + 1 < len(parts) and len(part) >= 2 and part.isupper() and parts[i + 1][:1].isupper():
            merged.append(part + parts[i + 1])
            i += 2
            continue
        merged.append(part)
        i += 1
    acronyms = ("API", "URL", "UID", "GUID")
    out = []
    for part in merged:
        up = part.upper()
        out.append(up if up in acronyms else part[:1].upper() + part[1:])
    return " ".join(out)


SKIP_GENERIC = (".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels",
                ".metadata.annotations")


def _unstructured(w: W, level: int, content: dict, prefix: str) -> None:
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in SKIP_GENERIC:
            continue
        if isinstance(value, dict):
            w.w(level, f"{smart_label(field)}:\n")
            _unstructured(w, level + 1, value, path)
        elif isinstance(value, list):
            w.w(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _unstructured(w, level + 1, child, path)
                else:
                    w.w(level + 1, f"{_go_value(child)}\n")
        else:
            w.w(level, f"{smart_label(field)}:\t{_go_value(value)}\n")


def _go_value(v: Any) -> str:
    return "true" if v is True else "false" if v is False else str(v)


def describe_generic(ctx: Ctx, it: Item) -> str:
    """genericDescriber: the metadata, then every field of the object as printUnstructuredContent lays it out."""
    d = it.d
    md = d.get("metadata") or {}
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"Namespace:\t{md.get('namespace', '')}\n")
    _meta(w, md)
    _unstructured(w, 0, d, "")
    if it.kind != "Event":
        _events(ctx, w, it)
    return w.text()


DESCRIBERS.update({"Job": describe_job, "DaemonSet": describe_daemonset, "StatefulSet": describe_statefulset,
                   "HorizontalPodAutoscaler": describe_hpa, "PodDisruptionBudget": describe_pdb,
                   "Endpoints": describe_endpoints, "Secret": describe_secret, "ConfigMap": describe_configmap,
                   "PriorityClass": describe_priorityclass, "Ingress": describe_ingress,
                   "ControllerRevision": describe_generic})
