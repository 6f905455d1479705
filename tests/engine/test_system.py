"""kube-system as kubeadm v1.37 leaves it, and the control plane and nodes breaking the ways a CKA
learner must diagnose.

Upstream: cmd/kubeadm/app/phases/controlplane/manifests.go and etcd/local.go (the static pod
manifests), cmd/kubeadm/app/phases/addons/dns/manifests.go (CoreDNS), addons/proxy/manifests.go
(kube-proxy), cmd/kubeadm/app/constants/constants.go (labels, taint, versions),
pkg/kubelet/config/file.go and pod/mirror_client.go (static and mirror pods),
pkg/kubelet/eviction (nodefs.available<10%), pkg/controller/nodelifecycle (a silent kubelet).
"""

from __future__ import annotations

import textwrap

import pytest

from kubegame.engine import system
from kubegame.engine.hostshell import HostShell, tabwrite
from kubegame.game import Game
from kubegame.level.errors import LevelInvalid
from kubegame.level.loader import load_level

LEVEL = """\
apiVersion: kubegame/v1
kind: Level
metadata:
  name: system-test
spec:
  title: System test
  briefing: test
  duration: 900
  cluster:
    {control_plane}
    nodes:
      - {{name: worker, count: 2, cpu: "4", memory: 8Gi}}
  images:
    - {{name: shop:1.0}}
  traffic:
    - {{service: shop, rps: 20}}
  events: {events}
  objectives:
    - {{type: availability, service: shop, atLeast: 1}}
  solution:
    - {{at: 1, run: "kubectl get pods"}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: shop}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: shop}}}}
  template:
    metadata: {{labels: {{app: shop}}}}
    spec:
      containers: [{{name: shop, image: "shop:1.0"}}]
---
apiVersion: v1
kind: Service
metadata: {{name: shop}}
spec:
  selector: {{app: shop}}
  ports: [{{port: 80, targetPort: 8080}}]
"""


def make_game(tmp_path, events: str = "[]", control_plane: str = "") -> Game:
    path = tmp_path / "level.yaml"
    path.write_text(LEVEL.format(events=events, control_plane=control_plane or "nodeMonitorGracePeriod: 50"))
    return Game(load_level(str(path)))


def sh(game: Game, line: str) -> tuple[str, str, int]:
    r = game.submit(line)
    return r.output, r.error, r.exit_code


def steps(game: Game, n: int) -> None:
    for _ in range(n):
        game.step()


# -- what kubeadm installs ------------------------------------------------------------------------

def test_kubeadm_layout(tmp_path):
    g = make_game(tmp_path)
    c = g.cluster
    cp = c.node("control-plane")
    assert cp is not None
    # constants.go: LabelNodeRoleControlPlane, LabelExcludeFromExternalLB, ControlPlaneTaint
    assert cp.labels["node-role.kubernetes.io/control-plane"] == ""
    assert cp.labels["node.kubernetes.io/exclude-from-external-load-balancers"] == ""
    assert {"effect": "NoSchedule", "key": "node-role.kubernetes.io/control-plane"} in cp.taints
    out, _, _ = sh(g, "kubectl get nodes")
    assert "control-plane   Ready    control-plane" in out
    for comp in system.COMPONENTS:
        pod = c.get("Pod", "kube-system", f"{comp}-control-plane")
        assert pod is not None and pod.ready, comp
        # mirror_client.go: the config.* annotations and the Node as the controller owner
        assert pod.annotations["kubernetes.io/config.source"] == "file"
        assert pod.annotations["kubernetes.io/config.mirror"] == pod.annotations["kubernetes.io/config.hash"]
        assert pod.owner_references[0]["kind"] == "Node" and pod.owner_references[0]["name"] == "control-plane"
        assert pod.ip == cp.internal_ip                  # hostNetwork: the node's address
        assert pod.priority == 2000001000
    dns = [p for p in c.pods("kube-system") if p.labels.get("k8s-app") == "kube-dns"]
    assert len(dns) == 2 and {p.node_name for p in dns} == {"control-plane"}
    assert c.get("Service", "kube-system", "kube-dns").spec["clusterIP"] == "10.96.0.10"
    proxies = [p for p in c.pods("kube-system") if p.labels.get("k8s-app") == "kube-proxy"]
    assert sorted(p.node_name for p in proxies) == ["control-plane", "worker-1", "worker-2"]
    # the level's pods stay off the tainted control plane, and it costs nothing
    assert all(p.node_name != "control-plane" for p in c.pods("default"))
    assert g._worker_count() == 2


