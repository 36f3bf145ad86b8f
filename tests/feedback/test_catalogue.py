"""The `surveys` catalogue section: strict, idempotent, and versioned once answered."""

from pathlib import Path

import pytest

from seire.catalogue.loader import DEFAULT_DIRECTORY, CatalogueError, export_catalogue, read_yaml
from seire.feedback import catalogue
from seire.feedback.answers import check_answers, store_response
from seire.feedback.models import Question, Survey, SurveyVersion

pytestmark = pytest.mark.django_db
SHIPPED = DEFAULT_DIRECTORY / "surveys.yaml"


def load_text(tmp_path: Path, text: str):
    path = tmp_path / "surveys.yaml"
    path.write_text(text, encoding="utf-8")
    return catalogue.load(read_yaml(path))


def edited(tmp_path: Path, old: str, new: str):
    text = SHIPPED.read_text(encoding="utf-8")
    assert old in text
    return load_text(tmp_path, text.replace(old, new, 1))


def test_it_loads_the_default_client_survey_and_the_partner_survey(cast):
    counts = catalogue.load(read_yaml(SHIPPED))
    assert (counts["surveys"].created, counts["survey versions"].created) == (2, 2)
    client = Survey.objects.get(code="vs-client")
    assert (client.service, client.kind) == (cast.vs, "client")
    codes = [q.code for q in client.current_version().ordered_questions()]
    assert codes == [
        "satisfaction",
        "respected",
        "rights_info",
        "knows_where",
        "safer",
        "effort",
        "recommend",
        "comment",
        "contact",
    ]
    types = {q.code: q.type for q in client.current_version().questions.all()}
    assert (types["satisfaction"], types["effort"], types["recommend"]) == (
        "satisfaction5",
        "effort7",
        "nps10",
    )
    for question in Question.objects.all():
        assert question.text_et and question.text_en and question.text_ru, question.code
        for option in question.options:
            assert option["label_et"] and option["label_en"] and option["label_ru"]


def test_loading_twice_changes_nothing(cast):
    catalogue.load(read_yaml(SHIPPED))
    counts = catalogue.load(read_yaml(SHIPPED))
    assert (counts["surveys"].unchanged, counts["survey versions"].unchanged) == (2, 2)


def test_an_unanswered_version_is_rewritten_in_place(cast, tmp_path):
    catalogue.load(read_yaml(SHIPPED))
    counts = edited(
        tmp_path,
        "text_en: What should we keep or change?",
        "text_en: What should we keep, and what change?",
    )
    assert counts["survey versions"].updated == 1
    assert SurveyVersion.objects.filter(survey__code="vs-client").count() == 1
    question = Question.objects.get(version__survey__code="vs-client", code="comment")
    assert question.text_en == "What should we keep, and what change?"


def test_an_answered_version_is_kept_and_a_new_one_published(cast, tmp_path):
    catalogue.load(read_yaml(SHIPPED))
    survey = Survey.objects.get(code="vs-client")
    first = survey.current_version()
    checked = check_answers(first.ordered_questions(), {"satisfaction": 4})
    store_response(first, checked, channel="link", language="et", service=cast.vs, unit=None)
    counts = edited(
        tmp_path,
        "text_en: What should we keep or change?",
        "text_en: What should we keep, and what change?",
    )
    assert counts["survey versions"].created == 1
    second = survey.current_version()
    assert second.version == 2
    assert first.questions.get(code="comment").text_en == "What should we keep or change?"
    assert second.questions.get(code="comment").text_en == "What should we keep, and what change?"


BROKEN = [
    (
        "service: VS\n    kind: client\n    name_et: Tagasiside ohvriabile",
        "service: NOPE\n    kind: client\n    name_et: Tagasiside ohvriabile",
        "unknown service 'NOPE'",
    ),
    ('contact_if: "yes"', "contact_if: yes", "contact_if must be text, not true or false"),
    ('contact_if: "yes"', "contact_if: maybe", "unknown option 'maybe': expected one of no, yes"),
    ("type: effort7", "type: effort9", "type must be one of satisfaction5"),
    (
        '{code: "7", label_et: Väga lihtne',
        '{code: "8", label_et: Väga lihtne',
        "'8' is not a point of a effort7 scale",
    ),
    (
        'show_if: {question: refer_again, values: [maybe, "no"]}',
        "show_if: {question: comment, values: [maybe]}",
        "show_if names 'comment': expected an earlier question",
    ),
    (
        'show_if: {question: refer_again, values: [maybe, "no"]}',
        "show_if: {question: refer_again, values: [never]}",
        "'never' is not an answer of 'refer_again'",
    ),
    (
        "      - code: comment\n        type: text\n        text_et: Mida",
        "      - code: comment\n        type: text\n        colour: red\n        text_et: Mida",
        "unknown key 'colour' in question entry",
    ),
    ("      - code: respected", "      - code: satisfaction", "duplicate code 'satisfaction'"),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN, ids=[b[2][:30] for b in BROKEN])
def test_a_broken_file_is_refused_naming_the_line(cast, tmp_path, old, new, message):
    with pytest.raises(CatalogueError) as error:
        edited(tmp_path, old, new)
    assert any(message in p.message and p.line for p in error.value.problems), error.value
    assert not Survey.objects.exists()


def test_a_choice_question_needs_two_options(cast, tmp_path):
    text = (
        "surveys:\n  - code: s\n    service: VS\n    kind: client\n"
        "    name_et: a\n    name_en: a\n    name_ru: a\n    questions:\n"
        "      - {code: q, type: single, text_et: a, text_en: a, text_ru: a,\n"
        "         options: [{code: x, label_et: x, label_en: x, label_ru: x}]}\n"
    )
    with pytest.raises(CatalogueError, match="a single question needs at least two options"):
        load_text(tmp_path, text)


def test_an_export_loads_back_to_the_same_questions(cast, tmp_path):
    catalogue.load(read_yaml(SHIPPED))
    before = [catalogue._rows(v) for v in SurveyVersion.objects.order_by("pk")]
    exported = catalogue.export()
    import yaml

    (tmp_path / "surveys.yaml").write_text(yaml.safe_dump(exported, allow_unicode=True))
    counts = catalogue.load(read_yaml(tmp_path / "surveys.yaml"))
    assert counts["survey versions"].unchanged == 2
    assert [catalogue._rows(v) for v in SurveyVersion.objects.order_by("pk")] == before


def test_the_whole_catalogue_exports_the_surveys(db, tmp_path):
    from seire.catalogue.loader import load_catalogue

    load_catalogue()
    export_catalogue(tmp_path)
    assert "code: vs-client" in (tmp_path / "surveys.yaml").read_text(encoding="utf-8")
