"""Due dates across Estonian public holidays and weekends, on named dates (worked out on a
calendar: 24 Feb 2026 is a Tuesday, Midsummer 23–24 June 2026 Tuesday–Wednesday, Christmas
24–25 Dec 2026 Thursday–Friday, Good Friday 3 April 2026, New Year 1 Jan 2026 a Thursday)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seire.inquiries.deadlines import add_working_days, due_date
from seire.metrics.calendar import working_days_between


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2026, 2, 20), 1, date(2026, 2, 23)),  # Friday → Monday
        (date(2026, 2, 23), 1, date(2026, 2, 25)),  # over Independence Day (Tue 24 Feb)
        (date(2026, 2, 20), 5, date(2026, 3, 2)),  # 23, 25, 26, 27 Feb, 2 Mar
        (date(2026, 6, 22), 5, date(2026, 7, 1)),  # Victory Day and Midsummer off
        (date(2026, 6, 22), 1, date(2026, 6, 25)),
        (date(2026, 12, 23), 5, date(2027, 1, 4)),  # Christmas, New Year and two weekends
        (date(2026, 12, 23), 1, date(2026, 12, 28)),
        (date(2026, 4, 2), 1, date(2026, 4, 6)),  # Good Friday off; Easter Monday is not
        (date(2026, 4, 1), 5, date(2026, 4, 9)),
        (date(2025, 12, 31), 1, date(2026, 1, 2)),  # New Year's Day off
        (date(2026, 3, 6), 5, date(2026, 3, 13)),  # a plain week across a weekend
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # received on a Saturday
        (date(2026, 3, 7), 0, date(2026, 3, 7)),
    ],
)
def test_it_counts_working_days_after_the_start(start, n, expected):
    assert add_working_days(start, n) == expected


def test_it_refuses_a_negative_number_of_days():
    with pytest.raises(ValueError, match="negative"):
        add_working_days(date(2026, 3, 2), -1)


@pytest.mark.parametrize(
    ("basis", "received", "expected"),
    [
        # a request for information: 5 working days
        ("information_request", date(2026, 2, 20), date(2026, 3, 2)),
        ("information_request", date(2026, 12, 23), date(2027, 1, 4)),
        # a request for explanation: 30 calendar days, moved off a weekend or a holiday
        ("explanation_request", date(2026, 3, 10), date(2026, 4, 9)),  # a Thursday
        ("explanation_request", date(2026, 11, 25), date(2026, 12, 28)),  # 25 Dec → Mon 28
        ("explanation_request", date(2026, 5, 25), date(2026, 6, 25)),  # Midsummer → 25 June
        ("explanation_request", date(2026, 1, 25), date(2026, 2, 25)),  # 24 Feb → 25 Feb
        ("other", date(2026, 3, 4), date(2026, 4, 6)),  # Fri 3 Apr (Good Friday), weekend
    ],
)
def test_each_legal_basis_implies_its_due_date(basis, received, expected):
    assert due_date(basis, received) == expected


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=0, max_value=40),
)
def test_it_agrees_with_the_metrics_calendar(start, n):
    due = add_working_days(start, n)
    assert working_days_between(start, due) == n
    assert n == 0 or working_days_between(start, due - timedelta(days=1)) == n - 1
