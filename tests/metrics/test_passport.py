"""Plain-language definitions generated from the structure, in Estonian and English.

Each row is a definition (type, numerator, denominator) and the sentence a reader of the
passport sees in each language. Element and table names come from the VS monthly table.
"""

from types import SimpleNamespace

import pytest

from seire.metrics.passport import describe_condition, plain_definition
from tests.collection import conftest as collection

vs_monthly = collection.vs_monthly  # the statistics table of tests/collection, as a fixture

OPENED = {"source": "episodes", "measure": "count", "date": "opened"}
CLOSED = {**OPENED, "date": "closed"}
CLIENTS = {**OPENED, "measure": "distinct"}
DV = {"field": "crime_type", "op": "eq", "value": "domestic_violence"}
SESSIONS = {
    "source": "values",
    "measure": "sum",
    "field": "value",
    "date": "period",
    "filter": [{"field": "element", "op": "eq", "value": "SESSIONS"}],
}
ON_TIME = {"source": "submissions", "measure": "count", "date": "period"}
WHO5 = {"field": "instrument", "op": "eq", "value": "WHO5"}
OUTCOMES = {"source": "outcomes", "measure": "count", "date": "closed"}

CASES = [
    (
        "percent",
        {**OPENED, "filter": [DV]},
        OPENED,
        "Share of episodes with crime type domestic violence among all episodes opened in the "
        "period",
        "Juhtumite, mille kuriteo liik on lähisuhtevägivald, osakaal kõigist perioodil avatud "
        "juhtumitest",
    ),
    (
        "count",
        CLIENTS,
        None,
        "Number of distinct clients with episodes opened in the period",
        "Perioodil avatud juhtumitega klientide arv (iga klient loetakse üks kord)",
    ),
    (
        "count",
        {
            **OPENED,
            "filter": [
                {
                    "field": "crime_type",
                    "op": "in",
                    "value": ["domestic_violence", "sexual_violence", "child_abuse"],
                },
                {"field": "safety_plan", "op": "eq", "value": True},
            ],
        },
        None,
        "Number of episodes opened in the period with crime type domestic violence, sexual "
        "violence or child abuse and with a safety plan",
        "Perioodil avatud juhtumite, mille kuriteo liik on lähisuhtevägivald, seksuaalvägivald "
        "või lapse väärkohtlemine ja mille puhul koostati turvaplaan, arv",
    ),
    (
        "sum",
        {
            **SESSIONS,
            "filter": [
                {"field": "dataset", "op": "eq", "value": "VS_MONTHLY"},
                {"field": "element", "op": "eq", "value": "CLIENTS_NEW"},
            ],
        },
        None,
        "Sum of values reported for the period with statistics table “Victim support monthly "
        "table” and with data element “New clients”",
        "Perioodi kohta esitatud väärtuste, mille statistikatabel on „Ohvriabi kuutabel“ ja mille "
        "andmeelement on „Uued kliendid“, summa",
    ),
    (
        "mean",
        {**OPENED, "measure": "mean", "field": "days_to_first_contact"},
        None,
        "Mean days from opening to first contact of episodes opened in the period",
        "Perioodil avatud juhtumite keskmine päevade arv avamisest esmase kontaktini",
    ),
    (
        "median",
        {
            **OPENED,
            "measure": "median",
            "field": "working_days_to_first_contact",
            "filter": [{"field": "first_contact", "op": "not_null", "value": None}],
        },
        None,
        "Median working days from opening to first contact of episodes opened in the period "
        "with date of first contact recorded",
        "Perioodil avatud juhtumite, mille esmase kontakti kuupäev on märgitud, tööpäevade arv "
        "avamisest esmase kontaktini mediaan",
    ),
    (
        "ratio",
        SESSIONS,
        CLIENTS,
        "Ratio of the sum of values reported for the period with data element “Counselling "
        "sessions” to the number of distinct clients with episodes opened in the period",
        "Perioodi kohta esitatud väärtuste, mille andmeelement on „Nõustamised“, summa "
        "perioodil avatud juhtumitega klientide arvu kohta (iga klient loetakse üks kord)",
    ),
    (
        "rate_per_100k",
        {**CLIENTS, "filter": [DV]},
        {"source": "population"},
        "Number of distinct clients with episodes opened in the period with crime type domestic "
        "violence per 100 000 population",
        "Perioodil avatud juhtumitega, mille kuriteo liik on lähisuhtevägivald, klientide arv "
        "100 000 elaniku kohta (iga klient loetakse üks kord)",
    ),
    # the denominator's conditions are the numerator's too: said once, after "among"
    (
        "percent",
        {**CLOSED, "filter": [DV, {"field": "needs_assessed", "op": "eq", "value": True}]},
        {**CLOSED, "filter": [DV]},
        "Share of episodes with needs assessed among episodes closed in the period with crime "
        "type domestic violence",
        "Juhtumite, mille puhul hinnati vajadusi, osakaal perioodil suletud juhtumitest, mille "
        "kuriteo liik on lähisuhtevägivald",
    ),
    (
        "percent",
        {**CLIENTS, "filter": [DV]},
        CLIENTS,
        "Share of distinct clients with episodes with crime type domestic violence among all "
        "distinct clients with episodes opened in the period",
        "Juhtumitega, mille kuriteo liik on lähisuhtevägivald, klientide osakaal kõigist "
        "perioodil avatud juhtumitega klientidest (iga klient loetakse üks kord)",
    ),
    # different dates: both sides said in full
    (
        "percent",
        {**CLOSED, "filter": [{"field": "first_contact", "op": "not_null"}]},
        OPENED,
        "Share of episodes closed in the period with date of first contact recorded among "
        "episodes opened in the period",
        "Perioodil suletud juhtumite, mille esmase kontakti kuupäev on märgitud, osakaal "
        "perioodil avatud juhtumitest",
    ),
    (
        "percent",
        {**ON_TIME, "filter": [{"field": "on_time", "op": "eq", "value": True}]},
        ON_TIME,
        "Share of reports submitted on time among all reports for the period",
        "Aruannete, mis esitati õigeaegselt, osakaal kõigist perioodi aruannetest",
    ),
    (
        "percent",
        {**OUTCOMES, "filter": [WHO5, {"field": "reliable", "op": "eq", "value": "improved"}]},
        {**OUTCOMES, "filter": [WHO5]},
        "Share of outcomes with reliable change reliably improved among outcomes of episodes "
        "closed in the period with instrument WHO-5 Wellbeing Index",
        "Tulemuste, mille usaldusväärne muutus on usaldusväärselt paranenud, osakaal perioodil "
        "suletud juhtumite tulemustest, mille mõõtevahend on WHO-5 heaoluindeks",
    ),
]


