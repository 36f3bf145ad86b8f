"""The `instruments` catalogue section: outcome instruments as the evaluation reads them.

Strict and idempotent like every section: keys, types and values are checked first and
located at file:line; an instrument's code must be an assessment instrument of the
`categories` section, with the same number of items and item range (so that the scores the
evaluation computes are of the forms the assessments hold). Synced by code.
"""

from seire.catalogue.loader import (
    Counts,
    Field,
    Problems,
    Section,
    YamlList,
    YamlMap,
    check_entries,
    check_mapping,
    register,
)
from seire.collection import vocabulary
from seire.evaluation.models import Instrument

TIMEPOINTS = ("intake", "exit", "followup")
KINDS = tuple(Instrument.Kind.values)

FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the instruments come from (documentation)."),
    "instruments": Field(list, True, "The instruments."),
}
INSTRUMENT_FIELDS = {
    "code": Field(str, True, "Code of an assessment instrument in categories.yaml (WHO5)."),
    "version": Field(
        int, True, "Raised when scoring, cut-offs, reliability or SD change.", minimum=1
    ),
    "kind": Field(str, True, "score or checklist.", choices=KINDS),
    "name_et": Field(str, True, "Name in Estonian.", max_length=200),
    "name_en": Field(str, True, "Name in English.", max_length=200),
    "description": Field(str, help="What is asked."),
    "timepoints": Field(list, True, "When it is filled: intake, exit, followup."),
    "items": Field(int, help="Number of items (score).", minimum=1),
    "item_minimum": Field(int, help="Lowest value of an item (score)."),
    "item_maximum": Field(int, help="Highest value of an item (score)."),
    "multiplier": Field(float, help="The item sum × this is the score (default 1)."),
    "higher_is_better": Field(bool, help="Direction of improvement (default true)."),
    "scoring": Field(str, True, "How the score is formed, in words."),
    "cutoffs": Field(list, help="Thresholds that give a score meaning (at or below)."),
    "cutoff_reference": Field(str, help="Where the cut-offs come from."),
    "reliability": Field(float, help="Test–retest reliability (0–1) for reliable change."),
    "reliability_reference": Field(str, help="Where the reliability comes from (or why none)."),
    "reference_sd": Field(float, help="Reference SD for reliable change (else intake SD)."),
    "sd_reference": Field(str, help="Where the SD comes from."),
    "items_from": Field(str, help="Code list of a checklist's items (outcome_area)."),
    "answers_from": Field(str, help="Code list of a checklist's answers (need_met)."),
}
CUTOFF_FIELDS = {
    "code": Field(str, True, "Code of the cut-off (poor).", max_length=30),
    "at_or_below": Field(float, True, "A score at or below this is in the band."),
    "name_et": Field(str, True, "Name of the band in Estonian.", max_length=100),
    "name_en": Field(str, True, "Name of the band in English.", max_length=100),
}
SCORE_ONLY = ("items", "item_minimum", "item_maximum", "multiplier", "cutoffs", "reliability")


def _check(data: YamlMap, problems: Problems) -> list[YamlMap]:
    check_mapping(data, FILE_FIELDS, "the instruments file", problems)
    entries = check_entries(data, "instruments", INSTRUMENT_FIELDS, "instrument", problems)
    for entry in entries:
        _check_entry(entry, problems)
    return entries


def _check_entry(entry: YamlMap, problems: Problems) -> None:
    code = entry.get("code")
    try:
        known = vocabulary.instrument(code) if isinstance(code, str) else None
    except KeyError as exc:
        problems.add(entry, "code", str(exc.args[0]))
        known = None
    timepoints = entry.get("timepoints")
    if isinstance(timepoints, YamlList):
        for value in timepoints:
            if value not in TIMEPOINTS:
                problems.add(
                    entry,
                    "timepoints",
                    f"{value!r} is not a timepoint: expected intake, exit or followup",
                )
    reliability = entry.get("reliability")
    if isinstance(reliability, int | float) and not 0 < reliability < 1:
        problems.add(
            entry, "reliability", f"reliability must lie between 0 and 1, not {reliability}"
        )
    sd = entry.get("reference_sd")
    if isinstance(sd, int | float) and sd <= 0:
        problems.add(entry, "reference_sd", f"reference_sd must be above 0, not {sd}")
    if entry.get("kind") == "checklist":
        for key in SCORE_ONLY:
            if key in entry:
                problems.add(entry, key, f"{key} belongs to a score instrument, not a checklist")
        for key in ("items_from", "answers_from"):
            if not isinstance(entry.get(key), str):
                problems.add(
                    entry, None, f"a checklist needs {key} (a code list of categories.yaml)"
                )
        if known is not None and known.scored:
            problems.add(entry, "kind", f"{code} is scored in categories.yaml: expected kind score")
        return
    if entry.get("kind") != "score":
        return
    for key in ("items", "item_minimum", "item_maximum"):
        if key not in entry:
            problems.add(entry, None, f"a score instrument needs {key}")
    low, high = entry.get("item_minimum"), entry.get("item_maximum")
    if isinstance(low, int) and isinstance(high, int) and low >= high:
        problems.add(entry, "item_maximum", f"item_maximum must be above item_minimum ({low})")
    if known is not None:
        expected = (known.item_count, known.minimum, known.maximum)
        given = (entry.get("items"), low, high)
        if known.scored and given != expected:
            problems.add(
                entry,
                "items",
                f"{code} has {expected[0]} items of {expected[1]}–{expected[2]} in "
                f"categories.yaml: expected the same here, not {given[0]} of {low}–{high}",
            )
        elif not known.scored:
            problems.add(entry, "kind", f"{code} is a checklist in categories.yaml")
    for cutoff in check_entries(entry, "cutoffs", CUTOFF_FIELDS, "cut-off", problems):
        value = cutoff.get("at_or_below")
        if isinstance(value, int | float) and isinstance(low, int) and isinstance(high, int):
            top = high * entry.get("items", 1) * entry.get("multiplier", 1)
            if not low * entry.get("items", 1) * entry.get("multiplier", 1) <= value <= top:
                problems.add(
                    cutoff, "at_or_below", f"{value} lies outside the score range 0–{top:g}"
                )


