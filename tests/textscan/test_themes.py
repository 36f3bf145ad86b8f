"""The theme coder and its codebook: the shipped codebook, named sentences in three
languages, and one broken codebook file per loader error."""

from pathlib import Path

import pytest

from seire.textscan import DEFAULT_CODEBOOK_PATH, CodebookError, load_codebook, themes

BROKEN = Path(__file__).resolve().parent / "broken"
THEMES = {
    "waiting_time",
    "staff_attitude",
    "information",
    "accessibility",
    "safety",
    "police_court",
    "compensation",
    "positive_experience",
}


def test_it_ships_a_codebook_of_eight_themes_in_three_languages():
    codebook = load_codebook()
    assert set(codebook) == THEMES
    for theme, by_language in codebook.items():
        assert set(by_language) == {"et", "ru", "en"}, theme
        for language, phrases in by_language.items():
            assert 8 <= len(phrases) <= 15, (theme, language, len(phrases))
            assert len(set(phrases)) == len(phrases), (theme, language)


def test_it_reads_the_default_codebook_by_path_too():
    assert load_codebook(DEFAULT_CODEBOOK_PATH) == load_codebook()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Pidin järjekorras kolm nädalat ootama.", {"waiting_time"}),
        ("Töötaja oli ebaviisakas ja ei kuulanud mind.", {"staff_attitude"}),
        ("Keegi ei öelnud, kuhu pöörduda.", {"information"}),
        ("Ratastooliga ei pääsenud, lift ei töötanud.", {"accessibility"}),
        ("Ta jälitab mind ja ma kardan.", {"safety"}),
        ("Politsei ülekuulamine ja kohtuistung olid rasked.", {"police_court"}),
        ("Hüvitise taotlus on siiani menetlemata.", {"compensation"}),
        ("Suur tänu, soovitan kõigile!", {"positive_experience"}),
        ("Очень долго ждала, очередь огромная.", {"waiting_time"}),
        ("Сотрудник был груб и равнодушен.", {"staff_attitude"}),
        ("Мне не объяснили, куда обратиться.", {"information"}),
        ("Нужен был переводчик, а его не было.", {"accessibility"}),
        ("Я боюсь, он мне угрожает.", {"safety"}),
        ("Следователь вызвал меня на допрос.", {"police_court"}),
        ("Компенсацию ущерба так и не выплатили.", {"compensation"}),
        ("Спасибо, мне очень помогли!", {"positive_experience"}),
        ("I waited for weeks and nobody called back.", {"waiting_time"}),
        ("The officer was rude and dismissive.", {"staff_attitude", "police_court"}),
        ("The leaflet explained my rights.", {"information"}),
        ("There was no ramp for my wheelchair.", {"accessibility"}),
        ("I am scared he will find me.", {"safety"}),
        ("The court hearing was postponed twice.", {"police_court"}),
        ("I still have not received compensation.", {"compensation"}),
        ("Thank you, the counsellor was excellent.", {"positive_experience"}),
        ("Käisin seal eile.", set()),
        ("", set()),
    ],
)
def test_it_codes_themes_in_three_languages(text, expected):
    assert themes(text) == expected


def test_it_matches_stems_at_word_starts_only():
    codebook = {"waiting_time": {"et": ["oota"]}}
    assert themes("OOTASIN kaua", codebook) == {"waiting_time"}
    assert themes("kootasin", codebook) == set()


def test_it_matches_phrases_with_a_gap():
    codebook = {"safety": {"et": ["ähvard … tappa"]}}
    assert themes("ähvardas mind mitu korda tappa", codebook) == {"safety"}
    assert themes("ähvardas. Hiljem tahtis tappa", codebook) == set()


def test_it_reads_yo_as_ye():
    assert themes("Ещё ждём", {"waiting_time": {"ru": ["еще жде"]}}) == {"waiting_time"}


@pytest.mark.parametrize(
    "fixture, message",
    [
        ("bad_syntax", "bad_syntax.yaml:5: not valid YAML"),
        ("empty", "empty.yaml: empty; expected a mapping of themes"),
        ("not_a_mapping", "not_a_mapping.yaml:2: the codebook: expected a mapping"),
        ("duplicate_key", "duplicate_key.yaml:7: duplicate key 'et' (first at line 4)"),
        ("bad_theme_name", "bad_theme_name.yaml:2: theme 'Waiting Time': expected a snake_case"),
        ("theme_not_a_mapping", "theme_not_a_mapping.yaml:2: theme 'waiting_time': expected a"),
        ("unknown_key", "unknown_key.yaml:7: theme 'waiting_time': unknown key 'fi'"),
        ("missing_key", "missing_key.yaml:2: theme 'waiting_time': missing key 'ru'"),
        (
            "missing_description",
            "missing_description.yaml:3: theme 'waiting_time': expected a description",
        ),
        ("empty_list", "empty_list.yaml:6: theme 'waiting_time', en: expected a non-empty list"),
        ("phrase_not_text", "phrase_not_text.yaml:4: theme 'waiting_time', et: expected a phrase"),
        ("misplaced_gap", "misplaced_gap.yaml:6: theme 'waiting_time', en: '…' may only stand"),
    ],
)
def test_it_rejects_a_broken_codebook(fixture, message):
    with pytest.raises(CodebookError) as error:
        load_codebook(BROKEN / f"{fixture}.yaml")
    assert message in str(error.value)


def test_it_rejects_a_missing_file():
    with pytest.raises(CodebookError, match="cannot be read as UTF-8 text"):
        load_codebook(BROKEN / "no_such_file.yaml")


def test_every_broken_fixture_is_tested():
    tested = {p.stem for p in BROKEN.glob("*.yaml")}
    names = {args[0] for args in test_it_rejects_a_broken_codebook.pytestmark[0].args[1]}
    assert tested == names
