"""The analyst searches the audit trail; the trail cannot be rewritten through the application."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from seire.access.audit import record
from seire.access.models import AuditEvent


def _signed_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def trail(cast):
    """A week of events: Paul exports his unit, Pille views hers, Ann changes a service."""
    start = timezone.now() - timedelta(days=10)
    with time_machine.travel(start, tick=False):
        record(cast.paul, "export", cast.harju_vs, summary='=HYPERLINK("http://evil")')
    with time_machine.travel(start + timedelta(days=3), tick=False):
        record(cast.pille, "view", cast.tartu_vs, reason="monthly check")
    with time_machine.travel(start + timedelta(days=6), tick=False):
        record(cast.ann, "update", cast.vs, changes={"name_et": ["a", "b"]})
    return start


def _summaries(response):
    return [e.summary for e in response.context["page"].object_list]


def test_it_finds_events_by_who_action_object_and_text(client, cast, trail):
    _signed_in(client, cast.ann)
    url = reverse("access:audit")
    assert _summaries(client.get(url, {"who": "PILL"})) == ["Tartu ohvriabi"]
    assert _summaries(client.get(url, {"action": "update"})) == [str(cast.vs)]
    by_object = client.get(url, {"object_type": "orgunit", "object_id": str(cast.harju_vs.pk)})
    assert _summaries(by_object) == ['=HYPERLINK("http://evil")']
    assert _summaries(client.get(url, {"text": "monthly"})) == ["Tartu ohvriabi"]


def test_it_finds_events_in_a_date_range_with_both_ends_included(client, cast, trail):
    _signed_in(client, cast.ann)
    day = timezone.localdate(trail)
    response = client.get(
        reverse("access:audit"),
        {"date_from": day.isoformat(), "date_to": (day + timedelta(days=3)).isoformat()},
    )
    assert _summaries(response) == ["Tartu ohvriabi", '=HYPERLINK("http://evil")']


def test_it_pages_long_results_newest_first(client, cast):
    for n in range(60):
        record(cast.paul, "view", summary=f"event {n}")
    _signed_in(client, cast.ann)
    first = client.get(reverse("access:audit"), {"who": "paul"})
    assert first.context["page"].paginator.count == 60
    assert _summaries(first)[0] == "event 59" and len(_summaries(first)) == 50
    second = client.get(reverse("access:audit"), {"who": "paul", "page": 2})
    assert _summaries(second)[-1] == "event 0" and len(_summaries(second)) == 10
    assert b"page=2" in first.content and b"who=paul" in first.content
    assert client.get(reverse("access:audit"), {"page": "nonsense"}).status_code == 200


def test_it_records_every_search_with_its_filters(client, cast, trail):
    _signed_in(client, cast.ann)
    client.get(reverse("access:audit"), {"who": "pille", "action": "view"})
    event = AuditEvent.objects.filter(actor=cast.ann, object_type="access.auditevent").get()
    assert event.action == "view"
    assert event.changes == {"filters": {"who": "pille", "action": "view"}}


def test_it_explains_a_bad_date_range_instead_of_failing(client, cast, trail):
    _signed_in(client, cast.ann)
    response = client.get(
        reverse("access:audit"), {"date_from": "2026-05-01", "date_to": "2026-04-01"}
    )
    assert response.status_code == 200
    assert response.context["page"] is None
    assert response.context["form"].non_field_errors()
    response = client.get(reverse("access:audit"), {"date_from": "yesterday"})
    assert response.status_code == 200 and "date_from" in response.context["form"].errors
    assert client.get(reverse("access:audit_csv"), {"date_from": "x"}).status_code == 400


def test_it_exports_the_search_as_csv_with_formulas_neutralised(client, cast, trail):
    _signed_in(client, cast.ann)
    response = client.get(reverse("access:audit_csv"), {"who": "paul"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["at", "actor", "action"]
    assert len(rows) == 2
    assert rows[1][1:3] == ["paul", "export"]
    assert rows[1][5] == '\'=HYPERLINK("http://evil")'  # a spreadsheet shows it as text
    export = AuditEvent.objects.get(actor=cast.ann, action="export")
    assert "1 events" in export.summary and export.changes == {"filters": {"who": "paul"}}


@pytest.mark.parametrize("persona", ["paul", "olev", "mari", "rein"])
def test_it_shows_the_trail_to_the_analyst_only(client, cast, trail, persona):
    _signed_in(client, getattr(cast, persona))
    assert client.get(reverse("access:audit")).status_code == 403
    assert client.get(reverse("access:audit_csv")).status_code == 403
    assert not AuditEvent.objects.filter(object_type="access.auditevent").exists()


def test_it_refuses_every_way_of_rewriting_an_event(client, cast, trail):
    event = AuditEvent.objects.get(action="view")
    for attempt in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="x"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.bulk_update([event], ["summary"]),
        lambda: AuditEvent.objects.get(pk=event.pk).delete(),
    ):
        with pytest.raises(PermissionError):
            attempt()
    copy = AuditEvent.objects.get(pk=event.pk)
    copy.reason = "rewritten"
    with pytest.raises(PermissionError):
        copy.save()
    # Through the admin: no change form to post, no delete, no bulk delete action.
    _signed_in(client, cast.ann)
    change = reverse("admin:access_auditevent_change", args=[event.pk])
    assert client.post(change, {"summary": "x", "reason": "y"}).status_code == 403
    changelist = reverse("admin:access_auditevent_changelist")
    bulk = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    client.post(changelist, bulk)
    event.refresh_from_db()
    assert (event.summary, event.reason) == ("Tartu ohvriabi", "monthly check")
    assert AuditEvent.objects.count() >= 3
