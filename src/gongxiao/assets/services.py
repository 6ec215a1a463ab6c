"""The rules of co-op owned assets, enforced here and nowhere else: what a lease needs before it
is activated (by its rent and term, against the federation's leasing rule), the rent schedule
generated from the lease (billed and paid rows frozen), payments allocated oldest first,
arrears and their ageing as of any day, renewal, termination with the deposit settled, and
disposal of a property.

Every refusal names what is missing, in the user's language; nothing is written when refused."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import services as kit
from gongxiao.core.actions import ActionRefused
from gongxiao.core.models import ChangeRecord

from .models import (
    CENT,
    ZERO,
    Bid,
    Lease,
    LeasingRule,
    Property,
    RentCharge,
    RentPayment,
    RentStep,
    add_months,
    rule_for,
)

AGE_BUCKETS = [
    ("0_30", 0, 30),
    ("31_90", 31, 90),
    ("91_180", 91, 180),
    ("over_180", 181, None),
]


class LeaseRefused(ActionRefused):
    """A step on a lease or a property that the leasing rules do not allow now."""


def _money(value: Decimal) -> str:
    return f"{Decimal(value).quantize(CENT):,.2f}"


def _require(user, obj, action="change"):
    if not type(obj).objects.permitted(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied(_("You may not change this record."))


# --- the leasing rules -------------------------------------------------------------------------


def _matter_problem(matter, unit) -> str | None:
    """Why `matter` cannot approve something of `unit` (None: it can): it must have been passed
    by a meeting of the unit or of a unit above it."""
    from gongxiao.decisions.models import Outcome

    if matter.outcome != Outcome.PASSED:
        return _("the 三重一大 matter “%(m)s” has not been passed") % {"m": matter}
    if not unit.is_within(matter.meeting.unit):
        return _("the 三重一大 matter “%(m)s” was decided by another unit") % {"m": matter}
    return None


def required_method(lease: Lease, rule: LeasingRule) -> str:
    """The least a lease's annual rent requires: a market enquiry, a valuation, a public tender."""
    if lease.annual_rent >= rule.tender_from:
        return Lease.Method.TENDER
    if lease.annual_rent >= rule.valuation_from:
        return Lease.Method.VALUATION
    return Lease.Method.ENQUIRY


_STRENGTH: dict[str, int] = {
    Lease.Method.ENQUIRY: 0,
    Lease.Method.VALUATION: 1,
    Lease.Method.TENDER: 2,
}


