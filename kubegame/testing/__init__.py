"""Property-testing tools for kubegame: builders, invariants, Hypothesis strategies and a state machine.

`builders`, `invariants` and `faults` need nothing beyond kubegame; `strategies` and
`machine` (and `kubegame.fuzz`) need Hypothesis (`pip install kubegame[test]`).
docs/testing.md shows how to use them.
"""

from kubegame.testing.builders import deployment, make_cluster, pod, service
from kubegame.testing.invariants import (
    InvariantViolation,
    Monitor,
    QuorumWatch,
    assert_invariants,
    check_daemonsets_converged,
    guard_evictions,
)

__all__ = ["InvariantViolation", "Monitor", "QuorumWatch", "assert_invariants", "check_daemonsets_converged",
           "deployment", "guard_evictions", "make_cluster", "pod", "service"]
