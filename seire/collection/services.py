"""Saving values and moving submissions: the workflow every channel (web grid, Excel, CSV,
API) goes through, so each gets the same checks and the same audit trail.

`save_values` is all-or-nothing: every cell is checked first and any problem refuses the
whole batch with a list of located `Problem`s; only a clean batch is written, in one
transaction, with one audit event per unit and period listing each change old → new, and
`signals.data_changed` sent so that the metrics reading the table are recomputed once the
transaction commits.

`save_reports` is the same for cells given report by report (`Report`: a unit × period's
cells in a `Layout` that many reports share, as a workbook's sheets do), which is how a
national year (~30,000 cells) is checked and written quickly: each column checked once,
a report of whole numbers as a whole, the rows and audit events written in bulk.
`save_values` groups its cells into reports.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from itertools import repeat
from operator import add, le
from typing import NamedTuple

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seire import periods
from seire.access.models import AuditEvent
from seire.access.roles import scope_for
from seire.collection.models import (
    DataElement,
    Dataset,
    DataValue,
    OptionCombo,
    Submission,
)
from seire.collection.signals import data_changed
from seire.organisation.models import OrgUnit, Provider

NOT_APPLICABLE = {"na", "n/a", "-", "ei kohaldu"}
LOCKED_STATUSES = {Submission.Status.SUBMITTED, Submission.Status.APPROVED}
STORED_DECIMALS = Decimal("0.0001")  # DataValue.value: 14 digits, 4 of them decimals
TOO_LARGE = Decimal("1e10")


@dataclass(frozen=True)
class Problem:
    """One reason a batch was refused: where (sheet and cell, row, field) and what."""

    where: str
    message: str
    code: str = ""  # "conflict" for a concurrent edit (the API answers 409 when all are)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class Refused(Exception):
    """A batch that was not written; `problems` says every reason found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:10]))


class Cell(NamedTuple):
    """One value to save. `raw` is what the user typed: "" clears the cell, "na" marks it not
    applicable. `version` is the version the user saw (None: don't check, e.g. imports).
    (A named tuple: an import makes tens of thousands of them.)"""

    element: str
    combo: str
    unit: str
    period: str
    raw: object
    version: int | None = None
    where: str = ""


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    cleared: int = 0
    unchanged: int = 0
    # Each report written: (its parsed cells, their versions after the write — a list, or
    # one number for all — and its stored cells the batch did not give, by codes → value).
    saved: list = field(default_factory=list, repr=False)

    @cached_property
    def versions(self) -> dict:
        """(element, combo, unit, period) → the version of each cell after the write."""
        result = {}
        for (report, __, __, period, *__), versions, __ in self.saved:
            given = zip(report.layout.cells, _each(versions, len(report.raws)), strict=True)
            result.update(((e, c, report.unit, period), v) for (e, c), v in given)
        return result

    @cached_property
    def reports(self) -> dict:
        """(unit code, period) → {(element code, combo code): value (None: n/a)}: every
        stored cell of each report the batch touched, as it is after the write."""
        return {
            (item.report.unit, item.period): cells_after(item, others)
            for item, __, others in self.saved
        }


def _each(versions, count: int):
    return repeat(versions, count) if isinstance(versions, int) else versions


def cells_after(item, others: dict) -> dict:
    """{(element code, combo code): value (None: n/a)} of a report after `item` was
    written: the `others` stored that the batch did not give, and the cells it gave (blank
    ones cleared)."""
    cells = dict(others)
    for (element, combo), value in zip(item.report.layout.cells, item.values, strict=True):
        if value is not None:
            cells[(element, combo)] = None if value is NA else value
    return cells


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


class EncodedJSON(str):
    """A value of a JSONField already encoded as JSON text, with the number of entries it
    holds (`size`): `tables.insert_rows` stores it as it is on SQLite (and decodes it for
    other databases)."""

    size: int

    def __new__(cls, text: str, size: int = 0):
        encoded = super().__new__(cls, text)
        encoded.size = size
        return encoded


