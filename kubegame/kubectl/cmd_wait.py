"""`kubectl wait --for=condition=Ready|delete|create|jsonpath='{...}'=VALUE [--timeout=30s]`.

pkg/cmd/wait (wait.go, condition.go, delete.go, json.go): the objects in turn, each condition in
turn, `pod/web-1 condition met` as each holds; the timeout (default 30s, negative: a week) is
for the whole command and ends it with `timed out waiting for the condition on pods/web-1`;
`--timeout=0` checks once (`condition not met for pods/web-1`). A condition whose
observedGeneration is older than the object's generation does not count yet. On the game
clock: it checks once at once, then after every tick.
"""

from __future__ import annotations

from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.kubectl import jsonpath
from kubegame.kubectl.core import Ctx, format_api_error
from kubegame.kubectl.printers import kind_prefix
from kubegame.kubectl.stream import Stream
from kubegame.kubectl.util import KubectlError, go_duration

WEEK = 168 * 3600


def split_jsonpath_input(text: str) -> list[str]:
    """json.go splitJSONPathInput: split on a single `=`, keep `==`."""
    out, cur, i = [], "", 0
    while i < len(text):
        if text[i] == "=":
            if i + 1 < len(text) and text[i + 1] == "=":
                cur += "=="
                i += 2
                continue
            out.append(cur)
            cur = ""
            i += 1
            continue
        cur += text[i]
        i += 1
    return out + [cur]


class Condition:
    """One `--for`: `check(cluster, target)` -> met?; KubectlError for a jsonpath that cannot hold."""

    def __init__(self, raw: str):
        self.raw = raw
        low = raw.lower()
        self.kind = ""
        if low in ("delete", "create"):
            self.kind = low
        elif raw.startswith("condition="):
            name = raw[len("condition="):]
            self.status = "true"
            if "=" in name:
                name, self.status = name.split("=", 1)
            self.kind, self.name = "condition", name
        elif raw.startswith("jsonpath="):
            parts = split_jsonpath_input(raw[len("jsonpath="):])
            if not 1 <= len(parts) <= 2:
                raise KubectlError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or "
                                   "--for=jsonpath='{.status.readyReplicas}'")
            expr = parts[0].strip()
            if expr.startswith("{") and expr.endswith("}"):
                expr = expr[1:-1]
            if not expr:
                raise KubectlError("jsonpath expression cannot be empty")
            self.path = expr if expr.startswith(".") else "." + expr
            try:
                jsonpath.evaluate(self.path, {})
            except jsonpath.JSONPathError as exc:
                raise KubectlError(str(exc)) from None
            self.value = None
            if len(parts) == 2:
                self.value = parts[1].strip("'\"")
                if self.value == "":
                    raise KubectlError("jsonpath wait has to have a value after equal sign, like "
                                       "--for=jsonpath='{.status.readyReplicas}'=3")
            self.kind = "jsonpath"
        else:
            raise KubectlError(f'unrecognized condition: "{raw}"')

    def met(self, d: dict) -> bool:
        """The condition on the object as the API server returns it."""
        if self.kind == "condition":
            for c in (d.get("status") or {}).get("conditions") or []:
                if not isinstance(c, dict) or str(c.get("type", "")).lower() != self.name.lower():
                    continue
                if "status" not in c:
                    continue
                gen = (d.get("metadata") or {}).get("generation")
                if gen is not None:
                    seen = c.get("observedGeneration", (d.get("status") or {}).get("observedGeneration"))
                    if seen is not None and int(seen) < int(gen):
                        return False
                return str(c["status"]).lower() == self.status.lower()
            return False
        if self.kind == "jsonpath":
            try:
                found = jsonpath.evaluate(self.path, d)
            except jsonpath.JSONPathError:
                return False
            if not found:
                return False
            if len(found) > 1:
                raise KubectlError("given jsonpath expression matches more than one value")
            if self.value is None:
                return True
            v = found[0]
            if isinstance(v, (dict, list)):
                raise KubectlError("jsonpath leads to a nested object or list which is not supported")
            text = "true" if v is True else "false" if v is False else str(v)
            return text.strip() == self.value.strip()
        return True