def test_several_members_are_several_control_plane_nodes(tmp_path):
    g = make_game(tmp_path, control_plane="controlPlane: {etcdMembers: [zone-a, zone-b, zone-c]}")
    names = sorted(n.name for n in g.cluster.nodes() if system.is_control_plane(n))
    assert names == ["control-plane-1", "control-plane-2", "control-plane-3"]
    assert [m.node for m in g.cluster.controlplane.members] == names
    assert g.cluster.node("control-plane-2").zone == "zone-b"
    manifest = g.cluster.hosts["control-plane-2"].files["/etc/kubernetes/manifests/etcd.yaml"]
    assert "--initial-cluster=control-plane-1=https://172.18.0.2:2380,control-plane-2=https://172.18.0.3:2380," \
           "control-plane-3=https://172.18.0.4:2380" in manifest


def test_add_and_remove_member_join_and_leave_as_nodes(tmp_path):
    g = make_game(tmp_path, control_plane="controlPlane: {etcdMembers: [zone-a, zone-a, zone-a]}")
    out, err, code = sh(g, "etcd add-member --zone zone-a")
    assert code == 0, err
    assert g.cluster.node("control-plane-4") is not None
    steps(g, 30)
    assert g.cluster.get("Pod", "kube-system", "kube-scheduler-control-plane-4").ready
    sh(g, "etcd remove-member etcd-4")
    assert g.cluster.node("control-plane-4") is None


# -- static pods ----------------------------------------------------------------------------------

def test_a_deleted_mirror_pod_comes_back(tmp_path):
    g = make_game(tmp_path)
    out, err, code = sh(g, "kubectl delete pod -n kube-system kube-scheduler-control-plane")
    assert code == 0, err
    steps(g, 3)
    assert g.cluster.get("Pod", "kube-system", "kube-scheduler-control-plane") is not None


def test_scheduler_manifest_moved_leaves_new_pods_pending_without_events(tmp_path):
    g = make_game(tmp_path, events="[{at: 5, type: ControlPlaneFailure, component: kube-scheduler}]")
    steps(g, 8)
    out, _, _ = sh(g, "kubectl get pods -n kube-system")
    assert "kube-scheduler-control-plane" not in out
    sh(g, "kubectl run probe --image=busybox -- sleep 3600")
    steps(g, 20)
    pod = g.cluster.get("Pod", "default", "probe")
    assert pod.phase == "Pending" and not pod.node_name
    assert g.cluster.events_for("Pod", "default", "probe") == []
    out, _, _ = sh(g, "node ssh control-plane -- ls /etc/kubernetes")
    assert "kube-scheduler.yaml" in out
    _, err, code = sh(g, "node ssh control-plane -- mv /etc/kubernetes/kube-scheduler.yaml /etc/kubernetes/manifests/")
    assert code == 0, err
    steps(g, 30)
    assert g.cluster.get("Pod", "default", "probe").node_name.startswith("worker-")


def test_controller_manager_down_nothing_reconciles(tmp_path):
    g = make_game(tmp_path, events="[{at: 5, type: ControlPlaneFailure, component: kube-controller-manager}]")
    steps(g, 8)
    sh(g, "kubectl scale deployment shop --replicas=4")
    steps(g, 20)
    assert len(g.cluster.pods("default")) == 2
    sh(g, "node ssh control-plane -- mv /etc/kubernetes/kube-controller-manager.yaml /etc/kubernetes/manifests")
    steps(g, 30)
    assert len(g.cluster.pods("default")) == 4


