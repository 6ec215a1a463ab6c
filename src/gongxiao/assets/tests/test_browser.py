"""End-to-end, through Debian's Chromium driven by Playwright: an asset officer of county A
registers a shop of grassroots co-op A1, leases it by public tender (the lease refused until
its winning bid is there), prints the contract, records two payments and sees the arrears of
the third period; an asset officer of the sibling county B sees none of it.

Run separately: `pytest src/gongxiao/assets/tests/test_browser.py -m browser`."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.utils import timezone

from gongxiao.assets import models as m
from gongxiao.assets.tests import factories as f
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

pytestmark = [pytest.mark.browser]

PROPERTY = "解放路18号临街门店"
TENANT = "甲一便民超市有限公司"
LEASE_RE = re.compile(r"/ledgers/assets/leases/(\d+)/$")


def test_register_lease_by_tender_print_pay_and_see_arrears(site, federation, new_context):
    user_with(Role.ASSET, federation.county_a, username="asset_a")
    user_with(Role.ASSET, federation.county_b, username="asset_b")
    today = timezone.localdate()
    start = m.add_months(today.replace(day=1), -7)
    end = m.add_months(start, 24) - datetime.timedelta(days=1)

    page = log_in(new_context(), site, "asset_a")
    # Register the property.
    page.goto(f"{site}/ledgers/assets/properties/new/")
    page.select_option("#id_unit", str(federation.a1.pk))
    page.fill("#id_name", PROPERTY)
    page.fill("#id_address", "城关镇解放路18号")
    page.select_option("#id_kind", "shop")
    page.fill("#id_building_area", "120")
    page.fill("#id_book_value", "80000")
    page.click("#btn-save")
    expect(page.locator("h1")).to_have_text(PROPERTY)
    expect(page.locator("#property-status")).to_contain_text("空置")
    expect(page.locator("#certificate-problem")).to_contain_text("无权属证书")

    # Lease it by public tender.
    page.click("#add-lease")
    page.select_option("#id_tenant_kind", "organisation")
    page.fill("#id_tenant_name", TENANT)
    page.fill("#id_tenant_credit_code", f.CREDIT_CODE)
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", end.isoformat())
    page.fill("#id_annual_rent", "24000")
    page.select_option("#id_cycle", "3")
    page.fill("#id_deposit", "6000")
    page.select_option("#id_method", "tender")
    page.fill("#id_exchange", "县公共资源交易中心")
    page.fill("#id_tender_date", (start - datetime.timedelta(days=15)).isoformat())
    page.click("#btn-save")
    expect(page).to_have_url(LEASE_RE)
    lease_url = page.url
    expect(page.locator("#activation-problems")).to_contain_text("公开招租的竞租报价")
    expect(page.locator("#step-activate")).to_have_count(0)

    # The bids: the tenant won.
    for bidder, amount, won in [("乙商贸公司", "22000", False), (TENANT, "24000", True)]:
        page.click("#add-bid")
        page.fill("#id_bidder", bidder)
        page.fill("#id_amount", amount)
        page.fill("#id_date", (start - datetime.timedelta(days=15)).isoformat())
        if won:
            page.check("#id_won")
        page.click("#btn-save")
        expect(page).to_have_url(lease_url)
    expect(page.locator("#bids tbody tr")).to_have_count(2)
    expect(page.locator("#activation-problems")).to_have_count(0)

    # Activate on the day it was signed.
    page.fill("#id_activate_on", start.isoformat())
    page.click("#step-activate")
    expect(page.locator("#schedule tbody tr")).to_have_count(8)
    expect(page.locator("#arrears-total")).to_have_text("18000.00")

    # Print the contract and read it back.
    with page.expect_download() as info:
        page.click("#print-contract")
    from docx import Document

    with open(info.value.path(), "rb") as fh:
        text = "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)
    assert TENANT in text and PROPERTY in text
    assert "年租金为人民币24,000.00元（大写：人民币贰万肆仟元整）" in text

    # Two payments, each on its day.
    for n, (day, receipt) in enumerate(
        [(start + datetime.timedelta(days=3), "SJ001"), (m.add_months(start, 3), "SJ002")]
    ):
        page.fill("#id_record_payment_amount", "6000")
        page.select_option("#id_record_payment_way", "transfer")
        page.fill("#id_record_payment_receipt_number", receipt)
        page.fill("#id_record_payment_on", day.isoformat())
        page.click("#step-record_payment")
        expect(page.locator("#payments tbody tr")).to_have_count(n + 1)
    # The third period is owed.
    expect(page.locator("#arrears-total")).to_have_text("6000.00")
    expect(page.locator("#charge-3")).to_have_class(re.compile("table-warning"))
    expect(page.locator("#charge-2")).not_to_have_class(re.compile("table-warning"))
    # As of a day before the third period fell due, nothing was owed.
    page.fill("#as-of", (m.add_months(start, 6) - datetime.timedelta(days=1)).isoformat())
    page.click("#as-of-form button")
    expect(page.locator("#arrears-total")).to_have_text("0.00")

    lease = m.Lease.objects.get(tenant_name=TENANT)
    assert lease.status == "active" and lease.activated_on == start
    assert lease.payments.count() == 2

    # The sibling county sees none of it.
    other = log_in(new_context(), site, "asset_b")
    resp = other.goto(lease_url)
    assert resp.status == 404
    other.goto(f"{site}/ledgers/assets/properties/")
    expect(other.locator("main")).not_to_contain_text(PROPERTY)
    resp = other.goto(f"{site}/assets/leases/{lease.pk}/contract.docx")
    assert resp.status == 404
