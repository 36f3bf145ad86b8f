"""Timeliness of answers: the share answered on time and the median days to answer.

Counted over replied inquiries (answered or refused: either way the requester got a reply,
and the legal term applies to both) by the month of the reply. On time: the reply was sent
no later than the due date in force (an extension's new date counts). Days to answer are
calendar days from receipt to reply. The same rule is the catalogue metric INQ_ON_TIME.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import median


@dataclass(frozen=True)
class Reply:
    requester_type: str
    received_on: date
    closed_on: date
    due_date: date

    @property
    def on_time(self) -> bool:
        return self.closed_on <= self.due_date

    @property
    def days(self) -> int:
        return (self.closed_on - self.received_on).days

    @property
    def month(self) -> str:
        return self.closed_on.strftime("%Y-%m")


@dataclass(frozen=True)
class Timeliness:
    replied: int
    on_time: int
    median_days: float | None

    @property
    def share(self) -> float | None:
        """Percent answered on time; None when nothing was replied."""
        return 100 * self.on_time / self.replied if self.replied else None


def summarise(replies: list[Reply]) -> Timeliness:
    return Timeliness(
        replied=len(replies),
        on_time=sum(r.on_time for r in replies),
        median_days=median(r.days for r in replies) if replies else None,
    )


def by(replies: list[Reply], key) -> dict[str, Timeliness]:
    """{key(reply): Timeliness} in key order."""
    groups: dict[str, list[Reply]] = defaultdict(list)
    for reply in replies:
        groups[key(reply)].append(reply)
    return {k: summarise(groups[k]) for k in sorted(groups)}


@dataclass(frozen=True)
class Panel:
    total: Timeliness
    by_type: dict[str, Timeliness]
    by_month: dict[str, Timeliness]


def panel(replies: list[Reply]) -> Panel:
    """Everything the timeliness panel shows, from the replies chosen."""
    return Panel(
        total=summarise(replies),
        by_type=by(replies, lambda r: r.requester_type),
        by_month=by(replies, lambda r: r.month),
    )


def replies_from(queryset) -> list[Reply]:
    """The replied inquiries of `queryset` as `Reply` rows (open ones are left out)."""
    from seire.inquiries.models import CLOSED

    rows = queryset.filter(status__in=CLOSED, closed_on__isnull=False).values_list(
        "requester_type", "received_on", "closed_on", "due_date"
    )
    return [Reply(*row) for row in rows]


def panel_context(today: date) -> dict:
    """The timeliness panel's context (register page and the analyst's home page): replies of
    the twelve months up to today — or up to the latest reply, when none came in the last
    twelve months (an archive, the demo) — and the inquiries open and overdue on `today`."""
    from django.db.models import Max

    from seire.inquiries.models import Inquiry, RequesterType

    latest = Inquiry.objects.aggregate(last=Max("closed_on"))["last"]
    end = latest if latest and (today - latest).days > 365 else today
    since = date(end.year - 1, end.month, 1 if end.day == 29 and end.month == 2 else end.day)
    result = panel(replies_from(Inquiry.objects.filter(closed_on__gt=since, closed_on__lte=end)))
    labels = dict(RequesterType.choices)
    return {
        "panel": result,
        "panel_from": since + timedelta(days=1),
        "panel_to": end,
        "panel_types": [(labels.get(k, k), v) for k, v in result.by_type.items()],
        "open_count": Inquiry.objects.open().count(),
        "overdue_count": Inquiry.objects.overdue(today).count(),
    }
