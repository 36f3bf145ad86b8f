"""Checking the `metrics` file before anything is written.

Everything is checked: keys and types, `check_definition` against the sources' real fields,
and every code a filter names (crime types, datasets, elements, columns, instruments …).
Problems are located at file:line. `_side` and `_version_values` give the canonical stored
form of a version block, which syncing compares and writes.
"""

from decimal import Decimal

from seire.catalogue.loader import Problems, YamlList, YamlMap, check_entries, check_mapping
from seire.collection import vocabulary
from seire.collection.models import Assessment, DataElement, Dataset, OptionCombo, Submission
from seire.metrics.catalogue.fields import (
    CONDITION_FIELDS,
    FILE_FIELDS,
    METRIC_FIELDS,
    SIDE_FIELDS,
    VERSION_FIELDS,
    VERSION_KEYS,
)
from seire.metrics.definitions import DefinitionError, check_definition
from seire.metrics.models import Outcome
from seire.organisation.models import OrgUnit, Service

VOCABULARY_FIELDS = ("crime_type", "gender", "age_group", "referral_source", "closure_reason",
                     "services_given")  # fmt: skip
CODE_OPS = ("eq", "ne", "in", "not_in", "contains")


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
