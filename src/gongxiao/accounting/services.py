"""The rules of centralised accounting: opening a set of books with its standard's chart,
sub-accounts, vouchers numbered without gaps, their lines, the four-eyes steps (submit, review
by someone other than the maker, post by the finance role), red-ink reversal into an open
period, month close and reopening. The database backs the decisive ones (accounting/guards.py).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.core.models import RecordLocked

from .models import (
    ZERO,
    Account,
    Book,
    Category,
    Dimension,
    OpeningBalance,
    Period,
    Voucher,
    VoucherCounter,
    VoucherLine,
)

CHARTS = Path(__file__).parent / "charts"
CENT = Decimal("0.01")


class AccountingRefused(ActionRefused):
    """A step the accounting rules do not allow now."""


# --- charts and books ------------------------------------------------------------------------


@cache
def chart(standard: str) -> dict:
    """The standard's chart of accounts as shipped (charts/<standard>.json)."""
    with open(CHARTS / f"{standard}.json", encoding="utf-8") as f:
        return json.load(f)


@transaction.atomic
def open_book(*, book: Book, user, source: str = "web") -> Book:
    """Open a set of books and give it its standard's level-1 accounts."""
    if book.start_date and book.start_date.day != 1:
        raise ValidationError({"start_date": _("Books start on the first day of a month.")})
    book = kit.create_row(obj=book, user=user, source=source)
    Account.objects.bulk_create(
        Account(
            book=book,
            code=a["code"],
            name=a["name"],
            category=a["category"],
            direction=a["direction"],
            level=1,
            from_chart=True,
            created_by=user,
            updated_by=user,
        )
        for a in chart(book.standard)["accounts"]
    )
    return book


@transaction.atomic
def add_account(*, account: Account, user, source: str = "web") -> Account:
    """A sub-account (明细科目) under an account of the same book: its code is the parent's
    followed by two or more digits; it takes the parent's category and direction. A parent that
    already carries voucher lines cannot get children (its balance would sit on a non-leaf)."""
    parent = account.parent
    if parent is None:
        raise ValidationError(
            {"parent": _("Level-1 accounts come from the standard's chart; choose the parent.")}
        )
    parent = Account.objects.select_for_update().get(pk=parent.pk)
    if parent.book_id != account.book_id:
        raise ValidationError({"parent": _("The parent account belongs to another set of books.")})
    code = (account.code or "").strip()
    if not (code.startswith(parent.code) and len(code) >= len(parent.code) + 2 and code.isdigit()):
        raise ValidationError(
            {
                "code": _(
                    "A sub-account's code is its parent's code (%(code)s) followed by two or "
                    "more digits."
                )
                % {"code": parent.code}
            }
        )
    if VoucherLine.objects.filter(account=parent).exists():
        raise ValidationError(
            {
                "parent": _(
                    "Account %(account)s already has voucher lines; a sub-account under it "
                    "would leave them on a non-leaf account."
                )
                % {"account": parent}
            }
        )
    account.code = code
    account.category = parent.category
    account.direction = parent.direction
    account.level = parent.level + 1
    account.is_leaf = True
    account.from_chart = False
    account = kit.create_row(obj=account, user=user, source=source)
    if parent.is_leaf:
        Account.objects.filter(pk=parent.pk).update(is_leaf=False)
    return account


def account_lock_reason(account: Account) -> str | None:
    if account.pk is None:  # a row about to be imported
        return None
    if account.from_chart:
        return _("Level-1 accounts are set by the accounting standard and cannot be changed.")
    if not account.is_leaf:
        return _("This account has sub-accounts and cannot be changed.")
    if VoucherLine.objects.filter(account=account).exists():
        return _("This account has voucher lines and cannot be changed.")
    return None


# --- periods ---------------------------------------------------------------------------------


def period_for(book: Book, day: datetime.date, *, lock: bool = False) -> Period:
    """The book's period holding `day`, opened if it is not there yet; refused before the books
    start and in a closed period."""
    if day < book.start_date:
        raise ValidationError(
            {
                "date": _("The books start on %(d)s; no voucher can be dated before.")
                % {"d": book.start_date}
            }
        )
    qs = Period.objects.filter(book=book, year=day.year, month=day.month)
    period = (qs.select_for_update() if lock else qs).first()
    if period is None:
        Period.objects.bulk_create(
            [Period(book=book, year=day.year, month=day.month)], ignore_conflicts=True
        )
        period = (qs.select_for_update() if lock else qs).get()
    if period.closed:
        raise ValidationError(
            {
                "date": _("The period %(p)s is closed; date the voucher in an open period.")
                % {"p": period}
            }
        )
    return period


@transaction.atomic
def open_period(*, period: Period, user, source: str = "web") -> Period:
    """Open a month of a book ahead of its vouchers (they open it themselves otherwise)."""
    book = period.book
    if not (1 <= (period.month or 0) <= 12 and 1949 <= (period.year or 0) <= 2100):
        raise ValidationError({"month": _("A period is a month (1–12) of a year.")})
    if datetime.date(period.year, period.month, 1) < book.start_date.replace(day=1):
        raise ValidationError(
            {"month": _("The books start on %(d)s; no period before.") % {"d": book.start_date}}
        )
    period.status = Period.Status.OPEN
    return kit.create_row(obj=period, user=user, source=source)


