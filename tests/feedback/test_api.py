"""`POST /api/feedback/{survey}/responses`: kiosks and SMS gateways, with the form's rules.

No sign-in and no CSRF token (machines post JSON); 201 when stored, 422 with every problem
located, 409 for a used invitation, 429 for a flood.
"""

import json
from datetime import date

import pytest
import time_machine

from seire.feedback.channels import issue_invitation
from seire.feedback.models import Answer, Invitation, Response
from tests.feedback.conftest import closed_episode

pytestmark = pytest.mark.django_db
URL = "/api/feedback/vs-client/responses"


@pytest.fixture(autouse=True)
def _april_2026():
    with time_machine.travel("2026-04-02 10:00 +03:00", tick=False):
        yield


def body(**changes) -> dict:
    data = {
        "language": "en",
        "channel": "kiosk",
        "unit": "HARJU-VS",
        "answers": {"satisfaction": 5, "respected": "yes", "recommend": 10, "comment": "Good."},
    }
    return {**data, **changes}


def post(client, data, url=URL, **extra):
    return client.post(url, json.dumps(data), content_type="application/json", **extra)


def test_it_stores_a_kiosk_response_and_answers_201(surveys, cast):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), body())
    assert response.status_code == 201, response.content
    assert response.json() == {"survey": "vs-client", "version": 1, "submitted_on": "2026-04-02"}
    stored = Response.objects.get()
    assert (stored.channel, stored.unit, stored.period) == ("kiosk", cast.harju_vs, "2026M04")
    assert Answer.objects.get(question__code="comment").text_redacted == "Good."


def test_it_locates_every_problem_in_a_422(client, surveys):
    answers = {"recommend": 11, "respected": "maybe", "colour": "red", "contact": "yes"}
    response = post(client, body(answers=answers, unit="TARTU-WSC"))
    assert response.status_code == 422
    problems = {tuple(p["loc"]): p["msg"] for p in response.json()["detail"]}
    assert problems == {
        ("body", "payload", "unit"): "No active unit 'TARTU-WSC' delivers VS.",
        ("body", "payload", "answers", "satisfaction"): "Choose an answer.",
        ("body", "payload", "answers", "respected"): "Choose one of the options given.",
        ("body", "payload", "answers", "recommend"): "Choose a whole number from 0 to 10.",
        ("body", "payload", "answers", "colour"): "This survey has no question colour.",
        ("body", "payload", "contact"): "Tell us how to reach you, or choose not to be contacted.",
    }
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        body(extra="field"),
        body(language="fi"),
        body(answers={"satisfaction": "5.0"}) | {"answers": {"satisfaction": 4.5}},
        body(answers={"satisfaction": True}),
        body(channel="fax"),
    ],
)
def test_the_schema_is_strict(client, surveys, data):
    response = post(client, data)
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][0] == "body"


def test_a_boolean_is_not_a_scale_point(client, surveys):
    response = post(client, body(answers={"satisfaction": True}))
    assert response.status_code == 422


def test_an_invitation_token_gives_the_episode_and_is_used_once(client, surveys, cast):
    episode = closed_episode(cast, closed=date(2026, 3, 30))
    _invitation, token = issue_invitation(episode, surveys.client, "sms")
    first = post(client, body(token=token, unit=None, channel="sms"))
    assert first.status_code == 201
    stored = Response.objects.get()
    assert (stored.unit, stored.period, stored.channel) == (cast.harju_vs, "2026M03", "sms")
    assert Invitation.objects.get().used_at is not None
    again = post(client, body(token=token, unit=None))
    assert again.status_code == 409
    assert Response.objects.count() == 1


def test_an_unknown_token_is_a_located_problem(client, surveys):
    response = post(client, body(token="not-a-token"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "token"]


def test_an_unknown_survey_is_404(client, surveys):
    assert post(client, body(), url="/api/feedback/nope/responses").status_code == 404


def test_a_flood_gets_429(client, surveys, settings):
    settings.SEIRE_FEEDBACK_API_LIMIT = 2
    assert [post(client, body()).status_code for _ in range(3)] == [201, 201, 429]
    assert Response.objects.count() == 2


def test_it_is_in_the_openapi_schema_without_auth(client, surveys):
    schema = client.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/feedback/{survey_code}/responses"]["post"]
    assert "security" not in operation
    assert set(operation["responses"]) >= {"201", "422", "429"}


def test_an_accepted_response_with_text_is_in_the_owners_inbox_at_once(client, surveys, cast):
    from seire.feedback.models import FeedbackItem

    body = {
        "language": "ru",
        "answers": {"satisfaction": 2, "comment": "Очень долго ждала, позвоните 5123 4567."},
    }
    response = client.post(
        "/api/feedback/vs-client/responses", body, content_type="application/json"
    )
    assert response.status_code == 201
    item = FeedbackItem.objects.get()
    assert item.routed_to == cast.olev and item.language == "ru"
    assert "5123" not in item.text and "waiting_time" in item.themes
