"""Closing the loop, in numbers: response rate, actions, timeliness, themes, coder quality.

Each function takes querysets (already narrowed to what the reader may see) and returns
plain values, so the page, the tests and the catalogue metrics' worked examples agree on
definitions:

* response rate: invitations answered / invitations sent;
* actioned: closed items with at least one action done / closed items;
* days to action: median of (first action's done date − received date), over items with one;
* overdue: open items past their due date / open items;
* top themes: the most frequent themes of the items, and their counts per quarter;
* coder quality: per theme, precision = kept / coded and recall = kept / correct, over the
  items the analyst checked (their latest correction).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import Min, QuerySet

from seire import periods
from seire.feedback.items import FeedbackItem

Status = FeedbackItem.Status


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def response_rate(invitations: QuerySet) -> tuple[int, int, float | None]:
    """(answered, sent, percent)."""
    sent = invitations.count()
    answered = invitations.filter(used_at__isnull=False).count()
    return answered, sent, share(answered, sent)


def actioned(items: QuerySet) -> tuple[int, int, float | None]:
    """(closed with an action done, closed, percent)."""
    closed = items.filter(status=Status.CLOSED)
    done = closed.filter(actions__done_on__isnull=False).distinct().count()
    total = closed.count()
    return done, total, share(done, total)


def days_to_action(items: QuerySet) -> tuple[float | None, int]:
    """(median days from receipt to the first action done, number of items with one)."""
    rows = items.annotate(first=Min("actions__done_on")).filter(first__isnull=False)
    days = [(first - received).days for received, first in rows.values_list("received_on", "first")]
    return (median(days) if days else None), len(days)


def overdue(items: QuerySet, today: date) -> tuple[int, int, float | None]:
    """(open and overdue, open, percent)."""
    open_items = items.exclude(status=Status.CLOSED)
    late = open_items.filter(due_on__lt=today).count()
    total = open_items.count()
    return late, total, share(late, total)


def top_themes(items: QuerySet, n: int = 5) -> list[tuple[str, int]]:
    counts = Counter(t for themes in items.values_list("themes", flat=True) for t in themes)
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def theme_trend(items: QuerySet, themes: list[str]) -> tuple[list[str], dict[str, list[int]]]:
    """(quarters in order, {theme: count per quarter}) for the given themes."""
    by_quarter: dict[str, Counter] = defaultdict(Counter)
    for received, item_themes in items.values_list("received_on", "themes"):
        by_quarter[str(periods.period_of(received, "Q"))].update(item_themes)
    quarters = sorted(by_quarter)
    return quarters, {t: [by_quarter[q][t] for q in quarters] for t in themes}


@dataclass
class ThemeQuality:
    theme: str
    coded: int  # items the coder tagged with it
    correct: int  # items the analyst says have it
    kept: int  # both
    precision: float | None
    recall: float | None


def coder_quality(items: QuerySet) -> list[ThemeQuality]:
    """Per theme, how well the coder's tags agree with the analyst's corrections."""
    coded, correct, kept = Counter(), Counter(), Counter()
    latest: dict[int, tuple[list, list]] = {}
    for item_id, was, now in (
        items.filter(corrections__isnull=False)
        .order_by("pk", "corrections__pk")
        .values_list("pk", "corrections__coded", "corrections__corrected")
    ):
        latest[item_id] = (was, now)
    for was, now in latest.values():
        coded.update(set(was))
        correct.update(set(now))
        kept.update(set(was) & set(now))
    return [
        ThemeQuality(
            theme=t,
            coded=coded[t],
            correct=correct[t],
            kept=kept[t],
            precision=share(kept[t], coded[t]),
            recall=share(kept[t], correct[t]),
        )
        for t in sorted(set(coded) | set(correct))
    ]
