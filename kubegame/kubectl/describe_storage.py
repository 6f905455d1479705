"""`kubectl describe` for PersistentVolume, PersistentVolumeClaim and StorageClass, and the Volumes
block of pods and pod templates, in the layouts of staging/src/k8s.io/kubectl/pkg/describe/describe.go
(describePersistentVolume, describePersistentVolumeClaim with printPersistentVolumeClaim and
getPodsForPVC, describeStorageClass, describeVolumes and its print*VolumeSource helpers).
"""

from __future__ import annotations

from typing import Any

from kubegame.engine import storage
from kubegame.kubectl.core import Ctx
from kubegame.kubectl.describe import DESCRIBERS, W, _annotations, _labels, events_section
from kubegame.kubectl.printers import Item
from kubegame.kubectl.util import human_duration, tick_of


def _b(v: Any) -> str:
    return "true" if v else "false"


def _format_labels(d: dict | None) -> str:
    """labels.FormatLabels: k=v,k=v sorted, or <none>."""
    return ",".join(f"{k}={v}" for k, v in sorted((d or {}).items())) or "<none>"


def _terminating(md: dict, now: int) -> str:
    t = tick_of(md.get("deletionTimestamp"))
    return f"Terminating (lasts {human_duration(now - t) if t is not None else '<unknown>'})"


# print*VolumeSource for the flat sources: the Type line, then (label, field, how it prints)
SOURCES: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "hostPath": ("HostPath (bare host directory volume)", (("Path", "path", ""), ("HostPathType", "type", "<none>"))),
    "emptyDir": ("EmptyDir (a temporary directory that shares a pod's lifetime)",
                 (("Medium", "medium", ""), ("SizeLimit", "sizeLimit", "<unset>"))),
    "secret": ("Secret (a volume populated by a Secret)", (("SecretName", "secretName", ""), ("Optional", "optional", "bool"))),
    "configMap": ("ConfigMap (a volume populated by a ConfigMap)", (("Name", "name", ""), ("Optional", "optional", "bool"))),
    "nfs": ("NFS (an NFS mount that lasts the lifetime of a pod)",
            (("Server", "server", ""), ("Path", "path", ""), ("ReadOnly", "readOnly", "bool"))),
    "persistentVolumeClaim": ("PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)",
                              (("ClaimName", "claimName", ""), ("ReadOnly", "readOnly", "bool"))),
    "csi": ("CSI (a Container Storage Interface (CSI) volume source)",
            (("Driver", "driver", ""), ("FSType", "fsType", ""), ("ReadOnly", "readOnly", "bool"))),
}


def _source_lines(v: dict) -> list[str]:
    """The Type block of one volume source (print*VolumeSource), lines at LEVEL_2."""
    for field, (title, cells) in SOURCES.items():
        if field in v:
            src = v[field] or {}
            return [f"Type:\t{title}"] + [
                f"{label}:\t{_b(src.get(key)) if how == 'bool' else (src.get(key) or how)}" for label, key, how in cells]
    if "downwardAPI" in v:
        out = ["Type:\tDownwardAPI (a volume populated by information about the pod)", "Items:"]
        for m in (v["downwardAPI"] or {}).get("items") or []:
            if m.get("fieldRef"):
                out.append(f"  {m['fieldRef'].get('fieldPath')} -> {m.get('path')}")
            if m.get("resourceFieldRef"):
                out.append(f"  {m['resourceFieldRef'].get('resource')} -> {m.get('path')}")
        return out
    if "projected" in v:
        out = ["Type:\tProjected (a volume that contains injected data from multiple sources)"]
        for src in (v["projected"] or {}).get("sources") or []:
            if src.get("secret") is not None:
                out += [f"SecretName:\t{src['secret'].get('name', '')}", f"Optional:\t{_b(src['secret'].get('optional'))}"]
            elif src.get("downwardAPI") is not None:
                out.append("DownwardAPI:\ttrue")
            elif src.get("configMap") is not None:
                out += [f"ConfigMapName:\t{src['configMap'].get('name', '')}",
                        f"Optional:\t{_b(src['configMap'].get('optional'))}"]
            elif src.get("serviceAccountToken") is not None:
                out.append(f"TokenExpirationSeconds:\t{src['serviceAccountToken'].get('expirationSeconds', 3600)}")
        return out
    if "csi" in v:
        c = v["csi"] or {}
        return ["Type:\tCSI (a Container Storage Interface (CSI) volume source)", f"Driver:\t{c.get('driver', '')}",
                f"FSType:\t{c.get('fsType', '')}", f"ReadOnly:\t{_b(c.get('readOnly'))}"]
    return []


