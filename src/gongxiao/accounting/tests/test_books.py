"""The books beyond the trial balance: cash and bank journals with their running balance, every
book in print-ready Excel (text stays text), the voucher's print view, and the consolidated
statements over the unit tree across standards, checked figure by figure on a known example."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal as D

import pytest
from django.test import Client

from gongxiao.accounting import services
from gongxiao.accounting.models import Category
from gongxiao.core.tests.helpers import read_xlsx_values, response_bytes, xlsx_layouts
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .factories import account, make_book_in, posted_voucher

pytestmark = pytest.mark.django_db

YEAR = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def book(federation):
    book = make_book_in(federation.a1)
    services.set_opening_balances(
        book=book,
        balances=[
            (account(book, "1001"), D("500"), 0),
            (account(book, "1002"), D("10000"), 0),
            (account(book, "3001"), 0, D("10500")),
        ],
        user=user_with(Role.FINANCE, federation.county_a),
    )
    for day, lines in [
        ((3, 4), [("1001", "2000", "0", "提现备用"), ("1002", "0", "2000", "提现备用")]),
        ((3, 4), [("5602", "300", "0", "购办公用品"), ("1001", "0", "300", "购办公用品")]),
        ((3, 9), [("1002", "8000", "0", '=HYPERLINK("x")销售'), ("5001", "0", "8000", "销售")]),
        ((4, 2), [("5602", "150", "0", "差旅费"), ("1001", "0", "150", "差旅费")]),
    ]:
        posted_voucher(federation.a1, book=book, date=datetime.date(2024, *day), lines=lines)
    return book


def test_the_cash_journal_runs_its_balance_with_day_and_month_totals(book):
    rows = services.journal(book, "cash", *YEAR)
    got = [
        (r["kind"], r["date"].isoformat(), r.get("debit"), r.get("credit"), r["balance"])
        for r in rows
    ]
    assert got == [
        ("opening", "2024-01-01", None, None, D("500")),
        ("line", "2024-03-04", D("2000"), D("0"), D("2500")),
        ("line", "2024-03-04", D("0"), D("300"), D("2200")),
        ("day", "2024-03-04", D("2000"), D("300"), D("2200")),
        ("month", "2024-03-04", D("2000"), D("300"), D("2200")),
        ("line", "2024-04-02", D("0"), D("150"), D("2050")),
        ("day", "2024-04-02", D("0"), D("150"), D("2050")),
        ("month", "2024-04-02", D("0"), D("150"), D("2050")),
        ("closing", "2024-12-31", None, None, D("2050")),
    ]
    # The counter-account of each line (对方科目).
    assert [r["counter"] for r in rows if r["kind"] == "line"] == [
        "1002 银行存款",
        "5602 管理费用",
        "5602 管理费用",
    ]
    bank = services.journal(book, "bank", datetime.date(2024, 3, 5), YEAR[1])
    assert bank[0]["balance"] == D("8000")  # 10000 opening − 2000 drawn on 4 March
    assert bank[-1]["balance"] == D("16000")


def test_the_journal_page_shows_the_book_in_reach_only(book, federation):
    c = _client(user_with(Role.FINANCE, federation.county_a))
    html = c.get(f"/accounting/journal/?book={book.pk}&period=2024").content.decode()
    assert "现金日记账" in html and "2050.00" in html
    html = c.get(f"/accounting/journal/?book={book.pk}&period=2024&kind=bank").content.decode()
    assert "银行存款日记账" in html and "16000.00" in html
    theirs = make_book_in(federation.b1)
    assert c.get(f"/accounting/journal/?book={theirs.pk}").status_code == 404
    other = _client(user_with(Role.ASSET, federation.county_a))
    assert other.get("/accounting/journal/").status_code == 403


def _xlsx(c, url):
    resp = c.get(url)
    assert resp.status_code == 200, url
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    return response_bytes(resp)


def test_every_book_exports_to_print_ready_excel(book, federation):
    c = _client(user_with(Role.FINANCE, federation.county_a))
    urls = [
        f"/accounting/trial-balance/?book={book.pk}&period=2024&format=xlsx",
        f"/accounting/accounts/{account(book, '1002').pk}/ledger/?period=2024&format=xlsx",
        f"/accounting/journal/?book={book.pk}&period=2024&format=xlsx",
        f"/accounting/journal/?book={book.pk}&period=2024&kind=bank&format=xlsx",
        f"/accounting/statements/?book={book.pk}&period=2024&format=xlsx",
        "/accounting/consolidated/?period=2024&format=xlsx",
    ]
    files = {url: _xlsx(c, url) for url in urls}
    for url, data in files.items():
        for layout in xlsx_layouts(data):
            assert layout.paper == "9" and layout.fit_to_page, (url, layout)
            assert layout.print_titles and layout.frozen_rows == 2, (url, layout)
    tb = read_xlsx_values(files[urls[0]])
    assert ["1002", "银行存款", 10000.0, "", 8000.0, 2000.0, 16000.0, ""] in tb
    assert tb[-1][:2] == ["合计", ""] and tb[-1][2] == tb[-1][3] == 10500.0
    # The ledger workbook has the general ledger and the detail ledger; the summary that
    # looks like a formula is text.
    detail = read_xlsx_values(files[urls[1]], sheet=1)
    assert any(row[2] == '=HYPERLINK("x")销售' for row in detail)
    cash = read_xlsx_values(files[urls[2]])
    assert cash[-1][6] == 2050.0 and cash[-2][4:6] == [0.0, 150.0]
    bs = read_xlsx_values(files[urls[4]])
    assert [row[2] for row in bs if row[0] == "" and row[2] == 18050.0]  # assets, and L + E
    assert ["1001", "库存现金", 2050.0] in [row[:3] for row in bs]
    income = read_xlsx_values(files[urls[4]], sheet=1)
    assert income[-1][2] == 7550.0


def test_a_voucher_prints(book, federation):
    c = _client(user_with(Role.FINANCE, federation.county_a))
    v = book.vouchers.get(number=1, month=3)
    html = c.get(f"/ledgers/accounting/vouchers/{v.pk}/").content.decode()
    assert f"/accounting/vouchers/{v.pk}/print/" in html
    resp = c.get(f"/accounting/vouchers/{v.pk}/print/")
    html = resp.content.decode()
    assert resp.status_code == 200 and "记账凭证" in html and "提现备用" in html
    assert "2000.00" in html and "记字第0001号" in html
    theirs = make_book_in(federation.b1)
    w = posted_voucher(federation.b1, book=theirs)
    assert c.get(f"/accounting/vouchers/{w.pk}/print/").status_code == 404


# --- consolidated statements -----------------------------------------------------------------


def test_every_account_of_every_chart_maps_to_a_line_of_its_kind():
    mapping = services.consolidation_map()
    sections = {line["key"]: line["section"] for line in mapping["lines"]}
    for standard in ("small_enterprise", "cooperative", "village_collective"):
        accounts = services.chart(standard)["accounts"]
        to = mapping["by_code"][standard]
        assert set(to) == {a["code"] for a in accounts}, standard
        for a in accounts:
            section = sections[to[a["code"]]]
            if a["category"] == Category.PROFIT:
                assert section == ("income" if a["direction"] == "credit" else "expense"), a
            else:
                assert (
                    section
                    == {
                        "asset": "assets",
                        "cost": "assets",
                        "liability": "liabilities",
                        "equity": "equity",
                    }[a["category"]]
                ), a
    # The file holds each code once per standard.
    with open(services.CHARTS / "consolidation.json", encoding="utf-8") as f:
        raw = json.load(f)
    for standard in ("small_enterprise", "cooperative", "village_collective"):
        codes = [c for line in raw["lines"] for c in line["accounts"][standard]]
        assert len(codes) == len(set(codes))


def test_the_consolidated_statements_add_books_of_different_standards(federation):
    finance = user_with(Role.FINANCE, federation.county_a)
    se = make_book_in(federation.a1)  # 小企业会计准则
    coop = make_book_in(federation.a2, standard="cooperative")  # 农民专业合作社会计制度
    services.set_opening_balances(
        book=coop,
        balances=[(account(coop, "102"), D("3000"), 0), (account(coop, "301"), 0, D("3000"))],
        user=finance,
    )
    for lines in (
        [("1002", "50000", "0"), ("3001", "0", "50000")],  # capital in
        [("1405", "20000", "0"), ("2202", "0", "20000")],  # purchase on credit
        [("1122", "9000", "0"), ("5001", "0", "9000")],  # sale on credit
        [("5401", "6000", "0"), ("1405", "0", "6000")],  # cost of the sale
        [("5602", "1000", "0"), ("1602", "0", "1000")],  # depreciation
    ):
        posted_voucher(federation.a1, book=se, date=datetime.date(2024, 5, 6), lines=lines)
    for lines in (
        [("113", "4000", "0"), ("501", "0", "4000")],  # 经营收入 on credit
        [("521", "2500", "0"), ("121", "0", "2500")],  # 经营支出
        [("121", "2500", "0"), ("211", "0", "2500")],  # 产品物资 on credit
        [("522", "300", "0"), ("102", "0", "300")],  # 管理费用
    ):
        posted_voucher(federation.a2, book=coop, date=datetime.date(2024, 6, 7), lines=lines)
    report = services.Consolidated([se, coop], *YEAR)
    bs = {e["line"]["key"]: (e["figures"], e["total"]) for e in report.balance_sheet}
    assert bs["cash"] == ([D("50000"), D("2700")], D("52700"))
    assert bs["receivables"] == ([D("9000"), D("4000")], D("13000"))
    assert bs["inventories"] == ([D("14000"), D("0")], D("14000"))
    assert bs["fixed_assets"] == ([D("-1000"), D("0")], D("-1000"))
    assert bs["payables"] == ([D("20000"), D("2500")], D("22500"))
    assert bs["capital"] == ([D("50000"), D("3000")], D("53000"))
    assert bs["retained"] == ([D("2000"), D("1200")], D("3200"))
    assert report.totals["assets"] == ([D("72000"), D("6700")], D("78700"))
    assert report.totals["liabilities"][1] + report.totals["equity"][1] == D("78700")
    assert report.in_balance
    inc = {e["line"]["key"]: (e["figures"], e["total"]) for e in report.income_statement}
    assert inc["revenue"] == ([D("9000"), D("4000")], D("13000"))
    assert inc["operating_costs"] == ([D("6000"), D("2500")], D("8500"))
    assert inc["overheads"] == ([D("1000"), D("300")], D("1300"))
    assert report.surplus == [D("2000"), D("1200")] and report.total_surplus == D("3200")
    assert report.unmapped == []
    # The page over the county: both units, in reach only.
    c = _client(finance)
    html = c.get("/accounting/consolidated/?period=2024").content.decode()
    assert "甲一基层社" in html and "甲二基层社" in html and "78700.00" in html
    assert "3200.00" in html
    theirs = make_book_in(federation.b1)
    posted_voucher(
        federation.b1, book=theirs, lines=[("1002", "777.00", "0"), ("5001", "0", "777.00")]
    )
    assert "777" not in c.get("/accounting/consolidated/?period=2024").content.decode()
    assert (
        "乙一基层社"
        in _client(user_with(Role.FINANCE, federation.city))
        .get("/accounting/consolidated/?period=2024")
        .content.decode()
    )


def test_the_figures_are_in_yuan_and_fen_whatever_the_database_adds_them_as(federation):
    # SQLite adds decimals as floating point: 0.10 + 0.20 comes back as 0.300000000000000.
    book = make_book_in(federation.a1)
    for amount in ("0.10", "0.20"):
        posted_voucher(
            federation.a1, book=book, lines=[("1001", amount, "0"), ("5001", "0", amount)]
        )
    row = services.trial_balance([book], *YEAR).by_code()["1001"]
    assert (str(row.debit), str(row.closing_signed)) == ("0.30", "0.30")
    assert services.cents(D("3567781410.76002")) == D("3567781410.76")


def test_an_account_the_mapping_does_not_know_is_shown_not_dropped(federation, monkeypatch):
    book = make_book_in(federation.a1)
    posted_voucher(federation.a1, book=book, lines=[("1002", "50", "0"), ("5001", "0", "50")])
    mapping = services.consolidation_map()
    partial = {**mapping, "by_code": {**mapping["by_code"], "small_enterprise": {}}}
    monkeypatch.setattr(services, "consolidation_map", lambda: partial)
    report = services.Consolidated([book], *YEAR)
    assert [(a.code, v) for _b, a, v in report.unmapped] == [("1002", D("50")), ("5001", D("50"))]
    assert report.totals["assets"][1] == 0
