"""Field sets for server-side apply (sigs.k8s.io/structured-merge-diff: fieldpath, merge; the API
server's fieldmanager): which fields of an object a manager owns, written as FieldsV1 the way
`metadata.managedFields` shows them, conflicts between managers, and the apply merge.

A path is a tuple of steps: a map key (`"spec"`), or an item of an associative list named by its
merge key (`("name", "web")`). Lists without a merge key are atomic: owned as one leaf. A field
set holds leaf paths and the paths of associative list items (the `.` of FieldsV1).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kubegame.kubectl.apply_patch import merge_key

Path = tuple
IDENTITY = {("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace")}
SKIP_TOP = ("status",)


def field_set(doc: dict) -> set[Path]:
    """The fields a manifest (or an object) sets: leaves and associative list items."""
    return set(field_list(doc))


def field_list(doc: dict) -> list[Path]:
    """The same paths in the document's own order (so a merge adds list items in the manifest's
    order, the same in every process: a set of strings iterates in a per-process order)."""
    out: dict[Path, None] = {}

    def walk(value: Any, path: Path) -> None:
        if isinstance(value, dict) and value:
            for k, v in value.items():
                if not path and k in SKIP_TOP:
                    continue
                walk(v, path + (k,))
            return
        if isinstance(value, list) and value and path:
            key = merge_key(str(path[-1]), value)
            if key is not None and all(isinstance(i, dict) and key in i for i in value):
                for item in value:
                    ipath = path + ((key, item[key]),)
                    out[ipath] = None
                    for k, v in item.items():
                        walk(v, ipath + (k,))
                return
        if path and path not in IDENTITY:
            out[path] = None

    walk(doc, ())
    return list(out)


def value_at(doc: Any, path: Path) -> Any:
    """The value at a path, or KeyError."""
    cur = doc
    for step in path:
        if isinstance(step, tuple):
            key, want = step
            if not isinstance(cur, list):
                raise KeyError(step)
            cur = next((i for i in cur if isinstance(i, dict) and i.get(key) == want), None)
            if cur is None:
                raise KeyError(step)
        else:
            if not isinstance(cur, dict) or step not in cur:
                raise KeyError(step)
            cur = cur[step]
    return cur


def _get(doc: Any, path: Path) -> Any:
    try:
        return value_at(doc, path)
    except KeyError:
        return KeyError


def set_at(doc: dict, path: Path, value: Any) -> None:
    """Set a leaf (or create an associative item), making the maps and items on the way."""
    cur: Any = doc
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(step, tuple):
            key, want = step
            item = next((x for x in cur if isinstance(x, dict) and x.get(key) == want), None)
            if item is None:
                item = {key: want}
                cur.append(item)
            if last:
                return
            cur = item
            continue
        if last:
            cur[step] = copy.deepcopy(value)
            return
        nxt = path[i + 1]
        if step not in cur or not isinstance(cur[step], (dict, list)):
            cur[step] = [] if isinstance(nxt, tuple) else {}
        cur = cur[step]


def delete_at(doc: dict, path: Path) -> None:
    """Remove a field or an associative item; maps left empty by it are removed too."""
    parents: list[tuple[Any, Any]] = []
    cur: Any = doc
    for step in path:
        parents.append((cur, step))
        try:
            cur = value_at(cur, (step,))
        except KeyError:
            return
    container, step = parents[-1]
    if isinstance(step, tuple):
        container[:] = [x for x in container if not (isinstance(x, dict) and x.get(step[0]) == step[1])]
    else:
        container.pop(step, None)
    for container, step in reversed(parents[:-1]):
        try:
            child = value_at(container, (step,))
        except KeyError:
            break
        if child in ({}, []) and not isinstance(step, tuple):
            container.pop(step, None)
        else:
            break


def path_text(path: Path) -> str:
    """fieldpath.Path.String(): `.spec.template.spec.containers[name="web"].image`."""
    out = ""
    for step in path:
        if isinstance(step, tuple):
            out += f"[{step[0]}={json.dumps(step[1])}]"
        else:
            out += f".{step}"
    return out


def fields_v1(fields: set[Path]) -> dict:
    """FieldsV1 as managedFields shows it: `f:` map keys, `k:{"name":"web"}` items with `.`."""
    root: dict = {}
    for path in sorted(fields, key=lambda p: tuple(json.dumps(s) for s in p)):
        node = root
        for step in path:
            key = f"k:{json.dumps({step[0]: step[1]}, separators=(',', ':'))}" if isinstance(step, tuple) \
                else f"f:{step}"
            node = node.setdefault(key, {})
        if path and isinstance(path[-1], tuple):
            node.setdefault(".", {})
    return root


def from_fields_v1(doc: Any) -> set[Path]:
    """The field set a FieldsV1 document names (the inverse of fields_v1): leaves, and the items
    marked with `.`. Keys it cannot read (`v:`, `i:`) are skipped."""
    out: set[Path] = set()

    def walk(node: Any, path: Path) -> None:
        if not isinstance(node, dict):
            return
        if not node and path:
            out.add(path)
            return
        for key, child in node.items():
            if key == ".":
                out.add(path)
            elif key.startswith("f:"):
                walk(child, path + (key[2:],))
            elif key.startswith("k:"):
                try:
                    item = json.loads(key[2:])
                except ValueError:
                    continue
                if isinstance(item, dict) and len(item) == 1:
                    (k, v), = item.items()
                    walk(child, path + ((k, v),))
    walk(doc, ())
    return out


def set_managed_fields(cluster: Any, obj: Any, entries_doc: list) -> None:
    """A client wrote metadata.managedFields (kubectl's client-side-apply upgrade does, by JSON
    patch): the object's managers become those entries."""
    table = owners(cluster)
    mine: dict[Key, dict] = {}
    for e in entries_doc or []:
        if not isinstance(e, dict) or not e.get("manager"):
            continue
        key = (str(e["manager"]), str(e.get("operation") or "Update"), str(e.get("subresource") or ""))
        mine[key] = {"apiVersion": str(e.get("apiVersion") or obj.api_version), "time": cluster.now,
                     "fields": from_fields_v1(e.get("fieldsV1") or {})}
    table[obj.uid] = mine


