"""The survey's rules, shared by the form and the API: types, ranges, required questions,
skip logic and the contact field; and storing what was accepted."""

import pytest
from django.utils import translation

from seire.feedback.answers import AlreadyAnsweredError, check_answers, store_response
from seire.feedback.models import FrozenVersionError, Question, Response

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_questions(surveys):
    return surveys.client.current_version().ordered_questions()


@pytest.fixture
def partner_questions(surveys):
    return surveys.partner.current_version().ordered_questions()


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_it_accepts_the_answers_as_stored(client_questions):
    checked = check_answers(
        client_questions,
        {
            "satisfaction": "5",
            "recommend": 0,
            "effort": "7",
            "respected": "partly",
            "comment": "  ok ",
        },
    )
    assert checked.ok
    assert checked.answers == {
        "satisfaction": 5,
        "respected": "partly",
        "effort": 7,
        "recommend": 0,
        "comment": "ok",
    }


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("satisfaction", "0", "Choose a whole number from 1 to 5."),
        ("satisfaction", "6", "Choose a whole number from 1 to 5."),
        ("satisfaction", "4.5", "Choose a whole number from 1 to 5."),
        ("recommend", -1, "Choose a whole number from 0 to 10."),
        ("recommend", 11, "Choose a whole number from 0 to 10."),
        ("effort", "8", "Choose a whole number from 1 to 7."),
        ("respected", "perhaps", "Choose one of the options given."),
        ("respected", ["yes", "no"], "Choose one of the options given."),
        ("comment", "x" * 2001, "Write at most 2000 characters (you wrote 2001)."),
        ("comment", 5, "Write your answer as text."),
    ],
)
def test_it_refuses_answers_out_of_range(client_questions, code, value, message):
    checked = check_answers(client_questions, {"satisfaction": "3", code: value})
    assert checked.errors == {code: message}


def test_a_required_question_must_be_answered_and_others_need_not(client_questions):
    checked = check_answers(client_questions, {"comment": "   "})
    assert checked.errors == {"satisfaction": "Choose an answer."}
    assert checked.answers == {}


def test_a_multiple_choice_keeps_the_options_in_their_order(surveys):
    version = surveys.client.current_version()
    Question(
        version=version,
        code="helped_with",
        sort=20,
        type="multiple",
        text_et="Millega aidati?",
        text_en="What did we help with?",
        text_ru="С чем помогли?",
        options=[
            {"code": c, "label_et": c, "label_en": c, "label_ru": c}
            for c in ("documents", "court", "safety")
        ],
    ).save()
    questions = version.ordered_questions()
    checked = check_answers(questions, {"satisfaction": 4, "helped_with": ["safety", "documents"]})
    assert checked.answers["helped_with"] == ["documents", "safety"]
    refused = check_answers(questions, {"satisfaction": 4, "helped_with": ["money"]})
    assert refused.errors == {"helped_with": "Choose among the options given."}


@pytest.mark.parametrize(
    ("refer_again", "kept"), [("yes", False), ("maybe", True), ("no", True), (None, False)]
)
def test_a_question_is_asked_only_when_its_condition_holds(partner_questions, refer_again, kept):
    raw = {"partner_type": "police", "cooperation": 4, "refer_why": "Slow answers."}
    if refer_again:
        raw["refer_again"] = refer_again
    checked = check_answers(partner_questions, raw)
    assert checked.ok
    assert ("refer_why" in checked.answers) is kept


def test_a_skipped_question_is_never_required(partner_questions):
    question = next(q for q in partner_questions if q.code == "refer_why")
    question.required = True  # in memory: the rule, not the catalogue
    raw = {"partner_type": "police", "cooperation": 4, "refer_again": "yes"}
    assert check_answers(partner_questions, raw).ok
    raw["refer_again"] = "no"
    assert check_answers(partner_questions, raw).errors == {"refer_why": "Write your answer."}


def test_the_contact_field_counts_only_when_contact_is_asked_for(client_questions):
    base = {"satisfaction": 4}
    asked = check_answers(client_questions, {**base, "contact": "yes"}, " 5123 4567 ")
    assert (asked.wants_contact, asked.contact) == (True, "5123 4567")
    declined = check_answers(client_questions, {**base, "contact": "no"}, "5123 4567")
    assert (declined.wants_contact, declined.contact) == (False, "")
    missing = check_answers(client_questions, {**base, "contact": "yes"}, "")
    assert missing.errors == {"contact": "Tell us how to reach you, or choose not to be contacted."}
    long = check_answers(client_questions, {**base, "contact": "yes"}, "x" * 201)
    assert long.errors == {"contact": "Write at most 200 characters (you wrote 201)."}


def test_labels_come_in_the_language_asked_for(client_questions):
    satisfaction = client_questions[0]
    assert satisfaction.choices_in("ru")[0] == ("5", "Полностью удовлетворены")
    recommend = next(q for q in client_questions if q.code == "recommend")
    assert recommend.choices_in("et")[0] == ("0", "Üldse mitte tõenäoliselt")
    assert recommend.choices_in("et")[5] == ("5", "")


def test_an_answered_version_is_frozen(surveys, cast, client_questions):
    version = surveys.client.current_version()
    checked = check_answers(client_questions, {"satisfaction": 4})
    store_response(version, checked, channel="link", language="et", service=cast.vs, unit=None)
    question = version.questions.get(code="satisfaction")
    question.text_en = "Changed"
    with pytest.raises(FrozenVersionError):
        question.save()
    with pytest.raises(FrozenVersionError):
        question.delete()


def test_an_invitation_is_claimed_once_even_by_two_requests(surveys, cast, client_questions):
    from seire.feedback.channels import issue_invitation
    from tests.feedback.conftest import closed_episode

    invitation, _token = issue_invitation(closed_episode(cast), surveys.client, "email")
    version = surveys.client.current_version()
    checked = check_answers(client_questions, {"satisfaction": 4})
    kwargs = dict(
        channel="email", language="en", service=cast.vs, unit=cast.harju_vs, invitation=invitation
    )
    store_response(version, checked, **kwargs)
    with pytest.raises(AlreadyAnsweredError):
        store_response(version, checked, **kwargs)  # the same object, still unused in memory
    assert Response.objects.count() == 1


def test_feedback_is_kept_when_redaction_fails(surveys, cast, client_questions, monkeypatch):
    from seire.feedback import answers, crypto

    def broken(text):
        raise RuntimeError(f"cannot read {text}")

    monkeypatch.setattr(answers, "redact", broken)
    checked = check_answers(client_questions, {"satisfaction": 2, "comment": "Mari, 5123 4567"})
    store_response(
        surveys.client.current_version(),
        checked,
        channel="link",
        language="et",
        service=cast.vs,
        unit=None,
    )
    answer = Response.objects.get().answers.get(question__code="comment")
    assert answer.needs_review
    assert answer.text_redacted == ""
    assert crypto.decrypt(answer.text_encrypted) == "Mari, 5123 4567"
