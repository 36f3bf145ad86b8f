"""Seire settings: one module, configured by environment variables.

Every variable is read through a small typed helper that fails loudly on nonsense
(``ImproperlyConfigured``). The defaults are safe for the demo on SQLite; production
(``SEIRE_DEBUG=0``) refuses to start with the demo secrets. docs/settings.md lists every
variable, and a test fails when one is undocumented.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

DEMO_SECRET_KEY = "seire-demo-secret-key-not-for-production-0123456789abcdefghijklmnop"  # noqa: S105
DEMO_PSEUDONYM_KEY = "seire-demo-pseudonym-key"  # noqa: S105
DEMO_FEEDBACK_KEY = "seire-demo-feedback-key"  # noqa: S105

# The settings this module reads, with what each is for (docs/settings.md mirrors this).
ENVIRONMENT = {
    "SEIRE_DEBUG": "1 for the demo/development server, 0 in production",
    "SEIRE_SECRET_KEY": "Django's secret key; required when SEIRE_DEBUG=0",
    "SEIRE_PSEUDONYM_KEY": "HMAC-SHA256 key for client pseudonyms; required when SEIRE_DEBUG=0",
    "DATABASE_URL": "database URL; default sqlite:///<repo>/seire.sqlite3",
    "SEIRE_ALLOWED_HOSTS": "comma-separated host names served in production",
    "SEIRE_CSRF_TRUSTED_ORIGINS": "comma-separated origins (https://…) trusted for forms",
    "SEIRE_SQLITE_BUSY_TIMEOUT": "seconds SQLite waits for a lock (default 20)",
    "SEIRE_DEFAULT_FROM_EMAIL": "sender address of reminder e-mails",
    "SEIRE_AXES_FAILURE_LIMIT": "failed logins before an account/address is locked (default 5)",
    "SEIRE_BASE_URL": "the public address of Seire, for links in e-mails (e.g. https://seire.example.ee)",
    "SEIRE_MAX_UPLOAD_BYTES": "largest Excel/CSV file of values accepted, in bytes (default 5 MB)",
    "SEIRE_TASKS_BACKEND": "background work: immediate (default) or database (run by db_worker)",
    "SEIRE_FEEDBACK_KEY": "encrypts feedback free text and contacts; required when SEIRE_DEBUG=0",
    "SEIRE_FEEDBACK_ADDRESS_LIMIT": "feedback form posts per hour from one address (default 20)",
    "SEIRE_FEEDBACK_API_LIMIT": "feedback API posts per hour from one address (default 600)",
    "SEIRE_REQUIRE_2FA_FOR": "roles that must confirm sign-in with a TOTP code (analyst,…)",
    "SEIRE_OIDC_ISSUER": "OpenID Connect issuer URL; empty (default) turns single sign-on off",
    "SEIRE_OIDC_CLIENT_ID": "the client id Seire is registered under at the OpenID provider",
    "SEIRE_OIDC_CLIENT_SECRET": "the client secret at the OpenID provider",
    "SEIRE_OIDC_SCOPES": "scopes asked for (default: openid email)",
    "SEIRE_OIDC_MATCH_CLAIM": "claim that finds the person: email (default) or a username claim",
    "SEIRE_OIDC_LABEL": "text of the single sign-on button",
    "SEIRE_RETAIN_FEEDBACK_TEXT_DAYS": "days encrypted feedback originals are kept (default 365)",
    "SEIRE_RETAIN_CONTACT_DAYS": "days clients' contact requests are kept (default 90)",
    "SEIRE_RETAIN_EPISODE_DAYS": "days an episode is kept after it closed (default 1826)",
    "SEIRE_RETAIN_AUDIT_DAYS": "days audit events are kept (default 2557)",
    "SEIRE_MAX_REQUEST_BYTES": "largest request body or in-memory upload, in bytes (default 10 MB)",
}


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected 1/0, true/false, yes/no or on/off")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envsecret(name: str, demo_value: str) -> str:
    """The secret from NAME or from the file named by NAME_FILE; the demo value only in debug."""
    value = os.environ.get(name, "")
    if not value and os.environ.get(f"{name}_FILE"):
        value = Path(os.environ[f"{name}_FILE"]).read_text().strip()
    if value:
        return value
    if DEBUG:
        return demo_value
    raise ImproperlyConfigured(f"{name} must be set when SEIRE_DEBUG=0")


DEBUG = envbool("SEIRE_DEBUG", "1")
SECRET_KEY = envsecret("SEIRE_SECRET_KEY", DEMO_SECRET_KEY)
PSEUDONYM_KEY = envsecret("SEIRE_PSEUDONYM_KEY", DEMO_PSEUDONYM_KEY)
if not DEBUG and SECRET_KEY == DEMO_SECRET_KEY:
    raise ImproperlyConfigured("SEIRE_SECRET_KEY is the demo key: set a secret of your own")
if not DEBUG and PSEUDONYM_KEY == DEMO_PSEUDONYM_KEY:
    raise ImproperlyConfigured("SEIRE_PSEUDONYM_KEY is the demo key: set a secret of your own")
FEEDBACK_KEY = envsecret("SEIRE_FEEDBACK_KEY", DEMO_FEEDBACK_KEY)
if not DEBUG and FEEDBACK_KEY == DEMO_FEEDBACK_KEY:
    raise ImproperlyConfigured("SEIRE_FEEDBACK_KEY is the demo key: set a secret of your own")

ALLOWED_HOSTS = envlist("SEIRE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("SEIRE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "seire.access.apps.SeireAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # its vendored Swagger UI (static files, no CDN, no inline script) at /api/docs
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",  # the queue of SEIRE_TASKS_BACKEND=database (its tables always exist)
    "seire.access",
    "seire.organisation",
    "seire.collection",
    "seire.metrics",
    "seire.feedback",
    "seire.inquiries",
    "seire.evaluation",
    "seire.publishing",
    "seire.catalogue",
    "seire.demo",
    "seire.disclosure.apps.DisclosureConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "seire.access.middleware.SecurityHeadersMiddleware",
    "seire.access.middleware.BusyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "seire.access.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "seire.urls"
WSGI_APPLICATION = "seire.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "seire" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "seire.access.context_processors.access",
            ],
        },
    },
]

# Database: SQLite by default (WAL mode, busy timeout), PostgreSQL via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'seire.sqlite3'}",
        conn_max_age=0 if DEBUG else 60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": envint("SEIRE_SQLITE_BUSY_TIMEOUT", "20"),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock an account from one address after repeated failed logins.
AXES_FAILURE_LIMIT = envint("SEIRE_AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "et"
LANGUAGES = [("et", _("Estonian")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "seire" / "locale"]
TIME_ZONE = "Europe/Tallinn"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# seire/static (the stylesheet, vendored htmx) belongs to no app, so it is named here.
STATICFILES_DIRS = [BASE_DIR / "seire" / "static"]

# Security: secure cookies and HSTS outside debug; `python -m seire check --deploy` is clean.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy and the other headers SecurityMiddleware does not set
# (seire.access.middleware.SecurityHeadersMiddleware): no inline script, no inline style.
SEIRE_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
SEIRE_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# Request bodies and uploads held in memory; larger uploads are refused by the importers too.
SEIRE_MAX_REQUEST_BYTES = envint("SEIRE_MAX_REQUEST_BYTES", str(10 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = SEIRE_MAX_REQUEST_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = min(SEIRE_MAX_REQUEST_BYTES, 2_621_440)  # larger: a temp file
FILE_UPLOAD_HANDLERS = [
    "seire.access.uploads.LimitedUploadHandler",  # refuses a multipart body over the limit
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000  # a statistics grid posts many cells

# Staff sign-in: a TOTP second factor (django-otp) for these roles; off in the demo.
SEIRE_REQUIRE_2FA_FOR = frozenset(
    envlist("SEIRE_REQUIRE_2FA_FOR", "" if DEBUG else "analyst,service_owner")
)
_ROLES = {"analyst", "service_owner", "manager", "provider"}
if not SEIRE_REQUIRE_2FA_FOR <= _ROLES:
    raise ImproperlyConfigured(
        f"SEIRE_REQUIRE_2FA_FOR: unknown roles {sorted(SEIRE_REQUIRE_2FA_FOR - _ROLES)};"
        f" expected some of {sorted(_ROLES)}"
    )
OTP_TOTP_ISSUER = "Seire"

# Single sign-on with OpenID Connect (mozilla-django-oidc): off unless an issuer is given.
# Endpoints come from the issuer's discovery document (seire.access.oidc); a verified user
# is matched to an existing person and gets no role from it.
SEIRE_OIDC_ISSUER = os.environ.get("SEIRE_OIDC_ISSUER", "").rstrip("/")
SEIRE_OIDC_ENABLED = bool(SEIRE_OIDC_ISSUER)
SEIRE_OIDC_MATCH_CLAIM = os.environ.get("SEIRE_OIDC_MATCH_CLAIM", "email")
SEIRE_OIDC_LABEL = os.environ.get("SEIRE_OIDC_LABEL", "")
OIDC_RP_CLIENT_ID = os.environ.get("SEIRE_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("SEIRE_OIDC_CLIENT_SECRET", "")
if not OIDC_RP_CLIENT_SECRET and os.environ.get("SEIRE_OIDC_CLIENT_SECRET_FILE"):
    OIDC_RP_CLIENT_SECRET = Path(os.environ["SEIRE_OIDC_CLIENT_SECRET_FILE"]).read_text().strip()
if SEIRE_OIDC_ENABLED and not (OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET):
    raise ImproperlyConfigured(
        "SEIRE_OIDC_ISSUER is set: SEIRE_OIDC_CLIENT_ID and SEIRE_OIDC_CLIENT_SECRET are needed"
    )
OIDC_RP_SCOPES = os.environ.get("SEIRE_OIDC_SCOPES", "openid email")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
OIDC_AUTHENTICATION_CALLBACK_URL = "access:oidc_callback"
LOGIN_REDIRECT_URL_FAILURE = "/login/?sso=failed"
if SEIRE_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("seire.access.oidc.SeireOIDCBackend")

# Retention (`seire retention`, daily from cron): days each kind of data is kept; 0 = forever.
SEIRE_RETENTION_DAYS = {
    "feedback_text": envint("SEIRE_RETAIN_FEEDBACK_TEXT_DAYS", "365"),
    "contact": envint("SEIRE_RETAIN_CONTACT_DAYS", "90"),
    "episodes": envint("SEIRE_RETAIN_EPISODE_DAYS", "1826"),
    "audit": envint("SEIRE_RETAIN_AUDIT_DAYS", "2557"),
}
if any(days < 0 for days in SEIRE_RETENTION_DAYS.values()):
    raise ImproperlyConfigured("SEIRE_RETAIN_*_DAYS must be 0 (keep forever) or more days")

EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SEIRE_DEFAULT_FROM_EMAIL", "seire@localhost")

# Background work with django-tasks: recomputing the metrics a change of data affects (once
# its transaction commits) and sending reminders. The immediate backend runs a task as it is
# enqueued; the database backend (django-tasks-db) queues it for `seire db_worker`.
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_tasks_backend = os.environ.get("SEIRE_TASKS_BACKEND", "").strip() or "immediate"
if _tasks_backend not in TASKS_BACKENDS and _tasks_backend not in TASKS_BACKENDS.values():
    raise ImproperlyConfigured(
        f"SEIRE_TASKS_BACKEND={_tasks_backend!r}: expected immediate or database"
    )
TASKS = {"default": {"BACKEND": TASKS_BACKENDS.get(_tasks_backend, _tasks_backend)}}

SEIRE_BASE_URL = os.environ.get("SEIRE_BASE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip(
    "/"
)

# Imports of values (Excel, CSV): larger files are refused before they are opened.
SEIRE_MAX_UPLOAD_BYTES = envint("SEIRE_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))
if SEIRE_MAX_UPLOAD_BYTES <= 0:
    raise ImproperlyConfigured("SEIRE_MAX_UPLOAD_BYTES must be a positive number of bytes")

# Public feedback: floods from one address are refused (429) past these hourly limits.
SEIRE_FEEDBACK_ADDRESS_LIMIT = envint("SEIRE_FEEDBACK_ADDRESS_LIMIT", "20")
SEIRE_FEEDBACK_API_LIMIT = envint("SEIRE_FEEDBACK_API_LIMIT", "600")
if SEIRE_FEEDBACK_ADDRESS_LIMIT <= 0 or SEIRE_FEEDBACK_API_LIMIT <= 0:
    raise ImproperlyConfigured("SEIRE_FEEDBACK_*_LIMIT must be a positive number per hour")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
