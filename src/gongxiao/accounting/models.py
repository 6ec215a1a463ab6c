"""会计集中核算: the units in the accounting centre and their books (账套), charts of accounts
shipped per standard and extended per book with sub-accounts, auxiliary dimensions (往来单位,
部门, 项目), monthly periods, vouchers (记账凭证) with their lines.

The database itself keeps the books straight (accounting/guards.py): a voucher is entered as a
draft, its lines change only while it is a draft, it is posted only when balanced (debit equals
credit, two lines at least) into an open period, and a posted voucher never changes nor goes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, LedgerQuerySet, RecordLocked, TrackedModel

ZERO = Decimal("0.00")


class Standard(models.TextChoices):
    COOPERATIVE = "cooperative", _("Accounting system for farmers' cooperatives")
    SMALL_ENTERPRISE = "small_enterprise", _("Accounting standard for small enterprises")
    VILLAGE_COLLECTIVE = (
        "village_collective",
        _("Accounting system for rural collective economic organisations"),
    )


class Category(models.TextChoices):
    ASSET = "asset", _("Asset accounts")
    LIABILITY = "liability", _("Liabilities")
    EQUITY = "equity", _("Owners' equity")
    COST = "cost", _("Costs")
    PROFIT = "profit", _("Profit and loss")


class Direction(models.TextChoices):
    DEBIT = "debit", _("debit side")
    CREDIT = "credit", _("credit side")


class Book(LedgerModel):
    """账套: one unit's set of books under one standard, and when the unit is in the centre."""

    module = "accounting"

    name = models.CharField(_("book name"), max_length=100)
    standard = models.CharField(_("accounting standard"), max_length=20, choices=Standard.choices)
    start_date = models.DateField(
        _("books start on"), help_text=_("The first day of the first period kept in these books.")
    )
    centre_from = models.DateField(
        _("in the accounting centre from"),
        null=True,
        blank=True,
        help_text=_("The day the unit's accounts were brought into the accounting centre."),
    )
    centre_until = models.DateField(_("left the accounting centre on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("set of books")
        verbose_name_plural = _("sets of books")
        ordering = ["unit__path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(centre_until__isnull=True)
                | Q(centre_from__isnull=False, centre_until__gte=models.F("centre_from")),
                name="accounting_book_centre_dates",
            )
        ]

    def __str__(self):
        return self.name

    def in_centre_on(self, day) -> bool:
        return bool(
            self.centre_from
            and self.centre_from <= day
            and (self.centre_until is None or self.centre_until > day)
        )


class Account(TrackedModel):
    """会计科目: a level-1 account of the standard's chart, or a sub-account a book adds."""

    module = "accounting"
    scope_field = "book__unit"

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="accounts", verbose_name=_("set of books")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent account"),
    )
    code = models.CharField(_("account code"), max_length=20)
    name = models.CharField(_("account name"), max_length=100)
    category = models.CharField(
        _("account category"), max_length=10, choices=Category.choices, editable=False
    )
    direction = models.CharField(
        _("balance direction"), max_length=6, choices=Direction.choices, editable=False
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1, editable=False)
    is_leaf = models.BooleanField(_("leaf account"), default=True, editable=False)
    from_chart = models.BooleanField(_("from the standard's chart"), default=False, editable=False)
    needs_partner = models.BooleanField(_("by counterparty"), default=False)
    needs_department = models.BooleanField(_("by department"), default=False)
    needs_project = models.BooleanField(_("by project"), default=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("chart of accounts")
        ordering = ["book", "code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "code"], name="accounting_account_code_once")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class SubAccountManager(models.Manager):
    """The sub-accounts only, with the scoping entry points of every ledger's rows."""

    def get_queryset(self):
        return LedgerQuerySet(self.model, using=self._db).filter(from_chart=False)

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)

    def editable_by(self, user):
        return self.get_queryset().editable_by(user)

    def permitted(self, user, action: str):
        return self.get_queryset().permitted(user, action)


class SubAccount(Account):
    """The accounts a book adds under its standard's chart (明细科目): the ledger users keep.
    The level-1 accounts come with the book and are read in the trial balance."""

    objects: ClassVar[SubAccountManager] = SubAccountManager()  # type: ignore[assignment]

    class Meta:
        proxy = True
        verbose_name = _("sub-account")
        verbose_name_plural = _("sub-accounts")
        ordering = ["book", "code"]


class Dimension(TrackedModel):
    """辅助核算项: a counterparty (往来单位), a department (部门) or a project (项目) of a book."""

    module = "accounting"
    scope_field = "book__unit"

    class Kind(models.TextChoices):
        PARTNER = "partner", _("Counterparty")
        DEPARTMENT = "department", _("Department")
        PROJECT = "project", _("Project")

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("set of books")
    )
    kind = models.CharField(_("kind of dimension"), max_length=12, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("auxiliary dimension")
        verbose_name_plural = _("auxiliary dimensions")
        ordering = ["book", "kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "kind", "code"], name="accounting_dimension_code_once"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Period(TrackedModel):
    """会计期间: one month of one book, open or closed (结账)."""

    module = "accounting"
    scope_field = "book__unit"

    class Status(models.TextChoices):
        OPEN = "open", _("Not closed")
        CLOSED = "closed", _("Closed")

    book = models.ForeignKey(
        Book, on_delete=models.CASCADE, related_name="periods", verbose_name=_("set of books")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=6, choices=Status.choices, default=Status.OPEN, editable=False
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("closed by"),
    )
    reopen_reason = models.TextField(_("reason for reopening"), blank=True, editable=False)

    class Meta:
        verbose_name = _("accounting period")
        verbose_name_plural = _("accounting periods")
        ordering = ["book", "-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month"], name="accounting_period_once"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12), name="accounting_period_month"
            ),
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d}"

    @property
    def closed(self) -> bool:
        return self.status == self.Status.CLOSED


