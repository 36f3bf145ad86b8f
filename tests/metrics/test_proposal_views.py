"""The change-proposal pages: the form, the proposal with its backtest, decisions, history.

Time is frozen in mid-July 2026, so the backtest covers November 2025 – June 2026.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from seire.metrics import proposals
from seire.metrics.forms import filter_rows, initial_from
from seire.metrics.models import ChangeProposal
from tests.metrics.proposal_data import dv_definition, make_episodes, new_clients_metric

NOW = datetime(2026, 7, 15, 10, 0, tzinfo=ZoneInfo("Europe/Tallinn"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def metric(cast):
    return new_clients_metric(cast)


@pytest.fixture
def proposal(cast, metric):
    return proposals.propose(cast.olev, metric, dv_definition(metric), "Count DV only.")


def signed_in(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def form_data(definition: dict, rationale: str) -> dict:
    """What a browser posts for `definition`: every field, empty ones as ""."""
    data = {}
    for name, value in initial_from(definition).items():
        data[name] = value if isinstance(value, list) else ("" if value is None else str(value))
    data["rationale"] = rationale
    return data


def test_it_shows_the_form_filled_with_the_current_definition(client, cast, metric):
    response = signed_in(client, cast.olev).get(reverse("metrics:propose", args=["VS_NEW"]))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["numerator_source"].value() == "episodes"
    assert form["numerator_date"].value() == "opened"
    assert form["type"].value() == "count"
    assert form.rows == 3


def test_it_stores_what_the_owner_posts(client, cast, metric):
    definition = dv_definition(metric)
    data = form_data(definition, "Count DV only.")
    rows = filter_rows(definition)
    assert data["numerator_f0_value"] == "domestic_violence"
    data[f"numerator_f{rows - 1}_field"] = "proactive_contact"
    data[f"numerator_f{rows - 1}_op"] = "eq"
    data[f"numerator_f{rows - 1}_value"] = "yes"
    response = signed_in(client, cast.olev).post(reverse("metrics:propose", args=["VS_NEW"]), data)
    stored = ChangeProposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics:proposal", args=[stored.pk])
    assert stored.definition["numerator"]["filter"] == [
        {"field": "crime_type", "op": "eq", "value": "domestic_violence"},
        {"field": "proactive_contact", "op": "eq", "value": True},
    ]
    assert stored.rationale == "Count DV only."


def test_it_shows_where_a_refused_definition_does_not_fit(client, cast, metric):
    data = form_data(dv_definition(metric), "Share instead of a count.")
    data.update(type="percent", numerator_f1_field="safety_plan", numerator_f1_value="maybe")
    response = signed_in(client, cast.olev).post(reverse("metrics:propose", args=["VS_NEW"]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "a percent needs a denominator" in html
    assert "numerator filter 2: safety_plan is bool, got &#x27;maybe&#x27;" in html
    assert not ChangeProposal.objects.exists()


def test_it_requires_a_rationale(client, cast, metric):
    data = form_data(dv_definition(metric), "")
    response = signed_in(client, cast.olev).post(reverse("metrics:propose", args=["VS_NEW"]), data)
    assert response.status_code == 200
    assert response.context["form"].errors["rationale"]
    assert not ChangeProposal.objects.exists()


def test_it_requires_the_owner_or_the_analyst_to_propose(client, cast, metric):
    url = reverse("metrics:propose", args=["VS_NEW"])
    data = form_data(dv_definition(metric), "Mine.")
    assert signed_in(client, cast.oksana).post(url, data).status_code == 403
    assert signed_in(client, cast.mari).get(url).status_code == 403
    assert not ChangeProposal.objects.exists()


def test_it_shows_both_definitions_and_the_backtest(client, cast, metric, proposal):
    make_episodes(cast, "2026M07", months=10)
    response = signed_in(client, cast.ann).get(reverse("metrics:proposal", args=[proposal.pk]))
    assert response.status_code == 200
    changed = [line.label for line in response.context["lines"] if line.changed]
    assert changed == ["filtreering"]  # the numerator's filter, in Estonian
    backtest = response.context["backtest"]
    assert backtest.periods[-1] == "2026M06"
    assert response.context["accept_form"] is not None
    html = response.content.decode()
    assert "crime_type = domestic_violence" in html
    assert "juuni 2026" in html


def test_it_offers_the_decision_only_to_the_analyst(client, cast, metric, proposal):
    response = signed_in(client, cast.olev).get(reverse("metrics:proposal", args=[proposal.pk]))
    assert response.status_code == 200
    assert response.context["accept_form"] is None
    assert reverse("metrics:proposal_accept", args=[proposal.pk]) not in response.content.decode()
    url = reverse("metrics:proposal_accept", args=[proposal.pk])
    assert client.post(url, {"effective_from": "2026M07"}).status_code == 403


def test_it_accepts_from_the_chosen_period(client, cast, metric, proposal):
    url = reverse("metrics:proposal_accept", args=[proposal.pk])
    response = signed_in(client, cast.ann).post(url, {"effective_from": "2026M08"})
    assert response.status_code == 302
    assert response["Location"] == reverse("metrics:history", args=["VS_NEW"])
    proposal.refresh_from_db()
    assert (proposal.status, proposal.effective_from) == ("accepted", "2026M08")
    history = client.get(response["Location"])
    assert [v.version for v in history.context["versions"]] == [2, 1]
    assert "august 2026" in history.content.decode()


def test_it_refuses_a_period_it_did_not_offer(client, cast, metric, proposal):
    url = reverse("metrics:proposal_accept", args=[proposal.pk])
    response = signed_in(client, cast.ann).post(url, {"effective_from": "2020M01"})
    assert response.status_code == 200
    assert response.context["accept_form"].errors["effective_from"]
    assert ChangeProposal.objects.get().is_open


def test_it_says_when_a_decision_came_too_late(client, cast, metric, proposal):
    url = reverse("metrics:proposal_accept", args=[proposal.pk])
    signed_in(client, cast.ann).post(url, {"effective_from": "2026M08"})
    response = client.post(
        reverse("metrics:proposal_reject", args=[proposal.pk]), {"comment": "No."}
    )
    assert response.status_code == 200
    assert "juba" in "".join(response.context["problems"])  # "already", in Estonian
    assert ChangeProposal.objects.get().status == "accepted"


def test_it_rejects_with_a_comment(client, cast, metric, proposal):
    url = reverse("metrics:proposal_reject", args=[proposal.pk])
    empty = signed_in(client, cast.ann).post(url, {"comment": ""})
    assert empty.status_code == 200 and empty.context["reject_form"].errors["comment"]
    response = client.post(url, {"comment": "Keep every crime type."})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Keep every crime type." in page
    assert ChangeProposal.objects.get().status == "rejected"


def test_it_lists_only_the_proposals_of_services_one_may_see(client, cast, metric, proposal):
    url = reverse("metrics:proposal_list")
    assert list(signed_in(client, cast.olev).get(url).context["proposals"]) == [proposal]
    assert list(signed_in(client, cast.oksana).get(url).context["proposals"]) == []
    assert list(signed_in(client, cast.ann).get(url).context["proposals"]) == [proposal]


def test_it_round_trips_every_catalogue_definition_through_the_form(db):
    from seire.catalogue.loader import load_catalogue
    from seire.metrics.forms import ProposalForm
    from seire.metrics.models import Metric

    load_catalogue()
    metrics = Metric.objects.prefetch_related("versions")
    assert metrics.count() > 10
    for metric in metrics:
        current = proposals.definition_of(metric.current_version())
        form = ProposalForm(form_data(current, "Same."), rows=filter_rows(current))
        assert form.is_valid(), (metric.code, form.errors)
        assert proposals.normalised(form.definition()) == current, metric.code
