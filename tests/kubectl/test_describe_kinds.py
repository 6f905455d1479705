"""`kubectl describe` for every kind, in the layouts of staging/src/k8s.io/kubectl/pkg/describe/describe.go
(describeJob, describeDaemonSet, describeStatefulSet, describeHorizontalPodAutoscalerV2,
describePodDisruptionBudgetV1, describeEndpoints, describeSecret, ConfigMapDescriber,
describePriorityClass, describeIngressV1, genericDescriber, DescribeEvents)."""

from __future__ import annotations

import re

import pytest

from kubegame.engine.kinds import RESOURCES
from kubegame.kubectl import describe
from kubegame.kubectl.describe_workloads import smart_label

from .conftest import K

DS = {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
      "spec": {"selector": {"matchLabels": {"app": "agent"}},
               "template": {"metadata": {"labels": {"app": "agent"}},
                            "spec": {"containers": [{"name": "agent", "image": "busybox:latest",
                                                     "env": [{"name": "NODE", "valueFrom": {"fieldRef": {
                                                         "fieldPath": "spec.nodeName"}}},
                                                         {"name": "PW", "valueFrom": {"secretKeyRef": {
                                                             "name": "s", "key": "pw"}}}]}]}}}}
STS = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
       "spec": {"serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "db"}},
                "template": {"metadata": {"labels": {"app": "db"}},
                             "spec": {"containers": [{"name": "db", "image": "busybox:latest"}]}}}}


@pytest.fixture
def kinds(k: K) -> K:
    for line in ["create job j --image=busybox:latest -- sleep 3", "create secret generic s --from-literal=pw=seven77",
                 "create configmap c --from-literal=a=1", "create pdb shop --selector=app=shop --min-available=1",
                 "autoscale deploy shop --max=5 --cpu=50%", "create ingress ing --rule=shop.example/=shop:80",
                 "create priorityclass hi --value=1000 --description=important"]:
        assert k(line).exit_code == 0, line
    k.cluster.create(DS)
    k.cluster.create(STS)
    k.cluster.run(20)
    return k


def lines(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.splitlines()]


def test_every_kind_has_kubectls_describer_or_the_generic_one() -> None:
    """describerMap: every kind kubegame holds has its own layout, except the ones kubectl
    describes with the generic describer (ControllerRevision, Event)."""
    from kubegame.kubectl import (  # noqa: F401 - they register their describers
        describe_access,
        describe_network,
        describe_storage,
        describe_workloads,
    )
    missing = {r.kind for r in RESOURCES} - set(describe.DESCRIBERS) - {"Event"}
    assert missing == set()


def test_job(kinds: K) -> None:
    out = lines(kinds("describe job j").output)
    assert out[0].split() == ["Name:", "j"]
    for want in ["Parallelism:      1", "Completions:      1", "Completion Mode:  NonIndexed", "Suspend:          false",
                 "Backoff Limit:    6", "Pod Template:", "  Containers:", "   j:", "    Command:", "      sleep"]:
        assert want in out, want
    assert any(ln.startswith("Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed") for ln in out)
    assert any(ln.startswith("Duration:") for ln in out)


def test_daemonset_and_the_container_environment(kinds: K) -> None:
    out = lines(kinds("describe ds agent").output)
    assert "Desired Number of Nodes Scheduled: 2" in out
    assert "Number of Nodes Misscheduled: 0" in out
    assert any(ln.startswith("Pods Status:") and "2 Running / 0 Waiting" in ln for ln in out)
    assert any(ln.strip().startswith("NODE:") and ln.endswith("(v1:spec.nodeName)") for ln in out)
    assert any("<set to the key 'pw' in secret 's'>  Optional: false" in ln for ln in out)
    pod = next(p.name for p in kinds.cluster.pods() if p.labels.get("app") == "agent")
    node = kinds.cluster.get("Pod", "default", pod).node_name
    assert any(re.fullmatch(rf"\s+NODE:\s+{node} \(v1:spec.nodeName\)", ln)
               for ln in lines(kinds(f"describe pod {pod}").output))


