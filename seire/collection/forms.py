"""The data-entry grid and the small forms of the collection pages.

The grid is one table per block of elements sharing a disaggregation: rows are elements,
columns the block's option combos. Every input is named after its cell (`v-<element id>-
<combo id>`) and carries the version the user saw in `ver-<…>`, so a save can tell a
concurrent edit from a change. `changed_cells` turns a posted grid into the `Cell`s that
differ from what is stored; unchanged cells are never sent to `save_values`, so a stale
page only conflicts where the user actually typed something.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from seire import periods
from seire.collection.models import DataElement, Dataset, DataValue, OptionCombo
from seire.collection.services import Cell, DatasetIndex, parse_value
from seire.collection.validation import RuleResult
from seire.organisation.models import OrgUnit, Service

TOTAL = "total"


def cell_key(element_id: int, combo_id: int) -> str:
    return f"{element_id}-{combo_id}"


def display(value: DataValue | None) -> str:
    """What an input shows for a stored value: "" for none, "-" for not applicable."""
    if value is None:
        return ""
    if value.status == DataValue.Status.NOT_APPLICABLE:
        return "-"
    return format(value.value.normalize(), "f")


def _same(raw: str, value: DataValue | None, value_type: str) -> bool:
    """True when `raw` means what is stored (so saving it would change nothing)."""
    try:
        status, number = parse_value(raw, value_type)
    except ValueError:
        return False
    if value is None:
        return status == "blank"
    return status == value.status and number == value.value


def posted_version(text: str | None) -> int:
    """The posted version; -1 (always stale) when it is missing or garbled."""
    try:
        return int(text or "")
    except ValueError:
        return -1


@dataclass
class GridCell:
    element: DataElement
    combo: OptionCombo
    raw: str
    version: int
    error: str = ""
    saved: bool = False
    comments: int = 0

    @property
    def key(self) -> str:
        return cell_key(self.element.pk, self.combo.pk)


@dataclass
class GridRow:
    element: DataElement
    cells: list[GridCell]
    checks: list[RuleResult] = field(default_factory=list)
    sum: Decimal | None = None  # Σ of the breakdown columns, when the row also has a total
    total: Decimal | None = None

    @property
    def breakdown(self) -> list[GridCell]:
        return [c for c in self.cells if c.combo.code != TOTAL]

    @property
    def total_cell(self) -> GridCell | None:
        return next((c for c in self.cells if c.combo.code == TOTAL), None)

    @property
    def mismatch(self) -> bool:
        return self.sum is not None and self.total is not None and self.sum != self.total

    @property
    def sum_text(self) -> str:
        return "" if self.sum is None else format(self.sum.normalize(), "f")


@dataclass
class GridBlock:
    combos: list[OptionCombo]
    rows: list[GridRow]

    @property
    def breakdown(self) -> list[OptionCombo]:
        return [c for c in self.combos if c.code != TOTAL]

    @property
    def has_sum(self) -> bool:
        """A Σ column is shown where a row has both breakdown columns and an entered total."""
        return bool(self.breakdown) and len(self.breakdown) < len(self.combos)

    @property
    def disaggregation(self):
        return self.rows[0].element.disaggregation


def stored_values(dataset: Dataset, unit: OrgUnit, period: str) -> dict[tuple[int, int], DataValue]:
    rows = DataValue.objects.filter(element__dataset=dataset, unit=unit, period=period)
    return {(v.element_id, v.combo_id): v for v in rows}


def build_grid(
    index: DatasetIndex,
    stored: dict[tuple[int, int], DataValue],
    results: list[RuleResult],
    *,
    raw: dict[str, str] | None = None,
    versions: dict[str, int] | None = None,
    errors: dict[str, str] | None = None,
    saved: set[str] = frozenset(),
    comments: dict[str, int] | None = None,
) -> list[GridBlock]:
    """The blocks of the page. `raw`, `versions` and `errors` (by cell key) override what is
    stored, to show a refused form back to the user as typed."""
    raw, versions, errors, comments = raw or {}, versions or {}, errors or {}, comments or {}
    checks: dict[str, list[RuleResult]] = {}
    for result in results:
        if not result.passed:
            for code in sorted(result.elements):
                checks.setdefault(code, []).append(result)
    blocks: list[GridBlock] = []
    for element in index.elements.values():
        combos = index.combos_of(element)
        cells = []
        for combo in combos:
            key = cell_key(element.pk, combo.pk)
            value = stored.get((element.pk, combo.pk))
            cells.append(
                GridCell(
                    element,
                    combo,
                    raw.get(key, display(value)),
                    versions.get(key, value.version if value else 0),
                    errors.get(key, ""),
                    key in saved,
                    comments.get(key, 0),
                )
            )
        row = GridRow(element, cells, checks.get(element.code, []))
        if any(c.code == TOTAL for c in combos) and len(combos) > 1:
            parts = [stored.get((element.pk, c.pk)) for c in combos if c.code != TOTAL]
            numbers = [p.value for p in parts if p is not None and p.value is not None]
            row.sum = sum(numbers, Decimal(0)) if numbers else None
            total = stored.get((element.pk, row.total_cell.combo.pk))
            row.total = total.value if total is not None else None
        if blocks and blocks[-1].rows[-1].element.disaggregation_id == element.disaggregation_id:
            blocks[-1].rows.append(row)
        else:
            blocks.append(GridBlock(combos, [row]))
    return blocks


def changed_cells(
    index: DatasetIndex,
    stored: dict[tuple[int, int], DataValue],
    data,
    unit: OrgUnit,
    period: str,
    only: str | None = None,
) -> tuple[list[Cell], dict[str, str], dict[str, int]]:
    """The posted cells whose value differs from what is stored, as `Cell`s (with `where`
    the cell key), plus everything posted (raw values and versions by key) to re-show the
    form. `only` limits the look to one cell key (the htmx save of one cell)."""
    cells, raw, versions = [], {}, {}
    for element in index.elements.values():
        for combo in index.combos_of(element):
            key = cell_key(element.pk, combo.pk)
            if (only and key != only) or f"v-{key}" not in data:
                continue
            raw[key] = str(data[f"v-{key}"]).strip()
            versions[key] = posted_version(data.get(f"ver-{key}"))
            if _same(raw[key], stored.get((element.pk, combo.pk)), element.value_type):
                continue
            cells.append(
                Cell(element.code, combo.code, unit.code, period, raw[key], versions[key], key)
            )
    return cells, raw, versions


def posted_key(data) -> str | None:
    """The one cell key an htmx save posts (`v-<element>-<combo>`), or None."""
    keys = [name.removeprefix("v-") for name in data if name.startswith("v-")]
    return keys[0] if len(keys) == 1 else None


class CommentForm(forms.Form):
    cell = forms.ChoiceField(label=_("Value"))
    text = forms.CharField(
        label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, index: DatasetIndex, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.index = index
        choices = []
        for element in index.elements.values():
            group = [
                (cell_key(element.pk, combo.pk), localised(combo, language))
                for combo in index.combos_of(element)
            ]
            choices.append((localised(element, language), group))
        self.fields["cell"].choices = choices

    def element_and_combo(self) -> tuple[DataElement, OptionCombo]:
        element_id, combo_id = (int(part) for part in self.cleaned_data["cell"].split("-"))
        element = next(e for e in self.index.elements.values() if e.pk == element_id)
        combo = next(c for c in self.index.combos_of(element) if c.pk == combo_id)
        return element, combo


def localised(obj, language: str, attribute: str = "name") -> str:
    """`obj.name_et` in Estonian, else `obj.name_en` (definitions are written in et and en)."""
    suffix = "et" if (language or "et").startswith("et") else "en"
    return getattr(obj, f"{attribute}_{suffix}") or getattr(obj, f"{attribute}_et", "")


MAX_BOARD_PERIODS = 24


class BoardForm(forms.Form):
    """The status board's choices: which table, which units, which periods (GET)."""

    dataset = forms.ModelChoiceField(
        label=_("Statistics table"),
        queryset=Dataset.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=None,
    )
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All services"),
    )
    region = forms.ModelChoiceField(
        label=_("Region or county"),
        queryset=OrgUnit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Everywhere"),
    )
    start = forms.CharField(label=_("From period"), required=False, max_length=7)
    end = forms.CharField(label=_("To period"), required=False, max_length=7)

    def __init__(self, *args, datasets, services, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets
        self.fields["service"].queryset = services
        self.fields["region"].queryset = regions
        for name in ("start", "end"):
            self.fields[name].widget.attrs.update(
                {"placeholder": "2026M03", "size": 8, "autocomplete": "off"}
            )

    def clean(self):
        data = super().clean()
        for name in ("start", "end"):
            if data.get(name):
                try:
                    data[name] = periods.parse(data[name])
                except periods.PeriodError as error:
                    self.add_error(name, str(error))
        return data

    def chosen_periods(self, dataset: Dataset, today) -> list[str]:
        """The periods to show: the range asked for (of the table's period type, at most
        MAX_BOARD_PERIODS), else the last six that have ended."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        last_ended = periods.period_of(today, dataset.period_type).previous()
        start, end = data.get("start"), data.get("end")
        end = end if end and end.kind == dataset.period_type else last_ended
        if not (start and start.kind == dataset.period_type and start <= end):
            start = end
            for _step in range(5):
                start = start.previous()
        codes = [str(p) for p in periods.period_range(start, end)]
        return codes[-MAX_BOARD_PERIODS:]
