"""The fixed facts of the synthetic country: who delivers what, where, and people's names.

Organisations that DOMAIN.md names (the four SAK hospitals, the Children's House sites) keep
their real names; every NGO, person and e-mail address here is made up (@example.ee).
"""

from typing import NamedTuple

LAST_DAY_YEAR = 2025  # the synthetic data ends on 31 December of this year


class Site(NamedTuple):
    code: str
    county: str
    name_et: str
    name_en: str


class Organisation(NamedTuple):
    """A partner organisation with its own unit; `branches` are further counties it serves."""

    code: str
    county: str
    partner: str  # Partner.name
    name_et: str
    name_en: str
    service: str
    branches: tuple[str, ...] = ()


# Board (Sotsiaalkindlustusamet) regional units deliver these services in their region.
REGIONAL_SERVICES = ("CONC", "MARAC", "PSY", "COMP")

CHILDRENS_HOUSES = [
    Site("CH-TALLINN", "HARJU", "Lastemaja, Tallinn", "Children's House, Tallinn"),
    Site("CH-TARTU", "TARTU", "Lastemaja, Tartu", "Children's House, Tartu"),
    Site("CH-PARNU", "PARNU", "Lastemaja, Pärnu", "Children's House, Pärnu"),
    Site("CH-JOHVI", "IDA-VIRU", "Lastemaja, Jõhvi", "Children's House, Jõhvi"),
]


def _wsc(county: str, place_et: str, place_en: str, *branches: str) -> Organisation:
    return Organisation(
        f"{county}-WSC",
        county,
        f"MTÜ {place_et} Naiste Tugikeskus",
        f"{place_et} naiste tugikeskus",
        f"{place_en} women's support centre",
        "WSC",
        branches,
    )


# Thirteen NGOs cover the fifteen counties: two of them also serve a neighbouring county.
WOMENS_SUPPORT_CENTRES = [
    _wsc("HARJU", "Harjumaa", "Harju"),
    _wsc("IDA-VIRU", "Ida-Virumaa", "Ida-Viru"),
    _wsc("LAANE-VIRU", "Lääne-Virumaa", "Lääne-Viru"),
    _wsc("TARTU", "Tartu", "Tartu"),
    _wsc("JOGEVA", "Jõgevamaa", "Jõgeva"),
    _wsc("VILJANDI", "Viljandimaa", "Viljandi"),
    _wsc("VALGA", "Valgamaa", "Valga"),
    _wsc("VORU", "Kagu-Eesti", "South-East Estonia", "POLVA"),
    _wsc("PARNU", "Pärnumaa", "Pärnu"),
    _wsc("LAANEMAA", "Läänemaa", "Lääne"),
    _wsc("SAARE", "Saarte", "Islands", "HIIU"),
    _wsc("JARVA", "Järvamaa", "Järva"),
    _wsc("RAPLA", "Raplamaa", "Rapla"),
]

SEXUAL_VIOLENCE_CENTRES = [
    Organisation(
        f"SAK-{code}",
        county,
        hospital_et,
        f"{hospital_et} seksuaalvägivalla kriisiabikeskus",
        f"{hospital_en} sexual violence crisis centre",
        "SAK",
    )
    for code, county, hospital_et, hospital_en in [
        ("TALLINN", "HARJU", "Lääne-Tallinna Keskhaigla", "West Tallinn Central Hospital"),
        ("TARTU", "TARTU", "Tartu Ülikooli Kliinikum", "Tartu University Hospital"),
        ("PARNU", "PARNU", "Pärnu Haigla", "Pärnu Hospital"),
        ("KOHTLA-JARVE", "IDA-VIRU", "Ida-Viru Keskhaigla", "Ida-Viru Central Hospital"),
    ]
]

