"""Fetching rows for a scan: the month that puts a record in a period (in SQL), columns
fetched as day numbers or through a CAST, and the rows straight from the cursor as
columns (`_Table`), each coded once and only its distinct values converted."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.core.exceptions import FieldDoesNotExist
from django.db import connections
from django.db.models import DateTimeField, F, Func, IntegerField, TextField, Value
from django.db.models.functions import Cast, Substr, TruncMonth

EPOCH = date(1970, 1, 1)


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