class FlatRows(list):
    """Rows of `width` values each laid end to end in one list (for `tables.insert_groups`):
    a report's rows are made by filling its values into a copy of a pattern, not as a
    tuple a cell."""

    width: int

    def __init__(self, values, width: int):
        super().__init__(values)
        self.width = width

    def rows(self) -> list[tuple]:
        return list(zip(*[iter(self)] * self.width, strict=True))


class Layout:
    """The cells of one or more reports in a batch, in order: (element code, combo code)
    each, and optionally where each lies in its report (an address such as "!C6", put after
    the report's `where`). A workbook's sheets share one layout, so each column is checked
    once however many reports there are."""

    __slots__ = ("cells", "suffixes")

    def __init__(self, cells: tuple[tuple[str, str], ...], suffixes: tuple[str, ...] = ()):
        self.cells = cells
        self.suffixes = suffixes


class Report(NamedTuple):
    """The cells a batch gives for one unit × period: `raws[i]` (what the user typed; see
    `Cell`) for `layout.cells[i]`. Either `where` + the layout's suffix or `wheres[i]` says
    where a cell is; `versions[i]` is the version the user saw (None: don't check);
    `positions[i]` is the cell's place in the batch (problems are listed in that order)."""

    unit: str
    period: str
    layout: Layout
    raws: list
    where: str = ""
    wheres: list | None = None
    versions: list | None = None
    positions: list | None = None

    def locate(self, i: int) -> str:
        if self.wheres is not None:
            return self.wheres[i]
        return self.where + self.layout.suffixes[i] if self.layout.suffixes else self.where


def reports_of(cells: list[Cell]) -> list[Report]:
    """`cells` grouped into reports (unit × period as given), in the order first met."""
    groups: dict[tuple, list[int]] = {}
    for number, cell in enumerate(cells):
        groups.setdefault((cell.unit, cell.period), []).append(number)
    layouts: dict[tuple, Layout] = {}
    reports = []
    for (unit, period), numbers in groups.items():
        members = [cells[n] for n in numbers]
        key = tuple((c.element, c.combo) for c in members)
        layout = layouts.get(key) or layouts.setdefault(key, Layout(key))
        versions = [c.version for c in members]
        reports.append(
            Report(
                unit,
                period,
                layout,
                [c.raw for c in members],
                wheres=[c.where for c in members],
                versions=versions if any(v is not None for v in versions) else None,
                positions=numbers,
            )
        )
    return reports


def save_values(
    user, dataset: Dataset, cells: list[Cell], channel: str, today: date | None = None
) -> SaveResult:
    """Check every cell, then write all of them or none. Raises `Refused`."""
    return save_reports(user, dataset, reports_of(cells), channel, today)


NA = "na"  # a parsed cell marked not applicable (a blank is None, a value its number)
# The statuses as plain text: a row holding the enum member (an object the garbage
# collector follows) would keep the cyclic GC busy with ~30,000 rows of an import.
VALUE = str(DataValue.Status.VALUE)
LARGEST = 10**10 - 1  # the largest whole number a value may be (see parse_value)


def save_reports(
    user,
    dataset: Dataset,
    reports: list[Report],
    channel: str,
    today: date | None = None,
    index: DatasetIndex | None = None,
) -> SaveResult:
    """`save_values` for cells given report by report (as a workbook's sheets give them).

    An import of a national year is ~30,000 cells of a few hundred reports sharing one
    layout: each column is checked once per layout, each report's period, access and
    provision once, and a report of plain numbers (the usual one) as a whole; only the
    cells of other reports are parsed one by one (each distinct value once)."""
    index = index or DatasetIndex(dataset)
    today = today or timezone.localdate()
    scope = scope_for(user)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.unit for r in reports})}
    provisions = providers_by_unit(dataset, units)
    problems: list[tuple[tuple[int, int], Problem]] = []
    layouts: dict[int, _Columns] = {}
    checked: dict[tuple, tuple] = {}  # (unit, period as given) → _check_report
    spans: dict[str, tuple] = {}  # period as given → _span
    numbers: dict[tuple, tuple[str, Decimal | None]] = {}
    given: dict[tuple, object] = {}  # (unit id, period) → its cells given so far (see _seen)
    parsed: list[_Parsed] = []
    for number, report in enumerate(reports):
        columns = layouts.get(id(report.layout))
        if columns is None:
            columns = layouts[id(report.layout)] = _Columns(index, report.layout)
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
            parsed.append(_Parsed(report, columns, unit, period, unit_id, values, plain))
    if problems:
        problems.sort(key=lambda item: item[0])
        raise Refused([p for __, p in problems])
    return _write(user, dataset, scope, parsed, channel, index)


