"""Proportions and their intervals: top-box shares, NPS, and two proportions compared."""

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import norm

from seire.stats.estimate import Estimate, check_confidence, numbers


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
    # At 0 or n successes the bound is exactly 0 or 1; rounding would leave a speck.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@lru_cache(maxsize=16)
def _z(confidence: float) -> float:
    """The two-sided normal quantile for `confidence` (0.95 → 1.959…), computed once."""
    check_confidence(confidence)
    return float(norm.ppf(1 - (1 - confidence) / 2))


def share(successes: int, n: int, confidence: float = 0.95) -> Estimate:
    """`successes` of `n` as a percentage 0–100 with its Wilson interval (nothing at n = 0).

    >>> share(1, 4)
    Estimate(value=25.0, low=4.558..., high=69.93..., n=4)
    """
    if n == 0:
        return Estimate.nothing(0)
    low, high = wilson_interval(successes, n, confidence)
    return Estimate(100 * successes / n, 100 * low, 100 * high, n)


def top_box_share(scores: Iterable, top: Iterable = (4, 5), confidence: float = 0.95) -> Estimate:
    """The percentage of `scores` that are one of `top` (e.g. 4–5 of 5 for CSAT), 0–100,
    with the Wilson interval; missing scores (None, NaN) are not counted in n.

    >>> top_box_share([5, 4, 3, None, 2])
    Estimate(value=50.0, low=15.0..., high=84.9..., n=4)
    """
    top = {float(t) for t in top}
    values = numbers(scores, "scores")
    return share(sum(1 for v in values if v in top), len(values), confidence)


def nps(scores: Iterable, confidence: float = 0.95) -> Estimate:
    """The Net Promoter Score of 0–10 `scores`: 100·(p_pro − p_det), −100…100.

    Promoters score 9–10, detractors 0–6. The interval is normal with the multinomial
    variance Var(p_pro − p_det) = (p_pro + p_det − (p_pro − p_det)²)/n: NPS ± z·100·√Var,
    clipped to [−100, 100]. It has zero width when every answer falls in one class, and
    none at all at n = 1. Missing scores are left out; a score outside 0–10 is an error.

    >>> nps([10, 9, 8, 7, 6, 0])
    Estimate(value=0.0, low=-65.33..., high=65.33..., n=6)
    """
    values = numbers(scores, "scores")
    for i, v in enumerate(values):
        if not 0 <= v <= 10:
            raise ValueError(f"an NPS score is 0–10, got {v:g} (answer {i + 1})")
    n = len(values)
    if n == 0:
        return Estimate.nothing(0)
    promoters = sum(1 for v in values if v >= 9) / n
    detractors = sum(1 for v in values if v <= 6) / n
    value = 100 * (promoters - detractors)
    if n == 1:
        return Estimate(value, None, None, 1)
    variance = (promoters + detractors - (promoters - detractors) ** 2) / n
    half = _z(confidence) * 100 * math.sqrt(max(variance, 0.0))
    return Estimate(value, max(-100.0, value - half), min(100.0, value + half), n)


@dataclass(frozen=True)
class ProportionDifference:
    """p1 − p2 as proportions (−1…1, not percentage points), its interval and p-value.

    All of `difference`, `low`, `high`, `p_value` are None when either n is 0.
    """

    difference: float | None
    low: float | None
    high: float | None
    p_value: float | None
    n1: int
    n2: int


def two_proportion_test(
    x1: int, n1: int, x2: int, n2: int, confidence: float = 0.95
) -> ProportionDifference:
    """Compare x1/n1 with x2/n2: the difference p1 − p2 as a proportion (−1…1).

    Interval: Newcombe's hybrid score method (Newcombe 1998, method 10) from the Wilson
    intervals (l1, u1) and (l2, u2) of the two proportions:
    low = d − √((p1 − l1)² + (u2 − p2)²), high = d + √((u1 − p1)² + (p2 − l2)²).
    p-value: two-sided pooled z test, z = d / √(p̄(1 − p̄)(1/n1 + 1/n2)) with
    p̄ = (x1 + x2)/(n1 + n2) — the same as the chi-square test without continuity
    correction. When p̄ is 0 or 1 the two samples cannot differ and p = 1.

    >>> t = two_proportion_test(56, 70, 48, 80)
    >>> round(t.difference, 4), round(t.low, 4), round(t.high, 4), round(t.p_value, 4)
    (0.2, 0.0524, 0.3339, 0.008)
    """
    for x, n, name in ((x1, n1, "first"), (x2, n2, "second")):
        if n < 0 or x < 0 or x > n:
            raise ValueError(f"{name} proportion: need 0 ≤ x ≤ n, got {x} of {n}")
    if n1 == 0 or n2 == 0:
        return ProportionDifference(None, None, None, None, n1, n2)
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    l1, u1 = wilson_interval(x1, n1, confidence)
    l2, u2 = wilson_interval(x2, n2, confidence)
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    pooled = (x1 + x2) / (n1 + n2)
    if pooled in (0.0, 1.0):
        p_value = 1.0
    else:
        z = d / math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
        p_value = float(2 * norm.sf(abs(z)))
    return ProportionDifference(d, max(-1.0, low), min(1.0, high), p_value, n1, n2)
