"""Generated feedback texts with personal data planted in them, for the redaction tests.

The personal codes and IBANs are computed here, independently of python-stdnum, from the
published rules: isikukood check digit with weights 1…9,1 and, when that gives 10, 3…9,1,2,3
(10 again gives 0); IBAN check digits by ISO 7064 mod 97-10 (98 − the remainder of the
rearranged number with "00" for the check digits).
"""

import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta

WEIGHTS_1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 1)
WEIGHTS_2 = (3, 4, 5, 6, 7, 8, 9, 1, 2, 3)
CENTURIES = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000, 7: 2100, 8: 2100}


def check_digit(first_ten: str) -> str:
    """The isikukood check digit of the first ten digits."""
    total = sum(int(d) * w for d, w in zip(first_ten, WEIGHTS_1, strict=True)) % 11
    if total == 10:
        total = sum(int(d) * w for d, w in zip(first_ten, WEIGHTS_2, strict=True)) % 11
    return "0" if total == 10 else str(total)


def with_check_digit(first_ten: str) -> str:
    return first_ten + check_digit(first_ten)


def valid_code(rng: random.Random) -> str:
    g = rng.randint(1, 8)
    start = date(CENTURIES[g], 1, 1)
    born = start + timedelta(days=rng.randrange((date(CENTURIES[g] + 99, 12, 31) - start).days))
    return with_check_digit(f"{g}{born:%y%m%d}{rng.randrange(1000):03d}")


def bad_checksum_code(rng: random.Random) -> str:
    code = valid_code(rng)
    return code[:10] + str((int(code[10]) + rng.randint(1, 9)) % 10)


def bad_date_code(rng: random.Random) -> str:
    """A code with a correct check digit but a date that does not exist (or century 0/9)."""
    g = rng.choice("3456")
    yy = f"{rng.randrange(100):02d}"
    mmdd = rng.choice(["1301", "0001", "0132", "0230", "0431", "0100", "9999"])
    if rng.random() < 0.2:
        g, mmdd = rng.choice("09"), "0101"
    return with_check_digit(f"{g}{yy}{mmdd}{rng.randrange(1000):03d}")


# -- IBANs --------------------------------------------------------------------------------
IBAN_FORMATS = {  # country: BBAN as (kind, length) parts; n digits, a capital letters
    "EE": [("n", 16)],
    "FI": [("n", 14)],
    "LT": [("n", 16)],
    "DE": [("n", 18)],
    "LV": [("a", 4), ("n", 13)],
    "GB": [("a", 4), ("n", 14)],
}


