"""Kurator settings: one file, driven by the environment (README.md lists every variable)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("KURATOR_DATA_DIR", str(BASE_DIR / "var")))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("KURATOR_DEBUG", False)


def _secret_key() -> str:
    """The environment's key, or one generated once and kept in the data directory (a single machine)."""
    if env("KURATOR_SECRET_KEY"):
        return env("KURATOR_SECRET_KEY")
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        import secrets

        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

# Keys that encrypt network tokens at rest (kurator/core/crypto.py); empty: one generated into DATA_DIR.
KURATOR_TOKEN_KEYS = env("KURATOR_TOKEN_KEYS")

ALLOWED_HOSTS = env_list("KURATOR_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("KURATOR_CSRF_TRUSTED_ORIGINS")
if env_bool("KURATOR_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("KURATOR_SECURE_COOKIES", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "ninja",  # serves its Swagger UI files locally: /api/v1/docs works without the internet
    "template_partials",
    "huey.contrib.djhuey",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "kurator.core",
    "kurator.accounts",
    "kurator.registry",
    "kurator.planning",
    "kurator.review",
    "kurator.publishing",
    "kurator.networks",
    "kurator.sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kurator.accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "kurator.accounts.middleware.RequireTwoFactorMiddleware",
    "kurator.core.middleware.CurrentNetworkMiddleware",
]

ROOT_URLCONF = "kurator.urls"
WSGI_APPLICATION = "kurator.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kurator" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kurator.core.context_processors.workspace",
                "kurator.publishing.context_processors.publishing_banner",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kurator.sqlite3'}"),
        conn_max_age=int(env("KURATOR_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while the worker writes; IMMEDIATE avoids "database is locked" on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

CACHES = {
    "default": {
        # A shared cache so that login rate limits hold across several web processes.
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kurator_cache",
    }
}
if env("KURATOR_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("KURATOR_REDIS_URL"),
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "kurator.accounts.adapter.KuratorAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Failed logins: per address and per account (allauth counts them in the shared cache).
    "login_failed": env("KURATOR_LOGIN_RATE_LIMIT", "10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("KURATOR_TOTP_ISSUER", "Kurator")
MFA_RECOVERY_CODE_COUNT = 10

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("KURATOR_TIME_ZONE", "Europe/Moscow")

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("KURATOR_STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start while it is missing
STATICFILES_DIRS = [BASE_DIR / "kurator" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("KURATOR_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("KURATOR_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if env("KURATOR_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("KURATOR_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("KURATOR_EMAIL_PORT", "587"))
EMAIL_HOST_USER = env("KURATOR_EMAIL_USER")
EMAIL_HOST_PASSWORD = env("KURATOR_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("KURATOR_EMAIL_TLS", True)
DEFAULT_FROM_EMAIL = env("KURATOR_FROM_EMAIL", "kurator@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


DEFAULT_WORKER_THREADS = 8  # per worker process


def _huey_settings() -> dict[str, object]:
    backend = env("KURATOR_HUEY", "sqlite")
    consumer = {
        # Threads mostly wait for the networks: a campaign of posts due at one minute needs several.
        "workers": int(env("KURATOR_WORKERS", str(DEFAULT_WORKER_THREADS))),
        "worker_type": "thread",
        # An idle thread looks for jobs at least twice a second (Huey's default backs off to ten seconds,
        # and a post due after a quiet hour could go out that late).
        "max_delay": 0.5,
    }
    # Nothing reads a task's return value; storing each one was a write per publication in a campaign.
    common: dict[str, object] = {"name": "kurator", "consumer": consumer, "immediate": False, "results": False}
    if backend == "immediate":
        return {**common, "huey_class": "huey.MemoryHuey", "immediate": True}
    if backend == "redis":
        return {**common, "huey_class": "huey.RedisHuey", "url": env("KURATOR_REDIS_URL", "redis://127.0.0.1:6379/0")}
    if backend == "postgres":
        return {
            **common,
            "huey_class": "huey.PostgresHuey",
            "dsn": env("KURATOR_HUEY_DSN", env("DATABASE_URL")),
            # Blocking reads LISTEN on a connection of each thread's own, on top of its Django connection:
            # four workers and a web server ran out of PostgreSQL's hundred connections in a campaign
            # (bench/publishing.py), and the jobs that failed to connect waited for the sweeper. Polling
            # (at most max_delay apart) needs none.
            "blocking": False,
        }
    return {**common, "huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")}


HUEY = _huey_settings()

NINJA_PAGINATION_PER_PAGE = 50

# Simulated readers on the sandbox networks (issue 4): off by default, so a production install stays quiet.
KURATOR_SANDBOX_SIMULATION = env_bool("KURATOR_SANDBOX_SIMULATION", False)
KURATOR_SANDBOX_SIMULATION_RATE = int(env("KURATOR_SANDBOX_SIMULATION_RATE", "6"))

# Where publishing sends (R-PUB-5): the networks' API addresses (a proxy may stand in), and the address at
# which the worker reaches this installation's own sandbox, for the pages connected to it.
KURATOR_VK_API_URL = env("KURATOR_VK_API_URL", "https://api.vk.com/method")
KURATOR_TELEGRAM_API_URL = env("KURATOR_TELEGRAM_API_URL", "https://api.telegram.org")
KURATOR_SANDBOX_URL = env("KURATOR_SANDBOX_URL", "http://127.0.0.1:8000/sandbox")

# Notifications by Telegram (issue 5 item 6) come from the installation's own bot, which people link from
# their profile; no token, no Telegram notifications. The bot speaks to KURATOR_TELEGRAM_API_URL, so a
# local Bot API server, a proxy or this installation's sandbox (KURATOR_SANDBOX_URL + "/telegram") may stand in.
KURATOR_NOTIFY_BOT_TOKEN = env("KURATOR_NOTIFY_BOT_TOKEN")
# The address people open Kurator at (e.g. https://smm.library.ru): a notification's link leaves the site in
# an e-mail or a Telegram message, where a bare path leads nowhere.
KURATOR_SITE_URL = env("KURATOR_SITE_URL").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("KURATOR_LOG_LEVEL", "INFO")},
    # httpx logs every request's URL at INFO, and a Telegram URL carries the bot's token.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
