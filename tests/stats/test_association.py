"""Tests for seire.stats.association: Spearman's rank correlation and Holm's adjustment."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seire.stats import Estimate, holm, spearman_interval

FAST = settings(max_examples=60, deadline=None)
Z95 = 1.959964


def average_ranks(values):
    ordered = sorted(values)
    return [sum(i + 1 for i, o in enumerate(ordered) if o == v) / ordered.count(v) for v in values]


def pearson(x, y):
    mx, my = sum(x) / len(x), sum(y) / len(y)
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True))
    return sxy / math.sqrt(sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))


def test_it_gives_the_rank_correlation_with_the_bonett_wright_interval():
    # Satisfaction drivers: a 1–5 question against overall satisfaction, with ties.
    x = [5, 4, 4, 3, 5, 2, 1, 4, 3, 5, 2, 3, 4, 5, 1, 2, 3, 4, 5, 3, None]
    y = [5, 5, 4, 3, 4, 2, 2, 3, 3, 5, 1, 4, 4, 5, 2, 3, 2, 5, 4, 3, 5]
    complete_x, complete_y = x[:-1], y[:-1]
    rho = pearson(average_ranks(complete_x), average_ranks(complete_y))
    n = 20
    se = math.sqrt((1 + rho**2 / 2) / (n - 3))  # Bonett & Wright (2000)
    result = spearman_interval(x, y)
    assert result.n == n
    assert result.value == pytest.approx(rho)
    assert result.low == pytest.approx(math.tanh(math.atanh(rho) - Z95 * se), abs=1e-6)
    assert result.high == pytest.approx(math.tanh(math.atanh(rho) + Z95 * se), abs=1e-6)


def test_it_says_what_it_can_about_few_or_constant_pairs():
    assert spearman_interval([], []) == Estimate(None, None, None, 0)
    assert spearman_interval([1, 2, 3, 4], [2, 2, 2, 2]) == Estimate(None, None, None, 4)
    assert spearman_interval([1, 2, 3], [1, 3, 2]) == Estimate(0.5, None, None, 3)
    assert spearman_interval([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]) == Estimate(-1.0, -1.0, -1.0, 5)


def test_it_adjusts_p_values_by_holms_step_down():
    # By hand: sorted 0.01, 0.03, 0.04 → ×3, ×2, ×1 = 0.03, 0.06, 0.04 → running max 0.06.
    assert holm([0.04, 0.01, 0.03]) == pytest.approx([0.06, 0.03, 0.06])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(
    "pvalues",
    [[0.001, 0.2, 0.013, 0.04, 0.04, 0.9], [0.5], [0.01, 0.02, 0.03, 0.04, 0.05], [0.0, 1.0]],
)
def test_it_agrees_with_statsmodels_multipletests(pvalues):
    from statsmodels.stats.multitest import multipletests

    expected = multipletests(pvalues, method="holm")[1]
    assert holm(pvalues) == pytest.approx(list(expected))


def test_it_leaves_missing_p_values_out_of_the_family():
    assert holm([None, 0.02, math.nan, 0.04]) == pytest.approx([None, 0.04, None, 0.04])
    assert holm([]) == []
    assert holm([None]) == [None]


def test_it_refuses_a_p_value_outside_zero_to_one():
    with pytest.raises(ValueError, match=r"pvalues\[1\]"):
        holm([0.1, 1.5])


@FAST
@given(st.lists(st.floats(min_value=0, max_value=1), max_size=20))
def test_holm_never_lowers_a_p_value_and_keeps_their_order(pvalues):
    adjusted = holm(pvalues)
    for p, q in zip(pvalues, adjusted, strict=True):
        assert p <= q + 1e-12 and q <= 1
        assert q <= min(1.0, len(pvalues) * p) + 1e-12  # never worse than Bonferroni
    for i in range(len(pvalues)):
        for j in range(len(pvalues)):
            if pvalues[i] < pvalues[j]:
                assert adjusted[i] <= adjusted[j] + 1e-12


pairs = st.lists(
    st.tuples(st.integers(min_value=1, max_value=5), st.integers(min_value=1, max_value=5)),
    max_size=40,
)


@FAST
@given(pairs)
def test_a_rank_correlation_lies_in_its_interval_and_flips_with_reversed_order(rows):
    x, y = [a for a, _ in rows], [b for _, b in rows]
    result, reversed_ = spearman_interval(x, y), spearman_interval(x, [6 - b for b in y])
    if result.value is None:
        assert reversed_.value is None
        return
    assert -1 <= result.value <= 1
    assert reversed_.value == pytest.approx(-result.value)
    if result.low is not None:
        assert -1 <= result.low <= result.value <= result.high <= 1
        assert reversed_.low == pytest.approx(-result.high)
