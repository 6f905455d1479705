"""`kubectl replace -f` and `kubectl diff -f` (pkg/cmd/replace/replace.go, pkg/cmd/diff/diff.go).

replace PUTs each manifest as it is: what the file leaves out is gone from the object (labels,
annotations, spec), unlike apply's merge; --force deletes and creates it again. diff shows what
apply would change, as `diff -u -N` between the live object and the merged one, each as YAML in
a file named GROUP.VERSION.KIND.NAMESPACE.NAME; the exit code is 0 without differences, 1 with.
The temporary directories' names and the files' times are the game's (real kubectl's are random
and the wall clock's).
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.objects import timestamp
from kubegame.kubectl.cmd_write import (
    _in_context_namespace,
    _validated,
    clean_for_write,
    ref_name,
    update_object,
)
from kubegame.kubectl.core import Ctx, format_api_error, load_manifests, manifest_resource
from kubegame.kubectl.printers import kind_prefix, to_yaml
from kubegame.kubectl.stream import Stream
from kubegame.kubectl.util import KubectlError, go_duration


def _conflict(res: Any, obj: Any, body: dict) -> ApiError | None:
    """A manifest that carries a resourceVersion must carry the live one (optimistic concurrency)."""
    rv = (body.get("metadata") or {}).get("resourceVersion")
    if rv and str(rv) != str(obj.resource_version):
        return ApiError("Conflict", f'Operation cannot be fulfilled on {res.qualified} "{obj.name}": the object has '
                        "been modified; please apply your changes to the latest version and try again", 409)
    return None


def cmd_replace(ctx: Ctx) -> None:
    p = ctx.p
    if not p.flags.get("filename"):
        raise KubectlError("must specify one of -f and -k")
    if p.flags.get("subresource"):
        raise KubectlError("kubegame does not simulate replace --subresource")
    force = bool(p.flags.get("force"))
    pending: list[tuple[Any, str, str, str, dict, str]] = []
    for m in load_manifests(ctx, keep_going=True):
        res = manifest_resource(m)
        body = _validated(ctx, _in_context_namespace(ctx, clean_for_write(m.body), res))
        md = body.setdefault("metadata", {})
        if p.flags.get("save-config"):
            from kubegame.kubectl.apply_patch import with_annotation
            body = with_annotation(body)
            md = body["metadata"]
        ns, name = str(md.get("namespace") or ""), str(md.get("name") or "")
        live = ctx.cluster.get(res.kind, ns if res.namespaced else "", name)
        try:
            if force:
                if live is not None and ctx.dry_run == "none":
                    ctx.authorize("delete", res, ns, name)
                    ctx.cluster.delete(res.kind, ns, name, grace=0 if int(p.get("grace-period", -1)) == 0 else None)
                    ctx.print(f'{kind_prefix(res.kind)} "{name}" deleted from {ns} namespace' if res.namespaced
                              else f'{kind_prefix(res.kind)} "{name}" deleted')
                md.pop("resourceVersion", None)
                ctx.authorize("create", res, ns)
                pending.append((res, ns, name, live.uid if live is not None else "", body, m.source))
                continue
            if live is None:
                raise ApiError("NotFound", f'{res.qualified} "{name}" not found', 404)
            err = _conflict(res, live, m.body)
            if err is not None:
                raise err
            md.pop("resourceVersion", None)
            ctx.authorize("update", res, ns, name)
            update_object(ctx, live, body, verb="update")
        except ApiError as exc:
            ctx.api_error(exc, m.source, "replacing")
            continue
        ctx.print(f"{ref_name(res, name)} replaced{ctx.dry_suffix()}")
    if pending:
        stream = ForceReplace(ctx, pending)
        out, err = stream.step(ctx.cluster)
        ctx.out.append(out)
        ctx.err.append(err)
        if stream.done:
            ctx.exit_code = ctx.exit_code or stream.exit_code
        else:
            ctx.stream = stream


class ForceReplace(Stream):
    """replace --force: each deleted object is created again once it is gone (a pod's grace period)."""

    name = "replace --force"

    def __init__(self, ctx: Ctx, pending: list[tuple[Any, str, str, str, dict, str]]):
        timeout = go_duration(str(ctx.p.get("timeout", "0s")), "timeout")
        super().__init__(ctx.cluster, timeout or None)
        self.ctx = ctx
        self.pending = pending
        self.failed = False

    def step(self, cluster: Any) -> tuple[str, str]:
        out = err = ""
        while self.pending:
            res, ns, name, uid, body, source = self.pending[0]
            old = cluster.get(res.kind, ns if res.namespaced else "", name)
            if old is not None and old.uid == uid and self.ctx.dry_run == "none":
                return out, err                      # still terminating
            self.pending.pop(0)
            try:
                cluster.create(body, self.ctx.p.flags.get("namespace"), dry_run=self.ctx.dry_run != "none")
            except ApiError as exc:
                err += format_api_error(exc, source, "replacing") + "\n"
                self.failed = True
                continue
            out += f"{ref_name(res, name)} replaced{self.ctx.dry_suffix()}\n"
        self.finish(1 if self.failed else 0)
        return out, err

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        res, _ns, name, _uid, _body, _src = self.pending[0]
        self.finish(1)
        return "", f"error: timed out waiting for the condition on {res.plural}/{name}\n"


# -- diff --------------------------------------------------------------------------------------

def _masked(live: dict | None, merged: dict | None, show: bool) -> tuple[dict | None, dict | None]:
    """diff.go Masker: a Secret's values become *** (and `*** (before)` / `*** (after)` when they differ)."""
    if show or (live or merged or {}).get("kind") != "Secret":
        return live, merged
    live, merged = copy.deepcopy(live), copy.deepcopy(merged)
    a = (live or {}).get("data") or {}
    b = (merged or {}).get("data") or {}
    for k in set(a) | set(b):
        if k in a and k in b and a[k] != b[k]:
            a[k], b[k] = "*** (before)", "*** (after)"
        else:
            if k in a:
                a[k] = "***"
            if k in b:
                b[k] = "***"
    return live, merged


def _merged_view(ctx: Ctx, live: Any, merged: dict, namespace: str | None) -> dict:
    """The object as the server would keep it after the (dry-run) apply."""
    res, prepared = ctx.cluster.prepare(merged, namespace)
    view = copy.deepcopy(ctx.cluster.render(live))
    md = view["metadata"]
    pmd = prepared.get("metadata") or {}
    for key in ("labels", "annotations"):
        if pmd.get(key):
            md[key] = copy.deepcopy(pmd[key])
        else:
            md.pop(key, None)
    spec = prepared.get("spec")
    if isinstance(spec, dict) and spec != live.spec:
        view["spec"] = copy.deepcopy(spec)
        md["generation"] = int(md.get("generation") or 1) + 1
    for k, v in prepared.items():
        if k not in ("apiVersion", "kind", "metadata", "spec", "status"):
            view[k] = copy.deepcopy(v)
    return view


def cmd_diff(ctx: Ctx) -> None:
    from kubegame.kubectl.apply_patch import last_applied, three_way, with_annotation
    p = ctx.p
    if not p.flags.get("filename"):
        raise KubectlError("must specify one of -f and -k", 2)
    if p.flags.get("server-side") or p.flags.get("prune"):
        raise KubectlError("kubegame does not simulate diff --server-side or --prune", 2)
    n = ctx.cluster.now
    live_dir, merged_dir = f"/tmp/LIVE-{1000000000 + n * 7919 % 999999937}", \
        f"/tmp/MERGED-{2000000000 + n * 104729 % 999999929}"
    chunks = []
    for m in load_manifests(ctx):
        res = manifest_resource(m)
        body = _in_context_namespace(ctx, clean_for_write(m.body), res)
        md = body.get("metadata") or {}
        ns, name = str(md.get("namespace") or ""), str(md.get("name") or "")
        ctx.authorize("get", res, ns, name)
        live = ctx.cluster.get(res.kind, ns if res.namespaced else "", name)
        try:
            if live is None:
                _r, created = ctx.cluster.prepare(with_annotation(body), p.flags.get("namespace"))
                before, after = None, created
            else:
                current = clean_for_write(ctx.cluster.render(live))
                merged = three_way(last_applied(current) or {}, with_annotation(body), current)
                before, after = ctx.cluster.render(live), _merged_view(ctx, live, merged, p.flags.get("namespace"))
        except ApiError as exc:
            ctx.api_error(exc, m.source, "diffing")
            ctx.exit_code = 2
            return
        before, after = _masked(before, after, bool(p.flags.get("show-secrets")))
        group_version = res.api_version.replace("/", ".")
        fname = f"{group_version}.{res.kind}.{ns}.{name}" if res.namespaced else f"{group_version}.{res.kind}.{name}"
        a = to_yaml(before).splitlines(keepends=True) if before is not None else []
        b = to_yaml(after).splitlines(keepends=True) if after is not None else []
        if a == b:
            continue
        stamp = timestamp(n).replace("T", " ").replace("Z", ".000000000 +0000")
        epoch = "1970-01-01 00:00:00.000000000 +0000"
        lines = list(difflib.unified_diff(a, b, f"{live_dir}/{fname}", f"{merged_dir}/{fname}",
                                          stamp if before is not None else epoch, stamp, n=3))
        chunks.append(f"diff -u -N {live_dir}/{fname} {merged_dir}/{fname}\n" + "".join(lines))
    if chunks:
        ctx.out.append("".join(chunks))
        ctx.exit_code = 1
