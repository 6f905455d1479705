"""Process settings for running the simulation: the cycle collector's thresholds.

A big cluster holds hundreds of thousands of long-lived containers (pod specs, labels,
events). With CPython's default thresholds (700, 10, 10) the cycle collector runs
every 700 allocations and walks the whole heap every few tens of thousands: in the
10,000-pod scheduling burst of `kubegame bench` that was 15-30% of the wall time
(measured with gc.callbacks). The engine's per-tick garbage is freed by reference
counting (it makes almost no cycles), so the collector can run far less often.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLDS = (50_000, 20, 10)


@contextmanager
def tuned_gc() -> Iterator[None]:
    """Run the body with the simulation's collector thresholds, then restore the caller's."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
