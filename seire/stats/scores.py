"""Scores of standard instruments."""

import math
from collections.abc import Sequence

WHO5_ITEMS = 5
WHO5_POOR_WELLBEING = 50  # a score at or below this suggests poor wellbeing
WHO5_LIKELY_DEPRESSION = 28  # at or below this, screen for depression (Topp et al. 2015)


def who5_score(items: Sequence) -> int:
    """The WHO-5 Well-Being Index of five item answers, 0–100.

    Each item is an integer 0 (at no time) … 5 (all of the time); the raw score 0–25 is
    multiplied by 4 (WHO-5 scoring guidance; Topp et al. 2015). ValueError naming the item
    when there are not exactly five items or one is missing, not an integer or outside 0–5.

    >>> who5_score([3, 3, 2, 4, 1])
    52
    """
    if items is None or isinstance(items, str | bytes):
        raise ValueError(f"WHO-5 needs a list of {WHO5_ITEMS} item answers, got {items!r}")
    items = list(items)
    if len(items) != WHO5_ITEMS:
        raise ValueError(f"WHO-5 has {WHO5_ITEMS} items, got {len(items)}")
    total = 0
    for i, answer in enumerate(items, start=1):
        value = None if answer is None else _value(answer, i)
        if value is None or math.isnan(value):
            raise ValueError(f"WHO-5 item {i} is missing")
        if not value.is_integer() or not 0 <= value <= 5:
            raise ValueError(f"WHO-5 item {i} must be an integer 0–5, got {answer!r}")
        total += int(value)
    return total * 4


def _value(answer, i: int) -> float:
    if isinstance(answer, bool | str | bytes):
        raise ValueError(f"WHO-5 item {i} must be an integer 0–5, got {answer!r}")
    try:
        return float(answer)
    except (TypeError, ValueError):
        raise ValueError(f"WHO-5 item {i} must be an integer 0–5, got {answer!r}") from None
