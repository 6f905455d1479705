"""RBAC, users and the kubeconfig, as a learner meets them through kubectl.

Sources: plugin/pkg/auth/authorizer/rbac/rbac.go (bindings), pkg/apis/rbac/v1/evaluation_helpers.go
(rule matching), staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
(forbiddenMessage), staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go,
plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml (the default roles),
staging/src/k8s.io/kubectl/pkg/cmd/auth/cani.go and whoami.go, pkg/cmd/config/*.go.
"""

from __future__ import annotations

from kubegame.engine import Cluster, ClusterConfig, NodeSpec, rbac

from .conftest import SHOP, K


def jane_cluster(**kw) -> Cluster:
    cfg = ClusterConfig(users=[{"name": "jane", "groups": ["developers"], "namespace": "shop"}], **kw)
    c = Cluster(seed=3, config=cfg)
    c.add_node(NodeSpec("node-1", cpu="4", memory="8Gi"))
    c.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    return c


def test_the_default_cluster_roles_are_there_and_aggregated():
    k = K(Cluster(0))
    out = k("get clusterroles").output
    for name in ("admin", "cluster-admin", "edit", "view", "system:aggregate-to-view", "system:basic-user"):
        assert f"\n{name} " in out
    c = k.cluster
    view = c.get("ClusterRole", "", "view").extra["rules"]
    assert view == rbac.AGGREGATE_TO_VIEW
    edit = c.get("ClusterRole", "", "edit").extra["rules"]
    assert edit == rbac.AGGREGATE_TO_EDIT + rbac.AGGREGATE_TO_VIEW
    assert len(c.get("ClusterRole", "", "admin").extra["rules"]) == 25
    rows = [line.split() for line in k("get clusterrolebindings").output.splitlines()]
    assert ["kubeadm:cluster-admins", "ClusterRole/cluster-admin", "0s"] in rows


def test_a_role_labelled_aggregate_to_view_grows_view_edit_and_admin():
    c = Cluster(0)
    c.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
              "metadata": {"name": "crontabs-view",
                           "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
              "rules": [{"apiGroups": ["stable.example.com"], "resources": ["crontabs"], "verbs": ["get"]}]})
    c.run(2)
    for role in ("view", "edit", "admin"):
        assert {"apiGroups": ["stable.example.com"], "resources": ["crontabs"], "verbs": ["get"]} in \
            c.get("ClusterRole", "", role).extra["rules"], role


def test_the_admin_may_do_anything_and_says_who_it_is():
    k = K(Cluster(0))
    r = k("auth whoami")
    assert r.output == ("ATTRIBUTE   VALUE\nUsername    kubernetes-admin\n"
                        "Groups      [kubeadm:cluster-admins system:authenticated]\n")
    assert k("auth can-i '*' '*'").output == "yes\n"


def test_a_user_without_bindings_is_denied_with_the_api_servers_words():
    c = jane_cluster(current_user="jane")
    k = K(c)
    r = k("get pods")
    assert r.exit_code == 1
    assert r.error == ('Error from server (Forbidden): pods is forbidden: User "jane" cannot list resource "pods" '
                       'in API group "" in the namespace "shop"\n')
    r = k("get deploy web -n default")
    assert r.error == ('Error from server (Forbidden): deployments.apps "web" is forbidden: User "jane" cannot get '
                       'resource "deployments" in API group "apps" in the namespace "default"\n')
    r = k("get nodes")
    assert r.error == ('Error from server (Forbidden): nodes is forbidden: User "jane" cannot list resource "nodes" '
                       'in API group "" at the cluster scope\n')
    assert k("auth can-i list pods").output == "no\n" and k("auth can-i list pods").exit_code == 1


