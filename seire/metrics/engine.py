"""The metric engine: every version × period × unit (up the org tree) × breakdown.

`compute` evaluates every metric together, reading each source once per date that puts its
records in a period (`scan`): the count and sum sides of all metrics share one grouped query
(a COUNT and SUM per side, each with the side's filter, grouped by month — the ISO text's
first seven characters on SQLite — unit and breakdown fields); the sides that need records
(distinct keys, means and medians, Python conditions on derived fields) share one row fetch
with a flag column per side. Derived fields are worked out once per distinct input. The
measures are then taken with numpy for the total and each breakdown at every depth of the
org tree (a unit's records count for every unit above it; a client counts once per unit),
in the metric's frequency. Values are stored with one DELETE and one executemany INSERT per
metric. Percent values carry a 95 % Wilson interval; values whose denominator (or n) is
below `min_n` are flagged `small_n` so screens say "n too small" instead of a percent.
"""

import json
import operator
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache, partial, reduce

import numpy as np
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router, transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    Q,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr, TruncMonth
from django.utils import timezone

from seire.metrics.models import MetricValue, MetricVersion, Population
from seire.metrics.sources import SOURCES, Field, Source, period_key
from seire.organisation.models import OrgUnit
from seire.stats import wilson_interval

TOTAL = ""
SQL_LOOKUPS = {"eq": "exact", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte", "in": "in"}


Key = tuple[str, int, str]  # (period, unit id, breakdown)
Result = tuple[Decimal | None, int]  # (the measure's value, n)


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
        self.depth = {pk: path.count("/") for pk, path in units}
        self._by_depth = None

    def by_depth(self) -> list["np.ndarray"]:
        """For every depth of the tree, unit id → its unit at that depth (-1: none)."""
        if self._by_depth is None:
            size = max(self.up, default=0) + 1
            depths = sorted(set(self.depth.values()))
            self._by_depth = [np.full(size, -1, dtype=np.int64) for _ in depths]
            slot = {d: i for i, d in enumerate(depths)}
            for pk, above in self.up.items():
                for ancestor in above:
                    self._by_depth[slot[self.depth[ancestor]]][pk] = ancestor
        return self._by_depth


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


def _side_q(include: list[Q], exclude: list[Q]) -> Q:
    """The side's SQL conditions as one Q (for an aggregate's or a flag's `filter`)."""
    q = Q()
    for condition in include:
        q &= condition
    for condition in exclude:
        q &= ~condition
    return q


def _multi_valued(source: Source, conditions: Iterable[dict]) -> bool:
    """True when a condition goes through a many-valued relation (a list field with a path):
    such a join repeats the rows, so the side gets a query of its own."""
    for c in conditions or []:
        f = source.field(c["field"])
        if f is not None and f.type == "list" and f.column and "__" in f.column:
            return True
    return False


@dataclass
class Side:
    """One side (numerator or denominator) of one version, planned for a scan.

    `grouped` sides (counts and sums filtered in SQL alone) share one grouped query per
    source and date with every other such side; the others share one row fetch per source
    and date, where the rows of each side are marked by a flag column."""

    spec: dict
    frequency: str
    dims: list[str]
    source: Source = field(init=False)
    measure: str = field(init=False)
    date_col: str = field(init=False)
    q: Q = field(init=False)
    include: list = field(init=False)
    exclude: list = field(init=False)
    python: list = field(init=False)
    alone: bool = field(init=False)
    cells: dict = field(init=False, default_factory=dict)  # Key → Result

    def __post_init__(self):
        self.source = SOURCES[self.spec["source"]]
        self.measure = self.spec.get("measure", "count")
        self.include, self.exclude, self.python = _split_filter(
            self.source, self.spec.get("filter")
        )
        self.q = _side_q(self.include, self.exclude)
        self.date_col = self.source.dates[self.spec["date"]]
        self.dims = [b for b in self.dims if b in self.source.fields]
        self.alone = _multi_valued(self.source, self.spec.get("filter"))

    @property
    def grouped(self) -> bool:
        return self.measure in ("count", "sum") and not self.python

    def scan_key(self) -> tuple:
        """Sides of one key share a scan. A row fetch reads every date of its source (an
        episode's opening and closing month side by side: the table is read once); a
        grouped query one date (grouped by two months, the groups multiply)."""
        kind = "grouped" if self.grouped else "rows"
        date = self.date_col if kind == "grouped" else None
        return (self.source.name, kind, id(self) if self.alone else None, date)

    def value_field(self) -> Field | None:
        return self.source.field(self.spec.get("field") or "")


def _month(qs, date_col: str):
    """A SQL expression of the month (or stored period) that puts a record in a period.

    On SQLite a date is ISO text: its first seven characters ("2026-03") are the month, read
    natively (Django's TruncMonth there is a Python function called for every row)."""
    if date_col == "period":
        return F(date_col)
    if connections[qs.db].vendor == "sqlite" and not _is_datetime(qs.model, date_col):
        return Substr(date_col, 1, 7)
    return TruncMonth(date_col)


def _dated(source: Source, sides: list[Side]):
    """The source's records with a date some side reads, and {date column: name of the
    month fetched for it}. One scan reads every date of a source (an episode's opening and
    closing month side by side), so each source table is read once per kind of scan."""
    dates = _ordered(s.date_col for s in sides)
    has_date = reduce(operator.or_, (Q(**{f"{d}__isnull": False}) for d in dates))
    return source.queryset().filter(has_date), {d: f"_p{i}" for i, d in enumerate(dates)}


def _is_datetime(model, path: str) -> bool:
    return isinstance(_model_field(model, path), DateTimeField)


class _Periods(dict):
    """Month text ("2026-03"), month date or stored period code → period of `frequency`."""

    def __init__(self, frequency: str):
        super().__init__()
        self.frequency = frequency

    def __missing__(self, value):
        if value is None:  # no date of this kind (a record read for another date)
            return None
        month = value
        if isinstance(value, datetime):
            month = value.date()
        elif isinstance(value, str) and len(value) == 7 and value[4] == "-":
            month = date(int(value[:4]), int(value[5:7]), 1)
        period = self[value] = period_key(month, self.frequency)
        return period


def _ordered(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _scan_grouped(sides: list[Side], tree: Tree) -> None:
    """One grouped query for every count/sum side of a source and date: a COUNT (and SUM)
    per side, each with the side's filter, grouped by month, unit and breakdown fields."""
    first = sides[0]
    source = first.source
    qs, months = _dated(source, sides)
    if first.alone:
        qs = qs.filter(*first.include)
        for condition in first.exclude:
            qs = qs.exclude(condition)
        conditions = [Q()]
    else:
        conditions = [s.q for s in sides]
        qs = _where(qs, sides)
    dims = _ordered(d for s in sides for d in s.dims)
    aggregates = {}
    for i, (side, condition) in enumerate(zip(sides, conditions, strict=False)):
        aggregates[f"_n{i}"] = Count("pk", filter=condition or None)
        if side.measure == "sum":
            column = source.fields[side.spec["field"]].column
            aggregates[f"_s{i}"] = Sum(column, filter=condition or None)
    # Every grouping column is an annotation, so that the month comes first in GROUP BY:
    # grouped by unit first, SQLite walks the unit index and reads the table out of order.
    grouping = {name: _month(qs, col) for col, name in months.items()}
    grouping["_u"] = F(source.unit)
    grouping.update({f"_d{j}": F(source.fields[d].column) for j, d in enumerate(dims)})
    query = (
        qs.annotate(**grouping)
        .values(*grouping)
        .annotate(**aggregates)
        .order_by()
        .values_list(*grouping, *aggregates)
    )
    rows = _fetch(query, len(grouping))
    if not rows:
        return
    names = {"unit": "_u", **{d: f"_d{j}" for j, d in enumerate(dims)}}
    table = _Table(rows, [*grouping, *aggregates], names, sides, months)
    for i, side in enumerate(sides):
        counts = np.array(table.column(f"_n{i}"), dtype=np.int64)
        sums = None
        if side.measure == "sum":
            sums = np.array(table.column(f"_s{i}"), dtype=object)
        _measure(side, (counts > 0) & table.valid(side), table, tree, sums, counts)


def _fetch(query, plain: int) -> list[tuple]:
    """The rows of a values_list query, as the driver gives them when Django would convert
    none of the first `plain` columns: in a grouped query only the aggregates after them
    (a COUNT to int, a SUM to a Decimal of 4 places: counts are whole numbers already, sums
    are made Decimals by `_aggregate` and rounded when stored); in a row fetch none. A
    hundred thousand rows then skip a Python call each. Otherwise Django's rows."""
    compiler = query.query.get_compiler(query.db)
    sql, params = compiler.as_sql()
    converters = compiler.get_converters([column for column, *__ in compiler.select])
    if any(position < plain for position in converters):
        return list(query.iterator(chunk_size=10_000))  # e.g. a boolean or a time stamp
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _scan_rows(sides: list[Side], tree: Tree) -> None:
    """One row fetch for every other side of a source and date: the columns they need and a
    flag per side saying which rows its SQL filter keeps. Python conditions and derived
    fields are worked out once per distinct input, then the measures with numpy."""
    first = sides[0]
    source = first.source
    qs, months = _dated(source, sides)
    if first.alone:
        qs = qs.filter(*first.include)
        for condition in first.exclude:
            qs = qs.exclude(condition)
        flags = {}
    else:
        qs = _where(qs, sides)
        flags = {
            f"_m{i}": _Flag(When(s.q, then=Value(1)), default=Value(0))
            for i, s in enumerate(sides)
            if s.q
        }
    needed: dict[str, Field] = {}
    for side in sides:
        wanted = [f for f, _, _ in side.python]
        if side.value_field() is not None:
            wanted.append(side.value_field())
        for f in wanted:
            needed[f.name] = f
            for name in f.needs:
                needed[name] = source.fields[name]
    dims = _ordered(d for s in sides for d in s.dims)
    raw, as_text = _raw_columns(qs, needed)
    names = _ordered(
        [
            *months.values(),
            source.unit,
            *(source.fields[d].column for d in dims),
            *(name for name, _ in raw.values()),
            *([source.key] if any(s.measure == "distinct" for s in sides) else []),
            *flags,
        ]
    )
    query = (
        qs.annotate(**{n: _month(qs, col) for col, n in months.items()}, **as_text, **flags)
        .order_by()
        .values_list(*names)
    )
    rows = _fetch(query, len(names))
    if not rows:
        return
    columns = {"unit": source.unit, **{d: source.fields[d].column for d in dims}}
    if any(s.measure == "distinct" for s in sides):
        columns["key"] = source.key
    table = _Table(rows, names, columns, sides, months)
    for i, side in enumerate(sides):
        keep = table.valid(side)
        if f"_m{i}" in table.at:
            keep &= np.array(table.column(f"_m{i}"), dtype=bool)
        if side.python:
            chosen = np.flatnonzero(keep)
            keep[chosen] = table.per_row(
                [f for f, _, _ in side.python],
                raw,
                chosen.tolist(),
                lambda values, side=side: all(
                    _matches(_value_of(f, values), op, x) for f, op, x in side.python
                ),
            )
        numbers = None
        value = side.value_field()
        if value is not None and side.measure != "distinct":
            chosen = np.flatnonzero(keep)
            numbers = np.empty(len(rows), dtype=object)
            numbers[chosen] = table.per_row(
                [value], raw, chosen.tolist(), partial(_value_of, value)
            )
            if side.measure in ("mean", "median", "sum"):
                keep &= numbers != None  # noqa: E711 (elementwise)
        _measure(side, keep, table, tree, numbers)


def _where(qs, sides: list[Side]):
    """`qs` limited to the rows some side may keep: the OR of the sides' filters, leaving
    out a filter that implies another's (it has all of the other's conditions), so that a
    costly condition such as a subquery is not worked out for the WHERE as well."""
    conditions = [frozenset([*s.include, *(~c for c in s.exclude)]) for s in sides]
    broadest = [
        c
        for i, c in enumerate(conditions)
        if not any(o < c or (o == c and j < i) for j, o in enumerate(conditions))
    ]
    if any(not c for c in broadest):
        return qs
    return qs.filter(reduce(operator.or_, (reduce(operator.and_, c) for c in broadest)))


class _Flag(Case):
    """CASE WHEN <a side's filter> THEN 1 ELSE 0 END, read as the database returns it
    (Django would call int() on it for every row)."""

    output_field = IntegerField()

    def get_db_converters(self, connection):
        return []


def _raw_columns(qs, needed: dict[str, Field]) -> tuple[dict, dict]:
    """How to fetch the columns Python reads: {field name: (name fetched, decode or None)}
    and the annotations that fetch some as text. On SQLite a date or JSON column is read as
    its text and decoded once per distinct value (Django would convert every row)."""
    raw, as_text = {}, {}
    sqlite = connections[qs.db].vendor == "sqlite"
    for n, f in enumerate(f for f in needed.values() if f.column):
        model_field = _model_field(qs.model, f.column)
        decode = None
        if sqlite and type(model_field) is DateField:
            decode = date.fromisoformat
        elif sqlite and isinstance(model_field, JSONField) and model_field.decoder is None:
            decode = json.loads
        if decode is None:
            raw[f.name] = (f.column, None)
        else:
            as_text[f"_r{n}"] = Cast(f.column, output_field=TextField())
            raw[f.name] = (f"_r{n}", decode)
    return raw, as_text


def _model_field(model, path: str):
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # an alias of the source's queryset
        return None


def _value_of(f: Field, values: dict):
    return f.derive(values) if f.derive is not None else values[f.name]


class _Codes:
    """A column as small integer codes (-1 for a missing value) and the values they stand
    for; `convert` maps each distinct value first (None: missing)."""

    def __init__(self, column, convert=None, blank_is_missing=True):
        index = dict.fromkeys(column)  # raw value → code
        coded: dict = {}  # value → code (two raw values may convert to one value)
        for raw in index:
            shown = convert(raw) if convert is not None else raw
            if blank_is_missing and (shown is None or shown == ""):
                index[raw] = -1
            else:
                index[raw] = coded.setdefault(shown, len(coded))
        self.values: list = list(coded)
        self.codes = np.fromiter(map(index.__getitem__, column), np.int64, len(column))


class _Table:
    """Fetched rows as columns: units, breakdown values and person keys as codes, and the
    period of each row for every frequency the sides need. `columns` names the fetched
    column of "unit", of each breakdown and (for distinct counts) of "key"."""

    def __init__(self, rows: list[tuple], names: list[str], columns: dict[str, str], sides, months):
        self.rows = rows
        self.at = {name: i for i, name in enumerate(names)}
        self.columns = list(zip(*rows, strict=True))
        units = self.column(columns["unit"])
        try:
            self.units = np.array(units, dtype=np.int64)
        except TypeError:  # a row without a unit
            self.units = np.array([-1 if u is None else u for u in units], dtype=np.int64)
        dims = {d for s in sides for d in s.dims}
        self.codes = {d: _Codes(self.column(columns[d])) for d in dims}
        self.keys = None
        if "key" in columns:
            self.keys = _Codes(self.column(columns["key"]), blank_is_missing=False)
        self.periods = {  # (date, frequency) → the period of each row (-1: no date)
            (d, f): _Codes(self.column(months[d]), _Periods(f).__getitem__)
            for d, f in {(s.date_col, s.frequency) for s in sides}
        }
        self._above: list | None = None

    def above(self, tree: Tree) -> list["np.ndarray"]:
        """For every depth of the tree, each row's unit at that depth (-1: none)."""
        if self._above is None:
            depths = tree.by_depth()
            inside = (self.units >= 0) & (self.units < len(depths[0]))  # else a unit made since
            known = np.where(inside, self.units, 0)
            self._above = [np.where(inside, by_depth[known], -1) for by_depth in depths]
        return self._above

    def column(self, name: str) -> tuple:
        return self.columns[self.at[name]]

    def valid(self, side: Side) -> "np.ndarray":
        """The rows with a unit and a period of the side's date and frequency."""
        return (self.periods[(side.date_col, side.frequency)].codes >= 0) & (self.units >= 0)

    def per_row(self, fields: list[Field], raw: dict, rows: list[int], compute) -> list:
        """[compute({name: value}) for each of `rows`] over the inputs of `fields` (a
        derived field's `needs`, else the field itself), worked out once per distinct input."""
        inputs = _ordered(
            n for f in fields for n in (f.needs if f.derive is not None else [f.name])
        )
        decoders = [raw[name][1] for name in inputs]
        columns = [self.column(raw[name][0]) for name in inputs]
        keys = list(zip(*([column[j] for j in rows] for column in columns), strict=True))

        def work(key):
            return compute(
                {
                    name: (decode(v) if decode is not None and v is not None else v)
                    for name, decode, v in zip(inputs, decoders, key, strict=True)
                }
            )

        try:
            results = dict.fromkeys(keys)
        except TypeError:  # an unhashable input
            return [work(key) for key in keys]
        for key in results:
            results[key] = work(key)
        return list(map(results.__getitem__, keys))


def _measure(side: Side, keep, table: _Table, tree: Tree, numbers=None, counts=None) -> None:
    """The side's cells from the rows kept: for the total and each breakdown, at every depth
    of the tree, one group per period × unit at that depth × label value (so a unit's rows
    count for every unit above it). `counts`: rows a grouped row stands for (else 1 each)."""
    periods = table.periods[(side.date_col, side.frequency)]
    labels = [(TOTAL, None)] + [(d, table.codes[d]) for d in side.dims]
    width = max([1, *(len(c.values) for _, c in labels[1:])])
    unit_count = len(tree.by_depth()[0])
    for name, label_codes in labels:
        rows = keep if label_codes is None else keep & (label_codes.codes >= 0)
        lab = label_codes.codes if label_codes is not None else np.zeros_like(table.units)
        for above in table.above(tree):
            chosen = np.flatnonzero(rows & (above >= 0))
            if not len(chosen):
                continue
            groups = (periods.codes[chosen] * unit_count + above[chosen]) * width + lab[chosen]
            for group, result in _aggregate(side.measure, groups, chosen, table, numbers, counts):
                rest, label = divmod(int(group), width)
                period, unit_id = divmod(rest, unit_count)
                shown = name if label_codes is None else f"{name}={label_codes.values[label]}"
                side.cells[(periods.values[period], unit_id, shown)] = result


def _aggregate(measure: str, groups, chosen, table: _Table, numbers, counts):
    """(group, (value, n)) for every group of the rows `chosen`."""
    if measure == "distinct":
        keys = table.keys
        pairs, _ = _counts(groups * len(keys.values) + keys.codes[chosen])
        found, n = _counts(pairs // len(keys.values))
        return [(g, (Decimal(int(c)), int(c))) for g, c in zip(found, n, strict=True)]
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    starts = np.concatenate(([0], np.flatnonzero(np.diff(ordered)) + 1))
    ends = np.concatenate((starts[1:], [len(order)]))
    n = np.add.reduceat(counts[chosen[order]], starts) if counts is not None else ends - starts
    if measure == "count":
        return [(ordered[s], (Decimal(int(c)), int(c))) for s, c in zip(starts, n, strict=True)]
    values = numbers[chosen[order]]
    out = []
    for start, end, count in zip(starts, ends, n, strict=True):
        part = values[start:end]
        if measure == "sum":
            total = sum((Decimal(str(v)) for v in part if v is not None), Decimal(0))
            out.append((ordered[start], (total, int(count))))
            continue
        floats = [float(v) for v in part]
        result = statistics.fmean(floats) if measure == "mean" else statistics.median(floats)
        out.append((ordered[start], (Decimal(str(result)), int(count))))
    return out


def _counts(groups: "np.ndarray") -> tuple["np.ndarray", "np.ndarray"]:
    """The distinct values of an integer array and how often each occurs (sorted)."""
    ordered = np.sort(groups)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(ordered)) + 1))
    return ordered[starts], np.diff(np.concatenate((starts, [len(ordered)])))


