"""The tone of a free text, from short cue phrases in Estonian, Russian and English.

`text_tone(text)` counts positive and negative cues and returns "positive", "negative",
"mixed" (both) or "" (neither). It refines the sentiment the ratings give; it is not meant
to stand on its own. Phrases use the stem syntax of `seire.textscan.phrases`.

>>> text_tone("Aitäh, töötaja oli väga abivalmis!")
'positive'
>>> text_tone("Keegi ei helistanud tagasi, väga halb.")
'negative'
>>> text_tone("Спасибо, но ждать пришлось слишком долго.")
'mixed'
>>> text_tone("")
''
"""

from .phrases import compile_phrases, normalise

__all__ = ["NEGATIVE_CUES", "POSITIVE_CUES", "text_tone"]

POSITIVE_CUES = (
    # et
    "aitäh", "tänan", "tänu", "olen rahul", "väga rahul", "abivalmi", "sõbralik", "hooliv",
    "soovitan", "suurepärane", "väga hea", "aitas mind", "toetav",
    # ru
    "спасибо", "благодар", "помогли", "помогла", "доволен", "довольна", "рекомендую",
    "отличн", "внимательн", "вежлив",
    # en
    "thank", "grateful", "helpful", "helped me", "great", "excellent", "recommend",
    "satisfied", "kind", "supportive", "very good",
)  # fmt: skip
NEGATIVE_CUES = (
    # et
    "halb", "halvasti", "ebaviisakas", "ükskõikne", "ülbe", "pettu", "rahulolematu",
    "ei helistanud", "ei aidanud", "ei kuulanud", "ei uskunud", "liiga kaua", "kaua oota",
    "keegi ei", "segane", "kahju, et",
    # ru
    "плохо", "плох", "груб", "равнодуш", "разочаров", "не помогли", "не помог", "не перезвонил",
    "слишком долго", "никто не", "недовол", "ужасн",
    # en
    "bad", "poor", "rude", "dismissive", "disappoint", "did not help", "didn't help",
    "never called", "too long", "nobody", "unhappy", "terrible", "awful",
)  # fmt: skip

_POSITIVE = compile_phrases(POSITIVE_CUES)
_NEGATIVE = compile_phrases(NEGATIVE_CUES)


def text_tone(text: str) -> str:
    """ "positive", "negative", "mixed" or "" for a text with no cue."""
    folded = normalise(text or "")
    positive, negative = bool(_POSITIVE.search(folded)), bool(_NEGATIVE.search(folded))
    if positive and negative:
        return "mixed"
    return "positive" if positive else "negative" if negative else ""
