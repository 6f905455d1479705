"""The API resources the simulated API server serves (what `kubectl api-resources` lists)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    kind: str
    plural: str
    singular: str
    group: str          # "" for the core group
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps`, `pods`: how API errors name the resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def kind_group(self) -> str:
        """`Deployment.apps`, `Pod`: how validation errors name the kind."""
        return f"{self.kind}.{self.group}" if self.group else self.kind


RESOURCES: tuple[Resource, ...] = (
    Resource("Namespace", "namespaces", "namespace", "", "v1", False, ("ns",)),
    Resource("Node", "nodes", "node", "", "v1", False, ("no",)),
    Resource("Pod", "pods", "pod", "", "v1", True, ("po",)),
    Resource("Service", "services", "service", "", "v1", True, ("svc",)),
    Resource("Endpoints", "endpoints", "endpoints", "", "v1", True, ("ep",)),
    Resource("Event", "events", "event", "", "v1", True, ("ev",)),
    Resource("ConfigMap", "configmaps", "configmap", "", "v1", True, ("cm",)),
    Resource("Secret", "secrets", "secret", "", "v1", True, ()),
    Resource("ServiceAccount", "serviceaccounts", "serviceaccount", "", "v1", True, ("sa",)),
    Resource("ResourceQuota", "resourcequotas", "resourcequota", "", "v1", True, ("quota",)),
    Resource("LimitRange", "limitranges", "limitrange", "", "v1", True, ("limits",)),
    Resource("PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", "", "v1", True, ("pvc",)),
    Resource("PersistentVolume", "persistentvolumes", "persistentvolume", "", "v1", False, ("pv",)),
    Resource("Deployment", "deployments", "deployment", "apps", "v1", True, ("deploy",)),
    Resource("ReplicaSet", "replicasets", "replicaset", "apps", "v1", True, ("rs",)),
    Resource("DaemonSet", "daemonsets", "daemonset", "apps", "v1", True, ("ds",)),
    Resource("StatefulSet", "statefulsets", "statefulset", "apps", "v1", True, ("sts",)),
    Resource("ControllerRevision", "controllerrevisions", "controllerrevision", "apps", "v1", True, ()),
    Resource("CronJob", "cronjobs", "cronjob", "batch", "v1", True, ("cj",)),
    Resource("Job", "jobs", "job", "batch", "v1", True, ()),
    Resource("HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler",
             "autoscaling", "v2", True, ("hpa",)),
    Resource("PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", "policy", "v1", True, ("pdb",)),
    Resource("Ingress", "ingresses", "ingress", "networking.k8s.io", "v1", True, ("ing",)),
    Resource("NetworkPolicy", "networkpolicies", "networkpolicy", "networking.k8s.io", "v1", True, ("netpol",)),
    Resource("ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", "rbac.authorization.k8s.io", "v1",
             False, ()),
    Resource("ClusterRole", "clusterroles", "clusterrole", "rbac.authorization.k8s.io", "v1", False, ()),
    Resource("RoleBinding", "rolebindings", "rolebinding", "rbac.authorization.k8s.io", "v1", True, ()),
    Resource("Role", "roles", "role", "rbac.authorization.k8s.io", "v1", True, ()),
    Resource("PriorityClass", "priorityclasses", "priorityclass", "scheduling.k8s.io", "v1", False, ("pc",)),
    Resource("StorageClass", "storageclasses", "storageclass", "storage.k8s.io", "v1", False, ("sc",)),
)

BY_KIND: dict[str, Resource] = {r.kind: r for r in RESOURCES}

# resources that are served but never stored: the review APIs behind `auth can-i` / `auth whoami`
# (create only), node Leases and EndpointSlices (views of Nodes and Endpoints: engine/apiviews.py)
# and metrics-server's metrics.k8s.io (get and list, `kubectl top`):
# (plural, group, version, namespaced, kind, verbs)
API_ONLY: tuple[tuple[str, str, str, bool, str, tuple[str, ...]], ...] = (
    ("selfsubjectreviews", "authentication.k8s.io", "v1", False, "SelfSubjectReview", ("create",)),
    ("tokenreviews", "authentication.k8s.io", "v1", False, "TokenReview", ("create",)),
    ("localsubjectaccessreviews", "authorization.k8s.io", "v1", True, "LocalSubjectAccessReview", ("create",)),
    ("selfsubjectaccessreviews", "authorization.k8s.io", "v1", False, "SelfSubjectAccessReview", ("create",)),
    ("selfsubjectrulesreviews", "authorization.k8s.io", "v1", False, "SelfSubjectRulesReview", ("create",)),
    ("subjectaccessreviews", "authorization.k8s.io", "v1", False, "SubjectAccessReview", ("create",)),
    ("leases", "coordination.k8s.io", "v1", True, "Lease", ("get", "list")),
    ("endpointslices", "discovery.k8s.io", "v1", True, "EndpointSlice", ("get", "list")),
    ("nodes", "metrics.k8s.io", "v1beta1", False, "NodeMetrics", ("get", "list")),
    ("pods", "metrics.k8s.io", "v1beta1", True, "PodMetrics", ("get", "list")),
)
# pkg/registry/*/storage: the kinds whose REST storage lists the "all" category
ALL_CATEGORY = frozenset({"Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet",
                          "HorizontalPodAutoscaler", "CronJob", "Job"})

# kinds whose body has top-level fields (data, rules, subjects, roleRef) instead of a spec
NO_SPEC = frozenset({"PriorityClass", "ConfigMap", "Secret", "Event", "Endpoints", "ServiceAccount", "Role", "ClusterRole",
                     "RoleBinding", "ClusterRoleBinding", "StorageClass"})
# kinds whose registry strategy does not track metadata.generation
NO_GENERATION = frozenset({"Pod", "Node", "Namespace", "Event", "Endpoints", "ConfigMap", "Secret",
                           "ServiceAccount", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
                           "ResourceQuota", "LimitRange", "PersistentVolume", "PersistentVolumeClaim",
                           "StorageClass"})

# apiVersions the server accepts per kind (beyond the preferred one)
ACCEPTED_API_VERSIONS: dict[str, tuple[str, ...]] = {
    "HorizontalPodAutoscaler": ("autoscaling/v2", "autoscaling/v1"),
}


def lookup(word: str) -> Resource | None:
    """Resolve what a user typed (pod, pods, po, Pod, deployments.apps) to a resource."""
    w = word.lower()
    for r in RESOURCES:
        if w in (r.plural, r.singular, r.kind.lower(), r.qualified) or w in r.short_names:
            return r
        if r.group and w in (f"{r.singular}.{r.group}", f"{r.kind.lower()}.{r.group}"):
            return r
    return None
