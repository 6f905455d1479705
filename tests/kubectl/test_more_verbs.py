"""set env/serviceaccount/selector/subject, replace, diff, debug, attach, cp, create token,
create secret tls, --from-file/--from-env-file, --append-hash: the server-dependent half of each
(the client-side half is in the corpus). Upstream: pkg/cmd/set/*.go, pkg/cmd/replace/replace.go,
pkg/cmd/diff/diff.go, pkg/cmd/debug/debug.go and profiles.go, pkg/cmd/attach/attach.go,
pkg/cmd/cp/cp.go, pkg/cmd/create/create_token.go, create_secret_tls.go, create_configmap.go,
pkg/util/hash/hash.go."""

from __future__ import annotations

import base64
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubegame.kubectl.stream import advance

from .conftest import K


def env_of(k: K) -> list[dict]:
    return k.cluster.get("Deployment", "default", "shop").spec["template"]["spec"]["containers"][0].get("env") or []


def test_set_env_adds_replaces_removes_and_lists(k: K) -> None:
    assert k("set env deploy/shop A=1 B=2").output == "deployment.apps/shop env updated\n"
    assert env_of(k) == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    k("set env deploy/shop A=9 C=3 B-")
    assert env_of(k) == [{"name": "A", "value": "9"}, {"name": "C", "value": "3"}]
    assert k("set env deploy/shop --list").output == "# Deployment shop, container shop\nA=9\nC=3\n"
    assert k("set env deploy/shop A=9").output == ""                 # nothing changed: nothing printed
    assert k("set env deploy/shop A=1 --overwrite=false").error == \
        "error: 'A' already has a value (9), and --overwrite is false\n"
    assert k("set env deploy/shop A=1 A-").error == \
        "error: can not both modify and remove the same environment variable in the same command\n"
    assert k("set env A=1 deploy/shop").error == "error: all resources must be specified before environment " \
                                                 "changes: A=1 deploy/shop\n"


def test_set_env_from_a_configmap_with_a_prefix(k: K) -> None:
    k("create configmap cfg --from-literal=db.host=x --from-literal=port=5432")
    k("set env deploy/shop --from=configmap/cfg --prefix=APP_")
    assert env_of(k) == [
        {"name": "APP_DB_HOST", "valueFrom": {"configMapKeyRef": {"key": "db.host", "name": "cfg"}}},
        {"name": "APP_PORT", "valueFrom": {"configMapKeyRef": {"key": "port", "name": "cfg"}}}]
    assert "# APP_PORT from configmap cfg, key port\n" in k("set env deploy/shop --list").output
    assert k("set env deploy/shop --keys=port").error == \
        "error: when specifying --keys, a configmap or secret must be provided with --from\n"


def test_set_serviceaccount_selector_and_subject(k: K) -> None:
    k("create sa robot")
    assert k("set sa deploy/shop robot").output == "deployment.apps/shop serviceaccount updated\n"
    assert k.cluster.get("Deployment", "default", "shop").spec["template"]["spec"]["serviceAccountName"] == "robot"
    assert k("set selector svc shop app=shop,tier=web").output == "service/shop selector updated\n"
    assert k.cluster.get("Service", "default", "shop").spec["selector"] == {"app": "shop", "tier": "web"}
    assert k("set selector deploy shop app=x").error == "error: setting a selector is only supported for Services\n"
    k("create rolebinding rb --clusterrole=view --user=jane")
    assert k("set subject rolebinding rb --user=bob --serviceaccount=default:robot").output == \
        "rolebinding.rbac.authorization.k8s.io/rb subjects updated\n"
    subjects = k.cluster.get("RoleBinding", "default", "rb").extra["subjects"]
    assert [s["name"] for s in subjects] == ["jane", "bob", "robot"]
    assert k("set subject rolebinding rb --serviceaccount=robot").error == \
        "error: serviceaccount must be <namespace>:<name>\n"


def test_replace_puts_the_whole_object(k: K) -> None:
    live = json.loads(k("get deploy shop -o json").output)
    live["spec"]["replicas"] = 5
    live["metadata"]["labels"] = {"team": "a"}                   # the app=shop label is gone after a PUT
    text = json.dumps(live)
    assert k("replace -f -", stdin=text).output == "deployment.apps/shop replaced\n"
    dep = k.cluster.get("Deployment", "default", "shop")
    assert dep.spec["replicas"] == 5 and dep.labels == {"team": "a"}
    assert "the object has been modified; please apply your changes to the latest version" in \
        k("replace -f -", stdin=text).error                     # its resourceVersion is stale now
    del live["metadata"]["resourceVersion"]
    live["metadata"]["name"] = "nope"
    assert k("replace -f -", stdin=json.dumps(live)).error == \
        'Error from server (NotFound): error when replacing "STDIN": deployments.apps "nope" not found\n'


