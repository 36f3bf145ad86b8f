"""The redaction as a whole: markers, merging, coordinates and the value object."""

import dataclasses

import pytest

from seire.textscan import MARKERS, Finding, Kind, Redaction, redact


def test_it_marks_every_kind():
    text = (
        "Olen Mari Maasikas, isikukood 49001010001, tel +372 5123 4567, "
        "mari@example.ee, konto EE38 2200 2210 2014 5685."
    )
    result = redact(text)
    assert result.text == (
        "Olen [nimi], isikukood [isikukood], tel [telefon], [e-post], konto [IBAN]."
    )
    assert [f.kind for f in result.findings] == [
        Kind.NAME,
        Kind.PERSONAL_CODE,
        Kind.PHONE,
        Kind.EMAIL,
        Kind.IBAN,
    ]
    assert [text[f.start : f.end] for f in result.findings] == [
        "Mari Maasikas",
        "49001010001",
        "+372 5123 4567",
        "mari@example.ee",
        "EE38 2200 2210 2014 5685",
    ]
    assert result.original_length == len(text)


def test_every_kind_has_its_marker():
    assert {k: k.marker for k in Kind} == MARKERS
    assert set(MARKERS.values()) == {"[isikukood]", "[telefon]", "[e-post]", "[IBAN]", "[nimi]"}


def test_it_merges_overlapping_findings_into_one_marker_of_the_longest_kind():
    # The known name "Mari" is inside the e-mail address; the address wins.
    result = redact("Kirjuta mari.maasikas@example.ee", names=["Mari Maasikas"])
    assert result.text == "Kirjuta [e-post]"
    assert result.findings == (Finding(Kind.EMAIL, 8, 32),)


def test_it_merges_a_known_name_with_an_introduction():
    result = redact("Minu nimi on Mari Maasikas", names=["Mari"])
    assert result.text == "Minu nimi on [nimi]"
    assert len(result.findings) == 1


def test_it_leaves_text_without_personal_data_alone():
    text = "Töötaja oli väga abivalmis, kuid ootasin kaua. Aitäh!"
    assert redact(text) == Redaction(text, (), len(text))


def test_it_accepts_an_empty_text():
    assert redact("") == Redaction("", (), 0)


def test_it_returns_a_frozen_value():
    result = redact("tel 5123 4567")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "tel 5123 4567"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.findings[0].start = 0  # type: ignore[misc]


def test_its_kinds_are_strings():
    assert Kind.PHONE == "phone"
    assert redact("tel 5123 4567").kinds == {"phone"}


def test_it_keeps_looking_until_nothing_more_is_found():
    # libphonenumber rejects the whole run but, once the head is hidden, takes the tail.
    text = "0010000.000000.0"
    result = redact(text)
    assert result.text == "[telefon].[telefon]"
    assert [text[f.start : f.end] for f in result.findings] == ["0010000", "000000.0"]
    assert redact(result.text).text == result.text
