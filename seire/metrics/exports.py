"""Metric values for the API and the CSV/XLSX downloads: one query, one permission check.

`value_rows(user, code, period=…, unit=…, by=…)` answers "the values of metric `code`":

* `period` — one code (`2025Q1`) or a range (`2025M01..2025M12`); the metric's stored
  periods lying wholly inside it are returned (so `2025` gives a quarterly metric's four
  quarters). Empty: every period.
* `unit` — a unit code; empty: the country (the root of the tree).
* `by` — empty: the unit's total; a breakdown of the metric (`gender`): the unit's rows of
  that breakdown; `region`, `county` or `unit`: the totals of the units of that level
  below the unit (`unit`: the service points and partners), those the caller may see.

The caller must be able to read the metric (`get_metric_for_user`: the staff who may see
its service) and the unit (`Scope.can_view_unit` for the metric's service), else
PermissionDenied (403); an unknown metric is Http404; a malformed query is `BadQuery` (422,
with a message saying what is wrong). A period is served by the newest version in effect
then (`effective_from`). Values flagged small-n are suppressed — numerator, denominator,
value, interval and n all null — for everyone but the analyst: a small share is easily
re-identified and misleading.

`to_csv` and `to_xlsx` write the same rows; text cells are neutralised against formula
injection with the collection export's helper.
"""

import csv
import io
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from seire import periods
from seire.access.roles import scope_for
from seire.collection.csv_format import neutralise as neutral
from seire.metrics.models import Metric, MetricValue, MetricVersion
from seire.metrics.views_proposals import get_metric_for_user
from seire.organisation.models import OrgUnit

LEVELS = {
    "region": (OrgUnit.Kind.REGION,),
    "county": (OrgUnit.Kind.COUNTY,),
    "unit": (OrgUnit.Kind.SERVICE_POINT, OrgUnit.Kind.PARTNER),
}
MAX_PARAMETER = 40


class BadQuery(ValueError):
    """A query parameter that cannot be right; the message says why (shown with 422)."""


@dataclass(frozen=True)
class ValueRow:
    period: str
    unit: str
    unit_name: str
    breakdown: str
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    low: Decimal | None
    high: Decimal | None
    n: int | None
    small_n: bool
    version: int


COLUMNS = [f.name for f in fields(ValueRow)]


@dataclass(frozen=True)
class Result:
    metric: Metric
    rows: list[ValueRow]
    suppressed: bool  # small-n values were hidden from this caller


