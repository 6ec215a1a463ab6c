"""Every book in Excel, laid out for print (core/xlsx.py: text stays text, A4, the header rows
repeated on each page): the trial balance, an account's general and detail ledger, the cash
and bank journals, the balance sheet and income statement, the consolidated statements, and
the templates of the two imports."""

from __future__ import annotations

import io

from django.http import FileResponse
from django.utils.translation import gettext as _

from gongxiao.core import xlsx

from .imports import OPENING_COLUMNS, VOUCHER_COLUMNS


class Sheet:
    """A worksheet with the formats every book uses."""

    def __init__(self, wb, title: str):
        self.wb = wb
        self.ws = wb.add_worksheet(title[:31])
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.head = wb.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1})
        self.money = wb.add_format({"num_format": "#,##0.00", "border": 1})
        self.money_bold = wb.add_format({"num_format": "#,##0.00", "border": 1, "bold": True})
        self.cell = wb.add_format({"border": 1})
        self.bold = wb.add_format({"border": 1, "bold": True})
        self.date = wb.add_format({"num_format": "yyyy-mm-dd", "border": 1})
        self.row = 0

    def heading(self, text: str, columns: int) -> None:
        xlsx.merge_cells(self.ws, self.row, 0, self.row, columns - 1, text, self.title)
        self.row += 1

    def header(self, values) -> None:
        xlsx.write_row(self.ws, self.row, 0, values, self.head)
        self.row += 1

    def line(self, texts, amounts=(), *, bold: bool = False) -> None:
        col = 0
        for value in texts:
            fmt = self.date if hasattr(value, "isoformat") else (self.bold if bold else self.cell)
            xlsx.write_cell(self.ws, self.row, col, "" if value is None else value, fmt)
            col += 1
        for value in amounts:
            fmt = self.money_bold if bold else self.money
            xlsx.write_cell(self.ws, self.row, col, value if value != "" else "", fmt)
            col += 1
        self.row += 1

    def finish(self, columns: int, header_rows: int, **kw) -> None:
        xlsx.finish_sheet(
            self.ws, header_rows=header_rows, columns=columns, repeat_from=1, max_width=40, **kw
        )


def _response(build, filename: str) -> FileResponse:
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    build(wb)
    wb.close()
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename=filename)


def _blank(v):
    return v if v else ""


def trial_balance(sections, period) -> FileResponse:
    headers = [
        _("account code"),
        _("account name"),
        _("opening debit"),
        _("opening credit"),
        _("period debit"),
        _("period credit"),
        _("closing debit"),
        _("closing credit"),
    ]

    def build(wb):
        for i, (label, books, tb) in enumerate(sections):
            s = Sheet(wb, f"{i + 1} {label}")
            s.heading(
                f"{_('Trial balance')} {period.label} {label} {'、'.join(b.name for b in books)}",
                len(headers),
            )
            s.header(headers)
            for row in tb.rows:
                if not (row.opening_signed or row.debit or row.credit):
                    continue
                s.line(
                    ["　" * (row.account.level - 1) + row.account.code, row.account.name],
                    [
                        _blank(row.opening_debit),
                        _blank(row.opening_credit),
                        _blank(row.debit),
                        _blank(row.credit),
                        _blank(row.closing_debit),
                        _blank(row.closing_credit),
                    ],
                    bold=row.account.level == 1,
                )
            s.line(
                [_("Total"), ""],
                [
                    tb.total_opening_debit,
                    tb.total_opening_credit,
                    tb.total_debit,
                    tb.total_credit,
                    tb.total_closing_debit,
                    tb.total_closing_credit,
                ],
                bold=True,
            )
            s.finish(len(headers), 2, landscape=True)

    return _response(build, f"科目余额表-{period.code}.xlsx")


