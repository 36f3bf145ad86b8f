"""Change between two measurements of the same people: group change and reliable change."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.stats import chi2, nct, norm, rankdata
from scipy.stats import t as student_t

from seire.stats.estimate import Estimate, _number, check_confidence, pairs
from seire.stats.means import mean_sd, t_estimate
from seire.stats.proportions import _z, share

CLASSES = ("improved", "unchanged", "deteriorated")
EXACT_WILCOXON = 50  # up to this many non-zero differences the signed-rank p is exact
LARGE_T = 1000.0  # beyond this t the d_z interval uses the large-λ limit of the noncentral t
RCI_CRITERION = 1.96  # Jacobson & Truax 1991: |RCI| > 1.96 happens by chance 5 % of the time


@dataclass(frozen=True)
class PairedChange:
    """The change from `before` to `after` of n complete pairs (see `paired_change`)."""

    n: int
    mean_difference: Estimate
    d_z: Estimate
    t_test_p: float | None
    wilcoxon_p: float | None


def paired_change(before: Sequence, after: Sequence, confidence: float = 0.95) -> PairedChange:
    """The mean change after − before of paired measurements, its effect size and tests.

    * `mean_difference`: d̄ ± t(1 − α/2, n − 1)·s_d/√n, the t interval of the differences.
    * `d_z` = d̄ / s_d (Cohen's d for paired data). Its interval inverts the noncentral t
      distribution of t = d_z·√n with n − 1 df: the noncentrality λ with
      P(T ≤ t | λ) = 1 − α/2 and with P(T ≤ t | λ) = α/2 (scipy.stats.nct), each divided
      by √n (Steiger & Fouladi 1997; Cumming & Finch 2001). Beyond |t| = 1000 the large-λ
      limit T ≈ λ/√(χ²_df/df) is used; should a root not be found, the normal
      approximation se(d_z) = √(1/n + d_z²/(2n)).
    * `t_test_p`: the two-sided paired t test of d̄ = 0.
    * `wilcoxon_p`: the two-sided Wilcoxon signed-rank test; zero differences are dropped
      (Wilcoxon's method), ties get average ranks. Up to 50 non-zero differences the p-value
      is exact — 2·min(P(T⁺ ≤ t), P(T⁺ ≥ t)) over all 2ⁿ sign patterns of the ranks, ties
      included, by convolution; beyond, the normal approximation with tie correction and
      no continuity correction (as scipy.stats.wilcoxon's "asymptotic").

    Pairs with a missing side are dropped. With n = 0 everything is None; with n = 1 only
    the mean difference (no interval, no tests); when every difference is the same (s_d = 0) d_z and
    the t test p-value are None; the Wilcoxon p-value is None when no difference is non-zero.

    >>> change = paired_change([10, 12, 9, 14], [13, 15, 9, 18])
    >>> change.mean_difference.value, round(change.d_z.value, 3), change.n
    (2.5, 1.443, 4)
    """
    check_confidence(confidence)
    differences = [b - a for a, b in pairs(before, after)]
    n = len(differences)
    mean_difference = t_estimate(differences, confidence)
    if n < 2:
        return PairedChange(n, mean_difference, Estimate.nothing(n), None, None)
    mean, sd = mean_sd(differences)
    if sd == 0:
        return PairedChange(n, mean_difference, Estimate.nothing(n), None, _wilcoxon(differences))
    d_z = mean / sd
    t_test_p = float(2 * student_t.sf(abs(d_z * math.sqrt(n)), n - 1))
    low, high = _d_z_interval(d_z, n, confidence)
    return PairedChange(
        n, mean_difference, Estimate(d_z, low, high, n), t_test_p, _wilcoxon(differences)
    )


def _d_z_interval(d_z: float, n: int, confidence: float) -> tuple[float, float]:
    """The noncentral-t interval of d_z (normal approximation if a root is not found)."""
    df, observed, tail = n - 1, d_z * math.sqrt(n), (1 - confidence) / 2
    if abs(observed) > LARGE_T:
        # scipy's nct loses accuracy out here; as λ → ∞, T → λ/√(V/df) with V ~ χ²(df), so
        # the bounds are t·√(χ²(α/2, df)/df) and t·√(χ²(1 − α/2, df)/df).
        low, high = (d_z * math.sqrt(chi2.ppf(p, df) / df) for p in (tail, 1 - tail))
        return min(low, high, d_z), max(low, high, d_z)

    def ncp(probability: float) -> float:
        # P(T ≤ observed | λ) falls as λ grows: widen a bracket around `observed`, then solve.
        def gap(lam):
            return nct.cdf(observed, df, lam) - probability

        step = 2.0 + abs(observed)
        low, high = observed - step, observed + step
        for _ in range(60):
            if gap(low) > 0 and gap(high) < 0:
                return brentq(gap, low, high, xtol=1e-10)
            low, high = low - step, high + step
            step *= 2
        raise ValueError("no bracket")

    try:
        lower, upper = ncp(1 - tail) / math.sqrt(n), ncp(tail) / math.sqrt(n)
        if math.isfinite(lower) and math.isfinite(upper) and lower <= d_z <= upper:
            return lower, upper
    except (ValueError, RuntimeError, OverflowError):
        pass
    half = _z(confidence) * math.sqrt(1 / n + d_z * d_z / (2 * n))
    return d_z - half, d_z + half


def _wilcoxon(differences: list[float]) -> float | None:
    """The two-sided Wilcoxon signed-rank p-value (see `paired_change`)."""
    # Rounded so that differences equal in decimal arithmetic tie in floating point too.
    nonzero = np.array([d for d in (round(x, 9) for x in differences) if d != 0])
    n = len(nonzero)
    if n == 0:
        return None
    doubled = np.rint(2 * rankdata(np.abs(nonzero))).astype(int)  # average ranks × 2
    observed = int(doubled[nonzero > 0].sum())
    if n <= EXACT_WILCOXON:
        # The null distribution of 2·T⁺: each rank's sign is + or − with probability ½.
        null = np.zeros(int(doubled.sum()) + 1)
        null[0] = 1.0
        for r in doubled:  # r ≥ 2: the smallest rank is 1
            shifted = np.zeros_like(null)
            shifted[r:] = null[:-r]
            null = (null + shifted) / 2
        p = 2 * min(null[: observed + 1].sum(), null[observed:].sum())
        return float(min(1.0, p))
    _, ties = np.unique(doubled, return_counts=True)
    mean = n * (n + 1) / 4
    variance = n * (n + 1) * (2 * n + 1) / 24 - float((ties**3 - ties).sum()) / 48
    return float(2 * norm.sf(abs(observed / 2 - mean) / math.sqrt(variance)))


def reliable_change(
    before: Sequence,
    after: Sequence,
    sd: float,
    reliability: float,
    higher_is_better: bool = True,
) -> list[str | None]:
    """The reliable-change class of each pair, by the Jacobson & Truax (1991) index.

    SE = sd·√(1 − reliability); S_diff = √2·SE; RCI = (after − before)/S_diff.
    RCI > 1.96 is reliable change upwards, RCI < −1.96 downwards; upwards is "improved"
    when `higher_is_better`, else "deteriorated"; anything in between is "unchanged".
    `sd` is the standard deviation of the measure (a norm group's or the intake scores'),
    `reliability` its test–retest or internal-consistency reliability, 0 ≤ r < 1.
    A pair with a missing side gets None, so the list lines up with the input.

    >>> reliable_change([10, 10, 10], [20, 12, 0], sd=5, reliability=0.8)
    ['improved', 'unchanged', 'deteriorated']
    """
    checked_sd = _number(sd, "sd")
    if checked_sd is None or checked_sd <= 0:
        raise ValueError(f"sd must be a positive number, got {sd!r}")
    checked_r = _number(reliability, "reliability")
    if checked_r is None or not 0 <= checked_r < 1:
        raise ValueError(f"reliability must be at least 0 and below 1, got {reliability!r}")
    before, after = list(before), list(after)
    if len(before) != len(after):
        raise ValueError(
            f"before and after must be equally long, got {len(before)} and {len(after)}"
        )
    s_diff = checked_sd * math.sqrt(2) * math.sqrt(1 - checked_r)
    up, down = ("improved", "deteriorated") if higher_is_better else ("deteriorated", "improved")
    classes: list[str | None] = []
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        x, y = _number(a, f"before[{i}]"), _number(b, f"after[{i}]")
        if x is None or y is None:
            classes.append(None)
            continue
        rci = (y - x) / s_diff
        classes.append(up if rci > RCI_CRITERION else down if rci < -RCI_CRITERION else CLASSES[1])
    return classes


def reliable_change_summary(
    classes: Iterable[str | None], confidence: float = 0.95
) -> dict[str, Estimate]:
    """The percentage (0–100, Wilson interval) of pairs in each reliable-change class, in
    the order improved, unchanged, deteriorated; None entries are not counted.

    >>> reliable_change_summary(["improved", "unchanged", None])["improved"].value
    50.0
    """
    counted = [c for c in classes if c is not None]
    for c in counted:
        if c not in CLASSES:
            raise ValueError(f"unknown reliable-change class {c!r}; expected one of {CLASSES}")
    return {name: share(counted.count(name), len(counted), confidence) for name in CLASSES}
