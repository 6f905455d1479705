"""PersistentVolumes, claims and StorageClasses as the API server, the PV controller, the scheduler and
the kubelet make them act, seen through kubectl.

Sources: pkg/controller/volume/persistentvolume/pv_controller.go (syncUnboundClaim, syncVolume,
reclaimVolume, provisionClaimOperationExternal and their events), index.go (findMatchingVolume),
pkg/controller/volume/pvcprotection and pvprotection, pkg/scheduler/framework/plugins/volumebinding
(the PreFilter and Filter reasons) and volumerestrictions, plugin/pkg/admission/storage/storageclass/
setdefault, plugin/pkg/admission/storage/persistentvolume/resize, pkg/apis/core/validation
(ValidatePersistentVolume*, ValidatePersistentVolumeClaimUpdate), pkg/apis/storage/validation,
pkg/printers/internalversion/printers.go (printPersistentVolume*, printStorageClass) and
staging/src/k8s.io/kubectl/pkg/describe/describe.go (describePersistentVolume*, describeStorageClass).
"""

from __future__ import annotations

import json

import pytest

from kubegame import kubectl
from kubegame.engine import ApiError, Cluster, ClusterConfig, NodeSpec


def cluster(default_class: bool = True) -> Cluster:
    c = Cluster(seed=11, config=ClusterConfig(default_storage_class=default_class))
    c.add_node(NodeSpec("node-a", zone="zone-a", labels={"disk": "ssd"}))
    c.add_node(NodeSpec("node-b", zone="zone-b"))
    return c


def k(c: Cluster, line: str, **kw) -> kubectl.Result:
    return kubectl.run(c, "kubectl " + line, **kw)


def apply(c: Cluster, *bodies: dict) -> None:
    r = k(c, "apply -f -", stdin="\n---\n".join(json.dumps(b) for b in bodies))
    assert r.exit_code == 0, r.error


def claim(name: str, size: str = "1Gi", cls: str | None = None, modes: tuple = ("ReadWriteOnce",), **spec) -> dict:
    s: dict = {"accessModes": list(modes), "resources": {"requests": {"storage": size}}, **spec}
    if cls is not None:
        s["storageClassName"] = cls
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": s}


def volume(name: str, size: str = "5Gi", cls: str = "manual", policy: str = "Retain", modes: tuple = ("ReadWriteOnce",),
           labels: dict | None = None, **spec) -> dict:
    s = {"capacity": {"storage": size}, "accessModes": list(modes), "persistentVolumeReclaimPolicy": policy,
         "storageClassName": cls, **spec}
    s.setdefault("hostPath", {"path": f"/mnt/{name}"})
    return {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name, "labels": labels or {}},
            "spec": s}


def pod(name: str, claim_name: str, node: str = "") -> dict:
    spec: dict = {"containers": [{"name": "app", "image": "busybox:latest", "command": ["sleep", "3600"],
                                  "volumeMounts": [{"name": "data", "mountPath": "/data"}]}],
                  "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": claim_name}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


def events(c: Cluster, name: str) -> list[tuple[str, str]]:
    return [(e.reason, e.message) for e in c.events if e.name == name]


# -- the default class and dynamic provisioning ----------------------------------------------------

def test_every_cluster_has_a_default_storage_class_kubectl_lists_as_default():
    c = cluster()
    assert k(c, "get sc").output == (
        "NAME                 PROVISIONER            RECLAIMPOLICY   VOLUMEBINDINGMODE      ALLOWVOLUMEEXPANSION   AGE\n"
        "standard (default)   disk.csi.kubegame.io   Delete          WaitForFirstConsumer   true                   0s\n")
    assert k(c, "describe sc standard").output == (
        "Name:                  standard\n"
        "IsDefaultClass:        Yes\n"
        "Annotations:           storageclass.kubernetes.io/is-default-class=true\n"
        "Provisioner:           disk.csi.kubegame.io\n"
        "Parameters:            <none>\n"
        "AllowVolumeExpansion:  True\n"
        "MountOptions:          <none>\n"
        "ReclaimPolicy:         Delete\n"
        "VolumeBindingMode:     WaitForFirstConsumer\n"
        "Events:                <none>\n")
    assert k(cluster(default_class=False), "get sc").error == "No resources found\n"