def account_ledger(account, period, opening, rows, closing, g_opening, months) -> FileResponse:
    def build(wb):
        g = Sheet(wb, _("General ledger"))
        g.heading(f"{_('General ledger')} {account.book} {account} {period.label}", 5)
        g.header([_("year"), _("month"), _("debit"), _("credit"), _("balance")])
        g.line(["", _("Opening balance")], ["", "", g_opening])
        for y, m, d, c, b in months:
            g.line([y, m], [d, c, b])
        g.finish(5, 2)
        s = Sheet(wb, _("Detail ledger"))
        s.heading(f"{_('Detail ledger')} {account.book} {account} {period.label}", 6)
        s.header([_("date"), _("voucher"), _("summary"), _("debit"), _("credit"), _("balance")])
        s.line(["", "", _("Opening balance")], ["", "", opening])
        for line, bal in rows:
            v = line.voucher
            s.line(
                [v.date, f"{v.word}-{v.number:04d}", line.summary],
                [_blank(line.debit), _blank(line.credit), bal],
            )
        s.line(["", "", _("Closing balance")], ["", "", closing], bold=True)
        s.finish(6, 2)

    return _response(build, f"总账明细账-{account.code}-{period.code}.xlsx")


JOURNAL_TITLES = {"cash": "现金日记账", "bank": "银行存款日记账"}


def journal(book, kind, period, rows) -> FileResponse:
    labels = {
        "opening": _("Opening balance"),
        "day": _("Total of the day"),
        "month": _("Total of the month"),
        "closing": _("Closing balance"),
    }

    def build(wb):
        s = Sheet(wb, JOURNAL_TITLES[kind])
        s.heading(f"{JOURNAL_TITLES[kind]} {book.unit.name} {book.name} {period.label}", 7)
        s.header(
            [
                _("date"),
                _("voucher"),
                _("summary"),
                _("counter-account"),
                _("debit (in)"),
                _("credit (out)"),
                _("balance"),
            ]
        )
        for r in rows:
            if r["kind"] == "line":
                v = r["voucher"]
                s.line(
                    [r["date"], f"{v.word}-{v.number:04d}", r["summary"], r["counter"]],
                    [_blank(r["debit"]), _blank(r["credit"]), r["balance"]],
                )
            else:
                total = r["kind"] in ("day", "month")
                s.line(
                    [r["date"], "", labels[r["kind"]], ""],
                    [r["debit"] if total else "", r["credit"] if total else "", r["balance"]],
                    bold=True,
                )
        s.finish(7, 2)

    return _response(build, f"{JOURNAL_TITLES[kind]}-{book.pk}-{period.code}.xlsx")


def statements(sections, period) -> FileResponse:
    def build(wb):
        for i, (label, books, st) in enumerate(sections):
            names = "、".join(b.unit.name for b in books)
            s = Sheet(wb, f"{i + 1} {_('Balance sheet')}")
            s.heading(f"{_('Balance sheet')} {period.end} {label} {names}", 3)
            s.header([_("account code"), _("item"), _("closing balance")])
            for title, rows, sign, total in (
                (_("Assets"), st.assets, 1, st.total_assets),
                (_("Liabilities"), st.liabilities, -1, st.total_liabilities),
                (_("Owners' equity"), st.equity, -1, st.total_equity),
            ):
                s.line(["", title], [""], bold=True)
                for r in rows:
                    if r.closing_signed:
                        s.line([r.account.code, r.account.name], [r.closing_signed * sign])
                if title == _("Owners' equity") and st.unclosed_profit:
                    s.line(
                        ["", _("Profit of the year not yet carried forward")], [st.unclosed_profit]
                    )
                s.line(["", _("Total") + " " + title], [total], bold=True)
            s.line(
                ["", _("Liabilities and owners' equity")],
                [st.total_liabilities + st.total_equity],
                bold=True,
            )
            s.finish(3, 2)
            p = Sheet(wb, f"{i + 1} {_('Income statement')}")
            p.heading(f"{_('Income statement')} {period.label} {label} {names}", 3)
            p.header([_("account code"), _("item"), _("amount")])
            p.line(["", _("Income")], [""], bold=True)
            for a, v in st.income:
                if v:
                    p.line([a.code, a.name], [v])
            p.line(["", _("Total income")], [st.total_income], bold=True)
            p.line(["", _("Expenses")], [""], bold=True)
            for a, v in st.expenses:
                if v:
                    p.line([a.code, a.name], [v])
            p.line(["", _("Total expenses")], [st.total_expenses], bold=True)
            p.line(["", _("Surplus")], [st.surplus], bold=True)
            p.finish(3, 2)

    return _response(build, f"资产负债表利润表-{period.code}.xlsx")


