"""A published table in every output: the page's cross table, CSV, XLSX, PC-Axis and JSON.

Everything here reads the stored `PublishedCell`s of one version — never the data — so an
output can only show what was published: a suppressed cell has no value to leak. Each format
is a function in `FORMATS` (a registry: name → (content type, extension, writer)).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import product

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from seire import disclosure
from seire.collection.csv_format import neutralise
from seire.publishing.cubes import DIMENSIONS, CubeError, Measure, categories, measure_for
from seire.publishing.models import ReleaseTable, ReleaseVersion

#: Shown in place of a suppressed value (pages, CSV, XLSX; `..` in PC-Axis, shown as this).
SYMBOL = "x"
LANGS = ("et", "en")

LEGEND = {
    "et": {
        "symbol": f"{SYMBOL} — andmed on konfidentsiaalsuse kaitseks avaldamata",
        "primary": "väike arv (alla lävendi)",
        "secondary": "varjatud, et väikest arvu ei saaks teistest tuletada",
        "rounded": "ümardatud",
        "perturbed": "rakuvõtmega müra lisatud",
        "total": "kokku",
    },
    "en": {
        "symbol": f"{SYMBOL} — not published, to protect confidentiality",
        "primary": "small count (below the threshold)",
        "secondary": "withheld so that a small count cannot be derived from the others",
        "rounded": "rounded",
        "perturbed": "perturbed (cell key)",
        "total": "total",
    },
}


def method_text(table: ReleaseTable, lang: str) -> str:
    protection = table.protection if table.protection is not None else table.threshold
    if table.method == "suppress":
        if lang == "et":
            return (
                f"Rakkude varjamine: avaldamata on iga nullist suurem arv alla {table.threshold} "
                f"ning lisarakud, nii et ühtki varjatud väikest arvu ei saa avaldatust "
                f"täpsemalt kui ±{protection} tuletada (kontrollitud lineaarplaneerimisega)."
            )
        return (
            f"Cell suppression: every non-zero count below {table.threshold} is withheld, and "
            f"further cells so that no withheld small count can be derived from what is "
            f"published more closely than ±{protection} (checked by linear programming)."
        )
    if table.method == "cell_key":
        from seire.publishing.protection import CELL_KEY_PTABLE as p

        if lang == "et":
            return (
                f"Rakuvõtmega müra: igale arvule, ka kokkuvõtetele, on eraldi lisatud väike "
                f"müra (kõige rohkem ±{p['max_noise']}, dispersioon {p['variance']:g}, "
                f"keskmiselt null); null jääb nulliks ja arve 1–{p['small']} ei avaldata. "
                f"Müra tuleneb kirjete salajastest võtmetest, nii et sama rakk saab igas "
                f"väljaandes sama müra ja kordamine seda ära ei keskmista. Kokkuvõtted ei "
                f"pruugi osade summaga klappida. Kontrollitud täisarvulise planeerimisega, et "
                f"ühtki väikest arvu ei saa täpselt tuletada; kaitsevahemikku see meetod ei "
                f"taga."
            )
        return (
            f"Cell-key perturbation: a little noise is added to every number, totals "
            f"included, each on its own (at most ±{p['max_noise']}, variance "
            f"{p['variance']:g}, zero on average); zeros stay zero and no count from 1 to "
            f"{p['small']} is published. The noise comes from secret keys of the records, so "
            f"a cell gets the same noise in every release and repeating it does not average "
            f"the noise away. Totals need not equal the sum of their parts. Checked by "
            f"integer programming that no small count can be derived exactly; this method "
            f"does not guarantee a protection interval."
        )
    base = 3 if table.method == "round3" else 5
    if lang == "et":
        return (
            f"Ümardamine: iga arv, ka kokkuvõtted, on eraldi ümardatud {base} kordseks. "
            f"Kontrollitud täisarvulise planeerimisega, et ühtki väikest arvu ei saa "
            f"täpselt tuletada; kaitsevahemikku see meetod ei taga."
        )
    return (
        f"Rounding: every number, totals included, is rounded to a multiple of {base} on its "
        f"own. Checked by integer programming that no small count can be derived exactly; "
        f"this method does not guarantee a protection interval."
    )


@dataclass
class TableData:
    """One table of one version, as published: `cells` are (coordinates, value, status)
    with value None when suppressed; `axes` the category codes of each dimension in order,
    `TOTAL` last."""

    table: ReleaseTable
    version: ReleaseVersion
    measure: Measure
    cells: list[tuple[dict, float | None, str]]
    axes: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # lang→dim→code

    @property
    def dims(self) -> list[str]:
        """The dimensions as published (the stored cells'), whatever the definition is now."""
        defined = list(self.table.dims)
        if self.cells and set(self.cells[0][0]) != set(defined):
            return list(self.cells[0][0])  # (jsonb keeps no key order: prefer the definition)
        return defined

    def label(self, dim: str, code: str, lang: str) -> str:
        return self.labels[lang][dim].get(code, code)

    def dim_label(self, dim: str, lang: str) -> str:
        return DIMENSIONS[dim].label(lang)

    def lookup(self) -> dict[tuple, tuple[float | None, str]]:
        return {tuple(c[d] for d in self.dims): (v, s) for c, v, s in self.cells}

    def title(self, lang: str) -> str:
        return self.table.title_et if lang == "et" else self.table.title_en

    def published_at(self) -> datetime:
        return self.version.published_at or self.version.prepared_at


def table_data(table: ReleaseTable, version: ReleaseVersion) -> TableData:
    """The stored cells of `table` in `version`, with their axes and labels."""
    try:
        measure = measure_for(table.measure)
    except CubeError:  # the definition changed after publication: show the stored cells
        measure = Measure(table.measure, table.measure, table.measure, "", "")
    cells = [
        (c.coordinates, None if c.value is None else _number(c.value), c.status)
        for c in version.cells.filter(table=table).order_by("position")
    ]
    data = TableData(table, version, measure, cells)
    for d in data.dims:
        present = list(dict.fromkeys(c[d] for c, _, _ in cells))
        if d == "period":
            order = sorted(p for p in present if p != disclosure.TOTAL)
            listed = []
        else:
            listed = categories(d, measure)
            known = [c.code for c in listed]
            order = [c for c in known if c in present] + sorted(
                p for p in present if p not in known and p != disclosure.TOTAL
            )
        if disclosure.TOTAL in present:
            order.append(disclosure.TOTAL)
        data.axes[d] = order
        for lang in LANGS:
            names = {c.code: c.label(lang) for c in listed}
            if d == "period":
                from seire import periods

                names = {p: periods.parse(p).label(lang) for p in order if p != disclosure.TOTAL}
            names[disclosure.TOTAL] = LEGEND[lang]["total"]
            data.labels.setdefault(lang, {})[d] = names
    return data


def _number(value) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def shown(value: float | None, status: str) -> str:
    """A value as the outputs write it: the suppression symbol for a withheld cell."""
    return SYMBOL if value is None else f"{value:g}" if isinstance(value, float) else str(value)


# -- the page's cross table ---------------------------------------------------------------
@dataclass
class Grid:
    """Rows × columns for the HTML table: the last dimension across, the others down."""

    row_dims: list[str]
    column_dim: str
    row_labels: list[str]  # the row dimensions' names
    column_label: str
    columns: list[tuple[str, str]]  # (code, label)
    rows: list[tuple[list[str], list[tuple[str, str, bool]]]]  # labels, cells (text, status, total)


def grid(data: TableData, lang: str) -> Grid:
    dims = data.dims
    across = dims[-1]
    down = dims[:-1]
    lookup = data.lookup()
    columns = [(code, data.label(across, code, lang)) for code in data.axes[across]]
    rows = []
    for combo in product(*(data.axes[d] for d in down)):
        labels = [data.label(d, code, lang) for d, code in zip(down, combo, strict=True)]
        cells = []
        for code in data.axes[across]:
            value, status = lookup.get((*combo, code), (None, "missing"))
            total = code == disclosure.TOTAL or disclosure.TOTAL in combo
            cells.append((shown(value, status), status, total))
        rows.append((labels, cells))
    return Grid(
        down,
        across,
        [data.dim_label(d, lang) for d in down],
        data.dim_label(across, lang),
        columns,
        rows,
    )


# -- files ----------------------------------------------------------------------------------
def to_csv(data: TableData, lang: str = "en") -> bytes:
    """One row per cell: each dimension's code and label, the value (empty when withheld),
    the symbol and the status. Labels are neutralised against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    head = []
    for d in data.dims:
        head += [d, f"{d}_label"]
    writer.writerow([*head, "value", "symbol", "status"])
    for coords, value, status in data.cells:
        row = []
        for d in data.dims:
            row += [neutralise(coords[d]), neutralise(data.label(d, coords[d], lang))]
        symbol = SYMBOL if value is None else ""
        writer.writerow([*row, "" if value is None else value, symbol, status])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(data: TableData, lang: str = "en") -> bytes:
    """A formatted workbook: the cross table (symbols in withheld cells, totals in bold)
    and a notes sheet (release, version, method, legend, footnotes, correction note)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Tabel" if lang == "et" else "Table"
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDE5F0")
    sheet.append([data.title(lang)])
    sheet["A1"].font = Font(bold=True, size=13)
    g = grid(data, lang)
    header = [data.dim_label(d, lang) for d in g.row_dims] + [label for _, label in g.columns]
    if not g.row_dims:
        header = ["", *header]
    sheet.append([])
    sheet.append(header)
    for cell in sheet[3]:
        cell.font = bold
        cell.fill = head_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for labels, cells in g.rows:
        values = [
            text if status in ("primary", "secondary", "missing") else _number(float(text))
            for text, status, _ in cells
        ]
        sheet.append([*(labels or [data.measure.label(lang)]), *values])
        row = sheet.max_row
        first = len(labels or [0]) + 1
        for i, (_, _status, total) in enumerate(cells):
            target = sheet.cell(row=row, column=first + i)
            target.alignment = Alignment(horizontal="right")
            target.number_format = "#,##0"
            if total:
                target.font = bold
    sheet.freeze_panes = sheet.cell(row=4, column=max(len(g.row_dims), 1) + 1)
    for i in range(1, sheet.max_column + 1):
        sheet.column_dimensions[get_column_letter(i)].width = 18 if i <= len(g.row_dims) else 12
    notes = book.create_sheet("Märkused" if lang == "et" else "Notes")
    for key, text in notes_rows(data, lang):
        notes.append([key, text])
        notes.cell(row=notes.max_row, column=1).font = bold
        notes.cell(row=notes.max_row, column=2).alignment = Alignment(wrap_text=True)
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 100
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def notes_rows(data: TableData, lang: str) -> list[tuple[str, str]]:
    et = lang == "et"
    release = data.version.release
    legend = LEGEND[lang]
    rows = [
        ("Väljaanne" if et else "Release", release.title_et if et else release.title_en),
        ("Tabel" if et else "Table", data.title(lang)),
        ("Mõõt" if et else "Measure", data.measure.label(lang)),
        ("Määratlus" if et else "Definition", data.measure.description(lang)),
        ("Versioon" if et else "Version", str(data.version.number)),
        (
            "Avaldatud" if et else "Published",
            timezone.localtime(data.published_at()).strftime("%Y-%m-%d %H:%M"),
        ),
        ("Avalikustamiskontroll" if et else "Disclosure control", method_text(data.table, lang)),
        ("Sümbol" if et else "Symbol", legend["symbol"]),
    ]
    footnotes = data.table.footnotes_et if et else data.table.footnotes_en
    if footnotes:
        rows.append(("Märkused" if et else "Footnotes", footnotes))
    note = data.version.note_et if et else data.version.note_en
    if note:
        rows.append(("Parandus" if et else "Correction", note))
    return rows


def _px_text(text: str) -> str:
    """A PC-Axis string: no double quotes or semicolons inside, no line breaks."""
    return " ".join(str(text).replace('"', "'").replace(";", ",").split()) or "-"


def _px_list(items) -> str:
    return ",".join(f'"{_px_text(i)}"' for i in items)


def to_px(data: TableData) -> bytes:
    """The table as a PC-Axis file (2013) in Estonian and English: the last dimension as the
    heading, the others as the stub, `..` for a withheld cell shown as `x` (DATASYMBOL2)."""
    dims = data.dims
    stub, heading = dims[:-1], dims[-1:]
    if not stub:
        stub, heading = dims, []
    stamp = timezone.localtime(data.published_at()).strftime("%Y%m%d %H:%M")
    release = data.version.release
    lines = [
        'CHARSET="ANSI";',
        'AXIS-VERSION="2013";',
        'CODEPAGE="utf-8";',
        'LANGUAGE="et";',
        'LANGUAGES="et","en";',
        f'CREATION-DATE="{stamp}";',
        "DECIMALS=0;",
        "SHOWDECIMALS=0;",
        f'MATRIX="{_px_text(release.code + "_" + data.table.code)[:20]}";',
        'SUBJECT-CODE="VS";',
    ]

    def both(keyword: str, et: str, en: str, suffix: str = "", en_suffix: str = "") -> None:
        lines.append(f'{keyword}{suffix}="{_px_text(et)}";')
        lines.append(f'{keyword}[en]{en_suffix or suffix}="{_px_text(en)}";')

    both("SUBJECT-AREA", "Ohvriabi", "Victim support")
    both("TITLE", data.title("et"), data.title("en"))
    both("CONTENTS", data.measure.label("et"), data.measure.label("en"))
    both("UNITS", "arv", "number")
    lines.append(f"STUB={_px_list(data.dim_label(d, 'et') for d in stub)};")
    lines.append(f"STUB[en]={_px_list(data.dim_label(d, 'en') for d in stub)};")
    if heading:
        lines.append(f"HEADING={_px_list(data.dim_label(d, 'et') for d in heading)};")
        lines.append(f"HEADING[en]={_px_list(data.dim_label(d, 'en') for d in heading)};")
    for d in dims:
        et_name, en_name = _px_text(data.dim_label(d, "et")), _px_text(data.dim_label(d, "en"))
        lines.append(
            f'VALUES("{et_name}")={_px_list(data.label(d, c, "et") for c in data.axes[d])};'
        )
        lines.append(
            f'VALUES[en]("{en_name}")={_px_list(data.label(d, c, "en") for c in data.axes[d])};'
        )
    for d in dims:
        et_name, en_name = _px_text(data.dim_label(d, "et")), _px_text(data.dim_label(d, "en"))
        lines.append(f'CODES("{et_name}")={_px_list(data.axes[d])};')
        lines.append(f'CODES[en]("{en_name}")={_px_list(data.axes[d])};')
    lines.append(f'LAST-UPDATED="{stamp}";')
    both("SOURCE", "Seire", "Seire")
    both("NOTE", method_text(data.table, "et"), method_text(data.table, "en"))
    both("DATASYMBOL2", SYMBOL, SYMBOL)
    lookup = data.lookup()
    lines.append("DATA=")
    width = len(data.axes[heading[0]]) if heading else 1
    row = []
    for combo in product(*(data.axes[d] for d in dims)):
        value, _ = lookup.get(combo, (None, "missing"))
        row.append(
            '".."' if value is None else f"{value:g}" if isinstance(value, float) else str(value)
        )
        if len(row) == width:
            lines.append(" ".join(row))
            row = []
    if row:
        lines.append(" ".join(row))
    lines.append(";")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def to_json(data: TableData, lang: str = "en") -> dict:
    """The table for the API: dimensions with their categories, and the cells (value null
    and `suppressed` true for a withheld cell)."""
    return {
        "code": data.table.code,
        "title": {"et": data.title("et"), "en": data.title("en")},
        "measure": {
            "code": data.measure.name,
            "label": {"et": data.measure.label("et"), "en": data.measure.label("en")},
        },
        "version": data.version.number,
        "published_at": data.published_at(),
        "method": data.table.method,
        "symbol": SYMBOL,
        "dimensions": [
            {
                "code": d,
                "label": {"et": data.dim_label(d, "et"), "en": data.dim_label(d, "en")},
                "categories": [
                    {
                        "code": c,
                        "label": {"et": data.label(d, c, "et"), "en": data.label(d, c, "en")},
                    }
                    for c in data.axes[d]
                ],
            }
            for d in data.dims
        ],
        "cells": [
            {"coordinates": coords, "value": value, "status": status, "suppressed": value is None}
            for coords, value, status in data.cells
        ],
    }


#: format → (content type, file extension, writer(data) → bytes)
FORMATS: dict[str, tuple[str, str, Callable[[TableData], bytes]]] = {
    "csv": ("text/csv; charset=utf-8", "csv", lambda d: to_csv(d, "en")),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
        lambda d: to_xlsx(d, "en"),
    ),
    "px": ("text/plain; charset=utf-8", "px", to_px),
}
