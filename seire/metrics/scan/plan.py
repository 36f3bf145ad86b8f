"""Planning a scan: a `Side` (one numerator or denominator of one version) with its filter
split into SQL conditions and exclusions (one split for a grouped query, one for a row
fetch) and Python conditions judged on the fetched values; and the `Cells` a scan fills in."""

import json
import operator
import re
from dataclasses import dataclass, field
from functools import reduce

import numpy as np
from django.db import connections, router
from django.db.models import BooleanField, F, Func, Q, Value

from seire.metrics.sources import SOURCES, Field, Source

SQL_LOOKUPS = {"eq": "exact", "lt": "lt", "le": "lte", "gt": "gt", "ge": "gte", "in": "in"}


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
