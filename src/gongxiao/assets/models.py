"""社有资产监管: the property registry (房产/土地) with certificates, the leasing rules of each
federation, leases with how the tenant was chosen (enquiry, valuation, public tender with bids,
or an exception approved as a 三重一大 matter), rent steps, the rent schedule and payments.

Areas are kept in m²; land is also shown in 亩 through the one declared conversion (MU_M2).
Money is Decimal yuan. Every event carries its business date; the state of a past day (a
property's status, a lease's arrears) is computed from those dates, never stored."""

from __future__ import annotations

import builtins
import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxiao.core.models import LedgerModel, LedgerQuerySet, TrackedModel
from gongxiao.org.validators import validate_credit_code, validate_id_number

# 1 亩 = 10000/15 m² (SPEC §5): the one conversion between the two measures of land.
MU_M2 = Decimal(10000) / Decimal(15)
CENT = Decimal("0.01")
ZERO = Decimal("0")
_positive = [MinValueValidator(Decimal("0"))]


def m2_to_mu(area: Decimal | None) -> Decimal | None:
    """Square metres in 亩, to two decimals."""
    if area is None:
        return None
    return (Decimal(area) / MU_M2).quantize(CENT, rounding=ROUND_HALF_UP)


def mu_to_m2(mu: Decimal) -> Decimal:
    return (Decimal(mu) * MU_M2).quantize(CENT, rounding=ROUND_HALF_UP)


def add_months(start: datetime.date, months: int) -> datetime.date:
    """`start` moved by whole months, keeping its day where the month has it and taking the
    month's last day where it does not (a lease from 31 January bills on 28/29 February)."""
    import calendar

    month0 = start.month - 1 + months
    year, month = start.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def months_between(start: datetime.date, end_inclusive: datetime.date) -> Decimal:
    """The length of a term in months (whole months, plus the fraction of a last part month)."""
    whole = 0
    while add_months(start, whole + 1) <= end_inclusive + datetime.timedelta(days=1):
        whole += 1
    rest_start = add_months(start, whole)
    rest_end = end_inclusive + datetime.timedelta(days=1)
    if rest_end <= rest_start:
        return Decimal(whole)
    month_len = (add_months(start, whole + 1) - rest_start).days
    return Decimal(whole) + Decimal((rest_end - rest_start).days) / Decimal(month_len)


