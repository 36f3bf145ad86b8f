"""Rank correlation with its interval, and p-values adjusted for multiple comparisons."""

import math
from collections.abc import Iterable, Sequence

from scipy.stats import spearmanr

from seire.stats.estimate import Estimate, _number, pairs
from seire.stats.proportions import _z


def spearman_interval(x: Sequence, y: Sequence, confidence: float = 0.95) -> Estimate:
    """Spearman's rank correlation ρ of the complete pairs of `x` and `y` (ties get average
    ranks) with a Fisher-z interval: tanh(atanh ρ ± z·se), where
    se = √((1 + ρ²/2)/(n − 3)) (Bonett & Wright 2000).

    Nothing is said when n < 2 or either variable is constant; with n ≤ 3 there is a value
    but no interval; ρ = ±1 gives a zero-width interval.

    >>> rho = spearman_interval([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])
    >>> round(rho.value, 6), rho.n
    (0.8, 5)
    """
    complete = pairs(x, y, ("x", "y"))
    n = len(complete)
    if n < 2 or len({a for a, _ in complete}) < 2 or len({b for _, b in complete}) < 2:
        return Estimate.nothing(n)
    rho = float(spearmanr([a for a, _ in complete], [b for _, b in complete]).statistic)
    if abs(abs(rho) - 1) < 1e-12:  # a perfect order, whatever the rounding of the ranks
        rho = math.copysign(1.0, rho)
    if n <= 3:
        return Estimate(rho, None, None, n)
    if abs(rho) == 1:
        return Estimate(rho, rho, rho, n)
    half = _z(confidence) * math.sqrt((1 + rho * rho / 2) / (n - 3))
    centre = math.atanh(rho)
    low, high = math.tanh(centre - half), math.tanh(centre + half)
    return Estimate(rho, min(low, rho), max(high, rho), n)


def holm(pvalues: Iterable) -> list[float | None]:
    """Holm's step-down adjustment of a family of p-values, in the input order: the i-th
    smallest of m becomes max over j ≤ i of min(1, (m − j + 1)·p₍ⱼ₎) (Holm 1979).
    Missing p-values (None, NaN) stay None and are not counted in m.

    The same numbers as statsmodels' multipletests(method="holm"), computed here because
    that function runs a full garbage collection on every call.

    >>> holm([0.01, 0.04, 0.03, None])
    [0.03, 0.06, 0.06, None]
    """
    values = [_number(p, f"pvalues[{i}]") for i, p in enumerate(pvalues)]
    for i, p in enumerate(values):
        if p is not None and not 0 <= p <= 1:
            raise ValueError(f"pvalues[{i}]: a p-value is 0–1, got {p!r}")
    present = sorted((p, i) for i, p in enumerate(values) if p is not None)
    m = len(present)
    adjusted: list[float | None] = [None] * len(values)
    running = 0.0
    for rank, (p, i) in enumerate(present):
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[i] = running
    return adjusted
