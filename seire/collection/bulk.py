"""The project's one bulk writer: rows inserted and updated with statements executed many times.

`insert_rows` (and `insert_groups`, for rows in groups that share values) and `update_rows`
move tens of thousands of rows with statements executed many times (an INSERT of many rows
each), which is what keeps a national extract to seconds: they write the episode and
assessment imports, `save_values` and the demo seed. `FlatRows` and `EncodedJSON` are rows
and JSON a caller has laid out for it already.
"""

import json
from collections import defaultdict
from functools import partial
from itertools import chain

from django.db import connections, models, router


class EncodedJSON(str):
    """A value of a JSONField already encoded as JSON text, with the number of entries it
    holds (`size`): `insert_rows` stores it as it is on SQLite (and decodes it for other
    databases)."""

    size: int

    def __new__(cls, text: str, size: int = 0):
        encoded = super().__new__(cls, text)
        encoded.size = size
        return encoded


class FlatRows(list):
    """Rows of `width` values each laid end to end in one list (for `insert_groups`): a
    report's rows are made by filling its values into a copy of a pattern, not as a tuple a
    cell."""

    width: int

    def __init__(self, values, width: int):
        super().__init__(values)
        self.width = width

    def rows(self) -> list[tuple]:
        return list(zip(*[iter(self)] * self.width, strict=True))


def insert_rows(
    model, attnames: tuple[str, ...], rows: list[tuple], same: dict | None = None
) -> int:
    """INSERT `rows` (values in the order of `attnames`, field names or attnames), many rows
    to a statement; returns the number of rows. `same` gives the columns that have one value
    in every row (who and when wrote them, say): {field name: value}.

    The one bulk writer of the project (imports, `save_values`, the demo seed, the metric
    engine): bulk_create compiles every value of every row through the ORM, which for the
    tens of thousands of rows of an import or a recomputation is most of the time. Values
    are adapted by their field (see `_Statement`), so dates and JSON suit the database.
    """
    return insert_groups(model, (), attnames, [((), rows)], same)


