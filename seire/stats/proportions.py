"""Proportions and their intervals."""

import math
from functools import lru_cache

from scipy.stats import norm


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval for `successes` of `n`, as proportions 0–1.

    centre = (p̂ + z²/2n) / (1 + z²/n); half = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n)
    (Wilson 1927; Newcombe 1998). n = 0 gives (0.0, 1.0): nothing is known.

    >>> [round(x, 4) for x in wilson_interval(81, 263)]
    [0.2553, 0.3662]
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 ≤ successes ≤ n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    z = _z(confidence)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@lru_cache(maxsize=16)
def _z(confidence: float) -> float:
    """The two-sided normal quantile for `confidence` (0.95 → 1.959…), computed once."""
    return float(norm.ppf(1 - (1 - confidence) / 2))