def parse_span(text: str | None) -> tuple[date, date] | None:
    """(first day, last day) of a period code or a `first..last` range; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    _check_length("period", text)
    first, dots, last = text.partition("..")
    if dots and (not first.strip() or not last.strip()):
        raise BadQuery(
            _("period “%(p)s”: a range needs both ends, e.g. 2025M01..2025M12") % {"p": text}
        )
    try:
        start, end = periods.parse(first), periods.parse(last if dots else first)
    except periods.PeriodError as error:
        raise BadQuery(_("period: %(e)s") % {"e": error}) from None
    if start.start > end.end:
        raise BadQuery(
            _("period “%(p)s”: the range runs backwards (%(a)s comes after %(b)s)")
            % {"p": text, "a": start, "b": end}
        )
    return start.start, end.end


def value_rows(
    user, code: str, period: str | None = None, unit: str | None = None, by: str | None = None
) -> Result:
    """The rows of metric `code` the user asked for and may see (see the module doc)."""
    metric = get_metric_for_user(user, code)
    span = parse_span(period)
    versions = list(metric.versions.order_by("version"))
    allowed = list(versions[-1].breakdowns) if versions else []
    target = _unit(unit)
    scope = scope_for(user)
    if not scope.can_view_unit(target, metric.service):
        raise PermissionDenied
    by = (by or "").strip()
    _check_length("by", by)
    if by and by not in allowed:
        shown = ", ".join(allowed) or _("no breakdown")
        raise BadQuery(
            _("%(m)s cannot be shown by “%(b)s” (it may be shown by: %(a)s)")
            % {"m": metric.code, "b": by, "a": shown}
        )
    if by in LEVELS:
        units = [
            u
            for u in OrgUnit.objects.filter(
                path__startswith=target.path, kind__in=LEVELS[by]
            ).exclude(pk=target.pk)
            if scope.can_view_unit(u, metric.service)
        ]
        values = MetricValue.objects.filter(unit__in=units, breakdown="")
    else:
        units = [target]
        values = MetricValue.objects.filter(unit=target)
        values = (
            values.filter(breakdown__startswith=f"{by}=") if by else values.filter(breakdown="")
        )
    rows = _in_effect(values.filter(version__in=versions), versions, span)
    units_by_id = {u.pk: u for u in units}
    rows.sort(key=lambda r: (periods.parse(r.period), units_by_id[r.unit_id].path, r.breakdown))
    hide = not scope.everything
    result = [_row(r, units_by_id[r.unit_id], versions, hide) for r in rows]
    return Result(metric, result, suppressed=hide and any(r.small_n for r in result))


def _unit(code: str | None) -> OrgUnit:
    code = (code or "").strip()
    if not code:
        root = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
        if root is None:
            raise BadQuery(_("there is no organisation tree yet"))
        return root
    _check_length("unit", code)
    found = OrgUnit.objects.filter(code=code).first()
    if found is None:
        raise BadQuery(_("unit: unknown unit “%(u)s”") % {"u": code})
    return found


def _check_length(name: str, text: str) -> None:
    if len(text) > MAX_PARAMETER:
        raise BadQuery(_("%(name)s: at most %(n)s characters") % {"name": name, "n": MAX_PARAMETER})


def _in_effect(values, versions: list[MetricVersion], span) -> list[MetricValue]:
    """One stored value per (period, unit, breakdown) inside `span`: the newest version in
    effect for the period (`effective_from` at or before its start), else the oldest."""
    starts = {
        v.pk: periods.parse(v.effective_from).start if v.effective_from else date.min
        for v in versions
    }
    rank = {v.pk: v.version for v in versions}
    chosen: dict[tuple, tuple[tuple, MetricValue]] = {}
    parsed: dict[str, periods.Period] = {}
    for row in values.order_by():
        period = parsed.get(row.period) or parsed.setdefault(row.period, periods.parse(row.period))
        if span is not None and not (span[0] <= period.start and period.end <= span[1]):
            continue
        in_effect = starts[row.version_id] <= period.start
        key = (in_effect, rank[row.version_id] if in_effect else -rank[row.version_id])
        slot = (row.period, row.unit_id, row.breakdown)
        if slot not in chosen or chosen[slot][0] < key:
            chosen[slot] = (key, row)
    return [row for _, row in chosen.values()]


def _row(value: MetricValue, unit: OrgUnit, versions, hide: bool) -> ValueRow:
    version = next(v.version for v in versions if v.pk == value.version_id)
    secret = hide and value.small_n
    return ValueRow(
        period=value.period,
        unit=unit.code,
        unit_name=unit.name,
        breakdown=value.breakdown,
        numerator=None if secret else value.numerator,
        denominator=None if secret else value.denominator,
        value=None if secret else value.value,
        low=None if secret else value.low,
        high=None if secret else value.high,
        n=None if secret else value.n,
        small_n=value.small_n,
        version=version,
    )


def describe(code: str, period: str | None, unit: str | None, by: str | None) -> str:
    """The query in words, for the audit trail."""
    parts = [f"period={period or 'all'}", f"unit={unit or 'country'}"]
    if by:
        parts.append(f"by={by}")
    return f"{code} values ({', '.join(parts)})"


# -- files -----------------------------------------------------------------------------------
def _plain(value) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(result: Result) -> str:
    """UTF-8 CSV with a byte-order mark (so Excel reads the Estonian letters), one value a
    row, the metric code first; text is neutralised against formula injection."""
    output = io.StringIO()
    output.write("\ufeff")
    writer = csv.writer(output, lineterminator="\n")
    writer.writerow(["metric", *COLUMNS])
    for row in result.rows:
        cells = [result.metric.code, *(getattr(row, c) for c in COLUMNS)]
        writer.writerow(
            [neutral(c) if isinstance(c, str) else ("" if c is None else _plain(c)) for c in cells]
        )
    return output.getvalue()


def to_xlsx(result: Result) -> bytes:
    """A workbook with one sheet of the rows (numbers as numbers) and a note on small n."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=result.metric.code[:31])
    sheet.append(["metric", *COLUMNS])
    for row in result.rows:
        cells = [result.metric.code, *(getattr(row, c) for c in COLUMNS)]
        sheet.append([neutral(c) if isinstance(c, str) else c for c in cells])
    about = book.create_sheet(title="about")
    about.append([neutral(result.metric.name)])
    if result.suppressed:
        about.append(
            [_("Values with too small n are left empty (small_n = TRUE): they are not shown.")]
        )
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()
