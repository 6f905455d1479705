"""`kubectl rollout status|history|undo|restart|pause|resume`.

Messages from k8s.io/kubectl/pkg/polymorphichelpers (rollout_status.go, history.go,
rollback.go) and pkg/cmd/rollout; `status` prints the current progress line once
instead of watching, so the game never blocks.
"""

from __future__ import annotations

import copy
from typing import Any

from kubegame.engine.controllers.deployment import revision, template_without_hash
from kubegame.engine.objects import timestamp
from kubegame.kubectl.cmd_write import _targets, ref_name, write_and_report
from kubegame.kubectl.core import Ctx
from kubegame.kubectl.util import KubectlError, label_selector_matches, tabwrite

ROLLABLE = ("Deployment", "DaemonSet", "StatefulSet")


def _rollout_targets(ctx: Ctx) -> list[tuple[Any, Any]]:
    if not ctx.p.args and not ctx.p.flags.get("filename"):
        raise KubectlError("required resource not specified")
    targets = _targets(ctx, allow_all=False, verb="rollout")
    for res, _obj in targets:
        if res.kind not in ROLLABLE:
            raise KubectlError(f"no {'status viewer' if ctx.p.path == 'rollout status' else 'history viewer'} has "
                               f'been implemented for {{"{res.group}" "{res.kind}"}}' if ctx.p.path in
                               ("rollout status", "rollout history") else
                               f"{res.kind.lower()}s.{res.group or ''} \"{_obj.name}\" is not supported".replace(
                                   ". ", " "))
    return targets


def deployment_status_line(dep: Any) -> tuple[str, bool]:
    """rollout_status.go DeploymentStatusViewer.Status."""
    st = dep.status or {}
    name = dep.name
    if dep.generation <= int(st.get("observedGeneration") or 0):
        for c in st.get("conditions") or []:
            if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                raise KubectlError(f'deployment "{name}" exceeded its progress deadline')
        replicas = int(dep.spec.get("replicas", 1))
        updated = int(st.get("updatedReplicas") or 0)
        total = int(st.get("replicas") or 0)
        available = int(st.get("availableReplicas") or 0)
        if updated < replicas:
            return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} new replicas '
                    "have been updated...", False)
        if total > updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are pending '
                    "termination...", False)
        if available < updated:
            return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated replicas '
                    "are available...", False)
        return f'deployment "{name}" successfully rolled out', True
    return "Waiting for deployment spec update to be observed...", False


def other_status_line(obj: Any) -> tuple[str, bool]:
    st = obj.status or {}
    name = obj.name
    if obj.kind == "DaemonSet":
        desired = int(st.get("desiredNumberScheduled") or 0)
        updated = int(st.get("updatedNumberScheduled") or 0)
        avail = int(st.get("numberAvailable") or 0)
        if updated < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods have '
                    "been updated...", False)
        if avail < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {avail} of {desired} updated pods are '
                    "available...", False)
        return f'daemon set "{name}" successfully rolled out', True
    replicas = int(obj.spec.get("replicas", 1))
    ready = int(st.get("readyReplicas") or 0)
    if ready < replicas:
        return f"Waiting for {replicas - ready} pods to be ready...", False
    return f"partitioned roll out complete: {ready} new pods have been updated...", True


def cmd_status(ctx: Ctx) -> None:
    for _res, obj in _rollout_targets(ctx):
        if obj.kind == "Deployment":
            if obj.spec.get("paused"):
                raise KubectlError(f'deployment "{obj.name}" is paused; resume it to see the rollout')
            line, _done = deployment_status_line(obj)
        else:
            line, _done = other_status_line(obj)
        ctx.print(line)


def owned_replicasets(ctx: Ctx, dep: Any) -> list[Any]:
    out = []
    for rs in ctx.cluster.list("ReplicaSet", dep.namespace):
        ref = rs.controller_ref() if hasattr(rs, "controller_ref") else None
        if ref and ref.get("uid") == dep.uid:
            out.append(rs)
        elif ref is None and label_selector_matches(dep.spec.get("selector"), rs.labels):
            pass
    return sorted(out, key=revision)


