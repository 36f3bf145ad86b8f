"""The change-proposal workflow: propose (checked), backtest, accept as a new version, reject.

Olev owns general victim support (VS) and proposes that "new cases" count domestic
violence only; Ann, the analyst, decides. Oksana owns another service and Paul provides
VS: neither may propose. The backtest is checked against counts the test makes itself
from the records it created.
"""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from seire.access.models import AuditEvent
from seire.metrics import proposals
from seire.metrics.definitions import DefinitionError
from seire.metrics.engine import compute_version
from seire.metrics.models import ChangeProposal, MetricValue
from tests.metrics.proposal_data import DV, dv_definition, make_episodes, new_clients_metric

TODAY = date(2026, 7, 15)  # the last complete month is June 2026
LAST_EIGHT = [
    "2025M11",
    "2025M12",
    "2026M01",
    "2026M02",
    "2026M03",
    "2026M04",
    "2026M05",
    "2026M06",
]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def metric(cast):
    return new_clients_metric(cast)


@pytest.fixture
def records(cast):
    # Ten months up to the current one (July, in progress): two fall outside the backtest.
    return make_episodes(cast, "2026M07", months=10)


def proposed(cast, metric, who=None, rationale="Count domestic violence only."):
    return proposals.propose(who or cast.olev, metric, dv_definition(metric), rationale)


# -- proposing ------------------------------------------------------------------------------


def test_it_stores_a_proposal_against_the_current_version(cast, metric):
    proposal = proposed(cast, metric)
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.PROPOSED
    assert proposal.base_version == metric.current_version()
    assert proposal.definition["numerator"]["filter"] == [DV]
    assert proposal.proposed_by == cast.olev
    event = AuditEvent.objects.get(object_type="metrics.changeproposal", action="create")
    assert event.actor == cast.olev
    assert event.reason == "Count domestic violence only."


def test_it_refuses_a_definition_that_does_not_fit_the_source(cast, metric):
    definition = dv_definition(metric)
    definition["numerator"]["filter"] = [{"field": "colour", "op": "eq", "value": "red"}]
    definition["type"] = "percent"
    with pytest.raises(DefinitionError) as refused:
        proposals.propose(cast.olev, metric, definition, "Because.")
    assert "a percent needs a denominator" in refused.value.messages
    assert any(
        m.startswith("numerator filter 1: unknown field “colour”") for m in refused.value.messages
    )
    assert not ChangeProposal.objects.exists()


def test_it_refuses_a_proposal_without_a_rationale(cast, metric):
    with pytest.raises(proposals.Refused, match="rationale"):
        proposed(cast, metric, rationale="  ")


def test_it_refuses_a_proposal_that_changes_nothing(cast, metric):
    definition = proposals.definition_of(metric.current_version())
    with pytest.raises(DefinitionError, match="current definition"):
        proposals.propose(cast.olev, metric, definition, "No change.")


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("owner_x", True),
        ("analyst", True),
        ("owner_y", False),
        ("provider_a", False),
        ("manager", False),
        ("no_role", False),
    ],
)
def test_it_lets_the_services_owners_and_the_analyst_propose(cast, metric, persona, allowed):
    user = cast.personas[persona]
    if allowed:
        assert proposed(cast, metric, who=user).proposed_by == user
    else:
        with pytest.raises(PermissionDenied):
            proposed(cast, metric, who=user)


# -- the backtest ---------------------------------------------------------------------------


def test_it_backtests_both_definitions_over_the_last_eight_months(cast, metric, records):
    table = proposals.backtest(proposed(cast, metric), today=TODAY)
    assert table.periods == LAST_EIGHT

    def counted(counties, dv_only):
        return Counter(
            r.month
            for r in records
            if r.county in counties and (not dv_only or r.crime_type == "domestic_violence")
        )

    def shown(unit_table):
        return (
            [row.old.value for row in unit_table.rows],
            [row.new.value for row in unit_table.rows],
            [row.difference for row in unit_table.rows],
        )

    everywhere = {"HARJU", "TARTU"}
    old, new, difference = shown(table.total)
    assert table.total.unit == cast.estonia
    assert old == [counted(everywhere, False)[m] for m in LAST_EIGHT]
    assert new == [counted(everywhere, True)[m] for m in LAST_EIGHT]
    assert difference == [n - o for n, o in zip(new, old, strict=True)]
    assert [t.unit for t in table.areas] == [cast.louna, cast.tartu, cast.pohja, cast.harju]
    for area in table.areas:
        counties = {"TARTU"} if area.unit in (cast.louna, cast.tartu) else {"HARJU"}
        old, new, difference = shown(area)
        assert old == [counted(counties, False)[m] for m in LAST_EIGHT], area.unit
        assert new == [counted(counties, True)[m] for m in LAST_EIGHT], area.unit
        assert difference == [n - o for n, o in zip(new, old, strict=True)]
    # Spot check by hand: June 2026 is the ninth month (i = 8): Harju 8 % 3 + 1 = 3 DV + 2
    # others, Tartu 8 % 2 = 0 DV + 1 other.
    june = table.total.rows[-1]
    assert (june.old.value, june.new.value, june.difference) == (6, 3, -3)


def test_it_stores_nothing_when_backtesting(cast, metric, records):
    proposals.backtest(proposed(cast, metric), today=TODAY)
    assert not MetricValue.objects.exists()