def scan(sides: list[Side], tree: Tree) -> list[dict[Key, Result]]:
    """The cells of every side, each source and date read once (see `Side`)."""
    batches: dict[tuple, list[Side]] = defaultdict(list)
    for side in sides:
        batches[side.scan_key()].append(side)
    for key, batch in batches.items():
        (_scan_grouped if key[1] == "grouped" else _scan_rows)(batch, tree)
    return [side.cells for side in sides]


def side_cells(spec: dict, frequency: str, breakdowns: list[str], tree: Tree) -> dict[Key, Result]:
    """The side's (value, n) for every period, unit (rolled up) and breakdown ("" = total)."""
    return scan([Side(spec, frequency, list(breakdowns))], tree)[0]


def population_cells(frequency: str, tree: Tree) -> dict[int, dict[int, int]]:
    """Population by year for every county and the units above it (total breakdown only).

    A period uses its year's population (the latest year known when the year is newer)."""
    by_year: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for county_id, year, count in Population.objects.values_list("county_id", "year", "count"):
        for ancestor in tree.up.get(county_id, [county_id]):
            by_year[year][ancestor] += count
    return by_year


def compute_version(version: MetricVersion, first_period: str | None = None) -> int:
    """Recompute `version` from `first_period` on (everything when None); returns rows stored."""
    return _store(version, _evaluate([version], first_period)[0], first_period)