# --- vouchers --------------------------------------------------------------------------------


def next_number(book: Book, year: int, month: int, word: str) -> int:
    """The next voucher number of (book, month, word), taken under a row lock on its counter so
    concurrent entries never share a number nor leave one out."""
    VoucherCounter.objects.bulk_create(
        [VoucherCounter(book=book, year=year, month=month, word=word)], ignore_conflicts=True
    )
    counter = VoucherCounter.objects.select_for_update().get(
        book=book, year=year, month=month, word=word
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def create_voucher(*, voucher: Voucher, user, source: str = "web") -> Voucher:
    """Enter a voucher (制单) as a draft, numbered next in its book, month and word."""
    book = voucher.book  # in the user's reach: create_row checks it before and after
    period = period_for(book, voucher.date)
    voucher.period = period
    voucher.year, voucher.month = voucher.date.year, voucher.date.month
    voucher.status = Voucher.Status.DRAFT
    voucher.number = next_number(book, voucher.year, voucher.month, voucher.word)
    return kit.create_row(obj=voucher, user=user, source=source)


@transaction.atomic
def update_voucher(*, voucher: Voucher, user, expected_version: int, source: str = "web"):
    """Edit a draft's header. Its number stays: another month or word would leave a gap, so
    such a change is refused (delete the last voucher of a month and enter it again)."""
    stored = Voucher.objects.select_for_update().get(pk=voucher.pk)
    if reason := voucher_lock_reason(stored):
        raise RecordLocked(reason)
    if (voucher.date.year, voucher.date.month, voucher.word) != (
        stored.year,
        stored.month,
        stored.word,
    ) or voucher.book_id != stored.book_id:
        raise ValidationError(
            _(
                "A voucher keeps its book, month and word: its number would leave a gap. "
                "Enter a new voucher instead."
            )
        )
    period_for(stored.book, voucher.date)
    return kit.update_row(obj=voucher, expected_version=expected_version, user=user, source=source)


def check_deletable(voucher: Voucher) -> None:
    """Only a draft that is the last of its month and word may be deleted (the counter steps
    back); any other would leave a gap in the numbers: correct it instead."""
    if voucher.status != Voucher.Status.DRAFT:
        raise RecordLocked(voucher_lock_reason(voucher) or "")
    counter = (
        VoucherCounter.objects.select_for_update()
        .filter(book_id=voucher.book_id, year=voucher.year, month=voucher.month, word=voucher.word)
        .first()
    )
    if counter is None or counter.last != voucher.number:
        raise RecordLocked(
            _(
                "Only the last voucher of a month can be deleted, so the numbers keep no gap; "
                "correct this one and use it instead."
            )
        )
    counter.last -= 1
    counter.save(update_fields=["last"])


def voucher_lock_reason(voucher: Voucher) -> str | None:
    if voucher.status == Voucher.Status.POSTED:
        return _(
            "A posted voucher cannot be changed; correct it with a red-ink reversal "
            "(红字冲销) or a supplementary voucher."
        )
    if voucher.status != Voucher.Status.DRAFT:
        return _("The voucher is under review; it can be changed once returned to its maker.")
    return None


def cents(value) -> Decimal:
    """A sum from the database in yuan and fen: SQLite adds decimals as floating point and
    Django hands the sum back with fifteen digits (3567781410.76002), so it is rounded here."""
    return Decimal(value or 0).quantize(CENT)


def totals(voucher: Voucher) -> tuple[Decimal, Decimal, int]:
    agg = voucher.lines.aggregate(d=Sum("debit"), c=Sum("credit"), n=Count("id"))
    return (cents(agg["d"]), cents(agg["c"]), agg["n"])


def _check_line(line: VoucherLine) -> None:
    voucher = line.voucher
    account = line.account
    errors: dict[str, str] = {}
    if account.book_id != voucher.book_id:
        errors["account"] = _("The account belongs to another set of books.")
    elif not account.is_leaf:
        errors["account"] = _(
            "Account %(account)s has sub-accounts; post to one of them (leaf accounts only)."
        ) % {"account": account}
    for name, needed, kind in (
        ("partner", account.needs_partner, Dimension.Kind.PARTNER),
        ("department", account.needs_department, Dimension.Kind.DEPARTMENT),
        ("project", account.needs_project, Dimension.Kind.PROJECT),
    ):
        dim = getattr(line, name)
        if dim is not None and (dim.book_id != voucher.book_id or dim.kind != kind):
            errors[name] = _("Choose an item of this kind from the same set of books.")
        elif needed and dim is None:
            errors[name] = _("Account %(account)s is kept by this dimension; choose one.") % {
                "account": account
            }
    debit, credit = line.debit or ZERO, line.credit or ZERO
    if (debit == 0) == (credit == 0):
        errors["debit"] = _("A line has a debit or a credit amount, not both and not neither.")
    for name, value in (("debit", debit), ("credit", credit)):
        if value != value.quantize(CENT):
            errors[name] = _("Amounts are in yuan with two decimal places.")
    if errors:
        raise ValidationError(errors)


def _lock_draft(voucher_id: int) -> Voucher:
    voucher = Voucher.objects.select_for_update().get(pk=voucher_id)
    if voucher.status != Voucher.Status.DRAFT:
        raise RecordLocked(voucher_lock_reason(voucher) or "")
    return voucher


@transaction.atomic
def add_line(*, line: VoucherLine, user, source: str = "web") -> VoucherLine:
    line.voucher = _lock_draft(line.voucher_id)
    _check_line(line)
    return kit.create_row(obj=line, user=user, source=source)


@transaction.atomic
def update_line(*, line: VoucherLine, user, expected_version: int, source: str = "web"):
    stored = VoucherLine.objects.get(pk=line.pk)
    _lock_draft(stored.voucher_id)
    line.voucher = _lock_draft(line.voucher_id)
    _check_line(line)
    return kit.update_row(obj=line, expected_version=expected_version, user=user, source=source)


def line_lock_reason(line: VoucherLine) -> str | None:
    return voucher_lock_reason(line.voucher)


# --- the steps -------------------------------------------------------------------------------


def check_submit(voucher: Voucher, user=None) -> None:
    if voucher.status != Voucher.Status.DRAFT:
        raise AccountingRefused(_("Only a draft can be submitted."))
    debit, credit, n = totals(voucher)
    if n < 2:
        raise AccountingRefused(_("A voucher has two lines at least."))
    if debit != credit:
        raise AccountingRefused(
            _("Debit %(d)s and credit %(c)s differ by %(x)s: the voucher is not balanced.")
            % {"d": debit, "c": credit, "x": debit - credit}
        )
    if debit == 0:
        raise AccountingRefused(_("The voucher's amounts add up to zero."))
    if voucher.period.closed:
        raise AccountingRefused(_("The period %(p)s is closed.") % {"p": voucher.period})


def _set(obj, **fields) -> None:
    """Write `fields` to the row and to the object in hand."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    for k, v in fields.items():
        setattr(obj, k, v)


def submit(voucher: Voucher, user, *, on=None) -> Voucher:
    check_submit(voucher, user)
    _set(voucher, status=Voucher.Status.SUBMITTED, returned_reason="")
    return voucher


def _not_maker(voucher: Voucher, user, message: str) -> None:
    if voucher.created_by_id == user.pk:
        raise AccountingRefused(message)


def check_review(voucher: Voucher, user) -> None:
    if voucher.status != Voucher.Status.SUBMITTED:
        raise AccountingRefused(_("Only a submitted voucher can be reviewed."))
    _not_maker(voucher, user, _("The maker of a voucher cannot review it: another person must."))


def review(voucher: Voucher, user, *, on) -> Voucher:
    check_review(voucher, user)
    if on < voucher.date:
        raise ValidationError({"on": _("The review cannot be dated before the voucher.")})
    _set(voucher, status=Voucher.Status.REVIEWED, reviewed_by=user, reviewed_on=on)
    return voucher


def check_return(voucher: Voucher, user) -> None:
    if voucher.status not in (Voucher.Status.SUBMITTED, Voucher.Status.REVIEWED):
        raise AccountingRefused(_("Only a voucher under review can be returned."))
    _not_maker(voucher, user, _("The maker of a voucher cannot return it: another person must."))


def return_to_maker(voucher: Voucher, user, *, reason: str) -> Voucher:
    check_return(voucher, user)
    _set(
        voucher,
        status=Voucher.Status.DRAFT,
        reviewed_by=None,
        reviewed_on=None,
        returned_reason=reason,
    )
    return voucher


def check_post(voucher: Voucher, user) -> None:
    if voucher.status != Voucher.Status.REVIEWED:
        raise AccountingRefused(_("Only a reviewed voucher can be posted."))
    _not_maker(voucher, user, _("The maker of a voucher cannot post it: another person must."))
    if voucher.period.closed:
        raise AccountingRefused(_("The period %(p)s is closed.") % {"p": voucher.period})
    debit, credit, n = totals(voucher)
    if n < 2 or debit != credit or debit == 0:
        raise AccountingRefused(_("The voucher is not balanced and cannot be posted."))


def post(voucher: Voucher, user, *, on) -> Voucher:
    """记账: the voucher enters the books; from now on it never changes (the database refuses)."""
    check_post(voucher, user)
    if on < voucher.date:
        raise ValidationError({"on": _("The posting cannot be dated before the voucher.")})
    try:
        with transaction.atomic():
            _set(voucher, status=Voucher.Status.POSTED, posted_by=user, posted_on=on)
    except IntegrityError as exc:  # the database's own check (guards.py)
        raise AccountingRefused(_("The voucher is not balanced and cannot be posted.")) from exc
    return voucher


def check_reverse(voucher: Voucher, user=None) -> None:
    if voucher.status != Voucher.Status.POSTED:
        raise AccountingRefused(_("Only a posted voucher is corrected by reversal."))
    if Voucher.objects.filter(reverses=voucher).exists():
        raise AccountingRefused(_("This voucher has already been reversed."))
    if voucher.reverses_id:
        raise AccountingRefused(_("A reversal is not reversed again; enter a new voucher."))


@transaction.atomic
def reverse(voucher: Voucher, user, *, on, summary: str = "") -> Voucher:
    """红字冲销: a new draft voucher, dated `on` in an open period (not the original's date), with
    every line of the original in red (negated), linked to it. It is then reviewed and posted
    like any other; the original stays as it was."""
    check_reverse(voucher, user)
    original = voucher
    if on < original.date:
        raise ValidationError(
            {"on": _("A reversal cannot be dated before the voucher it reverses.")}
        )
    head = summary or _("Reversal of voucher %(v)s") % {"v": original}
    red = Voucher(book=original.book, word=original.word, date=on, attachments=0)
    red = create_voucher(voucher=red, user=user, source="reversal")
    try:
        Voucher.objects.filter(pk=red.pk).update(reverses=original)
    except IntegrityError as exc:
        raise AccountingRefused(_("This voucher has already been reversed.")) from exc
    lines = [
        VoucherLine(
            voucher=red,
            summary=f"{head}：{line.summary}"[:200],
            account_id=line.account_id,
            debit=-line.debit,
            credit=-line.credit,
            partner_id=line.partner_id,
            department_id=line.department_id,
            project_id=line.project_id,
            created_by=user,
            updated_by=user,
        )
        for line in original.lines.all()
    ]
    VoucherLine.objects.bulk_create(lines)
    for line in lines:
        kit.record_change(
            obj=line, kind="create", user=user, after=kit.snapshot(line), source="reversal"
        )
    red.refresh_from_db()
    return original


# --- periods: close and reopen ---------------------------------------------------------------


def _previous(period: Period) -> tuple[int, int]:
    return (period.year - 1, 12) if period.month == 1 else (period.year, period.month - 1)


def _period_start(period: Period) -> datetime.date:
    return datetime.date(period.year, period.month, 1)


def check_close(period: Period, user=None) -> None:
    if period.closed:
        raise AccountingRefused(_("The period is already closed."))
    book = period.book
    y, m = _previous(period)
    if datetime.date(y, m, 1) >= book.start_date.replace(day=1):
        prev = Period.objects.filter(book=book, year=y, month=m).first()
        if prev is None or not prev.closed:
            raise AccountingRefused(
                _("Close %(y)s-%(m)02d first: periods are closed in order.") % {"y": y, "m": m}
            )
    pending = period.vouchers.exclude(status=Voucher.Status.POSTED).count()
    if pending:
        raise AccountingRefused(
            _("%(n)s vouchers of this period are not posted yet: post or delete them first.")
            % {"n": pending}
        )
    end = _month_end(period.year, period.month)
    rows = trial_balance([book], book.start_date, end)
    if rows.total_closing_debit != rows.total_closing_credit:
        raise AccountingRefused(_("The trial balance is not in balance."))
    if period.month == 12:
        open_pl = [r for r in rows.leaves if r.account.category == Category.PROFIT and r.closing]
        if open_pl:
            raise AccountingRefused(
                _(
                    "At year end income and expense accounts are carried forward (结转损益) "
                    "before closing: %(accounts)s still carry a balance."
                )
                % {"accounts": "、".join(str(r.account) for r in open_pl[:5])}
            )


def close_period(period: Period, user, *, on) -> Period:
    """结账: the month takes no more vouchers; its figures stand."""
    check_close(period, user)
    _set(period, status=Period.Status.CLOSED, closed_on=on, closed_by=user)
    return period


def check_reopen(period: Period, user=None) -> None:
    if not period.closed:
        raise AccountingRefused(_("The period is open."))
    later = (
        Period.objects.filter(book_id=period.book_id, status=Period.Status.CLOSED)
        .filter(Q(year__gt=period.year) | Q(year=period.year, month__gt=period.month))
        .order_by("year", "month")
        .first()
    )
    if later is not None:
        raise AccountingRefused(
            _("A later period (%(p)s) is closed: reopen that one first.") % {"p": later}
        )


def reopen_period(period: Period, user, *, reason: str) -> Period:
    """反结账: by the finance role, with a reason, logged (the action record keeps who, when and
    why; the period keeps the last reason)."""
    check_reopen(period, user)
    _set(period, status=Period.Status.OPEN, closed_on=None, closed_by=None, reopen_reason=reason)
    return period


def _carry_forward_basis(period: Period):
    """The income and expense leaves with a balance at the period's end, and the account they
    go to; refused when there is nothing to carry or nowhere to carry it."""
    if period.closed:
        raise AccountingRefused(_("The period is closed."))
    book = period.book
    rows = trial_balance([book], book.start_date, _month_end(period.year, period.month))
    open_pl = [r for r in rows.leaves if r.account.category == Category.PROFIT and r.closing]
    if not open_pl:
        raise AccountingRefused(_("No income or expense balance to carry forward."))
    target = _profit_account(book)
    if target is None:
        raise AccountingRefused(_("The chart has no current-year profit account."))
    return open_pl, target


def check_carry_forward(period: Period, user=None) -> None:
    _carry_forward_basis(period)


PROFIT_ACCOUNT = {
    "small_enterprise": "3103",
    "cooperative": "331",
    "village_collective": "321",
}


def _profit_account(book: Book) -> Account | None:
    return Account.objects.filter(
        book=book, code=PROFIT_ACCOUNT.get(book.standard, ""), is_leaf=True
    ).first()


@transaction.atomic
def carry_forward(period: Period, user, *, on=None) -> Period:
    """结转损益: a draft voucher on the period's last day moving every income and expense
    balance to the current-year profit account (本年利润 / 本年盈余 / 本年收益)."""
    open_pl, target = _carry_forward_basis(period)
    book = period.book
    end = _month_end(period.year, period.month)
    voucher = create_voucher(
        voucher=Voucher(book=book, word=Voucher.Word.TRANSFER, date=end),
        user=user,
        source="carry_forward",
    )
    _set(voucher, carry_forward=True)
    lines, net = [], ZERO  # net: debit minus credit put on the profit account
    for r in open_pl:
        bal = r.closing_signed  # debit minus credit
        if bal > 0:
            lines.append(VoucherLine(account=r.account, credit=bal))
        else:
            lines.append(VoucherLine(account=r.account, debit=-bal))
        net += bal
    if net > 0:
        lines.append(VoucherLine(account=target, debit=net))
    elif net < 0:
        lines.append(VoucherLine(account=target, credit=-net))
    summary = _("Carry forward profit and loss")
    for line in lines:
        line.voucher = voucher
        line.summary = summary
        line.created_by = line.updated_by = user
    VoucherLine.objects.bulk_create(lines)
    return period


# --- books and statements --------------------------------------------------------------------


def _month_end(year: int, month: int) -> datetime.date:
    nxt = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - datetime.timedelta(days=1)


class Row:
    """One account's line of the trial balance (科目余额表), amounts as debit-minus-credit."""

    def __init__(self, account, opening=ZERO, debit=ZERO, credit=ZERO):
        self.account = account
        self.opening_signed = opening
        self.debit = debit
        self.credit = credit
        self.children: list[Row] = []

    @property
    def closing_signed(self) -> Decimal:
        return self.opening_signed + self.debit - self.credit

    @property
    def closing(self) -> Decimal:
        return self.closing_signed

    @staticmethod
    def _sides(v: Decimal) -> tuple[Decimal, Decimal]:
        return (v, ZERO) if v >= 0 else (ZERO, -v)

    @property
    def opening_debit(self):
        return self._sides(self.opening_signed)[0]

    @property
    def opening_credit(self):
        return self._sides(self.opening_signed)[1]

    @property
    def closing_debit(self):
        return self._sides(self.closing_signed)[0]

    @property
    def closing_credit(self):
        return self._sides(self.closing_signed)[1]

    @property
    def balance(self) -> Decimal:
        """The closing balance on the account's own side (a credit account's credit balance
        positive)."""
        v = self.closing_signed
        return v if self.account.direction == "debit" else -v


class TrialBalance:
    def __init__(self, rows: list[Row], leaves: list[Row]):
        self.rows = rows  # level-1 rows with their children, in code order
        self.leaves = leaves
        top = [r for r in rows if r.account.level == 1]
        self.total_opening_debit = sum((r.opening_debit for r in top), ZERO)
        self.total_opening_credit = sum((r.opening_credit for r in top), ZERO)
        self.total_debit = sum((r.debit for r in top), ZERO)
        self.total_credit = sum((r.credit for r in top), ZERO)
        self.total_closing_debit = sum((r.closing_debit for r in top), ZERO)
        self.total_closing_credit = sum((r.closing_credit for r in top), ZERO)

    @property
    def balanced(self) -> bool:
        return (
            self.total_opening_debit == self.total_opening_credit
            and self.total_debit == self.total_credit
            and self.total_closing_debit == self.total_closing_credit
        )

    def by_code(self) -> dict[str, Row]:
        return {r.account.code: r for r in self.rows}


def posted_lines(books, start: datetime.date | None = None, end: datetime.date | None = None):
    qs = VoucherLine.objects.filter(voucher__book__in=books, voucher__status=Voucher.Status.POSTED)
    if start:
        qs = qs.filter(voucher__date__gte=start)
    if end:
        qs = qs.filter(voucher__date__lte=end)
    return qs


def trial_balance(books, start: datetime.date, end: datetime.date) -> TrialBalance:
    """科目余额表 of one book (or, by account code, of several books of one standard): opening
    balance before `start`, movement from `start` to `end`, closing balance — from one GROUP BY
    over the posted lines, rolled up from the leaves to their level-1 accounts."""
    books = list(books)
    agg = (
        posted_lines(books, end=end)
        .values("account_id")
        .annotate(
            opening=Sum("debit", filter=Q(voucher__date__lt=start), default=ZERO)
            - Sum("credit", filter=Q(voucher__date__lt=start), default=ZERO),
            debit=Sum("debit", filter=Q(voucher__date__gte=start), default=ZERO),
            credit=Sum("credit", filter=Q(voucher__date__gte=start), default=ZERO),
        )
    )
    figures = {a["account_id"]: a for a in agg}
    # The balances the books started with (期初余额), before any of their vouchers.
    openings = {
        o["account_id"]: o["debit"] - o["credit"]
        for o in OpeningBalance.objects.filter(book__in=books).values(
            "account_id", "debit", "credit"
        )
    }
    accounts = list(Account.objects.filter(book__in=books).order_by("code", "book_id"))
    # Several books: accounts of the same code are one row (the consolidation by code).
    by_code: dict[str, Row] = {}
    by_id: dict[int, Row] = {}
    for acc in accounts:
        row = by_code.get(acc.code)
        if row is None:
            row = by_code[acc.code] = Row(acc)
        by_id[acc.pk] = row
        f = figures.get(acc.pk)
        if f:
            row.opening_signed += cents(f["opening"])
            row.debit += cents(f["debit"])
            row.credit += cents(f["credit"])
        if acc.pk in openings:
            row.opening_signed += openings[acc.pk]
    code_of = {a.pk: a.code for a in accounts}
    parent_code = {a.code: code_of.get(a.parent_id) if a.parent_id else None for a in accounts}
    leaves = [r for r in by_code.values() if r.account.is_leaf]
    # Roll the leaves' figures up to every ancestor.
    for row in sorted(by_code.values(), key=lambda r: -r.account.level):
        up = parent_code.get(row.account.code)
        if up:
            parent = by_code[up]
            parent.opening_signed += row.opening_signed
            parent.debit += row.debit
            parent.credit += row.credit
            parent.children.append(row)
    rows = sorted(by_code.values(), key=lambda r: r.account.code)
    return TrialBalance(rows, leaves)


def detail_ledger(account: Account, start: datetime.date, end: datetime.date):
    """明细账: the opening balance and each posted line of the account (and its sub-accounts)
    with the running balance on the account's side."""
    codes = Account.objects.filter(book=account.book, code__startswith=account.code)
    sign = 1 if account.direction == "debit" else -1
    before = (
        posted_lines([account.book], end=start - datetime.timedelta(days=1))
        .filter(account__in=codes)
        .aggregate(d=Sum("debit", default=ZERO), c=Sum("credit", default=ZERO))
    )
    started = OpeningBalance.objects.filter(account__in=codes).aggregate(
        d=Sum("debit", default=ZERO), c=Sum("credit", default=ZERO)
    )
    balance = cents(before["d"] - before["c"] + started["d"] - started["c"]) * sign
    opening = balance
    rows = []
    lines = (
        posted_lines([account.book], start, end)
        .filter(account__in=codes)
        .select_related("voucher", "account")
        .order_by("voucher__date", "voucher__word", "voucher__number", "id")
    )
    for line in lines:
        balance += (line.debit - line.credit) * sign
        rows.append((line, balance))
    return opening, rows, balance


def general_ledger(account: Account, start: datetime.date, end: datetime.date):
    """总账: per month, the movement and the closing balance of the account and its subtree."""
    opening, rows, _closing = detail_ledger(account, start, end)
    months: dict[tuple[int, int], list] = {}
    for line, balance in rows:
        key = (line.voucher.year, line.voucher.month)
        m = months.setdefault(key, [ZERO, ZERO, balance])
        m[0] += line.debit
        m[1] += line.credit
        m[2] = balance
    return opening, [(y, mo, d, c, b) for (y, mo), (d, c, b) in sorted(months.items())]


class Statements:
    """资产负债表 and 利润表 (收益及收益分配表) basics from a trial balance."""

    def __init__(self, books, start: datetime.date, end: datetime.date):
        tb = trial_balance(books, start, end)
        year_start = datetime.date(end.year, 1, 1)
        top = [r for r in tb.rows if r.account.level == 1]
        self.assets = [r for r in top if r.account.category in (Category.ASSET, Category.COST)]
        self.liabilities = [r for r in top if r.account.category == Category.LIABILITY]
        self.equity = [r for r in top if r.account.category == Category.EQUITY]
        profit_rows = [r for r in top if r.account.category == Category.PROFIT]
        self.total_assets = sum((r.closing_signed for r in self.assets), ZERO)
        self.total_liabilities = -sum((r.closing_signed for r in self.liabilities), ZERO)
        # Income and expense not yet carried forward belong to the equity of the year.
        self.unclosed_profit = -sum((r.closing_signed for r in profit_rows), ZERO)
        self.total_equity = -sum((r.closing_signed for r in self.equity), ZERO) + (
            self.unclosed_profit
        )
        # The income statement: movement of the range, carry-forward vouchers left out.
        movement = (
            posted_lines(books, max(year_start, start), end)
            .filter(voucher__carry_forward=False, account__category=Category.PROFIT)
            .values("account__code")
            .annotate(d=Sum("debit", default=ZERO), c=Sum("credit", default=ZERO))
        )
        # Sub-accounts count under their level-1 account (their code starts with its code).
        moved = {m["account__code"]: (cents(m["d"]), cents(m["c"])) for m in movement}
        self.income, self.expenses = [], []
        for r in profit_rows:
            d = sum((v[0] for k, v in moved.items() if k.startswith(r.account.code)), ZERO)
            c = sum((v[1] for k, v in moved.items() if k.startswith(r.account.code)), ZERO)
            if r.account.direction == "credit":
                self.income.append((r.account, c - d))
            else:
                self.expenses.append((r.account, d - c))
        self.total_income = sum((v for _a, v in self.income), ZERO)
        self.total_expenses = sum((v for _a, v in self.expenses), ZERO)
        self.surplus = self.total_income - self.total_expenses

    @property
    def in_balance(self) -> bool:
        return self.total_assets == self.total_liabilities + self.total_equity


# --- reach -----------------------------------------------------------------------------------


def books_in_reach(user, unit=None):
    qs = Book.objects.visible_to(user).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("unit__path", "id")


def units_in_centre(user, unit, day: datetime.date):
    """The units whose books are in the accounting centre on `day`, in reach under `unit`."""
    return (
        books_in_reach(user, unit)
        .filter(centre_from__lte=day)
        .filter(Q(centre_until__isnull=True) | Q(centre_until__gt=day))
        .values("unit")
        .distinct()
    )


# --- opening balances (期初余额) --------------------------------------------------------------


def first_period(book: Book, *, lock: bool = False) -> Period:
    """The book's first period (the month its books start), opened if it is not there yet."""
    day = book.start_date
    Period.objects.bulk_create(
        [Period(book=book, year=day.year, month=day.month)], ignore_conflicts=True
    )
    qs = Period.objects.filter(book=book, year=day.year, month=day.month)
    return (qs.select_for_update() if lock else qs).get()


def check_openings(book: Book) -> None:
    """Opening balances go into the book's first period while it is open: once it is closed its
    figures stand, and every later period's with them."""
    period = first_period(book)
    if period.closed:
        raise AccountingRefused(
            _(
                "The first period of these books (%(p)s) is closed; opening balances can no "
                "longer be changed (reopen it first)."
            )
            % {"p": period}
        )


@transaction.atomic
def set_opening_balances(*, book: Book, balances, user, source: str = "import") -> int:
    """期初余额: the leaf accounts' balances when the books start, replacing those set before.
    `balances`: (account, debit, credit) each. Refused, with nothing written, when debits and
    credits differ, an account is not a leaf of this book, or the first period is closed."""
    book = Book.objects.select_for_update().get(pk=book.pk)
    first_period(book, lock=True)
    check_openings(book)
    total_d = total_c = ZERO
    rows = []
    seen: set[int] = set()
    for account, debit, credit in balances:
        debit, credit = Decimal(debit or 0), Decimal(credit or 0)
        if account.book_id != book.pk:
            raise AccountingRefused(_("The account belongs to another set of books."))
        if not account.is_leaf:
            raise AccountingRefused(
                _("Account %(account)s has sub-accounts; set the balance on them.")
                % {"account": account}
            )
        if account.pk in seen:
            raise AccountingRefused(_("Account %(account)s is given twice.") % {"account": account})
        for value in (debit, credit):
            if value != value.quantize(CENT):
                raise AccountingRefused(_("Amounts are in yuan with two decimal places."))
        seen.add(account.pk)
        total_d += debit
        total_c += credit
        if debit or credit:
            rows.append((account, debit, credit))
    if total_d != total_c:
        raise AccountingRefused(
            _(
                "Opening debits %(d)s and credits %(c)s differ by %(x)s: the opening trial "
                "balance is not in balance."
            )
            % {"d": total_d, "c": total_c, "x": total_d - total_c}
        )
    for old in OpeningBalance.objects.filter(book=book):
        kit.record_change(
            obj=old, kind="delete", user=user, before=kit.snapshot(old), source=source
        )
    OpeningBalance.objects.filter(book=book).delete()
    for account, debit, credit in rows:
        kit.create_row(
            obj=OpeningBalance(book=book, account=account, debit=debit, credit=credit),
            user=user,
            source=source,
        )
    return len(rows)


# --- cash and bank journals (现金日记账, 银行存款日记账) ----------------------------------------

JOURNAL_ACCOUNTS = {
    "small_enterprise": {"cash": "1001", "bank": "1002"},
    "cooperative": {"cash": "101", "bank": "102"},
    "village_collective": {"cash": "101", "bank": "102"},
}


def journal_account(book: Book, kind: str) -> Account | None:
    code = JOURNAL_ACCOUNTS.get(book.standard, {}).get(kind)
    return Account.objects.filter(book=book, code=code).first() if code else None


def journal(book: Book, kind: str, start: datetime.date, end: datetime.date) -> list[dict]:
    """The cash (kind "cash") or bank ("bank") journal of a book: the opening balance, each
    posted line in date and voucher order with its counter-accounts (对方科目) and the running
    balance, a total for each day (本日合计) and each month (本月合计)."""
    account = journal_account(book, kind)
    if account is None:
        return []
    opening, lines, _closing = detail_ledger(account, start, end)
    vouchers = {line.voucher_id for line, _b in lines}
    codes = Account.objects.filter(book=book, code__startswith=account.code)
    counter: dict[int, list[str]] = {}
    for vid, code, name in (
        VoucherLine.objects.filter(voucher_id__in=vouchers)
        .exclude(account__in=codes)
        .order_by("id")
        .values_list("voucher_id", "account__code", "account__name")
    ):
        names = counter.setdefault(vid, [])
        if f"{code} {name}" not in names:
            names.append(f"{code} {name}")
    rows = [{"kind": "opening", "date": start, "balance": opening}]
    day_d = day_c = month_d = month_c = ZERO
    balance = opening
    for i, (line, bal) in enumerate(lines):
        v = line.voucher
        rows.append(
            {
                "kind": "line",
                "date": v.date,
                "voucher": v,
                "line": line,
                "summary": line.summary,
                "counter": "、".join(counter.get(v.pk, [])),
                "debit": line.debit,
                "credit": line.credit,
                "balance": bal,
            }
        )
        balance = bal
        day_d += line.debit
        day_c += line.credit
        month_d += line.debit
        month_c += line.credit
        nxt = lines[i + 1][0].voucher.date if i + 1 < len(lines) else None
        if nxt != v.date:
            rows.append(
                {"kind": "day", "date": v.date, "debit": day_d, "credit": day_c, "balance": bal}
            )
            day_d = day_c = ZERO
        if nxt is None or (nxt.year, nxt.month) != (v.date.year, v.date.month):
            rows.append(
                {
                    "kind": "month",
                    "date": v.date,
                    "debit": month_d,
                    "credit": month_c,
                    "balance": bal,
                }
            )
            month_d = month_c = ZERO
    rows.append({"kind": "closing", "date": end, "balance": balance})
    return rows


# --- consolidated statements over the unit tree -----------------------------------------------


@cache
def consolidation_map() -> dict:
    """The consolidated lines and, per standard, the level-1 accounts each line takes
    (charts/consolidation.json)."""
    with open(CHARTS / "consolidation.json", encoding="utf-8") as f:
        data = json.load(f)
    by_code: dict[str, dict[str, str]] = {}
    for line in data["lines"]:
        for standard, codes in line["accounts"].items():
            for code in codes:
                by_code.setdefault(standard, {})[code] = line["key"]
    data["by_code"] = by_code
    return data


class Consolidated:
    """合并报表 of the books in reach under a unit, whatever their standard: each book's
    statements mapped line by line onto the consolidated layout (consolidation_map), one column
    per book and their total. Balances between the units are not eliminated."""

    def __init__(self, books, start: datetime.date, end: datetime.date):
        mapping = consolidation_map()
        self.books = list(books)
        lines = mapping["lines"]
        n = len(self.books)
        values = {line["key"]: [ZERO] * n for line in lines}
        # Accounts the mapping does not know (a chart added without its mapping): shown, so
        # the statements visibly do not balance rather than silently leave them out.
        self.unmapped: list[tuple[Book, Account, Decimal]] = []
        for i, book in enumerate(self.books):
            to = mapping["by_code"].get(book.standard, {})
            st = Statements([book], start, end)

            def add(account, v, i=i, to=to, book=book):
                if account.code in to:
                    values[to[account.code]][i] += v
                elif v:
                    self.unmapped.append((book, account, v))

            for r in st.assets + st.liabilities + st.equity:
                add(r.account, r.closing_signed)
            for account, v in st.income + st.expenses:
                add(account, v)
            values[mapping["unclosed_profit"]][i] -= st.unclosed_profit
        self.balance_sheet, self.income_statement = [], []
        sums = {k: [ZERO] * n for k in ("assets", "liabilities", "equity", "income", "expense")}
        for line in lines:
            # Balances as debit-minus-credit: shown on the line's own side.
            sign = -1 if line["section"] in ("liabilities", "equity") else 1
            figures = [v * sign for v in values[line["key"]]]
            entry = {"line": line, "figures": figures, "total": sum(figures, ZERO)}
            for i, v in enumerate(figures):
                sums[line["section"]][i] += v
            if line["section"] in ("income", "expense"):
                self.income_statement.append(entry)
            else:
                self.balance_sheet.append(entry)
        self.totals = {k: (v, sum(v, ZERO)) for k, v in sums.items()}
        self.surplus = [a - b for a, b in zip(sums["income"], sums["expense"], strict=True)]
        self.total_surplus = sum(self.surplus, ZERO)

    @property
    def in_balance(self) -> bool:
        a = self.totals["assets"][1]
        return a == self.totals["liabilities"][1] + self.totals["equity"][1]
