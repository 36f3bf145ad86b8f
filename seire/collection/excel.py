"""The Excel round trip of a statistics table: a pre-filled template, and reading it back.

`build_template` writes (openpyxl) an instructions sheet generated from the elements'
counting rules, one sheet per unit × period (`HARJU-VS 2026M03`) with the stored values
filled in, and a very hidden `_meta` sheet naming the dataset, its version, the template
format, the unit and period of every sheet and the cell of every input — so reading back
never guesses. Sheets are protected with only the input cells open, and Excel's data
validation already stops negative and fractional counts while the provider types.

`read_workbook` reads a filled template with python-calamine and refuses the whole file,
every problem located by sheet and cell (`'HARJU-VS 2026M03'!D7`); `import_workbook` saves
it through the one all-or-nothing write path (`value_import.import_cells`).
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from html import unescape

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from seire import periods
from seire.access.roles import scope_for
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
from seire.collection.value_import import FILE, check_size, import_cells
from seire.organisation.models import OrgUnit

TEMPLATE_FORMAT = "1"
MAGIC = "seire-template"
META = "_meta"
FIRST_INPUT_COLUMN = 3  # C: A holds the element code, B its name
ZIP_SIGNATURE = b"PK\x03\x04"
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")

LABELS = {
    "et": {
        "instructions": "Juhend",
        "code": "Kood",
        "element": "Näitaja",
        "type": "Väärtus",
        "columns": "Veerud",
        "rule": "Loendusreegel",
        "checks": "Kontrollid, mis peavad kehtima",
        "hint": "Täida kollased lahtrid. Tühi = andmed puuduvad, 0 = null, na = ei kohaldu.",
        "general": [
            "Iga leht on ühe üksuse ühe perioodi aruanne; lehtede nimesid ära muuda.",
            "Kirjuta lahtrisse arv ise, mitte valemit.",
            "Tühi lahter tähendab, et andmeid pole: üleslaadimisel kustutab see varem "
            "salvestatud väärtuse. 0 on väärtus. „na“ tähendab, et näitaja ei kohaldu.",
            "Fail kontrollitakse tervikuna: kui kuskil on viga, ei salvestata midagi ja "
            "veateade ütleb lehe ja lahtri.",
        ],
        "types": {
            "count": "mittenegatiivne täisarv",
            "decimal": "mittenegatiivne arv",
            "percent": "protsent 0–100",
        },
        "error": "Sisesta {what} või na.",
    },
    "en": {
        "instructions": "Instructions",
        "code": "Code",
        "element": "Item",
        "type": "Value",
        "columns": "Columns",
        "rule": "Counting rule",
        "checks": "Checks that must hold",
        "hint": "Fill in the yellow cells. Blank = no data, 0 = zero, na = not applicable.",
        "general": [
            "Each sheet is one unit's report for one period; do not rename the sheets.",
            "Type the number itself into a cell, not a formula.",
            "A blank cell means no data: uploading it clears a value stored before. 0 is a "
            "value. “na” means the item does not apply.",
            "The file is checked as a whole: if anything is wrong nothing is saved, and the "
            "message names the sheet and the cell.",
        ],
        "types": {
            "count": "a non-negative whole number",
            "decimal": "a non-negative number",
            "percent": "a percentage 0–100",
        },
        "error": "Enter {what} or na.",
    },
}

# Excel data validation of one input range, relative to its first cell {c}; "na" is allowed.
VALIDATION = {
    "count": 'OR({c}="na",AND(ISNUMBER({c}),{c}>=0,{c}=INT({c})))',
    "decimal": 'OR({c}="na",AND(ISNUMBER({c}),{c}>=0))',
    "percent": 'OR({c}="na",AND(ISNUMBER({c}),{c}>=0,{c}<=100))',
}


@dataclass(frozen=True)
class Input:
    element: str
    combo: str
    address: str  # "D7"
    row: int  # 0-based, as calamine counts
    column: int


@dataclass(frozen=True)
class SheetMeta:
    name: str
    unit: str
    period: str


@dataclass(frozen=True)
class Meta:
    dataset: str
    version: str
    language: str
    sheets: list[SheetMeta]
    inputs: list[Input]


# -- writing ---------------------------------------------------------------------------------


def layout(index: DatasetIndex) -> tuple[list[tuple], list[Input]]:
    """The rows of a data sheet: ("header", row, combos) and ("element", row, element,
    combos) from row 5 on, with a header row whenever the columns change; and the inputs."""
    rows, inputs, row, previous = [], [], 5, None
    for element in index.elements.values():
        combos = index.combos_of(element)
        if element.disaggregation_id != previous:
            if previous is not None:
                row += 1  # a blank row between blocks of different columns
            rows.append(("header", row, combos))
            row, previous = row + 1, element.disaggregation_id
        rows.append(("element", row, element, combos))
        for offset, combo in enumerate(combos):
            column = FIRST_INPUT_COLUMN + offset
            address = f"{get_column_letter(column)}{row}"
            inputs.append(Input(element.code, combo.code, address, row - 1, column - 1))
        row += 1
    return rows, inputs


def build_template(dataset: Dataset, units, periods_: list[str], lang: str = "et") -> bytes:
    """An .xlsx template for `units` (OrgUnits) × `periods_`, pre-filled with stored values."""
    lang = "en" if lang.startswith("en") else "et"
    labels = LABELS[lang]
    index = DatasetIndex(dataset)
    rows, inputs = layout(index)
    units = list(units)
    stored = _stored(dataset, units, periods_)
    book = Workbook()
    _instructions(book.active, dataset, index, lang)
    sheets, taken = [], {labels["instructions"].lower(), META}
    for unit in units:
        for period in periods_:
            name = _sheet_name(unit.code, str(period), taken)
            sheet = book.create_sheet(name)
            _data_sheet(sheet, dataset, unit, str(period), rows, stored, lang)
            sheets.append(SheetMeta(name, unit.code, str(period)))
    _meta_sheet(book.create_sheet(META), _meta_rows(dataset, lang, sheets, inputs))
    book.security = WorkbookProtection(lockStructure=True)
    if len(book.sheetnames) > 2:
        book.active = 1
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _stored(dataset, units, periods_) -> dict[tuple, object]:
    rows = DataValue.objects.filter(
        element__dataset=dataset, unit__in=units, period__in=[str(p) for p in periods_]
    ).values_list("unit_id", "period", "element__code", "combo__code", "value", "status")
    result = {}
    for unit_id, period, element, combo, value, status in rows:
        result[(unit_id, period, element, combo)] = "na" if status == "na" else _excel(value)
    return result


def _excel(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _sheet_name(unit_code: str, period: str, taken: set[str]) -> str:
    """`UNIT PERIOD`, at most 31 characters, without []:*?/\\ and unique in the workbook."""
    unit_code = re.sub(r"[\[\]:*?/\\']", "-", unit_code)
    base = f"{unit_code[: 30 - len(period)]} {period}"
    name, n = base, 1
    while name.lower() in taken:
        n += 1
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _instructions(sheet, dataset: Dataset, index: DatasetIndex, lang: str) -> None:
    labels = LABELS[lang]
    sheet.title = labels["instructions"]
    sheet.append([getattr(dataset, f"name_{lang}")])
    sheet["A1"].font = Font(bold=True, size=14)
    description = getattr(dataset, f"description_{lang}")
    if description:
        sheet.append([description])
    sheet.append([])
    for line in labels["general"]:
        sheet.append([f"• {line}"])
    sheet.append([])
    sheet.append([labels["code"], labels["element"], labels["type"], labels["columns"]])
    sheet.cell(sheet.max_row, 5, labels["rule"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for element in index.elements.values():
        combos = ", ".join(getattr(c, f"name_{lang}") for c in index.combos_of(element))
        sheet.append(
            [
                element.code,
                getattr(element, f"name_{lang}"),
                labels["types"][element.value_type],
                combos,
                getattr(element, f"counting_rule_{lang}"),
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    rules = [r for r in dataset.rules.all() if r.importance == "hard" and r.kind == "expression"]
    if rules:
        sheet.append([])
        sheet.append([labels["checks"]])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        for rule in rules:
            formula = f"{rule.left} {rule.get_operator_display()} {rule.right}"
            sheet.append([formula, getattr(rule, f"message_{lang}")])
    for letter, width in zip("ABCDE", (22, 40, 24, 36, 70), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True


def _data_sheet(sheet, dataset, unit, period, rows, stored, lang) -> None:
    labels = LABELS[lang]
    sheet["A1"] = getattr(dataset, f"name_{lang}")
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"{getattr(unit, f'name_{lang}')} ({unit.code}) · {_label(period, lang)}"
    sheet["A3"] = labels["hint"]
    sheet["A3"].font = Font(italic=True)
    unlocked = Protection(locked=False)
    width = 0
    for entry in rows:
        kind, row = entry[0], entry[1]
        if kind == "header":
            titles = [labels["code"], labels["element"]]
            titles += [getattr(c, f"name_{lang}") for c in entry[2]]
            for column, title in enumerate(titles, start=1):
                cell = sheet.cell(row, column, title)
                cell.font, cell.fill = Font(bold=True), HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, horizontal="center")
            width = max(width, len(titles))
            continue
        element, combos = entry[2], entry[3]
        sheet.cell(row, 1, element.code)
        sheet.cell(row, 2, getattr(element, f"name_{lang}"))
        for offset, combo in enumerate(combos):
            cell = sheet.cell(row, FIRST_INPUT_COLUMN + offset)
            cell.value = stored.get((unit.pk, period, element.code, combo.code))
            cell.protection, cell.fill = unlocked, INPUT_FILL
        first = f"{get_column_letter(FIRST_INPUT_COLUMN)}{row}"
        last = f"{get_column_letter(FIRST_INPUT_COLUMN + len(combos) - 1)}{row}"
        what = labels["types"][element.value_type]
        check = DataValidation(
            type="custom",
            formula1=VALIDATION[element.value_type].format(c=first),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=element.code,
            error=labels["error"].format(what=what),
        )
        sheet.add_data_validation(check)
        check.add(f"{first}:{last}")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 42
    for column in range(FIRST_INPUT_COLUMN, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    sheet.protection.sheet = True


def _label(period: str, lang: str) -> str:
    try:
        return periods.parse(period).label(lang)
    except periods.PeriodError:
        return period


def _meta_rows(dataset, lang, sheets: list[SheetMeta], inputs: list[Input]) -> list[list[str]]:
    body = [["dataset", dataset.code], ["dataset_version", str(dataset.version)]]
    body += [["language", lang]]
    body += [["sheet", s.name, s.unit, s.period] for s in sheets]
    body += [["input", i.element, i.combo, i.address] for i in inputs]
    return [[MAGIC, TEMPLATE_FORMAT], ["checksum", _checksum(body)], *body]


def _checksum(rows) -> str:
    text = "\n".join("\t".join(row) for row in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _meta_sheet(sheet, rows) -> None:
    for row in rows:
        sheet.append(row)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


# -- reading ---------------------------------------------------------------------------------


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
    if len(rows) < 5 or rows[1][:1] != ["checksum"] or rows[1][1:2] != [_checksum(rows[2:])]:
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
