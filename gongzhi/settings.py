"""Settings for Gongzhi.

The environment is read exactly once, here. A bad value stops start-up with
``ImproperlyConfigured`` and a message naming the variable, so a deployment
never runs half-configured. With no variables at all the project runs locally
on SQLite with eager Celery and the console SMS sender (``make run``).

Variables (all documented in README.md):

GONGZHI_ENV            ``development`` (default) or ``production``
SECRET_KEY             required in production
DEBUG                  ``true``/``false``; default true in development, false in production
ALLOWED_HOSTS          comma-separated
CSRF_TRUSTED_ORIGINS   comma-separated origins (https://gongzhi.example.gov.cn)
DATABASE_URL           default ``sqlite:///<repo>/db.sqlite3``
CELERY_BROKER_URL      absent → tasks run eagerly in-process; make run sets
                       ``sqla+sqlite:///var/celery-broker.sqlite3`` and starts a worker
GONGZHI_FERNET_KEY     Fernet key for personal data at rest; required in production
GONGZHI_SMS_BACKEND    dotted path of the SMS sender class
GONGZHI_SMS_LOG        the console sender's file of texts (default var/sms.log)
GONGZHI_BUREAU_NAME    the signing bureau's name
MEDIA_ROOT, STATIC_ROOT
"""

# One piece because the environment is read once, in one place (STYLE.md rule 11);
# splitting it would scatter that reading.

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
ENV = os.environ


def _bool(name: str, default: bool) -> bool:
    raw = ENV.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = ENV.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def _list(name: str, default: list[str]) -> list[str]:
    raw = ENV.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


GONGZHI_ENV = ENV.get("GONGZHI_ENV", "development").strip().lower()
if GONGZHI_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"GONGZHI_ENV must be 'development' or 'production', not {GONGZHI_ENV!r}."
    )
PRODUCTION = GONGZHI_ENV == "production"

SECRET_KEY = ENV.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. In production (GONGZHI_ENV=production) set SECRET_KEY "
            "to a long random string, e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    # Local runs only: a fixed, obviously-insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-gongzhi-local-development-only"  # noqa: S105
elif PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 random characters in production.")

DEBUG = _bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = _list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names in production.")
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS", [])

# Personal data at rest (DESIGN.md "Personal data"): resident ID numbers are
# Fernet-encrypted; a keyed HMAC column allows lookup without decrypting.
_fernet_raw = ENV.get("GONGZHI_FERNET_KEY", "")
if not _fernet_raw:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "GONGZHI_FERNET_KEY is not set. Generate one with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'."
        )
    _fernet_raw = base64.urlsafe_b64encode(
        hashlib.sha256(("fernet:" + SECRET_KEY).encode()).digest()
    ).decode()
try:
    if len(base64.urlsafe_b64decode(_fernet_raw.encode())) != 32:
        raise ValueError
except ValueError:
    raise ImproperlyConfigured(
        "GONGZHI_FERNET_KEY must be a Fernet key (32 url-safe base64-encoded bytes)."
    ) from None
GONGZHI_FERNET_KEY = _fernet_raw
# The lookup HMAC key is derived from the Fernet key so one secret covers both.
GONGZHI_HMAC_KEY = hashlib.sha256(("hmac:" + _fernet_raw).encode()).digest()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "gongzhi",
    "core",
    "accounts",
    "audit",
    "estates",
    "voting",
    "funds",
    "emergency",
    "revenue",
    "publications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware_security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.OTPRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"
ASGI_APPLICATION = "gongzhi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    }
]

