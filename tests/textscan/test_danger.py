"""Immediate danger in free text, for urgent routing: named sentences in three languages."""

import pytest

from seire.textscan import mentions_danger


@pytest.mark.parametrize(
    "text",
    [
        "Ta tapab mu ära, kui ma lahkun.",
        "Ta ütles, et tapab mind.",
        "Mees ähvardas mind eile tappa.",
        "Ma kardan oma elu pärast.",
        "Olen praegu ohus, palun aidake.",
        "Ta on jälle ukse taga.",
        "Mul on enesetapumõtted.",
        "Муж угрожает убить меня.",
        "Он сказал, что убьёт меня.",
        "Я боюсь за свою жизнь.",
        "Я в опасности, он рядом.",
        "Не хочу жить.",
        "He will kill me if he finds out.",
        "He threatened to kill my children.",
        "I am in danger now.",
        "I'm in danger, please call.",
        "I fear for my life.",
        "I want to kill myself.",
    ],
)
def test_it_notices_immediate_danger(text):
    assert mentions_danger(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ootasin kaua, aga töötaja oli väga abivalmis.",
        "Ma ei ole enam ohus, aitäh.",
        "Очень долго ждала ответа.",
        "Сотрудница была внимательна.",
        "The waiting is killing me, but the staff were kind.",
        "I am not in danger any more.",
        "",
    ],
)
def test_it_stays_quiet_otherwise(text):
    assert not mentions_danger(text)
