"""Party building rules: elections due and overdue as of a day (the notice months a setting),
terms by kind, members counted where they were on a day (a past figure never changes), transfers
and full membership refused with their reasons and dates, attendance once per member and
activity, and seed 000's study year printed in the report."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client, override_settings
from django.utils import translation

from gongxiao.core import metrics
from gongxiao.core.actions import ActionRefused
from gongxiao.core.periods import Period, parse_period
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.party import models as m
from gongxiao.party import services
from gongxiao.party.ledgers import MemberLedger
from gongxiao.reports import placeholders as ph
from gongxiao.reports import services as report_services
from gongxiao.reports.models import Kind, ReportDraft

from .factories import (
    make_activity,
    make_election,
    make_member,
    make_organisation,
    make_writing,
)

K = m.PartyOrganisation.Kind
A = m.Activity.Kind
W = m.Writing.Kind


@pytest.fixture
def officer(federation):
    return user_with(Role.PARTY, federation.city)


def zh(fn, *args, **kwargs):
    with translation.override("zh-hans"):
        return fn(*args, **kwargs)


def messages(exc) -> str:
    return " ".join(exc.messages if hasattr(exc, "messages") else [str(exc)])


# --- organisations and elections ---------------------------------------------------------------


def test_a_term_runs_by_kind_unless_given(federation):
    branch = make_election(federation.a1, date=datetime.date(2021, 6, 30))
    assert branch.term_end == datetime.date(2024, 6, 30)
    committee = make_organisation(federation.city, kind=K.COMMITTEE)
    e = make_election(federation.city, organisation=committee, date=datetime.date(2020, 2, 29))
    assert e.term_end == datetime.date(2025, 2, 28)  # five years, the month's last day
    given = make_election(
        federation.a1, date=datetime.date(2022, 1, 1), term_end=datetime.date(2024, 12, 31)
    )
    assert given.term_end == datetime.date(2024, 12, 31)


def test_an_election_before_the_founding_or_a_term_ending_before_it_is_refused(federation):
    org = make_organisation(federation.a1, founded_on=datetime.date(2021, 1, 1))
    e = m.Election(
        organisation=org, date=datetime.date(2020, 5, 1), secretary=PersonFactory(unit=org.unit)
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        e.full_clean()
    assert "成立" in messages(exc.value)
    e.date, e.term_end = datetime.date(2022, 5, 1), datetime.date(2022, 5, 1)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        e.full_clean()
    assert "届满" in messages(exc.value) or "任期" in messages(exc.value)


@override_settings(GONGXIAO_PARTY_ELECTION_NOTICE_MONTHS=3)
def test_elections_due_are_listed_before_their_date_and_overdue_after(federation):
    qs = m.PartyOrganisation.objects.all()
    soon = make_election(federation.a1, date=datetime.date(2021, 9, 1)).organisation  # → 2024-09-01
    later = make_election(federation.a1, date=datetime.date(2022, 9, 1)).organisation
    never = make_organisation(federation.a1, founded_on=datetime.date(2024, 1, 1))
    unborn = make_organisation(federation.a1, founded_on=datetime.date(2024, 8, 1))
    on = datetime.date(2024, 6, 10)
    assert set(services.elections_due(qs, on)) == {soon, never}
    assert set(services.elections_overdue(qs, on)) == set()
    # Three months ahead is the setting: a day earlier, the first is not yet due.
    assert soon not in services.elections_due(qs, datetime.date(2024, 5, 31))
    with override_settings(GONGXIAO_PARTY_ELECTION_NOTICE_MONTHS=6):
        assert soon in services.elections_due(qs, datetime.date(2024, 3, 5))
    after = datetime.date(2024, 9, 2)
    assert set(services.elections_overdue(qs, after)) == {soon}
    assert later not in services.elections_due(qs, after)
    assert unborn in services.elections_due(qs, after)  # founded, no election on record
    # Re-elected in October: overdue as of September it stays; as of November it is not.
    make_election(federation.a1, organisation=soon, date=datetime.date(2024, 10, 8))
    assert soon in services.elections_overdue(qs, after)
    assert soon not in services.elections_overdue(qs, datetime.date(2024, 11, 1))
    assert soon not in services.elections_due(qs, datetime.date(2024, 11, 1))


def test_the_organisation_list_filters_elections_due_and_shows_the_term(federation, officer):
    e = make_election(federation.a1, date=datetime.date(2021, 9, 1))
    fresh = make_election(federation.a1, date=datetime.date(2023, 9, 1))
    c = Client()
    c.force_login(officer)

    def listed(query):
        html = c.get(f"/ledgers/party/organisations/?{query}").content.decode()
        return html.split("<tbody>")[1].split("</tbody>")[0]

    due = listed("election_due_on=2024-07-01")
    assert e.organisation.name in due and fresh.organisation.name not in due
    assert e.organisation.name not in listed("election_overdue_on=2024-07-01")
    overdue = listed("election_overdue_on=2024-10-01")
    assert e.organisation.name in overdue and e.secretary.name in overdue
    assert "2021-09-01" in overdue or "2021年9月1日" in overdue


def test_figures_of_organisations_and_elections_as_of_the_period_end(federation, officer):
    make_election(federation.a1, date=datetime.date(2021, 3, 1))  # ends 2024-03-01
    make_election(federation.a1, date=datetime.date(2023, 3, 1))
    make_organisation(federation.a1, kind=K.GENERAL_BRANCH, founded_on=datetime.date(2023, 5, 1))
    make_organisation(federation.county_b, founded_on=datetime.date(2020, 1, 1))
    period = parse_period("2023H2")
    county = federation.county_a
    assert metrics.compute("party.organisations.count", officer, county, period).value == 3
    assert metrics.compute("party.elections.due", officer, county, period).value == 2
    assert metrics.compute("party.elections.held", officer, county, period).value == 0
    next_year = parse_period("2024H1")
    assert metrics.compute("party.elections.overdue", officer, county, next_year).value == 1


# --- members -----------------------------------------------------------------------------------


def _count(user, unit, day):
    return metrics.compute(
        "party.members.count", user, unit, Period(code=str(day), start=day, end=day)
    ).value


def test_members_are_counted_where_they_were_on_the_day(federation, officer):
    a1 = make_organisation(federation.a1, founded_on=datetime.date(2010, 1, 1))
    a2 = make_organisation(federation.a2, founded_on=datetime.date(2010, 1, 1))
    member = services.admit_member(
        member=m.PartyMember(
            person=PersonFactory(unit=federation.a1),
            organisation=a1,
            joined_on=datetime.date(2022, 3, 1),
            since=datetime.date(2022, 3, 1),
        ),
        user=officer,
    )
    assert member.placements.get().start == datetime.date(2022, 3, 1)
    before = datetime.date(2023, 6, 30)
    assert _count(officer, federation.a1, before) == 1
    services.transfer(member=member, organisation=a2, user=officer, on=datetime.date(2023, 9, 1))
    # The past figure reads the same; from the transfer day he counts in a2.
    assert _count(officer, federation.a1, before) == 1
    assert _count(officer, federation.a1, datetime.date(2023, 9, 1)) == 0
    assert _count(officer, federation.a2, datetime.date(2023, 9, 1)) == 1
    assert _count(officer, federation.county_a, datetime.date(2023, 9, 1)) == 1
    assert _count(officer, federation.a1, datetime.date(2022, 2, 28)) == 0
    services.transfer_out(
        member=member, destination="县农业农村局党支部", user=officer, on=datetime.date(2024, 1, 2)
    )
    assert _count(officer, federation.county_a, datetime.date(2024, 1, 1)) == 1
    assert _count(officer, federation.county_a, datetime.date(2024, 1, 2)) == 0
    member.refresh_from_db()
    assert (member.left_on, member.destination) == (datetime.date(2024, 1, 2), "县农业农村局党支部")
    history = MemberLedger.computed["history"][1](member, officer)
    assert str(a1) in history and str(a2) in history


def test_probationary_members_as_of_a_day(federation, officer):
    member = make_member(federation.a1, joined_on=datetime.date(2022, 3, 1))
    make_member(
        federation.a1, organisation=member.organisation, joined_on=datetime.date(2015, 7, 1)
    )
    services.make_full(member=member, user=officer, on=datetime.date(2023, 3, 1))
    day = lambda d: Period(code=str(d), start=d, end=d)  # noqa: E731
    probationary = "party.members.probationary"
    assert (
        metrics.compute(probationary, officer, federation.a1, day(datetime.date(2023, 2, 28))).value
        == 2
    )
    assert (
        metrics.compute(probationary, officer, federation.a1, day(datetime.date(2023, 3, 1))).value
        == 1
    )


def test_a_transfer_is_refused_before_the_member_arrived_to_the_same_branch_or_after_leaving(
    federation, officer
):
    member = make_member(federation.a1, since=datetime.date(2022, 3, 1))
    other = make_organisation(federation.a1)
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as exc:
            services.transfer(
                member=member, organisation=other, user=officer, on=datetime.date(2022, 1, 1)
            )
        assert "2022-03-01" in messages(exc.value)
        with pytest.raises(ActionRefused) as refused:
            services.transfer(member=member, organisation=member.organisation, user=officer)
        assert "已在" in str(refused.value) or "本党组织" in str(refused.value)
        services.transfer_out(member=member, destination="外市", user=officer)
        member.refresh_from_db()
        with pytest.raises(ActionRefused) as refused:
            services.transfer(member=member, organisation=other, user=officer)
        assert "转出" in str(refused.value)
    assert member.placements.count() == 1 and member.placements.get().end is not None


def test_a_transfer_to_a_branch_out_of_reach_is_refused(federation):
    clerk = user_with(Role.PARTY, federation.county_a)
    member = make_member(federation.a1)
    foreign = make_organisation(federation.b1)
    with pytest.raises(Exception) as exc:
        services.transfer(member=member, organisation=foreign, user=clerk)
    assert type(exc.value).__name__ == "PermissionDenied"
    assert member.placements.count() == 1


def test_full_membership_is_refused_before_a_year_of_probation_with_the_day_it_is_possible(
    federation, officer
):
    member = make_member(federation.a1, joined_on=datetime.date(2023, 4, 20))
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.make_full(member=member, user=officer, on=datetime.date(2024, 4, 19))
    assert "2024-04-20" in messages(exc.value) and "12" in messages(exc.value)
    services.make_full(member=member, user=officer, on=datetime.date(2024, 4, 20))
    member.refresh_from_db()
    assert member.full_on == datetime.date(2024, 4, 20)
    with translation.override("zh-hans"), pytest.raises(ActionRefused) as refused:
        services.make_full(member=member, user=officer)
    assert "正式党员" in str(refused.value)


def test_an_edit_that_moves_a_member_is_refused_a_transfer_is_the_way(federation, officer):
    member = make_member(federation.a1)
    other = make_organisation(federation.a1)
    member.organisation = other
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        MemberLedger().update(member, officer, expected_version=member.version)
    assert "转接" in messages(exc.value)
    member.refresh_from_db()
    assert member.organisation != other


def test_a_person_is_a_member_once(federation):
    member = make_member(federation.a1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_member(federation.a1, person=member.person)


# --- activities and attendance -----------------------------------------------------------------


@pytest.fixture
def branch(federation):
    org = make_organisation(federation.a1)
    members = [make_member(federation.a1, organisation=org).person for _ in range(4)]
    return org, members


def test_attendance_is_recorded_once_per_member_and_activity(branch, officer):
    org, (p1, p2, p3, p4) = branch
    activity = make_activity(org.unit, organisation=org, external_participants=6)
    services.record_attendance(activity=activity, user=officer, present=[p1, p2, p3])
    assert (activity.present_count, activity.participations) == (3, 9)
    # Given again (p3 was in fact absent): corrected in place, not counted twice.
    services.record_attendance(
        activity=activity, user=officer, present=[p1, p2], absent=[p3, p4], reason="下乡服务"
    )
    assert activity.attendances.count() == 4
    assert (activity.present_count, activity.participations) == (2, 8)
    assert activity.attendances.get(person=p3).absence_reason == "下乡服务"
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Attendance.objects.create(activity=activity, person=p1)


def test_attendance_refusals_name_the_problem(branch, officer, federation):
    org, (p1, p2, _p3, _p4) = branch
    activity = make_activity(org.unit, organisation=org)
    stranger = PersonFactory(unit=federation.a1, name="群众赵六")
    cases = [
        (dict(present=[p1], absent=[p1], reason="病假"), p1.name),
        (dict(absent=[p2]), "原因"),
        (dict(present=[stranger]), "群众赵六"),
        ({}, "至少"),
    ]
    for kwargs, expected in cases:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
            services.record_attendance(activity=activity, user=officer, **kwargs)
        assert expected in messages(exc.value), (kwargs, messages(exc.value))
    assert not activity.attendances.exists()


def test_a_member_who_arrived_after_the_activity_cannot_be_marked(federation, officer):
    org = make_organisation(federation.a1)
    late = make_member(federation.a1, organisation=org, since=datetime.date(2023, 6, 1))
    activity = make_activity(org.unit, organisation=org, date=datetime.date(2023, 5, 10))
    with pytest.raises(ValidationError):
        services.record_attendance(activity=activity, user=officer, present=[late.person])


# --- seed 000: the study year, printed in the report -------------------------------------------


YEAR = 2021


def _study_year(f, officer):
    """市社党组理论学习中心组专题研讨交流10次, 5名党组成员讲授专题党课, 8个党支部130余名党员,
    各党支部组织专题学习70余次, 开展红色经典活动10次, 参与党员群众500人次."""
    committee = make_organisation(f.city, kind=K.COMMITTEE, name="市社机关党委")
    branches = [
        make_organisation(f.city if i < 2 else f.a1, name=f"第{i + 1}党支部", parent=committee)
        for i in range(8)
    ]
    members: dict[int, list] = {b.pk: [] for b in branches}
    for i in range(130):
        b = branches[i % 8]
        members[b.pk].append(
            make_member(b.unit, organisation=b, joined_on=datetime.date(2010, 1, 1)).person
        )
    day = lambda n: datetime.date(YEAR, 1 + n % 12, 1 + n % 27)  # noqa: E731
    for i in range(10):
        make_activity(f.city, organisation=committee, kind=A.CENTRAL_GROUP, date=day(i))
    speakers = [PersonFactory(unit=f.city) for _ in range(5)]
    for i in range(7):
        make_activity(
            f.city, organisation=committee, kind=A.LECTURE, date=day(i), speaker=speakers[i % 5]
        )
    for i in range(70):
        make_activity(f.city, organisation=branches[i % 8], kind=A.STUDY, date=day(i))
    for i in range(10):
        b = branches[i % 8]
        red = make_activity(
            f.city,
            organisation=b,
            kind=A.RED_EDUCATION,
            date=day(i),
            external_participants=50 - len(members[b.pk][:10]),
        )
        services.record_attendance(activity=red, user=officer, present=members[b.pk][:10])
    # Another year's study does not count.
    make_activity(
        f.city, organisation=branches[0], kind=A.STUDY, date=datetime.date(YEAR + 1, 1, 5)
    )
    # 形成高质量调研报告24篇; 共形成心得体会80余篇, 部分优秀作品还在湘潭日报…等媒体刊登发表.
    for i in range(24):
        make_writing(f.city if i % 2 else f.a1, kind=W.RESEARCH, date=day(i), submitted_to="")
    for i in range(80):
        essay = make_writing(f.city, kind=W.ESSAY, date=day(i), submitted_to="")
        if i < 3:
            essay.submitted_to = "media"
            essay.save()
            services.adopt(writing=essay, user=officer, level="city", by="湘潭日报", on=day(i))
    make_writing(f.city, kind=W.RESEARCH, date=datetime.date(YEAR - 1, 12, 1))


def test_seed_000s_study_year_is_computed_and_printed_in_the_report(federation, officer):
    _study_year(federation, officer)
    year = parse_period(str(YEAR))
    city = federation.city

    def value(key, **filters):
        return metrics.compute(key, officer, city, year, filters or None).value

    assert value("party.activities.count", kind="central_group") == 10
    assert value("party.lectures.speakers") == 5
    assert value("party.organisations.count", kind="branch") == 8
    assert value("party.members.count") == 130
    assert value("party.activities.count", kind="study", organisation__kind="branch") == 70
    assert value("party.activities.count", kind="red_education") == 10
    assert value("party.activities.participations", kind="red_education") == 500
    assert value("party.writings.count", kind="research") == 24
    assert value("party.writings.count", kind="essay") == 80

    with translation.override("zh-hans"):
        draft = report_services.create_draft(
            draft=ReportDraft(unit=city, kind=Kind.GOVERNANCE, period=str(YEAR)), user=officer
        )
        doc = ph.build(draft, officer)
        text = "".join(b.text for b in doc.blocks)
        assert "专题研讨交流10次，5名同志为全社系统党员干部讲授专题党课" in text
        assert "为8个党支部130名党员作出表率" in text
        assert "各党支部组织专题学习70次" in text
        assert "开展红色教育活动10次，参与党员群众500人次" in text
        assert "形成调研报告24篇，党员干部撰写心得体会80篇，被各级媒体和上级单位采用3篇。" in text

        half = report_services.create_draft(
            draft=ReportDraft(unit=city, kind=Kind.PARTY_HALF, period=f"{YEAR}H1"), user=officer
        )
        doc = ph.build(half, officer)
        assert not doc.errors, doc.errors
        text = "".join(b.text for b in doc.blocks)
        assert "党员130名" in text and "其中党支部8个" in text
        assert "党委理论学习中心组开展集中学习研讨" in text


def test_party_figures_stay_within_the_users_reach(federation):
    make_activity(federation.b1, kind=A.STUDY, date=datetime.date(YEAR, 3, 1))
    make_activity(federation.a1, kind=A.STUDY, date=datetime.date(YEAR, 3, 1))
    county_a = user_with(Role.PARTY, federation.county_a)
    year = parse_period(str(YEAR))
    assert metrics.compute("party.activities.count", county_a, None, year).value == 1


def test_the_activity_list_shows_members_present_and_participations(branch, officer):
    org, people = branch
    activity = make_activity(
        org.unit, organisation=org, external_participants=3, topic="重温入党誓词"
    )
    services.record_attendance(activity=activity, user=officer, present=people[:2])
    c = Client()
    c.force_login(officer)
    html = c.get(f"/ledgers/party/activities/{activity.pk}/").content.decode()
    assert "重温入党誓词" in html
    listed = c.get("/ledgers/party/activities/").content.decode()
    assert ">2<" in listed.replace(" ", "") and ">5<" in listed.replace(" ", "")
