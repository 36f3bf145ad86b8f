"""Single sign-on with OpenID Connect (mozilla-django-oidc), for the state authentication
service or the ministry's directory.

Off unless `SEIRE_OIDC_ISSUER` is set. The endpoints come from the issuer's discovery
document (`<issuer>/.well-known/openid-configuration`). A verified user is matched to an
*existing* person — by a verified e-mail address (`email_verified` must be true) or by a
claim equal to a username (`SEIRE_OIDC_MATCH_CLAIM`) — and gets no role from it: roles stay
with the analyst. The id_token must be RS256-signed by a key of the issuer's JWKS, name
Seire's client id as its audience and the issuer as `iss`.
"""

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from seire.access.audit import record
from seire.access.middleware import OIDC_SESSION_FLAG

_DISCOVERY: dict[str, dict] = {}


def provider_configuration() -> dict:
    """The issuer's discovery document (fetched once per process and issuer)."""
    issuer = settings.SEIRE_OIDC_ISSUER
    if issuer not in _DISCOVERY:
        response = requests.get(
            f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise SuspiciousOperation("the discovery document names another issuer")
        _DISCOVERY[issuer] = document
    return _DISCOVERY[issuer]


def forget_provider_configuration() -> None:
    _DISCOVERY.clear()


def _require_enabled() -> None:
    if not settings.SEIRE_OIDC_ENABLED:
        raise Http404("single sign-on is not configured")


class SeireOIDCBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Endpoints from discovery instead of settings; read when a callback arrives.
        self.UserModel = get_user_model()
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None

    def authenticate(self, request, **kwargs):
        if not settings.SEIRE_OIDC_ENABLED or request is None:
            return None
        if not (request.GET.get("code") and request.GET.get("state")):
            return None
        configuration = provider_configuration()
        self.OIDC_OP_TOKEN_ENDPOINT = configuration["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = configuration["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = configuration["jwks_uri"]
        user = super().authenticate(request, **kwargs)
        if user is None:
            record(None, "login_failed", summary="single sign-on: no matching person")
        return user

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("the id_token is for another client")
        if str(payload.get("iss", "")).rstrip("/") != settings.SEIRE_OIDC_ISSUER:
            raise SuspiciousOperation("the id_token is from another issuer")
        return payload

    def verify_claims(self, claims) -> bool:
        claim = settings.SEIRE_OIDC_MATCH_CLAIM
        if claim == "email":
            return bool(claims.get("email")) and claims.get("email_verified") is True
        return bool(claims.get(claim))

    def filter_users_by_claims(self, claims):
        claim = settings.SEIRE_OIDC_MATCH_CLAIM
        active = self.UserModel.objects.filter(is_active=True)
        if claim == "email":
            return active.filter(email__iexact=claims["email"])
        return active.filter(username=str(claims[claim]))

    def create_user(self, claims):
        return None  # never: a person is created (and given roles) by the analyst

    def get_or_create_user(self, access_token, id_token, payload):
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None:
            self.request.session[OIDC_SESSION_FLAG] = True
        return user


class SeireOIDCLoginView(OIDCAuthenticationRequestView):
    """Redirects to the provider's authorisation endpoint (404 when SSO is off)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        _require_enabled()
        self.OIDC_OP_AUTH_ENDPOINT = provider_configuration()["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SeireOIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider sends the browser back here with a code; the backend does the rest."""

    def get(self, request):
        _require_enabled()
        return super().get(request)

    def login_success(self):
        response = super().login_success()
        # auth.login made a new session: mark it as signed in through the provider.
        self.request.session[OIDC_SESSION_FLAG] = True
        return response
