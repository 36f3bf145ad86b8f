"""`text_tone`: cues of praise and complaint in Estonian, Russian and English."""

import pytest

from seire.textscan import text_tone


@pytest.mark.parametrize(
    ("text", "tone"),
    [
        ("Suur aitäh, olen väga rahul!", "positive"),
        ("Töötaja oli ebaviisakas ja ükskõikne.", "negative"),
        ("Töötaja oli sõbralik, aga ootama pidin liiga kaua.", "mixed"),
        ("Очень помогли, спасибо!", "positive"),
        ("Никто не перезвонил, это ужасно.", "negative"),
        ("The staff were rude and nobody called back.", "negative"),
        ("Excellent support, thank you.", "positive"),
        ("Kohtuistung on järgmisel nädalal.", ""),  # a plain fact: no tone
    ],
)
def test_it_reads_the_tone_of_a_text(text, tone):
    assert text_tone(text) == tone


def test_a_cue_inside_a_word_does_not_count():
    # Cues are word starts: "halb" (bad) is not found inside "Kohalbina" or "tühalb".
    assert text_tone("Kohtusime Tühalbi külas.") == ""
