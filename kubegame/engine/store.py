"""The API server and etcd: typed object maps, indexes, resource versions and watches.

Controllers never scan the store; they subscribe to a kind and keep their own work
queues, as informers do in kube-controller-manager.
"""

from __future__ import annotations

from collections.abc import Callable

from kubegame.engine.errors import unavailable
from kubegame.engine.objects import KObject, Node, Pod

Handler = Callable[[str, KObject], None]   # (ADDED | MODIFIED | DELETED, object)


class Store:
    def __init__(self) -> None:
        self.objects: dict[str, dict[tuple[str, str], KObject]] = {}
        self.resource_version = 0
        self.handlers: dict[str, list[Handler]] = {}
        self.owned_handlers: dict[tuple[str, str], list[Handler]] = {}   # (kind, controller kind)
        self.pods_by_node: dict[str, dict[tuple[str, str], Pod]] = {}
        self.by_owner: dict[str, dict[tuple[str, str, str], KObject]] = {}
        self.quorum = True          # etcd has quorum: writes succeed
        # bumped whenever a node or a pod bound to it changes: lets a UI redraw only changed nodes
        self.node_versions: dict[str, int] = {}
        self.tick = 0

    # -- reads -----------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> KObject | None:
        return self.objects.get(kind, {}).get((namespace, name))

    def list(self, kind: str, namespace: str | None = None) -> list[KObject]:
        """Objects of a kind, sorted by namespace and name as the API server lists them."""
        objs = self.objects.get(kind, {})
        if namespace is None:
            return [objs[k] for k in sorted(objs)]
        return [objs[k] for k in sorted(objs) if k[0] == namespace]

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
            node = obj.node_name  # type: ignore[attr-defined]
            if node:
                self.node_versions[node] = self.node_versions.get(node, 0) + 1
        elif kind == "Node":
            self.node_versions[obj.name] = self.node_versions.get(obj.name, 0) + 1
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
        if not status_only and isinstance(obj, Pod):
            obj.template_key = None          # its spec may differ from its template's now
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

    def bind(self, pod: Pod, node_name: str) -> None:
        """Set a pod's node and move it in the by-node index."""
        old = self.pods_by_node.get(pod.node_name)
        if old is not None:
            old.pop(pod.key, None)
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
        if isinstance(obj, Pod) and obj.node_name:
            self.pods_by_node.setdefault(obj.node_name, {})[obj.key] = obj
        self._index_owner(obj)

    def _unindex(self, obj: KObject) -> None:
        if isinstance(obj, Pod) and obj.node_name:
            self.pods_by_node.get(obj.node_name, {}).pop(obj.key, None)
        self._unindex_owner(obj)

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
