"""Reading an uploaded table (CSV or a workbook's first sheet) and storing its rows in bulk.

Shared by the episode and assessment imports. `read_table` gives the header and the rows
with their spreadsheet row numbers (header = row 1), or raises `Refused` for a file that is
not a table at all. The cell parsers raise ValueError with a message saying what was
expected; they never echo an 11-digit number, which might be a personal code.
`stored_rows`, `insert_rows` and `update_rows` move tens of thousands of rows by source_id
with statements executed many times (an INSERT of many rows each), which is what keeps a
national extract to seconds; `insert_rows` (and `insert_groups`, for rows in groups that
share values) and `update_rows` are the project's one bulk writer (also of `save_values`,
the demo seed and the metric engine's values); `FlatRows` and `EncodedJSON` are rows and JSON
a caller has laid out for it already.
"""

import csv
import io
import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from itertools import chain, islice
from pathlib import Path

from django.db import connections, models, router
from django.utils import timezone
from python_calamine import CalamineWorkbook

from seire.access.audit import record
from seire.access.roles import scope_for
from seire.collection import vocabulary
from seire.collection.batch import Problem, Refused
from seire.organisation.models import OrgUnit, Service

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_SUFFIXES = {".csv", ".txt", ""}
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")
LOCAL_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
TRUE = {"true", "1", "jah", "yes", "tõene"}
FALSE = {"false", "0", "ei", "no", "väär"}
BATCH = 2000  # source ids per lookup: well under SQLite's limit of bound parameters


@dataclass
class Table:
    """The header (normalised names) and the non-blank rows as (row number, cells)."""

    header: list[str]
    rows: list[tuple[int, list]]
    kind: str  # "csv" or "excel"
    header_row: int = 1


@dataclass
class Problems:
    """Problems located by row and column, collected so one run reports all of them."""

    items: list[Problem] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, message: str) -> None:
        where = ", ".join(
            part
            for part in (f"row {row}" if row else "", f"column {column}" if column else "")
            if part
        )
        self.items.append(Problem(where, message))

    def raise_if_any(self) -> None:
        if self.items:
            raise Refused(self.items)


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet of a workbook or the rows of a UTF-8 CSV (`,` `;` or tab sniffed)."""
    suffix = Path(filename or "").suffix.lower()
    is_zip_or_ole = data[:4] == b"PK\x03\x04" or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    if suffix in WORKBOOK_SUFFIXES or (suffix in CSV_SUFFIXES and is_zip_or_ole):
        return _read_workbook(data)
    if suffix not in CSV_SUFFIXES:
        raise Refused([Problem("", f"a {suffix} file cannot be imported: expected .csv or .xlsx")])
    return _read_csv(data)


def _read_workbook(data: bytes) -> Table:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        cells = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for broken or encrypted files
        raise Refused(
            [Problem("", f"not a readable Excel workbook ({type(exc).__name__}): save it as .xlsx")]
        ) from None
    return _table(cells, "excel")


def _read_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(
            [Problem("", f"not UTF-8 text (byte {exc.start + 1}): save the file as “CSV UTF-8”")]
        ) from None
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t", key=first_line.count)
    cells: list[list] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True):
            cells.append(row)
    except csv.Error as exc:
        raise Refused([Problem(f"row {len(cells) + 1}", f"not readable as CSV ({exc})")]) from None
    return _table(cells, "csv")


def _table(cells: list[list], kind: str) -> Table:
    """The first non-blank row is the header; blank rows are skipped but keep their number."""
    numbered = [(number, row) for number, row in enumerate(cells, start=1) if not _blank(row)]
    if not numbered:
        raise Refused([Problem("", "the file is empty: expected a header row and data rows")])
    header_row, header = numbered[0]
    names = [re.sub(r"\s+", "_", cell_text(c).strip().lower()) for c in header]
    return Table(names, numbered[1:], kind, header_row)


def _blank(row: list) -> bool:
    return all(cell_text(c) == "" for c in row)


def check_header(
    table: Table, required: tuple[str, ...], optional: tuple[str, ...], problems: Problems
) -> dict[str, int]:
    """{column name: index}; problems for missing, unknown and repeated columns."""
    allowed = set(required) | set(optional)
    expected = ", ".join(required + optional)
    index: dict[str, int] = {}
    for position, name in enumerate(table.header):
        if not name:
            if any(position < len(r) and cell_text(r[position]) for _, r in table.rows):
                problems.add(table.header_row, f"{position + 1}", "values under a blank header")
            continue
        if name not in allowed:
            problems.add(
                table.header_row, shown(name), f"unknown column: expected the columns {expected}"
            )
        elif name in index:
            problems.add(table.header_row, name, "the column appears twice: expected it once")
        else:
            index[name] = position
    for name in required:
        if name not in index:
            problems.add(table.header_row, name, f"missing column: expected the columns {expected}")
    if not table.rows:
        problems.add(None, None, "no data rows under the header")
    return index


# -- cells --------------------------------------------------------------------------------
def shown(value: object, limit: int = 40) -> str:
    """A cell value safe to quote in a message: short, and 11-digit runs masked."""
    text = ELEVEN_DIGITS.sub("•" * 11, cell_text(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cell_text(value: object) -> str:
    """A cell as stripped text; 12.0 from a spreadsheet becomes "12"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).replace("\u00a0", " ").strip()


