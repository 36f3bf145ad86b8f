"""Bounded fuzzing in `make test`, long runs in `make fuzz`.

`fuzz_settings(n)` runs a hypothesis test `n` examples, or SEIRE_FUZZ_EXAMPLES when set
(`make fuzz` sets it). The `fuzzed` fixture (tests/conftest.py) counts the inputs a test
sent; the run's summary line adds them up.
"""

import os

from hypothesis import HealthCheck, settings

ENV = "SEIRE_FUZZ_EXAMPLES"


def examples(default: int) -> int:
    """How many examples a fuzz test runs: `default`, or SEIRE_FUZZ_EXAMPLES when set."""
    return int(os.environ.get(ENV) or default)


def fuzz_settings(default: int) -> settings:
    return settings(
        max_examples=examples(default),
        deadline=None,
        database=None,  # each run explores afresh; a failure prints its reproducing seed
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                               HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )  # fmt: skip
