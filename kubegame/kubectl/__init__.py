"""The kubectl command language: parse a line, act on the cluster, answer like real kubectl.

    run(cluster, "kubectl get pods -o wide") -> Result(output, error, exit_code, edit)
    complete(cluster, "kubectl get po") -> ["pods", "poddisruptionbudgets", ...]
    Result.stream: a command that keeps running on the game clock (kubectl/stream.py): call
    stream.advance(result.stream, cluster) after every tick until it is done
"""

from __future__ import annotations

import traceback

from kubegame.engine.errors import ApiError
from kubegame.kubectl.complete import complete
from kubegame.kubectl.core import Ctx
from kubegame.kubectl.kubeconfig import connection_warnings
from kubegame.kubectl.parser import UsageError, parse
from kubegame.kubectl.result import EditRequest, Result
from kubegame.kubectl.util import KubectlError

__all__ = ["EditRequest", "Result", "complete", "run"]


def _handlers() -> dict:
    from kubegame.kubectl import (
        apply_patch,
        cmd_create,
        cmd_debug,
        cmd_events,
        cmd_get,
        cmd_info,
        cmd_logs,
        cmd_nodes,
        cmd_replace,
        cmd_rollout,
        cmd_set,
        cmd_sim,
        cmd_wait,
        cmd_write,
        describe,
        kubeconfig,
    )

    return {
        "get": cmd_get.cmd_get,
        "describe": describe.cmd_describe,
        "create": cmd_write.cmd_create_file,
        "create deployment": cmd_write.cmd_create_deployment,
        "create service clusterip": cmd_write.cmd_create_service,
        "create service nodeport": cmd_write.cmd_create_service,
        "create service loadbalancer": cmd_write.cmd_create_service,
        "create configmap": cmd_write.cmd_create_configmap,
        "create secret generic": cmd_write.cmd_create_secret,
        "create secret tls": cmd_write.cmd_create_secret_tls,
        "create job": cmd_write.cmd_create_job,
        "create namespace": cmd_write.cmd_create_namespace,
        "create serviceaccount": cmd_create.cmd_create_serviceaccount,
        "create role": cmd_create.cmd_create_role,
        "create clusterrole": cmd_create.cmd_create_clusterrole,
        "create rolebinding": cmd_create.cmd_create_rolebinding,
        "create clusterrolebinding": cmd_create.cmd_create_clusterrolebinding,
        "create quota": cmd_create.cmd_create_quota,
        "create cronjob": cmd_create.cmd_create_cronjob,
        "create poddisruptionbudget": cmd_create.cmd_create_pdb,
        "create priorityclass": cmd_create.cmd_create_priorityclass,
        "create ingress": cmd_create.cmd_create_ingress,
        "create secret docker-registry": cmd_create.cmd_create_secret_docker_registry,
        "create service externalname": cmd_create.cmd_create_service_externalname,
        "config view": kubeconfig.cmd_view,
        "config current-context": kubeconfig.cmd_current_context,
        "config get-contexts": kubeconfig.cmd_get_contexts,
        "config use-context": kubeconfig.cmd_use_context,
        "config set-context": kubeconfig.cmd_set_context,
        "config delete-context": kubeconfig.cmd_delete_context,
        "config rename-context": kubeconfig.cmd_rename_context,
        "config get-users": kubeconfig.cmd_get_users,
        "config get-clusters": kubeconfig.cmd_get_clusters,
        "config set-credentials": kubeconfig.cmd_set_credentials,
        "auth whoami": kubeconfig.cmd_whoami,
        "apply view-last-applied": apply_patch.cmd_view_last_applied,
        "auth can-i": kubeconfig.cmd_can_i,
        "apply": cmd_write.cmd_apply,
        "replace": cmd_replace.cmd_replace,
        "diff": cmd_replace.cmd_diff,
        "delete": cmd_write.cmd_delete,
        "scale": cmd_write.cmd_scale,
        "autoscale": cmd_write.cmd_autoscale,
        "label": cmd_write.cmd_label,
        "annotate": cmd_write.cmd_label,
        "patch": cmd_write.cmd_patch,
        "edit": cmd_write.cmd_edit,
        "set image": cmd_write.cmd_set_image,
        "set resources": cmd_write.cmd_set_resources,
        "set env": cmd_set.cmd_set_env,
        "set serviceaccount": cmd_set.cmd_set_serviceaccount,
        "set selector": cmd_set.cmd_set_selector,
        "set subject": cmd_set.cmd_set_subject,
        "expose": cmd_write.cmd_expose,
        "run": cmd_sim.cmd_run,
        "logs": cmd_logs.cmd_logs,
        "exec": cmd_sim.cmd_exec,
        "port-forward": cmd_sim.cmd_port_forward,
        "debug": cmd_debug.cmd_debug,
        "attach": cmd_debug.cmd_attach,
        "cp": cmd_debug.cmd_cp,
        "rollout status": cmd_rollout.cmd_status,
        "rollout history": cmd_rollout.cmd_history,
        "rollout undo": cmd_rollout.cmd_undo,
        "rollout restart": cmd_rollout.cmd_restart,
        "rollout pause": cmd_rollout.cmd_pause,
        "rollout resume": cmd_rollout.cmd_pause,
        "top node": cmd_nodes.cmd_top_node,
        "top pod": cmd_nodes.cmd_top_pod,
        "cordon": cmd_nodes.cmd_cordon,
        "uncordon": cmd_nodes.cmd_cordon,
        "drain": cmd_nodes.cmd_drain,
        "taint": cmd_nodes.cmd_taint,
        "explain": cmd_info.cmd_explain,
        "api-resources": cmd_info.cmd_api_resources,
        "api-versions": cmd_info.cmd_api_versions,
        "version": cmd_info.cmd_version,
        "cluster-info": cmd_info.cmd_cluster_info,
        "events": cmd_events.cmd_events,
        "wait": cmd_wait.cmd_wait,
        "options": cmd_info.cmd_options,
        "completion": cmd_info.cmd_completion,
        "create token": cmd_create.cmd_create_token,
        "certificate approve": cmd_create.cmd_certificate,
        "certificate deny": cmd_create.cmd_certificate,
    }