def compute_versions(
    versions: list[MetricVersion], first_period: str | None = None
) -> dict[int, int]:
    """`compute_version` of several versions, evaluated together (each source read once);
    {version pk: rows stored}."""
    rows = _evaluate(list(versions), first_period)
    return {
        version.pk: _store(version, values, first_period)
        for version, values in zip(versions, rows, strict=True)
    }


# A value as the engine makes it: everything of a MetricValue but its version and time.
Row = tuple  # (period, unit id, breakdown, numerator, denominator, value, low, high, n, small_n)
ROW_FIELDS = ("period", "unit_id", "breakdown", "numerator", "denominator", "value", "low",
              "high", "n", "small_n")  # fmt: skip


def _store(version: MetricVersion, rows: list[Row], first_period: str | None) -> int:
    """Replace the version's values (from `first_period` on) with `rows`: one DELETE and
    one executemany INSERT through the project's bulk writer (Django's bulk_create prepares
    every field of every row again)."""
    from seire.collection.tables import insert_rows

    names = ("version", *(n.removesuffix("_id") for n in ROW_FIELDS), "computed_at")
    now = timezone.now()
    with transaction.atomic(using=router.db_for_write(MetricValue)):
        stale = MetricValue.objects.filter(version=version)
        if first_period:
            stored = set(stale.values_list("period", flat=True).distinct())
            stale = stale.filter(period__in={p for p in stored if not _before(p, first_period)})
        stale.delete()
        insert_rows(MetricValue, names, [(version.pk, *row, now) for row in rows])
    return len(rows)


