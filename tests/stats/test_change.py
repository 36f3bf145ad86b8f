"""Tests for seire.stats.change: paired change with d_z and tests, reliable change."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from seire.stats import (
    Estimate,
    paired_change,
    reliable_change,
    reliable_change_summary,
)

FAST = settings(max_examples=40, deadline=None)
T_975_9 = 2.262157  # Student t, 9 df, two-sided 95 % (printed t tables)

BEFORE = [12, 15, 9, 20, 14, 11, 17, 13, 10, 16]
AFTER = [15, 16, 14, 21, 13, 18, 19, 18, 12, 20]  # differences 3 1 5 1 −1 7 2 5 2 4


def test_it_gives_the_mean_change_with_its_t_interval():
    differences = [b - a for a, b in zip(BEFORE, AFTER, strict=True)]
    mean = sum(differences) / 10
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / 9)
    change = paired_change(BEFORE, AFTER)
    assert change.n == 10
    assert change.mean_difference.value == pytest.approx(2.9)
    assert change.mean_difference.low == pytest.approx(
        mean - T_975_9 * sd / math.sqrt(10), abs=1e-5
    )
    assert change.mean_difference.high == pytest.approx(
        mean + T_975_9 * sd / math.sqrt(10), abs=1e-5
    )
    assert change.d_z.value == pytest.approx(mean / sd)


def test_its_t_test_agrees_with_the_t_table():
    # t = d̄/(s/√n); with 9 df, |t| = 2.262157 is exactly p = 0.05, so scale the data to hit it.
    differences = [b - a for a, b in zip(BEFORE, AFTER, strict=True)]
    mean = sum(differences) / 10
    sd = math.sqrt(sum((d - mean) ** 2 for d in differences) / 9)
    shift = T_975_9 * sd / math.sqrt(10) - mean  # makes the mean sit on the critical value
    change = paired_change([0] * 10, [d + shift for d in differences])
    assert change.t_test_p == pytest.approx(0.05, abs=1e-6)


def wilcoxon_by_enumeration(differences):
    """Two-sided exact signed-rank p-value: every sign pattern of the average ranks."""
    nonzero = [d for d in differences if d != 0]
    magnitudes = sorted(abs(d) for d in nonzero)
    ranks = {}
    for value in set(magnitudes):
        positions = [i + 1 for i, m in enumerate(magnitudes) if m == value]
        ranks[value] = sum(positions) / len(positions)
    r = [ranks[abs(d)] for d in nonzero]
    observed = sum(rank for rank, d in zip(r, nonzero, strict=True) if d > 0)
    totals = [
        sum(rank for rank, s in zip(r, signs, strict=True) if s)
        for signs in itertools.product((False, True), repeat=len(r))
    ]
    below = sum(1 for t in totals if t <= observed + 1e-9) / len(totals)
    above = sum(1 for t in totals if t >= observed - 1e-9) / len(totals)
    return min(1.0, 2 * min(below, above))


@pytest.mark.parametrize(
    "differences",
    [
        [3, 1, 5, 1, -1, 7, 2, 5, 2, 4],  # ties and a zero-free sample
        [0.5, -1.5, 2.5, 3.5, 4.5, -6.5, 7.5, 8.5],  # no ties: the exact distribution
        [1, 0, 2, 0, -3, 4, 4, 5, -1],  # zeros are dropped, ties remain
        [-2, -3, -1, -4, -5, -6, -7, -8, -9, -10, -11, -12],
        [1, 1, 2, 2, 3, 3, -1, 4, 4, 5, -5, 6, 6, -7],  # 14 with ties: still exact
    ],
)
def test_its_wilcoxon_p_value_is_the_exact_signed_rank_distribution(differences):
    change = paired_change([0] * len(differences), differences)
    assert change.wilcoxon_p == pytest.approx(wilcoxon_by_enumeration(differences), abs=1e-9)


def test_its_wilcoxon_p_value_for_many_pairs_is_the_tie_corrected_normal_approximation():
    # More than 50 non-zero differences: scipy's asymptotic test is the reference.
    rng = np.random.default_rng(2026)
    differences = [int(d) for d in rng.integers(-3, 6, 90)]
    nonzero = [d for d in differences if d]
    expected = scipy_stats.wilcoxon(nonzero, method="asymptotic").pvalue
    change = paired_change([0] * 90, differences)
    assert change.wilcoxon_p == pytest.approx(expected, rel=1e-9)


def test_its_exact_wilcoxon_agrees_with_scipy_without_ties():
    rng = np.random.default_rng(5)
    differences = list(rng.normal(0.3, 1, 30))
    expected = scipy_stats.wilcoxon(differences, method="exact").pvalue
    change = paired_change([0] * 30, differences)
    assert change.wilcoxon_p == pytest.approx(expected, rel=1e-9)


def noncentral_t_cdf_by_simulation(t, df, ncp, rng, size=400_000):
    z = rng.standard_normal(size)
    v = rng.chisquare(df, size)
    return float(np.mean((z + ncp) / np.sqrt(v / df) <= t))


@pytest.mark.parametrize(("n", "d_z"), [(10, 0.6), (5, -1.2), (30, 0.25), (4, 5000.0)])
def test_its_d_z_interval_inverts_the_noncentral_t(n, d_z):
    # Independent check by simulation: at the lower bound λ = low·√n, an observed
    # t = d_z·√n is at the 97.5th percentile; at the upper bound, at the 2.5th.
    rng = np.random.default_rng(1991)
    before = [0.0] * n
    base = rng.standard_normal(n)
    base = (base - base.mean()) / base.std(ddof=1)  # mean 0, sd 1 exactly
    change = paired_change(before, list(base + d_z))
    assert change.d_z.value == pytest.approx(d_z)
    t = d_z * math.sqrt(n)
    low, high = change.d_z.low * math.sqrt(n), change.d_z.high * math.sqrt(n)
    assert noncentral_t_cdf_by_simulation(t, n - 1, low, rng) == pytest.approx(0.975, abs=0.002)
    assert noncentral_t_cdf_by_simulation(t, n - 1, high, rng) == pytest.approx(0.025, abs=0.002)


def test_its_d_z_interval_covers_the_true_effect_95_times_in_100():
    # Brute force: 400 samples of 8 pairs with true d_z = 0.5; the binomial SE of the
    # coverage is 1.1 percentage points, so 92–98 % is a band of about ±3 SE.
    rng = np.random.default_rng(1997)
    covered = 0
    for _ in range(400):
        differences = rng.normal(0.5, 1.0, 8)
        d_z = paired_change([0.0] * 8, list(differences)).d_z
        covered += d_z.low <= 0.5 <= d_z.high
    assert 0.92 <= covered / 400 <= 0.98


def test_its_d_z_interval_approaches_the_normal_approximation_for_many_pairs():
    n, d_z = 400, 0.5
    rng = np.random.default_rng(7)
    base = rng.standard_normal(n)
    base = (base - base.mean()) / base.std(ddof=1)
    change = paired_change([0.0] * n, list(base + d_z))
    half = 1.959964 * math.sqrt(1 / n + d_z**2 / (2 * n))
    assert change.d_z.low == pytest.approx(d_z - half, abs=0.005)
    assert change.d_z.high == pytest.approx(d_z + half, abs=0.005)


def test_it_gives_a_d_z_interval_for_almost_identical_differences():
    # s_d is tiny, so t is in the millions, where scipy's noncentral t gives up.
    change = paired_change([0, 0, 0, 0], [1, 1, 1, 1.0000001])
    assert 0 < change.d_z.low < change.d_z.value < change.d_z.high


def test_it_drops_pairs_with_a_missing_side():
    change = paired_change([1, None, 3, 4, math.nan], [2, 5, None, 6, 1])
    assert change.n == 2
    assert change.mean_difference.value == 1.5


def test_it_says_what_it_can_about_tiny_samples():
    empty = paired_change([], [])
    assert empty.n == 0
    assert empty.mean_difference == empty.d_z == Estimate(None, None, None, 0)
    assert empty.t_test_p is None and empty.wilcoxon_p is None
    one = paired_change([3], [5])
    assert one.mean_difference == Estimate(2.0, None, None, 1)
    assert one.d_z == Estimate(None, None, None, 1)
    assert one.t_test_p is None and one.wilcoxon_p is None
    same = paired_change([1, 2, 3], [3, 4, 5])
    assert same.mean_difference == Estimate(2.0, 2.0, 2.0, 3)
    assert same.d_z.value is None and same.t_test_p is None
    assert paired_change([1, 2], [1, 2]).wilcoxon_p is None


def test_it_refuses_unequal_lengths():
    with pytest.raises(ValueError, match="equally long, got 2 and 3"):
        paired_change([1, 2], [1, 2, 3])


# -- reliable change ----------------------------------------------------------------------


def test_it_classifies_by_the_jacobson_truax_index():
    # Jacobson & Truax (1991): S_diff = √(2·SE²), SE = s₁·√(1 − r_xx); |RC| > 1.96 is reliable.
    sd, r = 7.5, 0.80
    s_diff = math.sqrt(2 * (sd * math.sqrt(1 - r)) ** 2)
    threshold = 1.96 * s_diff  # ≈ 9.30 points
    before = [50, 50, 50, 50, 50, 50]
    after = [50 + threshold + 0.01, 50 + threshold - 0.01, 50, 50 - threshold + 0.01]
    after += [50 - threshold - 0.01, 80]
    assert reliable_change(before, after, sd=sd, reliability=r) == [
        "improved",
        "unchanged",
        "unchanged",
        "unchanged",
        "deteriorated",
        "improved",
    ]


def test_it_reverses_the_classes_when_lower_is_better():
    classes = reliable_change([20, 20], [5, 35], sd=5, reliability=0.8, higher_is_better=False)
    assert classes == ["improved", "deteriorated"]


def test_it_keeps_the_place_of_a_pair_with_a_missing_side():
    assert reliable_change([10, None, 10], [30, 10, 10], sd=5, reliability=0.8) == [
        "improved",
        None,
        "unchanged",
    ]


@pytest.mark.parametrize(
    ("sd", "reliability", "message"),
    [(0, 0.8, "sd must be"), (-1, 0.8, "sd must be"), (5, 1.0, "reliability"), (5, -0.1, "rel")],
)
def test_it_refuses_a_criterion_that_cannot_be_computed(sd, reliability, message):
    with pytest.raises(ValueError, match=message):
        reliable_change([1], [2], sd=sd, reliability=reliability)


def test_it_summarises_the_classes_with_wilson_intervals():
    classes = ["improved"] * 81 + ["unchanged"] * 150 + ["deteriorated"] * 32 + [None] * 4
    summary = reliable_change_summary(classes)
    assert list(summary) == ["improved", "unchanged", "deteriorated"]
    improved = summary["improved"]
    assert improved.n == 263
    assert (round(improved.low, 2), round(improved.high, 2)) == (25.53, 36.62)  # Newcombe
    assert reliable_change_summary([])["improved"] == Estimate(None, None, None, 0)
    with pytest.raises(ValueError, match="unknown reliable-change class"):
        reliable_change_summary(["better"])


# -- properties ---------------------------------------------------------------------------

scores = st.integers(min_value=0, max_value=100)
paired = st.lists(st.tuples(scores, scores), min_size=0, max_size=25)


@FAST
@given(paired)
def test_swapping_before_and_after_flips_the_change(rows):
    before, after = [a for a, _ in rows], [b for _, b in rows]
    forward, backward = paired_change(before, after), paired_change(after, before)
    assert forward.n == backward.n == len(rows)
    for one, other in (
        (forward.mean_difference, backward.mean_difference),
        (forward.d_z, backward.d_z),
    ):
        if one.value is None:
            assert other.value is None
            continue
        assert other.value == pytest.approx(-one.value)
        if one.low is not None:
            assert one.low <= one.value <= one.high
            assert other.low == pytest.approx(-one.high, abs=1e-6)
            assert other.high == pytest.approx(-one.low, abs=1e-6)
    assert backward.t_test_p == pytest.approx(forward.t_test_p)
    assert backward.wilcoxon_p == pytest.approx(forward.wilcoxon_p)


FLIP = {"improved": "deteriorated", "deteriorated": "improved", "unchanged": "unchanged"}


@FAST
@given(paired, st.floats(min_value=0.5, max_value=30), st.floats(min_value=0, max_value=0.99))
def test_swapping_before_and_after_flips_the_classes(rows, sd, reliability):
    before, after = [a for a, _ in rows], [b for _, b in rows]
    forward = reliable_change(before, after, sd=sd, reliability=reliability)
    backward = reliable_change(after, before, sd=sd, reliability=reliability)
    assert backward == [FLIP[c] for c in forward]
    assert reliable_change(before, after, sd, reliability, higher_is_better=False) == backward


@FAST
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        ),
        max_size=15,
    )
)
def test_any_finite_pairs_give_ordered_intervals(rows):
    change = paired_change([a for a, _ in rows], [b for _, b in rows])
    for estimate in (change.mean_difference, change.d_z):
        assert estimate.n == len(rows)
        if estimate.low is not None:
            assert math.isfinite(estimate.low) and math.isfinite(estimate.high)
            assert estimate.low <= estimate.value <= estimate.high
    for p in (change.t_test_p, change.wilcoxon_p):
        assert p is None or 0 <= p <= 1
