"""`kubectl top` reports what a machine can do: never more CPU or memory than a node has
(metrics-server reads cgroup usage, and a container cannot use cores the machine lacks)."""

from __future__ import annotations

import re

from kubegame import kubectl
from kubegame.game import Game
from kubegame.level.catalog import find_level


def test_top_never_exceeds_the_node():
    game = Game(find_level("node-failure"))
    cluster = game.cluster
    game.submit("kubectl scale deployment shop --replicas=1")      # one pod takes all 150 rps
    game.submit("kubectl patch deployment shop -p "
                "'{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":{\"kubernetes.io/hostname\":\"worker-1\"}}}}}'")
    game.run(20)
    game.submit("kubectl scale deployment shop --replicas=3")      # three pods, all on worker-1 ...
    cluster.traffic.spike(("default", "shop"), 4.0, cluster.now + 100)   # ... and four times the load
    game.run(30)
    raw = sum(cluster.traffic._raw_usage(p)[0] for p in cluster.store.pods_on("worker-1").values())
    node = cluster.node("worker-1")
    assert raw > node.cpu                                          # the demand is beyond the machine ...
    out = kubectl.run(cluster, "kubectl top nodes").output
    for line in out.splitlines()[1:]:
        name, cpu, cpu_pct, mem, mem_pct = line.split()
        assert int(cpu_pct.rstrip("%")) <= 100 and int(mem_pct.rstrip("%")) <= 100, line
        assert int(cpu.rstrip("m")) <= cluster.node(name).cpu
    pods = kubectl.run(cluster, "kubectl top pods").output
    on_w1 = [p.name for p in cluster.store.pods_on("worker-1").values()]
    used = sum(int(re.search(r"(\d+)m", ln).group(1)) for ln in pods.splitlines()[1:] if ln.split()[0] in on_w1)
    assert used <= node.cpu                                        # ... and the pods share what there is
