"""Names: the ones we know (staff) and the ones people introduce."""

import pytest

from seire.textscan import Kind, redact

STAFF = ["Mari Maasikas", "Jaan Tamm", "Анна Иванова", "Mari-Liis Kask"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mari Maasikas oli abivalmis.", "[nimi] oli abivalmis."),
        ("Rääkisin Mariga ja siis Maasikaga.", "Rääkisin [nimi] ja siis [nimi]."),
        ("jaan tamm ei vastanud", "[nimi] ei vastanud"),
        ("Tamme juures oli hea", "[nimi] juures oli hea"),
        ("Сотрудница Анной Ивановой была внимательна", "Сотрудница [nimi] была внимательна"),
        ("Mari-Liisiga oli hea rääkida", "[nimi] oli hea rääkida"),
        ("Tammsaare park", "Tammsaare park"),  # more than a case ending: another word
        ("tamme all", "tamme all"),  # an oak, not Mr Tamm: inflected forms need a capital
    ],
)
def test_it_hides_known_names_with_their_case_endings(text, expected):
    assert redact(text, names=STAFF).text == expected


def test_it_ignores_empty_and_one_letter_names():
    assert redact("A ja B läksid koju", names=["", "A", " ", "B"]).text == "A ja B läksid koju"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Minu nimi on Mari Maasikas.", "Minu nimi on [nimi]."),
        ("Tere! Mu nimi on mari, aitäh.", "Tere! Mu nimi on [nimi], aitäh."),
        ("Nimi: Jaan Tamm", "Nimi: [nimi]"),
        ("Olen Tõnu Mägi ja elan Tartus.", "Olen [nimi] ja elan Tartus."),
        ("olen väga tänulik", "olen väga tänulik"),
        ("Töötaja Kadri Saar aitas palju.", "Töötaja [nimi] aitas palju."),
        ("Rääkisin hr Rebasega", "Rääkisin hr [nimi]"),
        ("Lugupidamisega,\nMari Maasikas", "Lugupidamisega,\n[nimi]"),
        ("Меня зовут Анна Иванова, мне 30 лет.", "Меня зовут [nimi], мне 30 лет."),
        ("меня зовут анна", "меня зовут [nimi]"),
        ("Сотрудница Ольга мне помогла.", "Сотрудница [nimi] мне помогла."),
        ("С уважением, Сергей Смирнов", "С уважением, [nimi]"),
        ("My name is John Smith and I was robbed.", "My name is [nimi] and I was robbed."),
        ("I'm Sarah, thank you.", "I'm [nimi], thank you."),
        ("I am very grateful", "I am very grateful"),
        ("The counsellor, Mary Jones, listened.", "The counsellor, [nimi], listened."),
        ("Kind regards, J. Smith", "Kind regards, [nimi]"),
        ("My name is Anna Maria Louise Brown", "My name is [nimi] Brown"),  # three words at most
    ],
)
def test_it_hides_names_people_introduce(text, expected):
    assert redact(text).text == expected


def test_it_finds_an_introduced_name_in_original_coordinates():
    text = "Minu nimi on Mari Maasikas."
    (finding,) = redact(text).findings
    assert (finding.kind, text[finding.start : finding.end]) == (Kind.NAME, "Mari Maasikas")


def test_it_never_takes_a_marker_for_a_name():
    text = "[IBAN] [nimi] [telefon] [e-post] [isikukood]"
    assert redact(text, names=["Iba", "Nimi", "telefon", "e-post", "Isikukood"]).text == text
