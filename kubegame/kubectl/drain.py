"""Evictions that honour PodDisruptionBudgets, and drains that retry refused evictions.

The Eviction API (pkg/registry/core/pod/storage/eviction.go) refuses to evict a pod when
a PodDisruptionBudget selecting it has no disruptions allowed:
  `Cannot evict pod as it would violate the pod's disruption budget.`
kubectl drain (k8s.io/kubectl/pkg/drain) then retries every 5 seconds and waits for the
evicted pods to go: here a Stream on the game clock (kubectl/stream.py).
TODO(engine): the eviction check belongs in the engine (an `evict(pod)` API).
"""

from __future__ import annotations

import math
from typing import Any

from kubegame.engine.errors import ApiError
from kubegame.engine.kinds import BY_KIND
from kubegame.kubectl.stream import Stream
from kubegame.kubectl.util import aggregate, go_duration_text, label_selector_matches

RETRY_TICKS = 5


def _scaled(value: Any, total: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        pct = int(value[:-1])
        x = pct * total / 100
        return math.ceil(x) if round_up else math.floor(x)
    return int(value)


def expected_pods(cluster: Any, pdb: Any, pods: list[Any]) -> int:
    """The controller's scale for the selected pods (disruption controller getExpectedPodCount)."""
    owners: dict[str, int] = {}
    for p in pods:
        ref = p.controller_ref()
        if ref is None:
            continue
        if ref.get("uid") in owners:
            continue
        kind = ref.get("kind")
        obj = cluster.get(kind, p.namespace, ref.get("name")) if kind else None
        if obj is not None and kind == "ReplicaSet":
            dref = obj.controller_ref()
            dep = cluster.get("Deployment", p.namespace, dref.get("name")) if dref else None
            owners[ref["uid"]] = int((dep or obj).spec.get("replicas", 1))
        elif obj is not None:
            owners[ref["uid"]] = int(obj.spec.get("replicas", 1))
    return sum(owners.values()) if owners else len(pods)


def disruptions_allowed(cluster: Any, pdb: Any) -> int:
    """status.disruptionsAllowed of a PDB: currentHealthy - desiredHealthy (at least 0)."""
    pods = [p for p in cluster.pods(pdb.namespace)
            if label_selector_matches(pdb.spec.get("selector") or {}, p.labels) and p.deletion_tick is None]
    healthy = sum(1 for p in pods if p.ready)
    spec = pdb.spec
    if "minAvailable" in spec:
        expected = expected_pods(cluster, pdb, pods) if isinstance(spec["minAvailable"], str) else len(pods)
        desired = _scaled(spec["minAvailable"], expected, True)
    elif "maxUnavailable" in spec:
        expected = expected_pods(cluster, pdb, pods)
        desired = max(0, expected - _scaled(spec["maxUnavailable"], expected, True))
    else:
        desired = 0
    return max(0, healthy - desired)


def evict(cluster: Any, pod: Any, grace: int | None = None) -> None:
    """POST pods/eviction: refuse (429 TooManyRequests) when a PDB would be violated."""
    evictor = getattr(cluster, "evict", None)
    if callable(evictor):          # the engine's Eviction API (controllers/disruption.py)
        evictor(pod)
        if grace is not None:
            cluster.delete_pod(pod, grace)
        return
    if pod.deletion_tick is None:
        pdbs = [b for b in cluster.list("PodDisruptionBudget", pod.namespace)
                if label_selector_matches(b.spec.get("selector") or {}, pod.labels)]
        if len(pdbs) > 1:
            raise ApiError("InternalError", "This pod has more than one PodDisruptionBudget, which the eviction "
                           "subresource does not support.", 500)
        if pdbs and pod.ready and disruptions_allowed(cluster, pdbs[0]) <= 0:
            raise ApiError("TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                           429)
    cluster.delete_pod(pod, grace)


class Drain(Stream):
    """`kubectl drain` after the cordon (pkg/cmd/drain/drain.go RunDrain, pkg/drain/drain.go
    evictPods): the nodes in turn; each node's pods are evicted together; a refused eviction
    (429, a PodDisruptionBudget) prints `evicting pod` again every 5 s; an evicted pod prints
    `pod/NAME evicted` when it is gone; then `node/NAME drained`. `--timeout` bounds each node."""

    name = "drain"

    def __init__(self, ctx: Any, nodes: list[Any], grace: int | None, timeout: float):
        super().__init__(ctx.cluster, None)
        self.ctx = ctx
        self.nodes = [n.name for n in nodes]
        self.grace = grace
        self.timeout = timeout
        self.retry: dict[tuple[str, str], int] = {}        # pod -> the tick of its next eviction attempt
        self.waiting: dict[tuple[str, str], str] = {}      # evicted pod -> its uid, until it is gone
        self.errors: list[str] = []                        # this node's
        self.fatal: list[str] = []                         # every node's (the command's error)
        self.pending_nodes: list[str] = []
        self.node_deadline: int | None = None

    # -- one node -------------------------------------------------------------------------
    def start_node(self, cluster: Any) -> tuple[str, str]:
        """The next node: its pods filtered, their first evictions."""
        from kubegame.kubectl.cmd_nodes import pods_to_drain
        out, err = "", ""
        while self.nodes:
            node = cluster.node(self.nodes[0])
            pods, problems, warnings = pods_to_drain(self.ctx, node) if node is not None else ([], [], [])
            err += "".join(f"Warning: {w}\n" for w in warnings)
            if problems:
                msg = "cannot delete " + "; ".join(e[len("cannot delete "):] for e in problems)
                err += f'error: unable to drain node "{self.nodes[0]}" due to error: {msg}, continuing command...\n'
                self.fatal.append(msg)
                self.pending_nodes.append(self.nodes.pop(0))
                continue
            self.errors = []
            self.node_deadline = cluster.now + math.ceil(self.timeout) if self.timeout > 0 else None
            for pod in pods:
                o, e = self._evict(cluster, pod)
                out, err = out + o, err + e
            if self.retry or self.waiting:
                return out, err
            o, e = self._node_done(cluster)
            out, err = out + o, err + e
        return out + self._finish_all(), err + self._final_error()

    def _evict(self, cluster: Any, pod: Any) -> tuple[str, str]:
        key = (pod.namespace, pod.name)
        out = f"evicting pod {pod.namespace}/{pod.name}\n"
        try:
            self.ctx.authorize("create", BY_KIND["Pod"], pod.namespace, pod.name, "eviction")
            evict(cluster, pod, self.grace)
        except ApiError as exc:
            if exc.code == 429:
                self.retry[key] = cluster.now + RETRY_TICKS
                return out, (f'error when evicting pods/"{pod.name}" -n "{pod.namespace}" (will retry after 5s): '
                             f"{exc.message}\n")
            if exc.code == 404:
                return out, ""
            self.errors.append(f'error when evicting pods/"{pod.name}" -n "{pod.namespace}": {exc.message}')
            return out, ""
        self.retry.pop(key, None)
        self.waiting[key] = pod.uid
        return out, ""

    def _node_done(self, cluster: Any) -> tuple[str, str]:
        """Every pod of the node evicted and gone, or failed: `node/NAME drained` or the error."""
        name = self.nodes.pop(0)
        if not self.errors:
            return f"node/{name} drained\n", ""
        self.fatal.append(aggregate(self.errors))
        self.pending_nodes.append(name)
        return "", (f'error: unable to drain node "{name}" due to error: {aggregate(self.errors)}, '
                    "continuing command...\n")

    def _finish_all(self) -> str:
        self.finish(1 if self.fatal else 0)
        return ""

    def _final_error(self) -> str:
        if not self.fatal:
            return ""
        return ("There are pending nodes to be drained:\n" + "".join(f" {n}\n" for n in self.pending_nodes)
                + f"error: {aggregate(self.fatal)}\n")

    # -- the clock ------------------------------------------------------------------------
    def step(self, cluster: Any) -> tuple[str, str]:
        out, err = "", ""
        late = self.node_deadline is not None and cluster.now >= self.node_deadline
        limit = go_duration_text(self.timeout)
        skip = int(self.ctx.p.get("skip-wait-for-delete-timeout", 0))
        for key, uid in list(self.waiting.items()):
            pod = cluster.get("Pod", *key)
            if pod is None or pod.uid != uid:
                del self.waiting[key]
                out += f"pod/{key[1]} evicted\n"
            elif skip > 0 and pod.deletion_tick is not None and cluster.now - pod.deletion_tick > skip:
                del self.waiting[key]            # drain.go shouldSkipPod / podSkipMsgTemplate
                out += f'pod "{key[1]}" has DeletionTimestamp older than {skip} seconds, skipping\n'
            elif late:                       # waitForDelete polls every second under the same deadline
                del self.waiting[key]
                self.errors.append(f'error when waiting for pod "{key[1]}" in namespace "{key[0]}" to terminate: '
                                   "context deadline exceeded")
        for key, at in sorted(self.retry.items()):
            if at > cluster.now:
                continue
            pod = cluster.get("Pod", *key)
            if pod is None:
                del self.retry[key]
                continue
            if late:                         # the retry loop looks at the deadline after its 5 s sleep
                del self.retry[key]
                out += f"evicting pod {key[0]}/{key[1]}\n"
                self.errors.append(f'error when evicting pods/"{key[1]}" -n "{key[0]}": global timeout reached: '
                                   f"{limit}")
                continue
            o, e = self._evict(cluster, pod)
            out, err = out + o, err + e
        if not self.retry and not self.waiting and self.errors:
            from kubegame.kubectl.cmd_nodes import pods_to_drain
            node = cluster.node(self.nodes[0])
            left = pods_to_drain(self.ctx, node)[0] if node is not None else []
            if left:
                err += (f'There are pending pods in node "{self.nodes[0]}" when an error occurred: '
                        f"{aggregate(self.errors)}\n" + "".join(f"pod/{x.name}\n" for x in left))
        if self.retry or self.waiting:
            return out, err
        o, e = self._node_done(cluster)
        o2, e2 = self.start_node(cluster)
        return out + o + o2, err + e + e2
