"""The `metrics` and `population` catalogue sections: strict, located, idempotent, versioned."""

import os
from pathlib import Path

import pytest
import yaml

from seire.access.models import AuditEvent
from seire.catalogue.loader import (
    DEFAULT_DIRECTORY,
    CatalogueError,
    export_catalogue,
    load_catalogue,
)
from seire.metrics.models import Metric, MetricValue, MetricVersion, Population
from seire.organisation.models import OrgUnit

SHIPPED = (DEFAULT_DIRECTORY / "metrics.yaml").read_text(encoding="utf-8")


def edited(tmp_path: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """A copy of the shipped `name` with the first `old` replaced by `new`; (path, the line
    where the two first differ)."""
    text = (DEFAULT_DIRECTORY / name).read_text(encoding="utf-8")
    assert old in text, old
    start = text.index(old) + len(os.path.commonprefix([old, new]))
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text[:start].count("\n") + 1


def test_it_loads_the_shipped_metrics_and_population(db):
    counts = load_catalogue()
    shipped = yaml.safe_load(SHIPPED)["metrics"]
    assert counts["metrics"].created == counts["metric versions"].created == len(shipped) >= 25
    contact = Metric.objects.get(code="VS_CONTACT_2WD").current_version()
    assert (contact.type, contact.frequency, float(contact.target), float(contact.amber)) == (
        "percent",
        "Q",
        90.0,
        80.0,
    )
    assert contact.numerator["filter"][-1] == {
        "field": "working_days_to_first_contact",
        "op": "le",
        "value": 2,
    }
    assert set(Metric.objects.get(code="VS_CLIENTS").related.values_list("code", flat=True)) == {
        "VS_CLIENTS_100K"
    }
    assert counts["population rows"].created == 15 * 2 * 7


def test_the_population_adds_up_to_the_county_totals(db):
    load_catalogue()
    for county in OrgUnit.objects.filter(kind="county"):
        rows = Population.objects.filter(county=county, year=2024)
        assert sum(r.count for r in rows) == county.population, county.code
        assert {r.gender for r in rows} == {"female", "male"}
    women = sum(Population.objects.filter(gender="female").values_list("count", flat=True))
    assert 0.52 < women / 1_336_500 < 0.53  # the stated national structure: about 52.5 %


def test_loading_twice_changes_nothing(db):
    load_catalogue()
    versions = list(MetricVersion.objects.values_list("pk", "version"))
    counts = load_catalogue()
    assert counts["metrics"].unchanged == counts["metric versions"].unchanged == len(versions)
    assert counts["population rows"].unchanged == 210
    assert list(MetricVersion.objects.values_list("pk", "version")) == versions


def test_a_changed_definition_without_values_updates_its_version(db, tmp_path):
    load_catalogue()
    path, _ = edited(
        tmp_path, "metrics.yaml", "target: 90\n      amber: 80", "target: 85\n      amber: 80"
    )
    counts = load_catalogue(path)
    assert counts["metric versions"].updated == 1
    versions = MetricVersion.objects.filter(metric__code="VS_CONTACT_2WD")
    assert [(v.version, float(v.target)) for v in versions] == [(1, 85.0)]


def test_a_changed_definition_with_values_makes_a_new_version(cast, tmp_path):
    load_catalogue()
    first = Metric.objects.get(code="VS_DV_SHARE").current_version()
    MetricValue.objects.create(
        version=first,
        period="2026Q1",
        unit=cast.estonia,
        value=70,
        n=100,
        computed_at=first.created_at,
    )
    path, _ = edited(
        tmp_path,
        "metrics.yaml",
        "          - {field: crime_type, op: eq, value: domestic_violence}",
        "          - {field: crime_type, op: in, value: [domestic_violence, child_abuse]}",
    )
    counts = load_catalogue(path)
    shipped = Metric.objects.count()  # every metric of the shipped metrics.yaml
    assert (counts["metric versions"].created, counts["metric versions"].unchanged) == (
        1,
        shipped - 1,
    )
    first.refresh_from_db()
    assert first.numerator["filter"][1]["value"] == "domestic_violence"  # the old one stays
    assert first.values.count() == 1
    second = Metric.objects.get(code="VS_DV_SHARE").current_version()
    assert second.version == 2
    assert second.numerator["filter"][1] == {
        "field": "crime_type",
        "op": "in",
        "value": ["domestic_violence", "child_abuse"],
    }
    assert AuditEvent.objects.filter(
        summary="VS_DV_SHARE v2: the file changed v1, which has values"
    )
    assert load_catalogue(path)["metric versions"].unchanged == shipped  # stays at version 2


def test_export_writes_back_what_loads_unchanged(db, tmp_path):
    load_catalogue()
    export_catalogue(tmp_path)
    counts = load_catalogue(tmp_path)
    shipped = Metric.objects.count()
    assert counts["metrics"].unchanged == counts["metric versions"].unchanged == shipped
    assert counts["population rows"].unchanged == 210
    exported = yaml.safe_load((tmp_path / "metrics.yaml").read_text(encoding="utf-8"))
    by_code = {m["code"]: m for m in exported["metrics"]}
    assert by_code["VS_WAIT_MEDIAN"]["version"]["number"] == 1
    assert by_code["VS_WAIT_MEDIAN"]["version"]["target"] == 1
    again = tmp_path / "again"
    export_catalogue(again)
    assert (again / "metrics.yaml").read_text() == (tmp_path / "metrics.yaml").read_text()
    assert (again / "population.yaml").read_text() == (tmp_path / "population.yaml").read_text()


# (file, text replaced, replacement, what the message says) — the problem is on the line of
# the replacement.
BROKEN = [
    ("metrics.yaml", "    direction: neutral\n", "    direction: neutral\n    colour: red\n",
     "unknown key 'colour' in metric entry"),
    ("metrics.yaml", "    service: PSY\n", "    service: PSX\n",
     "PSY_COMPENSATED: unknown service 'PSX'"),
    ("metrics.yaml", "min_n: 20", "min_n: many", "min_n must be a whole number"),
    ("metrics.yaml", "breakdowns: [region, county, gender, age_group, crime_type]",
     "breakdowns: [region, shoe_size]", "VS_CLIENTS: breakdown “shoe_size” is not offered"),
    ("metrics.yaml", "{field: crime_type, op: eq, value: domestic_violence}",
     "{field: crime_typ, op: eq, value: domestic_violence}",
     "VS_DV_SHARE: numerator filter 2: unknown field “crime_typ” of episodes"),
    ("metrics.yaml", "{field: crime_type, op: eq, value: domestic_violence}",
     "{field: crime_type, op: eq, value: domestic_violense}",
     "VS_DV_SHARE: numerator filter 2: unknown crime_type 'domestic_violense'"),
    ("metrics.yaml", "{field: needs_assessed, op: eq, value: true}",
     "{field: needs_assessed, op: eq, value: yes please}", "needs_assessed is bool"),
    ("metrics.yaml", "type: percent", "type: count", "VS_DV_SHARE: a count has no denominator"),
    ("metrics.yaml", "field: days_to_first_contact", "field: gender",
     "field “gender” is str, median needs a number"),
    ("metrics.yaml",
     "{field: element, op: eq, value: CONTACTS_ANSWERED}\n"
     "          - {field: combo, op: ne, value: total}",
     "{field: element, op: eq, value: CONTACTS_ANSWERED}",
     "CONTACTS_ANSWERED has a total column beside its breakdown"),
    ("metrics.yaml", "{field: element, op: eq, value: NEW_CASES}",
     "{field: element, op: eq, value: NEW_CASE}", "unknown element 'NEW_CASE'"),
    ("metrics.yaml", "target: 90\n      amber: 80", "target: 90\n      amber: 95",
     "higher is better, so the amber threshold lies below the target"),
    ("population.yaml", "county: HIIU", "county: HIIUMAA", "unknown county 'HIIUMAA'"),
    ("population.yaml", "46-55: 633", "46-54: 633", "unknown age group '46-54'"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new", "message"), BROKEN, ids=[b[3][:40] for b in BROKEN])
def test_it_refuses_a_broken_file_at_the_line_of_the_problem(db, tmp_path, name, old, new, message):
    load_catalogue(DEFAULT_DIRECTORY / "organisation.yaml")
    load_catalogue(DEFAULT_DIRECTORY / "datasets.yaml")
    path, line = edited(tmp_path, name, old, new)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    problems = [p for p in caught.value.problems if message in p.message]
    assert problems, f"no problem says {message!r}: {caught.value}"
    assert problems[0].line == line, str(problems[0])
    assert problems[0].file == str(path)
    assert not Metric.objects.exists() and not Population.objects.exists()  # nothing written