class WaitFor(Stream):
    name = "wait"

    def __init__(self, ctx: Ctx, targets: list[tuple[Any, str, str, str]], conditions: list[Condition],
                 timeout: float, quiet: bool = False):
        super().__init__(ctx.cluster, timeout)
        self.quiet = quiet              # delete's wait prints nothing when the objects are gone
        self.targets = targets          # (resource, namespace, name, uid at the start)
        self.conditions = conditions
        self.i = self.j = 0
        self.once = timeout == 0

    def _where(self) -> str:
        res, _ns, name, _uid = self.targets[self.i]
        return f"{res.plural}/{name}"

    def check(self, cluster: Any, first: bool = False) -> tuple[str, str]:
        out = ""
        while self.i < len(self.targets):
            res, ns, name, uid = self.targets[self.i]
            cond = self.conditions[self.j]
            obj = cluster.get(res.kind, ns if res.namespaced else "", name)
            if cond.kind == "delete":
                ok = obj is None or (uid and obj.uid != uid)
            elif obj is None:
                if first:
                    self.finish(1)
                    return out, format_api_error(ApiError("NotFound", f'{res.qualified} "{name}" not found',
                                                          404)) + "\n"
                ok = False
            else:
                try:
                    ok = cond.met(cluster.render(obj))
                except KubectlError as exc:
                    self.finish(1)
                    return out, f"error: {exc.message}\n"
            if not ok:
                if self.once:
                    self.finish(1)
                    return out, f"error: condition not met for {self._where()}\n"
                return out, ""
            if not self.quiet:
                out += f"{kind_prefix(res.kind)}/{name} condition met\n"
            first = True
            self.j += 1
            if self.j == len(self.conditions):
                self.i, self.j = self.i + 1, 0
        self.finish(0)
        return out, ""

    def step(self, cluster: Any) -> tuple[str, str]:
        return self.check(cluster)

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        self.finish(1)
        return "", f"error: timed out waiting for the condition on {self._where()}\n"


class WaitCreate(Stream):
    """`--for=create`: polls until the named objects exist, then waits on like WaitFor."""

    name = "wait"

    def __init__(self, ctx: Ctx, timeout: float, start: Any):
        super().__init__(ctx.cluster, timeout)
        self.start = start              # () -> (stdout, stderr, the WaitFor or None while nothing exists)
        self.follow: WaitFor | None = None

    def step(self, cluster: Any) -> tuple[str, str]:
        if self.follow is None:
            try:
                out, err, self.follow = self.start()
            except (KubectlError, ApiError, _Reported):
                return "", ""
            if self.follow is not None and self.follow.done:
                self.finish(self.follow.exit_code)
            return out, err
        out, err = self.follow.step(cluster)
        if self.follow.done:
            self.finish(self.follow.exit_code)
        return out, err

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        if self.follow is not None:
            return self.follow.on_timeout(cluster)
        self.finish(1)
        return "", "error: timed out waiting for the condition\n"


def _resolve_targets(ctx: Ctx, creating: bool) -> list[tuple[Any, str, str, str]] | None:
    """The objects the arguments name; None while a `--for=create` target does not exist yet."""
    from kubegame.kubectl.cmd_write import _targets
    from kubegame.kubectl.core import parse_refs
    p = ctx.p
    if not p.args and not p.flags.get("filename"):
        raise KubectlError("You must provide one or more resources by argument or filename.\n"
                           "Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n"
                           "   '<resource> <name>'\n   '<resource>'")
    refs, _ = parse_refs(p.args) if p.args else ([], False)
    deleting = any(c.lower() == "delete" for c in p.flags.get("for") or [])
    if deleting or creating:
        out = []
        for r in refs:
            if r.name is not None:
                obj = ctx.cluster.get(r.res.kind, ctx.namespace if r.res.namespaced else "", r.name)
                if obj is None and creating:
                    return None
                if obj is not None:          # waiting for a deletion, a missing object is no error
                    out.append((r.res, ctx.namespace, r.name, obj.uid))
        if out or any(r.name is not None for r in refs):
            return out
    found = _targets(ctx, allow_all=True, verb="get")
    if ctx.exit_code:
        raise _Reported()
    return [(res, obj.namespace, obj.name, obj.uid) for res, obj in found]


class _Reported(Exception):
    """The resource builder already printed its error (`Error from server (NotFound)...`)."""


def cmd_wait(ctx: Ctx) -> None:
    p = ctx.p
    raw = p.flags.get("for") or []
    conditions = [Condition(c) for c in raw]
    if not conditions:
        raise KubectlError("unrecognized condition: []")
    timeout = go_duration(str(p.get("timeout", "30s")), "timeout")
    if timeout < 0:
        timeout = WEEK
    creating = any(c.kind == "create" for c in conditions)

    def start() -> tuple[str, str, Any]:
        targets = _resolve_targets(ctx, creating)
        if targets is None:
            return "", "", None
        if not targets:
            if not any(c.kind == "delete" for c in conditions):
                raise KubectlError("no matching resources found")
            done = WaitFor(ctx, [], conditions, timeout)
            done.finish(0)
            return "", "", done
        waiter = WaitFor(ctx, targets, conditions, timeout)
        out, err = waiter.check(ctx.cluster, first=True)
        return out, err, waiter

    if creating:
        try:
            out, err, waiter = start()
        except (ApiError, _Reported):
            out, err, waiter = "", "", None
        if waiter is None:
            if timeout == 0:
                raise KubectlError("timed out waiting for the condition")
            ctx.stream = WaitCreate(ctx, timeout, start)
            return
    else:
        try:
            out, err, waiter = start()
        except _Reported:
            return
    ctx.out.append(out)
    if waiter.done:
        if waiter.exit_code:
            ctx.error(err.rstrip("\n"), waiter.exit_code)
        return
    ctx.stream = waiter

