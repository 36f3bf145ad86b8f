"""`seire send_reminders`: providers hear once about reports due soon and overdue ones.

On 7 April 2026 the March report (due 10 April) is due in three days, and January and
February are overdue but not yet locked (they lock 60 days after their deadlines);
December 2025 locked on 11 March, so nobody is reminded of it any more.
"""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command

from seire.collection import workflow
from seire.collection.models import Reminder
from seire.collection.reminders import send_reminders
from seire.collection.services import Cell, save_values
from seire.organisation.models import Responsibility

APRIL_7 = date(2026, 4, 7)


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise OSError("the mail server is down")


def reminded() -> set[tuple[str, str, str]]:
    return set(Reminder.objects.values_list("unit__code", "period", "kind"))


def test_it_reminds_each_provider_of_due_and_overdue_reports_in_one_email(cast, vs_monthly):
    send_reminders(APRIL_7)
    assert sorted(m.to[0] for m in mail.outbox) == ["paul@example.ee", "pille@example.ee"]
    paul = next(m for m in mail.outbox if m.to == ["paul@example.ee"])
    assert "2" in paul.subject  # two reports overdue
    assert "veebruar 2026" in paul.body and "märts 2026" in paul.body
    assert "detsember 2025" not in paul.body  # locked
    assert f"/collection/VS_MONTHLY/{cast.harju_vs.pk}/2026M03/" in paul.body
    assert "Tartu" not in paul.body
    assert reminded() == {
        (unit, period, kind)
        for unit in ("HARJU-VS", "TARTU-VS")
        for period, kind in [
            ("2026M01", "overdue"),
            ("2026M02", "overdue"),
            ("2026M03", "due_soon"),
        ]
    }


def test_it_sends_each_reminder_once_however_often_it_runs(cast, vs_monthly):
    send_reminders(APRIL_7)
    send_reminders(APRIL_7)
    send_reminders(date(2026, 4, 8))
    assert len(mail.outbox) == 2
    # After the deadline March becomes overdue: that is a new reminder, sent once.
    send_reminders(date(2026, 4, 11))
    send_reminders(date(2026, 4, 12))
    assert len(mail.outbox) == 4
    assert "märts 2026" in mail.outbox[-1].body


def test_it_says_nothing_before_three_days_or_about_submitted_reports(cast, vs_monthly):
    with_values = [Cell("SESSIONS", "total", "HARJU-VS", p, 3) for p in ("2026M01", "2026M02")]
    save_values(cast.ann, vs_monthly, with_values, "web")
    for period in ("2026M01", "2026M02"):
        workflow.submit(cast.ann, workflow.get_submission(vs_monthly, cast.harju_vs, period))
    send_reminders(date(2026, 4, 6))  # four days before March's deadline
    assert [m.to for m in mail.outbox] == [["pille@example.ee"]]  # Tartu's overdue months
    send_reminders(APRIL_7)
    paul = [m for m in mail.outbox if m.to == ["paul@example.ee"]]
    assert len(paul) == 1 and "märts 2026" in paul[0].body and "jaanuar" not in paul[0].body


def test_it_writes_only_to_current_providers_and_remembers_who_had_nobody(cast, vs_monthly):
    Responsibility.objects.filter(person=cast.pille).update(end=date(2026, 3, 31))
    outcome = send_reminders(APRIL_7)
    assert [m.to for m in mail.outbox] == [["paul@example.ee"]]
    assert {(r.unit.code, r.period) for r in outcome.unaddressed} == {
        ("TARTU-VS", "2026M01"),
        ("TARTU-VS", "2026M02"),
        ("TARTU-VS", "2026M03"),
    }
    assert not Reminder.objects.filter(unit=cast.tartu_vs).exists()  # retried once someone is


def test_it_sends_and_claims_nothing_on_a_dry_run(cast, vs_monthly):
    outcome = send_reminders(APRIL_7, dry_run=True)
    assert len(outcome.letters) == 2
    assert not mail.outbox and not Reminder.objects.exists()


def test_it_releases_the_claim_when_the_email_cannot_be_sent(cast, vs_monthly, settings):
    settings.EMAIL_BACKEND = "tests.collection.test_reminders.FailingBackend"
    outcome = send_reminders(APRIL_7)
    assert len(outcome.failed) == 2 and not Reminder.objects.exists()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_reminders(APRIL_7)
    assert len(mail.outbox) == 2


def test_it_runs_as_a_command_for_cron(cast, vs_monthly):
    out = StringIO()
    call_command("send_reminders", "--today", "2026-04-07", "--dry-run", stdout=out)
    assert "would send to paul@example.ee: VS_MONTHLY HARJU-VS 2026M01 (overdue)" in out.getvalue()
    assert not mail.outbox
    call_command("send_reminders", "--today", "2026-04-07", stdout=out)
    call_command("send_reminders", "--today", "2026-04-07", stdout=out)
    assert out.getvalue().strip().endswith("0 e-mail(s) sent.")
    assert len(mail.outbox) == 2


def test_it_refuses_a_malformed_date(cast):
    with pytest.raises(CommandError, match="not a date written YYYY-MM-DD"):
        call_command("send_reminders", "--today", "7.4.2026")
