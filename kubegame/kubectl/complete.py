"""Tab completion: verbs, subcommands, resource types, object names, flags and flag values.

`complete(cluster, partial_line)` returns the candidates for the word being typed (the
text after the last space), sorted, as whole words (e.g. `deployments`, `--replicas=`).
"""

from __future__ import annotations

import shlex
from typing import Any

from kubegame.engine.kinds import RESOURCES
from kubegame.kubectl.parser import SUPPORTED_ROOT, UsageError, _child, command_spec, find_command

OUTPUT_FORMATS = ["json", "jsonpath=", "custom-columns=", "name", "wide", "yaml"]
FLAG_VALUES = {
    "output": OUTPUT_FORMATS,
    "type": ["ClusterIP", "NodePort", "LoadBalancer", "merge", "json", "strategic"],
    "dry-run": ["none", "client", "server"],
    "cascade": ["background", "foreground", "orphan"],
    "restart": ["Always", "OnFailure", "Never"],
    "sort-by": [".metadata.name", ".metadata.creationTimestamp", ".status.startTime", ".lastTimestamp"],
}
NODE_VERBS = ("cordon", "uncordon", "drain", "taint", "top node")
POD_VERBS = ("logs", "exec", "top pod")
RESOURCE_VERBS = ("get", "describe", "delete", "edit", "label", "annotate", "patch", "scale", "autoscale",
                  "expose", "rollout status", "rollout history", "rollout undo", "rollout restart",
                  "rollout pause", "rollout resume", "set image", "set resources", "explain")


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()


def _type_words() -> list[str]:
    out = []
    for r in RESOURCES:
        out.append(r.plural)
        out.extend(r.short_names)
    return out + ["all"]


def _names(cluster: Any, type_word: str, ns: str) -> list[str]:
    from kubegame.kubectl.core import resolve
    try:
        res = resolve(type_word)
    except Exception:  # noqa: BLE001 - unknown type: no names
        return []
    if res.kind == "Event":
        return []
    return [o.name for o in cluster.list(res.kind, ns if res.namespaced else None)]


def complete(cluster: Any, partial_line: str) -> list[str]:
    """Candidates for the last word of a partial command line. Never raises."""
    try:
        return sorted(dict.fromkeys(_complete(cluster, partial_line)))
    except Exception:  # noqa: BLE001 - completion must never break typing
        return []


def _complete(cluster: Any, line: str) -> list[str]:
    words = _words(line)
    if line.endswith(" ") or not words:
        words.append("")
    if words[0] not in ("kubectl", "k"):
        return [w for w in ("kubectl",) if w.startswith(words[0])] if len(words) == 1 else []
    prefix = words[-1]
    done = words[1:-1]
    try:
        path, rest = find_command(done)
    except UsageError:
        return []
    spec = command_spec(path)
    ns = "default"
    for i, w in enumerate(done):
        if w in ("-n", "--namespace") and i + 1 < len(done):
            ns = done[i + 1]
        elif w.startswith("--namespace="):
            ns = w.split("=", 1)[1]
    # a flag's value
    if done:
        last = done[-1]
        flag = None
        if last.startswith("--") and "=" not in last:
            flag = spec.flags.get(last[2:])
        elif last.startswith("-") and len(last) == 2:
            flag = spec.shorts.get(last[1])
        if flag is not None and flag.type != "bool":
            return _flag_values(cluster, flag.name, prefix)
    if prefix.startswith("--") and "=" in prefix:
        name, _, val = prefix[2:].partition("=")
        return [f"--{name}={v}" for v in _flag_values(cluster, name, val)]
    if prefix.startswith("-"):
        out = [f"--{f.name}" for f in spec.flags.values() if f"--{f.name}".startswith(prefix)]
        if len(prefix) <= 1:
            out += [f"-{f.short}" for f in spec.flags.values() if f.short]
        return [o for o in out if o.startswith(prefix)]
    positional = [w for i, w in enumerate(rest) if not w.startswith("-") and not _is_flag_value(spec, rest, i)]
    if path == "":
        return [v for v in SUPPORTED_ROOT if v.startswith(prefix) and v != "options"]
    subs = [s for s in spec.subcommands if _child(path, s) is not None]
    if subs and not positional:
        return [s for s in subs if s.startswith(prefix)]
    if path in NODE_VERBS:
        if path == "taint" and not positional:
            return [w for w in ("nodes", "node") if w.startswith(prefix)]
        return [n.name for n in cluster.nodes() if n.name.startswith(prefix)]
    if path in POD_VERBS:
        if positional:
            return []
        return [p.name for p in cluster.pods(ns) if p.name.startswith(prefix)]
    if path in RESOURCE_VERBS or path.startswith("create"):
        if path.startswith("create"):
            return []
        if "/" in prefix:
            t, _, n = prefix.partition("/")
            return [f"{t}/{x}" for x in _names(cluster, t, ns) if x.startswith(n)]
        if not positional:
            return [t for t in _type_words() if t.startswith(prefix)]
        if path == "explain":
            return []
        first = positional[0]
        if "," in first or "/" in first:
            return []
        return [x for x in _names(cluster, first, ns) if x.startswith(prefix)]
    return []


def _is_flag_value(spec: Any, words: list[str], i: int) -> bool:
    if i == 0:
        return False
    prev = words[i - 1]
    flag = None
    if prev.startswith("--") and "=" not in prev:
        flag = spec.flags.get(prev[2:])
    elif prev.startswith("-") and len(prev) == 2:
        flag = spec.shorts.get(prev[1])
    return flag is not None and flag.type != "bool"


def _flag_values(cluster: Any, name: str, prefix: str) -> list[str]:
    if name == "namespace":
        vals = [o.name for o in cluster.list("Namespace", None)]
    elif name == "image":
        vals = list(cluster.registry.images)
    else:
        vals = FLAG_VALUES.get(name, [])
    return [v for v in vals if v.startswith(prefix)]
