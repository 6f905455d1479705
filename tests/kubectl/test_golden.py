"""Golden transcripts per verb: exact stdout+stderr of a fixed session on a seeded cluster.

A command that keeps running (rollout status, drain, delete's wait) is ticked until it returns.
Columns and wording checked against kubectl v1.37: printers.go column definitions
(pkg/printers/internalversion), describe.go layouts (tabwriter 0/8/2 padding), get's tabwriter
(minwidth 6, padding 3), duration.HumanDuration for AGE, rollout_status.go and history.go messages.
Regenerate after a deliberate change with KUBEGAME_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kubegame import kubectl
from kubegame.engine import Cluster, NodeSpec
from kubegame.kubectl.stream import advance

from .conftest import SHOP, SHOP_SVC

GOLDEN = Path(__file__).parent / "golden"

SESSIONS = {
    "get": ["get pods", "get pods -o wide", "get deploy,rs", "get svc", "get nodes", "get nodes -o wide",
            "get all", "get deploy shop -o yaml", "get pods -A --show-labels", "get ns", "get ep",
            "get pods -n kube-system", "get pdos", "get deploy nope"],
    "describe": ["describe deployment shop", "describe svc shop", "describe node node-1", "describe rs",
                 "describe pod nope"],
    "create": ["create deployment web --image=busybox:1.36 --replicas=2 --port=80 --dry-run=client -o yaml",
               "create deployment web --image=busybox:1.36", "create service clusterip web --tcp=80:80",
               "create configmap cfg --from-literal=a=1", "create namespace dev", "get deploy web"],
    "apply_delete_scale": ["scale deploy shop --replicas=4", "get deploy shop", "delete svc shop", "get svc",
                           "delete pods", "delete deploy shop --dry-run=client"],
    "rollout": ["set image deploy/shop shop=busybox:1.36", "rollout status deploy/shop", "@tick 60",
                "rollout status deploy/shop", "rollout history deploy/shop", "rollout undo deploy/shop",
                "rollout history deploy/shop --revision=1"],
    "errors": ["gett pods", "get pods --foo", "scale deploy shop", "create deployment x", "logs",
               "get pods -x", "describe"],
    "nodes": ["cordon node-1", "get nodes", "drain node-1 --ignore-daemonsets", "taint nodes node-2 a=b:NoSchedule",
              "describe node node-2", "top nodes"],
}


def session(lines: list[str]) -> str:
    c = Cluster(seed=42)
    c.add_node(NodeSpec("node-1", zone="zone-a"))
    c.add_node(NodeSpec("node-2", zone="zone-b"))
    c.create(SHOP)
    c.create(SHOP_SVC)
    c.run(30)
    out = []
    for line in lines:
        if line.startswith("@tick "):
            c.run(int(line.split()[1]))
            out.append(f"# {line[1:]}\n")
            continue
        r = kubectl.run(c, "kubectl " + line)
        text, code = r.output + r.error, r.exit_code
        if r.stream is not None:              # it keeps running: tick until it returns (kubectl/stream.py)
            start = c.now
            while not r.stream.done and c.now - start < 600:
                c.tick()
                o, e = advance(r.stream, c)
                text += o + e
            code = r.stream.exit_code
            text += f"# ran {c.now - start} ticks\n"
        out.append(f"$ kubectl {line}\n{text}[exit {code}]\n")
    return "".join(out)


@pytest.mark.parametrize("name", sorted(SESSIONS))
def test_golden(name: str) -> None:
    path = GOLDEN / f"{name}.txt"
    got = session(SESSIONS[name])
    if os.environ.get("KUBEGAME_UPDATE_GOLDEN"):
        path.write_text(got)
    assert path.exists(), f"missing {path}; run with KUBEGAME_UPDATE_GOLDEN=1"
    assert got == path.read_text()
