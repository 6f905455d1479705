"""The strongest fidelity test there is: the same command lines through the real kubectl 1.37.1
binary against `kubegame serve` (game A) and through the built-in kubectl (game B, the same level
and seed) give identical output, errors and exit codes (tests/apiserver/corpus.txt, over 200
lines, reads and writes). After every line both clocks are brought level, and at the end of a
section both clusters must hash the same: what real kubectl did through the API is what the
built-in kubectl did to the engine.

Allowed differences (each is computed by the real client from the wall clock, which the game's
clock does not follow; `normalise` blanks them on both sides):
- the AGE column kubectl computes itself from event timestamps in `describe`'s Events table
  (`5m`, `(x3 over 10m)`) and in `kubectl events`' LAST SEEN column (`5m (x3 over 10m)`);
- the Age of each pod in `describe node`'s Non-terminated Pods table (from creationTimestamp);
- `rollout status`/`delete`/`drain` may take a different number of game ticks to see the same end
  (the real client polls on its own timers), so the clocks are levelled after each line.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import time
from pathlib import Path

import pytest

from kubegame.game import Game
from kubegame.level.catalog import find_level

CORPUS = Path(__file__).parent / "corpus.txt"
AGE = r"(?:<unknown>|<invalid>|\d+[smhdy](?:\d+[smh])?)"


def sections() -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for raw in CORPUS.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@level "):
            out.append((line.split()[1], []))
        else:
            out[-1][1].append(line)
    return out


def normalise(line: str, text: str) -> str:
    words = shlex.split(line)
    if words and words[0] == "describe":
        # the Events table: "  Normal  Reason  5m (x2 over 10m)  from  message": the age blanked and the
        # columns' padding (which follows the age's width) made two spaces
        out, in_events = [], False
        for ln in text.split("\n"):
            if ln.startswith("Events:"):
                in_events = True
            elif in_events and not ln.startswith("  "):
                in_events = False
            if in_events and ln.startswith("  ") and not ln.startswith("  ----"):
                ln = re.sub(rf"^(  \w+\s+\S+\s+)({AGE}(?: \(x\d+ over {AGE}\))?)(?=\s)", r"\1AGE", ln)
            if in_events:
                ln = re.sub(r"(\S)\s{2,}", r"\1  ", ln)
            out.append(ln)
        text = "\n".join(out)
    if words and words[0] == "describe":
        # a node's Non-terminated Pods table: each pod's Age (the last column)
        out, in_pods = [], False
        for ln in text.split("\n"):
            if ln.startswith("Non-terminated Pods:"):
                in_pods = True
            elif in_pods and not ln.startswith("  "):
                in_pods = False
            elif in_pods and not ln.lstrip().startswith(("Namespace", "---")):
                ln = re.sub(rf"\s+{AGE}$", "  AGE", ln)
            if in_pods:
                ln = re.sub(r"(\S)\s{2,}", r"\1  ", ln)
            out.append(ln)
        text = "\n".join(out)
    if words and words[0] == "events":
        # LAST SEEN: the age of each event's last timestamp, the first column
        text = "\n".join(re.sub(r"\s{2,}", "  ", re.sub(rf"^{AGE}(?: \(x\d+ over {AGE}\))?(?=\s)", "AGE", ln))
                         for ln in text.split("\n"))
    return text


def run_real(a, line: str) -> subprocess.CompletedProcess:
    """Real kubectl on A; while it waits (rollout status, delete), A's clock runs a tick per 0.2 s."""
    proc = a.start_kubectl(*shlex.split(line))
    start = time.monotonic()
    ticks = 0
    while proc.poll() is None:
        time.sleep(0.05)
        if time.monotonic() - start > 0.5 + 0.2 * ticks and ticks < 200:
            a.tick(1)
            ticks += 1
    out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def level_clocks(a, b: Game) -> None:
    while a.game.now < b.now:
        a.tick(1)
    while b.now < a.game.now:
        b.step()


def total_lines() -> int:
    return sum(len([x for x in lines if not x.startswith("@")]) for _, lines in sections())


def test_the_corpus_has_over_200_command_lines():
    assert total_lines() >= 200


MANIFESTS = {
    "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  mode: slow\n",
    "cm2.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  mode: fast\n",
    "bad.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndatta:\n  a: b\n",
    "web.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied-web\nspec:\n  replicas: 2\n"
                 "  selector:\n    matchLabels: {app: applied-web}\n  template:\n    metadata:\n"
                 "      labels: {app: applied-web}\n    spec:\n      containers:\n      - name: web\n"
                 "        image: shop:1.0\n"),
}


@pytest.mark.parametrize("index", range(len(sections())))
def test_real_kubectl_against_serve_prints_what_the_builtin_prints(served, index, tmp_path):
    level, lines = sections()[index]
    a = served(level)
    b = Game(find_level(level))
    files = tmp_path / "manifests"          # `{dir}` in a line: where the corpus' manifests are
    files.mkdir()
    for name, text in MANIFESTS.items():
        (files / name).write_text(text)
    failures = []
    for line in (x.replace("{dir}", str(files)) for x in lines):
        if line.startswith("@tick "):
            n = int(line.split()[1])
            a.tick(n)
            b.run(n)
            continue
        real = run_real(a, line)
        built = b.submit("kubectl " + line, block=True)
        level_clocks(a, b)
        got = (normalise(line, real.stdout), normalise(line, real.stderr), real.returncode)
        want = (normalise(line, built.output), normalise(line, built.error), built.exit_code)
        if got != want:
            failures.append(f"kubectl {line}\n--- real (exit {got[2]})\n{got[0]}{got[1]}"
                            f"--- built-in (exit {want[2]})\n{want[0]}{want[1]}")
    assert not failures, f"{len(failures)} of {len(lines)} lines differ:\n\n" + "\n\n".join(failures)
    assert a.call(a.game.cluster.state_hash) == b.cluster.state_hash()
