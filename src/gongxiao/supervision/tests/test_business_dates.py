"""Decisions on supervision records carry the day they were taken (业务日期), and the items
they raise take their dates from the record, never from the day they are entered."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client

from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with
from gongxiao.rectification.models import RectificationItem
from gongxiao.supervision import services
from gongxiao.supervision.tests import factories as f

D = datetime.date
IN_2026 = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def officer(federation):
    return user_with(Role.DISCIPLINE, federation.county_a)


@pytest.mark.django_db
def test_a_2021_audit_recommendation_adopted_in_2021_is_due_in_2021(federation, officer):
    with time_machine.travel(IN_2026, tick=False):
        audit = f.make_audit(federation.county_a, report_date=D(2021, 9, 1))
        rec = f.make_recommendation(federation.county_a, audit=audit)
        services.decide_recommendation(
            recommendation=rec, adopted=True, user=officer, on=D(2021, 9, 10)
        )
        rec.refresh_from_db()
    assert rec.decided_at == D(2021, 9, 10)
    assert rec.item.found_date == D(2021, 9, 1)
    assert rec.item.deadline == D(2021, 9, 10) + datetime.timedelta(days=services.DEFAULT_DAYS)


@pytest.mark.django_db
@pytest.mark.parametrize("on,word", [(D(2026, 6, 16), "今天"), (D(2021, 8, 31), "审计报告")])
def test_an_adoption_dated_in_the_future_or_before_the_report_is_refused(
    federation, officer, on, word
):
    with time_machine.travel(IN_2026, tick=False):
        audit = f.make_audit(federation.county_a, report_date=D(2021, 9, 1))
        rec = f.make_recommendation(federation.county_a, audit=audit)
        with pytest.raises(ValidationError) as exc:
            services.decide_recommendation(recommendation=rec, adopted=True, user=officer, on=on)
        assert word in " ".join(exc.value.messages)
        rec.refresh_from_db()
        assert rec.adopted is None and rec.decided_at is None
        assert not RectificationItem.objects.exists()


@pytest.mark.django_db
def test_an_opinion_raised_after_the_fact_is_dated_from_its_meeting(federation, officer):
    with time_machine.travel(IN_2026, tick=False):
        meeting = f.make_life_meeting(federation.county_a, date=D(2022, 2, 7))
        op = f.make_opinion(federation.county_a, life_meeting=meeting)
        c = Client()
        c.force_login(officer)
        c.post(
            f"/ledgers/supervision/opinions/{op.pk}/actions/raise_item/",
            {"unit": federation.a1.pk, "on": "2022-02-10", "version": op.version},
        )
        op.refresh_from_db()
    assert op.raised_on == D(2022, 2, 10)
    assert op.item.found_date == D(2022, 2, 7)
    assert op.item.deadline == D(2022, 2, 10) + datetime.timedelta(days=services.DEFAULT_DAYS)


@pytest.mark.django_db
@pytest.mark.parametrize("on,word", [("2026-06-16", "今天"), ("2022-02-06", "会议")])
def test_an_opinion_raised_in_the_future_or_before_its_meeting_is_refused(
    federation, officer, on, word
):
    with time_machine.travel(IN_2026, tick=False):
        meeting = f.make_life_meeting(federation.county_a, date=D(2022, 2, 7))
        op = f.make_opinion(federation.county_a, life_meeting=meeting)
        c = Client()
        c.force_login(officer)
        resp = c.post(
            f"/ledgers/supervision/opinions/{op.pk}/actions/raise_item/",
            {"unit": federation.a1.pk, "on": on, "version": op.version},
            follow=True,
        )
        page = resp.content.decode() + " ".join(str(m) for m in resp.context["messages"])
        assert word in page
        op.refresh_from_db()
        assert op.item is None and op.raised_on is None
        assert not RectificationItem.objects.exists()
