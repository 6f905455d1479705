"""ConfigMaps and Secrets referenced by pods (kubelet: CreateContainerConfigError, FailedMount)."""

from kit_workloads import cluster, run_until


def pod_with_env(name: str = "app") -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "main", "image": "web:1.0", "env": [
                {"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "app-config", "key": "mode"}}}]}]}}


def test_missing_configmap_keeps_the_pod_in_create_container_config_error():
    c = cluster("n1")
    c.apply(pod_with_env())
    c.run(10)
    p = c.get("Pod", "default", "app")
    assert p.status_reason() == "CreateContainerConfigError"
    assert p.waiting_message == 'configmap "app-config" not found'
    assert any(e.reason == "Failed" and e.message == 'Error: configmap "app-config" not found' for e in c.events)
    # the kubelet retries: once the ConfigMap exists the container starts
    c.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config"}, "data": {"mode": "prod"}})
    run_until(c, lambda: c.get("Pod", "default", "app").ready, limit=30)


def test_missing_key_is_named():
    c = cluster("n1")
    c.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config"}, "data": {"other": "x"}})
    c.apply(pod_with_env())
    c.run(10)
    p = c.get("Pod", "default", "app")
    assert p.status_reason() == "CreateContainerConfigError"
    assert p.waiting_message == "couldn't find key mode in ConfigMap default/app-config"


def test_missing_secret_volume_blocks_the_mount():
    c = cluster("n1")
    c.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "app"},
             "spec": {"containers": [{"name": "main", "image": "web:1.0"}],
                      "volumes": [{"name": "creds", "secret": {"secretName": "db-pass"}}]}})
    c.run(10)
    p = c.get("Pod", "default", "app")
    assert p.status_reason() == "ContainerCreating"
    assert 'secret "db-pass" not found' in p.waiting_message
