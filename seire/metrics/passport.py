"""Metric definitions in plain words, generated from their structure (never typed by hand).

`plain_definition(version, "en")` reads the type, the numerator and denominator (source,
measure, field, date and filter) and says what the metric is::

    percent, episodes with crime_type = domestic_violence / all episodes by "opened"
    → "Share of episodes with crime type domestic violence among all episodes opened in
       the period"
    → "Juhtumite, mille kuriteo liik on lähisuhtevägivald, osakaal kõigist perioodil
       avatud juhtumitest"

Code values are shown by their display names: code lists through
`seire.collection.vocabulary.name`, services, counties, statistics tables, data elements
and columns by their names in the database. Estonian is built from relative clauses
("juhtumid, mille …") so a display name never has to be declined. Any language but
Estonian gets English (definitions have Estonian and English names only).
"""

from dataclasses import dataclass
from datetime import date

from django.utils import formats, translation

from seire.collection import vocabulary
from seire.collection.models import (
    Assessment,
    CategoryOption,
    DataElement,
    Dataset,
    OptionCombo,
    Submission,
)
from seire.metrics.models import Outcome
from seire.organisation.models import OrgUnit, Service

# -- vocabulary of the sources: nouns, dates and fields -----------------------------------
# source → (English plural, Estonian nominative, genitive, elative, comitative plural)
NOUNS = {
    "episodes": ("episodes", "juhtumid", "juhtumite", "juhtumitest", "juhtumitega"),
    "values": ("values", "väärtused", "väärtuste", "väärtustest", "väärtustega"),
    "outcomes": ("outcomes", "tulemused", "tulemuste", "tulemustest", "tulemustega"),
    "assessments": ("assessments", "hindamised", "hindamiste", "hindamistest", "hindamistega"),
    "submissions": ("reports", "aruanded", "aruannete", "aruannetest", "aruannetega"),
    "feedback": ("feedback responses", "tagasisided", "tagasisidete", "tagasisidetest",
                 "tagasisidetega"),
    "inquiries": ("inquiries", "pöördumised", "pöördumiste", "pöördumistest", "pöördumistega"),
}  # fmt: skip
CASES = {"nom": 1, "gen": 2, "ela": 3, "com": 4}

# (source, date) → (English, after the noun; Estonian, before the noun)
DATES = {
    ("episodes", "opened"): ("opened in the period", "perioodil avatud"),
    ("episodes", "closed"): ("closed in the period", "perioodil suletud"),
    ("episodes", "first_contact"): ("first contacted in the period",
                                    "perioodil esmakordselt kontakteeritud"),
    ("values", "period"): ("reported for the period", "perioodi kohta esitatud"),
    ("outcomes", "closed"): ("of episodes closed in the period", "perioodil suletud juhtumite"),
    ("outcomes", "opened"): ("of episodes opened in the period", "perioodil avatud juhtumite"),
    ("assessments", "assessed_on"): ("made in the period", "perioodil tehtud"),
    ("assessments", "closed"): ("of episodes closed in the period", "perioodil suletud juhtumite"),
    ("submissions", "period"): ("for the period", "perioodi"),
}  # fmt: skip