def iban_check_digits(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def valid_iban(rng: random.Random, country: str | None = None) -> str:
    country = country or rng.choice(sorted(IBAN_FORMATS))
    alphabet = {"n": string.digits, "a": string.ascii_uppercase}
    bban = "".join(
        "".join(rng.choice(alphabet[kind]) for _ in range(length))
        for kind, length in IBAN_FORMATS[country]
    )
    return country + iban_check_digits(country, bban) + bban


def written_iban(rng: random.Random, iban: str) -> str:
    if rng.random() < 0.5:
        return iban
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


# -- phone numbers --------------------------------------------------------------------------
def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def phone(rng: random.Random) -> tuple[str, str]:
    """A phone number as written and its national digits (without any country code)."""
    m = "5" + _digits(rng, 7)  # Estonian mobile, 8 digits
    fixed = rng.choice(["6", "7", "4", "3"]) + _digits(rng, 6)  # Estonian fixed line, 7 digits
    if fixed[0] in "34":  # 3x and 4x fixed lines start 32, 33, 35, 38, 39, 43-48
        fixed = fixed[0] + rng.choice("2358" if fixed[0] == "3" else "345678") + fixed[2:]
    ru = "9" + _digits(rng, 9)
    fi = "40" + _digits(rng, 7)
    gb = "20" + _digits(rng, 8)
    lv = "2" + _digits(rng, 7)
    formats = [
        (f"+372 {m[:4]} {m[4:]}", m),
        (f"+372{m}", m),
        (m, m),
        (f"{m[:4]} {m[4:]}", m),
        (f"00372 {m[:4]} {m[4:]}", m),
        (f"00372{m}", m),
        (f"(+372) {m[:4]} {m[4:]}", m),
        (f"+372-{m[:4]}-{m[4:]}", m),
        (f"{m[:3]} {m[3:5]} {m[5:]}", m),
        (f"{fixed[:3]} {fixed[3:]}", fixed),
        (f"+372 {fixed[:3]} {fixed[3:]}", fixed),
        (fixed, fixed),
        (f"+358 {fi[:2]} {fi[2:5]} {fi[5:]}", fi),
        (f"+358{fi}", fi),
        (f"+7 {ru[:3]} {ru[3:6]}-{ru[6:8]}-{ru[8:]}", ru),
        (f"+7 ({ru[:3]}) {ru[3:6]}-{ru[6:8]}-{ru[8:]}", ru),
        (f"8 {ru[:3]} {ru[3:6]} {ru[6:8]} {ru[8:]}", ru),
        (f"+44 {gb[:2]} {gb[2:6]} {gb[6:]}", gb),
        (f"+371 {lv[:4]} {lv[4:]}", lv),
    ]
    return rng.choice(formats)


# -- e-mail addresses and names -------------------------------------------------------------
FIRST = {
    "et": ["Mari", "Jaan", "Kadri", "Tõnu", "Liis", "Margus", "Ülle", "Mari-Liis", "Priit"],
    "ru": ["Анна", "Сергей", "Ольга", "Дмитрий", "Наталья", "Игорь"],
    "en": ["John", "Mary", "Olivia", "James", "Sarah", "David"],
}
LAST = {
    "et": ["Maasikas", "Tamm", "Saar", "Sepp", "Mägi", "Kask", "Rebane", "Ilves", "Pärn"],
    "ru": ["Иванова", "Смирнов", "Кузнецова", "Попов", "Соколова", "Волков"],
    "en": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson"],
}
LATIN = {"Анна": "anna", "Сергей": "sergei", "Ольга": "olga", "Дмитрий": "dmitri"}


def email(rng: random.Random) -> str:
    first = rng.choice(FIRST["et"] + FIRST["en"]).lower().replace("õ", "o").replace("ü", "u")
    last = rng.choice(LAST["et"] + LAST["en"]).lower().replace("ä", "a")
    local = rng.choice(
        [
            f"{first}.{last}",
            f"{first}{rng.randrange(100)}",
            f"{first}_{last}",
            f"{first}+abi",
            f"{first[0]}.{last}",
        ]
    )
    domain = rng.choice(
        [
            "gmail.com",
            "mail.ee",
            "hot.ee",
            "post.ut.ee",
            "eesti.ee",
            "yandex.ru",
            "example.co.uk",
            "mail.example.org",
        ]
    )
    address = f"{local}@{domain}"
    return address.upper() if rng.random() < 0.05 else address


# -- templates ------------------------------------------------------------------------------
TEMPLATES = {
    "et": [
        "Minu isikukood on {code}.",
        "Isikukood: {code}, palun helistage.",
        "Helistage mulle numbril {phone}.",
        "Mu telefon on {phone}, võib ka kirjutada.",
        "Kirjutage aadressile {email}.",
        "Hüvitis palun kontole {iban}.",
        "Minu nimi on {name}.",
        "Mina olen {name} ja ootasin kaua.",
        "Lapse kood oli {bad_code}, kui ma õigesti mäletan.",
        "Juhtumi number {bad_code} jäi mulle meelde.",
    ],
    "ru": [
        "Мой личный код {code}.",
        "Позвоните мне по номеру {phone}.",
        "Мой телефон {phone}, звоните вечером.",
        "Пишите на {email}, пожалуйста.",
        "Компенсацию прошу перевести на счёт {iban}.",
        "Меня зовут {name}.",
        "Код {bad_code} был написан в бумаге.",
    ],
    "en": [
        "My personal code is {code}.",
        "Call me on {phone} after six.",
        "My mobile is {phone}.",
        "You can email me at {email}.",
        "Please pay the compensation to {iban}.",
        "My name is {name}.",
        "The reference {bad_code} was on the letter.",
    ],
}
FILLERS = {
    "et": [
        "Pöördusin ohvriabisse 12.03.2024 pärast juhtunut.",
        "Ootasin vastust kaks nädalat.",
        "Töötaja oli väga abivalmis ja kuulas mind.",
        "Infot oma õigustest sain vähe.",
        "Vastuvõtt oli avatud 9.00-17.00, mis sobis.",
        "Sain hüvitist 250 eurot.",
        "Kohtuistung oli aastatel 2019-2023 mitu korda edasi lükatud.",
        "Ohvriabi telefon 116 006 oli abiks.",
    ],
    "ru": [
        "Я обратилась за помощью 05.11.2023.",
        "Сотрудница была очень внимательна.",
        "Очень долго ждала ответа.",
        "Мне не объяснили мои права.",
    ],
    "en": [
        "I contacted victim support on 3.4.2024.",
        "The staff were kind and listened.",
        "I waited for weeks for a call back.",
        "Nobody told me where to turn.",
    ],
}


@dataclass
class Generated:
    """A text and what was planted in it."""

    text: str
    codes: list[str] = field(default_factory=list)
    bad_codes: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)  # as written, national digits
    emails: list[str] = field(default_factory=list)
    ibans: list[tuple[str, str]] = field(default_factory=list)  # as written, compact
    names: list[str] = field(default_factory=list)
    fillers: list[str] = field(default_factory=list)


def generate(seed: int) -> Generated:
    """A feedback text of three to six sentences in one language (seeded, so repeatable)."""
    rng = random.Random(f"seire-textscan-{seed}")
    language = rng.choice(sorted(TEMPLATES))
    planted = Generated("")
    sentences = []
    for _ in range(rng.randint(3, 6)):
        if rng.random() < 0.3:
            sentence = rng.choice(FILLERS[language])
            planted.fillers.append(sentence)
            sentences.append(sentence)
            continue
        template = rng.choice(TEMPLATES[language])
        values = {}
        if "{code}" in template:
            values["code"] = valid_code(rng)
            planted.codes.append(values["code"])
        if "{bad_code}" in template:
            values["bad_code"] = rng.choice([bad_checksum_code, bad_date_code])(rng)
            planted.bad_codes.append(values["bad_code"])
        if "{phone}" in template:
            written, national = phone(rng)
            values["phone"] = written
            planted.phones.append((written, national))
        if "{email}" in template:
            values["email"] = email(rng)
            planted.emails.append(values["email"])
        if "{iban}" in template:
            iban = valid_iban(rng)
            values["iban"] = written_iban(rng, iban)
            planted.ibans.append((values["iban"], iban))
        if "{name}" in template:
            values["name"] = f"{rng.choice(FIRST[language])} {rng.choice(LAST[language])}"
            planted.names.append(values["name"])
        sentences.append(template.format(**values))
    planted.text = rng.choice([" ", "\n", "  "]).join(sentences)
    return planted
