"""Staff two-step sign-in: a TOTP code after the password, required of analysts and owners
when SEIRE_REQUIRE_2FA_FOR says so (off in the demo, so nothing here changes other tests)."""

import hashlib
import hmac
import re
import struct
import time
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from seire.access.models import AuditEvent
from tests.conftest import PASSWORD


def totp(key: bytes, at: float, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 written out here (HMAC-SHA1, dynamic truncation), not django-otp's."""
    counter = struct.pack(">Q", int(at // step))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def test_the_reference_totp_matches_the_rfc_6238_test_vectors():
    seed = b"12345678901234567890"
    assert totp(seed, 59, digits=8) == "94287082"
    assert totp(seed, 1111111109, digits=8) == "07081804"
    assert totp(seed, 2000000000, digits=8) == "69279037"


@pytest.fixture
def required(settings):
    settings.SEIRE_REQUIRE_2FA_FOR = frozenset({"analyst", "service_owner"})


def _sign_in(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _enrol(client) -> bytes:
    """Open the enrolment page, read the key as a person would type it, confirm a code."""
    page = client.get(reverse("access:otp_setup"))
    html = page.content.decode()
    assert '<img src="data:image/svg+xml' in html
    assert "<script" not in html.split("</head>")[1]  # no inline script in the body
    key_text = re.search(r'class="code">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    from base64 import b32decode

    key = b32decode(key_text + "=" * (-len(key_text) % 8))
    response = client.post(
        reverse("access:otp_setup"), {"token": totp(key, time.time()), "next": "/"}
    )
    assert response.status_code == 302, response.content.decode()[-800:]
    return key


def test_the_demo_asks_no_second_factor(client, cast):
    _sign_in(client, "ann")
    assert client.get(reverse("home")).status_code == 200


def test_an_analyst_must_enrol_then_is_let_in(client, cast, required):
    _sign_in(client, "ann")
    response = client.get(reverse("metrics:scorecard"))
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == reverse("access:otp_setup")
    assert parse_qs(target.query)["next"] == [reverse("metrics:scorecard")]
    # The API answers in JSON rather than redirecting; the admin is closed too.
    api = client.get("/api/organisation/units")
    assert api.status_code == 403 and api.json()["detail"].startswith("two-factor")
    assert client.get(reverse("admin:index")).status_code == 302

    _enrol(client)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
    device = TOTPDevice.objects.get(user=cast.ann)
    assert device.confirmed
    assert AuditEvent.objects.filter(actor=cast.ann, summary="second factor enrolled").exists()


def test_a_wrong_code_does_not_enrol(client, cast, required):
    _sign_in(client, "olev")
    client.get(reverse("access:otp_setup"))
    response = client.post(reverse("access:otp_setup"), {"token": "000000"})
    response = client.post(reverse("access:otp_setup"), {"token": "12ab"})
    assert response.status_code == 200
    assert response.context["form"].errors["token"]
    assert not TOTPDevice.objects.filter(user=cast.olev, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


def test_the_next_sign_in_asks_for_a_code_and_refuses_a_wrong_one(client, cast, required):
    _sign_in(client, "ann")
    key = _enrol(client)
    client.post(reverse("logout"))

    _sign_in(client, "ann")
    response = client.get(reverse("home"))
    assert urlparse(response["Location"]).path == reverse("access:otp_verify")
    wrong = "000000" if totp(key, time.time() + 30) != "000000" else "111111"
    response = client.post(reverse("access:otp_verify"), {"token": wrong})
    assert response.status_code == 200 and response.context["form"].errors
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="login_failed", summary="ann: second factor").exists()


def test_a_right_code_lets_in_and_goes_where_asked(client, cast, required):
    _sign_in(client, "ann")
    key = _enrol(client)
    client.post(reverse("logout"))
    _sign_in(client, "ann")
    # The next time step: the enrolment code may not be used twice.
    next_url = reverse("organisation:unit_list")
    response = client.post(
        reverse("access:otp_verify"),
        {"token": totp(key, time.time() + 30), "next": next_url},
    )
    assert response.status_code == 302
    assert unquote(response["Location"]) == next_url
    assert client.get(next_url).status_code == 200


def test_it_ignores_a_next_address_on_another_site(client, cast, required):
    _sign_in(client, "ann")
    client.get(reverse("access:otp_setup"))
    device = TOTPDevice.objects.get(user=cast.ann)
    response = client.post(
        reverse("access:otp_setup"),
        {"token": totp(device.bin_key, time.time()), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


@pytest.mark.parametrize("username", ["paul", "mari", "rein"])
def test_roles_not_named_are_not_asked(client, cast, required, username):
    _sign_in(client, username)
    assert client.get(reverse("home")).status_code == 200


def test_it_refuses_an_unknown_role_in_the_setting():
    from tests.test_settings import PRODUCTION, seire

    result = seire("check", **{**PRODUCTION, "SEIRE_REQUIRE_2FA_FOR": "analyst,boss"})
    assert result.returncode != 0
    assert "unknown roles ['boss']" in result.stderr


def test_a_device_set_up_of_ones_own_accord_is_asked_for_too(client, cast):
    _sign_in(client, "paul")  # the demo default: nobody is required to
    assert reverse("access:otp_setup").encode() in client.get(reverse("home")).content
    key = _enrol(client)
    client.post(reverse("logout"))
    _sign_in(client, "paul")
    response = client.get(reverse("home"))
    assert urlparse(response["Location"]).path == reverse("access:otp_verify")
    client.post(reverse("access:otp_verify"), {"token": totp(key, time.time() + 30)})
    assert client.get(reverse("home")).status_code == 200
