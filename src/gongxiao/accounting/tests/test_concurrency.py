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


@pytest.mark.django_db(transaction=True)
def test_a_line_written_beside_a_concurrent_posting_is_refused(federation):
    """A line slipped into a voucher while another session posts it waits for the posting and
    is then refused: the posted voucher stays balanced."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks under real concurrency: PostgreSQL")
    import time

    from django.db import IntegrityError, transaction

    from .factories import SALE, make_voucher

    # A balanced draft posted straight by a raw statement (the application would review it
    # first; the database's guard is what is tried here).
    v = make_voucher(make_book_in(federation.a1), SALE)
    account_id = v.lines.first().account_id
    posted = threading.Event()
    outcome: list[str] = []

    def post():
        try:
            with transaction.atomic():
                Voucher.objects.filter(pk=v.pk).update(status="posted")
                posted.set()
                time.sleep(1.0)  # the other session's line waits for this commit
        finally:
            connections.close_all()

    def slip_a_line():
        try:
            posted.wait(5)
            # Read without the share lock, the voucher would still look like a draft here.
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO accounting_voucherline (voucher_id, summary, account_id, debit, "
                    "credit, created_at, updated_at, version) "
                    "VALUES (%s, '加塞', %s, 1, 0, now(), now(), 1)",
                    [v.pk, account_id],
                )
            outcome.append("inserted")
        except IntegrityError:
            outcome.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post), threading.Thread(target=slip_a_line)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcome == ["refused"]
    assert v.lines.count() == 2
    assert Voucher.objects.get(pk=v.pk).status == "posted"
