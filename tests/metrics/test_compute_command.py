"""`seire compute [--metric CODE ...] [--from PERIOD]`: outcomes first, then the metrics."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from seire.catalogue.loader import load_catalogue
from seire.collection.models import Assessment, Episode
from seire.metrics.models import Metric, MetricValue, Outcome


def episode(cast, n: int, opened: date, **fields) -> Episode:
    return Episode.objects.create(
        source_id=f"E{n}", client_key=f"client-{n}", service=cast.vs, unit=cast.harju_vs,
        county=cast.harju, opened=opened, crime_type="domestic_violence", gender="female",
        age_group="26-35", referral_source="police", **fields,
    )  # fmt: skip


@pytest.fixture
def country(cast):
    load_catalogue()
    episode(cast, 1, date(2025, 11, 3), closed=date(2025, 12, 1))
    episode(cast, 2, date(2026, 1, 5), closed=date(2026, 2, 2))
    Assessment.objects.create(source_id="A1", episode_id=Episode.objects.get(source_id="E2").pk,
                              instrument="COPING", timepoint="intake",
                              assessed_on=date(2026, 1, 5), items=[3])  # fmt: skip
    return cast


def run(*args) -> str:
    out = StringIO()
    call_command("compute", *args, stdout=out, verbosity=1)
    return out.getvalue()


def values(code: str, period: str, unit) -> MetricValue:
    version = Metric.objects.get(code=code).current_version()
    return MetricValue.objects.get(version=version, period=period, unit=unit, breakdown="")


def test_it_computes_every_metric_and_prints_the_rows_of_each(country):
    output = run()
    assert values("VS_CLIENTS", "2026Q1", country.estonia).value == 1
    assert values("VS_CLIENTS", "2025Q4", country.harju_vs).value == 1
    lines = {line.split()[0]: line.split()[1] for line in output.splitlines() if "rows" in line}
    assert lines["VS_CLIENTS"] == str(
        MetricValue.objects.filter(version__metric__code="VS_CLIENTS").count()
    )
    assert lines["outcomes:"] == "1"
    assert f"computed {Metric.objects.count()} metrics:" in output
    assert output.rstrip().endswith(" s")


def test_it_pairs_the_assessments_into_outcomes_first(country):
    run("--metric", "OUT_COPING")
    assert Outcome.objects.get().intake == 3


def test_it_computes_only_the_named_metrics(country):
    output = run("--metric", "VS_CLIENTS", "VS_DV_SHARE")
    computed = set(MetricValue.objects.values_list("version__metric__code", flat=True))
    assert computed == {"VS_CLIENTS", "VS_DV_SHARE"}
    assert "computed 2 metrics:" in output


def test_it_recomputes_from_the_given_period_and_keeps_the_earlier_values(country):
    run("--metric", "VS_CLIENTS")
    december = values("VS_CLIENTS", "2025Q4", country.harju_vs)
    Episode.objects.filter(source_id="E1").update(opened=date(2025, 10, 1))
    episode(country, 3, date(2026, 3, 1))
    output = run("--metric", "VS_CLIENTS", "--from", "2026q1")
    kept = values("VS_CLIENTS", "2025Q4", country.harju_vs)
    assert (kept.pk, kept.computed_at) == (december.pk, december.computed_at)
    assert values("VS_CLIENTS", "2026Q1", country.harju_vs).value == 2
    assert "computed 1 metric from 2026Q1:" in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--metric", "VS_CLIENTS", "NO_SUCH"), "unknown metric NO_SUCH"),
        (("--from", "2026Q5"), "--from: "),
    ],
)
def test_it_refuses_what_it_cannot_compute(country, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not MetricValue.objects.exists()


def test_it_asks_for_the_catalogue_when_there_are_no_metrics(db):
    with pytest.raises(CommandError, match="seire catalogue load"):
        run()
