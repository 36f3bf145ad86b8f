"""Seed steps for data collection: statistics values, submissions, episodes, assessments.

Volumes are DOMAIN.md's "magnitudes for the synthetic country" times `scale`; a table's
national volume is split over the units active in each period by county share. Values obey
every hard rule of their table (totals are sums, parts are at most their whole); about 1 %
of reports carry a soft outlier, about 1 % are missing (no values, no submission) and 2–5 %
were first submitted after the deadline. Every timestamp derives from the seed.
"""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import models

from seire import periods
from seire.access.pseudonyms import pseudonymise
from seire.collection.bulk import insert_rows
from seire.collection.models import (
    Assessment,
    DataElement,
    Dataset,
    DataValue,
    Episode,
    Submission,
)
from seire.organisation.models import OrgUnit, Provider, Responsibility

BATCH = 2000
MISSING_SHARE = 0.01
LATE_SHARE = 0.035
OUTLIER_SHARE = 0.01

COUNTY_SHARE = {
    "HARJU": 42.5, "IDA-VIRU": 12.5, "TARTU": 11, "PARNU": 6.5, "LAANE-VIRU": 5,
    "VILJANDI": 3.5, "RAPLA": 2.7, "VORU": 2.6, "SAARE": 2.4, "VALGA": 2.4, "JOGEVA": 2.3,
    "JARVA": 2.3, "POLVA": 1.9, "LAANEMAA": 1.8, "HIIU": 0.6,
}  # fmt: skip

# Per dataset and element: ("volume", national count a year, {combo: weight}) for a root
# element, or ("part", parent element, low, high) for an element that is a share of another
# (drawn per column, so a part never exceeds its whole). Decimal elements are hours.
AGE_WEIGHTS = {"0-17": 2, "18-25": 14, "26-35": 26, "36-45": 27, "46-55": 17, "56-65": 8,
               "66+": 4, "unknown": 2}  # fmt: skip
MAGNITUDES: dict[str, dict[str, tuple]] = {
    "WSC_MONTHLY": {
        "CLIENTS": ("volume", 6400, AGE_WEIGHTS),
        "CLIENTS_NEW": ("part", "CLIENTS", 0.3, 0.5),
        "HOURS": ("volume", 13400, {"case": 6800, "psychological": 3400, "crisis": 1334,
                                    "legal": 1234, "network": 620}),
        "SHELTER_CLIENTS": ("part", "CLIENTS", 0.04, 0.08),
        "SHELTER_NIGHTS": ("nights", "SHELTER_CLIENTS", 5, 25),
        "CHILDREN": ("volume", 250, None),
    },
    "SAK_MONTHLY": {
        "VISITS": ("volume", 270, {"under18": 27, "adult": 73}),
        "ACUTE": ("part", "VISITS", 0.55, 0.85),
        "FORENSIC_7D": ("part", "ACUTE", 0.6, 0.95),
    },
    "CH_QUARTERLY": {
        "REFERRALS": ("volume", 620, {
            f"{g}.{a}": gw * aw
            for g, gw in (("female", 66), ("male", 32), ("other_unknown", 2))
            for a, aw in (("0-6", 15), ("7-11", 30), ("12-14", 33), ("15-17", 22))
        }),
        "INTERVIEWED": ("part", "REFERRALS", 0.7, 0.9),
        "INTERVIEWED_ONCE": ("part", "INTERVIEWED", 0.75, 0.95),
    },
    "HELP_MONTHLY": {
        "CONTACTS_IN": ("volume", 17500, {"phone": 13300, "chat": 1400, "email": 800}),
        "CONTACTS_ANSWERED": ("part", "CONTACTS_IN", 0.88, 0.98),
        "DV_CONTACTS": ("part", "CONTACTS_ANSWERED", 0.05, 0.08),
    },
    "CONC_QUARTERLY": {
        "CONCILIATIONS": ("volume", 800, None),
        "AGREEMENTS": ("part", "CONCILIATIONS", 0.6, 0.85),
    },
    "MARAC_QUARTERLY": {"NEW_CASES": ("volume", 144, None)},
    "VS_MONTHLY": {
        "CLIENTS_NEW": ("volume", 4000, {"female": 72, "male": 25, "other_unknown": 3}),
        "SESSIONS": ("volume", 10800, None, "CLIENTS_NEW"),
    },
}  # fmt: skip
PER_YEAR = {"M": 12, "Q": 4, "Y": 1}


