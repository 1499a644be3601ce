"""The one settings module. Everything that differs between machines comes from env vars."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .env import database_from_url, env_bool, env_int, env_list, env_str, s3_from_env

REPO_DIR = Path(__file__).resolve().parents[2]
FRONTEND_DIR = REPO_DIR / "frontend"

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "channels",
    "ninja",
    "accounts",
    "tenancy",
    "background",
    "shops",
    "drawings",
    "orders",
    "allocation",
    "offers",
    "production",
    "notifications",
    "purchasing",
    "insight",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "tenancy.middleware.MembershipMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kumiai.urls"
ASGI_APPLICATION = "kumiai.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [FRONTEND_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tenancy.context_processors.membership",
                "notifications.context_processors.unread",
            ],
        },
    }
]

DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "postgresql:///kumiai"))}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # ASGI: a connection per request, closed after
# The web server sets KUMIAI_DB_POOL_MAX (kumiai/asgi.py): under ASGI every request's view
# runs in a thread of its own, each with a connection of its own, so 200 busy users opened
# more than PostgreSQL's 200 (bench/schedule_load.py). A pool bounds them (a request past
# the bound waits for one, up to DB_POOL_WAIT_S) and keeps them open (no 6 ms SCRAM
# handshake per request). Celery's forked children and the tests keep plain connections.
DB_POOL_MAX = env_int("KUMIAI_DB_POOL_MAX", 0)
DB_POOL_WAIT_S = 30
if DB_POOL_MAX > 0:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 2,
        "max_size": DB_POOL_MAX,
        "timeout": DB_POOL_WAIT_S,
    }
    # A pooled connection that died with its server (a restart) is dropped, not handed out.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# True only behind a reverse proxy that appends the client's address to X-Forwarded-For
# (nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`). Without a proxy
# the header is whatever the client wrote, so it stays ignored.
TRUST_X_FORWARDED_FOR = env_bool("KUMIAI_TRUST_X_FORWARDED_FOR", False)

# Failed logins per account and per address before a pause, and the pause.
LOGIN_MAX_FAILURES = env_int("KUMIAI_LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_S = env_int("KUMIAI_LOGIN_LOCKOUT_S", 900)

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "kumiai",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # No read timeout: a consumer waits on a blocking read for as long as the channel
        # is quiet, and redis-py 8's default socket timeout (5 s) killed it after 5 s of
        # quiet, closing live pages' sockets (redis/redis-py#4091).
        "CONFIG": {
            "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
            "prefix": "kumiai-asgi",
        },
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("KUMIAI_TASK_TIME_LIMIT_S", 600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE = {
    "fail-stale-jobs": {
        "task": "background.fail_stale_jobs",
        "schedule": float(env_int("KUMIAI_STALE_SWEEP_S", 600)),
    },
    # Analyses whose worker died: re-queued within a minute (drawings/tasks.py).
    "sweep-analyses": {
        "task": "drawings.sweep_analyses",
        "schedule": float(env_int("KUMIAI_ANALYSIS_SWEEP_S", 20)),
    },
    # Offers whose deadline passed unanswered lapse and are re-planned (offers/actions.py).
    "expire-offers": {
        "task": "offers.expire_offers",
        "schedule": float(env_int("KUMIAI_OFFER_SWEEP_S", 30)),
    },
    # Offers whose deadline is near get one reminder to their shop (notifications/tasks.py).
    "deadline-reminders": {
        "task": "notifications.deadline_reminders",
        "schedule": float(env_int("KUMIAI_REMINDER_SWEEP_S", 300)),
    },
}

S3 = s3_from_env()
# Uploads larger than this are refused before they reach the object store.
MAX_UPLOAD_BYTES = env_int("KUMIAI_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)

LANGUAGE_CODE = "en"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [FRONTEND_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Only production collects static files (compose sets it); dev serves from the source folders.
STATIC_ROOT = env_str("DJANGO_STATIC_ROOT", "") or None
STATICFILES_DIRS = [FRONTEND_DIR / "static"]
WHITENOISE_USE_FINDERS = True  # serve straight from the source folders; no collectstatic in dev

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "kumiai@localhost")
# The file backend (`make run` writes notification mails to .kumiai/mail/) reads this.
EMAIL_FILE_PATH = env_str("DJANGO_EMAIL_FILE_PATH", "") or None
KUMIAI_BASE_URL = env_str("KUMIAI_BASE_URL", "http://127.0.0.1:8000")  # links in e-mails
# Offers whose deadline is this near get one reminder to their shop.
KUMIAI_DEADLINE_REMINDER_HOURS = float(env_int("KUMIAI_DEADLINE_REMINDER_HOURS", 12))
INVITATION_TTL_S = 7 * 24 * 3600

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("KUMIAI_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# How long a shop has to answer an offer before it lapses and the line is re-planned.
KUMIAI_OFFER_HOURS = float(env_int("KUMIAI_OFFER_HOURS", 48))
