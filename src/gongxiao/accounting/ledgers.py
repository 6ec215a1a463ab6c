"""会计集中核算 declared through the kit: books, the chart of accounts, dimensions, periods,
vouchers and their lines; every step beyond the generic edit is an action."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link

from . import models as m
from . import services
from .imports import BookImporters


@register
class BookLedger(Ledger):
    model = m.Book
    slug = "books"
    icon = "journal-bookmark"
    list_fields = ["name", "unit", "standard", "start_date", "centre_from", "centre_until"]
    form_fields = ["unit", "name", "standard", "start_date", "centre_from", "centre_until", "note"]
    filter_fields = {
        "standard": ["exact"],
        "centre_from": ["gte", "lte"],
        "centre_until": ["gte", "lte", "isnull"],
    }
    search_fields = ["name", "note"]
    sort_fields = ["unit", "start_date", "centre_from"]
    date_field = "centre_from"
    # 期初余额 from an Excel trial balance: /accounting/books/<id>/import/openings/
    importers = BookImporters("openings")

    def create(self, obj, user, *, source="web", m2m=None):
        # The book gets its standard's chart of accounts.
        return services.open_book(book=obj, user=user, source=source)


@register
class AccountLedger(Ledger):
    model = m.SubAccount
    slug = "accounts"
    icon = "list-ol"
    list_fields = ["code", "name", "book", "category", "direction", "level", "is_leaf"]
    form_fields = [
        "book",
        "parent",
        "code",
        "name",
        "needs_partner",
        "needs_department",
        "needs_project",
    ]
    export_fields = [*list_fields, "parent", "needs_partner", "needs_department", "needs_project"]
    api_fields = [*form_fields, "category", "direction", "level", "is_leaf", "from_chart"]
    filter_fields = {"book": ["exact"], "category": ["exact"], "is_leaf": ["exact"]}
    search_fields = ["code", "name"]
    sort_fields = ["code"]

    def create(self, obj, user, *, source="web", m2m=None):
        return services.add_account(account=obj, user=user, source=source)

    def lock_reason(self, obj):
        return services.account_lock_reason(obj)


@register
class DimensionLedger(Ledger):
    model = m.Dimension
    slug = "dimensions"
    icon = "tags"
    list_fields = ["code", "name", "kind", "book"]
    form_fields = ["book", "kind", "code", "name"]
    filter_fields = {"book": ["exact"], "kind": ["exact"]}
    search_fields = ["code", "name"]
    sort_fields = ["code", "kind"]


# The action wrappers return nothing: the runner answers with the row as it stands after.


class ReasonForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


def _close(period, user, *, on):
    services.close_period(period, user, on=on)


def _reopen(period, user, *, reason):
    services.reopen_period(period, user, reason=reason)


def _carry_forward(period, user, *, on):
    services.carry_forward(period, user, on=on)


@register
class PeriodLedger(Ledger):
    model = m.Period
    slug = "periods"
    icon = "calendar3"
    list_fields = ["book", "year", "month", "status", "closed_on", "closed_by"]
    form_fields = ["book", "year", "month"]
    export_fields = [*list_fields, "reopen_reason"]
    api_fields = [*form_fields, "status", "closed_on", "reopen_reason"]
    filter_fields = {"book": ["exact"], "year": ["exact"], "status": ["exact"]}
    sort_fields = ["year", "month"]
    actions = [
        Action(
            "carry_forward",
            _("Carry forward profit and loss (结转损益)"),
            service=_carry_forward,
            right="change",
            check=services.check_carry_forward,
            business_date=True,
            style="secondary",
            example={},
        ),
        Action(
            "close",
            _("Close the period (结账)"),
            service=_close,
            right="review",
            check=services.check_close,
            business_date=True,
            bulk=True,
            example={},
        ),
        Action(
            "reopen",
            _("Reopen the period (反结账)"),
            service=_reopen,
            right="review",
            input=ReasonForm,
            check=services.check_reopen,
            style="outline-danger",
            example={"reason": "补记漏记的银行利息收入"},
        ),
    ]

    def create(self, obj, user, *, source="web", m2m=None):
        return services.open_period(period=obj, user=user, source=source)

    def lock_reason(self, obj):
        if obj.pk is None:  # a row about to be imported
            return None
        if obj.closed:
            return str(_("The period is closed."))
        if obj.vouchers.exists():
            return str(_("The period holds vouchers."))
        return None


def _submit(voucher, user):
    services.submit(voucher, user)


def _review(voucher, user, *, on):
    services.review(voucher, user, on=on)


def _return(voucher, user, *, reason):
    services.return_to_maker(voucher, user, reason=reason)


def _post(voucher, user, *, on):
    services.post(voucher, user, on=on)


class ReversalForm(ActionForm):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        max_length=100,
        help_text=_("Written before each line's summary; by default “Reversal of voucher …”."),
    )


def _reverse(voucher, user, *, on, summary=""):
    services.reverse(voucher, user, on=on, summary=summary)


@register
class VoucherLedger(Ledger):
    model = m.Voucher
    children: list = []  # the voucher's page lists its lines
    slug = "vouchers"
    icon = "receipt"
    list_fields = ["date", "word", "number", "book", "status", "attachments", "created_by"]
    form_fields = ["book", "word", "date", "attachments", "attachment_file"]
    import_fields = ["book", "word", "date", "attachments"]
    export_fields = [
        "book",
        "year",
        "month",
        "word",
        "number",
        "date",
        "attachments",
        "status",
        "created_by",
        "reviewed_by",
        "posted_by",
        "reverses",
    ]
    api_fields = [
        *form_fields,
        "year",
        "month",
        "number",
        "status",
        "reviewed_by",
        "reviewed_on",
        "posted_by",
        "posted_on",
        "reverses",
        "carry_forward",
    ]
    filter_fields = {
        "book": ["exact"],
        "status": ["exact"],
        "word": ["exact"],
        "year": ["exact"],
        "month": ["exact"],
        "date": ["gte", "lte"],
    }
    search_fields = ["lines__summary"]
    sort_fields = ["date", "number"]
    date_field = "date"
    detail_template = "accounting/voucher_detail.html"
    # The one-sheet layout of the usual accounting software: /accounting/books/<id>/import/vouchers/
    importers = BookImporters("vouchers")
    actions = [
        Action(
            "submit",
            _("Submit for review"),
            service=_submit,
            right="change",
            check=services.check_submit,
            bulk=True,
            example={},
        ),
        Action(
            "review",
            _("Review (审核)"),
            service=_review,
            right="review",
            check=services.check_review,
            business_date=True,
            bulk=True,
            style="success",
            example={},
        ),
        Action(
            "return",
            _("Return to the maker"),
            service=_return,
            right="review",
            input=ReasonForm,
            check=services.check_return,
            style="outline-danger",
            example={"reason": "摘要不清，附件不全"},
        ),
        Action(
            "post",
            _("Post (记账)"),
            service=_post,
            right="review",
            check=services.check_post,
            business_date=True,
            bulk=True,
            style="success",
            example={},
        ),
        Action(
            "reverse",
            _("Red-ink reversal (红字冲销)"),
            service=_reverse,
            right="change",
            input=ReversalForm,
            check=services.check_reverse,
            business_date=True,
            style="outline-danger",
            example={"summary": "冲销错账"},
        ),
    ]

    def create(self, obj, user, *, source="web", m2m=None):
        # One at a time (an import too), so each voucher takes the next number.
        return services.create_voucher(voucher=obj, user=user, source=source)

    def update(self, obj, user, *, expected_version, source="web", m2m=None):
        return services.update_voucher(
            voucher=obj, user=user, expected_version=expected_version, source=source
        )

    def lock_reason(self, obj):
        return services.voucher_lock_reason(obj)

    def detail_extra(self, request, obj):
        lines = list(
            obj.lines.select_related("account", "partner", "department", "project").order_by("id")
        )
        debit, credit, _n = services.totals(obj)
        return {
            "lines": lines,
            "total_debit": debit,
            "total_credit": credit,
            "balanced": debit == credit and debit != 0,
            "reversal": m.Voucher.objects.filter(reverses=obj).first(),
            "can_add_line": obj.status == m.Voucher.Status.DRAFT
            and m.Voucher.objects.editable_by(request.user).filter(pk=obj.pk).exists(),
            "add_line_url": reverse(
                "ledger-create", kwargs={"app_label": "accounting", "slug": "lines"}
            )
            + f"?voucher={obj.pk}",
            "print_url": reverse("accounting:voucher-print", args=[obj.pk]),
        }


@register
class VoucherLineLedger(Ledger):
    model = m.VoucherLine
    slug = "lines"
    icon = "list-columns"
    list_fields = ["voucher", "summary", "account", "debit", "credit", "partner"]
    form_fields = [
        "voucher",
        "summary",
        "account",
        "debit",
        "credit",
        "partner",
        "department",
        "project",
    ]
    filter_fields = {
        "voucher": ["exact"],
        "account": ["exact"],
        "voucher__status": ["exact"],
        "voucher__date": ["gte", "lte"],
        "account__category": ["exact"],
        "account__direction": ["exact"],
    }
    search_fields = ["summary"]
    sort_fields = ["voucher__date"]

    def create(self, obj, user, *, source="web", m2m=None):
        return services.add_line(line=obj, user=user, source=source)

    def update(self, obj, user, *, expected_version, source="web", m2m=None):
        return services.update_line(
            line=obj, user=user, expected_version=expected_version, source=source
        )

    def lock_reason(self, obj):
        return services.line_lock_reason(obj)

    def saved_url(self, obj):
        return reverse(
            "ledger-detail",
            kwargs={"app_label": "accounting", "slug": "vouchers", "pk": obj.voucher_id},
        )


def _link(label, url_name, icon):
    # Untyped on purpose: the label is a lazy translation, read when the menu is drawn.
    register_link(NavLink("accounting", label, url_name, icon=icon))


_link(_("Trial balance"), "accounting:trial-balance", "calculator")
_link(_("Financial statements"), "accounting:statements", "file-earmark-bar-graph")
_link(_("Cash and bank journals"), "accounting:journal", "cash-coin")
_link(_("Consolidated statements"), "accounting:consolidated", "diagram-3")
