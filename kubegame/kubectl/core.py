"""The command context: the parsed line, namespaces, resource lookup, manifests, errors."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from kubegame import safeio
from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND, RESOURCES, Resource, lookup
from kubegame.kubectl.parser import Parsed
from kubegame.kubectl.printers import Item
from kubegame.kubectl.util import KubectlError

# `kubectl get all`: the "all" category, in kubectl's print order
ALL_KINDS = ["Pod", "Service", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet", "HorizontalPodAutoscaler",
             "CronJob", "Job"]
EPOCH_UNIX = 1767225600   # 2026-01-01T00:00:00Z, the engine's tick 0


class NoHostFiles(dict):
    """`files` for a game played from another machine (kubegame web): no file of this machine's
    disk is read, and the error says so (a browser player has no files here to name)."""

    REASON = ("kubegame web reads no files from the server's disk; pipe the YAML in instead: "
              "echo '...' | kubectl apply -f -, or make it with kubectl create ... --dry-run=client -o yaml")


@dataclass
class Ctx:
    cluster: Any
    p: Parsed
    stdin: str | None = None
    files: dict[str, str] | None = None
    out: list[str] = field(default_factory=list)
    err: list[str] = field(default_factory=list)
    exit_code: int = 0
    read: dict[str, str] = field(default_factory=dict)   # files read from disk (a replay records them)

    who: Any = None                  # the engine's rbac.Identity the command acts as (None: not yet known)
    stream: Any = None               # a kubectl.stream.Stream when the command keeps running

    @property
    def namespace(self) -> str:
        """`-n`, else the current context's namespace, else default."""
        from kubegame.kubectl.kubeconfig import namespace
        return namespace(self.cluster, self.p)

    def authorize(self, verb: str, res: Resource, namespace: str | None, name: str = "", sub: str = "") -> None:
        """The API server's authorization of one request (engine/rbac.py); raises Forbidden."""
        self.authorize_raw(verb, res.plural, res.group, (namespace or "") if res.namespaced else "", name, sub)

    def authorize_raw(self, verb: str, plural: str, group: str, namespace: str, name: str = "", sub: str = "") -> None:
        from kubegame.engine import rbac
        if self.who is None:
            from kubegame.kubectl.kubeconfig import identity
            self.who = identity(self.cluster, self.p)
        rbac.authorize(self.cluster, self.who, rbac.Request(verb, plural, group, namespace, name, sub))

    @property
    def all_namespaces(self) -> bool:
        return bool(self.p.flags.get("all-namespaces"))

    def print(self, text: str) -> None:
        self.out.append(text if text.endswith("\n") or not text else text + "\n")

    def error(self, text: str, code: int = 1) -> None:
        self.err.append(text if text.endswith("\n") else text + "\n")
        self.exit_code = code

    def api_error(self, exc: ApiError, source: str = "", verb: str = "creating") -> None:
        self.error(format_api_error(exc, source, verb))

    @property
    def dry_run(self) -> str:
        v = self.p.flags.get("dry-run", "none")
        if v == "unchanged":
            self.err.append("W0000 --dry-run is deprecated and can be replaced with --dry-run=client.\n")
            return "client"
        if v not in ("none", "client", "server"):
            raise KubectlError(f'Invalid dry-run value ({v}). Must be "none", "server", or "client".')
        return v

    def dry_suffix(self) -> str:
        d = self.dry_run
        return " (dry run)" if d == "client" else " (server dry run)" if d == "server" else ""


_INVALID = re.compile(r'^(\w+)(?:\.[\w.]+)? "(.*?)" is invalid: (.*)$', re.S)


