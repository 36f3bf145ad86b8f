"""Stem phrases: the small matching language of the theme codebook and the danger list.

A phrase is one or more words. Each word is a *stem* that matches the start of a word:
``oota`` finds "ootasin" and "ootamine" but not "kootama". Matching ignores case and reads
"ё" as "е" and "’" as "'". The words of a phrase must follow one another, separated only
by spaces, commas, dashes or quotes (not across the end of a sentence or a line); the word
``…`` (or ``...``) between two words allows up to three other words in between.

>>> matcher = compile_phrases(["kaua oota", "ähvard … tappa"])
>>> bool(matcher.search(normalise("Pidin kaua ootama.")))
True
>>> bool(matcher.search(normalise("Ta ähvardas mind mitu korda tappa")))
True
>>> bool(matcher.search(normalise("Ootasin kaua.")))
False
"""

import re
from collections.abc import Iterable

__all__ = ["GAP", "compile_phrases", "normalise"]

GAP = ("…", "...")
_NEVER = re.compile(r"(?!)")
_BETWEEN = r"[^\w.!?\n]+"  # spaces, commas, dashes, quotes: not the end of a sentence
_WORD_GAP = rf"(?:{_BETWEEN}\w+){{0,3}}"  # up to three whole words


def normalise(text: str) -> str:
    """`text` folded the way phrases are: lower case, "ё" as "е", typographic apostrophes."""
    return text.casefold().replace("ё", "е").replace("’", "'")


def _phrase_pattern(phrase: str) -> str:
    words = normalise(phrase).split()
    if not words or words[0] in GAP or words[-1] in GAP:
        raise ValueError(f"phrase {phrase!r}: expected words, with '…' only between words")
    parts = []
    for i, word in enumerate(words):
        if word in GAP:
            parts.append(_WORD_GAP)
            continue
        if i:
            parts.append(_BETWEEN)
        parts.append(re.escape(word) + r"\w*")
    return r"(?<!\w)" + "".join(parts)


def compile_phrases(phrases: Iterable[str]) -> re.Pattern[str]:
    """One pattern that finds any of `phrases` in `normalise`d text.

    An empty list gives a pattern that never matches. Raises ValueError for a phrase with no
    words or one that starts or ends with the gap word ``…``.
    """
    patterns = sorted({_phrase_pattern(p) for p in phrases}, key=len, reverse=True)
    if not patterns:
        return _NEVER
    return re.compile("|".join(f"(?:{p})" for p in patterns))