def _values(entry: YamlMap) -> dict:
    score = entry["kind"] == "score"
    return {
        "version": entry["version"],
        "name_et": entry["name_et"],
        "name_en": entry["name_en"],
        "kind": entry["kind"],
        "description": entry.get("description", ""),
        "timepoints": list(entry["timepoints"]),
        "item_count": entry.get("items", 1)
        if score
        else len(vocabulary.options(entry["items_from"])),
        "item_minimum": entry.get("item_minimum"),
        "item_maximum": entry.get("item_maximum"),
        "multiplier": float(entry.get("multiplier", 1)),
        "higher_is_better": entry.get("higher_is_better", True),
        "scoring": entry["scoring"],
        "cutoffs": [
            {
                "code": c["code"],
                "at_or_below": float(c["at_or_below"]),
                "name_et": c["name_et"],
                "name_en": c["name_en"],
            }
            for c in entry.get("cutoffs", [])
        ],
        "cutoff_reference": entry.get("cutoff_reference", ""),
        "reliability": entry.get("reliability"),
        "reliability_reference": entry.get("reliability_reference", ""),
        "reference_sd": entry.get("reference_sd"),
        "sd_reference": entry.get("sd_reference", ""),
        "items_from": entry.get("items_from", ""),
        "answers_from": entry.get("answers_from", ""),
    }


def load(data: YamlMap) -> dict[str, Counts]:
    """Check `data` whole, then create or update the instruments by code."""
    problems = Problems()
    entries = _check(data, problems)
    problems.raise_if_any()
    counts = Counts()
    for entry in entries:
        values = _values(entry)
        instrument, created = Instrument.objects.get_or_create(code=entry["code"], defaults=values)
        if created:
            counts.created += 1
        elif all(getattr(instrument, k) == v for k, v in values.items()):
            counts.unchanged += 1
        else:
            for key, value in values.items():
                setattr(instrument, key, value)
            instrument.save()
            counts.updated += 1
    return {"instruments": counts}


def export() -> dict:
    """The instruments file from the database."""
    entries = []
    for i in Instrument.objects.order_by("pk"):
        entry = {"code": i.code, "version": i.version, "kind": i.kind, "name_et": i.name_et}
        entry["name_en"] = i.name_en
        if i.description:
            entry["description"] = i.description
        entry["timepoints"] = list(i.timepoints)
        if i.scored:
            entry.update(
                items=i.item_count,
                item_minimum=i.item_minimum,
                item_maximum=i.item_maximum,
            )
            if i.multiplier != 1:
                entry["multiplier"] = (
                    int(i.multiplier) if i.multiplier.is_integer() else i.multiplier
                )
            entry["higher_is_better"] = i.higher_is_better
        else:
            entry.update(items_from=i.items_from, answers_from=i.answers_from)
        entry["scoring"] = i.scoring
        if i.cutoffs:
            entry["cutoffs"] = [
                {
                    **c,
                    "at_or_below": int(c["at_or_below"])
                    if float(c["at_or_below"]).is_integer()
                    else c["at_or_below"],
                }
                for c in i.cutoffs
            ]
        for key in (
            "cutoff_reference",
            "reliability",
            "reliability_reference",
            "reference_sd",
            "sd_reference",
        ):
            value = getattr(i, key)
            if value not in (None, ""):
                entry[key] = value
        entries.append(entry)
    return {
        "description": "Outcome instruments of the impact assessment.",
        "instruments": entries,
    }


SECTION = Section(
    load=load,
    export=export,
    header="Seire catalogue: the outcome instruments as the evaluation reads them.\n"
    "Exported from the database by `seire catalogue export`.",
    fields={"file": FILE_FIELDS, "instruments": INSTRUMENT_FIELDS, "cutoffs": CUTOFF_FIELDS},
    after=("categories",),
)
register("instruments", SECTION)
