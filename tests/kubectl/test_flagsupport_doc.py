"""docs/kubectl.md carries the table of flags the game takes but does not act on, as
kubegame/kubectl/flagsupport.py has it; and every flag named there is one real kubectl has."""

from __future__ import annotations

from pathlib import Path

from kubegame.kubectl import flagsupport
from kubegame.kubectl.parser import command_spec, known_paths

DOC = Path(__file__).resolve().parents[2] / "docs" / "kubectl.md"


def test_the_doc_lists_every_unsimulated_flag() -> None:
    assert flagsupport.markdown() in DOC.read_text()


def test_every_listed_flag_exists_in_kubectl() -> None:
    for (path, flag) in flagsupport.NOT_SIMULATED:
        paths = [path] if path != "*" else known_paths()
        assert any(flag in command_spec(p).flags for p in paths), (path, flag)
