"""Rows of the assets ledgers for tests, and rows ready for each declared action."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.assets import models as m
from gongxiao.core.testing import factory_for, prepares

_n = {"i": 0}


def _seq():
    _n["i"] += 1
    return _n["i"]


D = datetime.date(2023, 1, 1)
# Valid codes (SPEC §5): a person's ID number and organisations' credit codes.
ID_NUMBER = "11010519491231002X"
CREDIT_CODE = "91350100M000100Y43"
CREDIT_CODE_2 = "91512081MA62K0260E"


@factory_for(m.LeasingRule)
def make_rule(unit, **kw):
    return m.LeasingRule.objects.create(
        unit=unit,
        effective_from=kw.pop("effective_from", datetime.date(2020, 1, 1))
        + datetime.timedelta(days=_seq()),
        **kw,
    )


@factory_for(m.Property)
def make_property(unit, **kw):
    kind = kw.pop("kind", m.Property.Kind.SHOP)
    if kind == m.Property.Kind.LAND:
        kw.setdefault("land_area", Decimal("2000.00"))
    else:
        kw.setdefault("building_area", Decimal("120.00"))
    return m.Property.objects.create(
        unit=unit,
        name=kw.pop("name", f"门面房{_seq():05d}"),
        address=kw.pop("address", "城关镇解放路18号"),
        kind=kind,
        book_value=kw.pop("book_value", Decimal("80000.00")),
        acquired_on=kw.pop("acquired_on", datetime.date(2005, 6, 1)),
        **kw,
    )


@factory_for(m.Certificate)
def make_certificate(unit, **kw):
    prop = kw.pop("property", None) or make_property(unit)
    return m.Certificate.objects.create(
        property=prop,
        kind=kw.pop("kind", m.Certificate.Kind.REAL_ESTATE),
        number=kw.pop("number", f"浙(2020)不动产权第{_seq():07d}号"),
        holder=kw.pop("holder", prop.unit.name),
        issued_on=kw.pop("issued_on", datetime.date(2020, 3, 1)),
        **kw,
    )


@factory_for(m.Lease)
def make_lease(unit, **kw):
    """A draft lease of a shop by a person, at 24,000 yuan a year for two years, with a market
    enquiry that satisfies SPEC §5 (two people, two comparables): ready to activate."""
    prop = kw.pop("property", None) or make_property(unit)
    return m.Lease.objects.create(
        unit=prop.unit,
        property=prop,
        tenant_kind=kw.pop("tenant_kind", m.Lease.TenantKind.PERSON),
        tenant_name=kw.pop("tenant_name", f"承租人{_seq():05d}"),
        tenant_id_number=kw.pop("tenant_id_number", ID_NUMBER),
        start_date=kw.pop("start_date", D),
        end_date=kw.pop("end_date", datetime.date(2024, 12, 31)),
        annual_rent=kw.pop("annual_rent", Decimal("24000.00")),
        cycle=kw.pop("cycle", m.Lease.Cycle.QUARTERLY),
        deposit=kw.pop("deposit", Decimal("6000.00")),
        method=kw.pop("method", m.Lease.Method.ENQUIRY),
        enquiry_people=kw.pop("enquiry_people", "张明、李芳"),
        comparables=kw.pop("comparables", "解放路20号 每年25000元\n解放路26号 每年23000元"),
        **kw,
    )


def active_lease(unit, **kw):
    """An activated lease (through the service, so its schedule is there)."""
    from gongxiao.assets import services
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with

    lease = make_lease(unit, **kw)
    user = user_with(Role.SYSADMIN, unit)
    return services.activate(lease=lease, user=user, on=kw.get("start_date", D))


@factory_for(m.RentStep)
def make_step(unit, **kw):
    lease = kw.pop("lease", None) or make_lease(unit, steps=m.Lease.Steps.SCHEDULE)
    return m.RentStep.objects.create(
        lease=lease,
        from_date=kw.pop("from_date", datetime.date(2024, 1, 1)),
        annual_rent=kw.pop("annual_rent", Decimal("25200.00")),
        **kw,
    )


@factory_for(m.Bid)
def make_bid(unit, **kw):
    lease = kw.pop("lease", None) or make_lease(unit, method=m.Lease.Method.TENDER)
    return m.Bid.objects.create(
        lease=lease,
        bidder=kw.pop("bidder", f"竞租人{_seq():05d}"),
        amount=kw.pop("amount", Decimal("24000.00")),
        date=kw.pop("date", datetime.date(2022, 12, 10)),
        **kw,
    )


@factory_for(m.RentCharge)
def make_charge(unit, **kw):
    lease = kw.pop("lease", None) or make_lease(unit)
    return m.RentCharge.objects.create(
        lease=lease,
        seq=kw.pop("seq", 1),
        period_start=kw.pop("period_start", D),
        period_end=kw.pop("period_end", datetime.date(2023, 3, 31)),
        due_date=kw.pop("due_date", D),
        amount=kw.pop("amount", Decimal("6000.00")),
        **kw,
    )


@factory_for(m.RentPayment)
def make_payment(unit, **kw):
    lease = kw.pop("lease", None) or make_lease(unit, status=m.Lease.Status.ACTIVE, activated_on=D)
    return m.RentPayment.objects.create(
        lease=lease,
        paid_on=kw.pop("paid_on", datetime.date(2023, 1, 5)),
        amount=kw.pop("amount", Decimal("6000.00")),
        way=kw.pop("way", m.RentPayment.Way.TRANSFER),
        receipt_number=kw.pop("receipt_number", f"SJ{_seq():06d}"),
        **kw,
    )


# --- rows ready for each declared action (core/tests/test_actions.py) ------------------------

prepares("assets.properties", "dispose")(make_property)
prepares("assets.leases", "activate")(make_lease)


@prepares("assets.leases", "record_payment", "renew")
def _active(unit):
    return active_lease(unit)


@prepares("assets.leases", "change_rent", "terminate")
def _active_later(unit):
    # Its last month not billed yet: a lease that runs into next year.
    today = datetime.date.today()
    return active_lease(
        unit,
        start_date=today.replace(day=1) - datetime.timedelta(days=200),
        end_date=today.replace(day=1) + datetime.timedelta(days=500),
    )


@factory_for(m.ContractTemplate)
def make_contract_template(unit, **kw):
    from django.core.files.base import ContentFile

    from gongxiao.assets import contract

    tpl = m.ContractTemplate(unit=unit, name=kw.pop("name", f"租赁合同模板{_seq():05d}"), **kw)
    tpl.file.save("contract.docx", ContentFile(contract.default_template()), save=False)
    tpl.save()
    return tpl


@factory_for(m.InventoryCheck)
def make_inventory_check(unit, **kw):
    check = m.InventoryCheck.objects.create(
        unit=unit,
        title=kw.pop("title", f"资产清查{_seq():05d}"),
        start_date=kw.pop("start_date", datetime.date(2023, 9, 1)),
        **kw,
    )
    check.checked_units.add(unit)
    return check


@factory_for(m.InventoryCount)
def make_count(unit, **kw):
    return m.InventoryCount.objects.create(
        inventory_check=kw.pop("inventory_check", None) or make_inventory_check(unit),
        counted_unit=kw.pop("counted_unit", unit),
        property=kw.pop("property", None) or make_property(unit),
        counted_on=kw.pop("counted_on", datetime.date(2023, 9, 5)),
        **kw,
    )


@factory_for(m.InventoryDifference)
def make_difference(unit, **kw):
    return m.InventoryDifference.objects.create(
        inventory_check=kw.pop("inventory_check", None) or make_inventory_check(unit),
        responsible_unit=kw.pop("responsible_unit", unit),
        kind=kw.pop("kind", m.InventoryDifference.Kind.SHORTAGE),
        description=kw.pop("description", f"清查差异{_seq():05d}"),
        found_on=kw.pop("found_on", datetime.date(2023, 9, 5)),
        deadline=kw.pop("deadline", datetime.date(2023, 11, 5)),
        **kw,
    )


@factory_for(m.SafetyInspection)
def make_safety_inspection(unit, **kw):
    ins = m.SafetyInspection.objects.create(
        unit=unit,
        date=kw.pop("date", datetime.date(2023, 3, 15)),
        title=kw.pop("title", f"安全生产检查{_seq():05d}"),
        inspectors=kw.pop("inspectors", "张明、李芳"),
        **kw,
    )
    ins.inspected_units.add(unit)
    return ins


@factory_for(m.Hazard)
def make_hazard(unit, **kw):
    return m.Hazard.objects.create(
        inspection=kw.pop("inspection", None) or make_safety_inspection(unit),
        responsible_unit=kw.pop("responsible_unit", unit),
        description=kw.pop("description", f"安全隐患{_seq():05d}"),
        **kw,
    )


@prepares("assets.inventory-checks", "close")
def _countable_check(unit):
    # Its one unit counted, nothing differing: ready to close.
    check = make_inventory_check(unit)
    make_count(unit, inventory_check=check)
    return check
