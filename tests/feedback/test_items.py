"""A stored response becomes an inbox item when it has free text or a low rating: coded,
given a sentiment and severity, routed to an owner, and — when it speaks of immediate
danger — flagged urgent and e-mailed at once."""

import pytest
from django.core import mail

from seire.feedback.answers import check_answers, store_response
from seire.feedback.items import FeedbackItem, RoutingRule
from seire.feedback.loop import sentiment

pytestmark = pytest.mark.django_db(transaction=False)

HAPPY = {"satisfaction": 5, "respected": "yes", "recommend": 10, "effort": 7}


def submit(surveys, cast, unit=None, contact="", **answers):
    answers.setdefault("satisfaction", 3)  # required by the survey; 3 is neither high nor low
    version = surveys.client.current_version()
    checked = check_answers(version.ordered_questions(), answers, contact)
    assert checked.ok, checked.errors
    return store_response(
        version,
        checked,
        channel="link",
        language="et",
        service=cast.vs,
        unit=unit if unit is not None else cast.harju_vs,
    )


def item_of(response) -> FeedbackItem | None:
    return FeedbackItem.objects.filter(response=response).first()


def test_a_happy_response_without_text_makes_no_item(surveys, cast):
    assert item_of(submit(surveys, cast, **HAPPY)) is None


def test_free_text_makes_an_item_with_redacted_text_and_themes(surveys, cast):
    response = submit(
        surveys,
        cast,
        **HAPPY,
        comment="Pidin kaua ootama. Helistage 5123 4567, mu isikukood 49001010001.",
    )
    item = item_of(response)
    assert "5123" not in item.text and "49001010001" not in item.text
    assert "[telefon]" in item.text and "[isikukood]" in item.text
    assert "waiting_time" in item.themes
    assert item.coded_themes == item.themes
    assert item.service == cast.vs and item.unit == cast.harju_vs


def test_a_low_rating_without_text_makes_an_item(surveys, cast):
    item = item_of(submit(surveys, cast, satisfaction=2, recommend=3))
    assert item.low_rating and item.text == ""
    assert item.sentiment == "negative"
    assert item.severity == "medium"


def test_the_lowest_satisfaction_is_high_severity_with_a_5_day_due_date(surveys, cast):
    item = item_of(submit(surveys, cast, satisfaction=1))
    assert item.severity == "high"
    assert (item.due_on - item.received_on).days == 5


def test_it_routes_to_the_owner_of_the_service_by_default(surveys, cast):
    item = item_of(submit(surveys, cast, satisfaction=2))
    assert item.routed_to == cast.olev
    assert item.rule is None


def test_a_matching_rule_wins_over_the_default(surveys, cast):
    RoutingRule.objects.create(service=cast.vs, unit=cast.tartu, owner=cast.ann)
    RoutingRule.objects.create(service=cast.vs, theme="compensation", owner=cast.mari)
    harju = item_of(submit(surveys, cast, satisfaction=2))
    tartu = item_of(submit(surveys, cast, unit=cast.tartu_vs, satisfaction=2))
    money = item_of(submit(surveys, cast, satisfaction=3, comment="Hüvitise taotlus venis."))
    assert harju.routed_to == cast.olev
    assert tartu.routed_to == cast.ann
    assert money.routed_to == cast.mari


def test_a_rule_with_a_lowest_severity_skips_milder_items(surveys, cast):
    RoutingRule.objects.create(service=cast.vs, min_severity="high", owner=cast.ann)
    assert item_of(submit(surveys, cast, satisfaction=2)).routed_to == cast.olev
    assert item_of(submit(surveys, cast, satisfaction=1)).routed_to == cast.ann


def test_danger_makes_an_urgent_item_and_an_email_at_once(
    surveys, cast, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            surveys, cast, comment="Ta ähvardas mind tappa, ma kardan oma elu pärast."
        )
    item = item_of(response)
    assert item.urgent and item.severity == "critical"
    assert (item.due_on - item.received_on).days == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {"olev@example.ee", "ann@example.ee"}
    assert f"/feedback/items/{item.pk}/" in message.body
    assert "tappa" not in message.body  # the text never travels by e-mail
    item.refresh_from_db()
    assert item.notified


@pytest.mark.parametrize(
    ("ratings", "text", "expected"),
    [
        ([("satisfaction5", 5), ("nps10", 9)], "", "positive"),
        ([("satisfaction5", 5)], "Aga keegi ei helistanud tagasi.", "mixed"),
        ([("satisfaction5", 1), ("nps10", 0)], "Väga halb.", "negative"),
        ([("satisfaction5", 3)], "", "neutral"),
        ([], "Спасибо, очень помогли!", "positive"),
        ([], "", "neutral"),
    ],
)
def test_sentiment_comes_from_the_ratings_refined_by_the_text(ratings, text, expected):
    assert sentiment(ratings, text) == expected
