"""One settings module; deployments differ only by their environment (healthchecks' habit).

Environment variables:
- XINFANG_HOME: data folder (SQLite database, uploads, generated demo keys). Default ./var
- DATABASE_URL: e.g. postgres://user@127.0.0.1:5432/xinfang. Default: SQLite in XINFANG_HOME.
- DATABASE_REPLICA_URL: a PostgreSQL hot standby of that database, read by reports, search and
  key figures while it is within XINFANG_REPLICA_MAX_LAG seconds (default 30) of the primary;
  checked every XINFANG_REPLICA_CHECK_SECONDS (default 5). Unset: everything reads the primary.
- XINFANG_SECRET_KEY: Django's secret key. Required unless XINFANG_DEBUG=1.
- XINFANG_DATA_KEY: key for personal identifiers (Fernet, urlsafe base64 of 32 bytes).
- XINFANG_AUDIT_KEY: key sealing the timeline's checkpoints (HMAC-SHA256, urlsafe base64 of
  32 bytes); XINFANG_AUDIT_CHECKPOINT_FILE: the append-only file of checkpoints.
- XINFANG_DEBUG: "1" for development.
- XINFANG_ALLOWED_HOSTS: comma-separated host names.

Production behind HTTPS (README "Running it for real"; flags take 1/0, true/false, yes/no,
on/off, anything else stops the start):
- XINFANG_HTTPS=1: the site is served only over HTTPS. Turns on Secure session and CSRF
  cookies, HSTS and the redirect of plain HTTP to HTTPS (each part below can be tuned).
- XINFANG_HSTS_SECONDS: HSTS max-age. Default one year (31536000).
- XINFANG_HSTS_INCLUDE_SUBDOMAINS, XINFANG_HSTS_PRELOAD: HSTS directives. Default 1.
- XINFANG_SSL_REDIRECT: redirect http:// to https://. Default 1 with XINFANG_HTTPS.
- XINFANG_BEHIND_PROXY=1: a reverse proxy in front sets X-Forwarded-Proto and appends the
  client's address to X-Forwarded-For; trust both headers. Only safe when the proxy sets
  them and clients cannot reach the application directly. Default 0.
- XINFANG_SESSION_HOURS: sign-in lasts this long. Default 9 (a working day).
- XINFANG_SESSION_EXPIRE_AT_BROWSER_CLOSE: sign-in ends when the browser closes. Default 1.
- XINFANG_LOGIN_FAILURE_LIMIT: failed logins for one account from one address before that
  pair waits 30 minutes. Default 5.
- XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT: failed logins from one address, whatever the
  accounts, before the address waits 30 minutes. Default 20.
- XINFANG_API_IDEMPOTENCY_HOURS: how long the API keeps the answer to a write sent with an
  Idempotency-Key (after that the key may be used again). Default 24.
- XINFANG_ATTACHMENT_MAX_BYTES, XINFANG_ATTACHMENT_ZIP_MAX_BYTES,
  XINFANG_ATTACHMENT_ZIP_MAX_RATIO, XINFANG_ATTACHMENT_ZIP_MAX_ENTRIES: attachment limits.
"""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

# Generic Django classes (ModelAdmin[Any], ...) subscriptable at run time: mypy --strict.
django_stubs_ext.monkeypatch()


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    # A typo must not silently leave a protection off.
    raise RuntimeError(f"{name} must be 1 or 0 (got {value!r})")


def _env_int(name: str, default: int, *, minimum: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise RuntimeError(f"{name} must be a whole number of at least {minimum} (got {value!r})")
    return number


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

# R-PROTECT-2: the key sealing the timeline's checkpoints, never in the database (whoever can
# write the database must not be able to reseal it), and the file each checkpoint is also
# appended to; operators copy it elsewhere.
XINFANG_AUDIT_KEY = os.environ.get("XINFANG_AUDIT_KEY", "")
XINFANG_AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("XINFANG_AUDIT_CHECKPOINT_FILE", XINFANG_HOME / "audit-checkpoints.jsonl")
)

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
    "xinfang.core.admin.AxesConfig",  # django-axes, named in Chinese in the admin
    # django-ninja as an app: /api/docs then serves Swagger UI from ninja's own static files
    # with no inline script (the Content-Security-Policy below); outside INSTALLED_APPS it
    # would load it from a CDN.
    "ninja",
    "xinfang.configlog",
    "xinfang.orgs",
    "xinfang.petitions",
    "xinfang.matching",
    "xinfang.cases",
    "xinfang.deadlines",
    "xinfang.routing",
    "xinfang.persistent",
    "xinfang.alerts",
    "xinfang.demo",
    "xinfang.web",
    "xinfang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: marks every signed-in response not to be stored (R-PROTECT-1).
    "xinfang.core.middleware.NoStoreWhenSignedIn",
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
                "xinfang.web.context.navigation",
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