def test_a_claim_naming_no_class_gets_the_default_and_waits_for_its_first_consumer():
    c = cluster()
    apply(c, claim("data"))
    c.run(1)
    pvc = c.get("PersistentVolumeClaim", "default", "data")
    assert pvc.spec["storageClassName"] == "standard"          # the DefaultStorageClass admission plugin
    assert pvc.finalizers == ["kubernetes.io/pvc-protection"]   # StorageObjectInUseProtection
    assert ("WaitForFirstConsumer", "waiting for first consumer to be created before binding") in events(c, "data")
    assert k(c, "get pvc").output == (
        "NAME   STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   VOLUMEATTRIBUTESCLASS   AGE\n"
        "data   Pending                                      standard       <unset>                 1s\n")
    apply(c, pod("web", "data"))
    c.run(1)
    pvc = c.get("PersistentVolumeClaim", "default", "data")
    web = c.get("Pod", "default", "web")
    pv = c.get("PersistentVolume", "", pvc.spec["volumeName"])
    assert pvc.status == {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}, "phase": "Bound"}
    assert pvc.annotations["volume.kubernetes.io/selected-node"] == web.node_name
    zone = c.node(web.node_name).zone
    assert pv.spec["nodeAffinity"]["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == [zone]
    assert pv.spec["claimRef"]["uid"] == pvc.uid and pv.status["phase"] == "Bound"
    reasons = [r for r, _m in events(c, "data")]
    assert reasons[-3:] == ["ExternalProvisioning", "Provisioning", "ProvisioningSucceeded"]
    row = k(c, "get pv").output.splitlines()[1].split()
    assert row[1:7] == ["1Gi", "RWO", "Delete", "Bound", "default/data", "standard"]


def test_a_claim_with_no_class_and_no_volume_says_so_every_resync():
    c = cluster(default_class=False)
    apply(c, claim("data"))
    c.run(31)
    msgs = [e for e in c.events if e.name == "data" and e.reason == "FailedBinding"]
    assert msgs and msgs[0].message == "no persistent volumes available for this claim and no storage class is set"
    assert msgs[0].count == 3        # at once, then every --pvclaimbinder-sync-period (15 s)
    assert "StorageClass:  \n" in k(c, "describe pvc data").output


def test_a_missing_class_and_a_class_without_a_provisioner_are_warnings_on_the_claim():
    c = cluster()
    apply(c, claim("typo", cls="fast"))
    apply(c, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
              "provisioner": "kubernetes.io/no-provisioner"})
    apply(c, claim("local", cls="local"))
    c.run(2)
    assert ("ProvisioningFailed", 'storageclass.storage.k8s.io "fast" not found') in events(c, "typo")
    assert ("ProvisioningFailed", "no volume plugin matched name: kubernetes.io/no-provisioner") in events(c, "local")
    sc = c.get("StorageClass", "", "local")
    assert (sc.extra["reclaimPolicy"], sc.extra["volumeBindingMode"]) == ("Delete", "Immediate")   # the defaults


def test_an_unknown_provisioner_leaves_the_claim_waiting_for_it():
    c = cluster()
    apply(c, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "ebs"},
              "provisioner": "ebs.csi.aws.com"})
    apply(c, claim("data", cls="ebs"))
    c.run(2)
    assert c.get("PersistentVolumeClaim", "default", "data").status["phase"] == "Pending"
    msg = dict(events(c, "data"))["ExternalProvisioning"]
    assert msg.startswith("Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com'")


# -- static volumes ------------------------------------------------------------------------------------