def _term(w: W, level: int, i: int, exprs: list[tuple]) -> None:
    """print(NodeSelector|Topology)TermsMultilineWithIndent: `Term i:  key op [values]`, one per line."""
    if not exprs:
        w.w(level, f"Term {i}:\t<none>\n")
    for j, (key, op, values) in enumerate(exprs):
        text = f"{key} {op}" + (f" [{', '.join(values)}]" if values else "")
        w.w(level, (f"Term {i}:\t" if j == 0 else "\t") + text + "\n")


def describe_volumes(w: W, volumes: list[dict], space: str = "") -> None:
    """describeVolumes: pods (space "") and pod templates (space "  ", names one space in)."""
    if not volumes:
        w.w(0, f"{space}Volumes:\t<none>\n")
        return
    w.w(0, f"{space}Volumes:\n")
    for v in volumes:
        w.w(1, f"{' ' if space else ''}{v.get('name')}:\n")
        lines = _source_lines(v)
        if not lines:
            w.w(1, "<unknown>\n")
        for line in lines:
            w.w(2, line + "\n")


def describe_pv(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    spec, st = d.get("spec") or {}, d.get("status") or {}
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    w.w(0, f"Finalizers:\t[{' '.join(md.get('finalizers') or [])}]\n")
    w.w(0, f"StorageClass:\t{spec.get('storageClassName', '')}\n")
    status = _terminating(md, ctx.cluster.now) if md.get("deletionTimestamp") else st.get("phase", "")
    w.w(0, f"Status:\t{status}\n")
    ref = spec.get("claimRef")
    w.w(0, f"Claim:\t{ref.get('namespace', '') + '/' + ref.get('name', '') if ref else ''}\n")
    w.w(0, f"Reclaim Policy:\t{spec.get('persistentVolumeReclaimPolicy', '')}\n")
    w.w(0, f"Access Modes:\t{storage.access_modes_string(spec.get('accessModes'))}\n")
    if spec.get("volumeMode"):
        w.w(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    w.w(0, f"Capacity:\t{(spec.get('capacity') or {}).get('storage', '0')}\n")
    terms = storage.node_terms_of(spec)
    if not spec.get("nodeAffinity") or not (spec["nodeAffinity"] or {}).get("required"):
        w.w(0, "Node Affinity:\t<none>\n")
    else:
        w.w(0, "Node Affinity:\t\n")
        w.w(1, "Required Terms:\t" + ("<none>\n" if not terms else "\n"))
        for i, term in enumerate(terms):
            _term(w, 2, i, [(e.get("key"), str(e.get("operator", "")).lower(), e.get("values"))
                            for e in term.get("matchExpressions") or []])
    w.w(0, f"Message:\t{st.get('message', '')}\n")
    w.w(0, "Source:\n")
    lines = _source_lines(spec)
    if "csi" in spec:
        attrs = (spec["csi"] or {}).get("volumeAttributes") or {}
        lines = [*lines[:3], f"VolumeHandle:\t{spec['csi'].get('volumeHandle', '')}", *lines[3:]]
        if not attrs:
            lines.append("VolumeAttributes:\t<none>")
        for n, (k, v) in enumerate(sorted(attrs.items())):
            lines.append(("VolumeAttributes:\t" if n == 0 else "\t") + f"{k}={v}")
    elif "local" in spec:
        lines = ["Type:\tLocalVolume (a persistent volume backed by local storage on a node)",
                 f"Path:\t{(spec['local'] or {}).get('path', '')}"]
    if not lines:
        w.w(1, "<unknown>\n")
    for line in lines:
        w.w(2, line + "\n")
    events_section(ctx, w, "PersistentVolume", "", md.get("name", ""))
    return w.text()


def describe_pvc(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    spec, st = d.get("spec") or {}, d.get("status") or {}
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"Namespace:\t{md.get('namespace')}\n")
    w.w(0, f"StorageClass:\t{storage.claim_class(it.obj)}\n")
    status = _terminating(md, ctx.cluster.now) if md.get("deletionTimestamp") else st.get("phase", "")
    w.w(0, f"Status:\t{status}\n")
    w.w(0, f"Volume:\t{spec.get('volumeName', '')}\n")
    w.multi(0, "Labels", _labels(md.get("labels")))
    w.multi(0, "Annotations", _annotations(md.get("annotations")))
    w.w(0, f"Finalizers:\t[{' '.join(md.get('finalizers') or [])}]\n")
    bound = bool(spec.get("volumeName"))
    w.w(0, f"Capacity:\t{(st.get('capacity') or {}).get('storage', '') if bound else ''}\n")
    w.w(0, f"Access Modes:\t{storage.access_modes_string(st.get('accessModes')) if bound else ''}\n")
    if spec.get("volumeMode"):
        w.w(0, f"VolumeMode:\t{spec['volumeMode']}\n")
    if spec.get("dataSource"):
        w.w(0, "DataSource:\n")
        if spec["dataSource"].get("apiGroup"):
            w.w(1, f"APIGroup:\t{spec['dataSource']['apiGroup']}\n")
        w.w(1, f"Kind:\t{spec['dataSource'].get('kind', '')}\n")
        w.w(1, f"Name:\t{spec['dataSource'].get('name', '')}\n")
    users = [p.name for p in ctx.cluster.volumes.users_of(md.get("namespace", ""), md.get("name", ""))]
    w.multi(0, "Used By", users)
    events_section(ctx, w, "PersistentVolumeClaim", md.get("namespace", ""), md.get("name", ""))
    return w.text()


def describe_storage_class(ctx: Ctx, it: Item) -> str:
    d, md = it.d, it.d.get("metadata") or {}
    w = W()
    w.w(0, f"Name:\t{md.get('name')}\n")
    w.w(0, f"IsDefaultClass:\t{'Yes' if storage.is_default_class(it.obj) else 'No'}\n")
    w.w(0, f"Annotations:\t{_format_labels(md.get('annotations'))}\n")
    w.w(0, f"Provisioner:\t{d.get('provisioner', '')}\n")
    w.w(0, f"Parameters:\t{_format_labels(d.get('parameters'))}\n")
    expand = d.get("allowVolumeExpansion")
    w.w(0, f"AllowVolumeExpansion:\t{'<unset>' if expand is None else ('True' if expand else 'False')}\n")
    if not d.get("mountOptions"):
        w.w(0, "MountOptions:\t<none>\n")
    else:
        w.w(0, "MountOptions:\n")
        for o in d["mountOptions"]:
            w.w(1, f"{o}\n")
    if d.get("reclaimPolicy"):
        w.w(0, f"ReclaimPolicy:\t{d['reclaimPolicy']}\n")
    if d.get("volumeBindingMode"):
        w.w(0, f"VolumeBindingMode:\t{d['volumeBindingMode']}\n")
    if "allowedTopologies" in d:
        topologies = d.get("allowedTopologies") or []
        w.w(0, "AllowedTopologies:\t" + ("<none>\n" if not topologies else "\n"))
        for i, t in enumerate(topologies):
            _term(w, 1, i, [(r.get("key"), "in", r.get("values")) for r in t.get("matchLabelExpressions") or []])
    events_section(ctx, w, "StorageClass", "", md.get("name", ""))
    return w.text()


DESCRIBERS.update({"PersistentVolume": describe_pv, "PersistentVolumeClaim": describe_pvc,
                   "StorageClass": describe_storage_class})