# -- fast inserts ---------------------------------------------------------------------------
def insert(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT `rows` (tuples in the order of `columns`, field attnames) with executemany:
    the project's one bulk writer, `seire.collection.bulk.insert_rows` (several times
    faster than bulk_create for the tens of thousands of demo rows); every column without a
    database default must be given."""
    insert_rows(model, columns, rows)


# -- expected reports -----------------------------------------------------------------------
def _share(unit: OrgUnit, counties: dict[int, OrgUnit]) -> float:
    """A unit's weight: its county's share, or its region's counties' shares summed."""
    parent = counties.get(unit.parent_id)
    if parent is None:
        return 1.0
    if parent.kind == OrgUnit.Kind.COUNTY:
        return COUNTY_SHARE.get(parent.code, 1.0)
    return sum(COUNTY_SHARE.get(c.code, 0) for c in counties.values() if c.parent_id == parent.pk)


def expected_reports(country) -> list[tuple[Dataset, periods.Period, list[tuple[OrgUnit, float]]]]:
    """(dataset, period, [(unit, share of the national volume)]) for every seeded period."""
    counties = {u.pk: u for u in OrgUnit.objects.filter(kind__in=("county", "region"))}
    result = []
    for dataset in Dataset.objects.select_related("service").order_by("code"):
        provisions = list(
            Provider.objects.filter(service=dataset.service).select_related("unit").order_by("pk")
        )
        first = periods.period_of(country.first_day, dataset.period_type)
        last = periods.period_of(country.last_day, dataset.period_type)
        for period in periods.period_range(first, last):
            active = [
                p.unit
                for p in provisions
                if p.start <= period.end and (p.end is None or p.end >= period.start)
            ]
            weights = [(u, _share(u, counties)) for u in active]
            total = sum(w for _, w in weights) or 1
            result.append((dataset, period, [(u, w / total) for u, w in weights]))
    return result


# -- (a) values -----------------------------------------------------------------------------
def _count(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    return max(0, round(rng.gauss(mean, mean**0.5)))


DATA_VALUE_COLUMNS = ("element_id", "combo_id", "unit_id", "period", "value", "status", "version",
                      "updated_at", "channel")  # fmt: skip


def statistics_values(country, rng: random.Random) -> None:
    """Every expected report's cells, except ~1 % missing; ~1 % with a soft outlier."""
    elements = defaultdict(list)
    for element in DataElement.objects.select_related("disaggregation").order_by("sort", "pk"):
        elements[element.dataset_id].append(element)
    combos = {
        element.pk: {c.code: c for c in element.disaggregation.combos.all()}
        for items in elements.values()
        for element in items
    }
    rows = []
    stamp = _at(country.last_day, 18)  # the values' time: the end of the seeded span
    for dataset, period, units in expected_reports(country):
        plan = MAGNITUDES.get(dataset.code, {})
        per_period = country.scale / PER_YEAR[dataset.period_type]
        season = 1 + 0.12 * rng.uniform(-1, 1)
        for unit, share in units:
            if rng.random() < MISSING_SHARE:
                continue
            outlier = 3.0 if rng.random() < OUTLIER_SHARE else 1.0
            cells: dict[str, dict[str, float]] = {}
            for element in elements[dataset.pk]:
                columns = [c for c in combos[element.pk] if c != "total"]
                how = plan.get(element.code, ("volume", 12, None))
                decimal = element.value_type == DataElement.ValueType.DECIMAL
                values: dict[str, float] = {}
                if how[0] == "volume":
                    mean = how[1] * per_period * share * season * outlier
                    weights = how[2] or {c: 1 for c in columns}
                    whole = sum(weights.get(c, 0) for c in columns) or 1
                    for column in columns or ["total"]:
                        part = mean * (weights.get(column, 0) / whole if columns else 1)
                        values[column] = (
                            max(0.0, round(rng.gauss(part, part**0.5) * 2) / 2)
                            if decimal
                            else _count(rng, part)
                        )
                elif how[0] == "part":
                    parent = cells[how[1]]
                    for column in columns or ["total"]:
                        values[column] = int(parent[column] * rng.uniform(how[2], how[3]))
                else:  # nights: per shelter client a few to many nights, at most 31
                    whole = cells[how[1]]["total"]
                    values["total"] = sum(rng.randint(how[2], how[3]) for _ in range(whole))
                if (
                    how[0] == "volume" and len(how) == 4
                ):  # ("volume", count, weights, floor element): at least it
                    values["total"] = max(values["total"], cells[how[3]]["total"])
                if columns and "total" in combos[element.pk]:
                    values["total"] = sum(values[c] for c in columns)
                cells[element.code] = values
                for column, value in values.items():
                    rows.append(
                        (
                            element.pk,
                            combos[element.pk][column].pk,
                            unit.pk,
                            str(period),
                            Decimal(str(value)),
                            "value",
                            1,
                            stamp,
                            "seed",
                        )
                    )
    insert(DataValue, DATA_VALUE_COLUMNS, rows)