def test_a_claim_binds_the_smallest_volume_with_its_class_modes_size_and_selector():
    c = cluster()
    apply(c, volume("small", "1Gi"), volume("big", "10Gi"), volume("mid", "5Gi"),
          volume("rwx", "2Gi", modes=("ReadWriteMany",)), volume("other", "2Gi", cls="slow"),
          volume("labelled", "3Gi", labels={"tier": "gold"}))
    apply(c, claim("want2", "2Gi", cls="manual"))
    apply(c, claim("gold", "2Gi", cls="manual", selector={"matchLabels": {"tier": "gold"}}))
    c.run(2)
    assert c.get("PersistentVolumeClaim", "default", "want2").spec["volumeName"] == "labelled"
    # the selector names the only volume it may take; want2 took the smallest fit, so gold waits
    assert c.get("PersistentVolumeClaim", "default", "gold").status["phase"] == "Pending"
    apply(c, claim("any", "2Gi", cls="manual"))
    c.run(1)
    assert c.get("PersistentVolumeClaim", "default", "any").spec["volumeName"] == "mid"
    pv = c.get("PersistentVolume", "", "mid")
    assert pv.annotations["pv.kubernetes.io/bound-by-controller"] == "yes"
    assert c.get("PersistentVolume", "", "small").status["phase"] == "Available"
    for pvc in c.list("PersistentVolumeClaim"):         # the invariant: a bound claim's volume satisfies it
        if pvc.status.get("phase") == "Bound":
            vol = c.get("PersistentVolume", "", pvc.spec["volumeName"])
            assert vol.spec["storageClassName"] == pvc.spec["storageClassName"]
            assert set(pvc.spec["accessModes"]) <= set(vol.spec["accessModes"])


def test_a_claim_asking_for_a_volume_by_name_that_does_not_fit_gets_volume_mismatch():
    c = cluster()
    apply(c, volume("tiny", "1Gi"))
    apply(c, claim("data", "2Gi", cls="manual", volumeName="tiny"))
    c.run(1)
    assert ("VolumeMismatch", 'Cannot bind to requested volume "tiny": requested PV is too small') \
        in events(c, "data")


def test_reclaim_policies_retain_delete_and_recycle():
    c = cluster()
    apply(c, volume("keep", "1Gi", policy="Retain"), volume("scrub", "1Gi", cls="r", policy="Recycle"),
          volume("gone", "1Gi", cls="d", policy="Delete"))
    apply(c, claim("a", cls="manual"), claim("b", cls="r"), claim("d", cls="d"))
    c.run(2)
    for name in ("a", "b", "d"):
        assert c.get("PersistentVolumeClaim", "default", name).status["phase"] == "Bound"
        assert k(c, f"delete pvc {name}").exit_code == 0
    c.run(3)
    keep = c.get("PersistentVolume", "", "keep")
    assert keep.status["phase"] == "Released" and keep.spec["claimRef"]["name"] == "a"
    assert k(c, "get pv keep").output.splitlines()[1].split()[4:6] == ["Released", "default/a"]
    # a new claim of the same name does not get someone else's data back ...
    apply(c, claim("a", cls="manual"))
    c.run(2)
    assert c.get("PersistentVolumeClaim", "default", "a").status["phase"] == "Pending"
    # ... until the administrator removes the stale claimRef
    assert k(c, "patch pv keep --type json -p '[{\"op\":\"remove\",\"path\":\"/spec/claimRef\"}]'").exit_code == 0
    c.run(3)
    assert c.get("PersistentVolumeClaim", "default", "a").spec.get("volumeName") == "keep"
    assert c.get("PersistentVolume", "", "scrub").status["phase"] == "Available"
    assert ("VolumeRecycled", "Volume recycled") in events(c, "scrub")
    gone = c.get("PersistentVolume", "", "gone")
    assert gone.status["phase"] == "Failed"      # a hand-made hostPath volume has no deleter
    assert gone.status["message"] == 'error getting deleter volume plugin for volume "gone": no deletable volume plugin matched'


def test_a_provisioned_volume_with_policy_delete_goes_with_its_claim():
    c = cluster()
    apply(c, claim("data"), pod("web", "data"))
    c.run(2)
    pv_name = c.get("PersistentVolumeClaim", "default", "data").spec["volumeName"]
    k(c, "delete pod web --grace-period=0 --force")
    k(c, "delete pvc data")
    c.run(4)
    assert c.get("PersistentVolume", "", pv_name) is None