# field → (English, Estonian); the Estonian label follows "mille …" ("whose …").
LABELS = {
    "service": ("service", "teenus"),
    "crime_type": ("crime type", "kuriteo liik"),
    "gender": ("gender", "sugu"),
    "age_group": ("age group", "vanuserühm"),
    "referral_source": ("referral source", "suunaja"),
    "closure_reason": ("closure reason", "lõpetamise põhjus"),
    "county": ("county", "maakond"),
    "services_given": ("services given", "osutatud teenused"),
    "opened": ("opening date", "avamise kuupäev"),
    "closed": ("closing date", "sulgemise kuupäev"),
    "first_contact": ("date of first contact", "esmase kontakti kuupäev"),
    "days_to_first_contact": ("days from opening to first contact",
                              "päevade arv avamisest esmase kontaktini"),
    "working_days_to_first_contact": ("working days from opening to first contact",
                                      "tööpäevade arv avamisest esmase kontaktini"),
    "days_open": ("days open", "lahtioleku päevade arv"),
    "dataset": ("statistics table", "statistikatabel"),
    "element": ("data element", "andmeelement"),
    "combo": ("column", "veerg"),
    "option": ("breakdown options", "jaotuse valikud"),
    "value": ("value", "väärtus"),
    "instrument": ("instrument", "mõõtevahend"),
    "intake": ("intake score", "algskoor"),
    "exit": ("exit score", "lõppskoor"),
    "change": ("change in score", "skoori muutus"),
    "reliable": ("reliable change", "usaldusväärne muutus"),
    "timepoint": ("time point", "ajapunkt"),
    "status": ("status", "olek"),
    "period": ("period", "periood"),
    "first_submitted_at": ("first submission date", "esmase esitamise kuupäev"),
    "deadline_days": ("deadline day", "tähtpäev"),
}  # fmt: skip
# list fields in Estonian genitive, for "mille osutatud teenuste hulgas on …"
LIST_GENITIVE = {"services_given": "osutatud teenuste", "option": "jaotuse valikute"}
# bool field → ((English true, false), (Estonian true, false))
BOOLS = {
    "proactive_contact": (("with proactive contact", "without proactive contact"),
                          ("mille puhul võeti ühendust ennetavalt",
                           "mille puhul ei võetud ühendust ennetavalt")),
    "needs_assessed": (("with needs assessed", "without a needs assessment"),
                       ("mille puhul hinnati vajadusi", "mille puhul vajadusi ei hinnatud")),
    "safety_plan": (("with a safety plan", "without a safety plan"),
                    ("mille puhul koostati turvaplaan", "mille puhul turvaplaani ei koostatud")),
    "comparison_group": (("in the comparison group", "not in the comparison group"),
                         ("mis kuuluvad võrdlusrühma", "mis ei kuulu võrdlusrühma")),
    "on_time": (("submitted on time", "not submitted on time"),
                ("mis esitati õigeaegselt", "mida ei esitatud õigeaegselt")),
}  # fmt: skip

QUOTES = {"en": ("“", "”"), "et": ("„", "“")}


def language(lang: str | None) -> str:
    """ "et" for Estonian, "en" for every other language (definitions have et/en only)."""
    return "et" if (lang or translation.get_language() or "et").startswith("et") else "en"


def source_noun(source: str, lang: str, case: str = "nom") -> str:
    forms = NOUNS.get(source)
    if forms is None:
        return source.replace("_", " ")
    return forms[0] if lang == "en" else forms[CASES[case]]


def field_label(name: str, lang: str) -> str:
    """The field's name in words ("crime type" / "kuriteo liik"); the code when unknown."""
    en, et = LABELS.get(name, (name.replace("_", " "),) * 2)
    return et if lang == "et" else en


def date_phrase(source: str, date_name: str, lang: str) -> str:
    en, et = DATES.get(
        (source, date_name),
        (
            f"by {field_label(date_name, 'en')} in the period",
            f"perioodi ({field_label(date_name, 'et')})",
        ),
    )
    return et if lang == "et" else en


# -- values in words ------------------------------------------------------------------------
def display_value(field: str, value, lang: str, context: dict | None = None) -> str:
    """A filter value by its display name: a code list's name, a service's, a column's…"""
    if isinstance(value, bool):
        return {"en": ("yes", "no"), "et": ("jah", "ei")}[lang][0 if value else 1]
    if isinstance(value, int | float):
        text = f"{value:g}" if isinstance(value, float) else str(value)
        return text.replace(".", ",") if lang == "et" else text
    text = str(value)
    if _is_iso_date(text):
        with translation.override(lang):
            return formats.date_format(
                date.fromisoformat(text), "j. F Y" if lang == "et" else "j F Y"
            )
    choice = _choice_name(field, text, lang)
    if choice is not None:
        return choice
    named = _database_name(field, text, lang, context or {})
    if named is not None:
        left, right = QUOTES[lang]
        return f"{left}{named}{right}"
    try:
        return vocabulary.name(field, text, lang)
    except KeyError:
        return text