def evaluate(
    version: MetricVersion, first_period: str | None = None, tree: "Tree | None" = None
) -> list[MetricValue]:
    """The values of a definition, unsaved: `version` may be an unsaved MetricVersion, which
    is how a change proposal is computed side by side with the current version."""
    return evaluate_many([version], first_period, tree)[0]


def evaluate_many(
    versions: list[MetricVersion], first_period: str | None = None, tree: "Tree | None" = None
) -> list[list[MetricValue]]:
    """The values of several definitions (as `evaluate` each), reading each source once."""
    now = timezone.now()
    return [
        [_new_value(version, *row, now) for row in rows]
        for version, rows in zip(versions, _evaluate(versions, first_period, tree), strict=True)
    ]


def _evaluate(
    versions: list[MetricVersion], first_period: str | None = None, tree: "Tree | None" = None
) -> list[list[Row]]:
    tree = tree or Tree()
    planned = []
    for version in versions:
        breakdowns = [b for b in version.breakdowns if b not in ("region", "county", "unit")]
        numerator = Side(version.numerator, version.frequency, breakdowns)
        denominator = None
        if version.type != "rate_per_100k" and version.denominator:
            denominator = Side(version.denominator, version.frequency, breakdowns)
        planned.append((version, numerator, denominator))
    sides = [s for _, n, d in planned for s in (n, d) if s is not None]
    cells = dict(zip(map(id, sides), scan(sides, tree), strict=True))
    population = None
    if any(v.type == "rate_per_100k" for v in versions):
        population = population_cells("Y", tree)
    return [
        _rows(
            version,
            cells[id(numerator)],
            cells[id(denominator)] if denominator is not None else None,
            population if version.type == "rate_per_100k" else None,
            first_period,
        )
        for version, numerator, denominator in planned
    ]


