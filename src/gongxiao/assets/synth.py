"""The assets ledgers' part of `gongxiao synth` (see gongxiao.core.synth): properties, and for
most of them a lease in force with its quarterly rent schedule, in bulk as an import would
write them; exactly the rows given, counted together as "asset rows"."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.assets import models as m
from gongxiao.core.synth import SynthContext

SHARE = 0.02
ID_NUMBER = "11010519491231002X"
PER_BATCH = 500  # properties written at a time


def build(ctx: SynthContext, n_rows: int) -> None:
    rng, units, first, span = ctx.rng, ctx.units, ctx.first, ctx.span
    kinds = [k for k in m.Property.Kind.values if k != "land"]
    budget, seq = n_rows, 0
    while budget > 0:
        props: list[m.Property] = []
        plans: list[tuple[bool, int, datetime.date, Decimal]] = []
        while budget > 0 and len(props) < PER_BATCH:
            seq += 1
            unit = units[rng.randrange(len(units))]
            props.append(
                m.Property(
                    unit=unit,
                    name=f"合成房产{seq:07d}",
                    address="合成地址",
                    kind=rng.choice(kinds),
                    building_area=Decimal(rng.randint(40, 900)),
                    book_value=Decimal(rng.randint(20, 900) * 1000),
                    acquired_on=datetime.date(2000, 1, 1),
                )
            )
            budget -= 1
            leased = budget > 0 and rng.random() < 0.8
            n_charges = min(8, budget - 1) if leased else 0
            if leased:
                budget -= 1 + n_charges
            start = first + datetime.timedelta(days=rng.randrange(max(span - 90, 1)))
            plans.append((leased, n_charges, start, Decimal(rng.randint(60, 290) * 100)))
        m.Property.objects.bulk_create(props)
        leases: list[m.Lease] = []
        n_of: dict[int, int] = {}
        for prop, (leased, n_charges, start, rent) in zip(props, plans, strict=True):
            if leased:
                lease = m.Lease(
                    unit=prop.unit,
                    property=prop,
                    tenant_kind="person",
                    tenant_name="合成承租人",
                    tenant_id_number=ID_NUMBER,
                    start_date=start,
                    end_date=m.add_months(start, 24) - datetime.timedelta(days=1),
                    annual_rent=rent,
                    method="enquiry",
                    enquiry_people="甲、乙",
                    comparables="一\n二",
                    status="active",
                    activated_on=start,
                )
                n_of[id(lease)] = n_charges
                leases.append(lease)
        m.Lease.objects.bulk_create(leases)
        charges = []
        for lease in leases:
            quarter = (lease.annual_rent / 4).quantize(m.CENT)
            for k in range(n_of[id(lease)]):
                start = m.add_months(lease.start_date, 3 * k)
                charges.append(
                    m.RentCharge(
                        lease=lease,
                        seq=k + 1,
                        period_start=start,
                        period_end=m.add_months(lease.start_date, 3 * k + 3)
                        - datetime.timedelta(days=1),
                        due_date=start,
                        amount=quarter,
                        paid=quarter if rng.random() < 0.8 else Decimal(0),
                    )
                )
        m.RentCharge.objects.bulk_create(charges, batch_size=1000)
    ctx.result.counts["asset rows"] = n_rows
