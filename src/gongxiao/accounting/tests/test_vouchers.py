"""Vouchers: numbering without gaps, lines on leaf accounts, the four-eyes steps, the balance
and the immutability of a posted voucher enforced by the database (raw SQL too), red-ink
reversal into an open period."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from rest_framework.test import APIClient

from gongxiao.accounting import guards, services
from gongxiao.accounting.models import Account, Voucher, VoucherLine
from gongxiao.core.models import RecordLocked
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import (
    SALE,
    account,
    make_book_in,
    make_voucher,
    posted_voucher,
    reviewed_voucher,
    submitted_voucher,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(federation):
    return make_book_in(federation.a1)


@pytest.fixture
def clerk(federation):
    return user_with(Role.DATA_ENTRY, federation.a1)


@pytest.fixture
def finance(federation):
    return user_with(Role.FINANCE, federation.county_a)


def test_the_guards_are_installed():
    assert guards.missing() == []


def test_a_book_gets_its_standards_chart(federation):
    for standard, cash, count in (
        ("small_enterprise", "1001", 66),
        ("cooperative", "101", 37),
        ("village_collective", "101", 33),
    ):
        b = make_book_in(federation.a2, standard=standard)
        assert b.accounts.count() == count
        assert account(b, cash).name == "库存现金"
        assert all(a.from_chart and a.level == 1 and a.is_leaf for a in b.accounts.all())


def test_a_sub_account_extends_the_chart_and_its_parent_is_no_longer_a_leaf(book, clerk):
    bank = account(book, "1002")
    sub = services.add_account(
        account=Account(book=book, parent=bank, code="100201", name="农商行"), user=clerk
    )
    assert (sub.level, sub.category, sub.direction) == (2, "asset", "debit")
    bank.refresh_from_db()
    assert not bank.is_leaf
    with pytest.raises(Exception, match="两位或以上数字"):
        services.add_account(
            account=Account(book=book, parent=bank, code="2001x", name="错"), user=clerk
        )


def test_numbers_run_per_book_month_and_word_and_a_delete_leaves_no_gap(book, clerk):
    a = make_voucher(book, SALE, user=clerk)
    b = make_voucher(book, SALE, user=clerk)
    c = make_voucher(book, SALE, user=clerk, word="收")
    d = make_voucher(book, SALE, user=clerk, date=datetime.date(2024, 4, 2))
    assert [(v.word, v.month, v.number) for v in (a, b, c, d)] == [
        ("记", 3, 1),
        ("记", 3, 2),
        ("收", 3, 1),
        ("记", 4, 1),
    ]
    with pytest.raises(RecordLocked, match="最后一号凭证"):
        a.delete()
    b.delete()
    assert make_voucher(book, SALE, user=clerk).number == 2


def test_a_line_goes_only_to_a_leaf_account_of_the_same_book(book, clerk, federation):
    services.add_account(
        account=Account(book=book, parent=account(book, "1002"), code="100201", name="农商行"),
        user=clerk,
    )
    v = make_voucher(book, [], user=clerk)
    line = VoucherLine(voucher=v, account=account(book, "1002"), debit=Decimal("5"), summary="x")
    with pytest.raises(Exception, match="末级科目"):
        services.add_line(line=line, user=clerk)
    other = make_book_in(federation.a2)
    line = VoucherLine(voucher=v, account=account(other, "1001"), debit=Decimal("5"), summary="x")
    with pytest.raises(Exception, match="其他账套"):
        services.add_line(line=line, user=clerk)
    assert not v.lines.exists()


def test_an_unbalanced_voucher_is_not_submitted(book, clerk):
    v = make_voucher(book, [("1002", "100.00", "0"), ("5001", "0", "99.99")], user=clerk)
    with pytest.raises(services.AccountingRefused, match="0.01"):
        services.submit(v, clerk)
    assert Voucher.objects.get(pk=v.pk).status == "draft"


def test_the_maker_neither_reviews_nor_posts(federation, finance):
    maker = user_with(Role.FINANCE, federation.a1)
    v = submitted_voucher(federation.a1, user=maker)
    with pytest.raises(services.AccountingRefused, match="须由他人"):
        services.check_review(v, maker)
    services.review(v, finance, on=v.date)
    v.refresh_from_db()
    with pytest.raises(services.AccountingRefused, match="须由他人"):
        services.check_post(v, maker)
    services.post(v, finance, on=v.date)
    v.refresh_from_db()
    assert (v.status, v.reviewed_by, v.posted_by) == ("posted", finance, finance)


def test_a_clerk_may_not_review_or_post_through_the_api(federation, clerk):
    v = submitted_voucher(federation.a1)
    c = APIClient()
    c.force_authenticate(clerk)
    url = f"/api/accounting/vouchers/{v.pk}/actions/review/"
    assert c.post(url, {"version": v.version}, format="json").status_code == 403
    assert Voucher.objects.get(pk=v.pk).status == "submitted"


# --- the database's own guards ----------------------------------------------------------------


def _raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


def test_the_database_refuses_to_post_an_unbalanced_voucher(book, clerk):
    v = reviewed_voucher(book.unit, book=book)
    # A line changed behind the application's back while still a draft would be caught at
    # submit; here the voucher is reviewed: the line trigger refuses any change already.
    with pytest.raises(IntegrityError):
        _raw("UPDATE accounting_voucherline SET debit = 999 WHERE voucher_id = %s", [v.pk])
    # Back to draft by raw SQL, unbalance it, then post by raw SQL: refused.
    _raw("UPDATE accounting_voucher SET status = 'draft' WHERE id = %s", [v.pk])
    _raw(
        "UPDATE accounting_voucherline SET debit = 999 WHERE voucher_id = %s AND debit <> 0",
        [v.pk],
    )
    with pytest.raises(IntegrityError):
        _raw("UPDATE accounting_voucher SET status = 'posted' WHERE id = %s", [v.pk])
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=v.pk).update(status="posted")
    assert Voucher.objects.get(pk=v.pk).status == "draft"


def test_a_voucher_with_one_line_or_none_is_not_posted(book, clerk):
    v = make_voucher(book, [("1002", "10.00", "0")], user=clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(pk=v.pk).update(status="posted")


def test_a_raw_insert_of_a_posted_voucher_fails(book, clerk):
    v = make_voucher(book, SALE, user=clerk)
    with pytest.raises(IntegrityError):
        _raw(
            "INSERT INTO accounting_voucher (book_id, word, year, month, number, date, "
            "attachments, attachment_file, status, period_id, carry_forward, returned_reason, "
            "created_at, updated_at, version) VALUES (%s, '记', 2024, 3, 99, '2024-03-15', 0, '', "
            "'posted', %s, false, '', '2024-03-15', '2024-03-15', 1)",
            [book.pk, v.period_id],
        )
    assert not Voucher.objects.filter(number=99).exists()


def test_a_posted_voucher_is_immutable_through_every_door(federation, clerk, finance):
    v = posted_voucher(federation.a1, book=make_book_in(federation.a1))
    line = v.lines.first()
    # queryset update and raw SQL
    for statement in (
        lambda: Voucher.objects.filter(pk=v.pk).update(date=datetime.date(2024, 3, 1)),
        lambda: Voucher.objects.filter(pk=v.pk).update(status="draft"),
        lambda: VoucherLine.objects.filter(pk=line.pk).update(debit=Decimal("1")),
        lambda: _raw("DELETE FROM accounting_voucherline WHERE id = %s", [line.pk]),
        lambda: _raw("DELETE FROM accounting_voucher WHERE id = %s", [v.pk]),
        lambda: VoucherLine.objects.create(
            voucher=v, account=line.account, debit=Decimal("1"), summary="加塞"
        ),
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            statement()
    # the model's delete, the page, the API
    with pytest.raises(RecordLocked):
        v.delete()
    c = APIClient()
    c.force_authenticate(finance)
    resp = c.patch(
        f"/api/accounting/vouchers/{v.pk}/", {"attachments": 3, "version": v.version}, format="json"
    )
    assert resp.status_code == 409
    resp = c.patch(
        f"/api/accounting/lines/{line.pk}/",
        {"summary": "改", "version": line.version},
        format="json",
    )
    assert resp.status_code == 409
    assert c.delete(f"/api/accounting/vouchers/{v.pk}/").status_code == 409
    from django.test import Client

    web = Client()
    web.force_login(finance)
    page = web.post(
        f"/ledgers/accounting/vouchers/{v.pk}/edit/",
        {
            "book": v.book_id,
            "word": "记",
            "date": "2024-03-01",
            "attachments": 1,
            "version": v.version,
        },
    )
    assert page.status_code in (200, 302, 409)
    after = Voucher.objects.get(pk=v.pk)
    assert (after.date, after.attachments, after.status) == (v.date, v.attachments, "posted")
    assert [(x.debit, x.credit) for x in after.lines.order_by("id")] == [
        (x.debit, x.credit) for x in v.lines.order_by("id")
    ]


def test_a_reversal_is_red_ink_in_an_open_period_and_once_only(federation, finance):
    v = posted_voucher(federation.a1, book=make_book_in(federation.a1))
    on = datetime.date(2024, 5, 6)
    services.reverse(v, finance, on=on)
    red = Voucher.objects.get(reverses=v)
    assert (red.date, red.status, red.month, red.number) == (on, "draft", 5, 1)
    assert sorted((x.debit, x.credit) for x in red.lines.all()) == sorted(
        (-x.debit, -x.credit) for x in v.lines.all()
    )
    with pytest.raises(services.AccountingRefused, match="已被冲销"):
        services.check_reverse(v, finance)
    # the original is untouched
    assert Voucher.objects.get(pk=v.pk).status == "posted"


def test_a_reversal_into_a_closed_period_is_refused(federation, finance):
    book = make_book_in(federation.a1)
    v = posted_voucher(federation.a1, book=book, date=datetime.date(2024, 1, 10))
    services.close_period(v.period, finance, on=datetime.date(2024, 2, 1))
    with pytest.raises(Exception, match="已结账"):
        services.reverse(v, finance, on=datetime.date(2024, 1, 31))
    assert not Voucher.objects.filter(reverses=v).exists()


def test_the_admin_shows_a_posted_voucher_and_changes_nothing(federation):
    from django.test import Client

    from gongxiao.org.tests.factories import UserFactory

    v = posted_voucher(federation.a1, book=make_book_in(federation.a1))
    admin = UserFactory(is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(admin)
    url = f"/admin/accounting/voucher/{v.pk}/change/"
    assert c.get(url).status_code == 200
    c.post(url, {"date": "2024-01-01", "attachments": 9})
    assert c.post(f"/admin/accounting/voucher/{v.pk}/delete/", {"post": "yes"}).status_code == 403
    after = Voucher.objects.get(pk=v.pk)
    assert (after.date, after.attachments, after.status) == (v.date, v.attachments, "posted")


def test_an_import_of_lines_into_a_posted_voucher_is_refused_row_by_row(federation, finance):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from gongxiao.core.ledgers import get_ledger
    from gongxiao.core.models import Job
    from gongxiao.core.tests.helpers import xlsx_for

    book = make_book_in(federation.a1)
    v = posted_voucher(federation.a1, book=book)
    ledger = get_ledger("accounting", "lines")
    extra = VoucherLine(voucher=v, account=account(book, "1001"), debit=Decimal("5"), summary="补")
    c = Client()
    c.force_login(finance)
    upload = SimpleUploadedFile("lines.xlsx", xlsx_for(ledger, [extra]))
    c.post("/ledgers/accounting/lines/import/", {"file": upload})
    job = Job.objects.filter(user=finance).latest("created_at")
    c.post(f"/jobs/{job.pk}/confirm/")
    job.refresh_from_db()
    assert job.result["ok"] is False
    assert [e["message"] for e in job.result["errors"]] == [
        "已记账的凭证不能修改，请用红字冲销或补充凭证更正。"
    ]
    assert v.lines.count() == 2
    # A voucher header imported is a draft with the next number.
    vouchers = get_ledger("accounting", "vouchers")
    head = Voucher(book=book, word="记", date=datetime.date(2024, 3, 20), attachments=1)
    upload = SimpleUploadedFile("vouchers.xlsx", xlsx_for(vouchers, [head]))
    c.post("/ledgers/accounting/vouchers/import/", {"file": upload})
    job = Job.objects.filter(user=finance).latest("created_at")
    c.post(f"/jobs/{job.pk}/confirm/")
    imported = Voucher.objects.filter(book=book).order_by("-number").first()
    assert (imported.status, imported.number, imported.date) == (
        "draft",
        2,
        datetime.date(2024, 3, 20),
    )
