"""`kubectl rollout status|history|undo|restart|pause|resume`.

Messages from k8s.io/kubectl/pkg/polymorphichelpers (rollout_status.go, history.go,
rollback.go) and pkg/cmd/rollout; `status` prints the current progress line once
and then, as the game clock ticks, on every change until the rollout is done (kubectl/stream.py).
"""

from __future__ import annotations

import copy
from typing import Any

from kubegame.engine.controllers.deployment import revision, template_without_hash
from kubegame.engine.objects import timestamp
from kubegame.kubectl.apply_patch import LAST_APPLIED
from kubegame.kubectl.cmd_write import _targets, ref_name, write_and_report
from kubegame.kubectl.core import Ctx
from kubegame.kubectl.stream import Stream
from kubegame.kubectl.util import KubectlError, go_duration, label_selector_matches, tabwrite

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


def status_line(obj: Any, want_revision: int = 0) -> tuple[str, bool]:
    """polymorphichelpers/rollout_status.go: the StatusViewer of a Deployment, DaemonSet or
    StatefulSet: (the line it prints, whether the rollout is done); KubectlError for its errors."""
    st = obj.status or {}
    spec = obj.spec
    name = obj.name
    if obj.kind == "Deployment":
        if want_revision > 0:
            have = revision(obj)
            if want_revision != have:
                raise KubectlError(f"desired revision ({want_revision}) is different from the running revision "
                                   f"({have})")
        if obj.generation <= int(st.get("observedGeneration") or 0):
            for c in st.get("conditions") or []:
                if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                    raise KubectlError(f'deployment "{name}" exceeded its progress deadline')
            replicas = int(spec.get("replicas", 1))
            updated = int(st.get("updatedReplicas") or 0)
            total = int(st.get("replicas") or 0)
            available = int(st.get("availableReplicas") or 0)
            if updated < replicas:
                return (f'Waiting for deployment "{name}" rollout to finish: {updated} out of {replicas} new '
                        "replicas have been updated...", False)
            if total > updated:
                return (f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are '
                        "pending termination...", False)
            if available < updated:
                return (f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated '
                        "replicas are available...", False)
            return f'deployment "{name}" successfully rolled out', True
        return "Waiting for deployment spec update to be observed...", False
    strategy = spec.get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        raise KubectlError("rollout status is only available for RollingUpdate strategy type")
    if obj.kind == "DaemonSet":
        if obj.generation <= int(st.get("observedGeneration") or 0):
            desired = int(st.get("desiredNumberScheduled") or 0)
            updated = int(st.get("updatedNumberScheduled") or 0)
            avail = int(st.get("numberAvailable") or 0)
            if updated < desired:
                return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of {desired} new pods '
                        "have been updated...", False)
            if avail < desired:
                return (f'Waiting for daemon set "{name}" rollout to finish: {avail} of {desired} updated pods are '
                        "available...", False)
            return f'daemon set "{name}" successfully rolled out', True
        return "Waiting for daemon set spec update to be observed...", False
    observed = int(st.get("observedGeneration") or 0)
    if observed == 0 or obj.generation > observed:
        return "Waiting for statefulset spec update to be observed...", False
    replicas = int(spec.get("replicas", 1))
    ready = int(st.get("readyReplicas") or 0)
    if ready < replicas:
        return f"Waiting for {replicas - ready} pods to be ready...", False
    updated = int(st.get("updatedReplicas") or 0)
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if partition is not None and updated < replicas - int(partition):
            return (f"Waiting for partitioned roll out to finish: {updated} out of {replicas - int(partition)} new "
                    "pods have been updated...", False)
        return f"partitioned roll out complete: {updated} new pods have been updated...", True
    if st.get("updateRevision") != st.get("currentRevision"):
        return (f"waiting for statefulset rolling update to complete {updated} pods at revision "
                f"{st.get('updateRevision')}...", False)
    return (f"statefulset rolling update complete {int(st.get('currentReplicas') or 0)} pods at revision "
            f"{st.get('currentRevision')}...", True)


