"""The demo's services to farmers, built on a small federation: every figure of the work
summary's 三位一体 section has rows, and the short reserve check raised its item."""

import datetime
import random
from decimal import Decimal

from gongxiao.agri import demo
from gongxiao.agri import models as m
from gongxiao.core.metrics import compute
from gongxiao.core.periods import parse_period
from gongxiao.org.demo import DemoContext
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification.models import RectificationItem

SECTION_KEYS = [
    "agri.supply.fertiliser",
    "agri.supply.pesticide_value",
    "agri.supply.film",
    "agri.reserve.tasks",
    "agri.reserve.tonnes",
    "agri.reserve.met",
    "agri.deliveries.count",
    "agri.deliveries.tonnes",
    "agri.deliveries.households",
    "agri.trusteeship.area",
    "agri.services.area",
    "agri.recycling.packaging_pieces",
    "agri.federations.industry_built",
    "agri.members.joined",
    "agri.outlets.shops_built",
    "agri.outlets.centres_built",
    "agri.outlets.declared",
    "agri.sales_events.count",
    "agri.sales_events.sales",
    "agri.shops.sales",
    "agri.canteens.meals",
    "agri.members.entered",
    "agri.members.completeness_rate",
    "agri.experts.pools",
    "agri.expert_visits.count",
    "agri.expert_visits.households",
    "agri.projects.planned",
    "agri.projects.subsidy",
]


def test_the_demo_fills_every_figure_of_the_section(federation):
    admin = user_with(Role.SYSADMIN, federation.city)
    today = datetime.date.today()
    ctx = DemoContext(
        rng=random.Random(3),
        city=federation.city,
        counties=[federation.county_a],
        grassroots=[federation.a1, federation.a2],
        users={"admin": admin},
        today=today,
    )
    demo.build(ctx)
    last_year = parse_period(str(today.year - 1))
    for key in SECTION_KEYS:
        value = compute(key, admin, federation.county_a, last_year).value
        assert value, key
    short = m.StockCheck.objects.filter(item__isnull=False)
    assert short.count() == 1
    assert RectificationItem.objects.get().source_record == short.get()
    rate = compute("agri.members.completeness_rate", admin, federation.county_a, last_year).value
    assert isinstance(rate, Decimal)
    assert 0 < rate < 100  # some records are left incomplete, as in life
    # Each member's completeness is kept from the day it joined.
    for member in m.Member.objects.all():
        assert member.completeness.first().from_date == member.joined_on