def _rows(version, numerator, denominator, population, first_period) -> list[Row]:
    measure_d = version.denominator.get("measure", "count") if denominator is not None else None
    keys = set(numerator) | set(denominator or {})
    rows = []
    for key in sorted(keys):
        period, unit_id, breakdown = key
        if first_period and _before(period, first_period):
            continue
        num, n = numerator.get(key, (Decimal(0), 0))
        den = None
        if denominator is not None:
            den, n = denominator.get(key, (Decimal(0), 0))
            if measure_d == "sum":
                n = int(den)  # a share of table values: n is what they count, not the rows
        elif population is not None:
            if breakdown != TOTAL:
                continue
            den = Decimal(_population_for(population, period, unit_id) or 0)
            n = int(num or 0)
        rows.append(_value_row(version, key, num, den, n))
    return rows


def _value_row(version, key, num, den, n) -> Row:
    period, unit_id, breakdown = key
    value = low = high = None
    kind = version.type
    if kind in ("count", "sum", "mean", "median"):
        value = num
    elif den:
        if kind == "percent":
            value = 100 * num / den
            if version.numerator.get("measure", "count") in ("count", "distinct"):
                lo, hi = _wilson(int(num), int(den))
                low, high = Decimal(str(100 * lo)), Decimal(str(100 * hi))
        elif kind == "ratio":
            value = num / den
        elif kind == "rate_per_100k":
            value = 100_000 * num / den
    q = Decimal("0.0001")
    return (
        period,
        unit_id,
        breakdown,
        num.quantize(q) if num is not None else None,
        den.quantize(q) if den is not None else None,
        value.quantize(q) if value is not None else None,
        low.quantize(q) if low is not None else None,
        high.quantize(q) if high is not None else None,
        n,
        n < version.min_n,
    )


