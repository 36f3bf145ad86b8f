"""The metric engine: every version × period × unit (up the org tree) × breakdown.

One query per side (numerator, denominator): counts and sums are grouped in SQL by month
(or stored period), unit and breakdown fields; distinct counts, means, medians and derived
fields fetch the needed columns once and are grouped in Python. Groups are then rolled up
the org tree (a unit's records count for every unit above it) and into the metric's
frequency. Percent values carry a 95 % Wilson interval; values whose denominator (or n) is
below `min_n` are flagged `small_n` so screens say "n too small" instead of a percent.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from seire.metrics.models import MetricValue, MetricVersion, Population
from seire.metrics.sources import SOURCES, Source, period_key
from seire.organisation.models import OrgUnit
from seire.stats import wilson_interval

TOTAL = ""
SQL_LOOKUPS = {"eq": "exact", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte", "in": "in"}


@dataclass
class Cell:
    count: int = 0
    total: Decimal = Decimal(0)
    values: list = field(default_factory=list)
    keys: set = field(default_factory=set)

    def result(self, measure: str) -> tuple[Decimal | None, int]:
        """(measure value, n)."""
        if measure == "count":
            return Decimal(self.count), self.count
        if measure == "sum":
            return self.total, self.count
        if measure == "distinct":
            return Decimal(len(self.keys)), len(self.keys)
        if not self.values:
            return None, 0
        if measure == "mean":
            return Decimal(str(statistics.fmean(self.values))), len(self.values)
        return Decimal(str(statistics.median(self.values))), len(self.values)


Key = tuple[str, int, str]  # (period, unit id, breakdown)


class Tree:
    """Unit id → the ids of the unit and every unit above it."""

    def __init__(self):
        units = list(OrgUnit.objects.values_list("pk", "path"))
        by_path = {path: pk for pk, path in units}
        self.up: dict[int, list[int]] = {}
        for pk, path in units:
            codes = path.rstrip("/").split("/")
            self.up[pk] = [
                by_path["/".join(codes[:i]) + "/"]
                for i in range(1, len(codes) + 1)
                if "/".join(codes[:i]) + "/" in by_path
            ]


def _split_filter(source: Source, conditions: Iterable[dict]):
    """(SQL conditions, SQL exclusions, Python conditions).

    Each exclusion is excluded on its own: one `exclude(a=1, b=2)` would drop only the rows
    matching both. An empty text counts as null in SQL, as it does in `_matches`."""
    include, exclude, python = [], [], []
    for c in conditions or []:
        f = source.field(c["field"])
        op, value = c.get("op", "eq"), c.get("value")
        in_sql = f.column is not None and (f.type != "list" or "__" in f.column)
        col = f.column
        if not in_sql:
            python.append((f, op, value))
        elif op in SQL_LOOKUPS or (op == "contains" and f.type == "list"):
            lookup = "exact" if op == "contains" else SQL_LOOKUPS[op]
            include.append(Q(**{f"{col}__{lookup}": value}))
        elif op == "ne":
            exclude.append(Q(**{col: value}))
        elif op == "not_in":
            exclude.append(Q(**{f"{col}__in": value}))
        elif op == "is_null":
            blank = Q(**{f"{col}__isnull": True})
            include.append(blank | Q(**{col: ""}) if f.type == "str" else blank)
        elif op == "not_null":
            include.append(Q(**{f"{col}__isnull": False}))
            if f.type == "str":
                exclude.append(Q(**{col: ""}))
    return include, exclude, python


def _matches(value, op: str, expected) -> bool:
    if op == "is_null":
        return value is None or value == "" or value == []
    if op == "not_null":
        return not _matches(value, "is_null", None)
    if value is None:
        return False
    return {
        "eq": lambda: value == expected,
        "ne": lambda: value != expected,
        "in": lambda: value in expected,
        "not_in": lambda: value not in expected,
        "lt": lambda: value < expected,
        "le": lambda: value <= expected,
        "gt": lambda: value > expected,
        "ge": lambda: value >= expected,
        "contains": lambda: expected in value,
    }[op]()


def side_cells(spec: dict, frequency: str, breakdowns: list[str], tree: Tree) -> dict[Key, Cell]:
    """The side's cells for every period, unit (rolled up) and breakdown ("" = total)."""
    source = SOURCES[spec["source"]]
    measure = spec.get("measure", "count")
    include, exclude, python = _split_filter(source, spec.get("filter"))
    qs = source.queryset().filter(*include)
    for condition in exclude:
        qs = qs.exclude(condition)
    dims = [b for b in breakdowns if b in source.fields]
    date_col = source.dates[spec["date"]]
    qs = qs.filter(**{f"{date_col}__isnull": False})
    cells: dict[Key, Cell] = defaultdict(Cell)

    def add(period_value, unit_id, dim_values, update):
        period = period_key(period_value, frequency)
        if period is None or unit_id is None:
            return
        labels = [TOTAL] + [
            f"{d}={v}" for d, v in zip(dims, dim_values, strict=True) if v not in (None, "")
        ]
        for ancestor in tree.up.get(unit_id, [unit_id]):
            for label in labels:
                update(cells[(period, ancestor, label)])

    dim_cols = [source.fields[d].column for d in dims]
    if not python and measure in ("count", "sum"):
        period_expr = TruncMonth(date_col) if date_col != "period" else F(date_col)
        grouped = qs.annotate(_p=period_expr).values("_p", source.unit, *dim_cols)
        if measure == "count":
            grouped = grouped.annotate(_n=Count("pk"), _s=Count("pk"))
        else:
            column = source.fields[spec["field"]].column
            grouped = grouped.annotate(_n=Count("pk"), _s=Sum(column))
        for row in grouped.order_by():
            n, s = row["_n"], Decimal(row["_s"] or 0)
            period_value = row["_p"].date() if hasattr(row["_p"], "date") else row["_p"]

            def update(cell, n=n, s=s):
                cell.count += n
                cell.total += s

            add(period_value, row[source.unit], [row[c] for c in dim_cols], update)
        return cells

    needed = {f.name: f for f, _, _ in python}
    for f, _, _ in python:
        for column_name in f.needs:
            needed[column_name] = source.fields[column_name]
    value_field = source.field(spec.get("field") or "")
    if value_field is not None:
        needed[value_field.name] = value_field
        for column_name in value_field.needs:
            needed[column_name] = source.fields[column_name]
    columns = [f.column for f in needed.values() if f.column]
    extra = [source.key] if measure == "distinct" else []
    for row in (
        qs.values(date_col, source.unit, *dim_cols, *columns, *extra)
        .order_by()
        .iterator(chunk_size=5000)
    ):
        record = {name: row[f.column] for name, f in needed.items() if f.column}
        for name, f in needed.items():
            if f.derive is not None:
                record[name] = f.derive(record)
        if not all(_matches(record[f.name], op, value) for f, op, value in python):
            continue
        if measure == "distinct":
            key = row[source.key]

            def update(cell, key=key):
                cell.count += 1
                cell.keys.add(key)
        else:
            number = record.get(value_field.name) if value_field else None
            if measure in ("mean", "median", "sum") and number is None:
                continue

            def update(cell, number=number):
                cell.count += 1
                if number is not None:
                    cell.total += Decimal(str(number))
                    cell.values.append(float(number))

        add(row[date_col], row[source.unit], [row[c] for c in dim_cols], update)
    return cells


