"""One settings module; the environment decides its behaviour (django-environ).

Every variable is parsed strictly: a malformed value stops start-up with a message that names
the variable, rather than running with a silent default.
"""
import importlib.util
import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor as _WhitenoiseCompressor

from greenplan.object_storage import default_storage_setting

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
_env_file = BASE_DIR / ".env"
if _env_file.exists():
    environ.Env.read_env(_env_file)


def _strict(name, parse, default):
    """Parse one variable; a malformed value names the variable in the error."""
    try:
        return parse(name, default=default)
    except (ValueError, TypeError, KeyError, ImproperlyConfigured) as exc:
        raise ImproperlyConfigured(f"Environment variable {name} is malformed: {exc}") from exc


def _bool(name, default):
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name} is malformed: {raw!r} is not a boolean (use 1/0, true/false)."
    )


def _secret(name, default):
    """A secret from NAME, or from the file named by NAME_FILE (Docker secrets)."""
    path = env.str(f"{name}_FILE", default="")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"Environment variable {name}_FILE: cannot read {path}: {exc}")
    return env.str(name, default=default)


DEBUG = _bool("DEBUG", False)
_INSECURE_KEY = "django-insecure-greenplan-local-only"
SECRET_KEY = _secret("SECRET_KEY", _INSECURE_KEY)
ALLOWED_HOSTS = _strict("ALLOWED_HOSTS", env.list, ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = _strict("CSRF_TRUSTED_ORIGINS", env.list, [])

try:
    DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
except Exception as exc:  # django-environ raises several types for a bad URL
    raise ImproperlyConfigured(f"Environment variable DATABASE_URL is malformed: {exc}") from exc
if not DATABASES["default"]["ENGINE"].startswith("django.db.backends."):
    raise ImproperlyConfigured(
        f"Environment variable DATABASE_URL is malformed: unsupported scheme in {env.str('DATABASE_URL')!r}"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind PgBouncer in transaction pooling (DATABASE_POOLING=transaction) a server connection passes to
# another client after every transaction, so nothing may outlive one: no server-side cursors (the
# named cursor of .iterator() would be gone, or another client's). The portal keeps no other session
# state (no advisory locks, no SET; PgBouncer itself carries the time zone Django sets).
DATABASE_POOLING = _strict("DATABASE_POOLING", env.str, "")
if DATABASE_POOLING not in ("", "session", "transaction"):
    raise ImproperlyConfigured("Environment variable DATABASE_POOLING must be empty, session or transaction")
if DATABASE_POOLING == "transaction":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# psycopg 3 binds parameters on the server and prepares a statement once a connection has run it
# twice: PostgreSQL then plans each of the pages' statements once per connection instead of on every
# request (planning was most of the database's CPU on the officers' pages: bench/NOTES.md). A
# transaction pooler hands the connection to another client after each transaction, so prepared
# statements need one that tracks them (PgBouncer 1.21 and later, max_prepared_statements; Debian 12
# ships 1.18): behind a pooler they are off unless DATABASE_PREPARE=1 says the pooler can.
DATABASE_PREPARE = _bool("DATABASE_PREPARE", DATABASE_POOLING != "transaction")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and importlib.util.find_spec("psycopg"):
    # (Django takes psycopg 3 when it is installed; with only psycopg2 these options do not exist.)
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("server_side_binding", True)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2 if DATABASE_PREPARE else None)
# pg_dump and pg_restore set session state (search_path) that a pooler would hand to the next client:
# behind a pooler they connect here instead (greenplan/backups.py), and refuse to run without it.
try:
    DATABASE_DIRECT = env.db_url("DATABASE_DIRECT_URL") if env.str("DATABASE_DIRECT_URL", default="") else {}
except Exception as exc:
    raise ImproperlyConfigured(f"Environment variable DATABASE_DIRECT_URL is malformed: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has no row locks (select_for_update does nothing). A transaction that takes its write
    # lock only at its first write cannot get it while another one holds it, and SQLite answers
    # "database is locked" at once (a 500) instead of waiting. Taking the lock when the transaction
    # begins makes concurrent workflow moves queue (up to `timeout` seconds) and then see the moved
    # row, so the second is refused in words as on PostgreSQL (tests/reporting/test_concurrent_moves_sqlite.py).
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"Environment variable REDIS_URL is malformed: {REDIS_URL!r} is not a redis:// URL")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "django_celery_beat",
    # The read API (greenplan/api). Django REST Framework runs without its app (JSON only: no
    # browsable pages, so none of its 1.6 MB of static files); drf-spectacular-sidecar's Redoc bundle
    # is collected alone by greenplan.api.staticfiles.RedocFinder.
    "drf_spectacular",
    "greenplan",
    "agencies",
    "tasks",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "greenplan.middleware.LocaleMiddleware",  # the VI/EN switch's cookie only, not Accept-Language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "agencies.middleware.RequestScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "greenplan.middleware.LoginRequiredMiddleware",
    "greenplan.middleware.SecurityHeadersMiddleware",
    "greenplan.middleware.NoStoreForLoggedInMiddleware",
    "axes.middleware.AxesMiddleware",
]

# The admin's plan import writes plan items: it needs the permission to add them (django-import-export
# otherwise lets any staff account import).
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"

ROOT_URLCONF = "greenplan.urls"
WSGI_APPLICATION = "greenplan.wsgi.application"

