"""社有资产监管 declared through the kit: properties and their certificates, leasing rules,
leases with their rent steps and bids, the rent schedule and the payments. Every change beyond
the generic edit (activation, a payment, a rent change, renewal, termination, disposal) is an
action here, reached alike from its page, the API and, where apt, the list."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from gongxiao.core import scoping
from gongxiao.core.actions import Action, ActionForm
from gongxiao.core.ledgers import Ledger, register
from gongxiao.core.navigation import NavLink, register_link
from gongxiao.decisions.models import Matter
from gongxiao.org.validators import mask_id_number

from . import models as m
from . import services

_date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _n(value) -> str:
    from gongxiao.core.metrics import number

    return number(value) if value is not None else ""


# --- properties --------------------------------------------------------------------------------


class DisposeForm(ActionForm):
    disposal = forms.ChoiceField(label=_("way of disposal"), choices=m.Property.Disposal.choices)
    matter = forms.ModelChoiceField(
        label=_("approving matter (三重一大)"), queryset=Matter.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["matter"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _passed_matters(self.user)


def _passed_matters(user):
    from gongxiao.decisions.models import Outcome

    if user is None:
        return Matter.objects.none()
    return scoping.scope_related(
        Matter.objects.filter(outcome=Outcome.PASSED).select_related("meeting"), user
    )


def _dispose(prop, user, *, on, disposal, matter=None):
    services.dispose(prop=prop, user=user, way=disposal, matter=matter, on=on)


@register
class PropertyLedger(Ledger):
    model = m.Property
    children: list = []  # the property's page lists its certificates and leases
    slug = "properties"
    icon = "building"
    list_fields = ["name", "unit", "kind", "building_area", "land_area", "status", "certificate"]
    form_fields = [
        "unit",
        "name",
        "address",
        "kind",
        "building_area",
        "land_area",
        "book_value",
        "acquired_on",
        "acquisition",
        "own_use",
        "photo",
        "file",
        "note",
    ]
    import_fields = [f for f in form_fields if f not in ("photo", "file")]
    export_fields = [
        *import_fields,
        "land_area_mu",
        "status",
        "certificate",
        "disposed_on",
        "disposal",
    ]
    api_fields = [*form_fields, "disposed_on", "disposal", "disposal_matter"]
    filter_fields = {"kind": ["exact"], "acquisition": ["exact"], "disposed_on": ["isnull"]}
    search_fields = ["name", "address", "note"]
    sort_fields = ["name", "unit", "building_area", "land_area"]
    date_field = "acquired_on"
    computed = {
        "status": (_("status"), lambda p, u: p.Status(p.status_on(timezone.localdate())).label),
        "land_area_mu": (_("land area (亩)"), lambda p, u: _n(p.land_area_mu)),
        "certificate": (_("certificate check"), lambda p, u: p.certificate_problem() or "✓"),
    }
    detail_template = "assets/property_detail.html"
    actions = [
        Action(
            "dispose",
            _("Dispose of"),
            service=_dispose,
            input=DisposeForm,
            check=services.check_disposable,
            business_date=True,
            style="outline-danger",
            example={"disposal": "demolition"},
        ),
    ]

    def queryset_for(self, user, action="view", fields=None):
        return super().queryset_for(user, action, fields).prefetch_related("certificates")

    def lock_reason(self, obj):
        if obj.pk and obj.disposed_on:
            return str(_("The property has been disposed of; its record is kept as it was."))
        return None

    def detail_extra(self, request, obj):
        today = timezone.localdate()
        leases = list(obj.leases.order_by("-start_date"))
        return {
            "status": obj.Status(obj.status_on(today)).label,
            "certificates": list(obj.certificates.all()),
            "certificate_problem": obj.certificate_problem(),
            "leases": leases,
            "land_area_mu": obj.land_area_mu,
        }


@register
class CertificateLedger(Ledger):
    model = m.Certificate
    slug = "certificates"
    icon = "patch-check"
    list_fields = ["number", "kind", "property", "holder", "issued_on", "holder_check"]
    form_fields = ["property", "kind", "number", "issued_on", "holder", "file"]
    import_fields = ["property", "kind", "number", "issued_on", "holder"]
    filter_fields = {"kind": ["exact"], "property": ["exact"]}
    search_fields = ["number", "holder"]
    sort_fields = ["issued_on"]
    computed = {
        "holder_check": (
            _("holder check"),
            lambda c, u: "✓" if c.holder_matches else str(_("Holder does not match the unit")),
        ),
    }

    def queryset_for(self, user, action="view", fields=None):
        return super().queryset_for(user, action, fields).select_related("property__unit")

    def saved_url(self, obj):
        from django.urls import reverse

        return reverse("ledger-detail", args=["assets", "properties", obj.property_id])


@register
class LeasingRuleLedger(Ledger):
    model = m.LeasingRule
    slug = "rules"
    icon = "sliders"
    list_fields = [
        "unit",
        "effective_from",
        "valuation_from",
        "tender_from",
        "major_from",
        "normal_max_years",
        "approved_max_years",
    ]
    form_fields = [
        "unit",
        "effective_from",
        "valuation_from",
        "tender_from",
        "major_from",
        "enquiry_min_people",
        "enquiry_min_comparables",
        "normal_max_years",
        "approved_max_years",
        "disposal_matter_from",
    ]
    sort_fields = ["unit", "effective_from"]
    date_field = "effective_from"


# --- leases ------------------------------------------------------------------------------------


class PaymentForm(ActionForm):
    amount = forms.DecimalField(
        label=_("amount (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    way = forms.ChoiceField(label=_("way of payment"), choices=m.RentPayment.Way.choices)
    receipt_number = forms.CharField(label=_("receipt number"), max_length=40, required=False)


class ChangeRentForm(ActionForm):
    from_date = forms.DateField(label=_("from"), widget=_date)
    annual_rent = forms.DecimalField(
        label=_("annual rent (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )


class RenewForm(ActionForm):
    end_date = forms.DateField(label=_("renewed to"), widget=_date)
    annual_rent = forms.DecimalField(
        label=_("annual rent (yuan)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            self.fields["annual_rent"].initial = self.obj.annual_rent


class TerminateForm(ActionForm):
    reason = forms.CharField(label=_("reason for termination"), max_length=200)
    deposit_refunded = forms.DecimalField(
        label=_("deposit refunded (yuan)"), max_digits=12, decimal_places=2, min_value=0
    )


def _activate(lease, user, *, on):
    services.activate(lease=lease, user=user, on=on)


def _pay(lease, user, *, on, amount, way, receipt_number=""):
    payment = m.RentPayment(
        lease=lease, paid_on=on, amount=amount, way=way, receipt_number=receipt_number
    )
    services.record_payment(payment=payment, user=user, source="action")


def _change_rent(lease, user, *, on, from_date, annual_rent):
    services.change_rent(
        lease=lease, user=user, from_date=from_date, annual_rent=annual_rent, on=on
    )


def _renew(lease, user, *, on, end_date, annual_rent):
    services.renew(lease=lease, user=user, end_date=end_date, annual_rent=annual_rent, on=on)


def _terminate(lease, user, *, on, reason, deposit_refunded):
    services.terminate(
        lease=lease, user=user, reason=reason, deposit_refunded=deposit_refunded, on=on
    )


def _arrears_today(lease, user):
    if lease.status == m.Lease.Status.DRAFT:
        return ""
    return _n(services.arrears_on(lease, timezone.localdate()).total)


def _parse_day(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


@register
class LeaseLedger(Ledger):
    model = m.Lease
    children: list = []  # the lease's page lists its bids, rents and payments
    slug = "leases"
    icon = "key"
    list_fields = [
        "property",
        "unit",
        "tenant_name",
        "start_date",
        "end_date",
        "annual_rent",
        "method",
        "status",
        "arrears",
    ]
    form_fields = [
        "unit",
        "property",
        "leased_area",
        "tenant_kind",
        "tenant_name",
        "tenant_id_number",
        "tenant_credit_code",
        "tenant_phone",
        "start_date",
        "end_date",
        "annual_rent",
        "steps",
        "step_percent",
        "step_every_months",
        "cycle",
        "timing",
        "grace_days",
        "deposit",
        "method",
        "enquiry_people",
        "comparables",
        "valuation_agency",
        "valuation_report",
        "valuation_value",
        "valuation_file",
        "exchange",
        "tender_date",
        "matter",
        "contract_scan",
    ]
    import_fields = [f for f in form_fields if f not in ("valuation_file", "contract_scan")]
    export_fields = [
        *import_fields,
        "status",
        "activated_on",
        "terminated_on",
        "deposit_refunded",
        "deposit_retained",
        "arrears",
    ]
    api_fields = [
        *form_fields,
        "status",
        "activated_on",
        "terminated_on",
        "termination_reason",
        "deposit_refunded",
        "deposit_retained",
        "renewal_of",
    ]
    pii_fields = {"tenant_id_number": mask_id_number}
    filter_fields = {
        "status": ["exact"],
        "method": ["exact"],
        "property": ["exact"],
        "start_date": ["gte", "lte"],
        "end_date": ["gte", "lte"],
    }
    search_fields = ["tenant_name", "property__name"]
    sort_fields = ["start_date", "end_date", "annual_rent"]
    date_field = "start_date"
    computed = {"arrears": (_("arrears today (yuan)"), _arrears_today)}
    detail_template = "assets/lease_detail.html"
    actions = [
        Action(
            "activate",
            _("Activate"),
            service=_activate,
            check=services.check_activatable,
            business_date=True,
            style="success",
            example={},
        ),
        Action(
            "record_payment",
            _("Record a payment"),
            service=_pay,
            input=PaymentForm,
            check=services.check_active,
            business_date=True,
            example={"amount": "100.00", "way": "transfer", "receipt_number": "SJ0001"},
        ),
        Action(
            "change_rent",
            _("Change the rent"),
            service=_change_rent,
            input=ChangeRentForm,
            check=services.check_active,
            business_date=True,
            style="secondary",
            example={
                "from_date": lambda lease: (
                    lease.end_date - datetime.timedelta(days=30)
                ).isoformat(),
                "annual_rent": "26000.00",
            },
        ),
        Action(
            "renew",
            _("Renew"),
            service=_renew,
            input=RenewForm,
            check=services.check_renewable,
            business_date=True,
            style="secondary",
            example={
                "end_date": lambda lease: (
                    lease.end_date + datetime.timedelta(days=365)
                ).isoformat(),
                "annual_rent": "25000.00",
            },
        ),
        Action(
            "terminate",
            _("Terminate"),
            service=_terminate,
            input=TerminateForm,
            check=services.check_active,
            business_date=True,
            style="outline-danger",
            example={"reason": "承租人申请提前退租", "deposit_refunded": "0"},
        ),
    ]

    def queryset_for(self, user, action="view", fields=None):
        return super().queryset_for(user, action, fields).select_related("property")

    def extra_filters(self):
        import django_filters

        def within(qs, name, value):
            if value in (None, ""):
                return qs
            today = timezone.localdate()
            end = today + datetime.timedelta(days=int(value))
            return qs.active_on(today).filter(end_date__lte=end)

        return {
            "expiring_within": django_filters.NumberFilter(
                method=within, label=_("in force and expiring within (days)")
            ),
        }

    def lock_reason(self, obj):
        if obj.pk and obj.status != m.Lease.Status.DRAFT:
            return str(
                _(
                    "An activated lease changes only through its actions (rent change, renewal, "
                    "termination); its schedule depends on it."
                )
            )
        return None

    def detail_extra(self, request, obj):
        today = timezone.localdate()
        on = _parse_day(request.GET.get("on")) or today
        charges = list(obj.charges.order_by("seq"))
        payments = list(obj.payments.order_by("paid_on", "id"))
        arrears = services.arrears_on(obj, on, charges, payments)
        owed = {c.pk: (amount, days) for c, amount, days in arrears.rows}
        return {
            "as_of": on,
            "arrears": arrears,
            "age_labels": [
                (_("up to 30 days"), arrears.by_age["0_30"]),
                (_("31 to 90 days"), arrears.by_age["31_90"]),
                (_("91 to 180 days"), arrears.by_age["91_180"]),
                (_("over 180 days"), arrears.by_age["over_180"]),
            ],
            "schedule": [(c, owed.get(c.pk), services.frozen(c, today)) for c in charges],
            "payments": payments,
            "bids": list(obj.bids.all()),
            "steps": list(obj.rent_steps.all()),
            "problems": services.activation_problems(obj)
            if obj.status == m.Lease.Status.DRAFT
            else [],
            "renewals": list(obj.renewals.all()),
        }


def _locked_by_lease(obj) -> str | None:
    lease = getattr(obj, "lease", None) if obj.lease_id else None
    if lease is not None and lease.status != m.Lease.Status.DRAFT:
        return str(
            _("The lease is activated: change its rent through the lease's “Change the rent”.")
        )
    return None


@register
class RentStepLedger(Ledger):
    model = m.RentStep
    slug = "rent-steps"
    icon = "graph-up-arrow"
    list_fields = ["lease", "from_date", "annual_rent"]
    form_fields = ["lease", "from_date", "annual_rent"]
    filter_fields = {"lease": ["exact"]}
    sort_fields = ["from_date"]

    def lock_reason(self, obj):
        return _locked_by_lease(obj)

    def saved_url(self, obj):
        from django.urls import reverse

        return reverse("ledger-detail", args=["assets", "leases", obj.lease_id])


@register
class BidLedger(Ledger):
    model = m.Bid
    slug = "bids"
    icon = "hammer"
    list_fields = ["lease", "bidder", "amount", "date", "won"]
    form_fields = ["lease", "bidder", "amount", "date", "won"]
    filter_fields = {"lease": ["exact"], "won": ["exact"]}
    search_fields = ["bidder"]
    sort_fields = ["date", "amount"]
    date_field = "date"

    def lock_reason(self, obj):
        if obj.lease_id and obj.lease.status != m.Lease.Status.DRAFT:
            return str(_("The lease is activated: the tender's bids are kept as they were."))
        return None

    def saved_url(self, obj):
        from django.urls import reverse

        return reverse("ledger-detail", args=["assets", "leases", obj.lease_id])


@register
class RentChargeLedger(Ledger):
    model = m.RentCharge
    slug = "rent-schedule"
    icon = "calendar3"
    list_fields = ["lease", "seq", "period_start", "period_end", "due_date", "amount", "paid"]
    form_fields = ["lease", "seq", "period_start", "period_end", "due_date", "amount"]
    export_fields = [*form_fields, "paid", "outstanding"]
    api_fields = [*form_fields, "paid"]
    filter_fields = {"lease": ["exact"], "due_date": ["gte", "lte"]}
    sort_fields = ["due_date", "amount"]
    date_field = "due_date"
    computed = {"outstanding": (_("outstanding (yuan)"), lambda c, u: _n(c.outstanding))}

    def queryset_for(self, user, action="view", fields=None):
        return super().queryset_for(user, action, fields).select_related("lease__property")

    def lock_reason(self, obj):
        return str(
            _(
                "The rent schedule is generated from its lease; "
                "change the lease through its actions."
            )
        )


@register
class RentPaymentLedger(Ledger):
    model = m.RentPayment
    slug = "rent-payments"
    icon = "cash-coin"
    list_fields = ["paid_on", "lease", "amount", "way", "receipt_number"]
    form_fields = ["lease", "paid_on", "amount", "way", "receipt_number"]
    filter_fields = {"lease": ["exact"], "way": ["exact"], "paid_on": ["gte", "lte"]}
    search_fields = ["receipt_number"]
    sort_fields = ["paid_on", "amount"]
    date_field = "paid_on"

    def queryset_for(self, user, action="view", fields=None):
        return super().queryset_for(user, action, fields).select_related("lease__property")

    def create(self, obj, user, *, source="web", m2m=None):
        # A payment is allocated to the oldest rent due as it is recorded.
        try:
            return services.record_payment(payment=obj, user=user, source=source)
        except services.LeaseRefused as exc:
            raise ValidationError(str(exc)) from exc

    def lock_reason(self, obj):
        if obj.pk:
            return str(_("A recorded payment is kept as it was recorded."))
        return None

    def saved_url(self, obj):
        from django.urls import reverse

        return reverse("ledger-detail", args=["assets", "leases", obj.lease_id])


@register
class ContractTemplateLedger(Ledger):
    model = m.ContractTemplate
    slug = "contract-templates"
    icon = "file-earmark-word"
    list_fields = ["name", "unit", "file"]
    form_fields = ["unit", "name", "file"]
    import_fields = ["unit", "name"]
    search_fields = ["name"]


# --- inventory checks and safety inspections ---------------------------------------------------


def _close_check(check, user, *, on):
    services.close_check(check=check, user=user, on=on)


def _before_closing(check, user) -> str:
    """What the check still lacks before it may close (units not counted, differences open)."""
    if check.closed_on:
        return ""
    problems = services.close_problems(check, timezone.localdate())
    return "；".join(problems) if problems else str(_("ready to close"))


@register
class InventoryCheckLedger(Ledger):
    model = m.InventoryCheck
    slug = "inventory-checks"
    icon = "clipboard-check"
    list_fields = [
        "title",
        "unit",
        "start_date",
        "end_date",
        "checked_units",
        "closed_on",
        "before_closing",
    ]
    form_fields = ["unit", "title", "start_date", "end_date", "checked_units", "note"]
    export_fields = [*form_fields, "closed_on", "before_closing"]
    computed = {"before_closing": (_("still to do before closing"), _before_closing)}
    api_fields = [*form_fields, "closed_on"]
    filter_fields = {"start_date": ["gte", "lte"], "closed_on": ["isnull"]}
    search_fields = ["title", "note"]
    sort_fields = ["start_date"]
    date_field = "start_date"
    actions = [
        Action(
            "close",
            _("Close the check"),
            service=_close_check,
            check=services.check_closable,
            business_date=True,
            style="success",
            example={},
        ),
    ]

    @cached_property
    def detail_field_names(self) -> list[str]:
        # The page says what the check still lacks (the close button shows only once nothing).
        return [*super().detail_field_names, "before_closing"]

    def lock_reason(self, obj):
        if obj.pk and obj.closed_on:
            return str(_("The inventory check has been closed; its record is kept as it was."))
        return None


@register
class InventoryCountLedger(Ledger):
    model = m.InventoryCount
    slug = "inventory-counts"
    icon = "list-check"
    list_fields = [
        "inventory_check",
        "counted_unit",
        "property",
        "found_name",
        "present",
        "status_found",
        "certificate_ok",
    ]
    form_fields = [
        "inventory_check",
        "counted_unit",
        "property",
        "found_name",
        "counted_on",
        "present",
        "status_found",
        "certificate_ok",
        "note",
    ]
    filter_fields = {"inventory_check": ["exact"], "present": ["exact"]}
    search_fields = ["found_name", "note"]
    sort_fields = ["counted_on"]
    date_field = "counted_on"

    def create(self, obj, user, *, source="web", m2m=None):
        # A counted item that differs from the registry raises its differences.
        return services.record_count(count=obj, user=user, source=source)

    def lock_reason(self, obj):
        if obj.pk:
            return str(_("A counted item is kept as counted; its differences follow from it."))
        return None


@register
class InventoryDifferenceLedger(Ledger):
    model = m.InventoryDifference
    slug = "inventory-differences"
    icon = "exclamation-diamond"
    list_fields = ["description", "inventory_check", "kind", "responsible_unit", "deadline", "item"]
    form_fields = [
        "inventory_check",
        "responsible_unit",
        "property",
        "kind",
        "description",
        "found_on",
        "deadline",
    ]
    export_fields = [*form_fields, "item", "item_closed_on"]
    api_fields = [*form_fields, "item", "item_closed_on"]
    filter_fields = {
        "inventory_check": ["exact"],
        "kind": ["exact"],
        "found_on": ["gte", "lte"],
        "item_closed_on": ["isnull"],
    }
    search_fields = ["description"]
    sort_fields = ["found_on", "deadline"]
    date_field = "found_on"

    def create(self, obj, user, *, source="web", m2m=None):
        # Each difference becomes a rectification item whose source is the difference.
        return services.add_difference(difference=obj, user=user, source=source)

    def lock_reason(self, obj):
        if obj.pk and obj.inventory_check.closed_on:
            return str(_("The inventory check has been closed; its record is kept as it was."))
        return None


@register
class SafetyInspectionLedger(Ledger):
    model = m.SafetyInspection
    slug = "safety-inspections"
    icon = "fire"
    list_fields = ["date", "title", "unit", "inspected_units", "inspectors"]
    form_fields = ["unit", "date", "title", "inspected_units", "properties", "inspectors", "note"]
    filter_fields = {"date": ["gte", "lte"]}
    search_fields = ["title", "inspectors", "note"]
    sort_fields = ["date"]
    date_field = "date"


@register
class HazardLedger(Ledger):
    model = m.Hazard
    slug = "hazards"
    icon = "cone-striped"
    list_fields = ["description", "inspection", "responsible_unit", "immediate", "item"]
    form_fields = [
        "inspection",
        "responsible_unit",
        "property",
        "description",
        "immediate",
        "deadline",
    ]
    export_fields = [*form_fields, "item", "item_closed_on"]
    api_fields = [*form_fields, "item", "item_closed_on"]
    filter_fields = {
        "inspection": ["exact"],
        "immediate": ["exact"],
        "inspection__date": ["gte", "lte"],
        "item_closed_on": ["isnull"],
    }
    search_fields = ["description"]

    def create(self, obj, user, *, source="web", m2m=None):
        # 即查即改: each hazard becomes a rectification item whose source is the hazard.
        return services.add_hazard(hazard=obj, user=user, source=source)


# The label stays lazy (translated per request); NavLink is typed for plain strings.
register_link(
    NavLink(
        "assets",
        cast(str, _("Safety inspection coverage")),
        "assets:safety-coverage",
        icon="grid-3x3",
    )
)
