"""The command line: pflag syntax and cobra's errors (checked against kubectl v1.32's own output:
`kubectl gett`, `kubectl get pods --foo`, `kubectl get pods -x`, `kubectl scale --replicas=abc`)."""

from __future__ import annotations

import pytest

from kubegame.kubectl.parser import UsageError, levenshtein, parse, suggestions


@pytest.mark.parametrize("line, path, args, flags", [
    ("kubectl get pods -o wide", "get", ["pods"], {"output": "wide"}),
    ("k -n kube-system get po", "get", ["po"], {"namespace": "kube-system"}),
    ("kubectl get pods --namespace=dev -l app=shop", "get", ["pods"], {"namespace": "dev", "selector": "app=shop"}),
    ("kubectl get pods -owide", "get", ["pods"], {"output": "wide"}),
    ("kubectl get pods -o=yaml", "get", ["pods"], {"output": "yaml"}),
    ("kubectl get pods -A --show-labels", "get", ["pods"], {"all-namespaces": True, "show-labels": True}),
    ("kubectl rollout status deploy/shop", "rollout status", ["deploy/shop"], {}),
    ("kubectl create svc nodeport web --tcp=80:8080", "create service nodeport", ["web"], {"tcp": ["80:8080"]}),
    ("k top no", "top node", [], {}),
    ("kubectl scale deploy shop --replicas 5", "scale", ["deploy", "shop"], {"replicas": 5}),
    ("kubectl delete pod x --dry-run", "delete", ["pod", "x"], {"dry-run": "unchanged"}),
])
def test_parse(line, path, args, flags):
    p = parse(line)
    assert p.path == path
    assert p.args == args
    for k, v in flags.items():
        assert p.flags[k] == v


def test_dash_dash_and_combined_shorts():
    p = parse('kubectl run t --image=busybox --rm -it -- sh -c "echo hi"')
    assert p.flags["rm"] and p.flags["stdin"] and p.flags["tty"]
    assert p.args[p.dash:] == ["sh", "-c", "echo hi"]


@pytest.mark.parametrize("line, message", [
    ("kubectl get pods --foo", "unknown flag: --foo"),
    ("kubectl get pods -x", "unknown shorthand flag: 'x' in -x"),
    ("kubectl get -n", "flag needs an argument: 'n' in -n"),
    ("kubectl scale deploy x --replicas=abc",
     'invalid argument "abc" for "--replicas" flag: strconv.ParseInt: parsing "abc": invalid syntax'),
    ("kubectl create deployment x", 'required flag(s) "image" not set'),
    ("kubectl get 'pods", "unexpected EOF while looking for matching quote"),
])
def test_parse_errors(line, message):
    with pytest.raises(UsageError) as exc:
        parse(line)
    assert exc.value.message == message


def test_levenshtein_and_suggestions():
    # cobra's SuggestionsFor: distance <= 2 or prefix; ordered as kubectl adds its commands
    assert levenshtein("gett", "get") == 1
    assert suggestions("gett") == ["set", "get"]
    assert suggestions("lgos") == ["logs"]
    assert suggestions("zzzzzz") == []
