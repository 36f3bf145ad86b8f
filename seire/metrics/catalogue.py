"""The `metrics` and `population` catalogue sections.

`metrics.yaml` holds each metric (code, names, purpose, owner service, direction, unit) with
its current definition in a `version` block: type, numerator and denominator (source,
measure, field, date, filter), frequency, breakdowns, target and amber threshold, smallest
n, methodology, limitations, data-quality notes and reference. Everything is checked before
anything is written: keys and types, `check_definition` against the sources' real fields,
and every code a filter names (crime types, datasets, elements, columns, instruments …).
Problems are located at file:line.

Loading is idempotent. A metric's own fields are updated in place; its definition is
versioned: an unchanged block changes nothing, a changed block updates the current version
while no values were computed from it and otherwise creates the next version (the old one,
with its values, stays). `population.yaml` becomes `Population` rows.
"""

from decimal import Decimal

from seire.access.audit import changes_between, record
from seire.catalogue.loader import (
    Counts,
    Field,
    Problems,
    Section,
    YamlList,
    YamlMap,
    check_entries,
    check_mapping,
    register,
)
from seire.collection import vocabulary
from seire.collection.models import Assessment, DataElement, Dataset, OptionCombo, Submission
from seire.metrics.definitions import MEASURES, OPERATORS, DefinitionError, check_definition
from seire.metrics.models import Metric, MetricVersion, Outcome, Population
from seire.organisation.models import OrgUnit, Service

METRIC_CODE = r"[A-Z][A-Z0-9_]*"
PERIOD = r"[0-9]{4}(M(0[1-9]|1[0-2])|Q[1-4])?"

FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the metrics come from (documentation; not stored)."),
    "metrics": Field(list, True, "The metrics."),
}
METRIC_FIELDS = {
    "code": Field(
        str, True, "Stable uppercase code (VS_CLIENTS).", pattern=METRIC_CODE, max_length=40
    ),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "purpose_et": Field(str, True, "Why the metric is watched, in Estonian."),
    "purpose_en": Field(str, True, "Why the metric is watched, in English."),
    "service": Field(str, help="Code of the owner service (VS); none for a shared metric."),
    "direction": Field(
        str,
        True,
        "higher, lower or neutral (which way is better).",
        choices=tuple(Metric.Direction.values),
    ),
    "unit_et": Field(str, True, "Unit of the value in Estonian (%, klienti).", max_length=40),
    "unit_en": Field(str, True, "Unit of the value in English (%, clients).", max_length=40),
    "related": Field(list, help="Codes of related metrics of this file (both ways)."),
    "version": Field(dict, help="The definition (the current version)."),
}
VERSION_FIELDS = {
    "number": Field(
        int, help="The version number at export (documentation; not compared).", minimum=1
    ),
    "effective_from": Field(
        str, help="First period the version applies to (2026Q1).", pattern=PERIOD
    ),
    "type": Field(str, True, "What is computed.", choices=tuple(MetricVersion.Type.values)),
    "numerator": Field(dict, True, "What is counted: source, measure, field, date, filter."),
    "denominator": Field(
        dict, help="What it is divided by (percent, ratio; {source: population} for a rate)."
    ),
    "frequency": Field(str, True, "M, Q or Y.", choices=tuple(MetricVersion.Frequency.values)),
    "breakdowns": Field(list, help="region, county, unit and the source's breakdowns."),
    "target": Field(float, help="The value aimed at (green at or beyond it)."),
    "amber": Field(float, help="Amber between it and the target; red beyond it."),
    "min_n": Field(int, help="Below this n the value is flagged 'n too small'.", minimum=0),
    "methodology_et": Field(str, True, "What counts and what does not, in Estonian."),
    "methodology_en": Field(str, True, "What counts and what does not, in English."),
    "limitations_et": Field(str, help="Limitations in Estonian."),
    "limitations_en": Field(str, help="Limitations in English."),
    "data_quality_et": Field(str, help="Data-quality notes in Estonian."),
    "data_quality_en": Field(str, help="Data-quality notes in English."),
    "reference": Field(str, help="Methodological or legal source.", max_length=300),
    "rationale": Field(str, help="Why this version (a change's reason)."),
}
SIDE_FIELDS = {
    "source": Field(str, True, "episodes, values, outcomes, assessments, submissions, population."),
    "measure": Field(
        str, help="count (default), distinct, sum, mean, median.", choices=tuple(sorted(MEASURES))
    ),
    "field": Field(str, help="The numeric field of sum, mean and median."),
    "date": Field(str, help="The date that puts a record in a period (opened, closed, period)."),
    "filter": Field(list, help="Conditions (field, op, value), all of which must hold."),
}
CONDITION_FIELDS = {
    "field": Field(str, True, "A field of the source."),
    "op": Field(
        str,
        help="eq (default), ne, in, not_in, lt, le, gt, ge, is_null, not_null, contains.",
        choices=tuple(OPERATORS),
    ),  # fmt: skip
    "value": Field(object, help="The value (a list for in and not_in)."),
}
POPULATION_FILE_FIELDS = {
    "description": Field(str, help="What the file holds (documentation; not stored)."),
    "reference": Field(str, help="Where the figures come from (documentation; not stored)."),
    "years": Field(list, True, "One entry per year."),
}
YEAR_FIELDS = {
    "year": Field(int, True, "The year (population on 1 January).", minimum=1900),
    "reference": Field(str, help="Source of the year's figures (stored).", max_length=300),
    "counties": Field(list, True, "One entry per county."),
}
GENDERS = ("female", "male", "other_unknown")
COUNTY_FIELDS = {
    "county": Field(str, True, "County code (HARJU)."),
    **{g: Field(dict, help=f"{g}: {{age group: count}}.") for g in GENDERS},
}

