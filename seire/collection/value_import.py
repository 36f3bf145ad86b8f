"""What every import channel of values (Excel, CSV, the API) does around `save_values`.

`import_cells` saves a batch through `services.save_values` (which refuses it whole on any
bad cell, including one given twice) and then checks the dataset's hard validation rules on
every report (unit × period) the batch touched — inside the same transaction, so a broken
rule rolls the whole batch back and nothing is written. Soft rules never block an import;
they are the analyst's work queue.
"""

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal, DivisionByZero, InvalidOperation
from operator import itemgetter

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from seire.collection import validation
from seire.collection.batch import NA, Cell, Layout, Problem, Refused, Report, reports_of
from seire.collection.checking import DatasetIndex
from seire.collection.expressions import COMPARE, Neg, Num, Ref, evaluate, parse, references
from seire.collection.models import Dataset, DataValue, OptionCombo, ValidationRule
from seire.collection.services import save_reports
from seire.collection.writing import SaveResult, cells_after
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
    return import_reports(user, dataset, reports_of(cells), channel, report_where)


def import_reports(
    user,
    dataset: Dataset,
    reports: list[Report],
    channel: str,
    report_where: Mapping[tuple[str, str], str] | None = None,
    index: DatasetIndex | None = None,
) -> SaveResult:
    """`import_cells` for cells given report by report (`services.save_reports`)."""
    index = index or DatasetIndex(dataset)
    with transaction.atomic():
        result = save_reports(user, dataset, reports, channel, index=index)
        problems = _saved_rule_problems(dataset, result, report_where or {}, index)
        if problems:
            raise Refused(problems)  # leaving the atomic block rolls the batch back
    return result


def _saved_rule_problems(dataset, result: SaveResult, report_where, index) -> list[Problem]:
    """`hard_rule_problems` of every report `result` wrote. The reports whose stored cells
    are all in their batch (an import's usual reports) are checked on their layout's
    positions, many at once; any other as `hard_rule_problems` does, on its cells by code."""
    rules = [r for r in dataset.rules.all() if r.importance == ValidationRule.Importance.HARD]
    if not rules or not result.saved:
        return []
    if any(r.kind != ValidationRule.Kind.EXPRESSION for r in rules):
        return hard_rule_problems(dataset, set(result.reports), report_where, result.reports)
    options = _combo_options(index)
    expressions = [_ExpressionRule(r, options) for r in rules]
    on_layout: dict[int, _LayoutRules] = {}
    failed: dict[int, list] = {}  # id(item) → its broken rules
    plain: dict[int, list] = defaultdict(list)  # id(layout) → its plain reports' items
    for item, __, others in result.saved:
        layout = item.report.layout
        if id(layout) not in on_layout:
            on_layout[id(layout)] = _LayoutRules(expressions, layout)
        if others:
            cells = cells_after(item, others)
            checked = (rule.check(cells) for rule in expressions)
            failed[id(item)] = [r for r in checked if r and not r.passed]
        elif item.plain:
            plain[id(layout)].append(item)
        else:
            failed[id(item)] = on_layout[id(layout)].failed(item.values)
    for key, items in plain.items():
        many = on_layout[key].failed_many([item.values for item in items])
        failed.update(zip(map(id, items), many, strict=True))
    problems = []
    for item, __, __ in sorted(result.saved, key=lambda s: (s[0].report.unit, s[0].period)):
        unit, period = item.report.unit, item.period
        where = report_where.get((unit, period), f"{unit} {period}")
        problems += [_rule_problem(where, r) for r in failed[id(item)]]
    return problems


def _combo_options(index: DatasetIndex) -> dict[tuple[str, str], frozenset[str]]:
    """`validation.combo_options` of the dataset, from its index (loaded already)."""
    return {
        (element.code, code): frozenset({o.code for o in combo.options.all()} | {code})
        for element in index.elements.values()
        for (breakdown, code), combo in index.combos.items()
        if breakdown == element.disaggregation_id
    }


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