def format_api_error(exc: ApiError, source: str = "", verb: str = "creating") -> str:
    """kubectl's CheckErr: `Error from server (Reason): msg`, or `The Kind "name" is invalid: ...`."""
    if exc.reason == "Invalid":
        m = _INVALID.match(exc.message)
        if m:
            kind, name, causes = m.groups()
            if causes.startswith("[") and causes.endswith("]"):
                parts = re.split(r", (?=[a-zA-Z][\w.\[\]\-/]*: )", causes[1:-1])
                return f'The {kind} "{name}" is invalid: \n' + "".join(f"* {p}\n" for p in parts)
            return f'The {kind} "{name}" is invalid: {causes}'
    if exc.reason == "Unauthorized":
        return "error: You must be logged in to the server (Unauthorized)"
    msg = exc.message
    if source:
        msg = f'error when {verb} "{source}": {msg}'
    if exc.reason == "BadRequest" and source:
        return f"Error from server (BadRequest): {msg}"
    return f"Error from server ({exc.reason}): {msg}"


# -- resource types ------------------------------------------------------------------------------

def resolve(word: str) -> Resource:
    """A resource type as typed (pods, po, deployments.apps, deployment.v1.apps)."""
    res = lookup(word)
    if res is None and "." in word:
        parts = word.split(".")
        if len(parts) >= 3:
            res = lookup(parts[0] + "." + ".".join(parts[2:]))
            if res is not None and res.version != parts[1]:
                res = None
        elif len(parts) == 2 and parts[1] in ("v1", "v2"):
            res = lookup(parts[0])
    if res is None:
        raise KubectlError(f'the server doesn\'t have a resource type "{word}"')
    return res


def split_types(word: str) -> list[Resource | str]:
    """`deploy,svc` -> resources; `all` expands to the "all" category."""
    out: list[Resource | str] = []
    for w in word.split(","):
        if not w:
            continue
        if w == "all":
            out.extend(BY_KIND[k] for k in ALL_KINDS)
        else:
            out.append(resolve(w))
    return out


@dataclass
class Ref:
    res: Resource
    name: str | None      # None: all of that type


def parse_refs(args: list[str], verb: str = "get") -> tuple[list[Ref], bool]:
    """kubectl's resource builder over args: `TYPE[,TYPE] [NAME...]` or `TYPE/NAME ...`.

    Returns the refs and whether more than one type was named (kubectl then prefixes names).
    """
    if not args:
        return [], False
    slash = [a for a in args if "/" in a]
    if slash:
        if len(slash) != len(args):
            raise KubectlError("there is no need to specify a resource type as a separate argument when "
                               "passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' "
                               "instead of 'kubectl get resource resource/<resource_name>'")
        refs = []
        for a in args:
            t, _, n = a.partition("/")
            if not n:
                raise KubectlError("arguments in resource/name form must have a single resource and name")
            refs.append(Ref(resolve(t), n))
        kinds = {r.res.kind for r in refs}
        return refs, len(kinds) > 1
    types = split_types(args[0])
    multi = len(types) > 1 or args[0] == "all" or "all" in args[0].split(",")
    names = args[1:]
    if names:
        if multi and args[0] == "all":
            pass
        return [Ref(t, n) for t in types for n in names], multi  # type: ignore[arg-type]
    return [Ref(t, None) for t in types], multi  # type: ignore[arg-type]


# -- events as objects -------------------------------------------------------------------------

class EventObj:
    """A ClusterEvent shaped like a stored object (for get/describe/-o yaml)."""

    kind = "Event"

    def __init__(self, ev: Any):
        self.ev = ev
        self.namespace = ev.namespace or "default"
        self.name = f"{ev.name}.{(EPOCH_UNIX + ev.first_tick) * 10**9 + ev.seq:x}"
        self.labels: dict[str, str] = {}
        self.creation_tick = ev.first_tick

    def render(self) -> dict:
        d = self.ev.to_dict(self.name)
        d["metadata"]["creationTimestamp"] = d["firstTimestamp"]
        return d


def list_objects(ctx: Ctx, res: Resource, namespace: str | None) -> list[Item]:
    """All objects of a type (namespace None: all namespaces) as printable items."""
    cluster = ctx.cluster
    ctx.authorize("list", res, namespace)
    if res.kind == "Event":
        evs = [EventObj(e) for e in cluster.events if namespace is None or (e.namespace or "default") == namespace]
        evs.sort(key=lambda e: (e.namespace, e.name))
        return [Item("Event", e.render(), e.ev) for e in evs]
    ns = namespace if res.namespaced else None
    return [item(cluster, o) for o in cluster.list(res.kind, ns)]


