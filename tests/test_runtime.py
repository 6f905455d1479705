"""kubegame/runtime.py: the simulation's cycle-collector thresholds, and that callers get theirs back."""

import gc

from kubegame.runtime import GC_THRESHOLDS, tuned_gc


def test_tuned_gc_raises_the_thresholds_and_restores_the_callers():
    before = gc.get_threshold()
    with tuned_gc():
        assert gc.get_threshold() == GC_THRESHOLDS
        assert GC_THRESHOLDS[0] > before[0]
    assert gc.get_threshold() == before


def test_tuned_gc_restores_the_thresholds_after_an_error():
    before = gc.get_threshold()
    try:
        with tuned_gc():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before
