"""Reading the sources for the engine: each source table once, the measures in numpy.

A `Side` is one numerator or denominator of one version. `scan(sides, tree)` reads every
source the sides count from once:

* a source whose sides all count or sum rows filtered in SQL gets one grouped query:
  a COUNT (and a SUM) per distinct filter, each a conditional aggregate
  (`COUNT(*) FILTER (WHERE …)`), grouped by the month of every date used, the unit and the
  breakdown fields;
* a source where some side needs the records themselves (distinct persons, a mean or a
  median, a condition on a derived field) gets one row fetch for all its sides: the
  columns they read and one integer whose bits say which of the sides' SQL conditions
  each record meets (`CASE WHEN … THEN 2^i ELSE 0 END + …`).

Rows come from the driver as they are; each column is coded once (`pandas.factorize`)
and only its distinct values are converted (Django's converters, periods, Python
conditions, derived fields). The measures are then taken with numpy for the total and
each breakdown at every depth of the org tree: counts and sums once per period × unit ×
label and summed up the tree; distinct persons, means and medians from the records at
each depth. Values are carried as integers of 1/10 000 (`UNIT`: the four places a
MetricValue keeps), so sums, means, medians and shares round exactly as Decimal would.
"""

import gc
import json
import operator
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce

import numpy as np
import pandas as pd
from django.core.exceptions import FieldDoesNotExist
from django.db import connections, router
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Substr, TruncMonth

from seire.metrics.measures import (
    UNIT,
    Groups,
    measured,
    split,
    totals,
    up_the_tree,
)
from seire.metrics.sources import SOURCES, Field, Source, period_key
from seire.organisation.models import OrgUnit

