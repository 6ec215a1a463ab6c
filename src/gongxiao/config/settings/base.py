"""Settings shared by every environment. Environment modules (dev, test, prod) override."""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # src/gongxiao
# Where the embedded database, uploads and task results live unless told otherwise: var/ of the
# source checkout, whatever folder a command is started from (a command run in src/gongxiao,
# where makemessages must run, made a stray src/gongxiao/var/gongxiao.sqlite3 that was
# committed); var/ of the current folder for an installed package.
_CHECKOUT = PACKAGE_DIR.parents[1]
DATA_DIR = Path(
    os.environ.get(
        "GONGXIAO_DATA_DIR",
        _CHECKOUT / "var" if (_CHECKOUT / "pyproject.toml").is_file() else Path.cwd() / "var",
    )
).resolve()

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
# True only in the production settings: commands that would plant known passwords refuse it.
GONGXIAO_PRODUCTION = False
ALLOWED_HOSTS: list[str] = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Before django_tasks_db: its `db_worker` command is core's (which recovers lost jobs first).
    "gongxiao.core",
    "django_tasks_db",
    "django_htmx",
    "axes",
    "gongxiao.org",
    "gongxiao.rectification",
    "gongxiao.decisions",
    "gongxiao.supervision",
    "gongxiao.assets",
    "gongxiao.agri",
    "gongxiao.credit",
    "gongxiao.accounting",
    "gongxiao.party",
    "gongxiao.assessment",
    "gongxiao.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gongxiao.core.middleware.WorkingContextMiddleware",
    # Axes must come last so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongxiao.config.urls"
WSGI_APPLICATION = "gongxiao.config.wsgi.application"
AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongxiao.core.context_processors.navigation",
            ],
        },
    },
]


def database_from_env(default_sqlite: Path) -> dict:
    """PostgreSQL (or anything dj-database-url knows) when DATABASE_URL is set, else SQLite in
    WAL mode."""
    url = os.environ.get("DATABASE_URL")
    if url and not url.startswith("sqlite:"):
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if url:  # an SQLite file named by URL keeps the same settings as the default one
        default_sqlite = dj_database_url.parse(url)["NAME"]
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": default_sqlite,
        "OPTIONS": {
            # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
            # BEGIN so two writers queue instead of failing half-way with "database is locked".
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": database_from_env(DATA_DIR / "gongxiao.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling: five failures lock the username+address pair for an hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Axes keeps the POST data of a failure; the password page's fields must never be stored.
AXES_SENSITIVE_PARAMETERS = [
    "username",
    "ip_address",
    "old_password",
    "new_password1",
    "new_password2",
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Date input in the Chinese forms (2026年11月1日) besides ISO: config/formats.
FORMAT_MODULE_PATH = ["gongxiao.config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Nothing is loaded from another origin: the product runs on offline intranets.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "gongxiao.core.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "gongxiao.core.rest.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "gongxiao.core.rest.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gongxiao API",
    "DESCRIPTION": "供销台账 REST API. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for a choice set several fields share (a "level" is also a report section's).
    "ENUM_NAME_OVERRIDES": {
        "OutletLevelEnum": "gongxiao.agri.models.ServiceOutlet.DECLARABLE",
        # Choice sets the party ledgers share between fields and action inputs.
        "PartyActivityKindEnum": "gongxiao.party.models.Activity.Kind",
        "TrainingKindEnum": "gongxiao.party.models.Training.Kind",
        "WritingKindEnum": "gongxiao.party.models.Writing.Kind",
        "WritingLevelEnum": "gongxiao.party.models.Writing.Level",
        "RuleKindEnum": "gongxiao.party.models.Rule.Kind",
        # "grade" is a credit grade (AAA…) in one app and a cadre's grade (优秀…) in another.
        "CreditGradeEnum": "gongxiao.credit.models.Grade",
        "CadreGradeEnum": "gongxiao.party.models.CadreGrade.Grade",
    },
}

# Lists count at most this many rows; beyond it the page says "N+" instead of scanning the table.
GONGXIAO_LIST_COUNT_CAP = 10_000
# Exports and imports larger than this run as background tasks.
GONGXIAO_SYNC_ROW_LIMIT = 2_000
GONGXIAO_SYNC_IMPORT_BYTES = 256 * 1024
# A running job whose heartbeat (every HEARTBEAT seconds while a worker runs it) stopped this long
# ago lost its worker: it is marked failed and may be run again (core/jobs.py).
GONGXIAO_JOB_HEARTBEAT_SECONDS = 30
GONGXIAO_JOB_STALE_SECONDS = 300

# Rectification escalation ladder: remind this many days before a deadline; escalate to the
# discipline role of the parent unit this many days after it.
GONGXIAO_REMIND_DAYS = 7
GONGXIAO_ESCALATE_AFTER_DAYS = 15
# Party organisations' elections (按期换届) fall due this many months before the term ends.
GONGXIAO_PARTY_ELECTION_NOTICE_MONTHS = 3
# Notices are also e-mailed to users with an address (production turns this off without a
# mail server).
GONGXIAO_EMAIL_ENABLED = True
# Used in e-mails to turn a notice's link into an address.
GONGXIAO_BASE_URL = os.environ.get("GONGXIAO_BASE_URL", "")

# Seals of collective decisions (decisions/services.py): the HMAC key, kept outside the database
# (production requires it, like SECRET_KEY), and the append-only file of chain heads
# (decisions/anchors.py; `gongxiao backup` includes it).
GONGXIAO_SEAL_KEY = os.environ.get("GONGXIAO_SEAL_KEY", "")
GONGXIAO_SEAL_ANCHORS = Path(
    os.environ.get("GONGXIAO_SEAL_ANCHORS") or DATA_DIR / "seal-anchors.jsonl"
).resolve()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGXIAO_LOG_LEVEL", "INFO")},
    # Axes logs every login at INFO; failures and lockouts are enough.
    "loggers": {"axes": {"level": "WARNING"}},
}