_default_db = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            ENV.get("DATABASE_URL") or _default_db, conn_max_age=60 if PRODUCTION else 0
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # make run has a Celery worker writing beside the server: a transaction that read
    # first (DEFERRED) and then writes while the worker writes fails at once instead of
    # waiting; IMMEDIATE takes the write lock at BEGIN, so it waits like any writer. WAL
    # lets the pages read while the worker writes.
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["init_command"] = (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "accounts.backends.PhoneCodeBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live in the database so a second web worker sees them (DESIGN.md "Scale").
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 8 * 60 * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates per language ("7 December 2026" / "2026年12月7日"): gongzhi/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["gongzhi.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(ENV.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(ENV.get("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security headers; production turns the HTTPS-only ones on (check --deploy).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A body nested too deep is a 400, not a RecursionError (core.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongzhi API",
    "DESCRIPTION": "共治 — 业主大会电子表决、专项维修资金、紧急维修与签章公示",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the shared error answers (403/404/400/429, core.api).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.document_errors",
    ],
    # Served from our own static files: no CDN needed (or reachable) in production.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Generic names (StatusEnum…) would collide as apps add their own status fields.
    "ENUM_NAME_OVERRIDES": {
        "AssemblyStatusEnum": "voting.models.Assembly.Status",
        "BallotChannelEnum": "voting.models.Ballot.Channel",
        "VoteOutcomeEnum": "voting.serializers_ballots.OUTCOMES",
        "RevenueDirectionEnum": "revenue.models.Direction",
        "RevenueCategoryEnum": "revenue.models.Category",
        "FundApplicationStatusEnum": "funds.models.FundApplication.Status",
        "FundUseStatusEnum": "funds.models.FundUse.Status",
        "FundTransactionKindEnum": "funds.models.Transaction.Kind",
        "FundCustodyRegimeEnum": "funds.models.CustodyRegime",
        "EmergencyApplicationStatusEnum": "emergency.models.EmergencyApplication.Status",
        "EmergencyFacilityEnum": "emergency.models.Facility",
        "EmergencyEvidenceKindEnum": "emergency.models.EvidenceKind",
        "EmergencyDeadlineKindEnum": "emergency.serializers.DEADLINE_KINDS",
        "EmergencyDeadlineStateEnum": "emergency.serializers.DEADLINE_STATES",
    },
}

# Celery: with no broker configured, tasks run eagerly in the calling process (the
# tests, scripts). make run sets a broker that needs no other service — kombu's
# SQLAlchemy transport on a SQLite file (scripts/run_local.sh) — and starts a worker
# beside the server. Beat only sends reminders; nothing depends on it.
CELERY_BROKER_URL = ENV.get("CELERY_BROKER_URL", "")
if CELERY_BROKER_URL.startswith(("sqla+", "sqlalchemy+")):
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "CELERY_BROKER_URL uses kombu's SQLAlchemy transport but SQLAlchemy is not "
            "installed (pip install -e .)."
        ) from None
CELERY_RESULT_BACKEND = ENV.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Beat only tidies and reminds; no state depends on it (DESIGN.md "Conventions"):
# statuses are derived from the clock when acted on.
CELERY_BEAT_SCHEDULE = {
    "purge-phone-codes": {"task": "accounts.phone_codes_purge", "schedule": 24 * 3600},
    "voting-tick": {"task": "voting.assemblies_tick", "schedule": 300},
    "voting-text-sends-resume": {"task": "voting.text_sends_resume", "schedule": 120},
    "funds-notices-sweep": {"task": "funds.posting_notices_sweep", "schedule": 600},
    "emergency-reminders": {"task": "emergency.reminders_send", "schedule": 900},
    "estates-import-jobs-recover": {"task": "estates.import_jobs_recover", "schedule": 600},
    "funds-shortfall-report": {"task": "funds.shortfall_demands_report", "schedule": 6 * 3600},
    "core-kept-uploads-purge": {"task": "core.kept_uploads_purge", "schedule": 3600},
}

# Rate limits and cache: the database by default so a second worker shares them.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "gongzhi_cache",
    }
}
if ENV.get("REDIS_CACHE_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": ENV["REDIS_CACHE_URL"],
    }

# One-time SMS codes (accounts): limits are our policy, settings with these defaults.
GONGZHI_SMS_BACKEND = ENV.get("GONGZHI_SMS_BACKEND", "accounts.sms.ConsoleSender")
# The console sender's texts, one a line (gongzhi.smslog); the console shows login codes only.
GONGZHI_SMS_LOG = Path(ENV.get("GONGZHI_SMS_LOG") or BASE_DIR / "var" / "sms.log")
GONGZHI_CODE_TTL_SECONDS = _int("GONGZHI_CODE_TTL_SECONDS", 300, minimum=60)
GONGZHI_CODE_SENDS_PER_HOUR = _int("GONGZHI_CODE_SENDS_PER_HOUR", 5, minimum=1)
GONGZHI_CODE_MAX_TRIES = _int("GONGZHI_CODE_MAX_TRIES", 5, minimum=1)
# Codes sent from one client address in an hour, whatever the phones (SMS bombing).
# Generous: owners behind one carrier-grade NAT share an address.
GONGZHI_CODE_SENDS_PER_IP_PER_HOUR = _int("GONGZHI_CODE_SENDS_PER_IP_PER_HOUR", 30, minimum=1)
# First login: resident ID numbers tried per verified code (RULES.md §3).
GONGZHI_ID_MAX_TRIES = _int("GONGZHI_ID_MAX_TRIES", 5, minimum=1)
# TOTP codes tried per user in 15 minutes, on top of django-otp's growing delay.
GONGZHI_TOTP_MAX_TRIES = _int("GONGZHI_TOTP_MAX_TRIES", 5, minimum=1)
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1). With 0
# the client address is REMOTE_ADDR; never trust the header without a proxy that sets it.
GONGZHI_TRUSTED_PROXIES = _int("GONGZHI_TRUSTED_PROXIES", 0, minimum=0)

