"""Reading an uploaded table (CSV or a workbook's first sheet) and what the imports share.

Shared by the episode and assessment imports. `read_table` gives the header and the rows
with their spreadsheet row numbers (header = row 1), or raises `Refused` for a file that is
not a table at all. The cell parsers raise ValueError with a message saying what was
expected; they never echo an 11-digit number, which might be a personal code.
`stored_rows` looks up the rows already stored by source_id, in batches; the imports then
store their rows with the project's one bulk writer (`seire.collection.bulk`).
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path

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
