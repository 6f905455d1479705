"""A root shell on a node (the game's `node ssh NODE -- COMMAND`): systemctl, journalctl, crictl,
and the file tools a static pod manifest or a full disk needs.

`systemctl status|start|stop|restart|is-active|enable|daemon-reload UNIT` acts on the host's
units (kubelet, containerd); `journalctl -u UNIT [-n N] [--no-pager]` reads their journal;
`crictl ps [-a] [--name N]`, `crictl pods`, `crictl logs ID` and `crictl inspect ID` list
the containers the node runs, in crictl's tabwriter layout; `cat`, `ls`, `mv`, `cp`, `rm`,
`sed -i 's/OLD/NEW/[g]'`, `echo ... > FILE`, `df -h` and `du -sh` work on the host's files.
A file changed in /etc/kubernetes/manifests is what the kubelet's static pod source sees.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kubegame.engine.objects import Pod, timestamp
from kubegame.engine.system import MANIFESTS_DIR

if TYPE_CHECKING:
    from kubegame.engine.cluster import Cluster

Out = tuple[str, str, int]
UNITS = ("kubelet", "containerd")
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _journal_time(tick: int) -> str:
    ts = timestamp(tick)                        # 2026-12-03T06:00:00Z
    month = _MONTHS[int(ts[5:7]) - 1]
    return f"{month} {ts[8:10]} {ts[11:19]}"


def _systemd_time(tick: int) -> str:
    """`Thu 2026-01-01 00:00:45` (the game clock's date, never the wall clock's)."""
    import datetime
    ts = timestamp(tick)
    day = datetime.date(int(ts[:4]), int(ts[5:7]), int(ts[8:10]))
    return f"{day.strftime('%a')} {ts[:10]} {ts[11:19]}"


def _ago(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds}s ago"
    if seconds < 3600:
        return f"{seconds // 60}min {seconds % 60}s ago"
    return f"{seconds // 3600}h {seconds % 3600 // 60}min ago"


def _container_id(pod: Pod, name: str) -> str:
    import hashlib
    return hashlib.sha256(f"{pod.uid}/{name}/{pod.main.restart_count}".encode()).hexdigest()


def tabwrite(rows: list[list[str]], minwidth: int = 20, padding: int = 3) -> str:
    """Go's text/tabwriter as crictl sets it up (minwidth 20, padding 3, the last column unpadded)."""
    if not rows:
        return ""
    widths = [max(minwidth, max(len(r[i]) for r in rows if i < len(r)) + padding) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [c.ljust(widths[i]) if i < len(r) - 1 else c for i, c in enumerate(r)]
        lines.append("".join(cells).rstrip())
    return "\n".join(lines) + "\n"


class HostShell:
    """Commands run as root on one node's machine."""

    def __init__(self, cluster: Cluster, node: str):
        self.cluster = cluster
        self.node = node
        self.host = cluster.host(node)

    def run_line(self, words: list[str]) -> Out:
        """One command with an optional `> FILE`/`>> FILE`, or several joined by && and ;."""
        out, err, code = "", "", 0
        chain: list[list[str]] = [[]]
        joins: list[str] = []
        for w in words:
            if w in ("&&", ";"):
                chain.append([])
                joins.append(w)
            else:
                chain[-1].append(w)
        for i, argv in enumerate(chain):
            if i and joins[i - 1] == "&&" and code:
                break
            target, append = None, False
            for op in (">>", ">"):
                if op in argv:
                    j = argv.index(op)
                    if j + 1 < len(argv):
                        target, append = argv[j + 1], op == ">>"
                    argv = argv[:j]
                    break
            o, e, code = self.run(argv)
            if target is not None and not code:
                self._write(target, (self.host.files.get(target, "") if append else "") + o)
                o = ""
            out, err = out + o, err + e
        return out, err, code

    def run(self, argv: list[str]) -> Out:
        if not argv:
            return "", "", 0
        prog = argv[0].rsplit("/", 1)[-1]
        if prog == "sudo":
            return self.run(argv[1:])
        handler = getattr(self, f"_cmd_{prog}", None)
        if handler is None:
            if prog in ("vi", "vim", "nano", "less", "more", "top", "htop"):
                return "", (f"kubegame: {prog} is interactive and not simulated; change files with "
                            f"sed -i 's/OLD/NEW/' FILE, or echo TEXT > FILE\n"), 1
            return "", f"-bash: {argv[0]}: command not found\n", 127
        return handler(argv[1:])

    # -- files -----------------------------------------------------------------------------------
    def _write(self, path: str, text: str) -> None:
        self.host.files[path] = text
        self.host.sizes.pop(path, None)
        self._touched(path)

    def _touched(self, path: str) -> None:
        if path.startswith(MANIFESTS_DIR + "/"):
            self.cluster.static_pods.host_changed(self.node)
        self.cluster.kubelet.disk.disk_changed(self.node)

    def _cmd_cat(self, args: list[str]) -> Out:
        out, err, code = "", "", 0
        for a in args:
            if a in self.host.files:
                if a in self.host.sizes:
                    out += "\n".join(f"{timestamp(self.cluster.now)} DEBUG request handled id={i}"
                                     for i in range(3)) + "\n...\n"
                else:
                    out += self.host.files[a]
            elif self.host.is_dir(a):
                err, code = err + f"cat: {a}: Is a directory\n", 1
            else:
                err, code = err + f"cat: {a}: No such file or directory\n", 1
        return out, err, code

    def _cmd_ls(self, args: list[str]) -> Out:
        long = any(a.startswith("-") and "l" in a for a in args)
        paths = [a for a in args if not a.startswith("-")] or ["/root"]
        out, err, code = "", "", 0
        for p in paths:
            if p in self.host.files:
                out += (self._long(p) if long else p) + "\n"
            elif self.host.is_dir(p):
                names = self.host.dirs(p)
                if long:
                    out += f"total {len(names) * 4}\n" + "".join(self._long(f"{p.rstrip('/')}/{n}", n) + "\n"
                                                                 for n in names)
                else:
                    out += "".join(n + "\n" for n in names)
            else:
                err, code = err + f"ls: cannot access '{p}': No such file or directory\n", 2
        return out, err, code

    def _long(self, path: str, name: str = "") -> str:
        if path in self.host.files:
            size = int(self.host.sizes[path] * 1024 ** 3) if path in self.host.sizes else len(self.host.files[path])
            return f"-rw------- 1 root root {size:>6} Dec  3 06:00 {name or path}"
        return f"drwxr-xr-x 2 root root   4096 Dec  3 06:00 {name or path}"

    def _cmd_rm(self, args: list[str]) -> Out:
        force = any(a.startswith("-") and "f" in a for a in args)
        err, code = "", 0
        for a in (x for x in args if not x.startswith("-")):
            if a in self.host.files:
                del self.host.files[a]
                self.host.sizes.pop(a, None)
                self._touched(a)
            elif self.host.is_dir(a):
                err, code = err + f"rm: cannot remove '{a}': Is a directory\n", 1
            elif not force:
                err, code = err + f"rm: cannot remove '{a}': No such file or directory\n", 1
        return "", err, code

    def _move(self, args: list[str], keep: bool) -> Out:
        tool = "cp" if keep else "mv"
        paths = [a for a in args if not a.startswith("-")]
        if len(paths) != 2:
            return "", f"{tool}: missing destination file operand after '{paths[0] if paths else ''}'\n", 1
        src, dst = paths
        if src not in self.host.files:
            return "", f"{tool}: cannot stat '{src}': No such file or directory\n", 1
        if self.host.is_dir(dst) and dst not in self.host.files:
            dst = f"{dst.rstrip('/')}/{src.rsplit('/', 1)[-1]}"
        self.host.files[dst] = self.host.files[src]
        if src in self.host.sizes:
            self.host.sizes[dst] = self.host.sizes[src]
        if not keep:
            del self.host.files[src]
            self.host.sizes.pop(src, None)
            self._touched(src)
        self._touched(dst)
        return "", "", 0

    def _cmd_mv(self, args: list[str]) -> Out:
        return self._move(args, keep=False)

    def _cmd_cp(self, args: list[str]) -> Out:
        return self._move(args, keep=True)

    def _cmd_sed(self, args: list[str]) -> Out:
        if "-i" not in args:
            return "", "kubegame: only in-place edits are simulated: sed -i 's/OLD/NEW/[g]' FILE\n", 1
        rest = [a for a in args if a != "-i"]
        if len(rest) != 2:
            return "", "Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...\n", 1
        script, path = rest
        m = re.fullmatch(r"s(.)(.*?)\1(.*?)\1(g?)", script)
        if m is None:
            return "", f"sed: -e expression #1, char {len(script)}: unknown command: `{script[:1]}'\n", 1
        if path not in self.host.files:
            return "", f"sed: can't read {path}: No such file or directory\n", 2
        old, new, glob = m.group(2), m.group(3), m.group(4)
        try:
            pattern = re.compile(old)
        except re.error:
            return "", f"sed: -e expression #1, char {len(script)}: unterminated `s' command\n", 1
        lines = self.host.files[path].split("\n")
        changed = [pattern.sub(new.replace("\\", "\\\\"), ln, count=0 if glob else 1) for ln in lines]
        self._write(path, "\n".join(changed))
        return "", "", 0

    def _cmd_echo(self, args: list[str]) -> Out:
        return " ".join(args) + "\n", "", 0

    def _cmd_hostname(self, args: list[str]) -> Out:
        return self.node + "\n", "", 0

    def _cmd_true(self, args: list[str]) -> Out:
        return "", "", 0

    def _cmd_df(self, args: list[str]) -> Out:
        h = self.host
        used = h.used_gb()
        pct = min(100, int(round(100 * used / h.disk_gb)))
        avail = max(0.0, h.disk_gb - used)
        return ("Filesystem      Size  Used Avail Use% Mounted on\n"
                f"/dev/sda1       {h.disk_gb:.0f}G  {used:>3.0f}G  {avail:>3.0f}G  {pct:>3}% /\n"
                "tmpfs           3.9G     0  3.9G   0% /dev/shm\n"), "", 0

    def _cmd_du(self, args: list[str]) -> Out:
        paths = [a for a in args if not a.startswith("-")] or ["."]
        out = ""
        for p in paths:
            prefix = p.rstrip("/") + "/"
            gb = sum(s for f, s in self.host.sizes.items() if f == p or f.startswith(prefix))
            out += (f"{gb:.0f}G" if gb >= 1 else "4.0K") + f"\t{p}\n"
        return out, "", 0

    # -- systemd -----------------------------------------------------------------------------------
    def _cmd_systemctl(self, args: list[str]) -> Out:
        words = [a for a in args if not a.startswith("-")]
        if not words:
            return "", "kubegame: systemctl needs a command: status, start, stop, restart, is-active\n", 1
        cmd, units = words[0], [u.removesuffix(".service") for u in words[1:]]
        if cmd == "daemon-reload":
            return "", "", 0
        if not units:
            return "", "Too few arguments.\n", 1
        for u in units:
            if u not in UNITS:
                if cmd == "status":
                    return "", f"Unit {u}.service could not be found.\n", 4
                return "", f"Failed to {cmd} {u}.service: Unit {u}.service not found.\n", 5
        if cmd == "status":
            return self._status(units[0])
        if cmd == "is-active":
            active = self.host.units.get(units[0]) == "active"
            return ("active\n" if active else "inactive\n"), "", 0 if active else 3
        if cmd in ("enable", "disable"):
            return "", "", 0
        if cmd in ("start", "stop", "restart"):
            for u in units:
                self._unit(u, cmd)
            return "", "", 0
        return "", f'Unknown command verb "{cmd}".\n', 1

    def _unit(self, unit: str, cmd: str) -> None:
        if unit == "kubelet":
            if cmd in ("stop", "restart"):
                self.cluster.stop_kubelet(self.node)
            if cmd in ("start", "restart"):
                self.cluster.start_kubelet(self.node)
            return
        h = self.host
        if cmd in ("stop", "restart"):
            h.units[unit] = "inactive"
            h.log(self.cluster.now, "systemd", f"Stopped {unit}.service.")
        if cmd in ("start", "restart"):
            h.units[unit] = "active"
            h.since[unit] = self.cluster.now
            h.log(self.cluster.now, "systemd", f"Started {unit}.service.")

    def _status(self, unit: str) -> Out:
        h = self.host
        active = h.units.get(unit) == "active"
        since = h.since.get(unit, 0)
        when = _systemd_time(since)
        desc = "kubelet: The Kubernetes Node Agent" if unit == "kubelet" else "containerd container runtime"
        state = "active (running)" if active else "inactive (dead)"
        lines = [f"{'●' if active else '○'} {unit}.service - {desc}",
                 f"     Loaded: loaded (/usr/lib/systemd/system/{unit}.service; enabled; preset: enabled)"]
        if unit == "kubelet":
            lines += ["    Drop-In: /usr/lib/systemd/system/kubelet.service.d", "             └─10-kubeadm.conf"]
        lines.append(f"     Active: {state} since {when} UTC; {_ago(max(0, self.cluster.now - since))}")
        lines.append("       Docs: https://kubernetes.io/docs/" if unit == "kubelet" else
                     "       Docs: https://containerd.io")
        if active:
            pid = 700 + (sum(map(ord, unit)) % 200)
            lines += [f"   Main PID: {pid} ({unit})", f"     CGroup: /system.slice/{unit}.service",
                      f"             └─{pid} /usr/bin/{unit}" + (
                          " --bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig="
                          "/etc/kubernetes/kubelet.conf --config=/var/lib/kubelet/config.yaml" if unit == "kubelet"
                          else "")]
        else:
            lines.append("    Process: 812 ExecStart=/usr/bin/kubelet (code=killed, signal=TERM)")
        tail = [ln for ln in self._journal(unit)][-5:]
        out = "\n".join(lines) + "\n" + ("\n" + "\n".join(tail) + "\n" if tail else "")
        return out, "", 0 if active else 3

    def _journal(self, unit: str) -> list[str]:
        out = []
        for tick, u, line in self.host.journal:
            if u == unit or (u == "systemd" and unit in line):
                src = "systemd[1]" if u == "systemd" else f"{u}[812]"
                out.append(f"{_journal_time(tick)} {self.node} {src}: {line}")
        return out

    def _cmd_journalctl(self, args: list[str]) -> Out:
        unit, n = "", None
        i = 0
        while i < len(args):
            a = args[i]
            if a in ("-u", "--unit") and i + 1 < len(args):
                unit, i = args[i + 1].removesuffix(".service"), i + 1
            elif a.startswith("--unit="):
                unit = a.split("=", 1)[1].removesuffix(".service")
            elif a in ("-n", "--lines") and i + 1 < len(args):
                n, i = int(args[i + 1]) if args[i + 1].isdigit() else 10, i + 1
            elif a in ("-f", "--follow"):
                return "", "kubegame: following a journal is not simulated; run journalctl -u UNIT again\n", 1
            i += 1
        lines = self._journal(unit) if unit else [f"{_journal_time(t)} {self.node} {u}: {ln}"
                                                   for t, u, ln in self.host.journal]
        if n is not None:
            lines = lines[-n:] if n else []
        if not lines:
            return "-- No entries --\n", "", 0
        return "\n".join(lines) + "\n", "", 0

    # -- the container runtime ---------------------------------------------------------------------
    def _pods(self) -> list[Pod]:
        return sorted(self.cluster.store.pods_on(self.node).values(), key=lambda p: (p.namespace, p.name))

    def _cmd_crictl(self, args: list[str]) -> Out:
        if self.host.units.get("containerd") != "active":
            return "", ('E1203 06:00:00.000000    1 remote_runtime.go:89] "Version from runtime service failed" '
                        'err="rpc error: code = Unavailable desc = connection error: desc = \\"transport: Error '
                        'while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or '
                        'directory\\""\n'), 1
        if not args:
            return "", "kubegame: crictl ps [-a], crictl pods, crictl logs ID, crictl inspect ID\n", 1
        cmd, rest = args[0], args[1:]
        if cmd == "ps":
            show_all = "-a" in rest or "--all" in rest
            name = rest[rest.index("--name") + 1] if "--name" in rest and rest.index("--name") + 1 < len(rest) else ""
            rows = [["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD ID", "POD", "NAMESPACE"]]
            for pod in self._pods():
                for c in pod.all_containers:
                    running = c.state == "running"
                    if not running and not (show_all and c.started_tick is not None):
                        continue
                    if name and not re.search(name, c.name):
                        continue
                    created = self.cluster.now - (c.started_tick or 0)
                    rows.append([_container_id(pod, c.name)[:13], _image_id(c.image)[:13], _created(created),
                                 "Running" if running else "Exited", c.name, str(c.restart_count),
                                 (pod.uid or "").replace("-", "")[:13], pod.name, pod.namespace])
            return tabwrite(rows), "", 0
        if cmd == "pods":
            rows = [["POD ID", "CREATED", "STATE", "NAME", "NAMESPACE", "ATTEMPT", "RUNTIME"]]
            for pod in self._pods():
                rows.append([(pod.uid or "").replace("-", "")[:13], _created(self.cluster.now - pod.creation_tick),
                             "Ready" if pod.phase in ("Running", "Pending") else "NotReady", pod.name, pod.namespace,
                             "0", "(default)"])
            return tabwrite(rows), "", 0
        if cmd in ("logs", "inspect"):
            ids = [a for a in rest if not a.startswith("-")]
            if not ids:
                return "", f'crictl {cmd}: ID cannot be empty\n', 1
            found = self._find(ids[0])
            if found is None:
                return "", (f'E1203 06:00:00.000000    1 remote_runtime.go:432] "ContainerStatus from runtime '
                            f'service failed" err="rpc error: code = NotFound desc = an error occurred when try to '
                            f'find container \\"{ids[0]}\\": not found" containerID="{ids[0]}"\n'), 1
            pod, c = found
            if cmd == "inspect":
                return (f'{{\n  "status": {{\n    "id": "{_container_id(pod, c.name)}",\n    "state": '
                        f'"CONTAINER_{"RUNNING" if c.state == "running" else "EXITED"}",\n    "image": {{\n'
                        f'      "image": "{c.image}"\n    }},\n    "exitCode": {c.exit_code or 0},\n'
                        f'    "labels": {{\n      "io.kubernetes.container.name": "{c.name}",\n'
                        f'      "io.kubernetes.pod.name": "{pod.name}",\n'
                        f'      "io.kubernetes.pod.namespace": "{pod.namespace}"\n    }}\n  }}\n}}\n'), "", 0
            return container_log(self.cluster, pod), "", 0
        return "", f'crictl: no such command "{cmd}"\n', 1

    def _find(self, prefix: str) -> tuple[Pod, Any] | None:
        for pod in self._pods():
            for c in pod.all_containers:
                if _container_id(pod, c.name).startswith(prefix):
                    return pod, c
        return None


def _image_id(image: str) -> str:
    import hashlib
    return hashlib.sha256(image.encode()).hexdigest()


def _created(seconds: int) -> str:
    if seconds < 60:
        return f"{max(1, seconds)} seconds ago"
    if seconds < 3600:
        return f"{seconds // 60} minutes ago"
    return f"{seconds // 3600} hours ago"


def container_log(cluster: Cluster, pod: Pod) -> str:
    """What a system container printed: its start, and why it exited when it did."""
    from kubegame.engine import system
    lines = system.run_log(cluster, pod)
    return "\n".join(lines) + "\n" if lines else ""


def split_ssh(line_words: list[str]) -> tuple[str, list[str]] | None:
    """`node ssh NODE -- CMD...` -> (NODE, CMD...)."""
    if len(line_words) < 3 or "--" not in line_words:
        return None
    i = line_words.index("--")
    return (line_words[2] if i > 2 else ""), line_words[i + 1:]

