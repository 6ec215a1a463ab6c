"""The accounting share of `gongxiao synth`: books in the centre and posted, balanced vouchers
numbered without gaps, the same for the same seed."""

from __future__ import annotations

import pytest

from gongxiao.accounting import services
from gongxiao.accounting.models import Book, Voucher, VoucherLine
from gongxiao.core import synth

pytestmark = pytest.mark.django_db


def test_synth_builds_posted_balanced_books():
    result = synth.build(rows=20_000, cities=1, counties=2, grassroots=10, seed=5)
    books = list(Book.objects.all())
    assert len(books) == 2 and result.counts["voucher lines"] == 40
    assert not Voucher.objects.exclude(status="posted").exists()
    assert VoucherLine.objects.count() == 40
    for book in books:
        tb = services.trial_balance(
            [book], book.start_date, book.start_date.replace(year=2025, month=12, day=31)
        )
        assert tb.balanced
        for (y, m), numbers in _numbers(book).items():
            assert numbers == list(range(1, len(numbers) + 1)), (y, m)


def _numbers(book):
    out: dict = {}
    for y, m, n in (
        Voucher.objects.filter(book=book).order_by("number").values_list("year", "month", "number")
    ):
        out.setdefault((y, m), []).append(n)
    return out
