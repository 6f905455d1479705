"""`kubectl debug`, `kubectl attach`, `kubectl cp` (pkg/cmd/debug/debug.go and profiles.go,
pkg/cmd/attach/attach.go, pkg/cmd/cp/cp.go).

debug node/NAME starts the node debugger pod (host namespaces, the node's / at /host, on that
node, tolerating every taint); debug POD --copy-to=NAME starts a copy of the pod with images
swapped (--set-image), a debug container added (--image), or on the same node. An ephemeral
container in a running pod (debug POD --image=... without --copy-to) is not simulated: the
command says so and suggests the copy. With -it the game screen opens a shell in the new
container. attach follows what the container prints from now on (-it: a shell window); cp
copies a local file into a writable volume of a container, never onto your disk.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND
from kubegame.kubectl.cmd_logs import LogsFollow, Options, Source, container_lines, find_container
from kubegame.kubectl.cmd_sim import interactive_shell, pod_for
from kubegame.kubectl.core import Ctx, parse_refs, read_data_file
from kubegame.kubectl.result import Result
from kubegame.kubectl.util import KubectlError

IMAGE_REF = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
                       r"(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*:[0-9a-fA-F]{32,})?$")
PROFILES = ("legacy", "general", "baseline", "netadmin", "restricted", "sysadmin")


def _validate(ctx: Ctx) -> None:
    """debug.go Validate, in its order."""
    p = ctx.p
    image, copy_to = p.flags.get("image") or "", p.flags.get("copy-to") or ""
    set_images = p.flags.get("set-image") or []
    args = p.args[p.dash:] if p.dash >= 0 else []
    if p.flags.get("attach") and not image and not p.flags.get("container"):
        raise KubectlError("you must specify --container or create a new container using --image in order to attach.")
    if copy_to:
        if not image and not set_images and not args:
            raise KubectlError("you must specify --image, --set-image or command arguments.")
        if args and not p.flags.get("container") and not image:
            raise KubectlError("you must specify an existing container or a new image when specifying args.")
    else:
        if p.flags.get("replace"):
            raise KubectlError("--replace may only be used with --copy-to.")
        if p.flags.get("same-node"):
            raise KubectlError("--same-node may only be used with --copy-to.")
        if set_images:
            raise KubectlError("--set-image may only be used with --copy-to.")
        if not image:
            raise KubectlError("you must specify --image when not using --copy-to.")
    if image and not IMAGE_REF.match(image):
        raise KubectlError(f'invalid image name "{image}": invalid reference format')
    targets = p.args[:p.dash] if p.dash >= 0 else p.args
    if not targets and not p.flags.get("filename"):
        raise KubectlError("NAME or filename is required for debug")
    policy = p.flags.get("image-pull-policy") or ""
    if policy and policy not in ("Always", "IfNotPresent", "Never"):
        raise KubectlError(f"invalid image pull policy: {policy}")
    if p.flags.get("target") and copy_to:
        raise KubectlError("--target is incompatible with --copy-to. Use --share-processes instead.")
    if p.flags.get("tty") and not p.flags.get("stdin"):
        raise KubectlError("-i/--stdin is required for containers with -t/--tty=true")
    if (p.flags.get("profile") or "general") not in PROFILES:
        raise KubectlError(f'unknown profile: {p.flags.get("profile")}')
    if p.flags.get("custom"):
        raise KubectlError("kubegame does not simulate --custom debug profiles")


def _env(ctx: Ctx) -> list[dict]:
    out = []
    for e in ctx.p.flags.get("env") or []:
        k, eq, v = str(e).partition("=")
        if not eq:
            raise KubectlError(f"invalid env: {e}")
        out.append({"name": k, "value": v})
    return out


def _start(ctx: Ctx, body: dict, container: str) -> Result | None:
    """Create the debugging pod; -it hands its container to a shell window."""
    ctx.authorize("create", BY_KIND["Pod"], body["metadata"].get("namespace") or ctx.namespace)
    pod = ctx.cluster.create(body, body["metadata"].get("namespace") or ctx.namespace)
    if ctx.p.flags.get("stdin") and ctx.p.flags.get("tty"):
        ctx.print("If you don't see a command prompt, try pressing enter.")
        res = interactive_shell(ctx, pod, container, f"kubectl exec {pod.name} -- ls /")
        res.output = "".join(ctx.out) + res.output
        return res
    return None


def _debug_node(ctx: Ctx, name: str) -> Result | None:
    node = ctx.cluster.node(name)
    ctx.authorize("get", BY_KIND["Node"], None, name)
    if node is None:
        raise ApiError("NotFound", f'nodes "{name}" not found', 404)
    cn = ctx.p.flags.get("container") or "debugger"
    pod_name = f"node-debugger-{name}-{ctx.cluster.random_suffix()}"
    if not ctx.p.flags.get("quiet"):
        ctx.print(f"Creating debugging pod {pod_name} with container {cn} on node {name}.")
    args = ctx.p.args[ctx.p.dash:] if ctx.p.dash >= 0 else []
    c: dict[str, Any] = {"name": cn, "image": ctx.p.flags["image"], "stdin": bool(ctx.p.flags.get("stdin")),
                         "terminationMessagePolicy": "FallbackToLogsOnError", "tty": bool(ctx.p.flags.get("tty"))}
    if ctx.p.flags.get("image-pull-policy"):
        c["imagePullPolicy"] = ctx.p.flags["image-pull-policy"]
    if args:
        c["args" if ctx.p.flags.get("arguments-only") else "command"] = args
    if ctx.p.flags.get("env"):
        c["env"] = _env(ctx)
    spec: dict[str, Any] = {"containers": [c], "nodeName": name, "restartPolicy": "Never",
                            "tolerations": [{"operator": "Exists"}]}
    profile = ctx.p.flags.get("profile") or "general"
    if profile in ("general", "sysadmin", "legacy", "netadmin"):
        # profiles.go useHostNamespaces + mountRootPartition: the node's namespaces and its / at /host
        spec.update({"hostIPC": True, "hostNetwork": True, "hostPID": True})
        c["volumeMounts"] = [{"mountPath": "/host", "name": "host-root"}]
        spec["volumes"] = [{"hostPath": {"path": "/"}, "name": "host-root"}]
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"labels": {"app.kubernetes.io/managed-by": "kubectl-debug"}, "name": pod_name,
                         "namespace": ctx.namespace}, "spec": spec}
    return _start(ctx, body, cn)


def _debug_copy(ctx: Ctx, pod: Any) -> Result | None:
    p = ctx.p
    src = ctx.cluster.render(pod)
    md = src["metadata"]
    spec = copy.deepcopy(src["spec"])
    spec.pop("ephemeralContainers", None)
    if "share-processes" in p.flags:
        spec["shareProcessNamespace"] = bool(p.flags["share-processes"])
    if not p.flags.get("same-node"):
        spec.pop("nodeName", None)
    images: dict[str, str] = {}
    for x in p.flags.get("set-image") or []:
        for part in str(x).split(","):
            k, eq, v = part.partition("=")
            if not eq:
                raise KubectlError(f"invalid --set-image: {part}")
            images[k] = v
    for c in spec.get("containers") or []:
        override = images.get(c.get("name"), images.get("*"))
        if override:
            c["image"] = override
    name = p.flags.get("container") or ""
    target = next((c for c in spec.get("containers") or [] if c.get("name") == name), None)
    if target is None:
        image = p.flags.get("image")
        if not image:
            if images:
                return _replace_and_start(ctx, pod, md, spec, "")
            raise KubectlError("you must specify image when creating new container")
        if not name:
            name = f"debugger-{ctx.cluster.random_suffix()}"
            if not p.flags.get("quiet"):
                ctx.print(f"Defaulting debug container name to {name}.")
        target = {"name": name, "terminationMessagePolicy": "File"}
        spec.setdefault("containers", []).append(target)
    args = p.args[p.dash:] if p.dash >= 0 else []
    if args:
        if p.flags.get("arguments-only"):
            target["args"] = args
        else:
            target["command"] = args
            target.pop("args", None)
    if p.flags.get("env"):
        target["env"] = _env(ctx)
    if p.flags.get("image"):
        target["image"] = p.flags["image"]
    if p.flags.get("image-pull-policy"):
        target["imagePullPolicy"] = p.flags["image-pull-policy"]
    target["stdin"] = bool(p.flags.get("stdin"))
    target["tty"] = bool(p.flags.get("tty"))
    return _replace_and_start(ctx, pod, md, spec, name)


def _replace_and_start(ctx: Ctx, pod: Any, md: dict, spec: dict, container: str) -> Result | None:
    for key in ("status",):
        spec.pop(key, None)
    body = {"apiVersion": "v1", "kind": "Pod",
            "metadata": {k: copy.deepcopy(v) for k, v in md.items() if k in ("labels", "annotations")} |
            {"name": ctx.p.flags["copy-to"], "namespace": pod.namespace}, "spec": spec}
    if ctx.p.flags.get("replace"):
        ctx.authorize("delete", BY_KIND["Pod"], pod.namespace, pod.name)
        ctx.cluster.delete("Pod", pod.namespace, pod.name)
    return _start(ctx, body, container or spec["containers"][0].get("name", ""))


def cmd_debug(ctx: Ctx) -> Result | None:
    _validate(ctx)
    p = ctx.p
    targets = p.args[:p.dash] if p.dash >= 0 else p.args
    if p.flags.get("filename"):
        raise KubectlError("kubegame does not simulate debug -f")
    refs, _ = parse_refs([targets[0]]) if "/" in targets[0] else ([], False)
    if refs and refs[0].res.kind == "Node":
        return _debug_node(ctx, refs[0].name or "")
    pod = pod_for(ctx, targets[0])[0]
    if p.flags.get("copy-to"):
        return _debug_copy(ctx, pod)
    raise KubectlError("kubegame does not simulate ephemeral debug containers in a running pod yet; debug a copy "
                       f"instead: kubectl debug {pod.name} -it --image={p.flags.get('image')} --copy-to="
                       f"{pod.name}-debug --share-processes")


def cmd_attach(ctx: Ctx) -> Result | None:
    p = ctx.p
    if not p.args:
        raise KubectlError("at least 1 argument is required for attach")
    if len(p.args) > 1:
        raise KubectlError("expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw 3: "
                           f"[{' '.join(p.args)}]" if len(p.args) > 2 else "kubegame does not simulate attach TYPE NAME")
    pod = pod_for(ctx, p.args[0])[0]
    if pod.phase in ("Succeeded", "Failed"):
        raise KubectlError(f"cannot attach a container in a completed pod; current phase is {pod.phase}")
    c = find_container(ctx, pod, p.flags.get("container"), quiet=bool(p.flags.get("quiet")))
    ctx.authorize("create", BY_KIND["Pod"], pod.namespace, pod.name, "attach")
    if p.flags.get("stdin"):
        if not p.flags.get("quiet"):
            ctx.print("If you don't see a command prompt, try pressing enter.")
        res = interactive_shell(ctx, pod, c.name, f"kubectl exec {pod.name} -- ls /")
        res.output = "".join(ctx.out) + res.output
        res.error = "".join(ctx.err) + res.error
        return res
    if c.state != "running":
        raise KubectlError(f'unable to upgrade connection: container not found ("{c.name}")')
    src = Source(pod, c, "")
    src.printed = len(container_lines(ctx, pod, c, False))      # only what it prints from now on
    ctx.stream = LogsFollow(ctx, [src], Options(ctx), 20)
    return None


def _split_spec(spec: str) -> tuple[str, str, str] | None:
    """cp.go extractFileSpec: [namespace/]pod:path, or None for a local path."""
    if ":" not in spec or spec.startswith(("/", ".")):
        return None
    pod, _, path = spec.partition(":")
    ns, slash, name = pod.partition("/")
    return (ns, name, path) if slash else ("", pod, path)


def cmd_cp(ctx: Ctx) -> Result | None:
    from kubegame.engine.shell import Shell
    p = ctx.p
    if len(p.args) != 2:
        raise KubectlError("source and destination are required")
    src, dst = _split_spec(p.args[0]), _split_spec(p.args[1])
    if src is None and dst is None:
        raise KubectlError("one of src or dest must be a local file specification")
    if src is not None and dst is not None:
        raise KubectlError("one of src or dest must be a local file specification")
    if src is not None:
        raise KubectlError("kubegame does not write to your disk: read the file in the pod with kubectl exec "
                           f"{src[1]} -- cat {src[2]}")
    assert dst is not None
    ns, name, path = dst
    if not path:
        raise KubectlError("filepath can not be empty")
    ns = ns or ctx.namespace
    pod = ctx.cluster.get("Pod", ns, name)
    ctx.authorize("create", BY_KIND["Pod"], ns, name, "exec")
    if pod is None:
        raise ApiError("NotFound", f'pods "{name}" not found', 404)
    try:
        text = read_data_file(ctx, p.args[0])
    except OSError:
        raise KubectlError(f"{p.args[0]} doesn't exist in local filesystem") from None
    c = find_container(ctx, pod, p.flags.get("container"))
    if c.state != "running":
        raise KubectlError(f'unable to upgrade connection: container not found ("{c.name}")')
    if path.endswith("/"):
        path += p.args[0].rstrip("/").rsplit("/", 1)[-1]
    problem = Shell(ctx.cluster, pod, ns, pod.name, c.name).write(path, text)
    if problem:
        return Result("", f"tar: {path.lstrip('/')}: Cannot open: {problem}\ntar: Exiting with failure status due to "
                          "previous errors\ncommand terminated with exit code 2\n", 1)
    return None
