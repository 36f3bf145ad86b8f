"""Reading a filled Excel template back (python-calamine), all or nothing.

`read_workbook` refuses the whole file, every problem located by sheet and cell
(`'HARJU-VS 2026M03'!D7`): not an .xlsx file, too large, damaged, not a Seire template or
one for another table or version, sheets missing or renamed, unknown units or periods,
formulas (calamine returns a formula's cached value, so the sheet XML is searched for
`<f>`), text, negative, fractional or out-of-range values. `import_workbook` then saves it
through `value_import.import_cells` — the hard rules included — or writes nothing.
"""

import io
import re
import struct
import zipfile
import zlib
from html import unescape

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from seire.access.roles import scope_for
from seire.collection.batch import Cell, Layout, Problem, Refused, Report
from seire.collection.checking import (
    DatasetIndex,
    check_period,
    largest,
    parse_value,
    plain_numbers,
)
from seire.collection.excel.template import (
    MAGIC,
    META,
    TEMPLATE_FORMAT,
    Input,
    Meta,
    SheetMeta,
    checksum,
)
from seire.collection.models import Dataset
from seire.collection.value_import import FILE, check_size, import_reports
from seire.collection.writing import SaveResult
from seire.organisation.models import OrgUnit

ZIP_SIGNATURE = b"PK\x03\x04"


def read_workbook(data: bytes, dataset: Dataset) -> list[Cell]:
    """Every input cell of a filled template as a `Cell` (where = `'SHEET'!D7`).

    Raises `Refused` listing every problem: not an .xlsx file, too large, damaged, not a
    Seire template or one for another table or version, sheets missing or renamed, unknown
    units or periods, formulas, text, negative, fractional or out-of-range values.
    """
    reports, __ = _read(data, dataset)
    return [
        Cell(element, combo, report.unit, report.period, raw, None, report.locate(i))
        for report in reports
        for i, ((element, combo), raw) in enumerate(
            zip(report.layout.cells, report.raws, strict=True)
        )
    ]


def _read(data: bytes, dataset: Dataset, index: DatasetIndex | None = None) -> tuple:
    """`read_workbook`'s cells as a `Report` per sheet, and each (unit code, period)'s
    sheet (quoted)."""
    check_size(data)
    archive = _open_zip(data)
    book = _open_book(data)
    index = index or DatasetIndex(dataset)
    meta = _read_meta(book, dataset, index)
    present = set(book.sheet_names)
    units = set(
        OrgUnit.objects.filter(code__in={s.unit for s in meta.sheets}).values_list(
            "code", flat=True
        )
    )
    formulas = _formula_cells(archive, data, [s.name for s in meta.sheets if s.name in present])
    limits = _limits(index)
    inputs = [
        (i.element, i.combo, i.address, "!" + i.address, i.row, i.column, limits[i.element])
        for i in meta.inputs
    ]
    # Every sheet has the template's inputs in the same places: one layout for all.
    layout = Layout(tuple((i.element, i.combo) for i in meta.inputs), tuple(i[3] for i in inputs))
    places = [(i.row, i.column) for i in meta.inputs]
    tops = [limit[1] for *__, limit in inputs]
    if len(set(tops)) == 1:
        tops = tops[0]  # one largest number for all: checked once a sheet, not once a cell
    rows = sorted({row for row, __ in places})
    right = max((column for __, column in places), default=0)
    problems, reports, sheets = [], [], {}
    today, periods = timezone.localdate(), {}  # period as written → checked
    for sheet in meta.sheets:
        here = _quote(sheet.name)
        if sheet.name not in present:
            problems.append(Problem(here, _("the sheet is missing or was renamed")))
            continue
        period = periods.get(sheet.period)
        if period is None:
            try:
                period = periods[sheet.period] = check_period(dataset, sheet.period, today)
            except ValueError as error:
                problems.append(Problem(f"{here}!A2", _("unknown period: %(e)s") % {"e": error}))
                continue
        if sheet.unit not in units:
            problems.append(Problem(f"{here}!A2", _("unknown unit “%(u)s”") % {"u": sheet.unit}))
            continue
        values = _sheet_values(book, sheet.name)
        if values is None:
            problems.append(Problem(here, _("the sheet could not be read")))
            continue
        sheets.setdefault((sheet.unit, period), here)
        formula_cells = formulas.get(sheet.name, ())
        raws = None
        # The usual sheet (every input a whole number in range, no formula) is taken as a
        # whole; any other cell by cell, saying what is wrong with each cell.
        if not formula_cells and all(
            row < len(values) and right < len(values[row]) for row in rows
        ):
            raws = plain_numbers([values[row][column] for row, column in places], tops)
        if raws is None:
            raws = _cells_of(values, inputs, formula_cells, here, problems)
        reports.append(Report(sheet.unit, period, layout, raws, where=here))
    if problems:
        raise Refused(problems)
    return reports, sheets