def test_bad_flag_crash_loops_with_cobras_error_until_fixed(tmp_path):
    g = make_game(tmp_path, events="[{at: 5, type: ControlPlaneFailure, component: kube-scheduler, fault: badFlag}]")
    steps(g, 40)
    pod = g.cluster.get("Pod", "kube-system", "kube-scheduler-control-plane")
    assert pod.waiting_reason == "CrashLoopBackOff" or pod.main.restart_count >= 1
    out, _, _ = sh(g, "kubectl logs -n kube-system kube-scheduler-control-plane")
    assert "Error: unknown flag: --leader-elekt" in out
    _, err, code = sh(g, "node ssh control-plane -- sed -i 's/leader-elekt/leader-elect/' "
                         "/etc/kubernetes/manifests/kube-scheduler.yaml")
    assert code == 0, err
    steps(g, 40)
    pod = g.cluster.get("Pod", "kube-system", "kube-scheduler-control-plane")
    assert pod.ready and g.cluster.components_up()["kube-scheduler"]


def test_apiserver_down_refuses_connections_but_kubeconfig_works(tmp_path):
    g = make_game(tmp_path, events="[{at: 5, type: ControlPlaneFailure, component: kube-apiserver}]")
    steps(g, 8)
    _, err, code = sh(g, "kubectl get pods")
    assert code == 1
    assert err == "The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n"
    out, _, code = sh(g, "kubectl config current-context")
    assert code == 0 and out.strip()
    served = g.cluster.traffic.totals_by_service[("default", "shop")].served
    steps(g, 10)
    assert g.cluster.traffic.totals_by_service[("default", "shop")].served > served   # the pods keep serving
    sh(g, "node ssh control-plane -- mv /etc/kubernetes/kube-apiserver.yaml /etc/kubernetes/manifests/")
    steps(g, 30)
    assert sh(g, "kubectl get pods")[2] == 0


def test_a_failed_etcd_member_crash_loops_its_pod_until_it_recovers(tmp_path):
    g = make_game(tmp_path, control_plane="controlPlane: {etcdMembers: [zone-a, zone-a, zone-a]}",
                  events="[{at: 5, type: EtcdMemberFailure, count: 1}, {at: 60, type: EtcdMemberRecovery, count: 1}]")
    steps(g, 30)
    pod = g.cluster.get("Pod", "kube-system", "etcd-control-plane-1")
    assert not pod.ready and pod.main.restart_count >= 1
    out, _, _ = sh(g, "kubectl logs -n kube-system etcd-control-plane-1")
    assert '"msg":"discovery failed"' in out
    steps(g, 400)
    assert g.cluster.get("Pod", "kube-system", "etcd-control-plane-1").ready


# -- CoreDNS ----------------------------------------------------------------------------------------

def test_no_coredns_no_names(tmp_path):
    g = make_game(tmp_path)
    sh(g, "kubectl run tmp --image=busybox -- sleep 3600")
    steps(g, 5)
    out, err, code = sh(g, "kubectl exec tmp -- wget -qO- http://shop")
    assert code == 0 and "Hello from" in out, err
    sh(g, "kubectl scale deployment coredns -n kube-system --replicas=0")
    steps(g, 5)
    _, err, code = sh(g, "kubectl exec tmp -- wget -qO- http://shop")
    assert "wget: bad address 'shop'" in err and code == 1
    out, _, code = sh(g, "kubectl exec tmp -- nslookup shop")
    assert out == ";; connection timed out; no servers could be reached\n\n" and code == 1
    ip = g.cluster.get("Service", "default", "shop").spec["clusterIP"]
    out, _, code = sh(g, f"kubectl exec tmp -- wget -qO- http://{ip}")
    assert code == 0                                   # an address needs no lookup
    before = g.cluster.traffic.totals_by_service[("default", "shop")]
    served, failed = before.served, before.failed
    steps(g, 10)
    after = g.cluster.traffic.totals_by_service[("default", "shop")]
    assert after.served == served and after.failed - failed == 200   # 20 rps for 10 ticks, none resolved
    sh(g, "kubectl scale deployment coredns -n kube-system --replicas=2")
    steps(g, 15)
    assert g.cluster.dns.status() == "ok"


