"""The two ways a batch of sides reads its source: one grouped query of conditional
aggregates (`_scan_grouped`), or one row fetch with a bit per side's SQL condition
(`_scan_rows`); each fills in the sides' cells."""

import operator
from functools import reduce

import numpy as np
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from seire.metrics.measures import UNIT
from seire.metrics.scan.fetch import _fetch, _is_datetime, _month, _uncast
from seire.metrics.scan.frame import _Frame
from seire.metrics.scan.plan import Side, _Filter, _split_filter
from seire.metrics.scan.tree import Tree
from seire.metrics.sources import Field


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