# -- protection ----------------------------------------------------------------------------------------

def test_a_claim_in_use_stays_terminating_until_its_pod_goes():
    c = cluster()
    apply(c, claim("data"), pod("web", "data"))
    c.run(3)
    out = k(c, "delete pvc data")
    assert out.output == 'persistentvolumeclaim "data" deleted from default namespace\n'
    c.run(2)
    assert c.get("PersistentVolumeClaim", "default", "data") is not None
    assert k(c, "get pvc data").output.splitlines()[1].split()[1] == "Terminating"
    assert "Status:        Terminating (lasts 2s)\n" in k(c, "describe pvc data").output
    # a new pod naming it is turned away by the scheduler's PreFilter
    apply(c, {**pod("late", "data"), "metadata": {"name": "late"}})
    c.run(1)
    late = c.get("Pod", "default", "late")
    assert late.unschedulable_message == ('0/2 nodes are available: persistentvolumeclaim "data" is being deleted. '
                                          'preemption: 0/2 nodes are available: 2 Preemption is not helpful for '
                                          'scheduling.')
    k(c, "delete pod web --grace-period=0 --force")
    c.run(2)
    assert c.get("PersistentVolumeClaim", "default", "data") is None


def test_finalizers_keep_any_object_until_they_are_removed():
    c = cluster()
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "finalizers": ["example.com/x"]}})
    k(c, "delete cm cm")
    cm = c.get("ConfigMap", "default", "cm")
    assert cm is not None and cm.deletion_tick is not None
    r = k(c, "patch cm cm --type merge -p '{\"metadata\":{\"finalizers\":[\"example.com/x\",\"example.com/y\"]}}'")
    assert "Forbidden: no new finalizers can be added if the object is being deleted" in r.error
    assert k(c, "patch cm cm --type merge -p '{\"metadata\":{\"finalizers\":null}}'").exit_code == 0
    assert c.get("ConfigMap", "default", "cm") is None


# -- scheduling -----------------------------------------------------------------------------------------

def test_an_immediate_claim_that_cannot_bind_keeps_its_pod_pending_with_the_real_message():
    c = cluster()
    apply(c, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "manual"},
              "provisioner": "kubernetes.io/no-provisioner"})
    apply(c, claim("data", "2Gi", cls="manual"), pod("web", "data"))
    c.run(2)
    web = c.get("Pod", "default", "web")
    assert web.unschedulable_message == ("0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. "
                                         "preemption: 0/2 nodes are available: 2 Preemption is not helpful for "
                                         "scheduling.")
    apply(c, volume("pv1", "5Gi"))            # a volume arrives: the claim binds and the pod is scheduled
    c.run(2)
    assert c.get("Pod", "default", "web").node_name


def test_a_local_volume_pins_its_pods_to_its_node():
    c = cluster()
    apply(c, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
              "provisioner": "kubernetes.io/no-provisioner", "volumeBindingMode": "WaitForFirstConsumer"})
    affinity = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
        {"key": "kubernetes.io/hostname", "operator": "In", "values": ["node-b"]}]}]}}
    local = volume("local-b", "5Gi", cls="local", local={"path": "/mnt/disks/1"}, nodeAffinity=affinity)
    del local["spec"]["hostPath"]
    c.nodes()[1].labels["kubernetes.io/hostname"] = "node-b"
    c.nodes()[0].labels["kubernetes.io/hostname"] = "node-a"
    apply(c, local, claim("data", cls="local"), pod("web", "data"))
    c.run(2)
    assert c.get("Pod", "default", "web").node_name == "node-b"
    assert c.get("PersistentVolumeClaim", "default", "data").spec["volumeName"] == "local-b"
    # a second claim has no volume left on any node
    apply(c, claim("more", cls="local"), pod("web2", "more"))
    c.run(2)
    msg = c.get("Pod", "default", "web2").unschedulable_message
    assert msg.startswith("0/2 nodes are available: 2 node(s) didn't find available persistent volumes to bind.")
    out = k(c, "describe pv local-b").output
    assert "Node Affinity:     \n  Required Terms:  \n    Term 0:        kubernetes.io/hostname in [node-b]\n" in out
    assert "    Type:  LocalVolume (a persistent volume backed by local storage on a node)\n" in out