def test_a_role_and_a_binding_grant_exactly_what_they_say():
    c = jane_cluster(current_user="jane")
    k = K(c)
    admin = "--context=kubernetes-admin@kubernetes"
    assert k(f"create role dev --verb=get,list,watch --resource=pods,pods/log -n shop {admin}").exit_code == 0
    assert k(f"create rolebinding dev --role=dev --group=developers -n shop {admin}").exit_code == 0
    assert k("get pods").exit_code == 0                   # the context's namespace is shop
    assert k("auth can-i list pods").output == "yes\n"
    assert k("auth can-i delete pods").output == "no\n"
    assert k("auth can-i list pods -n default").output == "no\n"
    assert k("auth can-i get pods --subresource=log").output == "yes\n"
    r = k("delete pod nope")          # authorisation comes before the lookup
    assert r.error == ('Error from server (Forbidden): pods "nope" is forbidden: User "jane" cannot delete resource '
                       '"pods" in API group "" in the namespace "shop"\n')
    r = k("create deployment web --image=nginx")
    assert r.error == ('Error from server (Forbidden): deployments.apps is forbidden: User "jane" cannot create '
                       'resource "deployments" in API group "apps" in the namespace "shop"\n')


def test_the_view_clusterrole_bound_in_a_namespace_reads_and_never_writes():
    c = jane_cluster(current_user="jane")
    c.create(SHOP, "shop")
    c.run(5)
    c.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
              "metadata": {"name": "jane-view", "namespace": "shop"},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
              "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"}]})
    k = K(c)
    assert k("get deploy").exit_code == 0 and "shop" in k("get deploy").output
    r = k("scale deploy shop --replicas=5")
    assert r.error == ('Error from server (Forbidden): deployments.apps "shop" is forbidden: User "jane" cannot '
                       'patch resource "deployments/scale" in API group "apps" in the namespace "shop"\n')
    assert c.get("Deployment", "shop", "shop").spec["replicas"] == 3
    assert k("get secrets").exit_code == 1                 # view does not read secrets


def test_impersonation_is_checked_and_gives_only_the_groups_asked_for():
    c = jane_cluster()
    k = K(c)
    assert k("auth whoami --as=bob").output.splitlines()[1:] == ["Username    bob",
                                                               "Groups      [system:authenticated]"]
    assert "[dev system:authenticated]" in k("auth whoami --as=bob --as-group=dev").output
    r = k("get pods --context=jane@kubernetes --as=bob")
    assert r.error == ('Error from server (Forbidden): users "bob" is forbidden: User "jane" cannot impersonate '
                       'resource "users" in API group "" at the cluster scope\n')


def test_contexts_switch_users_and_namespaces():
    c = jane_cluster()
    k = K(c)
    assert k("config get-contexts").output == (
        "CURRENT   NAME                          CLUSTER      AUTHINFO           NAMESPACE\n"
        "          jane@kubernetes               kubernetes   jane               shop\n"
        "*         kubernetes-admin@kubernetes   kubernetes   kubernetes-admin   \n")    # sorted by name
    assert k("config current-context").output == "kubernetes-admin@kubernetes\n"
    assert k("config use-context jane@kubernetes").output == 'Switched to context "jane@kubernetes".\n'
    assert "Username    jane" in k("auth whoami").output
    assert k("config use-context nope").error == 'error: no context exists with the name: "nope"\n'
    k("config use-context kubernetes-admin@kubernetes")
    assert k("config set-context --current --namespace=shop").output == \
        'Context "kubernetes-admin@kubernetes" modified.\n'
    assert k("create configmap x --from-literal=a=b").exit_code == 0
    assert c.get("ConfigMap", "shop", "x") is not None
    view = k("config view").output
    assert "client-certificate-data: DATA+OMITTED" in view and "current-context: kubernetes-admin@kubernetes" in view


def test_a_user_the_ca_never_signed_is_unauthorized():
    k = K(Cluster(0))
    k("config set-credentials mallory")
    k("config set-context evil --user=mallory --cluster=kubernetes")
    r = k("get pods --context=evil")
    assert r.error == "error: You must be logged in to the server (Unauthorized)\n"


def test_connection_flags_are_named_as_ignored_not_silently_dropped():
    r = K(Cluster(0))("get ns --server=https://example.com:6443")
    assert r.exit_code == 0
    assert r.error.startswith("Warning: kubegame ignores --server")