def _cells_of(values, inputs, formula_cells, here: str, problems: list) -> list:
    """A sheet's inputs one by one, with a problem for each that cannot be saved."""
    raws = []
    for __, __, address, suffix, row, column, (value_type, top) in inputs:
        if formula_cells and address in formula_cells:
            why = _("a formula where a value is expected: enter the number")
            problems.append(Problem(here + suffix, why))
            raws.append("")
            continue
        cells_of_row = values[row] if row < len(values) else ()
        raw = cells_of_row[column] if column < len(cells_of_row) else ""
        kind = raw.__class__
        # The usual cell (blank, or a number in range) is taken as it is, which
        # `parse_value` would accept; anything else is asked of `parse_value`, which
        # says what is wrong.
        if kind is float:
            if raw.is_integer():
                raw = int(raw)  # Excel keeps every number as a float: show 5, not 5.0
                plain = 0 <= raw <= top
            else:
                plain = value_type != "count" and 0 <= raw <= top
        else:
            plain = raw == "" or (kind is int and 0 <= raw <= top)
        if not plain:
            try:
                parse_value(raw, value_type)
            except ValueError as error:
                problems.append(Problem(here + suffix, str(error)))
        raws.append(raw)
    return raws


def _limits(index: DatasetIndex) -> dict[str, tuple[str, float]]:
    """Element code → (value type, the largest number taken without `parse_value`)."""
    return {code: (e.value_type, largest(e)) for code, e in index.elements.items()}


def import_workbook(user, dataset: Dataset, data: bytes) -> SaveResult:
    """Read, check and save a filled template, all or nothing (channel "excel")."""
    index = DatasetIndex(dataset)
    reports, sheets = _read(data, dataset, index)
    scope = scope_for(user)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={u for u, __ in sheets})}
    forbidden = [
        Problem(where, _("you may not enter data for %(u)s") % {"u": unit})
        for (unit, __), where in sheets.items()
        if not scope.can_edit_unit(units[unit], dataset.service)
    ]
    if forbidden:
        raise Refused(forbidden)
    return import_reports(user, dataset, reports, "excel", report_where=sheets, index=index)


def _quote(sheet_name: str) -> str:
    return "'" + sheet_name.replace("'", "''") + "'"


def _refuse(where: str, message: str):
    return Refused([Problem(where, message)])


def _open_zip(data: bytes) -> zipfile.ZipFile:
    not_xlsx = _("not an Excel workbook (.xlsx): download the template and fill it in")
    if not data.startswith(ZIP_SIGNATURE):
        raise _refuse(FILE, not_xlsx)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(FILE, _("the file is damaged (not a complete .xlsx file)")) from None
    if "xl/workbook.xml" not in names:
        raise _refuse(FILE, not_xlsx)
    if unpacked > 20 * settings.SEIRE_MAX_UPLOAD_BYTES:
        raise _refuse(FILE, _("the workbook unpacks to more than its size allows"))
    return archive


def _open_book(data: bytes) -> CalamineWorkbook:
    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # calamine's errors, including a Rust panic on a broken file
        raise _refuse(FILE, _("the file is damaged and could not be read as .xlsx")) from None


def _sheet_values(book: CalamineWorkbook, name: str) -> list[list] | None:
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:
        return None


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _read_meta(book: CalamineWorkbook, dataset: Dataset, index: DatasetIndex) -> Meta:
    """The `_meta` sheet, checked against the dataset; `Refused` when it doesn't fit."""
    here = _quote(META)
    not_template = _(
        "not a Seire template (its hidden %(s)s sheet is missing): download the "
        "template and fill it in"
    ) % {"s": META}
    if META not in book.sheet_names:
        raise _refuse(here, not_template)
    rows = _sheet_values(book, META)
    if rows is None:
        raise _refuse(here, _("the template's hidden description could not be read"))
    rows = [_trimmed([_text(v) for v in row]) for row in rows]
    if not rows or rows[0][:1] != [MAGIC]:
        raise _refuse(f"{here}!A1", not_template)
    if rows[0][1:2] != [TEMPLATE_FORMAT]:
        found = (rows[0][1:2] or ["?"])[0]
        raise _refuse(
            f"{here}!B1",
            _(
                "template format %(f)s is not supported (this Seire reads format %(ok)s): "
                "download a new template"
            )
            % {"f": found, "ok": TEMPLATE_FORMAT},
        )
    garbled = _refuse(
        here, _("the template's hidden description was changed: download a new template")
    )
    if len(rows) < 5 or rows[1][:1] != ["checksum"] or rows[1][1:2] != [checksum(rows[2:])]:
        raise garbled
    fields = {row[0]: row[1] for row in rows[2:5] if len(row) == 2}
    if set(fields) != {"dataset", "dataset_version", "language"}:
        raise garbled
    if fields["dataset"] != dataset.code:
        raise _refuse(
            f"{here}!B3",
            _("this template is for the table %(t)s, not %(d)s")
            % {"t": fields["dataset"], "d": dataset.code},
        )
    if fields["dataset_version"] != str(dataset.version):
        raise _refuse(
            f"{here}!B4",
            _(
                "this template is for version %(v)s of %(d)s; the table is now version %(now)s: "
                "download a new template"
            )
            % {"v": fields["dataset_version"], "d": dataset.code, "now": dataset.version},
        )
    return _meta_body(rows[5:], fields, index, garbled)


