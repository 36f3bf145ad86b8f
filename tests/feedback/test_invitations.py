"""One-time invitations after a closed episode: the token is sent, only its hash is kept,
and a second use gets a polite page."""

import hashlib
from datetime import date

import pytest
from django.urls import reverse

from seire.feedback import channels
from seire.feedback.channels import invitation_link, issue_invitation, message, qr_svg
from seire.feedback.models import Invitation, Response
from tests.conftest import database_text
from tests.feedback.conftest import answers, closed_episode

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_the_token_is_stored(surveys, cast):
    invitation, token = issue_invitation(closed_episode(cast), surveys.client, "sms")
    assert len(token) >= 22
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in database_text()


def test_only_a_closed_episode_of_the_service_is_invited_once(surveys, cast):
    episode = closed_episode(cast)
    issue_invitation(episode, surveys.client, "sms")
    with pytest.raises(ValueError, match="has been invited already"):
        issue_invitation(episode, surveys.client, "email")
    still_open = closed_episode(cast, "VS-2")
    still_open.closed = None
    still_open.save()
    with pytest.raises(ValueError, match="is not closed"):
        issue_invitation(still_open, surveys.client, "sms")
    surveys.client.service = cast.wsc
    with pytest.raises(ValueError, match="is not of the service"):
        issue_invitation(closed_episode(cast, "VS-3"), surveys.client, "sms")


def test_an_invitation_is_answered_once_for_its_episode(client, surveys, cast):
    _invitation, token = issue_invitation(
        closed_episode(cast, closed=date(2026, 1, 31)), surveys.client, "email"
    )
    url = reverse("feedback:invitation", args=[token])
    assert client.get(url).status_code == 200
    assert client.post(url, answers()).status_code == 303
    stored = Response.objects.get()
    assert (stored.unit, stored.period, stored.channel) == (cast.harju_vs, "2026M01", "email")
    for method in (client.get, lambda u: client.post(u, answers())):
        again = method(url + "?lang=en")
        assert again.status_code == 410
        assert "This link has already been used" in again.content.decode()
    assert Response.objects.count() == 1
    assert Invitation.objects.get().used_at is not None


def test_an_unknown_token_gets_a_polite_404(client, surveys):
    response = client.get(reverse("feedback:invitation", args=["no-such-token"]) + "?lang=ru")
    assert response.status_code == 404
    assert "Эта ссылка для отзыва не работает" in response.content.decode()


def test_the_attempts_with_one_token_are_limited(client, surveys, cast):
    _invitation, token = issue_invitation(closed_episode(cast), surveys.client, "sms")
    url = reverse("feedback:invitation", args=[token])
    statuses = [
        client.post(url, answers(q_satisfaction=None), REMOTE_ADDR=f"198.51.100.{i}").status_code
        for i in range(11)
    ]
    assert statuses == [200] * 10 + [429]


def test_the_texts_carry_the_link_and_never_name_victim_support(surveys):
    link = invitation_link("abc")
    assert link.endswith("/feedback/i/abc/")
    for language in ("et", "en", "ru"):
        sms = message(link, language, "sms")["body"]
        email = message(link, language, "email", once=True)
        assert link in sms and link in email["body"]
        assert channels.ONCE[language] in email["body"]
        assert channels.ONCE[language] not in message(link, language, "email")["body"]
        assert len(sms) <= 160 + len(link) - len("{link}")
        for word in ("ohvri", "victim", "кримин", "жертв", "crime", "kuritegu"):
            assert word not in (sms + email["body"] + email["subject"]).lower()


def test_the_qr_code_is_an_inline_svg(surveys):
    svg = qr_svg("http://127.0.0.1:8000/feedback/s/vs-client/")
    assert svg.startswith("<svg") and "http://" not in svg.split(">", 1)[0].replace(
        "http://www.w3.org", ""
    )
