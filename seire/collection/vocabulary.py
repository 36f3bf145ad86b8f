"""The code lists of episodes and the outcome instruments, from `catalogue/categories.yaml`.

The file is read once per process (`yaml.safe_load`, cached). `codes("crime_type")` is the
set of valid codes, `name("gender", "female", "et")` a display name and `instrument("WHO5")`
an instrument's scale with its reliability and where that comes from. The file is also the
`categories` catalogue section, so `seire catalogue load` checks it strictly; the lists are
not stored in the database (episodes keep the codes).

>>> sorted(codes("gender"))
['female', 'male', 'other_unknown']
>>> name("age_group", "66+", "en"), instrument("WHO5").item_count
('66 and over', 5)
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import get_language

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

PATH = Path(__file__).resolve().parent.parent / "catalogue" / "categories.yaml"
OPTION_CODE = r"[a-z0-9]+([_+-][a-z0-9]*)*\+?"
INSTRUMENT_CODE = r"[A-Z][A-Z0-9_]*"


@dataclass(frozen=True)
class Option:
    code: str
    name_et: str
    name_en: str

    def name(self, lang: str | None = None) -> str:
        """The Estonian name for "et", the English one otherwise (default: active language)."""
        return self.name_et if (lang or get_language() or "et").startswith("et") else self.name_en


@dataclass(frozen=True)
class Instrument:
    """An outcome instrument: its items and either a score range or coded answers.

    `minimum`/`maximum` bound each item of a scored instrument (None for a coded one, whose
    items take one of `answers`). `multiplier` turns the raw sum into the reported score
    (WHO-5: × 4). `reliability` is a test–retest ICC with its interval and source; `sd` a
    reference SD (None: use the service's own intake SD and say so).
    """

    code: str
    name_et: str
    name_en: str
    items: tuple[Option, ...]
    minimum: int | None = None
    maximum: int | None = None
    answers: tuple[Option, ...] = ()
    multiplier: float = 1
    poor_at_or_below: float | None = None
    depression_at_or_below: float | None = None
    reliability: float | None = None
    reliability_ci: tuple[float, float] | None = None
    minimal_detectable_change: float | None = None
    reliability_reference: str = ""
    sd: float | None = None
    sd_reference: str = ""
    sd_note: str = ""
    description: str = ""

    @property
    def item_count(self) -> int:
        return len(self.items)

    @property
    def scored(self) -> bool:
        """True for items with a numeric range, False for coded answers (needs met)."""
        return not self.answers

    def name(self, lang: str | None = None) -> str:
        return Option(self.code, self.name_et, self.name_en).name(lang)


@cache
def _file() -> dict:
    with PATH.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


@cache
def _lists() -> dict[str, tuple[Option, ...]]:
    return {
        entry["code"]: tuple(
            Option(str(o["code"]), o["name_et"], o["name_en"]) for o in entry["options"]
        )
        for entry in _file()["lists"]
    }


def options(list_name: str) -> tuple[Option, ...]:
    """The options of a code list in catalogue order; KeyError for an unknown list."""
    try:
        return _lists()[list_name]
    except KeyError:
        raise KeyError(
            f"no code list {list_name!r}: expected one of {', '.join(_lists())}"
        ) from None


@cache
def codes(list_name: str) -> frozenset[str]:
    """The valid codes of a code list; KeyError for an unknown list."""
    return frozenset(o.code for o in options(list_name))


def name(list_name: str, code: str, lang: str | None = None) -> str:
    """The name of `code` (Estonian for "et", else English; default: the active language).

    A code not in the list is returned as it is, so an old or foreign code still shows.
    """
    for option in options(list_name):
        if option.code == code:
            return option.name(lang)
    return code


@cache
def lookup(list_name: str) -> dict[str, str]:
    """{normalised code or Estonian/English name: code} for reading what people type."""
    table = {}
    for option in options(list_name):
        for text in (option.name_en, option.name_et, option.code):
            table[normalise(text)] = option.code
    return table


def normalise(text: str) -> str:
    """Lowercase, en dashes as hyphens, runs of spaces as one: "0–17" → "0-17"."""
    return re.sub(r"\s+", " ", text.replace("–", "-").replace("—", "-")).strip().lower()


@cache
def _instruments() -> dict[str, Instrument]:
    found = {}
    for entry in _file()["instruments"]:
        if "items_from" in entry:
            items = options(entry["items_from"])
        else:
            items = tuple(Option(i["code"], i["name_et"], i["name_en"]) for i in entry["items"])
        low, high = entry.get("reliability_low"), entry.get("reliability_high")
        found[entry["code"]] = Instrument(
            code=entry["code"],
            name_et=entry["name_et"],
            name_en=entry["name_en"],
            items=items,
            minimum=entry.get("minimum"),
            maximum=entry.get("maximum"),
            answers=options(entry["answers_from"]) if "answers_from" in entry else (),
            multiplier=entry.get("multiplier", 1),
            poor_at_or_below=entry.get("poor_at_or_below"),
            depression_at_or_below=entry.get("depression_at_or_below"),
            reliability=entry.get("reliability"),
            reliability_ci=(low, high) if low is not None and high is not None else None,
            minimal_detectable_change=entry.get("minimal_detectable_change"),
            reliability_reference=entry.get("reliability_reference", ""),
            sd=entry.get("sd"),
            sd_reference=entry.get("sd_reference", ""),
            sd_note=entry.get("sd_note", ""),
            description=entry.get("description", ""),
        )
    return found


def instrument(code: str) -> Instrument:
    """The instrument `code` (WHO5, SAFETY, COPING, NEEDS_MET); KeyError for an unknown one."""
    try:
        return _instruments()[code]
    except KeyError:
        known = ", ".join(_instruments())
        raise KeyError(f"no instrument {code!r}: expected one of {known}") from None


def instruments() -> tuple[Instrument, ...]:
    return tuple(_instruments().values())


# -- the `categories` catalogue section ---------------------------------------------------
FILE_FIELDS = {
    "description": Field(str, help="What the file defines (documentation; not stored)."),
    "reference": Field(str, help="Where the categories come from (documentation)."),
    "lists": Field(list, True, "The code lists of episode columns."),
    "instruments": Field(list, True, "The outcome instruments of assessments."),
}
LIST_FIELDS = {
    "code": Field(str, True, "The list's name, as the episode column (crime_type)."),
    "name_et": Field(str, True, "Name in Estonian."),
    "name_en": Field(str, True, "Name in English."),
    "reference": Field(str, help="Where the list comes from."),
    "options": Field(list, True, "The options: code, name_et, name_en."),
}
OPTION_FIELDS = {
    "code": Field(str, True, "Stable lowercase code (domestic_violence, 0-17, 66+)."),
    "name_et": Field(str, True, "Name in Estonian."),
    "name_en": Field(str, True, "Name in English."),
}
INSTRUMENT_FIELDS = {
    "code": Field(str, True, "Stable uppercase code (WHO5)."),
    "name_et": Field(str, True, "Name in Estonian."),
    "name_en": Field(str, True, "Name in English."),
    "description": Field(str, help="How the instrument is filled and scored."),
    "items": Field(list, help="The items in order (code, name_et, name_en)."),
    "items_from": Field(str, help="Instead of items: a code list whose options are the items."),
    "answers_from": Field(str, help="A code list of coded answers (instead of a range)."),
    "minimum": Field(int, help="Lowest item score."),
    "maximum": Field(int, help="Highest item score."),
    "multiplier": Field(float, help="Raw sum × multiplier = reported score (WHO-5: 4)."),
    "poor_at_or_below": Field(float, help="Reported score at or below which wellbeing is poor."),
    "depression_at_or_below": Field(float, help="Score at or below which depression is likely."),
    "reliability": Field(float, help="Test–retest reliability (ICC)."),
    "reliability_low": Field(float, help="Lower bound of the ICC's 95 % interval."),
    "reliability_high": Field(float, help="Upper bound of the ICC's 95 % interval."),
    "minimal_detectable_change": Field(float, help="Minimal detectable change in score points."),
    "reliability_reference": Field(str, help="The source of the reliability figures."),
    "sd": Field(float, help="Reference SD of the reported score."),
    "sd_reference": Field(str, help="The source of the SD."),
    "sd_note": Field(str, help="What is used when no SD is set."),
}


def load(data: YamlMap) -> dict[str, Counts]:
    """Check the file strictly (CatalogueError listing every problem); nothing is stored."""
    problems = Problems()
    check_mapping(data, FILE_FIELDS, "the categories file", problems)
    lists = check_entries(data, "lists", LIST_FIELDS, "code list", problems)
    list_codes = {entry.get("code") for entry in lists}
    for entry in lists:
        for option in check_entries(entry, "options", OPTION_FIELDS, "option", problems):
            code = option.get("code")
            if isinstance(code, str) and not re.fullmatch(OPTION_CODE, code):
                problems.add(option, "code", f"option code {code!r} must be lowercase a-z, 0-9, _")
    for entry in check_entries(data, "instruments", INSTRUMENT_FIELDS, "instrument", problems):
        _check_instrument(entry, list_codes, problems)
    problems.raise_if_any()
    return {}


def _check_instrument(entry: YamlMap, list_codes: set, problems: Problems) -> None:
    code = entry.get("code")
    if isinstance(code, str) and not re.fullmatch(INSTRUMENT_CODE, code):
        problems.add(entry, "code", f"instrument code {code!r} must be uppercase A-Z, 0-9, _")
    if ("items" in entry) == ("items_from" in entry):
        problems.add(entry, None, f"instrument {code!r} needs either items or items_from")
    if "items" in entry:
        check_entries(entry, "items", OPTION_FIELDS, "item", problems)
    for key in ("items_from", "answers_from"):
        if key in entry and entry[key] not in list_codes:
            problems.add(entry, key, f"{key} {entry[key]!r} is not a code list of this file")
    scored = "minimum" in entry and "maximum" in entry
    if scored == ("answers_from" in entry):
        problems.add(
            entry, None, f"instrument {code!r} needs either minimum and maximum or answers_from"
        )
    elif scored and _number(entry, "minimum") >= _number(entry, "maximum"):
        problems.add(entry, "maximum", "maximum must be above minimum")
    for value, source in (("reliability", "reliability_reference"), ("sd", "sd_reference")):
        if value in entry and not entry.get(source):
            problems.add(entry, value, f"{value} needs its source in {source}")


def _number(entry: YamlMap, key: str) -> float:
    value = entry.get(key)
    return value if isinstance(value, int | float) else 0


def export() -> dict:
    """The code lists as shipped (they are read from the file, not kept in the database)."""
    return _file()


SECTION = Section(
    load=load,
    export=export,
    header="Seire catalogue: the code lists of episodes and the outcome instruments.",
    fields={
        "file": FILE_FIELDS,
        "lists": LIST_FIELDS,
        "options": OPTION_FIELDS,
        "instruments": INSTRUMENT_FIELDS,
    },
)
register("categories", SECTION)
