"""Saving values and moving submissions: the workflow every channel (web grid, Excel, CSV,
API) goes through, so each gets the same checks and the same audit trail.

`save_values` is all-or-nothing: every cell is checked first and any problem refuses the
whole batch with a list of located `Problem`s; only a clean batch is written, in one
transaction, with one audit event per unit and period listing each change old → new, and
`signals.data_changed` sent so that the metrics reading the table are recomputed once the
transaction commits.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seire import periods
from seire.access.audit import record_many
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
    versions: dict = field(default_factory=dict)  # (element, combo, unit, period) → version
    # (unit code, period) → {(element code, combo code): value (None: n/a)}: every stored
    # cell of each report the batch touched, as it is after the write (for the hard rules).
    reports: dict = field(default_factory=dict)


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


def save_values(
    user, dataset: Dataset, cells: list[Cell], channel: str, today: date | None = None
) -> SaveResult:
    """Check every cell, then write all of them or none. Raises `Refused`."""
    index = DatasetIndex(dataset)
    scope = scope_for(user)
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={c.unit for c in cells})}
    provisions = providers_by_unit(dataset, units)
    problems: list[Problem] = []
    parsed = []
    # An import of a national year is ~30,000 cells of a few hundred reports and few distinct
    # values: each column, each report's period, access and provision is checked once, each
    # value once.
    columns: dict[tuple, tuple] = {}  # (element, combo) → (element, combo, refusal)
    reports: dict[tuple, tuple] = {}  # (unit, period) → (unit, period, refusal)
    numbers: dict[tuple, tuple[str, Decimal | None]] = {}
    first: dict[tuple, str] = {}  # where each cell was first given
    for cell in cells:
        element_code, combo_code, unit_code, period_text, raw, __, where = cell
        column = columns.get((element_code, combo_code))
        if column is None:
            column = columns[(element_code, combo_code)] = _check_column(
                index, element_code, combo_code
            )
        element, combo, refusal, label, element_id, combo_id = column
        if refusal is None:
            report = reports.get((unit_code, period_text))
            if report is None:
                report = reports[(unit_code, period_text)] = _check_report(
                    dataset, units.get(unit_code), unit_code, str(period_text), scope,
                    provisions, today,
                )  # fmt: skip
            unit, period, refusal, unit_id = report
        if refusal is not None:
            problems.append(Problem(where, refusal))
            continue
        try:
            status, number = _parse_once(raw, element.value_type, numbers)
        except ValueError as error:
            problems.append(Problem(where, str(error)))
            continue
        key = (element_id, combo_id, unit_id, period)
        if key in first:
            problems.append(
                Problem(
                    where,
                    _("the same cell is given twice; the first is at %(w)s")
                    % {"w": first[key] or "?"},
                )
            )
            continue
        first[key] = where
        parsed.append((cell, element, combo, unit, period, status, number, key, label))
    if problems:
        raise Refused(problems)
    return _write(user, dataset, scope, parsed, channel, index)


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


def _check_report(dataset, unit, unit_code, text, scope, provisions, today) -> tuple:
    """(unit, canonical period, None, unit id) when the user may enter `unit`'s report for
    the period `text`; (None, None, why not, None) otherwise."""
    if unit is None:
        return None, None, _("unknown unit “%(u)s”") % {"u": unit_code}, None
    try:
        period = check_period(dataset, text, today)
    except ValueError as error:
        return None, None, str(error), None
    if not scope.can_edit_unit(unit, dataset.service):
        return None, None, _("you may not enter data for %(u)s") % {"u": unit.code}, None
    start, end = periods.parse(period).start, periods.parse(period).end
    if not any(
        p.start <= end and (p.end is None or p.end >= start) for p in provisions.get(unit.code, [])
    ):
        why = _("%(u)s does not provide %(s)s in %(p)s")
        return None, None, why % {"u": unit.code, "s": dataset.service.code, "p": period}, None
    return unit, period, None, unit.pk


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


def _write(user, dataset, scope, parsed, channel, index: DatasetIndex) -> SaveResult:
    from seire.collection.tables import insert_rows, update_rows  # (it imports this module)

    result = SaveResult()
    keys = {(item[7][2], item[4]) for item in parsed}  # (unit id, period)
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    versions = result.versions
    with transaction.atomic():
        locks = _locked_reports(dataset, keys, scope)
        existing = _stored(dataset, keys)
        after = {key: stored.value for key, stored in existing.items()}  # the cells, written
        problems, creates, updates, deletes = [], [], [], []
        changes: dict[tuple[int, str], dict] = defaultdict(dict)
        shown: dict[tuple, str | None] = {}  # _plain of the values met so far
        for cell, __, __, __, period, status, number, key, label in parsed:
            report = (key[2], period)
            if locks and report in locks:
                problems.append(Problem(cell.where, locks[report]))
                continue
            current = existing.get(key)
            version = current.version if current else 0
            if cell.version is not None and version != cell.version:
                problems.append(
                    Problem(
                        cell.where,
                        _("changed by someone else meanwhile (now %(v)s): reload and try again")
                        % {"v": _show(current)},
                        code="conflict",
                    )
                )
                continue
            if status == "blank":
                if current:
                    deletes.append(current.pk)
                    del after[key]
                    changes[report][label] = [_show(current), None]
                    result.cleared += 1
                else:
                    result.unchanged += 1
                versions[(cell.element, cell.combo, cell.unit, period)] = 0
                continue
            value = shown.get((status, number), shown)
            if value is shown:
                value = shown[(status, number)] = _plain(status, number)
            if current is None:
                version = 1
                creates.append((*key, number, status, 1, now, user_id, channel))
                changes[report][label] = [None, value]
                result.created += 1
            elif current.status != status or current.value != number:
                changes[report][label] = [_show(current), value]
                version += 1
                updates.append((current.pk, (number, status, version, now, user_id, channel)))
                result.updated += 1
            else:
                result.unchanged += 1
            after[key] = number
            versions[(cell.element, cell.combo, cell.unit, period)] = version
        if problems:
            transaction.set_rollback(True)
            raise Refused(problems)
        insert_rows(DataValue, _INSERTED, creates)
        update_rows(DataValue, _UPDATED, updates)
        DataValue.objects.filter(pk__in=deletes).delete()
        unit_codes = {item[7][2]: item[3].code for item in parsed}
        events = [
            {
                "object_type": "collection.datavalue",
                "object_id": f"{dataset.code}/{unit_codes[unit_id]}/{period}",
                "summary": f"{dataset.code} {unit_codes[unit_id]} {period}: {len(diff)} value(s)",
                "changes": diff,
            }
            for (unit_id, period), diff in sorted(changes.items())
        ]
        record_many(user, "update", events, channel=channel)
        if changes:
            data_changed.send(
                Dataset, dataset=dataset.code, periods=sorted({p for __, p in changes})
            )
    result.reports = _report_cells(after, keys, unit_codes, index)
    return result


def _report_cells(after: dict, keys, unit_codes: dict, index: DatasetIndex) -> dict:
    """{(unit code, period): {(element code, combo code): value}} of the cells `after` the
    write (keyed by ids), for every report in `keys` (a report left empty included)."""
    elements = {e.pk: e.code for e in index.elements.values()}
    combos = {c.pk: c.code for c in index.combos.values()}
    reports: dict[tuple[str, str], dict] = {
        (unit_codes[unit_id], period): {} for unit_id, period in keys
    }
    for (element_id, combo_id, unit_id, period), value in after.items():
        reports[(unit_codes[unit_id], period)][(elements[element_id], combos[combo_id])] = value
    return reports


class _Stored(NamedTuple):
    pk: int
    value: Decimal | None
    status: str
    version: int


def _stored(dataset: Dataset, keys) -> dict[tuple, _Stored]:
    """(element id, combo id, unit id, period) → the stored cell, locked for the update, of
    the reports (unit id, period) in `keys`."""
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
            "element_id", "combo_id", "unit_id", "period", "pk", "value", "status", "version"
        )
    )
    # Read with the driver, not the ORM: Django would convert each value through a few
    # Python calls, which for a national year costs more than the query. Only the value
    # needs converting (`_decimal`).
    sql, params = query.query.get_compiler(query.db).as_sql()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return {
        (e, c, u, p): _Stored(pk, _decimal(value), status, version)
        for e, c, u, p, pk, value, status, version in rows
        if (u, p) in keys
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
_INSERTED = ("element", "combo", "unit", "period", "value", "status", "version", "updated_at")
_INSERTED += ("updated_by", "channel")
_UPDATED = ("value", "status", "version", "updated_at", "updated_by", "channel")


def _show(value) -> str | None:
    """A stored cell (a DataValue or a row of `_stored`) as the audit trail shows it."""
    return None if value is None else _plain(value.status, value.value)


def _plain(status: str, number: Decimal | None):
    if status == "na":
        return "na"
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
