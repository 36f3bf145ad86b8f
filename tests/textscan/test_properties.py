"""Properties of `redact` on arbitrary text: it never raises, its findings are sorted,
disjoint and within the text, the markers replace exactly the findings, and redacting the
result again changes nothing."""

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from seire.textscan import redact

# Pieces that make the detectors work hard when strung together at random.
PIECES = [
    "5123 4567",
    "+372 ",
    "00372",
    "+7 921 ",
    "123-45-67",
    "(921)",
    "49001010001",
    "490 0101 0001",
    "36805280109",
    "EE38 2200 2210 2014 5685",
    "EE382200221020145685",
    "GB82",
    "mari@example.ee",
    "@",
    ".",
    "-",
    " ",
    "\n",
    " at ",
    " dot ",
    "(at)",
    "Minu nimi on ",
    "Mari",
    "Maasikas",
    "меня зовут ",
    "Анна",
    "my name is ",
    "John",
    "olen ",
    "hr ",
    "Lugupidamisega, ",
    "[telefon]",
    "[nimi]",
    "[isikukood]",
    "[e-post]",
    "[IBAN]",
    "12.03.2024",
    "2019-2023",
    "9.00-17.00",
    "eurot",
    "1",
    "12",
    "123",
    "1234",
    "0",
    "+",
    "(",
    ")",
    "ё",
    "’",
]
texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=3)), max_size=25).map("".join),
)
known_names = st.lists(st.sampled_from(["Mari Maasikas", "Jaan", "Анна Иванова", "x"]))


def assert_well_formed(text, names=()):
    result = redact(text, names)
    assert result.original_length == len(text)
    position, rebuilt = 0, []
    for finding in result.findings:
        assert position <= finding.start < finding.end <= len(text)
        rebuilt += [text[position : finding.start], finding.kind.marker]
        position = finding.end
    assert "".join(rebuilt) + text[position:] == result.text
    return result


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, known_names)
@example("Minu nimi on mari tamm", [])
@example("0010000.000000.0", [])  # libphonenumber takes the tail only once the head is hidden
@example("MARI0000000", ["Mari Maasikas"])
@example("[IBAN] [nimi] [telefon]", ["Iba", "nimi", "Telefon"])
@example("kood 490 0101 0001 5123 4567", [])
@example("1234567 89 +372 5123 4567 mari at example dot ee", ["Mari"])
def test_it_is_well_formed_and_idempotent(text, names):
    result = assert_well_formed(text, names)
    again = redact(result.text, names)
    assert again.text == result.text
