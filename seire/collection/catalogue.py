"""The `datasets` catalogue section: statistics tables, their breakdowns and rules.

`datasets.yaml` holds the dataset-only categories (counselling type, channel, …), the
disaggregations (categories crossed, optionally with a `total` column) and the datasets
with their elements and validation rules. A disaggregation may also cross the code lists
of `categories.yaml` (gender, age_group, …); those become `Category` rows when first used.

Loading is strict and idempotent: everything is checked first (keys, types, codes that
exist, every rule expression parses and reads only the dataset's own elements and options)
and problems are located at file:line. Rows are updated by code. A disaggregation whose
columns changed gets a NEW version (values keep the combos of the version they were
entered with); the dataset's elements then point to the new version.
"""

import re
from itertools import product

from seire.catalogue.loader import (
    Counts,
    Field,
    Problems,
    Section,
    YamlMap,
    check_entries,
    check_mapping,
    register,
)
from seire.collection import vocabulary
from seire.collection.expressions import ExpressionError, parse, references
from seire.collection.models import (
    Category,
    CategoryOption,
    DataElement,
    Dataset,
    Disaggregation,
    OptionCombo,
    ValidationRule,
)
from seire.organisation.models import Service

SLUG = r"[a-z0-9]+([_-][a-z0-9]+)*"
DATASET_CODE = r"[A-Z][A-Z0-9_]*"
OPTION_CODE = r"[a-z0-9]+([_+-][a-z0-9]*)*\+?"
TOTAL = "total"
TOTAL_NAMES = ("Kokku", "Total")

FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the tables come from (documentation; not stored)."),
    "categories": Field(list, help="Dataset-only categories with their options."),
    "disaggregations": Field(list, True, "The breakdowns (categories crossed)."),
    "datasets": Field(list, True, "The statistics tables."),
}
CATEGORY_FIELDS = {
    "code": Field(str, True, "Lowercase code (counselling_type).", pattern=SLUG, max_length=40),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "options": Field(list, True, "The options: code, name_et, name_en."),
}
OPTION_FIELDS = {
    "code": Field(str, True, "Lowercase code (phone, 0-17).", max_length=40),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
}
DISAGGREGATION_FIELDS = {
    "code": Field(str, True, "Lowercase code (age_group).", pattern=SLUG, max_length=40),
    "version": Field(
        int, help="The version at export (a change of columns makes a new one).", minimum=1
    ),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "categories": Field(list, True, "Category codes crossed (empty: one total column)."),
    "total": Field(bool, help="true to add a `total` column (default false)."),
}
DATASET_FIELDS = {
    "code": Field(str, True, "Uppercase code (WSC_MONTHLY).", pattern=DATASET_CODE, max_length=40),
    "service": Field(str, True, "Code of the service (WSC)."),
    "period_type": Field(str, True, "M, Q or Y.", choices=("M", "Q", "Y")),
    "deadline_days": Field(int, True, "Due this many days after the period ends.", minimum=0),
    "lock_days": Field(int, True, "Locks this many days after the deadline.", minimum=0),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "description_et": Field(str, help="Description in Estonian."),
    "description_en": Field(str, help="Description in English."),
    "elements": Field(list, True, "The data elements."),
    "rules": Field(list, help="The validation rules."),
}
ELEMENT_FIELDS = {
    "code": Field(str, True, "Uppercase code (CLIENTS).", pattern=DATASET_CODE, max_length=60),
    "name_et": Field(str, True, "Name in Estonian.", max_length=300),
    "name_en": Field(str, True, "Name in English.", max_length=300),
    "counting_rule_et": Field(str, True, "What is counted, in Estonian."),
    "counting_rule_en": Field(str, True, "What is counted, in English."),
    "value_type": Field(
        str, True, "count, decimal or percent.", choices=("count", "decimal", "percent")
    ),
    "disaggregation": Field(str, True, "Code of a disaggregation of this file."),
}
RULE_FIELDS = {
    "code": Field(str, True, "Lowercase code (clients_total).", pattern=SLUG, max_length=60),
    "kind": Field(str, help="expression (default) or outlier.", choices=("expression", "outlier")),
    "left": Field(str, True, "Left expression.", max_length=500),
    "operator": Field(
        str, True, "==, !=, <, <=, >, >=.", choices=("==", "!=", "<", "<=", ">", ">=")
    ),
    "right": Field(str, True, "Right expression (outlier: the modified z limit).", max_length=500),
    "importance": Field(str, True, "hard or soft.", choices=("hard", "soft")),
    "message_et": Field(str, True, "Message in Estonian.", max_length=300),
    "message_en": Field(str, True, "Message in English.", max_length=300),
}

