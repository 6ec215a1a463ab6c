"""Pages beyond the kit: the trial balance (科目余额表) of a book or consolidated over the books
in reach, the general and detail ledger of an account drilling to its vouchers, and the balance
sheet and income statement. Every query goes through the scoping layer (books_in_reach)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongxiao.core import jobs, scoping
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import Job

from . import exports, services
from .imports import key
from .models import Account, Book, Standard, Voucher


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
        return exports.trial_balance(sections, period)
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
        return exports.account_ledger(account, period, opening, rows, closing, g_opening, months)
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
    if request.GET.get("format") == "xlsx":
        return exports.statements(sections, period)
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


def _one_book(request):
    """The book asked for (?book=) or the first in reach under the working unit."""
    book, _books_ = _books(request)
    if book is None:
        book = services.books_in_reach(request.user, request.working_unit).first()
    return book


@login_required
def journal(request):
    """现金日记账 and 银行存款日记账 of one book for the working period, with the running
    balance and the totals of each day and month; each line links to its voucher."""
    user = request.user
    _require(user)
    period = request.working_period
    book = _one_book(request)
    kind = "bank" if request.GET.get("kind") == "bank" else "cash"
    rows = services.journal(book, kind, period.start, period.end) if book else []
    if book and request.GET.get("format") == "xlsx":
        return exports.journal(book, kind, period, rows)
    return render(
        request,
        "accounting/journal.html",
        {
            "period": period,
            "book": book,
            "books": services.books_in_reach(user, request.working_unit),
            "kind": kind,
            "title": exports.JOURNAL_TITLES[kind],
            "account": services.journal_account(book, kind) if book else None,
            "rows": rows,
            "unit": request.working_unit,
        },
    )


@login_required
def consolidated(request):
    """合并报表 over the unit tree: every book in reach under the working unit, whatever its
    standard, mapped onto the consolidated lines (charts/consolidation.json)."""
    user = request.user
    _require(user)
    period = request.working_period
    books = list(services.books_in_reach(user, request.working_unit))
    report = services.Consolidated(books, period.start, period.end)
    if request.GET.get("format") == "xlsx":
        return exports.consolidated(report, request.working_unit, period)
    return render(
        request,
        "accounting/consolidated.html",
        {"period": period, "report": report, "unit": request.working_unit},
    )


@login_required
def voucher_print(request, pk: int):
    """记账凭证 on paper: the voucher as the print view of any other record."""
    _require(request.user)
    voucher = get_object_or_404(
        Voucher.objects.visible_to(request.user).select_related(
            "book__unit", "created_by", "reviewed_by", "posted_by"
        ),
        pk=pk,
    )
    lines = list(
        voucher.lines.select_related("account", "partner", "department", "project").order_by("id")
    )
    debit, credit, _n = services.totals(voucher)
    return render(
        request,
        "accounting/voucher_print.html",
        {
            "v": voucher,
            "lines": lines,
            "total_debit": debit,
            "total_credit": credit,
            "back_url": reverse("ledger-detail", args=["accounting", "vouchers", voucher.pk]),
        },
    )


IMPORT_LEDGER = {"vouchers": "vouchers", "openings": "books"}


@login_required
def book_import(request, pk: int, kind: str):
    """The two imports into one set of books: vouchers, or opening balances. The file is
    checked (and then imported on confirmation) by the kit's import jobs."""
    if kind not in IMPORT_LEDGER:
        raise Http404
    if not scoping.can_any(request.user, "accounting", "import"):
        raise PermissionDenied
    book = get_object_or_404(Book.objects.permitted(request.user, "import"), pk=pk)
    ledger = get_ledger("accounting", IMPORT_LEDGER[kind])
    assert ledger is not None  # both are registered in ledgers.py
    error = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.name.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
            error = _("Only Excel files (.xlsx, .xls) can be imported.")
        elif upload.size > 20 * 1024 * 1024:
            error = _("The file is larger than 20 MB; split it into several files.")
        else:
            job = Job(
                kind=Job.Kind.IMPORT_CHECK,
                ledger=ledger.key,
                user=request.user,
                params={
                    "language": get_language(),
                    "filename": upload.name,
                    "importer": key(kind, book),
                    "back_url": reverse("ledger-detail", args=["accounting", "books", book.pk]),
                },
            )
            job.upload.save(upload.name, upload, save=False)
            job.save()
            jobs.start(job, sync=upload.size <= 512 * 1024)
            return redirect("job-detail", pk=job.pk)
    return render(
        request,
        "accounting/import.html",
        {"error": error, "book": book, "kind": kind},
        status=400 if error else 200,
    )


@login_required
def import_template(request, kind: str):
    if kind not in IMPORT_LEDGER:
        raise Http404
    if not scoping.can_any(request.user, "accounting", "import"):
        raise PermissionDenied
    return exports.template(kind)