class _Columns:
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
        self.tops = [
            (100 if e.value_type == DataElement.ValueType.PERCENT else LARGEST) if e else 0
            for e in self.elements
        ]
        self.clean = all(r is None for r in self.refusals) and len(set(self.keys)) == len(self.keys)
        self.position = {key: i for i, key in reversed(list(enumerate(self.keys)))}
        self._news: list[str] | None = None
        self._pattern: list | None = None
        self.top = min(self.tops, default=0)
        self.same_top = len(set(self.tops)) == 1

    def rows(self, values: list) -> FlatRows:
        """The rows (element id, combo id, value, status) of a value in every cell."""
        if self._pattern is None:
            self._pattern = [None] * (4 * len(self.keys))
            self._pattern[0::4], self._pattern[1::4] = self.element_ids, self.combo_ids
            self._pattern[3::4] = [VALUE] * len(self.keys)
        rows = FlatRows(self._pattern, 4)
        rows[2::4] = values
        return rows

    def created(self, values: list) -> EncodedJSON:
        """The audited changes of a new report with a number in every cell, {label: [None,
        value]}, as JSON: made from each label's part, not through a dict and the encoder
        (a national year has ~30,000 of them)."""
        if self._news is None:
            self._news = [json.dumps(label) + ':[null,"' for label in self.labels]
        shown = map(str, values) if set(map(type, values)) == {int} else map(_plain_text, values)
        return EncodedJSON("{" + '"],'.join(map(add, self._news, shown)) + '"]}', len(values))


class _Parsed(NamedTuple):
    report: Report
    columns: _Columns
    unit: OrgUnit
    period: str
    unit_id: int
    values: list  # per cell: None (blank), NA or the number
    plain: bool  # every cell a whole number (see plain_numbers)


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


def _write(user, dataset, scope, parsed: list[_Parsed], channel, index) -> SaveResult:
    from seire.collection.tables import insert_groups, update_rows  # (it imports this module)

    result = SaveResult()
    keys = {(p.unit_id, p.period) for p in parsed}
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    stamp = {"updated_at": now, "updated_by": user_id, "channel": channel}
    with transaction.atomic():
        locks = _locked_reports(dataset, keys, scope)
        existing = _stored(dataset, keys)
        problems, creates, updates, deletes, events = [], [], [], [], []
        for item in parsed:
            report, columns, __, period, unit_id, values, __ = item
            stored = existing.get((unit_id, period), {})
            if locks and (unit_id, period) in locks:
                why = locks[(unit_id, period)]
                problems += [Problem(report.locate(i), why) for i in range(len(values))]
                continue
            if not stored and report.versions is None:
                rows, changes, versions = _create(item, result)
            else:
                rows, changes, versions = _change(item, stored, stamp, updates, deletes, result)
                problems += versions.problems
            if rows:
                creates.append(((unit_id, period), rows))
            others = {}
            if stored and not stored.keys() <= columns.position.keys():
                others = _others(stored, columns, index)
            result.saved.append((item, versions, others))
            if changes:
                events.append((unit_id, period, report.unit, changes))
        if problems:
            transaction.set_rollback(True)
            raise Refused(problems)
        insert_groups(DataValue, ("unit", "period"), _INSERTED, creates, {"version": 1, **stamp})
        update_rows(DataValue, _UPDATED, updates)
        DataValue.objects.filter(pk__in=deletes).delete()
        events.sort(key=lambda event: event[:2])
        _audit(user, dataset, events, channel, now)
        if events:
            data_changed.send(Dataset, dataset=dataset.code, periods=sorted({e[1] for e in events}))
    return result


