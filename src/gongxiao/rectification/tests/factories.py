import datetime

import factory
from factory.django import DjangoModelFactory

from gongxiao.core.testing import factory_for, prepares
from gongxiao.rectification.models import Campaign, Category, Kind, RectificationItem, Source


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"专项整治行动{n:04d}")
    plan = "方案"
    start_date = datetime.date(2023, 3, 1)
    end_date = datetime.date(2023, 12, 31)


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = RectificationItem

    title = factory.Sequence(lambda n: f"整改问题{n:05d}")
    description = "问题描述"
    source = Source.INSPECTION
    category = Category.CONDUCT
    found_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    kind = Kind.DEADLINE
    deadline = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


@factory_for(Campaign)
def make_campaign(unit, **overrides):
    return CampaignFactory(unit=unit, **overrides)


@factory_for(RectificationItem)
def make_item(unit, **overrides):
    return ItemFactory(unit=unit, **overrides)


# --- rows ready for each declared action (core/tests/test_actions.py) ------------------------

ITEMS = "rectification.items"


def _someone(unit, role):
    from gongxiao.org.tests.factories import user_with

    return user_with(role, unit)


@prepares(ITEMS, "start", "add_progress", "add_measure")
def open_item(unit):
    return ItemFactory(unit=unit)


@prepares(ITEMS, "set_measure_state")
def item_with_a_measure(unit):
    from gongxiao.org.roles import Role
    from gongxiao.rectification import services

    item = ItemFactory(unit=unit)
    services.add_measure(item=item, user=_someone(unit, Role.SYSADMIN), description="措施")
    item.refresh_from_db()
    return item


@prepares(ITEMS, "request_close_out")
def item_with_evidence(unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongxiao.org.roles import Role
    from gongxiao.rectification import services

    item = ItemFactory(unit=unit)
    services.add_progress(
        item=item,
        user=_someone(unit, Role.SYSADMIN),
        text="已整改",
        files=[SimpleUploadedFile("证明.pdf", b"%PDF-1.4")],
    )
    item.refresh_from_db()
    return item


@prepares(ITEMS, "close_out", "reject_close_out", "withdraw_close_out")
def requested_item(unit):
    from gongxiao.org.roles import Role
    from gongxiao.rectification import services

    item = item_with_evidence(unit)
    services.transition(item=item, step="request_close_out", user=_someone(unit, Role.SYSADMIN))
    item.refresh_from_db()
    return item


@prepares(ITEMS, "reopen")
def closed_item(unit):
    from gongxiao.org.roles import Role
    from gongxiao.rectification import services

    item = requested_item(unit)
    services.transition(item=item, step="close_out", user=_someone(unit, Role.LEADER))
    item.refresh_from_db()
    return item
