"""Settings for Stepyard, read from the environment.

Embedded default: SQLite (WAL) in the data directory and the in-memory channel layer.
Scaled mode: set DATABASE_URL (PostgreSQL) and REDIS_URL (channels_redis).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


DATA_DIR = Path(os.environ.get("STEPYARD_DATA_DIR", BASE_DIR / "data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use STEPYARD_SECRET_KEY, else one generated once and kept in the data directory."""
    if os.environ.get("STEPYARD_SECRET_KEY"):
        return os.environ["STEPYARD_SECRET_KEY"]
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("STEPYARD_DEBUG", False)
ALLOWED_HOSTS = os.environ.get(
    "STEPYARD_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver"
).split(",")

# The identity Stepyard reports in ARNs, queue URLs and the like.
STEPYARD_REGION = os.environ.get("STEPYARD_REGION", "us-east-1")
STEPYARD_ACCOUNT = os.environ.get("STEPYARD_ACCOUNT", "000000000000")
if not (STEPYARD_ACCOUNT.isdigit() and len(STEPYARD_ACCOUNT) == 12):
    raise ImproperlyConfigured("STEPYARD_ACCOUNT must be 12 digits")
STEPYARD_DEFAULT_ROLE_ARN = f"arn:aws:iam::{STEPYARD_ACCOUNT}:role/stepyard"

# The engine's scheduler runs inside the web process unless STEPYARD_EMBEDDED_ENGINE=0
# (then `manage.py runengine` workers do the work, e.g. in the scaled mode).
STEPYARD_EMBEDDED_ENGINE = _env_bool("STEPYARD_EMBEDDED_ENGINE", True)
# How often workers look for due work written by other processes (seconds).
STEPYARD_POLL_S = float(os.environ.get("STEPYARD_POLL_S", "0.05" if os.environ.get("DATABASE_URL") else "1"))
# How long an integration call stays leased to the worker performing it. A live worker renews
# its leases (a third of this apart), so a dead worker's calls are redone this soon.
STEPYARD_LEASE_S = float(os.environ.get("STEPYARD_LEASE_S", "10"))
if not STEPYARD_LEASE_S > 0:
    raise ImproperlyConfigured("STEPYARD_LEASE_S must be a positive number of seconds")

# Graph drawing limits: beyond these a definition gets a clear message, never a hang.
STEPYARD_GRAPH_MAX_STATES = _env_int("STEPYARD_GRAPH_MAX_STATES", 600)
STEPYARD_GRAPH_TIMEOUT_S = _env_int("STEPYARD_GRAPH_TIMEOUT_S", 20)
# Longest time one JSONata expression may run before it fails its state (States.QueryEvaluationError).
STEPYARD_JSONATA_TIMEOUT_S = float(os.environ.get("STEPYARD_JSONATA_TIMEOUT_S", "5"))

# Step Functions Local's mock configuration file: "<machine ARN>#<test case>" runs a test case.
STEPYARD_MOCK_CONFIG = os.environ.get("STEPYARD_MOCK_CONFIG") or os.environ.get("SFN_MOCK_CONFIG", "")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "console.head.HeadAsGetMiddleware",
    # AWS API calls (X-Amz-Target) are answered here, before CSRF and URL routing.
    "console.api.router.AwsJsonMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
APPEND_SLASH = False

ROOT_URLCONF = "console.urls"
ASGI_APPLICATION = "console.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        import dj_database_url

        return {"default": dj_database_url.parse(url, conn_max_age=60)}
    return {
        "default": {
            # SQLite, with this process's threads taking turns to write (see the module).
            "ENGINE": "console.db.sqlite",
            "NAME": DATA_DIR / "stepyard.sqlite3",
            "OPTIONS": {
                # WAL lets the console read while the engine writes; IMMEDIATE
                # transactions take the write lock up front instead of failing
                # with "database is locked" half-way through.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # Keep each thread's connection: the engine's threads would otherwise reopen
            # SQLite (and rerun the PRAGMAs) for every step and call.
            "CONN_MAX_AGE": None,
            # Tests use a WAL file as well, not Django's shared-cache memory database, whose
            # readers fail at once ("table is locked") while another thread writes.
            "TEST": {"NAME": str(DATA_DIR / "test-stepyard.sqlite3")},
        }
    }


DATABASES = _databases()


def _channel_layers() -> dict:
    url = os.environ.get("REDIS_URL")
    if url:
        return {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [url]},
            }
        }
    return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


CHANNEL_LAYERS = _channel_layers()

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("STEPYARD_LOG_LEVEL", "INFO")},
}
