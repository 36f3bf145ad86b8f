"""Checking a batch before anything is written: every cell, report by report.

`parse_value` reads one typed value (a number, "na" or a blank) or says what is wrong with
it; `check_period` does the same for a period code; `DatasetIndex` holds a dataset's
elements and columns by code. `check_reports` checks a whole batch (`batch.Report`s): each
layout's columns once (`CheckedLayout`), each report's unit, period, access and provision
once, a report of whole numbers in range as a whole (`plain_numbers`) and any other cell by
cell, and a cell given twice. It gives a `CheckedReport` per report, or raises `Refused`
with every problem in the order of the batch.
"""

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from operator import le
from typing import NamedTuple

from django.utils import timezone
from django.utils.translation import gettext as _

from seire import periods
from seire.collection.batch import NA, Layout, Problem, Refused, Report
from seire.collection.models import DataElement, Dataset, OptionCombo
from seire.organisation.models import OrgUnit, Provider

NOT_APPLICABLE = {"na", "n/a", "-", "ei kohaldu"}
STORED_DECIMALS = Decimal("0.0001")  # DataValue.value: 14 digits, 4 of them decimals
TOO_LARGE = Decimal("1e10")
LARGEST = 10**10 - 1  # the largest whole number a value may be (see parse_value)


def parse_value(raw: object, value_type: str) -> tuple[str, Decimal | None]:
    """("value", number), ("na", None) or ("blank", None); ValueError with the reason.

    A number is rounded to the 4 decimals a value is stored with, so that what is compared
    with the stored value (is this a change?) is what would be stored."""
    if raw is None:
        return "blank", None
    if isinstance(raw, bool):
        raise ValueError(_("expected a number, not TRUE/FALSE"))
    if isinstance(raw, int | float | Decimal):
        number = Decimal(str(raw))
    else:
        text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return "blank", None
        if text.lower() in NOT_APPLICABLE:
            return "na", None
        if text.startswith("="):
            raise ValueError(_("a formula where a value is expected: enter the number itself"))
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_("expected a number, got “%(text)s”") % {"text": text[:30]}) from None
    if not number.is_finite():
        raise ValueError(_("expected a number"))
    if number < 0:
        raise ValueError(_("negative value %(n)s: counts cannot be below zero") % {"n": number})
    whole = number == number.to_integral_value()
    if value_type == DataElement.ValueType.COUNT and not whole:
        raise ValueError(_("expected a whole number, got %(n)s") % {"n": number})
    if value_type == DataElement.ValueType.PERCENT and number > 100:
        raise ValueError(_("a percentage cannot exceed 100, got %(n)s") % {"n": number})
    if not whole and number < TOO_LARGE:
        number = number.quantize(STORED_DECIMALS)
    if number >= TOO_LARGE:  # (compared without abs(), which overflows on 1e999999999)
        raise ValueError(_("the number %(n)s is too large") % {"n": number})
    return "value", number.copy_abs()  # never -0


def largest(element: DataElement) -> int:
    """The largest whole number `parse_value` takes for `element`: 100 for a percentage."""
    return 100 if element.value_type == DataElement.ValueType.PERCENT else LARGEST


def plain_numbers(raws: list, tops: list | int) -> list | None:
    """The numbers of a report whose every cell is a whole number within its column's range
    (what `parse_value` would take as it is), checked as a whole; None for any other.
    `tops`: the largest number of each column, or one for all."""
    if not raws:
        return None
    kinds = set(map(type, raws))
    if kinds == {float}:
        if not all(map(float.is_integer, raws)):
            return None
    elif kinds != {int}:
        return None
    if min(raws) < 0:
        return None
    if not (max(raws) <= tops if isinstance(tops, int) else all(map(le, raws, tops))):
        return None
    return raws if kinds == {int} else list(map(int, raws))


class DatasetIndex:
    """The dataset's elements and combos by code, loaded once per batch."""

    def __init__(self, dataset: Dataset):
        self.dataset = dataset
        self.elements = {e.code: e for e in dataset.elements.select_related("disaggregation")}
        combos = OptionCombo.objects.filter(
            disaggregation__in={e.disaggregation_id for e in self.elements.values()}
        ).prefetch_related("options")
        self.combos: dict[tuple[int, str], OptionCombo] = {
            (c.disaggregation_id, c.code): c for c in combos
        }

    def combos_of(self, element: DataElement) -> list[OptionCombo]:
        return sorted(
            (c for (d, __), c in self.combos.items() if d == element.disaggregation_id),
            key=lambda c: c.sort,
        )


