"""Same scenario, same seed => same state hash, in any process, whatever PYTHONHASHSEED is."""

import os
import subprocess
import sys

SCENARIO = r"""
from kubegame.testing import deployment, make_cluster, service
c = make_cluster(nodes=4, cpu="2", memory="4Gi", seed=42, zones=("zone-a", "zone-b"))
for app, n in (("shop", 5), ("cart", 3), ("api", 4)):
    c.apply(deployment(app, replicas=n))
    c.apply(service(app))
    c.traffic.set_demand(app, service=("default", app), rps=40 * n)
c.run(50)
c.fail_node("worker-2")
c.run(100)
body = c.render(c.get("Deployment", "default", "shop"))
body["spec"]["template"]["spec"]["containers"][0]["image"] = "shop:1.1"
c.update(body)
c.run(300)
c.recover_node("worker-2")
c.run(50)
print(c.state_hash())
"""


def run(hashseed: str) -> str:
    env = dict(os.environ, PYTHONHASHSEED=hashseed)
    out = subprocess.run([sys.executable, "-c", SCENARIO], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_same_hash_across_processes_and_hash_seeds():
    a, b, c = run("0"), run("12345"), run("random")
    assert len(a) == 64
    assert a == b == c


def test_different_seed_gives_a_different_run():
    from kubegame.testing import deployment, make_cluster
    hashes = set()
    for seed in (1, 2):
        cl = make_cluster(seed=seed)
        cl.apply(deployment("shop", replicas=3))
        cl.run(20)
        hashes.add(cl.state_hash())
    assert len(hashes) == 2