class _LayoutRules:
    """Expression rules resolved to the positions of a layout's cells, to check a report
    given as a list of values in that layout (None: blank, NA: not applicable) at the cost
    of a few sums. `failed` gives what `_ExpressionRule.check` gives for the broken ones."""

    def __init__(self, rules: list[_ExpressionRule], layout: Layout):
        position: dict[tuple[str, str], int] = {}
        for i, cell in enumerate(layout.cells):
            position.setdefault(cell, i)
        self.rules = [(r, r.left, r.right, _compiled(r.left), _compiled(r.right)) for r in rules]
        self.positions = {
            ref: [position[key] for key in keys if key in position]
            for rule in rules
            for ref, keys in rule.columns.items()
        }
        self.getters = {
            ref: itemgetter(*places) for ref, places in self.positions.items() if len(places) > 1
        }

    def failed(self, values: list) -> list[validation.RuleResult]:
        """The rules a report breaks (its values: a number, None for a blank or NA)."""
        sums, seen = {}, {}
        for ref, places in self.positions.items():
            given = [values[i] for i in places if values[i] is not None]
            sums[ref] = sum(v for v in given if v is not NA)
            seen[ref] = bool(given)
        failed = []
        for rule, __, __, left, right in self.rules:
            if rule.references and not any(seen[ref] for ref in rule.references):
                continue  # a rule over blank cells only is skipped, as run_rules does
            try:
                a, b = left(sums), right(sums)
            except (DivisionByZero, InvalidOperation, ZeroDivisionError):
                continue  # undefined, as `evaluate` makes it
            if not COMPARE[rule.rule.operator](a, b):
                failed.append(validation.RuleResult(rule.rule, Decimal(a), Decimal(b), False))
        return failed

    def failed_many(self, reports: list[list]) -> list[list[validation.RuleResult]]:
        """`failed` of each of many reports with a number in every cell, column by column:
        each sum over all the reports at once."""
        count = len(reports)
        columns = list(zip(*reports, strict=True))
        sums = {
            ref: list(map(sum, zip(*(columns[i] for i in places), strict=True)))
            if len(places) > 1
            else columns[places[0]]
            if places
            else [0] * count
            for ref, places in self.positions.items()
        }
        failed: list[list] = [[] for __ in range(count)]
        for rule, *sides in self.rules:
            if rule.references and not any(self.positions[ref] for ref in rule.references):
                continue  # every cell it reads is blank: skipped, as run_rules does
            left, right = (self._side(*side, sums, count) for side in (sides[::2], sides[1::2]))
            compare = COMPARE[rule.rule.operator]
            for k, (a, b) in enumerate(zip(left, right, strict=True)):
                if a is not None and b is not None and not compare(a, b):
                    failed[k].append(
                        validation.RuleResult(rule.rule, Decimal(a), Decimal(b), False)
                    )
        return failed

    @staticmethod
    def _side(tree, function, sums: dict, count: int) -> list:
        """One side of a rule for every report (None where it divides by zero)."""
        if isinstance(tree, Ref):
            return sums[(tree.code, tree.options)]
        if isinstance(tree, Num):
            return [tree.value] * count
        values = []
        for k in range(count):
            try:
                values.append(function({ref: column[k] for ref, column in sums.items()}))
            except (DivisionByZero, InvalidOperation, ZeroDivisionError):
                values.append(None)
        return values


def _compiled(node):
    """`node` as a function of {(code, options): sum}: what `evaluate` computes, without
    walking the tree for every report (whole sums stay ints, exact as Decimals are)."""
    if isinstance(node, Ref):
        key = (node.code, node.options)
        return lambda sums: sums[key]
    if isinstance(node, Num):
        number = node.value
        return lambda sums: number
    if isinstance(node, Neg):
        operand = _compiled(node.operand)
        return lambda sums: -operand(sums)
    left, right = _compiled(node.left), _compiled(node.right)
    if node.op == "+":
        return lambda sums: left(sums) + right(sums)
    if node.op == "-":
        return lambda sums: left(sums) - right(sums)
    if node.op == "*":
        return lambda sums: Decimal(left(sums)) * right(sums)

    def divided(sums):
        divisor = right(sums)
        if divisor == 0:
            raise DivisionByZero
        return Decimal(left(sums)) / Decimal(divisor)

    return divided


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
