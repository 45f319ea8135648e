"""What the fuzzing tests share: fixed, repeatable examples in CI; more by hand.

GENEDESK_FUZZ_EXAMPLES=N runs N examples in every property test (e.g. 2000 by hand).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("GENEDESK_FUZZ_EXAMPLES", "0") or 0)


def fuzz_settings(ci_examples: int) -> settings:
    """Derandomized (CI runs the same examples every time), no example database, no deadline."""
    return settings(
        max_examples=EXAMPLES or ci_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
