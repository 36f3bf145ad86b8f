"""Reminder e-mails about inquiries due soon and overdue: `send_inquiry_reminders(today)`.

Idempotent, for a daily cron run: each reminder (inquiry × kind × due date) is claimed by
creating its `InquiryReminder` row under a unique constraint before the e-mail goes out, so
a second run (or a second machine) sends nothing new; a claim whose e-mail failed is
released so the next run retries. An extension sets a new due date, so its reminders go
out again for that date. Letters go to the assignee, or to every analyst when nobody is
assigned; they name the inquiry by reference and due date only — the requester is personal
data and stays in the register.
"""

import logging
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from seire.inquiries.models import Inquiry, InquiryReminder
from seire.organisation.models import Responsibility

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3


@dataclass
class Letter:
    person: object
    inquiries: list[tuple[Inquiry, str]] = field(default_factory=list)  # (inquiry, kind)


@dataclass
class Outcome:
    letters: list[Letter]
    failed: list[Letter] = field(default_factory=list)


def due(today: date) -> list[tuple[Inquiry, str]]:
    """Open inquiries due within DUE_SOON_DAYS or overdue on `today`, with the kind, that
    were not reminded about for their current due date."""
    already = set(InquiryReminder.objects.values_list("inquiry_id", "kind", "due_date"))
    found = []
    for inquiry in Inquiry.objects.open().select_related("assignee").order_by("due_date", "pk"):
        days_left = (inquiry.due_date - today).days
        if days_left < 0:
            kind = InquiryReminder.Kind.OVERDUE
        elif days_left <= DUE_SOON_DAYS:
            kind = InquiryReminder.Kind.DUE_SOON
        else:
            continue
        if (inquiry.pk, kind, inquiry.due_date) not in already:
            found.append((inquiry, kind))
    return found


def recipients(inquiry: Inquiry, today: date) -> list:
    """The assignee, if active with an address; else the current analysts with one."""
    person = inquiry.assignee
    if person is not None and person.is_active and person.email:
        return [person]
    analysts = (
        Responsibility.objects.current(today)
        .filter(role=Responsibility.Role.ANALYST)
        .values_list("person_id", flat=True)
    )
    return list(
        get_user_model()
        .objects.filter(pk__in=analysts, is_active=True)
        .exclude(email="")
        .order_by("pk")
    )


def send_inquiry_reminders(today: date | None = None, dry_run: bool = False) -> Outcome:
    """Send the reminders due on `today` (default: the local date) not sent before."""
    today = today or timezone.localdate()
    letters: dict[int, Letter] = {}
    claimed: list[tuple[Inquiry, str]] = []
    for inquiry, kind in due(today):
        people = recipients(inquiry, today)
        if not people:
            continue
        if not dry_run:
            if not _claim(inquiry, kind, people):
                continue
            claimed.append((inquiry, kind))
        for person in people:
            letters.setdefault(person.pk, Letter(person)).inquiries.append((inquiry, kind))
    ordered = sorted(letters.values(), key=lambda x: x.person.email)
    if dry_run:
        return Outcome(ordered)
    failed = _send(ordered)
    reached = {(i.pk, k) for x in ordered if x not in failed for i, k in x.inquiries}
    for inquiry, kind in claimed:
        if (inquiry.pk, kind) not in reached:
            InquiryReminder.objects.filter(
                inquiry=inquiry, kind=kind, due_date=inquiry.due_date
            ).delete()
    return Outcome([x for x in ordered if x not in failed], failed)


def _claim(inquiry: Inquiry, kind: str, people) -> bool:
    try:
        with transaction.atomic():
            InquiryReminder.objects.create(
                inquiry=inquiry,
                kind=kind,
                due_date=inquiry.due_date,
                recipients="\n".join(p.email for p in people),
            )
    except IntegrityError:
        return False
    return True


def _send(letters: list[Letter]) -> list[Letter]:
    failed = []
    connection = get_connection()
    base = settings.SEIRE_BASE_URL
    with translation.override(settings.LANGUAGE_CODE):
        for letter in letters:
            lines = [
                f"{i.reference} · {_('due')} {i.due_date.isoformat()} · "
                f"{_('overdue') if k == InquiryReminder.Kind.OVERDUE else _('due soon')}\n"
                f"  {base}{reverse('inquiries:detail', args=[i.pk])}"
                for i, k in letter.inquiries
            ]
            body = "\n".join([_("Inquiries waiting for an answer:"), "", *lines, ""])
            message = EmailMessage(
                _("Seire: inquiries due"), body, to=[letter.person.email], connection=connection
            )
            try:
                message.send()
            except Exception:  # one failed letter must not stop the others
                log.exception("inquiry reminder to %s failed", letter.person.email)
                failed.append(letter)
    return failed
