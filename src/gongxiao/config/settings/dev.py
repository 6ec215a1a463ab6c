"""Development and the embedded demo: SQLite under ./var, debug on, a fixed key."""

import hashlib

from .base import *  # noqa: F403
from .base import DATA_DIR, GONGXIAO_SEAL_KEY, SECRET_KEY

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-never-used-in-production"  # noqa: S105
# A fixed key derived from a public phrase: NOT secret, so dev and demo seals prove nothing
# against whoever reads this file. Production sets its own (prod.py).
GONGXIAO_SEAL_KEY = GONGXIAO_SEAL_KEY or hashlib.sha256(b"gongxiao dev seal key").hexdigest()
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DATA_DIR.mkdir(parents=True, exist_ok=True)
