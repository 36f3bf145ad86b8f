"""Finding people's names in free text: names we know, and names people introduce.

Seire cannot recognise every name, so it looks where names are likely:

* **Known names** (`find_known_names`): names the system already holds, such as the staff of
  the unit the feedback is about. The whole name and each of its words are found as whole
  words in any case ("Mari Maasikas", "mari", "MAASIKAS"), and, when capitalised, with a
  short case ending ("Maasikaga", "Mariga", "Анной", "Ивановой"): a stem may drop a final
  -s, -a, -я, -ь or -й and take up to four more letters.
* **Introduced names** (`find_introduced_names`): up to three words after a phrase that
  introduces a name. After "my name is", "minu nimi on", "меня зовут" and the like the
  next word is taken whatever its case ("my name is mari"); after weaker cues ("olen",
  "I am", a title like "hr"/"Mr"/"г-жа", a role like "töötaja"/"сотрудница"/"counsellor",
  a sign-off like "Lugupidamisega"/"С уважением"/"Best regards") only capitalised words are.

False positives ("olen Tallinnast" hides "Tallinnast") are accepted: they cost a word, a
missed name costs more.

>>> text = "Minu nimi on Mari Maasikas. Töötaja Jaan Tamm aitas; Tammega oli hea rääkida."
>>> [text[s:e] for s, e in find_introduced_names(text)]
['Mari Maasikas', 'Jaan Tamm']
>>> [text[s:e] for s, e in find_known_names(text, ["Jaan Tamm"])]
['Jaan Tamm', 'Tammega']
"""

import re
from collections.abc import Iterable

from .phrases import normalise

__all__ = ["find_introduced_names", "find_known_names"]

Span = tuple[int, int]

MAX_NAME_WORDS = 3
MARKER_WORDS = {"isikukood", "telefon", "e-post", "iban", "nimi"}  # as in redaction.MARKERS
MAX_ENDING = 4

# A word: letters, with inner apostrophes or hyphens ("Mari-Liis", "O'Neil"). Digits end a
# word rather than join it, so hiding digits next to a name cannot reveal a new word.
_LETTERS = r"[^\W\d_]"
_WORD = re.compile(rf"(?<!{_LETTERS}){_LETTERS}+(?:['’-]{_LETTERS}+)*")
# A single capital followed by a dot is an initial ("J. Smith", "Mari M.").
_INITIAL = re.compile(r"[^\W\d_]\.")
_NAME_GAP = re.compile(r"[ \t\u00a0]+")

# The next word is a name whatever its case.
_STRONG = [
    r"nimi\s+(?:on|oli)",  # minu/mu/tema/töötaja nimi on
    r"nimi(?=\s*:)",  # Nimi: Mari Maasikas
    r"зовут",  # меня/её/его зовут
    r"имя",  # моё имя, имя:
    r"name\s+(?:is|was)",
    r"name(?:'|’)s",
    r"name(?=\s*:)",
]
# Only capitalised words after these.
_WEAK = [
    r"(?:mina\s+|ma\s+)?olen|nimega",
    r"i\s+am|i(?:'|’)m|called|named",
    r"(?:hr|pr|dr|härra|proua|preili|mr|mrs|ms|miss)\.?",
    r"г-н|г-жа|господин|госпожа|гражданин|гражданка",
    r"(?:ohvriabi|sotsiaal)?töötaja\w*|spetsialist\w*|nõustaja\w*|konsultant\w*",
    r"psühholoog\w*|jurist\w*|uurija\w*|politseinik\w*|juhtumikorraldaja\w*",
    r"сотрудни\w*|специалист\w*|консультант\w*|психолог\w*|юрист\w*|следовател\w*",
    r"worker|counsell?or|specialist|psychologist|officer|lawyer|advis[eo]r|caseworker",
    r"lugupidamisega|parimate\s+soovidega|tervitustega|с\s+уважением|best\s+regards",
    r"kind\s+regards|regards|sincerely|thanks|thank\s+you|aitäh|спасибо",
]
_CUE = re.compile(
    r"(?<![^\W\d_])(?:(?P<strong>{})|(?P<weak>{}))(?=[\s:,—–-])[\s:,—–-]*".format(
        "|".join(_STRONG), "|".join(_WEAK)
    ),
    re.IGNORECASE,
)

_DROPPABLE_ENDINGS = "saяьй"


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _name_words(text: str, start: int, strong: bool) -> Span | None:
    """The span of up to three name words starting at `start`, or None when there is none."""
    end, position = None, start
    for count in range(MAX_NAME_WORDS):
        if count:
            gap = _NAME_GAP.match(text, position)
            if not gap:
                break
            position = gap.end()
        word = _INITIAL.match(text, position) or _WORD.match(text, position)
        if not word or not (_is_capitalised(word.group()) or (strong and count == 0)):
            break
        end = position = word.end()
    return None if end is None else (start, end)


def find_introduced_names(text: str) -> list[Span]:
    """Spans of the names that follow an introducing phrase (see the module docstring)."""
    spans = []
    for cue in _CUE.finditer(text):
        span = _name_words(text, cue.end(), strong=cue.group("strong") is not None)
        if span:
            spans.append(span)
    return spans


def _is_marker(text: str, word: re.Match[str]) -> bool:
    start, end = word.span()
    return (
        text[start - 1 : start] == "["
        and text[end : end + 1] == "]"
        and normalise(word.group()) in MARKER_WORDS
    )


def _stems(word: str) -> set[str]:
    folded = normalise(word)
    stems = {folded}
    if len(folded) >= 4 and folded[-1] in _DROPPABLE_ENDINGS:
        stems.add(folded[:-1])
    return stems


def find_known_names(text: str, names: Iterable[str]) -> list[Span]:
    """Spans of `names` and their words in `text`; adjacent name words make one span.

    Words shorter than two letters in `names` are ignored (an initial would match everywhere).
    The words of redaction markers ("[nimi]", "[IBAN]", …) are never taken for names.
    """
    exact: set[str] = set()
    stems: set[str] = set()
    for name in names:
        for word in _WORD.findall(name or ""):
            if len(word) >= 2:
                exact.add(normalise(word))
                stems |= _stems(word)
    if not exact:
        return []
    spans: list[Span] = []
    for match in _WORD.finditer(text):
        word = normalise(match.group())
        if _is_marker(text, match):
            continue
        known = word in exact or (
            _is_capitalised(match.group())
            and any(word.startswith(s) and len(word) - len(s) <= MAX_ENDING for s in stems)
        )
        if not known:
            continue
        if spans and _NAME_GAP.fullmatch(text, spans[-1][1], match.start()):
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append(match.span())
    return spans
