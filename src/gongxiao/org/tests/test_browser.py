"""End-to-end: a county runs itself. Its system administrator adds a grassroots co-op, puts a
clerk on its roll, opens his login and gives him the data-entry role; the clerk logs in and
enters a row; the sibling county's administrator sees none of it.

Run separately: `pytest src/gongxiao/org/tests/test_browser.py -m browser`."""

from __future__ import annotations

import re

import pytest

from gongxiao.core.tests.browser_kit import PASSWORD, expect, log_in
from gongxiao.org.models import Person, RoleAssignment, Unit, User
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

pytestmark = [pytest.mark.browser]

PERSON_RE = re.compile(r"/ledgers/org/people/(\d+)/$")


def test_a_county_admin_sets_up_a_grassroots_coop_and_its_clerk(site, new_context, federation):
    admin = user_with(Role.SYSADMIN, federation.county_a, username="jia_admin")
    user_with(Role.SYSADMIN, federation.county_b, username="yi_admin")
    assert admin.pk

    # The administrator adds the unit below his county.
    page = log_in(new_context(), site, "jia_admin")
    page.goto(f"{site}/org/units/")
    page.click("#btn-add-unit")
    page.select_option("#id_parent", str(federation.county_a.pk))
    page.fill("#id_code", "A3")
    page.fill("#id_name", "甲三基层社")
    page.select_option("#id_kind", "grassroots")
    page.click("#btn-save")
    expect(page.locator("h1")).to_contain_text("甲三基层社")
    unit = Unit.objects.get(code="A3")
    assert unit.parent == federation.county_a
    expect(page.locator("#history")).to_contain_text("甲三基层社")

    # He puts the clerk on its roll (the People ledger), opens his login, grants data entry.
    page.goto(f"{site}/ledgers/org/people/new/")
    page.select_option("#id_unit", str(unit.pk))
    page.fill("#id_name", "王小明")
    page.fill("#id_post", "统计员")
    page.click("#btn-save")
    expect(page).to_have_url(PERSON_RE)
    person = Person.objects.get(name="王小明")
    page.fill("#id_open_login_username", "wangxm")
    page.fill("#id_open_login_password", PASSWORD)
    page.click("#step-open_login")
    expect(page.locator("#person-login")).to_contain_text("wangxm")
    page.select_option("#id_grant_role_unit", str(unit.pk))
    page.select_option("#id_grant_role_role", Role.DATA_ENTRY.value)
    page.click("#step-grant_role")
    expect(page.locator("#login-roles")).to_contain_text("甲三基层社")
    clerk = User.objects.get(username="wangxm")
    assert clerk.person == person
    assert RoleAssignment.objects.filter(user=clerk, unit=unit, role=Role.DATA_ENTRY).exists()
    # The password is not written down anywhere on the page.
    assert PASSWORD not in page.content()

    # The clerk logs in and enters a row of his co-op.
    clerk_page = log_in(new_context(), site, "wangxm")
    clerk_page.goto(f"{site}/ledgers/org/people/new/")
    clerk_page.select_option("#id_unit", str(unit.pk))
    clerk_page.fill("#id_name", "李春花")
    clerk_page.click("#btn-save")
    expect(clerk_page).to_have_url(PERSON_RE)
    row = Person.objects.get(name="李春花")
    assert row.unit == unit and row.created_by == clerk

    # The sibling county's administrator sees none of it.
    other = log_in(new_context(), site, "yi_admin")
    other.goto(f"{site}/org/units/")
    expect(other.locator("#unit-tree")).to_contain_text("乙一基层社")
    expect(other.locator("body")).not_to_contain_text("甲三基层社")
    expect(other.locator("body")).not_to_contain_text("王小明")
    other.goto(f"{site}/ledgers/org/people/")
    expect(other.locator("body")).not_to_contain_text("李春花")
    expect(other.locator("body")).not_to_contain_text("王小明")
    resp = other.goto(f"{site}/ledgers/org/people/{row.pk}/")
    assert resp is not None and resp.status == 404
    resp = other.goto(f"{site}/org/units/{unit.pk}/")
    assert resp is not None and resp.status == 404
