"""`recompute_affected`: only the metrics reading what changed, from the first period changed."""

from datetime import date
from decimal import Decimal

import pytest

from seire.catalogue.loader import load_catalogue
from seire.collection.models import DataElement, DataValue, Episode, OptionCombo
from seire.metrics.engine import compute
from seire.metrics.models import Metric, MetricValue
from seire.metrics.recompute import earliest, recompute_affected


def value(code: str, period: str, unit) -> MetricValue:
    version = Metric.objects.get(code=code).current_version()
    return MetricValue.objects.get(version=version, period=period, unit=unit, breakdown="")


def cell(unit, element: str, period: str, number: int, combo: str = "total") -> DataValue:
    element = DataElement.objects.get(dataset__code="SAK_MONTHLY", code=element)
    combo = OptionCombo.objects.get(disaggregation=element.disaggregation, code=combo)
    return DataValue.objects.create(
        element=element, combo=combo, unit=unit, period=period, value=Decimal(number)
    )


def episode(cast, n: int, client: str, opened: date, closed: date | None = None) -> Episode:
    return Episode.objects.create(
        source_id=f"E{n}", client_key=client, service=cast.vs, unit=cast.harju_vs,
        county=cast.harju, opened=opened, closed=closed, crime_type="domestic_violence",
        gender="female", age_group="26-35", referral_source="police",
    )  # fmt: skip


@pytest.fixture
def computed(cast):
    load_catalogue()
    for period, acute, forensic in (("2026M01", 10, 8), ("2026M04", 10, 9)):
        cell(cast.tartu_wsc, "ACUTE", period, acute)
        cell(cast.tartu_wsc, "FORENSIC_7D", period, forensic)
    episode(cast, 1, "a", date(2025, 3, 1), closed=date(2025, 11, 1))
    episode(cast, 2, "b", date(2026, 4, 2))
    compute()
    return cast


def test_it_recomputes_the_metrics_of_a_dataset_from_the_period_changed(computed):
    first_quarter = value("SAK_FORENSIC_7D", "2026Q1", computed.tartu_wsc)
    clients = value("VS_CLIENTS", "2026Q2", computed.harju_vs)
    DataValue.objects.filter(element__code="FORENSIC_7D", period="2026M04").update(value=5)
    result = recompute_affected(dataset="SAK_MONTHLY", periods=["2026M04"])
    # the SAK metrics, and DC_ON_TIME, whose submissions of every dataset may have changed
    assert set(result) == {"SAK_ACUTE_SHARE", "SAK_FORENSIC_7D", "DC_ON_TIME"}
    assert value("SAK_FORENSIC_7D", "2026Q2", computed.tartu_wsc).value == 50
    assert value("SAK_FORENSIC_7D", "2026Q1", computed.tartu_wsc).pk == first_quarter.pk
    assert value("VS_CLIENTS", "2026Q2", computed.harju_vs).pk == clients.pk  # untouched


def test_it_recomputes_the_episode_metrics_after_an_import(computed):
    march = value("VS_CLIENTS", "2025Q1", computed.estonia)
    assert value("VS_REPEAT_12M", "2025", computed.estonia).value == 0
    episode(computed, 3, "a", date(2026, 5, 4))  # client a comes back 6 months after closing
    result = recompute_affected(episodes=True, periods=[date(2026, 5, 4)])
    assert "VS_CLIENTS" in result and "OUT_COPING" in result and "WSC_CLIENTS" not in result
    assert value("VS_CLIENTS", "2026Q2", computed.estonia).value == 2
    assert value("VS_CLIENTS", "2025Q1", computed.estonia).pk == march.pk
    # a return within a year reaches back to the year of closing
    assert value("VS_REPEAT_12M", "2025", computed.estonia).value == 100


def test_it_recomputes_everything_affected_without_periods(computed):
    clients = value("VS_CLIENTS", "2025Q1", computed.estonia)
    recompute_affected(episodes=True)
    assert value("VS_CLIENTS", "2025Q1", computed.estonia).pk != clients.pk


def test_earliest_takes_codes_and_dates():
    assert earliest(["2026Q2", date(2026, 2, 14), "2026M03"]) == "2026M02"
    assert earliest(["2025", "2026M01"]) == "2025"
    assert earliest(None) is None
