"""Figures of co-op owned assets, each as of the end of the period (by business dates: a past
period reads the same whenever it is asked). Seed 004: 完成基层单位公有房产信息采集录入,
落实资产租赁评估制度, 公开招租, 资产清查."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, register_metric

from . import models as m
from . import services


def _in_subtree(qs, unit, field):
    return qs.filter(**{f"{field}__path__startswith": unit.path}) if unit is not None else qs


def _held_on(on: datetime.date) -> Q:
    """Held at the end of `on`: acquired by then (or undated) and not disposed of by then."""
    return (Q(acquired_on__isnull=True) | Q(acquired_on__lte=on)) & ~Q(disposed_on__lte=on)


def _properties(user, unit, period):
    qs = m.Property.objects.visible_to(user).filter(_held_on(period.end))
    return _in_subtree(qs, unit, "unit")


# Declared rows (core.metrics: the model's rows in reach in the subtree, narrowed by a `where`),
# so the figures over the same rows are taken in one query: (model, where).


def _leased_on(on) -> Exists:
    return Exists(m.Lease.objects.active_on(on).filter(property=OuterRef("pk")))


PROPERTIES = (m.Property, lambda unit, period: _held_on(period.end))
LEASED_PROPERTIES = (
    m.Property,
    lambda unit, period: _held_on(period.end) & Q(_leased_on(period.end)),
)
VACANT_PROPERTIES = (
    m.Property,
    lambda unit, period: _held_on(period.end) & Q(own_use=False) & ~Q(_leased_on(period.end)),
)


def _active_leases(user, unit, period):
    qs = m.Lease.objects.visible_to(user).active_on(period.end)
    return _in_subtree(qs, unit, "unit")


def _between(model, field):
    """(model, where): the rows whose `field` falls in the period."""
    return (
        model,
        lambda unit, period: Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end}),
    )


LEASES_SIGNED = _between(m.Lease, "activated_on")


def _expiring(days):
    def rows(user, unit, period):
        end = period.end + datetime.timedelta(days=days)
        return _active_leases(user, unit, period).filter(end_date__lte=end)

    return rows


CHARGES_DUE = _between(m.RentCharge, "due_date")
PAYMENTS = _between(m.RentPayment, "paid_on")


def _leases_owing(user, unit, period):
    """Leases with rent due by the period's end (their arrears are computed as of that day)."""
    qs = m.Lease.objects.visible_to(user).filter(
        activated_on__lte=period.end, charges__due_date__lte=period.end
    )
    return _in_subtree(qs, unit, "unit").distinct()


def _arrears(bucket=None):
    def value(rows, user, unit, period):
        result = services.arrears_of(rows, period.end)
        return result.total if bucket is None else result.by_age[bucket]

    return value


def _leased_area(rows, *args) -> Decimal:
    return sum((lease.area_taken for lease in rows.select_related("property")), Decimal(0))


def _leased_rate(rows, user, unit, period):
    """Leased building area over the building area held, at the period's end (land apart)."""
    held = (
        _properties(user, unit, period)
        .exclude(kind=m.Property.Kind.LAND)
        .aggregate(s=Sum("building_area"))["s"]
    )
    leased = _leased_area(rows.exclude(property__kind=m.Property.Kind.LAND))
    if not held:
        return None
    share = min(leased * 100 / held, Decimal(100))
    return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _land_mu(rows, *args):
    return m.m2_to_mu(rows.aggregate(s=Sum("land_area"))["s"] or Decimal(0))


def _link_held(unit, period):
    return {"disposed_on__isnull": "True"}


def _link_dates(field):
    return lambda unit, period: {
        f"{field}__gte": period.start.isoformat(),
        f"{field}__lte": period.end.isoformat(),
    }


def _link_active(unit, period):
    return {"status": "active", "start_date__lte": period.end.isoformat()}


def M(key, label, measure, rows, ledger, unit_field="unit", **kw):
    if isinstance(rows, tuple):  # (model, where): declared
        model, where = rows
        assert model.scope_field == unit_field, key  # the subtree the rows were taken from
        kw.update(model=model, where=where)
    else:
        kw["rows"] = rows
    register_metric(
        Metric(
            key=key,
            label=label,
            measure=measure,
            module="assets",
            ledger=ledger,
            unit_field=unit_field,
            **kw,
        )
    )


