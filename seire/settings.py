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
    "SEIRE_FEEDBACK_KEY": "encrypts feedback free text and contacts; required when SEIRE_DEBUG=0",
    "SEIRE_FEEDBACK_ADDRESS_LIMIT": "feedback form posts per hour from one address (default 20)",
    "SEIRE_FEEDBACK_API_LIMIT": "feedback API posts per hour from one address (default 600)",
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
    "axes",
    "seire.access",
    "seire.organisation",
    "seire.collection",
    "seire.metrics",
    "seire.feedback",
    "seire.catalogue",
    "seire.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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

EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("SEIRE_DEFAULT_FROM_EMAIL", "seire@localhost")

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