VALUE_FIELDS = ("id", "version_id", *ROW_FIELDS, "computed_at")


def _new_value(version: MetricVersion, *values) -> MetricValue:
    """MetricValue(version=version, …) from a row and the time: positional arguments take
    Django's fast path (thousands of values are made per metric)."""
    if tuple(f.attname for f in MetricValue._meta.concrete_fields) == VALUE_FIELDS:
        value = MetricValue(None, version.pk, *values)
    else:
        value = MetricValue(**dict(zip(VALUE_FIELDS[1:], (version.pk, *values), strict=True)))
    value._state.fields_cache["version"] = version  # as MetricValue(version=version) would
    return value


# The interval depends only on the two counts, which repeat across units and periods.
_wilson = cache(wilson_interval)


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
    """Recompute the current version of every (or the named) metric(s): all are evaluated
    together (each source read once, `evaluate_many`), then stored metric by metric."""
    versions = MetricVersion.objects.select_related("metric").order_by("metric__code", "-version")
    if metric_codes:
        versions = versions.filter(metric__code__in=list(metric_codes))
    latest: dict[str, MetricVersion] = {}
    for v in versions:
        latest.setdefault(v.metric.code, v)
    values = dict(zip(latest, _evaluate(list(latest.values()), first_period), strict=True))
    result = {}
    items = latest.items() if progress is None else progress(list(latest.items()))
    for code, version in items:
        result[code] = _store(version, values.pop(code), first_period)
    return result