CSA_MANAGERS = ("kubectl-client-side-apply", "before-first-apply")


def upgrade_client_side_apply(cluster: Any, obj: Any, ssa_manager: str) -> bool:
    """client-go csaupgrade.UpgradeManagedFields, which `kubectl apply --server-side` sends after an
    apply: the fields of the client-side-apply Update managers join the server-side manager's Apply
    entry (which takes the first one's place when it has none), and those managers go."""
    mine = entries(cluster, obj)
    changed = False
    for csa in CSA_MANAGERS:
        csa_key, ssa_key = (csa, "Update", ""), (ssa_manager, "Apply", "")
        if ssa_key not in mine:
            if csa_key not in mine:
                continue
            rebuilt = {}
            for k, e in mine.items():          # the Apply entry takes the Update entry's place
                rebuilt[ssa_key if k == csa_key else k] = e
            mine.clear()
            mine.update(rebuilt)
            changed = True
            continue
        if csa_key in mine:
            if mine[csa_key]["apiVersion"] == mine[ssa_key]["apiVersion"]:
                mine[ssa_key]["fields"] |= mine[csa_key]["fields"]
            del mine[csa_key]
            changed = True
    return changed


CONFLICT_HELP = ("Please review the fields above--they currently have other managers. Here\n"
                 "are the ways you can resolve this warning:\n"
                 "* If you intend to manage all of these fields, please re-run the apply\n"
                 "  command with the `--force-conflicts` flag.\n"
                 "* If you do not intend to manage all of the fields, please edit your\n"
                 "  manifest to remove references to the fields that should keep their\n"
                 "  current managers.\n"
                 "* You may co-own fields by updating your manifest to match the existing\n"
                 "  value; in this case, you'll become the manager if the other manager(s)\n"
                 "  stop managing the field (remove it from their configuration).\n"
                 "See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts")


