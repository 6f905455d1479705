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
    out: set[Path] = set()

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
                    out.add(ipath)
                    for k, v in item.items():
                        walk(v, ipath + (k,))
                return
        if path and path not in IDENTITY:
            out.add(path)

    walk(doc, ())
    return out


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


def conflicts(live: dict, applied: dict, manager: str, owners: dict[str, set[Path]]) -> list[tuple[str, Path]]:
    """(other manager, path) for every applied leaf another manager owns with another value."""
    out = []
    for path in sorted(field_set(applied), key=path_text):
        if path and isinstance(path[-1], tuple):
            continue                           # an item's existence never conflicts, its fields do
        want = _get(applied, path)
        have = _get(live, path)
        if want == have:
            continue
        for other, fields in sorted(owners.items()):
            if other != manager and path in fields:
                out.append((other, path))
    return out


def conflict_message(found: list[tuple[str, Path]], api_version: str) -> str:
    """The API server's `Apply failed with N conflict(s): ...` and kubectl's advice after it."""
    if len(found) == 1:
        manager, path = found[0]
        body = f'conflict with "{manager}" using {api_version}: {path_text(path)}'
    else:
        lines = []
        for manager in sorted({m for m, _ in found}):
            lines.append(f'conflicts with "{manager}" using {api_version}:')
            lines += [f"- {path_text(p)}" for m, p in found if m == manager]
        body = "\n".join(lines)
    n = len(found)
    return f"Apply failed with {n} conflict{'s' if n != 1 else ''}: {body}\n{CONFLICT_HELP}"


def apply_merge(live: dict, applied: dict, previous: set[Path], others: set[Path]) -> dict:
    """The object after the apply: every applied field set; what this manager applied before and
    applies no more removed, unless another manager owns it."""
    result = copy.deepcopy(live)
    now = field_set(applied)
    for path in sorted(now, key=len):
        if path and isinstance(path[-1], tuple):
            set_at(result, path, None)
        else:
            set_at(result, path, _get(applied, path))
    for path in sorted(previous - now - others, key=len, reverse=True):
        if len(path) >= 2 and isinstance(path[-2], tuple) and path[-1] == path[-2][0]:
            continue                           # an item's key goes with the item
        delete_at(result, path)
    return result
