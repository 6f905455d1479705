"""Client-side `kubectl apply`: the last-applied annotation and the three-way strategic merge.

staging/src/k8s.io/kubectl/pkg/cmd/apply/patcher.go and pkg/util/apply.go: kubectl keeps the
manifest it last applied in the annotation `kubectl.kubernetes.io/last-applied-configuration`
(compact JSON with sorted keys and a newline, the manifest without that annotation). On the next
apply it works out a patch from three versions (apimachinery's strategicpatch
CreateThreeWayMergePatch):

- original: the last applied manifest (from the annotation);
- modified: the manifest in the file now;
- current: the live object.

A field in the original and not in the modified is deleted; a field in the modified is set; a field
only in the live object (a default, `kubectl scale`'s replicas, a label someone added by hand)
stays. Lists with a patch merge key (containers and volumes by `name`, container ports by
`containerPort`, Service ports by `port`, env by `name`, volumeMounts by `mountPath`, ...) merge
item by item in the same three-way way; other lists are replaced.
"""

from __future__ import annotations

import copy
import json
from typing import Any

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MISSING_WARNING = ("Warning: resource {res} is missing the kubectl.kubernetes.io/last-applied-configuration "
                   "annotation which is required by kubectl apply. kubectl apply should only be used on resources "
                   "created declaratively by either kubectl create --save-config or kubectl apply. The missing "
                   "annotation will be patched automatically.\n")

# the Go types' patchMergeKey per list field (k8s.io/api: `patchStrategy:"merge" patchMergeKey:"..."`)
MERGE_KEYS = {"containers": "name", "initContainers": "name", "ephemeralContainers": "name", "volumes": "name",
              "imagePullSecrets": "name", "env": "name", "volumeMounts": "mountPath", "volumeDevices": "devicePath",
              "hostAliases": "ip", "topologySpreadConstraints": "topologyKey", "ownerReferences": "uid",
              "resourceClaims": "name"}


def merge_key(field: str, items: list) -> str | None:
    if field == "ports":                    # ContainerPort by containerPort, ServicePort by port
        return "containerPort" if any(isinstance(i, dict) and "containerPort" in i for i in items) else "port"
    return MERGE_KEYS.get(field)


def _annotatable(manifest: Any) -> bool:
    """A manifest whose metadata and annotations have the shape to take the annotation (anything else
    goes to the API server as it is, which refuses it with its decoding error)."""
    md = manifest.get("metadata") if isinstance(manifest, dict) else None
    return isinstance(md, dict) and (md.get("annotations") is None or isinstance(md.get("annotations"), dict))


def annotation_value(manifest: dict) -> str:
    """GetModifiedConfiguration: the manifest with the annotation taken out of its (possibly now empty)
    annotations, as compact JSON and a newline: `{"apiVersion":...,"metadata":{"annotations":{},...`."""
    body = copy.deepcopy(manifest)
    md = body["metadata"]
    ann = dict(md.get("annotations") or {})
    ann.pop(LAST_APPLIED, None)
    md["annotations"] = ann
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str) + "\n"


def with_annotation(manifest: dict, source: dict | None = None) -> dict:
    """The manifest with its last-applied annotation, made from `source` when given: the file as
    written, unknown fields and all, when --validate=warn|ignore dropped them from what is sent (the
    annotation is a string the server keeps as it is)."""
    if not _annotatable(manifest):
        return manifest
    body = copy.deepcopy(manifest)
    md = body["metadata"]
    md["annotations"] = {**(md.get("annotations") or {}), LAST_APPLIED: annotation_value(source or manifest)}
    return body


def last_applied(live: dict) -> dict | None:
    raw = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED)
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def three_way(original: Any, modified: Any, current: Any, field: str = "") -> Any:
    """The live object after the three-way merge of original -> modified onto current."""
    if not isinstance(modified, dict) or not isinstance(current, dict):
        return copy.deepcopy(modified)
    original = original if isinstance(original, dict) else {}
    out = copy.deepcopy(current)
    for k in original:
        if k not in modified:
            out.pop(k, None)
    for k, v in modified.items():
        cur = current.get(k)
        if isinstance(v, dict) and isinstance(cur, dict):
            out[k] = three_way(original.get(k), v, cur, k)
        elif isinstance(v, list) and isinstance(cur, list) and merge_key(k, v + cur):
            out[k] = _merge_list(original.get(k) if isinstance(original.get(k), list) else [], v, cur,
                                 merge_key(k, v + cur) or "")
        else:
            out[k] = copy.deepcopy(v)
    return out


