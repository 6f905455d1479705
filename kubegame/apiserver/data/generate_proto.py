"""Regenerate proto.json: the field numbers of the Kubernetes protobuf messages kubegame serve
decodes (what kubectl's typed clients send: `create deployment`, `create configmap`, `auth can-i`,
evictions, ...), read from k8s.io/api and k8s.io/apimachinery: each generated.proto gives a
message's fields and numbers, each types.go the Go side: whether a field is a pointer and whether
its JSON tag has omitempty, which decides if a zero value is sent as JSON would send it.

    python kubegame/apiserver/data/generate_proto.py API_REPO APIMACHINERY_REPO

(the two repositories' checkouts or bare git directories: files are read with `git show HEAD:`).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
API_PACKAGES = ["core/v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "policy/v1", "rbac/v1",
                "networking/v1", "scheduling/v1", "storage/v1", "authorization/v1", "authentication/v1",
                "coordination/v1", "discovery/v1"]
MACHINERY_PACKAGES = ["pkg/apis/meta/v1", "pkg/api/resource", "pkg/util/intstr", "pkg/runtime"]

FIELD = re.compile(r"^\s*(optional|repeated|required)?\s*(map<\s*([\w.]+)\s*,\s*([\w.]+)\s*>|[\w.]+)\s+(\w+)\s*=\s*(\d+)")
GO_FIELD = re.compile(r'^\s*(\w+\s+)?(\*?)(\[\]|map\[[^\]]+\])?\*?([\w.]+)\s+`([^`]*)`')


def show(repo: str, path: str) -> str:
    return subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], capture_output=True, text=True,
                          check=True).stdout


def parse_proto(text: str) -> tuple[str, dict[str, dict[int, list]]]:
    package = re.search(r"^package ([\w.]+);", text, re.M).group(1)
    messages: dict[str, dict[int, list]] = {}
    current = None
    depth = 0
    for line in text.splitlines():
        stripped = line.split("//", 1)[0]
        m = re.match(r"^message (\w+) \{", stripped)
        if m and depth == 0:
            current = messages.setdefault(m.group(1), {})
            depth = 1
            continue
        if current is not None:
            depth += stripped.count("{") - stripped.count("}")
            if depth <= 0:
                current, depth = None, 0
                continue
            f = FIELD.match(stripped)
            if f and depth == 1:
                label, typ, mk, mv, name, num = f.groups()
                if mk:
                    current[int(num)] = [name, "map", [qualify(mk, package), qualify(mv, package)]]
                else:
                    current[int(num)] = [name, qualify(typ, package), "r" if label == "repeated" else ""]
    return package, messages


SCALARS = {"string", "int32", "int64", "bool", "bytes", "double", "float", "uint32", "uint64", "sint32",
           "sint64", "fixed32", "fixed64"}


def qualify(typ: str, package: str) -> str:
    if typ in SCALARS:
        return typ
    if typ.startswith("."):
        return typ[1:]
    return f"{package}.{typ}"


def go_flags(text: str) -> dict[str, dict[int, str]]:
    """struct name -> protobuf field number -> flags: p (a pointer), o (omitempty in its JSON tag), i (an
    embedded struct whose fields JSON inlines: no name, or `json:",inline"`)."""
    out: dict[str, dict[int, str]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^type (\w+) struct \{", line)
        if m:
            current = out.setdefault(m.group(1), {})
            continue
        if line.startswith("}"):
            current = None
            continue
        if current is None:
            continue
        g = GO_FIELD.match(line)
        if not g:
            continue
        _name, ptr, container, _typ, tags = g.groups()
        pm = re.search(r'protobuf:"[^"]*?,(\d+),', tags)
        if not pm:
            continue
        jm = re.search(r'json:"([^"]*)"', tags)
        flags = ("p" if ptr and not container else "") + ("o" if jm and "omitempty" in jm.group(1) else "") + \
            ("i" if jm and jm.group(1).split(",")[0] == "" and ("inline" in jm.group(1) or not _name) else "")
        current[int(pm.group(1))] = flags
    return out


def main(api_repo: str, machinery_repo: str) -> None:
    all_messages: dict[str, dict[str, list]] = {}
    sources = [(api_repo, p) for p in API_PACKAGES] + [(machinery_repo, p) for p in MACHINERY_PACKAGES]
    for repo, pkg in sources:
        package, messages = parse_proto(show(repo, f"{pkg}/generated.proto"))
        flags: dict[str, dict[int, str]] = {}
        listing = subprocess.run(["git", "-C", repo, "ls-tree", "--name-only", f"HEAD:{pkg}"], capture_output=True,
                                 text=True, check=True).stdout.split()
        for name in listing:
            if name.endswith(".go") and not name.endswith("_test.go") and name.startswith(("types", "meta", "micro",
                                                                                          "time", "duration",
                                                                                          "intstr", "quantity",
                                                                                          "amount", "register")):
                for k, v in go_flags(show(repo, f"{pkg}/{name}")).items():
                    flags.setdefault(k, {}).update(v)
        for msg, fields in messages.items():
            out = {}
            for num, (name, typ, extra) in sorted(fields.items()):
                f = flags.get(msg, {}).get(num, "")
                out[str(num)] = [name, typ, extra if typ == "map" else extra + f]
            all_messages[f"{package}.{msg}"] = out
    (HERE / "proto.json").write_text(json.dumps(all_messages, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{len(all_messages)} messages")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
