"""Phone numbers: the formats people write, the fail-safe, and what is plainly not a phone."""

import pytest

from seire.textscan import Kind, redact


@pytest.mark.parametrize(
    "phone",
    [
        "+372 5123 4567",
        "+37251234567",
        "00372 5123 4567",
        "0037251234567",
        "(+372) 5123 4567",
        "+372-5123-4567",
        "5123 4567",
        "51234567",
        "512 3456",  # 7-digit mobile
        "612 3456",  # Tallinn fixed line
        "742 1234",  # Tartu fixed line
        "+358 40 123 4567",
        "+7 921 123-45-67",
        "+7 (921) 123-45-67",
        "8 921 123 45 67",
        "+44 20 7946 0958",
        "+371 2123 4567",
        "5123.4567",
    ],
)
def test_it_hides_phone_numbers(phone):
    text = f"Helistage {phone}, palun."
    result = redact(text)
    assert result.text == "Helistage [telefon], palun."
    assert [f.kind for f in result.findings] == [Kind.PHONE]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("asi nr 1234567", "asi nr [telefon]"),  # not a phone, maybe: hidden all the same
        ("viide 12345678901234", "viide [telefon]"),
        ("tel 5 1 2 3 4 5 6 7", "tel [telefon]"),
        ("tel51234567", "tel[telefon]"),
    ],
)
def test_it_hides_any_run_of_seven_digits_or_more(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "Käisin seal 12.03.2024 ja 5.4.24.",
        "Istung oli 12-03-2024.",
        "Aastatel 2019-2023 ja 2020–2021",
        "Avatud 9.00-17.00 ja 10:00–18:30",
        "Sain 1 500 000 eurot",
        "Ohvriabi telefon 116 006",
        "Häirekeskus 112",
        "toa number 123 456",
        "250 eurot, 3 last, 45 minutit",
    ],
)
def test_it_leaves_dates_times_money_and_short_numbers(text):
    assert redact(text).text == text
