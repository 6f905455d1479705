"""Regenerate the data files from real kubectl and kubernetes-validate (a developer tool).

    .venv/bin/python -m kubegame.kubectl.data.generate

- commands.json: every supported command's flags (name, shorthand, default, type), aliases
  and its --help text, read from `kubectl <cmd> --help` (kubectl v1.32) so the game
  accepts and rejects exactly the flags real kubectl does.
- openapi.json: the OpenAPI definitions of the supported kinds, trimmed from the schema
  kubernetes-validate ships (what `kubectl explain` shows).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

HERE = Path(__file__).parent

COMMANDS = [
    "", "get", "describe", "create", "create deployment", "create service", "create service clusterip",
    "create service nodeport", "create service loadbalancer", "create configmap", "create secret",
    "create secret generic", "create job", "create namespace", "apply", "delete", "scale", "autoscale",
    "rollout", "rollout status", "rollout history", "rollout undo", "rollout restart", "rollout pause",
    "rollout resume", "set", "set image", "set resources", "label", "annotate", "patch", "edit",
    "expose", "run", "logs", "exec", "top", "top node", "top pod", "cordon", "uncordon", "drain",
    "taint", "explain", "api-resources", "version", "cluster-info", "events",
]

FLAG_RE = re.compile(r"^\s+(?:-(\w), )?--([\w-]+)=(.*):$")


def flag_type(default: str) -> str:
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
            if default.startswith("'") and default.endswith("'"):
                default = default[1:-1]
            flags.append({"name": name, "short": short or "", "default": default, "type": flag_type(default)})
    subs = []
    if "Available Commands:" in text:
        block = text.split("Available Commands:", 1)[1]
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
    out = {}
    for cmd in COMMANDS:
        text = subprocess.run(["kubectl", *cmd.split(), "--help"], capture_output=True, text=True).stdout
        info = parse_help(text)
        info["help"] = text
        out[cmd] = info
    opts = subprocess.run(["kubectl", "options"], capture_output=True, text=True).stdout
    out["options"] = parse_help(opts)
    out["options"]["help"] = opts
    return out


KINDS = ["Namespace", "Node", "Pod", "Service", "Endpoints", "Event", "ConfigMap", "Secret",
         "PersistentVolumeClaim", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job",
         "HorizontalPodAutoscaler", "PodDisruptionBudget", "Ingress", "PriorityClass"]


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


def openapi(version: str = "v1.32.0-local") -> dict:
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


if __name__ == "__main__":
    (HERE / "commands.json").write_text(json.dumps(commands(), indent=0, sort_keys=True) + "\n")
    (HERE / "openapi.json").write_text(json.dumps(openapi(), separators=(",", ":"), sort_keys=True) + "\n")