def _is_iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _choice_name(field: str, code: str, lang: str) -> str | None:
    """The label of an instrument, outcome class, time point or report status `code`."""
    if field == "instrument":
        try:
            return vocabulary.instrument(code).name(lang)
        except KeyError:
            return None
    choices = {"reliable": Outcome.Reliable, "timepoint": Assessment.Timepoint,
               "status": Submission.Status}.get(field)  # fmt: skip
    if choices is None or code not in choices.values:
        return None
    with translation.override(lang):
        return str(choices(code).label)


def _database_name(field: str, code: str, lang: str, context: dict) -> str | None:
    """The name of a service, county, table, element, column or option `code`, or None."""
    rows = {
        "service": Service.objects.all(),
        "county": OrgUnit.objects.all(),
        "dataset": Dataset.objects.all(),
        "element": DataElement.objects.all(),
        "combo": OptionCombo.objects.all(),
        "option": CategoryOption.objects.all(),
    }.get(field)
    if rows is None:
        return None
    if field == "element" and context.get("dataset"):
        rows = rows.filter(dataset__code=context["dataset"])  # element codes are per table
    row = rows.filter(code=code).values("name_et", "name_en").first()
    return None if row is None else row[f"name_{lang}"]


def _listed(items: list[str], lang: str, last: str) -> str:
    """ "a, b or c" / "a, b või c"."""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


# -- conditions -----------------------------------------------------------------------------
def describe_condition(condition: dict, lang: str, context: dict | None = None) -> str:
    """One filter condition in words: "with crime type domestic violence" / "mille kuriteo
    liik on lähisuhtevägivald" (an English phrase after a noun, an Estonian relative clause)."""
    lang = language(lang)
    name, op, value = condition["field"], condition.get("op", "eq"), condition.get("value")
    if name in BOOLS and op in ("eq", "ne") and isinstance(value, bool):
        positive = value if op == "eq" else not value
        return BOOLS[name][lang == "et"][0 if positive else 1]
    label = field_label(name, lang)
    show = lambda v: display_value(name, v, lang, context)  # noqa: E731
    is_date = isinstance(value, str) and _is_iso_date(value)
    if lang == "et":
        return _condition_et(name, label, op, value, show, is_date)
    return _condition_en(label, op, value, show, is_date)


def _condition_en(label, op, value, show, is_date) -> str:
    if op == "eq":
        return f"with {label} {show(value)}"
    if op == "ne":
        return f"with {label} other than {show(value)}"
    if op == "in":
        return f"with {label} {_listed([show(v) for v in value], 'en', 'or')}"
    if op == "not_in":
        return f"with {label} other than {_listed([show(v) for v in value], 'en', 'or')}"
    if op in ("lt", "le", "gt", "ge"):
        words = {"lt": ("under", "before"), "le": ("at most", "on or before"),
                 "gt": ("over", "after"), "ge": ("at least", "on or after")}[op]  # fmt: skip
        return f"with {label} {words[is_date]} {show(value)}"
    if op == "is_null":
        return f"with no {label} recorded"
    if op == "not_null":
        return f"with {label} recorded"
    if op == "contains":
        return f"whose {label} include {show(value)}"
    return f"with {label} {op} {show(value)}"


