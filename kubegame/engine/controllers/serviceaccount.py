"""The service accounts controller and the root CA publisher: what every namespace holds.

pkg/controller/serviceaccount/serviceaccounts_controller.go keeps a ServiceAccount named
`default` in every active namespace (made again when deleted); pkg/controller/certificates/
rootcacertpublisher keeps the ConfigMap `kube-root-ca.crt` with the cluster CA that pods use to
trust the API server. Both act on the namespace's creation at once (the API server's pod admission
then finds `default`), and on a deletion at the next tick.
"""

from __future__ import annotations

from kubegame.engine.controllers.base import Controller
from kubegame.engine.errors import ApiError
from kubegame.engine.objects import KObject

ROOT_CA_NAME = "kube-root-ca.crt"
ROOT_CA_DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal "
                       "endpoints such as the internal service IP or kubernetes.default.svc. No other usage is "
                       "guaranteed across distributions of Kubernetes clusters.")
# the simulated cluster's CA (not a real key: the game has no TLS); the same in every cluster
ROOT_CA_PEM = ("-----BEGIN CERTIFICATE-----\n"
               "MIIDBTCCAe2gAwIBAgIIa3ViZWdhbWUwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\n"
               "AxMKa3ViZXJuZXRlczAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEwMDAwMDBaMBUx\n"
               "EzARBgNVBAMTCmt1YmVybmV0ZXMwggEiMA0GCSqGSIb3DQEBAQUAA4IBDwAwggEK\n"
               "-----END CERTIFICATE-----\n")


class ServiceAccountController(Controller):
    name = "serviceaccount-controller"

    def __init__(self, cluster):
        super().__init__(cluster)
        self.store.subscribe("ServiceAccount", self._on_child)
        self.store.subscribe("ConfigMap", self._on_child)

    def _on_child(self, event: str, obj: KObject) -> None:
        if event == "DELETED" and obj.name in ("default", ROOT_CA_NAME):
            self.enqueue(("", obj.namespace))

    def ensure(self, namespace: str) -> None:
        """Create what a namespace must hold (unless it is being deleted)."""
        ns = self.store.get("Namespace", "", namespace)
        if ns is None or ns.deletion_tick is not None or (ns.status or {}).get("phase") == "Terminating":
            return
        if self.store.get("ServiceAccount", namespace, "default") is None:
            self.cluster.create({"apiVersion": "v1", "kind": "ServiceAccount",
                                 "metadata": {"name": "default", "namespace": namespace}}, system=True)
        if self.store.get("ConfigMap", namespace, ROOT_CA_NAME) is None:
            self.cluster.create({"apiVersion": "v1", "kind": "ConfigMap",
                                 "metadata": {"name": ROOT_CA_NAME, "namespace": namespace,
                                              "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
                                 "data": {"ca.crt": ROOT_CA_PEM}}, system=True)

    def sync(self) -> None:
        if not self.queue:
            return
        for _, namespace in self.take():
            try:
                self.ensure(namespace)
            except ApiError:
                self.enqueue(("", namespace))      # no quorum: next tick
