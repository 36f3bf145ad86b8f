"""Tests for seire.stats.means: mean intervals, Cohen's d and difference in differences."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from seire.stats import (
    Estimate,
    difference_in_differences,
    mean_interval,
    standardised_difference,
)

FAST = settings(max_examples=60, deadline=None)
T_975_9 = 2.262157  # Student t, 9 df, two-sided 95 % (printed t tables)
T_975_4 = 2.776445  # 4 df
Z95 = 1.959964


def test_it_gives_the_t_interval_of_a_mean():
    values = [3, 5, 4, 6, 7, 5, 4, 6, 5, 8]
    mean = sum(values) / 10
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / 9)
    result = mean_interval(values + [None, math.nan])
    assert result.n == 10
    assert result.value == pytest.approx(5.3)
    assert result.low == pytest.approx(mean - T_975_9 * sd / math.sqrt(10), abs=1e-5)
    assert result.high == pytest.approx(mean + T_975_9 * sd / math.sqrt(10), abs=1e-5)


def test_it_gives_a_lone_value_without_an_interval():
    assert mean_interval([]) == Estimate(None, None, None, 0)
    assert mean_interval([4]) == Estimate(4.0, None, None, 1)
    assert mean_interval([4, 4, 4]) == Estimate(4.0, 4.0, 4.0, 3)


def test_it_names_a_value_that_is_not_finite():
    with pytest.raises(ValueError, match=r"values\[2\].*not a finite number"):
        mean_interval([1, 2, math.inf])


def test_it_gives_cohens_d_with_the_pooled_sd():
    a, b = [10, 12, 14, 16, 18], [8, 9, 10, 11, 12]
    # s_a² = 10, s_b² = 2.5; pooled s² = (4·10 + 4·2.5)/8 = 6.25 → s_p = 2.5; d = 4/2.5.
    result = standardised_difference(a, b)
    assert result.value == pytest.approx(1.6)
    se = math.sqrt(10 / 25 + 1.6**2 / 20)  # Hedges & Olkin (1985) large-sample variance
    assert result.low == pytest.approx(1.6 - Z95 * se, abs=1e-5)
    assert result.high == pytest.approx(1.6 + Z95 * se, abs=1e-5)
    assert result.n == 10


def test_it_says_nothing_about_d_without_two_groups_or_spread():
    assert standardised_difference([], [1, 2]) == Estimate(None, None, None, 2)
    assert standardised_difference([1], [2]) == Estimate(None, None, None, 2)
    assert standardised_difference([3, 3], [3, 3]) == Estimate(None, None, None, 4)


def test_it_matches_welchs_interval_for_a_difference_in_differences():
    treated_before, treated_after = [10, 12, 9, 14, 11], [15, 16, 12, 20, 13]
    comparison_before = [11, 10, 13, 12, 9, 10]
    comparison_after = [12, 10, 15, 12, 11, 9]
    result = difference_in_differences(
        treated_before, treated_after, comparison_before, comparison_after
    )
    treated = [b - a for a, b in zip(treated_before, treated_after, strict=True)]
    comparison = [b - a for a, b in zip(comparison_before, comparison_after, strict=True)]
    # An independent implementation: scipy's Welch test on the change scores.
    welch = scipy_stats.ttest_ind(treated, comparison, equal_var=False).confidence_interval()
    assert result.value == pytest.approx(4.0 - 4 / 6)
    assert (result.low, result.high) == pytest.approx((welch.low, welch.high))
    assert result.n == 11


def test_it_gives_a_difference_in_differences_only_where_it_can():
    assert difference_in_differences([], [], [1], [2]) == Estimate(None, None, None, 1)
    assert difference_in_differences([1], [3], [1, 2], [1, 2]) == Estimate(2.0, None, None, 3)


# -- properties ---------------------------------------------------------------------------

values = st.lists(st.integers(min_value=-1000, max_value=1000), max_size=40)


@FAST
@given(values)
def test_a_mean_lies_in_its_interval_and_mirrors(sample):
    result, mirrored = mean_interval(sample), mean_interval([-v for v in sample])
    assert result.n == len(sample)
    if len(sample) >= 2:
        assert result.low <= result.value <= result.high
        assert mirrored.low == pytest.approx(-result.high)


@FAST
@given(values, values)
def test_swapping_the_groups_flips_d(a, b):
    forward, backward = standardised_difference(a, b), standardised_difference(b, a)
    if forward.value is None:
        assert backward.value is None
        return
    assert backward.value == pytest.approx(-forward.value)
    assert forward.low <= forward.value <= forward.high
    assert backward.low == pytest.approx(-forward.high)
