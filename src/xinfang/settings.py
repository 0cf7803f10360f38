"""One settings module; deployments differ only by their environment (healthchecks' habit).

Environment variables:
- XINFANG_HOME: data folder (SQLite database, uploads, generated demo keys). Default ./var
- DATABASE_URL: e.g. postgres://user@127.0.0.1:5432/xinfang. Default: SQLite in XINFANG_HOME.
- XINFANG_SECRET_KEY: Django's secret key. Required unless XINFANG_DEBUG=1.
- XINFANG_DATA_KEY: key for personal identifiers (Fernet, urlsafe base64 of 32 bytes).
- XINFANG_DEBUG: "1" for development.
- XINFANG_ALLOWED_HOSTS: comma-separated host names.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
XINFANG_HOME = Path(os.environ.get("XINFANG_HOME", "var")).resolve()

DEBUG = os.environ.get("XINFANG_DEBUG", "") == "1"
SECRET_KEY = os.environ.get("XINFANG_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("XINFANG_SECRET_KEY must be set (or XINFANG_DEBUG=1 for development)")
    SECRET_KEY = "development-only-not-secret"

# The key protecting ID numbers and phone numbers. Never in the repository: the demo
# generates one into XINFANG_HOME; production passes it in the environment.
XINFANG_DATA_KEY = os.environ.get("XINFANG_DATA_KEY", "")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("XINFANG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
]

INSTALLED_APPS = [
    "xinfang.core.admin.XinfangAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "xinfang.orgs",
    "xinfang.petitions",
    "xinfang.cases",
    "xinfang.deadlines",
    "xinfang.routing",
    "xinfang.demo",
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
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "xinfang.urls"
WSGI_APPLICATION = "xinfang.wsgi.application"

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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{XINFANG_HOME / 'xinfang.sqlite3'}", conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Chinese whatever the browser asks for: the offices work in Chinese (no LocaleMiddleware).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = XINFANG_HOME / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = XINFANG_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGIN_URL = "/admin/login/"

# Login throttling (design.md, Security), by django-axes: after 5 failed logins for one
# account from one address, that pair waits 30 minutes. Counting per account and address
# stops guessing without letting anyone lock a colleague out from elsewhere.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("XINFANG_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_VERBOSE = False

# Content-security policy (design.md, Security): same-origin only; the admin's inline
# styles need 'unsafe-inline' for styles, scripts stay strict.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Attachments (R-INTAKE-1): size and type limits.
XINFANG_ATTACHMENT_MAX_BYTES = int(os.environ.get("XINFANG_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
XINFANG_ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "text/plain": ".txt",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/msword": ".doc",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