class Cached:
    """A cell parser that remembers each distinct cell's result: an extract repeats the same
    codes and dates thousands of times. Raises the same ValueError for a bad cell each time."""

    def __init__(self, parser: Callable[[object], object]):
        self.parser = parser
        self.results: dict = {}

    def __call__(self, value: object):
        key = (type(value), value)  # True == 1 == 1.0, but they are different cells
        result = self.results.get(key)
        if result is None:
            try:
                result = (True, self.parser(value))
            except ValueError as exc:
                result = (False, str(exc))
            self.results[key] = result
        ok, parsed = result
        if not ok:
            raise ValueError(parsed)
        return parsed


def parse_date(value: object, today: date | None = None) -> date | None:
    """A date from a date cell or "YYYY-MM-DD" text (a time after it is ignored); None if blank.

    A date after `today` (default: today in Tallinn) is refused."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, bool | int | float):
        raise ValueError(f"expected a date as YYYY-MM-DD, got the number {shown(value)}")
    else:
        text = cell_text(value)
        if not text:
            return None
        if match := ISO_DATE.fullmatch(text):
            try:
                day = date.fromisoformat(match.group(1))
            except ValueError:
                raise ValueError(f"no such day “{shown(text)}”") from None
        elif match := LOCAL_DATE.fullmatch(text):
            d, m, y = match.groups()
            raise ValueError(f"expected a date as YYYY-MM-DD (write {y}-{int(m):02}-{int(d):02})")
        else:
            raise ValueError(f"expected a date as YYYY-MM-DD, got “{shown(text)}”")
    if day > (today or timezone.localdate()):
        raise ValueError(f"{day.isoformat()} is in the future")
    return day


def parse_bool(value: object) -> bool | None:
    """true/false, 1/0, jah/ei, yes/no (any case) or a TRUE/FALSE cell; None when blank."""
    if isinstance(value, bool):
        return value
    text = cell_text(value).lower()
    if not text:
        return None
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(
        f"expected true or false (1/0, jah/ei), or blank if unknown, got “{shown(text)}”"
    )


def parse_code(list_name: str, value: object) -> str:
    """The code of a code-list option, by code or by its Estonian/English name; "" if blank."""
    if isinstance(value, datetime | date):
        raise ValueError(
            f"expected one of {', '.join(_codes(list_name))}, got a date: "
            "format the column as text so Excel keeps “18-25” as it is"
        )
    text = cell_text(value)
    if not text:
        return ""
    code = vocabulary.lookup(list_name).get(vocabulary.normalise(text))
    if code is None:
        raise ValueError(
            f"unknown code “{shown(text)}”: expected one of {', '.join(_codes(list_name))}"
        )
    return code


def parse_codes(list_name: str, value: object) -> list[str]:
    """A `;`-separated list of codes (commas also accepted), in catalogue order, once each."""
    parts = [p for p in re.split(r"[;,]", cell_text(value)) if p.strip()]
    found, unknown = set(), []
    for part in parts:
        code = vocabulary.lookup(list_name).get(vocabulary.normalise(part))
        if code is None:
            unknown.append(shown(part.strip()))
        else:
            found.add(code)
    if unknown:
        raise ValueError(
            f"unknown code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: expected "
            f"codes of {', '.join(_codes(list_name))} separated by “;”"
        )
    return [code for code in _codes(list_name) if code in found]


def _codes(list_name: str) -> list[str]:
    return [option.code for option in vocabulary.options(list_name)]


def required_text(value: object, max_length: int) -> str:
    text = cell_text(value)
    if not text:
        raise ValueError("a value is required")
    if len(text) > max_length:
        raise ValueError(f"at most {max_length} characters, got {len(text)}")
    return text


# -- storing ------------------------------------------------------------------------------
@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    hashed: int = 0  # personal codes replaced by their keyed hash
    incomplete: int = 0  # assessments with some items blank

    def __str__(self) -> str:
        text = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.hashed:
            text += f", {self.hashed} personal codes hashed"
        if self.incomplete:
            text += f", {self.incomplete} incomplete"
        return text


class EditCheck:
    """`scope_for(user).can_edit_unit` remembered per unit and service for one import."""

    def __init__(self, user):
        self.scope = scope_for(user)
        self.answers: dict[tuple[int, int], bool] = {}

    def __call__(self, unit: OrgUnit, service: Service) -> bool:
        key = (unit.pk, service.pk)
        if key not in self.answers:
            self.answers[key] = self.scope.can_edit_unit(unit, service)
        return self.answers[key]

    def first_refusal(self, unit: OrgUnit, service: Service) -> bool:
        """True the first time a unit and service are asked about and refused (report once)."""
        known = (unit.pk, service.pk) in self.answers
        return not self(unit, service) and not known


def stored_rows(model, source_ids: list[str], attnames: tuple[str, ...]) -> dict[str, dict]:
    """{source_id: {"pk": …, attname: value, …}} of the rows already stored, in batches."""
    found = {}
    ids = iter(source_ids)
    while chunk := list(islice(ids, BATCH)):
        query = model.objects.filter(source_id__in=chunk).values("pk", "source_id", *attnames)
        found.update((row.pop("source_id"), row) for row in query)
    return found


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


def audit_import(user, object_type: str, filename: str, rows: int, result: ImportResult) -> None:
    """One audit event for an import: the file name and the counts, never a row's values."""
    counts = {
        "rows": rows,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
    }
    if result.hashed:
        counts["personal_codes_hashed"] = result.hashed
    if result.incomplete:
        counts["incomplete"] = result.incomplete
    record(
        user,
        "import",
        object_type=object_type,
        summary=f"{shown(filename, 120)}: {result}",
        changes=counts,
        channel="import",
    )
