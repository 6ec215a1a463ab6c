"""Members' data completeness (会员信息录入率) as a history: a past period's figure is read from
the completeness kept by then, so an edit, a rule change or a change to a member's person today
moves the current figure and leaves last year's as it was; and each figure drills to the rows it
counts."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from gongxiao.agri import models as m
from gongxiao.agri import services
from gongxiao.agri.tests import factories as f
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.metrics import breakdown, compute, rollup
from gongxiao.core.periods import parse_period
from gongxiao.core.tests.helpers import ledger_url
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

D = datetime.date
LAST_YEAR = parse_period("2023")
THIS_YEAR = parse_period("2024")
TODAY = datetime.datetime(2024, 3, 15, 10, 0)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def officer(federation):
    return user_with(Role.SERVICE, federation.county_a)


@pytest.fixture
def web(officer):
    c = Client()
    c.force_login(officer)
    return c


MEMBERS = get_ledger("agri", "members")


def figures(user, unit, period):
    return (
        compute("agri.members.complete", user, unit, period).value,
        compute("agri.members.completeness_rate", user, unit, period).value,
    )


def _member_data(member, **changes):
    data = {
        "unit": member.unit_id,
        "kind": member.kind,
        "organisation": member.organisation_id or "",
        "person": member.person_id or "",
        "federation": member.federation,
        "industry": member.industry,
        "joined_on": member.joined_on.isoformat(),
        "land_area": member.land_area if member.land_area is not None else "",
        "main_products": member.main_products,
        "bank_account": member.bank_account,
        "version": member.version,
    }
    return {**data, **changes}


def test_a_member_entered_through_the_kit_is_recorded_from_the_day_it_joined(web, federation):
    org = f.make_organisation(federation.a1)
    resp = web.post(
        ledger_url(MEMBERS, "create"),
        {
            "unit": federation.a1.pk,
            "kind": "cooperative",
            "organisation": org.pk,
            "federation": "township",
            "industry": "水果",
            "joined_on": "2023-02-01",
            "main_products": "",
        },
    )
    assert resp.status_code == 302
    member = m.Member.objects.get()
    [rec] = member.completeness.all()
    assert (rec.from_date, rec.complete, rec.missing_fields, rec.reason) == (
        D(2023, 2, 1),
        False,
        ["main_products"],
        "entered",
    )


def test_an_edit_today_leaves_a_past_period_unchanged(web, officer, federation):
    a = federation.county_a
    member = f.make_member(federation.a1, joined_on=D(2023, 2, 1))  # complete
    f.make_member(federation.a1, kind="family_farm", joined_on=D(2023, 5, 1))
    assert figures(officer, a, LAST_YEAR) == (2, Decimal("100.0"))
    member.refresh_from_db()
    resp = web.post(
        ledger_url(MEMBERS, "edit", pk=member.pk), _member_data(member, main_products="")
    )
    assert resp.status_code == 302
    # Last year's figure is what it was; this year's counts the field left empty.
    assert figures(officer, a, LAST_YEAR) == (2, Decimal("100.0"))
    assert figures(officer, a, THIS_YEAR) == (1, Decimal("50.0"))
    latest = member.completeness.last()
    assert (latest.from_date, latest.reason, latest.missing) == (
        D(2024, 3, 15),
        "edited",
        "main_products",
    )
    # The working papers of each period show the fields missing then.
    assert MEMBERS.values_as_of(member, LAST_YEAR.end) == {"missing": ""}
    assert MEMBERS.values_as_of(member, THIS_YEAR.end) == {"missing": "主要产品"}
    # An edit that changes nothing of its completeness writes nothing.
    member.refresh_from_db()
    web.post(ledger_url(MEMBERS, "edit", pk=member.pk), _member_data(member, industry="茶叶"))
    assert member.completeness.count() == 2


def test_a_joining_day_moved_earlier_is_covered_in_the_state_first_known(web, federation):
    member = f.make_member(federation.a1, joined_on=D(2023, 6, 1))
    services.reevaluate_members()
    member.refresh_from_db()
    resp = web.post(
        ledger_url(MEMBERS, "edit", pk=member.pk),
        _member_data(member, joined_on="2023-01-10", main_products=""),
    )
    assert resp.status_code == 302
    members = m.Member.objects.all()
    assert list(services.complete_on(members, D(2023, 3, 31))) == [member]
    assert list(services.complete_on(members, D(2023, 12, 31))) == [member]
    assert not services.complete_on(members, D(2024, 3, 15)).exists()


def test_an_organisation_edited_is_recorded_for_its_membership(web, officer, federation):
    member = f.make_member(federation.a1, joined_on=D(2023, 2, 1))
    services.reevaluate_members()
    org = member.organisation
    ledger = get_ledger("agri", "organisations")
    resp = web.post(
        ledger_url(ledger, "edit", pk=org.pk),
        {
            "unit": org.unit_id,
            "name": org.name,
            "credit_code": org.credit_code,
            "representative": org.representative_id or "",
            "address": org.address,
            "phone": "",
            "main_business": org.main_business,
            "version": org.version,
        },
    )
    assert resp.status_code == 302
    assert figures(officer, federation.county_a, LAST_YEAR) == (1, Decimal("100.0"))
    assert figures(officer, federation.county_a, THIS_YEAR) == (0, Decimal("0.0"))
    assert member.completeness.last().reason == "edited"


def test_a_field_made_required_raises_the_missing_count_from_that_day(officer, federation):
    a = federation.county_a
    f.make_member(federation.a1, joined_on=D(2023, 2, 1))  # a cooperative, every field filled
    f.make_member(federation.a2, kind="family_farm", joined_on=D(2023, 3, 1))
    farmer = f.make_member(federation.a1, kind="farmer", land_area=None, joined_on=D(2023, 4, 1))
    assert services.missing_fields(farmer) == ["land_area"]
    assert compute("agri.members.entered", officer, a, LAST_YEAR).value == 3
    assert figures(officer, a, LAST_YEAR) == (2, Decimal("66.7"))
    # A field made required counts as missing where it is empty, from the day it was made so.
    m.RequiredField.objects.create(kind="cooperative", field="bank_account")
    assert services.rules_changed() == 1
    assert figures(officer, a, THIS_YEAR) == (1, Decimal("33.3"))
    assert figures(officer, a, LAST_YEAR) == (2, Decimal("66.7"))
    # Asked again, nothing more is written.
    assert services.rules_changed() == 0


def test_a_rule_changed_in_the_admin_is_recorded(federation, officer):
    f.make_member(federation.a1, joined_on=D(2023, 2, 1))
    services.reevaluate_members()
    admin = Client()
    admin.force_login(user_with(Role.SYSADMIN, federation.city, is_staff=True, is_superuser=True))
    resp = admin.post(
        "/admin/agri/requiredfield/add/", {"kind": "cooperative", "field": "bank_account"}
    )
    assert resp.status_code == 302
    rec = m.MemberCompleteness.objects.last()
    assert (rec.from_date, rec.reason, rec.missing) == (D(2024, 3, 15), "rules", "bank_account")
    assert figures(officer, federation.county_a, LAST_YEAR) == (1, Decimal("100.0"))


def test_a_persons_change_in_the_org_app_is_dated_the_day_it_is_seen(officer, federation):
    a = federation.county_a
    farmer = f.make_member(
        federation.a1,
        kind="farmer",
        person=PersonFactory(unit=federation.a1, phone="13900001111"),
        joined_on=D(2023, 4, 1),
    )
    assert figures(officer, a, LAST_YEAR) == (1, Decimal("100.0"))
    # The org app knows nothing of members: the change is seen when the command runs …
    Person.objects.filter(pk=farmer.person_id).update(phone="")
    out = io.StringIO()
    call_command("member_completeness", stdout=out)
    assert out.getvalue().startswith("1 ")
    rec = farmer.completeness.last()
    assert (rec.from_date, rec.reason, rec.missing) == (D(2024, 3, 15), "review", "person.phone")
    assert figures(officer, a, LAST_YEAR) == (1, Decimal("100.0"))
    assert figures(officer, a, THIS_YEAR) == (0, Decimal("0.0"))
    # … or when a figure of the current period is next computed.
    Person.objects.filter(pk=farmer.person_id).update(phone="13900002222")
    assert figures(officer, a, THIS_YEAR) == (1, Decimal("100.0"))
    assert figures(officer, a, LAST_YEAR) == (1, Decimal("100.0"))


def test_a_past_figure_writes_nothing_for_today(officer, federation):
    member = f.make_member(federation.a1, joined_on=D(2023, 2, 1))
    services.reevaluate_members()
    m.Member.objects.filter(pk=member.pk).update(main_products="")
    figures(officer, federation.county_a, LAST_YEAR)
    assert member.completeness.count() == 1


def test_the_member_figures_drill_to_the_rows_they_count(web, officer, federation):
    a = federation.county_a
    f.make_member(federation.a1, joined_on=D(2023, 2, 1))
    f.make_member(federation.a1, joined_on=D(2023, 3, 1), main_products="")
    gone = f.make_member(federation.a2, joined_on=D(2023, 4, 1))
    changed = f.make_member(federation.a2, kind="family_farm", joined_on=D(2023, 5, 1))
    f.make_member(federation.b1, joined_on=D(2023, 5, 1))  # another county
    f.make_member(federation.a1, joined_on=D(2024, 1, 10))  # joined this year
    services.reevaluate_members()
    m.Member.objects.filter(pk=gone.pk).update(left_on=D(2024, 2, 1))
    changed.refresh_from_db()
    web.post(ledger_url(MEMBERS, "edit", pk=changed.pk), _member_data(changed, land_area=""))
    expected = {
        (LAST_YEAR, "agri.members.entered"): 4,
        (LAST_YEAR, "agri.members.complete"): 3,
        (THIS_YEAR, "agri.members.entered"): 4,
        (THIS_YEAR, "agri.members.complete"): 2,
    }
    for (period, key), count in expected.items():
        fig = compute(key, officer, a, period)
        assert fig.value == count, (period, key)
        resp = web.get(fig.url)
        assert resp.status_code == 200
        shown = {obj.pk for obj, _cells in resp.context["rows"]}
        assert shown == set(fig.rows.values_list("pk", flat=True)), (period, key)
        assert len(shown) == count
    assert compute("agri.members.completeness_rate", officer, a, LAST_YEAR).value == Decimal("75.0")
    # Split by unit, the parts add up to the figure, each as it stood then.
    for period, total in ((LAST_YEAR, 3), (THIS_YEAR, 2)):
        parts = rollup("agri.members.complete", officer, a, period)
        assert sum(r.figure.value for r in parts) == total
        for r in parts:
            assert r.figure.rows.count() == r.figure.value


def test_the_history_backfill_starts_each_member_on_the_day_it_joined(federation):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("gongxiao.agri.migrations.0005_completeness_history")
    complete = f.make_member(federation.a1, joined_on=D(2022, 6, 1))
    farmer = f.make_member(federation.a1, kind="farmer", land_area=None, joined_on=D(2023, 1, 5))
    backfill.backfill(apps, None)
    rows = {
        (r.member_id, r.from_date, r.complete, r.missing)
        for r in m.MemberCompleteness.objects.all()
    }
    assert rows == {
        (complete.pk, D(2022, 6, 1), True, ""),
        (farmer.pk, D(2023, 1, 5), False, "land_area"),
    }


# --- industry federations (产业农合联) ----------------------------------------------------------


def test_industry_federations_and_their_members(web, officer, federation):
    a = federation.county_a
    ledger = get_ledger("agri", "industry-federations")
    resp = web.post(
        ledger_url(ledger, "create"),
        {
            "unit": federation.a1.pk,
            "name": "杨梅产业农合联",
            "industry": "杨梅",
            "founded_on": "2023-04-18",
            "lead": "杨梅专业合作社",
        },
    )
    assert resp.status_code == 302
    fed = m.IndustryFederation.objects.get()
    org = f.make_organisation(federation.a1)
    data = {
        "unit": federation.a1.pk,
        "kind": "cooperative",
        "organisation": org.pk,
        "federation": "township",
        "industry_federation": fed.pk,
        "industry": "杨梅",
        "joined_on": "2023-05-01",
    }
    resp = web.post(ledger_url(MEMBERS, "create"), data)
    assert resp.status_code == 200
    assert "只有加入层级为产业农合联的会员才能选择产业农合联。" in resp.content.decode()
    assert not m.Member.objects.exists()
    assert (
        web.post(ledger_url(MEMBERS, "create"), {**data, "federation": "industry"}).status_code
        == 302
    )
    f.make_member(federation.a2, federation="township", industry="茶叶", joined_on=D(2023, 6, 1))
    assert compute("agri.federations.industry_built", officer, a, LAST_YEAR).value == 1
    assert compute("agri.federations.industry_built", officer, a, THIS_YEAR).value == 0
    assert compute("agri.federations.industry", officer, a, THIS_YEAR).value == 1
    assert compute("agri.members.joined", officer, a, LAST_YEAR).value == 2
    by_level = {
        v: fig.value
        for v, fig in breakdown("agri.members.entered", officer, a, LAST_YEAR, "federation")
    }
    assert by_level == {"industry": 1, "township": 1}
    by_industry = {
        v: fig.value
        for v, fig in breakdown("agri.members.entered", officer, a, LAST_YEAR, "industry")
    }
    assert by_industry == {"杨梅": 1, "茶叶": 1}
    by_fed = {
        v: fig.value
        for v, fig in breakdown(
            "agri.members.entered", officer, a, LAST_YEAR, "industry_federation"
        )
    }
    assert by_fed == {fed.pk: 1, None: 1}