M(
    "assets.properties.count",
    _("Properties held"),
    "处",
    PROPERTIES,
    "assets.properties",
    link=_link_held,
    dimensions={"kind": "kind", "unit": "unit"},
    description=_("Properties and plots held at the end of the period (acquired, not disposed)."),
)
M(
    "assets.properties.building_area",
    _("Building area held"),
    "m²",
    PROPERTIES,
    "assets.properties",
    aggregate=Sum("building_area"),
    link=_link_held,
    dimensions={"kind": "kind"},
)
M(
    "assets.properties.land_area",
    _("Land area held"),
    "m²",
    PROPERTIES,
    "assets.properties",
    aggregate=Sum("land_area"),
    link=_link_held,
    dimensions={"kind": "kind"},
)
M(
    "assets.properties.land_area_mu",
    _("Land area held (mu)"),
    "亩",
    PROPERTIES,
    "assets.properties",
    value=_land_mu,
    link=_link_held,
    description=_("The land area in 亩 (1 亩 = 10000/15 m²)."),
)
M(
    "assets.properties.leased",
    _("Properties leased"),
    "处",
    LEASED_PROPERTIES,
    "assets.properties",
    link=_link_held,
    dimensions={"kind": "kind"},
    description=_("Properties with a lease in force at the end of the period (wholly or in part)."),
)
M(
    "assets.properties.vacant",
    _("Properties vacant"),
    "处",
    VACANT_PROPERTIES,
    "assets.properties",
    link=_link_held,
    dimensions={"kind": "kind"},
)
M(
    "assets.leases.active",
    _("Leases in force"),
    "份",
    _active_leases,
    "assets.leases",
    link=_link_active,
    dimensions={"method": "method"},
)
M(
    "assets.leases.signed",
    _("Leases activated"),
    "份",
    LEASES_SIGNED,
    "assets.leases",
    link=_link_dates("start_date"),
    dimensions={"method": "method", "unit": "unit"},
    description=_("Leases put in force in the period, by how the tenant was chosen."),
)
M(
    "assets.leases.leased_area",
    _("Area leased"),
    "m²",
    _active_leases,
    "assets.leases",
    value=_leased_area,
    link=_link_active,
)
M(
    "assets.leases.leased_rate",
    _("Leased rate by building area"),
    "%",
    _active_leases,
    "assets.leases",
    value=_leased_rate,
    link=_link_active,
)
for _days, _label in [
    (30, _("Leases expiring within 30 days")),
    (60, _("Leases expiring within 60 days")),
]:
    M(
        f"assets.leases.expiring_{_days}",
        _label,
        "份",
        _expiring(_days),
        "assets.leases",
        link=_link_active,
    )
M(
    "assets.leases.expiring_90",
    _("Leases expiring within 90 days"),
    "份",
    _expiring(90),
    "assets.leases",
    link=_link_active,
    description=_("Leases in force at the end of the period whose term ends within 90 days."),
)
M(
    "assets.rent.due",
    _("Rent due"),
    "元",
    CHARGES_DUE,
    "assets.rent-schedule",
    unit_field="lease__unit",
    aggregate=Sum("amount"),
    link=_link_dates("due_date"),
)
M(
    "assets.rent.received",
    _("Rent received"),
    "元",
    PAYMENTS,
    "assets.rent-payments",
    unit_field="lease__unit",
    aggregate=Sum("amount"),
    link=_link_dates("paid_on"),
)
M(
    "assets.rent.arrears",
    _("Rent in arrears"),
    "元",
    _leases_owing,
    "assets.leases",
    value=_arrears(),
    description=_("Rent due by the end of the period less the payments made by then."),
)
for _key, _label in [
    ("0_30", _("Rent in arrears up to 30 days")),
    ("31_90", _("Rent in arrears 31 to 90 days")),
    ("91_180", _("Rent in arrears 91 to 180 days")),
    ("over_180", _("Rent in arrears over 180 days")),
]:
    M(
        f"assets.rent.arrears_{_key}",
        _label,
        "元",
        _leases_owing,
        "assets.leases",
        value=_arrears(_key),
    )


def _dated(model, field, unit_field):
    assert model.scope_field == unit_field
    return _between(model, field)


def _closed_in(model, unit_field):
    """Rows whose rectification item was closed out in the period (by its business date)."""
    assert model.scope_field == unit_field
    return _between(model, "item_closed_on")


M(
    "assets.inventory.checks",
    _("Inventory checks"),
    "次",
    _dated(m.InventoryCheck, "start_date", "unit"),
    "assets.inventory-checks",
    link=_link_dates("start_date"),
)
M(
    "assets.inventory.differences",
    _("Inventory differences found"),
    "条",
    _dated(m.InventoryDifference, "found_on", "inventory_check__unit"),
    "assets.inventory-differences",
    unit_field="inventory_check__unit",
    link=_link_dates("found_on"),
    dimensions={"kind": "kind"},
)
M(
    "assets.inventory.differences_closed",
    _("Inventory differences rectified"),
    "条",
    _closed_in(m.InventoryDifference, "inventory_check__unit"),
    "assets.inventory-differences",
    unit_field="inventory_check__unit",
    description=_("Differences whose rectification item was closed out in the period."),
)
M(
    "assets.safety.inspections",
    _("Safety inspections"),
    "次",
    _dated(m.SafetyInspection, "date", "unit"),
    "assets.safety-inspections",
    link=_link_dates("date"),
)
M(
    "assets.safety.hazards",
    _("Safety hazards found"),
    "处",
    _dated(m.Hazard, "inspection__date", "inspection__unit"),
    "assets.hazards",
    unit_field="inspection__unit",
    link=_link_dates("inspection__date"),
)
M(
    "assets.safety.hazards_closed",
    _("Safety hazards rectified"),
    "处",
    _closed_in(m.Hazard, "inspection__unit"),
    "assets.hazards",
    unit_field="inspection__unit",
    description=_("Hazards whose rectification item was closed out in the period."),
)
