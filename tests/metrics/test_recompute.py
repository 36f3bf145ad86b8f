"""`recompute_affected`: only the metrics reading what changed, from the first period changed."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from seire.access.pseudonyms import pseudonymise
from seire.catalogue.loader import load_catalogue
from seire.collection.episodes import import_episodes
from seire.collection.models import DataElement, Dataset, DataValue, Episode, OptionCombo
from seire.collection.workflow import get_submission, submit
from seire.metrics.engine import compute
from seire.metrics.models import Metric, MetricValue
from seire.metrics.recompute import earliest, recompute_affected, recompute_task
from tests.collection import test_episodes as extracts


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
    # changes no one reported: they show only where the metrics are recomputed
    DataValue.objects.filter(element__code="FORENSIC_7D", period="2026M01").update(value=1)
    episode(computed, 3, "c", date(2026, 5, 4))
    result = recompute_affected(dataset="SAK_MONTHLY", periods=["2026M04"])
    # the SAK metrics, and DC_ON_TIME, whose submissions of every dataset may have changed
    assert set(result) == {"SAK_ACUTE_SHARE", "SAK_FORENSIC_7D", "DC_ON_TIME"}
    assert value("SAK_FORENSIC_7D", "2026Q2", computed.tartu_wsc).value == 50
    # untouched: the quarter before the change, and the metrics of episodes
    kept = value("SAK_FORENSIC_7D", "2026Q1", computed.tartu_wsc)
    assert (kept.pk, kept.value, kept.computed_at) == (
        first_quarter.pk,
        first_quarter.value,
        first_quarter.computed_at,
    )
    kept = value("VS_CLIENTS", "2026Q2", computed.harju_vs)
    assert (kept.pk, kept.value) == (clients.pk, clients.value) == (clients.pk, 1)


def test_it_recomputes_the_episode_metrics_after_an_import(computed):
    march = value("VS_CLIENTS", "2025Q1", computed.estonia)
    assert value("VS_REPEAT_12M", "2025", computed.estonia).value == 0
    episode(computed, 4, "d", date(2025, 2, 1))  # not reported: shows where it recomputes
    episode(computed, 3, "a", date(2026, 5, 4))  # client a comes back 6 months after closing
    result = recompute_affected(episodes=True, periods=[date(2026, 5, 4)])
    assert "VS_CLIENTS" in result and "OUT_COPING" in result and "WSC_CLIENTS" not in result
    assert value("VS_CLIENTS", "2026Q2", computed.estonia).value == 2
    kept = value("VS_CLIENTS", "2025Q1", computed.estonia)  # before the change: untouched
    assert (kept.pk, kept.value, kept.computed_at) == (march.pk, 1, march.computed_at)
    # a return within a year reaches back to the year of closing
    assert value("VS_REPEAT_12M", "2025", computed.estonia).value == 100


def test_it_recomputes_everything_affected_without_periods(computed):
    clients = value("VS_CLIENTS", "2025Q1", computed.estonia)
    assert clients.value == 1
    episode(computed, 4, "c", date(2025, 2, 10))
    recompute_affected(episodes=True)
    again = value("VS_CLIENTS", "2025Q1", computed.estonia)
    assert again.value == 2 and again.computed_at > clients.computed_at


def test_earliest_takes_codes_and_dates():
    assert earliest(["2026Q2", date(2026, 2, 14), "2026M03"]) == "2026M02"
    assert earliest(["2025", "2026M01"]) == "2025"
    assert earliest(None) is None


# -- wired: a change of data recomputes its metrics once it commits -------------------------
@pytest.fixture
def wsc_grid(cast, client):
    """Ann (analyst) at the WSC_MONTHLY grid of Tartu's women's centre for March 2026, with
    the catalogue loaded and every metric computed over an empty database."""
    load_catalogue()
    compute()
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    dataset = Dataset.objects.get(code="WSC_MONTHLY")
    url = reverse("collection:grid", args=["WSC_MONTHLY", cast.tartu_wsc.pk, "2026M03"])

    def post(nights: str, versions: int = 0):
        """Save the grid with `nights` shelter nights and every other cell blank."""
        data = {}
        for element in dataset.elements.all():
            for combo in element.disaggregation.combos.all():
                key = f"{element.pk}-{combo.pk}"
                data[f"v-{key}"] = nights if element.code == "SHELTER_NIGHTS" else ""
                data[f"ver-{key}"] = versions if element.code == "SHELTER_NIGHTS" else 0
        return client.post(url, data)

    with time_machine.travel("2026-04-05 12:00 +03:00", tick=False):
        yield post


def nights(unit) -> Decimal | None:
    version = Metric.objects.get(code="WSC_SHELTER_NIGHTS").current_version()
    found = MetricValue.objects.filter(version=version, period="2026Q1", unit=unit, breakdown="")
    return found.values_list("value", flat=True).first()


def test_saving_the_grid_recomputes_the_metrics_reading_the_table(
    wsc_grid, cast, django_capture_on_commit_callbacks
):
    assert nights(cast.tartu_wsc) is None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        wsc_grid("12")
    assert len(callbacks) == 1  # one recomputation for the whole form
    assert nights(cast.tartu_wsc) == 12
    assert nights(cast.estonia) == 12  # rolled up the tree
    with django_capture_on_commit_callbacks(execute=True):
        wsc_grid("30", versions=1)
    assert nights(cast.tartu_wsc) == nights(cast.tartu) == 30


def test_a_refused_save_schedules_nothing(wsc_grid, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = wsc_grid("-4")
    assert response.status_code == 200 and "-4" in response.content.decode()
    assert callbacks == [] and not DataValue.objects.exists()
    assert nights(cast.tartu_wsc) is None


def test_importing_episodes_recomputes_the_episode_metrics(
    cast, django_capture_on_commit_callbacks
):
    load_catalogue()
    compute()
    clients = Metric.objects.get(code="VS_CLIENTS").current_version()
    assert not MetricValue.objects.filter(version=clients, period="2024Q1").exists()
    later = {"opened": "2024-03-03", "first_contact": "2024-03-04", "closed": ""}
    again = {"client_key": pseudonymise("client-E1"), **later}
    rows = [extracts.episode("E1"), extracts.episode("E2", **later)]
    extract = extracts.csv_bytes([*rows, extracts.episode("E3", **again)])
    with django_capture_on_commit_callbacks(execute=True):
        import_episodes(cast.ann, extract, "extract.csv")
    quarter = MetricValue.objects.get(
        version=clients, period="2024Q1", unit=cast.estonia, breakdown=""
    )
    assert quarter.value == 2  # two distinct clients opened an episode in the quarter


def test_a_submission_step_recomputes_the_timeliness_metric(
    wsc_grid, cast, django_capture_on_commit_callbacks
):
    on_time = Metric.objects.get(code="DC_ON_TIME").current_version()
    before = MetricValue.objects.filter(version=on_time, unit=cast.tartu_wsc).count()
    dataset = Dataset.objects.get(code="WSC_MONTHLY")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit(cast.ann, get_submission(dataset, cast.tartu_wsc, "2026M03"))
    assert len(callbacks) == 1
    assert MetricValue.objects.filter(version=on_time, unit=cast.tartu_wsc).count() > before


def test_the_task_is_a_django_task_run_by_the_configured_backend(computed):
    result = recompute_task.enqueue(dataset="SAK_MONTHLY", periods=["2026M04"])
    assert result.status == "SUCCESSFUL"
    assert result.return_value["SAK_FORENSIC_7D"] > 0
