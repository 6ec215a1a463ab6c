"""The rectification ledger's part of `gongxiao synth` (see gongxiao.core.synth): the large
ledger the list benchmarks page through, so it takes every row the other apps leave."""

from __future__ import annotations

import datetime

from gongxiao.core.synth import BATCH, SynthContext
from gongxiao.rectification.models import Category, Kind, RectificationItem, Source, Status

SHARE = None  # the rest of the rows
PROBLEMS = [
    "农资仓库消防通道堵塞",
    "备用金未及时清理",
    "门面出租未公开招租",
    "上班时间脱岗",
    "农资进销存台账不全",
    "公务用车登记不规范",
    "合同管理台账缺失",
    "固定资产处置程序不规范",
    "招待费列支不规范",
    "往来款项长期挂账",
]

# A rarer problem, in one row out of RARE_EVERY (the search benchmark's rare word, 食品), added
# without a draw from the random stream so the rest of the data stays the same for a seed.
RARE = "，涉及食品安全"
RARE_EVERY = 2000


def build(ctx: SynthContext, n_items: int) -> None:
    rng, all_units, first, span, say = ctx.rng, ctx.units, ctx.first, ctx.span, ctx.say
    statuses = [Status.CLOSED] * 55 + [Status.IN_PROGRESS] * 25 + [Status.OPEN] * 15
    statuses += [Status.REQUESTED] * 5
    sources, categories = Source.values, Category.values
    tz = datetime.UTC
    made = 0
    while made < n_items:
        batch = []
        for i in range(made, min(made + BATCH, n_items)):
            unit = all_units[rng.randrange(len(all_units))]
            found = first + datetime.timedelta(days=rng.randrange(span + 1))
            status = rng.choice(statuses)
            closed_at = closed_on = None
            if status == Status.CLOSED:
                closed_on = found + datetime.timedelta(days=rng.randrange(5, 200))
                closed_at = datetime.datetime.combine(closed_on, datetime.time(9), tz)
            batch.append(
                RectificationItem(
                    unit=unit,
                    title=f"{rng.choice(PROBLEMS)}{RARE if i % RARE_EVERY == 0 else ''}（{i:07d}）",
                    description="合成数据",
                    source=rng.choice(sources),
                    category=rng.choice(categories),
                    found_date=found,
                    kind=Kind.DEADLINE,
                    deadline=found + datetime.timedelta(days=rng.randrange(30, 181)),
                    status=status,
                    closed_on=closed_on,
                    closed_at=closed_at,
                )
            )
        RectificationItem.objects.bulk_create(batch)
        made += len(batch)
        if made % 100_000 < BATCH:
            say(f"{made:,} rectification items")
    ctx.result.counts["rectification items"] = n_items
