"""Pages beyond the kit: the trial balance (科目余额表) of a book or consolidated over the books
in reach, the general and detail ledger of an account drilling to its vouchers, and the balance
sheet and income statement. Every query goes through the scoping layer (books_in_reach)."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongxiao.core import scoping, xlsx

from . import services
from .models import Account, Standard


def _require(user):
    if not scoping.can_any(user, "accounting", "view"):
        raise PermissionDenied


def _books(request):
    """The book asked for (?book=), or every book in reach under the working unit."""
    books = services.books_in_reach(request.user, request.working_unit)
    asked = request.GET.get("book")
    if asked:
        try:
            book = services.books_in_reach(request.user).get(pk=int(asked))
        except (ValueError, services.Book.DoesNotExist):
            raise Http404(_("No such set of books.")) from None
        return book, [book]
    return None, list(books)


def _groups(books):
    """Books by standard: a consolidation adds accounts of the same code within one standard."""
    out: dict[str, list] = {}
    for b in books:
        out.setdefault(b.standard, []).append(b)
    return [(Standard(s).label, bs) for s, bs in sorted(out.items())]


@login_required
def trial_balance(request):
    user = request.user
    _require(user)
    period = request.working_period
    book, books = _books(request)
    sections = [
        (label, bs, services.trial_balance(bs, period.start, period.end))
        for label, bs in _groups(books)
    ]
    if request.GET.get("format") == "xlsx":
        return _trial_balance_xlsx(sections, period)
    return render(
        request,
        "accounting/trial_balance.html",
        {
            "period": period,
            "book": book,
            "books": services.books_in_reach(user, request.working_unit),
            "sections": sections,
            "unit": request.working_unit,
        },
    )


def _trial_balance_xlsx(sections, period):
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(_("Trial balance")[:31])
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0.00"})
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
    r = 0
    for label, books, tb in sections:
        xlsx.write_cell(
            ws, r, 0, f"{label} {period.label} {'、'.join(b.name for b in books)}", bold
        )
        xlsx.write_row(ws, r + 1, 0, headers, bold)
        r += 2
        for row in tb.rows:
            xlsx.write_row(
                ws, r, 0, ["　" * (row.account.level - 1) + row.account.code, row.account.name]
            )
            xlsx.write_row(
                ws,
                r,
                2,
                [
                    row.opening_debit,
                    row.opening_credit,
                    row.debit,
                    row.credit,
                    row.closing_debit,
                    row.closing_credit,
                ],
                money,
            )
            r += 1
        r += 1
    wb.close()
    buf.seek(0)
    return FileResponse(buf, as_attachment=True, filename=f"科目余额表-{period.code}.xlsx")


@login_required
def account_ledger(request, pk: int):
    """总账 and 明细账 of one account (with its sub-accounts) for the working period; each line
    links to its voucher."""
    user = request.user
    _require(user)
    account = Account.objects.visible_to(user).filter(pk=pk).select_related("book").first()
    if account is None:
        raise Http404(_("No such account."))
    period = request.working_period
    opening, rows, closing = services.detail_ledger(account, period.start, period.end)
    g_opening, months = services.general_ledger(account, period.start, period.end)
    if request.GET.get("format") == "xlsx":
        buf = io.BytesIO()
        wb = xlsx.workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet(_("Detail ledger")[:31])
        bold = wb.add_format({"bold": True})
        xlsx.write_cell(ws, 0, 0, f"{account.book} {account} {period.label}", bold)
        xlsx.write_row(
            ws,
            1,
            0,
            [_("date"), _("voucher"), _("summary"), _("debit"), _("credit"), _("balance")],
            bold,
        )
        xlsx.write_row(ws, 2, 0, ["", "", _("Opening balance"), "", "", opening])
        for i, (line, bal) in enumerate(rows, start=3):
            xlsx.write_row(
                ws,
                i,
                0,
                [line.voucher.date, str(line.voucher), line.summary, line.debit, line.credit, bal],
            )
        wb.close()
        buf.seek(0)
        return FileResponse(buf, as_attachment=True, filename=f"明细账-{account.code}.xlsx")
    return render(
        request,
        "accounting/account_ledger.html",
        {
            "account": account,
            "period": period,
            "opening": opening,
            "rows": rows,
            "closing": closing,
            "months": months,
        },
    )


@login_required
def statements(request):
    """资产负债表 and 利润表 of a book, or consolidated by standard over the books in reach."""
    user = request.user
    _require(user)
    period = request.working_period
    book, books = _books(request)
    sections = [
        (label, bs, services.Statements(bs, period.start, period.end))
        for label, bs in _groups(books)
    ]
    return render(
        request,
        "accounting/statements.html",
        {
            "period": period,
            "book": book,
            "books": services.books_in_reach(user, request.working_unit),
            "sections": sections,
            "unit": request.working_unit,
        },
    )
