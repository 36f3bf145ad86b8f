"""Every metric of the shipped catalogue, computed on its worked example.

A case (`tests/metrics/cases/<CODE>.yaml`) is data, after OpenFisca's test cases: a `name`,
the `input` records (episodes, assessments, table values, submissions, population) built on
the test cast, and the `output` values worked out by hand in the file — never by calling
the engine — with an `absolute_error_margin`. The test loads the shipped catalogue (so the
definition under test is the one in `seire/catalogue/metrics.yaml`), builds the records,
refreshes the outcomes, computes the metric and compares.
"""

from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
import yaml

from seire.catalogue.loader import DEFAULT_DIRECTORY, ordered_sections, read_yaml
from seire.collection.models import (
    Assessment,
    DataElement,
    Dataset,
    DataValue,
    Episode,
    OptionCombo,
    Submission,
)
from seire.metrics.engine import compute
from seire.metrics.models import Metric, MetricValue, Population
from seire.metrics.outcomes import refresh_outcomes
from seire.organisation.models import OrgUnit, Service
from tests.feedback.metric_inputs import build_feedback

CASES = Path(__file__).parent / "cases"
CASE_KEYS = {"name", "metric", "description", "units", "input", "output", "absolute_error_margin"}
INPUT_KEYS = {"episodes", "assessments", "values", "submissions", "population", "inquiries",
              "responses", "invitations", "feedback_items"}  # fmt: skip
OUTPUT_KEYS = {"period", "unit", "breakdown", "value", "numerator", "denominator", "n",
               "small_n", "low", "high", "absent"}  # fmt: skip
EPISODE_DEFAULTS = {"service": "VS", "crime_type": "other_violence", "gender": "female",
                    "age_group": "26-35", "referral_source": "police"}  # fmt: skip


def shipped_codes() -> list[str]:
    data = yaml.safe_load((DEFAULT_DIRECTORY / "metrics.yaml").read_text(encoding="utf-8"))
    return [m["code"] for m in data["metrics"]]


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.yaml"))


def read_case(path: Path) -> dict:
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(case) <= CASE_KEYS, f"{path.name}: unknown keys {set(case) - CASE_KEYS}"
    assert set(case["input"]) <= INPUT_KEYS, f"{path.name}: unknown input {set(case['input'])}"
    for row in case["output"]:
        assert set(row) <= OUTPUT_KEYS, f"{path.name}: unknown output keys {set(row)}"
    return case


def test_every_shipped_metric_has_a_case():
    missing = sorted(set(shipped_codes()) - {p.stem for p in case_files()})
    assert not missing, f"no case in tests/metrics/cases/ for {missing}"


def test_every_case_is_of_a_shipped_metric():
    stray = sorted(
        {read_case(p).get("metric", p.stem) for p in case_files()} - set(shipped_codes())
    )
    assert not stray, f"cases of metrics not in metrics.yaml: {stray}"


@cache
def shipped_catalogue() -> dict:
    """The shipped catalogue files, read once (reading the YAML is most of a load's time)."""
    return {path.stem: read_yaml(path) for path in DEFAULT_DIRECTORY.glob("*.yaml")}


def load_shipped_catalogue() -> None:
    """`load_catalogue()` of the shipped directory, from the files read once."""
    files = shipped_catalogue()
    for name, section in ordered_sections():
        if name in files:
            section.load(files[name])


