"""The STATUS and READY columns of `kubectl get pods`, from a pod's status as the API returns it.

A port of printPod in pkg/printers/internalversion/printers.go (Kubernetes v1.37): init
containers first (`Init:0/2`, `Init:CrashLoopBackOff`, `Init:Error`; native sidecars that have
started count as ready containers), then the regular containers from the last to the first
(a waiting or terminated reason wins: CrashLoopBackOff, OOMKilled, Error, Completed ...), then
`Terminating` / `Unknown` for a pod being deleted. Shared by the engine (Pod.status_reason) and
kubectl's printers, so the board and the table always agree.
"""

from __future__ import annotations

from typing import Any


def status_column(parts: dict[str, Any]) -> str:
    reason = parts.get("reason") or parts.get("phase") or "Pending"
    init_specs = parts.get("init_specs") or []
    initializing = False
    for i, c in enumerate(parts.get("init") or []):
        state = c.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        sidecar = i < len(init_specs) and (init_specs[i] or {}).get("restartPolicy") == "Always"
        if term is not None and term.get("exitCode") == 0:
            continue
        if sidecar and c.get("started"):
            continue
        if term is not None:
            reason = "Init:" + term["reason"] if term.get("reason") else f"Init:ExitCode:{term.get('exitCode')}"
            initializing = True
        elif wait is not None and wait.get("reason") and wait.get("reason") != "PodInitializing":
            reason = "Init:" + wait["reason"]
            initializing = True
        else:
            reason = f"Init:{i}/{len(parts.get('init') or [])}"
            initializing = True
        break
    if not initializing or parts.get("initialized"):
        has_running = False
        for c in reversed(parts.get("containers") or []):
            state = c.get("state") or {}
            term, wait = state.get("terminated"), state.get("waiting")
            if wait is not None and wait.get("reason"):
                reason = wait["reason"]
            elif term is not None and term.get("reason"):
                reason = term["reason"]
            elif term is not None:
                reason = f"ExitCode:{term.get('exitCode')}"
            elif c.get("ready") and "running" in state:
                has_running = True
        if reason == "Completed" and has_running:
            reason = "Running" if parts.get("ready") else "NotReady"
    if parts.get("deleting"):
        reason = "Unknown" if parts.get("reason") == "NodeLost" else "Terminating"
    return reason


def ready_column(spec: dict, status: dict) -> tuple[int, int]:
    """(ready, total) containers: the regular ones and the native sidecars (restartable init containers)."""
    sidecars = {c.get("name") for c in spec.get("initContainers") or [] if isinstance(c, dict)
                and c.get("restartPolicy") == "Always"}
    total = len(spec.get("containers") or []) + len(sidecars)
    ready = sum(1 for c in status.get("containerStatuses") or [] if c.get("ready"))
    ready += sum(1 for c in status.get("initContainerStatuses") or [] if c.get("name") in sidecars and c.get("ready")
                 and c.get("started"))
    return ready, total


def restarts(status: dict) -> tuple[int, str | None]:
    """Total restarts (init and regular containers) and the latest restart's finishedAt."""
    total, last = 0, None
    for c in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        total += int(c.get("restartCount") or 0)
        t = ((c.get("lastState") or {}).get("terminated") or {}).get("finishedAt")
        if t and (last is None or t > last):
            last = t
    return total, last
