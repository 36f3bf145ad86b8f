"""The audit trail records writes and cannot be rewritten."""

import pytest
from django.urls import reverse

from seire.access.audit import record
from seire.access.models import AuditEvent
from seire.organisation.models import Service


def test_it_cannot_change_or_delete_an_audit_event(cast):
    event = record(cast.ann, "view", cast.harju_vs, reason="checking the county")
    event.summary = "something else"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.update(summary="x")
    event.refresh_from_db()
    assert event.reason == "checking the county"


def test_it_audits_a_change_made_in_the_admin_with_old_and_new_values(client, cast):
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    url = reverse("admin:organisation_service_change", args=[cast.vs.pk])
    form = {
        "code": "VS",
        "name_et": "Ohvriabi",
        "name_en": "General victim support",
        "description_et": "",
        "description_en": "",
        "reference": "",
        "active": "on",
        "providers-TOTAL_FORMS": "0",
        "providers-INITIAL_FORMS": "0",
        "responsibilities-TOTAL_FORMS": "0",
        "responsibilities-INITIAL_FORMS": "0",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Service.objects.get(code="VS").name_et == "Ohvriabi"
    event = AuditEvent.objects.get(object_type="organisation.service", action="update")
    assert event.actor == cast.ann
    assert event.channel == "admin"
    assert event.changes == {"name_et": ["Ohvriabiteenus", "Ohvriabi"]}


def test_it_shows_audit_events_read_only_to_the_analyst(client, cast):
    event = record(cast.paul, "export", cast.harju_vs)
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("admin:access_auditevent_change", args=[event.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    response = client.post(
        reverse("admin:access_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