def test_the_level_can_leave_the_admin_out():
    c = jane_cluster(current_user="jane", admin_context=False)
    k = K(c)
    assert "kubernetes-admin" not in k("config get-contexts").output
    assert k("get pods --context=kubernetes-admin@kubernetes").error == \
        "error: context was not found for specified context: kubernetes-admin@kubernetes\n"


def test_rbac_validation_reads_as_the_api_server_writes_it():
    k = K(Cluster(0))
    bad_rule = ('{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"r"},'
                '"rules":[{"apiGroups":[""],"resources":["pods"]}]}')
    r = k("apply -f -", stdin=bad_rule)
    assert 'rules[0].verbs: Required value: verbs must contain at least one value' in r.error
    k("create rolebinding rb --clusterrole=view --user=jane")
    r = k("apply -f -", stdin='{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":'
          '{"name":"rb"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"}}')
    assert ('roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", '
            'Name:"edit"}: cannot change roleRef') in r.error
    r = k("create clusterrolebinding x --clusterrole=view --serviceaccount=shop:sa --dry-run=server")
    assert r.exit_code == 0


# -- a denied request is never served (Hypothesis) ---------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

# each command and the requests kubectl makes for it (verb, group, resource, name, subresource)
COMMANDS = [
    ("get pods", [("list", "", "pods", "", "")]),
    ("get deploy shop", [("get", "apps", "deployments", "shop", "")]),
    ("get configmaps", [("list", "", "configmaps", "", "")]),
    ("delete configmap cfg", [("delete", "", "configmaps", "cfg", "")]),
    ("scale deploy shop --replicas=1", [("get", "apps", "deployments", "shop", ""),
                                        ("patch", "apps", "deployments", "shop", "scale")]),
    ("label deploy shop tier=web --overwrite", [("get", "apps", "deployments", "shop", ""),
                                                ("patch", "apps", "deployments", "shop", "")]),
    ("create configmap made --from-literal=a=b", [("create", "", "configmaps", "", "")]),
    ("set image deploy/shop shop=busybox:1.36", [("get", "apps", "deployments", "shop", ""),
                                                 ("patch", "apps", "deployments", "shop", "")]),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rules=st.lists(st.fixed_dictionaries({
    "apiGroups": st.sampled_from([[""], ["apps"], ["*"]]),
    "resources": st.sampled_from([["pods"], ["configmaps"], ["deployments"], ["deployments/scale"], ["*"]]),
    "verbs": st.lists(st.sampled_from(["get", "list", "create", "patch", "delete", "*"]), min_size=1, max_size=3,
                      unique=True)}), max_size=4),
    command=st.sampled_from(COMMANDS))
def test_a_denied_request_is_never_served(rules, command):
    c = jane_cluster(current_user="jane")
    c.create(SHOP, "shop")
    c.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "shop"}})
    if rules:
        c.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                  "metadata": {"name": "drawn", "namespace": "shop"}, "rules": rules})
        c.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                  "metadata": {"name": "drawn", "namespace": "shop"},
                  "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "drawn"},
                  "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "jane"}]})
    line, needs = command
    jane = c.identities["jane"]
    allowed = all(rbac.allowed(c, jane, rbac.Request(v, r, g, "shop", n, s)) for v, g, r, n, s in needs)
    before = c.state_hash()
    res = K(c)(line)
    if not allowed:
        assert res.exit_code == 1 and "Error from server (Forbidden)" in res.error, (line, rules, res)
        assert c.state_hash() == before
    else:
        assert "Forbidden" not in res.error, (line, rules, res.error)


# -- client-side apply (staging/src/k8s.io/kubectl/pkg/cmd/apply/patcher.go, strategicpatch) -------

WEB = '''apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web, tier: fe}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
'''


