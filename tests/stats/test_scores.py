"""Tests for seire.stats.scores: the WHO-5 Well-Being Index."""

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seire.stats import who5_score


@pytest.mark.parametrize(
    ("items", "score"),
    [
        # WHO-5 scoring guidance: raw score 0–25 (five items 0–5) multiplied by 4.
        ([5, 5, 5, 5, 5], 100),
        ([0, 0, 0, 0, 0], 0),
        ([3, 3, 2, 4, 1], 52),  # raw 13: the guidance's line for poor wellbeing
        ([2, 3, 2, 3, 2], 48),  # raw 12: below it
        ([1, 1, 2, 1, 2], 28),  # raw 7: at the depression screening line (Topp et al. 2015)
        ((4.0, 4, Decimal(4), 4, 4), 80),  # answers read from JSON or a database
    ],
)
def test_it_scores_who5_as_four_times_the_raw_sum(items, score):
    assert who5_score(items) == score


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([5, 5, 5, 5], "5 items, got 4"),
        ([5, 5, 5, 5, 5, 5], "5 items, got 6"),
        ([5, None, 5, 5, 5], "item 2 is missing"),
        ([5, 5, math.nan, 5, 5], "item 3 is missing"),
        ([5, 5, 5, 6, 5], "item 4 must be an integer 0–5, got 6"),
        ([-1, 5, 5, 5, 5], "item 1 must be an integer 0–5"),
        ([5, 5, 5, 5, 2.5], "item 5 must be an integer 0–5, got 2.5"),
        ([5, "4", 5, 5, 5], "item 2 must be an integer 0–5"),
        ([5, True, 5, 5, 5], "item 2 must be an integer 0–5"),
        (None, "list of 5 item answers"),
        ("55555", "list of 5 item answers"),
    ],
)
def test_it_refuses_what_is_not_a_who5_answer_set(items, message):
    with pytest.raises(ValueError, match=message):
        who5_score(items)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), min_size=5, max_size=5))
def test_who5_is_a_multiple_of_four_from_0_to_100_rising_with_each_item(items):
    score = who5_score(items)
    assert 0 <= score <= 100 and score % 4 == 0
    for i, answer in enumerate(items):
        if answer < 5:
            higher = items[:i] + [answer + 1] + items[i + 1 :]
            assert who5_score(higher) == score + 4
