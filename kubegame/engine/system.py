"""kube-system as kubeadm (v1.37) installs it: control-plane nodes, their static pods, CoreDNS, kube-proxy.

Each etcd member of the level (LEVEL_FORMAT `controlPlane.etcdMembers`) is a control-plane
node in its zone (stacked etcd, kubeadm's default topology): it carries the
`node-role.kubernetes.io/control-plane` label and NoSchedule taint, and its kubelet runs
the static pods whose manifests sit in /etc/kubernetes/manifests (controllers/staticpods.py).
The manifests, the CoreDNS Deployment, ConfigMap and Service, and the kube-proxy DaemonSet
follow cmd/kubeadm/app/phases/controlplane/manifests.go, etcd/local.go and
addons/{dns,proxy}/manifests.go.

`install()` is what `kubeadm init` and `kubeadm join --control-plane` leave behind. A bare
`Cluster()` (engine tests) has none of it: its DNS answers without CoreDNS and every
control-plane component is taken to be running.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import TYPE_CHECKING, Any

from kubegame.engine.app import AppModel
from kubegame.engine.images import Image

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster, NodeSpec

K8S_VERSION = "v1.37.0"
ETCD_VERSION = "3.6.6-0"           # kubeadm's constants.DefaultEtcdVersion
COREDNS_VERSION = "v1.13.1"        # kubeadm's constants.CoreDNSVersion
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
EXCLUDE_LB_LABEL = "node.kubernetes.io/exclude-from-external-load-balancers"
CONTROL_PLANE_TAINT = {"effect": "NoSchedule", "key": CONTROL_PLANE_LABEL}
MANIFESTS_DIR = "/etc/kubernetes/manifests"
COMPONENTS = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")
CONTROL_PLANE_CPU = "2"            # kubeadm's preflight minimum (2 CPUs)
CONTROL_PLANE_MEMORY = "4Gi"
DNS_IP = "10.96.0.10"


def _image(ref: str, size_mb: float, listens: tuple[int, ...], http: dict[str, int], memory_mb: float,
           check: str = "") -> Image:
    name = ref.split("/", 1)[1]              # the registry resolves names without their host
    return Image(name, size_mb=size_mb, startup_ticks=2, capacity_rps=0,
                 app=AppModel(listens=listens, http=tuple(http.items()), memory_mb=memory_mb, check=check))


def image_ref(component: str) -> str:
    if component == "etcd":
        return f"registry.k8s.io/etcd:{ETCD_VERSION}"
    if component == "coredns":
        return f"registry.k8s.io/coredns/coredns:{COREDNS_VERSION}"
    return f"registry.k8s.io/{component}:{K8S_VERSION}"


_HEALTH = {"/healthz": 200, "/livez": 200, "/readyz": 200}
SYSTEM_IMAGES = (
    _image(image_ref("etcd"), 23, (2379, 2380, 2381), {"/health": 200, "/livez": 200, "/readyz": 200}, 60,
           check="etcd"),
    _image(image_ref("kube-apiserver"), 30, (6443,), _HEALTH, 250, check="component"),
    _image(image_ref("kube-controller-manager"), 28, (10257,), _HEALTH, 60, check="component"),
    _image(image_ref("kube-scheduler"), 20, (10259,), _HEALTH, 25, check="component"),
    _image(image_ref("kube-proxy"), 30, (10249, 10256), {"/healthz": 200, "/livez": 200, "/metrics": 200}, 20),
    _image(image_ref("coredns"), 22, (53, 8080, 8181, 9153), {"/health": 200, "/ready": 200, "/metrics": 200}, 20,
           check="coredns"),
)


# -- control-plane nodes ------------------------------------------------------------------------

def control_plane_names(n: int) -> list[str]:
    """`control-plane` for a single member, `control-plane-1` ... for several."""
    return ["control-plane"] if n == 1 else [f"control-plane-{i}" for i in range(1, n + 1)]


def control_plane_spec(name: str, zone: str) -> NodeSpec:
    from kubegame.engine.cluster import NodeSpec
    return NodeSpec(name, cpu=CONTROL_PLANE_CPU, memory=CONTROL_PLANE_MEMORY, zone=zone,
                    labels={CONTROL_PLANE_LABEL: "", EXCLUDE_LB_LABEL: ""}, taints=[dict(CONTROL_PLANE_TAINT)])


def is_control_plane(node: Any) -> bool:
    return CONTROL_PLANE_LABEL in node.labels


# -- static pod manifests (cmd/kubeadm/app/phases/controlplane/manifests.go, etcd/local.go) -----------

def _probe(path: str, port: int, *, delay: int = 10, failures: int = 8, period: int = 10,
           scheme: str = "HTTPS", host: str = "127.0.0.1") -> dict:
    probe: dict[str, Any] = {"failureThreshold": failures,
                             "httpGet": {"host": host, "path": path, "port": port, "scheme": scheme}}
    if delay:
        probe["initialDelaySeconds"] = delay
    probe["periodSeconds"] = period
    probe["timeoutSeconds"] = 15
    return probe


def _static_pod(component: str, command: list[str], requests: dict, probes: dict, mounts: list[dict],
                volumes: list[dict], annotations: dict | None = None) -> dict:
    container = {"command": command, "image": image_ref(component), "imagePullPolicy": "IfNotPresent",
                 **probes, "name": component, "resources": {"requests": requests}, "volumeMounts": mounts}
    meta: dict[str, Any] = {"labels": {"component": component, "tier": "control-plane"},
                            "name": component, "namespace": "kube-system"}
    if annotations:
        meta = {"annotations": annotations, **meta}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [container], "hostNetwork": True, "priority": 2000001000,
                     "priorityClassName": "system-node-critical",
                     "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "volumes": volumes},
            "status": {}}


def _host_volume(name: str, path: str, kind: str = "DirectoryOrCreate") -> dict:
    return {"hostPath": {"path": path, "type": kind}, "name": name}


def static_manifests(node: str, ip: str, members: list[tuple[str, str]]) -> dict[str, dict]:
    """The four manifests `kubeadm init`/`join --control-plane` writes on a control-plane node.
    `members`: (node name, ip) of every etcd member (the etcd --initial-cluster)."""
    certs = "/etc/kubernetes/pki"
    etcd_cluster = ",".join(f"{n}=https://{a}:2380" for n, a in members)
    etcd = _static_pod(
        "etcd",
        ["etcd", f"--advertise-client-urls=https://{ip}:2379", f"--cert-file={certs}/etcd/server.crt",
         "--client-cert-auth=true", "--data-dir=/var/lib/etcd", "--feature-gates=InitialCorruptCheck=true",
         f"--initial-advertise-peer-urls=https://{ip}:2380", f"--initial-cluster={etcd_cluster}",
         f"--key-file={certs}/etcd/server.key", f"--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379",
         "--listen-metrics-urls=http://127.0.0.1:2381", f"--listen-peer-urls=https://{ip}:2380",
         f"--name={node}", f"--peer-cert-file={certs}/etcd/peer.crt", "--peer-client-cert-auth=true",
         f"--peer-key-file={certs}/etcd/peer.key", f"--peer-trusted-ca-file={certs}/etcd/ca.crt",
         "--snapshot-count=10000", f"--trusted-ca-file={certs}/etcd/ca.crt", "--watch-progress-notify-interval=5s"],
        {"cpu": "100m", "memory": "100Mi"},
        {"livenessProbe": _probe("/livez", 2381, scheme="HTTP"),
         "startupProbe": _probe("/readyz", 2381, scheme="HTTP", failures=24)},
        [{"mountPath": "/var/lib/etcd", "name": "etcd-data"}, {"mountPath": f"{certs}/etcd", "name": "etcd-certs"}],
        [_host_volume("etcd-certs", f"{certs}/etcd"), _host_volume("etcd-data", "/var/lib/etcd")],
        {"kubeadm.kubernetes.io/etcd.advertise-client-urls": f"https://{ip}:2379"})
    apiserver = _static_pod(
        "kube-apiserver",
        ["kube-apiserver", f"--advertise-address={ip}", "--allow-privileged=true", "--authorization-mode=Node,RBAC",
         f"--client-ca-file={certs}/ca.crt", "--enable-admission-plugins=NodeRestriction",
         "--enable-bootstrap-token-auth=true", f"--etcd-cafile={certs}/etcd/ca.crt",
         f"--etcd-certfile={certs}/apiserver-etcd-client.crt", f"--etcd-keyfile={certs}/apiserver-etcd-client.key",
         "--etcd-servers=https://127.0.0.1:2379", f"--kubelet-client-certificate={certs}/apiserver-kubelet-client.crt",
         f"--kubelet-client-key={certs}/apiserver-kubelet-client.key",
         "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
         f"--proxy-client-cert-file={certs}/front-proxy-client.crt",
         f"--proxy-client-key-file={certs}/front-proxy-client.key",
         "--requestheader-allowed-names=front-proxy-client",
         f"--requestheader-client-ca-file={certs}/front-proxy-ca.crt",
         "--requestheader-extra-headers-prefix=X-Remote-Extra-", "--requestheader-group-headers=X-Remote-Group",
         "--requestheader-username-headers=X-Remote-User", "--secure-port=6443",
         "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
         f"--service-account-key-file={certs}/sa.pub", f"--service-account-signing-key-file={certs}/sa.key",
         "--service-cluster-ip-range=10.96.0.0/12", f"--tls-cert-file={certs}/apiserver.crt",
         f"--tls-private-key-file={certs}/apiserver.key"],
        {"cpu": "250m"},
        {"livenessProbe": _probe("/livez", 6443, host=ip),
         "readinessProbe": _probe("/readyz", 6443, host=ip, delay=0, failures=3, period=1),
         "startupProbe": _probe("/livez", 6443, host=ip, failures=24)},
        [{"mountPath": "/etc/ssl/certs", "name": "ca-certs", "readOnly": True},
         {"mountPath": certs, "name": "k8s-certs", "readOnly": True}],
        [_host_volume("ca-certs", "/etc/ssl/certs"), _host_volume("k8s-certs", certs)],
        {"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": f"{ip}:6443"})
    kcm = _static_pod(
        "kube-controller-manager",
        ["kube-controller-manager", "--allocate-node-cidrs=true",
         "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
         "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf", "--bind-address=127.0.0.1",
         f"--client-ca-file={certs}/ca.crt", "--cluster-cidr=10.244.0.0/16", "--cluster-name=kubernetes",
         f"--cluster-signing-cert-file={certs}/ca.crt", f"--cluster-signing-key-file={certs}/ca.key",
         "--controllers=*,bootstrapsigner,tokencleaner", "--kubeconfig=/etc/kubernetes/controller-manager.conf",
         "--leader-elect=true", f"--requestheader-client-ca-file={certs}/front-proxy-ca.crt",
         f"--root-ca-file={certs}/ca.crt", f"--service-account-private-key-file={certs}/sa.key",
         "--service-cluster-ip-range=10.96.0.0/12", "--use-service-account-credentials=true"],
        {"cpu": "200m"},
        {"livenessProbe": _probe("/healthz", 10257), "startupProbe": _probe("/healthz", 10257, failures=24)},
        [{"mountPath": certs, "name": "k8s-certs", "readOnly": True},
         {"mountPath": "/etc/kubernetes/controller-manager.conf", "name": "kubeconfig", "readOnly": True}],
        [_host_volume("k8s-certs", certs),
         _host_volume("kubeconfig", "/etc/kubernetes/controller-manager.conf", "FileOrCreate")])
    scheduler = _static_pod(
        "kube-scheduler",
        ["kube-scheduler", "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
         "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf", "--bind-address=127.0.0.1",
         "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true"],
        {"cpu": "100m"},
        {"livenessProbe": _probe("/livez", 10259),
         "readinessProbe": _probe("/readyz", 10259, delay=0, failures=3, period=1),
         "startupProbe": _probe("/livez", 10259, failures=24)},
        [{"mountPath": "/etc/kubernetes/scheduler.conf", "name": "kubeconfig", "readOnly": True}],
        [_host_volume("kubeconfig", "/etc/kubernetes/scheduler.conf", "FileOrCreate")])
    return {"etcd": etcd, "kube-apiserver": apiserver, "kube-controller-manager": kcm, "kube-scheduler": scheduler}


@functools.cache
def known_flags(component: str) -> frozenset[str]:
    """The flags a component accepts (those kubeadm writes plus the ones people commonly add);
    any other makes the binary exit with `Error: unknown flag: --X` (cobra/pflag's wording)."""
    base = {f.split("=", 1)[0] for f in static_manifests("n", "0.0.0.0", [("n", "0.0.0.0")])[component]
            ["spec"]["containers"][0]["command"][1:]}
    extra = {"--v", "--profiling", "--feature-gates", "--port", "--audit-log-path", "--audit-policy-file",
             "--audit-log-maxage", "--audit-log-maxbackup", "--audit-log-maxsize", "--enable-aggregator-routing",
             "--encryption-provider-config", "--node-monitor-grace-period", "--pod-eviction-timeout",
             "--concurrent-deployment-syncs", "--terminated-pod-gc-threshold", "--config", "--logtostderr",
             "--service-node-port-range", "--disable-admission-plugins", "--runtime-config", "--initial-cluster-state",
             "--quota-backend-bytes", "--heartbeat-interval", "--election-timeout", "--experimental-initial-corrupt-check"}
    return frozenset(base | extra)


def component_problem(component: str, spec: dict) -> str:
    """Why a control-plane binary exits at start (an unknown flag), or ""."""
    containers = spec.get("containers") or []
    if not containers:
        return ""
    argv = [str(a) for a in (containers[0].get("command") or []) + (containers[0].get("args") or [])]
    known = known_flags(component)
    for arg in argv[1:]:
        if arg.startswith("--") and arg.split("=", 1)[0] not in known:
            return f"Error: unknown flag: {arg.split('=', 1)[0]}"
    return ""


def config_hash(body: dict) -> str:
    """The kubelet's config.hash of a static pod (an md5 of the manifest, as hash.DeepHashObject)."""
    return hashlib.md5(json.dumps(body, sort_keys=True).encode()).hexdigest()


# -- CoreDNS (cmd/kubeadm/app/phases/addons/dns/manifests.go) ------------------------------------------

COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""

# plugin.cfg of CoreDNS: the directives a Corefile may use
COREDNS_PLUGINS = frozenset((
    "root metadata geoip cancel tls timeouts multisocket reload nsid bufsize bind debug trace ready health pprof "
    "prometheus errors log dnstap local dns64 acl any chaos loadbalance tsig cache rewrite header dnssec autopath "
    "minimal template transfer hosts route53 azure clouddns k8s_external kubernetes file auto secondary etcd loop "
    "forward grpc erratic whoami on sign view nomad").split())


def corefile_problem(text: str) -> str:
    """CoreDNS's (Caddy's) parse of a Corefile: `/etc/coredns/Corefile:N - Error during parsing: ...`."""
    depth = 0
    line_no = 0
    for line_no, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        if depth == 1 and words[0] not in ("{", "}"):
            name = words[0]
            if name not in COREDNS_PLUGINS:
                return f"/etc/coredns/Corefile:{line_no} - Error during parsing: Unknown directive '{name}'"
        depth += line.count("{") - line.count("}")
        if depth < 0:
            return f"/etc/coredns/Corefile:{line_no} - Error during parsing: Unexpected '}}' because no matching " \
                   "opening brace"
    if depth > 0:
        return f"/etc/coredns/Corefile:{line_no} - Error during parsing: Unexpected EOF"
    return ""


def corefile_plugins(text: str) -> set[str]:
    """The directives of the Corefile's server blocks (what the running server does)."""
    out: set[str] = set()
    depth = 0
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if depth == 1 and line.split()[0] not in ("{", "}"):
            out.add(line.split()[0])
        depth += line.count("{") - line.count("}")
    return out


def coredns_objects() -> list[dict]:
    labels = {"k8s-app": "kube-dns"}
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "coredns", "namespace": "kube-system"}}
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "system:coredns"},
            "rules": [{"apiGroups": [""], "resources": ["endpoints", "services", "pods", "namespaces"],
                       "verbs": ["list", "watch"]},
                      {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["list", "watch"]}]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
               "metadata": {"name": "system:coredns"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:coredns"},
               "subjects": [{"kind": "ServiceAccount", "name": "coredns", "namespace": "kube-system"}]}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "coredns", "namespace": "kube-system"},
          "data": {"Corefile": COREFILE}}
    container = {
        "name": "coredns", "image": image_ref("coredns"), "imagePullPolicy": "IfNotPresent",
        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
        "args": ["-conf", "/etc/coredns/Corefile"],
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": True}],
        "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                  {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                  {"containerPort": 9153, "name": "metrics", "protocol": "TCP"},
                  {"containerPort": 8080, "name": "liveness-probe", "protocol": "TCP"},
                  {"containerPort": 8181, "name": "readiness-probe", "protocol": "TCP"}],
        "livenessProbe": {"httpGet": {"path": "/health", "port": "liveness-probe", "scheme": "HTTP"},
                          "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1,
                          "failureThreshold": 5},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "readiness-probe", "scheme": "HTTP"}},
        "securityContext": {"allowPrivilegeEscalation": False,
                            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                            "readOnlyRootFilesystem": True},
    }
    deploy = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dict(labels)},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "selector": {"matchLabels": dict(labels)},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {
                "priorityClassName": "system-cluster-critical", "serviceAccountName": "coredns",
                "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 100, "podAffinityTerm": {
                        "labelSelector": {"matchExpressions": [
                            {"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                        "topologyKey": "kubernetes.io/hostname"}}]}},
                "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                {"key": CONTROL_PLANE_LABEL, "effect": "NoSchedule"}],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "containers": [container],
                "dnsPolicy": "Default",
                "volumes": [{"name": "config-volume", "configMap": {
                    "name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}]}}}}
    svc = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kube-dns", "namespace": "kube-system",
                     "labels": {"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                "kubernetes.io/name": "CoreDNS"},
                     "annotations": {"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}},
        "spec": {"clusterIP": DNS_IP, "ports": [
            {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
            {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
            {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}],
            "selector": dict(labels)}}
    return [sa, role, binding, cm, deploy, svc]


# -- kube-proxy (cmd/kubeadm/app/phases/addons/proxy/manifests.go) ---------------------------------------

def kube_proxy_objects() -> list[dict]:
    labels = {"k8s-app": "kube-proxy"}
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "kube-proxy", "namespace": "kube-system"}}
    cm = {"apiVersion": "v1", "kind": "ConfigMap",
          "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": {"app": "kube-proxy"}},
          "data": {"config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"
                                  "clusterCIDR: 10.244.0.0/16\nmode: iptables\n",
                   "kubeconfig.conf": "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: "
                                      "https://control-plane:6443\n  name: default\n"}}
    ds = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": dict(labels)},
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {
                "priorityClassName": "system-node-critical",
                "containers": [{
                    "name": "kube-proxy", "image": image_ref("kube-proxy"), "imagePullPolicy": "IfNotPresent",
                    "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                "--hostname-override=$(NODE_NAME)"],
                    "securityContext": {"privileged": True},
                    "volumeMounts": [{"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                                     {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                                     {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": True}],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]}],
                "hostNetwork": True,
                "serviceAccountName": "kube-proxy",
                "volumes": [{"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                            {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                            {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}],
                "tolerations": [{"operator": "Exists"}],
                "nodeSelector": {"kubernetes.io/os": "linux"}}}}}
    return [sa, cm, ds]


# -- installing ----------------------------------------------------------------------------------------

def _provision(cluster: Cluster, node: Any, members: list[tuple[str, str]]) -> None:
    """What kubeadm leaves on a control-plane machine: the system images pulled (its preflight)
    and the four static pod manifests, which the node's kubelet then runs."""
    from kubegame.engine.host import Host
    for img in SYSTEM_IMAGES:
        for layer in img.all_layers():
            node.layers[layer] = True
    host = cluster.hosts.setdefault(node.name, Host.for_node(node.name))
    for component, body in static_manifests(node.name, node.internal_ip, members).items():
        host.files[f"{MANIFESTS_DIR}/{component}.yaml"] = cluster.render_manifest(body)
    cluster.static_pods.host_changed(node.name)


def install(cluster: Cluster, zones: list[str]) -> None:
    """`kubeadm init` (and `join --control-plane` for every further member): the control-plane
    nodes with their manifests, the etcd members, CoreDNS and kube-proxy."""
    for img in SYSTEM_IMAGES:
        cluster.registry.add(img)
    names = control_plane_names(len(zones))
    nodes = [cluster.add_node(control_plane_spec(name, zone)) for name, zone in zip(names, zones, strict=True)]
    members = [(n.name, n.internal_ip) for n in nodes]
    cluster.controlplane.configure(list(zones), nodes=[n.name for n in nodes])
    for node in nodes:
        _provision(cluster, node, members)
    cluster.system_installed = True
    for body in coredns_objects() + kube_proxy_objects():
        cluster.create(body, system=True)


def join_control_plane(cluster: Cluster, zone: str) -> str:
    """`kubeadm join --control-plane` in a zone (the game's `etcd add-member`): a new node with
    its static pods; the other members' manifests keep their --initial-cluster (as on a real
    cluster, where the flag matters only to a member's first start)."""
    taken = {n.name for n in cluster.nodes()}
    i = len(cluster.controlplane.nodes) + 1
    while f"control-plane-{i}" in taken:
        i += 1
    node = cluster.add_node(control_plane_spec(f"control-plane-{i}", zone))
    members = [(n, cluster.node(n).internal_ip) for n in cluster.controlplane.nodes if cluster.node(n) is not None]
    _provision(cluster, node, members + [(node.name, node.internal_ip)])
    return node.name


def members_changed(cluster: Cluster, members: list[Any]) -> None:
    """An etcd member failed: its etcd container exits (and fails again at every restart until
    the member recovers). A recovered member's pod is started again at once."""
    seen = cluster.member_health
    for m in members:
        if not m.node or seen.get(m.name) == m.healthy:
            continue
        seen[m.name] = m.healthy
        pod = cluster.store.get("Pod", "kube-system", f"etcd-{m.node}")
        if pod is None:
            continue
        if not m.healthy and pod.main.running:
            cluster.crash_pod(pod)
        elif m.healthy:
            cluster.kubelet.at(cluster.now, pod)


def _member_on(cluster: Cluster, node: str) -> Any:
    return next((m for m in cluster.controlplane.members if m.node == node), None)


def start_problem(cluster: Cluster, pod: Any, check: str) -> str:
    """Why a system container exits right after it starts (its log's last line), or "".
    The control plane's checks concern its static pods; the image run any other way just runs."""
    mirror = bool(pod.annotations) and "kubernetes.io/config.mirror" in pod.annotations
    if check in ("component", "etcd") and (not mirror or pod.labels.get("component") not in COMPONENTS):
        return ""
    if check == "component":
        return component_problem(pod.labels.get("component", ""), pod.spec)
    if check == "etcd":
        m = _member_on(cluster, pod.node_name)
        if m is None:
            return ('{"level":"fatal","msg":"discovery failed","error":"member has already been bootstrapped"}'
                    if pod.node_name in cluster.controlplane.nodes else
                    '{"level":"fatal","msg":"discovery failed","error":"error validating peerURLs: member count '
                    'is unequal"}')
        if not m.healthy:
            return ('{"level":"fatal","caller":"etcdmain/etcd.go:204","msg":"discovery failed","error":'
                    '"listen tcp: bind: cannot assign requested address: the member\'s data dir is unusable"}')
        return ""
    if check == "coredns":
        text = coredns_config(cluster, pod)
        if text is None:
            return "plugin/kubernetes: /etc/coredns/Corefile: no such file or directory"
        return corefile_problem(text)
    return ""


def coredns_config(cluster: Cluster, pod: Any) -> str | None:
    """The Corefile a CoreDNS pod reads (its ConfigMap volume), None when it has none."""
    from kubegame.engine.shell import Shell
    args = [str(a) for a in (pod.main.spec.get("args") or [])]
    path = args[args.index("-conf") + 1] if "-conf" in args and args.index("-conf") + 1 < len(args) else "Corefile"
    files = Shell(cluster, pod, pod.namespace, pod.name, pod.main.name).files()
    text = files.get(path)
    return text if isinstance(text, str) else None


def effective_app(cluster: Cluster, pod: Any, app: AppModel) -> AppModel:
    """What a CoreDNS server listens on follows its Corefile: `health` serves :8080/health,
    `ready` serves :8181/ready. Other images are as their app model says."""
    if app.check != "coredns":
        return app
    from dataclasses import replace
    plugins = corefile_plugins(coredns_config(cluster, pod) or "")
    cluster.dns.loaded[pod.key] = frozenset(plugins)
    listens = tuple(p for p in app.listens if (p != 8080 or "health" in plugins) and (p != 8181 or "ready" in plugins))
    return replace(app, listens=listens)


# -- what a level's events break ----------------------------------------------------------------------

BAD_FLAGS = {   # a typo in one flag, as a careless edit of the manifest leaves it
    "kube-scheduler": ("--leader-elect=true", "--leader-elekt=true"),
    "kube-controller-manager": ("--leader-elect=true", "--leader-elekt=true"),
    "kube-apiserver": ("--secure-port=6443", "--secure-prot=6443"),
    "etcd": ("--data-dir=/var/lib/etcd", "--data-dirr=/var/lib/etcd"),
}


def fail_component(cluster: Cluster, component: str, fault: str, node: str | None = None) -> list[str]:
    """ControlPlaneFailure: on one control-plane node (or every one), the component's static pod
    manifest is moved out of /etc/kubernetes/manifests (`manifestMoved`: the pod disappears) or
    gets a mistyped flag (`badFlag`: the container exits with `Error: unknown flag`). Returns the
    nodes changed."""
    done = []
    for name in [node] if node else list(cluster.controlplane.nodes):
        host = cluster.hosts.get(name)
        path = f"{MANIFESTS_DIR}/{component}.yaml"
        if host is None or path not in host.files:
            continue
        if fault == "manifestMoved":
            host.files[f"/etc/kubernetes/{component}.yaml"] = host.files.pop(path)
        else:
            good, bad = BAD_FLAGS[component]
            host.files[path] = host.files[path].replace(good, bad)
        cluster.static_pods.host_changed(name)
        done.append(name)
    return done


def fill_disk(cluster: Cluster, node: str, size_gb: float, path: str) -> None:
    """DiskFill: a file of `size_gb` appears on the node's root disk (a runaway log)."""
    host = cluster.host(node)
    host.files[path] = ""
    host.sizes[path] = float(size_gb)
    cluster.kubelet.disk.disk_changed(node)


def run_log(cluster: Cluster, pod: Any) -> list[str]:
    """What a system container prints as it starts (klog's and etcd's formats), then what it
    logged since (CoreDNS's reloads); the last line of a crash is why it exited."""
    img = cluster.registry.resolve(pod.main.image)
    comp = pod.labels.get("component") or pod.labels.get("k8s-app", "")
    lines: list[str] = []
    if comp == "kube-dns":
        digest = hashlib.sha512((coredns_config(cluster, pod) or "").encode()).hexdigest()
        lines = [".:53", f"[INFO] plugin/reload: Running configuration SHA512 = {digest}",
                 f"CoreDNS-{COREDNS_VERSION.lstrip('v')}", "linux/amd64, go1.24.6, 1db4568"]
        lines += [line for _t, line in cluster.dns.errors.get(pod.key, [])]
    elif comp == "etcd":
        lines = ['{"level":"info","msg":"starting an etcd server","etcd-version":"' + ETCD_VERSION.split("-")[0] + '"}',
                 '{"level":"info","msg":"serving client traffic securely","traffic":"grpc+http","address":'
                 '"127.0.0.1:2379"}']
    elif comp == "kube-proxy":
        lines = ['I0101 00:00:01.000000       1 server_linux.go:66] "Using iptables proxy"',
                 'I0101 00:00:01.000000       1 server.go:483] "Version info" version="' + K8S_VERSION + '"']
    elif comp:
        lines = [f'I0101 00:00:01.000000       1 server.go:167] "Starting {comp}" version="{K8S_VERSION}"']
        if comp != "kube-apiserver":
            lines.append(f'I0101 00:00:01.000000       1 leaderelection.go:257] "attempting to acquire leader lease" '
                         f'lock="kube-system/{comp}"')
        else:
            lines.append('I0101 00:00:01.000000       1 secure_serving.go:213] Serving securely on [::]:6443')
    if img is not None and img.app.check and not (pod.main.running and pod.main.started):
        problem = start_problem(cluster, pod, img.app.check)
        if problem:
            lines = lines[:1] + [problem]
    return lines
