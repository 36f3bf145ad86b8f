"""The register's pages: recording an inquiry, its due date, editing, overdue marks, audit."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from seire.access.models import AuditEvent
from seire.inquiries.models import Inquiry
from tests.inquiries.builders import make_inquiry

NEW = {
    "requester_name": "Jaan Tamm",
    "organisation": "Eesti Päevaleht",
    "contact": "jaan@example.ee",
    "requester_type": "media",
    "channel": "email",
    "received_on": "2026-02-20",
    "legal_basis": "information_request",
    "due_date": "",
    "status": "received",
    "question": "Mitu perevägivalla ohvrit pöördus ohvriabisse 2025. aastal?",
}


@pytest.fixture
def ann(client, cast):
    client.force_login(cast.ann)
    return client


def test_it_records_an_inquiry_with_the_due_date_its_basis_implies(ann):
    response = ann.post(reverse("inquiries:create"), NEW)
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    # five working days after Friday 20 Feb 2026, skipping Independence Day (Tue 24 Feb)
    assert inquiry.due_date == inquiry.first_due == date(2026, 3, 2)
    assert AuditEvent.objects.filter(action="create", object_id=str(inquiry.pk)).exists()


def test_a_due_date_given_by_hand_is_kept(ann):
    ann.post(reverse("inquiries:create"), NEW | {"due_date": "2026-02-27"})
    assert Inquiry.objects.get().due_date == date(2026, 2, 27)


def test_a_request_for_explanation_gets_thirty_days(ann):
    ann.post(reverse("inquiries:create"), NEW | {"legal_basis": "explanation_request",
                                                 "received_on": "2026-11-25"})  # fmt: skip
    assert Inquiry.objects.get().due_date == date(2026, 12, 28)  # 25 Dec is Christmas Day


def test_it_refuses_a_refusal_without_a_reason(ann, inquiry):
    data = NEW | {"status": "refused", "closed_on": "2026-03-03", "version": inquiry.version}
    response = ann.post(reverse("inquiries:edit", args=[inquiry.pk]), data)
    assert response.status_code == 200
    assert "status_reason" in response.context["form"].errors
    inquiry.refresh_from_db()
    assert inquiry.status == "received"


def test_an_extension_needs_a_reason_and_a_later_date(ann, inquiry):
    url = reverse("inquiries:edit", args=[inquiry.pk])
    base = NEW | {"received_on": "2026-03-02", "status": "extended", "version": inquiry.version}
    response = ann.post(url, base | {"status_reason": "Vaja andmeid partneritelt",
                                     "due_date": inquiry.due_date.isoformat()})  # fmt: skip
    assert "due_date" in response.context["form"].errors
    response = ann.post(url, base | {"status_reason": "Vaja andmeid partneritelt",
                                     "due_date": "2026-03-20"})  # fmt: skip
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.due_date) == ("extended", date(2026, 3, 20))
    assert inquiry.first_due == date(2026, 3, 9)


def test_an_answer_needs_the_day_it_was_sent(ann, inquiry):
    data = NEW | {"status": "answered", "answer": "Vastus", "version": inquiry.version}
    response = ann.post(reverse("inquiries:edit", args=[inquiry.pk]), data)
    assert "closed_on" in response.context["form"].errors


def test_the_edit_is_audited_with_old_and_new(ann, inquiry):
    data = NEW | {"received_on": "2026-03-02", "status": "in_progress", "version": 1}
    ann.post(reverse("inquiries:edit", args=[inquiry.pk]), data)
    event = AuditEvent.objects.get(action="update", object_id=str(inquiry.pk))
    assert event.changes["status"] == ["received", "in_progress"]


@time_machine.travel("2026-03-20 10:00 +02:00", tick=False)
def test_overdue_inquiries_are_marked_and_can_be_listed_alone(ann):
    late = make_inquiry(received_on=date(2026, 3, 2))  # due 9 March
    make_inquiry(received_on=date(2026, 3, 18))  # due 25 March
    make_inquiry(
        received_on=date(2026, 3, 2), status="answered", closed_on=date(2026, 3, 12)
    )  # answered late, not overdue
    page = ann.get(reverse("inquiries:index"))
    assert page.content.decode().count('class="state--overdue"') == 1
    only = ann.get(reverse("inquiries:index"), {"overdue": "on"})
    assert [i.pk for i in only.context["inquiries"]] == [late.pk]


def test_the_list_filters_by_requester_type_and_text(ann):
    media = make_inquiry(requester_type="media", question="Perevägivald Tartus")
    make_inquiry(requester_type="ministry")
    page = ann.get(reverse("inquiries:index"), {"requester_type": "media"})
    assert [i.pk for i in page.context["inquiries"]] == [media.pk]
    page = ann.get(reverse("inquiries:index"), {"q": "tartu"})
    assert [i.pk for i in page.context["inquiries"]] == [media.pk]


def test_viewing_the_register_and_an_inquiry_is_audited(ann, inquiry):
    ann.get(reverse("inquiries:index"))
    ann.get(reverse("inquiries:detail", args=[inquiry.pk]))
    views = AuditEvent.objects.filter(action="view", object_type="inquiries.inquiry")
    assert views.count() == 2
    assert views.filter(object_id=str(inquiry.pk)).exists()


@pytest.mark.parametrize("persona", ["paul", "olev", "mari", "rein"])
def test_only_the_analyst_sees_the_register(client, cast, inquiry, persona):
    client.force_login(getattr(cast, persona))
    assert client.get(reverse("inquiries:index")).status_code == 403
    assert client.get(reverse("inquiries:detail", args=[inquiry.pk])).status_code == 403
    response = client.post(reverse("inquiries:edit", args=[inquiry.pk]), NEW | {"version": 1})
    assert response.status_code == 403
    inquiry.refresh_from_db()
    assert inquiry.requester_type == "ministry"


def test_related_inquiries_are_linked_both_ways(ann, inquiry):
    other = make_inquiry(requester_type="media")
    data = NEW | {"received_on": "2026-03-02", "related": [other.pk], "version": 1}
    ann.post(reverse("inquiries:edit", args=[inquiry.pk]), data)
    assert list(other.related.all()) == [inquiry]


def test_the_audit_log_says_that_personal_data_changed_not_what(ann, inquiry):
    data = NEW | {"received_on": "2026-03-02", "contact": "uus@example.ee", "version": 1}
    ann.post(reverse("inquiries:edit", args=[inquiry.pk]), data)
    event = AuditEvent.objects.get(action="update", object_id=str(inquiry.pk))
    assert event.changes["contact"] == ["…", "…"]
    assert "uus@example.ee" not in str(event.changes)