def _trimmed(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row.pop()
    return row


def _meta_body(rows, fields, index: DatasetIndex, garbled: Refused) -> Meta:
    sheets, inputs = [], []
    for row in rows:
        if row[:1] == ["sheet"] and len(row) == 4:
            sheets.append(SheetMeta(*row[1:]))
        elif row[:1] == ["input"] and len(row) == 4:
            element = index.elements.get(row[1])
            if element is None or (element.disaggregation_id, row[2]) not in index.combos:
                raise _refuse(
                    _quote(META),
                    _(
                        "the template names %(e)s/%(c)s, which the table no longer has: "
                        "download a new template"
                    )
                    % {"e": row[1], "c": row[2]},
                )
            match = re.fullmatch(r"([A-Z]{1,3})([1-9][0-9]{0,6})", row[3])
            if not match:
                raise garbled
            column = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(match[1])))
            inputs.append(Input(row[1], row[2], row[3], int(match[2]) - 1, column - 1))
        else:
            raise garbled
    keys = [(s.unit, s.period) for s in sheets]
    names = [s.name for s in sheets]
    cells = [(i.element, i.combo) for i in inputs]
    addresses = [i.address for i in inputs]
    if any(len(set(x)) != len(x) for x in (keys, names, cells, addresses)) or not sheets:
        raise garbled
    return Meta(fields["dataset"], fields["dataset_version"], fields["language"], sheets, inputs)


# Formulas: calamine gives a formula's cached value, so the sheet XML is searched for <f>.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# Every <f> (or <x:f>) has an "f" then a space, ">" or "/": most sheets have no such pair,
# which a search for it (it starts at each "f", not at each "<") tells many times faster.
_MAYBE_FORMULA = re.compile(rb"f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _formula_cells(archive: zipfile.ZipFile, data: bytes, names: list[str]) -> dict:
    """{sheet name: addresses of cells holding a formula} for the named sheets (`data`: the
    archive's bytes)."""
    try:
        parts = _sheet_parts(archive)
        result = {}
        for name in names:
            xml = _member(archive, data, parts[name])
            if not _MAYBE_FORMULA.search(xml) or not _FORMULA.search(xml):
                continue  # the usual case: one scan of the XML, no parsing
            result[name] = {
                ref[1].decode()
                for match in _CELL.finditer(xml)
                if match[2] and _FORMULA.search(match[2]) and (ref := _REF.search(match[1]))
            }
        return result
    except Exception:  # a broken part is a damaged file, not a crash
        raise _refuse(FILE, _("the file is damaged and could not be read as .xlsx")) from None


def _member(archive: zipfile.ZipFile, data: bytes, name: str) -> bytes:
    """A member of the archive unpacked with zlib straight from the file's bytes: for the
    few hundred sheets of a national year `ZipFile.read` spends longer on its file objects
    than zlib on the data. Members other than deflated or stored ones (encrypted, say) are
    read by `ZipFile.read`, which refuses what it cannot read."""
    info = archive.getinfo(name)
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED):
        return archive.read(name)
    header = data[info.header_offset : info.header_offset + zipfile.sizeFileHeader]
    if len(header) != zipfile.sizeFileHeader or header[:4] != ZIP_SIGNATURE:
        raise zipfile.BadZipFile(name)
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    start = info.header_offset + zipfile.sizeFileHeader + name_length + extra_length
    raw = data[start : start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        unpacked = raw
    else:
        inflate = zlib.decompressobj(-zlib.MAX_WBITS)
        unpacked = inflate.decompress(raw, info.file_size + 1)  # (no more than it says)
    if len(unpacked) != info.file_size or zlib.crc32(unpacked) != info.CRC:
        raise zipfile.BadZipFile(name)
    return unpacked


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet name: zip member of its XML}, from the workbook and its relationships."""
    rels = {}
    for tag in _RELATIONSHIP.finditer(archive.read("xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(tag[0]))
        target = unescape(attrs.get(b"Target", b"").decode())
        rels[attrs.get(b"Id", b"").decode()] = (
            target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        )
    parts = {}
    for tag in _SHEET.finditer(archive.read("xl/workbook.xml")):
        attrs = {k.split(b":")[-1]: v for k, v in _ATTR.findall(tag[0])}
        parts[unescape(attrs[b"name"].decode())] = rels[attrs[b"id"].decode()]
    return parts