# Voting (RULES.md §2 "Periods", §3): voting opens no earlier than the day after a
# notice period of this many days (物业管理条例 art. 14: never shorter than 15).
GONGZHI_NOTICE_DAYS = _int("GONGZHI_NOTICE_DAYS", 15, minimum=15)
GONGZHI_OBJECTION_DAYS = _int("GONGZHI_OBJECTION_DAYS", 7, minimum=1)
# Fund applications above this amount (fen) need two distinct approvers (our policy),
# and so does every use whose cumulative instructions pass it (RULES.md §4).
GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN = _int(
    "GONGZHI_FUND_TWO_APPROVERS_ABOVE_FEN", 20_000_000, minimum=0
)
# RULES.md §4 "use": the approved budget is a ceiling. A motion may state an owners'
# tolerance N % (an integer 0..this cap); above it only a supplementary owners' vote.
GONGZHI_FUND_TOLERANCE_CAP_PCT = _int("GONGZHI_FUND_TOLERANCE_CAP_PCT", 10, minimum=0)
# A settlement strictly above this amount (fen) needs an audited final account (审价报告).
GONGZHI_FUND_AUDIT_ABOVE_FEN = _int("GONGZHI_FUND_AUDIT_ABOVE_FEN", 20_000_000, minimum=0)
# 质保金: this percentage of the final cost is held until the warranty of the works ends.
GONGZHI_FUND_RETENTION_PCT = _int("GONGZHI_FUND_RETENTION_PCT", 5, minimum=0)
# 分摊补缴 (RULES.md §4): days an owner has to pay the estimated shortfall demanded at
# approval; unpaid after it, the debt is reported to the convener and the street.
GONGZHI_SHORTFALL_DUE_DAYS = _int("GONGZHI_SHORTFALL_DUE_DAYS", 30, minimum=1)
# Uses of the same area on the same parts filed this many days apart or less are
# flagged to the approver as a possible split under the threshold (funds.procedure.splitting).
GONGZHI_FUND_SPLIT_WINDOW_DAYS = _int("GONGZHI_FUND_SPLIT_WINDOW_DAYS", 90, minimum=1)
# Emergency repairs (RULES.md §5): treat an application as approved when the bureau's
# review is overdue (some provinces' practice). Off by default; derived when read.
GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE = _bool("GONGZHI_EMERGENCY_AUTO_APPROVE_OVERDUE", False)
# Emergency repairs (RULES.md §5): the custody bank confirms a payment instruction within
# this many working days of it — a deadline of its own, reminded and escalated.
GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS = _int("GONGZHI_EMERGENCY_BANK_CONFIRM_DAYS", 1, minimum=1)
# Live progress (voting.views._scope.live_approval): approval shown while voting is open.
# Our policy, default off: participation is live for everyone, approval for everyone at the close.
GONGZHI_LIVE_APPROVAL = _bool("GONGZHI_LIVE_APPROVAL", False)
# The convener's reminder texts to rights that have not voted (voting.services.turnout):
# at most this many per calendar day and per assembly (our policy: owners are not spammed).
GONGZHI_TURNOUT_REMINDERS_PER_DAY = _int("GONGZHI_TURNOUT_REMINDERS_PER_DAY", 1, minimum=1)
GONGZHI_TURNOUT_REMINDERS_PER_ASSEMBLY = _int(
    "GONGZHI_TURNOUT_REMINDERS_PER_ASSEMBLY", 3, minimum=1
)
# Count the notice and objection periods in working days of China's official calendar.
GONGZHI_PERIODS_IN_WORKING_DAYS = _bool("GONGZHI_PERIODS_IN_WORKING_DAYS", False)

