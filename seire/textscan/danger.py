"""Cues of immediate danger in free text, for urgent routing.

`mentions_danger` looks for phrases in Estonian, Russian and English that say a person is
threatened with death or serious harm, fears for their life, is in danger now, or thinks of
ending their own life. It is a routing aid, not an assessment: it is tuned to flag rather
than to miss, so a text that recounts an old threat ("he threatened to kill me last year")
is flagged too and a person decides. Simple negations of the phrases ("I am not in danger")
are not flagged, because the phrases are contiguous.

Phrases use the stem syntax of `seire.textscan.phrases` ("ähvard … tappa" finds
"ähvardas mind tappa").

>>> mentions_danger("Ta tapab mu ära, kui ma lahkun.")
True
>>> mentions_danger("Муж угрожает убить меня и детей.")
True
>>> mentions_danger("The wait was long but the staff were kind.")
False
"""

from .phrases import compile_phrases, normalise

__all__ = ["DANGER_PHRASES", "mentions_danger"]

DANGER_PHRASES: dict[str, tuple[str, ...]] = {
    "et": (
        "tapab mu",
        "tapab mind",
        "tapab meid",
        "tapan su",
        "tapan sind",
        "mind tapma",
        "meid tapma",
        "ähvard … tappa",
        "tahab … tappa",
        "lubas … tappa",
        "kardan oma elu",
        "kardan oma elu pärast",
        "elu on ohus",
        "olen … ohus",
        "oleme … ohus",
        "olen hädaohus",
        "ukse taga",
        "jälitab mind",
        "ei julge koju",
        "pole turvaline koju",
        "ei ole turvaline koju",
        "enesetap",
        "tahan surra",
        "võtan endalt elu",
        "ei taha enam elada",
    ),
    "ru": (
        "угрож … убить",
        "угрож … убью",
        "убьет меня",
        "убьет нас",
        "меня убьет",
        "нас убьет",
        "убью тебя",
        "хочет … убить",
        "боюсь за свою жизнь",
        "боюсь за жизнь",
        "жизнь в опасности",
        "я в опасности",
        "мы в опасности",
        "стоит за дверью",
        "преследует меня",
        "боюсь идти домой",
        "боюсь возвращаться домой",
        "покончить с собой",
        "покончу с собой",
        "не хочу жить",
    ),
    "en": (
        "will kill me",
        "going to kill me",
        "gonna kill me",
        "kill you",
        "threaten … kill",
        "fear for my life",
        "afraid for my life",
        "scared for my life",
        "am in danger",
        "i'm in danger",
        "are in danger",
        "life is in danger",
        "outside my door",
        "outside my house",
        "stalking me",
        "not safe to go home",
        "kill myself",
        "end my life",
        "want to die",
    ),
}

_DANGER = compile_phrases(p for phrases in DANGER_PHRASES.values() for p in phrases)


def mentions_danger(text: str) -> bool:
    """True when `text` contains a phrase of immediate danger in et, ru or en."""
    return bool(_DANGER.search(normalise(text)))
