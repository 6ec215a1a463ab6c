import datetime

import factory
from factory.django import DjangoModelFactory

from gongxiao.core.testing import factory_for, prepares
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


# --- rows ready for each action of the procedure (core/tests/test_actions.py) -------------


def _secretary(unit):
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with

    return user_with(Role.PARTY, unit)


def _met(unit, members=2):
    """A meeting of `unit` with `members` present voting members (the first the principal
    leader) and one pending matter."""
    from gongxiao.decisions import services
    from gongxiao.org.tests.factories import PersonFactory

    user = _secretary(unit)
    meeting = MeetingFactory(unit=unit)
    people = [PersonFactory(unit=unit) for _ in range(members)]
    for i, p in enumerate(people):
        services.set_attendance(meeting=meeting, person=p, user=user, is_principal=i == 0)
    matter = MatterFactory(meeting=meeting)
    return meeting, matter, people, user


def _passed(unit):
    from gongxiao.decisions import services

    meeting, matter, people, user = _met(unit)
    for p in people[1:] + people[:1]:  # the principal leader last
        services.record_statement(matter=matter, person=p, position="agree", user=user)
    matter.refresh_from_db()
    return meeting, matter, user


@prepares("decisions.meetings", "attendance")
def meeting_open(unit):
    from gongxiao.org.tests.factories import PersonFactory

    meeting = MeetingFactory(unit=unit)
    PersonFactory(unit=unit)
    return meeting


@prepares("decisions.meetings", "seal")
def meeting_ready_to_seal(unit):
    meeting, _matter, _user = _passed(unit)
    meeting.refresh_from_db()
    return meeting


@prepares("decisions.meetings", "amend")
def meeting_sealed(unit):
    from gongxiao.decisions import services

    meeting, _matter, user = _passed(unit)
    services.seal_meeting(meeting=meeting, user=user)
    meeting.refresh_from_db()
    return meeting


@prepares("decisions.matters", "state", "defer")
def matter_pending(unit):
    return _met(unit)[1]


@prepares("decisions.matters", "decide", "follow_up")
def matter_passed(unit):
    return _passed(unit)[1]
