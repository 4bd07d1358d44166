"""One settings module, read from the environment.

Where DATABASE_URL / REDIS_URL are unset the server runs on an embedded default
(SQLite under .data/, in-process channel layer, one process). Tests always set both.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from relay.redis import options as redis_options

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-set-SECRET_KEY-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",  # full-text and trigram lookups (questions.search)
    "channels",
    "axes",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "questions",
    "rooms",
    "editor",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by the login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, as django-axes asks: it refuses locked-out logins before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
EMBEDDED = not DATABASE_URL or not REDIS_URL

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    SQLITE_PATH = Path(os.environ.get("SQLITE_PATH") or BASE_DIR / ".data" / "db.sqlite3")
    SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
        }
    }
# Threads (each with its own database connection) for the control channel's database work,
# a room always on the same one (rooms/threads.py); 0 = Channels' one thread (SQLite: one
# writer at a time anyway).
ROOM_DB_THREADS = int(os.environ.get("ROOM_DB_THREADS", "4" if DATABASE_URL else "0"))

# Both channels (control and document) relay between server processes through Redis pub/sub
# of their own (relay/, one channel per room, named with this prefix); without REDIS_URL it is
# one process and needs no relay. Channels' own layer is there for anything else that wants
# one (pub/sub, our Redis options: no read timeout that a quiet connection could hit).
CHANNEL_PREFIX = os.environ.get("CHANNEL_PREFIX", "room")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **redis_options()}],
                "prefix": f"{CHANNEL_PREFIX}.layer",
            },
        },
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    }

# Who may read and write a room's shared document: the editor asks, the rooms app decides.
EDITOR_ACCESS = "rooms.access.DocumentGate"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".data" / "static"
STATICFILES_DIRS = (
    [BASE_DIR / "frontend" / "dist"] if (BASE_DIR / "frontend" / "dist").exists() else []
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Public base URL used in printed seat links.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")

# Invitations: printed on the console unless an SMTP server is configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "interviews@localhost")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# The origins browsers may use this site from: PUBLIC_URL's and any others listed. Form posts
# (Django's CSRF check) and websocket handshakes (config/asgi.py) from anywhere else are refused.
# Entries are scheme://host[:port]; https://*.example.com covers the subdomains.
CSRF_TRUSTED_ORIGINS = [origin_of(PUBLIC_URL), *env_list("CSRF_TRUSTED_ORIGINS", "")]
# The same list as channels' OriginValidator spells it (a leading dot for "and subdomains").
WEBSOCKET_ALLOWED_ORIGINS = [origin.replace("://*.", "://.") for origin in CSRF_TRUSTED_ORIGINS]

# Invite tokens travel in URLs: never leak them to another site through Referer.
# Not "no-referrer": under it Chrome sends `Origin: null` with form posts, which Django's
# CSRF check rightly refuses, so no form (login included) would work.
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# HTTPS=1 where the site is served over TLS (by daphne or by a proxy in front of it): cookies
# are sent over TLS only, and browsers are told to use https for HSTS_SECONDS.
HTTPS = env_bool("HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000" if HTTPS else "0"))

# TRUSTED_PROXY_COUNT: how many reverse proxies stand between browsers and daphne (0: none,
# browsers connect directly). Each proxy appends the address it got the request from to
# X-Forwarded-For and says in X-Forwarded-Proto whether that request came over https; only
# what the trusted proxies wrote is believed (config/login_throttle.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp). Pages load only this site's own scripts (Vite's built
# modules; json_script blocks are data, not scripts), connect only back to it (websockets
# included: 'self' covers ws/wss of the same origin in current browsers, the explicit ws
# origins cover Safari before 16), and cannot be framed.
# Styles allow 'unsafe-inline': CodeMirror adds <style> elements (a nonce could cover those),
# but the shared editor's remote cursors (y-codemirror.next) and CodeMirror set style
# attributes with run-time values, which only 'unsafe-inline' allows. Styles cannot load
# anything from another site (img-src, font-src and default-src are 'self'), so injected CSS
# can neither run script nor send data away.
WEBSOCKET_CSP_SOURCES = [
    origin.replace("http", "ws", 1) for origin in CSRF_TRUSTED_ORIGINS if origin.startswith("http")
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF, *WEBSOCKET_CSP_SOURCES],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Login throttling (django-axes). Failed logins are counted in the database, so every server
# process sees the same count. LOGIN_FAILURE_LIMIT failures for one account, or from one
# address, lock that account or address out (the right password included) until
# LOGIN_COOLOFF_S seconds pass without another try.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(seconds=float(os.environ.get("LOGIN_COOLOFF_S", "900")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.login_throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "config.login_throttle.lockout_response"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
}
# OpenAPI 3.1: its schemas are JSON Schema, so tests check real responses against them.
SPECTACULAR_SETTINGS = {
    "TITLE": "Interview room API",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
}

# Every log line passes through one handler that blanks seat tokens out of URLs. Django's own
# loggers are routed to it too: its default handlers would print some records unredacted.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "config.log_redaction.RedactTokens"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# How often each server process checks its open editor rooms against the update log (and asks
# again what each connection may do): the bound on how long a relay Redis lost can leave a
# client behind.
DOC_RESYNC_S = float(os.environ.get("DOC_RESYNC_S", "10"))
# When the others see an editor update: "early", while its commit is in flight (a crash in that
# window loses nothing a browser still holds: it is sent again), or "stored", only once it is
# committed (a commit's time later; editor/consumers.py).
EDITOR_SHOW = os.environ.get("EDITOR_SHOW", "early")
if EDITOR_SHOW not in ("early", "stored"):
    raise ImproperlyConfigured("EDITOR_SHOW must be early or stored")
# While updates are shown early, a busy process commits editor updates at most this often (one
# transaction for all of them; a lone update after a quiet spell goes at once). The window a
# server crash can leave unstored, which the browsers send again; shorter costs PostgreSQL and
# the server more CPU per keystroke.
EDITOR_COMMIT_GAP_MS = int(os.environ.get("EDITOR_COMMIT_GAP_MS", "100"))
if not 0 <= EDITOR_COMMIT_GAP_MS <= 1000:
    raise ImproperlyConfigured("EDITOR_COMMIT_GAP_MS must be between 0 and 1000")
# Rooms ended more than this many days ago lose their keystrokes (`manage.py
# compact_update_log`): the transcript and the code at 10 s steps stay. Unset: keep them all.
UPDATE_LOG_RETENTION_DAYS = (
    int(os.environ["UPDATE_LOG_RETENTION_DAYS"])
    if os.environ.get("UPDATE_LOG_RETENTION_DAYS")
    else None
)

# --- Running candidate code (runner/, see runner/README.md) --------------------------------
INSTALLED_APPS += ["runner"]
# bubblewrap, and Debian's interpreter (under /usr, the only host directory a run sees).
SANDBOX_BWRAP = os.environ.get("SANDBOX_BWRAP", "bwrap")
SANDBOX_PYTHON = os.environ.get("SANDBOX_PYTHON", "/usr/bin/python3")
# The packages a run may import (runner/sandbox-requirements.txt), installed by `make sandbox`.
SANDBOX_DIR = Path(os.environ.get("SANDBOX_DIR") or BASE_DIR / ".sandbox")
# A root server runs each concurrent run as its own uid from this range (locks live here).
SANDBOX_UID_BASE = int(os.environ.get("SANDBOX_UID_BASE", "1900000"))
SANDBOX_UID_COUNT = int(os.environ.get("SANDBOX_UID_COUNT", "64"))
SANDBOX_LOCK_DIR = os.environ.get("SANDBOX_LOCK_DIR", "/tmp/interview-sandbox-uids")
# Defaults of runner.results.Limits (wall_s, cpu_s, memory_bytes, output_bytes, processes,
# file_size_bytes, open_files, disk_bytes, sql_rows).
SANDBOX_LIMITS: dict[str, float] = {}
# SQL runs: the sandbox database and its role (created on first use from the admin URL,
# by default DATABASE_URL's server and user), and the limits PostgreSQL enforces for it.
SANDBOX_DATABASE_URL = os.environ.get("SANDBOX_DATABASE_URL", "")
SANDBOX_ADMIN_DATABASE_URL = os.environ.get("SANDBOX_ADMIN_DATABASE_URL", DATABASE_URL)
SANDBOX_SQL_TEMP_FILE_LIMIT = os.environ.get("SANDBOX_SQL_TEMP_FILE_LIMIT", "64MB")
SANDBOX_SQL_CONNECTIONS = int(os.environ.get("SANDBOX_SQL_CONNECTIONS", "32"))
# Where runs of the room execute: "local" (this server process's own pool of
# RUNNER_CONCURRENCY at a time, the embedded default's) or "redis" (a Redis Streams queue that
# `manage.py run_worker` processes consume). Default: "redis" when REDIS_URL is set.
RUNNER_QUEUE = os.environ.get("RUNNER_QUEUE") or ("redis" if REDIS_URL else "local")
RUNNER_CONCURRENCY = int(os.environ.get("RUNNER_CONCURRENCY") or os.cpu_count() or 2)
# What a run tells the room (its start, output and result): the runner calls this class's
# methods and knows nothing of rooms (runner.jobs.Reporter).
RUNNER_REPORTER = "rooms.actions.runs.RoomReporter"
