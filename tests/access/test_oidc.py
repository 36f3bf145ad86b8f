"""Single sign-on through OpenID Connect, against a small provider run on loopback.

The provider is an http.server thread serving discovery, JWKS, token and userinfo; its
id_token is RS256-signed here with `cryptography` (not with the library under test). The
browser's trip to the provider's login page is played by the test: it reads the state and
nonce Seire put in the redirect and comes back to the real callback view with a code.
"""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.urls import reverse

from seire.access import oidc
from seire.access.models import AuditEvent

CLIENT_ID = "seire-test"
SECRET = "client-secret"  # noqa: S105


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Provider:
    """What the provider knows: its key, the pending codes, and the person who signs in."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.codes: dict[str, str] = {}  # code -> nonce
        self.claims = {"sub": "EE38001085718", "email": "ann@example.ee", "email_verified": True}
        self.audience = CLIENT_ID
        self.token_requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"

    def id_token(self, nonce: str) -> str:
        header = {"alg": "RS256", "kid": "k1", "typ": "JWT"}
        payload = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": self.claims["sub"],
            "nonce": nonce,
            "iat": 1_700_000_000,
            "exp": 4_000_000_000,
        }
        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64(signature)}"

    def jwks(self) -> dict:
        numbers = self.key.public_key().public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes(3, "big")
        return {"keys": [{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
                          "n": b64(n), "e": b64(e)}]}  # fmt: skip

    def handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    return self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{provider.issuer}/authorize",
                            "token_endpoint": f"{provider.issuer}/token",
                            "userinfo_endpoint": f"{provider.issuer}/userinfo",
                            "jwks_uri": f"{provider.issuer}/jwks",
                        }
                    )
                if self.path == "/jwks":
                    return self._json(provider.jwks())
                if self.path == "/userinfo":
                    if self.headers.get("Authorization") != "Bearer access-1":
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(provider.claims)
                return self._json({"error": "not found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                nonce = provider.codes.pop(form.get("code", ""), None)
                if self.path != "/token" or nonce is None or form.get("client_secret") != SECRET:
                    return self._json({"error": "invalid_grant"}, 400)
                return self._json(
                    {
                        "access_token": "access-1",
                        "token_type": "Bearer",
                        "id_token": provider.id_token(nonce),
                    }
                )

        return Handler


@pytest.fixture
def provider(settings):
    provider = Provider()
    thread = threading.Thread(target=provider.server.serve_forever, daemon=True)
    thread.start()
    settings.SEIRE_OIDC_ISSUER = provider.issuer
    settings.SEIRE_OIDC_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "seire.access.oidc.SeireOIDCBackend",
    ]
    oidc.forget_provider_configuration()
    yield provider
    oidc.forget_provider_configuration()
    provider.server.shutdown()
    provider.server.server_close()


def _sign_in_at_the_provider(client, provider):
    """Seire's redirect to the provider, and the provider's redirect back with a code."""
    response = client.get(reverse("access:oidc_login"))
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{provider.issuer}/authorize"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    provider.codes["code-1"] = query["nonce"]
    return client.get(reverse("access:oidc_callback"), {"code": "code-1", "state": query["state"]})


def test_it_signs_in_the_person_with_the_verified_address(client, cast, provider):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("access:oidc_login")}"' in page
    response = _sign_in_at_the_provider(client, provider)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(cast.ann.pk)
    assert provider.token_requests[0]["code_verifier"]  # PKCE
    assert AuditEvent.objects.filter(action="login", actor=cast.ann).exists()
    # No role comes from the provider: Ann's responsibilities are what the analyst gave.
    assert list(cast.ann.responsibilities.values_list("role", flat=True)) == ["analyst"]


def test_it_counts_the_provider_as_the_second_factor(client, cast, provider, settings):
    settings.SEIRE_REQUIRE_2FA_FOR = frozenset({"analyst"})
    _sign_in_at_the_provider(client, provider)
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.parametrize(
    "claims",
    [
        {"email": "nobody@example.ee", "email_verified": True},  # no such person
        {"email": "ann@example.ee", "email_verified": False},  # address not verified
        {"email": "ann@example.ee"},  # verification not stated
    ],
)
def test_it_creates_no_account_and_trusts_no_unverified_address(client, cast, provider, claims):
    from django.contrib.auth import get_user_model

    provider.claims = {"sub": "x", **claims}
    users = get_user_model().objects.count()
    response = _sign_in_at_the_provider(client, provider)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.count() == users
    page = client.get(response["Location"]).content.decode()
    assert "did not find your Seire account" in page or "ei leidnud sinu Seire kontot" in page


def test_it_refuses_an_id_token_meant_for_another_client(client, cast, provider):
    provider.audience = "someone-else"
    response = _sign_in_at_the_provider(client, provider)
    assert response.status_code == 400  # SuspiciousOperation
    assert "_auth_user_id" not in client.session


def test_it_matches_by_username_claim_when_configured(client, cast, provider, settings):
    settings.SEIRE_OIDC_MATCH_CLAIM = "preferred_username"
    provider.claims = {"sub": "x", "preferred_username": "olev"}
    _sign_in_at_the_provider(client, provider)
    assert client.session["_auth_user_id"] == str(cast.olev.pk)


def test_it_is_off_unless_configured(client, cast):
    assert client.get(reverse("access:oidc_login")).status_code == 404
    assert (
        client.get(reverse("access:oidc_callback"), {"code": "a", "state": "b"}).status_code == 404
    )
    assert b"single sign-on" not in client.get(reverse("login")).content.lower()
