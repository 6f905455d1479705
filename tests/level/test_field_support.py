"""Nothing silently ignored: every field of the supported kinds is simulated or named as not,
and a write that sets a not-simulated field is warned about as the API server warns
(kubectl prints `Warning: ...` on stderr: staging/src/k8s.io/client-go/rest/warnings.go)."""

import shutil
import subprocess
import sys

from kubegame import kubectl
from kubegame.engine import fieldsupport
from kubegame.testing import deployment, make_cluster


def test_every_schema_field_is_simulated_or_listed_as_not():
    every = fieldsupport.pairs()
    assert len(every) == len(set(every)) and len(every) > 700
    unclassified = [p for p in every if p not in fieldsupport.SIMULATED and p not in fieldsupport.NOT_SIMULATED]
    both = [p for p in every if p in fieldsupport.SIMULATED and p in fieldsupport.NOT_SIMULATED]
    assert unclassified == [] and both == []
    stale = [p for p in [*fieldsupport.SIMULATED, *fieldsupport.NOT_SIMULATED] if p not in set(every)]
    assert stale == []


def test_fields_the_engine_acts_on_are_simulated_and_known_gaps_are_not():
    for p in ("core.v1.Container.readinessProbe", "core.v1.PodSpec.topologySpreadConstraints",
              "core.v1.PodAffinityTerm.namespaceSelector", "core.v1.Container.imagePullPolicy",
              "apps.v1.DeploymentSpec.progressDeadlineSeconds", "core.v1.Lifecycle.preStop"):
        assert p in fieldsupport.SIMULATED, p
    for p in ("core.v1.PodSpec.securityContext", "core.v1.Volume.nfs", "core.v1.ServiceSpec.sessionAffinity",
              "batch.v1.JobSpec.podFailurePolicy", "autoscaling.v2.MetricSpec.pods"):
        assert p in fieldsupport.NOT_SIMULATED, p


def body_with_gaps():
    d = deployment("web", replicas=1)
    spec = d["spec"]["template"]["spec"]
    spec["securityContext"] = {"runAsNonRoot": True}
    spec["dnsPolicy"] = "ClusterFirst"                 # the default: nothing to warn about
    spec["containers"][0]["ports"][0]["protocol"] = "TCP"
    spec["volumes"] = [{"name": "share", "nfs": {"server": "nfs.local", "path": "/export"}}]
    return d


def test_apply_warns_about_each_not_simulated_field_and_still_applies():
    import yaml
    c = make_cluster()
    r = kubectl.run(c, "kubectl apply -f web.yaml", files={"web.yaml": yaml.safe_dump(body_with_gaps())})
    assert r.exit_code == 0 and r.output == "deployment.apps/web created\n"
    assert r.error == (
        "Warning: spec.template.spec.securityContext: not simulated by kubegame (security contexts are stored, "
        "not enforced)\n"
        "Warning: spec.template.spec.volumes[0].nfs: not simulated by kubegame (this volume type is not "
        "simulated (emptyDir, configMap, secret, persistentVolumeClaim, hostPath and projected configMap/secret "
        "are))\n")


def test_plain_and_round_tripped_manifests_get_no_warning():
    c = make_cluster()
    c.apply(deployment("web", replicas=1))
    c.run(10)
    for obj in [c.get("Deployment", "default", "web"), *c.pods()]:
        assert fieldsupport.warnings_for(c.render(obj)) == []


def test_validate_names_the_line_of_the_manifest(tmp_path):
    src = open("levels/1-01-first-pod.yaml").read()
    marker = "    spec:\n      containers:"
    assert marker in src
    level = tmp_path / "gap.yaml"
    level.write_text(src.replace(marker, "    spec:\n      hostNetwork: true\n      containers:", 1))
    exe = shutil.which("kubegame") or sys.executable
    cmd = [exe, "validate", str(level)] if exe != sys.executable else [exe, "-m", "kubegame", "validate", str(level)]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    line = next(x for x in out.splitlines() if "warning:" in x)
    assert line.startswith(f"{level}:") and ": warning: Deployment/hello: spec.template.spec.hostNetwork: " \
        "not simulated by kubegame (a host-network pod gets its node's IP, but its container ports are not " \
        "reserved as host ports)" in line
    assert out.rstrip().endswith(": ok")


def test_the_users_list_is_current():
    from pathlib import Path
    assert (Path(__file__).resolve().parents[2] / "docs" / "not-simulated.md").read_text() == fieldsupport.markdown()
