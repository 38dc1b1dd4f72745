"""Django settings for Pacto.

Everything an operator may change comes from the environment (see "Configuration" in the
README); nothing secret is ever written here.
"""

import os
import sys
from pathlib import Path

import dj_database_url
import structlog
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no variable. A word that is neither (``PACTO_DEBUG=ture``) is refused rather
    than read as "no": a typo must not switch a setting off in silence."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use one of 1, true, yes, on, 0, false, no, off.")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    """A whole-number variable, at least ``minimum``; anything else names the variable."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: a whole number is needed.") from None
    if number < minimum:
        raise ImproperlyConfigured(f"{name}={value!r}: must be at least {minimum}.")
    return number


def env_float(name: str, default: float, minimum: float = 0.0) -> float:
    """A number variable (``0.25``), at least ``minimum``; anything else names the variable."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: a number is needed.") from None
    if not number >= minimum:  # also refuses nan
        raise ImproperlyConfigured(f"{name}={value!r}: must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated variable, e.g. PACTO_ALLOWED_HOSTS=desk.example.com,localhost."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("PACTO_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("PACTO_DEBUG")

# pytest-django imports these settings before any conftest.py runs, so the choice of test
# database has to be made here rather than in a fixture.
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]

SECRET_KEY = env("PACTO_SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "Set PACTO_SECRET_KEY (a long random string), or PACTO_DEBUG=1 for development."
        )
    # Development only. The "django-insecure" prefix makes `pacto check --deploy` flag it.
    SECRET_KEY = "django-insecure-pacto-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("PACTO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("PACTO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "pacto.accounts",
    "pacto.catalog",
    "pacto.contracts",
    "pacto.tickets",
    "pacto.notifications",
    "pacto.automation",
    "pacto.availability",
    "pacto.services",
    "pacto.reports",
    "pacto.kb",
    "pacto.casework",
    "pacto.mail",
    "pacto.portal",
    "pacto.console",
    "ninja",
    # Sign-in (see "Web UI" below).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
]

AUTH_USER_MODEL = "accounts.User"

MEDIA_ROOT = Path(env("PACTO_MEDIA_ROOT") or VAR_DIR / "media")
PACTO_ATTACHMENT_MAX_BYTES = env_int("PACTO_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1)

MIDDLEWARE = [
    "pacto.observability.RequestMiddleware",  # outermost: request id, log line, metrics
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who is signed in is known from here on: their language and time zone replace what
    # LocaleMiddleware chose from the browser.
    "pacto.accounts.middleware.UserPreferencesMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "pacto.urls"
WSGI_APPLICATION = "pacto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "pacto" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # ``when`` and ``day``: the one format of an instant and of a day on every page.
            "builtins": ["pacto.tickets.templatetags.dates"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------

_DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'pacto.sqlite3'}"
DATABASE_URL = (TESTING and env("PACTO_TEST_DATABASE_URL")) or env(
    "DATABASE_URL", _DEFAULT_DATABASE_URL
)
if DATABASE_URL == _DEFAULT_DATABASE_URL:
    VAR_DIR.mkdir(parents=True, exist_ok=True)

try:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True),
    }
except ValueError as _error:
    raise ImproperlyConfigured(
        f"DATABASE_URL: {str(_error).split('. ')[0].rstrip('.')}; use "
        "postgres://user:password@host:5432/name or sqlite:///path/to/file.sqlite3"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker processes share the file: take the write lock when a transaction
    # begins and wait for it, rather than failing with "database is locked" mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if TESTING and env("PACTO_TEST_SQLITE_FILE"):
        # The test database lives in memory unless this names a file. The Chromium tests
        # want the file: over an in-memory database the live server's request threads share
        # one connection, and a page's concurrent requests interleave on it.
        DATABASES["default"]["TEST"] = {"NAME": env("PACTO_TEST_SQLITE_FILE")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if TESTING:
    # Tests create dozens of users per test; a deliberately slow hash only costs time there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Languages and time ---------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("pt-br", _("Brazilian Portuguese")),
]
# The availability results' covering indexes (INCLUDE columns) are PostgreSQL's; SQLite
# keeps the key columns and ignores the rest, which is all the embedded default needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

LOCALE_PATHS = [BASE_DIR / "pacto" / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "pacto" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed files that WhiteNoise can cache forever. The manifest exists only
    # after `pacto collectstatic`, so development and tests use the plain storage.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Security -------------------------------------------------------------------------------

# No inline scripts or styles and nothing from other origins: every script and stylesheet is
# a file under /static/. A page that needs an exception must carry a nonce ({{ csp_nonce }}).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("PACTO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# Redirecting http to https is usually the reverse proxy's job; Pacto can do it too.
SECURE_SSL_REDIRECT = env_bool("PACTO_SSL_REDIRECT")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("PACTO_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Logging --------------------------------------------------------------------------------

# One structured event per line: key=value on a terminal, JSON lines in production where a
# log collector reads them. Django's own records go through the same formatter.
LOG_LEVEL = env("PACTO_LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env("PACTO_LOG_FORMAT", "console" if DEBUG else "json")

_log_pre_chain = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]
# Tracebacks as data, without local variables: they can hold passwords and customer data.
_json_tracebacks = structlog.processors.ExceptionRenderer(
    structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
)
_log_renderer = (
    [_json_tracebacks, structlog.processors.JSONRenderer()]
    if LOG_FORMAT == "json"
    else [
        structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
    ]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {
            "()": structlog.stdlib.ProcessorFormatter,
            "foreign_pre_chain": _log_pre_chain,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *_log_renderer,
            ],
        },
    },
    "filters": {"quiet_health_checks": {"()": "pacto.observability.QuietHealthChecks"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "structured"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Replace Django's default handlers so each record is written once, structured.
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "filters": ["quiet_health_checks"],
            "propagate": False,
        },
    },
}

structlog.configure(
    processors=[
        structlog.stdlib.filter_by_level,
        *_log_pre_chain,
        structlog.stdlib.PositionalArgumentsFormatter(),
        structlog.processors.StackInfoRenderer(),
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

# Metrics (/metrics, Prometheus): every process of this machine counts into files in
# PACTO_METRICS_DIR, which /metrics adds up (prometheus-client's multi-process mode; the
# variable must be set before prometheus_client is imported, hence here). /metrics answers
# only with PACTO_METRICS_TOKEN (Bearer) and/or from PACTO_METRICS_ALLOW's networks.
if env("PACTO_METRICS_DIR") or not TESTING:
    PACTO_METRICS_DIR = Path(env("PACTO_METRICS_DIR") or VAR_DIR / "metrics")
else:  # each test run counts on its own
    import atexit
    import shutil
    import tempfile

    PACTO_METRICS_DIR = Path(tempfile.mkdtemp(prefix="pacto-metrics-"))
    atexit.register(shutil.rmtree, PACTO_METRICS_DIR, ignore_errors=True)
try:
    PACTO_METRICS_DIR.mkdir(parents=True, exist_ok=True)
except OSError as _error:
    raise ImproperlyConfigured(
        f"PACTO_METRICS_DIR: cannot create {PACTO_METRICS_DIR}: {_error.strerror}"
    ) from None
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(PACTO_METRICS_DIR)
PACTO_METRICS_TOKEN = env("PACTO_METRICS_TOKEN")
try:
    import ipaddress as _ipaddress

    PACTO_METRICS_ALLOW = [
        _ipaddress.ip_network(net, strict=False) for net in env_list("PACTO_METRICS_ALLOW")
    ]
except ValueError as _error:
    raise ImproperlyConfigured(
        f"PACTO_METRICS_ALLOW: {_error} (use 10.0.0.0/8,127.0.0.1)"
    ) from None
PACTO_METRICS_AT_RISK_SECONDS = int(env("PACTO_METRICS_AT_RISK_SECONDS", "3600"))

# API
# Requests per user (token or session) and failed authentications per client address, as
# "number/period" (s, min, hour, day). The counters live in the cache, which every web
# process shares (see "Cache" below), so four processes allow the limit, not four times it.
PACTO_API_RATE = env("PACTO_API_RATE", "100000/min" if TESTING else "600/min")
PACTO_API_ANON_RATE = env("PACTO_API_ANON_RATE", "100000/min" if TESTING else "60/min")
# How many reverse proxies append to X-Forwarded-For: the client address is the one they saw.
# 0 (the default) trusts no such header, so a client cannot pick its own address to dodge
# the limit on failed authentications.
NINJA_NUM_PROXIES = env_int("PACTO_API_NUM_PROXIES", 0)
# The API docs (/api/docs) use django-ninja's bundled Swagger UI from /static/, not a CDN
# (the content security policy allows scripts from this site only).

# Cache ----------------------------------------------------------------------------------------
# Rate limits (API, sign-in) count in the cache, so it must be one that every web process
# shares: Redis when PACTO_CACHE_URL says so (or, without it, the queue's Redis), otherwise a
# table in the database (created by `pacto migrate`). Never a per-process memory cache.
_cache_url = env("PACTO_CACHE_URL") or (
    env("PACTO_QUEUE_URL") if env("PACTO_QUEUE_URL").startswith(("redis://", "rediss://")) else ""
)
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": env("PACTO_QUEUE_NAME", "pacto"),
        }
    }
elif _cache_url:
    raise ImproperlyConfigured("PACTO_CACHE_URL: use redis://host:6379/1")
elif TESTING:
    # One process, and fixtures clear the cache between tests even without a database; the
    # web processes of tests/faults/ (not under pytest) use the database cache.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pacto_cache",
        }
    }

