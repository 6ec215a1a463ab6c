import datetime

import factory
from factory.django import DjangoModelFactory

from gongxiao.core.testing import factory_for
from gongxiao.decisions.models import Body, Category, Matter, Meeting


class MeetingFactory(DjangoModelFactory):
    class Meta:
        model = Meeting

    body = Body.PARTY_GROUP
    date = factory.Sequence(lambda n: datetime.date(2023, 1, 1) + datetime.timedelta(days=n % 300))
    place = factory.Sequence(lambda n: f"第{n}会议室")
    minutes = "会议记录"


class MatterFactory(DjangoModelFactory):
    class Meta:
        model = Matter

    meeting = factory.SubFactory(MeetingFactory)
    category = Category.DECISION
    title = factory.Sequence(lambda n: f"三重一大议题{n:05d}")


@factory_for(Meeting)
def make_meeting(unit, **overrides):
    return MeetingFactory(unit=unit, **overrides)


@factory_for(Matter)
def make_matter(unit, **overrides):
    return MatterFactory(meeting=MeetingFactory(unit=unit), **overrides)
