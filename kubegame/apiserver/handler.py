"""One API request against the game's cluster, answered synchronously between two ticks.

The routes and verbs of staging/src/k8s.io/apiserver/pkg/endpoints (installer.go, handlers/
get.go, create.go, update.go, patch.go, delete.go, watch.go): get, list (label and field
selectors, limit/continue), watch, create, update, patch (json, merge, strategic, apply),
delete and deletecollection, the status and scale subresources, pods/eviction, pods/log;
every request authorised by the cluster's RBAC (engine/rbac.py) for the token's user or the
user it impersonates, every write through the cluster's admission, dryRun=All on each write,
errors as metav1.Status. A write is recorded (`record`) so a replay repeats it.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from kubegame import safeio
from kubegame.apiserver import discovery, openapi, status, tables
from kubegame.apiserver.patch import PatchError, json_patch, merge_patch, strategic
from kubegame.apiserver.watch import Watcher, WatchLog
from kubegame.engine import rbac
from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import RESOURCES, Resource
from kubegame.kubectl.printers import Item
from kubegame.kubectl.util import (
    ApiBadRequest,
    KubectlError,
    field_matches,
    format_label_selector,
    parse_field_selector,
    parse_selector,
    selector_matches,
)

MAX_BODY = 3 * 1024 * 1024          # the API server's request body limit (3 MiB)
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
JSON = "application/json"
PATCH_TYPES = {"application/json-patch+json": "json", "application/merge-patch+json": "merge",
               "application/strategic-merge-patch+json": "strategic", "application/apply-patch+yaml": "apply",
               "application/apply-patch+cbor": "apply-cbor"}


VIEW_GROUPS = {("coordination.k8s.io", "v1"): "Lease", ("discovery.k8s.io", "v1"): "EndpointSlice"}
VIEW_PLURALS = {"Lease": "leases", "EndpointSlice": "endpointslices"}
VIEW_OF = {"Lease": "the nodes' heartbeats", "EndpointSlice": "the Services' Endpoints"}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)     # lower-case names
    body: bytes = b""
    user: rbac.Identity | None = None

    def q(self, name: str, default: str = "") -> str:
        v = self.query.get(name)
        return v[-1] if v else default

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


@dataclass
class Response:
    status: int
    body: Any = None                   # a dict (sent as JSON), or text
    content_type: str = JSON
    warnings: list[str] = field(default_factory=list)
    watch: Watcher | None = None       # a watch to stream (its first events in `initial`)
    initial: list[tuple[str, dict]] = field(default_factory=list)
    table_kind: str = ""               # a watch of Tables: the kind whose rows to print
    include: str = ""                  # includeObject of that watch
    follow: Any = None                 # pods/log?follow: a LogFollow
    exec_result: dict | None = None    # pods/exec: what the command wrote and its exit code
    changed: bool = False              # the request wrote to the cluster


@dataclass
class Route:
    res: Resource
    namespace: str | None
    name: str
    sub: str


class NoRoute(Exception):
    pass


def _resource(group: str, version: str, plural: str) -> Resource | None:
    return next((r for r in RESOURCES if r.group == group and r.version == version and r.plural == plural), None)


def route(group: str, version: str, rest: list[str]) -> Route:
    namespace = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        res = _resource(group, version, rest[2])
        if res is not None and res.namespaced:
            namespace, rest = rest[1], rest[2:]
    res = _resource(group, version, rest[0])
    if res is None or len(rest) > 3:
        raise NoRoute()
    name = rest[1] if len(rest) > 1 else ""
    sub = rest[2] if len(rest) > 2 else ""
    if (not res.namespaced and namespace is not None) or (res.namespaced and name and namespace is None):
        raise NoRoute()
    return Route(res, namespace, name, sub)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode()


def _unb64(token: str) -> dict:
    try:
        out = json.loads(base64.urlsafe_b64decode(token.encode()).decode())
        return out if isinstance(out, dict) else {}
    except (ValueError, UnicodeDecodeError):
        return {}


class _LogCtx:
    """What kubectl/cmd_sim's log functions read of a command context: the cluster."""

    def __init__(self, cluster: Any):
        self.cluster = cluster
        self.err: list[str] = []


