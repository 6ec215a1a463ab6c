import datetime

import pytest
from django.utils import timezone

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification.models import Status
from gongxiao.rectification.tests.factories import CampaignFactory, ItemFactory

YEAR = 2024


def _at(month, day):
    return timezone.make_aware(datetime.datetime(YEAR, month, day, 10, 0))


class Ledgers:
    """Rectification items over the federation in 2024 (and a few in 2023), some closed, some
    in a campaign; users of the city and of county A."""

    def __init__(self, f):
        self.f = f
        self.campaign = CampaignFactory(unit=f.city, start_date=datetime.date(YEAR, 3, 1))
        self.campaign.units.set([f.county_a, f.county_b])
        spec = [
            # unit, found (month, day), closed?, in campaign?
            (f.a1, (2, 3), True, True),
            (f.a1, (4, 9), True, False),
            (f.a1, (9, 1), False, True),
            (f.a1_outlet, (5, 5), False, False),
            (f.a2, (6, 6), True, True),
            (f.a2, (7, 7), False, False),
            (f.county_a, (3, 3), False, True),
            (f.b1, (1, 10), True, False),
            (f.b1, (8, 8), False, True),
            (f.b1, (10, 10), False, False),
            (f.city, (11, 11), True, False),
        ]
        self.items = []
        for unit, (m, d), closed, in_campaign in spec:
            kw = {
                "unit": unit,
                "found_date": datetime.date(YEAR, m, d),
                "deadline": datetime.date(YEAR, 12, 31),
                "campaign": self.campaign if in_campaign else None,
            }
            if closed:
                kw.update(
                    status=Status.CLOSED,
                    closed_at=_at(m, d + 10),
                    closed_on=datetime.date(YEAR, m, d + 10),
                )
            self.items.append(ItemFactory(**kw))
        for unit in (f.a1, f.b1):
            ItemFactory(unit=unit, found_date=datetime.date(YEAR - 1, 6, 1))
        self.city_discipline = user_with(Role.DISCIPLINE, f.city, username="city_jijian")
        self.city_leader = user_with(Role.LEADER, f.city, username="city_leader")
        self.leader_a = user_with(Role.LEADER, f.county_a, username="leader_a")
        self.leader_b = user_with(Role.LEADER, f.county_b, username="leader_b")
        self.clerk_a1 = user_with(Role.DATA_ENTRY, f.a1, username="clerk_a1")


@pytest.fixture
def ledgers(federation):
    return Ledgers(federation)
