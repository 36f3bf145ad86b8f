"""What every import channel of values (Excel, CSV, the API) does around `save_values`.

`import_cells` refuses a batch that names the same cell twice, saves it through
`services.save_values` and then checks the dataset's hard validation rules on every report
(unit × period) the batch touched — inside the same transaction, so a broken rule rolls the
whole batch back and nothing is written. Soft rules never block an import; they are the
analyst's work queue.
"""

from collections import defaultdict
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from seire.collection import validation
from seire.collection.models import Dataset, DataValue, ValidationRule
from seire.collection.services import Cell, Problem, Refused, SaveResult, check_period, save_values
from seire.organisation.models import OrgUnit

FILE = "file"  # where a problem with the whole file is located


def check_size(data: bytes) -> None:
    """Refuse a file larger than `SEIRE_MAX_UPLOAD_BYTES` before anything opens it."""
    limit = settings.SEIRE_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise Refused(
            [
                Problem(
                    FILE,
                    _("the file is %(size)s; the largest accepted is %(limit)s")
                    % {"size": megabytes(len(data)), "limit": megabytes(limit)},
                )
            ]
        )


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def canonical_period(dataset: Dataset, text: str) -> str:
    """The period's canonical code, or the text itself when it is no valid period."""
    try:
        return check_period(dataset, str(text))
    except ValueError:
        return str(text)


def duplicate_problems(dataset: Dataset, cells: list[Cell]) -> list[Problem]:
    """One problem per cell that repeats an earlier cell of the batch."""
    first: dict[tuple, Cell] = {}
    problems = []
    periods: dict[str, str] = {}
    for cell in cells:
        if cell.period not in periods:
            periods[cell.period] = canonical_period(dataset, cell.period)
        key = (cell.element, cell.combo, cell.unit, periods[cell.period])
        if key in first:
            problems.append(
                Problem(
                    cell.where,
                    _("the same cell (%(cell)s) is given twice; the first is at %(first)s")
                    % {"cell": " ".join(key), "first": first[key].where or "?"},
                )
            )
        else:
            first[key] = cell
    return problems


def import_cells(
    user,
    dataset: Dataset,
    cells: list[Cell],
    channel: str,
    report_where: Mapping[tuple[str, str], str] | None = None,
) -> SaveResult:
    """Save `cells` all or nothing, refusing also when a hard rule of a touched report breaks.

    `report_where` maps (unit code, period) to where a broken rule is reported (the sheet of
    a workbook); by default "UNIT PERIOD". Raises `Refused`.
    """
    problems = duplicate_problems(dataset, cells)
    if problems:
        raise Refused(problems)
    with transaction.atomic():
        result = save_values(user, dataset, cells, channel)
        reports = {(unit, period) for (__, __, unit, period) in result.versions}
        problems = hard_rule_problems(dataset, reports, report_where or {})
        if problems:
            raise Refused(problems)  # leaving the atomic block rolls the batch back
    return result


def hard_rule_problems(
    dataset: Dataset, reports: set[tuple[str, str]], report_where: Mapping[tuple[str, str], str]
) -> list[Problem]:
    """A problem per hard rule broken by the stored values of each (unit code, period)."""
    rules = [r for r in dataset.rules.all() if r.importance == ValidationRule.Importance.HARD]
    if not rules or not reports:
        return []
    stored: dict[tuple[str, str], dict] = defaultdict(dict)
    rows = DataValue.objects.filter(
        element__dataset=dataset,
        unit__code__in={u for u, __ in reports},
        period__in={p for __, p in reports},
    ).values_list("unit__code", "period", "element__code", "combo__code", "value")
    for unit, period, element, combo, value in rows:
        if (unit, period) in reports:
            stored[(unit, period)][(element, combo)] = value
    options = validation.combo_options(dataset)
    expressions = [r for r in rules if r.kind == ValidationRule.Kind.EXPRESSION]
    outliers = [r for r in rules if r.kind == ValidationRule.Kind.OUTLIER]
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={u for u, __ in reports})}
    problems = []
    for unit, period in sorted(reports):
        cells = stored.get((unit, period), {})
        lookup = validation.make_lookup(cells, options)
        # run_rules would re-read the combos for every report; the loop below is its
        # expression branch with the combos read once for the whole batch.
        results = [validation._expression(rule, lookup) for rule in expressions]
        if outliers:
            results += validation.run_rules(dataset, units[unit], period, cells, outliers)
        where = report_where.get((unit, period), f"{unit} {period}")
        problems += [_rule_problem(where, r) for r in results if r is not None and not r.passed]
    return problems


def _rule_problem(where: str, result: validation.RuleResult) -> Problem:
    rule = result.rule
    if rule.kind == ValidationRule.Kind.OUTLIER:
        detail = f"{rule.left} = {_number(result.left)}"
    else:
        detail = f"{rule.left} = {_number(result.left)}, {rule.right} = {_number(result.right)}"
    return Problem(where, f"{result.message} ({detail})", code="rule")


def _number(value) -> str:
    return "—" if value is None else format(value.normalize(), "f")
