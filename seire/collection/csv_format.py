"""The CSV machine format of statistics values: one value a row.

    dataset,unit,period,element,combo,value
    VS_MONTHLY,HARJU-VS,2026M03,CLIENTS_NEW,female,12

UTF-8 (a byte-order mark is allowed), fields separated by `,` or `;` (read from the header),
a blank value clears a cell and `na` marks it not applicable. `import_csv` checks the whole
file and writes all of it or nothing, every problem located by row and field; `export_csv`
writes the same format, so an export can be edited and imported back.
"""

import codecs
import csv
import io
from collections import defaultdict

from django.utils.translation import gettext as _

from seire.collection.models import Dataset, DataValue
from seire.collection.services import (
    Cell,
    DatasetIndex,
    Problem,
    Refused,
    SaveResult,
    check_period,
    parse_value,
)
from seire.collection.value_import import check_size, import_cells
from seire.organisation.models import OrgUnit

HEADER = ("dataset", "unit", "period", "element", "combo", "value")
# A spreadsheet program runs a text cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def read_csv(data: bytes, dataset: Dataset) -> list[Cell]:
    """Every row of a CSV file as a `Cell` (where = "row 5"); `Refused` with every problem."""
    return _read(data, dataset)[0]


def import_csv(user, dataset: Dataset, data: bytes) -> SaveResult:
    """Read, check and save a CSV file, all or nothing (channel "csv")."""
    cells, reports = _read(data, dataset)
    return import_cells(user, dataset, cells, "csv", report_where=reports)


def _read(data: bytes, dataset: Dataset) -> tuple[list[Cell], dict[tuple[str, str], str]]:
    """The cells, and where each report (unit, period) is: "rows 2–81 (HARJU-VS 2026M03)"."""
    check_size(data)
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        columns = _header(next(reader, None))
        for number, record in enumerate(reader, start=2):
            if not any(field.strip() for field in record):
                continue
            if len(record) != len(columns):
                problems.append(
                    Problem(
                        _row(number),
                        _("expected %(n)s fields, found %(found)s")
                        % {"n": len(columns), "found": len(record)},
                    )
                )
                continue
            rows.append(
                (number, {c: _unquoted(f.strip()) for c, f in zip(columns, record, strict=True)})
            )
    except csv.Error as error:
        problems.append(Problem(_row(reader.line_num), _("not valid CSV: %(e)s") % {"e": error}))
    if problems:
        raise Refused(problems)
    if not rows:
        raise Refused([Problem(_row(2), _("the file has no values"))])
    cells, numbers, problems = _cells(rows, dataset)
    if problems:
        raise Refused(problems)
    reports = {
        key: _("rows %(first)s–%(last)s (%(unit)s %(period)s)")
        % {"first": min(n), "last": max(n), "unit": key[0], "period": key[1]}
        for key, n in numbers.items()
    }
    return cells, reports


def export_csv(dataset: Dataset, unit_codes, periods) -> str:
    """The stored values of `unit_codes` × `periods` in the import format (callers check
    access). Text is neutralised against formula injection with a leading apostrophe."""
    rows = (
        DataValue.objects.filter(
            element__dataset=dataset, unit__code__in=list(unit_codes), period__in=list(periods)
        )
        .order_by("unit__code", "period", "element__sort", "element__code", "combo__sort")
        .values_list("unit__code", "period", "element__code", "combo__code", "value", "status")
    )
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(HEADER)
    for unit, period, element, combo, value, status in rows:
        shown = (
            "na" if status == DataValue.Status.NOT_APPLICABLE else format(value.normalize(), "f")
        )
        writer.writerow(
            [neutralise(v) for v in (dataset.code, unit, period, element, combo, shown)]
        )
    return output.getvalue()


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise Refused(
            [Problem(_row(row), _("the file is not UTF-8 text: save it as “CSV UTF-8”"))]
        ) from None


def _header(record: list[str] | None) -> list[str]:
    expected = ",".join(HEADER)
    if not record:
        raise Refused(
            [
                Problem(
                    _row(1), _("the file is empty: the first row must be %(h)s") % {"h": expected}
                )
            ]
        )
    columns = [c.strip().lower().lstrip("\ufeff") for c in record]
    problems = [
        Problem(
            _row(1, c or "?"), _("unknown column: the first row must be %(h)s") % {"h": expected}
        )
        for c in columns
        if c not in HEADER
    ]
    problems += [
        Problem(
            _row(1),
            _("column “%(c)s” is missing: the first row must be %(h)s") % {"c": c, "h": expected},
        )
        for c in HEADER
        if c not in columns
    ]
    problems += [
        Problem(_row(1, c), _("column “%(c)s” is given twice") % {"c": c})
        for i, c in enumerate(columns)
        if c in HEADER and c in columns[:i]
    ]
    if problems:
        raise Refused(problems)
    return columns


def _cells(rows, dataset: Dataset) -> tuple[list[Cell], dict, list[Problem]]:
    """The rows as cells, the row numbers of each report, and a problem for every field
    that cannot be right."""
    index = DatasetIndex(dataset)
    units = set(
        OrgUnit.objects.filter(code__in={r["unit"] for __, r in rows}).values_list(
            "code", flat=True
        )
    )
    known_periods: dict[str, str | ValueError] = {}
    cells, problems, numbers = [], [], defaultdict(list)
    for number, row in rows:
        found = []
        if row["dataset"] != dataset.code:
            found.append(
                ("dataset", _("expected %(d)s, the table being imported") % {"d": dataset.code})
            )
        if row["unit"] not in units:
            found.append(("unit", _("unknown unit “%(u)s”") % {"u": row["unit"]}))
        if row["period"] not in known_periods:
            try:
                known_periods[row["period"]] = check_period(dataset, row["period"])
            except ValueError as error:
                known_periods[row["period"]] = error
        period = known_periods[row["period"]]
        if isinstance(period, ValueError):
            found.append(("period", str(period)))
        element = index.elements.get(row["element"])
        if element is None:
            found.append(
                (
                    "element",
                    _("unknown data element “%(e)s” in %(d)s")
                    % {"e": row["element"], "d": dataset.code},
                )
            )
        elif (element.disaggregation_id, row["combo"]) not in index.combos:
            found.append(
                (
                    "combo",
                    _("unknown column “%(c)s” for %(e)s") % {"c": row["combo"], "e": element.code},
                )
            )
        else:
            try:
                parse_value(row["value"], element.value_type)
            except ValueError as error:
                found.append(("value", str(error)))
        if found:
            problems += [Problem(_row(number, field), message) for field, message in found]
        else:
            where = _row(number)
            cells.append(
                Cell(row["element"], row["combo"], row["unit"], period, row["value"], None, where)
            )
            numbers[(row["unit"], period)].append(number)
    return cells, numbers, problems


def _row(number: int, field: str = "") -> str:
    where = _("row %(n)s") % {"n": number}
    return f"{where}, {field}" if field else where


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unquoted(text: str) -> str:
    """Undo `neutralise`, so an exported file imports back unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text
