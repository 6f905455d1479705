"""RBAC escalation prevention: a user may grant only what they hold, unless RBAC gives them
`escalate` on the role or `bind` on the role a binding names.

Upstream: pkg/registry/rbac/validation/rule.go (ConfirmNoEscalation and its message, BreakdownRule,
CompactString), pkg/registry/rbac/role/policybased/storage.go,
pkg/registry/rbac/rolebinding/policybased/storage.go, pkg/registry/rbac/escalation_check.go.
"""

from __future__ import annotations

from kubegame.engine import Cluster, ClusterConfig, NodeSpec
from kubegame.kubectl import run

ADMIN = "kubectl --as=jane "           # impersonated: only system:authenticated


def cluster() -> Cluster:
    c = Cluster(seed=1, config=ClusterConfig(users=[{"name": "jane", "groups": ["dev"]}]))
    c.add_node(NodeSpec("worker-1"))
    run(c, "kubectl create namespace shop")
    # jane may read pods and manage Roles and RoleBindings in shop, nothing more
    run(c, "kubectl create role rbac-admin -n shop --verb=get,list,create,update,patch "
           "--resource=roles,rolebindings,pods")
    run(c, "kubectl create rolebinding jane -n shop --role=rbac-admin --user=jane")
    return c


def test_granting_what_you_hold_is_allowed():
    c = cluster()
    r = run(c, ADMIN + "create role reader -n shop --verb=get,list --resource=pods")
    assert r.exit_code == 0, r.error


def test_granting_more_is_refused_with_the_missing_rules():
    c = cluster()
    r = run(c, ADMIN + "create role deleter -n shop --verb=get,delete,deletecollection --resource=pods,secrets")
    assert r.exit_code == 1
    assert r.error == (
        'Error from server (Forbidden): roles.rbac.authorization.k8s.io "deleter" is forbidden: user "jane" '
        '(groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "deletecollection"]}\n'
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "deletecollection"]}\n')
    assert c.get("Role", "shop", "deleter") is None


def test_binding_a_role_you_do_not_hold_needs_bind():
    c = cluster()
    r = run(c, ADMIN + "create rolebinding edit -n shop --clusterrole=edit --user=jane")
    assert r.exit_code == 1 and "is attempting to grant RBAC permissions not currently held" in r.error
    run(c, "kubectl create role binder -n shop --verb=bind --resource=clusterroles --resource-name=edit")
    run(c, "kubectl create rolebinding jane-binder -n shop --role=binder --user=jane")
    r = run(c, ADMIN + "create rolebinding edit -n shop --clusterrole=edit --user=jane")
    assert r.exit_code == 0, r.error


def test_escalate_lets_a_role_grow():
    c = cluster()
    run(c, "kubectl create role escalator -n shop --verb=escalate --resource=roles")
    run(c, "kubectl create rolebinding jane-esc -n shop --role=escalator --user=jane")
    r = run(c, ADMIN + "create role deleter -n shop --verb=delete --resource=pods")
    assert r.exit_code == 0, r.error


def test_an_update_is_checked_too_and_the_admin_is_not():
    c = cluster()
    run(c, ADMIN + "create role reader -n shop --verb=get --resource=pods")
    r = run(c, ADMIN + "patch role reader -n shop --type=json "
                       "-p '[{\"op\":\"add\",\"path\":\"/rules/0/verbs/-\",\"value\":\"delete\"}]'")
    assert r.exit_code == 1 and '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}' in r.error
    assert run(c, "kubectl create clusterrole anything --verb=* --resource=*").exit_code == 0
