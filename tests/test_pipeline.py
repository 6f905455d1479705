"""Shell syntax on the game's command line (kubegame/pipeline.py) and its text tools
(kubegame/textools.py), checked against the real GNU tools and jq where the machine has them."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from kubegame.game import Game
from kubegame.level.catalog import find_level
from kubegame.pipeline import StageResult, needs_shell, run_line, tokenize
from kubegame.textools import TOOLS

PODS = """NAME                    READY   STATUS             RESTARTS   AGE
shop-7cccc558f-7x8sd    1/1     Running            0          10s
shop-7cccc558f-d5fjr    0/1     CrashLoopBackOff   4          10s
db-0                    1/1     Running            0          2m
Web-legacy              1/1     Running            1 (5s ago) 3m
shop-7cccc558f-r4ttc    1/1     Running            0          10s
"""

CASES = [
    ["grep", "shop"], ["grep", "-v", "Running"], ["grep", "-i", "web"], ["grep", "-c", "shop"],
    ["grep", "-E", "db|Web"], ["grep", "-w", "db"], ["grep", "-n", "Crash"], ["grep", "-A", "1", "db-0"],
    ["grep", "-B", "1", "db-0"], ["grep", "-C", "1", "d5fjr"], ["grep", "-o", "shop-[a-z0-9]*"],
    ["grep", "-x", "db-0.*"], ["grep", "^shop"], ["grep", "-F", "1/1"], ["grep", "s\\(h\\)op"],
    ["grep", "-e", "db", "-e", "Web"], ["grep", "-vc", "Running"], ["grep", "[[:digit:]]m$"],
    ["head", "-n", "2"], ["head", "-3"], ["head", "-n", "-2"], ["tail", "-n", "2"], ["tail", "-n", "+2"],
    ["tail", "-1"], ["wc", "-l"], ["wc", "-w"], ["wc"], ["sort"], ["sort", "-r"], ["sort", "-k", "3"],
    ["sort", "-k4", "-n"], ["sort", "-u", "-k", "2,2"], ["sort", "-k", "3,3"], ["sort", "-b", "-k", "3"],
    ["sort", "-r", "-k", "1,1"], ["uniq", "-c"], ["cut", "-c", "1-4"], ["cut", "-d", " ", "-f", "1"],
    ["awk", "{print $1}"], ["awk", "{print $1, $3}"], ["awk", "NR>1 {print $1}"], ["awk", "/Crash/ {print $1}"],
    ["awk", "{print $NF}"], ["awk", "$3 == \"Running\" {print $1}"], ["awk", "{print NR, $2}"],
    ["awk", "-F", "-", "{print $1}"], ["sed", "s/Running/OK/"], ["sed", "s/0/zero/g"], ["sed", "/db/d"],
    ["sed", "-n", "2p"], ["tr", "a-z", "A-Z"], ["tr", "-d", "0-9"], ["base64"], ["base64", "-w", "0"],
]


@pytest.mark.parametrize("argv", CASES, ids=lambda a: " ".join(a))
def test_tools_answer_as_the_real_ones(argv):
    real = shutil.which(argv[0])
    if real is None:
        # the oracle is the machine's own tool (coreutils, grep, sed, awk: part of any base system,
        # CI's included); a machine that lacks one has nothing to compare that case with
        pytest.skip(f"{argv[0]} is not installed on this machine to compare with")
    want = subprocess.run([real, *argv[1:]], input=PODS, capture_output=True, text=True,
                          env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})   # the game's sort is the C locale's
    out, err, code = TOOLS[argv[0]](argv[1:], PODS)
    assert out == want.stdout, err
    assert code == want.returncode


@pytest.mark.parametrize("program", [".", ".items[].metadata.name", ".items | length", "-r .items[0].metadata.name",
                                     "-c .items[] | {n: .metadata.name}", ".items[] | select(.x > 1) | .x",
                                     "[.items[].x] | add", "keys"])
def test_jq_is_the_real_jq(program):
    doc = '{"items": [{"metadata": {"name": "a"}, "x": 1}, {"metadata": {"name": "b"}, "x": 2.5}]}\n'
    args = program.split(" ", 1) if program.startswith("-") else [program]
    out, err, code = TOOLS["jq"](args, doc)
    assert code == 0, err
    real = shutil.which("jq")
    if real is not None:
        assert out == subprocess.run([real, *args], input=doc, capture_output=True, text=True).stdout


def test_base64_round_trip_and_bad_input():
    enc, _, _ = TOOLS["base64"]([], "s3cr3t")
    assert TOOLS["base64"](["-d"], enc) == ("s3cr3t", "", 0)
    assert TOOLS["base64"](["--decode"], "c3Vw\nZXI=\n") == ("super", "", 0)
    out, err, code = TOOLS["base64"](["-d"], "!!!")
    assert code == 1 and "invalid input" in err


def test_unsupported_options_and_programs_say_so():
    _, err, code = TOOLS["grep"](["-P", "x"], PODS)
    assert code == 2 and "not supported" in err and "usage: grep" in err
    _, err, code = TOOLS["awk"](["{sum += $4} END {print sum}"], PODS)
    assert code == 2 and "the game's awk" in err


def test_words_are_split_as_sh_splits_them():
    words = [t.word.plain for t in tokenize("""kubectl get pods -l 'app in (a,b)' "x y" z\\ w""")]
    assert words == ["kubectl", "get", "pods", "-l", "app in (a,b)", "x y", "z w"]
    ops = [t.op for t in tokenize("a | b && c || d; e 2>&1") if t.op]
    assert ops == ["|", "&&", "||", ";", "2>&"]
    assert not needs_shell("kubectl get pods -l 'app in (a,b)'")         # operators inside quotes are words
    assert not needs_shell("kubectl get pods -o jsonpath='{.items[*].metadata.name}'")
    assert needs_shell("kubectl get pods | grep x") and needs_shell("kubectl logs $(kubectl get po -o name)")


def fake(words: list[str], stdin: str | None) -> StageResult:
    if words[:2] == ["kubectl", "get"]:
        return StageResult(output=PODS)
    return StageResult(output=" ".join(words) + "\n", changed=words[1] in ("delete", "scale"))


@pytest.mark.parametrize("line,output,code", [
    ("kubectl get pods | grep -v Running | tail -n +2", "shop-7cccc558f-d5fjr    0/1     CrashLoopBackOff   4          10s\n", 0),
    ("kubectl get pods | grep nothing", "", 1),
    ("kubectl delete pod $(kubectl get pods | grep Crash | awk '{print $1}')",
     "kubectl delete pod shop-7cccc558f-d5fjr\n", 0),
    ('kubectl logs "$(kubectl get pods | grep db | cut -c1-4)"', "kubectl logs db-0\n", 0),
    ("kubectl get pods | grep Crash | awk '{print $1}' | xargs kubectl delete pod",
     "kubectl delete pod shop-7cccc558f-d5fjr\n", 0),
    ("kubectl get pods | grep -q db && echo yes || echo no", "yes\n", 0),
    ("kubectl get pods | grep -q nope && echo yes || echo no", "no\n", 0),
    ("kubectl get pods > /dev/null; echo done", "done\n", 0),
])
def test_lines_run_like_a_shell(line, output, code):
    res = run_line(line, fake)
    assert (res.output, res.exit_code) == (output, code), res.error


@pytest.mark.parametrize("line,message", [
    ("kubectl get pods | xdg-open", "xdg-open: not available"),
    ("kubectl get pods > pods.txt", "does not write files"),
    ("kubectl get pods | ", "a command is missing"),
    ("kubectl get pods &", "background jobs"),
    ("kubectl get pods `whoami`", "backquotes"),
    ("kubectl get pods | grep 'x", "unexpected EOF"),
])
def test_what_the_shell_cannot_do_is_said(line, message):
    res = run_line(line, fake)
    assert res.exit_code != 0 and message in res.error


def test_pipes_on_a_real_level():
    game = Game(find_level("node-failure"))
    res = game.submit("kubectl get pods | grep -c shop")
    assert (res.output, res.ok, res.changed) == ("3\n", True, False)
    res = game.submit("kubectl get secret nosuch -o jsonpath='{.data.x}' | base64 -d")
    assert 'secrets "nosuch" not found' in res.error
    res = game.submit("kubectl scale deployment shop --replicas=4 && kubectl get deploy shop -o name")
    assert res.output == "deployment.apps/shop scaled\ndeployment.apps/shop\n" and res.changed
    assert game.changes == 1
    pods = game.submit("kubectl get pods -o name | head -1").output.strip()
    res = game.submit(f"kubectl get {pods} -o json | jq -r .spec.nodeName")
    assert res.output.startswith("worker-")
    assert [c["run"] for c in game.commands][-1].endswith("jq -r .spec.nodeName")   # the replay keeps the line
