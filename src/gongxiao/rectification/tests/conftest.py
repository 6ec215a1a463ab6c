import datetime

import pytest

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.rectification.tests.factories import ItemFactory


class Cast:
    """Who is who around one item of grassroots co-op a1 (county A)."""

    def __init__(self, f):
        self.f = f
        self.owner_person = PersonFactory(unit=f.a1, name="责任人甲")
        self.leader_person = PersonFactory(unit=f.county_a, name="领导乙")
        self.owner = user_with(
            Role.DATA_ENTRY, f.a1, person=self.owner_person, email="owner@example.org"
        )
        self.leader = user_with(
            Role.LEADER, f.county_a, person=self.leader_person, email="leader@example.org"
        )
        self.discipline_a = user_with(Role.DISCIPLINE, f.county_a, email="jijian@example.org")
        self.discipline_city = user_with(Role.DISCIPLINE, f.city)
        self.reader = user_with(Role.READ_ONLY, f.county_a)
        self.outsider = user_with(Role.LEADER, f.county_b)

    def item(self, **kw):
        kw.setdefault("unit", self.f.a1)
        kw.setdefault("responsible_person", self.owner_person)
        kw.setdefault("responsible_leader", self.leader_person)
        return ItemFactory(**kw)


@pytest.fixture
def cast(federation):
    return Cast(federation)


@pytest.fixture
def today():
    return datetime.date.today()
