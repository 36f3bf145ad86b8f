"""Running a dataset's validation rules over one unit's report for one period.

Expression rules compare two expressions over the report's cells; a rule whose cells are
all blank is skipped (no data is not a violation), and blank cells count as 0 otherwise.
Outlier rules compare the left expression with the unit's previous 12 periods by the
modified z-score (`expressions.modified_z`), and never flag values below `MIN_COUNT`, where
small counts swing naturally.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from seire import periods
from seire.collection.expressions import COMPARE, evaluate, modified_z, parse, references
from seire.collection.models import Dataset, DataValue, ValidationRule, Violation
from seire.organisation.models import OrgUnit

MIN_COUNT = 10
HISTORY = 12


@dataclass(frozen=True)
class RuleResult:
    rule: ValidationRule
    left: Decimal | None
    right: Decimal | None
    passed: bool

    @property
    def hard(self) -> bool:
        return self.rule.importance == ValidationRule.Importance.HARD

    @property
    def message(self) -> str:
        return self.rule.message

    @property
    def elements(self) -> set[str]:
        """The element codes the rule reads (to place the message next to the cells)."""
        codes = {code for code, _ in references(parse(self.rule.left))}
        if self.rule.kind == ValidationRule.Kind.EXPRESSION:
            codes |= {code for code, _ in references(parse(self.rule.right))}
        return codes


Cells = dict[tuple[str, str], Decimal | None]  # (element code, combo code) → value (None: n/a)


def report_cells(dataset: Dataset, unit: OrgUnit, period: str) -> Cells:
    rows = DataValue.objects.filter(element__dataset=dataset, unit=unit, period=period)
    return {(e, c): v for e, c, v in rows.values_list("element__code", "combo__code", "value")}


def combo_options(dataset: Dataset) -> dict[tuple[str, str], frozenset[str]]:
    """(element code, combo code) → the option codes of that column."""
    result: dict[tuple[str, str], set[str]] = defaultdict(set)
    for element in dataset.elements.prefetch_related("disaggregation__combos__options"):
        for combo in element.disaggregation.combos.all():
            result[(element.code, combo.code)] |= {o.code for o in combo.options.all()}
            result[(element.code, combo.code)].add(combo.code)
    return {k: frozenset(v) for k, v in result.items()}


def make_lookup(cells: Cells, options: dict[tuple[str, str], frozenset[str]]):
    """lookup(code, options) → (sum, any cell present) over the matching columns."""

    def lookup(code: str, wanted: tuple[str, ...]):
        total, seen = Decimal(0), False
        for (element, combo), combo_opts in options.items():
            if element != code or not set(wanted) <= combo_opts:
                continue
            if not wanted and combo == "total" and len(_columns(options, code)) > 1:
                continue  # a bare element code sums the breakdown, not the breakdown + total
            if (element, combo) in cells:
                seen = True
                total += cells[(element, combo)] or 0
        return total, seen

    return lookup


def _columns(options, code):
    return [combo for element, combo in options if element == code]


def run_rules(
    dataset: Dataset, unit: OrgUnit, period: str, cells: Cells | None = None, rules=None
) -> list[RuleResult]:
    """Every rule's result for the report; `cells` defaults to what is stored."""
    cells = report_cells(dataset, unit, period) if cells is None else cells
    options = combo_options(dataset)
    lookup = make_lookup(cells, options)
    results = []
    for rule in rules if rules is not None else dataset.rules.all():
        if rule.kind == ValidationRule.Kind.OUTLIER:
            result = _outlier(dataset, unit, period, rule, lookup, options)
        else:
            result = _expression(rule, lookup)
        if result is not None:
            results.append(result)
    return results


def _expression(rule: ValidationRule, lookup) -> RuleResult | None:
    left_tree, right_tree = parse(rule.left), parse(rule.right)
    seen = [lookup(code, opts)[1] for code, opts in references(left_tree) | references(right_tree)]
    if seen and not any(seen):
        return None

    def values(code, opts):
        return lookup(code, opts)[0]

    left, right = evaluate(left_tree, values), evaluate(right_tree, values)
    if left is None or right is None:
        return None
    return RuleResult(rule, left, right, COMPARE[rule.operator](left, right))


def _outlier(dataset, unit, period, rule, lookup, options) -> RuleResult | None:
    tree = parse(rule.left)
    refs = references(tree)
    if not any(lookup(code, opts)[1] for code, opts in refs):
        return None
    value = evaluate(tree, lambda code, opts: lookup(code, opts)[0])
    past = [str(p) for p in _previous(period, HISTORY)]
    history_rows = DataValue.objects.filter(
        element__dataset=dataset, unit=unit, period__in=past, element__code__in={c for c, _ in refs}
    ).values_list("period", "element__code", "combo__code", "value")
    by_period: dict[str, dict] = defaultdict(dict)
    for p, element, combo, v in history_rows:
        by_period[p][(element, combo)] = v
    history = []
    for p in past:
        if p in by_period:
            past_lookup = make_lookup(by_period[p], options)
            history.append(float(evaluate(tree, lambda c, o, lk=past_lookup: lk(c, o)[0]) or 0))
    if value is None or (value < MIN_COUNT and all(h < MIN_COUNT for h in history)):
        return None
    z = modified_z(float(value), history)
    if z is None:
        return None
    threshold = Decimal(rule.right or "3.5")
    return RuleResult(
        rule,
        value,
        Decimal(str(round(z, 2))) if abs(z) != float("inf") else None,
        abs(z) <= threshold,
    )


def _previous(period: str, n: int) -> list[periods.Period]:
    result, current = [], periods.parse(period)
    for _ in range(n):
        current = current.previous()
        result.append(current)
    return result


def record_violations(
    dataset: Dataset, unit: OrgUnit, period: str, results: list[RuleResult]
) -> list[Violation]:
    """Keep the work queue in step: open a Violation per broken rule, mark mended ones fixed."""
    broken = {r.rule.pk: r for r in results if not r.passed}
    with transaction.atomic():
        for violation in Violation.objects.filter(rule__dataset=dataset, unit=unit, period=period):
            if violation.rule_id not in broken and violation.status == Violation.Status.OPEN:
                violation.status = Violation.Status.FIXED
                violation.save(update_fields=["status"])
        for rule_id, result in broken.items():
            violation, created = Violation.objects.get_or_create(
                rule_id=rule_id,
                unit=unit,
                period=period,
                defaults={"left_value": result.left, "right_value": result.right},
            )
            if not created:
                violation.left_value, violation.right_value = result.left, result.right
                if violation.status == Violation.Status.FIXED:
                    violation.status = Violation.Status.OPEN
                violation.save(update_fields=["left_value", "right_value", "status"])
    return list(Violation.objects.filter(rule__dataset=dataset, unit=unit, period=period))
