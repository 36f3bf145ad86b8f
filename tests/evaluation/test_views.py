"""The evaluation pages: who may read which report, what they show, audit, PDFs."""

import pytest
from django.urls import reverse

from seire.access.models import AuditEvent
from seire.evaluation.models import AnalysisPlan
from tests.evaluation.data import instruments, ux_data, vs_plan

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.get(url)


def test_it_shows_the_impact_report_to_the_owner_and_audits_it(client, cast, plan):
    response = _get(client, cast.olev, reverse("evaluation:impact", args=[plan.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "VS wellbeing 2025" in text
    assert "data-chart-spec" in text  # the charts are specs drawn by vega-embed
    assert "<script>" not in text.replace('<script type="application/json"', "")
    event = AuditEvent.objects.get(object_type="evaluation.analysisplan", action="view")
    assert event.actor == cast.olev


def test_it_never_shows_the_numbers_of_a_small_subgroup(client, cast, plan):
    with_other = reverse("evaluation:impact", args=[plan.pk])
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    text = client.get(with_other, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "fewer than 10 clients" in text
    row = text[text.index("other or unknown") :][:600]
    assert '<td class="num">3</td>' not in row and "n = 3" not in row


def test_it_refuses_the_report_to_providers(client, cast, plan):
    response = _get(client, cast.paul, reverse("evaluation:impact", args=[plan.pk]))
    assert response.status_code == 403


def test_an_unlocked_plan_shows_the_plan_not_the_numbers(client, cast):
    instruments()
    plan = vs_plan(cast, locked=False)
    response = _get(client, cast.ann, reverse("evaluation:impact", args=[plan.pk]))
    assert response.status_code == 200
    assert "evaluation/plan.html" in [t.name for t in response.templates]


def test_the_analyst_writes_and_locks_a_plan(client, cast):
    instruments()
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    from seire.evaluation.models import Instrument

    response = client.post(
        reverse("evaluation:plan_new"),
        {
            "title": "Safety 2025",
            "service": cast.vs.pk,
            "first_period": "2025q1",
            "last_period": "2025Q4",
            "instrument": Instrument.objects.get(code="SAFETY").pk,
            "timepoints": "intake-exit",
            "primary_outcome": "mean_change",
            "subgroups": ["gender"],
            "minimum_n": 10,
        },
    )
    plan = AnalysisPlan.objects.get(title="Safety 2025")
    assert response.status_code == 302
    assert plan.first_period == "2025Q1" and not plan.locked
    client.post(reverse("evaluation:plan_lock", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.locked and plan.locked_by == cast.ann


def test_a_plan_with_a_period_out_of_order_is_refused(client, cast):
    instruments()
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    from seire.evaluation.models import Instrument

    response = client.post(
        reverse("evaluation:plan_new"),
        {
            "title": "Backwards",
            "first_period": "2025Q4",
            "last_period": "2025Q1",
            "instrument": Instrument.objects.get(code="WHO5").pk,
            "timepoints": "intake-exit",
            "primary_outcome": "cutoff_crossing",
            "minimum_n": 2,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"last_period", "minimum_n"}
    assert not AnalysisPlan.objects.exists()


def test_a_locked_plan_cannot_change(cast, plan):
    from seire.evaluation.models import LockedPlanError

    plan.minimum_n = 5
    with pytest.raises(LockedPlanError):
        plan.save()


def test_the_ux_report_renders_and_is_audited(client, cast):
    ux_data(cast)
    url = reverse("evaluation:ux", args=["VS"]) + "?period=2025Q1"
    response = _get(client, cast.mari, url)
    assert response.status_code == 200
    assert response.context["many_tests"]
    assert AuditEvent.objects.filter(object_type="organisation.service", action="view").exists()


def test_the_ux_report_of_a_bad_period_is_not_found(client, cast):
    response = _get(client, cast.ann, reverse("evaluation:ux", args=["VS"]) + "?period=2025Q7")
    assert response.status_code == 404


def test_the_impact_report_comes_as_a_pdf(client, cast, plan):
    response = _get(client, cast.ann, reverse("evaluation:impact", args=[plan.pk]) + "?format=pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="export").exists()


def test_the_index_form_leads_to_the_chosen_services_report(client, cast):
    response = _get(client, cast.olev, reverse("evaluation:index") + "?service=VS&period=2025Q1")
    assert response.status_code == 302
    assert response["Location"] == reverse("evaluation:ux", args=["VS"]) + "?period=2025Q1"


def test_an_owner_may_not_read_a_unit_outside_their_service(client, cast):
    url = reverse("evaluation:ux", args=["VS"]) + "?period=2025Q1&unit=TARTU-WSC"
    assert _get(client, cast.olev, url).status_code == 403
    url = reverse("evaluation:ux", args=["VS"]) + "?period=2025Q1&unit=TARTU-VS"
    assert _get(client, cast.olev, url).status_code == 200


def test_a_service_code_that_is_no_code_is_not_found(client, cast):
    response = _get(client, cast.ann, reverse("evaluation:index") + "?service=a%20b/c")
    assert response.status_code == 404