def test_replace_force_recreates_once_the_old_one_is_gone(k: K) -> None:
    k.cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "solo"},
                      "spec": {"containers": [{"name": "app", "image": "busybox:latest"}]}})
    k.cluster.run(5)
    old = k.cluster.get("Pod", "default", "solo").uid
    body = json.loads(k("get pod solo -o json").output)
    body["spec"]["containers"][0]["image"] = "busybox:1.36"
    r = k("replace --force -f -", stdin=json.dumps(body))
    assert r.output.startswith('pod "solo" deleted from default namespace\n')
    out = r.output
    while r.stream is not None and not r.stream.done:
        k.cluster.tick()
        out += advance(r.stream, k.cluster)[0]
    assert out.endswith("pod/solo replaced\n")
    new = k.cluster.get("Pod", "default", "solo")
    assert new.uid != old and new.spec["containers"][0]["image"] == "busybox:1.36"


def test_diff_shows_what_apply_would_change(k: K) -> None:
    live = json.loads(k("get deploy shop -o json").output)
    live["spec"]["replicas"] = 4
    r = k("diff -f -", stdin=json.dumps(live))
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[0].startswith("diff -u -N /tmp/LIVE-") and lines[0].endswith("/apps.v1.Deployment.default.shop")
    assert lines[1].startswith("--- /tmp/LIVE-") and "\t2026-01-01 " in lines[1]
    assert "-  replicas: 3" in lines and "+  replicas: 4" in lines
    assert any(ln.startswith("-  generation: ") for ln in lines)
    assert k.cluster.get("Deployment", "default", "shop").spec["replicas"] == 3      # nothing changed
    applied = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}})
    new = k("diff -f -", stdin=applied)
    assert new.exit_code == 1 and "+  a: \"1\"" in new.output and "\t1970-01-01 00:00:00.000000000 +0000" in new.output
    k("apply -f -", stdin=applied)
    assert (k("diff -f -", stdin=applied).output, k("diff -f -", stdin=applied).exit_code) == ("", 0)


def test_diff_masks_secret_values(k: K) -> None:
    k("create secret generic s --from-literal=pw=one")
    body = json.loads(k("get secret s -o json").output)
    body["data"]["pw"] = base64.b64encode(b"two").decode()
    out = k("diff -f -", stdin=json.dumps(body)).output
    assert "-  pw: '*** (before)'" in out and "+  pw: '*** (after)'" in out and "b25l" not in out


def test_debug_node_and_a_copy_of_a_pod(k: K) -> None:
    r = k("debug node/node-1 --image=busybox:latest -- sleep 3600")
    assert r.output.startswith("Creating debugging pod node-debugger-node-1-") and \
        r.output.endswith(" with container debugger on node node-1.\n")
    pod = next(p for p in k.cluster.pods() if p.name.startswith("node-debugger-node-1-"))
    assert pod.spec["hostPID"] and pod.spec["hostNetwork"] and pod.spec["nodeName"] == "node-1"
    assert pod.spec["volumes"] == [{"hostPath": {"path": "/", "type": ""}, "name": "host-root"}] or \
        pod.spec["volumes"][0]["hostPath"]["path"] == "/"
    shop = next(p.name for p in k.cluster.pods() if p.labels.get("app") == "shop")
    r = k(f"debug {shop} --copy-to=shop-debug --set-image=shop=busybox:1.36")
    copy = k.cluster.get("Pod", "default", "shop-debug")
    assert copy is not None and copy.spec["containers"][0]["image"] == "busybox:1.36"
    it = k(f"debug {shop} -it --image=busybox:latest --copy-to=shop-dbg2")
    assert it.shell is not None and it.shell[1] == "shop-dbg2" and it.shell[2].startswith("debugger-")
    assert "Defaulting debug container name to debugger-" in it.output
    assert "not simulate ephemeral debug containers" in k(f"debug {shop} --image=busybox").error


def test_exec_and_attach_hand_an_interactive_shell_to_the_screen(k: K) -> None:
    shop = next(p.name for p in k.cluster.pods() if p.labels.get("app") == "shop")
    r = k(f"exec -it {shop} -- sh")
    assert r.shell == ("default", shop, "shop") and "needs the full-screen game" in r.error
    assert k(f"exec {shop} -- sh").exit_code == 0                    # no terminal: sh reads EOF and exits
    a = k(f"attach {shop}")
    assert a.stream is not None and a.output == ""                    # what it prints from now on
    assert k(f"attach -it {shop}").shell == ("default", shop, "shop")