def population_cells(frequency: str, tree: Tree) -> dict[Key, Cell]:
    """Population by year for every county and the units above it (total breakdown only).

    A period uses its year's population (the latest year known when the year is newer)."""
    by_year: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for county_id, year, count in Population.objects.values_list("county_id", "year", "count"):
        for ancestor in tree.up.get(county_id, [county_id]):
            by_year[year][ancestor] += count
    return by_year


def compute_version(version: MetricVersion, first_period: str | None = None) -> int:
    """Recompute `version` from `first_period` on (everything when None); returns rows stored."""
    rows = evaluate(version, first_period)
    with transaction.atomic():
        stale = MetricValue.objects.filter(version=version)
        if first_period:
            stored = set(stale.values_list("period", flat=True).distinct())
            stale = stale.filter(period__in={p for p in stored if not _before(p, first_period)})
        stale.delete()
        MetricValue.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def evaluate(
    version: MetricVersion, first_period: str | None = None, tree: "Tree | None" = None
) -> list[MetricValue]:
    """The values of a definition, unsaved: `version` may be an unsaved MetricVersion, which
    is how a change proposal is computed side by side with the current version."""
    tree = tree or Tree()
    breakdowns = [b for b in version.breakdowns if b not in ("region", "county", "unit")]
    numerator = side_cells(version.numerator, version.frequency, breakdowns, tree)
    measure_n = version.numerator.get("measure", "count")
    denominator, measure_d, population = None, None, None
    if version.type == "rate_per_100k":
        population = population_cells(version.frequency, tree)
    elif version.denominator:
        denominator = side_cells(version.denominator, version.frequency, breakdowns, tree)
        measure_d = version.denominator.get("measure", "count")
    keys = set(numerator) | set(denominator or {})
    now = timezone.now()
    rows = []
    for key in sorted(keys):
        period, unit_id, breakdown = key
        if first_period and _before(period, first_period):
            continue
        num, n = numerator[key].result(measure_n) if key in numerator else (Decimal(0), 0)
        den = None
        if denominator is not None:
            den, n = denominator[key].result(measure_d) if key in denominator else (Decimal(0), 0)
            if measure_d == "sum":
                n = int(den)  # a share of table values: n is what they count, not the rows
        elif population is not None:
            if breakdown != TOTAL:
                continue
            den = Decimal(_population_for(population, period, unit_id) or 0)
            n = int(num or 0)
        rows.append(_value_row(version, key, num, den, n, now))
    return rows