# -- (b) submissions ------------------------------------------------------------------------
def submissions(country, rng: random.Random) -> None:
    """A submission for every report with values: most approved, 2–5 % first submitted late;
    reports whose deadline falls after the seeded span are submitted, not yet approved."""
    filled = set(
        DataValue.objects.values_list("element__dataset_id", "unit_id", "period").distinct()
    )
    providers = {}
    for r in Responsibility.objects.filter(role="provider").select_related("person").order_by("pk"):
        providers.setdefault(r.unit_id, r.person)
    analyst = Responsibility.objects.filter(role="analyst").select_related("person").first()
    rows = []
    for dataset, period, units in expected_reports(country):
        deadline = dataset.deadline(period)
        for unit, _ in units:
            if (dataset.pk, unit.pk, str(period)) not in filled:
                continue
            if rng.random() < LATE_SHARE:
                submitted_on = deadline + timedelta(days=rng.randint(1, 25))
            else:
                submitted_on = deadline - timedelta(days=rng.randint(0, 9))
            submitted = _at(submitted_on, rng.randint(7, 14), rng.randint(0, 59))
            open_at_end = deadline > country.last_day
            decided = None if open_at_end else submitted + timedelta(days=rng.randint(1, 10))
            rows.append(
                Submission(
                    dataset=dataset,
                    unit=unit,
                    period=str(period),
                    status=Submission.Status.SUBMITTED
                    if open_at_end
                    else Submission.Status.APPROVED,
                    first_submitted_at=submitted,
                    submitted_at=submitted,
                    submitted_by=providers.get(unit.pk),
                    decided_at=decided,
                    decided_by=analyst.person if analyst and decided else None,
                )
            )
    Submission.objects.bulk_create(rows, batch_size=BATCH)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A UTC time on `day` (7–14 UTC is the same day in Tallinn)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


# -- (c) episodes ---------------------------------------------------------------------------
GENDER = {"female": 72, "male": 25, "other_unknown": 3}
AGE = {"0-17": 14, "18-25": 10, "26-35": 20, "36-45": 22, "46-55": 15, "56-65": 9, "66+": 7,
       "unknown": 3}  # fmt: skip
CRIME = {"domestic_violence": 72, "other_violence": 10, "sexual_violence": 5, "child_abuse": 3,
         "property_fraud": 3, "other_crisis": 7}  # fmt: skip
REFERRAL = {"police": 77, "self": 14, "prosecutor": 2, "health_care": 2, "local_government": 2,
            "school": 0.5, "ngo": 0.5, "helpline": 2}  # fmt: skip
CLOSURE = {"goals_met": 60, "client_ended": 15, "no_contact": 10, "referred_on": 10, "moved": 2,
           "other": 3}  # fmt: skip
OPTIONAL_SERVICES = ["emotional_support", "documents_help", "accompaniment",
                     "psychological_care_referral", "shelter_referral", "compensation_help",
                     "conciliation"]  # fmt: skip
VS_NEW_CASES = 4000
REPEAT_CLIENT_SHARE = 0.1


