"""The demo's assets: believable rows for the demo federation, every way of choosing a tenant,
payments with some arrears, a termination and a renewal, figures that come out non-zero."""

import datetime
from decimal import Decimal

from gongxiao.assets import models as m
from gongxiao.assets import services


def test_the_demo_leases_properties_by_every_way_and_leaves_some_arrears(db):
    from gongxiao.assets import demo
    from gongxiao.org import demo as org_demo

    ctx = org_demo.DemoContext()
    org_demo.build(ctx)
    demo.build(ctx)
    today = ctx.today
    assert m.Property.objects.count() >= 40
    assert m.LeasingRule.objects.filter(unit=ctx.city).exists()
    kinds = set(m.Property.objects.values_list("kind", flat=True))
    assert {"shop", "warehouse", "office", "land"} <= kinds
    methods = set(
        m.Lease.objects.filter(activated_on__isnull=False).values_list("method", flat=True)
    )
    assert methods == {"enquiry", "valuation", "tender", "exception"}
    tender = m.Lease.objects.get(method="tender")
    assert tender.bids.filter(won=True).get().bidder == tender.tenant_name
    assert tender.matter.outcome == "passed"
    assert m.Lease.objects.filter(status="terminated").exists()
    assert m.Lease.objects.filter(renewal_of__isnull=False, status="draft").exists()
    active = m.Lease.objects.filter(activated_on__isnull=False)
    owed = services.arrears_of(active, today)
    assert owed.total > 0 and owed.paid > 0
    # The province-wide path (plain tuples, one pass) allocates as each lease's own page does.
    each = [services.arrears_on(lease, today) for lease in active]
    for name in ("due", "paid", "total"):
        assert getattr(owed, name) == sum((getattr(a, name) for a in each), Decimal(0))
    assert owed.by_age == {k: sum((a.by_age[k] for a in each), Decimal(0)) for k in owed.by_age}
    assert services.arrears_of(list(active), today).by_age == owed.by_age
    assert any(p.certificate_problem() for p in m.Property.objects.all())
    assert m.InventoryDifference.objects.filter(item__isnull=False).count() >= 3
    assert m.InventoryDifference.objects.filter(item_closed_on__isnull=False).exists()
    closed = m.InventoryCheck.objects.get(unit=ctx.counties[0])
    assert closed.closed_on is not None  # every difference settled, then closed
    assert not closed.differences.filter(item_closed_on__isnull=True).exists()
    assert m.InventoryCheck.objects.filter(closed_on__isnull=True).exists()  # others still open
    assert m.Hazard.objects.filter(item__kind="immediate", item_closed_on__isnull=False).exists()
    assert m.SafetyInspection.objects.count() == 4 * len(ctx.counties)
    assert m.RentPayment.objects.filter(paid_on__lt=today - datetime.timedelta(days=365)).exists()
