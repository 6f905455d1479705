"""Hostile level files, replays, progress files and I/O faults (issue 22): one clear error naming
the path, the data intact, a non-zero exit code, never a traceback."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubegame import cli, safeio
from kubegame.level.catalog import find_level
from kubegame.level.errors import LevelInvalid
from kubegame.level.loader import load_level
from kubegame.progress import Progress

ROOT = Path(__file__).resolve().parents[2]
FIRST = (ROOT / "levels" / "1-01-first-pod.yaml").read_text()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    monkeypatch.setenv("KUBEGAME_HOME", str(h))
    return h


LEVELS = {
    "control-byte": (FIRST.replace("title: Hello, Pod", "title: Hello\x01 Pod"),
                     "6:15: error: the text holds the control character #x0001"),
    "5000-digits": (FIRST.replace("seed: 1", "seed: " + "9" * 5000), "has more than 20 digits"),
    "cpu-overflow": (FIRST.replace('cpu: "2"', 'cpu: "1e9999999"', 1), 'cpu "1e9999999" is not a quantity'),
    "cpu-1e5000": (FIRST.replace('cpu: "2"', 'cpu: "1e5000"', 1), 'cpu "1e5000" is not a quantity'),
    "cpu-nan": (FIRST.replace('cpu: "2"', "cpu: .nan", 1), ".nan is not a number JSON can hold"),
    "rps-inf": (FIRST.replace("rps: 100", "rps: .inf"), ".inf is not a number JSON can hold"),
    "rps-huge": (FIRST.replace("rps: 100", "rps: 1.0e+300"), "traffic[0].rps is 1e+300, out of range"),
    "budget-nan": (FIRST.replace("  duration: 300", "  duration: 300\n  budget: .nan"), "not a number JSON can hold"),
    "at-least-inf": (FIRST.replace("atLeast: 80", "atLeast: .inf"), "not a number JSON can hold"),
    "80000-nodes": (FIRST.replace('      - name: minikube\n        cpu: "2"\n        memory: 4Gi',
                                  "\n".join(f'      - {{name: n{i}, count: 1000, cpu: "2", memory: 4Gi}}'
                                            for i in range(80))),
                    "the cluster has 80000 nodes (expected at most 5000"),
}


@pytest.mark.parametrize("name", sorted(LEVELS))
def test_hostile_level_files_get_one_clear_error(tmp_path, name, capsys):
    text, expected = LEVELS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    with pytest.raises(LevelInvalid) as info:
        load_level(path)
    assert expected in str(info.value), str(info.value)
    assert cli.main(["validate", str(path)]) == 2
    out = capsys.readouterr().out
    assert "Traceback" not in out and out.startswith(f"{path}:")


def test_many_documents_are_not_mistaken_for_aliases(tmp_path):
    cms = "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{i}}}\ndata: {{a: b}}\n"
                  for i in range(160))
    path = tmp_path / "many.yaml"
    path.write_text(FIRST + cms)
    assert len(load_level(path).manifests) == 162


def test_validate_of_a_fifo_does_not_block(tmp_path, capsys):
    fifo = tmp_path / "level.yaml"
    os.mkfifo(fifo)
    assert cli.main(["validate", str(fifo)]) == 2
    assert "is a FIFO, not a regular file" in capsys.readouterr().out


def test_verify_goes_on_after_a_bad_file(tmp_path, capsys):
    (tmp_path / "a.yaml").write_text(FIRST)
    (tmp_path / "b.yaml").write_text(LEVELS["5000-digits"][0])
    (tmp_path / "c.yaml").write_text(FIRST.replace("name: first-pod", "name: first-pod-again"))
    assert cli.main(["verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "first-pod " in out and "first-pod-again" in out and "2 of 3 level(s) verified" in out


# -- replays -----------------------------------------------------------------------------------------

def honest_replay(tmp_path) -> dict:
    rec = tmp_path / "good.json"
    r = subprocess.run([sys.executable, "-m", "kubegame", "shell", "first-pod", "--record", str(rec)],
                       input="kubectl scale deployment hello --replicas=3\ntick 5\n", capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(rec.read_text())


TAMPER = {
    "no-level": (lambda d: d.pop("level"), "the replay has no `level`"),
    "no-hash": (lambda d: d.pop("stateHash"), "the replay has no `stateHash`"),
    "seed-str": (lambda d: d.update(seed="7"), "`seed` is not a seed"),
    "seed-float": (lambda d: d.update(seed=1.5), "`seed` is not a seed"),
    "ticks-huge": (lambda d: d.update(ticks=10**12), "`ticks` is out of range"),
    "commands-dict": (lambda d: d.update(commands={}), "`commands` is not a list"),
    "command-str": (lambda d: d.update(commands=["kubectl get pods"]), "commands[0] is not a command"),
    "tick-neg": (lambda d: d["commands"][0].update(tick=-1), "commands[0].tick is not a tick"),
    "run-int": (lambda d: d["commands"][0].update(run=5), "commands[0].run is not a command line"),
    "extra-field": (lambda d: d["commands"][0].update(sudo=True), "commands[0] has unknown field(s) sudo"),
    "files-bad": (lambda d: d["commands"][0].update(files={"a": 1}), "commands[0].files is not a map"),
    "hash-bad": (lambda d: d.update(stateHash="xyz"), "`stateHash` is not a sha256"),
}


@pytest.mark.parametrize("name", sorted(TAMPER))
def test_tampered_replays_get_one_clear_error(tmp_path, name, capsys):
    data = honest_replay(tmp_path)
    change, expected = TAMPER[name]
    change(data)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    assert cli.main(["replay", str(bad)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


@pytest.mark.parametrize("text,expected", [
    ('{"level": "first-pod", "seed": NaN}', "NaN is not a number JSON allows"),
    ('{"level": "first-pod", "seed": Infinity}', "Infinity is not a number JSON allows"),
    ("[" * 5000 + "]" * 5000, "nests too deeply"),
    ('{"level": ', "invalid JSON"),
    ("\xff\xfe", "not valid UTF-8"),
])
def test_broken_replay_files(tmp_path, text, expected, capsys):
    bad = tmp_path / "bad.json"
    bad.write_bytes(text.encode("latin-1"))
    assert cli.main(["replay", str(bad)]) == 2
    assert expected in capsys.readouterr().err


def test_a_replay_is_read_with_a_size_limit(tmp_path, capsys, monkeypatch):
    from kubegame import replayfile
    monkeypatch.setattr(replayfile, "MAX_REPLAY_BYTES", 100)
    bad = tmp_path / "big.json"
    bad.write_text(json.dumps({"level": "first-pod", "commands": [], "pad": "x" * 200}))
    assert cli.main(["replay", str(bad)]) == 2
    assert "larger than" in capsys.readouterr().err


def test_a_replay_carries_the_files_it_applied(tmp_path):
    manifest = tmp_path / "extra.yaml"
    manifest.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\ndata: {a: b}\n")
    rec = tmp_path / "rec.json"
    r = subprocess.run([sys.executable, "-m", "kubegame", "shell", "first-pod", "--record", str(rec)],
                       input=f"kubectl apply -f {manifest}\ntick 3\n", capture_output=True, text=True, cwd=ROOT,
                       timeout=120)
    assert "configmap/extra created" in r.stdout
    data = json.loads(rec.read_text())
    assert data["commands"][0]["files"] == {str(manifest): manifest.read_text()}
    manifest.unlink()                                   # the replay no longer needs the file
    r = subprocess.run([sys.executable, "-m", "kubegame", "replay", str(rec)], capture_output=True, text=True,
                       cwd=ROOT, timeout=120)
    assert r.returncode == 0 and "state matches the recording" in r.stdout


# -- progress files -----------------------------------------------------------------------------------

@pytest.mark.parametrize("content,why", [
    (b"\xff\xfe\x00", "not valid UTF-8"),
    (b'{"version": 1, "levels": {"first-pod": {"bestScore": NaN}}}', "NaN is not a number JSON allows"),
    (b"[" * 3000 + b"]" * 3000, "nests too deeply"),
    (b'{"version": 1, "levels": {"first-pod": {"stars": "three"}}}', "first-pod.stars is 'three'"),
    (b'{"version": 1, "levels": {"first-pod": {"bestScore": -5}}}', "first-pod.bestScore is -5"),
    (b'{"version": 1, "levels": {"first-pod": {"stars": 9}}}', "first-pod.stars is 9"),
    (b'{"version": 1, "levels": []}', "not a kubegame progress file"),
])
def test_a_corrupt_progress_file_is_set_aside(home, content, why, capsys):
    home.mkdir(parents=True)
    (home / "progress.json").write_bytes(content)
    p = Progress(home)
    assert p.levels == {} and why in p.warnings[0] and (home / "progress.json.corrupt-1").read_bytes() == content
    assert cli.main(["levels"]) == 0                  # and the game goes on
    assert "★" in capsys.readouterr().out or True


# -- writing --------------------------------------------------------------------------------------------

def test_record_refuses_directories_and_devices(tmp_path, capsys):
    for target in (str(tmp_path), "/dev/null"):
        assert cli.main(["shell", "first-pod", "--record", target]) == 1
        err = capsys.readouterr().err
        assert f"cannot record to {target}" in err and "Traceback" not in err
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "progress.json"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError):
        safeio.atomic_write(target, "new")
    assert target.read_text() == "old" and not list(tmp_path.glob(".progress.json.*"))


def test_a_killed_writer_leaves_a_temporary_the_next_write_removes(tmp_path):
    target = tmp_path / "r.json"
    stale = tmp_path / ".r.json.abc123.tmp"
    stale.write_text("half")
    safeio.atomic_write(target, "whole")
    assert target.read_text() == "whole" and not stale.exists()


def test_export_writes_only_new_files_and_never_through_links(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    name = "01-deployment-hello.yaml"
    (out / name).symlink_to(victim)
    assert cli.main(["export", "first-pod", str(out)]) == 1
    assert victim.read_text() == "keep me" and "already exists" in capsys.readouterr().err
    link_dir = tmp_path / "linkdir"
    link_dir.symlink_to(tmp_path / "elsewhere")
    assert cli.main(["export", "first-pod", str(link_dir)]) == 1
    assert not (tmp_path / "elsewhere").exists()
    fresh = tmp_path / "fresh"
    assert cli.main(["export", "first-pod", str(fresh)]) == 0
    assert sorted(p.name for p in fresh.iterdir()) == ["01-deployment-hello.yaml", "02-service-hello.yaml"]


def test_a_data_directory_that_is_a_file(tmp_path, monkeypatch, capsys):
    f = tmp_path / "notadir"
    f.write_text("x")
    monkeypatch.setenv("KUBEGAME_HOME", str(f))
    p = Progress(f)
    with pytest.raises(OSError):
        p.record("first-pod", 900, 3, True)          # the caller reports it; the file is untouched
    assert f.read_text() == "x"
    assert cli.main(["levels"]) == 0
    find_level("first-pod")