def item(cluster: Any, obj: Any) -> Item:
    return Item(obj.kind, cluster.render(obj), obj)


def get_object(ctx: Ctx, res: Resource, namespace: str, name: str, verb: str = "get") -> Item:
    ctx.authorize(verb, res, namespace, name)
    if res.kind == "Event":
        for it in list_objects(ctx, res, namespace):
            if it.name == name:
                return it
        raise ApiError("NotFound", f'{res.qualified} "{name}" not found', 404)
    obj = ctx.cluster.get(res.kind, namespace if res.namespaced else "", name)
    if obj is None:
        raise ApiError("NotFound", f'{res.qualified} "{name}" not found', 404)
    return item(ctx.cluster, obj)


# -- manifests -------------------------------------------------------------------------------

@dataclass
class Manifest:
    body: dict
    source: str


MAX_MANIFEST_BYTES = 4 * 1024 * 1024       # one file given to -f
MAX_TOTAL_BYTES = 16 * 1024 * 1024         # every file of one command together
SUFFIXES = (".yaml", ".yml", ".json")


def _read_path(ctx: Ctx, path: str, recursive: bool) -> list[tuple[str, str]]:
    """What `-f PATH` names: stdin (`-`), a regular file, or the manifest files of a directory
    (below it with -R, never through a link out of it). Devices, FIFOs and terminals are refused
    before they are read: kubectl would wait on them forever, the game must not."""
    if path == "-":
        if ctx.stdin is None:
            raise KubectlError("no objects passed to apply" if ctx.p.path == "apply" else "no objects passed to create")
        return [("STDIN", ctx.stdin)]
    if path.startswith(("http://", "https://")):
        raise KubectlError(f"the path \"{path}\" cannot be fetched: kubegame has no network access")
    if ctx.files is not None:
        if path in ctx.files:
            return [(path, ctx.files[path])]
        prefix = path.rstrip("/") + "/"
        found = sorted(k for k in ctx.files if k.startswith(prefix) and k.endswith(SUFFIXES)
                       and (recursive or "/" not in k[len(prefix):]))
        if found:
            return [(k, ctx.files[k]) for k in found]
        if isinstance(ctx.files, NoHostFiles):
            raise KubectlError(f'the path "{path}" cannot be read: {NoHostFiles.REASON}')
        raise KubectlError(f'the path "{path}" does not exist')
    if not os.path.lexists(path):
        raise KubectlError(f'the path "{path}" does not exist')
    try:
        names = safeio.list_files(path, recursive, SUFFIXES) if os.path.isdir(path) else [path]
        out = []
        total = 0
        for name in names:
            text = safeio.read_text(name, MAX_MANIFEST_BYTES, "manifest file")
            total += len(text)
            if total > MAX_TOTAL_BYTES:
                raise KubectlError(f"the files under \"{path}\" hold more than {MAX_TOTAL_BYTES // (1024 * 1024)} MiB "
                                   "of manifests; kubegame reads at most that much at once")
            out.append((name, text))
            ctx.read[name] = text
        return out
    except safeio.InputError as exc:
        raise KubectlError(f"error reading {exc.path}: {exc.what}") from None