def activation_problems(lease: Lease) -> list[str]:
    """What the lease lacks before it may be activated, each in plain words (empty: nothing).
    Read against the leasing rule of the lease's unit (SPEC §5 unless the federation set its
    own): the way the tenant was chosen for its annual rent, the evidence of that way, the term,
    the approval of a major lease, and the property's free area."""
    # The rule in effect when the lease starts (the day its terms were set); kept on the row
    # for the dry run and the step that follow it.
    key = (lease.unit_id, lease.start_date)
    cached = lease.__dict__.get("_gx_rule")
    if cached is None or cached[0] != key:
        cached = lease.__dict__["_gx_rule"] = (key, rule_for(lease.unit, lease.start_date))
    rule = cached[1]
    missing: list[str] = []
    rent = lease.annual_rent
    matter_needed: list[str] = []

    # The tenant: validated at entry (ID number or credit code); here only that it is given.
    if lease.tenant_kind == Lease.TenantKind.PERSON and not lease.tenant_id_number:
        missing.append(_("the tenant's ID number"))
    if lease.tenant_kind == Lease.TenantKind.ORGANISATION and not lease.tenant_credit_code:
        missing.append(_("the tenant's unified social credit code"))

    # The term.
    months = lease.term_months
    if months > rule.approved_max_years * 12:
        missing.append(
            _("a term of at most %(n)s years (this one is %(m)s months)")
            % {"n": rule.approved_max_years, "m": months.quantize(Decimal("0.1"))}
        )
    elif months > rule.normal_max_years * 12:
        matter_needed.append(
            _("a term over %(n)s years needs a passed 三重一大 matter approving it")
            % {"n": rule.normal_max_years}
        )

    # How the tenant was chosen.
    method = lease.method
    if method == Lease.Method.EXCEPTION:
        matter_needed.append(_("an exception needs a passed 三重一大 matter approving it"))
    else:
        need = required_method(lease, rule)
        if _STRENGTH[method] < _STRENGTH[need]:
            missing.append(
                _("an annual rent of %(r)s yuan requires %(need)s, not %(given)s")
                % {
                    "r": _money(rent),
                    "need": Lease.Method(need).label,
                    "given": Lease.Method(method).label,
                }
            )
        if method == Lease.Method.ENQUIRY:
            people, comps = len(lease.enquiry_names()), len(lease.comparable_lines())
            if people < rule.enquiry_min_people:
                missing.append(
                    _("a market enquiry by at least %(n)s people (%(k)s named)")
                    % {"n": rule.enquiry_min_people, "k": people}
                )
            if comps < rule.enquiry_min_comparables:
                missing.append(
                    _("at least %(n)s comparable rents (%(k)s given)")
                    % {"n": rule.enquiry_min_comparables, "k": comps}
                )
        if method == Lease.Method.TENDER:
            if not lease.exchange.strip():
                missing.append(_("the exchange that held the public tender"))
            if not lease.tender_date:
                missing.append(_("the date of the public tender"))
            bids = list(lease.bids.all()) if lease.pk else []
            winners = [b for b in bids if b.won]
            if not bids:
                missing.append(_("the bids of the public tender"))
            elif not winners:
                missing.append(_("the winning bid"))
            else:
                won = winners[0]
                if won.bidder.strip() != lease.tenant_name.strip():
                    missing.append(
                        _("the winning bidder (%(b)s) as the tenant") % {"b": won.bidder}
                    )
                if won.amount != rent:
                    missing.append(
                        _("the annual rent equal to the winning bid (%(a)s yuan)")
                        % {"a": _money(won.amount)}
                    )
        # From the valuation threshold on, a valuation report is needed whatever the way.
        if rent >= rule.valuation_from or method == Lease.Method.VALUATION:
            if not (lease.valuation_agency.strip() and lease.valuation_report.strip()):
                missing.append(_("the valuation report of a qualified agency (agency and number)"))
            if lease.valuation_value is None:
                missing.append(_("the valued rent"))
            elif rent < lease.valuation_value:
                missing.append(
                    _("an annual rent not below the valued rent (%(v)s yuan)")
                    % {"v": _money(lease.valuation_value)}
                )

    if rent >= rule.major_from:
        matter_needed.append(
            _("a lease of %(r)s yuan a year is a major matter: a passed 三重一大 matter")
            % {"r": _money(rent)}
        )
    if matter_needed:
        if lease.matter_id is None:
            missing.extend(matter_needed)
        elif problem := _matter_problem(lease.matter, lease.unit):
            missing.append(problem)

    # The property: not disposed of, and the area free over the whole term.
    prop = lease.property
    if prop.disposed_on:
        missing.append(_("a property not disposed of"))
    overlapping = (
        Lease.objects.filter(property=prop, status=Lease.Status.ACTIVE)
        .exclude(pk=lease.pk)
        .filter(start_date__lte=lease.end_date, end_date__gte=lease.start_date)
    )
    taken = sum(
        (o.area_taken for o in overlapping if o.ends_on >= lease.start_date),
        ZERO,
    )
    if taken + lease.area_taken > prop.area:
        missing.append(
            _("free area on the property (%(free)s m² free, %(need)s m² asked)")
            % {"free": max(prop.area - taken, ZERO), "need": lease.area_taken}
        )
    return missing


def check_activatable(lease: Lease, user=None) -> None:
    if lease.status != Lease.Status.DRAFT:
        raise LeaseRefused(_("Only a draft lease can be activated."))
    if problems := activation_problems(lease):
        raise LeaseRefused(
            _("The lease cannot be activated; missing: %(list)s.") % {"list": "；".join(problems)}
        )


@transaction.atomic
def activate(*, lease: Lease, user, on: datetime.date | None = None) -> Lease:
    """Put a draft lease in force from the day it was signed (`on`), once it has what its rent
    and term require, and generate its rent schedule."""
    _require(user, lease)
    stored = Lease.objects.select_for_update().values("version", "status").get(pk=lease.pk)
    if stored["version"] != lease.version:
        lease = Lease.objects.select_related("unit", "property").get(pk=lease.pk)
    check_activatable(lease)
    on = kit.business_date(on)
    lease.status = Lease.Status.ACTIVE
    lease.activated_on = on
    kit.update_row(obj=lease, expected_version=lease.version, user=user, source="action")
    generate_schedule(lease=lease, user=user)
    return lease


