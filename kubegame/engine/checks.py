"""Self-checks of the engine's kept figures, for the test suite.

The engine keeps what it can instead of recomputing it (a node's CPU, an HPA's metric) and
shares what does not change (pod specs of one template). With `CHECK_CACHES` on (tests/conftest.py
sets it) each kept figure is also computed afresh and compared, and every shared template spec is
compared with a pickled copy at the end of each tick: a stale cache or a write into a shared spec
fails loudly in the tests instead of quietly in a player's game.
"""

CHECK_CACHES = False


class StaleCache(AssertionError):
    """A kept figure differs from a fresh one, or a shared spec was written to (never caught by
    the tick's guard for controller errors: it fails the test)."""


def expect(ok: bool, what: str) -> None:
    if not ok:
        raise StaleCache(what)
