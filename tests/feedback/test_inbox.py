"""The owner's inbox: only their services' items, filters and search, bulk triage (plain
form and htmx), actions, "no action", forwarding, theme corrections and the original text."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from seire.access.models import AuditEvent
from seire.feedback.items import FeedbackItem, ThemeCorrection
from seire.organisation.models import Partner

from .test_items import submit

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def items(surveys, cast):
    """A waiting-time complaint and a staff compliment about VS, and one WSC item."""
    wait = submit(surveys, cast, satisfaction=2, comment="Pidin kaua ootama, keegi ei helistanud.")
    kind = submit(surveys, cast, satisfaction=5, comment="Töötaja oli väga abivalmis, aitäh!")
    wsc = submit(surveys, cast, satisfaction=2, comment="Varjupaigas oli külm.")
    FeedbackItem.objects.filter(response=wsc).update(service=cast.wsc, unit=cast.tartu_wsc)
    return {
        "wait": FeedbackItem.objects.get(response=wait),
        "kind": FeedbackItem.objects.get(response=kind),
        "wsc": FeedbackItem.objects.get(response=wsc),
    }


def listed(html: str, item: FeedbackItem) -> bool:
    return f'href="/feedback/items/{item.pk}/"' in html


def test_an_owner_sees_only_the_items_of_their_services(client, cast, items):
    html = as_user(client, cast.oksana).get(reverse("feedback:inbox")).content.decode()
    assert listed(html, items["wsc"])
    assert not listed(html, items["wait"]) and not listed(html, items["kind"])
    html = as_user(client, cast.olev).get(reverse("feedback:inbox")).content.decode()
    assert listed(html, items["wait"]) and listed(html, items["kind"])
    assert not listed(html, items["wsc"])


def test_the_analyst_sees_every_item(client, cast, items):
    html = as_user(client, cast.ann).get(reverse("feedback:inbox")).content.decode()
    assert all(listed(html, item) for item in items.values())


def test_it_filters_by_theme_and_searches_the_text(client, cast, items):
    url = reverse("feedback:inbox")
    html = as_user(client, cast.olev).get(url, {"theme": "waiting_time"}).content.decode()
    assert listed(html, items["wait"]) and not listed(html, items["kind"])
    html = client.get(url, {"q": "abivalmis"}).content.decode()
    assert listed(html, items["kind"]) and not listed(html, items["wait"])


def test_overdue_items_are_marked_and_can_be_filtered(client, cast, items):
    FeedbackItem.objects.filter(pk=items["wait"].pk).update(due_on=date(2020, 1, 1))
    url = reverse("feedback:inbox")
    html = as_user(client, cast.olev).get(url, {"overdue": "on"}).content.decode()
    assert listed(html, items["wait"]) and not listed(html, items["kind"])
    assert "inbox__row--overdue" in html and "overdue</span>" in html


def test_bulk_triage_without_javascript_redirects_back(client, cast, items):
    ids = [items["wait"].pk, items["kind"].pk]
    response = as_user(client, cast.olev).post(
        reverse("feedback:inbox"), {"items": ids, "status": "triaged"}
    )
    assert response.status_code == 302
    assert set(FeedbackItem.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        "triaged"
    }


def test_bulk_triage_with_htmx_returns_the_table(client, cast, items):
    response = as_user(client, cast.olev).post(
        reverse("feedback:inbox"),
        {"items": [items["wait"].pk], "status": "triaged"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="inbox-table"' in html
    assert "1 items updated." in html and "<html" not in html


def test_bulk_triage_cannot_touch_another_owners_item(client, cast, items):
    as_user(client, cast.olev).post(
        reverse("feedback:inbox"), {"items": [items["wsc"].pk], "status": "triaged"}
    )
    items["wsc"].refresh_from_db()
    assert items["wsc"].status == "new"


def test_an_owner_records_an_action_and_closes_the_item(client, cast, items):
    item = items["wait"]
    response = as_user(client, cast.olev).post(
        reverse("feedback:item", args=[item.pk]),
        {"op": "action", "description": "Call-back rota changed.", "done_on": "2026-03-10",
         "close": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "closed" and item.closed_on is not None
    assert item.actions.get().done_on == date(2026, 3, 10)


def test_an_action_needs_a_date(client, cast, items):
    item = items["wait"]
    response = as_user(client, cast.olev).post(
        reverse("feedback:item", args=[item.pk]), {"op": "action", "description": "Something"}
    )
    assert response.status_code == 200
    assert "Give a planned date or the date it was done." in response.content.decode()
    assert not item.actions.exists()


def test_no_action_needs_a_reason_and_closes(client, cast, items):
    item = items["kind"]
    url = reverse("feedback:item", args=[item.pk])
    as_user(client, cast.olev).post(url, {"op": "no_action", "reason": "ok"})
    item.refresh_from_db()
    assert item.status == "new"
    client.post(url, {"op": "no_action", "reason": "Praise: passed on to the team."})
    item.refresh_from_db()
    assert item.status == "closed" and item.no_action_reason.startswith("Praise")


def test_an_owner_forwards_an_item_to_a_partner(client, cast, items):
    police = Partner.objects.create(name="Politsei- ja Piirivalveamet", kind="police")
    item = items["wait"]
    as_user(client, cast.olev).post(
        reverse("feedback:item", args=[item.pk]),
        {"op": "forward", "partner": police.pk, "note": "About the interview room."},
    )
    item.refresh_from_db()
    assert item.status == "forwarded" and item.forwarded_to == police


def test_an_owner_cannot_act_on_another_services_item(client, cast, items):
    response = as_user(client, cast.olev).post(
        reverse("feedback:item", args=[items["wsc"].pk]),
        {"op": "no_action", "reason": "Not mine to decide."},
    )
    assert response.status_code == 403


def test_only_the_analyst_corrects_themes_and_corrections_are_kept(client, cast, items):
    item = items["wait"]
    url = reverse("feedback:item", args=[item.pk])
    data = {"op": "themes", "themes": ["waiting_time", "information"]}
    assert as_user(client, cast.olev).post(url, data).status_code == 403
    assert as_user(client, cast.ann).post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.themes == ["information", "waiting_time"] and item.themes_checked
    correction = ThemeCorrection.objects.get(item=item)
    assert correction.coded == item.coded_themes
    assert correction.corrected == ["information", "waiting_time"]


def test_only_the_analyst_quotes_a_redacted_text_in_the_ux_report(client, cast, items):
    item, url = items["wait"], reverse("feedback:item", args=[items["wait"].pk])
    assert as_user(client, cast.olev).post(url, {"op": "quote", "quoted": "1"}).status_code == 403
    item.refresh_from_db()
    assert not item.quoted
    assert as_user(client, cast.ann).post(url, {"op": "quote", "quoted": "1"}).status_code == 302
    item.refresh_from_db()
    assert item.quoted
    assert AuditEvent.objects.filter(summary=f"feedback item {item.pk}: quoted").exists()
    assert "Stop quoting" in client.get(url).content.decode()
    client.post(url, {"op": "quote", "quoted": "0"})
    item.refresh_from_db()
    assert not item.quoted


def test_a_text_whose_redaction_failed_is_never_quoted(client, cast, items):
    item = items["kind"]
    FeedbackItem.objects.filter(pk=item.pk).update(needs_review=True)
    url = reverse("feedback:item", args=[item.pk])
    page = as_user(client, cast.ann).get(url).content.decode()
    assert "Quote in the user-experience report" not in page
    client.post(url, {"op": "quote", "quoted": "1"})
    item.refresh_from_db()
    assert not item.quoted


def test_the_original_is_the_analysts_and_each_look_is_audited(client, cast, surveys):
    response = submit(surveys, cast, satisfaction=2, comment="Helistage 5123 4567.")
    item = FeedbackItem.objects.get(response=response)
    url = reverse("feedback:item_original", args=[item.pk])
    assert as_user(client, cast.olev).get(url).status_code == 403
    assert "5123 4567" not in client.get(reverse("feedback:item", args=[item.pk])).content.decode()
    html = as_user(client, cast.ann).get(url).content.decode()
    assert "Helistage 5123 4567." in html
    assert AuditEvent.objects.filter(
        action="view", object_type="feedback.feedbackitem", object_id=str(item.pk)
    ).exists()


def test_the_item_page_has_no_forms_once_closed(client, cast, items):
    item = items["kind"]
    FeedbackItem.objects.filter(pk=item.pk).update(status="closed", closed_on=date.today())
    html = as_user(client, cast.olev).get(reverse("feedback:item", args=[item.pk])).content
    assert b'value="action"' not in html
    response = client.post(
        reverse("feedback:item", args=[item.pk]),
        {"op": "no_action", "reason": "A reason long enough."},
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.no_action_reason == ""


def test_due_dates_follow_the_severity(items):
    wait = items["wait"]
    assert wait.due_on - wait.received_on == timedelta(days=14)  # negative: medium
