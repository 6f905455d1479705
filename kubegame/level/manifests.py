"""Check a level's Kubernetes manifests: schema (fields, types, required) and API validation.

The field schema comes from the official Kubernetes OpenAPI schema (k8s_schema.py,
generated from kubernetes-validate), so an unknown or misspelt field is reported at
its line with the fields that would be accepted. A manifest that passes the schema is
then defaulted and validated by the engine's API server (`Cluster.prepare`), and each
cause it reports is mapped back to the line of the field it names.
"""

from __future__ import annotations

import re
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.quantity import QuantityError, parse_quantity
from kubegame.engine.schema_defs import DEFS, ROOTS
from kubegame.level.schema import Ctx, describe, q, show_path
from kubegame.level.yamlsafe import Path

SUPPORTED = {key.split(" ", 1)[1]: key.split(" ", 1)[0] for key in ROOTS}   # kind -> apiVersion
BUILTIN_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

TYPE_WORDS = {
    "string": "a string", "int": "an integer", "number": "a number", "bool": "true or false",
    "quantity": "a Kubernetes quantity such as 500m or 2Gi", "intstr": "an integer or a string",
}


def _type_word(t: str) -> str:
    if t.startswith("["):
        return "a list"
    if t.startswith("{") or t.startswith("@"):
        return "a mapping"
    return TYPE_WORDS.get(t, "a value")


class SchemaChecker:
    """Walk one manifest against the generated schema, reporting every problem."""

    def __init__(self, ctx: Ctx, label: str):
        self.ctx = ctx
        self.label = label          # `Deployment "shop"`

    def err(self, path: Path, what: str, expected: str, at_key: bool = False) -> None:
        self.ctx.error(path, f"{self.label}: {what}", expected, at_key=at_key)

    def walk(self, value: Any, t: str, path: Path) -> None:
        if value is None:
            return
        if t.startswith("@"):
            d = DEFS[t[1:]]
            if "t" in d:
                self.walk(value, d["t"], path)
                return
            if not isinstance(value, dict):
                self.err(path, f"{show_path(path)} is {describe(value)}", "a mapping")
                return
            fields: dict[str, str] = d["f"]
            for k, v in value.items():
                if k not in fields:
                    if k == "status" and not path:
                        continue
                    self.err(path + (k,), f"unknown field {q(show_path(path + (k,)))}",
                             "one of: " + ", ".join(fields), at_key=True)
                    continue
                self.walk(v, fields[k], path + (k,))
            for r in d["r"]:
                if value.get(r) is None:
                    where = show_path(path) if path else "the manifest"
                    self.err(path, f"{where} lacks the required field {q(r)}",
                             f"`{r}:` {_type_word(fields.get(r, 'any'))}", at_key=True)
            return
        if t.startswith("["):
            if not isinstance(value, list):
                self.err(path, f"{show_path(path)} is {describe(value)}", "a list")
                return
            for i, v in enumerate(value):
                self.walk(v, t[1:], path + (i,))
            return
        if t.startswith("{"):
            if not isinstance(value, dict):
                self.err(path, f"{show_path(path)} is {describe(value)}", "a mapping")
                return
            for k, v in value.items():
                self.walk(v, t[1:], path + (k,))
            return
        self.scalar(value, t, path)

    def scalar(self, value: Any, t: str, path: Path) -> None:
        ok = True
        if t == "string":
            ok = isinstance(value, str)
        elif t == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif t == "number":
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif t == "bool":
            ok = isinstance(value, bool)
        elif t == "intstr":
            ok = isinstance(value, (int, str)) and not isinstance(value, bool)
        elif t == "quantity":
            ok = isinstance(value, (int, float, str)) and not isinstance(value, bool)
            if ok:
                try:
                    parse_quantity(value)
                except QuantityError:
                    self.err(path, f"{show_path(path)} {q(value)} is not a quantity",
                             "a Kubernetes quantity such as 500m, 2, 512Mi or 8Gi")
                    return
        if not ok:
            expected = TYPE_WORDS.get(t, "a value")
            if t == "string" and isinstance(value, (int, float, bool)):
                expected = f'a string (quote it: "{self.ctx.raw(path, value)}")'
            self.err(path, f"{show_path(path)} is {describe(value)}", expected)


