"""绩效考核 in the demo federation: the first county's quarterly 100-point scheme for its
grassroots co-ops after seed 004 ("发挥考核指挥棒作用 … 细化对基层供销社和乡镇农合联的考核任务":
改造提升薄弱基层社, 打造百强基层社, 集中核算, 合作项目), with indicators filled from the
metrics of the other apps, and last year's four quarters taken through every step — opened,
self-assessed, scored by the county, reviewed by a second person, published — then the annual
comprehensive assessment combining them. Written through the services, as users would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.core import services as kit
from gongxiao.core.periods import parse_period

from . import models as m
from . import services

# section, indicator, weight, rule, params, metric, narrowing, target, guidance
INDICATORS = [
    (
        "党的建设",
        "党组织活动开展",
        10,
        "ladder",
        {"steps": [[1, 4], [3, 7], [6, 10]]},
        "party.activities.count",
        "",
        None,
        "季度内开展主题党日、党课等活动，1次得4分，3次得7分，6次及以上得10分",
    ),
    (
        "党的建设",
        "问题整改按期完成",
        15,
        "deduction",
        {"per": "3", "floor": "0"},
        "rectification.items.overdue",
        "",
        None,
        "每有1条整改问题逾期未销号扣3分，扣完为止",
    ),
    (
        "为农服务",
        "化肥销售完成目标任务",
        20,
        "proportion",
        {},
        "agri.supply.fertiliser",
        "",
        Decimal(150),
        "按季度化肥销售量完成目标任务的比例计分，满分20分",
    ),
    (
        "为农服务",
        "“三位一体”综合服务",
        10,
        "manual",
        {},
        "",
        "",
        None,
        "综合服务社、庄稼医院、农技服务等服务资源聚合情况，由县社评定",
    ),
    (
        "改革发展",
        "打造百强基层社",
        15,
        "manual",
        {},
        "",
        "",
        None,
        "对照百强基层社创建标准推进情况",
    ),
    ("改革发展", "改造提升薄弱基层社", 10, "manual", {}, "", "", None, "薄弱基层社改造提升进度"),
    (
        "改革发展",
        "基层财务集中核算",
        10,
        "ladder",
        {"steps": [[1, 10]]},
        "accounting.units.in_centre",
        "",
        None,
        "纳入县社会计核算中心集中核算得10分",
    ),
    (
        "改革发展",
        "参与合作项目",
        10,
        "manual",
        {},
        "",
        "",
        None,
        "与乡镇街道、农合联、合作社开展业务联合",
    ),
    (
        "加分项",
        "获市级以上表彰",
        0,
        "bonus",
        {"per": "2", "cap": "5"},
        "",
        "",
        None,
        "每获一项市级以上表彰加2分，最多加5分",
    ),
]


def build(ctx) -> None:
    if not ctx.counties:
        return
    county = ctx.counties[0]
    below = [g for g in ctx.grassroots if g.parent_id == county.pk]
    if not below:
        return
    rng = ctx.rng
    admin = ctx.users["admin"]
    slug = getattr(county, "slug", "")
    scorer = ctx.users.get(f"{slug}_sysadmin", admin)
    reviewer = (
        admin
        if scorer != admin
        else next(
            (u for k, u in ctx.users.items() if k != "admin" and k.endswith("_sysadmin")), admin
        )
    )
    year = ctx.today.year - 1
    scheme = kit.create_row(
        obj=m.Scheme(
            unit=county,
            code="JCS-JD",
            name="基层供销社综合业绩季度考核方案",
            subject=m.Subject.UNITS,
            bands=[["90", "优秀"], ["80", "良好"], ["60", "合格"], ["0", "不合格"]],
            note="依据县社年度工作计划，细化对基层供销社的考核任务，按季度采用100分制评分。",
        ),
        user=admin,
        source="demo",
    )
    for order, (
        section,
        name,
        weight,
        rule,
        params,
        metric,
        narrowing,
        target,
        guidance,
    ) in enumerate(INDICATORS, start=1):
        ind = m.Indicator(
            scheme=scheme,
            section=section,
            order=order,
            name=name,
            weight=Decimal(weight),
            rule=rule,
            params=params,
            metric=metric,
            narrowing=narrowing,
            target=target,
            guidance=guidance,
        )
        ind.full_clean()
        services.add_indicator(indicator=ind, user=admin, source="demo")

    cycles = []
    for q in range(1, 5):
        period = parse_period(f"{year}Q{q}")
        opened = period.end + datetime.timedelta(days=5)
        if opened > ctx.today:
            break
        cycle = kit.create_row(
            obj=m.Cycle(
                unit=county,
                name=f"{year}年第{'一二三四'[q - 1]}季度基层社绩效考核",
                kind=m.Cycle.Kind.QUARTER,
                period=period.code,
                scheme=scheme,
            ),
            user=admin,
            source="demo",
        )
        cycle.assessed_units.set(below)
        services.open_cycle(cycle=cycle, user=scorer, on=opened)
        for sheet in cycle.sheets.all():
            _take(sheet, rng, scorer, reviewer, opened)
        services.publish(
            cycle=m.Cycle.objects.get(pk=cycle.pk),
            user=scorer,
            on=opened + datetime.timedelta(days=12),
        )
        cycles.append(cycle)
    ctx.counts["assessment cycles"] = len(cycles)
    if len(cycles) == 4:
        comp = kit.create_row(
            obj=m.Cycle(
                unit=county,
                name=f"{year}年度基层社综合业绩考评",
                kind=m.Cycle.Kind.COMPREHENSIVE,
                period=str(year),
            ),
            user=admin,
            source="demo",
        )
        for c in cycles:
            kit.create_row(
                obj=m.Component(cycle=comp, part=c, weight=Decimal(25)), user=admin, source="demo"
            )
        day = datetime.date(year + 1, 1, 20)
        if day <= ctx.today:
            services.open_cycle(cycle=comp, user=scorer, on=day)
            services.publish(cycle=m.Cycle.objects.get(pk=comp.pk), user=scorer, on=day)


def _take(sheet, rng, scorer, reviewer, opened) -> None:
    """One co-op's quarter: its self-assessment, the county's scores, the second person's review."""
    self_on = opened + datetime.timedelta(days=3)
    scored_on = opened + datetime.timedelta(days=8)
    strength = rng.uniform(0.7, 1.0)
    scores = list(sheet.scores.select_related("indicator"))
    given: dict = {}
    for score in scores:
        ind = score.indicator
        if ind.rule == "manual":
            share = Decimal(str(round(strength + rng.uniform(-0.1, 0.05), 2)))
            points = max(Decimal(0), min(ind.weight, (ind.weight * share).quantize(Decimal("0.5"))))
            given[score.pk] = points
            services.self_assess(
                score=score,
                user=scorer,
                value=min(ind.weight, points + 1),
                note="已按要求自评",
                on=self_on,
            )
    services.submit_self(
        sheet=m.Sheet.objects.get(pk=sheet.pk),
        user=scorer,
        note="本季度各项任务推进情况已自评",
        on=self_on,
    )
    for score in m.Score.objects.filter(sheet=sheet).select_related("indicator", "sheet__cycle"):
        ind = score.indicator
        if ind.rule == "manual":
            value = given[score.pk]
        elif ind.rule == "bonus":
            value = rng.choice([0, 0, 0, 1, 2])
        elif score.points is None:
            value = 0  # no figure for the period: nothing to count
        else:
            continue
        services.score_indicator(score=score, user=scorer, value=value, on=scored_on)
    services.finish_scoring(sheet=m.Sheet.objects.get(pk=sheet.pk), user=scorer, on=scored_on)
    services.review(
        sheet=m.Sheet.objects.get(pk=sheet.pk),
        user=reviewer,
        on=scored_on + datetime.timedelta(days=2),
    )
