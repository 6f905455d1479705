"""Static pods: each kubelet runs the manifests in its node's /etc/kubernetes/manifests.

pkg/kubelet/config/file.go and pod/mirror_client.go: the kubelet reads the directory
(--file-check-frequency 20 s; here whenever a file there changes), runs each manifest
as a pod named `<name>-<node>` and posts a mirror pod to the API server so `kubectl get
pods -n kube-system` shows it, with the kubernetes.io/config.* annotations and the Node
as its owner. A manifest removed or changed stops its pod (a changed one starts again
from the new manifest); a mirror pod deleted through the API comes straight back; a file
that does not parse leaves the journal line `Could not process manifest file` and no pod.
Nothing of this goes through the scheduler, and it needs no controller-manager.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from kubegame.engine import system
from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import Pod, timestamp

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

MIRROR = "kubernetes.io/config.mirror"


class StaticPodController(Controller):
    name = "kubelet"
    needs_quorum = False
    component = None

    def __init__(self, cluster: Cluster):
        super().__init__(cluster)
        self.dirty: dict[str, bool] = {}            # nodes whose manifests (or mirror pods) changed
        self.running: dict[str, dict[str, str]] = {}   # node -> manifest path -> config hash it runs
        self.store.subscribe("Pod", self._on_pod)

    def _on_pod(self, event: str, pod: Pod) -> None:  # type: ignore[override]
        if event == "DELETED" and pod.annotations and MIRROR in pod.annotations and pod.node_name:
            self.dirty[pod.node_name] = True

    def host_changed(self, node: str) -> None:
        self.dirty[node] = True

    def sync(self) -> None:
        if not self.dirty:
            return
        nodes = list(self.dirty)
        self.dirty.clear()
        for name in nodes:
            node = self.cluster.node(name)
            host = self.cluster.hosts.get(name)
            if node is None or host is None:
                self.running.pop(name, None)
                continue
            if not node.alive or not self.cluster.kubelet_running(name):
                continue                           # read again when the kubelet starts
            self._sync_node(node, host)

    def _sync_node(self, node, host) -> None:
        want: dict[str, tuple[dict, str]] = {}
        prefix = system.MANIFESTS_DIR + "/"
        for path, text in host.files.items():
            if not path.startswith(prefix) or "/" in path[len(prefix):] or path.startswith(prefix + "."):
                continue
            if not path.endswith((".yaml", ".yml", ".json")):
                continue
            try:
                body = self.cluster.manifest_parser(text)
                if not isinstance(body, dict) or body.get("kind") != "Pod" or \
                        not isinstance(body.get("metadata"), dict) or not body["metadata"].get("name"):
                    raise ValueError("invalid pod: the manifest is not a Pod with a metadata.name")
            except ValueError as exc:
                if self.running.get(node.name, {}).get(path) != "!bad":
                    host.log(self.cluster.now, "kubelet", f'"Could not process manifest file" err="{exc}" '
                                                          f'path="{path}"')
                self.running.setdefault(node.name, {})[path] = "!bad"
                continue
            want[path] = (body, system.config_hash(body))
        have = self.running.setdefault(node.name, {})
        for path in list(have):
            if path in want and have[path] == want[path][1]:
                continue
            self._stop(node.name, path, have.pop(path))
        for path, (body, digest) in want.items():
            pod_name = f"{body['metadata']['name']}-{node.name}"
            ns = body["metadata"].get("namespace") or "default"
            if have.get(path) == digest and self.store.get("Pod", ns, pod_name) is not None:
                continue
            if self._start(node, body, digest):
                have[path] = digest

    def _start(self, node, body: dict, digest: str) -> bool:
        mirror = copy.deepcopy(body)
        md = mirror.setdefault("metadata", {})
        md["name"] = f"{md['name']}-{node.name}"
        md.setdefault("namespace", "default")
        md["annotations"] = {**(md.get("annotations") or {}), "kubernetes.io/config.hash": digest,
                             MIRROR: digest, "kubernetes.io/config.seen": timestamp(self.cluster.now),
                             "kubernetes.io/config.source": "file"}
        md["ownerReferences"] = [{"apiVersion": "v1", "controller": True, "kind": "Node", "name": node.name,
                                  "uid": node.uid}]
        spec = mirror.setdefault("spec", {})
        spec["nodeName"] = node.name
        spec.setdefault("tolerations", [{"effect": "NoExecute", "operator": "Exists"}])
        mirror.pop("status", None)
        existing = self.store.get("Pod", md["namespace"], md["name"])
        if existing is not None:
            self.cluster.remove_pod(existing, by_kubelet=True)
        try:
            self.cluster.create(mirror, system=True)
        except ApiError as exc:
            self.cluster.hosts[node.name].log(self.cluster.now, "kubelet",
                                              f'"Failed creating a mirror pod" err="{exc.message}" '
                                              f'pod="{md["namespace"]}/{md["name"]}"')
            self.dirty[node.name] = True
            return False
        return True

    def _stop(self, node: str, path: str, digest: str) -> None:
        """The manifest went (or changed): the kubelet kills the static pod and deletes its mirror."""
        for pod in list(self.store.pods_on(node).values()):
            if pod.annotations and pod.annotations.get(MIRROR) == digest:
                self.cluster.remove_pod(pod, by_kubelet=True)


def component_up(cluster: Cluster, component: str) -> bool:
    """Is at least one instance of a control-plane component running (the leader-elected
    ones fail over to another instance)? True in a cluster without kube-system installed."""
    if not cluster.system_installed:
        return True
    for name in cluster.controlplane.nodes:
        pod = cluster.store.get("Pod", "kube-system", f"{component}-{name}")
        if pod is None or not isinstance(pod, Pod):
            continue
        node = cluster.node(name)
        if node is not None and node.alive and pod.main.running and pod.main.started \
                and cluster.kubelet.app_running(pod):
            return True
    return False
