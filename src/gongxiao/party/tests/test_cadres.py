"""Cadres: posts over time (appointment, rotation 轮岗交流, change of post, transfer 调动),
retirement and transfer out with their dates, each refused out of order with the reason; the
figures of seed 002 (轮岗X人、职务变更X人、调动X人、退休X人) counted where the post
was; and the grade ledger (优秀/称职/基本称职/不称职) for a year or a quarter."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from gongxiao.core import metrics
from gongxiao.core.actions import ActionRefused
from gongxiao.core.periods import parse_period
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.party import models as m
from gongxiao.party import services
from gongxiao.party.ledgers import CadreLedger

from .factories import make_cadre, make_grade

C = m.CadrePost.Change


def refused(fn, **kw) -> str:
    with translation.override("zh-hans"), pytest.raises((ValidationError, ActionRefused)) as exc:
        fn(**kw)
    e = exc.value
    return " ".join(e.messages) if hasattr(e, "messages") else str(e)


@pytest.fixture
def officer(federation):
    return user_with(Role.PARTY, federation.city)


def post(cadre, unit, title, change, day, **kw):
    return m.CadrePost(cadre=cadre, unit=unit, post=title, change=change, start=day, **kw)


def test_a_cadres_posts_over_time_each_closing_the_one_before(federation, officer):
    cadre = make_cadre(
        federation.city,
        person=PersonFactory(unit=federation.city, name="干部周"),
        since=datetime.date(2018, 3, 1),
    )
    take = services.take_post
    msg = refused(
        take,
        post=post(cadre, federation.city, "科员", C.ROTATION, datetime.date(2018, 3, 1)),
        user=officer,
    )
    assert "任职" in msg
    first = take(
        post=post(cadre, federation.city, "办公室副主任", C.APPOINTMENT, datetime.date(2018, 3, 1)),
        user=officer,
    )
    second = take(
        post=post(cadre, federation.city, "合作指导科科长", C.ROTATION, datetime.date(2020, 5, 1)),
        user=officer,
    )
    first.refresh_from_db()
    assert first.end == datetime.date(2020, 5, 1) and second.end is None
    assert "晚于" in refused(
        take,
        post=post(cadre, federation.city, "科长", C.CHANGE, datetime.date(2020, 5, 1)),
        user=officer,
    )
    assert "其他单位" in refused(
        take,
        post=post(cadre, federation.city, "主任", C.TRANSFER, datetime.date(2021, 1, 1)),
        user=officer,
    )
    assert "其他岗位" in refused(
        take,
        post=post(cadre, federation.city, "合作指导科科长", C.ROTATION, datetime.date(2021, 1, 1)),
        user=officer,
    )
    moved = take(
        post=post(
            cadre, federation.county_a, "甲县社副主任", C.TRANSFER, datetime.date(2022, 2, 1)
        ),
        user=officer,
    )
    cadre.refresh_from_db()
    assert cadre.unit == federation.county_a and moved.unit == federation.county_a
    history = CadreLedger.computed["history"][1](cadre, officer)
    assert "办公室副主任" in history and "甲县社副主任" in history
    assert CadreLedger.computed["current_post"][1](cadre, officer).endswith("甲县社副主任")


def test_retirement_ends_the_post_and_no_post_follows(federation, officer):
    cadre = make_cadre(federation.a1, since=datetime.date(2010, 1, 1))
    p = services.take_post(
        post=post(cadre, federation.a1, "主任", C.APPOINTMENT, datetime.date(2012, 1, 1)),
        user=officer,
    )
    assert "2012-01-01" in refused(
        services.retire, cadre=cadre, user=officer, on=datetime.date(2011, 1, 1)
    )
    services.retire(cadre=cadre, user=officer, on=datetime.date(2024, 3, 31))
    cadre.refresh_from_db()
    p.refresh_from_db()
    assert cadre.retired_on == p.end == datetime.date(2024, 3, 31)
    assert "退休" in refused(services.retire, cadre=cadre, user=officer)
    assert "退休" in refused(
        services.take_post,
        post=post(cadre, federation.a1, "顾问", C.CHANGE, datetime.date(2024, 5, 1)),
        user=officer,
    )


def test_a_transfer_out_names_where_to(federation, officer):
    cadre = make_cadre(federation.a1, since=datetime.date(2010, 1, 1))
    assert "调往" in refused(
        services.transfer_cadre_out, cadre=cadre, destination=" ", user=officer
    )
    services.transfer_cadre_out(
        cadre=cadre, destination="湘潭市农业农村局", user=officer, on=datetime.date(2024, 1, 5)
    )
    cadre.refresh_from_db()
    assert (cadre.left_on, cadre.destination) == (datetime.date(2024, 1, 5), "湘潭市农业农村局")
    assert "调出" in refused(
        services.transfer_cadre_out, cadre=cadre, destination="x", user=officer
    )


def test_a_transfer_out_of_reach_is_refused(federation):
    clerk = user_with(Role.PARTY, federation.county_a)
    cadre = make_cadre(federation.a1, since=datetime.date(2010, 1, 1))
    services.take_post(
        post=post(cadre, federation.a1, "主任", C.APPOINTMENT, datetime.date(2012, 1, 1)),
        user=clerk,
    )
    with pytest.raises(Exception) as exc:
        services.take_post(
            post=post(cadre, federation.b1, "主任", C.TRANSFER, datetime.date(2013, 1, 1)),
            user=clerk,
        )
    assert type(exc.value).__name__ in ("PermissionDenied", "ValidationError")
    assert cadre.posts.count() == 1 and cadre.posts.get().end is None


def test_seed_002s_cadre_figures_counted_where_the_post_was(federation, officer):
    half = parse_period("2020H1")
    cadres = [make_cadre(federation.city, since=datetime.date(2015, 1, 1)) for _ in range(5)]
    for c in cadres:
        services.take_post(
            post=post(c, federation.city, "科员", C.APPOINTMENT, datetime.date(2016, 1, 1)),
            user=officer,
        )
    take = services.take_post
    take(
        post=post(cadres[0], federation.city, "办公室科员", C.ROTATION, datetime.date(2020, 3, 1)),
        user=officer,
    )
    take(
        post=post(cadres[1], federation.city, "财务科科员", C.ROTATION, datetime.date(2020, 4, 1)),
        user=officer,
    )
    take(
        post=post(cadres[2], federation.city, "副科长", C.CHANGE, datetime.date(2020, 5, 1)),
        user=officer,
    )
    take(
        post=post(cadres[3], federation.a1, "主任", C.TRANSFER, datetime.date(2020, 6, 1)),
        user=officer,
    )
    take(
        post=post(cadres[4], federation.city, "科长", C.CHANGE, datetime.date(2020, 8, 1)),
        user=officer,
    )  # H2
    services.retire(cadre=cadres[2], user=officer, on=datetime.date(2020, 6, 30))

    def fig(key, unit=federation.city, **f):
        return metrics.compute(key, officer, unit, half, f or None).value

    assert fig("party.cadres.moves", change="rotation") == 2
    assert fig("party.cadres.moves", change="change") == 1
    assert fig("party.cadres.moves", change="transfer") == 1
    assert fig("party.cadres.moves", federation.a1, change="transfer") == 1  # where the post is
    assert fig("party.cadres.retired") == 1


def test_a_grade_is_for_a_year_or_a_quarter_once_and_counted_in_its_period(federation, officer):
    cadre = make_cadre(federation.city)
    for bad, expected in (("2024H1", "季度"), ("2024-05", "季度"), ("abc", "期间")):
        g = m.CadreGrade(
            unit=federation.city,
            cadre=cadre,
            period=bad,
            grade="competent",
            assessed_on=datetime.date(2025, 1, 5),
        )
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            g.full_clean()
        assert any(expected in x for x in exc.value.messages), (bad, exc.value.messages)
    early = m.CadreGrade(
        unit=federation.city,
        cadre=cadre,
        period="2024Q3",
        grade="competent",
        assessed_on=datetime.date(2024, 6, 30),
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        early.full_clean()
    assert "开始前" in " ".join(exc.value.messages)
    make_grade(federation.city, cadre=cadre, period="2024", grade="excellent")
    make_grade(federation.city, cadre=cadre, period="2024Q2", assessed_on=datetime.date(2024, 7, 5))
    with pytest.raises(IntegrityError), transaction.atomic():
        make_grade(federation.city, cadre=cadre, period="2024")
    year = parse_period("2024")
    assert metrics.compute("party.cadres.graded", officer, federation.city, year).value == 2
    assert (
        metrics.compute(
            "party.cadres.graded", officer, federation.city, year, {"grade": "excellent"}
        ).value
        == 1
    )
    assert (
        metrics.compute(
            "party.cadres.graded", officer, federation.city, parse_period("2024H1")
        ).value
        == 1
    )
