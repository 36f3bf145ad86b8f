"""Fuzzing `POST /api/feedback/{survey}/responses`: whatever a kiosk or a broken gateway
sends, the answer is 201 with one response stored, or a 4xx with a detail and nothing stored.

Bodies are a good response with some fields and answers replaced by anything JSON can hold,
random JSON, or random bytes under any content type.
"""

import json

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from seire.feedback.channels import issue_invitation
from seire.feedback.models import Answer, Response
from tests.feedback.conftest import closed_episode
from tests.fuzzing import fuzz_settings

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
answer_values = st.one_of(
    st.integers(-3, 12),
    st.sampled_from(["yes", "no", "partly", "no_change", "maybe", "", "38001085718", "a" * 5000]),
    st.lists(st.sampled_from(["yes", "no", "x"]), max_size=3),
    json_values,
)
GOOD = {
    "language": "en",
    "channel": "kiosk",
    "unit": "HARJU-VS",
    "answers": {"satisfaction": 5, "respected": "yes", "recommend": 10, "comment": "Good."},
}
QUESTIONS = ["satisfaction", "respected", "rights_information", "knows_where", "safer",
             "effort", "recommend", "comment", "contact", "colour"]  # fmt: skip
FIELDS = ["language", "channel", "unit", "token", "answers", "contact", "extra"]


@st.composite
def bodies(draw, token: str) -> bytes:
    kind = draw(st.sampled_from(["changed", "changed", "json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "json":
        return json.dumps(draw(json_values)).encode()
    body = json.loads(json.dumps(GOOD))
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=3, unique=True)):
        if draw(st.booleans()):
            body.pop(field, None)
        else:
            body[field] = draw(
                st.one_of(
                    json_values,
                    st.sampled_from(["et", "ru", "sms", "TARTU-VS", "TARTU-WSC", token, "x"]),
                )
            )
    if isinstance(body.get("answers"), dict):
        changes = draw(st.dictionaries(st.sampled_from(QUESTIONS), answer_values, max_size=4))
        body["answers"].update(changes)
    return json.dumps(body).encode()


@pytest.fixture
def token(cast, surveys):
    return issue_invitation(closed_episode(cast), surveys.client, "sms")[1]


def stored() -> tuple[int, int]:
    return Response.objects.count(), Answer.objects.count()


@fuzz_settings(80)
@given(data=st.data())
def test_it_stores_a_response_or_says_why_not(client, settings, cast, surveys, token, fuzzed, data):
    settings.SEIRE_FEEDBACK_API_LIMIT = 10**9  # the flood limit is tested in test_api.py
    body = data.draw(bodies(token))
    survey = data.draw(st.sampled_from(["vs-client", "vs-client", "vs-x", "ü"]))
    url = f"/api/feedback/{survey}/responses"
    content_type = data.draw(st.sampled_from(["application/json", "text/plain", "multipart/x"]))
    before = stored()
    with time_machine.travel("2026-04-02 10:00 +03:00", tick=False):
        response = client.post(url, body, content_type=content_type)
    fuzzed()
    assert response.status_code in (201, 400, 404, 409, 415, 422, 429), response.content
    if response.status_code == 201:
        assert stored()[0] == before[0] + 1
    else:
        assert stored() == before, "a refused response left rows behind"
        assert response.json()["detail"]
