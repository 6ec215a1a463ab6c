"""The demo's party building on a small federation: organisations, members, a year of
activities whose attendance awards points, and rows behind every new figure."""

import datetime
import random

from gongxiao.core.metrics import compute
from gongxiao.core.periods import Period
from gongxiao.org.demo import DemoContext
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.party import demo, services
from gongxiao.party import models as m

KEYS = [
    "party.organisations.count",
    "party.members.count",
    "party.activities.count",
    "party.points.entries",
    "party.trainings.count",
    "party.exams.pass_rate",
    "party.writings.count",
    "party.writings.adopted",
    "party.assistance.amount",
    "party.rules.in_force",
    "party.cadres.graded",
]


def test_the_demo_fills_the_party_figures_and_points_follow_attendance(federation):
    admin = user_with(Role.SYSADMIN, federation.city)
    for unit in (federation.city, federation.county_a, federation.a1):
        for i in range(4):
            PersonFactory(unit=unit, is_party_member=True, is_cadre=i == 0, post="科长")
    today = datetime.date.today()
    ctx = DemoContext(
        rng=random.Random(5),
        city=federation.city,
        counties=[federation.county_a],
        grassroots=[federation.a1],
        users={"admin": admin},
        today=today,
    )
    demo.build(ctx)
    year = Period(code="demo", start=today - datetime.timedelta(days=365), end=today)
    for key in KEYS:
        assert compute(key, admin, federation.city, year).value, key
    auto = m.PointsEntry.objects.filter(source="attendance")
    assert auto.exists()
    member = auto.first().member
    assert services.yearly_points(member, today.year).total > 0 or today.month == 1
    branch = m.PartyOrganisation.objects.filter(kind="branch").first()
    assert services.ranking(branch, today.year)
