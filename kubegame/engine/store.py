"""The API server and etcd: typed object maps, indexes, resource versions and watches.

Controllers never scan the store; they subscribe to a kind and keep their own work
queues, as informers do in kube-controller-manager. Pods are indexed by node, by owner,
by namespace and by label (the indexers of client-go's cache), so a selector finds its
pods from the smallest bucket its labels name instead of a pass over the namespace.
"""

from __future__ import annotations

from collections.abc import Callable

from kubegame.engine.errors import unavailable
from kubegame.engine.objects import KObject, Node, Pod
from kubegame.engine.validation import selector_matches

Handler = Callable[[str, KObject], None]   # (ADDED | MODIFIED | DELETED, object)


class Store:
    def __init__(self) -> None:
        self.objects: dict[str, dict[tuple[str, str], KObject]] = {}
        self.resource_version = 0
        self.handlers: dict[str, list[Handler]] = {}
        self.owned_handlers: dict[tuple[str, str], list[Handler]] = {}   # (kind, controller kind)
        self.pods_by_node: dict[str, dict[tuple[str, str], Pod]] = {}
        self.by_owner: dict[str, dict[tuple[str, str, str], KObject]] = {}
        self.pods_by_namespace: dict[str, dict[tuple[str, str], Pod]] = {}
        self.pods_by_label: dict[tuple[str, str, str], dict[tuple[str, str], Pod]] = {}  # (ns, key, value)
        self.pod_labels: dict[tuple[str, str], dict[str, str]] = {}   # the labels each pod is indexed under
        self.quorum = True          # etcd has quorum: writes succeed
        # bumped whenever a node or a pod bound to it changes: lets a UI redraw only changed nodes
        self.node_versions: dict[str, int] = {}
        # bumped on every write to any pod or node (and a node's death or return): a figure
        # computed from pods and nodes (an HPA's metric) holds while these stand still
        self.pod_writes = 0
        self.node_writes = 0
        # per (namespace, label, value): bumped on every write to a pod carrying (or dropping) it
        self.label_versions: dict[tuple[str, str, str], int] = {}
        self.tick = 0

    # -- reads -----------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> KObject | None:
        return self.objects.get(kind, {}).get((namespace, name))

    def list(self, kind: str, namespace: str | None = None) -> list[KObject]:
        """Objects of a kind, sorted by namespace and name as the API server lists them."""
        objs = self.objects.get(kind, {})
        if kind == "Pod" and namespace is not None:
            objs = self.pods_by_namespace.get(namespace, {})   # type: ignore[assignment]
            return [objs[k] for k in sorted(objs)]
        if namespace is None:
            return [objs[k] for k in sorted(objs)]
        return [objs[k] for k in sorted(objs) if k[0] == namespace]

    def pods_selected(self, namespace: str, selector: dict | None) -> list[Pod]:
        """The pods of a namespace a metav1.LabelSelector selects, sorted by name (a nil selector
        selects nothing, an empty one everything), found from the label index."""
        if selector is None:
            return []
        bucket: dict[tuple[str, str], Pod] | None = None
        pairs = selector.get("matchLabels") or {}
        for k, v in pairs.items():
            if not isinstance(v, str):
                continue                   # not a label value: selector_matches below decides
            b = self.pods_by_label.get((namespace, k, v))
            if not b:
                return []
            if bucket is None or len(b) < len(bucket):
                bucket = b
        exprs = selector.get("matchExpressions")
        if bucket is None:
            for expr in exprs or []:
                if expr.get("operator") == "In" and all(isinstance(v, str) for v in expr.get("values") or []):
                    bucket = {}
                    for v in expr.get("values") or []:
                        bucket.update(self.pods_by_label.get((namespace, expr.get("key"), v), {}))
                    break
        if bucket is None:
            bucket = self.pods_by_namespace.get(namespace, {})
        elif len(pairs) == 1 and not exprs:
            return [bucket[k] for k in sorted(bucket)]      # the one pair's bucket is the answer
        return [bucket[k] for k in sorted(bucket) if selector_matches(selector, bucket[k].labels)]

    def any(self, kind: str) -> bool:
        """Whether any object of a kind exists (cheap: no listing)."""
        return bool(self.objects.get(kind))

    def count(self, kind: str) -> int:
        return len(self.objects.get(kind, {}))

    def pods_on(self, node: str) -> dict[tuple[str, str], Pod]:
        return self.pods_by_node.get(node, {})

    def owned_by(self, uid: str) -> list[KObject]:
        return list(self.by_owner.get(uid, {}).values())

    def nodes(self) -> list[Node]:
        return list(self.objects.get("Node", {}).values())  # type: ignore[arg-type]

    # -- watches ---------------------------------------------------------------------------
    def subscribe(self, kind: str, handler: Handler, controller_kind: str = "") -> None:
        """Watch a kind; with `controller_kind`, only objects whose controller is of that kind
        (what a workload controller's informer filters on: its own pods)."""
        if controller_kind:
            self.owned_handlers.setdefault((kind, controller_kind), []).append(handler)
        else:
            self.handlers.setdefault(kind, []).append(handler)

    def unsubscribe(self, kind: str, handler: Handler) -> None:
        """Stop a watch (a kubectl `get -w` that ended)."""
        hs = self.handlers.get(kind, [])
        if handler in hs:
            hs.remove(handler)

    def _notify(self, event: str, obj: KObject) -> None:
        kind = obj.kind
        if kind == "Pod":
            self.pod_writes += 1
            self._bump_labels(obj.namespace, obj.labels)
            node = obj.node_name  # type: ignore[attr-defined]
            if node:
                self.node_versions[node] = self.node_versions.get(node, 0) + 1
        elif kind == "Node":
            self.touch_node(obj.name)
        for h in self.handlers.get(kind, ()):
            h(event, obj)
        if obj.owner_references and self.owned_handlers:
            ref = obj.controller_ref()
            if ref is not None:
                for h in self.owned_handlers.get((kind, ref.get("kind", "")), ()):
                    h(event, obj)

    # -- writes ----------------------------------------------------------------------------
    def check_writable(self) -> None:
        if not self.quorum:
            raise unavailable()

    def add(self, obj: KObject) -> KObject:
        self.check_writable()
        self.resource_version += 1
        obj.resource_version = self.resource_version
        obj.creation_tick = self.tick
        self.objects.setdefault(obj.kind, {})[obj.key] = obj
        self._index(obj)
        self._notify("ADDED", obj)
        return obj

    def modified(self, obj: KObject, status_only: bool = False, by_kubelet: bool = False) -> None:
        """Record a change to an object already in the store and tell its watchers.

        `status_only` marks status updates (they do not bump `generation`); every write
        needs etcd quorum except a kubelet's report of its own pods and node (`by_kubelet`):
        the game's rule that running pods keep running while the control plane is down.
        """
        if not by_kubelet:
            self.check_writable()
        if isinstance(obj, Pod):
            if not status_only:
                obj.template_key = None      # its spec may differ from its template's now
            if self.pod_labels.get(obj.key) != obj.labels and self.objects.get("Pod", {}).get(obj.key) is obj:
                self._unindex_labels(obj)      # relabelled (a pod no longer stored is never indexed)
                self._index_labels(obj)
        self.resource_version += 1
        obj.resource_version = self.resource_version
        self._notify("MODIFIED", obj)

    def remove(self, obj: KObject, by_kubelet: bool = False) -> None:
        if not by_kubelet:
            self.check_writable()
        objs = self.objects.get(obj.kind, {})
        if objs.get(obj.key) is not obj:
            return
        del objs[obj.key]
        self._unindex(obj)
        self.resource_version += 1
        self._notify("DELETED", obj)

    def touch_node(self, name: str) -> None:
        """A node changed (a write, or the machine died or came back)."""
        self.node_writes += 1
        self.node_versions[name] = self.node_versions.get(name, 0) + 1

    def bind(self, pod: Pod, node_name: str) -> None:
        """Set a pod's node and move it in the by-node index."""
        old = self.pods_by_node.get(pod.node_name)
        if old is not None:
            old.pop(pod.key, None)
            self.touch_node(pod.node_name)
        self.pod_writes += 1
        self._bump_labels(pod.namespace, pod.labels)
        if node_name:
            self.touch_node(node_name)
        pod.node_name = node_name
        pod.spec["nodeName"] = node_name
        if node_name:
            self.pods_by_node.setdefault(node_name, {})[pod.key] = pod

    def set_owners(self, obj: KObject, refs: list[dict]) -> None:
        self._unindex_owner(obj)
        obj.owner_references = refs
        self._index_owner(obj)

    # -- indexes ---------------------------------------------------------------------------
    def _index(self, obj: KObject) -> None:
        if isinstance(obj, Pod):
            if obj.node_name:
                self.pods_by_node.setdefault(obj.node_name, {})[obj.key] = obj
            self.pods_by_namespace.setdefault(obj.namespace, {})[obj.key] = obj
            self._index_labels(obj)
        self._index_owner(obj)

    def _unindex(self, obj: KObject) -> None:
        if isinstance(obj, Pod):
            if obj.node_name:
                self.pods_by_node.get(obj.node_name, {}).pop(obj.key, None)
            in_ns = self.pods_by_namespace.get(obj.namespace)
            if in_ns is not None:
                in_ns.pop(obj.key, None)
                if not in_ns:
                    del self.pods_by_namespace[obj.namespace]
            self._unindex_labels(obj)
        self._unindex_owner(obj)

    def _index_labels(self, pod: Pod) -> None:
        labels = dict(pod.labels)
        self.pod_labels[pod.key] = labels
        ns = pod.namespace
        for k, v in labels.items():
            self.pods_by_label.setdefault((ns, k, v), {})[pod.key] = pod

    def _bump_labels(self, ns: str, labels: dict) -> None:
        versions = self.label_versions
        for item in labels.items():
            key = (ns, *item)
            versions[key] = versions.get(key, 0) + 1     # type: ignore[index]

    def _unindex_labels(self, pod: Pod) -> None:
        ns = pod.namespace
        old = self.pod_labels.pop(pod.key, {})
        self._bump_labels(ns, old)                  # a pod that leaves a label's set changes it
        for k, v in old.items():
            bucket = self.pods_by_label.get((ns, k, v))
            if bucket is not None:
                bucket.pop(pod.key, None)
                if not bucket:
                    del self.pods_by_label[(ns, k, v)]

    def _index_owner(self, obj: KObject) -> None:
        for ref in obj.owner_references:
            self.by_owner.setdefault(ref["uid"], {})[(obj.kind, obj.namespace, obj.name)] = obj

    def _unindex_owner(self, obj: KObject) -> None:
        for ref in obj.owner_references:
            owned = self.by_owner.get(ref["uid"])
            if owned is not None:
                owned.pop((obj.kind, obj.namespace, obj.name), None)
                if not owned:
                    del self.by_owner[ref["uid"]]


