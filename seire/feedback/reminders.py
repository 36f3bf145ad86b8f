"""Reminders about overdue feedback items, and a retry of urgent alerts that failed.

`send_feedback_reminders(today)` e-mails each owner one list of their open items past the
due date that they have not been reminded of for that due date (`reminded_for`), then marks
them; run daily from cron, a second run the same day sends nothing. Items without an owner
go to the analysts. Urgent items whose alert was not sent are alerted again. The e-mails
carry links only, never feedback text.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from seire.feedback.items import FeedbackItem
from seire.feedback.loop import notify_urgent
from seire.organisation.models import Responsibility


@dataclass
class Outcome:
    letters: list[tuple[str, list[FeedbackItem]]] = field(default_factory=list)
    alerts: int = 0
    failed: list[str] = field(default_factory=list)


def _analyst_addresses() -> list[str]:
    users = get_user_model().objects.filter(
        responsibilities__role=Responsibility.Role.ANALYST, is_active=True
    )
    return sorted({u.email for u in users if u.email})


def send_feedback_reminders(today: date | None = None, *, dry_run: bool = False) -> Outcome:
    today = today or timezone.localdate()
    outcome = Outcome()
    due = (
        FeedbackItem.objects.exclude(status=FeedbackItem.Status.CLOSED)
        .filter(due_on__lt=today)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due_on")))
        .select_related("routed_to", "service")
        .order_by("pk")
    )
    by_address: dict[str, list[FeedbackItem]] = defaultdict(list)
    analysts = _analyst_addresses()
    for item in due:
        owner = item.routed_to
        addresses = [owner.email] if owner and owner.email and owner.is_active else analysts
        for address in addresses:
            by_address[address].append(item)
    for address in sorted(by_address):
        items = by_address[address]
        outcome.letters.append((address, items))
        if dry_run:
            continue
        lines = [
            f"#{i.pk} {i.service.code}, due {i.due_on:%Y-%m-%d}: "
            f"{settings.SEIRE_BASE_URL}{reverse('feedback:item', args=[i.pk])}"
            for i in items
        ]
        try:
            send_mail(
                f"Seire: {len(items)} overdue feedback item(s)",
                "These feedback items are past their due date:\n\n" + "\n".join(lines) + "\n",
                settings.DEFAULT_FROM_EMAIL,
                [address],
            )
        except Exception:  # noqa: BLE001 — report it, remind again tomorrow
            outcome.failed.append(address)
            continue
        FeedbackItem.objects.filter(pk__in=[i.pk for i in items]).update(reminded_for=F("due_on"))
    for item_id in FeedbackItem.objects.filter(urgent=True, notified=False).values_list(
        "pk", flat=True
    ):
        outcome.alerts += 1
        if not dry_run:
            notify_urgent(item_id)
    return outcome