EPOCH = date(1970, 1, 1)
SQL_LOOKUPS = {"eq": "exact", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte", "in": "in"}


class Tree:
    """Unit id → the ids of the unit and every unit above it; and the same as arrays over
    dense unit numbers (units in id order), for grouping with numpy."""

    def __init__(self):
        units = sorted(OrgUnit.objects.values_list("pk", "path"))
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
        self.ids = np.array([pk for pk, _ in units], dtype=np.int64)  # dense number → id
        self.dense = np.full(max(self.up, default=0) + 2, -1, dtype=np.int64)  # id → number
        self.dense[self.ids] = np.arange(len(self.ids))
        depths = sorted(set(self.depth.values()))
        slot = {d: i for i, d in enumerate(depths)}
        # For every depth of the tree: dense number → its unit's dense number at that depth.
        self.above = [np.full(len(self.ids), -1, dtype=np.int64) for _ in depths]
        for pk, ancestors in self.up.items():
            for ancestor in ancestors:
                self.above[slot[self.depth[ancestor]]][self.dense[pk]] = self.dense[ancestor]

    def numbers(self, ids: np.ndarray) -> np.ndarray:
        """The dense numbers of unit ids (-1: no unit, or a unit made since)."""
        inside = (ids >= 0) & (ids < len(self.dense))
        return np.where(inside, self.dense[np.where(inside, ids, -1)], -1)


# -- planning ----------------------------------------------------------------------------------
def _split_filter(source: Source, conditions, vectors: bool, fetched=frozenset()):
    """(SQL conditions, SQL exclusions, Python conditions (field, op, value, as SQL would
    judge it)). With `vectors`, a condition on a field that numpy can work out from the
    fetched rows (`Field.vector`) is left to Python; so is a simple condition on a text
    column `fetched` anyway (judged per distinct value, as SQL would).

    Each exclusion is excluded on its own: one `exclude(a=1, b=2)` would drop only the rows
    matching both. An empty text counts as null in SQL, as it does in `_matches`."""
    include, exclude, python = [], [], []
    for c in conditions or []:
        f = source.field(c["field"])
        op, value = c.get("op", "eq"), c.get("value")
        in_sql = f.column is not None and (f.type != "list" or "__" in f.column)
        if vectors and f.vector is not None:
            in_sql = False
        col = f.column
        if col in fetched and f.type == "str" and f.derive is None and op in _AS_SQL:
            python.append((f, op, value, True))
        elif op == "contains" and f.type == "list" and "__" not in (col or "__"):
            if _ListHas.supported(source):
                include.append(Q(_ListHas(col, value)))
            else:
                python.append((f, op, value, False))
        elif not in_sql:
            python.append((f, op, value, False))
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


_PLAIN_TEXT = re.compile(r"[A-Za-z0-9_ .:-]*")


class _ListHas(Func):
    """A JSON list column has `value` (the "contains" of a list field), natively: on SQLite
    through json_each, on PostgreSQL with @> (Django's JSON "contains" lookup is not there
    on SQLite; a list in Python would mean fetching and decoding every row's list)."""

    output_field = BooleanField()

    def __init__(self, column: str, value):
        super().__init__(F(column), Value(value))

    @staticmethod
    def supported(source: Source) -> bool:
        model = source.queryset().model
        return connections[router.db_for_read(model)].vendor in ("sqlite", "postgresql")

    def as_sqlite(self, compiler, connection, **extra):
        column, value = (compiler.compile(e) for e in self.get_source_expressions())
        expected = self.get_source_expressions()[1].value
        if isinstance(expected, str) and _PLAIN_TEXT.fullmatch(expected):
            # JSON writes such a text one way only: its quoted text is in the list's
            return f"instr({column[0]}, %s) > 0", [*column[1], json.dumps(expected)]
        where = f"json_each.value = {value[0]}"
        return f"EXISTS (SELECT 1 FROM json_each({column[0]}) WHERE {where})", [  # noqa: S608
            *column[1],
            *value[1],
        ]

    def as_postgresql(self, compiler, connection, **extra):
        column, value = (compiler.compile(e) for e in self.get_source_expressions())
        return f"({column[0]} @> jsonb_build_array({value[0]}))", [*column[1], *value[1]]


_AS_SQL = {
    "eq": lambda v, x: v is not None and v == x,
    "in": lambda v, x: v is not None and v in x,
    "ne": lambda v, x: not (v is not None and v == x),  # an exclusion keeps the nulls
    "not_in": lambda v, x: not (v is not None and v in x),
    "is_null": lambda v, x: v is None or v == "",
    "not_null": lambda v, x: v is not None and v != "",
}


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


@dataclass(frozen=True)
class _Filter:
    """One split of a side's filter: SQL conditions and exclusions, Python conditions."""

    include: tuple
    exclude: tuple
    python: tuple

    @property
    def sql(self) -> frozenset:
        return frozenset([*self.include, *(~c for c in self.exclude)])

    def q(self) -> Q:
        return reduce(operator.and_, self.sql, Q())


@dataclass
class Side:
    """One side (numerator or denominator) of one version, planned for a scan. Its cells
    are filled in by `scan`."""

    spec: dict
    frequency: str
    dims: list[str]
    source: Source = field(init=False)
    measure: str = field(init=False)
    date_col: str = field(init=False)
    grouped: _Filter = field(init=False)  # the split for a grouped query
    rows: _Filter = field(init=False)  # the split for a row fetch
    alone: bool = field(init=False)
    cells: "Cells | None" = field(init=False, default=None)

    def __post_init__(self):
        self.source = SOURCES[self.spec["source"]]
        self.measure = self.spec.get("measure", "count")
        conditions = self.spec.get("filter")
        self.grouped = _Filter(*map(tuple, _split_filter(self.source, conditions, False)))
        self.rows = _Filter(*map(tuple, _split_filter(self.source, conditions, True)))
        self.date_col = self.source.dates[self.spec["date"]]
        self.dims = [b for b in self.dims if b in self.source.fields]
        self.alone = _multi_valued(self.source, conditions)

    @property
    def needs_rows(self) -> bool:
        """Whether the side needs the records (else a grouped query can count it)."""
        return self.measure not in ("count", "sum") or bool(self.grouped.python)

    def value_field(self) -> Field | None:
        return self.source.field(self.spec.get("field") or "")


def _multi_valued(source: Source, conditions) -> bool:
    """True when a condition goes through a many-valued relation (a list field with a path):
    such a join repeats the rows, so the side gets a query of its own."""
    for c in conditions or []:
        f = source.field(c["field"])
        if f is not None and f.type == "list" and f.column and "__" in f.column:
            return True
    return False


@dataclass
class Cells:
    """A side's values: per cell the period (index into `periods`), the unit (dense number
    of the tree), the label (index into `labels`: "" is the total, else "field=value"), the
    value in 1/UNIT and n (rows, or distinct persons)."""

    periods: list[str]
    labels: list[str]
    period: np.ndarray
    unit: np.ndarray
    label: np.ndarray
    value: np.ndarray
    n: np.ndarray

    @classmethod
    def empty(cls) -> "Cells":
        nothing = np.zeros(0, dtype=np.int64)
        return cls([], [""], nothing, nothing, nothing, nothing, nothing)


def scan(sides: list[Side], tree: Tree) -> None:
    """Fill in the cells of every side, each source read once (see the module's doc)."""
    batches: dict[tuple, list[Side]] = {}
    for side in sides:
        key = (side.source.name, id(side) if side.alone else None)
        batches.setdefault(key, []).append(side)
    collecting = gc.isenabled()
    gc.disable()  # the fetched rows are hundreds of thousands of objects, none of them cyclic
    try:
        for batch in batches.values():
            if any(side.needs_rows for side in batch):
                _scan_rows(batch, tree)
            else:
                _scan_grouped(batch, tree)
    finally:
        if collecting:
            gc.enable()
    for side in sides:
        if side.cells is None:
            side.cells = Cells.empty()


# -- reading -----------------------------------------------------------------------------------
def _month(qs, date_col: str):
    """A SQL expression of the month (or stored period) that puts a record in a period.

    On SQLite a date is ISO text: its first seven characters ("2026-03") are the month, read
    natively (Django's TruncMonth there is a Python function called for every row)."""
    if date_col == "period":
        return F(date_col)
    if connections[qs.db].vendor == "sqlite" and not _is_datetime(qs.model, date_col):
        return Substr(date_col, 1, 7)
    return TruncMonth(date_col)


def _is_datetime(model, path: str) -> bool:
    return isinstance(_model_field(model, path), DateTimeField)


def _model_field(model, path: str):
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # an alias of the source's queryset
        return None


def _ordered(items) -> list:
    return list(dict.fromkeys(items))


def _where(qs, filters: list[_Filter]):
    """`qs` limited to the rows some side may keep: the OR of the sides' SQL filters, leaving
    out a filter that implies another's (it has all of the other's conditions), so that a
    costly condition such as a subquery is not worked out for the WHERE as well."""
    conditions = [f.sql for f in filters]
    broadest = [
        c
        for i, c in enumerate(conditions)
        if not any(o < c or (o == c and j < i) for j, o in enumerate(conditions))
    ]
    if any(not c for c in broadest):
        return qs
    return qs.filter(reduce(operator.or_, (reduce(operator.and_, c) for c in broadest)))


def _base(sides: list[Side], split: str):
    """The source's queryset for a batch and each side's filter of the `split` used. A side
    alone (see `_multi_valued`) is filtered in the WHERE: its flag is then always true."""
    first = sides[0]
    qs = first.source.queryset()
    filters = [getattr(side, split) for side in sides]
    if first.alone:
        qs = qs.filter(*filters[0].include)
        for condition in filters[0].exclude:
            qs = qs.exclude(condition)
        return qs, [_Filter((), (), filters[0].python)]
    return _where(qs, filters), filters


def _complete(sides: list[Side]) -> bool:
    """Whether a row fetch of `sides` reads every record of the source."""
    return not sides[0].alone and any(not side.rows.sql for side in sides)


_CAST = {"DateField": TextField, "DateTimeField": TextField, "TimeField": TextField}
_CAST["BooleanField"] = IntegerField


class _DayNumber(Func):
    """A date as its day number (days since 1970-01-01): an integer is cheaper to fetch,
    code and compare than a date's text or object."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)"
        return self.as_sql(compiler, connection, template=template)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(%(expressions)s - DATE '1970-01-01')")


def _uncast(qs, paths: list[str]) -> tuple[dict, dict, set]:
    """Columns fetched through an expression: a date as its day number (`_DayNumber`); and
    on SQLite, where the driver converts a time stamp, time or boolean column itself on
    every row (by its declared type), such a column through a CAST. {path: expression},
    {path: (Django's converters of the column, an expression to pass them)}, so that only
    the distinct values are converted, and the paths fetched as day numbers."""
    casts, converters, days = {}, {}, set()
    connection = connections[qs.db]
    for path in paths:
        model_field = _model_field(qs.model, path)
        kind = model_field.get_internal_type() if model_field is not None else None
        if kind == "DateField" and connection.vendor in ("sqlite", "postgresql"):
            casts[path] = _DayNumber(path)
            days.add(path)
            continue
        if connection.vendor != "sqlite" or kind not in _CAST:
            continue
        casts[path] = Cast(path, output_field=_CAST[kind]())
        expression = Value(None, output_field=model_field)
        convert = connection.ops.get_db_converters(expression)
        converters[path] = (convert + expression.get_db_converters(connection), expression)
    return casts, converters, days


def _fetch(query, converters: dict | None = None) -> "_Table":
    """Run a values_list query through the cursor (no Django conversion of every value);
    `converters` replace Django's of some columns (by position)."""
    compiler = query.query.get_compiler(query.db)
    sql, params = compiler.as_sql()
    columns = [column for column, *__ in compiler.select]
    converters = {**compiler.get_converters(columns), **(converters or {})}
    connection = connections[query.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return _Table(rows, len(columns), converters, connection)


class _Table:
    """Fetched rows as columns. A column is coded on first use: an integer per row (-1:
    null) and its distinct values, each converted as Django would convert it."""

    def __init__(self, rows: list[tuple], width: int, converters: dict, connection):
        self.size = len(rows)
        self.columns = _columns(rows, width)
        self.converters = converters
        self.connection = connection
        self.days: set[int] = set()  # the columns of day numbers (see `_DayNumber`)
        self._coded: dict = {}

    def day_numbers(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """A column of day numbers as integers (0 for null), and whether each row has one."""
        if ("days", i) not in self._coded:
            column = self.columns[i]
            present = column != None  # noqa: E711 (elementwise)
            numbers = np.where(present, column, 0).astype(np.int64)
            self._coded[("days", i)] = numbers, present.astype(bool)
        return self._coded[("days", i)]

    def _days_coded(self, i: int) -> tuple[np.ndarray, list]:
        """A column of day numbers coded by day: the code is the day's offset from the first
        (the values every day between, as dates), unless the days are few and far apart."""
        numbers, present = self.day_numbers(i)
        if not present.any():
            return np.full(self.size, -1, dtype=np.int64), []
        first, last = int(numbers[present].min()), int(numbers[present].max())
        if last - first < max(100_000, 4 * self.size):
            codes = np.where(present, numbers - first, -1)
            days = range(first, last + 1)
        else:
            found, inverse = np.unique(numbers[present], return_inverse=True)
            codes = np.full(self.size, -1, dtype=np.int64)
            codes[present] = inverse.reshape(-1)
            days = found.tolist()
        return codes, [EPOCH + timedelta(days=day) for day in days]

    def array(self, i: int, dtype=np.int64) -> np.ndarray:
        """Column `i` as a numeric array (nulls: 0, or NaN for floats)."""
        try:
            return self.columns[i].astype(dtype)
        except TypeError:  # a null
            return np.where(self.columns[i] == None, 0, self.columns[i]).astype(dtype)  # noqa: E711

    def coded(self, i: int, nulls: bool = True) -> tuple[np.ndarray, list]:
        """(codes, distinct values) of column `i`; with `nulls` False, null is a value
        (the last)."""
        if i not in self._coded and i in self.days:
            self._coded[i] = self._days_coded(i)
        if i not in self._coded:
            codes, uniques = pd.factorize(self.columns[i])
            values = list(uniques)
            if i in self.converters:
                convert, expression = self.converters[i]
                for function in convert:
                    values = [function(v, expression, self.connection) for v in values]
            self._coded[i] = (codes.astype(np.int64), values)
        codes, values = self._coded[i]
        if not nulls and (codes < 0).any():
            return np.where(codes < 0, len(values), codes), [*values, None]
        return codes, values


def _columns(rows: list[tuple], width: int) -> list[np.ndarray]:
    """The rows' columns as object arrays (one 2-D array when no value is a sequence)."""
    try:
        table = np.array(rows, dtype=object)
        if table.shape == (len(rows), width):
            return [np.ascontiguousarray(table[:, i]) for i in range(width)]
    except ValueError:  # a list (JSON) among the values
        pass
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    out = []
    for column in columns:
        array = np.empty(len(column), dtype=object)
        array[:] = column
        out.append(array)
    return out


def _recode(codes: np.ndarray, values: list, convert) -> tuple[np.ndarray, list]:
    """Codes of `convert(value)` (None or "": -1) from codes of values."""
    coded: dict = {}
    index = np.empty(len(values) + 1, dtype=np.int64)
    index[-1] = -1
    for i, value in enumerate(values):
        shown = convert(value)
        index[i] = -1 if shown is None or shown == "" else coded.setdefault(shown, len(coded))
    return index[codes], list(coded)


def _identity(value):
    return value


class _Periods(dict):
    """Month text ("2026-03"), a date or a stored period code → period of `frequency`."""

    def __init__(self, frequency: str):
        super().__init__()
        self.frequency = frequency

    def __missing__(self, value):
        month = value
        if isinstance(value, datetime):
            month = value.date()
        elif isinstance(value, str) and len(value) == 7 and value[4] == "-":
            month = date(int(value[:4]), int(value[5:7]), 1)
        period = self[value] = period_key(month, self.frequency)
        return period


def _as_units(value) -> int | None:
    """A number in 1/UNIT, rounded half to even (as Decimal.quantize would)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int((value * UNIT).to_integral_value())
    if isinstance(value, float):
        return None if value != value else round(value * UNIT)
    return int(value) * UNIT


# -- grouped queries ---------------------------------------------------------------------------
def _scan_grouped(sides: list[Side], tree: Tree) -> None:
    """One grouped query for the count and sum sides of a source: a COUNT (and SUM) per
    distinct filter, grouped by the month of each date, the unit and breakdown fields."""
    source = sides[0].source
    qs, filters = _base(sides, "grouped")
    dates = _ordered(s.date_col for s in sides)
    dims = _ordered(d for s in sides for d in s.dims)
    aggregates, slots = {}, []
    for side, f in zip(sides, filters, strict=True):
        condition = f.q() if f.sql else None
        column = source.fields[side.spec["field"]].column if side.measure == "sum" else None
        names = []
        for kind, expression in (("n", Count("pk", filter=condition)), ("s", None)):
            if kind == "s" and column is None:
                continue
            if kind == "s":
                expression = Sum(column, filter=condition)
            key = (kind, f.sql, column if kind == "s" else None)
            name = next((n for n, k in aggregates.items() if k[0] == key), None)
            if name is None:
                name = f"_{kind}{len(aggregates)}"
                aggregates[name] = (key, expression)
            names.append(name)
        slots.append(names)
    # Every grouping column is an annotation, so that the months come first in GROUP BY:
    # grouped by unit first, SQLite walks the unit index and reads the table out of order.
    grouping = {f"_p{i}": _month(qs, d) for i, d in enumerate(dates)}
    grouping["_u"] = F(source.unit)
    grouping.update({f"_d{j}": F(source.fields[d].column) for j, d in enumerate(dims)})
    query = (
        qs.annotate(**grouping)
        .values(*grouping)
        .annotate(**{name: expression for name, (_, expression) in aggregates.items()})
        .order_by()
        .values_list(*grouping, *aggregates)
    )
    table = _fetch(query)
    if not table.size:
        return
    at = {name: i for i, name in enumerate([*grouping, *aggregates])}
    frame = _Frame(table, tree, {d: at[f"_p{i}"] for i, d in enumerate(dates)}, at["_u"])
    frame.dims = {d: at[f"_d{j}"] for j, d in enumerate(dims)}
    for side, names in zip(sides, slots, strict=True):
        counts = table.array(at[names[0]])
        sums = None
        if side.measure == "sum":
            sums = np.nan_to_num(table.array(at[names[1]], float))  # SUM of nothing: null
            sums = np.rint(sums * UNIT).astype(np.int64)
        side.cells = frame.measure(side, counts > 0, weights=counts, values=sums)


# -- row fetches -------------------------------------------------------------------------------
def _flags(filters: list[_Filter]) -> tuple[dict, list]:
    """Integer columns with a bit for each distinct condition of the filters (an exclusion
    is a condition whose bit must be clear), and for each filter its [(column name, bit,
    whether set)]: a row meets the filter when every one holds (none: every row does).

    A condition Django compiles to be false on null (so that its exclusion keeps the nulls),
    so the bit of a condition on a null value is clear, as the WHERE would have it."""
    bits: dict[Q, tuple[str, int]] = {}
    for f in filters:
        for condition in (*f.include, *f.exclude):
            if condition not in bits:
                bits[condition] = (f"_f{len(bits) // 62}", 1 << (len(bits) % 62))
    columns: dict[str, list] = {}
    for condition, (name, bit) in bits.items():
        when = When(condition, then=Value(bit))
        columns.setdefault(name, []).append(
            Case(when, default=Value(0), output_field=IntegerField())
        )
    sums = {name: reduce(operator.add, cases) for name, cases in columns.items()}
    tests = [
        [(*bits[c], True) for c in f.include] + [(*bits[c], False) for c in f.exclude]
        for f in filters
    ]
    return sums, tests


def _scan_rows(sides: list[Side], tree: Tree) -> None:
    """One row fetch for every side of a source: the columns they read and the bits of
    their SQL filters; then Python conditions, derived fields and the measures."""
    source = sides[0].source
    qs, filters = _base(sides, "rows")
    dates = _ordered(s.date_col for s in sides)
    complete = _complete(sides)
    if not complete:  # (all records: for a field reading other records, see `Field.vector`)
        qs = qs.filter(reduce(operator.or_, (Q(**{f"{d}__isnull": False}) for d in dates)))
    dims = _ordered(d for s in sides for d in s.dims)
    if not sides[0].alone:  # conditions on the breakdown columns are judged per value
        fetched = frozenset(source.fields[d].column for d in dims)
        filters = [
            _Filter(*map(tuple, _split_filter(source, s.spec.get("filter"), True, fetched)))
            for s in sides
        ]
    flags, bits = _flags(filters)
    needed: dict[str, Field] = {}
    for side, f in zip(sides, filters, strict=True):
        wanted = [fld for fld, *_ in f.python]
        if side.value_field() is not None and side.measure != "distinct":
            wanted.append(side.value_field())
        for fld in wanted:
            needs = fld.needs if fld.column is None or fld.vector is not None else ()
            for name in [fld.name] if fld.column and fld.vector is None else needs:
                needed[name] = source.fields.get(name) or Field(name, "str", name)
    months = {d: f"_p{i}" for i, d in enumerate(dates) if _is_datetime(qs.model, d)}
    paths = {
        **{d: months.get(d, d) for d in dates},
        "unit": source.unit,
        **{f"dim:{d}": source.fields[d].column for d in dims},
        **{f"raw:{n}": f.column for n, f in needed.items()},
    }
    if any(s.measure == "distinct" for s in sides):
        paths["key"] = source.key
    casts, converters, days = _uncast(qs, [p for p in paths.values() if p not in months.values()])
    aliases = {path: f"_t{i}" for i, path in enumerate(casts)}
    paths = {name: aliases.get(path, path) for name, path in paths.items()}
    names = _ordered([*paths.values(), *flags])
    at = {name: i for i, name in enumerate(names)}
    query = (
        qs.annotate(**{n: _month(qs, d) for d, n in months.items()}, **flags)
        .annotate(**{aliases[path]: cast for path, cast in casts.items()})
        .order_by()
    )
    query = query.values_list(*names)
    table = _fetch(query, {at[aliases[path]]: c for path, c in converters.items()})
    if not table.size:
        return
    table.days = {at[aliases[path]] for path in days}
    frame = _Frame(table, tree, {d: at[paths[d]] for d in dates}, at[paths["unit"]])
    frame.dims = {d: at[paths[f"dim:{d}"]] for d in dims}
    frame.raw = {n: at[paths[f"raw:{n}"]] for n in needed}
    frame.fields = {**source.fields, **needed}
    frame.complete = complete
    if "key" in paths:
        frame.key = at[paths["key"]]
    words = {name: table.array(at[name]) for name in flags}
    for side, f, tests in zip(sides, filters, bits, strict=True):
        keep = np.ones(table.size, dtype=bool)
        for name, bit, is_set in tests:
            keep &= ((words[name] & bit) != 0) == is_set
        for fld, op, expected, as_sql in f.python:
            keep &= frame.condition(fld, op, expected, as_sql)
        values = None
        value = side.value_field()
        if value is not None and side.measure != "distinct":
            values, present = frame.numbers(value)
            keep &= present
        side.cells = frame.measure(side, keep, values=values)


class _Frame:
    """A fetched table with what the measures read: periods per date and frequency, dense
    unit numbers, breakdown labels, person keys, and the values of fields (each worked
    out once per distinct input)."""

    def __init__(self, table: _Table, tree: Tree, dates: dict[str, int], unit: int):
        self.table, self.tree, self.dates = table, tree, dates
        self.units = tree.numbers(table.array(unit))
        self.units[table.columns[unit] == None] = -1  # noqa: E711 (elementwise)
        self.dims: dict[str, int] = {}
        self.raw: dict[str, int] = {}
        self.fields: dict[str, Field] = {}
        self.key: int | None = None
        self.complete = False  # whether the rows are all the source's records
        self._periods: dict = {}
        self._labels: dict = {}
        self._values: dict = {}

    def periods(self, date_col: str, frequency: str) -> tuple[np.ndarray, list]:
        if (date_col, frequency) not in self._periods:
            column = self.dates[date_col]
            if column in self.table.days:  # by month: a period is whole months
                codes, values = self._months(column)
            else:
                codes, values = self.table.coded(column)
            self._periods[(date_col, frequency)] = _recode(
                codes, values, _Periods(frequency).__getitem__
            )
        return self._periods[(date_col, frequency)]

    def _fine(self, date_col: str, frequency: str, dim: str | None) -> np.ndarray:
        """Each row's group of period × dense unit × label (-1: none)."""
        if (date_col, frequency, dim) not in self._periods:
            periods, _ = self.periods(date_col, frequency)
            units = len(self.tree.ids)
            label, width = np.zeros(self.table.size, np.int64), 1
            if dim is not None:
                label, shown = self.label(dim)
                width = max(1, len(shown))
            fine = (periods * units + self.units) * width + label
            missing = (periods < 0) | (self.units < 0) | (label < 0)
            self._periods[(date_col, frequency, dim)] = np.where(missing, -1, fine)
        return self._periods[(date_col, frequency, dim)]

    def _months(self, column: int) -> tuple[np.ndarray, list]:
        """A column of day numbers coded by month (the first day of each month between)."""
        numbers, present = self.table.day_numbers(column)
        months = numbers.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
        if not present.any():
            return np.full(self.table.size, -1, dtype=np.int64), []
        first, last = int(months[present].min()), int(months[present].max())
        codes = np.where(present, months - first, -1)
        found = np.arange(first, last + 1).astype("datetime64[M]").astype("datetime64[D]")
        return codes, found.astype(object).tolist()

    def label(self, dim: str) -> tuple[np.ndarray, list]:
        if dim not in self._labels:
            self._labels[dim] = _recode(*self.table.coded(self.dims[dim]), _identity)
        return self._labels[dim]

    # Field values, coded: (codes with -1 for null, the distinct values).
    def values(self, fld: Field) -> tuple[np.ndarray, list]:
        if fld.name not in self._values:
            if fld.vector is not None:
                result = fld.vector({n: self._array(n) for n in fld.needs}, self.complete)
                codes, uniques = pd.factorize(result)
                coded = (codes.astype(np.int64), [_plain(v) for v in uniques])
            elif fld.derive is not None:
                coded = self._derived(fld)
            else:
                coded = self.table.coded(self.raw[fld.name])
            self._values[fld.name] = coded
        return self._values[fld.name]

    def _array(self, name: str):
        """A needed field's values per row, for a vectorised field: dates as datetime64[D]
        (NaT for null), anything else as (codes, distinct values), -1 for null."""
        fld = self.fields[name]
        if fld.vector is None and fld.derive is None and self.raw[name] in self.table.days:
            numbers, present = self.table.day_numbers(self.raw[name])
            return np.where(present, numbers, np.iinfo(np.int64).min).astype("datetime64[D]")
        codes, values = self.values(fld)
        if fld.type == "date" and all(type(v) is date for v in values):
            return np.array([*values, None], dtype="datetime64[D]")[codes]
        return codes, values

    def _derived(self, fld: Field) -> tuple[np.ndarray, list]:
        """A derived field, worked out once per distinct combination of its inputs."""
        inputs = [self.values(self.fields[n]) for n in fld.needs]
        combined = np.zeros(self.table.size, dtype=np.int64)
        for codes, values in inputs:
            combined = combined * (len(values) + 1) + (codes + 1)
        combos, inverse = np.unique(combined, return_inverse=True)
        decoded = []  # each input's value in each combination, last input first
        for _, values in reversed(inputs):
            combos, code = np.divmod(combos, len(values) + 1)
            shown = [None, *values]
            decoded.append([shown[c] for c in code.tolist()])
        names = fld.needs[::-1]
        results = [
            fld.derive(dict(zip(names, row, strict=True))) for row in zip(*decoded, strict=True)
        ]
        return _coded_objects(results, inverse.reshape(-1))

    def condition(self, fld: Field, op: str, expected, as_sql: bool = False) -> np.ndarray:
        codes, values = self.values(fld)
        judge = _AS_SQL[op] if as_sql else (lambda v, x: _matches(v, op, x))
        met = [judge(v, expected) for v in values] + [judge(None, expected)]
        return np.array(met, dtype=bool)[codes]

    def numbers(self, fld: Field) -> tuple[np.ndarray, np.ndarray]:
        """The field's values in 1/UNIT and whether each row has one."""
        codes, values = self.values(fld)
        units = [_as_units(v) for v in values] + [None]
        present = np.array([u is not None for u in units], dtype=bool)[codes]
        numbers = np.array([0 if u is None else u for u in units], dtype=np.int64)[codes]
        return numbers, present

    def measure(self, side: Side, keep, weights=None, values=None) -> Cells:
        periods, period_list = self.periods(side.date_col, side.frequency)
        keep = keep & (periods >= 0) & (self.units >= 0)
        labels: list[tuple[np.ndarray | None, int, int]] = [(None, 1, 0)]  # codes, width, first
        names = [""]
        for dim in side.dims:
            codes, shown = self.label(dim)
            labels.append((codes, max(1, len(shown)), len(names)))
            names.extend(f"{dim}={v}" for v in shown)
        keys = None
        if side.measure == "distinct":
            keys = self.table.coded(self.key, nulls=False)[0]
        parts = []
        if side.measure in ("count", "sum"):  # per period × unit × label, then up the tree
            for dim, (_, width, first) in zip([None, *side.dims], labels, strict=True):
                fine = self._fine(side.date_col, side.frequency, dim)
                rows = keep & (fine >= 0)
                found, n, total = totals(
                    fine[rows],
                    None if weights is None else weights[rows],
                    None if values is None else values[rows],
                )
                fine_groups = Groups(*split(self.tree, width, found), width, len(period_list))
                for _, groups, count, amount in up_the_tree(fine_groups, n, total, self.tree):
                    result = count * UNIT if side.measure == "count" else amount
                    parts.append([*split(self.tree, width, groups), result, count])
                    parts[-1][2] += first
            labels = []
        for codes, width, first in labels:
            rows = np.flatnonzero(keep if codes is None else keep & (codes >= 0))
            if not len(rows):
                continue
            label = np.zeros(len(rows), np.int64) if codes is None else codes[rows]
            group = Groups(periods[rows], self.units[rows], label, width, len(period_list))
            for cells in measured(
                side.measure,
                group,
                self.tree,
                None if values is None else values[rows],
                None if keys is None else keys[rows],
            ):
                cells[2] += first
                parts.append(cells)
        if not parts:
            return Cells(period_list, names, *(np.zeros(0, np.int64) for _ in range(5)))
        columns = [np.concatenate(c) for c in zip(*parts, strict=True)]
        return Cells(period_list, names, *columns)


def _plain(value):
    """A numpy scalar as the Python value (nan: None)."""
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and value != value else value


def _coded_objects(results: list, inverse: np.ndarray) -> tuple[np.ndarray, list]:
    """Codes and distinct values of `results[inverse]` (None: -1)."""
    index: dict = {}
    codes = np.empty(len(results) + 1, dtype=np.int64)
    codes[-1] = -1
    try:
        for i, result in enumerate(results):
            codes[i] = -1 if result is None else index.setdefault(result, len(index))
        return codes[inverse], list(index)
    except TypeError:  # an unhashable result: every one its own value
        values = [r for r in results if r is not None]
        position = np.cumsum([r is not None for r in results]) - 1
        codes[:-1] = np.where([r is None for r in results], -1, position)
        return codes[inverse], values
