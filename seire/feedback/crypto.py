"""Encryption of what a respondent may have written about themselves.

Free text and contact details are stored as Fernet tokens (AES-128-CBC with an HMAC-SHA256,
from `cryptography`). The Fernet key is derived with HKDF-SHA256 from the `SEIRE_FEEDBACK_KEY`
setting, so any secret of any length can be configured; the `info` label keeps this key
apart from any other key a later version derives from the same secret.
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt"]

INFO = b"seire feedback text v1"


@cache
def _fernet(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def encrypt(text: str, *, iv: bytes | None = None, at: int | None = None) -> str:
    """The Fernet token (ASCII) of `text`; the empty string stays empty (nothing to hide).

    `iv` (16 bytes) and `at` (Unix time) fix the token's random parts, for the demo's
    deterministic data only; real feedback always gets a fresh random IV.

    >>> decrypt(encrypt("Mari, 5123 4567")) == "Mari, 5123 4567"
    True
    """
    if not text:
        return ""
    fernet = _fernet(settings.FEEDBACK_KEY)
    if iv is not None and at is not None:
        return fernet._encrypt_from_parts(text.encode(), at, iv).decode("ascii")
    return fernet.encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """The text of a token made by `encrypt`; raises InvalidToken for a wrong key or a
    damaged token, and returns "" for an empty one."""
    if not token:
        return ""
    return _fernet(settings.FEEDBACK_KEY).decrypt(token.encode("ascii")).decode()
