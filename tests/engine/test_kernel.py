"""Kernels: a container built for one kernel crashes on another; nodeSelector on the kernel label fixes it."""

from kit_workloads import cluster, deployment, ready_pods, run_until

from kubegame.engine.images import Image

KERNEL_LABEL = "feature.node.kubernetes.io/kernel-version.full"


def test_kernel_upgrade_crashes_pods_and_a_node_selector_fixes_it():
    c = cluster("n1", "n2", images=[Image("legacy:1.0", startup_ticks=2, crash_on_kernels=("6.8",))])
    c.apply(deployment("legacy", 2, image="legacy:1.0", cpu="100m"))
    run_until(c, lambda: len(ready_pods(c, app="legacy")) == 2)
    on_n1 = [p for p in ready_pods(c, app="legacy") if p.node_name == "n1"]
    # KernelUpgrade: the machine reboots into the new kernel (its containers restart on it,
    # since containers share the host's kernel), and the node's kernel label changes
    c.set_kernel("n1", "6.8")
    assert c.node("n1").labels[KERNEL_LABEL] == "6.8"
    c.run(40)
    for p in on_n1:
        assert p.restart_count >= 1 and not p.ready
        assert p.status_reason() in ("CrashLoopBackOff", "Error")
    # the fix: keep the pods on nodes with the old kernel
    body = deployment("legacy", 2, image="legacy:1.0", cpu="100m")
    body["spec"]["template"]["spec"]["nodeSelector"] = {KERNEL_LABEL: "6.1"}
    c.apply(body)
    def rolled_out():
        pods = [p for p in c.pods() if p.labels.get("app") == "legacy"]
        return len(pods) == 2 and all(p.ready and p.spec.get("nodeSelector") for p in pods)
    run_until(c, rolled_out, limit=400)
    assert all(p.node_name == "n2" for p in ready_pods(c, app="legacy"))
