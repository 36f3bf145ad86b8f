"""Client pseudonyms: a keyed hash (HMAC-SHA256) stands for a person; never the personal code."""

import hashlib
import hmac
import unicodedata

from django.conf import settings

PREFIX = "ck1_"  # versioned, so a later key rotation can tell old and new pseudonyms apart


def pseudonymise(identifier: str, key: str | None = None) -> str:
    """The client key for `identifier` (a personal code or case-system id).

    Whitespace and case are normalised first, so " 49001010006 " and "49001010006" give the
    same key. Raises ValueError for an empty identifier.

    >>> pseudonymise("49001010006", key="k") == pseudonymise(" 49001010006", key="k")
    True
    """
    normalised = unicodedata.normalize("NFKC", identifier).strip().upper()
    if not normalised:
        raise ValueError("an empty identifier cannot be pseudonymised")
    secret = (key if key is not None else settings.PSEUDONYM_KEY).encode()
    digest = hmac.new(secret, normalised.encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest


def is_pseudonym(value: str) -> bool:
    """True when `value` has the shape of a client key made by `pseudonymise`."""
    rest = value[len(PREFIX) :]
    return (
        value.startswith(PREFIX) and len(rest) == 64 and all(c in "0123456789abcdef" for c in rest)
    )
