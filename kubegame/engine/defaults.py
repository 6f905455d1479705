"""API server defaulting: the fields Kubernetes fills in when an object is created.

Sources: pkg/apis/core/v1/defaults.go, pkg/apis/apps/v1/defaults.go,
pkg/apis/batch/v1/defaults.go and the DefaultTolerationSeconds admission plugin.
"""

from __future__ import annotations

from typing import Any


def _image_pull_policy(image: str) -> str:
    """Always for `:latest` or an untagged image, IfNotPresent otherwise."""
    name = image.rsplit("/", 1)[-1]
    if "@" in name:
        return "IfNotPresent"
    if ":" not in name or name.endswith(":latest"):
        return "Always"
    return "IfNotPresent"


PROBE_FIELDS = ("livenessProbe", "readinessProbe", "startupProbe")


def default_probe(p: dict) -> None:
    """pkg/apis/core/v1/defaults.go SetDefaults_Probe (and the HTTPGet path and scheme)."""
    p.setdefault("timeoutSeconds", 1)
    p.setdefault("periodSeconds", 10)
    p.setdefault("successThreshold", 1)
    p.setdefault("failureThreshold", 3)
    h = p.get("httpGet")
    if isinstance(h, dict):
        h.setdefault("path", "/")
        h.setdefault("scheme", "HTTP")
    g = p.get("grpc")
    if isinstance(g, dict):
        g.setdefault("service", "")


def default_container(c: dict) -> None:
    c.setdefault("imagePullPolicy", _image_pull_policy(str(c.get("image", ""))))
    for f in PROBE_FIELDS:
        if isinstance(c.get(f), dict):
            default_probe(c[f])
    pre = ((c.get("lifecycle") or {}).get("preStop") or {}) if isinstance(c.get("lifecycle"), dict) else {}
    if isinstance(pre.get("httpGet"), dict):
        pre["httpGet"].setdefault("path", "/")
        pre["httpGet"].setdefault("scheme", "HTTP")
    c.setdefault("resources", {})
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    for p in c.get("ports") or []:
        if isinstance(p, dict):
            p.setdefault("protocol", "TCP")


def default_pod_spec(spec: dict, pod: bool = True) -> None:
    """pkg/apis/core/v1/defaults.go SetDefaults_PodSpec (every pod spec, templates too); with `pod`
    also what only a Pod gets: SetDefaults_Pod's enableServiceLinks, the ServiceAccount admission
    plugin's `default` account and the Priority plugin's priority and preemptionPolicy. The v1
    conversion mirrors serviceAccountName into the deprecated serviceAccount everywhere."""
    for c in spec.get("containers") or []:
        if isinstance(c, dict):
            default_container(c)
    for c in spec.get("initContainers") or []:
        if isinstance(c, dict):
            default_container(c)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    if pod:
        pod_only_defaults(spec)
    elif spec.get("serviceAccountName"):
        spec.setdefault("serviceAccount", spec["serviceAccountName"])


def pod_only_defaults(spec: dict) -> None:
    """What a Pod gets and its template does not: SetDefaults_Pod's enableServiceLinks, the
    ServiceAccount plugin's account, the Priority plugin's priority and preemptionPolicy."""
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
    spec.setdefault("priority", 0)
    spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
    spec.setdefault("serviceAccount", spec["serviceAccountName"])


def default_tolerations(spec: dict, seconds: int) -> None:
    """The DefaultTolerationSeconds admission plugin: tolerate not-ready/unreachable for 300 s."""
    tols = spec.setdefault("tolerations", [])
    have = {(t.get("key"), t.get("effect")) for t in tols if isinstance(t, dict)}
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if (key, "NoExecute") not in have and (key, None) not in have:
            tols.append({"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": seconds})


def default_template(tpl: dict) -> None:
    tpl.setdefault("metadata", {})
    spec = tpl.setdefault("spec", {})
    if isinstance(spec, dict):
        default_pod_spec(spec, pod=False)


def _rolling(spec: dict, surge: Any = "25%", unavailable: Any = "25%") -> None:
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        ru = strategy.setdefault("rollingUpdate", {})
        ru.setdefault("maxSurge", surge)
        ru.setdefault("maxUnavailable", unavailable)


