"""The engine on small hand-built data, checked against values worked out in the test."""

from datetime import date
from decimal import Decimal

import pytest

from seire.collection.models import Episode
from seire.metrics.definitions import DefinitionError, check_definition
from seire.metrics.engine import compute_version
from seire.metrics.models import Metric, MetricValue, MetricVersion, Population

OPENED = {"source": "episodes", "measure": "count", "date": "opened"}


def episode(cast, n, unit, opened, **fields):
    defaults = {
        "client_key": f"ck-{n}",
        "service": cast.vs,
        "crime_type": "other_violence",
        "gender": "female",
        "age_group": "26-35",
        "referral_source": "police",
    }
    return Episode.objects.create(
        source_id=f"E{n}", unit=unit, opened=opened, **{**defaults, **fields}
    )


@pytest.fixture
def episodes(cast):
    # Harju: 4 in January (3 DV, one of them a repeat client), 1 in February; Tartu: 2 in January.
    rows = [
        (1, cast.harju_vs, date(2026, 1, 5), {"crime_type": "domestic_violence"}),
        (2, cast.harju_vs, date(2026, 1, 9), {"crime_type": "domestic_violence", "gender": "male"}),
        (
            3,
            cast.harju_vs,
            date(2026, 1, 20),
            {"crime_type": "domestic_violence", "client_key": "ck-1"},
        ),
        (4, cast.harju_vs, date(2026, 1, 31), {}),
        (5, cast.harju_vs, date(2026, 2, 2), {"crime_type": "domestic_violence"}),
        (
            6,
            cast.tartu_vs,
            date(2026, 1, 15),
            {"crime_type": "domestic_violence", "first_contact": date(2026, 1, 16)},
        ),
        (7, cast.tartu_vs, date(2026, 1, 16), {"first_contact": date(2026, 1, 23)}),
    ]
    return [episode(cast, n, unit, opened, **extra) for n, unit, opened, extra in rows]


def make(cast, code, type_, numerator, denominator=None, frequency="M", breakdowns=()):
    metric = Metric.objects.create(code=code, name_et=code, name_en=code, service=cast.vs)
    return MetricVersion.objects.create(
        metric=metric,
        type=type_,
        numerator=numerator,
        denominator=denominator,
        frequency=frequency,
        breakdowns=list(breakdowns),
        min_n=3,
    )


def value(version, period, unit, breakdown=""):
    return MetricValue.objects.get(version=version, period=period, unit=unit, breakdown=breakdown)


def test_it_computes_a_percent_with_its_wilson_interval_up_the_tree(cast, episodes):
    dv = {**OPENED, "filter": [{"field": "crime_type", "op": "eq", "value": "domestic_violence"}]}
    version = make(cast, "VS_DV_SHARE", "percent", dv, OPENED)
    compute_version(version)
    harju = value(version, "2026M01", cast.harju_vs)
    assert (harju.numerator, harju.denominator) == (3, 4)
    assert harju.value == Decimal("75.0000")
    # Wilson 95 % for 3/4, worked out by hand: centre (0.75 + 1.9208/4)/(1 + 3.8415/4) …
    assert float(harju.low) == pytest.approx(30.06, abs=0.01)
    assert float(harju.high) == pytest.approx(95.44, abs=0.01)
    country = value(version, "2026M01", cast.estonia)
    assert (country.numerator, country.denominator) == (4, 6)
    assert value(version, "2026M02", cast.harju).value == 100
    assert value(version, "2026M02", cast.harju).small_n  # 1 < min_n 3


def test_it_counts_distinct_clients_once_at_every_level(cast, episodes):
    version = make(
        cast,
        "VS_CLIENTS",
        "count",
        {**OPENED, "measure": "distinct"},
        frequency="Q",
        breakdowns=["gender"],
    )
    compute_version(version)
    assert value(version, "2026Q1", cast.harju_vs).value == 4  # ck-1 twice, ck-2, ck-4, ck-5
    assert value(version, "2026Q1", cast.estonia).value == 6
    assert value(version, "2026Q1", cast.estonia, "gender=male").value == 1


