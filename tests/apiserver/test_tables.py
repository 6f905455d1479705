"""The Table rows kubegame serve sends are the built-in kubectl's rows: the fast pod row worked out
from the Pod (printers.pod_row_of) equals printPod's port over the rendered pod (printers.pod_row),
for every pod of levels with crashing, pending, terminating, initialising and lost pods."""

from __future__ import annotations

import pytest

from kubegame.game import Game
from kubegame.kubectl.printers import Item, pod_row_of, row
from kubegame.level.catalog import find_level

INIT_POD = """apiVersion: v1
kind: Pod
metadata: {name: init}
spec:
  initContainers: [{name: wait, image: "busybox:1.36", command: [sleep, "30"]}]
  containers: [{name: app, image: "busybox:1.36"}]
"""


@pytest.mark.parametrize("level,ticks", [("bad-release", (1, 8, 40, 90)), ("node-failure", (1, 125, 190, 260)),
                                          ("no-room", (1, 30)), ("batch-deadline", (1, 60, 200)),
                                          ("missing-config", (1, 20))])
def test_the_fast_pod_row_is_the_rendered_pods_row(level, ticks):
    g = Game(find_level(level))
    seen_status = set()
    for t in ticks:
        while g.now < t and not g.finished:
            g.step()
        if t == 1:                 # a pull that fails, init containers at work, a container that crashes
            g.submit("kubectl run badimage --image=nope:404")
            g.submit("kubectl run crash --image=busybox:1.36 -- false")
            g.submit("kubectl apply -f init.yaml", files={"init.yaml": INIT_POD})
        if level == "bad-release" and t == 8:
            g.submit("kubectl set image deployment/shop shop=shop:2.1")
        for pod in g.cluster.pods():
            slow = row(g.cluster.now, Item("Pod", g.cluster.render(pod), pod), True)
            assert pod_row_of(g.cluster.now, pod, True) == slow, pod.name
            seen_status.add(slow[2])
    assert len(seen_status) >= 3, seen_status        # several STATUS values were compared
