"""The rules of co-op assets, each tested by calling its service: areas in m² and 亩, the
certificate's holder, status from leases, every leasing threshold (SPEC §5, as per-federation
settings), activation refused with the missing piece named, the month-end schedule, billed
rows frozen after a change, payments oldest first, ageing as of a past date, termination with
the deposit, renewal and disposal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from rest_framework.test import APIClient

from gongxiao.assets import models as m
from gongxiao.assets import services
from gongxiao.assets.tests import factories as f
from gongxiao.core.models import ChangeRecord
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

D = datetime.date


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def officer(federation):
    return user_with(Role.ASSET, federation.county_a)


def _problems(lease) -> str:
    lease = m.Lease.objects.get(pk=lease.pk)
    return "；".join(str(p) for p in services.activation_problems(lease))


def _passed_matter(unit, outcome="passed"):
    from gongxiao.decisions.models import Matter, Meeting

    meeting = Meeting.objects.create(unit=unit, body="party_group", date=D(2022, 12, 1))
    return Matter.objects.create(
        meeting=meeting, category="decision", title="门面房出租方案", outcome=outcome
    )


# --- the registry ------------------------------------------------------------------------------


def test_land_is_kept_in_m2_and_shown_in_mu():
    assert m.m2_to_mu(Decimal("2000")) == Decimal("3.00")
    assert m.mu_to_m2(Decimal("15")) == Decimal("10000.00")  # 15 亩 = 1 hectare
    assert m.m2_to_mu(Decimal("666.67")) == Decimal("1.00")


def test_a_building_needs_its_area_and_land_its_land_area(federation):
    prop = m.Property(unit=federation.a1, name="仓库", address="x", kind="warehouse")
    with pytest.raises(ValidationError) as e:
        prop.full_clean()
    assert "建筑面积" in str(e.value)
    land = m.Property(unit=federation.a1, name="地块", address="x", kind="land")
    with pytest.raises(ValidationError) as e:
        land.full_clean()
    assert "土地面积" in str(e.value)


def test_a_missing_or_mismatched_certificate_holder_is_flagged(federation):
    prop = f.make_property(federation.a1)
    assert prop.certificate_problem() == "无权属证书"
    cert = f.make_certificate(federation.a1, property=prop, holder="某某公司")
    assert not cert.holder_matches
    assert m.Property.objects.get(pk=prop.pk).certificate_problem() == "权利人与单位不符"
    f.make_certificate(federation.a1, property=prop, holder=federation.a1.name)
    assert m.Property.objects.get(pk=prop.pk).certificate_problem() == ""


def test_status_follows_the_leases_on_each_day(federation):
    prop = f.make_property(federation.a1, building_area=Decimal("200"))
    assert prop.status_on(D(2023, 6, 1)) == "vacant"
    f.active_lease(federation.a1, property=prop, leased_area=Decimal("80"))
    assert prop.status_on(D(2022, 12, 31)) == "vacant"
    assert prop.status_on(D(2023, 6, 1)) == "part_leased"
    f.active_lease(
        federation.a1, property=prop, leased_area=Decimal("120"), tenant_name="第二承租人"
    )
    assert prop.status_on(D(2023, 6, 1)) == "leased"
    assert prop.status_on(D(2025, 1, 1)) == "vacant"  # both terms ended
    prop.own_use = True
    assert prop.status_on(D(2025, 1, 1)) == "own_use"


# --- the thresholds ----------------------------------------------------------------------------


def test_an_enquiry_under_30000_with_two_people_and_two_comparables_activates(federation, officer):
    lease = f.make_lease(federation.a1, annual_rent=Decimal("29999.99"))
    assert _problems(lease) == ""
    services.activate(lease=lease, user=officer, on=D(2023, 1, 1))
    lease.refresh_from_db()
    assert lease.status == "active" and lease.activated_on == D(2023, 1, 1)


def test_an_enquiry_needs_two_people_and_two_comparables(federation, officer):
    lease = f.make_lease(federation.a1, enquiry_people="张明", comparables="解放路20号 25000元")
    text = _problems(lease)
    assert "市场询价至少2人（现有1人）" in text
    assert "至少2个参照租金（现有1个）" in text
    before = ChangeRecord.objects.count()
    with pytest.raises(services.LeaseRefused) as e:
        services.activate(lease=lease, user=officer)
    assert "该租赁合同不能生效，缺少：" in str(e.value)
    lease.refresh_from_db()
    assert lease.status == "draft" and not lease.charges.exists()
    assert ChangeRecord.objects.count() == before


def test_30000_a_year_needs_a_valuation_not_below_the_valued_rent(federation):
    lease = f.make_lease(federation.a1, annual_rent=Decimal("30000"))
    text = _problems(lease)
    assert "年租金30,000.00元须经资产评估，而非市场询价" in text
    assert "具备资质机构的评估报告" in text
    m.Lease.objects.filter(pk=lease.pk).update(
        method="valuation",
        valuation_agency="某资产评估有限公司",
        valuation_report="评报字〔2022〕18号",
        valuation_value=Decimal("32000"),
    )
    assert "年租金不低于评估租金（32,000.00元）" in _problems(lease)
    m.Lease.objects.filter(pk=lease.pk).update(valuation_value=Decimal("30000"))
    assert _problems(lease) == ""


def test_50000_a_year_goes_to_public_tender_and_is_a_major_matter(federation, officer):
    lease = f.make_lease(
        federation.a1,
        annual_rent=Decimal("60000"),
        method="valuation",
        valuation_agency="某资产评估有限公司",
        valuation_report="评报字〔2022〕19号",
        valuation_value=Decimal("55000"),
    )
    text = _problems(lease)
    assert "须经公开招租" in text
    assert "属重大租赁事项，须关联已通过的三重一大议题" in text
    m.Lease.objects.filter(pk=lease.pk).update(method="tender")
    text = _problems(lease)
    assert "公开招租的交易平台" in text and "公开招租的竞租报价" in text
    f.make_bid(federation.a1, lease=lease, bidder="甲商贸公司", amount=Decimal("58000"))
    assert "中标报价" in _problems(lease)
    f.make_bid(federation.a1, lease=lease, bidder="乙商贸公司", amount=Decimal("60000"), won=True)
    m.Lease.objects.filter(pk=lease.pk).update(
        exchange="市公共资源交易中心", tender_date=D(2022, 12, 10)
    )
    text = _problems(lease)
    assert "承租人应为中标人（乙商贸公司）" in text
    m.Lease.objects.filter(pk=lease.pk).update(tenant_name="乙商贸公司")
    assert _problems(lease) == "年租金60,000.00元属重大租赁事项，须关联已通过的三重一大议题"
    pending = _passed_matter(federation.county_a, outcome="pending")
    m.Lease.objects.filter(pk=lease.pk).update(matter=pending)
    assert "未获通过" in _problems(lease)
    m.Lease.objects.filter(pk=lease.pk).update(matter=_passed_matter(federation.county_a))
    assert _problems(lease) == ""
    services.activate(lease=m.Lease.objects.get(pk=lease.pk), user=officer, on=D(2023, 1, 1))


def test_a_matter_of_another_county_does_not_approve(federation):
    lease = f.make_lease(federation.a1, method="exception")
    assert "例外情形须关联已通过的三重一大议题" in _problems(lease)
    m.Lease.objects.filter(pk=lease.pk).update(matter=_passed_matter(federation.county_b))
    assert "由其他单位决策" in _problems(lease)
    m.Lease.objects.filter(pk=lease.pk).update(matter=_passed_matter(federation.city))
    assert _problems(lease) == ""  # the city above decided it


def test_the_term_over_three_years_needs_approval_and_over_five_is_refused(federation):
    lease = f.make_lease(federation.a1, end_date=D(2026, 12, 31))  # four years
    assert "租期超过3年须关联已通过的三重一大议题" in _problems(lease)
    m.Lease.objects.filter(pk=lease.pk).update(matter=_passed_matter(federation.county_a))
    assert _problems(lease) == ""
    m.Lease.objects.filter(pk=lease.pk).update(end_date=D(2028, 6, 30))
    assert "租期不超过5年（本合同为66.0个月）" in _problems(lease)


def test_the_thresholds_are_the_federations_settings_in_effect_when_the_lease_starts(federation):
    lease = f.make_lease(federation.a1, annual_rent=Decimal("24000"))
    assert _problems(lease) == ""
    m.LeasingRule.objects.create(
        unit=federation.county_a, effective_from=D(2023, 6, 1), valuation_from=Decimal("20000")
    )
    assert _problems(lease) == ""  # the stricter rule came later
    m.LeasingRule.objects.create(
        unit=federation.city, effective_from=D(2022, 1, 1), valuation_from=Decimal("20000")
    )
    assert "须经资产评估" in _problems(lease)
    # A county's own rule wins over the city's.
    m.LeasingRule.objects.create(unit=federation.county_a, effective_from=D(2022, 6, 1))
    assert _problems(lease) == ""
    assert m.rule_for(federation.b1, D(2023, 1, 1)).valuation_from == Decimal("20000")
    assert m.LeasingRule().valuation_from == Decimal("30000")  # SPEC §5 without any


def test_the_area_cannot_be_leased_twice(federation):
    prop = f.make_property(federation.a1, building_area=Decimal("100"))
    f.active_lease(federation.a1, property=prop, leased_area=Decimal("60"))
    second = f.make_lease(federation.a1, property=prop, leased_area=Decimal("50"))
    assert "房产可出租面积（尚余40.00平方米，拟租50.00平方米）" in _problems(second)


def test_invalid_id_number_or_credit_code_is_refused_in_chinese_and_nothing_written(
    federation, officer
):
    prop = f.make_property(federation.a1)
    api = APIClient()
    api.force_authenticate(officer)
    base = {
        "unit": federation.a1.pk,
        "property": prop.pk,
        "tenant_name": "王五",
        "start_date": "2023-01-01",
        "end_date": "2024-12-31",
        "annual_rent": "20000",
        "method": "enquiry",
        "cycle": 3,
    }
    count, changes = m.Lease.objects.count(), ChangeRecord.objects.count()
    resp = api.post(
        "/api/assets/leases/",
        {**base, "tenant_kind": "person", "tenant_id_number": "110105194912310021"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 400
    assert "校验" in resp.content.decode() or "身份证" in resp.content.decode()
    resp = api.post(
        "/api/assets/leases/",
        {**base, "tenant_kind": "organisation", "tenant_credit_code": "91350100M000100Y44"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 400 and "统一社会信用代码" in resp.content.decode()
    resp = api.post(
        "/api/assets/leases/",
        {**base, "tenant_kind": "organisation", "tenant_credit_code": ""},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert resp.status_code == 400 and "单位承租须填写统一社会信用代码" in resp.content.decode()
    assert m.Lease.objects.count() == count and ChangeRecord.objects.count() == changes
    resp = api.post(
        "/api/assets/leases/",
        {**base, "tenant_kind": "organisation", "tenant_credit_code": f.CREDIT_CODE},
        format="json",
    )
    assert resp.status_code == 201, resp.content


# --- the schedule ------------------------------------------------------------------------------


def test_a_lease_from_31_january_bills_on_the_last_day_of_shorter_months(federation):
    lease = f.active_lease(
        federation.a1,
        start_date=D(2023, 1, 31),
        end_date=D(2024, 1, 30),
        cycle=m.Lease.Cycle.MONTHLY,
        annual_rent=Decimal("12000"),
    )
    dues = list(lease.charges.order_by("seq").values_list("due_date", flat=True))
    assert dues[:4] == [D(2023, 1, 31), D(2023, 2, 28), D(2023, 3, 31), D(2023, 4, 30)]
    assert len(dues) == 12
    assert set(lease.charges.values_list("amount", flat=True)) == {Decimal("1000.00")}
    leap = f.active_lease(
        federation.a1,
        start_date=D(2024, 1, 31),
        end_date=D(2024, 3, 30),
        cycle=m.Lease.Cycle.MONTHLY,
    )
    assert list(leap.charges.values_list("due_date", flat=True)) == [
        D(2024, 1, 31),
        D(2024, 2, 29),
    ]


def test_quarterly_schedule_with_a_part_period_and_payment_at_the_end(federation):
    lease = f.active_lease(
        federation.a1,
        start_date=D(2023, 1, 1),
        end_date=D(2023, 8, 15),
        timing=m.Lease.Timing.ARREARS,
        grace_days=10,
    )
    rows = list(lease.charges.order_by("seq"))
    assert [r.amount for r in rows] == [Decimal("6000.00"), Decimal("6000.00"), Decimal("3000.00")]
    assert rows[2].period_end == D(2023, 8, 15)
    assert rows[0].due_date == D(2023, 4, 10)  # end of the quarter, ten days allowed


def test_a_percentage_rise_every_twelve_months(federation):
    lease = f.active_lease(
        federation.a1,
        steps=m.Lease.Steps.PERCENT,
        step_percent=Decimal("5"),
        step_every_months=12,
        cycle=m.Lease.Cycle.YEARLY,
        end_date=D(2025, 12, 31),
        matter=_passed_matter(federation.county_a),
    )
    assert list(lease.charges.order_by("seq").values_list("amount", flat=True)) == [
        Decimal("24000.00"),
        Decimal("25200.00"),
        Decimal("26460.00"),
    ]


def test_billed_rows_stay_and_only_later_rows_regenerate_after_a_rent_change(federation, officer):
    today = timezone.localdate()
    start = (today.replace(day=1) - datetime.timedelta(days=95)).replace(day=1)
    lease = f.active_lease(
        federation.a1,
        start_date=start,
        end_date=m.add_months(start, 24) - datetime.timedelta(days=1),
        cycle=m.Lease.Cycle.MONTHLY,
        annual_rent=Decimal("12000"),
    )
    billed = {c.pk: (c.seq, c.amount) for c in lease.charges.filter(due_date__lte=today)}
    assert len(billed) >= 3
    change_from = m.add_months(start, 12)
    services.change_rent(
        lease=lease, user=officer, from_date=change_from, annual_rent=Decimal("14400")
    )
    after = {c.pk: (c.seq, c.amount) for c in lease.charges.filter(due_date__lte=today)}
    assert after == billed  # the same rows, untouched
    rows = list(lease.charges.order_by("seq"))
    assert [r.seq for r in rows] == list(range(1, 25))
    assert rows[11].amount == Decimal("1000.00") and rows[12].amount == Decimal("1200.00")
    # A rent from a month already billed is refused.
    with pytest.raises(services.LeaseRefused) as e:
        services.change_rent(
            lease=lease, user=officer, from_date=m.add_months(start, 1), annual_rent=Decimal("1")
        )
    assert "已经计收或已缴纳" in str(e.value)


# --- payments and arrears ----------------------------------------------------------------------


def _pay(lease, user, on, amount):
    return services.record_payment(
        payment=m.RentPayment(lease=lease, paid_on=on, amount=Decimal(amount), way="transfer"),
        user=user,
    )


def test_payments_are_allocated_oldest_first(federation, officer):
    lease = f.active_lease(federation.a1)
    _pay(lease, officer, D(2023, 1, 5), "6000")
    _pay(lease, officer, D(2023, 5, 5), "9000")
    paid = list(lease.charges.order_by("seq").values_list("paid", flat=True))
    assert paid[:3] == [Decimal("6000.00"), Decimal("6000.00"), Decimal("3000.00")]
    assert all(p == 0 for p in paid[3:])


def test_arrears_and_ageing_as_of_a_past_date_never_change(federation, officer):
    lease = f.active_lease(federation.a1)  # 6,000 a quarter, in advance, from 2023-01-01
    _pay(lease, officer, D(2023, 1, 5), "6000")
    on = D(2023, 7, 15)
    first = services.arrears_on(lease, on)
    assert first.due == Decimal("18000.00") and first.paid == Decimal("6000")
    assert first.total == Decimal("12000.00")
    assert first.by_age == {
        "0_30": Decimal("6000.00"),  # due 1 July, 14 days
        "31_90": Decimal("0"),
        "91_180": Decimal("6000.00"),  # due 1 April, 105 days
        "over_180": Decimal("0"),
    }
    # Paid later: the past day reads the same; a later day sees the payment.
    _pay(lease, officer, D(2023, 8, 1), "12000")
    again = services.arrears_on(lease, on)
    assert (again.total, again.by_age) == (first.total, first.by_age)
    assert services.arrears_on(lease, D(2023, 8, 1)).total == Decimal("0")
    # Oct 2023 to Jul 2024 unpaid, each over 180 days old at the end of 2024.
    assert services.arrears_on(lease, D(2024, 12, 31)).by_age["over_180"] == Decimal("24000.00")


def test_a_payment_on_a_draft_or_beyond_the_schedule_is_refused(federation, officer):
    draft = f.make_lease(federation.a1)
    with pytest.raises(services.LeaseRefused) as e:
        _pay(draft, officer, D(2023, 1, 5), "100")
    assert "不能登记在草稿上" in str(e.value)
    lease = f.active_lease(federation.a1)
    with pytest.raises(ValidationError) as too_much:
        _pay(lease, officer, D(2023, 1, 5), "48000.01")
    assert "超过租金计划中尚未缴纳的全部租金（48,000.00元）" in str(too_much.value)
    with pytest.raises(ValidationError) as too_early:
        _pay(lease, officer, D(2022, 12, 1), "100")
    assert "不能早于合同生效日期" in str(too_early.value)
    assert not lease.payments.exists()


# --- termination, renewal, disposal ------------------------------------------------------------


def test_termination_settles_the_deposit_and_drops_the_unbilled_rows(federation, officer):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=100)
    lease = f.active_lease(
        federation.a1, start_date=start, end_date=start + datetime.timedelta(days=700)
    )
    assert lease.charges.filter(due_date__gt=today).exists()
    with pytest.raises(ValidationError):
        services.terminate(
            lease=lease, user=officer, reason="退租", deposit_refunded=Decimal("6000.01")
        )
    services.terminate(lease=lease, user=officer, reason="退租", deposit_refunded=Decimal("4000"))
    lease.refresh_from_db()
    assert lease.status == "terminated" and lease.terminated_on == today
    assert (lease.deposit_refunded, lease.deposit_retained) == (Decimal("4000"), Decimal("2000"))
    assert not lease.charges.filter(due_date__gt=today).exists()
    assert lease.charges.filter(due_date__lte=today).count() == 2  # billed rows stay


def test_renewal_is_a_draft_linked_to_the_lease(federation, officer):
    lease = f.active_lease(federation.a1)
    services.renew(
        lease=lease, user=officer, end_date=D(2026, 12, 31), annual_rent=Decimal("25000")
    )
    renewal = lease.renewals.get()
    assert renewal.status == "draft" and renewal.start_date == D(2025, 1, 1)
    assert renewal.tenant_name == lease.tenant_name
    with pytest.raises(services.LeaseRefused):
        services.check_renewable(lease)


def test_disposal_above_the_threshold_needs_a_passed_matter(federation, officer):
    prop = f.make_property(federation.a1, book_value=Decimal("150000"))
    with pytest.raises(services.LeaseRefused) as e:
        services.dispose(prop=prop, user=officer, way="sale")
    assert "已通过的三重一大议题（账面价值150,000.00元，起点100,000.00元）" in str(e.value)
    assert m.Property.objects.get(pk=prop.pk).disposed_on is None
    services.dispose(
        prop=prop, user=officer, way="sale", matter=_passed_matter(federation.county_a)
    )
    prop.refresh_from_db()
    assert (
        prop.disposed_on == timezone.localdate() and prop.status_on(prop.disposed_on) == "disposed"
    )
    small = f.make_property(federation.a1, book_value=Decimal("5000"))
    lease = f.make_lease(federation.a1, property=small, end_date=D(2099, 12, 31))
    m.Lease.objects.filter(pk=lease.pk).update(status="active", activated_on=D(2023, 1, 1))
    with pytest.raises(services.LeaseRefused) as e:
        services.dispose(prop=small, user=officer, way="demolition")
    assert "房产上没有在租合同" in str(e.value)
