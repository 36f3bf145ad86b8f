"""Writing the Excel template of a statistics table (openpyxl).

One sheet per unit × period (`HARJU-VS 2026M03`) with the stored values filled in, an
instructions sheet generated from the elements' counting rules, and a very hidden `_meta`
sheet that names the dataset, its version, the template format, the unit and period of each
sheet and the cell of every input — `upload` reads it back instead of guessing. Sheets are
protected with only the input cells open; Excel's data validation stops negative and
fractional counts and percentages over 100 while the provider types ("na" is allowed).
"""

import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from seire import periods
from seire.collection.models import Dataset, DataValue
from seire.collection.services import DatasetIndex

TEMPLATE_FORMAT = "1"
MAGIC = "seire-template"
META = "_meta"
FIRST_INPUT_COLUMN = 3  # C: A holds the element code, B its name
INPUT_FILL = PatternFill("solid", fgColor="FFF8DC")
HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")

LABELS = {
    "et": {
        "instructions": "Juhend",
        "code": "Kood",
        "element": "Andmeelement",
        "type": "Väärtus",
        "columns": "Veerud",
        "rule": "Loendusreegel",
        "checks": "Kontrollid, mis peavad kehtima",
        "hint": "Täida kollased lahtrid. Tühi = andmed puuduvad, 0 = null, na = ei kohaldu.",
        "general": [
            "Iga leht on ühe üksuse ühe perioodi aruanne; lehtede nimesid ära muuda.",
            "Kirjuta lahtrisse arv ise, mitte valemit.",
            "Tühi lahter tähendab, et andmeid pole: üleslaadimisel kustutab see varem "
            "salvestatud väärtuse. 0 on väärtus. „na“ tähendab, et väärtus ei kohaldu.",
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
    return [[MAGIC, TEMPLATE_FORMAT], ["checksum", checksum(body)], *body]


def checksum(rows) -> str:
    text = "\n".join("\t".join(row) for row in rows)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _meta_sheet(sheet, rows) -> None:
    for row in rows:
        sheet.append(row)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
