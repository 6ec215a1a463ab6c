"""Rows of the accounting ledgers for tests, made through the services as users would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.accounting import services
from gongxiao.accounting.models import (
    Account,
    Book,
    Dimension,
    Period,
    SubAccount,
    Voucher,
    VoucherLine,
)
from gongxiao.core.testing import factory_for, prepares

START = datetime.date(2024, 1, 1)
DAY = datetime.date(2024, 3, 15)


def _someone(unit, role=None):
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with

    return user_with(role or Role.SYSADMIN, unit)


def make_book_in(unit, *, user=None, standard="small_enterprise", **overrides) -> Book:
    fields = {
        "unit": unit,
        "name": f"{unit.name}账套",
        "standard": standard,
        "start_date": START,
        "centre_from": datetime.date(2024, 1, 1),
        **overrides,
    }
    return services.open_book(book=Book(**fields), user=user or _someone(unit))


def book_of(unit) -> Book:
    return Book.objects.filter(unit=unit).first() or make_book_in(unit)


def account(book, code) -> Account:
    return Account.objects.get(book=book, code=code)


def make_voucher(book, lines, *, user=None, date=DAY, word="记") -> Voucher:
    """A draft voucher with `lines`: (code, debit, credit, summary) each."""
    user = user or _someone(book.unit)
    v = services.create_voucher(voucher=Voucher(book=book, word=word, date=date), user=user)
    for code, debit, credit, *summary in lines:
        services.add_line(
            line=VoucherLine(
                voucher=v,
                account=account(book, code),
                debit=Decimal(debit),
                credit=Decimal(credit),
                summary=summary[0] if summary else "摘要",
            ),
            user=user,
        )
    v.refresh_from_db()
    return v


SALE = [("1002", "1000.00", "0", "销售收款"), ("5001", "0", "1000.00", "销售收入")]


def submitted_voucher(unit, **kw) -> Voucher:
    book = kw.pop("book", None) or book_of(unit)
    v = make_voucher(book, kw.pop("lines", SALE), **kw)
    services.submit(v, v.created_by)
    v.refresh_from_db()
    return v


def reviewed_voucher(unit, **kw) -> Voucher:
    v = submitted_voucher(unit, **kw)
    services.review(v, _someone(unit), on=v.date)
    v.refresh_from_db()
    return v


def posted_voucher(unit, **kw) -> Voucher:
    v = reviewed_voucher(unit, **kw)
    services.post(v, _someone(unit), on=v.date)
    v.refresh_from_db()
    return v


@factory_for(Book)
def make_book(unit, **overrides):
    return make_book_in(unit, **overrides)


@factory_for(SubAccount)
def make_account(unit, **overrides):
    book = book_of(unit)
    # Under 其他应付款: the vouchers the other factories make post to 1002 and 5001, which
    # must stay leaf accounts.
    parent = account(book, "2241")
    n = Account.objects.filter(book=book, parent=parent).count() + 1
    fields = {"book": book, "parent": parent, "code": f"2241{n:02d}", "name": f"其他应付款明细{n}"}
    fields.update(overrides)
    made = services.add_account(account=SubAccount(**fields), user=_someone(unit))
    return SubAccount.objects.get(pk=made.pk)


@factory_for(Account)
def make_any_account(unit, **overrides):
    """An account of the unit's book, named after the unit: what a related filter offers."""
    overrides.setdefault("name", f"{unit.name}往来明细")
    return Account.objects.get(pk=make_account(unit, **overrides).pk)


@factory_for(Dimension)
def make_dimension(unit, **overrides):
    book = book_of(unit)
    n = Dimension.objects.filter(book=book).count() + 1
    fields = {"book": book, "kind": "partner", "code": f"P{n:03d}", "name": f"往来单位{n}"}
    fields.update(overrides)
    return Dimension.objects.create(**fields)


@factory_for(Period)
def make_period(unit, **overrides):
    book = book_of(unit)
    month = Period.objects.filter(book=book).count() + 1
    return Period.objects.create(book=book, year=2024, month=month, **overrides)


@factory_for(Voucher)
def make_voucher_row(unit, **overrides):
    return make_voucher(book_of(unit), SALE)


@factory_for(VoucherLine)
def make_line(unit, **overrides):
    return make_voucher(book_of(unit), SALE[:1]).lines.get()


# --- rows ready for each declared action (core/tests/test_actions.py) ------------------------

VOUCHERS = "accounting.vouchers"
PERIODS = "accounting.periods"


@prepares(VOUCHERS, "submit")
def draft_voucher(unit):
    return make_voucher(book_of(unit), SALE)


@prepares(VOUCHERS, "review", "return")
def voucher_to_review(unit):
    return submitted_voucher(unit)


@prepares(VOUCHERS, "post")
def voucher_to_post(unit):
    return reviewed_voucher(unit)


@prepares(VOUCHERS, "reverse")
def voucher_to_reverse(unit):
    return posted_voucher(unit)


@prepares(PERIODS, "close")
def period_to_close(unit):
    """January of a fresh book, its one voucher posted."""
    book = make_book_in(unit)
    v = posted_voucher(unit, book=book, date=datetime.date(2024, 1, 20))
    return v.period


@prepares(PERIODS, "carry_forward")
def period_to_carry_forward(unit):
    book = make_book_in(unit)
    v = posted_voucher(unit, book=book, date=datetime.date(2024, 1, 20))
    return v.period


@prepares(PERIODS, "reopen")
def period_to_reopen(unit):
    period = period_to_close(unit)
    services.close_period(period, _someone(unit), on=datetime.date(2024, 2, 1))
    period.refresh_from_db()
    return period
