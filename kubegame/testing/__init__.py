"""Property-testing tools for kubegame: builders, invariants, Hypothesis strategies and a state machine.

`builders` and `invariants` need nothing beyond kubegame; `strategies` and `machine`
need Hypothesis (`pip install kubegame[test]`).
"""

from kubegame.testing.builders import deployment, make_cluster, pod, service
from kubegame.testing.invariants import InvariantViolation, assert_invariants

__all__ = ["InvariantViolation", "assert_invariants", "deployment", "make_cluster", "pod", "service"]
