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
import zipfile
from html import unescape

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from seire.access.roles import scope_for
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
from seire.collection.services import (
    Cell,
    DatasetIndex,
    Problem,
    Refused,
    SaveResult,
    check_period,
    parse_value,
)
from seire.collection.value_import import FILE, check_size, import_cells
from seire.organisation.models import OrgUnit

ZIP_SIGNATURE = b"PK\x03\x04"


def read_workbook(data: bytes, dataset: Dataset) -> list[Cell]:
    """Every input cell of a filled template as a `Cell` (where = `'SHEET'!D7`).

    Raises `Refused` listing every problem: not an .xlsx file, too large, damaged, not a
    Seire template or one for another table or version, sheets missing or renamed, unknown
    units or periods, formulas, text, negative, fractional or out-of-range values.
    """
    check_size(data)
    archive = _open_zip(data)
    book = _open_book(data)
    index = DatasetIndex(dataset)
    meta = _read_meta(book, dataset, index)
    present = set(book.sheet_names)
    units = set(
        OrgUnit.objects.filter(code__in={s.unit for s in meta.sheets}).values_list(
            "code", flat=True
        )
    )
    formulas = _formula_cells(archive, [s.name for s in meta.sheets if s.name in present])
    inputs = [(item, index.elements[item.element].value_type) for item in meta.inputs]
    problems, cells = [], []
    for sheet in meta.sheets:
        here = _quote(sheet.name)
        if sheet.name not in present:
            problems.append(Problem(here, _("the sheet is missing or was renamed")))
            continue
        try:
            period = check_period(dataset, sheet.period)
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
        formula_cells = formulas.get(sheet.name, ())
        for item, value_type in inputs:
            where = f"{here}!{item.address}"
            if item.address in formula_cells:
                problems.append(
                    Problem(where, _("a formula where a value is expected: enter the number"))
                )
                continue
            row = values[item.row] if item.row < len(values) else ()
            raw = row[item.column] if item.column < len(row) else ""
            if raw.__class__ is float and raw.is_integer():
                raw = int(raw)  # Excel keeps every number as a float: show 5, not 5.0
            if not _plainly_valid(raw, value_type):
                try:
                    parse_value(raw, value_type)
                except ValueError as error:
                    problems.append(Problem(where, str(error)))
                    continue
            cells.append(Cell(item.element, item.combo, sheet.unit, period, raw, None, where))
    if problems:
        raise Refused(problems)
    return cells


def _plainly_valid(raw, value_type: str) -> bool:
    """True for the usual cell (blank, or a number in range), which `parse_value` would
    accept; False means: ask `parse_value`, which says what is wrong (a national workbook
    has ~30,000 cells, and this spares most of them the text parsing)."""
    if raw == "":
        return True
    if raw.__class__ is int:
        return 0 <= raw < 10**10 and (value_type != "percent" or raw <= 100)
    if raw.__class__ is float:
        return 0 <= raw < 1e10 and value_type != "count" and (value_type != "percent" or raw <= 100)
    return False


def import_workbook(user, dataset: Dataset, data: bytes) -> SaveResult:
    """Read, check and save a filled template, all or nothing (channel "excel")."""
    cells = read_workbook(data, dataset)
    sheets: dict[tuple[str, str], str] = {}
    for cell in cells:
        sheets.setdefault((cell.unit, cell.period), cell.where.rsplit("!", 1)[0])
    scope = scope_for(user)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={u for u, __ in sheets})}
    forbidden = [
        Problem(where, _("you may not enter data for %(u)s") % {"u": unit})
        for (unit, __), where in sheets.items()
        if not scope.can_edit_unit(units[unit], dataset.service)
    ]
    if forbidden:
        raise Refused(forbidden)
    return import_cells(user, dataset, cells, "excel", report_where=sheets)


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
_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def _formula_cells(archive: zipfile.ZipFile, names: list[str]) -> dict[str, set[str]]:
    """{sheet name: addresses of cells holding a formula} for the named sheets."""
    try:
        parts = _sheet_parts(archive)
        result = {}
        for name in names:
            xml = archive.read(parts[name])
            if not _FORMULA.search(xml):
                continue  # the usual case: one scan of the XML, no parsing
            result[name] = {
                ref[1].decode()
                for match in _CELL.finditer(xml)
                if match[2] and _FORMULA.search(match[2]) and (ref := _REF.search(match[1]))
            }
        return result
    except Exception:  # a broken part is a damaged file, not a crash
        raise _refuse(FILE, _("the file is damaged and could not be read as .xlsx")) from None


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
