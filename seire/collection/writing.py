"""Writing a checked batch: the rows of `DataValue`, the locks and the audit trail.

`write` takes the reports `checking.check_reports` passed and, in one transaction, refuses
them all when a report is locked (submitted, approved, or its period closed) or a cell was
changed by someone else since the user saw it; otherwise it inserts, updates and deletes
the rows with the project's bulk writer (`bulk.insert_groups` / `update_rows`), writes
one audit event per report changed listing each change old → new, and sends
`signals.data_changed`. `SaveResult` says what it did, report by report.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import repeat

from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from seire.access.models import AuditEvent
from seire.collection.batch import NA, Problem, Refused
from seire.collection.bulk import EncodedJSON, FlatRows, insert_groups, insert_rows, update_rows
from seire.collection.checking import STORED_DECIMALS, CheckedLayout, CheckedReport, DatasetIndex
from seire.collection.models import Dataset, DataValue, OptionCombo, Submission
from seire.collection.signals import data_changed

LOCKED_STATUSES = {Submission.Status.SUBMITTED, Submission.Status.APPROVED}
# The statuses as plain text: a row holding the enum member (an object the garbage
# collector follows) would keep the cyclic GC busy with ~30,000 rows of an import.
VALUE = str(DataValue.Status.VALUE)
# Rows are written with `bulk.insert_rows` / `update_rows` (one executemany): for a
# national year (~30,000 values) bulk_create/bulk_update spend ten times longer preparing
# objects than the database needs.
INSERTED = ("element", "combo", "value", "status")  # + unit and period, version, stamp
UPDATED = ("value", "status", "version", "updated_at", "updated_by", "channel")


@dataclass
class SaveResult:
    """What a write did: how many cells it created, updated, cleared or left unchanged."""

    created: int = 0
    updated: int = 0
    cleared: int = 0
    unchanged: int = 0
    # Each report written: (its `CheckedReport`, their versions after the write — a list,
    # or one number for all — and its stored cells the batch did not give, by codes → value).
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


def cells_after(item: CheckedReport, others: dict) -> dict:
    """{(element code, combo code): value (None: n/a)} of a report after `item` was
    written: the `others` stored that the batch did not give, and the cells it gave (blank
    ones cleared)."""
    cells = dict(others)
    for (element, combo), value in zip(item.report.layout.cells, item.values, strict=True):
        if value is not None:
            cells[(element, combo)] = None if value is NA else value
    return cells


def write(
    user,
    dataset: Dataset,
    scope,
    parsed: list[CheckedReport],
    channel: str,
    index: DatasetIndex,
) -> SaveResult:
    """Write the checked reports `parsed` all or none (see the module's docstring); raises
    `Refused` when a report is locked for `scope` or a version the user saw is stale."""
    result = SaveResult()
    keys = {(p.unit_id, p.period) for p in parsed}
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    stamp = {"updated_at": now, "updated_by": user_id, "channel": channel}
    layouts: dict[int, _NewReports] = {}  # id(CheckedLayout) → its new reports' patterns
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
                rows, changes, versions = _create(item, result, layouts)
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
        insert_groups(DataValue, ("unit", "period"), INSERTED, creates, {"version": 1, **stamp})
        update_rows(DataValue, UPDATED, updates)
        DataValue.objects.filter(pk__in=deletes).delete()
        events.sort(key=lambda event: event[:2])
        _audit(user, dataset, events, channel, now)
        if events:
            data_changed.send(Dataset, dataset=dataset.code, periods=sorted({e[1] for e in events}))
    return result


class _NewReports:
    """The rows and audited changes of new reports of one layout with a number in every
    cell, made by filling their values into patterns built once, not a cell at a time."""

    def __init__(self, columns: CheckedLayout):
        self.columns = columns
        self._created: str | None = None  # the JSON of `created`, a %s for each value
        self._pattern: list | None = None

    def rows(self, values: list) -> FlatRows:
        """The rows (element id, combo id, value, status) of a value in every cell."""
        if self._pattern is None:
            columns = self.columns
            self._pattern = [None] * (4 * len(columns.keys))
            self._pattern[0::4], self._pattern[1::4] = columns.element_ids, columns.combo_ids
            self._pattern[3::4] = [VALUE] * len(columns.keys)
        rows = FlatRows(self._pattern, 4)
        rows[2::4] = values
        return rows

    def created(self, values: list) -> EncodedJSON:
        """The audited changes of a new report with a number in every cell, {label: [None,
        value]}, as JSON: the values put into a text made once for the layout, not through a
        dict and the encoder (a national year has ~30,000 of them)."""
        if self._created is None:
            cells = [
                json.dumps(label).replace("%", "%%") + ':[null,"%s"]'
                for label in self.columns.labels
            ]
            self._created = "{" + ",".join(cells) + "}"
        shown = values if set(map(type, values)) == {int} else map(_plain_text, values)
        return EncodedJSON(self._created % tuple(shown), len(values))


def _create(item: CheckedReport, result: SaveResult, layouts: dict) -> tuple[list, object, object]:
    """The rows of a report with nothing stored yet (and no versions to check), whose every
    cell given is new; its audited changes; its versions (1 a cell, 0 for a blank one)."""
    __, columns, __, __, __, values, plain = item
    if plain:  # the usual report: a whole number in every cell
        result.created += len(values)
        new = layouts.get(id(columns))
        if new is None:
            new = layouts[id(columns)] = _NewReports(columns)
        return new.rows(values), new.created(values), 1
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


def _change(item: CheckedReport, stored: dict, stamp: dict, updates, deletes, result) -> tuple:
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


def _others(stored: dict, columns: CheckedLayout, index: DatasetIndex) -> dict:
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


def _audit(user, dataset: Dataset, events: list[tuple], channel: str, now) -> None:
    """One audit event per report changed, listing each change old → new: what
    `access.audit.record_many` stores, written with the bulk writer (an import changes
    hundreds of reports, and the ORM would spend longer preparing them than the write)."""
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


def _plain_text(number) -> str:
    """A number as the audit trail shows it (`_plain`), to quote in JSON as it is."""
    return _plain(VALUE, number)


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
