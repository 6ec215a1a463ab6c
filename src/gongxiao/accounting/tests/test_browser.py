"""End-to-end, through Debian's Chromium driven by Playwright: a clerk of grassroots co-op A1
enters a voucher with two lines and submits it; a finance officer of county A reviews it; a
second finance officer posts it; the trial balance shows it and drills through the account's
ledger to the voucher. The clerk is never offered the review, and the reviewer's own voucher
would not be his to review.

A second test: a finance officer imports a voucher from an Excel file through the book's
import page, and once posted it is in the cash journal, prints, and counts in the consolidated
balance sheet.

Run separately: `pytest src/gongxiao/accounting/tests/test_browser.py -m browser`.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from gongxiao.accounting.models import Voucher
from gongxiao.core.tests.browser_kit import expect, log_in
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import make_book_in

pytestmark = [pytest.mark.browser]

DETAIL_RE = re.compile(r"/ledgers/accounting/vouchers/(\d+)/$")


def _add_line(page, summary, account_label, debit="", credit=""):
    page.click("#add-line")
    page.fill("#id_summary", summary)
    page.select_option("#id_account", label=account_label)
    if debit:
        page.fill("#id_debit", debit)
    if credit:
        page.fill("#id_credit", credit)
    page.click("#btn-save")


def test_a_voucher_entered_reviewed_posted_and_seen_in_the_trial_balance(
    site, federation, new_context
):
    book = make_book_in(federation.a1)
    clerk = user_with(Role.DATA_ENTRY, federation.a1)
    reviewer = user_with(Role.FINANCE, federation.county_a)
    poster = user_with(Role.FINANCE, federation.county_a)
    today = timezone.localdate()

    # The clerk enters the voucher and its lines.
    page = log_in(new_context(), site, clerk.username)
    page.goto(f"{site}/ledgers/accounting/vouchers/new/")
    page.select_option("#id_book", str(book.pk))
    page.select_option("#id_word", "记")
    page.fill("#id_date", today.isoformat())
    page.fill("#id_attachments", "2")
    page.click("#btn-save")
    expect(page).to_have_url(DETAIL_RE)
    pk = int(DETAIL_RE.search(page.url).group(1))
    voucher_url = f"{site}/ledgers/accounting/vouchers/{pk}/"
    _add_line(page, "销售化肥收到货款", "1002 银行存款", debit="1200.00")
    expect(page).to_have_url(voucher_url)
    _add_line(page, "销售化肥收到货款", "5001 主营业务收入", credit="1200.00")
    expect(page).to_have_url(voucher_url)
    expect(page.locator("#voucher-lines tbody tr")).to_have_count(2)
    expect(page.locator("#total-debit")).to_have_text(re.compile(r"1,?200\.00"))
    expect(page.locator("#step-review")).to_have_count(0)
    page.click("#step-submit")
    expect(page).to_have_url(voucher_url)
    voucher = Voucher.objects.get(pk=pk)
    assert (voucher.status, voucher.number, voucher.created_by_id) == ("submitted", 1, clerk.pk)
    expect(page.locator("#step-review")).to_have_count(0)  # not the clerk's to review

    # The reviewer approves it.
    page = log_in(new_context(), site, reviewer.username)
    page.goto(voucher_url)
    page.click("#step-review")
    expect(page).to_have_url(voucher_url)
    voucher.refresh_from_db()
    assert (voucher.status, voucher.reviewed_by_id) == ("reviewed", reviewer.pk)

    # The poster posts it; then the trial balance shows it.
    page = log_in(new_context(), site, poster.username)
    page.goto(voucher_url)
    page.click("#step-post")
    expect(page).to_have_url(voucher_url)
    voucher.refresh_from_db()
    assert (voucher.status, voucher.posted_by_id) == ("posted", poster.pk)
    expect(page.locator("#step-reverse")).to_be_visible()

    page.goto(f"{site}/accounting/trial-balance/?book={book.pk}&period={today.year}")
    row = page.locator('tr[data-code="1002"]')
    expect(row).to_contain_text(re.compile(r"1,?200\.00"))
    expect(page.locator("#tb-balanced")).to_be_visible()
    row.locator("a").click()
    expect(page.locator("#detail-ledger")).to_contain_text("销售化肥收到货款")
    page.locator("#detail-ledger a", has_text=str(voucher)).click()
    expect(page).to_have_url(voucher_url)


def test_vouchers_imported_from_excel_show_in_the_cash_journal_and_print(
    site, federation, new_context, tmp_path
):
    from gongxiao.accounting import services

    from .test_imports import HEAD, sheet

    book = make_book_in(federation.a1)
    finance = user_with(Role.FINANCE, federation.county_a)
    services.set_opening_balances(
        book=book,
        balances=[
            (book.accounts.get(code="1001"), 800, 0),
            (book.accounts.get(code="3001"), 0, 800),
        ],
        user=finance,
    )
    rows = [
        ["记-1", "2024-03-04", "提取备用金", "1001", "库存现金", 500, "", ""],
        ["记-1", "2024-03-04", "提取备用金", "1002", "银行存款", "", 500, ""],
    ]
    path = tmp_path / "凭证.xlsx"
    path.write_bytes(sheet(HEAD, rows))

    page = log_in(new_context(), site, finance.username)
    page.goto(f"{site}/accounting/trial-balance/?book={book.pk}&period=2024")
    page.click("#tb-import-vouchers")
    page.set_input_files("#import-file", str(path))
    page.click("#btn-upload")
    page.click("#btn-confirm-import")
    expect(page.locator("body")).to_contain_text("已导入1条记录")
    voucher = Voucher.objects.get(book=book)
    assert (voucher.status, voucher.number, voucher.lines.count()) == ("draft", 1, 2)
    # Reviewed and posted by two others, it is in the cash journal.
    other = user_with(Role.FINANCE, federation.county_a)
    services.submit(voucher, finance)
    services.review(voucher, other, on=voucher.date)
    services.post(voucher, user_with(Role.FINANCE, federation.county_a), on=voucher.date)
    page.goto(f"{site}/accounting/journal/?book={book.pk}&period=2024")
    expect(page.locator("#journal")).to_contain_text("提取备用金")
    expect(page.locator("#journal tr[data-kind=closing]")).to_contain_text("1300.00")
    page.click(f"#journal a[href$='/vouchers/{voucher.pk}/']")
    page.click("#voucher-print")
    expect(page.locator("#print-page")).to_contain_text("记字第0001号")
    expect(page.locator("#print-debit")).to_have_text("500.00")
    page.goto(f"{site}/accounting/consolidated/?period=2024")
    expect(page.locator("#consolidated-assets")).to_have_text("800.00")
