"""The credit part of `gongxiao synth` (see gongxiao.core.synth): in each unit one household
member of the farmers' federation (the unit's second person), and guarantees for those members
over the span, about one in three released at its end and one in fifty compensated, with
their events on their business dates; and loans arranged."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.agri.models import Member
from gongxiao.core.synth import BATCH, SynthContext
from gongxiao.credit.models import Guarantee, GuaranteeEvent, Loan

SHARE = 0.02
AMOUNTS = [Decimal(n) for n in (20, 30, 50, 80, 100, 150, 200)]


def build(ctx: SynthContext, rows: int) -> None:
    rng, units, first, span = ctx.rng, ctx.units, ctx.first, ctx.span
    members = Member.objects.bulk_create(
        [
            Member(
                unit=unit,
                kind="farmer",
                person=ctx.people_by_unit[unit.pk][1],
                federation="township",
                joined_on=first,
            )
            for unit in units
            if len(ctx.people_by_unit.get(unit.pk, [])) > 1
        ],
        batch_size=BATCH,
    )
    if not members:
        return
    n_guarantees = rows * 6 // 10
    n_loans = rows - n_guarantees
    made = events = 0
    while made < n_guarantees:
        batch, story = [], []
        for _i in range(made, min(made + BATCH, n_guarantees)):
            member = members[rng.randrange(len(members))]
            start = first + datetime.timedelta(days=rng.randrange(span + 1))
            end = start + datetime.timedelta(days=364)
            batch.append(
                Guarantee(
                    unit_id=member.unit_id,
                    member=member,
                    lender="农商银行",
                    guarantor="市农业融资担保有限公司",
                    amount=AMOUNTS[rng.randrange(len(AMOUNTS))],
                    start_date=start,
                    end_date=end,
                    sector="agri" if rng.random() < 0.8 else "other",
                )
            )
            story.append(rng.random())
        Guarantee.objects.bulk_create(batch)
        later = []
        for g, draw in zip(batch, story, strict=True):
            if draw < 0.02:
                later.append(
                    GuaranteeEvent(
                        guarantee=g, kind="compensation", date=g.end_date, amount=g.amount
                    )
                )
            elif draw < 0.35:
                later.append(
                    GuaranteeEvent(guarantee=g, kind="release", date=g.end_date, amount=g.amount)
                )
        GuaranteeEvent.objects.bulk_create(later)
        events += len(later)
        made += len(batch)
    made = 0
    while made < n_loans:
        loans = []
        for _i in range(made, min(made + BATCH, n_loans)):
            member = members[rng.randrange(len(members))]
            loans.append(
                Loan(
                    unit_id=member.unit_id,
                    member=member,
                    bank="建设银行",
                    lent_on=first + datetime.timedelta(days=rng.randrange(span + 1)),
                    amount=AMOUNTS[rng.randrange(len(AMOUNTS))],
                    term_months=12,
                )
            )
        Loan.objects.bulk_create(loans)
        made += len(loans)
    ctx.result.counts["federation members (credit)"] = len(members)
    ctx.result.counts["guarantees"] = n_guarantees
    ctx.result.counts["guarantee events"] = events
    ctx.result.counts["loans arranged"] = n_loans