def test_it_backtests_only_the_units_it_is_given(cast, metric, records):
    from seire.organisation.models import OrgUnit

    table = proposals.backtest(
        proposed(cast, metric),
        today=TODAY,
        units=OrgUnit.objects.filter(path__startswith="EE/LOUNA/"),
    )
    assert table.total is None
    assert [t.unit for t in table.areas] == [cast.louna, cast.tartu]


def test_it_compares_at_the_proposed_frequency_when_it_changes(cast, metric, records):
    definition = {**dv_definition(metric), "frequency": "Q"}
    proposal = proposals.propose(cast.olev, metric, definition, "Quarterly is enough.")
    table = proposals.backtest(proposal, periods=2, today=TODAY)
    assert table.frequency_changed
    assert table.periods == ["2026Q1", "2026Q2"]
    quarter = [r for r in records if r.month in ("2026M04", "2026M05", "2026M06")]
    assert table.total.rows[-1].old.value == len(quarter)


# -- deciding -------------------------------------------------------------------------------


def test_it_accepts_a_proposal_as_version_two_and_keeps_version_one(cast, metric, records):
    first = metric.current_version()
    compute_version(first)
    first_values = list(MetricValue.objects.filter(version=first).values_list("pk", "value"))
    proposal = proposed(cast, metric)

    version = proposals.accept(cast.ann, proposal, "2026M07")

    assert (version.version, version.effective_from) == (2, "2026M07")
    assert version.rationale == "Count domestic violence only."
    assert version.created_by == cast.ann
    assert version.numerator["filter"] == [DV]
    first.refresh_from_db()
    assert first.numerator["filter"] == []
    assert (
        list(MetricValue.objects.filter(version=first).values_list("pk", "value")) == first_values
    )
    june = MetricValue.objects.get(
        version=version, period="2026M06", unit=cast.estonia, breakdown=""
    )
    assert june.value == Decimal(3)  # computed at once
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.ACCEPTED
    assert (proposal.created_version, proposal.decided_by) == (version, cast.ann)
    assert metric.current_version() == version
    assert AuditEvent.objects.filter(object_type="metrics.metricversion", action="create").exists()
    assert AuditEvent.objects.filter(
        object_type="metrics.changeproposal", object_id=str(proposal.pk), action="update"
    ).exists()


def test_it_lets_only_the_analyst_decide(cast, metric):
    proposal = proposed(cast, metric)
    for user in (cast.olev, cast.oksana, cast.mari, cast.paul):
        with pytest.raises(PermissionDenied):
            proposals.accept(user, proposal, "2026M07")
        with pytest.raises(PermissionDenied):
            proposals.reject(user, proposal, "No.")
    proposal.refresh_from_db()
    assert proposal.is_open


def test_it_rejects_a_proposal_with_a_comment(cast, metric):
    proposal = proposals.reject(cast.ann, proposed(cast, metric), "Keep every crime type.")
    proposal.refresh_from_db()
    assert proposal.status == ChangeProposal.Status.REJECTED
    assert proposal.decision_comment == "Keep every crime type."
    assert metric.versions.count() == 1
    event = AuditEvent.objects.get(object_type="metrics.changeproposal", action="update")
    assert event.reason == "Keep every crime type."


def test_it_refuses_a_rejection_without_a_comment(cast, metric):
    with pytest.raises(proposals.Refused, match="comment"):
        proposals.reject(cast.ann, proposed(cast, metric), " ")


def test_it_refuses_to_decide_a_decided_proposal_again(cast, metric):
    proposal = proposed(cast, metric)
    proposals.accept(cast.ann, proposal, "2026M07")
    with pytest.raises(proposals.Refused, match="already"):
        proposals.reject(cast.ann, proposal, "Too late.")
    with pytest.raises(proposals.Refused, match="already"):
        proposals.accept(cast.ann, proposal, "2026M08")
    assert metric.versions.count() == 2


def test_it_refuses_a_proposal_overtaken_by_a_newer_version(cast, metric):
    first, second = proposed(cast, metric), proposed(cast, metric, who=cast.ann)
    proposals.accept(cast.ann, first, "2026M07")
    with pytest.raises(proposals.Refused, match="version 2"):
        proposals.accept(cast.ann, second, "2026M08")
    assert proposals.reject(cast.ann, second, "Overtaken.").status == "rejected"


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2026Q3", "choose a monthly period"),
        ("2026M13", "is not a period"),
        ("", "is not a period"),
    ],
)
def test_it_refuses_an_effective_period_that_does_not_fit(cast, metric, period, message):
    proposal = proposed(cast, metric)
    with pytest.raises(proposals.Refused, match=message):
        proposals.accept(cast.ann, proposal, period)
    assert metric.versions.count() == 1


def test_it_refuses_an_effective_period_before_the_current_versions(cast, metric):
    proposals.accept(cast.ann, proposed(cast, metric), "2026M07")
    later = proposals.propose(
        cast.olev,
        metric,
        {**proposals.definition_of(metric.current_version()), "min_n": 5},
        "Five is enough.",
    )
    with pytest.raises(proposals.Refused, match="choose a later period"):
        proposals.accept(cast.ann, later, "2026M06")
    assert proposals.accept(cast.ann, later, "2026M09").version == 3


def test_it_offers_effective_periods_after_the_current_versions(cast, metric):
    proposals.accept(cast.ann, proposed(cast, metric), "2026M07")
    later = proposals.propose(
        cast.olev,
        metric,
        {**proposals.definition_of(metric.current_version()), "min_n": 5},
        "Five is enough.",
    )
    choices = proposals.effective_choices(later, today=TODAY)
    assert choices[0] == "2026M08"
    assert choices[-1] == "2027M07"
