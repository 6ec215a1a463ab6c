"""Imports into a set of books through the kit's import jobs: vouchers in the one-sheet layout
the usual accounting software exports, and opening balances (期初余额) from an Excel trial
balance. All or nothing, a Chinese message per row, nothing written on any refusal."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxiao.accounting import services
from gongxiao.accounting.models import OpeningBalance, Period, SubAccount, Voucher, VoucherLine
from gongxiao.core.models import Job
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import account, make_book_in, make_voucher, posted_voucher

pytestmark = pytest.mark.django_db

HEAD = ["凭证字号", "日期", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "辅助项"]
TB_HEAD = ["科目编码", "科目名称", "期初借方", "期初贷方"]


def sheet(head, rows, title="甲一基层社 凭证列表") -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    r = 0
    if title:
        ws.write_string(0, 0, title)
        r = 1
    ws.write_row(r, 0, head)
    for i, row in enumerate(rows, start=r + 1):
        for j, v in enumerate(row):
            if isinstance(v, datetime.date):
                ws.write_datetime(i, j, datetime.datetime.combine(v, datetime.time()))
            elif isinstance(v, (int, float)):
                ws.write_number(i, j, v)
            else:
                ws.write_string(i, j, v)
    wb.close()
    return buf.getvalue()


@pytest.fixture
def world(federation):
    book = make_book_in(federation.a1)
    finance = user_with(Role.FINANCE, federation.county_a)
    partner = services.kit.create_row(
        obj=services.Dimension(book=book, kind="partner", code="G01", name="甲县农资公司"),
        user=finance,
    )
    c = Client()
    c.force_login(finance)
    return book, finance, partner, c


def upload(c, book, kind, data) -> Job:
    resp = c.post(
        f"/accounting/books/{book.pk}/import/{kind}/",
        {"file": SimpleUploadedFile("导入.xlsx", data)},
    )
    assert resp.status_code == 302, resp.content[:500]
    return Job.objects.latest("created_at")


def confirm(c, check) -> Job:
    c.post(f"/jobs/{check.pk}/confirm/")
    return Job.objects.latest("created_at")


GOOD = [
    ["记-1", datetime.date(2024, 1, 5), "收到投资款", "1002", "银行存款", 500000, "", ""],
    ["记-1", datetime.date(2024, 1, 5), "收到投资款", "3001", "实收资本", "", 500000, ""],
    ["记字第2号", "2024-01-08", "赊购化肥", "1405", "库存商品", "80,000.00", "", ""],
    ["记字第2号", "2024-01-08", "赊购化肥", "2202", "应付账款", "", 80000, "往来单位:G01"],
    ["付-1", "2024年2月3日", "支付货款", "2202", "应付账款", 30000.5, "", "甲县农资公司"],
    ["付-1", "2024年2月3日", "支付货款", "1002", "银行存款", "", 30000.5, ""],
]


def test_vouchers_are_imported_as_drafts_with_their_numbers(world):
    book, finance, partner, c = world
    check = upload(c, book, "vouchers", sheet(HEAD, GOOD))
    assert check.result["ok"] is True, check.result
    assert check.result["total"] == 6
    assert not Voucher.objects.exists()  # only checked
    commit = confirm(c, check)
    assert commit.result["created"] == 3, commit.result
    got = {
        (v.word, v.number, v.date, v.status): [
            (ln.account.code, ln.debit, ln.credit, ln.partner_id) for ln in v.lines.order_by("id")
        ]
        for v in Voucher.objects.filter(book=book)
    }
    assert got == {
        ("记", 1, datetime.date(2024, 1, 5), "draft"): [
            ("1002", D("500000.00"), 0, None),
            ("3001", 0, D("500000.00"), None),
        ],
        ("记", 2, datetime.date(2024, 1, 8), "draft"): [
            ("1405", D("80000.00"), 0, None),
            ("2202", 0, D("80000.00"), partner.pk),
        ],
        ("付", 1, datetime.date(2024, 2, 3), "draft"): [
            ("2202", D("30000.50"), 0, partner.pk),
            ("1002", 0, D("30000.50"), None),
        ],
    }
    # The next voucher entered by hand continues the numbers.
    v = make_voucher(book, [("1001", "1", "0"), ("1002", "0", "1")], date=datetime.date(2024, 1, 9))
    assert v.number == 3


def test_every_bad_row_is_named_and_nothing_is_written(world, federation):
    book, finance, partner, c = world
    # 1002 gets a sub-account (so it is no leaf); January is closed; 记-1 of March is taken.
    services.add_account(
        account=SubAccount(book=book, parent=account(book, "1002"), code="100201", name="工行"),
        user=finance,
    )
    jan = services.first_period(book)
    services.close_period(jan, finance, on=datetime.date(2024, 2, 1))
    posted_voucher(
        federation.a1,
        book=book,
        date=datetime.date(2024, 3, 2),
        lines=[("1001", "10", "0"), ("5001", "0", "10")],
    )
    rows = [
        # row 3-4: unbalanced
        ["记-1", "2024-02-05", "销售", "1001", "", 100, "", ""],
        ["记-1", "2024-02-05", "销售", "5001", "", "", 90, ""],
        # row 5-6: unknown and non-leaf accounts
        ["记-2", "2024-02-06", "错科目", "9999", "", 10, "", ""],
        ["记-2", "2024-02-06", "错科目", "1002", "", "", 10, ""],
        # row 7-8: a closed period
        ["记-9", "2024-01-20", "一月补记", "1001", "", 10, "", ""],
        ["记-9", "2024-01-20", "一月补记", "5001", "", "", 10, ""],
        # row 9-10: a number the book has already
        ["记-1", "2024-03-05", "重号", "1001", "", 10, "", ""],
        ["记-1", "2024-03-05", "重号", "5001", "", "", 10, ""],
        # row 11: the same number on another day of the month
        ["记-1", "2024-02-07", "同号异日", "1001", "", 10, "", ""],
        # row 12-13: a gap (记-3 is missing in February), a bad amount and an unknown dimension
        ["记-4", "2024-02-08", "跳号", "1001", "", "12.345", "", ""],
        ["记-4", "2024-02-08", "跳号", "5001", "", "", 10, "往来单位:无此单位"],
    ]
    check = upload(c, book, "vouchers", sheet(HEAD, rows))
    assert check.result["ok"] is False
    errors = {(e["row"], e["column"]) for e in check.result["errors"]}
    assert errors == {
        (3, "借方金额"),  # unbalanced
        (5, "科目编码"),  # unknown account
        (6, "科目编码"),  # non-leaf account
        (7, "日期"),  # closed period
        (9, "凭证字号"),  # the number is taken
        (11, "凭证字号"),  # one number, two dates
        (12, "凭证字号"),  # a gap
        (12, "借方金额"),  # three decimals
        (13, "辅助项"),  # unknown dimension
    }
    messages = {(e["row"], e["column"]): e["message"] for e in check.result["errors"]}
    assert "不平衡" in messages[(3, "借方金额")]
    assert "9999" in messages[(5, "科目编码")] and "明细科目" in messages[(6, "科目编码")]
    assert "已结账" in messages[(7, "日期")]
    assert "重号" in messages[(9, "凭证字号")] and "重号" in messages[(11, "凭证字号")]
    assert "断号" in messages[(12, "凭证字号")]
    before = Voucher.objects.count()
    confirm(c, check)
    assert Voucher.objects.count() == before
    assert not VoucherLine.objects.filter(summary__in=["销售", "跳号"]).exists()


def test_a_voucher_entered_between_check_and_confirm_refuses_the_whole_file(world):
    book, finance, partner, c = world
    check = upload(c, book, "vouchers", sheet(HEAD, GOOD))
    assert check.result["ok"] is True
    # 付-1 of February is taken meanwhile: the file's 付-1 would become 付-2.
    make_voucher(
        book, [("1001", "1", "0"), ("1002", "0", "1")], date=datetime.date(2024, 2, 1), word="付"
    )
    commit = confirm(c, check)
    assert commit.status == Job.Status.FAILED
    assert Voucher.objects.filter(book=book).count() == 1  # the one entered by hand


def test_the_importer_reads_the_word_and_number_in_two_columns(world):
    book, finance, partner, c = world
    head = ["凭证字", "凭证号", "日期", "摘要", "科目编码", "借方", "贷方"]
    rows = [
        ["记", 1, "2024-01-05", "收到投资款", "1002", 100, ""],
        ["记", 1, "2024-01-05", "收到投资款", "3001", "", 100],
    ]
    check = upload(c, book, "vouchers", sheet(head, rows, title=""))
    assert check.result["ok"] is True, check.result
    assert confirm(c, check).result["created"] == 1


def test_a_file_without_the_layout_is_refused(world):
    book, finance, partner, c = world
    check = upload(c, book, "vouchers", sheet(["日期", "金额"], [["2024-01-01", 1]]))
    assert check.result["ok"] is False and check.result["file_errors"]
    assert "凭证字号" in check.result["file_errors"][0]


def test_another_countys_book_and_a_role_without_import_are_refused(world, federation):
    book, finance, partner, c = world
    theirs = make_book_in(federation.b1)
    assert c.get(f"/accounting/books/{theirs.pk}/import/vouchers/").status_code == 404
    assert c.get(f"/accounting/books/{book.pk}/import/nothing/").status_code == 404
    reader = Client()
    reader.force_login(user_with(Role.READ_ONLY, federation.county_a))
    assert reader.get(f"/accounting/books/{book.pk}/import/vouchers/").status_code == 403
    assert c.get(f"/accounting/books/{book.pk}/import/vouchers/").status_code == 200
    for kind in ("vouchers", "openings"):
        resp = c.get(f"/accounting/import/{kind}/template.xlsx")
        assert resp.status_code == 200
    # A job whose book the user no longer reaches writes nothing (the key names the book).
    job_user = user_with(Role.FINANCE, federation.county_b)
    from gongxiao.core.ledgers import get_ledger

    importer = get_ledger("accounting", "vouchers").importer(f"vouchers@{book.pk}")
    assert importer.check(sheet(HEAD, GOOD), job_user).file_errors


# --- opening balances ------------------------------------------------------------------------

OPENING = [
    ["1001", "库存现金", 2000, ""],
    ["1002", "银行存款", 150000, ""],
    ["100201", "工行", 100000, ""],
    ["100202", "农商行", 50000, ""],
    ["1601", "固定资产", 90000, ""],
    ["1602", "累计折旧", "", 12000],
    ["2202", "应付账款", "", 30000],
    ["3001", "实收资本", "", 200000],
    ["合计", "", 242000, 242000],
]


def _banks(book, finance):
    for code, name in (("100201", "工行"), ("100202", "农商行")):
        services.add_account(
            account=SubAccount(book=book, parent=account(book, "1002"), code=code, name=name),
            user=finance,
        )


def test_opening_balances_start_the_trial_balance_and_the_statements(world, federation):
    book, finance, partner, c = world
    _banks(book, finance)
    check = upload(c, book, "openings", sheet(TB_HEAD, OPENING, title="科目余额表"))
    assert check.result["ok"] is True, check.result
    assert not OpeningBalance.objects.exists()
    commit = confirm(c, check)
    assert commit.result["created"] == 7, commit.result
    # The parent's row (1002) is a total, not kept.
    assert set(OpeningBalance.objects.values_list("account__code", flat=True)) == {
        "1001",
        "100201",
        "100202",
        "1601",
        "1602",
        "2202",
        "3001",
    }
    posted_voucher(
        federation.a1,
        book=book,
        date=datetime.date(2024, 2, 10),
        lines=[("100201", "5000", "0"), ("5001", "0", "5000")],
    )
    tb = services.trial_balance([book], datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    rows = tb.by_code()
    assert (rows["1002"].opening_debit, rows["1002"].closing_debit) == (D("150000"), D("155000"))
    assert (rows["100201"].opening_debit, rows["100201"].closing_debit) == (D(100000), D(105000))
    assert rows["3001"].opening_credit == D("200000")
    assert (tb.total_opening_debit, tb.total_opening_credit) == (D("242000"), D("242000"))
    assert tb.balanced
    st = services.Statements([book], datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
    assert st.total_assets == D("235000")  # 2000 + 155000 + 90000 - 12000
    assert st.total_liabilities == D("30000") and st.total_equity == D("205000")
    assert st.in_balance and st.surplus == D("5000")
    # A later period's trial balance opens with the opening balances and the movement since.
    march = services.trial_balance([book], datetime.date(2024, 3, 1), datetime.date(2024, 3, 31))
    assert march.by_code()["1002"].opening_debit == D("155000")
    # The detail ledger opens with them too.
    opening, _rows, closing = services.detail_ledger(
        account(book, "1002"), datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
    )
    assert (opening, closing) == (D("150000"), D("155000"))
    # A second import replaces the first.
    check = upload(
        c, book, "openings", sheet(TB_HEAD, [["1001", "", 10, ""], ["3001", "", "", 10]])
    )
    confirm(c, check)
    assert OpeningBalance.objects.filter(book=book).count() == 2


def test_opening_balances_are_refused_when_debits_and_credits_differ(world):
    book, finance, partner, c = world
    rows = [["1001", "库存现金", 2000, ""], ["3001", "实收资本", "", 1999.99]]
    check = upload(c, book, "openings", sheet(TB_HEAD, rows))
    assert check.result["ok"] is False
    assert "不平衡" in check.result["file_errors"][0]
    confirm(c, check)
    assert not OpeningBalance.objects.exists()
    with pytest.raises(services.AccountingRefused, match="不平衡"):
        services.set_opening_balances(
            book=book,
            balances=[(account(book, "1001"), D("1"), 0), (account(book, "3001"), 0, D("2"))],
            user=finance,
        )
    assert not OpeningBalance.objects.exists()


def test_opening_balance_rows_that_do_not_fit_the_books_are_named(world):
    book, finance, partner, c = world
    _banks(book, finance)
    rows = [
        ["1002", "银行存款", 100, ""],  # a parent without its sub-accounts' rows
        ["1009", "无此科目", 5, ""],  # unknown
        ["1001", "库存现金", "abc", ""],  # not an amount
        ["3001", "实收资本", "", 105],
        ["3001", "实收资本", "", 105],  # twice
    ]
    check = upload(c, book, "openings", sheet(TB_HEAD, rows))
    errors = {(e["row"], e["column"]) for e in check.result["errors"]}
    assert errors == {(3, "科目编码"), (4, "科目编码"), (5, "期初借方"), (7, "科目编码")}
    # A parent's total that is not its sub-accounts' total.
    rows = [["1002", "", 100, ""], ["100201", "", 60, ""], ["100202", "", 30, ""]]
    rows.append(["3001", "", "", 90])
    check = upload(c, book, "openings", sheet(TB_HEAD, rows))
    assert {(e["row"], e["column"]) for e in check.result["errors"]} == {(3, "期初借方")}
    assert not OpeningBalance.objects.exists()


def test_opening_balances_stay_once_the_first_period_is_closed(world):
    book, finance, partner, c = world
    services.set_opening_balances(
        book=book,
        balances=[(account(book, "1001"), D("10"), 0), (account(book, "3001"), 0, D("10"))],
        user=finance,
    )
    services.close_period(services.first_period(book), finance, on=datetime.date(2024, 2, 1))
    check = upload(
        c, book, "openings", sheet(TB_HEAD, [["1001", "", 20, ""], ["3001", "", "", 20]])
    )
    assert check.result["ok"] is False and "已结账" in check.result["file_errors"][0]
    with pytest.raises(services.AccountingRefused, match="已结账"):
        services.set_opening_balances(
            book=book,
            balances=[(account(book, "1001"), D("20"), 0), (account(book, "3001"), 0, D("20"))],
            user=finance,
        )
    assert list(
        OpeningBalance.objects.values_list("debit", "credit").order_by("account__code")
    ) == [
        (D("10.00"), D("0.00")),
        (D("0.00"), D("10.00")),
    ]
    assert Period.objects.get(pk=services.first_period(book).pk).closed