def test_cp_into_a_container_and_never_onto_the_disk(k: K, tmp_path) -> None:
    shop = next(p.name for p in k.cluster.pods() if p.labels.get("app") == "shop")
    f = tmp_path / "app.conf"
    f.write_text("level: debug\n")
    r = k(f"cp {f} {shop}:/tmp/app.conf")
    assert (r.output, r.error, r.exit_code) == ("", "", 0)
    assert k(f"exec {shop} -- cat /tmp/app.conf").output == "level: debug\n"
    assert r.files == {str(f): "level: debug\n"}                      # recorded for the replay
    assert "does not write to your disk" in k(f"cp {shop}:/tmp/app.conf {tmp_path}/x").error
    assert k(f"cp {tmp_path}/none {shop}:/tmp/x").error == f"error: {tmp_path}/none doesn't exist in local filesystem\n"


def test_create_token_is_a_jwt_for_the_service_account(k: K) -> None:
    k("create sa robot")
    token = k("create token robot --duration=2h").output.strip()
    head, body, _sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["sub"] == "system:serviceaccount:default:robot" and claims["exp"] - claims["iat"] == 7200
    assert k("create token nobody").error == 'Error from server (NotFound): serviceaccounts "nobody" not found\n'


def test_secrets_and_configmaps_from_files(k: K, tmp_path) -> None:
    (tmp_path / "tls.crt").write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    (tmp_path / "tls.key").write_text("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")
    (tmp_path / "app.env").write_text("A=1\n# a comment\nB=two\n")
    r = k(f"create secret tls web --cert={tmp_path}/tls.crt --key={tmp_path}/tls.key")
    assert r.output == "secret/web created\n"
    s = k.cluster.get("Secret", "default", "web")
    assert s.extra["type"] == "kubernetes.io/tls" and sorted(s.extra["data"]) == ["tls.crt", "tls.key"]
    (tmp_path / "bad.crt").write_text("not pem")
    assert k(f"create secret tls x --cert={tmp_path}/bad.crt --key={tmp_path}/tls.key").error == \
        "error: tls: failed to find any PEM data in certificate input\n"
    r = k(f"create configmap envs --from-env-file={tmp_path}/app.env -o json --dry-run=client")
    assert json.loads(r.output)["data"] == {"A": "1", "B": "two"}
    r = k(f"create configmap dir --from-file={tmp_path} --dry-run=client -o json")
    assert sorted(json.loads(r.output)["data"]) == ["app.env", "bad.crt", "tls.crt", "tls.key"]
    assert k("create configmap x --from-file=/nonexistent --dry-run=client").error == \
        "error: error reading /nonexistent: no such file or directory\n"


def test_get_prints_go_templates_and_kyaml(k: K) -> None:
    """k8s.io/cli-runtime/pkg/printers/template.go (whole numbers as int64, base64decode, missing keys
    as <no value>) and the kyaml printer (sigs.k8s.io/yaml/kyaml)."""
    assert k("get deploy shop -o go-template={{.spec.replicas}}/{{.metadata.name}}").output == "3/shop"
    names = k("get pods -l app=shop -o go-template='{{range .items}}{{.metadata.name}} {{end}}'").output.split()
    assert len(names) == 3 and all(n.startswith("shop-") for n in names)
    k("create secret generic s --from-literal=pw=hunter2")
    assert k("get secret s -o go-template='{{.data.pw | base64decode}}'").output == "hunter2"
    assert k("get secret s -o go-template='{{.data.nope}}'").output == "<no value>"
    assert k("get deploy shop -o go-template --template='{{.kind}}'").output == "Deployment"
    out = k("get svc shop -o kyaml").output
    assert out.startswith("---\n{\n") and '  kind: "Service",\n' in out and out.endswith("}\n")
    assert "    ports: [{\n" in out


def test_top_pod_per_container_and_the_sum(k: K) -> None:
    """metrics_printer.go: every cell tab-terminated (the last column keeps its padding), POD before
    NAME with --containers, the underlines and totals of --sum."""
    out = k("top pod").output.splitlines()
    assert out[0] == "NAME                    CPU(cores)   MEMORY(bytes)   "
    per = k("top pod --containers").output.splitlines()
    assert per[0].split() == ["POD", "NAME", "CPU(cores)", "MEMORY(bytes)"]
    assert all(ln.split()[1] == "shop" for ln in per[1:])
    summed = k("top pod --sum").output.splitlines()
    assert summed[-2].split() == ["________", "________"]
    total = sum(int(ln.split()[1].rstrip("m")) for ln in out[1:])
    assert summed[-1].split()[0] == f"{total}m"
    assert k("top pod x -l app=shop").error == "error: only one of NAME or selector can be provided\n"
    assert k("top pod --sort-by=name").error == "error: --sort-by accepts only cpu or memory\n"


