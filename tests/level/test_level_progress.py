"""Progress and replays on disk: atomic writes, corrupt files set aside, kills mid-save."""

import json
import os
import signal
import subprocess
import sys
import time

from kubegame import progress
from kubegame.progress import Progress, atomic_write, data_dir, save_replay


def test_data_dir_honours_kubegame_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBEGAME_HOME", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("KUBEGAME_HOME")
    assert "kubegame" in str(data_dir())


def test_record_keeps_the_best(tmp_path):
    p = Progress(tmp_path)
    assert p.record("node-failure", 700, 2, True) is True
    assert p.record("node-failure", 650, 1, True) is False
    again = Progress(tmp_path)
    assert again.best("node-failure") == {"bestScore": 700, "stars": 2, "won": True, "plays": 2}
    assert again.stars("first-pod") == 0
    assert json.loads((tmp_path / "progress.json").read_text())["version"] == 1


def test_corrupt_progress_is_set_aside_with_a_warning(tmp_path):
    (tmp_path / "progress.json").write_text('{"levels": {"x": ')
    p = Progress(tmp_path)
    assert p.levels == {}
    assert len(p.warnings) == 1 and "is corrupt" in p.warnings[0] and "progress.json.corrupt-1" in p.warnings[0]
    assert (tmp_path / "progress.json.corrupt-1").read_text() == '{"levels": {"x": '
    assert not (tmp_path / "progress.json").exists()
    p.record("first-pod", 900, 3, True)      # play goes on
    assert Progress(tmp_path).stars("first-pod") == 3


def test_wrong_shape_counts_as_corrupt(tmp_path):
    (tmp_path / "progress.json").write_text("[1, 2, 3]")
    p = Progress(tmp_path)
    assert p.warnings and (tmp_path / "progress.json.corrupt-1").exists()


def test_atomic_write_failure_keeps_the_old_file(tmp_path, monkeypatch):
    f = tmp_path / "progress.json"
    atomic_write(f, "old")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(progress.os, "replace", boom)
    try:
        atomic_write(f, "new")
    except OSError:
        pass
    assert f.read_text() == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["progress.json"]   # the temp file is gone


def test_save_replay(tmp_path):
    path = save_replay({"level": "first-pod", "commands": []}, tmp_path)
    assert path.parent == tmp_path / "replays" and path.name.startswith("first-pod-")
    assert json.loads(path.read_text())["level"] == "first-pod"
    assert save_replay({"level": "first-pod", "commands": []}, tmp_path) != path


WRITER = """
import sys
from kubegame.progress import Progress
p = Progress(sys.argv[1])
i = 0
while True:
    i += 1
    p.levels = {"big": {"bestScore": i, "stars": 1, "won": True, "plays": i, "pad": "z" * 400000}}
    p.save()
    if i == 1:
        print("saved", flush=True)
"""


def test_kill_during_save_leaves_the_old_or_the_new_file(tmp_path):
    for delay in (0.0, 0.003, 0.011, 0.027, 0.05):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "saved"
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        data = json.loads((tmp_path / "progress.json").read_text())   # never broken
        entry = data["levels"]["big"]
        assert entry["bestScore"] >= 1 and len(entry["pad"]) == 400000
        p = Progress(tmp_path)
        assert p.warnings == []
        assert not list(tmp_path.glob(".progress.json.*.tmp"))        # leftovers of the kill cleaned up