# -- building the records -------------------------------------------------------------------
def build(case: dict) -> None:
    for unit in case.get("units", []):
        OrgUnit.objects.create(
            code=unit["code"],
            name_et=unit["code"],
            name_en=unit["code"],
            kind=unit.get("kind", "service_point"),
            parent=OrgUnit.objects.get(code=unit["parent"]),
        )
    units = {u.code: u for u in OrgUnit.objects.all()}
    services = {s.code: s for s in Service.objects.all()}
    data = case["input"]
    episodes = {}
    for row in data.get("episodes", []):
        fields = EPISODE_DEFAULTS | row
        unit = units[fields.pop("unit")]
        episode_id = fields.pop("id")
        county = fields.pop("county", unit.ancestor_of_kind("county"))
        episodes[episode_id] = Episode.objects.create(
            source_id=episode_id,
            client_key=fields.pop("client", f"client-{episode_id}"),
            service=services[fields.pop("service")],
            unit=unit,
            county=units[county] if isinstance(county, str) else county,
            **fields,
        )
    for index, row in enumerate(data.get("assessments", []), start=1):
        episode = episodes[row["episode"]]
        default_day = episode.closed if row["timepoint"] == "exit" else episode.opened
        Assessment.objects.create(
            source_id=f"A{index}",
            episode=episode,
            instrument=row["instrument"],
            timepoint=row["timepoint"],
            assessed_on=row.get("on") or default_day or episode.opened,
            items=row["items"],
        )
    for row in data.get("values", []):
        element = DataElement.objects.get(dataset__code=row["dataset"], code=row["element"])
        combo = OptionCombo.objects.get(disaggregation=element.disaggregation, code=row["combo"])
        DataValue.objects.create(
            element=element,
            combo=combo,
            unit=units[row["unit"]],
            period=row["period"],
            value=Decimal(str(row["value"])),
        )
    for row in data.get("submissions", []):
        Submission.objects.create(
            dataset=Dataset.objects.get(code=row["dataset"]),
            unit=units[row["unit"]],
            period=row["period"],
            status=row.get("status", "submitted" if row.get("submitted") else "draft"),
            first_submitted_at=row.get("submitted"),
            submitted_at=row.get("submitted"),
        )
    for row in data.get("inquiries", []):
        build_inquiry(row)
    build_feedback(data, units, services, episodes)  # responses, invitations, feedback_items
    if "population" in data:
        Population.objects.all().delete()
        for row in data["population"]:
            Population.objects.create(
                county=units[row["county"]],
                year=row["year"],
                gender=row.get("gender", ""),
                age_group=row.get("age_group", ""),
                count=row["count"],
            )


def build_inquiry(row: dict) -> None:
    """An inquiry of the register: type, received, due, closed (a reply) and status."""
    from seire.inquiries.models import Inquiry

    Inquiry.objects.create(
        requester_name="Requester",
        requester_type=row["type"],
        channel="email",
        received_on=row["received"],
        first_due=row.get("first_due", row["due"]),
        due_date=row["due"],
        status=row.get("status", "answered" if row.get("closed") else "in_progress"),
        closed_on=row.get("closed"),
        question="?",
    )


def check(case: dict, code: str) -> list[str]:
    """The differences between the case's expected output and the computed values."""
    version = Metric.objects.get(code=code).current_version()
    margin = Decimal(str(case.get("absolute_error_margin", 0.01)))
    differences = []
    for row in case["output"]:
        where = f"{row['period']} {row['unit']} {row.get('breakdown', '') or 'total'}"
        stored = MetricValue.objects.filter(
            version=version,
            period=str(row["period"]),
            unit__code=row["unit"],
            breakdown=row.get("breakdown", ""),
        ).first()
        if row.get("absent"):
            if stored is not None:
                differences.append(f"{where}: expected no value, got {stored.value}")
            continue
        if stored is None:
            differences.append(f"{where}: no value computed")
            continue
        for key in ("value", "numerator", "denominator", "n", "small_n", "low", "high"):
            if key not in row:
                continue
            expected, got = row[key], getattr(stored, key)
            if expected is None or got is None or isinstance(expected, bool):
                same = expected == got
            else:
                same = abs(Decimal(str(expected)) - Decimal(got)) <= margin
            if not same:
                differences.append(f"{where}: {key} expected {expected}, got {got}")
    return differences


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_the_metric_gives_the_worked_values(cast, path):
    case = read_case(path)
    code = case.get("metric", path.stem)
    load_shipped_catalogue()
    build(case)
    refresh_outcomes()
    compute([code])
    differences = check(case, code)
    assert not differences, f"{path.name} ({case['name']}):\n" + "\n".join(differences)
