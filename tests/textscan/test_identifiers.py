"""Personal codes, IBANs and e-mail addresses: named cases, each through `redact`."""

import pytest

from seire.textscan import Kind, is_valid_isikukood, redact

from .texts import iban_check_digits, with_check_digit

VALID_CODES = ["36805280109", "49001010001", "60001010007", "37605030299", "50001010006"]


def test_it_reads_full_width_digits_as_digits():
    assert is_valid_isikukood("３６８０５２８０１０９")
    assert redact("kood ３６８０５２８０１０９").text == "kood [isikukood]"


def test_it_ignores_spaces_inside_a_code():
    assert is_valid_isikukood("368 0528 0109")


@pytest.mark.parametrize("code", VALID_CODES)
def test_it_accepts_valid_personal_codes(code):
    assert with_check_digit(code[:10]) == code  # the test's own rule agrees
    assert is_valid_isikukood(code)


@pytest.mark.parametrize(
    "code, why",
    [
        ("36805280108", "wrong check digit"),
        ("49001010002", "wrong check digit"),
        (with_check_digit("3680230123"), "30 February"),
        (with_check_digit("4901301123"), "month 13"),
        (with_check_digit("4900132123"), "day 32"),
        (with_check_digit("0680528010"), "century digit 0"),
        (with_check_digit("9680528010"), "century digit 9"),
        ("3680528010", "ten digits"),
        ("368052801090", "twelve digits"),
        ("3680528O109", "a letter O"),
        ("", "empty"),
    ],
)
def test_it_rejects_invalid_personal_codes(code, why):
    assert not is_valid_isikukood(code), why


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Minu isikukood on 49001010001.", "Minu isikukood on [isikukood]."),
        ("IK:49001010001", "IK:[isikukood]"),
        ("kood 490 0101 0001, palun", "kood [isikukood], palun"),
        ("kood 4900101-0001", "kood [isikukood]"),
        ("Мой код 36805280109", "Мой код [isikukood]"),
        ("codes 36805280109 and 60001010007", "codes [isikukood] and [isikukood]"),
        ("kood 49001010001 5123 4567", "kood [isikukood] [telefon]"),
    ],
)
def test_it_hides_valid_personal_codes(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "number 49001010002",  # wrong check digit
        f"number {with_check_digit('3680230123')}",  # 30 February
        f"number {with_check_digit('9680528010')}",  # century digit 9
        "number 149001010001",  # a valid code inside a longer run of digits
    ],
)
def test_it_does_not_call_invalid_codes_personal_codes_but_hides_their_digits(text):
    result = redact(text)
    assert [f.kind for f in result.findings] == [Kind.PHONE]
    assert result.text == "number [telefon]"


def test_it_finds_codes_in_original_coordinates():
    text = "Kood: 490 0101 0001."
    (finding,) = redact(text).findings
    assert (finding.kind, text[finding.start : finding.end]) == (
        Kind.PERSONAL_CODE,
        "490 0101 0001",
    )


def test_the_tests_iban_rule_agrees_with_the_standard_example():
    assert iban_check_digits("EE", "2200221020145685") == "38"
    assert iban_check_digits("GB", "WEST12345698765432") == "82"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Konto EE382200221020145685.", "Konto [IBAN]."),
        ("Konto EE38 2200 2210 2014 5685.", "Konto [IBAN]."),
        ("konto ee38 2200 2210 2014 5685", "konto [IBAN]"),
        ("счёт EE38 2200 2210 2014 5685 Swedbank", "счёт [IBAN] Swedbank"),
        ("to GB82 WEST 1234 5698 7654 32 please", "to [IBAN] please"),
        ("DE89370400440532013000", "[IBAN]"),
        ("AB12 EE382200221020145685", "AB12 [IBAN]"),
    ],
)
def test_it_hides_ibans(text, expected):
    assert redact(text).text == expected


def test_it_does_not_take_a_wrong_check_for_an_iban_but_hides_the_digits():
    result = redact("Konto EE38 2200 2210 2014 5686")
    assert Kind.IBAN not in result.kinds
    assert result.text == "Konto EE[telefon]"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Kirjuta mari.maasikas@gmail.com", "Kirjuta [e-post]"),
        ("Kirjuta Mari.Maasikas@Gmail.COM!", "Kirjuta [e-post]!"),
        ("aadress jaan+ohvriabi@mail.ee.", "aadress [e-post]."),
        ("at a.b-c@post.ut.ee or x_y@example.co.uk", "at [e-post] or [e-post]"),
        ("<ivan.petrov@yandex.ru>", "<[e-post]>"),
        ("jüri@näide.ee", "[e-post]"),
        ("49001010001@eesti.ee", "[e-post]"),
        ("mari (at) example (dot) ee", "[e-post]"),
        ("mari[at]example.ee", "[e-post]"),
        ("mari at example dot ee", "[e-post]"),
        ("mari ät example punkt ee", "[e-post]"),
    ],
)
def test_it_hides_email_addresses(text, expected):
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    ["I was at home.", "kell 10 @ kontoris", "@ohvriabi postitas", "We met at the station.Then"],
)
def test_it_leaves_text_that_only_looks_like_an_address(text):
    assert redact(text).text == text
