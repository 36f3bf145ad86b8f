"""Finding telephone numbers in free text, failing safe.

Two passes. First Google's libphonenumber (the `phonenumbers` package) finds numbers with
`PhoneNumberMatcher(text, "EE", leniency=Leniency.POSSIBLE)`: Estonian numbers with or
without +372/00372 ("5123 4567", "+372 5123 4567", "00372 612 3456") and international ones
("+7 921 123-45-67", "+44 20 7946 0958", "+358 40 123 4567").

Then the fail-safe: any remaining run of 7 or more digits, written together or in groups
joined by single spaces or hyphens (with an optional leading "+" and parenthesised groups),
is taken for a phone number too. We would rather hide a case number, an invalid personal
code or an unusual foreign number than show a real phone number: a false positive costs a
reader a few digits, a leak can cost a victim their safety.

Digits that are plainly not a phone are left alone in both passes: a date ("12.03.2024",
"12-03-2024"), a range of years ("2019–2023"), a range of times ("9.00–17.00") and a sum of
money in thousands with its currency ("1 500 000 eurot").

>>> text = "Helistage +372 5123 4567 või 5234 5678, asi nr 1234567, 12.03.2024 kell 9.00-17.00"
>>> [text[s:e] for s, e in find_phones(text)]
['+372 5123 4567', '5234 5678', '1234567']
"""

import re
from collections.abc import Iterable

from phonenumbers import Leniency, PhoneNumberMatcher

__all__ = ["MIN_DIGITS", "find_phones"]

Span = tuple[int, int]

MIN_DIGITS = 7
DEFAULT_REGION = "EE"

# Groups of digits (or "(921)") joined by one space, no-break space or tab, or by a hyphen or
# dash with optional single spaces around it.
_GROUP = r"(?:\(\d+\)|\d+)"
_JOIN = r"(?:[ \u00a0\t]?[-–—][ \u00a0\t]?|[ \u00a0\t])"
_DIGIT_RUN = re.compile(rf"(?<!\d)\+?{_GROUP}(?:{_JOIN}{_GROUP})*")

_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{2}|\d{4})")
_YEARS = re.compile(r"(?:19|20)\d\d\s?[-–—]\s?(?:19|20)\d\d")
_TIMES = re.compile(r"(\d{1,2})[.:](\d\d)\s?[-–—]\s?(\d{1,2})[.:](\d\d)")
_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0.,]\d{3})+")
_CURRENCY = re.compile(r"\s?(?:€|eur|euro|руб|rub|\$|£|usd)", re.IGNORECASE)


def _plainly_not_a_phone(text: str, start: int, end: int) -> bool:
    value = text[start:end].strip()
    if date := _DATE.fullmatch(value):
        return 1 <= int(date[1]) <= 31 and 1 <= int(date[3]) <= 12
    if _YEARS.fullmatch(value):
        return True
    if times := _TIMES.fullmatch(value):
        hours, minutes = [int(times[i]) for i in (1, 3)], [int(times[i]) for i in (2, 4)]
        return max(hours) <= 24 and max(minutes) <= 59
    return bool(_THOUSANDS.fullmatch(value)) and bool(_CURRENCY.match(text, end))


def _matched_numbers(text: str) -> list[Span]:
    matches = PhoneNumberMatcher(text, DEFAULT_REGION, leniency=Leniency.POSSIBLE)
    return [(m.start, m.end) for m in matches if not _plainly_not_a_phone(text, m.start, m.end)]


def _uncovered(start: int, end: int, covered: list[Span]) -> list[Span]:
    pieces, position = [], start
    for s, e in covered:
        if e <= position or s >= end:
            continue
        if s > position:
            pieces.append((position, s))
        position = max(position, e)
    if position < end:
        pieces.append((position, end))
    return pieces


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and not (text[start].isdigit() or text[start] in "+("):
        start += 1
    while end > start and not (text[end - 1].isdigit() or text[end - 1] == ")"):
        end -= 1
    return start, end


def find_phones(text: str, claimed: Iterable[Span] = ()) -> list[Span]:
    """Spans of phone numbers in `text`, in order, including the fail-safe digit runs.

    `claimed` are spans already found by other detectors (personal codes, IBANs, e-mail
    addresses): digits inside them are not counted again by the fail-safe, so a personal code
    followed by a phone number gives two findings rather than one.
    """
    found = _matched_numbers(text)
    covered = sorted([*found, *claimed])
    for run in _DIGIT_RUN.finditer(text):
        for piece in _uncovered(*run.span(), covered):
            start, end = _trim(text, *piece)
            digits = sum(c.isdigit() for c in text[start:end])
            if digits >= MIN_DIGITS and not _plainly_not_a_phone(text, start, end):
                found.append((start, end))
    return sorted(found)