def parse_documents(text: str, source: str) -> list[Manifest]:
    """Multi-document YAML (or JSON); `kind: List` expands to its items. Parsed with the game's
    limits (kubegame/safeio.py): no alias bomb, recursion, NaN or over-deep nesting gets in."""
    out: list[Manifest] = []
    try:
        docs = [d.value for d in safeio.parse_text(text, source)]
    except safeio.InputError as exc:
        what = exc.what.removeprefix("invalid YAML: ")
        if "recursive alias" in what:
            what = "anchor value contains itself"           # go-yaml's words
        elif "alias" in what:
            what = "document contains excessive aliasing"
        raise KubectlError(f"error parsing {source}: error converting YAML to JSON: yaml: line {exc.line}: "
                           f"{what}") from None
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise KubectlError(f"error parsing {source}: error unmarshaling JSON: json: cannot unmarshal "
                               f"{_json_kind(doc)} into Go value of type map[string]interface {{}}")
        if doc.get("kind") == "List" or (str(doc.get("kind", "")).endswith("List") and "items" in doc):
            for it in doc.get("items") or []:
                if isinstance(it, dict):
                    out.append(Manifest(it, source))
            continue
        out.append(Manifest(doc, source))
    for m in out:
        md = m.body.get("metadata")
        if md is not None and not isinstance(md, dict):
            raise KubectlError(f'unable to decode "{source}": json: cannot unmarshal {_json_kind(md)} into Go struct '
                               "field ObjectMeta.metadata of type v1.ObjectMeta")
        if not m.body.get("kind"):
            raise KubectlError(f'error validating "{source}": error validating data: kind not set; if you choose '
                               "to ignore these errors, turn validation off with --validate=false")
        if not m.body.get("apiVersion"):
            raise KubectlError(f'error validating "{source}": error validating data: apiVersion not set; if you '
                               "choose to ignore these errors, turn validation off with --validate=false")
    return out


def _json_kind(value: Any) -> str:
    """How Go's encoding/json names a JSON value in `cannot unmarshal X into ...`."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if value is None:
        return "null"
    return "object"


def load_manifests(ctx: Ctx, keep_going: bool = False) -> list[Manifest]:
    """The manifests of every -f. With keep_going (apply, create: the builder's ContinueOnError) a file
    that does not parse is reported and the others still go through; the command then exits 1."""
    paths = ctx.p.flags.get("filename") or []
    out = []
    failed = False
    for path in paths:
        for source, text in _read_path(ctx, path, bool(ctx.p.flags.get("recursive"))):
            try:
                out.extend(parse_documents(text, source))
            except KubectlError as exc:
                if not keep_going:
                    raise
                ctx.error(f"error: {exc.message}")
                failed = True
    if not out and failed:
        return []
    if not out:
        raise KubectlError("no objects passed to " + ctx.p.path.split()[0])
    return out


def manifest_resource(m: Manifest) -> Resource:
    res = BY_KIND.get(str(m.body.get("kind")))
    if res is None:
        raise KubectlError(f'resource mapping not found for name: "{(m.body.get("metadata") or {}).get("name", "")}" '
                           f'namespace: "" from "{m.source}": no matches for kind "{m.body.get("kind")}" in version '
                           f'"{m.body.get("apiVersion")}"\nensure CRDs are installed first')
    return res


def resources_table() -> list[Resource]:
    return list(RESOURCES)


def read_data_file(ctx: Ctx, path: str) -> str:
    """A file a generator reads (--from-file, --from-env-file, --cert): from the replay's record when
    replaying, else from the disk (a regular text file, at most MAX_MANIFEST_BYTES), recorded for
    the replay. OSError's words as Go's os.Open gives them."""
    if ctx.files is not None:
        if path in ctx.files:
            return ctx.files[path]
        if isinstance(ctx.files, NoHostFiles):
            ctx.err.append(f"note: {NoHostFiles.REASON}\n")
        raise OSError(2, "no such file or directory")
    try:
        text = safeio.read_text(path, MAX_MANIFEST_BYTES, "file")
    except safeio.InputError as exc:
        if not os.path.lexists(path):
            raise OSError(2, "no such file or directory") from None
        raise OSError(22, exc.what) from None
    ctx.read[path] = text
    return text


def data_files(ctx: Ctx, path: str) -> list[tuple[str, str]]:
    """`--from-file=DIR`: the regular files directly in it (name, path), sorted."""
    if ctx.files is not None:
        prefix = path.rstrip("/") + "/"
        return sorted((k[len(prefix):], k) for k in ctx.files if k.startswith(prefix) and "/" not in k[len(prefix):])
    return sorted((n, os.path.join(path, n)) for n in os.listdir(path) if os.path.isfile(os.path.join(path, n))
                  and not os.path.islink(os.path.join(path, n)))


def is_dir(ctx: Ctx, path: str) -> bool:
    if ctx.files is not None:
        return any(k.startswith(path.rstrip("/") + "/") for k in ctx.files)
    return os.path.isdir(path)