# Per-process memory, on purpose not Redis: pages must keep working when Redis is down. Its main
# user is reporting.dashboards.drawn_pages (~200 kB a dashboard): 200 entries bound it to ~40 MB per worker.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "greenplan",
        "OPTIONS": {"MAX_ENTRIES": 200},
    }
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "reporting.context_processors.unread_notifications",
                "greenplan.context_processors.navigation",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "greenplan.accounts.PortalBackend",  # Django's ModelBackend; its user carries the unread count
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures lock the username+address pair for an hour.
AXES_FAILURE_LIMIT = _strict("AXES_FAILURE_LIMIT", env.int, 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind the reverse proxy the client's address is in X-Forwarded-For; set the number of proxies
# in front (1 in docker-compose) so lockout counts per person, not per proxy.
AXES_IPWARE_PROXY_COUNT = _strict("AXES_PROXY_COUNT", env.int, 0) or None
if AXES_IPWARE_PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"  # a Vietnamese page, not axes' English one-liner

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["greenplan.formats"]

STATIC_URL = "/static/"
# whitenoise's list, plus source maps (the API documentation's Redoc bundle carries a 4 MB one).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*_WhitenoiseCompressor.SKIP_COMPRESS_EXTENSIONS, "map")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "greenplan.api.staticfiles.RedocFinder",
]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded evidence lives outside the web root and is only served through permission checks.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# Never served as static files: evidence goes out only through a permission-checked view. A
# non-empty value is still required by Django's test server, so it names a path nothing serves.
MEDIA_URL = "/_private-media-not-served/"
# Files (evidence, generated and signed reports, pending workbook uploads): the local disk, or an
# S3-compatible bucket when STORAGE_URL (or AWS_STORAGE_BUCKET_NAME) is set: greenplan/object_storage.py.
STORAGE_URL = env.str("STORAGE_URL", default="")
STORAGES = {
    "default": default_storage_setting(STORAGE_URL, os.environ),
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

try:
    _email = env.email_url("EMAIL_URL", default="filemail://")
except Exception as exc:
    raise ImproperlyConfigured(f"Environment variable EMAIL_URL is malformed: {exc}") from exc
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend" and not _email.get("EMAIL_FILE_PATH"):
    _email["EMAIL_FILE_PATH"] = str(BASE_DIR / "var" / "mail")
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="greenplan <no-reply@greenplan.local>")

# Celery: with no REDIS_URL every job runs in-process, so the embedded default needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "max_retries": 1}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Production sits behind a TLS-terminating reverse proxy.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = _strict("SESSION_COOKIE_AGE", env.int, 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_ENGINE = "greenplan.sessions"  # Django's database sessions, read with one plain statement
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = _strict("SECURE_HSTS_SECONDS", env.int, 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# The health check must answer plain HTTP probes from the container runtime.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
ADMIN_CONTENT_SECURITY_POLICY = ("default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                                 "script-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; "
                                 "form-action 'self'; base-uri 'self'")

# A notice claimed by a worker that died is claimed again after this lease (reporting/notices.py).
NOTICE_LEASE_SECONDS = _strict("NOTICE_LEASE_SECONDS", env.int, 600)
# A province report job silent for longer than this has lost its worker: with a broker it is queued
# again (up to three claims), without one it is shown as failed with a retry
# (reporting/province/jobs.py). A live run beats every 10 s, even inside a long step.
PROVINCE_REPORT_JOB_LEASE_MINUTES = _strict("PROVINCE_REPORT_JOB_LEASE_MINUTES", env.float, 1)
EMAIL_TIMEOUT = _strict("EMAIL_TIMEOUT", env.int, 60)

# Upload limits (evidence attachments and spreadsheets).
MAX_UPLOAD_BYTES = _strict("MAX_UPLOAD_BYTES", env.int, 20 * 1024 * 1024)
MAX_IMPORT_BYTES = _strict("MAX_IMPORT_BYTES", env.int, 20 * 1024 * 1024)
# Signing the province report on the server (reporting/province/signing.py): the organisation's
# PKCS#12 file and its password (or a file holding it). Empty: the server does not sign.
SIGNING_P12_FILE = env.str("SIGNING_P12_FILE", default="")
SIGNING_P12_PASSWORD = _secret("SIGNING_P12_PASSWORD", "")
if SIGNING_P12_FILE and not Path(SIGNING_P12_FILE).is_file():
    raise ImproperlyConfigured(f"Environment variable SIGNING_P12_FILE: no such file {SIGNING_P12_FILE}")
SIGNING_FONT_FILE = env.str("SIGNING_FONT_FILE",
                            default="/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf")
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.db.backends": {"level": "WARNING"},
        "django.utils.autoreload": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The read API for other systems (greenplan/api/): tokens only (no session, so no CSRF surface),
# JSON only, errors as {"detail": ...}. Requests per token per minute, counted on the token's row.
API_RATE_PER_MINUTE = _strict("API_RATE_PER_MINUTE", env.int, 600)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["greenplan.api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["greenplan.api.auth.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "greenplan.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "greenplan API",
    "DESCRIPTION": "Read-only API: plans, plan items, agencies, reporting cycles, reports, indicators and "
                   "official reports. Send `Authorization: Token <token>` (or `Bearer <token>`); without a "
                   "token only published plans' accepted figures are returned.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Tests that need PostgreSQL, Redis or a worker may skip on a laptop; REQUIRE_SERVICES=1 (CI)
# turns every such skip into a failure.
REQUIRE_SERVICES = _bool("REQUIRE_SERVICES", False)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