def display(key: Any, api_version: str = "") -> str:
    """How a conflict names a manager (fieldmanager/internal/conflict.go printManager): `"kubectl" with
    subresource "scale"`, and for an Update `using apps/v1`; an Apply manager is its name alone."""
    if isinstance(key, tuple):
        out = f'"{key[0]}"' + (f' with subresource "{key[2]}"' if key[2] else "")
        return out + (f" using {api_version}" if api_version and key[1] == "Update" else "")
    return f'"{key}"'


def conflicts(live: dict, applied: dict, manager: Any, owners: dict[Any, set[Path]]) -> list[tuple[Any, Path]]:
    """(other manager, path) for every applied leaf another manager owns with another value."""
    out = []
    for path in field_list(applied):
        if path and isinstance(path[-1], tuple):
            continue                           # an item's existence never conflicts, its fields do
        want = _get(applied, path)
        have = _get(live, path)
        if want == have:
            continue
        for other, fields in sorted(owners.items(), key=lambda kv: str(kv[0])):
            if other != manager and path in fields:
                out.append((other, path))
    return out


class ApplyConflict(Exception):
    """Server-side apply found fields another manager owns with other values (a 409 Conflict)."""

    def __init__(self, found: list[tuple[Any, Path]]):
        super().__init__("apply conflict")
        self.found = found

    def server_message(self, api_version: str) -> str:
        return server_conflict_message(self.found, api_version)


def server_side_apply(cluster: Any, res: Any, body: dict, ns: str, name: str, manager: str, force: bool,
                      dry: bool) -> tuple[Any, bool]:
    """The API server's apply (fieldmanager + structured-merge-diff): the manifest's fields become the
    manager's; a field another manager owns with another value is a conflict unless `force` takes it
    over; what this manager applied before and applies no more goes, unless someone else owns it.
    Returns (object, created)."""
    from kubegame.kubectl.cmd_write import clean_for_write
    live = cluster.get(res.kind, ns if res.namespaced else "", name) if name else None
    applied = field_set(body)
    if live is None:
        obj = cluster.create(body, ns or None, dry_run=dry)
        if not dry:
            entries(cluster, obj)[(manager, "Apply", "")] = {"apiVersion": res.api_version, "time": cluster.now,
                                                             "fields": set(applied)}
        return obj, True
    current = clean_for_write(cluster.render(live))
    mine = entries(cluster, live)
    key = (manager, "Apply", "")
    others = {m: e["fields"] for m, e in mine.items() if m != key}
    found = conflicts(current, body, key, others)
    if found and not force:
        raise ApplyConflict(found)
    previous = mine[key]["fields"] if key in mine else set()
    taken = {p for _m, p in found}
    kept = set().union(*(f - taken for f in others.values())) if others else set()
    merged = apply_merge(current, body, previous, kept)
    obj, _changed = cluster.update(merged, ns or None, dry_run=dry)
    if not dry:
        for m in list(others):
            mine[m]["fields"] -= taken
            if not mine[m]["fields"]:
                del mine[m]
        mine[key] = {"apiVersion": res.api_version, "time": cluster.now, "fields": set(applied)}
    return obj, False


def server_conflict_message(found: list[tuple[Any, Path]], api_version: str) -> str:
    """The API server's `Apply failed with N conflict(s): ...` (kubectl adds its advice after it)."""
    if len(found) == 1:
        manager, path = found[0]
        body = f"conflict with {display(manager, api_version)}: {path_text(path)}"
    else:
        lines = []
        for manager in sorted({m for m, _ in found}, key=str):
            lines.append(f"conflicts with {display(manager, api_version)}:")
            lines += [f"- {path_text(p)}" for m, p in found if m == manager]
        body = "\n".join(lines)
    n = len(found)
    return f"Apply failed with {n} conflict{'s' if n != 1 else ''}: {body}"


def conflict_message(found: list[tuple[Any, Path]], api_version: str) -> str:
    """The API server's message and kubectl's advice after it."""
    return f"{server_conflict_message(found, api_version)}\n{CONFLICT_HELP}"