DESCRIPTION = (
    "The monthly and quarterly statistics tables of the victim-support services, with their "
    "counting rules and the checks a report must pass."
)


# -- checking -------------------------------------------------------------------------------
def _vocabulary_options(code: str) -> list[tuple[str, str, str]] | None:
    try:
        return [(o.code, o.name_et, o.name_en) for o in vocabulary.options(code)]
    except KeyError:
        return None


def _check(data: YamlMap, problems: Problems):
    check_mapping(data, FILE_FIELDS, "the datasets file", problems)
    categories: dict[str, list[tuple[str, str, str]]] = {}
    for entry in check_entries(data, "categories", CATEGORY_FIELDS, "category", problems):
        opts = []
        for option in check_entries(entry, "options", OPTION_FIELDS, "option", problems):
            code = option.get("code")
            if isinstance(code, str) and (code == TOTAL or not _match(OPTION_CODE, code)):
                problems.add(
                    option,
                    "code",
                    f"option code {code!r} must be lowercase a-z, 0-9, _ - + and not 'total'",
                )
            opts.append((code, option.get("name_et"), option.get("name_en")))
        if isinstance(entry.get("code"), str):
            if _vocabulary_options(entry["code"]) is not None:
                problems.add(
                    entry,
                    "code",
                    f"category {entry['code']!r} is a code list of "
                    "categories.yaml: use it without defining it again",
                )
            categories[entry["code"]] = opts
    disaggregations: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    disagg_entries = check_entries(
        data, "disaggregations", DISAGGREGATION_FIELDS, "disaggregation", problems
    )
    for entry in disagg_entries:
        cats = entry.get("categories")
        if not isinstance(cats, list):
            continue
        lists, seen_options = [], set()
        for code in cats:
            opts = categories.get(code) if isinstance(code, str) else None
            if opts is None and isinstance(code, str):
                opts = _vocabulary_options(code)
            if opts is None:
                problems.add(
                    entry,
                    "categories",
                    f"unknown category {code!r}: expected a category of "
                    "this file or a code list of categories.yaml",
                )
                continue
            codes = {o[0] for o in opts}
            if codes & seen_options:
                problems.add(
                    entry,
                    "categories",
                    f"categories share option codes "
                    f"{sorted(codes & seen_options)}: a rule could not tell them apart",
                )
            seen_options |= codes
            lists.append(opts)
        if isinstance(entry.get("code"), str):
            disaggregations[entry["code"]] = _combos(lists, entry.get("total", False) or not cats)
    datasets = check_entries(data, "datasets", DATASET_FIELDS, "dataset", problems)
    services = set(Service.objects.values_list("code", flat=True))
    for dataset in datasets:
        service = dataset.get("service")
        if isinstance(service, str) and service not in services:
            problems.add(
                dataset,
                "service",
                f"unknown service {service!r}: expected one of {', '.join(sorted(services))}",
            )
        elements = check_entries(dataset, "elements", ELEMENT_FIELDS, "element", problems)
        columns: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for element in elements:
            code, disagg = element.get("code"), element.get("disaggregation")
            if isinstance(disagg, str) and disagg not in disaggregations:
                problems.add(
                    element,
                    "disaggregation",
                    f"unknown disaggregation {disagg!r}: expected "
                    f"one of {', '.join(disaggregations)}",
                )
            elif isinstance(code, str) and isinstance(disagg, str):
                columns[code] = disaggregations[disagg]
        for rule in check_entries(dataset, "rules", RULE_FIELDS, "rule", problems):
            _check_rule(rule, columns, problems)
    return disagg_entries, categories, datasets


def _match(pattern: str, text: str) -> bool:
    return re.fullmatch(pattern, text) is not None


def _combos(lists: list[list[tuple[str, str, str]]], total: bool):
    """[(combo code, option codes, name_et, name_en)] for the categories' options crossed."""
    combos = []
    if lists:
        for crossing in product(*lists):
            codes = tuple(o[0] for o in crossing)
            combos.append(
                (
                    ".".join(codes),
                    codes,
                    ", ".join(str(o[1]) for o in crossing),
                    ", ".join(str(o[2]) for o in crossing),
                )
            )
    if total:
        combos.append((TOTAL, (), *TOTAL_NAMES))
    return combos