def _merge_list(original: list, modified: list, current: list, key: str) -> list:
    def keyed(items: list) -> dict:
        return {i.get(key): i for i in items if isinstance(i, dict) and key in i}

    orig, cur = keyed(original), keyed(current)
    mod_keys = {i.get(key) for i in modified if isinstance(i, dict)}
    out = []
    for item in modified:                       # the file's order ($setElementOrder)
        k = item.get(key) if isinstance(item, dict) else None
        out.append(three_way(orig.get(k), item, cur[k]) if k in cur else copy.deepcopy(item))
    for item in current:                        # what others added stays; what the file dropped goes
        k = item.get(key) if isinstance(item, dict) else None
        if k not in mod_keys and k not in orig:
            out.append(copy.deepcopy(item))
    return out


def cmd_view_last_applied(ctx: Any) -> None:
    """`kubectl apply view-last-applied TYPE NAME`: the annotation, as YAML (default) or JSON."""
    from kubegame.kubectl.cmd_write import _targets
    from kubegame.kubectl.printers import to_json, to_yaml
    from kubegame.kubectl.util import KubectlError
    fmt = ctx.p.flags.get("output") or "yaml"
    if fmt not in ("yaml", "json"):
        raise KubectlError(f"unexpected -o output mode: {fmt}, the flag 'output' must be one of yaml|json")
    for _res, obj in _targets(ctx, allow_all=True):
        raw = obj.annotations.get(LAST_APPLIED)
        if not raw:
            raise KubectlError(f"no last-applied-configuration annotation found on resource: {obj.name}")
        data = json.loads(raw)
        ctx.out.append(to_yaml(data) if fmt == "yaml" else to_json(data, keep_order=True))


MERGED_PRIMITIVE_LISTS = {"finalizers"}     # ObjectMeta.Finalizers: patchStrategy merge


def strategic_merge(target: Any, patch: Any, field: str = "") -> Any:
    """strategicpatch.StrategicMergePatch on a map (what the API server does with a
    strategic-merge-patch body): lists merge by the Go types' patch merge keys, with the directives
    `$patch: replace|delete|merge`, `$setElementOrder/FIELD`, `$retainKeys`,
    `$deleteFromPrimitiveList/FIELD`."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if not isinstance(target, dict):
        target = {}
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    result = copy.deepcopy(target)
    orders = {k.split("/", 1)[1]: v for k, v in patch.items() if k.startswith("$setElementOrder/")}
    retain = patch.get("$retainKeys")
    for k, v in patch.items():
        if k.startswith("$"):
            if k.startswith("$deleteFromPrimitiveList/"):
                name = k.split("/", 1)[1]
                if isinstance(result.get(name), list) and isinstance(v, list):
                    result[name] = [x for x in result[name] if x not in v]
            continue
        if v is None:
            result.pop(k, None)
        elif isinstance(v, list):
            result[k] = _smp_list(result.get(k), v, k)
        elif isinstance(v, dict):
            merged = strategic_merge(result.get(k), v, k)
            if merged is None:
                result.pop(k, None)
            else:
                result[k] = merged
        else:
            result[k] = copy.deepcopy(v)
    for name, order in orders.items():
        if isinstance(result.get(name), list) and isinstance(order, list):
            result[name] = _ordered(result[name], order, name)
    if isinstance(retain, list):
        keep = set(str(x) for x in retain)
        result = {k: v for k, v in result.items() if k in keep}
    return result


def _smp_list(current: Any, patch: list, field: str) -> list:
    if not isinstance(current, list):
        current = []
    if field in MERGED_PRIMITIVE_LISTS and all(not isinstance(x, (dict, list)) for x in patch):
        return list(current) + [x for x in patch if x not in current]
    key = merge_key(field, patch or current)
    if not key or not all(isinstance(x, dict) for x in patch + current):
        return [copy.deepcopy(x) for x in patch if not (isinstance(x, dict) and x.get("$patch") == "replace")]
    if any(isinstance(x, dict) and x.get("$patch") == "replace" for x in patch):
        return [copy.deepcopy({k: v for k, v in x.items() if k != "$patch"}) for x in patch
                if x.get("$patch") != "replace"]
    out = [copy.deepcopy(x) for x in current]
    for item in patch:
        if item.get("$patch") == "delete":
            out = [x for x in out if x.get(key) != item.get(key)]
            continue
        for i, x in enumerate(out):
            if x.get(key) == item.get(key):
                merged = strategic_merge(x, item, field)
                out[i] = merged if merged is not None else x
                break
        else:
            out.append(strategic_merge({}, item, field))
    return out


def _ordered(items: list, order: list, field: str) -> list:
    """$setElementOrder: the patch's order first, the items it does not name after, as they were."""
    key = merge_key(field, items)
    if not key:
        return items
    want = [o.get(key) if isinstance(o, dict) else o for o in order]
    pos = {v: i for i, v in enumerate(want)}
    named = sorted((x for x in items if isinstance(x, dict) and x.get(key) in pos), key=lambda x: pos[x.get(key)])
    rest = [x for x in items if not (isinstance(x, dict) and x.get(key) in pos)]
    return named + rest
