"""Finding personal codes, IBANs and e-mail addresses in free text.

Each ``find_*`` function returns the ``(start, end)`` spans of what it found, in order; the
spans index the text as given. They are the building blocks of `seire.textscan.redact`.

Estonian personal identification code (isikukood) GYYMMDDSSSC, validated by python-stdnum
(`stdnum.ee.ik`): G 1–8 gives the century and sex, YYMMDD must be a real date, SSS is a
serial and C the check digit (weights 1…9,1 → sum mod 11; if 10, weights 3…9,1,2,3; if 10
again, 0). In text a code is an 11-digit run that is not part of a longer run of digits, or
11 digits written in groups joined by single spaces or hyphens ("490 0101 0006",
"4900101-0006"). A run with a wrong check digit or an impossible date is not a personal
code (the phone fail-safe still hides it when it has 7 or more digits).

>>> is_valid_isikukood("36805280109"), is_valid_isikukood("36805280108")
(True, False)
>>> find_personal_codes("IK 36805280109, vana 368 0528 0109")
[(3, 14), (21, 34)]
>>> find_ibans("Konto EE38 2200 2210 2014 5685.")
[(6, 30)]
>>> find_emails("Kirjuta mari.maasikas+abi@post.example.ee või mari (at) example dot ee")
[(8, 41), (46, 70)]
"""

import re

from stdnum import iban as stdnum_iban
from stdnum.ee import ik as stdnum_ik

__all__ = ["find_emails", "find_ibans", "find_personal_codes", "is_valid_isikukood"]

Span = tuple[int, int]

# \d: full-width digits count too (stdnum reads them as digits); validation decides.
_CODE = re.compile(r"(?<!\d)\d{11}(?!\d)")
# Digit groups joined by one space, no-break space or hyphen.
_GROUPED_DIGITS = re.compile(r"(?<!\d)\d+(?:[ \u00a0-]\d+)+(?!\d)")
_GROUP = re.compile(r"\d+")

# Two letters and two check digits start an IBAN; letters and digits follow, optionally in
# groups separated by single spaces. find_ibans tries the longest prefix first.
_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}")
_IBAN_BODY = re.compile(r"[A-Za-z0-9]*(?:[ \u00a0][A-Za-z0-9]+)*")
_IBAN_SEPARATORS = re.compile(r"[ \u00a0]+")

# local@domain: the local part allows dots, plus addressing and the usual punctuation; the
# domain needs at least one label. Unicode letters are allowed on both sides (IDN).
_EMAIL = re.compile(r"(?<![\w.%+'-])[\w%+'-](?:[\w.%+'-]*[\w%+'-])?@[\w-]+(?:\.[\w-]+)*")
# "mari (at) example (dot) ee", "mari [at] example.ee", "mari at example dot ee": a bracketed
# "at" with any dots, or a bare "at" only when the dots are spelled out too.
_LABEL = r"[^\W_][\w-]*"
_AT_BRACKETED = r"\s*[(\[{]\s*(?:at|ät|ätt|собака)\s*[)\]}]\s*"
_AT_BARE = r"\s+(?:at|ät)\s+"
_DOT_SPELLED = r"(?:\s*[(\[{]\s*(?:dot|punkt|точка)\s*[)\]}]\s*|\s+(?:dot|punkt|точка)\s+)"
_DOT_ANY = rf"(?:{_DOT_SPELLED}|\.)"
_LOCAL = r"(?<![\w.%+'-])[\w%+'-](?:[\w.%+'-]*[\w%+'-])?"
_OBFUSCATED_EMAIL = re.compile(
    rf"{_LOCAL}(?:{_AT_BRACKETED}{_LABEL}(?:{_DOT_ANY}{_LABEL})+"
    rf"|{_AT_BARE}{_LABEL}(?:{_DOT_SPELLED}{_LABEL})+)",
    re.IGNORECASE,
)


def is_valid_isikukood(code: str) -> bool:
    """True when `code` is a valid Estonian personal identification code.

    Checks the length (11 digits), the century digit (1–8), that the birth date exists and the
    check digit. Spaces inside the code are ignored ("368 0528 0109" is valid) and full-width
    digits read as digits; any other character makes it invalid.
    """
    return isinstance(code, str) and stdnum_ik.is_valid(code)


def find_personal_codes(text: str) -> list[Span]:
    """Spans of valid personal codes: 11-digit runs, and 11 digits in joined groups."""
    spans = {m.span() for m in _CODE.finditer(text) if is_valid_isikukood(m.group())}
    for chain in _GROUPED_DIGITS.finditer(text):
        groups = [g.span() for g in _GROUP.finditer(chain.group())]
        offset = chain.start()
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                digits += chain.group()[slice(*groups[j])]
                if len(digits) > 11:
                    break
                if len(digits) == 11 and j > i and is_valid_isikukood(digits):
                    spans.add((offset + groups[i][0], offset + groups[j][1]))
    return sorted(spans)


def find_ibans(text: str) -> list[Span]:
    """Spans of IBANs (any country, mod-97 and the country's format checked by stdnum).

    Written compact ("EE382200221020145685") or in groups of letters and digits separated by
    single spaces; lower case is accepted. From each start the longest valid prefix that ends
    at a group boundary wins, so a word after the IBAN is not swallowed.
    """
    spans: list[Span] = []
    for start in _IBAN_START.finditer(text):
        if spans and start.start() < spans[-1][1]:
            continue
        body = _IBAN_BODY.match(text, start.end())
        value = text[start.start() : body.end()]
        ends, length = [], 4  # prefixes ending at a group boundary, at most 34 characters
        for group in re.finditer(r"[A-Za-z0-9]+", value[4:]):
            length += len(group.group())
            if length > 34:
                break
            ends.append(4 + group.end())
        for end in reversed(ends):
            compact = _IBAN_SEPARATORS.sub("", value[:end])
            if len(compact) >= 15 and stdnum_iban.is_valid(compact):
                spans.append((start.start(), start.start() + end))
                break
    return spans


def find_emails(text: str) -> list[Span]:
    """Spans of e-mail addresses, including obfuscated ones ("nimi (at) domeen dot ee").

    Deliberately broad: anything shaped local@domain counts, even without a top-level domain,
    because showing an address is worse than hiding a few odd words.
    """
    spans = [m.span() for m in _EMAIL.finditer(text)]
    spans += [m.span() for m in _OBFUSCATED_EMAIL.finditer(text)]
    return sorted(spans)
