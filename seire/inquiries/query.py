"""The query builder's core: a form for a cube, the table it gives under the disclosure
settings of the requester type, and that table as CSV and XLSX.

Answers are built from the same cubes as releases (`seire.publishing.cubes`) and pass the
same disclosure control (`protected_cube` → `seire.disclosure.protect`). An external
requester's table is always protected; an internal requester's may be shown unprotected,
and only the analyst can ask for that (the views record each such look). A suppressed
cell is written as `SUPPRESSED` and never carries its value, in the page or in a file; a
file does not tell a primary from a secondary suppression either.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from seire import periods
from seire.collection.csv_format import neutralise
from seire.inquiries.models import RequesterType

SUPPRESSED = ".."  # Statistics Estonia's mark for a value not published (confidential)
FILTER_DIMS = ("county", "region", "service", "crime_type", "gender", "age_group")


@dataclass(frozen=True)
class DisclosureSettings:
    threshold: int  # a count below this (and above zero) is a primary suppression
    may_unprotect: bool  # the analyst may show this requester type true small counts


# The settings of each requester type: the release threshold for everyone; only internal
# requesters may be given unprotected counts.
SETTINGS = {t: DisclosureSettings(5, t == RequesterType.INTERNAL) for t in RequesterType.values}


def cubes():
    from seire.publishing import cubes

    return cubes


def measure_choices() -> list[tuple[str, str]]:
    lang = get_language() or "et"
    c = cubes()
    found = [(m.name, m.label(lang)) for m in c.MEASURES.values()]
    found += [(m.name, m.label(lang)) for m in c.values_measures()]
    return found


class QueryForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"))
    dims = forms.MultipleChoiceField(
        label=_("Break down by (up to four)"), widget=forms.CheckboxSelectMultiple
    )
    period_from = forms.CharField(
        label=_("From period"), max_length=7, help_text=_("e.g. 2025M01, 2025Q1 or 2025")
    )
    period_to = forms.CharField(label=_("To period"), max_length=7)
    granularity = forms.ChoiceField(
        label=_("Periods by"),
        choices=[("month", _("month")), ("quarter", _("quarter")), ("year", _("year"))],
        initial="year",
    )
    unprotected = forms.BooleanField(
        label=_("Show true counts (no disclosure control; internal requesters only)"),
        required=False,
    )

    def __init__(self, *args, requester_type: str, **kwargs):
        super().__init__(*args, **kwargs)
        lang = get_language() or "et"
        c = cubes()
        self.settings = SETTINGS[requester_type]
        self.fields["measure"].choices = measure_choices()
        self.fields["dims"].choices = [
            (d.name, d.label(lang).capitalize()) for d in c.DIMENSIONS.values()
        ]
        for dim in FILTER_DIMS:
            self.fields[f"filter_{dim}"] = forms.MultipleChoiceField(
                label=c.DIMENSIONS[dim].label(lang).capitalize(),
                required=False,
                choices=[(cat.code, cat.label(lang)) for cat in c.categories(dim)],
                widget=forms.SelectMultiple(attrs={"size": 4}),
                help_text=_("None chosen: all."),
            )
        if not self.settings.may_unprotect:
            del self.fields["unprotected"]

    def filter_fields(self):
        return [self[f"filter_{dim}"] for dim in FILTER_DIMS]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["spec"] = self.spec_from(data)
            data["spec"].check()
        except cubes().CubeError as exc:
            for problem in exc.problems:
                name, _sep, text = problem.partition(": ")
                field = name if name in self.fields and text else None
                self.add_error(field, text if field else problem)
        return data

    @staticmethod
    def spec_from(data: dict):
        filters = {dim: data[f"filter_{dim}"] for dim in FILTER_DIMS if data.get(f"filter_{dim}")}
        return cubes().CubeSpec(
            measure=data["measure"],
            dims=tuple(data["dims"]),
            filters=filters,
            period_from=data["period_from"].strip().upper(),
            period_to=data["period_to"].strip().upper(),
            granularity=data["granularity"],
        )

    @property
    def protected(self) -> bool:
        return not (self.settings.may_unprotect and self.cleaned_data.get("unprotected"))


def initial_from(stored: dict | None, today: date) -> dict:
    """The form's initial data: the stored query, else last year's episodes by county."""
    if stored and isinstance(stored.get("cube"), dict):
        cube = stored["cube"]
        initial = {k: cube.get(k) for k in ("measure", "dims", "period_from", "period_to",
                                            "granularity")}  # fmt: skip
        for dim, codes in (cube.get("filters") or {}).items():
            initial[f"filter_{dim}"] = codes
        initial["unprotected"] = not stored.get("protected", True)
        return initial
    year = str(today.year - 1)
    return {"measure": "episodes", "dims": ["county"], "period_from": year, "period_to": year,
            "granularity": "year"}  # fmt: skip


# -- the table ------------------------------------------------------------------------------
@dataclass
class Table:
    """A cube ready to show or write: `frame` has the dims, `value` (None when suppressed)
    and `status`; `protected` says whether disclosure control was applied."""

    spec: object
    frame: pd.DataFrame
    protected: bool
    threshold: int
    measure_label: str

    @property
    def dims(self) -> list[str]:
        return list(self.spec.dims)

    def suppressed(self) -> int:
        return int((self.frame["status"] != "published").sum()) if self.protected else 0

    def stored_spec(self) -> dict:
        return {"cube": self.spec.to_dict(), "protected": self.protected,
                "threshold": self.threshold}  # fmt: skip


def run(spec, *, protected: bool, threshold: int) -> Table:
    """The cube of `spec` with every total; suppressed values blanked when `protected`."""
    c = cubes()
    frame = c.protected_cube(spec, threshold=threshold).reset_index(drop=True)
    frame = frame[[*spec.dims, "value", "status"]].copy()
    values = frame["value"].astype(object)
    if protected:
        values = values.where(frame["status"] == "published", None)
    frame["value"] = pd.Series(
        [None if v is None or pd.isna(v) else _number(v) for v in values],
        index=frame.index,
        dtype=object,
    )
    lang = get_language() or "et"
    measure = c.measure_for(spec.measure)
    return Table(spec, frame, protected, threshold, measure.label(lang))


def _number(value):
    number = float(value)
    return int(number) if number.is_integer() else round(number, 2)


def labels(table: Table, lang: str) -> dict[str, dict[str, str]]:
    """Dimension → {code: label}, looked up once per dimension."""
    c = cubes()
    measure = c.measure_for(table.spec.measure)
    found = {}
    for dim in table.dims:
        codes = set(table.frame[dim])
        if dim == "period":
            language = lang[:2] if lang[:2] in periods.LANGUAGES else "en"
            found[dim] = {p: periods.parse(p).label(language) for p in codes if p != "TOTAL"}
        else:
            found[dim] = {cat.code: cat.label(lang) for cat in c.categories(dim, measure)}
        found[dim]["TOTAL"] = c.category_label(dim, "TOTAL", lang)
    return found


def grid(table: Table, lang: str) -> dict:
    """The table as a grid for the page: the last dimension across, the others down."""
    names = labels(table, lang)
    dims = table.dims
    across = dims[-1] if len(dims) > 1 else None
    down = dims[:-1] if across else dims
    columns = list(dict.fromkeys(table.frame[across])) if across else [None]
    cells = {}
    for row in table.frame.itertuples(index=False):
        record = row._asdict()
        key = tuple(record[d] for d in down)
        cells[(key, record[across] if across else None)] = record
    rows = []
    for key in dict.fromkeys(tuple(r[d] for d in down) for r in table.frame.to_dict("records")):
        out = []
        for column in columns:
            record = cells.get((key, column))
            out.append(
                {
                    "value": None if record is None else record["value"],
                    "total": "TOTAL" in key or column == "TOTAL",
                }
            )
        rows.append(
            {
                "labels": [names[d].get(code, code) for d, code in zip(down, key, strict=True)],
                "total": "TOTAL" in key,
                "cells": out,
            }
        )
    return {
        "down": [cubes().DIMENSIONS[d].label(lang) for d in down],
        "across": cubes().DIMENSIONS[across].label(lang) if across else None,
        "columns": [names[across].get(c, c) for c in columns] if across else [table.measure_label],
        "rows": rows,
    }


# -- files ----------------------------------------------------------------------------------
def _header(table: Table, lang: str) -> list[str]:
    c = cubes()
    heads = []
    for dim in table.dims:
        label = c.DIMENSIONS[dim].label(lang)
        heads += [dim, label]
    return [*heads, "value", "flag"]


def _records(table: Table, lang: str):
    names = labels(table, lang)
    for record in table.frame.to_dict("records"):
        row = []
        for dim in table.dims:
            code = str(record[dim])
            row += [code, names[dim].get(code, code)]
        value = record["value"]
        flag = "" if value is not None else "confidential"
        yield row, value, flag


def to_csv(table: Table, lang: str) -> bytes:
    """UTF-8 CSV with a byte-order mark: a code and a label column per dimension, `value`
    (blank when suppressed) and `flag`; text cells neutralised against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(_header(table, lang))
    for row, value, flag in _records(table, lang):
        writer.writerow([*(neutralise(x) for x in row), "" if value is None else value, flag])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(table: Table, lang: str, title: str) -> bytes:
    """The same table as an Excel workbook, with a second sheet saying what it is."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "table"
    sheet.append(_header(table, lang))
    for row, value, flag in _records(table, lang):
        sheet.append([*(neutralise(x) for x in row), value, flag])
    about = workbook.create_sheet("about")
    spec = table.spec
    notes = [
        ("title", title),
        ("measure", f"{spec.measure}: {table.measure_label}"),
        ("periods", f"{spec.period_from}–{spec.period_to} ({spec.granularity})"),
        ("filters", "; ".join(f"{d}={','.join(v)}" for d, v in spec.filters) or "—"),
        (
            "disclosure control",
            f"cells below {table.threshold} suppressed (flag: confidential)"
            if table.protected
            else "none (internal use only)",
        ),
    ]
    for key, text in notes:
        about.append([key, neutralise(str(text))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def render_file(table: Table, kind: str, lang: str, title: str) -> bytes:
    return to_csv(table, lang) if kind == "csv" else to_xlsx(table, lang, title)
