"""`seire inquiry-reminders`: e-mails about inquiries due soon and overdue, each sent once."""

from datetime import date
from io import StringIO

from django.core import mail
from django.core.management import call_command

from seire.inquiries.models import InquiryReminder
from seire.inquiries.reminders import send_inquiry_reminders
from tests.inquiries.builders import make_inquiry


def run(today: str, *args) -> str:
    out = StringIO()
    call_command("inquiry_reminders", "--today", today, *args, stdout=out)
    return out.getvalue()


def test_it_reminds_the_assignee_once(cast):
    inquiry = make_inquiry(assignee=cast.ann)  # received 2 March, due 9 March 2026
    run("2026-03-06")
    assert [m.to for m in mail.outbox] == [["ann@example.ee"]]
    assert inquiry.reference in mail.outbox[0].body
    assert "Mari Maasikas" not in mail.outbox[0].body  # the requester stays in the register
    run("2026-03-06")
    run("2026-03-07")
    assert len(mail.outbox) == 1


def test_it_says_nothing_before_three_days_ahead(cast):
    make_inquiry(assignee=cast.ann)
    assert "0 e-mail(s) sent" in run("2026-03-05")
    assert mail.outbox == []


def test_an_overdue_inquiry_gets_its_own_reminder(cast):
    make_inquiry(assignee=cast.ann)
    run("2026-03-06")
    run("2026-03-10")
    kinds = sorted(InquiryReminder.objects.values_list("kind", flat=True))
    assert kinds == ["due_soon", "overdue"]
    assert len(mail.outbox) == 2


def test_an_extension_is_reminded_about_again(cast):
    inquiry = make_inquiry(assignee=cast.ann)
    run("2026-03-06")
    inquiry.status, inquiry.due_date = "extended", date(2026, 3, 20)
    inquiry.save()
    run("2026-03-18")
    assert len(mail.outbox) == 2


def test_nobody_assigned_goes_to_the_analysts(cast):
    make_inquiry()
    run("2026-03-09")
    assert [m.to for m in mail.outbox] == [["ann@example.ee"]]


def test_answered_inquiries_are_left_alone(cast):
    make_inquiry(assignee=cast.ann, status="answered", closed_on=date(2026, 3, 4))
    run("2026-03-10")
    assert mail.outbox == []


def test_a_dry_run_sends_and_claims_nothing(cast):
    make_inquiry(assignee=cast.ann)
    assert "would send to ann@example.ee" in run("2026-03-06", "--dry-run")
    assert mail.outbox == [] and not InquiryReminder.objects.exists()


def test_a_failed_letter_is_retried_next_time(cast, settings):
    make_inquiry(assignee=cast.ann)
    settings.EMAIL_BACKEND = "tests.inquiries.test_reminders.FailingBackend"
    outcome = send_inquiry_reminders(date(2026, 3, 6))
    assert outcome.failed and not InquiryReminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_inquiry_reminders(date(2026, 3, 6))
    assert len(mail.outbox) == 1


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("SMTP down")


def test_the_hyphenated_name_is_an_alias():
    from seire.__main__ import resolve_aliases

    assert resolve_aliases(["seire", "inquiry-reminders"]) == ["seire", "inquiry_reminders"]
