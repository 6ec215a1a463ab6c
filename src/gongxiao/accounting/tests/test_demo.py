"""The demo's accounting centre: two units in the centre with their books, a year and more of
balanced vouchers posted by someone other than their maker, past months closed, the year-end
carry-forward done and one red-ink reversal this month."""

from __future__ import annotations

import datetime
import random

import pytest

from gongxiao.accounting import demo, services
from gongxiao.accounting.models import Book, Period, Voucher
from gongxiao.core.metrics import compute
from gongxiao.core.periods import parse_period
from gongxiao.org.demo import DemoContext
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

pytestmark = pytest.mark.django_db


def test_the_demo_centre(federation):
    today = datetime.date(2025, 3, 10)
    county = federation.county_a
    county.slug = "jia"
    ctx = DemoContext(
        rng=random.Random(4),
        city=federation.city,
        counties=[county],
        grassroots=[federation.a1, federation.a2],
        today=today,
    )
    ctx.users = {
        "admin": user_with(Role.SYSADMIN, federation.city),
        "jia_finance": user_with(Role.FINANCE, county),
        "jia_clerk": user_with(Role.DATA_ENTRY, federation.a1),
        "jia_sysadmin": user_with(Role.SYSADMIN, county),
    }
    demo.build(ctx)
    books = list(Book.objects.order_by("id"))
    assert [b.standard for b in books] == ["small_enterprise", "cooperative"]
    for book in books:
        vouchers = Voucher.objects.filter(book=book)
        assert vouchers.exclude(status="posted").count() == 0
        assert not vouchers.filter(created_by=ctx.users["jia_finance"]).exists()
        assert vouchers.filter(reverses__isnull=False, date=today).count() == 1
        assert vouchers.filter(carry_forward=True, year=2024).count() == 1
        closed = Period.objects.filter(book=book, status="closed")
        assert closed.count() == 14  # Jan 2024 … Feb 2025
        assert not Period.objects.filter(book=book, year=2025, month=3, status="closed").exists()
        tb = services.trial_balance([book], book.start_date, today)
        assert tb.balanced
        # The books open with the balances taken over from the former books.
        assert book.opening_balances.count() == 3
        assert tb.total_opening_debit == tb.total_opening_credit > 0
        assert services.Statements([book], datetime.date(2025, 1, 1), today).in_balance
    leader = user_with(Role.LEADER, federation.city)
    figure = compute("accounting.units.in_centre", leader, federation.city, parse_period("2024"))
    assert figure.value == 2
