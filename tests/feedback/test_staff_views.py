"""The staff's feedback links and QR posters: each sees the surveys of their services and
the units they may see (the role × route table covers the refusals)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.cookies["django_language"] = "en"
    return client


def test_a_provider_sees_the_links_of_their_own_unit(client, surveys, cast):
    html = as_user(client, cast.paul).get(reverse("feedback:links")).content.decode()
    assert "http://127.0.0.1:8000/feedback/s/vs-client/" in html
    assert "/feedback/s/vs-client/HARJU-VS/" in html
    assert "/feedback/s/vs-client/TARTU-VS/" not in html
    assert "Thank you for contacting us." in html  # the text message with the link


def test_the_owner_of_another_service_sees_no_surveys(client, surveys, cast):
    html = as_user(client, cast.oksana).get(reverse("feedback:links")).content.decode()
    assert "There are no surveys of your services." in html


def test_the_poster_has_the_qr_code_of_the_unit_link(client, surveys, cast):
    url = reverse("feedback:unit_poster", args=["vs-client", "HARJU-VS"])
    response = as_user(client, cast.paul).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html
    assert "http://127.0.0.1:8000/feedback/s/vs-client/HARJU-VS/" in html
    assert "Отзыв о помощи пострадавшим" in html


def test_a_unit_not_delivering_the_service_has_no_poster(client, surveys, cast):
    url = reverse("feedback:unit_poster", args=["vs-client", "TARTU-WSC"])
    assert as_user(client, cast.ann).get(url).status_code == 404
