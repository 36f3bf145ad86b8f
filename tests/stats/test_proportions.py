"""Tests for seire.stats.proportions: Wilson, top-box shares, NPS and two proportions."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seire.stats import Estimate, nps, top_box_share, two_proportion_test, wilson_interval

FAST = settings(max_examples=60, deadline=None)
Z95 = 1.959963984540054  # the 0.975 normal quantile, as printed in normal tables


# Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison
# of seven methods. Stat Med 17:857–872, Table I, method 3 (score, no continuity correction).
NEWCOMBE_1998_TABLE_I = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]

# Newcombe RG (1998). Interval estimation for the difference between independent
# proportions: comparison of eleven methods. Stat Med 17:873–890, Table II, method 10
# (hybrid score, no continuity correction), examples (a)–(h).
NEWCOMBE_1998_TABLE_II = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize(("x", "n", "low", "high"), NEWCOMBE_1998_TABLE_I)
def test_it_matches_newcombes_wilson_intervals(x, n, low, high):
    assert [round(v, 4) for v in wilson_interval(x, n)] == [low, high]


@pytest.mark.parametrize(("x1", "n1", "x2", "n2", "low", "high"), NEWCOMBE_1998_TABLE_II)
def test_it_matches_newcombes_difference_intervals(x1, n1, x2, n2, low, high):
    test = two_proportion_test(x1, n1, x2, n2)
    assert test.difference == pytest.approx(x1 / n1 - x2 / n2)
    assert round(test.low, 4) == low
    assert round(test.high, 4) == high


def test_it_matches_fagerland_for_the_hybrid_score_interval():
    # Fagerland, Lydersen & Laake (2015), Stat Methods Med Res 24:224–254: 7/34 vs 1/34,
    # Newcombe hybrid score interval 0.019 to 0.340.
    test = two_proportion_test(7, 34, 1, 34)
    assert (round(test.low, 3), round(test.high, 3)) == (0.019, 0.340)


def chi_square_p(x1, n1, x2, n2):
    """The Pearson chi-square p-value of a 2×2 table (1 df) by the textbook formula."""
    observed = [x1, n1 - x1, x2, n2 - x2]
    total, successes = n1 + n2, x1 + x2
    expected = [
        n1 * successes / total,
        n1 * (total - successes) / total,
        n2 * successes / total,
        n2 * (total - successes) / total,
    ]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))
    return math.erfc(math.sqrt(chi2 / 2))  # P(χ²₁ > chi2)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2"), [(56, 70, 48, 80), (9, 10, 3, 10), (7, 34, 1, 34), (30, 100, 30, 100)]
)
def test_its_p_value_is_the_chi_square_test_without_correction(x1, n1, x2, n2):
    assert two_proportion_test(x1, n1, x2, n2).p_value == pytest.approx(
        chi_square_p(x1, n1, x2, n2), rel=1e-9
    )


def test_it_says_two_samples_with_no_successes_do_not_differ():
    test = two_proportion_test(0, 10, 0, 20)
    assert test.difference == 0
    assert test.p_value == 1.0


def test_it_gives_no_difference_when_a_sample_is_empty():
    test = two_proportion_test(3, 10, 0, 0)
    assert (test.difference, test.low, test.high, test.p_value) == (None, None, None, None)
    assert (test.n1, test.n2) == (10, 0)


@pytest.mark.parametrize(("x", "n"), [(-1, 5), (6, 5), (0, -1)])
def test_it_refuses_impossible_counts(x, n):
    with pytest.raises(ValueError, match="0 ≤ x ≤ n"):
        two_proportion_test(x, n, 1, 5)


# -- top-box share ------------------------------------------------------------------------


def test_it_gives_the_top_box_share_as_a_percentage_with_the_wilson_interval():
    # 81 of 263 in the top box: Newcombe's first example, scaled to percent.
    scores = [5] * 40 + [4] * 41 + [3] * 100 + [1] * 82 + [None] * 7 + [math.nan]
    share = top_box_share(scores)
    assert share.n == 263
    assert share.value == pytest.approx(100 * 81 / 263)
    assert (round(share.low, 2), round(share.high, 2)) == (25.53, 36.62)


def test_it_reads_other_top_boxes_and_decimal_like_scores():
    from decimal import Decimal

    share = top_box_share([Decimal(6), 7.0, 5, 1], top=(6, 7))
    assert share.value == 50.0
    assert share.n == 4


def test_it_says_nothing_about_no_scores():
    assert top_box_share([]) == Estimate(None, None, None, 0)
    assert top_box_share([None, math.nan]) == Estimate(None, None, None, 0)


def test_it_names_a_score_that_is_not_a_number():
    with pytest.raises(ValueError, match=r"scores\[1\]"):
        top_box_share([4, "five"])


# -- NPS ----------------------------------------------------------------------------------


def test_it_computes_nps_and_its_multinomial_interval_by_the_textbook_formula():
    scores = [10] * 30 + [9] * 20 + [8] * 15 + [7] * 10 + [5] * 15 + [0] * 10
    result = nps(scores)
    n, pro, det = 100, 0.50, 0.25
    variance = (pro + det - (pro - det) ** 2) / n
    assert result.value == pytest.approx(25.0)
    assert result.low == pytest.approx(25 - Z95 * 100 * math.sqrt(variance))
    assert result.high == pytest.approx(25 + Z95 * 100 * math.sqrt(variance))
    assert result.n == 100


def test_it_agrees_with_a_simulation_of_the_nps_spread():
    # The interval's half-width over z is the standard deviation of simulated NPS values.
    import numpy as np

    rng = np.random.default_rng(20261126)
    draws = rng.multinomial(80, [0.45, 0.35, 0.20], size=40_000)
    simulated = 100 * (draws[:, 0] - draws[:, 2]) / 80
    result = nps([10] * 36 + [8] * 28 + [3] * 16)
    assert (result.high - result.value) / Z95 == pytest.approx(simulated.std(), rel=0.02)


def test_it_clips_nps_to_its_range_and_gives_no_interval_for_one_answer():
    assert nps([10, 10, 10]) == Estimate(100.0, 100.0, 100.0, 3)
    assert nps([0]) == Estimate(-100.0, None, None, 1)
    result = nps([10] * 9 + [0])
    assert result.high == 100.0


def test_it_refuses_nps_scores_outside_zero_to_ten():
    with pytest.raises(ValueError, match="0–10, got 11"):
        nps([10, 11])


def test_it_says_nothing_about_an_empty_nps():
    assert nps([None]) == Estimate(None, None, None, 0)


# -- properties ---------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=60)


@FAST
@given(st.integers(min_value=1, max_value=400), st.data())
def test_wilson_bounds_rise_with_successes(n, data):
    x = data.draw(st.integers(min_value=0, max_value=n - 1))
    low, high = wilson_interval(x, n)
    next_low, next_high = wilson_interval(x + 1, n)
    assert 0 <= low <= x / n <= high <= 1
    assert next_low >= low and next_high >= high


@FAST
@given(counts, counts, counts)
def test_nps_of_swapped_promoters_and_detractors_is_mirrored(pro, passive, det):
    scores = [10] * pro + [8] * passive + [0] * det
    swapped = [0] * pro + [8] * passive + [10] * det
    a, b = nps(scores), nps(swapped)
    if a.n == 0:
        assert a == b == Estimate(None, None, None, 0)
        return
    assert b.value == pytest.approx(-a.value)
    assert -100 <= a.value <= 100
    if a.n > 1:
        assert a.low <= a.value <= a.high
        assert b.low == pytest.approx(-a.high) and b.high == pytest.approx(-a.low)


@FAST
@given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=5)), max_size=80))
def test_top_box_share_lies_in_its_interval(scores):
    share = top_box_share(scores)
    assert share.n == sum(1 for s in scores if s is not None)
    if share.n:
        assert 0 <= share.low <= share.value <= share.high <= 100


@FAST
@given(counts, counts, counts, counts)
def test_swapping_the_samples_flips_the_difference(a, b, c, d):
    x1, n1, x2, n2 = min(a, b), max(a, b), min(c, d), max(c, d)
    forward, backward = two_proportion_test(x1, n1, x2, n2), two_proportion_test(x2, n2, x1, n1)
    if n1 == 0 or n2 == 0:
        assert forward.difference is None
        return
    assert backward.difference == pytest.approx(-forward.difference)
    assert backward.low == pytest.approx(-forward.high)
    assert backward.high == pytest.approx(-forward.low)
    assert backward.p_value == pytest.approx(forward.p_value)
    assert -1 <= forward.low <= forward.difference <= forward.high <= 1
    assert 0 <= forward.p_value <= 1