class LeasingRule(LedgerModel):
    """资产租赁规则: the thresholds a federation applies to the leases of its subtree (SPEC §5:
    they differ by place, so they are settings). The rule of the nearest unit up the tree
    applies; without any, the defaults below (the values of SPEC §5)."""

    module = "assets"

    effective_from = models.DateField(
        _("in effect from"),
        help_text=_("Leases signed from this day on follow this rule; earlier ones keep theirs."),
    )
    valuation_from = models.DecimalField(
        _("valuation required from (yuan a year)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("30000"),
        validators=_positive,
        help_text=_("Below it a market enquiry suffices."),
    )
    tender_from = models.DecimalField(
        _("public tender required from (yuan a year, one asset)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("50000"),
        validators=_positive,
    )
    major_from = models.DecimalField(
        _("major lease (三重一大) from (yuan a year)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("50000"),
        validators=_positive,
    )
    enquiry_min_people = models.PositiveSmallIntegerField(
        _("market enquiry: at least people"), default=2, validators=[MinValueValidator(1)]
    )
    enquiry_min_comparables = models.PositiveSmallIntegerField(
        _("market enquiry: at least comparables"), default=2, validators=[MinValueValidator(1)]
    )
    normal_max_years = models.PositiveSmallIntegerField(
        _("longest term without approval (years)"), default=3, validators=[MinValueValidator(1)]
    )
    approved_max_years = models.PositiveSmallIntegerField(
        _("longest term with approval (years)"), default=5, validators=[MinValueValidator(1)]
    )
    disposal_matter_from = models.DecimalField(
        _("disposal needs a 三重一大 matter from (book value, yuan)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("100000"),
        validators=_positive,
    )

    class Meta:
        verbose_name = _("leasing rule")
        verbose_name_plural = _("leasing rules")
        ordering = ["unit__path", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "effective_from"], name="leasing_rule_once")
        ]

    def __str__(self):
        return str(
            _("Leasing rule of %(unit)s from %(d)s")
            % {"unit": self.unit if self.unit_id else "—", "d": self.effective_from or "—"}
        )

    def clean(self):
        errors = {}
        if self.approved_max_years < self.normal_max_years:
            errors["approved_max_years"] = _(
                "The longest term with approval cannot be shorter than the one without."
            )
        if self.tender_from < self.valuation_from:
            errors["tender_from"] = _(
                "The tender threshold cannot be below the valuation threshold."
            )
        if errors:
            raise ValidationError(errors)


def rule_for(unit, on: datetime.date | None = None) -> LeasingRule:
    """The leasing rule that governs `unit` on `on` (today by default): of the unit itself or
    the nearest unit above it that has one in effect by then, the latest; else SPEC §5's."""
    on = on or datetime.date.today()
    ids = [int(p) for p in unit.path.strip("/").split("/")]
    rules: dict[int, LeasingRule] = {}
    for r in LeasingRule.objects.filter(unit_id__in=ids, effective_from__lte=on).order_by(
        "effective_from"
    ):
        rules[r.unit_id] = r
    for pk in reversed(ids):
        if pk in rules:
            return rules[pk]
    return LeasingRule()


class Property(LedgerModel):
    """房产/土地: one building or plot the unit owns. Its status (自用, 出租, 部分出租, 空置,
    已处置) follows from its leases and its disposal on any given day."""

    module = "assets"

    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop (门店)")
        OFFICE = "office", _("Office (办公)")
        WAREHOUSE = "warehouse", _("Warehouse (仓库)")
        COLD_STORE = "cold_store", _("Cold store (冷库)")
        FACTORY = "factory", _("Factory building (厂房)")
        LAND = "land", _("Land (土地)")
        OTHER = "other", _("Other (其他)")

    class Acquisition(models.TextChoices):
        ALLOCATED = "allocated", _("Allocated (划拨)")
        PURCHASED = "purchased", _("Purchased (购置)")
        BUILT = "built", _("Self-built (自建)")
        TRANSFERRED = "transferred", _("Transferred in (调入)")
        DONATED = "donated", _("Donated (捐赠)")
        OTHER = "other", _("Other (其他)")

    class Status(models.TextChoices):
        OWN_USE = "own_use", _("In own use (自用)")
        LEASED = "leased", _("Leased (出租)")
        PART_LEASED = "part_leased", _("Partly leased (部分出租)")
        VACANT = "vacant", _("Vacant (空置)")
        DISPOSED = "disposed", _("Disposed of (已处置)")

    class Disposal(models.TextChoices):
        SALE = "sale", _("Sale (出售)")
        DEMOLITION = "demolition", _("Demolition (拆除)")
        TRANSFER = "transfer", _("Transfer (划转)")

    name = models.CharField(_("property"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    kind = models.CharField(_("kind of property"), max_length=12, choices=Kind.choices)
    building_area = models.DecimalField(
        _("building area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
    )
    land_area = models.DecimalField(
        _("land area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
    )
    book_value = models.DecimalField(
        _("book value (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
    )
    acquired_on = models.DateField(_("acquired on"), null=True, blank=True)
    acquisition = models.CharField(
        _("way of acquisition"), max_length=12, choices=Acquisition.choices, blank=True
    )
    own_use = models.BooleanField(
        _("in own use"),
        default=False,
        help_text=_("Used by the unit itself where not leased; otherwise vacant."),
    )
    photo = models.FileField(_("photo"), upload_to="assets/photos/%Y/", blank=True, max_length=300)
    file = models.FileField(_("files"), upload_to="assets/files/%Y/", blank=True, max_length=300)
    note = models.TextField(_("note"), blank=True)
    # Set by the disposal action (处置), with its business date.
    disposed_on = models.DateField(_("disposed of on"), null=True, blank=True, editable=False)
    disposal = models.CharField(
        _("way of disposal"), max_length=12, choices=Disposal.choices, blank=True, editable=False
    )
    disposal_matter = models.ForeignKey(
        "decisions.Matter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approving matter (三重一大)"),
    )

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["unit__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="property_name_once"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.kind == self.Kind.LAND:
            if not self.land_area:
                errors["land_area"] = _("A plot of land needs its land area.")
        elif not self.building_area:
            errors["building_area"] = _("A building needs its building area.")
        if errors:
            raise ValidationError(errors)

    @property
    def area(self) -> Decimal:
        """The area a lease takes a part of: the building's, or the plot's for land."""
        if self.kind == self.Kind.LAND:
            return self.land_area or ZERO
        return self.building_area or ZERO

    @property
    def land_area_mu(self) -> Decimal | None:
        return m2_to_mu(self.land_area)

    def status_on(self, on: datetime.date) -> str:
        """The status at the end of `on`, from the business dates of its leases and disposal."""
        if self.disposed_on and self.disposed_on <= on:
            return self.Status.DISPOSED
        leased = sum(
            (lease.area_taken for lease in Lease.objects.active_on(on).filter(property=self)),
            ZERO,
        )
        if leased and leased >= self.area:
            return self.Status.LEASED
        if leased:
            return self.Status.PART_LEASED
        return self.Status.OWN_USE if self.own_use else self.Status.VACANT

    def certificate_problem(self) -> str:
        """Empty when a certificate names the unit as holder; else what is wrong."""
        certs = list(self.certificates.all())
        if not certs:
            return str(_("No certificate"))
        if not any(c.holder_matches for c in certs):
            return str(_("Holder does not match the unit"))
        return ""


class Certificate(TrackedModel):
    """权属证书: 不动产权证, 房产证 or 土地证 of a property, with its holder (权利人)."""

    module = "assets"
    scope_field = "property__unit"

    class Kind(models.TextChoices):
        REAL_ESTATE = "real_estate", _("Real estate title (不动产权证)")
        HOUSE = "house", _("House title (房产证)")
        LAND = "land", _("Land title (土地证)")

    property = models.ForeignKey(
        Property, on_delete=models.CASCADE, related_name="certificates", verbose_name=_("property")
    )
    kind = models.CharField(_("kind of certificate"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("certificate number"), max_length=60)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    holder = models.CharField(_("holder (权利人)"), max_length=100)
    file = models.FileField(
        _("scan"), upload_to="assets/certificates/%Y/", blank=True, max_length=300
    )

    class Meta:
        verbose_name = _("property certificate")
        verbose_name_plural = _("property certificates")
        ordering = ["property", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="certificate_number_once")
        ]

    def __str__(self):
        return f"{self.get_kind_display().split(' (')[0]} {self.number}"

    @builtins.property
    def holder_matches(self) -> bool:
        unit = self.property.unit
        names = {unit.name.strip(), (unit.short_name or "").strip()} - {""}
        return self.holder.strip() in names


class LeaseQuerySet(LedgerQuerySet):
    def active_on(self, on: datetime.date):
        """In force at the end of `on`: activated by then, begun, not ended nor terminated."""
        return self.filter(
            activated_on__isnull=False,
            activated_on__lte=on,
            start_date__lte=on,
            end_date__gte=on,
        ).exclude(terminated_on__lte=on)


class Lease(LedgerModel):
    """资产租赁: a property, or part of it, let to a person or an organisation for a term, at a
    rent with its steps, paid by a cycle; and how the tenant was chosen. A draft becomes active
    only when what its rent and term require is there (services.activation_problems)."""

    module = "assets"

    class TenantKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class Cycle(models.IntegerChoices):
        MONTHLY = 1, _("Monthly")
        QUARTERLY = 3, _("Quarterly")
        HALF_YEARLY = 6, _("Half-yearly")
        YEARLY = 12, _("Yearly")

    class Timing(models.TextChoices):
        ADVANCE = "advance", _("In advance, at the start of each period")
        ARREARS = "arrears", _("At the end of each period")

    class Steps(models.TextChoices):
        NONE = "none", _("Fixed rent")
        SCHEDULE = "schedule", _("Fixed schedule of rents")
        PERCENT = "percent", _("A percentage every N months")

    class Method(models.TextChoices):
        ENQUIRY = "enquiry", _("Market enquiry (市场询价)")
        VALUATION = "valuation", _("Valuation by a qualified agency (资产评估)")
        TENDER = "tender", _("Public tender (公开招租)")
        EXCEPTION = "exception", _("Approved exception (三重一大)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        TERMINATED = "terminated", _("Terminated")

    property = models.ForeignKey(
        Property, on_delete=models.PROTECT, related_name="leases", verbose_name=_("property")
    )
    leased_area = models.DecimalField(
        _("leased area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
        help_text=_("Empty: the whole property."),
    )
    tenant_kind = models.CharField(_("tenant is a"), max_length=12, choices=TenantKind.choices)
    tenant_name = models.CharField(_("tenant"), max_length=100)
    tenant_id_number = models.CharField(
        _("tenant's ID number"),
        max_length=18,
        blank=True,
        validators=[validate_id_number],
    )
    tenant_credit_code = models.CharField(
        _("tenant's credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    tenant_phone = models.CharField(_("tenant's phone"), max_length=20, blank=True)
    start_date = models.DateField(_("term from"))
    end_date = models.DateField(_("term to"))
    annual_rent = models.DecimalField(
        _("annual rent (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    steps = models.CharField(
        _("rent steps"), max_length=10, choices=Steps.choices, default=Steps.NONE
    )
    step_percent = models.DecimalField(
        _("increase (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    step_every_months = models.PositiveSmallIntegerField(
        _("every (months)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cycle = models.PositiveSmallIntegerField(
        _("payment cycle"), choices=Cycle.choices, default=Cycle.QUARTERLY
    )
    timing = models.CharField(
        _("payment timing"), max_length=10, choices=Timing.choices, default=Timing.ADVANCE
    )
    grace_days = models.PositiveSmallIntegerField(
        _("days allowed to pay"), default=0, validators=[MaxValueValidator(90)]
    )
    deposit = models.DecimalField(
        _("deposit (yuan)"), max_digits=12, decimal_places=2, default=ZERO, validators=_positive
    )
    method = models.CharField(_("how the tenant was chosen"), max_length=10, choices=Method.choices)
    enquiry_people = models.CharField(
        _("enquiry made by"),
        max_length=200,
        blank=True,
        help_text=_("Names separated by 、 or commas."),
    )
    comparables = models.TextField(
        _("comparable rents"), blank=True, help_text=_("One per line: place and rent.")
    )
    valuation_agency = models.CharField(_("valuation agency"), max_length=100, blank=True)
    valuation_report = models.CharField(_("valuation report number"), max_length=60, blank=True)
    valuation_value = models.DecimalField(
        _("valued rent (yuan a year)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=_positive,
    )
    valuation_file = models.FileField(
        _("valuation report"), upload_to="assets/valuations/%Y/", blank=True, max_length=300
    )
    exchange = models.CharField(_("exchange (交易平台)"), max_length=100, blank=True)
    tender_date = models.DateField(_("tender date"), null=True, blank=True)
    matter = models.ForeignKey(
        "decisions.Matter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approving matter (三重一大)"),
        help_text=_("Needed for an exception, a long term and a major lease."),
    )
    contract_scan = models.FileField(
        _("signed contract"), upload_to="assets/contracts/%Y/", blank=True, max_length=300
    )
    renewal_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
        editable=False,
        verbose_name=_("renewal of"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    activated_on = models.DateField(_("activated on"), null=True, blank=True, editable=False)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True, editable=False)
    termination_reason = models.CharField(
        _("reason for termination"), max_length=200, blank=True, editable=False
    )
    deposit_refunded = models.DecimalField(
        _("deposit refunded (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )
    deposit_retained = models.DecimalField(
        _("deposit retained (yuan)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        editable=False,
    )

    objects = LeaseQuerySet.as_manager()  # type: ignore[misc]  # the kit's, with active_on

    class Meta:
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        ordering = ["-start_date", "-id"]
        indexes = [models.Index(fields=["end_date"]), models.Index(fields=["activated_on"])]

    def __str__(self):
        return f"{self.property} · {self.tenant_name} · {self.start_date:%Y-%m-%d}"

    def clean(self):
        errors: dict = {}
        if self.tenant_id_number:
            self.tenant_id_number = self.tenant_id_number.strip().upper()
        if self.tenant_credit_code:
            self.tenant_credit_code = self.tenant_credit_code.strip().upper()
        if self.tenant_kind == self.TenantKind.PERSON and not self.tenant_id_number:
            errors["tenant_id_number"] = _("A tenant who is a person needs his ID number.")
        if self.tenant_kind == self.TenantKind.ORGANISATION and not self.tenant_credit_code:
            errors["tenant_credit_code"] = _(
                "A tenant that is an organisation needs its unified social credit code."
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The term cannot end before it starts.")
        if self.steps == self.Steps.PERCENT and not (self.step_percent and self.step_every_months):
            errors["step_percent"] = _("Give the percentage and every how many months it applies.")
        if self.property_id and self.unit_id and self.property.unit_id != self.unit_id:
            errors["property"] = _("The property belongs to another unit: lease it from there.")
        if self.property_id and self.leased_area and self.leased_area > self.property.area:
            errors["leased_area"] = _("The leased area is larger than the property (%(a)s m²).") % {
                "a": self.property.area
            }
        if errors:
            raise ValidationError(errors)

    @builtins.property
    def area_taken(self) -> Decimal:
        return self.leased_area or (self.property.area if self.property_id else ZERO)

    @builtins.property
    def ends_on(self) -> datetime.date:
        """The last day in force: the term's end, or the day before termination."""
        if self.terminated_on and self.terminated_on <= self.end_date:
            return self.terminated_on
        return self.end_date

    @builtins.property
    def term_months(self) -> Decimal:
        return months_between(self.start_date, self.end_date)

    def enquiry_names(self) -> list[str]:
        import re

        return [n for n in re.split(r"[、,，;；\s]+", self.enquiry_people or "") if n.strip()]

    def comparable_lines(self) -> list[str]:
        return [line for line in (self.comparables or "").splitlines() if line.strip()]


class RentStep(TrackedModel):
    """租金递增: from a date on, the annual rent is this (a fixed schedule of rents)."""

    module = "assets"
    scope_field = "lease__unit"

    lease = models.ForeignKey(
        Lease, on_delete=models.CASCADE, related_name="rent_steps", verbose_name=_("lease")
    )
    from_date = models.DateField(_("from"))
    annual_rent = models.DecimalField(
        _("annual rent (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("rent step")
        verbose_name_plural = _("rent steps")
        ordering = ["lease", "from_date"]
        constraints = [
            models.UniqueConstraint(fields=["lease", "from_date"], name="rent_step_once")
        ]

    def __str__(self):
        return f"{self.lease} · {self.from_date:%Y-%m-%d} {self.annual_rent}"

    def clean(self):
        lease = self.lease if self.lease_id else None
        if lease and self.from_date and not lease.start_date < self.from_date <= lease.end_date:
            raise ValidationError({"from_date": _("A rent step falls within the lease's term.")})


class Bid(TrackedModel):
    """公开招租的竞价: a bidder's offer at the tender, and whether it won."""

    module = "assets"
    scope_field = "lease__unit"

    lease = models.ForeignKey(
        Lease, on_delete=models.CASCADE, related_name="bids", verbose_name=_("lease")
    )
    bidder = models.CharField(_("bidder"), max_length=100)
    amount = models.DecimalField(
        _("bid (yuan a year)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    date = models.DateField(_("date of the bid"))
    won = models.BooleanField(_("winning bid"), default=False)

    class Meta:
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        ordering = ["lease", "-amount", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lease"], condition=Q(won=True), name="one_winning_bid")
        ]

    def __str__(self):
        return f"{self.lease} · {self.bidder} {self.amount}"


class RentCharge(TrackedModel):
    """租金计划: one period of a lease's rent schedule, generated from the lease. A row whose due
    date has come (billed) or that has been paid stays as it is when the lease changes; only
    later rows are generated again (services.generate_schedule)."""

    module = "assets"
    scope_field = "lease__unit"

    lease = models.ForeignKey(
        Lease, on_delete=models.CASCADE, related_name="charges", verbose_name=_("lease")
    )
    seq = models.PositiveSmallIntegerField(_("period no."))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("rent due (yuan)"), max_digits=12, decimal_places=2)
    # Paid so far (payments allocated oldest first); kept by services.allocate.
    paid = models.DecimalField(
        _("paid (yuan)"), max_digits=12, decimal_places=2, default=ZERO, editable=False
    )

    class Meta:
        verbose_name = _("rent charge")
        verbose_name_plural = _("rent schedule")
        ordering = ["lease", "seq"]
        constraints = [models.UniqueConstraint(fields=["lease", "seq"], name="rent_charge_seq")]
        indexes = [models.Index(fields=["due_date"])]

    def __str__(self):
        return str(
            _("%(lease)s · period %(n)s") % {"lease": self.lease, "n": self.seq}
            if self.lease_id
            else self.seq
        )

    @builtins.property
    def outstanding(self) -> Decimal:
        return self.amount - self.paid


class RentPayment(TrackedModel):
    """租金收缴: a payment of a tenant, on its business date, allocated to the oldest rent due."""

    module = "assets"
    scope_field = "lease__unit"

    class Way(models.TextChoices):
        TRANSFER = "transfer", _("Bank transfer")
        CASH = "cash", _("Cash")
        MOBILE = "mobile", _("Mobile payment")
        CHEQUE = "cheque", _("Cheque")
        DEPOSIT = "deposit", _("Set off against the deposit")

    lease = models.ForeignKey(
        Lease, on_delete=models.PROTECT, related_name="payments", verbose_name=_("lease")
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(
        _("amount (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    way = models.CharField(_("way of payment"), max_length=10, choices=Way.choices)
    receipt_number = models.CharField(_("receipt number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("rent payment")
        verbose_name_plural = _("rent payments")
        ordering = ["-paid_on", "-id"]
        indexes = [models.Index(fields=["paid_on"])]

    def __str__(self):
        return f"{self.lease} · {self.paid_on:%Y-%m-%d} {self.amount}"


class ContractTemplate(LedgerModel):
    """统一租赁合同文本: a federation's own Word template for the leases of its subtree, checked
    on upload (assets.contract.check_template); without one, the built-in default is used."""

    module = "assets"

    name = models.CharField(_("template"), max_length=100)
    file = models.FileField(
        _("Word template (.docx)"), upload_to="assets/templates/", max_length=300
    )

    class Meta:
        verbose_name = _("lease contract template")
        verbose_name_plural = _("lease contract templates")
        ordering = ["unit__path", "-id"]

    def __str__(self):
        return self.name

    def clean(self):
        from .contract import check_template

        uploaded = self.file and not getattr(self.file, "_committed", True)
        if uploaded and (errors := check_template(self.file)):
            raise ValidationError({"file": errors})


# --- inventory checks (资产清查) and safety inspections (安全生产检查) ----------------------------


class RaisesItem:
    """A record that raises a rectification item (rectification.services.create_item_from):
    the item points at it, and it hears when its item closes and reopens."""

    pk: int
    item_closed_on: datetime.date | None

    def item_closed(self, *, item, on, user):
        model: Any = type(self)
        model.objects.filter(pk=self.pk).update(item_closed_on=on)
        self.item_closed_on = on

    def item_reopened(self, *, item, on, user):
        model: Any = type(self)
        model.objects.filter(pk=self.pk).update(item_closed_on=None)
        self.item_closed_on = None


def _item_field():
    return models.OneToOneField(
        "rectification.RectificationItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("rectification item"),
    )


def _closed_field():
    return models.DateField(_("rectification closed out on"), null=True, blank=True, editable=False)


class InventoryCheck(LedgerModel):
    """资产清查: a campaign counting the properties of some units against the registry."""

    module = "assets"

    title = models.CharField(_("inventory check"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    checked_units = models.ManyToManyField(
        "org.Unit", related_name="+", verbose_name=_("units checked")
    )
    note = models.TextField(_("note"), blank=True)
    # Set by the closing action (services.close_check), with its business date.
    closed_on = models.DateField(_("check closed on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inventory check")
        verbose_name_plural = _("inventory checks")
        ordering = ["-start_date", "-id"]

    def __str__(self):
        return self.title

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})


class InventoryCount(TrackedModel):
    """One item counted in a check: a property of the registry found (or not) as recorded, or
    one found that the registry does not hold (盘盈). Recorded through services.record_count,
    which raises the differences."""

    module = "assets"
    scope_field = "inventory_check__unit"

    inventory_check = models.ForeignKey(
        InventoryCheck,
        on_delete=models.CASCADE,
        related_name="counts",
        verbose_name=_("inventory check"),
    )
    counted_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit counted")
    )
    property = models.ForeignKey(
        Property,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counts",
        verbose_name=_("property"),
        help_text=_("Empty for a property found that the registry does not hold."),
    )
    found_name = models.CharField(_("what was found"), max_length=200, blank=True)
    counted_on = models.DateField(_("counted on"))
    present = models.BooleanField(_("found in place"), default=True)
    status_found = models.CharField(
        _("status found"), max_length=12, choices=Property.Status.choices, blank=True
    )
    certificate_ok = models.BooleanField(_("certificate as registered"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("counted item")
        verbose_name_plural = _("counted items")
        ordering = ["inventory_check", "id"]

    def __str__(self):
        what = self.property.name if self.property is not None else self.found_name
        return f"{self.inventory_check} · {what}" if self.inventory_check_id else what

    def clean(self):
        errors = {}
        if not self.property_id and not self.found_name.strip():
            errors["found_name"] = _("Name what was found, or choose the property counted.")
        prop = self.property if self.property_id else None
        if prop is not None and self.counted_unit_id and prop.unit_id != self.counted_unit_id:
            errors["property"] = _("The property belongs to another unit.")
        check = self.inventory_check if self.inventory_check_id else None
        if check is not None and check.closed_on and not self.pk:
            errors["inventory_check"] = _("The inventory check has been closed; nothing is added.")
        if errors:
            raise ValidationError(errors)


class InventoryDifference(RaisesItem, TrackedModel):
    """清查差异 (盘盈, 盘亏, 状态不符, 证照不符): each a rectification item whose source is it."""

    module = "assets"
    scope_field = "inventory_check__unit"

    class Kind(models.TextChoices):
        SURPLUS = "surplus", _("Surplus (盘盈)")
        SHORTAGE = "shortage", _("Shortage (盘亏)")
        STATUS = "status", _("Status does not match (状态不符)")
        CERTIFICATE = "certificate", _("Certificate does not match (证照不符)")

    inventory_check = models.ForeignKey(
        InventoryCheck,
        on_delete=models.PROTECT,
        related_name="differences",
        verbose_name=_("inventory check"),
    )
    count = models.ForeignKey(
        InventoryCount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="differences",
        editable=False,
        verbose_name=_("counted item"),
    )
    responsible_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    property = models.ForeignKey(
        Property,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("property"),
    )
    kind = models.CharField(_("kind of difference"), max_length=12, choices=Kind.choices)
    description = models.TextField(_("difference"))
    found_on = models.DateField(_("date found"))
    deadline = models.DateField(_("deadline"))
    item = _item_field()
    item_closed_on = _closed_field()

    class Meta:
        verbose_name = _("inventory difference")
        verbose_name_plural = _("inventory differences")
        ordering = ["-found_on", "-id"]

    def __str__(self):
        return self.description[:60]

    def clean(self):
        check = self.inventory_check if self.inventory_check_id else None
        if check is not None and check.closed_on and not self.pk:
            raise ValidationError(
                {"inventory_check": _("The inventory check has been closed; nothing is added.")}
            )

    def item_defaults(self):
        return {
            "unit": self.responsible_unit,
            "title": self.description[:200],
            "description": self.description,
            "source": "asset_inventory",
            "category": "assets",
            "found_date": self.found_on,
            "kind": "deadline",
            "deadline": self.deadline,
        }


class SafetyInspection(LedgerModel):
    """安全生产检查: units and properties inspected on a day, by whom; hazards found."""

    module = "assets"

    date = models.DateField(_("date"))
    title = models.CharField(_("safety inspection"), max_length=200)
    inspected_units = models.ManyToManyField(
        "org.Unit", related_name="+", verbose_name=_("units inspected")
    )
    properties = models.ManyToManyField(
        Property, related_name="safety_inspections", blank=True, verbose_name=_("properties")
    )
    inspectors = models.CharField(_("inspected by"), max_length=200)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-date", "-id"]

    def __str__(self):
        return self.title


class Hazard(RaisesItem, TrackedModel):
    """安全隐患: found in a safety inspection; a rectification item (即查即改: 立行立改 unless a
    deadline is needed) whose source is the hazard."""

    module = "assets"
    scope_field = "inspection__unit"

    inspection = models.ForeignKey(
        SafetyInspection,
        on_delete=models.PROTECT,
        related_name="hazards",
        verbose_name=_("safety inspection"),
    )
    responsible_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit")
    )
    property = models.ForeignKey(
        Property,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("property"),
    )
    description = models.TextField(_("hazard"))
    immediate = models.BooleanField(
        _("rectified at once (立行立改)"),
        default=True,
        help_text=_("Untick for a hazard that needs a deadline."),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    item = _item_field()
    item_closed_on = _closed_field()

    class Meta:
        verbose_name = _("safety hazard")
        verbose_name_plural = _("safety hazards")
        ordering = ["-id"]

    def __str__(self):
        return self.description[:60]

    def clean(self):
        if not self.immediate and not self.deadline:
            raise ValidationError(
                {"deadline": _("A hazard not rectified at once needs a deadline.")}
            )

    def item_defaults(self):
        return {
            "unit": self.responsible_unit,
            "title": self.description[:200],
            "description": self.description,
            "source": "safety",
            "category": "safety",
            "found_date": self.inspection.date,
            "kind": "immediate" if self.immediate else "deadline",
            "deadline": self.deadline,
        }
