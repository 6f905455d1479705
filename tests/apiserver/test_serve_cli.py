"""`kubegame serve` and `kubegame kubeconfig` as a user runs them: a process on the game clock,
status lines and the result on stdout, a kubeconfig merged into a file of the user's choosing (never
~/.kube/config), the state file gone when it stops, and a replay of what outside clients did."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import yaml

KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")


def _env(tmp_path) -> dict:
    return {**os.environ, "KUBEGAME_HOME": str(tmp_path / "kg"), "HOME": str(tmp_path / "home")}


def test_serve_runs_a_level_on_the_clock_for_real_kubectl(tmp_path):
    (tmp_path / "home").mkdir()
    kc = tmp_path / "mine.yaml"
    kc.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Config", "clusters": [
        {"name": "work", "cluster": {"server": "https://10.0.0.1:6443"}}], "users": [{"name": "me", "user": {}}],
        "contexts": [{"name": "work", "context": {"cluster": "work", "user": "me"}}], "current-context": "work"}))
    record = tmp_path / "play.json"
    env = _env(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "kubegame", "serve", "first-pod", "--speed", "40",
                             "--kubeconfig", str(kc), "--record", str(record)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        first = proc.stdout.readline()
        assert first.startswith("kubegame serve: first-pod on https://127.0.0.1:"), first + proc.stderr.read()
        merged = yaml.safe_load(kc.read_text())
        assert merged["current-context"] == "kubegame"
        assert {c["name"] for c in merged["contexts"]} == {"work", "kubegame"}          # the user's kept
        assert stat.S_IMODE(kc.stat().st_mode) == 0o600
        kenv = {"KUBECONFIG": str(kc), "HOME": str(tmp_path / "home"), "PATH": os.environ.get("PATH", "")}
        r = subprocess.run([KUBECTL, "scale", "deployment", "hello", "--replicas=3"], capture_output=True,
                           text=True, env=kenv, timeout=60)
        assert r.returncode == 0, r.stderr
        printed = subprocess.run([sys.executable, "-m", "kubegame", "kubeconfig"], capture_output=True, text=True,
                                 env=env, timeout=60)
        assert printed.returncode == 0
        doc = yaml.safe_load(printed.stdout)
        kube = next(c for c in merged["users"] if c["name"] == "kubegame")
        assert doc["users"][0]["user"]["token"] == kube["user"]["token"]
        assert not (tmp_path / "home" / ".kube" / "config").exists()
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "status tick=30/300" in out
    assert "result: won" in out
    gone = subprocess.run([sys.executable, "-m", "kubegame", "kubeconfig"], capture_output=True, text=True,
                          env=env, timeout=60)
    assert gone.returncode == 1 and "no kubegame serve is running" in gone.stderr
    data = json.loads(record.read_text())
    assert [c["api"]["method"] for c in data["commands"]] == ["PATCH"]
    replayed = subprocess.run([sys.executable, "-m", "kubegame", "replay", str(record)], capture_output=True,
                              text=True, env=env, timeout=300)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr


def test_serve_refuses_a_bad_speed_and_a_busy_port(tmp_path):
    env = _env(tmp_path)
    r = subprocess.run([sys.executable, "-m", "kubegame", "serve", "first-pod", "--speed", "-1"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and "--speed must be between 0" in r.stderr
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    try:
        start = time.time()
        r = subprocess.run([sys.executable, "-m", "kubegame", "serve", "first-pod", "--port", str(port)],
                           capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 1 and f"cannot listen on 127.0.0.1:{port}" in r.stderr, r.stderr
        assert "Traceback" not in r.stderr and time.time() - start < 120
    finally:
        s.close()