def test_a_read_write_once_pod_claim_admits_one_pod():
    c = cluster()
    apply(c, claim("solo", modes=("ReadWriteOncePod",)), pod("one", "solo"))
    c.run(2)
    apply(c, pod("two", "solo"))
    c.run(1)
    assert "node has pod using PersistentVolumeClaim with the same name and ReadWriteOncePod access mode" in \
        c.get("Pod", "default", "two").unschedulable_message


def test_a_read_write_once_disk_attaches_to_one_node_at_a_time():
    c = cluster()
    apply(c, claim("data"), pod("one", "data"))
    c.run(8)
    one = c.get("Pod", "default", "one")
    other = "node-b" if one.node_name == "node-a" else "node-a"
    pv = c.get("PersistentVolumeClaim", "default", "data").spec["volumeName"]
    c.create(pod("two", "data", node=other))       # placed by hand on the other node, past the scheduler
    c.run(3)
    two = c.get("Pod", "default", "two")
    assert two.waiting_reason == "ContainerCreating"
    assert ("FailedAttachVolume", f'Multi-Attach error for volume "{pv}" Volume is already used by pod(s) one') \
        in events(c, "two")


# -- resizing and validation ---------------------------------------------------------------------------

def test_a_bound_claim_grows_when_its_class_allows_and_never_shrinks():
    c = cluster()
    apply(c, claim("data"), pod("web", "data"))
    c.run(6)
    assert k(c, "patch pvc data -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"5Gi\"}}}}'").exit_code == 0
    c.run(2)
    pvc = c.get("PersistentVolumeClaim", "default", "data")
    assert pvc.status["capacity"] == {"storage": "5Gi"}
    assert c.get("PersistentVolume", "", pvc.spec["volumeName"]).spec["capacity"] == {"storage": "5Gi"}
    reasons = [r for r, _m in events(c, "data")]
    assert {"Resizing", "VolumeResizeSuccessful", "FileSystemResizeSuccessful"} <= set(reasons)
    r = k(c, "patch pvc data -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"1Gi\"}}}}'")
    assert r.error == ('The PersistentVolumeClaim "data" is invalid: spec.resources.requests.storage: Forbidden: '
                       'field can not be less than status.capacity\n')
    r = k(c, "patch pvc data -p '{\"spec\":{\"accessModes\":[\"ReadWriteMany\"]}}'")
    assert "spec: Forbidden: spec is immutable after creation except resources.requests and " \
           "volumeAttributesClassName for bound claims" in r.error


def test_a_class_without_expansion_refuses_a_resize():
    c = cluster()
    apply(c, volume("pv1", "5Gi"), claim("data", cls="manual"))
    c.run(2)
    r = k(c, "patch pvc data -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"2Gi\"}}}}'")
    assert r.error == ('Error from server (Forbidden): persistentvolumeclaims "data" is forbidden: only dynamically '
                       'provisioned pvc can be resized and the storageclass that provisions the pvc must support '
                       'resize\n')


@pytest.mark.parametrize("body,cause", [
    ({"kind": "PersistentVolume", "spec": {"accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/x"}}},
     "spec.capacity: Required value"),
    ({"kind": "PersistentVolume", "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]}},
     "spec: Required value: must specify a volume type"),
    ({"kind": "PersistentVolume", "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOncePod",
                                                                                        "ReadWriteOnce"],
                                           "hostPath": {"path": "/x"}}},
     "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes"),
    ({"kind": "PersistentVolumeClaim", "spec": {"resources": {"requests": {"storage": "1Gi"}}}},
     "spec.accessModes: Required value: at least 1 access mode is required"),
    ({"kind": "PersistentVolumeClaim", "spec": {"accessModes": ["ReadWriteOnce"]}},
     "spec.resources[storage]: Required value"),
    ({"kind": "StorageClass", "apiVersion": "storage.k8s.io/v1", "reclaimPolicy": "Recycle", "provisioner": "x"},
     'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"'),
])
def test_validation_messages(body, cause):
    c = cluster()
    full = {"apiVersion": "v1", "metadata": {"name": "x"}, **body}
    with pytest.raises(ApiError) as e:
        c.create(full)
    assert cause in e.value.message


