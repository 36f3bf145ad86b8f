"""Hardening: the Content-Security-Policy and other headers, no inline script or style in the
pages this app renders, and request bodies limited in size."""

import re

import pytest
from django.urls import reverse

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")
EVENT_HANDLER = re.compile(r"\son[a-z]+=", re.I)


def test_every_response_carries_the_policy_and_headers(client, cast):
    response = client.get(reverse("login"))
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert client.get(reverse("health"))["Content-Security-Policy"] == POLICY


@pytest.mark.parametrize(
    ("username", "name"),
    [
        (None, "login"),
        ("ann", "home"),
        ("paul", "home"),
        ("ann", "organisation:unit_list"),
        ("ann", "organisation:unit_detail"),
        ("ann", "organisation:service_list"),
        ("ann", "access:audit"),
        ("ann", "access:otp_setup"),
        ("ann", "admin:index"),
    ],
)
def test_the_pages_need_no_inline_script_or_style(client, cast, username, name):
    if username:
        client.force_login(
            getattr(cast, username), backend="django.contrib.auth.backends.ModelBackend"
        )
    kwargs = {"pk": cast.harju_vs.pk} if name == "organisation:unit_detail" else {}
    html = client.get(reverse(name, kwargs=kwargs)).content.decode()
    assert not INLINE_SCRIPT.findall(html)
    assert not INLINE_STYLE.findall(html)
    assert not EVENT_HANDLER.findall(html)


def test_the_unit_tree_is_indented_by_class(client, cast):
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(reverse("organisation:unit_list")).content.decode()
    depths = {
        name: int(d)
        for d, name in re.findall(r"tree__item--depth-(\d)\">\s*<a [^>]*>([^<]+)<", html)
    }
    assert depths["Eesti"] == 0 and depths["Harjumaa"] == 2
    assert depths["Harju ohvriabi"] == 3


def test_production_cookies_are_secure():
    from tests.test_settings import PRODUCTION, seire

    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, sorted(s.SEIRE_REQUIRE_2FA_FOR))"
    )
    result = seire("shell", "-c", code, **PRODUCTION)
    assert (
        result.stdout.strip().splitlines()[-1]
        == "True True True True True ['analyst', 'service_owner']"
    )


def test_a_request_body_over_the_limit_is_refused(client, cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("login"), {"username": "paul", "password": "x" * 2000})
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_the_api_docs_load_nothing_from_elsewhere_and_no_inline_script(client, cast):
    html = client.get(reverse("api:openapi-view")).content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "https://" not in html and "http://" not in html
    assert not INLINE_SCRIPT.findall(html)
    assert not INLINE_STYLE.findall(html)


def test_an_uploaded_file_over_the_limit_is_refused_before_it_is_stored(client, cast, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SEIRE_MAX_REQUEST_BYTES = 5000
    big = SimpleUploadedFile("values.csv", b"dataset,unit\n" + b"x" * 6000, "text/csv")
    response = client.post(reverse("login"), {"username": "paul", "file": big})
    assert response.status_code == 400
    small = SimpleUploadedFile("values.csv", b"dataset,unit\n", "text/csv")
    response = client.post(reverse("login"), {"username": "paul", "password": "x", "file": small})
    assert response.status_code == 200  # the form again, with its error: not refused


@pytest.mark.parametrize(
    "url",
    [
        "/api/collection/values?dataset=VS_MONTHLY&unit=%00HARJU",
        "/feedback/inbox/?q=a%00b",
        "/statistics/?%00=1",
    ],
)
def test_a_nul_character_in_the_address_is_refused_not_a_server_error(client, cast, url):
    """PostgreSQL refuses NUL in any text: a query with one used to end in a 500 there."""
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
    assert response["Content-Security-Policy"] == POLICY


def test_a_nul_character_in_a_json_body_is_refused_not_a_server_error(client, cast):
    client.force_login(cast.ann, backend="django.contrib.auth.backends.ModelBackend")
    body = '{"dataset": "VS_MONTHLY", "values": [{"unit": "HARJU\\u0000", "element": "X"}]}'
    response = client.post("/api/collection/values", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request holds a NUL character."}