# --- rent --------------------------------------------------------------------------------------


def rent_on(lease: Lease, day: datetime.date, steps: list[RentStep] | None = None) -> Decimal:
    """The annual rent in force on `day`: the base, or the last step of a fixed schedule begun by
    then, or the base raised by the percentage once for each N months completed."""
    if lease.steps == Lease.Steps.SCHEDULE:
        steps = list(lease.rent_steps.order_by("from_date")) if steps is None else steps
        current = lease.annual_rent
        for s in steps:
            if s.from_date <= day:
                current = s.annual_rent
        return current
    if lease.steps == Lease.Steps.PERCENT and lease.step_percent and lease.step_every_months:
        n = 0
        while add_months(lease.start_date, (n + 1) * lease.step_every_months) <= day:
            n += 1
        rent = lease.annual_rent
        factor = 1 + lease.step_percent / Decimal(100)
        for _i in range(n):
            rent = (rent * factor).quantize(CENT, rounding=ROUND_HALF_UP)
        return rent
    return lease.annual_rent


@dataclass
class Period:
    seq: int
    start: datetime.date
    end: datetime.date
    due: datetime.date
    amount: Decimal


def schedule_periods(lease: Lease) -> list[Period]:
    """The periods of the lease's payment cycle over its term (to its termination), each with
    its amount (a part period pro rata by days) and due date. Periods count whole months from
    the start, so a lease from 31 January has periods from the last day of shorter months."""
    cycle = int(lease.cycle)
    steps = list(lease.rent_steps.order_by("from_date"))
    last_day = lease.ends_on
    out: list[Period] = []
    k = 0
    while True:
        start = add_months(lease.start_date, k * cycle)
        if start > last_day:
            break
        full_end = add_months(lease.start_date, (k + 1) * cycle) - datetime.timedelta(days=1)
        end = min(full_end, last_day)
        amount = rent_on(lease, start, steps) * cycle / Decimal(12)
        if end < full_end:
            amount = amount * Decimal((end - start).days + 1) / Decimal((full_end - start).days + 1)
        base = start if lease.timing == Lease.Timing.ADVANCE else end
        out.append(
            Period(
                seq=k + 1,
                start=start,
                end=end,
                due=base + datetime.timedelta(days=lease.grace_days),
                amount=amount.quantize(CENT, rounding=ROUND_HALF_UP),
            )
        )
        k += 1
    return out


def frozen(charge: RentCharge, today: datetime.date) -> bool:
    """A row already billed (due by today) or paid is never regenerated."""
    return charge.due_date <= today or charge.paid > 0


@transaction.atomic
def generate_schedule(*, lease: Lease, user) -> None:
    """(Re)generate the lease's rent schedule: rows billed or paid stay as they are; the later
    rows are replaced by those the lease's terms give now (after a rent change, a termination)."""
    today = timezone.localdate()
    rows = list(lease.charges.order_by("seq"))
    kept = []
    for row in rows:
        if frozen(row, today):
            kept.append(row)
        else:
            break
    dropped = rows[len(kept) :]
    if dropped:
        # In two statements, each row's deletion in the history as the kit writes it.
        history = [
            ChangeRecord(
                **kit._change_kwargs(
                    row,
                    ChangeRecord.Kind.DELETE,
                    user,
                    kit.snapshot(row),
                    None,
                    "schedule",
                    lease.unit_id,
                )
            )
            for row in dropped
        ]
        RentCharge.objects.filter(pk__in=[r.pk for r in dropped]).delete()
        ChangeRecord.objects.bulk_create(history)
    last_end = kept[-1].period_end if kept else None
    next_seq = kept[-1].seq + 1 if kept else 1
    new = []
    if lease.status != Lease.Status.DRAFT:
        for p in schedule_periods(lease):
            if last_end is not None and p.start <= last_end:
                continue
            new.append(
                RentCharge(
                    lease=lease,
                    seq=next_seq,
                    period_start=p.start,
                    period_end=p.end,
                    due_date=p.due,
                    amount=p.amount,
                )
            )
            next_seq += 1
    if new:
        new = kit.bulk_create_rows(model=RentCharge, objs=new, user=user, source="schedule")
    allocate(lease, rows=[*kept, *new])