def check_schema(body: dict, ctx: Ctx) -> bool:
    """Check apiVersion/kind and every field; return True when the manifest is well formed."""
    n = len(ctx.errors)
    kind = body.get("kind")
    api_version = body.get("apiVersion")
    name = (body.get("metadata") or {}).get("name") if isinstance(body.get("metadata"), dict) else None
    if kind is None or api_version is None:
        missing = "kind" if kind is None else "apiVersion"
        ctx.error((), f"a manifest lacks the required field {q(missing)}",
                  "every document to have `apiVersion:` and `kind:` (a Kubernetes manifest or the kubegame/v1 Level)")
        return False
    if not isinstance(kind, str) or kind not in SUPPORTED:
        ctx.error(("kind",), f"kind {q(kind)} is not supported in a level",
                  "one of: " + ", ".join(sorted(SUPPORTED)))
        return False
    if api_version != SUPPORTED[kind]:
        ctx.error(("apiVersion",), f"{kind} is not served as {q(api_version)}",
                  f"apiVersion: {SUPPORTED[kind]}")
        return False
    label = f'{kind} "{name}"' if isinstance(name, str) and name else kind
    SchemaChecker(ctx, label).walk(body, "@" + ROOTS[f"{api_version} {kind}"], ())
    if not isinstance(name, str) or not name:
        if len(ctx.errors) == n:
            ctx.error(("metadata",), f"{kind}: metadata.name is missing", "`metadata: {name: ...}`",
                      at_key=True)
    return len(ctx.errors) == n


_CAUSE_START = re.compile(r"(?:^|, )(?=(?:metadata|spec|data|stringData|type)[\w.\[\]\-/]*: )")


def split_causes(message: str) -> list[str]:
    """The causes of an `... is invalid: [a, b]` API error, one per field."""
    if " is invalid: " not in message:
        return [message]
    rest = message.split(" is invalid: ", 1)[1]
    if rest.startswith("[") and rest.endswith("]"):
        rest = rest[1:-1]
    parts = [p for p in _CAUSE_START.split(rest) if p]
    return parts or [rest]


def cause_path(cause: str) -> Path:
    """`spec.template.spec.containers[0].image: Required value` -> the path tuple."""
    head = cause.split(": ", 1)[0]
    out: list[Any] = []
    for m in re.finditer(r"([^.\[\]]+)|\[([^\]]*)\]", head):
        if m.group(1) is not None:
            out.append(m.group(1))
        else:
            idx = m.group(2)
            out.append(int(idx) if idx.isdigit() else idx)
    return tuple(out)


def check_api(cluster: Any, body: dict, ctx: Ctx) -> dict | None:
    """Default and validate with the engine's API server; map each cause to its line."""
    kind = body.get("kind")
    name = (body.get("metadata") or {}).get("name")
    try:
        _res, prepared = cluster.prepare(body)
        return prepared
    except ApiError as exc:
        for cause in split_causes(exc.message):
            path = cause_path(cause) if " is invalid: " in exc.message else ()
            ctx.error(path, f'{kind} "{name}": {cause}', "a manifest the Kubernetes API server accepts")
    except Exception as exc:  # an engine bug must not become a traceback for a level author
        ctx.error((), f'{kind} "{name}": the API server could not check it ({type(exc).__name__}: {exc})',
                  "a manifest the Kubernetes API server accepts")
    return None


def pod_specs(body: dict) -> list[tuple[Path, dict]]:
    """The pod specs of a manifest with their paths (Pod, templates, Job templates)."""
    kind = body.get("kind")
    spec = body.get("spec")
    if not isinstance(spec, dict):
        return []
    if kind == "Pod":
        return [(("spec",), spec)]
    tpl = spec.get("template")
    if isinstance(tpl, dict) and isinstance(tpl.get("spec"), dict):
        return [(("spec", "template", "spec"), tpl["spec"])]
    return []


def images_of(body: dict) -> list[tuple[Path, str]]:
    out = []
    for path, spec in pod_specs(body):
        for part in ("initContainers", "containers"):
            for i, c in enumerate(spec.get(part) or []):
                if isinstance(c, dict) and isinstance(c.get("image"), str):
                    out.append((path + (part, i, "image"), c["image"]))
    return out
