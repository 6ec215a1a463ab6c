"""党员积分: the scheme as data (daily conduct 80 + democratic appraisal 20, bonus and deduction
items, caps), an append-only ledger per member with entries awarded from attendance through the
attendance service, yearly totals with the caps applied, ranking in a branch (ties share a
rank), versions of a scheme, and every refusal in Chinese."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from gongxiao.core import metrics
from gongxiao.core.actions import ActionRefused
from gongxiao.core.periods import parse_period
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.party import models as m
from gongxiao.party import services
from gongxiao.party.ledgers import PointsEntryLedger, PointsSchemeLedger

from .factories import make_activity, make_item, make_member, make_organisation, make_scheme

P = m.PointsItem.Part
YEAR = 2023


def refused(fn, **kw) -> str:
    with translation.override("zh-hans"), pytest.raises((ValidationError, ActionRefused)) as exc:
        fn(**kw)
    e = exc.value
    return " ".join(e.messages) if hasattr(e, "messages") else str(e)


@pytest.fixture
def case(federation):
    officer = user_with(Role.PARTY, federation.county_a)
    branch = make_organisation(
        federation.a1, name="甲一党支部", founded_on=datetime.date(2010, 1, 1)
    )
    members = [
        make_member(
            federation.a1,
            organisation=branch,
            person=PersonFactory(unit=federation.a1, name=n),
            joined_on=datetime.date(2015, 7, 1),
        )
        for n in ("党员甲", "党员乙", "党员丙")
    ]
    # The county's scheme applies to the branches below it.
    scheme = make_scheme(
        federation.county_a,
        name="党员积分制管理办法",
        valid_from=datetime.date(2022, 1, 1),
        bonus_cap=Decimal(10),
    )
    items = {
        "day": make_item(
            federation.county_a,
            scheme=scheme,
            name="参加主题党日",
            points=Decimal(2),
            yearly_cap=Decimal(24),
            awarded_for=m.Activity.Kind.THEME_DAY,
        ),
        "conduct": make_item(
            federation.county_a, scheme=scheme, name="完成岗位任务", points=Decimal(10)
        ),
        "appraisal": make_item(
            federation.county_a,
            scheme=scheme,
            part=P.APPRAISAL,
            name="民主评议",
            points=Decimal(20),
            yearly_cap=Decimal(20),
        ),
        "bonus": make_item(
            federation.county_a, scheme=scheme, part=P.BONUS, name="志愿服务", points=Decimal(4)
        ),
        "deduction": make_item(
            federation.county_a,
            scheme=scheme,
            part=P.DEDUCTION,
            name="无故缺席组织生活",
            points=Decimal(5),
        ),
    }
    return officer, branch, members, scheme, items


def give(officer, member, item, day, n=1, **kw):
    for i in range(n):
        services.award_points(
            member=member,
            item=item,
            user=officer,
            reason=kw.get("reason", "按方案记分"),
            on=day + datetime.timedelta(days=i),
            points=kw.get("points"),
        )


def test_the_scheme_is_data_100_is_conduct_80_plus_appraisal_20(case):
    _officer, branch, _members, scheme, _items = case
    assert scheme.total == Decimal(100)
    assert services.scheme_in_force(branch, datetime.date(2023, 6, 1)) == scheme
    assert services.scheme_in_force(branch, datetime.date(2021, 12, 31)) is None
    # A scheme of the branch's own unit takes precedence over the county's.
    own = make_scheme(branch.unit, valid_from=datetime.date(2023, 1, 1), conduct_cap=Decimal(70))
    assert services.scheme_in_force(branch, datetime.date(2023, 6, 1)) == own
    assert services.scheme_in_force(branch, datetime.date(2022, 6, 1)) == scheme


def test_yearly_totals_apply_the_item_part_and_bonus_caps_and_take_deductions_off(case):
    officer, _branch, (a, b, c), _scheme, it = case
    jan = datetime.date(YEAR, 1, 10)
    give(officer, a, it["day"], jan, n=15)  # 30 given, at most 24 a year
    t = services.yearly_points(a, YEAR)
    assert t.by_item[it["day"]] == (Decimal(30), Decimal(24))
    assert t.total == Decimal(24)
    give(officer, a, it["conduct"], datetime.date(YEAR, 3, 1), n=7)  # 70 more: conduct 94 → 80
    give(officer, a, it["appraisal"], datetime.date(YEAR, 12, 20), points=Decimal(18))
    give(officer, a, it["bonus"], datetime.date(YEAR, 5, 1), n=4)  # 16 → bonus at most 10
    t = services.yearly_points(a, YEAR)
    assert t.by_part == {"conduct": 80, "appraisal": 18, "bonus": 10, "deduction": 0}
    assert t.total == Decimal(108)
    give(officer, a, it["deduction"], datetime.date(YEAR, 6, 1), n=2)
    assert services.yearly_points(a, YEAR).total == Decimal(98)
    # Another year is another total; deductions never take a total below zero.
    give(officer, b, it["deduction"], datetime.date(YEAR, 6, 1))
    assert services.yearly_points(b, YEAR).total == 0
    assert services.yearly_points(a, YEAR + 1).total == 0
    assert m.PointsEntry.objects.filter(member=a).count() == 15 + 7 + 1 + 4 + 2


def test_a_branch_ranks_its_members_and_ties_share_a_rank(case):
    officer, branch, (a, b, c), _scheme, it = case
    day = datetime.date(YEAR, 4, 1)
    give(officer, a, it["conduct"], day, n=2)
    give(officer, b, it["conduct"], day, n=2)
    give(officer, c, it["conduct"], day)
    ranked = [(rank, t.member.person.name, t.total) for rank, t in services.ranking(branch, YEAR)]
    assert ranked == [(1, "党员乙", 20), (1, "党员甲", 20), (3, "党员丙", 10)]


def test_attendance_awards_points_once_and_a_member_marked_absent_loses_them(case):
    officer, branch, (a, b, c), _scheme, it = case
    day = make_activity(
        branch.unit,
        organisation=branch,
        kind=m.Activity.Kind.THEME_DAY,
        date=datetime.date(YEAR, 3, 5),
    )
    services.record_attendance(activity=day, user=officer, present=[a.person, b.person])
    auto = m.PointsEntry.objects.filter(activity=day)
    assert sorted(auto.values_list("member__person__name", "points", "source")) == [
        ("党员乙", Decimal(2), "attendance"),
        ("党员甲", Decimal(2), "attendance"),
    ]
    assert auto.first().date == day.date and "主题党日" in auto.first().reason
    # Recorded again: no second award. Then b was in fact absent: his points are reversed.
    services.record_attendance(activity=day, user=officer, present=[a.person, b.person])
    assert auto.count() == 2
    services.record_attendance(
        activity=day, user=officer, present=[a.person], absent=[b.person], reason="病假"
    )
    assert services.yearly_points(b, YEAR).total == 0
    assert services.yearly_points(a, YEAR).total == 2
    reversal = auto.get(source="reversal")
    assert reversal.points == Decimal(-2) and reversal.reverses.member == b
    # Present after all: awarded again, still once net.
    services.record_attendance(activity=day, user=officer, present=[a.person, b.person])
    assert services.yearly_points(b, YEAR).total == 2
    # A lecture awards nothing: no item is awarded for it.
    lecture = make_activity(
        branch.unit,
        organisation=branch,
        kind=m.Activity.Kind.LECTURE,
        date=datetime.date(YEAR, 3, 6),
    )
    services.record_attendance(activity=lecture, user=officer, present=[a.person])
    assert not m.PointsEntry.objects.filter(activity=lecture).exists()


def test_attendance_of_an_activity_still_to_come_is_refused(case):
    officer, branch, (a, _b, _c), _scheme, _it = case
    ahead = make_activity(
        branch.unit, organisation=branch, date=datetime.date.today() + datetime.timedelta(days=3)
    )
    msg = refused(services.record_attendance, activity=ahead, user=officer, present=[a.person])
    assert "活动开展后" in msg
    assert not ahead.attendances.exists()


def test_points_refusals_name_the_problem(case, federation):
    officer, branch, (a, _b, _c), scheme, it = case
    day = datetime.date(YEAR, 2, 1)
    other = make_item(federation.county_a, scheme=make_scheme(federation.b1), name="外县项目")
    cases = [
        (dict(item=other, reason="x", on=day), "不是"),
        (dict(item=it["conduct"], reason="  ", on=day), "事由"),
        (dict(item=it["appraisal"], reason="评议", on=day, points=Decimal(21)), "20"),
        (dict(item=it["conduct"], reason="x", on=datetime.date(2014, 1, 1)), "尚未入党"),
        (dict(item=it["conduct"], reason="x", on=datetime.date(2021, 6, 1)), "不是"),
        (
            dict(item=it["conduct"], reason="x", on=datetime.date.today() + datetime.timedelta(1)),
            "将来",
        ),
    ]
    for kw, expected in cases:
        msg = refused(services.award_points, member=a, user=officer, **kw)
        assert expected in msg, (kw, msg)
    assert not m.PointsEntry.objects.exists()
    # Out of the organisation on the day (transferred out): refused, naming the day.
    services.transfer_out(member=a, destination="外市", user=officer, on=datetime.date(YEAR, 1, 1))
    a.refresh_from_db()
    msg = refused(
        services.award_points, member=a, item=it["conduct"], user=officer, reason="x", on=day
    )
    assert "不在任何党组织" in msg


def test_the_ledger_is_append_only_a_mistake_is_reversed(case):
    officer, _branch, (a, _b, _c), _scheme, it = case
    give(officer, a, it["conduct"], datetime.date(YEAR, 2, 1))
    entry = m.PointsEntry.objects.get()
    with translation.override("zh-hans"):
        assert "冲销" in PointsEntryLedger().lock_reason(entry)
    msg = refused(
        services.reverse_entry,
        entry=entry,
        user=officer,
        reason="误记",
        on=datetime.date(YEAR, 1, 1),
    )
    assert str(entry.date) in msg
    counter = services.reverse_entry(
        entry=entry, user=officer, reason="误记", on=datetime.date(YEAR, 2, 3)
    )
    assert counter.points == -entry.points and counter.organisation == entry.organisation
    assert "已冲销" in refused(services.reverse_entry, entry=entry, user=officer, reason="再冲")
    assert "不能再冲销" in refused(services.reverse_entry, entry=counter, user=officer, reason="x")
    assert services.yearly_points(a, YEAR).total == 0
    entry.refresh_from_db()
    assert entry.points == Decimal(10)  # the entry itself unchanged


def test_a_scheme_in_use_is_kept_a_change_is_a_new_version(case):
    officer, branch, (a, _b, _c), scheme, it = case
    with translation.override("zh-hans"):
        assert PointsSchemeLedger().lock_reason(scheme) is None
    give(officer, a, it["conduct"], datetime.date(YEAR, 2, 1))
    with translation.override("zh-hans"):
        assert "新建版本" in PointsSchemeLedger().lock_reason(scheme)
    assert "晚于" in refused(
        services.new_scheme_version, scheme=scheme, user=officer, on=datetime.date(2021, 1, 1)
    )
    new = services.new_scheme_version(scheme=scheme, user=officer, on=datetime.date(YEAR, 7, 1))
    assert new.previous == scheme and new.items.count() == scheme.items.count()
    assert "更新的版本" in refused(
        services.new_scheme_version, scheme=scheme, user=officer, on=datetime.date(YEAR, 8, 1)
    )
    # From July the new version's items; the old ones only before.
    assert services.scheme_in_force(branch, datetime.date(YEAR, 7, 1)) == new
    msg = refused(
        services.award_points,
        member=a,
        item=it["conduct"],
        user=officer,
        reason="x",
        on=datetime.date(YEAR, 7, 2),
    )
    assert "不是" in msg
    give(officer, a, new.items.get(name="完成岗位任务"), datetime.date(YEAR, 7, 2))
    assert services.yearly_points(a, YEAR).total == Decimal(20)


def test_an_item_cap_below_one_time_and_a_deduction_for_attendance_are_refused(case):
    _officer, _branch, _members, scheme, _it = case
    bad = m.PointsItem(
        scheme=scheme, part=P.CONDUCT, name="x", points=Decimal(5), yearly_cap=Decimal(2)
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "年度上限" in " ".join(exc.value.messages)
    bad = m.PointsItem(
        scheme=scheme, part=P.DEDUCTION, name="y", points=Decimal(5), awarded_for="theme_day"
    )
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        bad.full_clean()
    assert "只能加分" in " ".join(exc.value.messages)


def test_points_figures_and_the_member_column(case):
    officer, branch, (a, b, _c), _scheme, it = case
    give(officer, a, it["conduct"], datetime.date(YEAR, 2, 1), n=2)
    give(officer, b, it["deduction"], datetime.date(YEAR, 2, 1))
    year = parse_period(str(YEAR))
    assert metrics.compute("party.points.entries", officer, branch.unit, year).value == 3
    assert metrics.compute("party.points.given", officer, branch.unit, year).value == Decimal(15)
    c = Client()
    c.force_login(officer)
    page = c.get(f"/ledgers/party/points/?date__gte={YEAR}-01-01").content.decode()
    assert "党员甲" in page and "完成岗位任务" in page


def test_the_organisations_page_ranks_its_members(case):
    officer, branch, (a, b, c), _scheme, it = case
    today = datetime.date.today()
    give(officer, a, it["conduct"], today, n=1)
    give(officer, b, it["conduct"], today, n=1)
    client = Client()
    client.force_login(officer)
    with translation.override("zh-hans"):
        html = client.get(f"/ledgers/party/organisations/{branch.pk}/").content.decode()
    table = html.split('id="points-ranking"')[1].split("</table>")[0]
    rows = table.split("<tbody>")[1].split("<tr>")[1:]
    assert [r.split("<td>")[1].split("</td>")[0] for r in rows] == ["1", "1", "3"]
    assert "党员丙" in rows[2] and ">10<" in rows[0]