def allocate(lease: Lease, rows: list[RentCharge] | None = None) -> None:
    """Spread the lease's payments over its rent rows, oldest due first (the stored `paid`)."""
    remaining = lease.payments.aggregate(s=Sum("amount"))["s"] or ZERO
    rows = list(lease.charges.all()) if rows is None else rows
    for row in sorted(rows, key=lambda r: (r.due_date, r.seq)):
        paid = min(row.amount, remaining) if remaining > 0 else ZERO
        remaining -= paid
        if paid != row.paid:
            RentCharge.objects.filter(pk=row.pk).update(paid=paid)
            row.paid = paid


@transaction.atomic
def record_payment(*, payment: RentPayment, user, source: str = "web") -> RentPayment:
    """Record a tenant's payment on its business date and allocate it to the oldest rent due.
    Refused for a draft lease and beyond what the whole schedule still asks for."""
    lease = Lease.objects.select_for_update().select_related("unit").get(pk=payment.lease_id)
    if lease.status == Lease.Status.DRAFT:
        raise LeaseRefused(_("A payment is recorded against an active lease, not a draft."))
    payment.paid_on = kit.business_date(
        payment.paid_on,
        field="paid_on",
        not_before=[
            (
                lease.activated_on,
                _("The payment cannot be dated before the lease was activated (%(d)s).")
                % {"d": lease.activated_on},
            )
        ],
    )
    unpaid = sum((c.outstanding for c in lease.charges.all()), ZERO)
    if payment.amount > unpaid:
        raise ValidationError(
            {
                "amount": _(
                    "The payment (%(a)s yuan) is more than the rent still to be paid over the "
                    "whole schedule (%(u)s yuan)."
                )
                % {"a": _money(payment.amount), "u": _money(unpaid)}
            }
        )
    payment = kit.create_row(obj=payment, user=user, source=source)
    allocate(lease)
    return payment


@dataclass
class Arrears:
    """What a lease owed on a day: rent due by then less what was paid by then, oldest first,
    with the overdue part split by age (days since due)."""

    on: datetime.date
    due: Decimal = ZERO
    paid: Decimal = ZERO
    total: Decimal = ZERO
    by_age: dict[str, Decimal] = field(
        default_factory=lambda: {key: ZERO for key, _a, _b in AGE_BUCKETS}
    )
    rows: list[tuple[RentCharge, Decimal, int]] = field(default_factory=list)

    def add(self, other: Arrears) -> None:
        self.due += other.due
        self.paid += other.paid
        self.total += other.total
        for key in self.by_age:
            self.by_age[key] += other.by_age[key]


def _bucket(days: int) -> str:
    for key, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return key
    return AGE_BUCKETS[0][0]


def arrears_on(lease: Lease, on: datetime.date, charges=None, payments=None) -> Arrears:
    """The lease's arrears at the end of `on`, from business dates only: the rows due by then
    and the payments made by then, allocated oldest first. The same whenever it is asked."""
    if charges is None:
        charges = list(lease.charges.filter(due_date__lte=on))
    charges = [c for c in charges if c.due_date <= on]
    if payments is None:
        paid = lease.payments.filter(paid_on__lte=on).aggregate(s=Sum("amount"))["s"] or ZERO
    else:
        paid = sum((p.amount for p in payments if p.paid_on <= on), ZERO)
    return _allocated(on, charges, paid)


def _allocated(on: datetime.date, charges, paid: Decimal) -> Arrears:
    """`paid` allocated to `charges` (rows due by `on` with due_date, seq and amount), oldest
    first: what remains owed, by age."""
    charges = sorted(charges, key=lambda c: (c.due_date, c.seq))
    result = Arrears(on=on, due=sum((c.amount for c in charges), ZERO), paid=paid)
    remaining = paid
    for c in charges:
        covered = min(c.amount, remaining) if remaining > 0 else ZERO
        remaining -= covered
        owed = c.amount - covered
        if owed > 0:
            days = (on - c.due_date).days
            result.total += owed
            result.by_age[_bucket(days)] += owed
            result.rows.append((c, owed, days))
    return result


