"""Property-testing tools for kubegame: builders, invariants, Hypothesis strategies and a state machine.

Everything docs/testing.md names is importable from here:

    from kubegame.testing import manifests, clusters, commands, ClusterMachine, assert_invariants

`builders`, `invariants` and `faults` need nothing beyond kubegame; the strategies and
`ClusterMachine` need Hypothesis (`pip install kubegame[test]`) and are loaded only when
first used (a module `__getattr__`), so `import kubegame.testing` works without it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from kubegame.testing.builders import deployment, make_cluster, pod, service
from kubegame.testing.invariants import (
    InvariantViolation,
    Monitor,
    QuorumWatch,
    assert_invariants,
    check_daemonsets_converged,
    guard_evictions,
)

# name -> the submodule that defines it (these need Hypothesis)
LAZY = {
    "nodes": "strategies", "images": "strategies", "manifests": "strategies", "clusters": "strategies",
    "commands": "strategies", "scenarios": "strategies", "levels": "strategies",
    "level_documents": "strategies", "quantities_cpu": "strategies", "quantities_memory": "strategies",
    "ClusterMachine": "machine", "PodMachine": "podmachine",
}

__all__ = ["InvariantViolation", "Monitor", "QuorumWatch", "assert_invariants", "check_daemonsets_converged",
           "deployment", "guard_evictions", "make_cluster", "pod", "service", *LAZY]


def __getattr__(name: str) -> Any:
    module = LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kubegame.testing' has no attribute {name!r}")
    try:
        value = getattr(import_module(f"kubegame.testing.{module}"), name)
    except ModuleNotFoundError as exc:
        if exc.name == "hypothesis":
            raise ImportError(f"kubegame.testing.{name} needs Hypothesis: pip install kubegame[test]") from None
        raise
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(LAZY))