# Background work -----------------------------------------------------------------------------
# The worker (`pacto worker`, see docs/worker.md) runs huey consumers and the one scheduler.
# Background code uses the django.tasks API; huey's own django.tasks backend enqueues into
# huey: SQLite storage in var/ by default (nothing else to run), Redis when PACTO_QUEUE_URL
# says so (several workers on several machines).

PACTO_QUEUE_URL = env("PACTO_QUEUE_URL")
HUEY = {
    "name": env("PACTO_QUEUE_NAME", "pacto"),
    "immediate": env_bool("PACTO_QUEUE_IMMEDIATE", TESTING),
    "utc": True,
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True},
}
if PACTO_QUEUE_URL.startswith(("redis://", "rediss://", "unix://")):
    HUEY.update(huey_class="huey.RedisHuey", url=PACTO_QUEUE_URL)
elif PACTO_QUEUE_URL and not PACTO_QUEUE_URL.startswith("sqlite:"):
    raise ImproperlyConfigured("PACTO_QUEUE_URL: use redis://host:6379/0 or sqlite:///path")
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    HUEY.update(
        huey_class="huey.SqliteHuey",
        filename=PACTO_QUEUE_URL.removeprefix("sqlite://") or str(VAR_DIR / "huey.sqlite3"),
    )