def test_statefulset(kinds: K) -> None:
    out = lines(kinds("describe sts db").output)
    for want in [["Service", "Name:", "db"], ["Replicas:", "1", "desired", "|", "1", "total"],
                 ["Update", "Strategy:", "RollingUpdate"], ["Partition:", "0"], ["Volume", "Claims:", "<none>"],
                 ["WhenDeleted:", "Retain"]]:
        assert want in [ln.split() for ln in out], want
    assert out.index("Update Strategy:        RollingUpdate") + 1 == out.index("  Partition:            0")


def test_hpa(kinds: K) -> None:
    out = lines(kinds("describe hpa shop").output)
    assert any(ln.startswith("Reference:") and ln.endswith("Deployment/shop") for ln in out)
    assert any(ln.startswith("  resource cpu on pods  (as a percentage of request):") and ln.endswith("/ 50%")
               for ln in out)
    assert any(ln.startswith("Deployment pods:") and ln.endswith("3 current / 3 desired") for ln in out)
    assert "Conditions:" in out


def test_pdb(kinds: K) -> None:
    out = lines(kinds("describe pdb shop").output)
    assert out[:4] == ["Name:           shop", "Namespace:      default", "Min available:  1", "Selector:       app=shop"]
    assert out[4] == "Status:"
    assert out[5].split() == ["Allowed", "disruptions:", "2"] and out[5].startswith("    ")
    assert [x.split()[0] for x in out[6:9]] == ["Current:", "Desired:", "Total:"]


def test_endpoints(kinds: K) -> None:
    out = lines(kinds("describe endpoints shop").output)
    assert "Subsets:" in out
    assert any(ln.startswith("  Addresses:") and ln.count(",") == 2 for ln in out)
    assert any(ln.split() == ["<unset>", "8080", "TCP"] for ln in out)


def test_secret_counts_the_decoded_bytes(kinds: K) -> None:
    out = lines(kinds("describe secret s").output)
    assert out[-3:] == ["Data", "====", "pw:  7 bytes"]       # len(data[k]): the decoded bytes
    assert "Type:  Opaque" in out


def test_configmap(kinds: K) -> None:
    out = kinds("describe cm c").output
    assert "\nData\n====\na:\n----\n1\n\n\nBinaryData\n====\n\nEvents:" in out


def test_ingress_lists_backends_with_their_endpoints(kinds: K) -> None:
    out = lines(kinds("describe ingress ing").output)
    assert "Rules:" in out and any(ln.split() == ["Host", "Path", "Backends"] for ln in out)
    row = next(ln for ln in out if "shop:80 (" in ln)
    assert row.split()[0] == "/" and row.count(":8080") == 3


def test_priorityclass(kinds: K) -> None:
    out = lines(kinds("describe priorityclass hi").output)
    assert out[:6] == ["Name:              hi", "Value:             1000", "GlobalDefault:     false",
                       "PreemptionPolicy:  PreemptLowerPriority", "Description:       important",
                       "Annotations:       <none>"]


def test_kubelet_events_name_the_container(kinds: K) -> None:
    """DescribeEvents (1.37): an event about part of the object starts with its field path."""
    pod = next(p.name for p in kinds.cluster.pods() if p.labels.get("app") == "shop")
    out = kinds(f"describe pod {pod}").output
    assert "kubelet            spec.containers{shop}: Started container shop" in out


def test_smart_label_as_kubectl_makes_it() -> None:
    assert smart_label("creationTimestamp") == "Creation Timestamp"
    assert smart_label("apiVersion") == "API Version"
    assert smart_label("uid") == "UID"
    assert smart_label("revision") == "Revision"
    assert smart_label("x.y") == "x.y"
