import datetime

import factory
from factory.django import DjangoModelFactory

from gongxiao.core.testing import factory_for
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