def _value_row(version, key, num, den, n, now) -> MetricValue:
    period, unit_id, breakdown = key
    value = low = high = None
    kind = version.type
    if kind in ("count", "sum", "mean", "median"):
        value = num
    elif den:
        if kind == "percent":
            value = 100 * num / den
            if version.numerator.get("measure", "count") in ("count", "distinct"):
                lo, hi = wilson_interval(int(num), int(den))
                low, high = Decimal(str(100 * lo)), Decimal(str(100 * hi))
        elif kind == "ratio":
            value = num / den
        elif kind == "rate_per_100k":
            value = 100_000 * num / den
    q = Decimal("0.0001")
    return MetricValue(
        version=version,
        period=period,
        unit_id=unit_id,
        breakdown=breakdown,
        numerator=num.quantize(q) if num is not None else None,
        denominator=den.quantize(q) if den is not None else None,
        value=value.quantize(q) if value is not None else None,
        low=low.quantize(q) if low is not None else None,
        high=high.quantize(q) if high is not None else None,
        n=n,
        small_n=n < version.min_n,
        computed_at=now,
    )


def _population_for(population, period: str, unit_id: int) -> int | None:
    year = int(period[:4])
    years = sorted(y for y in population if y <= year) or sorted(population)
    return population[years[-1]].get(unit_id) if years else None


def _before(period: str, first: str) -> bool:
    from seire import periods

    return periods.parse(period).end < periods.parse(first).start


def compute(
    metric_codes: Iterable[str] | None = None, first_period: str | None = None, progress=None
) -> dict[str, int]:
    """Recompute the current version of every (or the named) metric(s)."""
    versions = MetricVersion.objects.select_related("metric").order_by("metric__code", "-version")
    if metric_codes:
        versions = versions.filter(metric__code__in=list(metric_codes))
    latest: dict[str, MetricVersion] = {}
    for v in versions:
        latest.setdefault(v.metric.code, v)
    result = {}
    items = latest.items() if progress is None else progress(list(latest.items()))
    for code, version in items:
        result[code] = compute_version(version, first_period)
    return result