VERSION_KEYS = (
    "effective_from", "type", "numerator", "denominator", "frequency", "breakdowns", "target",
    "amber", "min_n", "methodology_et", "methodology_en", "limitations_et", "limitations_en",
    "data_quality_et", "data_quality_en", "reference", "rationale",
)  # fmt: skip
METRIC_KEYS = ("name_et", "name_en", "purpose_et", "purpose_en", "service", "direction",
               "unit_et", "unit_en")  # fmt: skip
VOCABULARY_FIELDS = ("crime_type", "gender", "age_group", "referral_source", "closure_reason",
                     "services_given")  # fmt: skip
CODE_OPS = ("eq", "ne", "in", "not_in", "contains")
DESCRIPTION = (
    "The default metrics of victim support: definitions with their methodology, targets and "
    "limitations, computed by the metric engine from the sources."
)
REFERENCE = "DOMAIN.md, 'Default metrics'; each metric names its own methodological source."


# -- checking -------------------------------------------------------------------------------
def _side(node) -> dict:
    """The canonical stored form of a numerator or denominator."""
    if node.get("source") == "population":
        return {"source": "population"}
    side = {"source": node.get("source"), "measure": node.get("measure", "count")}
    if node.get("field") is not None:
        side["field"] = node["field"]
    side["date"] = node.get("date")
    conditions = []
    for c in node.get("filter") or []:
        condition = {"field": c.get("field"), "op": c.get("op", "eq")}
        if "value" in c:
            condition["value"] = _plain(c["value"])
        conditions.append(condition)
    if conditions:
        side["filter"] = conditions
    return side


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.001"))


def _version_values(block: YamlMap) -> dict:
    """The MetricVersion fields of a version block."""
    values = {key: block.get(key, "") for key in VERSION_KEYS}
    values |= {
        "numerator": _side(block["numerator"]),
        "denominator": _side(block["denominator"]) if block.get("denominator") else None,
        "breakdowns": list(block.get("breakdowns") or []),
        "target": _decimal(block.get("target")),
        "amber": _decimal(block.get("amber")),
        "min_n": block.get("min_n", 10),
    }
    return values