def test_a_broken_corefile_is_ignored_by_reload_and_kills_a_restart(tmp_path):
    g = make_game(tmp_path)
    sh(g, "kubectl patch configmap coredns -n kube-system --type merge -p "
          "'{\"data\":{\"Corefile\":\".:53 {\\n    errors\\n    kubernets cluster.local\\n}\\n\"}}'")
    steps(g, 35)
    assert g.cluster.dns.status() == "ok"              # the running servers keep the old Corefile
    pod = next(p for p in g.cluster.pods("kube-system") if p.labels.get("k8s-app") == "kube-dns")
    out, _, _ = sh(g, f"kubectl logs -n kube-system {pod.name}")
    assert "[ERROR] Restart failed: /etc/coredns/Corefile:3 - Error during parsing: Unknown directive " \
           "'kubernets'" in out
    sh(g, "kubectl rollout restart deployment coredns -n kube-system")
    steps(g, 30)
    new = [p for p in g.cluster.pods("kube-system") if p.labels.get("k8s-app") == "kube-dns" and p.main.restart_count]
    assert new, "the restarted servers exit on the parse error"


def test_a_corefile_without_the_kubernetes_plugin_answers_nxdomain(tmp_path):
    g = make_game(tmp_path)
    sh(g, "kubectl patch configmap coredns -n kube-system --type merge -p "
          "'{\"data\":{\"Corefile\":\".:53 {\\n    errors\\n    health\\n    ready\\n    forward . /etc/resolv.conf\\n"
          "    reload\\n}\\n\"}}'")
    steps(g, 35)
    assert g.cluster.dns.status() == "nxdomain"
    sh(g, "kubectl run tmp --image=busybox -- sleep 3600")
    steps(g, 5)
    out, _, code = sh(g, "kubectl exec tmp -- nslookup shop")
    assert "** server can't find shop.default.svc.cluster.local: NXDOMAIN" in out and code == 1


def test_corefile_parse_errors():
    assert system.corefile_problem(system.COREFILE) == ""
    assert system.corefile_problem(".:53 {\n    errors\n") == \
        "/etc/coredns/Corefile:2 - Error during parsing: Unexpected EOF"
    assert system.corefile_problem(".:53 {\n  cache 30\n  kubernets cluster.local\n}\n") == \
        "/etc/coredns/Corefile:3 - Error during parsing: Unknown directive 'kubernets'"


# -- the machines -----------------------------------------------------------------------------------

def test_a_stopped_kubelet_makes_the_node_notready_while_its_containers_run(tmp_path):
    g = make_game(tmp_path, events="[{at: 5, type: KubeletStop, node: worker-2}]")
    steps(g, 10)
    pods = [p for p in g.cluster.pods("default") if p.node_name == "worker-2"]
    assert pods and all(p.main.running for p in pods)
    out, _, code = sh(g, "node ssh worker-2 -- systemctl status kubelet")
    assert code == 3
    assert out.startswith("○ kubelet.service - kubelet: The Kubernetes Node Agent\n")
    assert "     Active: inactive (dead) since Thu 2026-01-01" in out
    steps(g, 50)
    assert g.cluster.node("worker-2").ready_status == "Unknown"
    assert all(p.main.running for p in g.cluster.pods("default") if p.node_name == "worker-2")
    out, _, _ = sh(g, "kubectl get nodes")
    assert "worker-2        NotReady" in out
    _, err, code = sh(g, "node ssh worker-2 -- systemctl start kubelet")
    assert code == 0, err
    steps(g, 2)
    assert g.cluster.node("worker-2").ready_status == "True"
    out, _, code = sh(g, "node ssh worker-2 -- systemctl is-active kubelet")
    assert (out, code) == ("active\n", 0)