def check_period(dataset: Dataset, text: str, today: date | None = None) -> str:
    """The canonical period code; ValueError unless it is of the dataset's type and over."""
    try:
        period = periods.parse(text)
    except periods.PeriodError as error:
        raise ValueError(str(error)) from None
    if period.kind != dataset.period_type:
        raise ValueError(
            _("%(p)s is not a %(type)s period")
            % {"p": period, "type": dataset.get_period_type_display()}
        )
    if period.start > (today or timezone.localdate()):
        raise ValueError(_("%(p)s has not started yet") % {"p": period})
    return str(period)


def providers_by_unit(dataset: Dataset, unit_codes) -> dict[str, list[Provider]]:
    rows = Provider.objects.filter(service=dataset.service, unit__code__in=unit_codes)
    result: dict[str, list[Provider]] = defaultdict(list)
    for provider in rows.select_related("unit"):
        result[provider.unit.code].append(provider)
    return result


class CheckedLayout:
    """A layout's cells checked against the dataset: per cell its element, ids, label and
    the largest number taken as it is; `refusals[i]` says why a cell cannot be saved."""

    def __init__(self, index: DatasetIndex, layout: Layout):
        checked = [_check_column(index, e, c) for e, c in layout.cells]
        self.layout = layout
        self.elements = [c[0] for c in checked]
        self.refusals = [c[2] for c in checked]
        self.labels = [c[3] for c in checked]
        self.keys = [(c[4], c[5]) for c in checked]  # (element id, combo id)
        self.element_ids = [c[4] for c in checked]
        self.combo_ids = [c[5] for c in checked]
        self.tops = [largest(e) if e else 0 for e in self.elements]
        self.clean = all(r is None for r in self.refusals) and len(set(self.keys)) == len(self.keys)
        self.position = {key: i for i, key in reversed(list(enumerate(self.keys)))}
        self.top = min(self.tops, default=0)
        self.same_top = len(set(self.tops)) == 1


class CheckedReport(NamedTuple):
    """A report that passed the checks, with its parsed values, ready to be written."""

    report: Report
    columns: CheckedLayout
    unit: OrgUnit
    period: str
    unit_id: int
    values: list  # per cell: None (blank), NA or the number
    plain: bool  # every cell a whole number (see plain_numbers)


def check_reports(
    dataset: Dataset, reports: list[Report], scope, index: DatasetIndex, today: date | None
) -> list[CheckedReport]:
    """Every cell of `reports` checked for a user of `scope`; raises `Refused` listing every
    problem, in the order of the batch.

    An import of a national year is ~30,000 cells of a few hundred reports sharing one
    layout: each column is checked once per layout, each report's period, access and
    provision once, and a report of plain numbers (the usual one) as a whole; only the
    cells of other reports are parsed one by one (each distinct value once)."""
    today = today or timezone.localdate()
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.unit for r in reports})}
    provisions = providers_by_unit(dataset, units)
    problems: list[tuple[tuple[int, int], Problem]] = []
    layouts: dict[int, CheckedLayout] = {}
    checked: dict[tuple, tuple] = {}  # (unit, period as given) → _check_report
    spans: dict[str, tuple] = {}  # period as given → _span
    numbers: dict[tuple, tuple[str, Decimal | None]] = {}
    given: dict[tuple, object] = {}  # (unit id, period) → its cells given so far (see _seen)
    parsed: list[CheckedReport] = []
    for number, report in enumerate(reports):
        columns = layouts.get(id(report.layout))
        if columns is None:
            columns = layouts[id(report.layout)] = CheckedLayout(index, report.layout)
        check = checked.get((report.unit, report.period))
        if check is None:
            text = str(report.period)
            span = spans.get(text) or spans.setdefault(text, _span(dataset, text, today))
            check = checked[(report.unit, report.period)] = _check_report(
                dataset, units.get(report.unit), report.unit, span, scope, provisions
            )
        unit, period, refusal, unit_id = check
        key = (unit_id, period)
        values = None
        if refusal is None and columns.clean and key not in given:
            values = plain_numbers(report.raws, columns.top if columns.same_top else columns.tops)
        plain = values is not None
        if plain:
            given[key] = (report, columns)
        else:
            values = _check_cells(report, columns, refusal, key, numbers, given, problems, number)
        if values is not None and not problems:
            parsed.append(CheckedReport(report, columns, unit, period, unit_id, values, plain))
    if problems:
        problems.sort(key=lambda item: item[0])
        raise Refused([p for __, p in problems])
    return parsed