@pytest.mark.parametrize("lang", ["en", "et"])
@pytest.mark.parametrize(
    ("type_", "numerator", "denominator", "en", "et"),
    CASES,
    ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)],
)
def test_it_says_each_definition_in_plain_words(
    vs_monthly,
    type_,
    numerator,
    denominator,
    en,
    et,
    lang,
):
    version = SimpleNamespace(type=type_, numerator=numerator, denominator=denominator)
    assert plain_definition(version, lang) == {"en": en, "et": et}[lang]


def test_it_falls_back_to_english_for_russian(db):
    version = SimpleNamespace(type="count", numerator=CLIENTS, denominator=None)
    assert plain_definition(version, "ru") == plain_definition(version, "en")


@pytest.mark.parametrize(
    ("condition", "en", "et"),
    [
        (
            {"field": "gender", "op": "ne", "value": "male"},
            "with gender other than male",
            "mille sugu ei ole mees",
        ),
        (
            {"field": "age_group", "op": "not_in", "value": ["0-17", "66+"]},
            "with age group other than 0–17 or 66 and over",
            "mille vanuserühm ei ole 0–17 ega 66 ja vanemad",
        ),
        (
            {"field": "days_open", "op": "ge", "value": 30},
            "with days open at least 30",
            "mille lahtioleku päevade arv on vähemalt 30",
        ),
        (
            {"field": "days_to_first_contact", "op": "lt", "value": 2.5},
            "with days from opening to first contact under 2.5",
            "mille päevade arv avamisest esmase kontaktini on alla 2,5",
        ),
        (
            {"field": "days_open", "op": "gt", "value": 90},
            "with days open over 90",
            "mille lahtioleku päevade arv on üle 90",
        ),
        (
            {"field": "days_open", "op": "le", "value": 7},
            "with days open at most 7",
            "mille lahtioleku päevade arv on kuni 7",
        ),
        (
            {"field": "opened", "op": "lt", "value": "2026-03-01"},
            "with opening date before 1 March 2026",
            "mille avamise kuupäev on enne 1. märts 2026",
        ),
        (
            {"field": "closed", "op": "ge", "value": "2026-01-01"},
            "with closing date on or after 1 January 2026",
            "mille sulgemise kuupäev on 1. jaanuar 2026 või hiljem",
        ),
        (
            {"field": "closure_reason", "op": "is_null"},
            "with no closure reason recorded",
            "mille lõpetamise põhjus on märkimata",
        ),
        (
            {"field": "services_given", "op": "contains", "value": "safety_planning"},
            "whose services given include safety planning",
            "mille osutatud teenuste hulgas on turvaplaani koostamine",
        ),
        (
            {"field": "proactive_contact", "op": "eq", "value": False},
            "without proactive contact",
            "mille puhul ei võetud ühendust ennetavalt",
        ),
        (
            {"field": "safety_plan", "op": "ne", "value": False},
            "with a safety plan",
            "mille puhul koostati turvaplaan",
        ),
        (
            {"field": "referral_source", "op": "eq", "value": "police"},
            "with referral source police",
            "mille suunaja on politsei",
        ),
        (
            {"field": "service", "op": "eq", "value": "VS"},
            "with service “General victim support”",
            "mille teenus on „Ohvriabiteenus“",
        ),
        (
            {"field": "crime_type", "op": "eq", "value": "no_such_code"},
            "with crime type no_such_code",
            "mille kuriteo liik on no_such_code",
        ),
    ],
)
def test_it_says_each_condition_in_plain_words(cast, condition, en, et):
    assert describe_condition(condition, "en") == en
    assert describe_condition(condition, "et") == et
