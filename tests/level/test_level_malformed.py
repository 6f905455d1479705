"""The corpus of malformed level files: each gives exactly the errors in EXPECTED.txt.

Every error is one line `PATH:LINE:COL: error: WHAT (expected ...)`, at the YAML node
that causes it, and a file reports all of its errors.
"""

import re
from pathlib import Path

import pytest

from kubegame.level.errors import LevelInvalid
from kubegame.level.loader import errors_of, load_level

CORPUS = Path(__file__).resolve().parent.parent / "malformed"
LINE = re.compile(r"^(?P<file>[\w.-]+\.yaml):(?P<line>\d+):(?P<col>\d+): error: (?P<what>.+) \(expected (?P<exp>.+)\)$")


def expected() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in (CORPUS / "EXPECTED.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("== "):
            current = line[3:]
            out[current] = []
        elif line.strip():
            assert current is not None
            out[current].append(line)
    return out


EXPECTED = expected()


def test_corpus_is_large_and_complete():
    files = sorted(p.name for p in CORPUS.glob("*.yaml"))
    assert len(files) >= 40
    assert files == sorted(EXPECTED), "every corpus file has an EXPECTED.txt entry and vice versa"
    assert all(EXPECTED[f] for f in files), "every corpus file has at least one error"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_reports_exact_errors(name, monkeypatch):
    monkeypatch.chdir(CORPUS)
    got = [str(e) for e in errors_of(name)]
    assert got == EXPECTED[name]
    for line in got:
        m = LINE.match(line)
        assert m, f"not in PATH:LINE:COL: error: WHAT (expected ...) form: {line}"
        assert int(m["line"]) >= 1 and int(m["col"]) >= 1


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_raises_level_invalid(name, monkeypatch):
    monkeypatch.chdir(CORPUS)
    with pytest.raises(LevelInvalid) as info:
        load_level(name)
    assert str(info.value).splitlines() == EXPECTED[name]


def test_errors_point_at_the_offending_text():
    """The column of an unknown field is where its key is written."""
    name = next(n for n in EXPECTED if n.endswith("manifest-unknown-field.yaml"))
    m = LINE.match(EXPECTED[name][0])
    text = (CORPUS / name).read_text().splitlines()[int(m["line"]) - 1]
    assert text[int(m["col"]) - 1:].startswith("replica:")