def _template_text(tpl: dict) -> str:
    """PodTemplate as `rollout history --revision` prints it (describe.DescribePodTemplate, trimmed)."""
    md = tpl.get("metadata") or {}
    lines = ["Pod Template:"]
    labels = md.get("labels") or {}
    lab = [f"{k}={v}" for k, v in sorted(labels.items())]
    lines.append("  Labels:\t" + (lab[0] if lab else "<none>"))
    lines += [f"  \t{x}" for x in lab[1:]]
    ann = md.get("annotations") or {}
    if ann:
        a = [f"{k}: {v}" for k, v in sorted(ann.items())]
        lines.append("  Annotations:\t" + a[0])
        lines += [f"  \t{x}" for x in a[1:]]
    lines.append("  Containers:")
    for c in (tpl.get("spec") or {}).get("containers") or []:
        lines.append(f"   {c.get('name')}:")
        lines.append(f"    Image:\t{c.get('image')}")
        ports = c.get("ports") or []
        lines.append("    Port:\t" + (f"{ports[0].get('containerPort')}/{ports[0].get('protocol', 'TCP')}"
                                       if ports else "<none>"))
        lines.append("    Host Port:\t" + ("0/TCP" if ports else "<none>"))
        lines.append("    Environment:\t<none>")
        lines.append("    Mounts:\t<none>")
    lines.append("  Volumes:\t<none>")
    lines.append("  Node-Selectors:\t<none>")
    lines.append("  Tolerations:\t<none>")
    return tabwrite("\n".join(lines) + "\n", 0, 2)


def cmd_history(ctx: Ctx) -> None:
    for res, obj in _rollout_targets(ctx):
        if obj.kind != "Deployment":
            ctx.print(f"{ref_name(res, obj.name)} \nREVISION  CHANGE-CAUSE\n")
            continue
        rss = owned_replicasets(ctx, obj)
        want = int(ctx.p.get("revision", 0))
        if want:
            for rs in rss:
                if revision(rs) == want:
                    tpl = copy.deepcopy(rs.spec.get("template") or {})
                    ((tpl.get("metadata") or {}).get("labels") or {}).pop("pod-template-hash", None)
                    ctx.print(f"{ref_name(res, obj.name)} with revision #{want}\n" + _template_text(tpl))
                    break
            else:
                raise KubectlError("unable to find the specified revision")
            continue
        if not rss:
            ctx.print(f'No rollout history found in deployment "{obj.name}"')
            continue
        lines = "REVISION\tCHANGE-CAUSE\n"
        for rs in rss:
            cause = rs.annotations.get("kubernetes.io/change-cause") or "<none>"
            lines += f"{revision(rs)}\t{cause}\n"
        ctx.print(f"{ref_name(res, obj.name)} \n" + tabwrite(lines, 0, 2))


def cmd_undo(ctx: Ctx) -> None:
    """rollback.go DeploymentRollbacker: copy the chosen ReplicaSet's template into the Deployment."""
    for res, obj in _rollout_targets(ctx):
        if obj.kind != "Deployment":
            raise KubectlError(f"no rollbacker has been implemented for {{\"{res.group}\" \"{res.kind}\"}}")
        if obj.spec.get("paused"):
            raise KubectlError(f'you cannot rollback a paused deployment; resume it first with \'kubectl rollout '
                               f"resume deployment/{obj.name}' and try again")
        to = int(ctx.p.get("to-revision", 0))
        rss = owned_replicasets(ctx, obj)
        by_rev = {revision(rs): rs for rs in rss}
        if to == 0:
            revs = sorted(by_rev)
            if len(revs) < 2:
                raise KubectlError(f'no rollout history found for deployment "{obj.name}"')
            target = by_rev[revs[-2]]
            to_rev = revs[-2]
        else:
            if to not in by_rev:
                raise KubectlError(f"unable to find specified revision {to} in history")
            target = by_rev[to]
            to_rev = to
        tpl = template_without_hash(target.spec.get("template") or {})
        if template_without_hash(obj.spec.get("template") or {}) == tpl:
            ctx.print(f"{ref_name(res, obj.name)} skipped rollback (current template already matches revision "
                      f"{to_rev})")
            continue
        body = ctx.cluster.render(obj)
        body["spec"]["template"] = tpl
        write_and_report(ctx, res, obj, body, "rolled back")


def cmd_restart(ctx: Ctx) -> None:
    for res, obj in _rollout_targets(ctx):
        if obj.spec.get("paused"):
            raise KubectlError("can't restart paused deployment (run rollout resume first)")
        body = ctx.cluster.render(obj)
        tmd = body["spec"].setdefault("template", {}).setdefault("metadata", {})
        tmd.setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = timestamp(ctx.cluster.now)
        write_and_report(ctx, res, obj, body, "restarted")


def cmd_pause(ctx: Ctx) -> None:
    pause = ctx.p.path == "rollout pause"
    for res, obj in _rollout_targets(ctx):
        if res.kind != "Deployment":
            raise KubectlError(f"{res.kind.lower()}s.{res.group} \"{obj.name}\" {'pausing' if pause else 'resuming'} "
                               "is not supported")
        if bool(obj.spec.get("paused")) == pause:
            raise KubectlError(f'{res.qualified} "{obj.name}" is {"already paused" if pause else "not paused"}')
        body = ctx.cluster.render(obj)
        if pause:
            body["spec"]["paused"] = True
        else:
            body["spec"].pop("paused", None)
        write_and_report(ctx, res, obj, body, "paused" if pause else "resumed", dry_suffix=False)