def apply_defaults(kind: str, body: dict) -> None:
    """Fill in the defaults for one object body (mutates it)."""
    spec = body.get("spec")
    if kind == "Pod" and isinstance(spec, dict):
        default_pod_spec(spec)
    elif kind == "Deployment" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("progressDeadlineSeconds", 600)
        spec.setdefault("revisionHistoryLimit", 10)
        _rolling(spec)
        if isinstance(spec.get("template"), dict):
            default_template(spec["template"])
    elif kind == "ReplicaSet" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        if isinstance(spec.get("template"), dict):
            default_template(spec["template"])
    elif kind == "DaemonSet" and isinstance(spec, dict):
        spec.setdefault("revisionHistoryLimit", 10)
        us = spec.setdefault("updateStrategy", {})
        us.setdefault("type", "RollingUpdate")
        if us["type"] == "RollingUpdate":
            ru = us.setdefault("rollingUpdate", {})
            ru.setdefault("maxSurge", 0)
            ru.setdefault("maxUnavailable", 1)
        if isinstance(spec.get("template"), dict):
            default_template(spec["template"])
    elif kind == "StatefulSet" and isinstance(spec, dict):
        spec.setdefault("replicas", 1)
        spec.setdefault("podManagementPolicy", "OrderedReady")
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("persistentVolumeClaimRetentionPolicy",
                        {"whenDeleted": "Retain", "whenScaled": "Retain"})
        us = spec.setdefault("updateStrategy", {})
        us.setdefault("type", "RollingUpdate")
        if us["type"] == "RollingUpdate":
            us.setdefault("rollingUpdate", {"partition": 0})
        if isinstance(spec.get("template"), dict):
            default_template(spec["template"])
    elif kind == "Job" and isinstance(spec, dict):
        spec.setdefault("backoffLimit", 6)
        spec.setdefault("completionMode", "NonIndexed")
        if "completions" not in spec and "parallelism" not in spec:
            spec["completions"] = 1      # both unset: one pod, once (batch/v1 defaults)
        spec.setdefault("parallelism", 1)
        spec.setdefault("suspend", False)
        spec.setdefault("podReplacementPolicy", "TerminatingOrFailed")
        if isinstance(spec.get("template"), dict):
            default_template(spec["template"])
    elif kind == "Service" and isinstance(spec, dict):
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        for p in spec.get("ports") or []:
            if isinstance(p, dict):
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
        if spec["type"] == "LoadBalancer":
            spec.setdefault("allocateLoadBalancerNodePorts", True)
    elif kind == "HorizontalPodAutoscaler" and isinstance(spec, dict):
        spec.setdefault("minReplicas", 1)
        if "metrics" not in spec:
            spec["metrics"] = [{"type": "Resource", "resource": {
                "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    elif kind == "Secret":
        body.setdefault("type", "Opaque")
    elif kind == "Namespace":
        # the NamespaceDefaultLabelName (GA in 1.22): the API server sets it on every namespace
        md = body.get("metadata")
        if isinstance(md, dict) and isinstance(md.get("name"), str):
            labels = md.get("labels") if isinstance(md.get("labels"), dict) else {}
            md["labels"] = {**labels, "kubernetes.io/metadata.name": md["name"]}
    elif kind == "LimitRange":
        from kubegame.engine.limitranger import default_limit_range
        default_limit_range(body)
    elif kind == "CronJob" and isinstance(spec, dict):
        from kubegame.engine.validation_access import default
        default(kind, body)
        tpl = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template")
        if isinstance(tpl, dict):
            default_template(tpl)
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        from kubegame.engine.validation_access import default
        default(kind, body)
    elif kind in ("PersistentVolume", "PersistentVolumeClaim", "StorageClass"):
        from kubegame.engine import storage
        storage.apply_defaults(kind, body)
    elif kind == "NetworkPolicy":
        from kubegame.engine import networkpolicy
        networkpolicy.apply_defaults(body)
    elif kind == "Ingress" and isinstance(spec, dict):
        for rule in spec.get("rules") or []:
            for p in ((rule or {}).get("http") or {}).get("paths") or []:
                if isinstance(p, dict):
                    p.setdefault("pathType", "ImplementationSpecific")
