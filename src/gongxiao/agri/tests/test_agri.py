"""Services to farmers: the rules of each ledger and every refusal, through the doors users use
(the form, the import, the action route), and the figures with their measures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client

from gongxiao.agri import models as m
from gongxiao.agri import services
from gongxiao.agri.tests import factories as f
from gongxiao.core import excel
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.metrics import compute
from gongxiao.core.periods import parse_period
from gongxiao.core.tests.helpers import ledger_url, xlsx_for
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with
from gongxiao.rectification.models import RectificationItem, Source
from gongxiao.rectification.services import items_raised_by

YEAR = parse_period("2023")
D = datetime.date


@pytest.fixture
def officer(federation):
    return user_with(Role.SERVICE, federation.county_a)


@pytest.fixture
def web(officer):
    c = Client()
    c.force_login(officer)
    return c


def post(web, slug, data):
    return web.post(ledger_url(get_ledger("agri", slug), "create"), data)


def act(web, slug, obj, name, data):
    obj.refresh_from_db()
    return web.post(
        f"/ledgers/agri/{slug}/{obj.pk}/actions/{name}/", {"version": obj.version, **data}
    )


# --- supply ----------------------------------------------------------------------------------


def test_a_sales_line_is_kept_for_its_month(web, federation):
    resp = post(
        web,
        "input-sales",
        {
            "unit": federation.a1.pk,
            "month": "2023-03-17",
            "category": "fertiliser",
            "quantity": "120.5",
            "measure": "t",
            "value": "32.4",
        },
    )
    assert resp.status_code == 302
    sale = m.InputSale.objects.get()
    assert sale.month == D(2023, 3, 1)
    assert sale.value == Decimal("32.4")


def test_the_same_line_twice_in_a_month_is_refused(web, federation):
    f.make_sale(federation.a1, month=D(2023, 3, 1), category="fertiliser", measure="t")
    resp = post(
        web,
        "input-sales",
        {
            "unit": federation.a1.pk,
            "month": "2023-03-28",
            "category": "fertiliser",
            "quantity": "1",
            "measure": "t",
            "value": "1",
        },
    )
    assert resp.status_code == 200
    assert m.InputSale.objects.count() == 1


def test_a_negative_quantity_is_refused(web, federation):
    resp = post(
        web,
        "input-sales",
        {
            "unit": federation.a1.pk,
            "month": "2023-03-01",
            "category": "film",
            "quantity": "-3",
            "measure": "t",
            "value": "1",
        },
    )
    assert resp.status_code == 200
    assert not m.InputSale.objects.exists()


def test_fertiliser_in_kg_counts_as_tonnes_and_pieces_are_not_added(officer, federation):
    t = f.make_sale(federation.a1, month=D(2023, 1, 1), quantity=Decimal("120"), measure="t")
    kg = f.make_sale(federation.a2, month=D(2023, 2, 1), quantity=Decimal("800"), measure="kg")
    f.make_sale(federation.a1, month=D(2023, 3, 1), quantity=Decimal("300"), measure="件")
    f.make_sale(federation.a1, month=D(2022, 12, 1), quantity=Decimal("50"))  # last year
    f.make_sale(federation.b1, month=D(2023, 1, 1), quantity=Decimal("99"))  # out of reach
    fig = compute("agri.supply.fertiliser", officer, federation.county_a, YEAR)
    assert fig.value == Decimal("120.8")
    assert fig.metric.measure == "吨"
    assert set(fig.rows.values_list("pk", flat=True)) == {t.pk, kg.pk}
    assert "measure__in=t%2Ckg" in fig.url


def test_a_months_table_imports_all_or_nothing(officer, federation):
    ledger = get_ledger("agri", "input-sales")
    rows = [
        m.InputSale(
            unit=federation.a1,
            month=D(2023, 4, 1),
            category=cat,
            quantity=Decimal(q),
            measure=measure,
            value=Decimal(v),
        )
        for cat, q, measure, v in [
            ("fertiliser", "85", "t", "22.1"),
            ("pesticide", "1.2", "t", "18.5"),
            ("film", "6", "t", "7.2"),
        ]
    ]
    bad = xlsx_for(ledger, rows, overrides={(2, "quantity"): "很多"})
    check = excel.check_import(ledger, bad, officer)
    assert [e["row"] for e in check.errors] == [3]
    assert not m.InputSale.objects.exists()
    good = excel.check_import(ledger, xlsx_for(ledger, rows), officer)
    assert not good.errors
    assert excel.GenericImporter(ledger).commit(good, officer) == 3
    assert compute("agri.supply.pesticide_value", officer, federation.county_a, YEAR).value == (
        Decimal("18.5")
    )


# --- reserve ---------------------------------------------------------------------------------


def _check(web, task, counted, date="2023-06-15"):
    return post(
        web,
        "stock-checks",
        {"task": task.pk, "date": date, "counted": counted, "checked_by": "县社业务科"},
    )


def test_a_full_reserve_raises_nothing(web, federation):
    task = f.make_task(federation.a1, quantity=Decimal("500"))
    assert _check(web, task, "500").status_code == 302
    check = m.StockCheck.objects.get()
    assert check.item is None and check.shortfall == 0
    assert not RectificationItem.objects.exists()
    assert services.task_met(task) is True


def test_a_shortfall_raises_a_rectification_item_linked_both_ways(web, officer, federation):
    task = f.make_task(federation.a1, quantity=Decimal("500"))
    assert _check(web, task, "430").status_code == 302
    check = m.StockCheck.objects.get()
    item = RectificationItem.objects.get()
    assert check.item == item and item.source_record == check
    assert list(items_raised_by(check)) == [item]
    assert item.unit == federation.a1 and item.source == Source.INSPECTION
    assert item.found_date == D(2023, 6, 15)
    assert item.deadline == D(2023, 6, 15) + datetime.timedelta(days=m.STOCK_CHECK_DAYS)
    assert "70" in item.description
    assert services.task_met(task) is False
    assert compute("agri.reserve.shortfalls", officer, federation.county_a, YEAR).value == 1
    # The count that raised the item no longer changes.
    assert get_ledger("agri", "stock-checks").lock_reason(check)
    # The item's close-out reaches the check.
    check.item_closed(item=item, on=D(2023, 7, 1), user=officer)
    check.refresh_from_db()
    assert check.item_closed_on == D(2023, 7, 1)


@pytest.mark.parametrize("date", ["2023-03-31", "2023-10-01", "2099-01-01"])
def test_a_check_outside_the_reserve_period_or_in_the_future_is_refused(web, federation, date):
    task = f.make_task(federation.a1)
    resp = _check(web, task, "100", date=date)
    assert resp.status_code == 200
    assert not m.StockCheck.objects.exists()
    assert not RectificationItem.objects.exists()


def test_a_reserve_ending_before_it_starts_is_refused(web, federation):
    resp = post(
        web,
        "reserve-tasks",
        {
            "unit": federation.a1.pk,
            "title": "应急储备",
            "variety": "urea",
            "quantity": "100",
            "start_date": "2023-09-30",
            "end_date": "2023-04-01",
        },
    )
    assert resp.status_code == 200
    assert not m.ReserveTask.objects.exists()


def test_reserve_figures(officer, federation):
    held = f.make_task(federation.a1, quantity=Decimal("500"))
    f.make_check(federation.a1, task=held, counted=Decimal("500"))
    short = f.make_task(federation.a2, quantity=Decimal("200"))
    services.record_stock_check(
        check=m.StockCheck(task=short, date=D(2023, 6, 1), counted=Decimal("150")), user=officer
    )
    f.make_task(federation.a2, quantity=Decimal("50"))  # never checked
    assert compute("agri.reserve.tasks", officer, federation.county_a, YEAR).value == 3
    assert compute("agri.reserve.tonnes", officer, federation.county_a, YEAR).value == 750
    met = compute("agri.reserve.met", officer, federation.county_a, YEAR)
    assert met.value == 1 and list(met.rows) == [held]


# --- production services ---------------------------------------------------------------------


def test_service_area_is_area_times_times(web, federation):
    resp = post(
        web,
        "service-operations",
        {
            "unit": federation.a1.pk,
            "date": "2023-07-02",
            "link": "protection",
            "crop": "水稻",
            "area": "350.5",
            "times": "3",
            "households": "40",
        },
    )
    assert resp.status_code == 302
    assert m.ServiceOperation.objects.get().service_area == Decimal("1051.5")


def test_trusteeship_needs_someone_and_a_link(web, federation):
    resp = post(
        web,
        "trusteeships",
        {
            "unit": federation.a1.pk,
            "crop": "水稻",
            "area": "80",
            "households": "1",
            "start_date": "2023-03-01",
        },
    )
    assert resp.status_code == 200
    assert not m.Trusteeship.objects.exists()
    body = resp.content.decode()
    assert "请选择会员或填写农户。" in body
    assert "请至少勾选一个托管环节。" in body


def test_mu_and_mu_times_are_two_figures(officer, federation):
    f.make_trusteeship(federation.a1, area=Decimal("1200"))
    f.make_trusteeship(federation.a2, area=Decimal("800.5"))
    f.make_operation(federation.a1, area=Decimal("300"), times=2)
    f.make_operation(federation.a2, area=Decimal("1000"), times=3)
    area = compute("agri.trusteeship.area", officer, federation.county_a, YEAR)
    served = compute("agri.services.area", officer, federation.county_a, YEAR)
    assert (area.value, area.metric.measure) == (Decimal("2000.5"), "亩")
    assert (served.value, served.metric.measure) == (Decimal("3600"), "亩次")


# --- outlets ---------------------------------------------------------------------------------


def test_an_outlet_is_declared_then_granted_on_business_dates(web, officer, federation):
    outlet = f.make_outlet(federation.a1, built_on=D(2022, 5, 1))
    act(web, "outlets", outlet, "grant_level", {"on": "2023-01-05"})
    outlet.refresh_from_db()
    assert outlet.granted_on is None  # nothing to grant yet: refused
    act(web, "outlets", outlet, "declare_level", {"on": "2022-10-08", "level_sought": "province"})
    outlet.refresh_from_db()
    assert (outlet.level_sought, outlet.declared_on, outlet.level) == (
        "province",
        D(2022, 10, 8),
        "",
    )
    # Recognition dated before the declaration is refused.
    act(web, "outlets", outlet, "grant_level", {"on": "2022-09-01"})
    outlet.refresh_from_db()
    assert outlet.granted_on is None
    act(web, "outlets", outlet, "grant_level", {"on": "2023-01-05"})
    outlet.refresh_from_db()
    assert (outlet.level, outlet.granted_on) == ("province", D(2023, 1, 5))
    assert (
        compute("agri.outlets.declared", officer, federation.county_a, parse_period("2022")).value
        == 1
    )
    assert compute("agri.outlets.granted", officer, federation.county_a, YEAR).value == 1


def test_a_declaration_before_the_outlet_opened_is_refused(web, federation):
    outlet = f.make_outlet(federation.a1, built_on=D(2023, 5, 1))
    act(web, "outlets", outlet, "declare_level", {"on": "2023-04-01", "level_sought": "city"})
    outlet.refresh_from_db()
    assert outlet.declared_on is None


# --- recycling, marketing, community ---------------------------------------------------------


def test_packaging_pieces_and_weight_are_two_figures(officer, federation):
    f.make_collection(federation.a1, pieces=12000, weight=Decimal("0.6"), weight_measure="t")
    f.make_collection(federation.a2, pieces=8500, weight=Decimal("420"), weight_measure="kg")
    f.make_collection(
        federation.a1, material="renewable", pieces=None, weight=Decimal("35"), weight_measure="t"
    )
    pieces = compute("agri.recycling.packaging_pieces", officer, federation.county_a, YEAR)
    weight = compute("agri.recycling.packaging_weight", officer, federation.county_a, YEAR)
    assert (pieces.value, pieces.metric.measure) == (20500, "件")
    assert (weight.value, weight.metric.measure) == (Decimal("1020"), "千克")
    assert compute("agri.recycling.renewable", officer, federation.county_a, YEAR).value == 35


def test_a_collection_with_neither_pieces_nor_weight_is_refused(web, federation):
    resp = post(
        web,
        "collections",
        {
            "unit": federation.a1.pk,
            "date": "2023-05-01",
            "material": "packaging",
            "point": "村回收点",
            "weight_measure": "kg",
        },
    )
    assert resp.status_code == 200
    assert not m.Collection.objects.exists()


def test_sales_shops_and_canteens(officer, federation):
    f.make_sales_event(federation.a1, sales=Decimal("120"))
    f.make_sales_event(federation.a2, sales=Decimal("380.5"), cross_region=True)
    shop = f.make_shop(federation.a1)
    f.make_shop_sales(federation.a1, shop=shop, month=D(2023, 1, 1), sales=Decimal("10"))
    f.make_shop_sales(federation.a1, shop=shop, month=D(2023, 2, 1), sales=Decimal("12.5"))
    f.make_meals(federation.a1, meals=1800)
    a = federation.county_a
    assert compute("agri.sales_events.count", officer, a, YEAR).value == 2
    assert compute("agri.sales_events.sales", officer, a, YEAR).value == Decimal("500.5")
    cross = compute("agri.sales_events.sales", officer, a, YEAR, {"cross_region": True})
    assert cross.value == Decimal("380.5")
    assert compute("agri.shops.sales", officer, a, YEAR).value == Decimal("22.5")
    assert compute("agri.canteens.meals", officer, a, YEAR).value == 1800


# --- members ---------------------------------------------------------------------------------


def _org(web, unit, code, name="杨梅专业合作社"):
    rep = PersonFactory(unit=unit)
    return post(
        web,
        "organisations",
        {
            "unit": unit.pk,
            "name": name,
            "credit_code": code,
            "representative": rep.pk,
            "address": "某镇某村",
        },
    )


def test_a_valid_credit_code_is_accepted(web, federation):
    assert _org(web, federation.a1, "91350100M000100Y43").status_code == 302
    assert m.Organisation.objects.get().credit_code == "91350100M000100Y43"


def test_n_and_y_credit_codes_are_accepted(web, federation):
    from gongxiao.org.validators import uscc_check_character

    for head in ("N2330382MA2ABCDE1", "Y1330382MA2ABCDE2"):
        code = head + uscc_check_character(head)
        assert _org(web, federation.a1, code, name=f"组织{head[0]}").status_code == 302
    assert m.Organisation.objects.count() == 2


def test_an_invalid_credit_code_writes_nothing(web, federation):
    resp = _org(web, federation.a1, "91350100M000100Y44")
    assert resp.status_code == 200
    assert not m.Organisation.objects.exists()


def test_a_duplicate_credit_code_is_refused(web, federation):
    assert _org(web, federation.a1, "91350100M000100Y43").status_code == 302
    assert _org(web, federation.a2, "91350100M000100Y43", name="另一合作社").status_code == 200
    assert m.Organisation.objects.count() == 1


def test_a_person_is_a_member_once(web, federation):
    person = PersonFactory(unit=federation.a1)
    data = {
        "unit": federation.a1.pk,
        "kind": "grain_grower",
        "person": person.pk,
        "federation": "township",
        "joined_on": "2023-02-01",
    }
    assert post(web, "members", data).status_code == 302
    assert post(web, "members", {**data, "federation": "industry"}).status_code == 200
    assert m.Member.objects.count() == 1
    # The member carries no copy of the person's name or ID number.
    member = m.Member.objects.get()
    assert member.name == person.name
    assert not hasattr(member, "id_number")


def test_a_member_of_a_person_kind_needs_a_person(web, federation):
    org = f.make_organisation(federation.a1)
    resp = post(
        web,
        "members",
        {
            "unit": federation.a1.pk,
            "kind": "farmer",
            "organisation": org.pk,
            "federation": "township",
            "joined_on": "2023-02-01",
        },
    )
    assert resp.status_code == 200
    assert "该类会员是个人，请选择人员。" in resp.content.decode()
    assert not m.Member.objects.exists()


def test_an_invalid_id_number_writes_nothing(web, federation):
    ledger = get_ledger("org", "people")
    web.post(
        ledger_url(ledger, "create"),
        {"unit": federation.a1.pk, "name": "种粮大户王某", "id_number": "11010519491231002Y"},
    )
    assert not Person.objects.filter(name="种粮大户王某").exists()


def test_a_member_who_left_is_no_longer_counted(web, officer, federation):
    member = f.make_member(federation.a1, joined_on=D(2022, 3, 1))
    act(web, "members", member, "leave", {"on": "2022-02-01"})
    member.refresh_from_db()
    assert member.left_on is None  # before joining: refused
    act(web, "members", member, "leave", {"on": "2023-06-30"})
    member.refresh_from_db()
    assert member.left_on == D(2023, 6, 30)
    a = federation.county_a
    assert compute("agri.members.entered", officer, a, parse_period("2022")).value == 1
    assert compute("agri.members.entered", officer, a, YEAR).value == 0


def test_the_metrics_know_every_measure_a_row_may_be_in():
    from gongxiao.agri import metrics

    sale = [c[0] for c in m.InputSale._meta.get_field("measure").choices or []]
    weight = [c[0] for c in m.Collection._meta.get_field("weight_measure").choices or []]
    assert sale == metrics.SALE_MEASURES
    assert weight == metrics.WEIGHT_MEASURES


def test_an_existing_member_list_imports_with_errors_per_row(officer, federation):
    from gongxiao.org.validators import uscc_check_character

    ledger = get_ledger("agri", "organisations")
    rep = PersonFactory(unit=federation.a1)
    head = "N2330382MA2ABCDE3"
    rows = [
        m.Organisation(
            unit=federation.a1, name=name, credit_code=code, representative=rep, address="某村"
        )
        for name, code in [
            ("杨梅专业合作社", "91350100M000100Y43"),
            ("股份经济合作社", head + uscc_check_character(head)),
            ("茶叶专业合作社", "91350100M000100Y44"),  # wrong check character
            ("重复合作社", "91350100M000100Y43"),  # the same code as row 2
        ]
    ]
    check = excel.check_import(ledger, xlsx_for(ledger, rows), officer)
    assert sorted({e["row"] for e in check.errors}) == [4, 5]
    assert not m.Organisation.objects.exists()
    good = excel.check_import(ledger, xlsx_for(ledger, rows[:2]), officer)
    assert not good.errors
    assert excel.GenericImporter(ledger).commit(good, officer) == 2


def test_expert_pools_and_visits(officer, federation):
    expert = f.make_expert(federation.a1, joined_on=D(2022, 6, 1))
    f.make_expert(federation.a2, pool="杨梅产业专家团队", joined_on=D(2023, 3, 1))
    f.make_expert(federation.a2, pool="杨梅产业专家团队", joined_on=D(2023, 4, 1))
    f.make_expert_visit(federation.a1, expert=expert, date=D(2023, 5, 1), households=30)
    f.make_expert_visit(federation.a1, expert=expert, kind="training", households=70)
    a = federation.county_a
    assert compute("agri.experts.count", officer, a, YEAR).value == 3
    assert compute("agri.experts.pools", officer, a, YEAR).value == 2
    assert compute("agri.experts.pools", officer, a, parse_period("2022")).value == 1
    assert compute("agri.expert_visits.count", officer, a, YEAR).value == 2
    assert compute("agri.expert_visits.households", officer, a, YEAR).value == 100


def test_a_project_is_applied_for_granted_and_completed(web, officer, federation):
    project = f.make_project(federation.a1, year=2023, planned_investment=Decimal("300"))
    act(
        web,
        "projects",
        project,
        "grant_funds",
        {"on": "2023-05-01", "subsidy": "90", "source": "省级"},
    )
    project.refresh_from_db()
    assert project.granted_on is None  # nothing applied for yet: refused
    act(web, "projects", project, "apply_funds", {"on": "2023-03-01", "applied_to": "省供销合作社"})
    # A grant before the application is refused.
    act(
        web,
        "projects",
        project,
        "grant_funds",
        {"on": "2023-02-01", "subsidy": "90", "source": "省级"},
    )
    project.refresh_from_db()
    assert (project.applied_on, project.granted_on) == (D(2023, 3, 1), None)
    act(
        web,
        "projects",
        project,
        "grant_funds",
        {"on": "2023-05-01", "subsidy": "90", "source": "省级"},
    )
    act(web, "projects", project, "complete", {"on": "2023-11-20"})
    project.refresh_from_db()
    assert (project.subsidy, project.granted_on, project.completed_on) == (
        Decimal(90),
        D(2023, 5, 1),
        D(2023, 11, 20),
    )
    a = federation.county_a
    assert compute("agri.projects.planned", officer, a, YEAR).value == 1
    assert compute("agri.projects.investment", officer, a, YEAR).value == 300
    assert compute("agri.projects.subsidy", officer, a, YEAR).value == 90
    assert compute("agri.projects.completed", officer, a, YEAR).value == 1
    assert compute("agri.projects.planned", officer, a, parse_period("2022")).value == 0


def test_a_count_edited_to_a_shortfall_raises_its_item(web, officer, federation):
    task = f.make_task(federation.a1, quantity=Decimal("500"))
    check = f.make_check(federation.a1, task=task, counted=Decimal("500"))
    ledger = get_ledger("agri", "stock-checks")
    resp = web.post(
        ledger_url(ledger, "edit", pk=check.pk),
        {
            "task": task.pk,
            "date": "2023-06-15",
            "counted": "480",
            "checked_by": "县社业务科",
            "version": check.version,
        },
    )
    assert resp.status_code == 302
    check.refresh_from_db()
    assert check.item is not None and check.item.source_record == check
    # Neither the count nor its task may change any more.
    assert ledger.lock_reason(check)
    assert get_ledger("agri", "reserve-tasks").lock_reason(task)


def test_a_month_is_its_first_day_whatever_the_door(federation):
    sale = f.make_sale(federation.a1, month=D(2023, 8, 19))
    assert sale.month == D(2023, 8, 1)