CONTRACTED = [
    Organisation(
        "HELP-LINE",
        "HARJU",
        "MTÜ Kriisiabi Liin",
        "Ohvriabi kriisitelefon 116 006",
        "Victim support crisis line 116 006",
        "HELP",
    ),
    Organisation(
        "VLT-HARJU",
        "HARJU",
        "MTÜ Muutuste Tee",
        "Muutuste Tee nõustamiskeskus",
        "Muutuste Tee counselling centre",
        "VLT",
    ),
    Organisation(
        "VLT-TARTU",
        "TARTU",
        "MTÜ Lõuna Pereabi",
        "Lõuna Pereabi nõustamiskeskus",
        "Lõuna Pereabi counselling centre",
        "VLT",
    ),
    Organisation(
        "VLT-IDA-VIRU",
        "IDA-VIRU",
        "MTÜ Virumaa Perekeskus",
        "Virumaa Perekeskus",
        "Virumaa family centre",
        "VLT",
    ),
    Organisation(
        "THB-HARJU",
        "HARJU",
        "MTÜ Vabaduse Tugi",
        "Vabaduse Tugi tugikeskus",
        "Vabaduse Tugi support centre",
        "THB",
    ),
]

# Providers whose contract ended during the period (closed provision); the THB one was
# replaced by THB-HARJU the next day.
ENDED = [
    Organisation(
        "VLT-PARNU",
        "PARNU",
        "MTÜ Rannapere Tugi",
        "Rannapere Tugi nõustamiskeskus",
        "Rannapere Tugi counselling centre",
        "VLT",
    ),
    Organisation(
        "THB-SILD",
        "HARJU",
        "MTÜ Turvaline Sild",
        "Turvaline Sild tugikeskus",
        "Turvaline Sild support centre",
        "THB",
    ),
]
REPLACED_BY = {"THB-SILD": "THB-HARJU"}

POLICE_PREFECTURES = ["Põhja prefektuur", "Ida prefektuur", "Lõuna prefektuur", "Lääne prefektuur"]
PROSECUTOR = "Prokuratuur"
LOCAL_GOVERNMENTS = [
    "Tallinna Linnavalitsus",
    "Tartu Linnavalitsus",
    "Narva Linnavalitsus",
    "Pärnu Linnavalitsus",
    "Rakvere Linnavalitsus",
    "Viljandi Linnavalitsus",
    "Kohtla-Järve Linnavalitsus",
    "Saaremaa Vallavalitsus",
]
LOCAL_GOVERNMENTS_IN_DEMO = 5

POSITIONS = {
    "ngo": ["juhataja", "tugikeskuse juht", "juhtumikorraldaja", "psühholoog"],
    "health": ["kriisiabikeskuse juht", "ämmaemand", "günekoloog"],
    "police": ["lähisuhtevägivalla juhtivuurija", "piirkonnavanem", "ennetusjuht"],
    "prosecutor": ["ringkonnaprokurör", "noorteprokurör"],
    "local_government": ["lastekaitsespetsialist", "sotsiaalosakonna juhataja", "sotsiaaltöötaja"],
}

FIRST_NAMES = [
    "Mari",
    "Kadri",
    "Liis",
    "Triin",
    "Kersti",
    "Anne",
    "Piret",
    "Katrin",
    "Tiina",
    "Helen",
    "Kaja",
    "Ülle",
    "Merike",
    "Eve",
    "Olga",
    "Svetlana",
    "Irina",
    "Natalja",
    "Jaanus",
    "Andres",
    "Toomas",
    "Margus",
    "Priit",
    "Tõnu",
    "Urmas",
    "Kristjan",
    "Marko",
    "Aleksei",
    "Sergei",
    "Rasmus",
]
SURNAMES = [
    "Tamm",
    "Saar",
    "Sepp",
    "Mägi",
    "Kask",
    "Kukk",
    "Rebane",
    "Ilves",
    "Pärn",
    "Koppel",
    "Lepik",
    "Kuusk",
    "Karu",
    "Mets",
    "Vaher",
    "Laur",
    "Raudsepp",
    "Õun",
    "Jõgi",
    "Lõhmus",
    "Kivi",
    "Ivanova",
    "Smirnova",
    "Kuznetsov",
    "Petrov",
]