def test_a_storage_class_keeps_its_provisioner_and_policy():
    c = cluster()
    r = k(c, "patch sc standard --type merge -p '{\"provisioner\":\"other\",\"reclaimPolicy\":\"Retain\"}'")
    assert "provisioner: Forbidden: updates to provisioner are forbidden." in r.error
    assert "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden." in r.error


def test_a_default_class_made_later_is_given_to_claims_that_named_none():
    c = cluster(default_class=False)
    apply(c, claim("data"))
    c.run(1)
    assert "storageClassName" not in c.get("PersistentVolumeClaim", "default", "data").spec
    apply(c, {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
              "metadata": {"name": "fast", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
              "provisioner": "disk.csi.kubegame.io"})
    c.run(2)
    pvc = c.get("PersistentVolumeClaim", "default", "data")
    assert pvc.spec["storageClassName"] == "fast" and pvc.status["phase"] == "Bound"   # Immediate: provisioned


# -- data on volumes ------------------------------------------------------------------------------------

def test_files_on_a_claim_outlive_the_pod_and_an_empty_dir_does_not():
    c = cluster()
    apply(c, claim("data"), pod("one", "data"))
    c.run(8)
    r = k(c, "exec one -- sh -c 'echo hello > /data/greeting; echo more >> /data/greeting'")
    assert r.exit_code == 0, r.error
    assert k(c, "exec one -- cat /data/greeting").output == "hello\nmore\n"
    assert k(c, "exec one -- sh -c 'echo note > /tmp/note'").exit_code == 0     # the container's own layer
    assert k(c, "exec one -- cat /tmp/note").output == "note\n"
    k(c, "delete pod one --grace-period=0 --force")
    apply(c, pod("two", "data"))
    c.run(8)
    assert k(c, "exec two -- cat /data/greeting").output == "hello\nmore\n"
    gone = k(c, "exec two -- cat /tmp/note")
    assert gone.exit_code != 0 and "No such file or directory" in gone.error
    assert c.state()["volumes"]["files"]      # written data is part of the state (and its hash)


def test_describe_pvc_and_a_pods_volumes():
    c = cluster()
    apply(c, claim("data"), pod("web", "data"))
    c.run(3)
    out = k(c, "describe pvc data").output
    pv = c.get("PersistentVolumeClaim", "default", "data").spec["volumeName"]
    assert out.startswith("Name:          data\nNamespace:     default\nStorageClass:  standard\n"
                          f"Status:        Bound\nVolume:        {pv}\nLabels:        <none>\n")
    assert "Finalizers:    [kubernetes.io/pvc-protection]\nCapacity:      1Gi\nAccess Modes:  RWO\n" \
           "VolumeMode:    Filesystem\nUsed By:       web\n" in out
    pod_out = k(c, "describe pod web").output
    # the tabwriter aligns the volume's cells with the QoS Class block that follows, as kubectl's does
    assert ("Volumes:\n  data:\n    Type:        PersistentVolumeClaim (a reference to a PersistentVolumeClaim in "
            "the same namespace)\n    ClaimName:   data\n    ReadOnly:    false\nQoS Class:       BestEffort\n") in pod_out
    pv_out = k(c, f"describe pv {pv}").output
    assert ("Source:\n    Type:              CSI (a Container Storage Interface (CSI) volume source)\n"
            "    Driver:            disk.csi.kubegame.io\n    FSType:            ext4\n"
            "    VolumeHandle:      zone-") in pv_out
    assert "    ReadOnly:          false\n    VolumeAttributes:  <none>\n" in pv_out
    assert "Claim:             default/data\nReclaim Policy:    Delete\n" in pv_out