def _pick(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


EPISODE_COLUMNS = ("source_id", "client_key", "service_id", "unit_id", "county_id", "opened",
                   "closed", "first_contact", "referral_source", "crime_type", "gender",
                   "age_group", "services_given", "proactive_contact", "needs_assessed",
                   "safety_plan", "closure_reason", "imported_at")  # fmt: skip


def episodes(country, rng: random.Random) -> None:
    """General victim support episodes at ~4 000 new cases a year × scale."""
    units = {
        p.unit.parent.code: p.unit
        for p in Provider.objects.filter(service__code="VS").select_related("unit__parent")
    }
    counties = sorted(units)
    weights = [COUNTY_SHARE.get(c, 1) for c in counties]
    service = country.services["VS"]
    rows, clients = [], 0
    stamp = _at(country.last_day, 18)
    per_year = round(VS_NEW_CASES * country.scale)
    for year in range(country.first_day.year, country.last_day.year + 1):
        for _ in range(per_year):
            if clients and rng.random() < REPEAT_CLIENT_SHARE:
                client = rng.randint(1, clients)
            else:
                clients += 1
                client = clients
            county = rng.choices(counties, weights=weights)[0]
            opened = country.day(rng, date(year, 1, 1), date(year, 12, 31))
            closed = opened + timedelta(days=rng.randint(1, 120))
            if rng.random() < 0.1 or closed > country.last_day:
                closed = None
            crime = _pick(rng, CRIME)
            referral = _pick(rng, REFERRAL)
            given = ["rights_information"] if rng.random() < 0.85 else []
            given += rng.sample(OPTIONAL_SERVICES, rng.randint(1, 3))
            safety = rng.random() < (0.6 if crime == "domestic_violence" else 0.1)
            if safety:
                given.append("safety_planning")
            rows.append(
                (
                    f"DEMO-VS-{len(rows) + 1:06d}",
                    pseudonymise(f"demo-client-{client}"),
                    service.pk,
                    units[county].pk,
                    units[county].parent_id,
                    opened,
                    closed,
                    opened + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5))),
                    referral,
                    crime,
                    _pick(rng, GENDER),
                    _pick(rng, AGE),
                    given,
                    referral == "police",
                    rng.random() < 0.8,
                    safety,
                    _pick(rng, CLOSURE) if closed else "",
                    stamp,
                )
            )
    insert(Episode, EPISODE_COLUMNS, rows)


# -- (d) assessments ------------------------------------------------------------------------
INTAKE_SHARE = 0.7
EXIT_SHARE = 0.5


def _clip(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _who5_items(rng: random.Random, score: float) -> list[int]:
    """Five items 0–5 whose sum × 4 is about `score` (0–100)."""
    raw = _clip(score / 4, 0, 25)
    items = [raw // 5] * 5
    for index in rng.sample(range(5), raw % 5):
        items[index] += 1
    return items


ASSESSMENT_COLUMNS = ("source_id", "episode_id", "instrument", "timepoint", "assessed_on", "items")


def assessments(country, rng: random.Random) -> None:
    """WHO-5, SAFETY and COPING at intake (~70 %) and at exit (~50 % of closed episodes)."""
    rows = []
    for pk, source, opened, first, closed in Episode.objects.order_by("pk").values_list(
        "pk", "source_id", "opened", "first_contact", "closed"
    ):
        who5, safety, coping = rng.gauss(40, 20), rng.gauss(4, 2), rng.gauss(4, 2)
        timepoints = []
        if rng.random() < INTAKE_SHARE:
            timepoints.append(("intake", first or opened, 0))
        if closed and rng.random() < EXIT_SHARE:
            timepoints.append(("exit", closed, 1))
        for timepoint, day, after in timepoints:
            scores = {
                "WHO5": _who5_items(rng, who5 + after * rng.gauss(15, 15)),
                "SAFETY": [_clip(safety + after * rng.gauss(2, 1.5), 0, 10)],
                "COPING": [_clip(coping + after * rng.gauss(2, 1.5), 0, 10)],
            }
            for instrument, items in scores.items():
                rows.append(
                    (f"{source}-{instrument}-{timepoint}", pk, instrument, timepoint, day, items)
                )
    insert(Assessment, ASSESSMENT_COLUMNS, rows)
