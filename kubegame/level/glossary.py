"""The glossary: one entry per concept the levels list (`spec.concepts`), in the game's own words.

`explain CONCEPT` and the glossary screen read `ENTRIES`; a test fails when a bundled
level names a concept that has no entry here.
"""

from __future__ import annotations

ENTRIES: dict[str, str] = {
    # -- machines and the cluster ------------------------------------------------------------
    "Cluster": (
        "A set of machines (nodes) run as one by Kubernetes. You describe what should run; the "
        "control plane (API server, etcd, scheduler, controllers) decides where, and keeps the "
        "cluster matching your description as machines and programs come and go."),
    "Node": (
        "One machine of the cluster, physical or virtual. Its kubelet starts the Pods the scheduler "
        "gives it and sends a heartbeat; a node that stays silent for 40 seconds is marked Unknown "
        "and tainted unreachable. `kubectl get nodes`, `kubectl describe node NAME`."),
    "VM": (
        "A virtual machine: a whole computer emulated in software, with its own kernel, booted "
        "from a disk image. Most cloud nodes are VMs. Heavier than a container, which shares its "
        "host's kernel and starts in milliseconds instead of booting."),
    "Minikube": (
        "A tool that runs a one-node Kubernetes cluster on your laptop, inside a VM or a container. "
        "The node runs the control plane and your Pods together: perfect for learning, and a "
        "single point of failure for anything else."),
    "Zone": (
        "A separate building (power, cooling, network) inside a cloud region. Zones fail "
        "independently, so a cluster that must survive one losing power spreads nodes, replicas "
        "and etcd members over several. Nodes carry it as the label topology.kubernetes.io/zone."),
    "Kernel": (
        "The core of the operating system: it runs processes, memory, files and the network. "
        "Every container on a node shares that node's kernel; an image ships its own files and "
        "libraries but never a kernel, so a host upgrade can break an image that did not change."),
    "etcd": (
        "The key-value database where the cluster keeps every object. The API server is its only "
        "client. Several members replicate the data and agree on each write by majority vote; "
        "without a majority (quorum) nothing can change, though running Pods keep serving."),
    "ControlPlane": (
        "The programs that run the cluster: kube-apiserver (every request goes through it), etcd, "
        "kube-scheduler (places Pods) and kube-controller-manager (the reconcile loops). On a kubeadm "
        "cluster they run as static Pods on control-plane nodes, tainted so your Pods stay off them; "
        "`kubectl get pods -n kube-system` shows them, and a missing one stops its part of the work."),
    "StaticPod": (
        "A Pod the kubelet runs straight from a manifest file in /etc/kubernetes/manifests, without "
        "the API server or the scheduler. The API shows a mirror copy named NAME-NODE; to change or "
        "stop it, edit or move the file on the node."),
    "Kubelet": (
        "The agent on every node: it starts the node's Pods, probes them, and reports the node's "
        "heartbeat. Stop it (systemctl stop kubelet) and the node turns NotReady while its containers "
        "keep running; `journalctl -u kubelet` on the node says why it stopped."),
    "Quorum": (
        "A majority of etcd members: floor(n/2)+1. Three members survive losing one, five "
        "survive losing two; two members survive nothing better than one does. Place members so "
        "that no single zone holds a majority."),
    # -- containers and images -------------------------------------------------------------
    "Container": (
        "A running process fenced off by the host kernel: its own files (from an image), its own "
        "network address and limits, but the host's kernel. Starting one takes a moment, not a "
        "boot. Kubernetes always runs containers inside Pods."),
    "Image": (
        "The packaged files a container starts from: a base system, libraries, your program, "
        "stacked as read-only layers and named repository:tag. A node must pull an image before it "
        "can run it; a big image makes every start on a fresh node slow."),
    "Layer": (
        "One read-only slice of an image, such as a base OS, a set of dependencies, or your build. "
        "Nodes cache layers, and images that share a layer share the download: only the layers a "
        "node lacks are pulled."),
    "Registry": (
        "The server that stores images and hands them out by name and tag: Docker Hub, a cloud "
        "registry, or your company's own. Nodes pull from it; CI pushes to it. A name it does not "
        "know means ErrImagePull."),
    "Tag": (
        "The part of an image name after the colon (shop:1.2). A tag is a movable label someone "
        "pushed, not a version the registry checks; a tag never pushed does not exist. `latest` is "
        "just a tag too, and the default when none is given."),
    "ImagePullBackOff": (
        "A Pod status: the node could not pull the image (ErrImagePull) and now waits before "
        "trying again, 10 s, 20 s, 40 s ... up to 5 minutes. Usually a mistyped name or tag, a "
        "missing push, or a private registry without credentials. `kubectl describe pod` says which."),
    "CrashLoopBackOff": (
        "A Pod status: its container keeps exiting, and the kubelet waits longer before each "
        "restart (10 s doubling up to 5 minutes). The image pulled fine; the program fails. "
        "`kubectl logs POD --previous` shows the last words of the crashed container."),
    # -- workloads ---------------------------------------------------------------------------
    "Pod": (
        "The smallest thing Kubernetes runs: one container (sometimes a few that belong together) "
        "with one IP address, scheduled onto one node. Pods are disposable: when one dies it is "
        "replaced by a new Pod with a new name and address, never repaired."),
    "ReplicaSet": (
        "A controller that keeps N Pods matching its selector alive: it counts, creates the "
        "missing, deletes the extra. It never asks why a Pod vanished, so deleting one of its Pods "
        "just gets it replaced. You rarely create one yourself; Deployments do."),
    "Deployment": (
        "The usual way to run a stateless program: you give a pod template and a replica count, "
        "and it manages ReplicaSets for you, one per version of the template. On every change it "
        "moves Pods from old to new, and keeps the old ReplicaSets for `rollout undo`."),
    "RollingUpdate": (
        "The default Deployment strategy: replace Pods a few at a time. maxSurge (25%, rounded "
        "up) bounds the extra Pods, maxUnavailable (25%, rounded down) the missing ones; old and "
        "new versions serve side by side until the rollout completes."),
    "Recreate": (
        "A Deployment strategy: scale every old Pod to zero, wait until they are gone, then start "
        "the new ones. Two versions never run together, at the price of a gap with no Pod at all. "
        "For workloads that cannot overlap: a single writer, a host port, no room to surge."),
    "Revision": (
        "One version of a Deployment's pod template. Each template change makes a new revision and "
        "keeps the old ReplicaSet (scaled to zero, up to revisionHistoryLimit 10). `kubectl rollout "
        "history` lists them; `kubectl rollout undo` goes back to the previous one."),
    "DaemonSet": (
        "A controller that runs one Pod on every node (or every node that matches), including nodes "
        "added later: log collectors, monitoring agents, network plugins. No replica count: the "
        "number of nodes is the count."),
    "StatefulSet": (
        "A controller for Pods that need a stable identity: fixed names (db-0, db-1), started in "
        "order, each with its own volume that follows it when it is rescheduled. Databases and "
        "queues run this way."),
    "Job": (
        "A controller for work that finishes: it runs Pods until the given number exit "
        "successfully, retrying failures up to a back-off limit. Migrations, reports, batch "
        "imports. A CronJob creates Jobs on a schedule."),
    "HPA": (
        "HorizontalPodAutoscaler: every 15 seconds it compares a metric (CPU use, requests per "
        "second) with a target and sets a Deployment's replicas to ceil(current x metric / target), "
        "quick to scale up, slow (5 minutes) to scale down. It adds Pods, not nodes."),
    "PodDisruptionBudget": (
        "A promise you ask the cluster to keep during voluntary disruptions like `kubectl drain`: "
        "at least minAvailable (or at most maxUnavailable) of the selected Pods. An eviction that "
        "would break it is refused and retried. Node crashes ignore it."),
    "Probe": (
        "A check the kubelet runs against a container. A readiness probe decides whether the Pod "
        "gets traffic (only Ready Pods are endpoints); a liveness probe restarts a container that "
        "hangs; a startup probe gives slow starters time."),
    "Namespace": (
        "A named partition of the cluster's objects: names must be unique within one, quotas and "
        "permissions apply per namespace. `default` is where things go unless you say "
        "`-n NAME`. Nodes and namespaces themselves belong to none."),
    # -- configuration and storage -------------------------------------------------------------
    "ConfigMap": (
        "An object that holds configuration as key-value pairs, handed to Pods as environment "
        "variables or files. Change settings without rebuilding the image. A Pod that refers to a "
        "missing ConfigMap does not start (CreateContainerConfigError)."),
    "Secret": (
        "Like a ConfigMap, for passwords, tokens and keys: stored separately, base64-encoded (not "
        "encrypted unless the cluster is set up for it), and readable only by who is allowed. "
        "Mounted as files or environment variables."),
    "Volume": (
        "Storage a Pod mounts into its containers. An emptyDir lives and dies with the Pod; a "
        "PersistentVolume outlives it. A cloud disk usually lives in one zone, so a Pod bound to "
        "it can only run on nodes in that zone."),
    "PersistentVolumeClaim": (
        "A Pod's request for storage: a size, access modes (ReadWriteOnce: one node at a time) and a "
        "StorageClass. It binds to one PersistentVolume, found or made for it, and keeps it until the "
        "claim is deleted; then the volume's reclaim policy decides: Retain keeps the data, Delete "
        "removes the disk."),
    "StorageClass": (
        "A kind of storage the cluster can make on demand (a provisioner and its settings). A claim "
        "that names none gets the default class; WaitForFirstConsumer makes the disk only once a Pod "
        "using the claim is scheduled, in that Pod's zone."),
    # -- networking ----------------------------------------------------------------------------
    "Service": (
        "A stable name and virtual address for a changing group of Pods, chosen by a label "
        "selector. Connections to it are spread over its endpoints, the Ready Pods that match. "
        "Pods come and go; the Service stays."),
    "Endpoints": (
        "The list of Pod addresses a Service currently sends traffic to: every Ready Pod whose "
        "labels match its selector. Empty endpoints mean every request fails. "
        "`kubectl get endpoints NAME`."),
    "Label": (
        "A key: value tag on any object (app: shop, tier: backend). Labels carry no meaning to "
        "Kubernetes by themselves; selectors give them one. `kubectl get pods --show-labels`, "
        "`kubectl label pod NAME key=value`."),
    "Selector": (
        "A query over labels (app=shop, or matchLabels / matchExpressions) that picks objects. "
        "ReplicaSets count the Pods their selector matches; Services route to them. A selector "
        "that matches nothing is valid, and silently useless."),
    "ClusterIP": (
        "The default Service type: a virtual IP (from 10.96.0.0/12) reachable only inside the "
        "cluster. No Pod owns it; each node's kube-proxy turns connections to it into connections "
        "to one of the Service's endpoints."),
    "DNS": (
        "The cluster's name service: every Service gets the name NAME.NAMESPACE.svc.cluster.local "
        "(just NAME from the same namespace) resolving to its ClusterIP. Programs find each other "
        "by name, never by Pod IP."),
    "CoreDNS": (
        "The cluster's DNS server: a Deployment in kube-system behind the kube-dns Service "
        "(10.96.0.10), configured by the coredns ConfigMap's Corefile. With no CoreDNS Pod ready, "
        "no name resolves anywhere in the cluster."),
    "NetworkPolicy": (
        "A firewall for Pods: once a policy selects a Pod for ingress (or egress), only the "
        "connections some policy allows get through (from Pods by label, namespaces, or IP blocks, "
        "on given ports). Policies only ever add allowances; a denied connection simply times out."),
    "NodePort": (
        "A Service type that also opens one port (30000-32767) on every node; traffic from outside "
        "to any node's IP on that port reaches the Service. Simple, but clients must know the node "
        "addresses and the odd port."),
    "LoadBalancer": (
        "A Service type that asks the cloud for an external load balancer with a public address, "
        "which forwards to the Service's NodePorts. One per Service, and each one costs money."),
    "Ingress": (
        "HTTP routing rules for traffic from outside: host names and paths map to Services "
        "(shop.example.com/cart -> cart). One entry point, run by an ingress controller, serves "
        "many Services instead of one load balancer each."),
    "DebugPod": (
        "A throwaway Pod you start to look around from inside the cluster: "
        "`kubectl run debug --rm -it --image=busybox -- wget -qO- SERVICE`, or nslookup, or curl a "
        "Pod IP. It sees the network exactly as your Pods do, then deletes itself."),
    # -- scheduling --------------------------------------------------------------------------
    "Scheduling": (
        "Choosing a node for each new Pod. The scheduler filters out nodes that cannot take it "
        "(not enough unrequested CPU or memory, taints, selectors, ports) and scores the rest to "
        "spread the load. A Pod that fits nowhere stays Pending with a FailedScheduling event."),
    "Taint": (
        "A mark on a node that repels Pods: key=value:NoSchedule keeps new Pods off, NoExecute "
        "also evicts running ones. Kubernetes taints broken nodes itself "
        "(node.kubernetes.io/unreachable). Only Pods with a matching toleration may stay or land."),
    "Toleration": (
        "A Pod's permission to ignore a taint, optionally for a limited time: tolerationSeconds on "
        "a NoExecute taint is how long the Pod stays on a failed node before eviction (300 by "
        "default for not-ready and unreachable). Tolerating a taint lets a Pod in; it does not pull "
        "it there."),
    "Affinity": (
        "Rules that pull Pods toward or away from nodes or other Pods: nodeSelector and node "
        "affinity choose nodes by label; pod anti-affinity and topologySpreadConstraints keep "
        "replicas apart, for example one per zone. Required rules block scheduling when unmet; "
        "preferred ones only weigh the choice."),
    # -- tools and files ---------------------------------------------------------------------
    "kubectl": (
        "The command-line client of the Kubernetes API: get and describe to look, apply, create, "
        "scale, set, patch and edit to change, logs and exec to look inside, rollout to manage "
        "versions. Every kubectl command is an API request."),
    "Manifest": (
        "A YAML (or JSON) file describing Kubernetes objects: apiVersion, kind, metadata, spec. "
        "`kubectl apply -f FILE` sends it to the cluster, which makes it so. Every level of this "
        "game is a set of real manifests."),
    # -- what the API server and the kubelet hold a pod to (interview mode) ---------------------
    "Requests": (
        "What a container says it needs (resources.requests: cpu, memory). The scheduler places a "
        "Pod only on a node whose allocatable capacity minus the requests already there covers it "
        "(`Insufficient cpu` otherwise); actual use does not count. `kubectl set resources`."),
    "Limits": (
        "The most a container may use (resources.limits). Memory over the limit is OOMKilled; CPU "
        "over it is throttled, so the app serves less. A LimitRange can set defaults and maxima."),
    "OOMKilled": (
        "The kernel's out-of-memory killer stopped a container that used more memory than its "
        "limit: `Last State: Terminated, Reason: OOMKilled, Exit Code: 137` in `kubectl describe "
        "pod`. The kubelet restarts it, so it turns into CrashLoopBackOff; raise the limit."),
    "Admission": (
        "The API server's checks between authorisation and storage: quotas, LimitRanges, a Pod's "
        "ServiceAccount, PodSecurity. A refused object is never stored, so a ReplicaSet whose Pods "
        "are refused shows `FailedCreate` events and no Pods at all (`kubectl describe rs`)."),
    "ResourceQuota": (
        "A namespace's budget: how many objects, and how much CPU and memory in requests and "
        "limits. Once it tracks requests.cpu, every new Pod must set one. `kubectl describe quota` "
        "shows used against hard."),
    "LimitRange": (
        "Per-container (or per-Pod) defaults and bounds in a namespace. `default` and "
        "`defaultRequest` fill missing values in; `min` and `max` refuse Pods outside them "
        "(`maximum cpu usage per Container is 500m`). `kubectl describe limitrange` lists them."),
    "ServiceAccount": (
        "The identity a Pod's processes have towards the API server (spec.serviceAccountName, "
        "`default` if unset). It must exist before the Pod is created: `kubectl create "
        "serviceaccount NAME`; RBAC RoleBindings grant it rights."),
    "NodeSelector": (
        "The labels a node must carry for a Pod to land there (spec.nodeSelector; `kubectl label node "
        "NAME key=value`). With no such node the Pod stays Pending: `didn't match Pod's node "
        "affinity/selector`. Node affinity says the same with more operators."),
    "ImagePullPolicy": (
        "When the kubelet pulls a container's image: `Always`, `IfNotPresent` (the default for a "
        "tagged image) or `Never` (only an image already on the node; `ErrImageNeverPull` "
        "otherwise). `:latest` or no tag defaults to Always."),
}