def _create(item: _Parsed, result: SaveResult) -> tuple[list, object, object]:
    """The rows of a report with nothing stored yet (and no versions to check), whose every
    cell given is new; its audited changes; its versions (1 a cell, 0 for a blank one)."""
    __, columns, __, __, __, values, plain = item
    if plain:  # the usual report: a whole number in every cell
        result.created += len(values)
        return columns.rows(values), columns.created(values), 1
    rows, changes, versions = [], {}, []
    for i, value in enumerate(values):
        if value is None:
            result.unchanged += 1
            versions.append(0)
            continue
        status, number = (NA, None) if value is NA else (VALUE, value)
        rows.append((columns.element_ids[i], columns.combo_ids[i], number, status))
        changes[columns.labels[i]] = (None, _plain(status, number))
        result.created += 1
        versions.append(1)
    return rows, changes, versions


class _Versions(list):
    """A report's versions after the write, cell by cell, and the conflicts found."""

    problems: list


def _change(item: _Parsed, stored: dict, stamp: dict, updates, deletes, result) -> tuple:
    """A report's cells compared with the stored ones (the versions the user saw checked):
    its rows to create, its audited changes and versions; the rows to update and delete
    are added to `updates` and `deletes`, and every cell counted in `result`."""
    report, columns, __, __, __, values, __ = item
    rows: list[tuple] = []
    changes: dict = {}
    versions = _Versions()
    versions.problems = []
    written = tuple(stamp.values())
    for i, value in enumerate(values):
        current = stored.get(columns.keys[i])
        version = current[_VERSION] if current else 0
        seen = report.versions[i] if report.versions is not None else None
        if seen is not None and version != seen:
            versions.problems.append(
                Problem(
                    report.locate(i),
                    _("changed by someone else meanwhile (now %(v)s): reload and try again")
                    % {"v": _show(current)},
                    code="conflict",
                )
            )
            versions.append(version)
            continue
        label = columns.labels[i]
        if value is None:
            if current:
                deletes.append(current[_PK])
                changes[label] = (_show(current), None)
                result.cleared += 1
            else:
                result.unchanged += 1
            versions.append(0)
            continue
        status, number = (NA, None) if value is NA else (VALUE, value)
        if current is None:
            version = 1
            rows.append((columns.element_ids[i], columns.combo_ids[i], number, status))
            changes[label] = (None, _plain(status, number))
            result.created += 1
        elif current[_STATUS] != status or current[_VALUE] != number:
            version += 1
            changes[label] = (_show(current), _plain(status, number))
            updates.append((current[_PK], (number, status, version, *written)))
            result.updated += 1
        else:
            result.unchanged += 1
        versions.append(version)
    return rows, changes, versions


def _plain_text(number) -> str:
    """A number as the audit trail shows it (`_plain`), to quote in JSON as it is."""
    return _plain(VALUE, number)


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


# A stored cell: (pk, value, status, version). A plain tuple, not a named one: the garbage
# collector stops following a tuple of plain values, so the ~30,000 stored cells of a
# national year read back do not set off a full collection (a named tuple it follows).
_Stored = tuple
_PK, _VALUE, _STATUS, _VERSION = range(4)


