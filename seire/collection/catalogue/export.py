"""Writing the `datasets` file back from the database: the categories the latest version
of each disaggregation crosses (those not in `categories.yaml`), the disaggregations and the
datasets with their elements and rules."""

from seire.collection.catalogue.checking import _vocabulary_options
from seire.collection.catalogue.fields import TOTAL
from seire.collection.models import Category, Dataset, Disaggregation, ValidationRule

DESCRIPTION = (
    "The monthly and quarterly statistics tables of the victim-support services, with their "
    "counting rules and the checks a report must pass."
)


def export() -> dict:
    """The datasets file from the database (the latest version of each disaggregation)."""
    latest: dict[str, Disaggregation] = {}
    for disaggregation in Disaggregation.objects.order_by("code", "version"):
        latest[disaggregation.code] = disaggregation
    used_categories: list[Category] = []
    disaggregations = []
    for disaggregation in sorted(latest.values(), key=lambda d: d.pk):
        combos = list(disaggregation.combos.prefetch_related("options").order_by("sort"))
        cats = sorted(
            {o.category for c in combos for o in c.options.all()}
            | set(disaggregation.categories.all()),
            key=lambda c: next(
                (i for i, c2 in enumerate(_combo_category_order(combos)) if c2 == c.pk), 99
            ),
        )
        for cat in cats:
            if cat not in used_categories:
                used_categories.append(cat)
        disaggregations.append(
            {
                "code": disaggregation.code,
                "version": disaggregation.version,
                "name_et": disaggregation.name_et,
                "name_en": disaggregation.name_en,
                "categories": [c.code for c in cats],
                "total": any(c.code == TOTAL for c in combos),
            }
        )
    categories = [
        {
            "code": cat.code,
            "name_et": cat.name_et,
            "name_en": cat.name_en,
            "options": [
                {"code": o.code, "name_et": o.name_et, "name_en": o.name_en}
                for o in cat.options.order_by("sort", "code")
            ],
        }
        for cat in sorted(used_categories, key=lambda c: c.pk)
        if _vocabulary_options(cat.code) is None
    ]
    datasets = []
    for dataset in Dataset.objects.select_related("service").order_by("pk"):
        entry = {
            "code": dataset.code,
            "service": dataset.service.code,
            "period_type": dataset.period_type,
            "deadline_days": dataset.deadline_days,
            "lock_days": dataset.lock_days,
            "name_et": dataset.name_et,
            "name_en": dataset.name_en,
        }
        for key in ("description_et", "description_en"):
            if getattr(dataset, key):
                entry[key] = getattr(dataset, key)
        entry["elements"] = [
            {
                "code": e.code,
                "name_et": e.name_et,
                "name_en": e.name_en,
                "counting_rule_et": e.counting_rule_et,
                "counting_rule_en": e.counting_rule_en,
                "value_type": e.value_type,
                "disaggregation": e.disaggregation.code,
            }
            for e in dataset.elements.select_related("disaggregation").order_by("sort", "code")
        ]
        rules = []
        for r in dataset.rules.order_by("pk"):
            rule = {"code": r.code}
            if r.kind != ValidationRule.Kind.EXPRESSION:
                rule["kind"] = r.kind
            rule |= {
                "left": r.left,
                "operator": r.operator,
                "right": r.right,
                "importance": r.importance,
                "message_et": r.message_et,
                "message_en": r.message_en,
            }
            rules.append(rule)
        if rules:
            entry["rules"] = rules
        datasets.append(entry)
    result = {"description": DESCRIPTION}
    if categories:
        result["categories"] = categories
    result |= {"disaggregations": disaggregations, "datasets": datasets}
    return result


def _combo_category_order(combos) -> list[int]:
    """Category ids in the order their options appear within a combo's code."""
    for combo in combos:
        if combo.code != TOTAL:
            by_code = {o.code: o.category_id for o in combo.options.all()}
            return [by_code[part] for part in combo.code.split(".") if part in by_code]
    return []