def arrears_of(leases, on: datetime.date) -> Arrears:
    """The arrears of several leases (a queryset, or lease rows) at the end of `on`, as
    `arrears_on` allocates them, in two queries that read only what the allocation needs (the
    payments summed by the database, the rent rows due as plain tuples in allocation order,
    the leases as a subquery): a province's hundred thousand leases are not made into model
    objects (see docs/performance.md)."""
    chosen: Any = (
        leases.order_by().values("pk")  # a subquery, not a list of ids
        if isinstance(leases, QuerySet)
        else [lease.pk for lease in leases]
    )
    paid = dict(
        RentPayment.objects.filter(lease_id__in=chosen, paid_on__lte=on)
        .order_by()
        .values("lease_id")
        .annotate(s=Sum("amount"))
        .values_list("lease_id", "s")
    )
    total = Arrears(on=on, paid=sum(paid.values(), ZERO))
    by_age = total.by_age
    current, remaining = None, ZERO
    for lease_id, due_date, amount in (
        RentCharge.objects.filter(lease_id__in=chosen, due_date__lte=on)
        .order_by("lease_id", "due_date", "seq")
        .values_list("lease_id", "due_date", "amount")
    ):
        if lease_id != current:
            current, remaining = lease_id, paid.get(lease_id, ZERO)
        total.due += amount
        if remaining >= amount:
            remaining -= amount
            continue
        owed = amount - remaining if remaining > 0 else amount
        remaining = ZERO
        total.total += owed
        by_age[_bucket((on - due_date).days)] += owed
    return total


# --- changes of an active lease ----------------------------------------------------------------


def check_active(lease: Lease, user=None) -> None:
    if lease.status != Lease.Status.ACTIVE:
        raise LeaseRefused(_("Only an active lease can take this step."))


@transaction.atomic
def change_rent(
    *, lease: Lease, user, from_date: datetime.date, annual_rent: Decimal, on=None
) -> Lease:
    """A new annual rent from `from_date` (a step of a fixed schedule): the rows already billed
    or paid stay; the later ones are generated again."""
    _require(user, lease)
    check_active(lease)
    kit.business_date(on)
    if not lease.start_date < from_date <= lease.ends_on:
        raise ValidationError({"from_date": _("A rent step falls within the lease's term.")})
    billed = lease.charges.filter(period_start__gte=from_date).filter(
        Q(due_date__lte=timezone.localdate()) | Q(paid__gt=0)
    )
    if billed.exists():
        raise LeaseRefused(
            _("Rent from %(d)s has already been billed or paid; a new rent starts later.")
            % {"d": from_date}
        )
    if lease.steps == Lease.Steps.PERCENT:
        raise LeaseRefused(_("The rent of this lease rises by a percentage; renew it instead."))
    # A second step on the same day is refused by the step's uniqueness (full_clean).
    step = RentStep(lease=lease, from_date=from_date, annual_rent=annual_rent)
    kit.create_row(obj=step, user=user, source="action")
    if lease.steps != Lease.Steps.SCHEDULE:
        # The lease now follows a schedule of rents; its history says so (the version is the
        # action runner's to raise).
        before = kit.snapshot(lease)
        lease.steps = Lease.Steps.SCHEDULE
        Lease.objects.filter(pk=lease.pk).update(steps=lease.steps)
        kit.record_change(
            obj=lease, kind="update", user=user, before=before, after=kit.snapshot(lease)
        )
    generate_schedule(lease=lease, user=user)
    return lease


@transaction.atomic
def terminate(
    *,
    lease: Lease,
    user,
    reason: str,
    deposit_refunded: Decimal,
    on: datetime.date | None = None,
) -> Lease:
    """End an active lease on `on`: the later unbilled rows go (the last period pro rata), and
    the deposit is settled: what is not refunded is retained (set against arrears or damage)."""
    _require(user, lease)
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    check_active(lease)
    on = kit.business_date(
        on,
        not_before=[
            (
                lease.start_date,
                _("The lease cannot end before it starts (%(d)s).") % {"d": lease.start_date},
            )
        ],
    )
    if on > lease.end_date:
        raise ValidationError({"on": _("The term has already ended; nothing to terminate.")})
    if deposit_refunded < 0 or deposit_refunded > lease.deposit:
        raise ValidationError(
            {
                "deposit_refunded": _("The refund is between 0 and the deposit (%(d)s yuan).")
                % {"d": _money(lease.deposit)}
            }
        )
    lease.status = Lease.Status.TERMINATED
    lease.terminated_on = on
    lease.termination_reason = reason[:200]
    lease.deposit_refunded = deposit_refunded
    lease.deposit_retained = lease.deposit - deposit_refunded
    kit.update_row(obj=lease, expected_version=lease.version, user=user, source="action")
    generate_schedule(lease=lease, user=user)
    return lease


