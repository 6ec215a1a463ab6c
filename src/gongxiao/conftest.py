"""Fixtures shared by every app's tests."""

import importlib
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
