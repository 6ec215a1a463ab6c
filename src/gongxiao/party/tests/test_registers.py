"""Trainings and exams (合格率), writings submitted and adopted (counts by kind), assistance visits
with money as Decimal, the register of rules (document numbers 〔2023〕15号, the meeting that
adopted a rule, revisions as versions, the version in force on a day), the intervals of
elections and development as settings, and the overdue elections flagged on the dashboard."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import translation

from gongxiao.core import metrics
from gongxiao.core.actions import ActionRefused
from gongxiao.core.periods import parse_period
from gongxiao.decisions.tests.factories import MeetingFactory
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.party import models as m
from gongxiao.party import services

from .factories import (
    make_development,
    make_election,
    make_exam,
    make_organisation,
    make_rule,
    make_training,
    make_visit,
    make_writing,
)

W = m.Writing.Kind


def refused(fn, **kw) -> str:
    with translation.override("zh-hans"), pytest.raises((ValidationError, ActionRefused)) as exc:
        fn(**kw)
    e = exc.value
    return " ".join(e.messages) if hasattr(e, "messages") else str(e)


def invalid(obj) -> str:
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return " ".join(exc.value.messages)


@pytest.fixture
def officer(federation):
    return user_with(Role.PARTY, federation.city)


def fig(key, user, unit, code, **filters):
    return metrics.compute(key, user, unit, parse_period(code), filters or None).value


# --- trainings and exams --------------------------------------------------------------------------


def test_trainings_count_courses_sessions_and_participants(federation, officer):
    make_training(
        federation.city, sessions=2, participants=60, start_date=datetime.date(2023, 3, 1)
    )
    make_training(federation.a1, participants=25, start_date=datetime.date(2023, 9, 1))
    make_training(
        federation.city, kind="attended", participants=3, start_date=datetime.date(2023, 5, 1)
    )
    make_training(federation.city, participants=99, start_date=datetime.date(2022, 5, 1))
    city = federation.city
    assert fig("party.trainings.count", officer, city, "2023") == 3
    assert fig("party.trainings.sessions", officer, city, "2023") == 4
    assert fig("party.trainings.participants", officer, city, "2023") == 88
    assert fig("party.trainings.count", officer, city, "2023", kind="attended") == 1


def test_an_exams_pass_rate_and_more_passed_than_sat_refused(federation, officer):
    make_exam(federation.city, participants=40, passed=40, date=datetime.date(2023, 6, 1))
    assert fig("party.exams.pass_rate", officer, federation.city, "2023") == Decimal("100.0")
    make_exam(federation.a1, participants=10, passed=8, date=datetime.date(2023, 7, 1))
    assert fig("party.exams.pass_rate", officer, federation.city, "2023") == Decimal("96.0")
    assert fig("party.exams.participants", officer, federation.city, "2023") == 50
    assert fig("party.exams.pass_rate", officer, federation.city, "2022") is None
    bad = m.Exam(
        unit=federation.city,
        title="廉政法规考试",
        date=datetime.date(2023, 1, 1),
        participants=5,
        passed=6,
    )
    assert "合格人数多于参考人数" in invalid(bad)


# --- writings -------------------------------------------------------------------------------------


def test_writings_counted_by_kind_submitted_and_adopted(federation, officer):
    day = datetime.date(2021, 5, 1)
    for _ in range(3):
        make_writing(federation.city, kind=W.RESEARCH, date=day, submitted_to="")
    for _ in range(2):
        make_writing(federation.a1, kind=W.ESSAY, date=day, submitted_to="")
    info = make_writing(federation.city, kind=W.INFORMATION, date=day, submitted_to="province_coop")
    services.adopt(
        writing=info, user=officer, level="provincial", by="省社网站", on=datetime.date(2021, 5, 9)
    )
    city = federation.city
    assert fig("party.writings.count", officer, city, "2021", kind="research") == 3
    assert fig("party.writings.count", officer, city, "2021", kind="essay") == 2
    assert fig("party.writings.submitted", officer, city, "2021") == 1
    assert fig("party.writings.adopted", officer, city, "2021", adopted_level="provincial") == 1


def test_an_adoption_is_refused_unsubmitted_twice_or_before_the_writing(federation, officer):
    draft = make_writing(federation.city, submitted_to="")
    assert "报送" in refused(services.adopt, writing=draft, user=officer, level="city")
    info = make_writing(federation.city, date=datetime.date(2023, 5, 10))
    assert "撰写日期" in refused(
        services.adopt, writing=info, user=officer, level="city", on=datetime.date(2023, 5, 1)
    )
    assert "采用级别" in refused(services.adopt, writing=info, user=officer, level="galaxy")
    services.adopt(writing=info, user=officer, level="city", on=datetime.date(2023, 5, 12))
    assert "已于2023-05-12被采用" in refused(
        services.adopt, writing=info, user=officer, level="city"
    )


# --- assistance -----------------------------------------------------------------------------------


def test_assistance_totals_in_yuan_and_households_once(federation, officer):
    visitor = PersonFactory(unit=federation.city)
    make_visit(
        federation.city,
        household="张某某",
        amount=Decimal("500.50"),
        date=datetime.date(2020, 1, 15),
        visitors=[visitor],
    )
    make_visit(
        federation.city, household="张某某", amount=Decimal("300"), date=datetime.date(2020, 5, 1)
    )
    make_visit(
        federation.a1,
        household="李某某",
        amount=Decimal("0"),
        goods="米面油",
        date=datetime.date(2020, 2, 1),
    )
    city = federation.city
    assert fig("party.assistance.visits", officer, city, "2020H1") == 3
    assert fig("party.assistance.households", officer, city, "2020H1") == 2
    total = fig("party.assistance.amount", officer, city, "2020H1")
    assert total == Decimal("800.50") and isinstance(total, Decimal)
    empty = m.AssistanceVisit(
        unit=city, date=datetime.date(2020, 1, 1), household="王某", amount=Decimal(0)
    )
    assert "慰问金额或慰问物资" in invalid(empty)


# --- the register of rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "number,ok",
    [
        ("湘供发〔2023〕15号", True),
        ("〔2023〕15号", True),
        ("", True),
        ("湘供发[2023]15号", False),
        ("湘供发（2023）15号", False),
        ("湘供发〔23〕15号", False),
        ("湘供发〔2023〕号", False),
    ],
)
def test_a_document_number_is_written_with_hexagonal_brackets(federation, number, ok):
    rule = m.Rule(
        unit=federation.city,
        kind="work_rules",
        title="监事会工作规则",
        number=number,
        issued_on=datetime.date(2023, 4, 13),
    )
    if ok:
        rule.full_clean()
    else:
        assert "〔2023〕15号" in invalid(rule)


def test_the_numbers_year_and_the_adopting_meeting_are_checked(federation):
    rule = m.Rule(
        unit=federation.city,
        kind="work_rules",
        title="工作规则",
        number="湘供发〔2022〕3号",
        issued_on=datetime.date(2023, 4, 13),
    )
    assert "2022" in invalid(rule)
    rule.number = "湘供发〔2023〕3号"
    rule.meeting = MeetingFactory.create(unit=federation.county_a, date=datetime.date(2023, 4, 1))
    assert "不是本单位" in invalid(rule)
    rule.meeting = MeetingFactory.create(unit=federation.city, date=datetime.date(2023, 4, 20))
    assert "晚于印发日期" in invalid(rule)
    rule.meeting = MeetingFactory.create(unit=federation.city, date=datetime.date(2023, 4, 10))
    rule.full_clean()


def test_a_revision_is_a_new_version_and_the_version_in_force_follows_the_dates(
    federation, officer
):
    v1 = make_rule(
        federation.city,
        title="党组议事规则",
        number="〔2019〕2号",
        issued_on=datetime.date(2019, 3, 1),
        kind="procedure",
    )
    assert "晚于" in refused(
        services.revise_rule, rule=v1, user=officer, on=datetime.date(2019, 3, 1)
    )
    v2 = services.revise_rule(
        rule=v1, user=officer, on=datetime.date(2021, 6, 1), number="〔2021〕9号"
    )
    v1.refresh_from_db()
    assert v1.superseded_on == datetime.date(2021, 6, 1) and v2.previous == v1
    assert v2.title == "党组议事规则" and v2.kind == "procedure"
    assert "已于2021-06-01修订" in refused(services.revise_rule, rule=v1, user=officer)
    assert services.version_in_force(v2, datetime.date(2019, 2, 28)) is None
    assert services.version_in_force(v2, datetime.date(2020, 1, 1)) == v1
    assert services.version_in_force(v1, datetime.date(2021, 6, 1)) == v2
    services.abolish_rule(rule=v2, user=officer, on=datetime.date(2023, 1, 1))
    assert services.version_in_force(v1, datetime.date(2023, 1, 1)) is None
    assert "废止" in refused(services.abolish_rule, rule=v2, user=officer)
    # A revision's number is checked like any other.
    v3 = make_rule(federation.city, number="〔2020〕1号", issued_on=datetime.date(2020, 1, 1))
    assert "〔2023〕15号" in refused(services.revise_rule, rule=v3, user=officer, number="2021-1")
    v3.refresh_from_db()
    assert v3.superseded_on is None


def test_rules_issued_revised_and_in_force_as_figures_and_on_the_list(federation, officer):
    for i in range(3):
        make_rule(federation.city, issued_on=datetime.date(2021, 2, 1 + i))
    old = make_rule(
        federation.city, issued_on=datetime.date(2019, 1, 1), title="机关考勤制度", number=""
    )
    services.revise_rule(rule=old, user=officer, on=datetime.date(2021, 8, 1))
    city = federation.city
    assert fig("party.rules.issued", officer, city, "2021") == 3
    assert fig("party.rules.revised", officer, city, "2021") == 1
    assert fig("party.rules.in_force", officer, city, "2021") == 4
    assert fig("party.rules.in_force", officer, city, "2020") == 1
    c = Client()
    c.force_login(officer)
    listed = c.get("/ledgers/party/rules/?in_force_on=2020-06-30").content.decode()
    body = listed.split("<tbody>")[1].split("</tbody>")[0]
    assert "机关考勤制度" in body and body.count("<tr") == 1


# --- intervals as data, overdue flagged -----------------------------------------------------------


def test_term_lengths_and_development_intervals_are_settings(federation, officer):
    with override_settings(GONGXIAO_PARTY_TERM_YEARS={"branch": 5}):
        e = make_election(federation.a1, date=datetime.date(2021, 6, 30))
        assert e.term_end == datetime.date(2026, 6, 30)
    dev = make_development(federation.a1, applied_on=datetime.date(2022, 1, 1))
    services.advance(development=dev, stage="activist", user=officer, on=datetime.date(2022, 2, 1))
    with override_settings(GONGXIAO_PARTY_STAGE_MONTHS={"candidate": 6}):
        assert "2022-08-01" in refused(
            services.advance,
            development=dev,
            stage="candidate",
            user=officer,
            on=datetime.date(2022, 7, 31),
        )
        services.advance(
            development=dev, stage="candidate", user=officer, on=datetime.date(2022, 8, 1)
        )


def test_the_dashboard_flags_organisations_whose_term_has_expired(federation, officer):
    org = make_organisation(federation.a1, name="逾期未换届党支部")
    make_election(federation.a1, organisation=org, date=datetime.date(2019, 1, 1))
    c = Client()
    c.force_login(officer)
    html = c.get(f"/reports/?unit={federation.city.pk}&period=2023").content.decode()
    tile = html.split('data-metric="party.elections.overdue"')[1].split("</a>")[0]
    assert 'data-flag="1"' in tile and 'data-value="1"' in tile
    calm = c.get(f"/reports/?unit={federation.city.pk}&period=2020").content.decode()
    assert (
        'data-flag="1"'
        not in calm.split('data-metric="party.elections.overdue"')[1].split("</a>")[0]
    )


# --- seed 002: the half-year summary prints them -----------------------------------------------


def test_the_half_year_summary_prints_cadres_assistance_rules_and_exams(federation, officer):
    from gongxiao.reports import placeholders as ph
    from gongxiao.reports import services as report_services
    from gongxiao.reports.models import Kind, ReportDraft

    from .factories import make_cadre

    city = federation.city
    cadres = [make_cadre(city, since=datetime.date(2015, 1, 1)) for _ in range(3)]
    C = m.CadrePost.Change
    for c in cadres:
        services.take_post(
            post=m.CadrePost(
                cadre=c,
                unit=city,
                post="科员",
                change=C.APPOINTMENT,
                start=datetime.date(2016, 1, 1),
            ),
            user=officer,
        )
    services.take_post(
        post=m.CadrePost(
            cadre=cadres[0],
            unit=city,
            post="办公室科员",
            change=C.ROTATION,
            start=datetime.date(2020, 3, 2),
        ),
        user=officer,
    )
    services.retire(cadre=cadres[1], user=officer, on=datetime.date(2020, 5, 31))
    make_visit(city, household="张某某", amount=Decimal("500"), date=datetime.date(2020, 1, 20))
    make_rule(city, number="〔2020〕3号", issued_on=datetime.date(2020, 3, 1), kind="work_points")
    make_exam(city, participants=20, passed=20, date=datetime.date(2020, 6, 1))
    with translation.override("zh-hans"):
        draft = report_services.create_draft(
            draft=ReportDraft(unit=city, kind=Kind.PARTY_HALF, period="2020H1"), user=officer
        )
        doc = ph.build(draft, officer)
        assert not doc.errors, doc.errors
        text = "".join(b.text for b in doc.blocks)
    assert "本期轮岗交流1人、职务变更0人、调动0人、退休1人" in text
    assert "走访慰问1次、低收入农户1户，共发放慰问金500元" in text
    assert "制定下发制度文件1项" in text
    assert "开展廉政法规考试1次，合格率100%" in text
