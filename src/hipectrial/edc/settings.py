"""Django settings of the EDC, read from the environment; nothing silently defaulted that matters.

* ``HIPECTRIAL_DATA_DIR`` — the data directory (default ``./hipectrial-data``): the SQLite
  database ``edc.sqlite3`` (WAL), the secret key file, collected static files, sent mail.
* ``DATABASE_URL`` — a PostgreSQL database (``postgresql://user@host:5432/name``) instead
  of the embedded SQLite one.
* ``HIPECTRIAL_PROTOCOL`` — the protocol file the EDC runs (default: the seed protocol).
* ``HIPECTRIAL_SECRET_KEY`` — else a random key is made once and kept in the data directory.
* ``HIPECTRIAL_ALLOWED_HOSTS`` — comma-separated host names (default: loopback only).
* ``HIPECTRIAL_SECURE_COOKIES=1`` — secure cookies, for a deployment behind HTTPS.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

DATA_DIR = Path(os.environ.get("HIPECTRIAL_DATA_DIR", "hipectrial-data")).resolve()
HIPECTRIAL_PROTOCOL = os.environ.get("HIPECTRIAL_PROTOCOL") or None
# Triggers that make the audit table append-only are installed after migrations (the
# ``audit`` app); test databases leave them out so that Django can empty its tables
# between tests, and the tests that check the seal install it themselves.
HIPECTRIAL_AUDIT_SEAL = os.environ.get("HIPECTRIAL_AUDIT_SEAL", "1") != "0"


def _secret_key() -> str:
    given = os.environ.get("HIPECTRIAL_SECRET_KEY")
    if given:
        return given
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key + "\n")
    return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("HIPECTRIAL_DEBUG_WEB") == "1"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("HIPECTRIAL_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    "hipectrial.edc.audit",
    "hipectrial.edc.sites",
    "hipectrial.edc.accounts",
    "hipectrial.edc.participants",
    "hipectrial.edc.crfs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hipectrial.edc.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "hipectrial.edc.accounts.middleware.HtmxLoginRedirectMiddleware",
    "hipectrial.edc.errors.ErrorPageMiddleware",
    # last, as django-axes asks
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hipectrial.edc.urls"
WSGI_APPLICATION = "hipectrial.edc.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "hipectrial.edc.context.edc",
            ]
        },
    }
]


def _database() -> dict[str, object]:
    url = os.environ.get("DATABASE_URL")
    if url:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
        config.setdefault(
            "TEST", {"NAME": os.environ.get("HIPECTRIAL_TEST_DATABASE_NAME", "test_hipectrial")}
        )
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "edc.sqlite3",
        # IMMEDIATE transactions serialise writers (no "database is locked" upgrade deadlock,
        # one audit chain); WAL lets readers go on during a write; FULL survives power loss.
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Lockout for a hospital (stack.md §4): per user *and* address, so one ward behind NAT is
# not locked out by one person's typing; 5 failures lock for 30 minutes, then it lifts.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = 0.5  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "hipectrial.edc.accounts.views.locked_out"
AXES_VERBOSE = False
# Every failed log-in kept (AccessFailureLog), also after a success resets the count: 21 CFR
# 11.300(d) asks that attempts at unauthorised use be detected and reported.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# Sessions: a sliding 30-minute idle time-out, ended when the browser closes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("HIPECTRIAL_SECURE_COOKIES") == "1"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "participants:list"
LOGOUT_REDIRECT_URL = "accounts:login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [Path(__file__).parent / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
# the project's own stylesheet (hipectrial.edc is not an app, so its static folder is named here)
STATICFILES_DIRS = [Path(__file__).parent / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = DATA_DIR / "mail"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django": {"handlers": ["console"], "level": "WARNING"}},
}
