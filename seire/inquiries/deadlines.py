"""Due dates of inquiries: working days in Estonia and the term each legal basis sets.

Working days are Monday to Friday except the Estonian public holidays of the `holidays`
package (country EE) — the same calendar as `seire.metrics.calendar`, which this module
uses, so a metric and a due date never disagree about a day.
"""

from datetime import date, timedelta

from seire.metrics.calendar import is_working_day

# The term of each legal basis: ("working", n) or ("calendar", n) days after receipt.
#   information_request — Public Information Act (AvTS) § 18(1): at the latest within five
#       working days.
#   explanation_request — Response to Memoranda and Requests for Explanation Act (MSVS)
#       § 6(1): within 30 calendar days.
#   other — agreements and informal requests: 30 calendar days by the same practice.
TERMS = {
    "information_request": ("working", 5),
    "explanation_request": ("calendar", 30),
    "other": ("calendar", 30),
}


def add_working_days(start: date, n: int) -> date:
    """The `n`-th working day after `start` (day 1 is the first working day after it);
    `start` itself for n = 0. Raises ValueError for a negative `n`.

    >>> add_working_days(date(2026, 2, 20), 1)  # Friday → Monday 23 Feb
    datetime.date(2026, 2, 23)
    >>> add_working_days(date(2026, 2, 20), 2)  # 24 Feb is Independence Day
    datetime.date(2026, 2, 25)
    """
    if n < 0:
        raise ValueError(f"the number of working days must not be negative, not {n}")
    day = start
    while n:
        day += timedelta(days=1)
        n -= is_working_day(day)
    return day


def next_working_day(day: date) -> date:
    """`day` if it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(legal_basis: str, received: date) -> date:
    """The due date `legal_basis` implies for a request received on `received`.

    A term in calendar days whose last day falls on a weekend or a public holiday ends on
    the next working day (General Part of the Civil Code Act, TsÜS § 136(5)). Raises
    KeyError for an unknown basis.
    """
    kind, days = TERMS[legal_basis]
    if kind == "working":
        return add_working_days(received, days)
    return next_working_day(received + timedelta(days=days))