def _stored(dataset: Dataset, keys) -> dict[tuple, dict[tuple, _Stored]]:
    """(unit id, period) → {(element id, combo id): the stored cell}, locked for the
    update, of the reports (unit id, period) in `keys`."""
    # Units IN (…) AND periods IN (…), then the pairs in Python: an OR of hundreds of
    # (unit, period) pairs is several times slower to run, on SQLite at least.
    query = (
        DataValue.objects.select_for_update()
        .filter(
            element__dataset=dataset,
            unit_id__in={unit for unit, __ in keys},
            period__in={period for __, period in keys},
        )
        .values_list(
            "unit_id", "period", "element_id", "combo_id", "pk", "value", "status", "version"
        )
    )
    # Read with the driver, not the ORM: Django would convert each value through a few
    # Python calls, which for a national year costs more than the query. Only the value
    # needs converting (`_decimal`).
    sql, params = query.query.get_compiler(query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    reports: dict[tuple, dict[tuple, _Stored]] = {}
    for u, p, e, c, pk, value, status, version in rows:
        if (u, p) in keys:
            cells = reports.get((u, p))
            if cells is None:
                cells = reports[(u, p)] = {}
            cells[(e, c)] = (pk, _decimal(value), status, version)
    return reports


def _others(stored: dict, columns: _Columns, index: DatasetIndex) -> dict:
    """{(element code, combo code): value} of the stored cells that `columns` do not give."""
    elements = {e.pk: e.code for e in index.elements.values()}
    combos = {c.pk: c.code for c in index.combos.values()}
    missing = {c for (__, c) in stored if c not in combos}
    if missing:  # a column of an earlier version of the breakdown
        combos |= dict(OptionCombo.objects.filter(pk__in=missing).values_list("pk", "code"))
    return {
        (elements[e], combos[c]): row[_VALUE]
        for (e, c), row in stored.items()
        if (e, c) not in columns.position
    }


def _decimal(value) -> Decimal | None:
    """A stored value as the Decimal Django reads (SQLite gives an int or a float)."""
    if value is None or value.__class__ is Decimal:
        return value
    if value.__class__ is float:
        return Decimal(repr(value)).quantize(STORED_DECIMALS)
    return Decimal(value)


# Rows are written with `tables.insert_rows` / `update_rows` (one executemany): for a
# national year (~30,000 values) bulk_create/bulk_update spend ten times longer preparing
# objects than the database needs.
_INSERTED = ("element", "combo", "value", "status")  # + unit and period, version, stamp
_UPDATED = ("value", "status", "version", "updated_at", "updated_by", "channel")


def _audit(user, dataset: Dataset, events: list[tuple], channel: str, now) -> None:
    """One audit event per report changed, listing each change old → new: what
    `access.audit.record_many` stores, written with the bulk writer (an import changes
    hundreds of reports, and the ORM would spend longer preparing them than the write)."""
    from seire.collection.tables import insert_rows

    authenticated = user is not None and getattr(user, "is_authenticated", False)
    actor = (user.pk, user.get_username()) if authenticated else (None, "")
    rows = [
        (
            f"{dataset.code}/{unit}/{period}",
            f"{dataset.code} {unit} {period}: {getattr(changes, 'size', len(changes))} value(s)",
            changes,
        )
        for __, period, unit, changes in events
    ]
    same = {"at": now, "actor": actor[0], "actor_name": actor[1], "action": "update"}
    same |= {"object_type": "collection.datavalue", "channel": channel, "reason": ""}
    insert_rows(AuditEvent, ("object_id", "summary", "changes"), rows, same)


def _show(stored: _Stored | None) -> str | None:
    """A stored cell (see `_stored`) as the audit trail shows it."""
    return None if stored is None else _plain(stored[_STATUS], stored[_VALUE])


def _plain(status: str, number: Decimal | None):
    if status == "na":
        return "na"
    if number.__class__ is int:  # (a whole number taken as it was typed: see plain_numbers)
        return str(number)
    return format(number.normalize(), "f") if number is not None else None


def _locked_reports(dataset: Dataset, keys, scope) -> dict[tuple[int, str], str]:
    """(unit id, period) → why it cannot be changed now, for the reports in `keys`."""
    locked = {}
    today = timezone.localdate()
    submissions = Submission.objects.filter(dataset=dataset, status__in=LOCKED_STATUSES)
    for s in submissions.filter(
        unit_id__in={u for u, __ in keys}, period__in={p for __, p in keys}
    ):
        if (s.unit_id, s.period) in keys:
            locked[(s.unit_id, s.period)] = _(
                "the report is %(status)s: values can only change after it is returned or reopened"
            ) % {"status": s.get_status_display()}
    if not scope.everything:
        for unit_id, period in keys:
            if dataset.locks_on(period) < today and (unit_id, period) not in locked:
                locked[(unit_id, period)] = _(
                    "the period locked on %(d)s: ask the analyst to reopen it"
                ) % {"d": dataset.locks_on(period).isoformat()}
    return locked
