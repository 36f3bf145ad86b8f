"""Closing the loop: reminders, the metrics page, the coder's precision and recall, and the
public "you said, we did" page."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from seire.__main__ import ALIASES
from seire.feedback import report
from seire.feedback.items import Action, FeedbackItem, ThemeCorrection, YouSaidWeDid

from .test_inbox import as_user
from .test_items import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return mail.outbox


def test_the_reminder_goes_once_per_due_date(surveys, cast, mailbox):
    item = FeedbackItem.objects.get(response=submit(surveys, cast, satisfaction=2))
    FeedbackItem.objects.filter(pk=item.pk).update(due_on=date(2026, 3, 1))
    call_command("feedback_reminders", today=date(2026, 3, 5), verbosity=0)
    call_command("feedback_reminders", today=date(2026, 3, 6), verbosity=0)
    assert len(mailbox) == 1
    assert mailbox[0].to == ["olev@example.ee"]
    assert f"/feedback/items/{item.pk}/" in mailbox[0].body
    FeedbackItem.objects.filter(pk=item.pk).update(due_on=date(2026, 3, 6))  # a new due date
    call_command("feedback_reminders", today=date(2026, 3, 9), verbosity=0)
    assert len(mailbox) == 2


def test_closed_and_not_yet_due_items_get_no_reminder(surveys, cast, mailbox):
    closed = FeedbackItem.objects.get(response=submit(surveys, cast, satisfaction=2))
    FeedbackItem.objects.filter(pk=closed.pk).update(due_on=date(2026, 3, 1), status="closed")
    submit(surveys, cast, satisfaction=2)  # due in two weeks
    call_command("feedback_reminders", verbosity=0)
    assert mailbox == []


def test_the_reminder_command_has_a_hyphen_alias():
    assert ALIASES["feedback-reminders"] == "feedback_reminders"


def test_precision_and_recall_per_theme_come_from_the_corrections(surveys, cast):
    # Three checked items: the coder said {a, b}, {a}, {c}; the analyst {a}, {a, d}, {c}.
    truth = [(["a", "b"], ["a"]), (["a"], ["a", "d"]), (["c"], ["c"])]
    for coded, corrected in truth:
        item = FeedbackItem.objects.get(response=submit(surveys, cast, satisfaction=2))
        ThemeCorrection.objects.create(
            item=item, coded=coded, corrected=corrected, on=date(2026, 3, 1)
        )
    quality = {q.theme: q for q in report.coder_quality(FeedbackItem.objects.all())}
    # a: coded twice, right twice, kept twice → 100 / 100; b: coded once, never right → 0 / —
    # c: 100 / 100; d: never coded, right once → — / 0.
    assert (quality["a"].precision, quality["a"].recall) == (100.0, 100.0)
    assert (quality["b"].precision, quality["b"].recall) == (0.0, None)
    assert (quality["d"].precision, quality["d"].recall) == (None, 0.0)


def test_the_latest_correction_of_an_item_counts(surveys, cast):
    item = FeedbackItem.objects.get(response=submit(surveys, cast, satisfaction=2))
    for corrected in (["x"], ["a"]):
        ThemeCorrection.objects.create(item=item, coded=["a"], corrected=corrected, on=date.today())
    (only,) = report.coder_quality(FeedbackItem.objects.all())
    assert (only.theme, only.precision, only.recall) == ("a", 100.0, 100.0)


def test_the_loop_page_shows_actioned_share_and_days_to_action(client, surveys, cast):
    for days, action in [(3, True), (7, True), (None, False)]:
        item = FeedbackItem.objects.get(response=submit(surveys, cast, satisfaction=2))
        FeedbackItem.objects.filter(pk=item.pk).update(
            status="closed", received_on=date(2026, 3, 1), closed_on=date(2026, 3, 20)
        )
        if action:
            Action.objects.create(item=item, description="Done", done_on=date(2026, 3, 1 + days))
    items = FeedbackItem.objects.all()
    assert report.actioned(items) == (2, 3, 66.7)
    assert report.days_to_action(items) == (5, 2)
    html = as_user(client, cast.olev).get(reverse("feedback:loop")).content.decode()
    assert "66.7 % (2 / 3)" in html


def test_the_public_page_shows_only_the_curated_text(client, surveys, cast):
    item = FeedbackItem.objects.get(
        response=submit(surveys, cast, satisfaction=2, comment="Ootasin kolm nädalat.")
    )
    FeedbackItem.objects.filter(pk=item.pk).update(status="closed", closed_on=date.today())
    response = as_user(client, cast.ann).post(
        reverse("feedback:curate", args=["VS"]),
        {"items": [item.pk], "you_said_et": "Ootamine oli liiga pikk.",
         "we_did_et": "Helistame nüüd kahe päeva jooksul.",
         "you_said_en": "The wait was too long.", "we_did_en": "We now call within two days."},
    )  # fmt: skip
    assert response.status_code == 302
    assert YouSaidWeDid.objects.get().items.get() == item
    client.logout()
    page = client.get(reverse("feedback:we_did", args=["VS"]), {"lang": "en"}).content.decode()
    assert "The wait was too long." in page and "We now call within two days." in page
    assert "Ootasin kolm nädalat" not in page
    page = client.get(reverse("feedback:we_did", args=["VS"]), {"lang": "ru"}).content.decode()
    assert "The wait was too long." in page  # no Russian text yet: English stands in


def test_an_owner_sees_the_loop_metrics_of_their_services_only(client, surveys, cast):
    submit(surveys, cast, satisfaction=2, comment="Ootasin kaua.")
    html = as_user(client, cast.oksana).get(reverse("feedback:loop")).content.decode()
    assert 'id="svc-VS"' not in html
    html = as_user(client, cast.olev).get(reverse("feedback:loop")).content.decode()
    assert 'id="svc-VS"' in html and "waiting_time" in html


def test_the_coder_page_shows_precision_and_recall(client, surveys, cast):
    item = FeedbackItem.objects.get(response=submit(surveys, cast, satisfaction=2))
    ThemeCorrection.objects.create(
        item=item, coded=["safety", "information"], corrected=["safety"], on=date(2026, 3, 1)
    )
    html = as_user(client, cast.ann).get(reverse("feedback:coder")).content.decode()
    assert '<th scope="row">information</th><td>1</td><td>0</td><td>0</td>' in html
    assert "<td>100.0</td><td>100.0</td>" in html  # safety