def check_renewable(lease: Lease, user=None) -> None:
    check_active(lease)
    if lease.renewals.exists():
        raise LeaseRefused(_("This lease has already been renewed."))


@transaction.atomic
def renew(*, lease: Lease, user, end_date: datetime.date, annual_rent: Decimal, on=None) -> Lease:
    """A renewal is a new lease (a draft) from the day after this one ends, with the same
    tenant and property: it is activated under the same rules, its own enquiry, valuation or
    tender included. Returns the original lease; the renewal points back at it."""
    _require(user, lease)
    check_renewable(lease)
    kit.business_date(on)
    start = lease.end_date + datetime.timedelta(days=1)
    if end_date < start:
        raise ValidationError(
            {"end_date": _("The renewal ends after it starts (%(d)s).") % {"d": start}}
        )
    copy = Lease(
        unit=lease.unit,
        property=lease.property,
        leased_area=lease.leased_area,
        tenant_kind=lease.tenant_kind,
        tenant_name=lease.tenant_name,
        tenant_id_number=lease.tenant_id_number,
        tenant_credit_code=lease.tenant_credit_code,
        tenant_phone=lease.tenant_phone,
        start_date=start,
        end_date=end_date,
        annual_rent=annual_rent,
        cycle=lease.cycle,
        timing=lease.timing,
        grace_days=lease.grace_days,
        deposit=lease.deposit,
        method=lease.method,
        enquiry_people=lease.enquiry_people,
        renewal_of=lease,
    )
    kit.create_row(obj=copy, user=user, source="action")
    return lease


# --- properties --------------------------------------------------------------------------------


def check_disposable(prop: Property, user=None) -> None:
    if prop.disposed_on:
        raise LeaseRefused(_("This property has already been disposed of."))


@transaction.atomic
def dispose(*, prop: Property, user, way: str, matter=None, on=None) -> Property:
    """处置: sell, demolish or transfer a property. Refused while a lease is in force, and, from
    the federation's threshold of book value on, unless a passed 三重一大 matter approves it."""
    _require(user, prop)
    prop = Property.objects.select_for_update().get(pk=prop.pk)
    check_disposable(prop)
    on = kit.business_date(on)
    missing = []
    if Lease.objects.active_on(on).filter(property=prop).exists():
        missing.append(_("no lease in force on the property"))
    rule = rule_for(prop.unit, on)
    if (prop.book_value or ZERO) >= rule.disposal_matter_from:
        if matter is None:
            missing.append(
                _("a passed 三重一大 matter (book value %(v)s yuan, threshold %(t)s yuan)")
                % {"v": _money(prop.book_value or ZERO), "t": _money(rule.disposal_matter_from)}
            )
        elif problem := _matter_problem(matter, prop.unit):
            missing.append(problem)
    if missing:
        raise LeaseRefused(
            _("The property cannot be disposed of; missing: %(list)s.")
            % {"list": "；".join(missing)}
        )
    prop.disposed_on = on
    prop.disposal = way
    prop.disposal_matter = matter
    kit.update_row(obj=prop, expected_version=prop.version, user=user, source="action")
    return prop


def winning_bid(lease: Lease) -> Bid | None:
    return lease.bids.filter(won=True).first()


# --- inventory checks and safety inspections ---------------------------------------------------

DIFFERENCE_DAYS = 60  # time allowed to settle an inventory difference


@transaction.atomic
def add_difference(*, difference, user, source: str = "web"):
    """Record an inventory difference and open its rectification item in the responsible unit;
    the item's source is the difference (InventoryDifference.item_defaults)."""
    from gongxiao.rectification.services import create_item_from

    from .models import InventoryDifference

    difference = kit.create_row(obj=difference, user=user, source=source)
    item = create_item_from(record=difference, user=user)
    InventoryDifference.objects.filter(pk=difference.pk).update(item=item)
    difference.item = item
    return difference


