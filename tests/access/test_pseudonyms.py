"""Client keys are HMAC-SHA256 of the normalised identifier with the pseudonym key."""

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from seire.access.pseudonyms import is_pseudonym, pseudonymise


def test_it_matches_an_independent_hmac_sha256():
    expected = hmac.new(b"secret", b"49001010006", hashlib.sha256).hexdigest()
    assert pseudonymise("49001010006", key="secret") == "ck1_" + expected


def test_it_normalises_whitespace_and_case_before_hashing():
    assert pseudonymise(" ab123 ", key="k") == pseudonymise("AB123", key="k")


def test_it_depends_on_the_key():
    assert pseudonymise("49001010006", key="a") != pseudonymise("49001010006", key="b")


def test_it_uses_the_configured_key_by_default(settings):
    settings.PSEUDONYM_KEY = "configured"
    assert pseudonymise("x1") == pseudonymise("x1", key="configured")


def test_it_refuses_an_empty_identifier():
    with pytest.raises(ValueError, match="empty"):
        pseudonymise("   ", key="k")


@given(st.text(min_size=1).filter(lambda s: s.strip()))
def test_it_never_contains_the_identifier_and_always_looks_like_a_pseudonym(identifier):
    key = pseudonymise(identifier, key="k")
    assert is_pseudonym(key)
    assert identifier.strip().upper() not in key.upper() or len(identifier.strip()) < 3


def test_it_does_not_take_a_personal_code_for_a_pseudonym():
    assert not is_pseudonym("49001010006")
    assert not is_pseudonym("ck1_" + "z" * 64)
