"""The services-to-farmers part of `gongxiao synth` (see gongxiao.core.synth): monthly input
sales lines (each unit, month and category once), land trusteeships and service operations."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.agri.models import (
    InputCategory,
    InputSale,
    ServiceLink,
    ServiceOperation,
    Trusteeship,
)
from gongxiao.core.synth import BATCH, SynthContext

SHARE = 0.05
CATEGORIES = InputCategory.values


def _months(first: datetime.date, span: int) -> list[datetime.date]:
    out, day = [], first.replace(day=1)
    last = first + datetime.timedelta(days=span)
    while day <= last:
        out.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return out


def build(ctx: SynthContext, rows: int) -> None:
    rng, units, first, span = ctx.rng, ctx.units, ctx.first, ctx.span
    months = _months(first, span)
    n_sales = rows * 6 // 10
    n_services = rows - n_sales
    # Sales: walk units × months × categories in order, so no line repeats.
    batch: list = []
    made = 0
    slots = len(units) * len(months) * len(CATEGORIES)
    for i in range(min(n_sales, slots)):
        unit = units[i // (len(months) * len(CATEGORIES))]
        month = months[(i // len(CATEGORIES)) % len(months)]
        category = CATEGORIES[i % len(CATEGORIES)]
        qty = Decimal(rng.randint(1, 200))
        batch.append(
            InputSale(
                unit=unit,
                month=month,
                category=category,
                quantity=qty,
                measure="t",
                value=(qty * Decimal("0.3")).quantize(Decimal("0.0001")),
            )
        )
        if len(batch) >= BATCH:
            InputSale.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        InputSale.objects.bulk_create(batch)
        made += len(batch)
    links = ServiceLink.values
    trust: list = []
    ops: list = []
    n_trust = n_ops = 0
    for i in range(n_services):
        if i and i % BATCH == 0:  # written as they come: 5,000,000 rows are not held at once
            Trusteeship.objects.bulk_create(trust, batch_size=BATCH)
            ServiceOperation.objects.bulk_create(ops, batch_size=BATCH)
            n_trust, n_ops, trust, ops = n_trust + len(trust), n_ops + len(ops), [], []
        unit = units[rng.randrange(len(units))]
        day = first + datetime.timedelta(days=rng.randrange(span + 1))
        area = Decimal(rng.randint(10, 500))
        if rng.random() < 0.4:
            trust.append(
                Trusteeship(
                    unit=unit,
                    household="合成农户",
                    crop="水稻",
                    area=area,
                    start_date=day,
                    ploughing=True,
                    protection=rng.random() < 0.7,
                )
            )
        else:
            times = rng.randint(1, 3)
            ops.append(
                ServiceOperation(
                    unit=unit,
                    date=day,
                    link=rng.choice(links),
                    crop="水稻",
                    area=area,
                    times=times,
                    service_area=area * times,  # bulk_create skips save()
                )
            )
    Trusteeship.objects.bulk_create(trust, batch_size=BATCH)
    ServiceOperation.objects.bulk_create(ops, batch_size=BATCH)
    ctx.result.counts["input sales lines"] = made
    ctx.result.counts["trusteeships"] = n_trust + len(trust)
    ctx.result.counts["service operations"] = n_ops + len(ops)
