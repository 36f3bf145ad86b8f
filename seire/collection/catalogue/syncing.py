"""Writing the checked `datasets` file to the database.

Loading is idempotent: the whole file is checked first (`checking`), then rows are updated
by code. A disaggregation whose columns changed gets a NEW version (values keep the combos
of the version they were entered with); the dataset's elements then point to the new
version.
"""

from seire.catalogue.loader import Counts, Problems, YamlMap
from seire.collection import vocabulary
from seire.collection.catalogue.checking import _check, _combos, _vocabulary_options
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
