"""Node failure: 50 s grace (--node-monitor-grace-period's default since v1.32,
cmd/kube-controller-manager/app/options/nodelifecyclecontroller.go) -> Ready=Unknown -> unreachable taints -> eviction after 300 s
(pkg/controller/nodelifecycle, the DefaultTolerationSeconds admission plugin)."""

from kubegame.testing import deployment, make_cluster, service


def setup():
    c = make_cluster(nodes=3, cpu="4", memory="8Gi")
    c.apply(deployment("shop", replicas=3))
    c.apply(service("shop"))
    c.traffic.set_demand("shop", service=("default", "shop"), rps=90)
    c.run(30)
    return c


def test_pods_get_default_tolerations_of_300_seconds():
    c = setup()
    p = c.pods("default")[0]
    tol = {t["key"]: t for t in p.spec["tolerations"]}
    assert tol["node.kubernetes.io/unreachable"] == {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable",
                                                     "operator": "Exists", "tolerationSeconds": 300}
    assert tol["node.kubernetes.io/not-ready"]["tolerationSeconds"] == 300


def test_failed_node_is_unknown_after_50_and_pods_evicted_after_350():
    c = setup()
    dead = [p for p in c.pods("default") if p.node_name == "worker-2"]
    assert len(dead) == 1
    start = c.now
    c.fail_node("worker-2")
    # pods on a dead node stop serving at once but stay endpoints until the node is marked
    c.tick()
    assert c.traffic.last[("default", "shop")].failed == 30
    assert dead[0].name in [p.name for p in c.endpoints.endpoints("default", "shop")]
    c.run(48)
    assert c.node("worker-2").ready_status == "True"
    c.run(2)
    node = c.node("worker-2")
    assert node.ready_status == "Unknown" and c.now - start == 51
    keys = {(t["key"], t["effect"]) for t in node.taints}
    assert keys == {("node.kubernetes.io/unreachable", "NoSchedule"), ("node.kubernetes.io/unreachable", "NoExecute")}
    assert dead[0].name not in [p.name for p in c.endpoints.endpoints("default", "shop")]
    assert c.traffic.last[("default", "shop")].failed == 0
    assert any(e.reason == "NodeNotReady" and e.message == "Node worker-2 status is now: NodeNotReady"
               for e in c.events)
    c.run(295)
    assert not dead[0].terminating
    c.run(10)
    assert dead[0].terminating and dead[0].status_reason() == "Terminating"
    assert any(e.reason == "TaintManagerEviction" and e.message == f"Marking for deletion Pod default/{dead[0].name}"
               for e in c.events)
    c.run(30)
    running = [p for p in c.pods("default") if p.active and p.ready]
    assert len(running) == 3 and all(p.node_name != "worker-2" for p in running)


def test_shorter_toleration_evicts_sooner():
    c = make_cluster(nodes=2, cpu="4", memory="8Gi")
    tol = [{"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
            "tolerationSeconds": 10}]
    c.apply(deployment("shop", replicas=2, cpu="100m"))
    body = c.render(c.get("Deployment", "default", "shop"))
    body["spec"]["template"]["spec"]["tolerations"] = tol
    c.update(body)
    c.run(60)
    victim = next(p for p in c.pods("default") if p.node_name == "worker-1" and p.active)
    c.fail_node("worker-1")
    c.run(50 + 5)
    assert not victim.terminating
    c.run(5)                           # Unknown at 50 s, then its 10 s toleration
    assert victim.terminating


def test_recovery_clears_taints_and_finishes_terminating_pods():
    c = setup()
    c.fail_node("worker-1")
    c.run(400)
    stuck = [p for p in c.pods("default") if p.node_name == "worker-1"]
    assert stuck and all(p.terminating for p in stuck)
    c.recover_node("worker-1")
    c.tick()
    assert c.node("worker-1").ready_status == "True" and not c.node("worker-1").taints
    assert not [p for p in c.pods("default") if p.node_name == "worker-1" and p.terminating]


def test_quick_recovery_restarts_containers_without_eviction():
    c = setup()
    pods = [p for p in c.pods("default") if p.node_name == "worker-3"]
    c.fail_node("worker-3")
    c.run(20)
    c.recover_node("worker-3")
    c.run(10)
    assert all(p.ready and not p.terminating and p.restart_count == 1 for p in pods)


def test_a_no_execute_taint_added_by_any_node_update_evicts_the_pods_that_do_not_tolerate_it():
    # the taint-eviction controller watches Nodes (pkg/controller/tainteviction): whoever edits
    # the taints, pods without a matching NoExecute toleration are deleted
    c = setup()
    node = next(n for n in c.nodes() if n.pod_count)
    victims = [p.name for p in c.store.pods_on(node.name).values()]
    body = node.to_dict()
    body["spec"]["taints"] = [{"key": "maintenance", "value": "now", "effect": "NoExecute"}]
    c.update(body)
    c.tick()
    assert all(c.get("Pod", "default", name).terminating for name in victims)
