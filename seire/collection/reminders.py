"""Reminder e-mails to providers: reports due within three days, and reports overdue.

`send_reminders(today)` is idempotent. Each reminder (dataset × unit × period × kind) is
claimed by creating its `Reminder` row, under a unique constraint, before the e-mail goes
out, so running the command twice a day (or on two machines at once) sends it once; a
claim whose e-mails all failed is released, so the next run tries again. A report is
reminded about only while its provider can still enter it — from `DUE_SOON_DAYS` before
the deadline until the period locks — and not once it has been submitted. Reports with
no provider to write to are listed, not claimed, so they are reminded about once someone
is responsible.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from seire import periods
from seire.collection.models import Dataset, Reminder, Submission
from seire.collection.timeliness import expected_units
from seire.organisation.models import OrgUnit, Responsibility

log = logging.getLogger(__name__)

DUE_SOON_DAYS = 3
MAX_PERIODS_BACK = 60  # a guard: no lock rule keeps more periods open than this


@dataclass(frozen=True)
class Outstanding:
    """A report not yet submitted that a reminder is due about."""

    dataset: Dataset
    unit: OrgUnit
    period: str
    kind: str  # Reminder.Kind
    deadline: date

    @property
    def key(self) -> tuple[int, int, str, str]:
        return (self.dataset.pk, self.unit.pk, self.period, self.kind)

    @property
    def path(self) -> str:
        return reverse("collection:grid", args=[self.dataset.code, self.unit.pk, self.period])


@dataclass
class Letter:
    """One e-mail to one provider, about one or more reports."""

    person: object
    reports: list[Outstanding] = field(default_factory=list)


@dataclass
class Outcome:
    letters: list[Letter]
    unaddressed: list[Outstanding]  # reports nobody could be written to about
    failed: list[Letter] = field(default_factory=list)


def outstanding(today: date) -> list[Outstanding]:
    """Every report due within DUE_SOON_DAYS or overdue (and not locked) on `today`."""
    found = []
    for dataset in Dataset.objects.select_related("service").order_by("code"):
        period = periods.period_of(today, dataset.period_type)
        for _step in range(MAX_PERIODS_BACK):
            if dataset.locks_on(period) < today:
                break
            days_left = (dataset.deadline(period) - today).days
            kind = (
                Reminder.Kind.OVERDUE
                if days_left < 0
                else Reminder.Kind.DUE_SOON
                if days_left <= DUE_SOON_DAYS
                else None
            )
            if kind and period.start <= today:
                found += _unsubmitted(dataset, str(period), kind)
            period = period.previous()
    return sorted(found, key=lambda r: (r.dataset.code, r.unit.path, r.period))


def _unsubmitted(dataset: Dataset, period: str, kind: str) -> list[Outstanding]:
    units = expected_units(dataset, period)
    sent_in = set(
        Submission.objects.filter(
            dataset=dataset, period=period, first_submitted_at__isnull=False
        ).values_list("unit_id", flat=True)
    )
    deadline = dataset.deadline(period)
    return [Outstanding(dataset, u, period, kind, deadline) for u in units if u.pk not in sent_in]


def providers_of(dataset: Dataset, unit: OrgUnit, today: date) -> list:
    """The active people with an e-mail address and a current provider responsibility for
    `unit` (on it or on a unit above it) covering the dataset's service."""
    codes = unit.path.rstrip("/").split("/")
    paths = ["/".join(codes[:i]) + "/" for i in range(1, len(codes) + 1)]
    rows = (
        Responsibility.objects.current(today)
        .filter(role=Responsibility.Role.PROVIDER, unit__path__in=paths)
        .filter(Q(service__isnull=True) | Q(service=dataset.service))
        .select_related("person")
    )
    people = {r.person.pk: r.person for r in rows if r.person.is_active and r.person.email}
    return sorted(people.values(), key=lambda p: p.pk)


def send_reminders(today: date | None = None, dry_run: bool = False) -> Outcome:
    """Send the reminders due on `today` (default: the local date) that were not sent yet.

    Returns the letters sent (or, with `dry_run`, that would be sent; nothing is claimed or
    sent then), the reports nobody could be written to about, and the letters that failed."""
    today = today or timezone.localdate()
    already = set(Reminder.objects.values_list("dataset_id", "unit_id", "period", "kind"))
    due = [r for r in outstanding(today) if r.key not in already]
    by_person: dict[int, Letter] = {}
    unaddressed = []
    for report in due:
        people = providers_of(report.dataset, report.unit, today)
        if not people:
            unaddressed.append(report)
        if not dry_run and people and not _claim(report, people):
            continue  # another run claimed it a moment ago
        for person in people:
            by_person.setdefault(person.pk, Letter(person)).reports.append(report)
    letters = sorted(by_person.values(), key=lambda x: x.person.email)
    if dry_run:
        return Outcome(letters, unaddressed)
    failed = _send(letters)
    if failed:
        _release(letters, failed)
    return Outcome([x for x in letters if x not in failed], unaddressed, failed)


@task()
def send_reminders_task(today: str | None = None) -> dict[str, int]:
    """`send_reminders` as a django-tasks task (`today` as YYYY-MM-DD); the counts of
    letters sent, reports nobody could be written to about, and letters that failed."""
    outcome = send_reminders(date.fromisoformat(today) if today else None)
    return {
        "sent": len(outcome.letters),
        "unaddressed": len(outcome.unaddressed),
        "failed": len(outcome.failed),
    }


def _claim(report: Outstanding, people) -> bool:
    try:
        with transaction.atomic():
            Reminder.objects.create(
                dataset=report.dataset,
                unit=report.unit,
                period=report.period,
                kind=report.kind,
                recipients="\n".join(p.email for p in people),
            )
    except IntegrityError:
        return False
    return True


def _send(letters: list[Letter]) -> list[Letter]:
    """Send each letter; the ones that could not be sent."""
    failed = []
    connection = get_connection()
    base = settings.SEIRE_BASE_URL
    with translation.override(settings.LANGUAGE_CODE):
        for letter in letters:
            message = _message(letter, base)
            message.connection = connection
            try:
                message.send()
            except Exception:  # an SMTP error must not stop the other letters
                log.exception("reminder to %s failed", letter.person.email)
                failed.append(letter)
    return failed


def _message(letter: Letter, base: str) -> EmailMessage:
    language = translation.get_language() or "et"

    def items(kind):
        return [
            {"report": r, "label": periods.parse(r.period).label(language), "url": base + r.path}
            for r in letter.reports
            if r.kind == kind
        ]

    context = {
        "person": letter.person,
        "overdue": items(Reminder.Kind.OVERDUE),
        "due_soon": items(Reminder.Kind.DUE_SOON),
    }
    subject = render_to_string("collection/email/reminder_subject.txt", context)
    body = render_to_string("collection/email/reminder.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=[letter.person.email])


def _release(letters: list[Letter], failed: list[Letter]) -> None:
    """Forget the claims of reports that no letter reached, so the next run retries them."""
    reached = defaultdict(bool)
    for letter in letters:
        for report in letter.reports:
            reached[report.key] |= letter not in failed
    for (dataset_id, unit_id, period, kind), ok in reached.items():
        if not ok:
            Reminder.objects.filter(
                dataset_id=dataset_id, unit_id=unit_id, period=period, kind=kind
            ).delete()