def apply_merge(live: dict, applied: dict, previous: set[Path], others: set[Path]) -> dict:
    """The object after the apply: every applied field set; what this manager applied before and
    applies no more removed, unless another manager owns it."""
    result = copy.deepcopy(live)
    ordered = field_list(applied)
    now = set(ordered)
    for path in ordered:                      # document order: an item before its fields
        if path and isinstance(path[-1], tuple):
            set_at(result, path, None)
        else:
            set_at(result, path, _get(applied, path))
    for path in sorted(previous - now - others, key=lambda p: (-len(p), path_text(p))):
        if len(path) >= 2 and isinstance(path[-2], tuple) and path[-1] == path[-2][0]:
            continue                           # an item's key goes with the item
        delete_at(result, path)
    return result


# -- who owns what: the managedFields of each object --------------------------------------------------

MANAGERS = {"create": "kubectl-create", "apply": "kubectl-client-side-apply", "edit": "kubectl-edit",
            "patch": "kubectl-patch", "label": "kubectl-label", "annotate": "kubectl-annotate",
            "replace": "kubectl-replace", "expose": "kubectl-expose", "run": "kubectl-run",
            "autoscale": "kubectl-autoscale", "taint": "kubectl-taint", "set": "kubectl-set",
            "rollout": "kubectl-rollout", "scale": "kubectl", "cordon": "kubectl-cordon",
            "uncordon": "kubectl-cordon", "drain": "kubectl-cordon"}


Key = tuple   # (manager, operation, subresource): one managedFields entry


def owners(cluster: Any) -> dict[str, dict[Key, dict]]:
    """Object uid -> (manager, operation, subresource) -> {apiVersion, time, fields}."""
    table = getattr(cluster, "field_owners", None)
    if table is None:
        table = {}
        cluster.field_owners = table
    return table


def manager_for(p: Any) -> str:
    """--field-manager, else the name kubectl 1.37 sends for the command."""
    if p.flags.get("field-manager"):
        return str(p.flags["field-manager"])
    if p.path == "apply" and p.flags.get("server-side"):
        return "kubectl"
    return MANAGERS.get(p.path.split()[0], "kubectl")


def entries(cluster: Any, obj: Any, keep: bool = True) -> dict[Key, dict]:
    """The object's managers; an object applied before kubegame tracked owners (a level's manifest)
    belongs to kubectl-client-side-apply for the fields of its last-applied configuration. A read
    (`keep=False`: what `kubegame serve` returns) works that out without storing it, so reading
    never changes what a later apply finds."""
    table = owners(cluster)
    got = table.get(obj.uid)
    if got is None:
        got = {}
        if keep:
            table[obj.uid] = got
        from kubegame.kubectl.apply_patch import last_applied
        applied = last_applied(cluster.render(obj))
        if applied:
            got[("kubectl-client-side-apply", "Update", "")] = {"apiVersion": obj.api_version,
                                                             "time": obj.creation_tick, "fields": field_set(applied)}
    return got


def record_update(cluster: Any, obj: Any, before: dict | None, manager: str, subresource: str = "") -> None:
    """An Update by `manager`: it owns every field it changed (or, creating, every field there is), and
    the other managers lose those fields (an update never conflicts)."""
    after = cluster.render(obj)
    now = field_set(after)
    changed = now if before is None else {p for p in now if _get(before, p) != _get(after, p)}
    if not changed:
        return
    mine = entries(cluster, obj)
    key = (manager, "Update", subresource)
    for other, e in list(mine.items()):
        if other != key:
            e["fields"] -= changed
            if not e["fields"]:
                del mine[other]
    e = mine.setdefault(key, {"apiVersion": obj.api_version, "fields": set()})
    e["fields"] |= changed
    e["time"] = cluster.now


def managed_fields(cluster: Any, obj: Any, keep: bool = True) -> list[dict]:
    """metadata.managedFields as the API server returns it."""
    from kubegame.engine.objects import timestamp
    out = []
    for (name, operation, subresource), e in entries(cluster, obj, keep).items():
        entry = {"apiVersion": e["apiVersion"], "fieldsType": "FieldsV1", "fieldsV1": fields_v1(e["fields"]),
                 "manager": name, "operation": operation}
        if subresource:
            entry["subresource"] = subresource
        entry["time"] = timestamp(e.get("time", obj.creation_tick))
        out.append(entry)
    return out
