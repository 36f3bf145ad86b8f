"""Checking the `datasets` file before anything is written.

Everything is checked first (keys, types, codes that exist, every rule expression parses
and reads only the dataset's own elements and options) and problems are located at
file:line. `_combos` gives the columns of a disaggregation, for the checks and for syncing.
"""

import re
from itertools import product

from seire.catalogue.loader import Problems, YamlMap, check_entries, check_mapping
from seire.collection import vocabulary
from seire.collection.catalogue.fields import (
    CATEGORY_FIELDS,
    DATASET_FIELDS,
    DISAGGREGATION_FIELDS,
    ELEMENT_FIELDS,
    FILE_FIELDS,
    OPTION_CODE,
    OPTION_FIELDS,
    RULE_FIELDS,
    TOTAL,
    TOTAL_NAMES,
)
from seire.collection.expressions import ExpressionError, parse, references
from seire.organisation.models import Service


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