def _condition_et(name, label, op, value, show, is_date) -> str:
    if op == "eq":
        return f"mille {label} on {show(value)}"
    if op == "ne":
        return f"mille {label} ei ole {show(value)}"
    if op == "in":
        return f"mille {label} on {_listed([show(v) for v in value], 'et', 'või')}"
    if op == "not_in":
        return f"mille {label} ei ole {_listed([show(v) for v in value], 'et', 'ega')}"
    if op in ("lt", "le", "gt", "ge"):
        if is_date:
            words = {"lt": "enne {v}", "le": "{v} või varem", "gt": "pärast {v}",
                     "ge": "{v} või hiljem"}[op]  # fmt: skip
        else:
            words = {"lt": "alla {v}", "le": "kuni {v}", "gt": "üle {v}", "ge": "vähemalt {v}"}[op]
        return f"mille {label} on {words.format(v=show(value))}"
    if op == "is_null":
        return f"mille {label} on märkimata"
    if op == "not_null":
        return f"mille {label} on märgitud"
    if op == "contains":
        if name in LIST_GENITIVE:
            return f"mille {LIST_GENITIVE[name]} hulgas on {show(value)}"
        return f"mille {label} sisaldab väärtust {show(value)}"
    return f"mille {label} {op} {show(value)}"


def describe_conditions(conditions: list[dict], lang: str) -> str:
    """All conditions of a filter joined: "…, … and …" / "… ja …"; "" for none."""
    lang = language(lang)
    context = {c["field"]: c.get("value") for c in conditions if c.get("op", "eq") == "eq"}
    phrases = [describe_condition(c, lang, context) for c in conditions]
    if not phrases:
        return ""
    return _listed(phrases, lang, "ja" if lang == "et" else "and")


# -- sides and whole definitions --------------------------------------------------------------
@dataclass(frozen=True)
class Phrase:
    """A noun phrase with an optional Estonian relative clause that must be closed by a comma
    when anything follows it ("juhtumite, mille …, osakaal")."""

    text: str
    clause: str = ""

    def then(self, rest: str) -> str:
        if not self.clause:
            return f"{self.text} {rest}".strip()
        return f"{self.text}, {self.clause}, {rest}" if rest else f"{self.text}, {self.clause}"


def records(side: dict, lang: str, case: str = "nom", with_date: bool = True,
            conditions: list[dict] | None = None) -> Phrase:  # fmt: skip
    """The records a side counts: "episodes opened in the period with …" / "perioodil avatud
    juhtumite, mille …" (Estonian in `case`)."""
    source = side.get("source", "")
    conditions = (side.get("filter") or []) if conditions is None else conditions
    when = date_phrase(source, side.get("date", ""), lang) if with_date else ""
    which = describe_conditions(conditions, lang)
    if lang == "en":
        return Phrase(" ".join(p for p in (source_noun(source, "en"), when, which) if p))
    noun = " ".join(p for p in (when, source_noun(source, "et", case)) if p)
    return Phrase(noun, which)


def describe_side(side: dict, lang: str, **options) -> str:
    """A numerator or denominator on its own: "Number of …", "Mean … of …", "Sum of …"."""
    lang = language(lang)
    return _capitalised(_standalone(side, lang, **options).text)


@dataclass(frozen=True)
class _Said:
    text: str
    once: bool = False  # counts each client once (said at the end in Estonian)


def _standalone(side: dict, lang: str, case: str = "nom", **options) -> _Said:
    """The measure of a side: "number of …" / "… arv" (Estonian head noun in `case`)."""
    if side.get("source") == "population":
        return _Said("population" if lang == "en" else ("rahvaarv", "rahvaarvu")[case == "gen"])
    measure, field = side.get("measure", "count"), side.get("field") or ""
    label = field_label(field, lang)
    if lang == "en":
        np = records(side, "en", **options).text
        if measure == "distinct":
            return _Said(f"number of distinct clients with {np}")
        if measure == "sum":
            return _Said(f"sum of {np}" if field == "value" else f"sum of {label} of {np}")
        if measure in ("mean", "median"):
            return _Said(f"{measure} {label} of {np}")
        return _Said(f"number of {np}")
    number = "arvu" if case == "gen" else "arv"
    if measure == "distinct":
        np = records(side, "et", "com", **options)
        return _Said(np.then(f"klientide {number}"), once=True)
    np = records(side, "et", "gen", **options)
    if measure == "sum":
        total = "summa" if field == "value" else f"{label} kokku"
        return _Said(np.then(total))
    if measure == "mean":
        return _Said(np.then(f"{'keskmise' if case == 'gen' else 'keskmine'} {label}"))
    if measure == "median":
        return _Said(np.then(f"{label} mediaan"))
    return _Said(np.then(number))