def _check_version(code: str, metric: YamlMap, problems: Problems) -> None:
    block = metric["version"]
    if not check_mapping(block, VERSION_FIELDS, f"the version of {code}", problems):
        return
    sides = {}
    for name in ("numerator", "denominator"):
        side = block.get(name)
        if isinstance(side, YamlMap):
            check_mapping(side, SIDE_FIELDS, f"the {name} of {code}", problems)
            sides[name] = side
            for condition in check_entries(side, "filter", CONDITION_FIELDS, "filter", problems):
                if condition.get("op", "eq") not in ("is_null", "not_null") and (
                    "value" not in condition
                ):
                    problems.add(condition, None, f"{code}: a {name} filter needs a value")
    if "type" not in block or "numerator" not in sides:
        return
    breakdowns = block.get("breakdowns") or []
    if not isinstance(breakdowns, list) or not all(isinstance(b, str) for b in breakdowns):
        problems.add(block, "breakdowns", f"{code}: breakdowns must be a list of names")
        return
    numerator = _side(sides["numerator"])
    denominator = _side(sides["denominator"]) if "denominator" in sides else None
    try:
        check_definition(block["type"], numerator, denominator, breakdowns)
    except DefinitionError as error:
        for message in error.messages:
            node, key = _place(message, block, sides)
            problems.add(node, key, f"{code}: {message}")
        return
    for name, side in sides.items():
        if side.get("source") != "population":
            _check_codes(code, name, side, problems)
    target, amber = block.get("target"), block.get("amber")
    direction = metric.get("direction")
    if amber is not None and target is None:
        problems.add(block, "amber", f"{code}: an amber threshold needs a target")
    elif amber is not None and (
        (direction == "higher" and amber > target) or (direction == "lower" and amber < target)
    ):
        better = "below" if direction == "higher" else "above"
        problems.add(
            block,
            "amber",
            f"{code}: {direction} is better, so the amber threshold lies {better} the "
            f"target ({target}), not at {amber}",
        )


def _place(message: str, block: YamlMap, sides: dict) -> tuple:
    """(node, key) where a check_definition message belongs."""
    for name, side in sides.items():
        if message.startswith(f"{name} filter "):
            index = int(message.split()[2].rstrip(":")) - 1
            conditions = side.get("filter")
            if isinstance(conditions, YamlList) and 0 <= index < len(conditions):
                return conditions[index], None
        if message.startswith(name):
            key = next((k for k in ("measure", "field", "date", "source") if k in message), None)
            return (side, key) if key in side else (block, name)
    if message.startswith("breakdown"):
        return block, "breakdowns"
    return block, "type"


def _check_codes(code: str, name: str, side: YamlMap, problems: Problems) -> None:
    """Every code a filter names exists; a `values` side names its dataset and element and,
    where an element has a total column beside its breakdown, which columns it reads."""
    conditions = [c for c in side.get("filter") or [] if isinstance(c, YamlMap)]
    named: dict[str, list] = {}
    for c in conditions:
        if c.get("op", "eq") in ("eq", "in"):
            value = c.get("value")
            named.setdefault(c.get("field"), []).extend(
                value if isinstance(value, list) else [value]
            )
    source = side.get("source")
    for i, c in enumerate(conditions, start=1):
        field, op, value = c.get("field"), c.get("op", "eq"), c.get("value")
        if op not in CODE_OPS:
            continue
        known = _known_codes(source, field, named)
        if known is None:
            continue
        for v in value if isinstance(value, list) else [value]:
            if v not in known:
                listed = ", ".join(sorted(map(str, known))[:20]) or "none"
                problems.add(
                    c,
                    "value",
                    f"{code}: {name} filter {i}: unknown {field} {v!r}: expected one of {listed}",
                )
    if source != "values":
        return
    for required in ("dataset", "element"):
        if required not in {c.get("field") for c in conditions}:
            problems.add(
                side,
                None,
                f"{code}: a {name} of table values names its {required} "
                f"(filter: {{field: {required}, op: eq, value: …}})",
            )
    if "combo" in {c.get("field") for c in conditions}:
        return
    elements = DataElement.objects.filter(
        dataset__code__in=named.get("dataset", []), code__in=named.get("element", [])
    )
    where = next(c for c in conditions if c.get("field") == "element")
    for element in elements:
        combos = set(element.disaggregation.combos.values_list("code", flat=True))
        if "total" in combos and len(combos) > 1:
            problems.add(
                where,
                None,
                f"{code}: {element.code} has a total column beside its breakdown: filter "
                "combo (eq total, or ne total) so that no value is counted twice",
            )