def _check_rule(rule: YamlMap, columns: dict, problems: Problems) -> None:
    kind = rule.get("kind", "expression")
    for side in ("left", "right"):
        text = rule.get(side)
        if not isinstance(text, str):
            continue
        if side == "right" and kind == "outlier":
            try:
                if float(text) <= 0:
                    raise ValueError
            except ValueError:
                problems.add(
                    rule,
                    side,
                    f"an outlier rule's right side is the modified z limit "
                    f'(a positive number such as "3.5"), not {text!r}',
                )
            continue
        try:
            tree = parse(text)
        except ExpressionError as exc:
            problems.add(rule, side, f"{side} expression {text!r} does not parse: {exc}")
            continue
        for code, options in sorted(references(tree)):
            if code not in columns:
                problems.add(
                    rule,
                    side,
                    f"unknown element {code!r} in {side} expression: expected one "
                    f"of {', '.join(columns) or 'the elements of this dataset'}",
                )
            elif options and not any(
                set(options) <= {*opts, combo} for combo, opts, *_ in columns[code]
            ):
                problems.add(
                    rule,
                    side,
                    f"{code}[{'.'.join(options)}] matches no column of {code}: "
                    f"expected options of its disaggregation",
                )


# -- syncing --------------------------------------------------------------------------------
def load(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then create or update categories, disaggregations and datasets."""
    problems = Problems()
    disagg_entries, own_categories, datasets = _check(data, problems)
    problems.raise_if_any()
    counts = {
        what: Counts()
        for what in (
            "dataset categories",
            "disaggregations",
            "datasets",
            "data elements",
            "validation rules",
        )
    }
    category_rows: dict[str, Category] = {}

    def category(code: str) -> Category:
        if code not in category_rows:
            opts = own_categories.get(code) or _vocabulary_options(code)
            if code in own_categories:
                entry = next(e for e in data["categories"] if e["code"] == code)
                names = (entry["name_et"], entry["name_en"])
            else:
                listed = next(e for e in vocabulary._file()["lists"] if e["code"] == code)
                names = (listed["name_et"], listed["name_en"])
            category_rows[code] = _sync_category(code, names, opts, counts["dataset categories"])
        return category_rows[code]

    for code in own_categories:
        category(code)
    latest: dict[str, Disaggregation] = {}
    for entry in disagg_entries:
        cats = [category(c) for c in entry["categories"]]
        # the options the catalogue names, in its order
        lists = [list(own_categories.get(c.code) or _vocabulary_options(c.code)) for c in cats]
        combos = _combos(lists, entry.get("total", False) or not cats)
        latest[entry["code"]] = _sync_disaggregation(entry, cats, combos, counts["disaggregations"])
    for sort, entry in enumerate(datasets, start=1):
        _sync_dataset(entry, latest, counts, sort)
    return counts


def _sync_category(code, names, opts, counts: Counts) -> Category:
    cat, created = Category.objects.get_or_create(
        code=code, defaults={"name_et": names[0], "name_en": names[1]}
    )
    changed = created
    if (cat.name_et, cat.name_en) != names:
        cat.name_et, cat.name_en = names
        cat.save()
        changed = True
    existing = {o.code: o for o in cat.options.all()}
    for sort, (ocode, name_et, name_en) in enumerate(opts, start=1):
        option = existing.get(ocode)
        if option is None:
            CategoryOption.objects.create(
                category=cat, code=ocode, name_et=name_et, name_en=name_en, sort=sort
            )
            changed = True
        elif (option.name_et, option.name_en, option.sort) != (name_et, name_en, sort):
            option.name_et, option.name_en, option.sort = name_et, name_en, sort
            option.save()
            changed = True
    if created:
        counts.created += 1
    elif changed:
        counts.updated += 1
    else:
        counts.unchanged += 1
    return cat


def _combo_signature(disaggregation: Disaggregation) -> list[tuple[str, frozenset]]:
    return [
        (c.code, frozenset(o.code for o in c.options.all()))
        for c in disaggregation.combos.prefetch_related("options").order_by("sort")
    ]


def _sync_disaggregation(entry, cats, combos, counts: Counts) -> Disaggregation:
    code = entry["code"]
    current = Disaggregation.objects.filter(code=code).order_by("-version").first()
    wanted = [(c[0], frozenset(c[1])) for c in combos]
    names = (entry["name_et"], entry["name_en"])
    if current is not None and _combo_signature(current) == wanted:
        changed = False
        if (current.name_et, current.name_en) != names:
            current.name_et, current.name_en = names
            current.save()
            changed = True
        if {c.pk for c in current.categories.all()} != {c.pk for c in cats}:
            current.categories.set(cats)
            changed = True
        for combo in current.combos.all():
            name = next((c[2], c[3]) for c in combos if c[0] == combo.code)
            if (combo.name_et, combo.name_en) != name:
                combo.name_et, combo.name_en = name
                combo.save()
                changed = True
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
        return current
    version = current.version + 1 if current else 1
    disaggregation = Disaggregation.objects.create(
        code=code, version=version, name_et=names[0], name_en=names[1]
    )
    disaggregation.categories.set(cats)
    options = {
        (o.category.code, o.code): o
        for o in CategoryOption.objects.filter(category__in=cats).select_related("category")
    }
    for sort, (ccode, option_codes, name_et, name_en) in enumerate(combos, start=1):
        combo = OptionCombo.objects.create(
            disaggregation=disaggregation, code=ccode, name_et=name_et, name_en=name_en, sort=sort
        )
        combo.options.set(
            [options[(cat.code, oc)] for cat, oc in zip(cats, option_codes, strict=False)]
        )
    if current:
        counts.updated += 1
    else:
        counts.created += 1
    return disaggregation


def _sync_fields(obj, values: dict, counts: Counts, created: bool) -> None:
    if created:
        counts.created += 1
        return
    if all(getattr(obj, k) == v for k, v in values.items()):
        counts.unchanged += 1
        return
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    counts.updated += 1


def _sync_dataset(entry, latest: dict[str, Disaggregation], counts, sort: int) -> None:
    values = {
        "service": Service.objects.get(code=entry["service"]),
        "period_type": entry["period_type"],
        "deadline_days": entry["deadline_days"],
        "lock_days": entry["lock_days"],
        "name_et": entry["name_et"],
        "name_en": entry["name_en"],
        "description_et": entry.get("description_et", ""),
        "description_en": entry.get("description_en", ""),
    }
    dataset, created = Dataset.objects.get_or_create(code=entry["code"], defaults=values)
    _sync_fields(dataset, values, counts["datasets"], created)
    codes = []
    for index, element in enumerate(entry["elements"], start=1):
        codes.append(element["code"])
        values = {
            "name_et": element["name_et"],
            "name_en": element["name_en"],
            "counting_rule_et": element["counting_rule_et"],
            "counting_rule_en": element["counting_rule_en"],
            "value_type": element["value_type"],
            "disaggregation": latest[element["disaggregation"]],
            "sort": index,
        }
        row, created = DataElement.objects.get_or_create(
            dataset=dataset, code=element["code"], defaults=values
        )
        _sync_fields(row, values, counts["data elements"], created)
    # elements dropped from the file go unless values were entered for them
    dataset.elements.exclude(code__in=codes).filter(values__isnull=True).delete()
    rule_codes = []
    for rule in entry.get("rules", []):
        rule_codes.append(rule["code"])
        values = {
            "kind": rule.get("kind", "expression"),
            "left": rule["left"],
            "operator": rule["operator"],
            "right": rule["right"],
            "importance": rule["importance"],
            "message_et": rule["message_et"],
            "message_en": rule["message_en"],
        }
        row, created = ValidationRule.objects.get_or_create(
            dataset=dataset, code=rule["code"], defaults=values
        )
        _sync_fields(row, values, counts["validation rules"], created)
    dataset.rules.exclude(code__in=rule_codes).delete()


# -- export ---------------------------------------------------------------------------------
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


SECTION = Section(
    load=load,
    export=export,
    header="Seire catalogue: the statistics tables, their breakdowns and validation rules.\n"
    "Exported from the database by `seire catalogue export`.",
    fields={
        "file": FILE_FIELDS,
        "categories": CATEGORY_FIELDS,
        "options": OPTION_FIELDS,
        "disaggregations": DISAGGREGATION_FIELDS,
        "datasets": DATASET_FIELDS,
        "elements": ELEMENT_FIELDS,
        "rules": RULE_FIELDS,
    },
    after=("organisation", "categories"),
)
register("datasets", SECTION)