def _share(num: dict, den: dict, lang: str) -> _Said:
    """Percent: "Share of … among …" / "… osakaal …"; the numerator's date and the
    denominator's conditions are not repeated when both sides count the same records."""
    same = all(num.get(k) == den.get(k) for k in ("source", "measure", "field", "date"))
    num_filter, den_filter = num.get("filter") or [], den.get("filter") or []
    nested = same and all(c in num_filter for c in den_filter)
    extra = [c for c in num_filter if c not in den_filter] if nested else num_filter
    options = {"with_date": False, "conditions": extra} if nested else {}
    every = nested and not den_filter
    distinct = num.get("measure") == "distinct" and den.get("measure") == "distinct"
    if lang == "en":
        if distinct or not same or num.get("measure", "count") != "count":
            left = _counted_en(num, **options)
            right = _counted_en(den)
        else:
            left = records(num, "en", **options).text
            right = records(den, "en").text
        return _Said(f"share of {left} among {'all ' if every else ''}{right}")
    if distinct:
        left = records(num, "et", "com", **options).then("klientide")
        right = records(den, "et", "com").then("klientidest")
        return _Said(f"{left} osakaal {'kõigist ' if every else ''}{right}", once=True)
    right = _counted_et(den, "ela").then("")
    left = _counted_et(num, "gen", **options)
    return _Said(left.then(f"osakaal {'kõigist ' if every else ''}{right}"))


def _counted_en(side: dict, **options) -> str:
    measure = side.get("measure", "count")
    np = records(side, "en", **options).text
    if measure == "distinct":
        return f"distinct clients with {np}"
    if measure == "count":
        return np
    return _standalone(side, "en", **options).text.replace("number of ", "", 1)


def _counted_et(side: dict, case: str, **options) -> Phrase:
    """What a percent side counts in Estonian, in `case` (genitive or elative)."""
    measure = side.get("measure", "count")
    if measure == "count":
        return records(side, "et", case, **options)
    np = records(side, "et", "gen", **options)
    if measure == "sum" and (side.get("field") or "") == "value":
        return Phrase(np.then("summast" if case == "ela" else "summa"))
    label = field_label(side.get("field") or "", "et")
    return Phrase(np.then(f"{label} {'kogusummast' if case == 'ela' else 'kogusumma'}"))


def plain_definition(version, lang: str | None = None) -> str:
    """The metric version's definition in one sentence, in Estonian ("et") or English
    (any other language); generated from type, numerator, denominator and their filters."""
    lang = language(lang)
    with translation.override(lang):
        said = _definition(version.type, version.numerator or {}, version.denominator, lang)
    text = _capitalised(said.text)
    if said.once and lang == "et":
        text += " (iga klient loetakse üks kord)"
    return text


def _definition(type_: str, num: dict, den: dict | None, lang: str) -> _Said:
    if type_ == "percent" and den:
        return _share(num, den, lang)
    if type_ == "ratio" and den:
        left, right = _standalone(num, lang), _standalone(den, lang, case="gen")
        if lang == "en":
            return _Said(f"ratio of the {left.text} to the {right.text}")
        return _Said(f"{left.text} {right.text} kohta", once=left.once or right.once)
    if type_ == "rate_per_100k":
        said = _standalone(num, lang)
        per = "per 100 000 population" if lang == "en" else "100 000 elaniku kohta"
        return _Said(f"{said.text} {per}", once=said.once)
    return _standalone(num, lang)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