class VoucherCounter(models.Model):
    """The last number given per book, month and voucher word; locked (select_for_update) while
    a voucher takes the next one, so numbers run without gaps or duplicates."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    word = models.CharField(max_length=2)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month", "word"], name="accounting_counter_once"
            )
        ]


class Voucher(TrackedModel):
    """记账凭证: numbered per book, month and word; entered (制单), submitted, reviewed (审核) by
    someone other than its maker, posted (记账) by the finance role; then never changed."""

    module = "accounting"
    scope_field = "book__unit"

    class Word(models.TextChoices):
        GENERAL = "记", _("General (记)")
        RECEIPT = "收", _("Receipt (收)")
        PAYMENT = "付", _("Payment (付)")
        TRANSFER = "转", _("Transfer (转)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted for review")
        REVIEWED = "reviewed", _("Reviewed")
        POSTED = "posted", _("Posted")

    book = models.ForeignKey(
        Book, on_delete=models.PROTECT, related_name="vouchers", verbose_name=_("set of books")
    )
    word = models.CharField(
        _("voucher word"), max_length=2, choices=Word.choices, default=Word.GENERAL
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    month = models.PositiveSmallIntegerField(_("month"), editable=False)
    number = models.PositiveIntegerField(_("voucher number"), editable=False)
    date = models.DateField(_("voucher date"))
    attachments = models.PositiveSmallIntegerField(_("attached documents"), default=0)
    attachment_file = models.FileField(
        _("scanned documents"), upload_to="accounting/vouchers/", blank=True, max_length=300
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.PROTECT,
        related_name="vouchers",
        editable=False,
        verbose_name=_("accounting period"),
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("reviewed by"),
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True, editable=False)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("posted by"),
    )
    posted_on = models.DateField(_("posted on"), null=True, blank=True, editable=False)
    # A red-ink reversal (红字冲销) points at the voucher it reverses; once only (unique).
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        editable=False,
        verbose_name=_("reverses voucher"),
    )
    carry_forward = models.BooleanField(
        _("carry-forward of profit and loss"), default=False, editable=False
    )
    returned_reason = models.TextField(_("returned for correction"), blank=True, editable=False)

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        ordering = ["-year", "-month", "word", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "year", "month", "word", "number"],
                name="accounting_voucher_number_once",
            )
        ]
        indexes = [models.Index(fields=["book", "status", "date"])]

    def __str__(self):
        # The record id keeps the name unique across books (each book has its 记-0001), so an
        # import naming a voucher never lands on another unit's voucher of the same number.
        return f"{self.year}-{self.month:02d} {self.word}-{self.number:04d} #{self.pk}"

    def delete(self, *args, **kwargs):
        from . import services

        services.check_deletable(self)
        return super().delete(*args, **kwargs)


class VoucherLine(TrackedModel):
    """分录: one line of a voucher, on one leaf account, debit or credit (a red-ink amount is
    negative), with the dimensions its account asks for."""

    module = "accounting"
    scope_field = "voucher__book__unit"

    voucher = models.ForeignKey(
        Voucher, on_delete=models.CASCADE, related_name="lines", verbose_name=_("voucher")
    )
    summary = models.CharField(_("summary"), max_length=200)
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="lines", verbose_name=_("account")
    )
    debit = models.DecimalField(_("debit amount"), max_digits=16, decimal_places=2, default=ZERO)
    credit = models.DecimalField(_("credit amount"), max_digits=16, decimal_places=2, default=ZERO)
    partner = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counterparty"),
        limit_choices_to={"kind": "partner"},
    )
    department = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
        limit_choices_to={"kind": "department"},
    )
    project = models.ForeignKey(
        Dimension,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
        limit_choices_to={"kind": "project"},
    )

    class Meta:
        verbose_name = _("voucher line")
        verbose_name_plural = _("voucher lines")
        ordering = ["voucher", "id"]
        constraints = [
            # One side only: a line is a debit or a credit, never both nor neither.
            models.CheckConstraint(
                condition=(Q(debit=0) & ~Q(credit=0)) | (Q(credit=0) & ~Q(debit=0)),
                name="accounting_line_one_side",
            )
        ]

    def __str__(self):
        return f"{self.voucher} {self.summary[:40]}"

    @property
    def amount(self) -> Decimal:
        return self.debit or self.credit


class OpeningBalance(TrackedModel):
    """期初余额: a leaf account's balance on the day the books start, taken over from the books
    kept before (an Excel trial balance); the trial balance and the statements start from it.
    Set while the book's first period is open, never after."""

    module = "accounting"
    scope_field = "book__unit"

    book = models.ForeignKey(
        Book,
        on_delete=models.CASCADE,
        related_name="opening_balances",
        verbose_name=_("set of books"),
    )
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account")
    )
    debit = models.DecimalField(_("opening debit"), max_digits=16, decimal_places=2, default=ZERO)
    credit = models.DecimalField(_("opening credit"), max_digits=16, decimal_places=2, default=ZERO)

    class Meta:
        verbose_name = _("opening balance")
        verbose_name_plural = _("opening balances")
        ordering = ["book", "account__code"]
        constraints = [
            models.UniqueConstraint(fields=["book", "account"], name="accounting_opening_once")
        ]

    def __str__(self):
        return f"{self.account} {self.debit or -self.credit}"


__all__ = [
    "ZERO",
    "Account",
    "Book",
    "Category",
    "Dimension",
    "Direction",
    "OpeningBalance",
    "Period",
    "RecordLocked",
    "Standard",
    "SubAccount",
    "Voucher",
    "VoucherCounter",
    "VoucherLine",
]
