"""The small shell inside a container: what exec probes and `kubectl exec` run.

`true`, `false`, `echo`, `cat`, `test -f/-d/-e`, `ls`, `env`/`printenv`, `hostname`, `sleep`,
`date`, `sh -c "A && B"`, `wget`/`curl` (through the app model and the Service network),
`nslookup`. A program the shell does not know exits 127 with `sh: X: not found` inside
`sh -c`, and as the container runtime words it when exec'd directly (exit 126). A
container sees the files of its image's app, the files of the volumes mounted into it
(ConfigMap and Secret keys, emptyDir), and the usual /etc files. Nothing here draws from
the cluster's RNG: which endpoint answers a Service is a per-Service counter.
"""

from __future__ import annotations

import base64
import shlex
from typing import TYPE_CHECKING, Any

from kubegame.engine.objects import timestamp
from kubegame.engine.validation import selector_matches

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

CLUSTER_DOMAIN = "cluster.local"
DNS_IP = "10.96.0.10"
BASE_FILES = ("/bin/sh", "/etc/passwd", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf")
BASE_DIRS = ("bin", "dev", "etc", "home", "proc", "root", "sys", "tmp", "usr", "var")

Out = tuple[str, str, int]


class Shell:
    """A shell in `container` (a name) of `pod`, or in no pod at all (`kubectl run --rm` output)."""

    def __init__(self, cluster: Cluster, pod: Any | None, namespace: str, hostname: str, container: str = ""):
        self.cluster, self.pod, self.ns, self.hostname = cluster, pod, namespace, hostname
        self.container = container or (self._spec_container().get("name", "") if pod is not None else "")

    # -- what the container holds --------------------------------------------------------------
    def _spec_container(self) -> dict:
        if self.pod is None:
            return {}
        for c in (self.pod.spec.get("containers") or []) + (self.pod.spec.get("initContainers") or []):
            if not self.container or c.get("name") == self.container:
                return c
        return {}

    def _app(self) -> Any:
        c = self._spec_container()
        img = self.cluster.registry.resolve(c.get("image") or (self.pod.image if self.pod is not None else ""))
        return img.app if img is not None else None

    def files(self) -> dict[str, str | None]:
        """Every file the container sees: path -> content (None: a file whose content is not modelled)."""
        out: dict[str, str | None] = {p: None for p in BASE_FILES}
        out["/etc/hostname"] = self.hostname + "\n"
        ip = self.pod.ip if self.pod is not None and self.pod.ip else "10.244.0.99"
        out["/etc/hosts"] = f"127.0.0.1\tlocalhost\n{ip}\t{self.hostname}\n"
        out["/etc/resolv.conf"] = (f"search {self.ns}.svc.{CLUSTER_DOMAIN} svc.{CLUSTER_DOMAIN} {CLUSTER_DOMAIN}\n"
                                   f"nameserver {DNS_IP}\noptions ndots:5\n")
        app = self._app()
        if app is not None:
            for f in app.files:
                out.setdefault(f, None)
        out.update(mounted_files(self.cluster, self.pod, self._spec_container()))
        return out

    def env(self) -> dict[str, str]:
        return dict(line.split("=", 1) for line in env_lines(self.cluster, self.pod, self.ns, self.hostname,
                                                             self._spec_container()))

    # -- running -------------------------------------------------------------------------------
    def run(self, argv: list[str], in_sh: bool = False) -> Out:
        """One command: stdout, stderr, exit code."""
        if not argv:
            return "", "", 0
        prog = argv[0].rsplit("/", 1)[-1]
        args = argv[1:]
        if prog in ("sh", "bash", "ash") and len(args) >= 2 and args[0] == "-c":
            return self._sh(prog, args[1])
        if prog in ("sh", "bash", "ash") and not args:
            return "", "", 0
        handler = getattr(self, f"_cmd_{prog.replace('-', '_')}", None) if prog.isidentifier() or "-" in prog \
            else None
        if handler is None:
            if in_sh:
                return "", f"sh: {argv[0]}: not found\n", 127
            return "", (f"OCI runtime exec failed: exec failed: unable to start container process: exec: "
                        f"\"{argv[0]}\": executable file not found in $PATH: unknown\n"), 126
        return handler(args)

    def _sh(self, prog: str, script: str) -> Out:
        out, err, code = "", "", 0
        for chain in script.split(";"):
            for part in chain.split("&&"):
                try:
                    words = shlex.split(part)
                except ValueError:
                    return out, err + f"{prog}: syntax error: unterminated quoted string\n", 2
                if words and words[0] == "exit":
                    n = int(words[1]) if len(words) > 1 and words[1].lstrip("-").isdigit() else code
                    return out, err, n
                words, target, append = _redirect(words)
                o, e, code = self.run(words, in_sh=True)
                if target is not None:
                    problem = self.write(target, o, append)
                    o = ""
                    if problem:
                        e, code = e + f"{prog}: can't create {target}: {problem}\n", 1
                out, err = out + o, err + e
                if code:
                    break
        return out, err, code

    def write(self, path: str, content: str, append: bool = False) -> str:
        """`> path` in a shell: onto the volume mounted there, or the container's own layer.
        Returns "" or why it cannot be written (a ConfigMap, Secret or readOnly mount)."""
        if self.pod is None:
            return "Permission denied"
        files = write_target(self.cluster, self.pod, self._spec_container(), path)
        if isinstance(files, str):
            return files
        store, key = files
        store[key] = (store.get(key, "") if append else "") + content
        return ""

    def _cmd_true(self, args: list[str]) -> Out:
        return "", "", 0

    def _cmd_false(self, args: list[str]) -> Out:
        return "", "", 1

    def _cmd_echo(self, args: list[str]) -> Out:
        return " ".join(args) + "\n", "", 0

    def _cmd_hostname(self, args: list[str]) -> Out:
        return self.hostname + "\n", "", 0

    def _cmd_sleep(self, args: list[str]) -> Out:
        return "", "", 0

    def _cmd_date(self, args: list[str]) -> Out:
        return timestamp(self.cluster.now) + "\n", "", 0

    def _cmd_cat(self, args: list[str]) -> Out:
        files = self.files()
        out, err, code = "", "", 0
        for f in args:
            if f in files:
                out += files[f] if files[f] is not None else ""
            else:
                err += f"cat: can't open '{f}': No such file or directory\n"
                code = 1
        return out, err, code

    def _cmd_test(self, args: list[str]) -> Out:
        if len(args) == 2 and args[0] in ("-f", "-e", "-r", "-s", "-d"):
            files = self.files()
            path = args[1].rstrip("/") or "/"
            is_dir = any(p.startswith(path + "/") for p in files) or path.lstrip("/") in BASE_DIRS or path == "/"
            if args[0] == "-d":
                return "", "", 0 if is_dir else 1
            if args[0] == "-s":
                return "", "", 0 if files.get(path) else 1
            return "", "", 0 if path in files or (args[0] == "-e" and is_dir) else 1
        if len(args) == 1:
            return "", "", 0 if args[0] else 1
        return "", "sh: test: only -f, -d, -e, -r and -s are simulated\n", 2

    def _cmd_ls(self, args: list[str]) -> Out:
        paths = [a for a in args if not a.startswith("-")] or ["/"]
        files = self.files()
        out, err, code = "", "", 0
        for path in paths:
            path = path.rstrip("/") or "/"
            if path in files:
                out += path + "\n"
                continue
            prefix = "" if path == "/" else path + "/"
            names = sorted({p[len(prefix):].lstrip("/").split("/", 1)[0] for p in files if p.startswith(prefix or "/")})
            if path == "/":
                names = sorted(set(names) | set(BASE_DIRS))
            if not names:
                err += f"ls: {path}: No such file or directory\n"
                code = 1
                continue
            out += "".join(n + "\n" for n in names if n)
        return out, err, code

    def _cmd_env(self, args: list[str]) -> Out:
        return "".join(f"{ln}\n" for ln in env_lines(self.cluster, self.pod, self.ns, self.hostname,
                                                     self._spec_container())), "", 0

    def _cmd_printenv(self, args: list[str]) -> Out:
        env = self.env()
        if not args:
            return self._cmd_env(args)
        found = [env[a] for a in args if a in env]
        return "".join(v + "\n" for v in found), "", 0 if len(found) == len(args) else 1

    def _cmd_nslookup(self, args: list[str]) -> Out:
        if not args:
            return "", "BusyBox v1.36.1 multi-call binary.\n\nUsage: nslookup HOST [DNS_SERVER]\n", 1
        return nslookup(self.cluster, args[0], self.ns)

    def _cmd_curl(self, args: list[str]) -> Out:
        urls = [a for a in args if not a.startswith("-")]
        if not urls:
            return "", "curl: try 'curl --help' or 'curl --manual' for more information\n", 2
        return http_get(self.cluster, "curl", urls[-1], self.ns, self.pod, fail="-f" in args or "--fail" in args)

    def _cmd_wget(self, args: list[str]) -> Out:
        urls = [a for a in args if not a.startswith("-") and a != "-"]
        quiet_stdout = any(a in ("-O-", "-qO-", "-qO", "-O") for a in args) or "-" in args
        if not urls:
            return "", "BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] URL...\n", 1
        out, err, code = http_get(self.cluster, "wget", urls[-1], self.ns, self.pod)
        if any(a.startswith("-") and not a.startswith("--") and "q" in a for a in args):
            err = "".join(ln for ln in err.splitlines(keepends=True) if not ln.startswith("Connecting to "))  # -q
        if code == 0 and not quiet_stdout:
            host, _, _ = split_url(urls[-1])
            return "", f"Connecting to {host}\nsaving to 'index.html'\nindex.html           100% |********| " \
                       f"{len(out)}  0:00:00 ETA\n'index.html' saved\n", 0
        return out, err, code


# -- files from volumes -----------------------------------------------------------------------------

def mounted_files(cluster: Cluster, pod: Any | None, container: dict) -> dict[str, str | None]:
    """ConfigMap and Secret keys (and projected sources) at their mountPath; emptyDir mounts as dirs."""
    if pod is None:
        return {}
    vols = {v.get("name"): v for v in pod.spec.get("volumes") or [] if isinstance(v, dict)}
    out: dict[str, str | None] = {}
    for m in container.get("volumeMounts") or []:
        v = vols.get(m.get("name"))
        if v is None:
            continue
        base = str(m.get("mountPath", "")).rstrip("/")
        if m.get("subPath"):
            files = _volume_files(cluster, pod.namespace, v)
            if m["subPath"] in files:
                out[base] = files[m["subPath"]]
            continue
        for key, content in _volume_files(cluster, pod.namespace, v).items():
            out[f"{base}/{key}"] = content
        written = _written(cluster, pod, v)
        if written is not None:
            out[f"{base}/."] = None
            for key, content in written.items():
                out[f"{base}/{key}"] = content
    out.update(cluster.volumes.layers.get((pod.uid, container.get("name", "")), {}))
    return out


def _written(cluster: Cluster, pod: Any, v: dict) -> dict[str, str] | None:
    """The files written on a writable volume: a claim's PersistentVolume (kept with the volume),
    an emptyDir or hostPath (kept with the pod); None for other volume types."""
    if "persistentVolumeClaim" in v:
        pvc = cluster.get("PersistentVolumeClaim", pod.namespace, (v["persistentVolumeClaim"] or {}).get("claimName", ""))
        name = pvc.spec.get("volumeName", "") if pvc is not None and pvc.status.get("phase") == "Bound" else ""
        return cluster.volumes.files.setdefault(name, {}) if name else {}
    if "emptyDir" in v or "hostPath" in v:
        return cluster.volumes.scratch.setdefault((pod.uid, v.get("name", "")), {})
    return None


def write_target(cluster: Cluster, pod: Any, container: dict, path: str) -> tuple[dict, str] | str:
    """Where a write to `path` lands: (the files dict, the key in it), or why it cannot."""
    vols = {v.get("name"): v for v in pod.spec.get("volumes") or [] if isinstance(v, dict)}
    best = None
    for m in container.get("volumeMounts") or []:
        base = str(m.get("mountPath", "")).rstrip("/")
        if (path == base or path.startswith(base + "/")) and (best is None or len(base) > len(best[0])):
            best = (base, m)
    if best is None:
        return cluster.volumes.layers.setdefault((pod.uid, container.get("name", "")), {}), path
    base, m = best
    v = vols.get(m.get("name")) or {}
    files = _written(cluster, pod, v)
    if files is None or m.get("readOnly") or path == base:
        return "Read-only file system" if path != base else "Is a directory"
    return files, path[len(base) + 1:]


def _redirect(words: list[str]) -> tuple[list[str], str | None, bool]:
    """`cmd args > file` / `>> file` / `>file`: the command's words, the file and whether it appends."""
    for i, w in enumerate(words):
        for op in (">>", ">"):
            if w == op and i + 1 < len(words):
                return words[:i] + words[i + 2:], words[i + 1], op == ">>"
            if w.startswith(op) and len(w) > len(op):
                return words[:i] + words[i + 1:], w[len(op):], op == ">>"
    return words, None, False


def _volume_files(cluster: Cluster, ns: str, v: dict) -> dict[str, str | None]:
    sources: list[tuple[str, dict]] = []
    if "configMap" in v:
        sources.append(("ConfigMap", v["configMap"] or {}))
    if "secret" in v:
        sources.append(("Secret", v["secret"] or {}))
    for s in ((v.get("projected") or {}).get("sources") or []):
        if "configMap" in s:
            sources.append(("ConfigMap", s["configMap"] or {}))
        if "secret" in s:
            sources.append(("Secret", s["secret"] or {}))
    out: dict[str, str | None] = {}
    for kind, ref in sources:
        name = ref.get("name") if kind == "ConfigMap" else ref.get("secretName", ref.get("name"))
        obj = cluster.get(kind, ns, name or "")
        if obj is None:
            continue
        data = dict(obj.extra.get("data") or {})
        if kind == "Secret":
            data = {k: _b64(v) for k, v in data.items()}
            data.update(obj.extra.get("stringData") or {})
        items = ref.get("items")
        if items:
            for it in items:
                if it.get("key") in data:
                    out[it.get("path") or it["key"]] = str(data[it["key"]])
        else:
            for k, val in data.items():
                out[k] = str(val)
    return out


def _b64(value: Any) -> str:
    try:
        return base64.b64decode(str(value)).decode("utf-8", errors="replace")
    except (ValueError, TypeError):
        return ""


# -- env ------------------------------------------------------------------------------------------

def env_lines(cluster: Cluster, pod: Any | None, ns: str, hostname: str, container: dict | None = None) -> list[str]:
    lines = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", f"HOSTNAME={hostname}"]
    if pod is not None:
        c = container if container else ((pod.spec.get("containers") or [{}])[0])
        for name, value in container_env(cluster, pod.namespace, c).items():
            lines.append(f"{name}={value}")
    for svc in cluster.list("Service", ns):
        ip = svc.spec.get("clusterIP")
        if not ip or ip == "None":
            continue
        prefix = svc.name.upper().replace("-", "_")
        ports = svc.spec.get("ports") or []
        if ports:
            p0 = ports[0]
            lines += [f"{prefix}_SERVICE_HOST={ip}", f"{prefix}_SERVICE_PORT={p0.get('port')}",
                      f"{prefix}_PORT={p0.get('protocol', 'TCP').lower()}://{ip}:{p0.get('port')}"]
    lines.append("HOME=/root")
    return lines


def container_env(cluster: Cluster, ns: str, c: dict) -> dict[str, str]:
    """The environment a container's spec gives it: env values, ConfigMap/Secret keys, envFrom."""
    out: dict[str, str] = {}
    for src in c.get("envFrom") or []:
        for kind, field in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
            ref = src.get(field)
            if ref:
                obj = cluster.get(kind, ns, ref.get("name", ""))
                if obj is not None:
                    data = dict(obj.extra.get("data") or {})
                    if kind == "Secret":
                        data = {k: _b64(v) for k, v in data.items()}
                    for k, v in data.items():
                        out[f"{src.get('prefix', '')}{k}"] = str(v)
    for e in c.get("env") or []:
        if not isinstance(e, dict) or not e.get("name"):
            continue
        if "value" in e:
            out[e["name"]] = str(e.get("value"))
            continue
        vf = e.get("valueFrom") or {}
        for kind, field in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
            ref = vf.get(field)
            if ref:
                obj = cluster.get(kind, ns, ref.get("name", ""))
                data = dict(obj.extra.get("data") or {}) if obj is not None else {}
                if ref.get("key") in data:
                    val = data[ref["key"]]
                    out[e["name"]] = _b64(val) if kind == "Secret" else str(val)
        if "fieldRef" in vf:
            out[e["name"]] = ""
    return out


# -- the network ------------------------------------------------------------------------------------

def resolve_host(cluster: Cluster, host: str, ns: str) -> tuple[str, Any] | None:
    """DNS: `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`, a ClusterIP or a pod IP."""
    host = host.rstrip(".")
    if not _is_ip(host) and host != "localhost" and cluster.dns.status() != "ok":
        return None                     # CoreDNS does not answer (or answers NXDOMAIN): engine/dns.py
    for svc in cluster.list("Service"):
        names = {f"{svc.name}.{svc.namespace}", f"{svc.name}.{svc.namespace}.svc",
                 f"{svc.name}.{svc.namespace}.svc.{CLUSTER_DOMAIN}"}
        if svc.namespace == ns:
            names.add(svc.name)
        if host in names or host == svc.spec.get("clusterIP"):
            return ("svc", svc)
    if host in ("localhost", "127.0.0.1"):
        return ("self", None)
    for pod in cluster.pods():
        if pod.ip and pod.ip == host:
            return ("pod", pod)
    return None


def _is_ip(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(p.isdigit() for p in parts)


def split_url(url: str) -> tuple[str, int | None, str]:
    u = url
    if "://" in u:
        u = u.split("://", 1)[1]
    hostport, _, path = u.partition("/")
    host, _, port = hostport.partition(":")
    return host, int(port) if port.isdigit() else None, "/" + path


def _refused(tool: str, host: str, ip: str, port: int) -> Out:
    if tool == "curl":
        return "", f"curl: (7) Failed to connect to {host} port {port} after 0 ms: Couldn't connect to server\n", 7
    return "", f"Connecting to {host}:{port} ({ip}:{port})\nwget: can't connect to remote host ({ip}): " \
               "Connection refused\n", 1


def _pick(cluster: Cluster, svc: Any) -> Any:
    live = [p for p in cluster.endpoints.endpoints(svc.namespace, svc.name) if cluster.kubelet.app_running(p)]
    if not live:
        return None
    counters = cluster.rr_counters
    i = counters.get(svc.key, 0)
    counters[svc.key] = i + 1
    return sorted(live, key=lambda p: p.name)[i % len(live)]


def http_get(cluster: Cluster, tool: str, url: str, ns: str, caller: Any = None, fail: bool = False) -> Out:
    """GET a URL from inside the cluster: a Service (one of its endpoints), a pod IP, or localhost."""
    from kubegame.engine import networkpolicy as netpol
    host, port, path = split_url(url)
    src = netpol.pod_peer(caller) if caller is not None else netpol.Peer(ns)
    by_name = not _is_ip(host) and host not in ("localhost", "127.0.0.1")
    r = resolve_host(cluster, host, ns) if not by_name or netpol.dns_allowed(cluster, src) else None
    if r is None:
        if tool == "curl":
            return "", f"curl: (6) Could not resolve host: {host}\n", 6
        return "", f"wget: bad address '{host}'\n", 1
    kind, obj = r
    if kind == "svc":
        port = port or 80
        ip = obj.spec.get("clusterIP", "")
        sp = next((p for p in obj.spec.get("ports") or [] if p.get("port") == port), None)
        pod = _pick(cluster, obj) if sp is not None else None
        if pod is None:
            return _refused(tool, host, ip, port)
        target = cluster.endpoints.target_port(pod, sp)
    else:
        pod = caller if kind == "self" else obj
        ip = "127.0.0.1" if kind == "self" else pod.ip
        port = port or 80
        target = port
        if pod is None or not cluster.kubelet.app_running(pod):
            return _refused(tool, host, ip, port)
    if kind != "self" and not netpol.allowed(cluster, src, netpol.pod_peer(pod), target, "TCP",
                                             netpol.port_name_of(pod, target)):
        # a NetworkPolicy drops the packets: the connection never opens, the client gives up
        if tool == "curl":
            return "", f"curl: (28) Failed to connect to {host} port {port} after 135001 ms: Couldn't connect to " \
                       "server\n", 28
        return "", f"Connecting to {host}:{port} ({ip}:{port})\nwget: download timed out\n", 1
    status = cluster.kubelet.http_answer(pod, target, path)
    if status is None:
        return _refused(tool, host, ip or pod.ip, port)
    if status >= 400:
        text = {403: "Forbidden", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}.get(
            status, "Error")
        if tool == "wget":
            return "", f"Connecting to {host}:{port} ({ip}:{port})\nwget: server returned error: HTTP/1.1 " \
                       f"{status} {text}\n", 1
        if fail:
            return "", f"curl: (22) The requested URL returned error: {status}\n", 22
        return f"{status} {text}\n", "", 0
    return f"Hello from {pod.name} ({pod.image}) on {pod.node_name}, path {path}\n", "", 0


def nslookup(cluster: Cluster, name: str, ns: str) -> Out:
    head = f"Server:\t\t{DNS_IP}\nAddress:\t{DNS_IP}:53\n\n"
    if not _is_ip(name) and cluster.dns.status() == "timeout":
        return ";; connection timed out; no servers could be reached\n\n", "", 1
    r = resolve_host(cluster, name, ns)
    if r is None or r[0] != "svc":
        fq = name if name.endswith(CLUSTER_DOMAIN) or "." in name else f"{name}.{ns}.svc.{CLUSTER_DOMAIN}"
        return head + f"** server can't find {fq}: NXDOMAIN\n\n", "", 1
    svc = r[1]
    fq = f"{svc.name}.{svc.namespace}.svc.{CLUSTER_DOMAIN}"
    return head + f"Name:\t{fq}\nAddress: {svc.spec.get('clusterIP')}\n\n", "", 0


def pods_selected(cluster: Cluster, ns: str, selector: dict) -> list[Any]:
    return [p for p in cluster.pods(ns) if selector_matches(selector, p.labels)]