def test_explain_recursive_lists_the_field_tree() -> None:
    """explain/v2/templates/plaintext.tmpl fieldList with Recursive: `name\\t<type>` indented two
    spaces per level, no descriptions, --max-depth."""
    from kubegame import kubectl as kc
    from kubegame.engine import Cluster
    out = kc.run(Cluster(0), "kubectl explain pod.spec.securityContext --recursive").output
    lines = out.splitlines()
    assert "FIELDS:" in lines
    fields = lines[lines.index("FIELDS:") + 1:]
    assert "  runAsUser\t<integer>" in fields
    assert "  seLinuxOptions\t<SELinuxOptions>" in fields and "    level\t<string>" in fields
    shallow = kc.run(Cluster(0), "kubectl explain pod.spec --recursive --max-depth=1").output.splitlines()
    assert "  containers\t<[]Container> -required-" in shallow
    assert not any(ln.startswith("    ") for ln in shallow[shallow.index("FIELDS:") + 1:])


def test_flags_the_game_does_not_act_on_say_so(k: K) -> None:
    """kubectl/flagsupport.py: a flag given that the game does not simulate adds a note; its default
    value or a transport-only flag (--chunk-size) adds none."""
    assert "kubegame: --server-print is not simulated" in k("get pods --server-print=false").error
    assert "kubegame: -v is not simulated" in k("get pods -v=6").error
    assert "not simulated" not in k("get pods --server-print=true").error
    assert "not simulated" not in k("get pods --chunk-size=10").error


def test_describe_without_events_and_expose_affinity(k: K) -> None:
    assert "Events:" not in k("describe deploy shop --show-events=false").output
    assert "Events:" in k("describe deploy shop").output
    k("expose deploy shop --name=sticky --port=80 --session-affinity=ClientIP --external-ip=203.0.113.9")
    svc = k.cluster.get("Service", "default", "sticky")
    assert svc.spec["sessionAffinity"] == "ClientIP" and svc.spec["externalIPs"] == ["203.0.113.9"]


def test_server_side_apply_prints_serverside_applied(k: K) -> None:
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1"}})
    r = k("apply --server-side -f -", stdin=body)
    assert (r.output, r.error) == ("configmap/ssa serverside-applied\n", "")


VERBS = ["wait", "rollout status", "get", "logs", "events", "set env", "set serviceaccount", "set selector",
         "set subject", "replace", "diff", "debug", "attach", "cp", "create token", "create secret tls",
         "create configmap", "top pod", "explain", "port-forward", "drain", "delete", "describe", "completion",
         "certificate approve"]
WORDS = ["pod", "pods", "deploy/shop", "svc/shop", "node/node-1", "node-1", "shop", "-", "x=y", "A=1", "A-",
         "--for=delete", "--for=condition=Ready", "--for=jsonpath={.spec}=1", "--for=create", "-w", "-f",
         "--timeout=2s", "--timeout=0", "-o", "yaml", "go-template={{.x}}", "kyaml", "-l", "app=shop", "--all", "-A",
         "--containers", "--sum", "--recursive", "--copy-to=cp1", "--image=busybox:latest", "-it",
         "--from=configmap/x", "--list", "--user=u", "--serviceaccount=ns:sa", "--duration=1h", "-c", "--append-hash",
         "--request-timeout=3", "--tail=2", "--since=5s", "--prefix", "--previous", "--force", "8080:80",
         "--show-events=false", "--watch=false", "--output-watch-events", "--watch-only", "{{", "--", "sleep", "10"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(VERBS), st.lists(st.sampled_from(WORDS), max_size=5)), min_size=1,
                max_size=6))
def test_any_line_of_the_new_verbs_answers_without_a_traceback(lines) -> None:
    """Text or kubectl's error, never kubegame's internal error, also while a command keeps running."""
    from kubegame.engine import Cluster, NodeSpec

    from .conftest import SHOP
    c = Cluster(seed=3)
    c.add_node(NodeSpec("node-1", cpu="4", memory="8Gi", zone="zone-a"))
    c.create(SHOP)
    c.run(12)
    k = K(c)
    for verb, words in lines:
        r = k(f"{verb} {' '.join(words)}", stdin='{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"z"}}')
        assert "internal error" not in r.error, (verb, words, r.error)
        if r.stream is not None:
            for _ in range(3):
                c.tick()
                assert "internal error" not in advance(r.stream, c)[1]
            r.stream.interrupt()