# PostgreSQL prices a random page read at 4 sequential ones by default (spinning disks). On
# SSDs, and with the tables in memory, 1.1 is the usual value: with 4, the planner read a
# department's open cases through the state index (every open case of the province) instead
# of the department's range of `case_open_dept_due` (docs/scale.md, "PostgreSQL planner
# settings"). Empty: the server's own setting.
PG_RANDOM_PAGE_COST = os.environ.get("XINFANG_PG_RANDOM_PAGE_COST", "1.1").strip()
# The memory of one sort, hash or bitmap before it spills or turns lossy; the server's 4 MB
# made the bitmap of a common word's hits lossy at 1,000,000 cases, and every entry of the
# lossy pages had its tokens read again (工资: 2.2 s against 0.7 s with 16 MB; docs/scale.md).
# Empty: the server's own setting. PostgreSQL's units: kB, MB, GB, TB; none means kB.
PG_WORK_MEM = os.environ.get("XINFANG_PG_WORK_MEM", "16MB").strip()
_MEMORY = re.compile(r"[1-9][0-9]*(kB|MB|GB|TB)?")


def _pg_options(
    database: Any, random_page_cost: str = PG_RANDOM_PAGE_COST, work_mem: str = PG_WORK_MEM
) -> None:
    """The planner settings of every PostgreSQL connection, primary and replica, through the
    connection's options: JIT off (it compiles a statement whose estimated cost passes a
    threshold; the queues', search's and key figures' statements pass it on a large table
    and then spend more time compiling than running: docs/scale.md, "JIT"), and the random
    page cost and work memory above."""
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        wanted = [options.get("options", ""), "-c jit=off"]
        if random_page_cost:
            try:
                cost = float(random_page_cost)
            except ValueError:
                cost = -1.0
            if cost <= 0:
                raise ImproperlyConfigured(
                    "XINFANG_PG_RANDOM_PAGE_COST must be a positive number "
                    f"(got {random_page_cost!r}), or empty for the server's setting"
                )
            wanted.append(f"-c random_page_cost={cost:g}")
        if work_mem:
            if not _MEMORY.fullmatch(work_mem):
                raise ImproperlyConfigured(
                    "XINFANG_PG_WORK_MEM must be a positive whole amount of memory in "
                    f"PostgreSQL's units, e.g. 16MB or 65536kB (got {work_mem!r}), or empty "
                    "for the server's setting"
                )
            wanted.append(f"-c work_mem={work_mem}")
        options["options"] = " ".join(w for w in wanted if w)


_pg_options(DATABASES["default"])

# A PostgreSQL hot standby for reports, search and key figures (core/replica.py): read only
# inside `reports_from_replica()`, while reachable and within the allowed lag; never written.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60
    )
    _pg_options(DATABASES["replica"])
    # The test suite's replica is the primary's own test database (a mirror); the streaming
    # replica itself is exercised by tests/scale/test_replica.py against a real standby.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["xinfang.core.replica.ReplicaRouter"]
XINFANG_REPLICA_MAX_LAG = float(os.environ.get("XINFANG_REPLICA_MAX_LAG", "30"))
XINFANG_REPLICA_CHECK_SECONDS = float(os.environ.get("XINFANG_REPLICA_CHECK_SECONDS", "5"))

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