class RolloutStatus(Stream):
    """`rollout status` (pkg/cmd/rollout/rollout_status.go): for each object in turn, the status line
    on every change of the object until the rollout is done; `--timeout` ends it with
    `timed out waiting for the condition`, a deleted object with `object has been deleted`."""

    name = "rollout status"

    def __init__(self, ctx: Ctx, targets: list[tuple[Any, Any]], timeout: float | None):
        super().__init__(ctx.cluster, timeout)
        self.targets = [(obj.kind, obj.namespace, obj.name, obj.uid) for _res, obj in targets]
        self.want = int(ctx.p.get("revision", 0))
        self.last_version = -1

    def first(self, cluster: Any) -> tuple[str, str]:
        """What it prints at once (the informer's initial list)."""
        return self._check(cluster, force=True)

    def _check(self, cluster: Any, force: bool = False) -> tuple[str, str]:
        out = ""
        while self.targets:
            kind, ns, name, uid = self.targets[0]
            obj = cluster.get(kind, ns, name)
            if obj is None or obj.uid != uid:
                self.finish(1)
                return out, "error: object has been deleted\n"
            if not force and obj.resource_version == self.last_version:
                return out, ""
            self.last_version = obj.resource_version
            try:
                line, done = status_line(obj, self.want)
            except KubectlError as exc:
                self.finish(1)
                return out, f"error: {exc.message}\n"
            out += line + "\n"
            if not done:
                return out, ""
            self.targets.pop(0)
            force = True
        self.finish(0)
        return out, ""

    def step(self, cluster: Any) -> tuple[str, str]:
        return self._check(cluster)

    def on_timeout(self, cluster: Any) -> tuple[str, str]:
        self.finish(1)
        return "", "error: timed out waiting for the condition\n"


def cmd_status(ctx: Ctx) -> None:
    targets = _rollout_targets(ctx)
    if not ctx.p.get("watch", True):
        for _res, obj in targets:
            ctx.print(status_line(obj, int(ctx.p.get("revision", 0)))[0])
        return
    stream = RolloutStatus(ctx, targets, go_duration(str(ctx.p.get("timeout", "0s")), "timeout"))
    out, err = stream.first(ctx.cluster)
    ctx.out.append(out)
    if stream.done:
        if stream.exit_code:
            ctx.error(err.rstrip("\n"), stream.exit_code)
        return
    ctx.stream = stream


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
    """history.go printTemplate: describe.DescribePodTemplate of the ReplicaSet's template (its
    pod-template-hash label and change cause included), written without a tabwriter: raw tabs."""
    from kubegame.kubectl.describe import W, _pod_template
    w = W()
    _pod_template(w, tpl)
    return "".join(w.buf)


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
                    cause = rs.annotations.get("kubernetes.io/change-cause")
                    if cause:
                        tpl.setdefault("metadata", {}).setdefault("annotations", {})["kubernetes.io/change-cause"] = cause
                    ctx.print(f"{ref_name(res, obj.name)} with revision #{want}\n" + _template_text(tpl) + "\n")
                    break
            else:
                raise KubectlError("unable to find the specified revision")
            continue
        if not rss:
            ctx.print("No rollout history found.")
            continue
        lines = "REVISION\tCHANGE-CAUSE\n"
        for rs in rss:
            cause = rs.annotations.get("kubernetes.io/change-cause") or "<none>"
            lines += f"{revision(rs)}\t{cause}\n"
        ctx.print(f"{ref_name(res, obj.name)} \n" + tabwrite(lines, 0, 2) + "\n")   # Fprintln of the table


ROLLBACK_SKIP = frozenset({LAST_APPLIED, "deployment.kubernetes.io/revision",
                           "deployment.kubernetes.io/revision-history", "deployment.kubernetes.io/desired-replicas",
                           "deployment.kubernetes.io/max-replicas", "deprecated.deployment.rollback.to"})


def cmd_undo(ctx: Ctx) -> None:
    """rollback.go DeploymentRollbacker: copy the chosen ReplicaSet's template into the Deployment."""
    for res, obj in _rollout_targets(ctx):
        if LAST_APPLIED in (obj.annotations or {}):       # rollout_undo.go warningRollbackApplyManagedResource
            ctx.err.append(f"Warning: resource {res.plural}/{obj.name} was previously managed with 'kubectl apply'. "
                           f"Rolling back will not update the {LAST_APPLIED} annotation, which may cause unexpected "
                           "behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your "
                           "previous configuration file instead.\n")
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
        # rollback.go: the Deployment's annotations become the ReplicaSet's, but for those the
        # deployment controller keeps (annotationsToSkip), which stay the Deployment's
        annotations = {k: v for k, v in (obj.annotations or {}).items() if k in ROLLBACK_SKIP}
        annotations.update({k: v for k, v in (target.annotations or {}).items() if k not in ROLLBACK_SKIP})
        body["metadata"]["annotations"] = annotations
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
