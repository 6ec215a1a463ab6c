"""The party ledgers' part of `gongxiao synth` (see gongxiao.core.synth): a branch in each unit
and its activities."""

from __future__ import annotations

import datetime

from gongxiao.core.synth import BATCH, SynthContext
from gongxiao.party.models import Activity, PartyOrganisation

SHARE = 0.03


def build(ctx: SynthContext, n_activities: int) -> None:
    rng, all_units, first, span = ctx.rng, ctx.units, ctx.first, ctx.span
    orgs = PartyOrganisation.objects.bulk_create(
        [
            PartyOrganisation(
                unit=unit,
                name=f"{unit.name}党支部",
                kind=PartyOrganisation.Kind.BRANCH,
                founded_on=first,
            )
            for unit in all_units
        ]
    )
    kinds = Activity.Kind.values
    made = 0
    while made < n_activities:
        batch = []
        for _i in range(made, min(made + BATCH, n_activities)):
            org = orgs[rng.randrange(len(orgs))]
            batch.append(
                Activity(
                    organisation=org,
                    kind=rng.choice(kinds),
                    date=first + datetime.timedelta(days=rng.randrange(span + 1)),
                    topic="合成组织生活",
                    speaker=ctx.people_by_unit[org.unit_id][0],
                    external_participants=rng.randrange(5),
                )
            )
        Activity.objects.bulk_create(batch)
        made += len(batch)
    ctx.result.counts["party organisations"] = len(orgs)
    ctx.result.counts["party activities"] = n_activities
