"""Hypothesis profiles: `ci` (default, bounded so the suite stays fast) and `dev` (longer hunts).

Run the long one with: HYPOTHESIS_PROFILE=dev make test
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", max_examples=25, stateful_step_count=20, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("dev", max_examples=400, stateful_step_count=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Every kept figure (engine caches) is recomputed and compared in the tests: a cache that
# goes stale fails here, not in a player's game.
import kubegame.engine.checks  # noqa: E402

kubegame.engine.checks.CHECK_CACHES = True
