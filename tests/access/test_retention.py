"""Retention per kind of data (`seire retention`), and a client's export and erasure."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from seire.access.audit import record
from seire.access.models import AuditEvent
from seire.access.pseudonyms import pseudonymise
from seire.collection.models import Assessment, Episode
from seire.feedback.models import Answer, Invitation, Response

TODAY = date(2026, 11, 1)
CLIENT = "ck1_" + "a" * 64
OTHER = "ck1_" + "b" * 64


def _episode(cast, source_id, client_key, opened, closed=None):
    episode = Episode.objects.create(
        source_id=source_id,
        client_key=client_key,
        service=cast.vs,
        unit=cast.harju_vs,
        county=cast.harju,
        opened=opened,
        closed=closed,
    )
    Assessment.objects.create(
        source_id=f"{source_id}-in",
        episode=episode,
        instrument="WHO5",
        timepoint="intake",
        assessed_on=opened,
        items=[3, 3, 2, 4, 1],
    )
    return episode


def _response(cast, submitted_on, text="Aitäh, helistage mulle", contact="+372 5555 1234"):
    from seire.feedback import crypto
    from tests.access.test_route_access import vs_feedback_response

    response = Response.objects.get(pk=vs_feedback_response(cast))
    Response.objects.filter(pk=response.pk).update(
        submitted_on=submitted_on, wants_contact=True, contact_encrypted=crypto.encrypt(contact)
    )
    Answer.objects.filter(response=response, question__type="text").update(
        text_encrypted=crypto.encrypt(text)
    )
    return response


@pytest.fixture
def data(cast, settings):
    settings.SEIRE_RETENTION_DAYS = {
        "feedback_text": 365,
        "contact": 90,
        "episodes": 1826,
        "audit": 2557,
    }
    old = _response(cast, TODAY - timedelta(days=400))  # text and contact both go
    middle = _response(cast, TODAY - timedelta(days=100))  # only the contact goes
    new = _response(cast, TODAY - timedelta(days=10))  # everything stays
    gone = _episode(cast, "VS-OLD", CLIENT, date(2019, 1, 5), date(2020, 3, 1))
    from seire.feedback.channels import issue_invitation
    from seire.feedback.models import Survey

    issue_invitation(gone, Survey.objects.get(code="vs-client"), "sms")
    _episode(cast, "VS-NEW", CLIENT, date(2025, 1, 5), date(2025, 6, 1))
    _episode(cast, "VS-OPEN", OTHER, date(2018, 1, 5))  # open: kept however old
    with time_machine.travel(date(2018, 1, 1), tick=False):
        record(cast.ann, "view", cast.harju_vs, summary="long ago")
    record(cast.ann, "view", cast.harju_vs, summary="recent")
    return old, middle, new


def _report(capsys, *args):
    call_command("retention", "--today", TODAY.isoformat(), *args)
    lines = capsys.readouterr().out.splitlines()
    return {line.split()[0]: int(line.split()[-1]) for line in lines[1:5]}, lines


def _state():
    return (
        Answer.objects.exclude(text_encrypted="").count(),
        Response.objects.exclude(contact_encrypted="").count(),
        sorted(Episode.objects.values_list("source_id", flat=True)),
        sorted(AuditEvent.objects.values_list("summary", flat=True)),
    )


def test_a_dry_run_reports_what_would_go_and_changes_nothing(cast, data, capsys):
    before = _state()
    counts, lines = _report(capsys, "--dry-run")
    assert counts == {"feedback_text": 1, "contact": 2, "episodes": 1, "audit": 1}
    assert "would go" in lines[0] and lines[-1].startswith("dry run: 5 rows would go")
    assert _state() == before


def test_it_removes_what_is_past_its_retention_and_nothing_else(cast, data, capsys):
    old, middle, new = data
    counts, _ = _report(capsys)
    assert counts == {"feedback_text": 1, "contact": 2, "episodes": 1, "audit": 1}
    text = dict(
        Answer.objects.filter(question__type="text").values_list("response_id", "text_encrypted")
    )
    assert text[old.pk] == "" and text[middle.pk] and text[new.pk]
    # The redacted text in clear stays: statistics on the comments still work.
    assert Answer.objects.get(response=old, question__type="text").text_redacted
    contacts = dict(Response.objects.values_list("pk", "contact_encrypted"))
    assert contacts[old.pk] == "" and contacts[middle.pk] == "" and contacts[new.pk]
    assert sorted(Episode.objects.values_list("source_id", flat=True)) == ["VS-NEW", "VS-OPEN"]
    assert not Assessment.objects.filter(source_id="VS-OLD-in").exists()
    assert not Invitation.objects.exists()
    summaries = set(AuditEvent.objects.values_list("summary", flat=True))
    assert "long ago" not in summaries and "recent" in summaries
    assert "retention: 1 episodes (with assessments) before 2021-11-01" in summaries


def test_it_is_idempotent(cast, data, capsys):
    _report(capsys)
    after = _state()
    counts, _ = _report(capsys)
    assert counts == {"feedback_text": 0, "contact": 0, "episodes": 0, "audit": 0}
    assert _state() == after


def test_zero_days_keeps_a_kind_for_ever(cast, data, settings, capsys):
    settings.SEIRE_RETENTION_DAYS = {**settings.SEIRE_RETENTION_DAYS, "episodes": 0}
    counts, lines = _report(capsys)
    assert counts["episodes"] == 0
    assert any("for ever" in line for line in lines)
    assert Episode.objects.count() == 3


def test_it_exports_a_clients_episodes_and_assessments(cast, data, tmp_path, capsys):
    target = tmp_path / "client.json"
    call_command("client_export", CLIENT, "--output", str(target), "--reason", "request 12")
    exported = json.loads(target.read_text())
    assert [e["source_id"] for e in exported["episodes"]] == ["VS-OLD", "VS-NEW"]
    assert exported["episodes"][0]["assessments"][0]["items"] == [3, 3, 2, 4, 1]
    assert exported["episodes"][0]["unit"] == "HARJU-VS"
    assert "not linked to clients by design" in exported["feedback"]
    assert "not linked to clients" in capsys.readouterr().err
    event = AuditEvent.objects.get(action="export", object_id=CLIENT)
    assert event.reason == "request 12" and "2 episodes" in event.summary


def test_it_finds_the_key_of_an_identifier(cast, data, capsys):
    key = pseudonymise("49001010006")
    _episode(cast, "VS-ID", key, date(2026, 1, 5))
    call_command("client_export", " 49001010006 ", "--identifier")
    out = capsys.readouterr().out
    assert json.loads(out)["client_key"] == key
    assert "49001010006" not in out
    assert not AuditEvent.objects.filter(summary__contains="49001010006").exists()


def test_it_erases_a_client_and_only_that_client(cast, data, capsys):
    call_command("client_erase", CLIENT, "--dry-run")
    assert "2 episodes and 2 assessments would be deleted" in capsys.readouterr().out
    assert Episode.objects.filter(client_key=CLIENT).count() == 2
    call_command("client_erase", CLIENT, "--yes", "--reason", "request 13")
    out = capsys.readouterr().out
    assert "2 episodes and 2 assessments deleted" in out
    assert "not linked to clients by design" in out
    assert not Episode.objects.filter(client_key=CLIENT).exists()
    assert not Assessment.objects.filter(episode__client_key=CLIENT).exists()
    assert Episode.objects.filter(client_key=OTHER).count() == 1
    assert Response.objects.count() == 3  # feedback is not the client's: untouched
    assert AuditEvent.objects.get(action="delete", object_id=CLIENT).reason == "request 13"
    call_command("client_erase", CLIENT, "--yes")  # again: nothing left, no error
    assert "nothing deleted" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["49001010006", "--yes"], "not a client key"),
        (["ck1_123", "--yes"], "not a client key"),
        (["   ", "--identifier", "--yes"], "empty identifier"),
    ],
)
def test_it_refuses_what_is_not_a_client_key(cast, data, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("client_erase", *args)
    assert Episode.objects.count() == 3


def test_erasure_needs_yes_or_dry_run(cast, data):
    with pytest.raises(CommandError):
        call_command("client_erase", CLIENT)
    assert Episode.objects.count() == 3