class SelectorIndex:
    """Objects that hold a label selector (PodDisruptionBudgets, ...), found from a pod's labels:
    each selector is filed under one of its matchLabels pairs (the least, sorted), so a pod only
    tries the selectors that name one of its labels, and those without one."""

    def __init__(self) -> None:
        self.selectors: dict[tuple[str, str], tuple[tuple[str, str, str] | None, dict]] = {}
        self.by_label: dict[tuple[str, str, str], dict[tuple[str, str], bool]] = {}
        self.general: dict[str, dict[tuple[str, str], bool]] = {}    # namespace -> selectors without a pair

    def put(self, key: tuple[str, str], selector: dict | None) -> None:
        """File (or re-file) the object `key` = (namespace, name) under its selector (None: under nothing)."""
        self.drop(key)
        if selector is None:
            return
        pairs = [(k, v) for k, v in (selector.get("matchLabels") or {}).items()
                 if isinstance(k, str) and isinstance(v, str)]
        slot = (key[0], *min(pairs)) if pairs else None
        self.selectors[key] = (slot, selector)   # type: ignore[assignment]
        if slot is None:
            self.general.setdefault(key[0], {})[key] = True
        else:
            self.by_label.setdefault(slot, {})[key] = True   # type: ignore[arg-type]

    def drop(self, key: tuple[str, str]) -> None:
        entry = self.selectors.pop(key, None)
        if entry is None:
            return
        slot = entry[0]
        group = self.general.get(key[0]) if slot is None else self.by_label.get(slot)
        if group is not None:
            group.pop(key, None)
            if not group:
                if slot is None:
                    del self.general[key[0]]
                else:
                    del self.by_label[slot]

    def matching(self, namespace: str, labels: dict[str, str]) -> list[tuple[str, str]]:
        """The keys of the objects in `namespace` whose selector matches `labels`, sorted."""
        found = list(self.general.get(namespace, ()))
        if self.by_label:
            for k, v in labels.items():
                found.extend(self.by_label.get((namespace, k, v), ()))
        return sorted(key for key in found if selector_matches(self.selectors[key][1], labels))
