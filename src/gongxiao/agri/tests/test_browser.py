"""End-to-end, through Debian's Chromium driven by Playwright: a service officer of county A
enters a month's input sales return of one of his co-ops and finds the fertiliser figure of
his county on the metric's page, the kg line counted as tonnes; then, on a phone, he records a
land trusteeship and a service operation, whose 亩 and 亩次 stay two figures.

Run separately: `pytest src/gongxiao/agri/tests/test_browser.py -m browser`.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from gongxiao.agri import models as m
from gongxiao.agri.tests import factories as f
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

pytestmark = [pytest.mark.browser]
DETAIL = re.compile(r"/ledgers/agri/[a-z-]+/(\d+)/$")


@pytest.fixture
def officer(site, federation):
    return user_with(Role.SERVICE, federation.county_a, username="service_a")


def _last_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_a_months_return_shows_on_the_figure(site, federation, officer, new_context):
    today = timezone.localdate()
    month = _last_month(today)
    # Earlier this year a2 returned 800 kg of fertiliser.
    f.make_sale(federation.a2, month=month, quantity=Decimal("800"), measure="kg")
    page = log_in(new_context(), site, officer.username)
    page.goto(f"{site}/ledgers/agri/input-sales/new/")
    expect(page.locator("#ledger-form")).to_be_visible()
    page.select_option("#id_unit", str(federation.a1.pk))
    page.fill("#id_month", month.replace(day=15).isoformat())
    page.select_option("#id_category", "fertiliser")
    page.fill("#id_quantity", "85")
    page.select_option("#id_measure", "t")
    page.fill("#id_value", "27.2")
    page.click("#btn-save")
    expect(page).to_have_url(DETAIL)
    sale = m.InputSale.objects.get(unit=federation.a1)
    assert (sale.month, sale.quantity, sale.created_by_id) == (month, Decimal(85), officer.pk)

    page.goto(
        f"{site}/reports/metrics/agri.supply.fertiliser/"
        f"?unit={federation.county_a.pk}&period={month.year}"
    )
    value = page.locator("#metric-value")
    expect(value).to_contain_text("85.8")
    expect(value).to_contain_text("吨")
    # The figure opens the rows behind it: both lines, nothing else.
    value.click()
    expect(page.locator("main table tbody tr")).to_have_count(2)


def test_on_a_phone_a_trusteeship_and_a_service_operation(site, federation, officer, browser):
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    ctx.set_default_timeout(15_000)
    try:
        day = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
        page = log_in(ctx, site, officer.username)
        page.goto(f"{site}/ledgers/agri/trusteeships/new/")
        page.select_option("#id_unit", str(federation.a1.pk))
        page.fill("#id_household", "王建国")
        page.fill("#id_crop", "水稻")
        page.fill("#id_area", "126.5")
        page.fill("#id_households", "3")
        page.fill("#id_start_date", day)
        page.check("#id_ploughing")
        page.check("#id_harvesting")
        page.click("#btn-save")
        expect(page).to_have_url(DETAIL)
        t = m.Trusteeship.objects.get()
        assert (t.household, t.area, t.ploughing, t.sowing, t.harvesting) == (
            "王建国",
            Decimal("126.5"),
            True,
            False,
            True,
        )

        page.goto(f"{site}/ledgers/agri/service-operations/new/")
        page.select_option("#id_unit", str(federation.a1.pk))
        page.fill("#id_date", day)
        page.select_option("#id_link", "protection")
        page.fill("#id_crop", "水稻")
        page.fill("#id_area", "126.5")
        page.fill("#id_times", "2")
        page.click("#btn-save")
        expect(page).to_have_url(DETAIL)
        op = m.ServiceOperation.objects.get()
        assert op.service_area == Decimal("253")
        expect(page.locator("main")).to_contain_text("253")
        # Nothing on the page is wider than the phone.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400
    finally:
        ctx.close()
