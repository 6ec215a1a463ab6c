"""The supervision ledgers' part of `gongxiao synth` (see gongxiao.core.synth): talks."""

from __future__ import annotations

import datetime

from gongxiao.core.synth import BATCH, SynthContext
from gongxiao.supervision.models import Talk

SHARE = 0.06


def build(ctx: SynthContext, n_talks: int) -> None:
    rng, all_units, first, span = ctx.rng, ctx.units, ctx.first, ctx.span
    made = 0
    kinds = Talk.Kind.values
    while made < n_talks:
        batch = []
        for _i in range(made, min(made + BATCH, n_talks)):
            unit = all_units[rng.randrange(len(all_units))]
            batch.append(
                Talk(
                    unit=unit,
                    date=first + datetime.timedelta(days=rng.randrange(span + 1)),
                    kind=rng.choice(kinds),
                    talker=ctx.people_by_unit[unit.pk][0],
                    political=rng.random() < 0.5,
                    integrity=rng.random() < 0.7,
                    work=rng.random() < 0.4,
                    record="合成谈话记录",
                )
            )
        Talk.objects.bulk_create(batch)
        made += len(batch)
    ctx.result.counts["talks"] = n_talks