def insert_groups(
    model,
    keys: tuple[str, ...],
    attnames: tuple[str, ...],
    groups: list[tuple[tuple, list[tuple]]],
    same: dict | None = None,
) -> int:
    """`insert_rows` of rows that come in groups: each group is (its values of `keys`, its
    rows of values of `attnames` — a list of tuples, or `FlatRows`), as the cells of a
    report share its unit and period.

    A statement of many rows, run over the batch with executemany, costs SQLite half the
    time of a statement per row; on SQLite the values of `keys` and `same` are also bound
    once a statement (INSERT … SELECT column1, …, %s FROM (VALUES …)), not once a row.
    """
    same = same or {}
    statement = _Statement(model, (*attnames, *keys, *same))
    width, count = len(attnames), len(keys)
    converters = statement.converters
    adapted = [(i, c) for i, c in enumerate(converters[:width]) if c is not None]
    constants = _adapt(same.values(), converters[width + count :])
    quote = statement.connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in statement.fields)
    head = f"INSERT INTO {statement.table} ({columns}) "
    inline = bool(count or same) and statement.connection.vendor == "sqlite"
    per_row = width if inline else len(statement.fields)
    marks = "(" + ", ".join(["%s"] * per_row) + ")"
    picked = ", ".join([f"column{i}" for i in range(1, width + 1)] + ["%s"] * (count + len(same)))
    limit = statement.connection.features.max_query_params or 2**15
    size = max(1, min(MANY_ROWS, (limit - count - len(same)) // per_row))

    def sql(rows: int) -> str:
        values = ", ".join([marks] * rows)
        if inline:
            return f"{head}SELECT {picked} FROM (VALUES {values})"  # noqa: S608 (our names)
        return f"{head}VALUES {values}"

    pending: dict[int, list[list]] = defaultdict(list)  # rows a statement → its parameters
    waiting = written = 0
    with statement.connection.cursor() as cursor:
        for key, rows in groups:
            shared = [*_adapt(key, converters[width : width + count]), *constants]
            if rows.__class__ is FlatRows and inline and not adapted:  # laid out already
                whole = size * width
                for start in range(0, len(rows), whole):
                    chunk = rows[start : start + whole]
                    pending[len(chunk) // width].append([*shared, *chunk])
                waiting += len(rows) // width
                continue
            if rows.__class__ is FlatRows:
                rows = rows.rows()
            if adapted:
                rows = [_adapted(row, adapted) for row in rows]
            if not inline and shared:
                rows = [(*row, *shared) for row in rows]
            prefix = shared if inline else []
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                pending[len(chunk)].append([*prefix, *chain.from_iterable(chunk)])
            waiting += len(rows)
            if waiting >= WRITE_BATCH:  # (bounds the memory used)
                written += _flush(cursor, pending, sql)
                waiting = 0
        written += _flush(cursor, pending, sql)
    return written


def _adapt(values, converters) -> list:
    return [v if c is None or v is None else c(v) for v, c in zip(values, converters, strict=True)]


def _adapted(row, adapted) -> list:
    row = list(row)
    for i, convert in adapted:
        if row[i] is not None:
            row[i] = convert(row[i])
    return row


def _flush(cursor, pending: dict, sql) -> int:
    """Run the statements waiting, one executemany for each number of rows; the count."""
    rows = 0
    for count, parameters in pending.items():
        cursor.executemany(sql(count), parameters)  # (also for one: DEBUG logs no values)
        rows += count * len(parameters)
    pending.clear()
    return rows


def update_rows(model, attnames: tuple[str, ...], rows: list[tuple[int, tuple]]) -> int:
    """UPDATE each (pk, values) of `rows` with one statement run many times.

    QuerySet.bulk_update builds a CASE per field whose cost grows with the batch: 20 000
    changed episodes took minutes with it and take about a second this way.
    """
    if not rows:
        return 0
    statement = _Statement(model, attnames)
    quote = statement.connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in statement.fields)
    pk = quote(model._meta.pk.column)
    sql = f"UPDATE {statement.table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (model's names)
    statement.run(sql, [(*values, key) for key, values in rows])  # the key as it is
    return len(rows)


WRITE_BATCH = 5000  # rows adapted and sent per executemany (bounds the memory used)
MANY_ROWS = 500  # rows to an INSERT at most (SQLite's limit of terms in a compound SELECT)
# Values the driver takes as they are: text, numbers, booleans, ids, Decimals (adapted by
# the backends themselves).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.FloatField,
    models.DecimalField,
    models.ForeignKey,
    models.AutoField,
)


class _Statement:
    """A model's table and fields with a converter per field, for `insert_rows` and
    `update_rows`. Dates and times are adapted by the backend's operations, JSON and other
    types through the field; adapted values are remembered, as an import repeats the same
    time stamp and dates thousands of times."""

    def __init__(self, model, attnames: tuple[str, ...]):
        self.connection = connections[router.db_for_write(model)]
        self.table = self.connection.ops.quote_name(model._meta.db_table)
        self.fields = [model._meta.get_field(name) for name in attnames]
        self.converters = [self._converter(f) for f in self.fields]

    def _converter(self, f):
        ops = self.connection.ops
        if isinstance(f, _PLAIN) and not isinstance(f, models.JSONField):
            return None
        if isinstance(f, models.DateTimeField):
            adapt = ops.adapt_datetimefield_value
        elif isinstance(f, models.DateField):
            adapt = ops.adapt_datefield_value
        elif isinstance(f, models.TimeField):
            adapt = ops.adapt_timefield_value
        elif isinstance(f, models.JSONField):
            prepare = partial(f.get_db_prep_save, connection=self.connection)
            as_it_is = self.connection.vendor == "sqlite"  # (which keeps JSON as text)

            def encoded(value):
                if value.__class__ is EncodedJSON:
                    return str(value) if as_it_is else prepare(json.loads(value))
                return prepare(value)

            return encoded
        else:
            return partial(f.get_db_prep_save, connection=self.connection)
        seen: dict = {}

        def remembered(value):
            try:
                return seen[value]
            except KeyError:
                seen[value] = adapt(value)
                return seen[value]

        return remembered

    def run(self, sql: str, rows: list[tuple]) -> None:
        """executemany `sql` over `rows`, adapting the values of the fields' columns that
        need it (values after them, e.g. an UPDATE's primary key, go as they are), in
        batches of `WRITE_BATCH`."""
        adapted = [(i, c) for i, c in enumerate(self.converters) if c is not None]
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), WRITE_BATCH):
                batch = rows[start : start + WRITE_BATCH]
                if adapted:
                    batch = [list(row) for row in batch]
                    for i, convert in adapted:
                        for row in batch:
                            if row[i] is not None:
                                row[i] = convert(row[i])
                cursor.executemany(sql, batch)
