"""Fixtures shared by every app's tests."""

import importlib
import os
from dataclasses import dataclass

import pytest
from django.apps import apps


def pytest_configure(config):
    # Each app's factories register the row makers the generic tests use.
    import django

    django.setup()
    for cfg in apps.get_app_configs():
        if cfg.name.startswith("gongxiao."):
            try:
                importlib.import_module(f"{cfg.name}.tests.factories")
            except ModuleNotFoundError as exc:
                if not exc.name.startswith(f"{cfg.name}.tests"):
                    raise


@dataclass
class Federation:
    city: object
    county_a: object
    county_b: object
    a1: object
    a2: object
    b1: object
    a1_outlet: object


@pytest.fixture
def federation(db):
    """city → county A (grassroots a1 with an outlet, a2), county B (grassroots b1)."""
    from gongxiao.org.models import Unit
    from gongxiao.org.tests.factories import UnitFactory

    city = UnitFactory(code="C", name="市社", kind=Unit.Kind.CITY)
    a = UnitFactory(code="A", name="甲县社", kind=Unit.Kind.COUNTY, parent=city)
    b = UnitFactory(code="B", name="乙县社", kind=Unit.Kind.COUNTY, parent=city)
    a1 = UnitFactory(code="A1", name="甲一基层社", parent=a)
    return Federation(
        city=city,
        county_a=a,
        county_b=b,
        a1=a1,
        a1_outlet=UnitFactory(code="A1S", name="甲一综合服务社", kind=Unit.Kind.OUTLET, parent=a1),
        a2=UnitFactory(code="A2", name="甲二基层社", parent=a),
        b1=UnitFactory(code="B1", name="乙一基层社", parent=b),
    )


# --- browser tests (Debian's Chromium through Playwright) ------------------------------------


@pytest.fixture(scope="module")
def allow_sync_orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread; the test's own database queries
    would otherwise be refused by Django's async-safety check. Set for browser tests only, not
    at import: it would leak into other tests and `check --deploy` rightly warns about it."""
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if saved is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture(scope="module")
def browser(allow_sync_orm_beside_playwright):
    from playwright.sync_api import sync_playwright

    from gongxiao.core.tests.browser_kit import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_context(browser):
    """Browser contexts (separate cookie jars, so separate sessions), closed after the test.
    The browser asks for Chinese, as the product's users' browsers do. axe-core checks every
    page the context loads; a critical or serious violation fails the test when it ends."""
    from gongxiao.core.tests.browser_kit import check_accessibility, watch_accessibility

    made = []

    def make(**options):
        # Reduced motion: Bootstrap then drops its colour transitions, so axe never measures
        # the contrast of a button caught half-way between two states.
        options.setdefault("reduced_motion", "reduce")
        ctx = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
        ctx.set_default_timeout(15_000)
        made.append((ctx, watch_accessibility(ctx)))
        return ctx

    yield make
    try:
        for ctx, log in made:
            check_accessibility(ctx, log)
    finally:
        for ctx, _log in made:
            ctx.close()


@pytest.fixture
def site(live_server, transactional_db, federation):
    """The live server's base URL, over the test federation."""
    return live_server.url
