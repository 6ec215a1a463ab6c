"""发展党员: applicant → activist → development candidate → probationary → full member, in order
and with the minimum intervals of the table; each refusal in Chinese with the stage due or the
day it becomes possible; admission names two full-member sponsors and the branch meeting, and
makes the person a probationary member of the branch."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxiao.core.actions import ActionRefused
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.party import models as m
from gongxiao.party import services

from .factories import make_activity, make_development, make_member, make_organisation


@pytest.fixture
def case(federation):
    officer = user_with(Role.PARTY, federation.county_a)
    branch = make_organisation(federation.a1, founded_on=datetime.date(2005, 1, 1))
    sponsors = [
        make_member(federation.a1, organisation=branch, joined_on=datetime.date(2010, 1, 1))
        for _ in range(2)
    ]
    for s in sponsors:
        services.make_full(member=s, user=officer, on=datetime.date(2011, 1, 1))
    dev = make_development(federation.a1, organisation=branch, applied_on=datetime.date(2021, 3, 1))
    meeting = make_activity(
        federation.a1,
        organisation=branch,
        kind=m.Activity.Kind.BRANCH_MEETING,
        date=datetime.date(2022, 6, 20),
        topic="支部党员大会讨论接收预备党员",
    )
    return officer, branch, [s.person for s in sponsors], dev, meeting


def refused(fn, **kw) -> str:
    with translation.override("zh-hans"), pytest.raises((ValidationError, ActionRefused)) as exc:
        fn(**kw)
    e = exc.value
    return " ".join(e.messages) if hasattr(e, "messages") else str(e)


def test_the_way_to_full_membership_in_order_and_on_time(case):
    officer, branch, sponsors, dev, meeting = case
    go = services.advance
    go(development=dev, stage="activist", user=officer, on=datetime.date(2021, 4, 1))
    # A year as activist at least: refused with the day it becomes possible.
    msg = refused(
        go, development=dev, stage="candidate", user=officer, on=datetime.date(2022, 3, 31)
    )
    assert "2022-04-01" in msg and "12" in msg
    go(development=dev, stage="candidate", user=officer, on=datetime.date(2022, 4, 1))
    # Admission: two full-member sponsors and the branch meeting.
    assert "两名" in refused(
        go,
        development=dev,
        stage="probationary",
        user=officer,
        on=datetime.date(2022, 6, 20),
        sponsors=sponsors[:1],
        meeting=meeting,
    )
    assert "支部党员大会" in refused(
        go,
        development=dev,
        stage="probationary",
        user=officer,
        on=datetime.date(2022, 6, 20),
        sponsors=sponsors,
    )
    dev = go(
        development=dev,
        stage="probationary",
        user=officer,
        on=datetime.date(2022, 6, 20),
        sponsors=sponsors,
        meeting=meeting,
    )
    member = m.PartyMember.objects.get(person=dev.person)
    assert (member.organisation, member.joined_on, member.full_on) == (
        branch,
        datetime.date(2022, 6, 20),
        None,
    )
    assert set(dev.sponsors.all()) == set(sponsors) and dev.meeting == meeting
    msg = refused(go, development=dev, stage="full", user=officer, on=datetime.date(2023, 6, 19))
    assert "2023-06-20" in msg
    dev = go(development=dev, stage="full", user=officer, on=datetime.date(2023, 6, 20))
    member.refresh_from_db()
    assert (dev.stage, member.full_on) == ("full", datetime.date(2023, 6, 20))
    assert "正式党员" in refused(go, development=dev, stage="full", user=officer)


def test_a_stage_skipped_is_refused_with_the_stage_due(case):
    officer, _branch, _sponsors, dev, _meeting = case
    msg = refused(
        services.advance,
        development=dev,
        stage="candidate",
        user=officer,
        on=datetime.date(2023, 1, 1),
    )
    assert "入党积极分子" in msg
    dev.refresh_from_db()
    assert (dev.stage, dev.activist_on, dev.candidate_on) == ("applicant", None, None)


def test_a_stage_in_the_future_is_refused(case):
    officer, _branch, _sponsors, dev, _meeting = case
    future = datetime.date.today() + datetime.timedelta(days=3)
    assert "未来" in refused(
        services.advance, development=dev, stage="activist", user=officer, on=future
    ) or "将来" in refused(
        services.advance, development=dev, stage="activist", user=officer, on=future
    )
