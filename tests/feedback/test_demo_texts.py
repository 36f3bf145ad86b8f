"""The demo's free texts: every personal datum planted in them comes out redacted."""

import random
import re

import pytest

from seire.feedback import demo
from seire.textscan import is_valid_isikukood, redact

DIGITS = re.compile(r"\d[\d ]{6,}\d")


@pytest.mark.parametrize("language", ["et", "ru", "en"])
def test_no_personal_datum_of_the_demo_survives_redaction(language):
    rng = random.Random(f"demo-texts-{language}")
    kinds = set()
    for _ in range(150):
        sentence = demo._personal(rng, language)
        text = f"{rng.choice(demo.TEXTS['negative'][language])} {sentence}"
        redacted = redact(text).text
        assert "@" not in redacted, redacted
        assert not DIGITS.search(redacted), redacted
        kinds |= {m for m in ("[telefon]", "[e-post]", "[isikukood]", "[IBAN]") if m in redacted}
    assert kinds == {"[telefon]", "[e-post]", "[isikukood]", "[IBAN]"}


def test_the_demo_makes_valid_and_invalid_personal_codes():
    rng = random.Random(1)
    valid = [demo._isikukood(rng, valid=True) for _ in range(50)]
    invalid = [demo._isikukood(rng, valid=False) for _ in range(50)]
    assert all(is_valid_isikukood(code) for code in valid)
    assert not any(is_valid_isikukood(code) for code in invalid)