GONGZHI_BUREAU_NAME = ENV.get("GONGZHI_BUREAU_NAME", "埇桥区住房和城乡建设局")
GONGZHI_DISTRICT_NAME = ENV.get("GONGZHI_DISTRICT_NAME", "宿州市埇桥区")
OTP_TOTP_ISSUER = "Gongzhi 共治"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # The console SMS sender's texts: all in GONGZHI_SMS_LOG, only login codes on the
    # console (gongzhi.smslog; issue 16 item 12: seeding sends ~1,800 texts).
    "filters": {"sms_console": {"()": "gongzhi.smslog.ConsoleSmsFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["sms_console"],
        },
        "sms_file": {"()": "gongzhi.smslog.SmsFileHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": ENV.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "gongzhi.sms": {"handlers": ["sms_file"], "level": "INFO"},
        # One line per finished task ("Task … succeeded"): eager Celery under make run.
        "celery.app.trace": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Keep "weasyprint" itself at WARNING or lower: missing-glyph detection reads it.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# --- Publications (publications app; DESIGN.md "Publications and signatures", RULES.md §7) ---
# Every public notice is a PDF/A signed with the bureau's key. Keys live in
# GONGZHI_SIGNING_DIR (created by ``manage.py signing_init``), encrypted with
# GONGZHI_SIGNING_PASSPHRASE; a bureau with a government-issued certificate sets
# GONGZHI_SIGNING_PKCS12 (+ its passphrase) instead. See docs/publications.md.
GONGZHI_SIGNING_DIR = Path(ENV.get("GONGZHI_SIGNING_DIR") or BASE_DIR / "var" / "signing")
GONGZHI_SIGNING_PKCS12 = ENV.get("GONGZHI_SIGNING_PKCS12", "").strip()
GONGZHI_SIGNING_PKCS12_PASSPHRASE = ENV.get("GONGZHI_SIGNING_PKCS12_PASSPHRASE", "")
if GONGZHI_SIGNING_PKCS12 and not Path(GONGZHI_SIGNING_PKCS12).is_file():
    raise ImproperlyConfigured(
        f"GONGZHI_SIGNING_PKCS12 names {GONGZHI_SIGNING_PKCS12!r}, which is not a file."
    )
GONGZHI_SIGNING_PASSPHRASE = ENV.get("GONGZHI_SIGNING_PASSPHRASE", "")
if not GONGZHI_SIGNING_PASSPHRASE:
    if PRODUCTION and not GONGZHI_SIGNING_PKCS12:
        raise ImproperlyConfigured(
            "GONGZHI_SIGNING_PASSPHRASE is not set. In production the signing keys are "
            "encrypted with it; set it to a long random string kept outside the code."
        )
    # Local runs only: derived from SECRET_KEY so keys survive restarts.
    GONGZHI_SIGNING_PASSPHRASE = hashlib.sha256(("signing:" + SECRET_KEY).encode()).hexdigest()
GONGZHI_TIMESTAMP_URL = ENV.get("GONGZHI_TIMESTAMP_URL", "").strip()
if GONGZHI_TIMESTAMP_URL and not GONGZHI_TIMESTAMP_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("GONGZHI_TIMESTAMP_URL must be an http(s) URL of an RFC 3161 TSA.")
GONGZHI_SERIAL_PREFIX = ENV.get("GONGZHI_SERIAL_PREFIX", "YQ").strip()
if not (
    1 <= len(GONGZHI_SERIAL_PREFIX) <= 8
    and GONGZHI_SERIAL_PREFIX.isascii()
    and GONGZHI_SERIAL_PREFIX.isalpha()
    and GONGZHI_SERIAL_PREFIX.isupper()
):
    raise ImproperlyConfigured(
        f"GONGZHI_SERIAL_PREFIX must be 1-8 capital letters, not {GONGZHI_SERIAL_PREFIX!r}."
    )
_public_base_url = ENV.get("GONGZHI_PUBLIC_BASE_URL", "").strip().rstrip("/")
if not _public_base_url:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "GONGZHI_PUBLIC_BASE_URL is not set. The QR code on every published PDF links "
            "to it (e.g. https://gongzhi.example.gov.cn)."
        )
    _public_base_url = "http://127.0.0.1:8000"
if not _public_base_url.startswith(("http://", "https://")):
    raise ImproperlyConfigured("GONGZHI_PUBLIC_BASE_URL must start with http:// or https://.")
GONGZHI_PUBLIC_BASE_URL = _public_base_url