def test_apply_merges_three_ways_and_keeps_what_others_set():
    import json as _json
    k = K(Cluster(0))
    assert k("apply -f -", stdin=WEB).output == "deployment.apps/web created\n"
    d = k.cluster.get("Deployment", "default", "web")
    stored = d.annotations["kubectl.kubernetes.io/last-applied-configuration"]
    assert stored.startswith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels"')
    assert stored.endswith("}\n") and _json.loads(stored)["metadata"]["namespace"] == "default"
    k("scale deploy web --replicas=3")
    k("label deploy web owner=ops")
    less = WEB.replace(", tier: fe", "").replace(', {name: B, value: "2"}', "")
    assert k("apply -f -", stdin=less).output == "deployment.apps/web configured\n"
    d = k.cluster.get("Deployment", "default", "web")
    assert d.labels == {"app": "web", "owner": "ops"}          # tier (dropped from the file) is gone
    assert d.spec["replicas"] == 3                            # scale's replicas: never in the file, kept
    assert d.spec["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]
    assert k("apply -f -", stdin=less).output == "deployment.apps/web unchanged\n"
    shown = k("apply view-last-applied deploy web").output
    assert "tier" not in shown and "  annotations: {}\n" in shown and "replicas" not in shown


def test_apply_on_an_object_made_by_create_warns_and_patches_the_annotation_in():
    k = K(Cluster(0))
    k("create deployment old --image=nginx:1.27")
    out = k("get deploy old -o yaml").output
    r = k("apply -f -", stdin=out)
    assert r.error.startswith("Warning: resource deployments/old is missing the "
                              "kubectl.kubernetes.io/last-applied-configuration annotation")
    assert "kubectl.kubernetes.io/last-applied-configuration" in k.cluster.get("Deployment", "default", "old").annotations
    k2 = K(Cluster(0))
    k2("create deployment saved --image=nginx:1.27 --save-config")
    assert k2("apply -f -", stdin=k2("get deploy saved -o yaml").output).error == ""


# -- apply and create -f: --validate, a bad file among good ones, client dry-run -----------------

TYPO = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typo"},"data":{"a":"b"},'
        '"datta":{"c":"d"}}')


def test_validate_strict_refuses_warn_reports_and_ignore_drops_unknown_fields():
    k = K(Cluster(0))
    r = k("apply -f -", stdin=TYPO)
    assert r.exit_code == 1 and 'strict decoding error: unknown field "datta"' in r.error
    r = k("apply -f - --validate=warn", stdin=TYPO)
    assert r.output == "configmap/typo created\n" and r.error == 'Warning: unknown field "datta"\n'
    assert "datta" not in k.cluster.render(k.cluster.get("ConfigMap", "default", "typo"))
    r = k("create -f - --validate=false", stdin=TYPO.replace('"typo"', '"quiet"'))
    assert r.output == "configmap/quiet created\n" and r.error == ""
    assert k("apply -f - --validate=maybe", stdin=TYPO).error == (
        'error: invalid - validate option "maybe"; must be one of: strict (or true), warn, ignore (or false)\n')


def test_a_directory_with_one_bad_file_applies_the_rest():
    files = {"dir/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
             "dir/b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b\n",
             "dir/c.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"}
    k = K(Cluster(0))
    r = k("apply -f dir", files=files)
    assert r.exit_code == 1 and r.output == "configmap/a created\nconfigmap/c created\n"
    assert r.error.startswith("error: error parsing dir/b.yaml")


def test_client_dry_run_create_does_not_ask_the_server():
    k = K(Cluster(0))
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    k("create -f -", stdin=cm)
    assert k("create -f - --dry-run=client", stdin=cm).output == "configmap/a created (dry run)\n"
    assert k("create -f - --dry-run=server", stdin=cm).error == \
        'Error from server (AlreadyExists): error when creating "STDIN": configmaps "a" already exists\n'


def test_label_list_and_api_versions():
    k = K(Cluster(0))
    k("create deployment web --image=nginx:1.27")
    k("label deploy web tier=fe")
    assert k("label deploy web --list").output == "app=web\ntier=fe\n"
    versions = k("api-versions").output.splitlines()
    assert versions == sorted(versions) and "rbac.authorization.k8s.io/v1" in versions and versions[-1] == "v1"
