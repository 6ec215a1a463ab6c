"""Voucher numbers under concurrent entry: threads entering vouchers into the same book and
month at once get 1…N, no gap, no duplicate (the counter row is locked while a number is
taken). On PostgreSQL only: SQLite serialises every writer anyway."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from gongxiao.accounting import services
from gongxiao.accounting.models import Voucher
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import DAY, make_book_in

THREADS, EACH = 6, 5


@pytest.mark.django_db(transaction=True)
def test_concurrent_entry_leaves_no_gap_and_no_duplicate(federation):
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    book = make_book_in(federation.a1)
    users = [user_with(Role.DATA_ENTRY, federation.a1) for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def enter(user):
        try:
            start.wait()
            for _ in range(EACH):
                services.create_voucher(voucher=Voucher(book=book, word="记", date=DAY), user=user)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=enter, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Voucher.objects.filter(book=book).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS * EACH + 1))