class APIServer:
    """The HTTP API's semantics over one game (its cluster, clock and replay log)."""

    def __init__(self, game: Any):
        self.game = game
        self.cluster = game.cluster
        self.watches = getattr(game, "watch_log", None) or WatchLog(self.cluster)
        self._change_tick: int | None = None
        self._acting: rbac.Identity | None = None

    # -- entry ---------------------------------------------------------------------------------
    def handle(self, req: Request, record: bool = True) -> Response:
        self._acting = None
        try:
            resp = self._handle(req)
        except ApiError as exc:
            resp = Response(exc.code or 500, status.from_api_error(exc))
        except ApiBadRequest as exc:
            resp = Response(400, status.bad_request(exc.message))
        except KubectlError as exc:
            resp = Response(400, status.bad_request(str(exc.message if hasattr(exc, "message") else exc)))
        except NoRoute:
            resp = Response(404, status.not_found_path())
        finally:
            self.cluster.requester = None
        if resp.changed and record:
            self._record(req)
        return resp

    def _record(self, req: Request) -> None:
        g = self.game
        who = self._acting or req.user      # after impersonation: a replay acts as that user
        entry = {"tick": g.now, "api": {"method": req.method, "path": req.path,
                                        "query": {k: list(v) for k, v in sorted(req.query.items())},
                                        "content_type": req.header("content-type"),
                                        "body": req.body.decode("utf-8", "replace"),
                                        "user": who.name if who else "",
                                        "groups": list(who.groups) if who else [],
                                        "user_agent": req.header("user-agent")}}
        g.commands.append(entry)
        if self._change_tick != g.now:           # one change per tick of outside writes (the calm score)
            self._change_tick = g.now
            g.changes += 1

    def _handle(self, req: Request) -> Response:
        if req.method in WRITE_METHODS and len(req.body) > MAX_BODY:
            return Response(413, status.status(413, "RequestEntityTooLarge",
                                               "Request entity too large: limit is 3145728"))
        parts = [p for p in req.path.split("/") if p]
        if not parts:
            return Response(200, {"paths": sorted(self.paths())})
        if parts[0] in ("healthz", "livez", "readyz"):
            ok = self.cluster.apiserver_up() if hasattr(self.cluster, "apiserver_up") else True
            return Response(200 if ok else 500, "ok" if ok else "[-]etcd failed: reason withheld\nhealthz check "
                                                                  "failed", "text/plain; charset=utf-8")
        if parts == ["version"]:
            from kubegame.kubectl.cmd_info import server_version
            return Response(200, server_version())
        if parts[0] == "openapi":
            return openapi.respond(parts[1:], req.q("hash"))
        if parts[0] == "api":
            return self._api(req, "", parts[1:])
        if parts[0] == "apis":
            if len(parts) == 1:
                return self._discovery(req, core=False)
            return self._api(req, parts[1], parts[2:])
        raise NoRoute()

    def paths(self) -> list[str]:
        out = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version", "/openapi/v2", "/openapi/v3"]
        for g, v in discovery.groups():
            if g:
                out += [f"/apis/{g}", f"/apis/{g}/{v}"]
        return out

    def _discovery(self, req: Request, core: bool) -> Response:
        if req.method != "GET":
            return Response(405, status.method_not_allowed(req.method))
        if discovery.wants_aggregated(req.header("accept")):
            return Response(200, discovery.aggregated(core), discovery.AGGREGATED_V2)
        return Response(200, discovery.api_versions() if core else discovery.api_group_list())

    def _api(self, req: Request, group: str, parts: list[str]) -> Response:
        if not group and not parts:
            return self._discovery(req, core=True)
        if group and not parts:
            doc = discovery.api_group(group)
            if doc is None:
                raise NoRoute()
            return Response(200, doc)
        version, rest = (parts[0], parts[1:]) if group or parts else ("", [])
        if not rest:
            doc = discovery.resource_list(group, version)
            if doc is None:
                raise NoRoute()
            return Response(200, doc)
        if group == "metrics.k8s.io":
            return self._metrics(req, version, rest)
        if group in ("authentication.k8s.io", "authorization.k8s.io") and version == "v1":
            from kubegame.apiserver import reviews
            plural = rest[2] if len(rest) == 3 and rest[0] == "namespaces" else rest[0] if len(rest) == 1 else ""
            if plural in {p for _g, _v, p, _k, _n in reviews.REVIEWS}:
                # `auth whoami` posts an empty protobuf SelfSubjectReview: its body says nothing
                body = None if req.method != "POST" or plural == "selfsubjectreviews" else self._review_body(req)
                return reviews.respond(self, req, group, plural, body)
            raise NoRoute()
        if (group, version) in VIEW_GROUPS:
            return self._view(req, group, version, rest)
        r = route(group, version, rest)
        who = self._who(req)
        self.cluster.requester = who
        m = req.method
        if m == "GET":
            if not r.name:
                if req.q("watch") in ("1", "true"):
                    return self._watch(req, r, who)
                return self._list(req, r, who)
            if r.sub in ("", "status"):
                return self._get(req, r, who)
            if r.sub == "scale" and r.res.kind in discovery.WITH_SCALE:
                return self._get_scale(r, who)
            if r.sub == "log" and r.res.kind == "Pod":
                return self._log(req, r, who)
            if r.sub == "exec" and r.res.kind == "Pod":
                return self._exec(req, r, who)
        elif m == "POST":
            if not r.name:
                return self._create(req, r, who)
            if r.sub == "exec" and r.res.kind == "Pod":
                return self._exec(req, r, who)
            if r.sub == "eviction" and r.res.kind == "Pod":
                return self._evict(req, r, who)
        elif m == "PUT" and r.name and r.sub in ("", "status", "scale"):
            return self._update(req, r, who, self._body(req))
        elif m == "PATCH" and r.name and r.sub in ("", "status", "scale"):
            return self._patch(req, r, who)
        elif m == "DELETE":
            return self._delete(req, r, who) if r.name else self._delete_collection(req, r, who)
        if r.sub and r.sub not in ("status", "scale", "log", "eviction"):
            if r.res.kind == "Pod" and r.sub in ("attach", "portforward", "binding", "ephemeralcontainers"):
                return Response(405, status.status(405, "MethodNotAllowed",
                                                   f"kubegame serve does not serve pods/{r.sub} yet"))
            raise NoRoute()
        return Response(405, status.method_not_allowed(m))

    # -- who --------------------------------------------------------------------------------------
    def _who(self, req: Request) -> rbac.Identity:
        who = req.user or rbac.Identity("system:anonymous", ("system:unauthenticated",))
        as_user = req.header("impersonate-user")
        as_groups = [v.strip() for v in req.header("impersonate-group").split(",") if v.strip()]
        if as_user:
            who = rbac.impersonate(self.cluster, who, as_user, as_groups)
        self._acting = who
        return who

    def _authorize(self, who: rbac.Identity, verb: str, r: Route, name: str = "", sub: str = "") -> None:
        rbac.authorize(self.cluster, who, rbac.Request(verb, r.res.plural, r.res.group,
                                                       (r.namespace or "") if r.res.namespaced else "", name, sub))

    # -- reads ------------------------------------------------------------------------------------
    def _objects(self, r: Route, copy: bool = True) -> list[tuple[dict, Any]]:
        """The route's objects rendered; `copy=False` when the answer is serialised before the loop
        runs anything else (a list), so nothing can change them in between."""
        if r.res.kind == "Event":
            from kubegame.kubectl.core import EventObj
            evs = [EventObj(e) for e in self.cluster.events
                   if r.namespace is None or (e.namespace or "default") == r.namespace]
            evs.sort(key=lambda e: (e.namespace, e.name))
            return [(e.render(), e.ev) for e in evs]
        ns = r.namespace if r.res.namespaced else None
        return [(self.cluster.render(o, copy), o) for o in self.cluster.list(r.res.kind, ns)]

    def _with_managed(self, d: dict, obj: Any) -> dict:
        from kubegame.engine.objects import KObject
        if isinstance(obj, KObject) and obj.uid and isinstance(d.get("metadata"), dict):
            from kubegame.kubectl.fieldset import managed_fields
            mf = managed_fields(self.cluster, obj, keep=False)
            if mf:
                d["metadata"]["managedFields"] = mf
        return d

    def _selectors(self, req: Request, r: Route) -> tuple[list, list]:
        labels = parse_selector(req.q("labelSelector"))
        fields = parse_field_selector(req.q("fieldSelector"), r.res.kind, r.res.version)
        return labels, fields

    def _list(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "list", r)
        labels, fields = self._selectors(req, r)
        as_table = tables.wants_table(req.header("accept"))
        if as_table and r.res.kind == "Pod" and not fields and req.q("includeObject", "Metadata") != "Object":
            # a table of pods needs their metadata and cells only (tables.py works the cells out from
            # the Pod): no rendering of 10,000 pod statuses
            ns = r.namespace if r.res.namespaced else None
            found = [({"metadata": o.metadata_dict()}, o) for o in self.cluster.list("Pod", ns)
                     if selector_matches(labels, o.labels)]
        else:
            found = [(d, o) for d, o in self._objects(r, copy=False)
                     if selector_matches(labels, (d.get("metadata") or {}).get("labels") or {})
                     and field_matches(fields, d)]
        rv = str(self.cluster.store.resource_version)
        cont = req.q("continue")
        if cont:
            token = _unb64(cont)
            if "after" not in token:
                return Response(400, status.bad_request("continue key is not valid: invalid continue token"))
            after = tuple(token["after"])
            found = [(d, o) for d, o in found if self._key(d) > after]
        limit = int(req.q("limit") or 0) if req.q("limit").isdigit() else 0
        next_token, remaining = "", 0
        if limit and len(found) > limit:
            remaining = len(found) - limit
            found = found[:limit]
            next_token = _b64({"after": list(self._key(found[-1][0])), "rv": rv})
        if as_table:
            items = [Item(r.res.kind, d, o) for d, o in found]
            return Response(200, tables.table(self.cluster.now, r.res.kind, items, req.q("includeObject", "Metadata"),
                                              rv, next_token),
                            "application/json;as=Table;v=v1;g=meta.k8s.io")
        md: dict[str, Any] = {"resourceVersion": rv}
        if next_token:
            md["continue"], md["remainingItemCount"] = next_token, remaining
        items = []
        for d, o in found:
            d = self._with_managed(d, o)
            d.pop("apiVersion", None)
            d.pop("kind", None)
            items.append(d)
        return Response(200, {"kind": f"{r.res.kind}List", "apiVersion": r.res.api_version, "metadata": md,
                              "items": items})

    @staticmethod
    def _key(d: dict) -> tuple[str, str]:
        md = d.get("metadata") or {}
        return (md.get("namespace", ""), md.get("name", ""))

    def _find(self, r: Route) -> tuple[dict, Any]:
        if r.res.kind == "Event":
            for d, o in self._objects(r):
                if (d.get("metadata") or {}).get("name") == r.name:
                    return d, o
            raise ApiError("NotFound", f'{r.res.qualified} "{r.name}" not found', 404)
        obj = self.cluster.get(r.res.kind, r.namespace or "" if r.res.namespaced else "", r.name)
        if obj is None:
            raise ApiError("NotFound", f'{r.res.qualified} "{r.name}" not found', 404)
        return self.cluster.render(obj), obj

    def _get(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "get", r, r.name, r.sub)
        d, obj = self._find(r)
        if tables.wants_table(req.header("accept")):
            return Response(200, tables.table(self.cluster.now, r.res.kind, [Item(r.res.kind, d, obj)],
                                              req.q("includeObject", "Metadata"),
                                              str(self.cluster.store.resource_version)),
                            "application/json;as=Table;v=v1;g=meta.k8s.io")
        return Response(200, self._with_managed(d, obj))

    def _watch(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "watch", r)
        labels, fields = self._selectors(req, r)
        rv_text = req.q("resourceVersion")
        initial_events = req.q("sendInitialEvents") == "true"
        current = self.cluster.store.resource_version
        w = Watcher(r.res.kind, r.namespace if r.res.namespaced else None, labels, fields, current,
                    bookmarks=req.q("allowWatchBookmarks") == "true")
        resp = Response(200, None, JSON, watch=w)
        if tables.wants_table(req.header("accept")):
            resp.table_kind, resp.include = r.res.kind, req.q("includeObject", "Metadata")
            resp.content_type = "application/json;as=Table;v=v1;g=meta.k8s.io"
        existing = [(d, o) for d, o in self._objects(r) if w.matches(d)]
        if not rv_text or rv_text == "0" or initial_events:
            for d, o in existing:
                resp.initial.append(("ADDED", self._with_managed(d, o)))
                w.present.add(self._key(d))
            if initial_events:
                resp.initial.append(("BOOKMARK", self.bookmark(r.res, current, initial_end=True)))
            self.watches.open[r.res.kind] = self.watches.open.get(r.res.kind, 0) + 1
            return resp
        if not rv_text.isdigit():
            return Response(400, status.bad_request(f'invalid resource version: "{rv_text}"'))
        rv = int(rv_text)
        if r.res.kind != "Event" and self.watches.too_old(rv):
            return Response(410, status.status(410, "Expired", f"too old resource version: {rv} "
                                                               f"({self.watches.start_rv})"))
        w.present = {self._key(d) for d, _o in existing}
        w.rv = rv
        self.watches.open[r.res.kind] = self.watches.open.get(r.res.kind, 0) + 1
        return resp

    def bookmark(self, res: Resource, rv: int, initial_end: bool = False) -> dict:
        md: dict[str, Any] = {"resourceVersion": str(rv)}
        if initial_end:
            md["annotations"] = {"k8s.io/initial-events-end": "true"}
        return {"kind": res.kind, "apiVersion": res.api_version, "metadata": md}

    def watch_events(self, w: Watcher) -> list[tuple[str, dict]]:
        """What an open watch is owed since it last read: (type, object) in resourceVersion order."""
        out: list[tuple[str, dict]] = []
        if w.kind == "Event":
            from kubegame.kubectl.core import EventObj
            seen = getattr(w, "event_counts", None)
            if seen is None:
                seen = w.event_counts = {}       # type: ignore[attr-defined]
                for e in self.cluster.events:
                    seen[e.seq] = e.count
            for e in list(self.cluster.events):
                if seen.get(e.seq) == e.count:
                    continue
                d = EventObj(e).render()
                if not w.matches(d):
                    continue
                d["metadata"]["resourceVersion"] = str(self.cluster.store.resource_version)
                out.append(("ADDED" if e.seq not in seen else "MODIFIED", d))
                seen[e.seq] = e.count
            return out
        for rv, type_, d in self.watches.since(w.rv, w.kind):
            w.rv = rv
            t = w.translate(type_, d)
            if t is not None:
                out.append((t, d))
        w.rv = max(w.rv, self.cluster.store.resource_version)
        return out

    def close_watch(self, w: Watcher) -> None:
        n = self.watches.open.get(w.kind, 0) - 1
        if n > 0:
            self.watches.open[w.kind] = n
        else:
            self.watches.open.pop(w.kind, None)

    def table_event(self, kind: str, d: dict, include: str) -> dict:
        from kubegame.engine.kinds import BY_KIND
        obj = None
        md = d.get("metadata") or {}
        if kind in BY_KIND and kind != "Event":
            obj = self.cluster.get(kind, md.get("namespace", ""), md.get("name", ""))
        return tables.table(self.cluster.now, kind, [Item(kind, d, obj)], include, md.get("resourceVersion", ""))

    # -- writes -----------------------------------------------------------------------------------
    def _body(self, req: Request) -> Any:
        text = req.body.decode("utf-8", "replace")
        ctype = req.header("content-type").split(";")[0].strip()
        if ctype == "application/vnd.kubernetes.protobuf":
            from kubegame.apiserver import protobuf
            try:
                return protobuf.decode_object(req.body)
            except protobuf.ProtobufError as exc:
                raise ApiBadRequest(f"the body of the request could not be decoded: {exc}") from None
        if ctype == "application/cbor":
            raise ApiError("UnsupportedMediaType", 'the body of the request was in an unknown format - accepted '
                                                   'media types include: application/json, application/yaml, '
                                                   'application/vnd.kubernetes.protobuf', 415)
        try:
            if ctype in ("application/yaml", "application/apply-patch+yaml") or \
                    (ctype not in ("", JSON) and not text.lstrip().startswith(("{", "["))):
                docs = safeio.parse_text(text, "request body")
                return docs[0].value if docs else None
            return safeio.load_json(text, "request body")
        except safeio.InputError as exc:
            raise ApiBadRequest(f"the body of the request was in an unknown format - accepted media types "
                                f"include: application/json, application/yaml, application/vnd.kubernetes.protobuf "
                                f"({exc.what})") from None

    def _review_body(self, req: Request) -> Any:
        """A review request: JSON, or the protobuf kubectl's typed client sends (`auth can-i`)."""
        if req.header("content-type").split(";")[0].strip() == "application/vnd.kubernetes.protobuf":
            from kubegame.apiserver import protobuf
            try:
                return {"spec": protobuf.review_spec(req.body)}
            except protobuf.ProtobufError as exc:
                raise ApiBadRequest(f"the body of the request could not be decoded: {exc}") from None
        return self._body(req)

    def _dry(self, req: Request) -> bool:
        d = req.query.get("dryRun") or []
        for v in d:
            if v != "All":
                raise ApiBadRequest(f'Invalid dry run value "{v}": valid values are "All"')
        return bool(d)

    def _manager(self, req: Request) -> str:
        """fieldManager, else the user agent's first part (fieldmanager.prefixFromUserAgent)."""
        m = req.q("fieldManager")
        if m:
            return m
        ua = req.header("user-agent") or "unknown"
        return ua.split("/", 1)[0][:128]

    def _check_body(self, req: Request, r: Route, body: Any, for_update: bool) -> dict:
        if not isinstance(body, dict):
            raise ApiBadRequest("the object provided is not a valid object")
        md = body.get("metadata")
        if md is None:
            md = body["metadata"] = {}
        if not isinstance(md, dict):
            raise ApiBadRequest("metadata: must be an object")
        kind, api_version = body.get("kind"), body.get("apiVersion")
        if kind is not None and kind != r.res.kind and r.sub == "":
            raise ApiBadRequest(f'the API version in the data ({api_version}) does not match the expected API version '
                                f'({r.res.api_version})' if api_version != r.res.api_version else
                                f"{kind} in version \"{r.res.version}\" cannot be handled as a {r.res.kind}: "
                                f"no kind \"{kind}\" is registered for version \"{r.res.api_version}\"")
        body.setdefault("kind", r.res.kind)
        body.setdefault("apiVersion", r.res.api_version)
        if r.res.namespaced:
            ns = md.get("namespace")
            if ns and ns != r.namespace:
                raise ApiBadRequest("the namespace of the provided object does not match the namespace sent on the "
                                    "request")
            md["namespace"] = r.namespace
        if for_update and md.get("name") and md.get("name") != r.name:
            raise ApiBadRequest(f"the name of the object ({md.get('name')}) does not match the name on the URL "
                                f"({r.name})")
        if for_update:
            md["name"] = r.name
        return body

    def _field_validation(self, req: Request, body: dict) -> list[str]:
        """fieldValidation: Strict refuses unknown fields (admission's strict decoding), Warn (the
        default) drops each with a warning, Ignore drops them silently."""
        mode = req.q("fieldValidation") or "Warn"
        if mode not in ("Strict", "Warn", "Ignore"):
            raise ApiBadRequest(f'fieldValidation parameter unsupported: "{mode}"; valid values are "Ignore", '
                                f'"Warn", "Strict"')
        if mode == "Strict":
            return []
        from kubegame.engine.admission import unknown_fields
        from kubegame.kubectl.cmd_write import _drop_path
        out = []
        for path in unknown_fields(body):
            _drop_path(body, path)
            if mode == "Warn":
                out.append(f'unknown field "{path}"')
        return out

    @staticmethod
    def _unsimulated(body: dict) -> list[str]:
        from kubegame.engine.fieldsupport import warnings_for
        return list(warnings_for(body))

    def _create(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "create", r)
        body = self._check_body(req, r, self._body(req), for_update=False)
        warnings = self._field_validation(req, body)
        md = body["metadata"]
        if not md.get("name") and md.get("generateName"):
            from kubegame.engine.cluster import generated_name
            md["name"] = generated_name(str(md["generateName"]), self.cluster.random_suffix())
        dry = self._dry(req)
        obj = self.cluster.create(body, r.namespace, dry_run=dry)
        if not dry:
            from kubegame.kubectl.fieldset import record_update
            record_update(self.cluster, obj, None, self._manager(req))
        d = self._with_managed(self.cluster.render(obj), obj)
        return Response(201, d, warnings=warnings + self._unsimulated(body), changed=not dry)

    def _precondition(self, r: Route, body: dict, obj: Any) -> None:
        want = (body.get("metadata") or {}).get("resourceVersion")
        if want and str(want) != str(obj.resource_version):
            raise ApiError("Conflict", f'Operation cannot be fulfilled on {r.res.qualified} "{r.name}": the object has '
                                       "been modified; please apply your changes to the latest version and try again",
                           409)

    def _update(self, req: Request, r: Route, who: rbac.Identity, body: Any, verb: str = "update",
                warnings: list[str] | None = None) -> Response:
        self._authorize(who, verb, r, r.name, r.sub)
        if r.sub == "scale":
            return self._put_scale(req, r, body)
        body = self._check_body(req, r, body, for_update=True)
        warnings = list(warnings or []) + self._field_validation(req, body)
        current, obj = self._find(r)
        self._precondition(r, body, obj)
        dry = self._dry(req)
        if r.sub == "status":
            return self._put_status(req, r, obj, body, dry)
        from kubegame.kubectl.cmd_write import clean_for_write
        from kubegame.kubectl.fieldset import record_update
        new, changed = self.cluster.update(clean_for_write(body), r.namespace, dry_run=dry)
        if dry:        # the object as it would be: what was sent, over the live one, at its version
            body["metadata"]["resourceVersion"] = str(obj.resource_version)
            return Response(200, body, warnings=warnings + self._unsimulated(body))
        if changed:
            record_update(self.cluster, new, current, self._manager(req))
        return Response(200, self._with_managed(self.cluster.render(new), new),
                        warnings=warnings + self._unsimulated(body), changed=changed)

    def _put_status(self, req: Request, r: Route, obj: Any, body: dict, dry: bool) -> Response:
        if r.res.kind in ("Pod", "Node"):
            raise ApiError("MethodNotAllowed", f"kubegame: the status of {r.res.plural} is the kubelet's: it cannot "
                                               "be written through the API", 405)
        new_status = body.get("status")
        if not isinstance(new_status, dict):
            new_status = {}
        changed = new_status != (obj.status or {})
        if changed and not dry:
            before = self.cluster.render(obj)
            obj.status = new_status
            self.cluster.store.modified(obj, status_only=True)
            from kubegame.kubectl.fieldset import record_update
            record_update(self.cluster, obj, before, self._manager(req), "status")
        return Response(200, self.cluster.render(obj), changed=changed and not dry)

    def _get_scale(self, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "get", r, r.name, "scale")
        _d, obj = self._find(r)
        return Response(200, self._scale_doc(r, obj))

    def _scale_doc(self, r: Route, obj: Any) -> dict:
        sel = obj.spec.get("selector") or {}
        return {"kind": "Scale", "apiVersion": "autoscaling/v1",
                "metadata": {"name": obj.name, "namespace": obj.namespace, "uid": obj.uid,
                             "resourceVersion": str(obj.resource_version),
                             "creationTimestamp": (self.cluster.render(obj).get("metadata") or {}).get(
                                 "creationTimestamp")},
                "spec": {"replicas": int(obj.spec.get("replicas", 1) or 0)},
                "status": {"replicas": int((obj.status or {}).get("replicas", 0) or 0),
                           "selector": format_label_selector(sel).replace("<none>", "")}}

    def _put_scale(self, req: Request, r: Route, body: Any) -> Response:
        _d, obj = self._find(r)
        if not isinstance(body, dict):
            raise ApiBadRequest("the object provided is not a valid object")
        want = (body.get("metadata") or {}).get("resourceVersion")
        if want and str(want) != str(obj.resource_version):
            self._precondition(r, body, obj)
        replicas = (body.get("spec") or {}).get("replicas", 0)
        if not isinstance(replicas, int) or isinstance(replicas, bool):
            raise ApiError("Invalid", f'Scale.autoscaling "{r.name}" is invalid: spec.replicas: Invalid value: '
                                      f'"{replicas}": must be an integer', 422)
        dry = self._dry(req)
        if replicas < 0:
            raise ApiError("Invalid", f'Scale.autoscaling "{r.name}" is invalid: spec.replicas: Invalid value: '
                                      f"{replicas}: must be greater than or equal to 0", 422)
        changed = int(obj.spec.get("replicas", 1) or 0) != replicas
        if changed and not dry:
            before = self.cluster.render(obj)
            self.cluster.scale(r.res.kind, obj.namespace, obj.name, replicas)
            from kubegame.kubectl.fieldset import record_update
            record_update(self.cluster, obj, before, self._manager(req), "scale")
        doc = self._scale_doc(r, obj)
        if dry:
            doc["spec"]["replicas"] = replicas
        return Response(200, doc, changed=changed and not dry)

    def _patch(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "patch", r, r.name, r.sub)
        ctype = req.header("content-type").split(";")[0].strip()
        kind = PATCH_TYPES.get(ctype)
        if kind is None or kind == "apply-cbor":
            return Response(415, status.status(415, "UnsupportedMediaType",
                                               'the body of the request was in an unknown format - accepted media '
                                               'types include: application/json-patch+json, application/merge-patch+'
                                               'json, application/apply-patch+yaml, application/strategic-merge-patch+'
                                               'json'))
        patch = self._body(req)
        if kind == "apply":
            return self._apply(req, r, patch)
        current, obj = self._find(r)
        if r.sub == "scale":
            current = self._scale_doc(r, obj)
        else:
            current = self._with_managed(current, obj)
        try:
            if kind == "json":
                new = json_patch(current, patch)
            elif not isinstance(patch, dict):
                raise PatchError("json: cannot unmarshal array into Go value of type map[string]interface {}", 400)
            elif kind == "merge":
                new = merge_patch(current, patch)
            else:
                new = strategic(current, patch)
        except PatchError as exc:
            reason = "Invalid" if exc.code == 422 else "BadRequest"
            return Response(exc.code, status.status(exc.code, reason, exc.message, {} if exc.code == 422 else None))
        if not isinstance(new, dict):
            raise ApiBadRequest("the patch did not produce an object")
        md = new.setdefault("metadata", {})
        sets_rv = (patch.get("metadata") or {}).get("resourceVersion") is not None if isinstance(patch, dict) else \
            any(isinstance(op, dict) and op.get("path") == "/metadata/resourceVersion" for op in patch or [])
        if not sets_rv:
            md.pop("resourceVersion", None)       # no precondition unless the patch sets one
        managed = md.pop("managedFields", None)
        rewrote = False
        if r.sub == "" and managed != current.get("metadata", {}).get("managedFields"):
            # a client rewrote managedFields (kubectl's client-side-apply upgrade): its entries now
            self._precondition(r, new, obj)
            if not self._dry(req):
                from kubegame.kubectl.fieldset import set_managed_fields
                set_managed_fields(self.cluster, obj, managed if isinstance(managed, list) else [])
                rewrote = True
        resp = self._update(req, r, who, new, verb="patch")
        resp.changed = resp.changed or rewrote         # the owners changed even if the object did not
        return resp

    def _apply(self, req: Request, r: Route, patch: Any) -> Response:
        """Server-side apply (kubectl/fieldset.py: managedFields, conflicts, force)."""
        from kubegame.kubectl import fieldset as fs
        if not isinstance(patch, dict):
            raise ApiBadRequest("error decoding YAML: the body is not an object")
        if not req.q("fieldManager"):
            raise ApiBadRequest("PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required "
                                "for apply patch")
        body = self._check_body(req, r, patch, for_update=True)
        warnings = self._field_validation(req, body)
        force = req.q("force") == "true"
        dry = self._dry(req)
        try:
            obj, created = fs.server_side_apply(self.cluster, r.res, body, r.namespace or "", r.name,
                                                req.q("fieldManager"), force, dry)
        except fs.ApplyConflict as exc:
            causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {fs.display(m)}",
                       "field": fs.path_text(p)} for m, p in exc.found]
            return Response(409, status.status(409, "Conflict", exc.server_message(r.res.api_version),
                                               {"causes": causes}))
        return Response(201 if created else 200, self._with_managed(self.cluster.render(obj), obj),
                        warnings=warnings + self._unsimulated(body), changed=not dry)

    def _delete_options(self, req: Request) -> dict:
        opts: dict[str, Any] = {}
        if req.body.strip():
            body = self._body(req)
            if isinstance(body, dict):
                opts.update(body)
        if req.q("gracePeriodSeconds"):
            try:
                opts["gracePeriodSeconds"] = int(req.q("gracePeriodSeconds"))
            except ValueError:
                raise ApiBadRequest(f'gracePeriodSeconds: invalid value "{req.q("gracePeriodSeconds")}"') from None
        if req.q("propagationPolicy"):
            opts["propagationPolicy"] = req.q("propagationPolicy")
        if req.query.get("dryRun"):
            opts["dryRun"] = req.query["dryRun"]
        policy = opts.get("propagationPolicy") or "Background"
        if policy not in ("Foreground", "Background", "Orphan"):
            raise ApiError("Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported '
                                      f'value: "{policy}": supported values: "Foreground", "Background", "Orphan"',
                           422)
        for v in opts.get("dryRun") or []:
            if v != "All":
                raise ApiBadRequest(f'Invalid dry run value "{v}": valid values are "All"')
        return opts

    def _delete(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "delete", r, r.name)
        if r.sub:
            return Response(405, status.method_not_allowed("DELETE"))
        opts = self._delete_options(req)
        d, obj = self._find(r)
        pre = opts.get("preconditions") or {}
        if pre.get("uid") and pre["uid"] != d["metadata"].get("uid"):
            raise ApiError("Conflict", f"Precondition failed: UID in precondition: {pre['uid']}, UID in object meta: "
                                       f"{d['metadata'].get('uid')}", 409)
        if pre.get("resourceVersion") and str(pre["resourceVersion"]) != d["metadata"].get("resourceVersion"):
            raise ApiError("Conflict", f"Precondition failed: ResourceVersion in precondition: "
                                       f"{pre['resourceVersion']}, ResourceVersion in object meta: "
                                       f"{d['metadata'].get('resourceVersion')}", 409)
        if opts.get("dryRun"):
            return Response(200, d)
        if r.res.kind == "Event":
            raise ApiError("MethodNotAllowed", "kubegame: events expire by themselves; they are not deleted", 405)
        grace = opts.get("gracePeriodSeconds")
        self.cluster.delete(r.res.kind, obj.namespace, obj.name, grace if isinstance(grace, int) else None,
                            propagation=str(opts.get("propagationPolicy") or "Background"))
        still = self.cluster.get(r.res.kind, obj.namespace, obj.name)
        return Response(200, self.cluster.render(still if still is not None else obj), changed=True)

    def _delete_collection(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "deletecollection", r)
        labels, fields = self._selectors(req, r)
        opts = self._delete_options(req)
        gone = []
        for d, obj in self._objects(r):
            if selector_matches(labels, (d.get("metadata") or {}).get("labels") or {}) and field_matches(fields, d):
                if not opts.get("dryRun") and r.res.kind != "Event":
                    grace = opts.get("gracePeriodSeconds")
                    self.cluster.delete(r.res.kind, obj.namespace, obj.name, grace if isinstance(grace, int) else None)
                d.pop("apiVersion", None)
                d.pop("kind", None)
                gone.append(d)
        return Response(200, {"kind": f"{r.res.kind}List", "apiVersion": r.res.api_version,
                              "metadata": {"resourceVersion": str(self.cluster.store.resource_version)},
                              "items": gone}, changed=bool(gone) and not opts.get("dryRun"))

    def _evict(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "create", r, r.name, "eviction")
        body = self._body(req)
        if not isinstance(body, dict):
            raise ApiBadRequest("the object provided is not a valid object")
        md = body.get("metadata") or {}
        if md.get("name") and md.get("name") != r.name:
            raise ApiBadRequest("name in URL does not match name in Eviction object")
        _d, pod = self._find(r)
        opts = body.get("deleteOptions") or {}
        dry = bool(opts.get("dryRun")) or self._dry(req)
        if dry:
            return Response(201, status.success())
        from kubegame.kubectl.drain import evict
        grace = opts.get("gracePeriodSeconds")
        evict(self.cluster, pod, grace if isinstance(grace, int) else None)
        return Response(201, status.success(), changed=True)

    # -- pods/exec ----------------------------------------------------------------------------------
    def _exec(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        """Run `command` in the container with the engine's container shell (what the built-in
        `kubectl exec` runs); the HTTP layer streams the answer over the WebSocket channel protocol.
        A command may write (files on a volume), so every exec is recorded for the replay."""
        self._authorize(who, "create", r, r.name, "exec")
        _d, pod = self._find(r)
        argv = req.query.get("command") or []
        if not argv:
            raise ApiBadRequest("you must specify at least one command for the container")
        name = req.q("container") or pod.main.name
        c = next((x for x in pod.all_containers if x.name == name), None)
        if c is None:
            raise ApiBadRequest(f"container {name} is not valid for pod {pod.name}")
        if pod.phase in ("Succeeded", "Failed"):
            raise ApiBadRequest(f"cannot exec into a container in a completed pod; current phase is {pod.phase}")
        if c.state != "running":
            raise ApiBadRequest(f'container not found ("{name}")')
        node = self.cluster.node(pod.node_name)
        if node is None or not node.alive:
            raise ApiError("InternalError", "error dialing backend: dial tcp: connect: no route to host", 500)
        if req.q("tty") in ("1", "true"):
            out, err, code = "", ("kubegame serve: an interactive terminal is not served; run one command at a "
                                  "time, or use the game's own command line (kubectl exec -it)\n"), 1
        else:
            from kubegame.engine.shell import Shell
            out, err, code = Shell(self.cluster, pod, pod.namespace, pod.name, name).run(list(argv))
        return Response(200, exec_result={"stdout": out, "stderr": err, "exitCode": code}, changed=True)

    # -- pods/log -----------------------------------------------------------------------------------
    def _log(self, req: Request, r: Route, who: rbac.Identity) -> Response:
        self._authorize(who, "get", r, r.name, "log")
        _d, pod = self._find(r)
        c = self._log_container(pod, req.q("container"))
        from kubegame.kubectl.cmd_logs import container_lines
        lines = container_lines(_LogCtx(self.cluster), pod, c, req.q("previous") == "true")
        text = self._log_text(req, lines)
        if req.q("follow") == "true" and req.q("previous") != "true":
            return Response(200, text, "text/plain", follow=LogFollow(pod, c.name, len(lines), req))
        return Response(200, text, "text/plain")

    def _log_container(self, pod: Any, name: str) -> Any:
        if not name:
            if len(pod.containers) != 1:
                names = " ".join(c.name for c in pod.containers)
                raise ApiBadRequest(f"a container name must be specified for pod {pod.name}, choose one of: "
                                    f"[{names}]" + (f" or one of the init containers: "
                                                    f"[{' '.join(c.name for c in pod.init_containers)}]"
                                                    if pod.init_containers else ""))
            return pod.containers[0]
        for c in pod.containers + pod.init_containers:
            if c.name == name:
                return c
        raise ApiBadRequest(f"container {name} is not valid for pod {pod.name}")

    def _log_text(self, req: Request, lines: list[tuple[int, str]]) -> str:
        from kubegame.engine.objects import timestamp
        since = req.q("sinceSeconds")
        if since.isdigit():
            lines = [(t, ln) for t, ln in lines if t >= self.cluster.now - int(since)]
        tail = req.q("tailLines")
        if tail.lstrip("-").isdigit() and int(tail) >= 0:
            lines = lines[len(lines) - int(tail):] if int(tail) else []
        stamp = req.q("timestamps") == "true"
        text = "".join((timestamp(t).replace("Z", ".000000000Z") + " " if stamp else "") + ln + "\n"
                       for t, ln in lines)
        limit = req.q("limitBytes")
        if limit.isdigit():
            text = text[:int(limit)]
        return text

    def follow_log(self, f: LogFollow) -> tuple[str, bool]:
        """New lines of a followed container, and whether it is done (the pod gone or the container ended)."""
        pod = self.cluster.get("Pod", f.pod.namespace, f.pod.name)
        if pod is None or pod.uid != f.pod.uid:
            return "", True
        c = next((x for x in pod.containers + pod.init_containers if x.name == f.container), None)
        if c is None:
            return "", True
        from kubegame.kubectl.cmd_logs import container_lines
        try:
            lines = container_lines(_LogCtx(self.cluster), pod, c, False)
        except ApiError:
            return "", False
        new = lines[f.sent:]
        f.sent = len(lines)
        done = c.state == "terminated"
        stamp = f.timestamps
        from kubegame.engine.objects import timestamp
        return "".join((timestamp(t).replace("Z", ".000000000Z") + " " if stamp else "") + ln + "\n"
                       for t, ln in new), done

    # -- views: node Leases, EndpointSlices (engine/apiviews.py) -----------------------------------
    def _view(self, req: Request, group: str, version: str, rest: list[str]) -> Response:
        from kubegame.engine import apiviews
        namespace = None
        if len(rest) >= 3 and rest[0] == "namespaces":
            namespace, rest = rest[1], rest[2:]
        plural = rest[0]
        kind = VIEW_GROUPS[(group, version)]
        if plural != VIEW_PLURALS[kind] or len(rest) > 2:
            raise NoRoute()
        name = rest[1] if len(rest) == 2 else ""
        if req.method != "GET" or req.q("watch") in ("1", "true"):
            return Response(405, status.status(405, "MethodNotAllowed", f"kubegame serves {plural} read-only: they "
                                                                          f"are views of {VIEW_OF[kind]}"))
        who = self._who(req)
        rbac.authorize(self.cluster, who, rbac.Request("get" if name else "list", plural, group, namespace or "",
                                                       name))
        if kind == "Lease":
            docs = apiviews.leases(self.cluster) if namespace in (None, apiviews.LEASE_NS) else []
        else:
            docs = apiviews.all_endpoint_slices(self.cluster, namespace)
        labels = parse_selector(req.q("labelSelector"))
        docs = [d for d in docs if selector_matches(labels, d["metadata"].get("labels") or {})]
        qualified = f"{plural}.{group}"
        if name:
            found = [d for d in docs if d["metadata"]["name"] == name]
            if not found:
                raise ApiError("NotFound", f'{qualified} "{name}" not found', 404)
            docs = found
        rv = str(self.cluster.store.resource_version)
        if tables.wants_table(req.header("accept")):
            return Response(200, tables.view_table(self.cluster.now, kind, docs, req.q("includeObject", "Metadata"),
                                                   rv), "application/json;as=Table;v=v1;g=meta.k8s.io")
        if name:
            return Response(200, docs[0])
        items = [{k: v for k, v in d.items() if k not in ("apiVersion", "kind")} for d in docs]
        return Response(200, {"kind": f"{kind}List", "apiVersion": f"{group}/{version}",
                              "metadata": {"resourceVersion": rv}, "items": items})

    # -- metrics.k8s.io ---------------------------------------------------------------------------
    def _metrics(self, req: Request, version: str, rest: list[str]) -> Response:
        if version != "v1beta1" or req.method != "GET":
            raise NoRoute()
        from kubegame.apiserver import metrics
        return metrics.respond(self, req, rest)


@dataclass
class LogFollow:
    pod: Any
    container: str
    sent: int
    req: Request

    @property
    def timestamps(self) -> bool:
        return self.req.q("timestamps") == "true"

