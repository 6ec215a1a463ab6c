"""Production's static files: compressed and cached for a year (whitenoise's manifest storage,
as `collectstatic` in .ci/run prepares them). Checked on a fresh collection, served by the
middleware as production serves it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

PROD_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture
def collected(tmp_path):
    with override_settings(
        STORAGES=PROD_STORAGES, STATIC_ROOT=tmp_path, WHITENOISE_USE_FINDERS=False, DEBUG=False
    ):
        call_command("collectstatic", interactive=False, verbosity=0)  # as .ci/run does
        yield tmp_path


def test_production_uses_the_compressed_manifest_storage():
    from gongxiao.config.settings import base

    assert base.STORAGES["staticfiles"]["BACKEND"] == PROD_STORAGES["staticfiles"]["BACKEND"]
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE


def test_static_files_are_served_compressed_and_cached_for_a_year(collected):
    middleware = WhiteNoiseMiddleware(lambda request: HttpResponse(status=404))
    for name in ("gongxiao/app.css", "vendor/echarts/echarts.min.js"):
        url = staticfiles_storage.url(name)
        assert url != f"/static/{name}"  # the name carries the content's hash
        hashed = collected / url.removeprefix("/static/")
        assert hashed.with_name(hashed.name + ".gz").exists()

        response = middleware(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip, br"))
        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert int(response["Content-Length"]) < hashed.stat().st_size / 2
        cache = response["Cache-Control"]
        assert "immutable" in cache and "max-age=315360000" in cache, cache
