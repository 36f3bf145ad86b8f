"""Response headers Django's SecurityMiddleware does not set, and the staff second factor.

`SecurityHeadersMiddleware` adds the Content-Security-Policy (no inline script or style: the
pages put their JavaScript in static files) and a Permissions-Policy. Django 6 has a
built-in CSP; on 5.2 this is it. It also answers 400 to a URL or query string holding a NUL
character, or a JSON body holding one, which no view can use and PostgreSQL refuses in any
text (a 500 otherwise).

`BusyMiddleware` answers 503 (with `Retry-After`) when the database is too busy to take a
write in time — SQLite's "database is locked" after its busy timeout, or PostgreSQL's lock
timeout, deadlock or serialisation failure: the request's transaction was rolled back, so
nothing of it was saved, and the person is told so and asked to send it again.

`TwoFactorMiddleware` sends a signed-in member of a role named in `SEIRE_REQUIRE_2FA_FOR`
to the verification step (or, without a device yet, to the enrolment page) until the
session is verified with a TOTP code; anyone who set up a device of their own accord is
asked for a code too. Signing in through OpenID Connect counts as verified:
the identity provider (the state authentication service) does the strong authentication.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from seire.access.roles import scope_for

OIDC_SESSION_FLAG = "seire_oidc_login"


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request):
            response = _bad_request(request, "The request holds a NUL character.")
        else:
            response = self.get_response(request)
        policy = getattr(settings, "SEIRE_CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        permissions = getattr(settings, "SEIRE_PERMISSIONS_POLICY", "")
        if permissions and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions
        response.setdefault("X-Content-Type-Options", "nosniff")
        return response


def _holds_nul(request) -> bool:
    """A NUL in the path, the query string or a JSON body (raw or escaped as \\u0000)."""
    if "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    ):
        return True
    if request.content_type == "application/json" and request.method in ("POST", "PUT", "PATCH"):
        body = request.body
        return b"\x00" in body or b"\\u0000" in body
    return False


def _bad_request(request, message: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


#: SQLSTATEs of PostgreSQL errors that mean "busy, try again": lock not available, deadlock
#: detected, serialisation failure.
BUSY_SQLSTATES = {"55P03", "40P01", "40001"}
RETRY_AFTER_SECONDS = 5


def is_busy(exc: BaseException) -> bool:
    """Did the database refuse for contention (try again), not for a fault?"""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in BUSY_SQLSTATES:  # psycopg 3
        return True
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


class BusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not is_busy(exc):
            return None
        message = "The database is busy; nothing was saved. Please send it again."
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        elif request.headers.get("HX-Request"):  # a grid cell: said in the page's alert
            response = render(request, "_busy.html", status=503)
            response["HX-Retarget"] = "#busy"
            response["HX-Reswap"] = "innerHTML"
        else:
            response = render(request, "503.html", status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


def needs_second_factor(request) -> bool:
    """True when the session is not verified yet and this signed-in user's role requires a
    TOTP code, or the user has set up an authenticator app of their own accord."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if request.session.get(OIDC_SESSION_FLAG) or getattr(user, "is_verified", lambda: False)():
        return False
    scope = scope_for(user)
    roles = set(scope.roles) | ({"analyst"} if scope.everything else set())
    if roles & settings.SEIRE_REQUIRE_2FA_FOR:
        return True
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


# Reachable before the second factor: signing out, the 2FA pages themselves, static files.
EXEMPT_NAMES = {
    "logout",
    "login",
    "set_language",
    "health",
    "access:otp_verify",
    "access:otp_setup",
}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.view_name if match else ""
        static = "/" + settings.STATIC_URL.lstrip("/")
        if name in EXEMPT_NAMES or request.path.startswith(static):
            return None
        if not needs_second_factor(request):
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "two-factor verification required"}, status=403)
        from django_otp import user_has_device

        target = "access:otp_verify" if user_has_device(request.user) else "access:otp_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
