"""The worked examples of docs/testing.md run as they are written (so the page stays true)."""

from __future__ import annotations

import io
import re
import unittest
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
BLOCKS = [b for b in re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
          if "def test_" in b or ".TestCase" in b]


def test_the_page_has_three_worked_examples() -> None:
    text = DOC.read_text(encoding="utf-8")
    for title in ("Example 1: testing a new controller rule", "Example 2: a level property",
                  "Example 3: a custom invariant"):
        assert f"## {title}" in text
    assert len(BLOCKS) >= 4


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i + 1}" for i in range(len(BLOCKS))])
def test_doc_example_runs(block: str) -> None:
    namespace: dict = {"__name__": "docs_testing_example"}
    exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    ran = 0
    for name, obj in list(namespace.items()):
        if name.startswith("test_") and callable(obj):
            obj()
            ran += 1
        elif isinstance(obj, type) and issubclass(obj, unittest.TestCase) and name.startswith("Test"):
            result = unittest.TextTestRunner(verbosity=0, stream=io.StringIO()).run(
                unittest.defaultTestLoader.loadTestsFromTestCase(obj))
            assert result.wasSuccessful(), result.failures + result.errors
            ran += 1
    assert ran