TASKS = {"default": {"BACKEND": "huey.contrib.djhuey.tasks_backend.HueyBackend"}}
# How often the scheduler enqueues the sweeps (SLA clocks, lifecycle, pages, outbox).
PACTO_SWEEP_EVERY_SECONDS = env_int("PACTO_SWEEP_EVERY_SECONDS", 15, minimum=1)
# Wake the worker when a transaction writes outbox rows, instead of waiting for a sweep.
PACTO_OUTBOX_DOORBELL = env_bool("PACTO_OUTBOX_DOORBELL", not TESTING)
PACTO_OUTBOX_MAX_ATTEMPTS = env_int("PACTO_OUTBOX_MAX_ATTEMPTS", 10, minimum=1)
PACTO_OUTBOX_BACKOFF_SECONDS = env_float("PACTO_OUTBOX_BACKOFF_SECONDS", 30)
# How long a worker holds a row it is sending before another worker may take it over (a
# killed worker's rows come back after this). Longer than the slowest send may take.
PACTO_OUTBOX_LEASE_SECONDS = env_float("PACTO_OUTBOX_LEASE_SECONDS", 120, minimum=1)

PACTO_SITE_NAME = env("PACTO_SITE_NAME", "Pacto")
# Pacto's public address, for links in emails (and pages that must name it in full). `make
# run` sets it to the host and port it serves at, so the demo's links work on any port.
PACTO_BASE_URL = env("PACTO_BASE_URL", "http://localhost:8000").rstrip("/")
# When the satisfaction survey goes out: "solved" (default), "closed" or "off".
PACTO_CSAT_ON = env("PACTO_CSAT_ON", "solved")
# How long a new contact's activation link works (senhasegura §7.2's activation email).
PACTO_INVITATION_DAYS = env_int("PACTO_INVITATION_DAYS", 7, minimum=1)
PACTO_EMAIL_DOMAIN = env("PACTO_EMAIL_DOMAIN", "pacto.localhost")
DEFAULT_FROM_EMAIL = env("PACTO_FROM_EMAIL", f"{PACTO_SITE_NAME} <support@{PACTO_EMAIL_DOMAIN}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Email out (Django's MAILERS): PACTO_SMTP_URL=smtp://user:password@host:587 (STARTTLS;
# ?starttls=0 turns it off; smtps:// for implicit TLS), or EMAIL_HOST, EMAIL_PORT,
# EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL. Neither in
# development: each email is appended to PACTO_MAIL_FILE (var/mail/outbox.eml), not sent.
_smtp_url = env("PACTO_SMTP_URL")
PACTO_MAIL_FILE = Path(env("PACTO_MAIL_FILE") or VAR_DIR / "mail" / "outbox.eml")
_smtp_timeout = env_int("PACTO_SMTP_TIMEOUT", 20, minimum=1)
if _smtp_url:
    from urllib.parse import parse_qs, unquote, urlsplit

    _smtp = urlsplit(_smtp_url)
    _smtps = _smtp.scheme == "smtps"
    _mailer_options = {
        "host": _smtp.hostname or "localhost",
        "port": _smtp.port or (465 if _smtps else 587),
        "username": unquote(_smtp.username or ""),
        "password": unquote(_smtp.password or ""),
        "use_ssl": _smtps,
        "use_tls": not _smtps and parse_qs(_smtp.query).get("starttls", ["1"])[0] != "0",
        "timeout": _smtp_timeout,
    }
else:
    _mailer_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env("EMAIL_HOST_USER"),
        "password": env("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS"),
        "use_ssl": env_bool("EMAIL_USE_SSL"),
        "timeout": _smtp_timeout,
    }
