"""The demo's credit cooperation, built on a small federation: every figure of the work
summary's 信用网络 sentences has rows, ratings were approved by someone other than the rater,
and some members are due for re-rating."""

import datetime
import random

from gongxiao.agri import demo as agri_demo
from gongxiao.core.metrics import compute
from gongxiao.core.periods import parse_period
from gongxiao.credit import demo
from gongxiao.credit import models as m
from gongxiao.org.demo import DemoContext
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

KEYS = [
    "credit.ratings.rated",
    "credit.ratings.approved",
    "credit.guarantees.arranged",
    "credit.guarantees.amount",
    "credit.guarantees.outstanding",
    "credit.guarantees.balance",
    "credit.agreements.signed",
    "credit.agreements.credit_line",
    "credit.credit_lines.count",
    "credit.credit_lines.amount",
    "credit.loans.count",
    "credit.loans.amount",
]


def test_the_demo_fills_the_credit_figures(federation):
    admin = user_with(Role.SYSADMIN, federation.city)
    federation.county_a.slug = "a"
    today = datetime.date.today()
    ctx = DemoContext(
        rng=random.Random(5),
        city=federation.city,
        counties=[federation.county_a],
        grassroots=[federation.a1, federation.a2],
        users={
            "admin": admin,
            "a_service": user_with(Role.SERVICE, federation.county_a),
            "a_sysadmin": user_with(Role.SYSADMIN, federation.county_a),
        },
        today=today,
    )
    agri_demo.build(ctx)
    demo.build(ctx)
    last_year = parse_period(str(today.year - 1))
    for key in KEYS:
        assert compute(key, admin, federation.county_a, last_year).value, key
    approved = m.CreditRating.objects.filter(status="approved")
    assert approved.exists()
    assert not approved.filter(rated_by=ctx.users["a_sysadmin"]).exists()
    assert all(r.approved_by_id != r.rated_by_id for r in approved)
    assert {r.grade for r in approved} - {""}, "some grades"
    assert m.GuaranteeEvent.objects.filter(kind="compensation").count() == 1
    this_year = parse_period(str(today.year))
    due = compute("credit.ratings.due", admin, federation.county_a, this_year).value
    assert isinstance(due, int) and due > 0
