"""Same seed, same manifests => the same state hash, with every workload controller at work."""

from kit_workloads import cluster, deployment, template

from kubegame.engine.cluster import NodeSpec


def scenario() -> str:
    c = cluster(NodeSpec("a1", zone="zone-a"), NodeSpec("b1", zone="zone-b"), seed=42)
    c.apply(deployment("web", 3, cpu="200m"))
    c.apply({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
             "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})
    c.traffic.set_demand("web", service=("default", "web"), rps=250)
    c.apply({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
             "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template({"app": "agent"}, "agent:1.0")}})
    c.apply({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
             "spec": {"replicas": 2, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                      "template": template({"app": "db"}, "db:1.0", cpu="100m"),
                      "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                          "resources": {"requests": {"storage": "1Gi"}}}}]}})
    c.apply({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate"},
             "spec": {"completions": 2, "template": {"spec": {"restartPolicy": "Never", "containers": [
                 {"name": "m", "image": "batch:1.0"}]}}}})
    c.apply({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
             "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                      "minReplicas": 2, "maxReplicas": 8}})
    c.apply({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
             "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}}})
    c.run(60)
    c.zone_outage("zone-b", duration=40)
    c.run(120)
    return c.state_hash()


def test_same_seed_same_hash_with_all_workload_controllers():
    assert scenario() == scenario()
