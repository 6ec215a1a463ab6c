"""The demo's assessment: a scheme after seed 004 whose weights total 100, four quarters of one
county's grassroots co-ops taken through every step, ranked, and the year combined."""

import datetime
import random
from decimal import Decimal

from gongxiao.assessment import demo, services
from gongxiao.assessment import models as m
from gongxiao.core.metrics import compute
from gongxiao.core.periods import parse_period
from gongxiao.org.demo import DemoContext
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with


def test_the_demo_assesses_four_quarters(federation):
    admin = user_with(Role.SYSADMIN, federation.city)
    county_user = user_with(Role.SYSADMIN, federation.county_a)
    federation.county_a.slug = "jx"
    today = datetime.date.today()
    ctx = DemoContext(
        rng=random.Random(3),
        city=federation.city,
        counties=[federation.county_a],
        grassroots=[federation.a1, federation.a2],
        users={"admin": admin, "jx_sysadmin": county_user},
        today=today,
    )
    demo.build(ctx)
    scheme = m.Scheme.objects.get()
    assert services.weights_problem(scheme) is None and scheme.locked_on
    quarters = m.Cycle.objects.filter(kind="quarter").order_by("period")
    assert quarters.count() == 4
    assert all(c.status == "published" for c in quarters)
    for c in quarters:
        ranks = sorted(s.rank or 0 for s in c.sheets.all())
        assert ranks[0] == 1 and all(s.total is not None for s in c.sheets.all())
        assert all(s.reviewed_by == admin and s.scored_by == county_user for s in c.sheets.all())
    year = m.Cycle.objects.get(kind="comprehensive")
    assert year.status == "published"
    avg = compute(
        "assessment.sheets.average", admin, federation.county_a, parse_period(str(today.year - 1))
    )
    assert isinstance(avg.value, Decimal) and 0 < avg.value <= 105