# --- Production behind HTTPS (documented at the top of this file) ---------------------------
XINFANG_HTTPS = _env_flag("XINFANG_HTTPS", False)
SESSION_COOKIE_SECURE = XINFANG_HTTPS
CSRF_COOKIE_SECURE = XINFANG_HTTPS
# Each variable is read (and a typo refused) whether or not HTTPS is on.
_hsts_seconds = _env_int("XINFANG_HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
_hsts_subdomains = _env_flag("XINFANG_HSTS_INCLUDE_SUBDOMAINS", True)
_hsts_preload = _env_flag("XINFANG_HSTS_PRELOAD", True)
_ssl_redirect = _env_flag("XINFANG_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = _hsts_seconds if XINFANG_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = XINFANG_HTTPS and _hsts_subdomains
SECURE_HSTS_PRELOAD = XINFANG_HTTPS and _hsts_preload
SECURE_SSL_REDIRECT = XINFANG_HTTPS and _ssl_redirect
# Behind a reverse proxy: its X-Forwarded-Proto says whether the browser used HTTPS, and the
# last address it appended to X-Forwarded-For is the client's (login throttling needs the
# client's address, not the proxy's). Trusting either header without such a proxy would let
# any client forge them.
XINFANG_BEHIND_PROXY = _env_flag("XINFANG_BEHIND_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if XINFANG_BEHIND_PROXY else None

# A sign-in lasts a working day and, by default, ends with the browser: office PCs are shared.
SESSION_COOKIE_AGE = _env_int("XINFANG_SESSION_HOURS", 9, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = _env_flag("XINFANG_SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

LOGIN_URL = "/login/"
# Where a login goes when its next= is missing or refused as unsafe (Django's default,
# /accounts/profile/, does not exist here): the workbench (工作台).
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling (design.md, Security), by django-axes with core/throttle.py's handler.
# Per account and address: 5 failures lock that pair, so guessing one password stops without
# letting anyone lock a colleague out from elsewhere. Per address, whatever the accounts:
# 20 failures lock the address, so spraying a few guesses over many accounts stops too; the
# higher limit lets an office behind one NAT address survive its people's typos. Failures
# count for 30 minutes (the cool-off); a successful login clears only its own account's count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "xinfang.core.throttle.LoginThrottleHandler"
AXES_FAILURE_LIMIT = _env_int("XINFANG_LOGIN_FAILURE_LIMIT", 5, minimum=1)
XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT = _env_int("XINFANG_LOGIN_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_CLIENT_IP_CALLABLE = "xinfang.core.throttle.client_address"
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

# The API's idempotency records (docs/api.md, "Idempotency"): a day covers any client's
# retries after a timeout; `xinfang api_purge_idempotency` deletes older ones.
XINFANG_API_IDEMPOTENCY_HOURS = _env_int("XINFANG_API_IDEMPOTENCY_HOURS", 24, minimum=1)

# Attachments (R-INTAKE-1): size and type limits; petitions/attachments.py checks the bytes.
XINFANG_ATTACHMENT_MAX_BYTES = int(os.environ.get("XINFANG_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
# A .docx is a zip: every member is inflated to check it, within these limits. Word documents
# compress about 2-20 times (images hardly at all); a zip bomb a thousand times.
XINFANG_ATTACHMENT_ZIP_MAX_BYTES = int(
    os.environ.get("XINFANG_ATTACHMENT_ZIP_MAX_BYTES", 100 * 1024 * 1024)
)
XINFANG_ATTACHMENT_ZIP_MAX_RATIO = int(os.environ.get("XINFANG_ATTACHMENT_ZIP_MAX_RATIO", 100))
XINFANG_ATTACHMENT_ZIP_MAX_ENTRIES = int(os.environ.get("XINFANG_ATTACHMENT_ZIP_MAX_ENTRIES", 2000))
# Issue 11: identical text from the same person received within this many days of an earlier
# petition (that day and the N days after it) is linked to its case as a repeat automatically
# (cases/matching.py: automatic_repeat_of; undone by actions.repeat_unlink). 0 = same day only.
XINFANG_REPEAT_WINDOW_DAYS = _env_int("XINFANG_REPEAT_WINDOW_DAYS", 30, minimum=0)
XINFANG_AUTO_REPEAT = _env_flag("XINFANG_AUTO_REPEAT", True)  # 0 turns the automatic link off

# Early warning (R-REPEAT-5, alerts/compute.py; docs/warnings.md explains each). A window of
# `window_days` days ending on the poll's date; a key's baseline is the mean of its distinct
# petitioners in each of the `baseline_windows` windows before. A spike is raised at
# `min_petitioners` distinct petitioners when the key is new or grew `min_growth` times; a
# directory cadre named by `cadre_min_petitioners`; a collective visit of
# `collective_min_head_count` people or more. A deployment overrides any of them here.
XINFANG_ALERTS = {
    "window_days": 7,
    "baseline_windows": 8,
    "min_petitioners": 5,
    "min_growth": 2.0,
    "collective_min_head_count": 5,
    "cadre_min_petitioners": 3,
    "max_petitions_kept": 50,
    "max_band_bucket": 200,
    "min_shared_bands": 2,
}

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
