"""What every import channel of values (Excel, CSV, the API) does around `save_values`.

`import_cells` saves a batch through `services.save_values` (which refuses it whole on any
bad cell, including one given twice) and then checks the dataset's hard validation rules on
every report (unit × period) the batch touched — inside the same transaction, so a broken
rule rolls the whole batch back and nothing is written. Soft rules never block an import;
they are the analyst's work queue.
"""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from seire.collection import validation
from seire.collection.expressions import COMPARE, evaluate, parse, references
from seire.collection.models import Dataset, DataValue, OptionCombo, ValidationRule
from seire.collection.services import Cell, Problem, Refused, SaveResult, save_values
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
    with transaction.atomic():
        result = save_values(user, dataset, cells, channel)
        problems = hard_rule_problems(
            dataset, set(result.reports), report_where or {}, result.reports
        )
        if problems:
            raise Refused(problems)  # leaving the atomic block rolls the batch back
    return result


def hard_rule_problems(
    dataset: Dataset,
    reports: set[tuple[str, str]],
    report_where: Mapping[tuple[str, str], str],
    cells: Mapping[tuple[str, str], dict] | None = None,
) -> list[Problem]:
    """A problem per hard rule broken by the stored values of each (unit code, period).

    `cells`: the stored cells of every report, as `SaveResult.reports` gives them after a
    write (read from the database when not given)."""
    rules = [r for r in dataset.rules.all() if r.importance == ValidationRule.Importance.HARD]
    if not rules or not reports:
        return []
    if cells is None:
        stored, units = _stored_reports(dataset, reports)
    else:
        stored, units = cells, {}
        if any(r.kind == ValidationRule.Kind.OUTLIER for r in rules):
            units = {u.code: u for u in OrgUnit.objects.filter(code__in={u for u, __ in reports})}
    return _check_reports(dataset, rules, reports, report_where, stored, units)


def _stored_reports(dataset: Dataset, reports: set[tuple[str, str]]):
    """The stored cells of each report, and the units by code."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={u for u, __ in reports})}
    unit_codes = {u.pk: code for code, u in units.items()}
    elements = dict(dataset.elements.values_list("pk", "code"))
    rows = DataValue.objects.filter(
        element__dataset=dataset,
        unit__in=list(units.values()),
        period__in={p for __, p in reports},
    ).values_list("unit_id", "period", "element_id", "combo_id", "value")
    rows = list(rows)
    combos = dict(OptionCombo.objects.filter(pk__in={r[3] for r in rows}).values_list("pk", "code"))
    stored: dict[tuple[str, str], dict] = defaultdict(dict)
    for unit_id, period, element_id, combo_id, value in rows:
        stored[(unit_codes[unit_id], period)][(elements[element_id], combos[combo_id])] = value
    return stored, units


def _check_reports(dataset, rules, reports, report_where, stored, units) -> list[Problem]:
    options = validation.combo_options(dataset)
    expressions = [
        _ExpressionRule(r, options) for r in rules if r.kind == ValidationRule.Kind.EXPRESSION
    ]
    outliers = [r for r in rules if r.kind == ValidationRule.Kind.OUTLIER]
    problems = []
    for unit, period in sorted(reports):
        cells = stored.get((unit, period), {})
        results = [rule.check(cells) for rule in expressions]
        if outliers:
            results += validation.run_rules(dataset, units[unit], period, cells, outliers)
        where = report_where.get((unit, period), f"{unit} {period}")
        problems += [_rule_problem(where, r) for r in results if r is not None and not r.passed]
    return problems


class _ExpressionRule:
    """An expression rule parsed once and its references resolved to the cells it sums, to
    check a few hundred reports of an import quickly. `check` gives what
    `validation.run_rules` gives for the rule."""

    def __init__(self, rule: ValidationRule, options):
        self.rule = rule
        self.left, self.right = parse(rule.left), parse(rule.right)
        self.references = references(self.left) | references(self.right)
        self.columns = {ref: _cells_summed(options, *ref) for ref in self.references}

    def check(self, cells: dict) -> validation.RuleResult | None:
        def lookup(code, wanted):
            total, seen = Decimal(0), False
            for key in self.columns[(code, wanted)]:
                if key in cells:
                    seen, total = True, total + (cells[key] or 0)
            return total, seen

        seen = [lookup(*ref)[1] for ref in self.references]
        if seen and not any(seen):
            return None  # a rule over blank cells only is skipped, as run_rules does
        left = evaluate(self.left, lambda c, o: lookup(c, o)[0])
        right = evaluate(self.right, lambda c, o: lookup(c, o)[0])
        if left is None or right is None:
            return None
        return validation.RuleResult(
            self.rule, left, right, COMPARE[self.rule.operator](left, right)
        )


def _cells_summed(options, code: str, wanted: tuple) -> list[tuple[str, str]]:
    """The (element, combo) cells `validation.make_lookup` sums for `code[wanted]`, found by
    letting it look into a mapping that records what it asks for."""
    asked: list[tuple[str, str]] = []

    class Recorder(dict):
        def __contains__(self, key):
            asked.append(key)
            return True

        def __getitem__(self, key):
            return 0

    validation.make_lookup(Recorder(), options)(code, wanted)
    return asked


def _rule_problem(where: str, result: validation.RuleResult) -> Problem:
    rule = result.rule
    if rule.kind == ValidationRule.Kind.OUTLIER:
        detail = f"{rule.left} = {_number(result.left)}"
    else:
        detail = f"{rule.left} = {_number(result.left)}, {rule.right} = {_number(result.right)}"
    return Problem(where, f"{result.message} ({detail})", code="rule")


def _number(value) -> str:
    return "—" if value is None else format(value.normalize(), "f")
