"""Two people edit the same inquiry: the second save is refused and overwrites nothing."""

from django.urls import reverse

from seire.access.models import AuditEvent
from seire.inquiries.models import Inquiry

FORM = {
    "requester_name": "Mari Maasikas",
    "requester_type": "ministry",
    "channel": "email",
    "received_on": "2026-03-02",
    "legal_basis": "information_request",
    "due_date": "2026-03-09",
    "status": "in_progress",
    "question": "Mitu ohvriabi klienti oli Harjumaal 2025. aastal?",
}


def test_the_second_save_from_the_same_version_is_refused(client, cast, inquiry):
    client.force_login(cast.ann)
    url = reverse("inquiries:edit", args=[inquiry.pk])
    opened = client.get(url).context["form"]["version"].value()
    first = client.post(url, FORM | {"answer": "Esimene vastus", "version": opened})
    assert first.status_code == 302
    second = client.post(url, FORM | {"answer": "Teine vastus", "version": opened})
    assert second.status_code == 409
    assert "Someone else saved this inquiry" in second.content.decode() or (
        "salvestas" in second.content.decode()
    )
    inquiry.refresh_from_db()
    assert (inquiry.answer, inquiry.version) == ("Esimene vastus", 2)
    assert AuditEvent.objects.filter(action="update", object_id=str(inquiry.pk)).count() == 1


def test_a_save_from_the_current_version_goes_through(client, cast, inquiry):
    client.force_login(cast.ann)
    url = reverse("inquiries:edit", args=[inquiry.pk])
    client.post(url, FORM | {"answer": "Üks", "version": 1})
    client.post(url, FORM | {"answer": "Kaks", "version": 2})
    assert Inquiry.objects.get().answer == "Kaks"


def test_a_form_without_its_version_changes_nothing(client, cast, inquiry):
    client.force_login(cast.ann)
    response = client.post(reverse("inquiries:edit", args=[inquiry.pk]), FORM | {"answer": "X"})
    assert response.status_code == 409
    assert Inquiry.objects.get().answer == ""
