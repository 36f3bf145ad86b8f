"""Checking a metric definition against the sources' real fields before it is saved.

A side (numerator or denominator) is a dict::

    {"source": "episodes", "measure": "count", "field": None, "date": "opened",
     "filter": [{"field": "crime_type", "op": "eq", "value": "domestic_violence"}]}

`measure` is `count` (records), `distinct` (distinct person keys), `sum`, `mean` or
`median` of a numeric `field`. The population denominator is `{"source": "population"}`.
"""

from seire.metrics.sources import SOURCES

OPERATORS = {
    "eq": {"str", "bool", "number", "date"},
    "ne": {"str", "bool", "number", "date"},
    "in": {"str", "number"},
    "not_in": {"str", "number"},
    "lt": {"number", "date"},
    "le": {"number", "date"},
    "gt": {"number", "date"},
    "ge": {"number", "date"},
    "is_null": {"str", "bool", "number", "date", "list"},
    "not_null": {"str", "bool", "number", "date", "list"},
    "contains": {"list"},
}
MEASURES = {"count", "distinct", "sum", "mean", "median"}
NEEDS_DENOMINATOR = {"percent", "ratio", "rate_per_100k"}
NUMERIC_MEASURES = {"sum", "mean", "median"}
SIDE_KEYS = {"source", "measure", "field", "date", "filter"}


class DefinitionError(ValueError):
    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


def check_definition(
    type_: str, numerator: dict, denominator: dict | None, breakdowns: list[str]
) -> None:
    """Raise DefinitionError listing every problem, each naming the side and the field."""
    problems: list[str] = []
    if type_ in NEEDS_DENOMINATOR and not denominator:
        problems.append(f"a {type_} needs a denominator")
    if type_ not in NEEDS_DENOMINATOR and denominator:
        problems.append(f"a {type_} has no denominator; remove it")
    problems += _check_side("numerator", numerator, type_)
    if denominator:
        if type_ == "rate_per_100k":
            if denominator.get("source") != "population":
                problems.append("denominator: a rate per 100 000 divides by the population source")
        else:
            problems += _check_side("denominator", denominator, type_)
    source = SOURCES.get((numerator or {}).get("source", ""))
    for name in breakdowns or []:
        if name in ("region", "county", "unit"):
            continue  # levels of the org tree, available for every source
        if source and name not in source.breakdowns:
            problems.append(
                f"breakdown “{name}” is not offered by {source.name} "
                f"(choose from {', '.join(source.breakdowns)}, region, county, unit)"
            )
    if problems:
        raise DefinitionError(problems)


def _check_side(side: str, spec: dict, type_: str) -> list[str]:
    if not isinstance(spec, dict):
        return [f"{side}: expected a mapping with source, measure, date and filter"]
    problems = [f"{side}: unknown key “{k}”" for k in sorted(set(spec) - SIDE_KEYS)]
    source = SOURCES.get(spec.get("source", ""))
    if source is None:
        return problems + [
            f"{side}: unknown source “{spec.get('source')}” (choose from {', '.join(SOURCES)})"
        ]
    measure = spec.get("measure", "count")
    if measure not in MEASURES:
        problems.append(
            f"{side}: unknown measure “{measure}” (choose from {', '.join(sorted(MEASURES))})"
        )
    if measure == "distinct" and not source.key:
        problems.append(f"{side}: {source.name} has no person key to count distinct")
    if measure in NUMERIC_MEASURES:
        target = source.field(spec.get("field") or "")
        if target is None:
            problems.append(f"{side}: {measure} needs a numeric field of {source.name}")
        elif target.type != "number":
            problems.append(
                f"{side}: field “{target.name}” is {target.type}, {measure} needs a number"
            )
    if type_ in ("mean", "median") and measure != type_ and side == "numerator":
        problems.append(f"{side}: a {type_} metric takes measure “{type_}”")
    date_name = spec.get("date")
    if date_name not in source.dates:
        problems.append(
            f"{side}: date “{date_name}” is not a date of {source.name} "
            f"(choose from {', '.join(source.dates)})"
        )
    for i, condition in enumerate(spec.get("filter") or [], start=1):
        problems += _check_condition(f"{side} filter {i}", source, condition)
    return problems


def _check_condition(where: str, source, condition) -> list[str]:
    if not isinstance(condition, dict) or set(condition) - {"field", "op", "value"}:
        return [f"{where}: expected field, op and value"]
    field = source.field(condition.get("field", ""))
    if field is None:
        return [
            f"{where}: unknown field “{condition.get('field')}” of {source.name} "
            f"(choose from {', '.join(source.fields)})"
        ]
    op = condition.get("op", "eq")
    if op not in OPERATORS:
        return [f"{where}: unknown operator “{op}”"]
    if field.type not in OPERATORS[op]:
        return [f"{where}: operator {op} does not apply to {field.name} ({field.type})"]
    value = condition.get("value")
    if op in ("is_null", "not_null"):
        return []
    expected = {"str": str, "bool": bool, "number": (int, float), "date": str, "list": str}[
        field.type
    ]
    values = value if op in ("in", "not_in") else [value]
    if op in ("in", "not_in") and not isinstance(value, list):
        return [f"{where}: {op} needs a list of values"]
    if any(
        isinstance(v, bool) != (field.type == "bool") or not isinstance(v, expected) for v in values
    ):
        return [f"{where}: {field.name} is {field.type}, got {value!r}"]
    return []
