"""Redaction: free text with personal identifiers replaced by markers.

`redact` runs the detectors of `identifiers`, `phones` and `names`, merges what they found
and replaces each finding by a marker in Estonian, the working language of the service:

==================  ===============  ==============================================
kind                marker           found by
==================  ===============  ==============================================
``personal_code``   ``[isikukood]``  `identifiers.find_personal_codes` (checksum and date)
``iban``            ``[IBAN]``       `identifiers.find_ibans` (mod-97 and country format)
``email``           ``[e-post]``     `identifiers.find_emails` (also "(at)" spellings)
``phone``           ``[telefon]``    `phones.find_phones` (libphonenumber, then any 7+ digits)
``name``            ``[nimi]``       `names.find_known_names`, `names.find_introduced_names`
==================  ===============  ==============================================

Findings that overlap are merged into one, so markers never overlap; the merged finding
takes the kind of its longest part (ties: the order of the table). Findings are given in the
coordinates of the original text, so the analyst's view of the original can highlight them.

Redaction fails safe: when unsure, it hides (see `phones` for the digit runs and `names` for
the cues). Redacting a redacted text changes nothing more.

>>> r = redact("Olen Mari Maasikas, isikukood 49001010001, tel +372 5123 4567.")
>>> r.text
'Olen [nimi], isikukood [isikukood], tel [telefon].'
>>> [(f.kind.value, f.start, f.end) for f in r.findings]
[('name', 5, 18), ('personal_code', 30, 41), ('phone', 47, 61)]
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .identifiers import find_emails, find_ibans, find_personal_codes
from .names import find_introduced_names, find_known_names
from .phones import find_phones

__all__ = ["Finding", "Kind", "Redaction", "redact"]


class Kind(StrEnum):
    """What a finding is; the order is the tie-break when merged findings are equally long."""

    PERSONAL_CODE = "personal_code"
    IBAN = "iban"
    EMAIL = "email"
    PHONE = "phone"
    NAME = "name"

    @property
    def marker(self) -> str:
        """The text that replaces a finding of this kind, e.g. ``[isikukood]``."""
        return MARKERS[self]


MARKERS = {
    Kind.PERSONAL_CODE: "[isikukood]",
    Kind.IBAN: "[IBAN]",
    Kind.EMAIL: "[e-post]",
    Kind.PHONE: "[telefon]",
    Kind.NAME: "[nimi]",
}
_RANK = {kind: rank for rank, kind in enumerate(Kind)}
MAX_PASSES = 4


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing hidden: `text[start:end]` of the original text was a `kind`."""

    kind: Kind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted `text`, what was hidden (`findings`, sorted, never overlapping) and the
    length of the original, so findings can be checked against it."""

    text: str
    findings: tuple[Finding, ...]
    original_length: int

    @property
    def kinds(self) -> set[Kind]:
        """The kinds of what was hidden (empty when nothing was)."""
        return {f.kind for f in self.findings}


def _merge(findings: list[Finding]) -> list[Finding]:
    """Overlapping findings as one; each merged finding keeps the kind of its longest part."""
    merged: list[tuple[int, int, Finding]] = []  # start, end, the deciding part
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if merged and f.start < merged[-1][1]:
            start, end, best = merged[-1]
            if (f.end - f.start, -_RANK[f.kind]) > (best.end - best.start, -_RANK[best.kind]):
                best = f
            merged[-1] = (start, max(end, f.end), best)
        else:
            merged.append((f.start, f.end, f))
    return [Finding(best.kind, start, end) for start, end, best in merged]


def _detect(text: str, names: tuple[str, ...]) -> list[Finding]:
    """One pass of every detector over `text`, merged."""
    found = [Finding(Kind.PERSONAL_CODE, s, e) for s, e in find_personal_codes(text)]
    found += [Finding(Kind.IBAN, s, e) for s, e in find_ibans(text)]
    found += [Finding(Kind.EMAIL, s, e) for s, e in find_emails(text)]
    claimed = [(f.start, f.end) for f in found]
    found += [Finding(Kind.PHONE, s, e) for s, e in find_phones(text, claimed)]
    found += [Finding(Kind.NAME, s, e) for s, e in find_introduced_names(text)]
    found += [Finding(Kind.NAME, s, e) for s, e in find_known_names(text, names)]
    return _merge([f for f in found if f.start < f.end])


Marker = tuple[int, int, int, int]  # where a marker is in the redacted text, and in the original


def _apply(text: str, findings: list[Finding]) -> tuple[str, list[Marker]]:
    parts, markers, position, length = [], [], 0, 0
    for f in findings:
        kept = text[position : f.start]
        parts += [kept, f.kind.marker]
        length += len(kept)
        markers.append((length, length + len(f.kind.marker), f.start, f.end))
        length += len(f.kind.marker)
        position = f.end
    parts.append(text[position:])
    return "".join(parts), markers


def _in_original(finding: Finding, markers: list[Marker]) -> Finding:
    """A finding in a redacted text, moved to the original; a marker it touches is included."""

    def position(index: int, end: bool) -> int:
        shift = 0
        for red_start, red_end, orig_start, orig_end in markers:
            if index < red_start:
                break
            if index < red_end:
                return orig_end if end else orig_start
            shift += (orig_end - orig_start) - (red_end - red_start)
        return index + shift + (1 if end else 0)

    start, end = position(finding.start, False), position(finding.end - 1, True)
    return Finding(finding.kind, start, end)


def redact(text: str, names: Iterable[str] = ()) -> Redaction:
    """`text` with personal codes, IBANs, e-mail addresses, phone numbers and names hidden.

    `names` are names known to the system (for example the staff of the unit the text is
    about); they are hidden with their case endings wherever they occur. Names people give
    for themselves or others are found from cues such as "minu nimi on" (see `names`).
    An empty text gives an empty redaction; the function does not raise for any string.

    Some detectors depend on context: libphonenumber may reject a long run of digits as a
    whole yet accept part of it once its neighbour is hidden. So the detectors run again
    on the redacted text, and what they find there is added, until a pass finds nothing
    (at most `MAX_PASSES` passes); that is why redacting a redacted text changes nothing.
    """
    names = tuple(names)
    findings = _detect(text, names)
    shown, markers = _apply(text, findings)
    for _ in range(MAX_PASSES - 1):
        more = _detect(shown, names)
        if not more:
            break
        findings = _merge(findings + [_in_original(f, markers) for f in more])
        shown, markers = _apply(text, findings)
    return Redaction(shown, tuple(findings), len(text))