def _known_codes(source: str, field: str, named: dict[str, list]) -> set | None:
    """The valid values of `field` of `source`, or None when it takes any value."""
    if field in VOCABULARY_FIELDS and source in ("episodes", "outcomes", "assessments"):
        return set(vocabulary.codes(field))
    if field == "service":
        return set(Service.objects.values_list("code", flat=True))
    if field == "county":
        return set(OrgUnit.objects.filter(kind="county").values_list("code", flat=True))
    if field == "instrument":
        return {i.code for i in vocabulary.instruments()}
    if field == "timepoint":
        return set(Assessment.Timepoint.values)
    if field == "reliable":
        return set(Outcome.Reliable.values)
    if field == "status" and source == "submissions":
        return set(Submission.Status.values)
    if field == "dataset":
        return set(Dataset.objects.values_list("code", flat=True))
    elements = DataElement.objects.all()
    if named.get("dataset"):
        elements = elements.filter(dataset__code__in=named["dataset"])
    if field == "element":
        return set(elements.values_list("code", flat=True))
    if field == "combo":
        if named.get("element"):
            elements = elements.filter(code__in=named["element"])
        combos = OptionCombo.objects.filter(disaggregation__in=elements.values("disaggregation"))
        return set(combos.values_list("code", flat=True))
    return None


def _check(data: YamlMap, problems: Problems) -> list[YamlMap]:
    check_mapping(data, FILE_FIELDS, "the metrics file", problems)
    metrics = check_entries(data, "metrics", METRIC_FIELDS, "metric", problems)
    services = set(Service.objects.values_list("code", flat=True))
    codes = {m.get("code") for m in metrics}
    for metric in metrics:
        code = metric.get("code", "?")
        service = metric.get("service")
        if isinstance(service, str) and service not in services:
            problems.add(
                metric,
                "service",
                f"{code}: unknown service {service!r}: expected one of "
                f"{', '.join(sorted(services))}",
            )
        related = metric.get("related") or []
        for other in related if isinstance(related, list) else []:
            if other not in codes or other == code:
                problems.add(
                    metric,
                    "related",
                    f"{code}: related {other!r} is not another metric of the file",
                )
        if isinstance(metric.get("version"), YamlMap):
            _check_version(code, metric, problems)
    return metrics