if _smtp_url or env("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": _mailer_options,
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "pacto.notifications.mailfile.EmailBackend",
            "OPTIONS": {"path": PACTO_MAIL_FILE},
        }
    }

# Webhooks and the pager.
PACTO_WEBHOOK_TIMEOUT = env_float("PACTO_WEBHOOK_TIMEOUT", 10, minimum=0.1)
PACTO_PAGER_TRANSPORT = env("PACTO_PAGER_TRANSPORT")  # pagerduty | webhook | email; empty: auto
PACTO_PAGERDUTY_ROUTING_KEY = env("PACTO_PAGERDUTY_ROUTING_KEY")
PACTO_PAGERDUTY_URL = env("PACTO_PAGERDUTY_URL", "https://events.pagerduty.com/v2/enqueue")
# PagerDuty's V3 webhook subscription signs with this secret; set, /pages/pagerduty reads
# acknowledgements back from PagerDuty.
PACTO_PAGERDUTY_WEBHOOK_SECRET = env("PACTO_PAGERDUTY_WEBHOOK_SECRET")
PACTO_PAGER_WEBHOOK_URL = env("PACTO_PAGER_WEBHOOK_URL")
PACTO_PAGER_WEBHOOK_SECRET = env("PACTO_PAGER_WEBHOOK_SECRET")

