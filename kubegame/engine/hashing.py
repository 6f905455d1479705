"""Names the way Kubernetes makes them: random suffixes and pod-template-hash."""

from __future__ import annotations

import json

ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"   # k8s.io/apimachinery/pkg/util/rand


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(s: str) -> str:
    """rand.SafeEncodeString: the alphabet of pod-template-hash values."""
    return "".join(ALPHANUMS[b % len(ALPHANUMS)] for b in s.encode())


def template_hash(template: dict, collision_count: int = 0) -> str:
    """pod-template-hash: fnv32a over the template (controller.ComputeHash), safe-encoded."""
    tpl = dict(template)       # copies only down to the labels: the hash label is left out
    md = tpl.get("metadata")
    if isinstance(md, dict) and isinstance(md.get("labels"), dict) and "pod-template-hash" in md["labels"]:
        tpl["metadata"] = {**md, "labels": {k: v for k, v in md["labels"].items() if k != "pod-template-hash"}}
    data = json.dumps(tpl, sort_keys=True, separators=(",", ":")).encode()
    if collision_count:
        data += str(collision_count).encode()
    return safe_encode(str(fnv32a(data)))
