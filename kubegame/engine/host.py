"""The machine under a Node: its files, its systemd units, its disk and the kubelet's journal.

What `node ssh NODE -- ...` looks at and changes (engine/hostshell.py). A unit is `active`
or `inactive`; the kubelet's unit is the node's kubelet (stopping it stops the heartbeats
and every pod sync on the node while the containers keep running). The disk holds the
images, the containers' writable layers and the logs; files the level's events write
(a runaway log) take space until they are removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KUBELET_CONFIG = """apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock
evictionHard:
  imagefs.available: 15%
  memory.available: 100Mi
  nodefs.available: 10%
  nodefs.inodesFree: 5%
kind: KubeletConfiguration
staticPodPath: /etc/kubernetes/manifests
"""

KUBELET_UNIT = """# /usr/lib/systemd/system/kubelet.service
[Unit]
Description=kubelet: The Kubernetes Node Agent
Documentation=https://kubernetes.io/docs/
Wants=network-online.target
After=network-online.target

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
StartLimitInterval=0
RestartSec=10

[Install]
WantedBy=multi-user.target
"""

DISK_GB = 100                 # each node's root disk (the ephemeral-storage capacity nodes report)
BASE_USED_GB = 12.0           # the OS, the kubelet, containerd and the system images


@dataclass
class Host:
    """One machine's state beyond what the Node object shows."""

    name: str
    files: dict[str, str] = field(default_factory=dict)          # path -> content (insertion ordered)
    sizes: dict[str, float] = field(default_factory=dict)        # path -> GB, for the files that weigh
    units: dict[str, str] = field(default_factory=lambda: {"containerd": "active", "kubelet": "active"})
    since: dict[str, int] = field(default_factory=lambda: {"containerd": 0, "kubelet": 0})
    journal: list[tuple[int, str, str]] = field(default_factory=list)   # (tick, unit, line)
    disk_gb: float = DISK_GB

    @classmethod
    def for_node(cls, name: str) -> Host:
        h = cls(name)
        h.files["/var/lib/kubelet/config.yaml"] = KUBELET_CONFIG
        h.files["/usr/lib/systemd/system/kubelet.service"] = KUBELET_UNIT
        h.files["/etc/kubernetes/kubelet.conf"] = (
            "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTi...\n"
            "    server: https://control-plane:6443\n  name: kubernetes\ncontexts:\n- context:\n"
            f"    cluster: kubernetes\n    user: system:node:{name}\n  name: system:node:{name}@kubernetes\n"
            f"current-context: system:node:{name}@kubernetes\n")
        return h

    def used_gb(self) -> float:
        return BASE_USED_GB + sum(self.sizes.values())

    def free_fraction(self) -> float:
        return max(0.0, 1.0 - self.used_gb() / self.disk_gb)

    def log(self, tick: int, unit: str, line: str) -> None:
        self.journal.append((tick, unit, line))
        if len(self.journal) > 2000:
            del self.journal[:500]

    def dirs(self, path: str) -> list[str]:
        """The entries directly under a directory (files and subdirectories), sorted."""
        prefix = path.rstrip("/") + "/"
        out = {p[len(prefix):].split("/", 1)[0] for p in self.files if p.startswith(prefix)}
        return sorted(out)

    def is_dir(self, path: str) -> bool:
        prefix = path.rstrip("/") + "/"
        return path in ("/", "") or any(p.startswith(prefix) for p in self.files) or path.rstrip("/") in (
            "/etc/kubernetes/manifests", "/var/log", "/tmp", "/root")