# -- syncing --------------------------------------------------------------------------------
def load(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then create or update metrics and their current versions."""
    problems = Problems()
    entries = _check(data, problems)
    problems.raise_if_any()
    counts = {"metrics": Counts(), "metric versions": Counts()}
    services = {s.code: s for s in Service.objects.all()}
    rows: dict[str, Metric] = {}
    for entry in entries:
        values = {key: entry.get(key, "") for key in METRIC_KEYS}
        values["service"] = services.get(entry.get("service"))
        rows[entry["code"]] = metric = _sync_metric(entry["code"], values, counts["metrics"])
        if "version" in entry:
            _sync_version(metric, _version_values(entry["version"]), counts["metric versions"])
    pairs = {frozenset((e["code"], other)) for e in entries for other in e.get("related") or []}
    for code, metric in rows.items():
        wanted = {rows[o] for pair in pairs if code in pair for o in pair if o != code}
        if set(metric.related.all()) != wanted:
            metric.related.set(wanted)
    return counts


def _sync_metric(code: str, values: dict, counts: Counts) -> Metric:
    metric = Metric.objects.filter(code=code).first()
    if metric is None:
        metric = Metric.objects.create(code=code, **values)
        counts.created += 1
        record(None, "create", metric, channel="catalogue")
        return metric
    before = {k: getattr(metric, k) for k in values}
    if before == values:
        counts.unchanged += 1
        return metric
    for key, value in values.items():
        setattr(metric, key, value)
    metric.save()
    counts.updated += 1
    code_of = {k: getattr(v, "code", v) for k, v in before.items()}
    after = {k: getattr(v, "code", v) for k, v in values.items()}
    record(None, "update", metric, channel="catalogue", changes=changes_between(code_of, after))
    return metric


def _sync_version(metric: Metric, values: dict, counts: Counts) -> MetricVersion:
    """The current version equal to `values`: unchanged, updated while it has no values, or
    a new version when values were computed from the current one."""
    current = metric.current_version()
    if current is not None:
        before = {key: getattr(current, key) for key in VERSION_KEYS}
        if before == values:
            counts.unchanged += 1
            return current
        if not current.values.exists():
            for key, value in values.items():
                setattr(current, key, value)
            current.save()
            counts.updated += 1
            record(
                None,
                "update",
                current,
                channel="catalogue",
                changes=changes_between(before, values),
            )
            return current
    number = current.version + 1 if current else 1
    version = MetricVersion.objects.create(metric=metric, version=number, **values)
    counts.created += 1
    why = f": the file changed v{current.version}, which has values" if current else ""
    record(None, "create", version, channel="catalogue", summary=f"{version}{why}")
    return version


# -- export ---------------------------------------------------------------------------------
def _number(value: Decimal):
    return int(value) if value == value.to_integral_value() else float(value)


def export() -> dict:
    """The metrics file from the database: every metric with its current version."""
    metrics = []
    for metric in Metric.objects.select_related("service").prefetch_related("related"):
        entry = {"code": metric.code, "name_et": metric.name_et, "name_en": metric.name_en}
        entry |= {"purpose_et": metric.purpose_et, "purpose_en": metric.purpose_en}
        if metric.service:
            entry["service"] = metric.service.code
        entry |= {"direction": metric.direction, "unit_et": metric.unit_et}
        entry["unit_en"] = metric.unit_en
        related = sorted(m.code for m in metric.related.all())
        if related:
            entry["related"] = related
        version = metric.current_version()
        if version is not None:
            entry["version"] = _export_version(version)
        metrics.append(entry)
    return {"description": DESCRIPTION, "reference": REFERENCE, "metrics": metrics}


def _export_version(version: MetricVersion) -> dict:
    block: dict = {"number": version.version}
    for key in VERSION_KEYS:
        value = getattr(version, key)
        if value in (None, "", []):
            continue
        block[key] = _number(value) if isinstance(value, Decimal) else value
    return block


# -- population -----------------------------------------------------------------------------
def load_population(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then make the Population rows of every year it names equal to it."""
    problems = Problems()
    wanted = _check_population(data, problems)
    problems.raise_if_any()
    counts = Counts()
    counties = {u.code: u for u in OrgUnit.objects.filter(kind="county")}
    years = {key[1] for key in wanted}
    existing = {
        (p.county.code, p.year, p.gender, p.age_group): p
        for p in Population.objects.filter(year__in=years).select_related("county")
    }
    for key, (count, reference) in wanted.items():
        row = existing.pop(key, None)
        if row is None:
            county, year, gender, age_group = key
            Population.objects.create(
                county=counties[county],
                year=year,
                gender=gender,
                age_group=age_group,
                count=count,
                reference=reference,
            )
            counts.created += 1
        elif (row.count, row.reference) != (count, reference):
            row.count, row.reference = count, reference
            row.save(update_fields=("count", "reference"))
            counts.updated += 1
        else:
            counts.unchanged += 1
    # rows of a year the file gives but no longer lists
    Population.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
    return {"population rows": counts}


def _check_population(data: YamlMap, problems: Problems) -> dict[tuple, tuple[int, str]]:
    check_mapping(data, POPULATION_FILE_FIELDS, "the population file", problems)
    counties = set(OrgUnit.objects.filter(kind="county").values_list("code", flat=True))
    ages = vocabulary.codes("age_group")
    wanted: dict[tuple, tuple[int, str]] = {}
    seen_years: set[int] = set()
    for entry in check_entries(data, "years", YEAR_FIELDS, "year", problems):
        year = entry.get("year")
        if year in seen_years:
            problems.add(entry, "year", f"year {year} is given twice: expected each year once")
        seen_years.add(year)
        seen: set[str] = set()
        for item in check_entries(entry, "counties", COUNTY_FIELDS, "county", problems):
            county = item.get("county")
            if county not in counties:
                problems.add(
                    item, "county", f"unknown county {county!r}: expected a county of the tree"
                )
            elif county in seen:
                problems.add(item, "county", f"county {county} is given twice in {year}")
            seen.add(county)
            for gender in GENDERS:
                bands = item.get(gender)
                if not isinstance(bands, YamlMap):
                    continue
                for age, count in bands.items():
                    if str(age) not in ages:
                        problems.add(
                            bands,
                            age,
                            f"unknown age group {age!r}: expected one of {', '.join(sorted(ages))}",
                        )
                    elif not isinstance(count, int) or isinstance(count, bool) or count < 0:
                        problems.add(bands, age, f"{age} must be a whole number ≥ 0, not {count!r}")
                    else:
                        key = (county, year, gender, str(age))
                        wanted[key] = (count, entry.get("reference", ""))
    return wanted


def export_population() -> dict:
    """The population file from the database, a year and a county at a time."""
    years: dict[int, dict] = {}
    rows = Population.objects.select_related("county").order_by("year", "county__path", "pk")
    for row in rows:
        year = years.setdefault(row.year, {"year": row.year, "counties": {}})
        if row.reference:
            year["reference"] = row.reference
        county = year["counties"].setdefault(row.county.code, {"county": row.county.code})
        county.setdefault(row.gender, {})[row.age_group] = row.count
    result = []
    for year in years.values():
        entry = {"year": year["year"]}
        if "reference" in year:
            entry["reference"] = year["reference"]
        entry["counties"] = list(year["counties"].values())
        result.append(entry)
    return {
        "description": "County population on 1 January by gender and age group, for rates "
        "per 100 000 population.",
        "reference": "Statistics Estonia, table RV021 (see each year's reference).",
        "years": result,
    }


register(
    "metrics",
    Section(
        load=load,
        export=export,
        header="Seire catalogue: the metrics with their methodology (current versions).\n"
        "Exported from the database by `seire catalogue export`.",
        fields={
            "file": FILE_FIELDS,
            "metrics": METRIC_FIELDS,
            "version": VERSION_FIELDS,
            "numerator / denominator": SIDE_FIELDS,
            "filter": CONDITION_FIELDS,
        },
        after=("organisation", "categories", "datasets"),
    ),
)
register(
    "population",
    Section(
        load=load_population,
        export=export_population,
        header="Seire catalogue: county population by year, gender and age group.\n"
        "Exported from the database by `seire catalogue export`.",
        fields={"file": POPULATION_FILE_FIELDS, "years": YEAR_FIELDS, "counties": COUNTY_FIELDS},
        after=("organisation", "categories"),
    ),
)