def _check_cells(report, columns, refusal, key, numbers, given, problems, number) -> list | None:
    """A report's cells one by one: the parsed values, or None when the batch has problems
    (this report's are added, each with its place in the batch). Also refuses a cell given
    twice in the batch."""
    values = []
    seen = _seen(given, key) if refusal is None else {}
    for i, raw in enumerate(report.raws):
        where = report.locate(i)
        order = (report.positions[i], 0) if report.positions else (number, i)
        why = columns.refusals[i] or refusal
        if why is None:
            try:
                status, value = _parse_once(raw, columns.elements[i].value_type, numbers)
            except ValueError as error:
                why = str(error)
            else:
                first = seen.get(columns.keys[i], seen)
                if first is not seen:
                    why = _("the same cell is given twice; the first is at %(w)s") % {
                        "w": first or "?"
                    }
                else:
                    seen[columns.keys[i]] = where
                    values.append(None if status == "blank" else NA if status == "na" else value)
                    continue
        problems.append((order, Problem(where, why)))
        values.append(None)
    return None if problems else values


def _seen(given: dict, key) -> dict:
    """{(element id, combo id): where} of the cells given so far for the report `key` (kept
    in `given`, which holds a plain report's (report, columns) until another comes)."""
    earlier = given.get(key)
    if isinstance(earlier, dict):
        return earlier
    seen: dict = {}
    if earlier is not None:
        report, columns = earlier
        seen = {k: report.locate(i) for i, k in reversed(list(enumerate(columns.keys)))}
    given[key] = seen
    return seen


def _check_column(index: DatasetIndex, element_code: str, combo_code: str) -> tuple:
    """(element, combo, None, "ELEMENT/combo", element id, combo id), or (None, None, why
    not, "", None, None) for an unknown element or column."""
    element = index.elements.get(element_code)
    if element is None:
        why = _("unknown data element “%(c)s” in %(d)s")
        return None, None, why % {"c": element_code, "d": index.dataset.code}, "", None, None
    combo = index.combos.get((element.disaggregation_id, combo_code))
    if combo is None:
        why = _("unknown column “%(c)s” for %(e)s")
        return None, None, why % {"c": combo_code, "e": element_code}, "", None, None
    return element, combo, None, f"{element.code}/{combo.code}", element.pk, combo.pk


def _check_report(dataset, unit, unit_code, span: tuple, scope, provisions) -> tuple:
    """(unit, canonical period, None, unit id) when the user may enter `unit`'s report for
    the period `span` (see `_span`); (None, None, why not, None) otherwise."""
    if unit is None:
        return None, None, _("unknown unit “%(u)s”") % {"u": unit_code}, None
    period, start, end, why = span
    if why is not None:
        return None, None, why, None
    if not scope.can_edit_unit(unit, dataset.service):
        return None, None, _("you may not enter data for %(u)s") % {"u": unit.code}, None
    if not any(
        p.start <= end and (p.end is None or p.end >= start) for p in provisions.get(unit.code, [])
    ):
        why = _("%(u)s does not provide %(s)s in %(p)s")
        return None, None, why % {"u": unit.code, "s": dataset.service.code, "p": period}, None
    return unit, period, None, unit.pk


def _span(dataset: Dataset, text: str, today: date) -> tuple:
    """(canonical period, first day, last day, None) of a period the dataset takes, or
    (None, None, None, why not)."""
    try:
        period = check_period(dataset, text, today)
    except ValueError as error:
        return None, None, None, str(error)
    parsed = periods.parse(period)
    return period, parsed.start, parsed.end, None


def _parse_once(raw, value_type: str, seen: dict) -> tuple[str, Decimal | None]:
    """`parse_value`, remembered in `seen` for values met before in the batch."""
    key = (raw.__class__, raw, value_type)
    try:
        return seen[key]
    except KeyError:
        seen[key] = parse_value(raw, value_type)
        return seen[key]
    except TypeError:  # not hashable
        return parse_value(raw, value_type)
