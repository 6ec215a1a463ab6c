"""A worked example with known answers (小企业会计准则): a dozen vouchers from capital in to a
red-ink reversal give exact balances, a trial balance in balance, a balance sheet where assets
equal liabilities plus equity and an income statement, checked figure by figure. Then the
period rules: close in order with every voucher posted, reopen only the last closed, with a
reason, and the year-end carry-forward of profit and loss."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from gongxiao.accounting import services
from gongxiao.accounting.models import Period, Voucher
from gongxiao.core.models import ActionRecord
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import make_book_in, make_voucher, posted_voucher

pytestmark = pytest.mark.django_db

JAN, FEB, MAR = (datetime.date(2024, m, d) for m, d in ((1, 8), (2, 12), (3, 20)))

ENTRIES = [
    (JAN, [("1002", "500000", "0", "收到投资款"), ("3001", "0", "500000", "收到投资款")]),
    (JAN, [("1405", "80000", "0", "赊购化肥"), ("2202", "0", "80000", "赊购化肥")]),
    (JAN, [("1601", "120000", "0", "购置烘干机"), ("1002", "0", "120000", "购置烘干机")]),
    (FEB, [("1002", "60000", "0", "销售化肥"), ("5001", "0", "60000", "销售化肥")]),
    (FEB, [("1122", "40000", "0", "赊销化肥"), ("5001", "0", "40000", "赊销化肥")]),
    (FEB, [("5401", "70000", "0", "结转销售成本"), ("1405", "0", "70000", "结转销售成本")]),
    (FEB, [("2202", "50000", "0", "支付货款"), ("1002", "0", "50000", "支付货款")]),
    (FEB, [("1002", "25000", "0", "收回货款"), ("1122", "0", "25000", "收回货款")]),
    (FEB, [("5602", "8000", "0", "计提工资"), ("2211", "0", "8000", "计提工资")]),
    (FEB, [("5602", "1000", "0", "计提折旧"), ("1602", "0", "1000", "计提折旧")]),
    (FEB, [("5603", "200", "0", "银行手续费"), ("1002", "0", "200", "银行手续费")]),
    (FEB, [("5602", "3000", "0", "误记办公费"), ("1002", "0", "3000", "误记办公费")]),
]


@pytest.fixture
def books(federation):
    book = make_book_in(federation.a1)
    maker = user_with(Role.DATA_ENTRY, federation.a1)
    finance = user_with(Role.FINANCE, federation.county_a)
    vouchers = [
        posted_voucher(federation.a1, book=book, date=day, lines=lines, user=maker)
        for day, lines in ENTRIES
    ]
    return book, maker, finance, vouchers


def _close(period_of, finance, on):
    services.close_period(period_of, finance, on=on)


def test_the_worked_example_gives_its_known_figures(books):
    book, maker, finance, vouchers = books
    jan = Period.objects.get(book=book, year=2024, month=1)
    feb = Period.objects.get(book=book, year=2024, month=2)
    _close(jan, finance, datetime.date(2024, 2, 1))
    _close(feb, finance, datetime.date(2024, 3, 1))
    # The mistaken office expense of February is reversed in March (February is closed).
    mistake = vouchers[-1]
    with pytest.raises(Exception, match="已结账"):
        services.reverse(mistake, finance, on=datetime.date(2024, 2, 28))
    services.reverse(mistake, maker, on=MAR)
    red = Voucher.objects.get(reverses=mistake)
    assert (red.date, red.month) == (MAR, 3)
    services.submit(red, maker)
    services.review(red, finance, on=MAR)
    services.post(red, finance, on=MAR)

    tb = services.trial_balance([book], datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    got = {
        code: (r.closing_debit, r.closing_credit) for code, r in tb.by_code().items() if r.closing
    }
    assert got == {
        "1002": (D("414800.00"), 0),
        "1122": (D("15000.00"), 0),
        "1405": (D("10000.00"), 0),
        "1601": (D("120000.00"), 0),
        "1602": (0, D("1000.00")),
        "2202": (0, D("30000.00")),
        "2211": (0, D("8000.00")),
        "3001": (0, D("500000.00")),
        "5001": (0, D("100000.00")),
        "5401": (D("70000.00"), 0),
        "5602": (D("9000.00"), 0),
        "5603": (D("200.00"), 0),
    }
    assert tb.balanced
    assert tb.total_debit == tb.total_credit == D("954200.00")
    assert tb.total_closing_debit == tb.total_closing_credit == D("639000.00")

    # February alone: the opening is January's closing.
    feb_tb = services.trial_balance([book], datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    bank = feb_tb.by_code()["1002"]
    assert (bank.opening_signed, bank.debit, bank.credit) == (
        D("380000.00"),
        D("85000.00"),
        D("53200.00"),
    )

    st = services.Statements([book], datetime.date(2024, 1, 1), datetime.date(2024, 3, 31))
    assert st.total_assets == D("558800.00")
    assert st.total_liabilities == D("38000.00")
    assert st.total_equity == D("520800.00")
    assert st.in_balance
    assert (st.total_income, st.total_expenses, st.surplus) == (
        D("100000.00"),
        D("79200.00"),
        D("20800.00"),
    )

    # The detail ledger of the bank account runs to its closing balance, line by line.
    bank_account = book.accounts.get(code="1002")
    opening, rows, closing = services.detail_ledger(
        bank_account, datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)
    )
    assert opening == 0 and closing == D("414800.00") and len(rows) == 8
    assert rows[-1][0].voucher == red


def test_a_period_closes_only_in_order_and_with_every_voucher_posted(books, federation):
    book, maker, finance, _v = books
    jan = Period.objects.get(book=book, year=2024, month=1)
    feb = Period.objects.get(book=book, year=2024, month=2)
    with pytest.raises(services.AccountingRefused, match="按顺序"):
        services.check_close(feb, finance)
    make_voucher(book, [("1001", "10", "0"), ("5001", "0", "10")], user=maker, date=JAN)
    with pytest.raises(services.AccountingRefused, match="未记账"):
        services.check_close(jan, finance)
    Voucher.objects.filter(book=book, status="draft").get().delete()
    services.close_period(jan, finance, on=datetime.date(2024, 2, 1))
    # Entering into the closed month is refused.
    with pytest.raises(Exception, match="已结账"):
        make_voucher(book, [], user=maker, date=JAN)


def test_reopening_needs_a_reason_and_no_later_closed_period(books, federation):
    from rest_framework.test import APIClient

    book, maker, finance, _v = books
    jan = Period.objects.get(book=book, year=2024, month=1)
    feb = Period.objects.get(book=book, year=2024, month=2)
    services.close_period(jan, finance, on=datetime.date(2024, 2, 1))
    services.close_period(feb, finance, on=datetime.date(2024, 3, 1))
    jan.refresh_from_db()
    with pytest.raises(services.AccountingRefused, match="2024-02"):
        services.check_reopen(jan, finance)
    c = APIClient()
    c.force_authenticate(finance)
    url = f"/api/accounting/periods/{jan.pk}/actions/reopen/"
    assert c.post(url, {"reason": "补账", "version": jan.version}, format="json").status_code == 409
    feb.refresh_from_db()
    url = f"/api/accounting/periods/{feb.pk}/actions/reopen/"
    assert c.post(url, {"version": feb.version}, format="json").status_code == 400
    # A clerk may not reopen.
    clerk = APIClient()
    clerk.force_authenticate(maker)
    assert (
        clerk.post(url, {"reason": "x", "version": feb.version}, format="json").status_code == 403
    )
    resp = c.post(url, {"reason": "补记银行利息", "version": feb.version}, format="json")
    assert resp.status_code == 200, resp.content
    feb.refresh_from_db()
    assert (feb.status, feb.reopen_reason) == ("open", "补记银行利息")
    record = ActionRecord.objects.get(ledger="accounting.periods", object_pk=str(feb.pk))
    assert (record.action, record.user_id, record.data["reason"]) == (
        "reopen",
        finance.pk,
        "补记银行利息",
    )


def test_december_closes_only_after_profit_and_loss_is_carried_forward(federation):
    book = make_book_in(federation.a1, start_date=datetime.date(2024, 12, 1))
    finance = user_with(Role.FINANCE, federation.county_a)
    v = posted_voucher(
        federation.a1,
        book=book,
        date=datetime.date(2024, 12, 5),
        lines=[
            ("1002", "300", "0"),
            ("5001", "0", "300"),
            ("5602", "100", "0"),
            ("1002", "0", "100"),
        ],
    )
    with pytest.raises(services.AccountingRefused, match="结转损益"):
        services.check_close(v.period, finance)
    services.carry_forward(v.period, finance, on=datetime.date(2024, 12, 31))
    cf = Voucher.objects.get(book=book, carry_forward=True)
    assert (cf.date, cf.word, cf.status) == (datetime.date(2024, 12, 31), "转", "draft")
    other = user_with(Role.FINANCE, federation.a1)
    services.submit(cf, finance)
    with pytest.raises(services.AccountingRefused, match="须由他人"):
        services.check_review(cf, finance)
    services.review(cf, other, on=cf.date)
    services.post(cf, other, on=cf.date)
    tb = services.trial_balance([book], book.start_date, datetime.date(2024, 12, 31))
    assert tb.by_code()["3103"].closing_credit == D("200.00")
    assert not tb.by_code()["5001"].closing and not tb.by_code()["5602"].closing
    # The income statement leaves the carry-forward out.
    st = services.Statements([book], book.start_date, datetime.date(2024, 12, 31))
    assert (st.total_income, st.total_expenses, st.surplus) == (D("300"), D("100"), D("200"))
    assert st.in_balance
    services.close_period(v.period, finance, on=datetime.date(2025, 1, 2))


def test_steps_are_not_dated_before_the_voucher_and_periods_not_before_the_books(federation):
    from django.core.exceptions import ValidationError

    book = make_book_in(federation.a1)
    finance = user_with(Role.FINANCE, federation.county_a)
    v = posted_voucher(federation.a1, book=book, date=datetime.date(2024, 3, 15))
    with pytest.raises(ValidationError, match="不能早于"):
        services.reverse(v, finance, on=datetime.date(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.open_period(period=Period(book=book, year=2023, month=12), user=finance)
    with pytest.raises(ValidationError):
        services.open_period(period=Period(book=book, year=2024, month=13), user=finance)
    opened = services.open_period(period=Period(book=book, year=2024, month=7), user=finance)
    assert opened.status == "open"
