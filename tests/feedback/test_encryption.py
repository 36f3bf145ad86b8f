"""What a respondent writes about themselves is stored encrypted; only the redacted text is
in clear, and only the analyst reads the original (each look audited)."""

import pytest
from cryptography.fernet import InvalidToken
from django.urls import reverse

from seire.access.models import AuditEvent
from seire.feedback import crypto
from seire.feedback.models import Answer, Response
from tests.conftest import database_text
from tests.feedback.conftest import answers

pytestmark = pytest.mark.django_db

SECRET_TEXT = (
    "Olen Mari Maasikas, isikukood 49001010001, helistage 5123 4567 või kirjutaja.k@example.org"
)
CONTACT = "mari.maasikas@example.ee, pärast kella 17"


def database_dump() -> str:
    return database_text()


def submit(client, survey):
    url = reverse("feedback:survey", args=[survey.code])
    data = answers(q_comment=SECRET_TEXT, q_contact="yes", contact=CONTACT)
    assert client.post(url, data).status_code == 303


def test_the_original_text_and_contact_are_nowhere_in_the_database(client, surveys):
    submit(client, surveys.client)
    dump = database_dump()
    for secret in (
        "Maasikas",
        "49001010001",
        "5123 4567",
        "kirjutaja.k@example.org",
        "pärast kella",
    ):
        assert secret not in dump
    comment = Answer.objects.get(question__code="comment")
    assert comment.text_redacted == (
        "Olen [nimi], isikukood [isikukood], helistage [telefon] või [e-post]"
    )
    assert comment.text_redacted in dump
    assert crypto.decrypt(comment.text_encrypted) == SECRET_TEXT
    assert crypto.decrypt(Response.objects.get().contact_encrypted) == CONTACT


def test_another_key_cannot_read_it(surveys, settings):
    token = crypto.encrypt("5123 4567")
    settings.FEEDBACK_KEY = "another-key"
    with pytest.raises(InvalidToken):
        crypto.decrypt(token)


def test_the_analyst_reads_the_original_and_the_look_is_audited(client, surveys, cast):
    submit(client, surveys.client)
    response = Response.objects.get()
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("feedback:response", args=[response.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "49001010001" in html and CONTACT in html
    event = AuditEvent.objects.get(object_type="feedback.response")
    assert (event.actor, event.action, event.object_id) == (cast.ann, "view", str(response.pk))


@pytest.mark.parametrize("persona", ["olev", "paul", "mari", "rein"])
def test_no_one_else_reads_the_original(client, surveys, cast, persona):
    submit(client, surveys.client)
    client.force_login(getattr(cast, persona), backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("feedback:response", args=[Response.objects.get().pk]))
    assert page.status_code == 403
    assert not AuditEvent.objects.filter(object_type="feedback.response").exists()