# what kubectl answers without asking the API server
OFFLINE = ("config", "completion", "version", "help", "plugin", "kustomize", "options")


def _hint(path: str, kind: str) -> str:
    if kind == "usage":
        return f"See 'kubectl {path or ''}{' ' if path else ''}--help' for usage.\n".replace("kubectl --help",
                                                                                               "kubectl --help")
    return ""


def run(cluster, line: str, *, stdin: str | None = None, files: dict[str, str] | None = None) -> Result:
    """Run one kubectl command line against the cluster. Never raises."""
    try:
        return _run(cluster, line, stdin=stdin, files=files)
    except Exception as exc:  # noqa: BLE001 - the game must never see a traceback
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        where = f" ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})" if last else ""
        return Result("", f"error: internal error in kubegame's kubectl: {type(exc).__name__}: {exc}{where}\n", 1)


def _run(cluster, line: str, *, stdin: str | None, files: dict[str, str] | None) -> Result:
    text = line.strip()
    words0 = text.split(None, 1)
    if not words0 or words0[0] not in ("kubectl", "k"):
        first = words0[0] if words0 else ""
        return Result("", f"{first or 'command'}: command not found (type kubectl ... or k ...)\n" if first
                      else "", 127 if first else 0)
    words = text.split()
    if len(words) >= 2 and words[1] == "help":        # cobra's help command: `kubectl help get`
        from kubegame.kubectl.parser import command_spec, find_command
        try:
            path, _ = find_command(words[2:])
        except UsageError:
            path = ""
        return Result(command_spec(path).help, "", 0)
    try:
        p = parse(text)
    except UsageError as exc:
        if exc.hint == "usage":
            from kubegame.kubectl.parser import find_command, split_line
            try:
                path, _ = find_command(split_line(text)[1:])
            except UsageError:
                path = ""
            return Result("", f"error: {exc.message}\nSee 'kubectl {path + ' ' if path else ''}--help' for usage.\n", 1)
        return Result("", f"error: {exc.message}" + ("" if exc.message.endswith("\n") else "\n"), 1)
    if p.help:
        return Result(p.spec.help if p.spec else "", "", 0)
    ctx = Ctx(cluster, p, stdin=stdin, files=files)
    handler = _handlers().get(p.path)
    if handler is None and p.spec is not None and not p.spec.subcommands:
        return Result("", f'error: kubegame does not simulate "kubectl {p.path}" yet\n', 1)
    ctx.err.extend(p.warnings)
    ctx.err.extend(connection_warnings(p))
    from kubegame.kubectl.flagsupport import notes
    ctx.err.extend(notes(p))
    if not p.path.startswith(OFFLINE) and not cluster.apiserver_up():
        from kubegame.engine.rbac import SERVER
        host = SERVER.split("://", 1)[-1]
        return Result("", "".join(ctx.err) + f"The connection to the server {host} was refused - did you specify "
                      "the right host or port?\n", 1)
    if handler is None:
        # a command group without a verb: cmdutil.DefaultSubCommandRun prints its help to stderr, exit 1
        if p.path and p.args:
            return Result("", f'error: unknown command "{" ".join(p.args)}"\nSee \'kubectl {p.path} -h\' for help '
                              "and examples\n", 1)
        text = p.spec.help if p.spec else ""
        if p.path == "certificate" or not p.path:
            return Result(text, "", 0)           # cobra's own help: the group has no Run
        return Result(text, "", 1) if p.path == "rollout" else Result("", text, 1)
    if not p.path.startswith(OFFLINE):
        from kubegame.kubectl.util import request_timeout
        try:
            request_timeout(p)              # client-go checks --request-timeout before any request
        except KubectlError as exc:
            return Result("", "".join(ctx.err) + f"error: {exc.message}\n", 1)
    try:
        from kubegame.kubectl.kubeconfig import identity
        try:
            cluster.requester = identity(cluster, p)
        except (KubectlError, ApiError):
            cluster.requester = None          # the handler reports the bad identity itself
        res = handler(ctx)
    except KubectlError as exc:
        ctx.error(f"error: {exc.message}", exc.exit_code)
        res = None
    except ApiError as exc:
        ctx.api_error(exc)
        res = None
    finally:
        cluster.requester = None
    if isinstance(res, Result):
        res.files.update(ctx.read)
        return res
    stream = ctx.stream if ctx.exit_code == 0 else None
    if ctx.stream is not None and stream is None:
        ctx.stream.close()
    return Result("".join(ctx.out), "".join(ctx.err), ctx.exit_code, getattr(ctx, "edit", None), dict(ctx.read),
                  stream)