def consolidated(report, unit, period) -> FileResponse:
    heads = [_("item"), *[b.unit.name for b in report.books], _("Total")]
    n = len(heads)

    def build(wb):
        s = Sheet(wb, _("Consolidated balance sheet"))
        s.heading(f"{_('Consolidated balance sheet')} {unit.name} {period.end}", n)
        s.header(heads)
        section = None
        titles = {
            "assets": _("Assets"),
            "liabilities": _("Liabilities"),
            "equity": _("Owners' equity"),
        }
        for e in report.balance_sheet:
            sec = e["line"]["section"]
            if sec != section:
                if section:
                    per, total = report.totals[section]
                    s.line([_("Total") + " " + titles[section]], [*per, total], bold=True)
                section = sec
            s.line([e["line"]["name"]], [*e["figures"], e["total"]])
        if section:
            per, total = report.totals[section]
            s.line([_("Total") + " " + titles[section]], [*per, total], bold=True)
        s.finish(n, 2, landscape=n > 6)
        p = Sheet(wb, _("Consolidated income statement"))
        p.heading(f"{_('Consolidated income statement')} {unit.name} {period.label}", n)
        p.header(heads)
        for e in report.income_statement:
            p.line([e["line"]["name"]], [*e["figures"], e["total"]])
        p.line([_("Surplus")], [*report.surplus, report.total_surplus], bold=True)
        p.finish(n, 2, landscape=n > 6)

    return _response(build, f"合并报表-{period.code}.xlsx")


def template(kind: str) -> FileResponse:
    columns = VOUCHER_COLUMNS if kind == "vouchers" else OPENING_COLUMNS
    examples = (
        [
            ["记-1", "2024-01-05", "收到投资款", "1002", "银行存款", 500000, "", ""],
            ["记-1", "2024-01-05", "收到投资款", "3001", "实收资本", "", 500000, ""],
            ["记-2", "2024-01-08", "赊购化肥", "1405", "库存商品", 80000, "", ""],
            ["记-2", "2024-01-08", "赊购化肥", "2202", "应付账款", "", 80000, "往来单位:G01"],
        ]
        if kind == "vouchers"
        else [
            ["1002", "银行存款", 120000, ""],
            ["1601", "固定资产", 80000, ""],
            ["3001", "实收资本", "", 200000],
        ]
    )

    def build(wb):
        s = Sheet(wb, "凭证" if kind == "vouchers" else "期初余额")
        s.row = 0
        s.header(columns)
        for row in examples:
            xlsx.write_row(s.ws, s.row, 0, row)
            s.row += 1
        xlsx.finish_sheet(s.ws, header_rows=1, columns=len(columns), min_width=10)
        notes = wb.add_worksheet(_("Instructions"))
        lines = (
            [
                _("One voucher line a row; the lines of a voucher share its 凭证字号 and 日期."),
                _("凭证字号: 记-12, 记字第12号 or 记12 (also two columns 凭证字 and 凭证号)."),
                _(
                    "The numbers continue the book's of the month without a gap; the vouchers "
                    "enter as drafts, then are submitted, reviewed and posted."
                ),
                _("科目编码: a leaf account of the book (a sub-account where there are any)."),
                _(
                    "辅助项: e.g. 往来单位:G01；部门:财务部 "
                    "(code or name of a dimension of the book)."
                ),
                _("Delete the example rows before importing."),
            ]
            if kind == "vouchers"
            else [
                _("One account a row with its opening debit or credit balance."),
                _(
                    "Rows of accounts with sub-accounts are totals: they must equal their "
                    "sub-accounts' rows and are not kept."
                ),
                _("Debits must equal credits; the balances go into the book's first period."),
                _("Delete the example rows before importing."),
            ]
        )
        for i, line in enumerate(lines):
            xlsx.write_cell(notes, i, 0, line)
        notes.set_column(0, 0, 100)

    name = "凭证导入模板.xlsx" if kind == "vouchers" else "期初余额导入模板.xlsx"
    return _response(build, name)