def test_it_takes_the_median_of_a_derived_field(cast, episodes):
    version = make(
        cast,
        "VS_WAIT_MEDIAN",
        "median",
        {**OPENED, "measure": "median", "field": "days_to_first_contact"},
    )
    compute_version(version)
    assert value(version, "2026M01", cast.tartu_vs).value == Decimal("4")  # median of 1 and 7
    assert not MetricValue.objects.filter(version=version, unit=cast.harju_vs).exists()


def test_it_divides_by_the_population_for_a_rate_per_100k(cast, episodes):
    Population.objects.create(county=cast.harju, year=2026, count=600_000)
    Population.objects.create(county=cast.tartu, year=2026, count=150_000)
    version = make(
        cast,
        "VS_CLIENTS_100K",
        "rate_per_100k",
        {**OPENED, "measure": "distinct"},
        {"source": "population"},
        frequency="Y",
    )
    compute_version(version)
    assert float(value(version, "2026", cast.harju).value) == pytest.approx(4e5 / 600_000, abs=1e-4)
    assert float(value(version, "2026", cast.estonia).value) == pytest.approx(
        6e5 / 750_000, abs=1e-4
    )


def test_it_recomputes_only_from_the_given_period(cast, episodes):
    version = make(cast, "VS_NEW", "count", OPENED)
    compute_version(version)
    january = value(version, "2026M01", cast.harju_vs)
    Episode.objects.filter(source_id="E4").update(opened=date(2026, 2, 3))
    compute_version(version, first_period="2026M02")
    kept = value(version, "2026M01", cast.harju_vs)  # untouched, though E4 left January
    assert (kept.pk, kept.value, kept.computed_at) == (january.pk, 4, january.computed_at)
    assert value(version, "2026M02", cast.harju_vs).value == 2


def test_a_recomputation_replaces_only_the_values_that_changed(cast, episodes):
    version = make(cast, "VS_NEW", "count", OPENED, breakdowns=["gender"])
    compute_version(version)
    tartu = value(version, "2026M01", cast.tartu_vs)
    men = value(version, "2026M01", cast.harju_vs, "gender=male")
    Episode.objects.filter(source_id="E2").update(gender="female")
    stored = compute_version(version)
    assert stored == MetricValue.objects.filter(version=version).count()
    kept = value(version, "2026M01", cast.tartu_vs)  # the same: left as it was
    assert (kept.pk, kept.value, kept.computed_at) == (tartu.pk, 2, tartu.computed_at)
    changed = value(version, "2026M01", cast.harju_vs, "gender=female")
    assert changed.value == 4 and changed.computed_at > men.computed_at
    gone = MetricValue.objects.filter(version=version, unit=cast.harju_vs, breakdown="gender=male")
    assert not gone.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("percent", OPENED, None, []), "a percent needs a denominator"),
        (
            (
                "count",
                {**OPENED, "filter": [{"field": "colour", "op": "eq", "value": "x"}]},
                None,
                [],
            ),
            "unknown field “colour”",
        ),
        (
            (
                "count",
                {**OPENED, "filter": [{"field": "safety_plan", "op": "eq", "value": "yes"}]},
                None,
                [],
            ),
            "safety_plan is bool",
        ),
        (
            (
                "count",
                {**OPENED, "filter": [{"field": "gender", "op": "lt", "value": "x"}]},
                None,
                [],
            ),
            "operator lt does not apply",
        ),
        (
            ("median", {**OPENED, "measure": "median", "field": "gender"}, None, []),
            "needs a number",
        ),
        (("count", {**OPENED, "date": "born"}, None, []), "date “born” is not a date"),
        (("count", {**OPENED, "source": "tea_leaves"}, None, []), "unknown source"),
        (("count", OPENED, None, ["shoe_size"]), "breakdown “shoe_size” is not offered"),
    ],
)
def test_it_refuses_definitions_that_do_not_fit_the_source(args, message):
    with pytest.raises(DefinitionError, match=message):
        check_definition(*args)