def test_a_full_disk_is_disk_pressure_and_evictions(tmp_path):
    g = make_game(tmp_path, events="[{at: 5, type: DiskFill, node: worker-1, sizeGB: 85}]")
    steps(g, 8)
    node = g.cluster.node("worker-1")
    assert node.disk_pressure
    assert {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure"} in node.taints
    out, _, _ = sh(g, "node ssh worker-1 -- df -h")
    assert "/dev/sda1       100G   97G    3G   97% /" in out
    evicted = [p for p in g.cluster.pods("default") if p.reason == "Evicted"]
    assert evicted and evicted[0].status_message.startswith(
        "The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: ")
    assert not any(p.reason == "Evicted" for p in g.cluster.pods("kube-system"))   # critical pods stay
    out, _, _ = sh(g, "node ssh worker-1 -- du -sh /var/log")
    assert out == "85G\t/var/log\n"
    sh(g, "node ssh worker-1 -- rm /var/log/app/debug.log")
    steps(g, 305)
    assert not g.cluster.node("worker-1").disk_pressure


def test_crictl_and_journalctl(tmp_path):
    g = make_game(tmp_path)
    out, _, code = sh(g, "node ssh control-plane -- crictl ps --name kube-scheduler")
    assert code == 0
    head, row = out.splitlines()
    assert head.split() == ["CONTAINER", "IMAGE", "CREATED", "STATE", "NAME", "ATTEMPT", "POD", "ID", "POD",
                            "NAMESPACE"]
    assert "kube-scheduler-control-plane" in row and "Running" in row
    cid = row.split()[0]
    out, _, _ = sh(g, f"node ssh control-plane -- crictl logs {cid}")
    assert '"Starting kube-scheduler"' in out
    out, _, code = sh(g, "node ssh worker-1 -- journalctl -u kubelet")
    assert (out, code) == ("-- No entries --\n", 0)
    out, err, code = sh(g, "node ssh nowhere -- true")
    assert code == 255 and "Could not resolve hostname nowhere" in err
    _, err, code = sh(g, "node ssh worker-1 -- vi /etc/hosts")
    assert code == 1 and "not simulated" in err


def test_tabwriter_pads_as_crictl_does():
    assert tabwrite([["A", "B"], ["long-value-here-xyz", "x"]]) == \
        "A" + " " * 21 + "B\nlong-value-here-xyz   x\n"   # width max(19 + 3, 20)


def test_host_commands_do_not_count_as_changes_when_they_only_look(tmp_path):
    g = make_game(tmp_path)
    assert not g.submit("node ssh worker-1 -- systemctl status kubelet").changed
    assert not g.submit("node ssh worker-1 -- cat /var/lib/kubelet/config.yaml").changed
    assert g.submit("node ssh worker-1 -- systemctl restart kubelet").changed


def test_hostshell_sed_and_redirects(tmp_path):
    g = make_game(tmp_path)
    h = HostShell(g.cluster, "worker-1")
    assert h.run_line(["echo", "hello", ">", "/root/a.txt"]) == ("", "", 0)
    assert h.run_line(["cat", "/root/a.txt"]) == ("hello\n", "", 0)
    assert h.run_line(["sed", "-i", "s/hel/jel/", "/root/a.txt", "&&", "cat", "/root/a.txt"]) == ("jello\n", "", 0)
    assert h.run_line(["cat", "/nope"]) == ("", "cat: /nope: No such file or directory\n", 1)


# -- the level format ----------------------------------------------------------------------------

def test_a_worker_may_not_take_a_control_plane_name(tmp_path):
    path = tmp_path / "level.yaml"
    path.write_text(LEVEL.format(events="[]", control_plane="nodeMonitorGracePeriod: 50").replace(
        "name: worker, count: 2", "name: control-plane, count: 2"))
    with pytest.raises(LevelInvalid) as info:
        load_level(str(path))
    assert 'node "control-plane-1" has a control-plane node\'s name' in str(info.value)


def test_event_nodes_are_checked(tmp_path):
    path = tmp_path / "level.yaml"
    path.write_text(LEVEL.format(events="[{at: 5, type: KubeletStop, node: worker-9}]",
                                 control_plane="nodeMonitorGracePeriod: 50"))
    with pytest.raises(LevelInvalid) as info:
        load_level(str(path))
    assert 'node "worker-9" does not exist (expected one of: worker-1, worker-2, control-plane)' in \
        textwrap.dedent(str(info.value))