# Web UI -----------------------------------------------------------------------------------------
# The customer portal (pacto.portal), the agents' console (pacto.console) and sign-in:
# django-allauth (email and password, TOTP two-factor authentication, password reset by
# email; no self sign-up: contacts are authorized through access-request tickets) and
# django-axes (an email address is locked out on one client address after repeated failures).

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out credentials
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_ADAPTER = "pacto.portal.auth.AccountAdapter"
ACCOUNT_FORMS = {"login": "pacto.portal.auth.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # the vendor creates every account from a known address
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None  # "remember me" is the person's choice
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = PACTO_SITE_NAME
MFA_ALLOW_UNVERIFIED_EMAIL = True  # see ACCOUNT_EMAIL_VERIFICATION

AXES_FAILURE_LIMIT = env_int("PACTO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
# allauth's own per-address limit stays as a second line, set above Axes' so that the lockout
# page (and its advice) is what a person sees.
ACCOUNT_RATE_LIMITS = {"login_failed": f"20/m/ip,{2 * AXES_FAILURE_LIMIT}/300s/key"}
AXES_COOLOFF_TIME = env_float("PACTO_LOGIN_COOLOFF_HOURS", 0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "pacto.portal.auth.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
# Every sign-in is logged by Axes at INFO; keep its warnings (lockouts) only.
LOGGING["loggers"]["axes"] = {"handlers": ["console"], "level": "WARNING", "propagate": False}

# Email channel -------------------------------------------------------------------------------
# Tickets and replies by email (pacto.mail; docs/email.md): IMAP polling (`pacto mail poll`),
# a raw-MIME webhook (POST /mail/inbound/) and `pacto mail ingest < message.eml` in; every
# notification threaded out (Message-ID, In-Reply-To, References, a per-ticket Reply-To).

from email.utils import parseaddr as _parseaddr  # noqa: E402

# The address customers write to; per-ticket reply addresses are its plus-addresses
# (support+t123-<token>@domain), so the mailbox must accept "+" subaddresses.
PACTO_SUPPORT_ADDRESS = env("PACTO_SUPPORT_ADDRESS") or _parseaddr(DEFAULT_FROM_EMAIL)[1]
# The inbound-mail webhook is off until this shared secret is set (X-Pacto-Mail-Secret header).
PACTO_INBOUND_MAIL_SECRET = env("PACTO_INBOUND_MAIL_SECRET")
# Mailboxes to poll, comma-separated URLs (percent-encode special characters of passwords):
# imaps://user:password@imap.example.com/INBOX, imap://…?starttls=1, ?move_to=Processed.
PACTO_IMAP_MAILBOXES = env_list("PACTO_IMAP_MAILBOXES")
PACTO_IMAP_POLL_SECONDS = env_int("PACTO_IMAP_POLL_SECONDS", 60, minimum=1)
# Messages a sender may send before the next ones are logged unprocessed ("rate_limited").
PACTO_MAIL_SENDER_RATE = env("PACTO_MAIL_SENDER_RATE", "10/hour")
PACTO_MAIL_MAX_BYTES = env_int("PACTO_MAIL_MAX_BYTES", 40 * 1024 * 1024, minimum=1)
PACTO_MAIL_MAX_ATTACHMENTS = env_int("PACTO_MAIL_MAX_ATTACHMENTS", 20, minimum=1)
# Inline images smaller than this are signature logos and icons, not screenshots: dropped.
PACTO_MAIL_INLINE_IMAGE_MIN_BYTES = env_int("PACTO_MAIL_INLINE_IMAGE_MIN_BYTES", 10240)
# The authserv-id your receiving mail server writes in Authentication-Results (e.g.
# mx.vendor.example): set it and a message whose sender domain did not pass DMARC (or DKIM
# or SPF for that domain) there is refused unanswered, so a forged From: cannot act as a
# contact. Empty: From: is trusted as the mail server delivered it.
PACTO_MAIL_TRUSTED_AUTHSERV_ID = env("PACTO_MAIL_TRUSTED_AUTHSERV_ID")

# The worker logs each task it runs at INFO: four sweeps every 15 seconds. Quiet by default.
_worker_log_level = env("PACTO_WORKER_LOG_LEVEL", "WARNING").upper()
for _logger in ("huey", "django.tasks"):
    LOGGING["loggers"][_logger] = {
        "handlers": ["console"],
        "level": _worker_log_level,
        "propagate": False,
    }