def differences_of(count) -> list[tuple[str, str]]:
    """(kind, description) of each way a counted item differs from the registry on its day."""
    from .models import InventoryDifference

    kinds = InventoryDifference.Kind
    prop = count.property
    out: list[tuple[str, str]] = []
    if prop is None:
        return [
            (
                str(kinds.SURPLUS),
                _("Surplus: %(what)s was found but is not in the registry.")
                % {"what": count.found_name},
            )
        ]
    if not count.present:
        return [
            (
                str(kinds.SHORTAGE),
                _("Shortage: %(p)s, in the registry, was not found.") % {"p": prop.name},
            )
        ]
    registered = prop.status_on(count.counted_on)
    if count.status_found and count.status_found != registered:
        out.append(
            (
                str(kinds.STATUS),
                _("Status does not match: %(p)s is registered as %(r)s but was found %(f)s.")
                % {
                    "p": prop.name,
                    "r": Property.Status(registered).label,
                    "f": Property.Status(count.status_found).label,
                },
            )
        )
    problem = prop.certificate_problem()
    if not count.certificate_ok or problem:
        out.append(
            (
                str(kinds.CERTIFICATE),
                _("Certificate does not match: %(p)s (%(why)s).")
                % {
                    "p": prop.name,
                    "why": problem or _("the certificate differs from the registry"),
                },
            )
        )
    return out


@transaction.atomic
def record_count(*, count, user, source: str = "web"):
    """Record an item counted in an inventory check and raise a difference (each a
    rectification item) for every way it differs from the registry."""
    from .models import InventoryDifference

    count = kit.create_row(obj=count, user=user, source=source)
    for kind, text in differences_of(count):
        add_difference(
            difference=InventoryDifference(
                inventory_check=count.inventory_check,
                count=count,
                responsible_unit=count.counted_unit,
                property=count.property,
                kind=kind,
                description=text,
                found_on=count.counted_on,
                deadline=count.counted_on + datetime.timedelta(days=DIFFERENCE_DAYS),
            ),
            user=user,
            source=source,
        )
    return count


def close_problems(check, on: datetime.date) -> list[str]:
    """What keeps an inventory check from closing on `on` (empty: nothing): a unit of the
    campaign with nothing counted yet, named; a difference whose rectification is not closed
    out by then (undecided), counted and the first ones named."""
    from .models import InventoryCount

    problems: list[str] = []
    counted = set(
        InventoryCount.objects.filter(inventory_check=check).values_list(
            "counted_unit_id", flat=True
        )
    )
    missing = [u.name for u in check.checked_units.order_by("path") if u.pk not in counted]
    if missing:
        problems.append(_("units not yet counted: %(list)s") % {"list": "、".join(missing)})
    open_diffs = list(
        check.differences.filter(Q(item_closed_on__isnull=True) | Q(item_closed_on__gt=on))
        .select_related("responsible_unit")
        .order_by("found_on", "id")
    )
    if open_diffs:
        names = "；".join(
            f"{d.responsible_unit.name}：{d.description[:40]}" for d in open_diffs[:5]
        )
        more = "…" if len(open_diffs) > 5 else ""
        problems.append(
            _("%(n)s differences not yet settled (rectification not closed out): %(list)s")
            % {"n": len(open_diffs), "list": names + more}
        )
    return problems


def check_closable(check, user=None, on: datetime.date | None = None) -> None:
    """Why the inventory check cannot be closed (raises), or nothing."""
    if check.closed_on:
        raise LeaseRefused(_("This inventory check has already been closed."))
    if problems := close_problems(check, on or timezone.localdate()):
        raise LeaseRefused(
            _("The inventory check cannot be closed; %(list)s.") % {"list": "；".join(problems)}
        )


@transaction.atomic
def close_check(*, check, user, on: datetime.date | None = None):
    """Close an inventory check (资产清查) on `on`: every unit of the campaign counted and every
    difference found settled by then. Its end date is the closing day unless one was given;
    after closing nothing more is counted in it."""
    from .models import InventoryCheck

    _require(user, check)
    check = InventoryCheck.objects.select_for_update().get(pk=check.pk)
    on = kit.business_date(
        on,
        not_before=[
            (
                check.start_date,
                _("The check cannot close before it starts (%(d)s).") % {"d": check.start_date},
            )
        ],
    )
    check_closable(check, user, on)
    check.closed_on = on
    if not check.end_date:
        check.end_date = on
    kit.update_row(obj=check, expected_version=check.version, user=user, source="action")
    return check


