"""Production: PostgreSQL from DATABASE_URL, secrets and hosts from the environment, HTTPS only."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES

DEBUG = False
GONGXIAO_PRODUCTION = True
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment (50+ random characters).")
GONGXIAO_SEAL_KEY = os.environ.get("GONGXIAO_SEAL_KEY", "")
if len(GONGXIAO_SEAL_KEY) < 32:
    raise ImproperlyConfigured(
        "GONGXIAO_SEAL_KEY must be set in the environment (32+ random characters, not the"
        " SECRET_KEY; keep it outside the database and its backups)."
    )
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
if not os.environ.get("GONGXIAO_DATA_DIR"):
    raise ImproperlyConfigured(
        "GONGXIAO_DATA_DIR must name the folder for uploads, job results and static files."
    )
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("DATABASE_URL must point at the production PostgreSQL database.")
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))

# Behind a reverse proxy that terminates TLS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() != "false"
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_AGE = 60 * 60 * 8

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": os.environ.get("EMAIL_USE_TLS", "false").lower() == "true",
            "timeout": 20,
        },
    }
}
# Many intranets have no mail server: without EMAIL_HOST, notices stay in the in-app centre.
GONGXIAO_EMAIL_ENABLED = bool(os.environ.get("EMAIL_HOST"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "gongxiao@localhost")


# The reverse proxy passes the browser's address; login throttling must count per browser, not
# per proxy (else five failures anywhere would lock an account everywhere).
REAL_IP_HEADER = os.environ.get("GONGXIAO_REAL_IP_HEADER", "HTTP_X_REAL_IP")


def _client_ip(request):
    try:
        return str(ipaddress.ip_address(request.META.get(REAL_IP_HEADER, "").strip()))
    except ValueError:
        return request.META.get("REMOTE_ADDR")


AXES_CLIENT_IP_CALLABLE = _client_ip
