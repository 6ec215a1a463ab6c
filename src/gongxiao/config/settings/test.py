"""Test settings: fast hashing, in-memory mail, tasks run immediately (the database queue has
its own test)."""

import atexit
import hashlib
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import database_from_env

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": database_from_env(Path(tempfile.gettempdir()) / "gongxiao-test.sqlite3")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gongxiao-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="gongxiao-static-"))
# Uploaded and generated files of a test run go with it.
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
atexit.register(shutil.rmtree, STATIC_ROOT, ignore_errors=True)
# Seals: a fixed, public (not secret) key, and an anchors file of this run only.
GONGXIAO_SEAL_KEY = hashlib.sha256(b"gongxiao test seal key").hexdigest()
GONGXIAO_SEAL_ANCHORS = Path(tempfile.mkdtemp(prefix="gongxiao-anchors-")) / "seal-anchors.jsonl"
atexit.register(shutil.rmtree, GONGXIAO_SEAL_ANCHORS.parent, ignore_errors=True)
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process so a test sees their result; the database backend has its own test.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
AXES_ENABLED = True
GONGXIAO_SYNC_ROW_LIMIT = 50