@transaction.atomic
def add_hazard(*, hazard, user, source: str = "web"):
    """Record a safety hazard and open its rectification item: 立行立改 unless a deadline is
    needed (即查即改); the item's source is the hazard."""
    from gongxiao.rectification.services import create_item_from

    from .models import Hazard

    hazard = kit.create_row(obj=hazard, user=user, source=source)
    item = create_item_from(record=hazard, user=user)
    Hazard.objects.filter(pk=hazard.pk).update(item=item)
    hazard.item = item
    return hazard


# --- reminders (the notification ladder) -------------------------------------------------------

EXPIRY_STEPS = (30, 60, 90)


def _officers_of(unit):
    """The users holding the asset role over `unit` (at it or above it; data entry aside)."""
    from gongxiao.org.models import RoleAssignment
    from gongxiao.org.roles import Role

    ids = [int(p) for p in unit.path.strip("/").split("/")]
    return [
        a.user
        for a in RoleAssignment.objects.filter(unit_id__in=ids, role=Role.ASSET).select_related(
            "user"
        )
    ]


def _leaders_of(unit):
    from gongxiao.org.models import RoleAssignment
    from gongxiao.org.roles import Role

    return [
        a.user
        for a in RoleAssignment.objects.filter(unit=unit, role=Role.LEADER).select_related("user")
    ]


def remind_leases(*, today: datetime.date | None = None) -> int:
    """The ladder for leases, run once a day by the task workers (core/daily.py) and safe to
    run any number of times (each notice has its key): the
    asset officers over a lease hear 90, 60 and 30 days before it expires, and of rent overdue
    more than 30 days; over 90 days overdue, the unit's leaders hear too. Returns the notices
    sent."""
    from django.urls import reverse

    from gongxiao.core.notifications import notify

    today = today or timezone.localdate()
    sent = 0
    soon = Lease.objects.active_on(today).filter(
        end_date__lte=today + datetime.timedelta(days=max(EXPIRY_STEPS))
    )
    for lease in soon.select_related("unit", "property"):
        days = (lease.end_date - today).days
        step = next(s for s in EXPIRY_STEPS if days <= s)
        url = reverse("ledger-detail", args=["assets", "leases", lease.pk])
        for user in _officers_of(lease.unit):
            sent += bool(
                notify(
                    recipient=user,
                    key=f"assets.lease.{lease.pk}.expires.{lease.end_date}.{step}",
                    title=_("Lease expiring within %(n)s days: %(lease)s")
                    % {"n": step, "lease": lease},
                    body=_("The term ends on %(d)s; renew it or prepare the new tender.")
                    % {"d": lease.end_date},
                    url=url,
                    level="warning",
                )
            )
    owing = Lease.objects.filter(
        activated_on__isnull=False,
        charges__due_date__lte=today - datetime.timedelta(days=31),
    ).distinct()
    for lease in owing.select_related("unit", "property"):
        arrears = arrears_on(lease, today)
        oldest = max((days for _c, _a, days in arrears.rows), default=0)
        if oldest <= 30:
            continue
        bucket = _bucket(oldest)
        # The period longest overdue names the notice: once per period and age, so a tenant
        # who settles and falls behind again is told again.
        first = min((c.seq for c, _a, days in arrears.rows if days == oldest), default=0)
        url = reverse("ledger-detail", args=["assets", "leases", lease.pk])
        title = _("Rent overdue %(n)s days: %(lease)s, %(a)s yuan owed") % {
            "n": oldest,
            "lease": lease,
            "a": _money(arrears.total),
        }
        recipients = _officers_of(lease.unit)
        if oldest > 90:
            recipients += _leaders_of(lease.unit)
        for user in recipients:
            sent += bool(
                notify(
                    recipient=user,
                    key=f"assets.lease.{lease.pk}.arrears.{first}.{bucket}",
                    title=title,
                    url=url,
                    level="danger" if oldest > 90 else "warning",
                )
            )
    return sent
