"""The API server front door: defaults, validation and error wording as Kubernetes words them."""

import ipaddress

import pytest

from kubegame.engine import ApiError
from kubegame.engine.quantity import cpu_millis, format_cpu, format_memory, memory_bytes
from kubegame.testing import deployment, make_cluster, pod, service


@pytest.mark.parametrize("q,millis", [("500m", 500), ("2", 2000), ("0.1", 100), ("1.5", 1500), (1, 1000)])
def test_cpu_quantities(q, millis):
    assert cpu_millis(q) == millis


@pytest.mark.parametrize("q,n", [("8Gi", 8 * 2**30), ("512Mi", 512 * 2**20), ("1G", 10**9), ("1e3", 1000)])
def test_memory_quantities(q, n):
    assert memory_bytes(q) == n


def test_quantity_formatting():
    assert (format_cpu(250), format_cpu(2000), format_memory(256 * 2**20)) == ("250m", "2", "256Mi")


def test_not_found_wording():
    c = make_cluster()
    with pytest.raises(ApiError) as e:
        c.must_get("Deployment", "default", "web")
    assert (e.value.reason, e.value.message) == ("NotFound", 'deployments.apps "web" not found')


def test_already_exists_wording():
    c = make_cluster()
    c.create(deployment("web"))
    with pytest.raises(ApiError) as e:
        c.create(deployment("web"))
    assert e.value.reason == "AlreadyExists"
    assert e.value.message == 'deployments.apps "web" already exists'


def test_selector_must_match_template_labels():
    body = deployment("web")
    body["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    with pytest.raises(ApiError) as e:
        make_cluster().create(body)
    assert e.value.message == ('Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: '
                               'map[string]string{"app":"other"}: `selector` does not match template `labels`')


def test_missing_image_and_negative_replicas_are_all_reported():
    body = deployment("web", replicas=-1)
    del body["spec"]["template"]["spec"]["containers"][0]["image"]
    with pytest.raises(ApiError) as e:
        make_cluster().create(body)
    assert e.value.message == (
        'Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, '
        'spec.template.spec.containers[0].image: Required value]')


def test_deployment_selector_is_immutable():
    c = make_cluster()
    c.create(deployment("web"))
    body = deployment("web")
    body["spec"]["selector"]["matchLabels"]["tier"] = "x"
    body["spec"]["template"]["metadata"]["labels"]["tier"] = "x"
    with pytest.raises(ApiError) as e:
        c.update(body)
    assert "spec.selector: Invalid value" in e.value.message and e.value.message.endswith("field is immutable")


def test_invalid_name():
    with pytest.raises(ApiError) as e:
        make_cluster().create(pod("Web_1"))
    assert e.value.message.startswith('Pod "Web_1" is invalid: metadata.name: Invalid value: "Web_1": '
                                      "a lowercase RFC 1123 subdomain must consist of")


def test_pod_defaults_match_the_api_server():
    c = make_cluster()
    p = c.create(pod("p"))
    spec = c.render(p)["spec"]
    assert spec["restartPolicy"] == "Always" and spec["terminationGracePeriodSeconds"] == 30
    assert spec["dnsPolicy"] == "ClusterFirst" and spec["schedulerName"] == "default-scheduler"
    assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    assert spec["containers"][0]["terminationMessagePath"] == "/dev/termination-log"


def test_latest_tag_pulls_always():
    c = make_cluster()
    p = c.create(pod("p", image="busybox"))
    assert p.spec["containers"][0]["imagePullPolicy"] == "Always"


def test_service_ips_and_node_ports_come_from_their_ranges():
    c = make_cluster()
    c.create(service("a", type_="NodePort"))
    svc = c.get("Service", "default", "a")
    assert ipaddress.ip_address(svc.spec["clusterIP"]) in ipaddress.ip_network("10.96.0.0/12")
    assert 30000 <= svc.spec["ports"][0]["nodePort"] <= 32767
    assert c.get("Service", "default", "kubernetes").spec["clusterIP"] == "10.96.0.1"


def test_apply_is_idempotent_and_reports_unchanged():
    c = make_cluster()
    _, first = c.apply(deployment("web"))
    obj, second = c.apply(c.render(c.get("Deployment", "default", "web")))
    assert (first, second) == ("created", "unchanged")
    _, third = c.apply(deployment("web", replicas=5))
    assert third == "configured" and c.get("Deployment", "default", "web").generation == 2


def test_delete_cascades_to_replicasets_and_pods():
    c = make_cluster()
    c.apply(deployment("web", replicas=2))
    c.run(20)
    c.delete("Deployment", "default", "web")
    assert c.list("ReplicaSet", "default") == []
    assert all(p.terminating for p in c.pods("default"))
    c.run(31)
    assert c.pods("default") == []


def test_unknown_namespace():
    with pytest.raises(ApiError) as e:
        make_cluster().create(deployment("web", namespace="nope"))
    assert e.value.message == 'namespaces "nope" not found'


class _Bits:
    """An RNG stand-in whose getrandbits(63) returns the given words in turn."""

    def __init__(self, *words: int):
        self.words = list(words)

    def getrandbits(self, k: int) -> int:
        assert k == 63
        return self.words.pop(0)


def test_generated_names_take_five_bits_per_character_and_skip_indexes_past_the_alphabet():
    # k8s.io/apimachinery/pkg/util/rand/rand.go String(): one Int63 gives 12 five-bit indexes,
    # lowest first; an index >= len(alphanums) (27) is skipped, a new Int63 drawn when 12 are used
    from kubegame.engine.hashing import ALPHANUMS

    c = make_cluster(nodes=0)
    chunks = [31, 0, 26, 27, 1, 2, 3]
    c.rng = _Bits(sum(x << (5 * i) for i, x in enumerate(chunks)))
    assert c.random_suffix() == ALPHANUMS[0] + ALPHANUMS[26] + ALPHANUMS[1] + ALPHANUMS[2] + ALPHANUMS[3]
    # twelve skipped indexes use up a word: the next characters come from the second word
    c.rng = _Bits(sum(30 << (5 * i) for i in range(12)), sum(i << (5 * i) for i in range(5)))
    assert c.random_suffix() == ALPHANUMS[:5]


def test_a_controller_kind_watch_sees_only_the_objects_that_kind_controls():
    c = make_cluster(nodes=1)
    seen: list[tuple[str, str]] = []
    c.store.subscribe("Pod", lambda event, pod: seen.append((event, pod.name)), controller_kind="ReplicaSet")
    c.apply(pod("loose"))
    c.apply(deployment("shop", replicas=1))
    c.run(2)
    owned = [p.name for p in c.pods("default") if p.controller_ref()]
    assert owned and {name for _, name in seen} == set(owned)
    assert ("ADDED", owned[0]) in seen
