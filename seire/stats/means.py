"""Means and differences of means with t intervals, and standardised differences."""

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache

from scipy.stats import t as student_t

from seire.stats.estimate import Estimate, check_confidence, numbers, pairs
from seire.stats.proportions import _z


@lru_cache(maxsize=256)
def _t(confidence: float, df: float) -> float:
    """The two-sided Student t quantile for `confidence` with `df` degrees of freedom."""
    check_confidence(confidence)
    return float(student_t.ppf(1 - (1 - confidence) / 2, df))


def mean_sd(values: Sequence[float]) -> tuple[float, float]:
    """The mean and the sample standard deviation (n − 1 denominator) of ≥ 2 values."""
    n = len(values)
    mean = math.fsum(values) / n
    return mean, math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (n - 1))


def t_estimate(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """`mean_interval` of values that are already clean floats."""
    n = len(values)
    if n == 0:
        return Estimate.nothing(0)
    if n == 1:
        return Estimate(values[0], None, None, 1)
    mean, sd = mean_sd(values)
    half = _t(confidence, n - 1) * sd / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half, n)


def mean_interval(values: Iterable, confidence: float = 0.95) -> Estimate:
    """The mean of `values` with its t interval: x̄ ± t(1 − α/2, n − 1)·s/√n.

    Missing values (None, NaN) are left out. n = 0 gives nothing; n = 1 gives the value
    with no interval; when all values are equal the interval has zero width.

    >>> mean_interval([1, 2, 3, 4, None])
    Estimate(value=2.5, low=0.445..., high=4.554..., n=4)
    """
    return t_estimate(numbers(values), confidence)


def standardised_difference(a: Iterable, b: Iterable, confidence: float = 0.95) -> Estimate:
    """Cohen's d of group `a` against group `b` with the pooled standard deviation:
    d = (x̄_a − x̄_b) / s_p, s_p² = ((n_a − 1)s_a² + (n_b − 1)s_b²) / (n_a + n_b − 2).

    Positive when `a` has the higher mean. The interval is normal with the large-sample
    se(d) = √((n_a + n_b)/(n_a·n_b) + d²/(2(n_a + n_b))) (Hedges & Olkin 1985); no small-
    sample (Hedges g) correction. n is n_a + n_b. Nothing is said when a group is empty,
    when n_a + n_b < 3, or when every value is the same (s_p = 0).

    >>> d = standardised_difference([2, 4, 6], [1, 3, 5])
    >>> round(d.value, 4), d.n
    (0.5, 6)
    """
    a, b = numbers(a, "a"), numbers(b, "b")
    na, nb = len(a), len(b)
    if na == 0 or nb == 0 or na + nb < 3:
        return Estimate.nothing(na + nb)
    mean_a, mean_b = math.fsum(a) / na, math.fsum(b) / nb
    squares = math.fsum((v - mean_a) ** 2 for v in a) + math.fsum((v - mean_b) ** 2 for v in b)
    pooled = math.sqrt(squares / (na + nb - 2))
    if pooled == 0:
        return Estimate.nothing(na + nb)
    d = (mean_a - mean_b) / pooled
    se = math.sqrt((na + nb) / (na * nb) + d * d / (2 * (na + nb)))
    half = _z(confidence) * se
    return Estimate(d, d - half, d + half, na + nb)


def difference_in_differences(
    treated_before: Sequence,
    treated_after: Sequence,
    comparison_before: Sequence,
    comparison_after: Sequence,
    confidence: float = 0.95,
) -> Estimate:
    """The mean change (after − before) of the treated minus that of the comparison group,
    with the Welch t interval of two independent means of change scores:
    Δ ± t(1 − α/2, ν)·√(s₁²/n₁ + s₂²/n₂), with Welch–Satterthwaite
    ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1)).

    Pairs with a missing side are left out; n is the number of complete pairs of both
    groups. A group with no pairs gives nothing; one with a single pair gives the value
    without an interval. A design with no comparison group cannot use this.

    >>> difference_in_differences([1, 2, 3], [4, 6, 8], [1, 2, 3], [2, 3, 4]).value
    3.0
    """
    treated = [after - before for before, after in pairs(treated_before, treated_after)]
    comparison = [
        after - before
        for before, after in pairs(
            comparison_before, comparison_after, ("comparison_before", "comparison_after")
        )
    ]
    n1, n2 = len(treated), len(comparison)
    if n1 == 0 or n2 == 0:
        return Estimate.nothing(n1 + n2)
    value = math.fsum(treated) / n1 - math.fsum(comparison) / n2
    if n1 < 2 or n2 < 2:
        return Estimate(value, None, None, n1 + n2)
    v1, v2 = mean_sd(treated)[1] ** 2 / n1, mean_sd(comparison)[1] ** 2 / n2
    if v1 + v2 == 0:
        return Estimate(value, value, value, n1 + n2)
    df = (v1 + v2) ** 2 / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1))
    half = _t(confidence, df) * math.sqrt(v1 + v2)
    return Estimate(value, value - half, value + half, n1 + n2)
