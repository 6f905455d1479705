"""The C loader (libyaml, through PyYAML's CSafeLoader) reads every text exactly as the pure-Python
SafeLoader does: the same values, the same line and column for every key and value, the same
error for a bad text (issue 23: levels are parsed about ten times faster)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kubegame import safeyaml
from kubegame.level.catalog import bundled_paths
from kubegame.safeio import InputError

ROOT = Path(__file__).resolve().parents[2]
TEXTS = sorted(bundled_paths()) + sorted((ROOT / "tests" / "malformed").glob("*.yaml"))


def _read(loader, text: str):
    try:
        return [(d.value, d.start, d.values, d.keys, d.raw) for d in safeyaml._parse(text, "f.yaml", loader)]
    except InputError as exc:
        return str(exc)
    except yaml.YAMLError as exc:        # only the C loader: parse_text then asks the Python one
        return f"yaml error {type(exc).__name__}"


def test_the_c_loader_is_there() -> None:
    assert safeyaml.FAST_LOADER is yaml.CSafeLoader


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_same_documents_and_marks(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    slow = _read(yaml.SafeLoader, text)
    fast = _read(yaml.CSafeLoader, text)
    if isinstance(slow, list):
        assert fast == slow
    else:      # a bad text: parse_text words the error as the pure-Python loader does
        assert isinstance(fast, str)
        with pytest.raises(InputError) as got:
            safeyaml.parse_text(text, "f.yaml")
        assert str(got.value) == slow


@pytest.mark.parametrize("text", ["a: 1\nb: [x, {c: d}]\n", "k: é\n  # ü\nm: 'ß'\n", "- 1\n- - 2\n  - 3\n",
                                  "a: &x [1, 2]\nb: *x\n", "a: 1\na: 2\n", "key: [unclosed\n", "\tbad: tab\n",
                                  "x: \x07\n", "---\na: 1\n---\nb: 2\n"])
def test_same_on_small_texts(text: str) -> None:
    slow = _read(yaml.SafeLoader, text)
    if isinstance(slow, list):
        assert _read(yaml.CSafeLoader, text) == slow
    else:
        with pytest.raises(InputError) as got:
            safeyaml.parse_text(text, "f.yaml")
        assert str(got.value) == slow
