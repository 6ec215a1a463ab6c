"""Collective decisions of the demo federation: two years of meetings of the city federation,
the county co-ops and the enterprises, with attendance, matters, statements in the right
order, outcomes, seals, an amendment and execution follow-ups. Walked through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from gongxiao.core import services as kit
from gongxiao.org.models import Person

from . import services
from .models import Body, Category, Matter, Meeting, Outcome

TITLES = {
    Category.DECISION: [
        "研究审议{y}年全面从严治社工作要点",
        "研究制定《社有资产监督管理办法》",
        "研究部署集中整治形式主义、官僚主义工作",
        "审议{y}年度综合业绩考评方案",
        "研究落实意识形态工作责任制实施方案",
    ],
    Category.CADRE: [
        "研究社属企业副经理任职人选",
        "研究基层社主任调整事宜",
        "研究中层干部轮岗交流方案",
    ],
    Category.PROJECT: [
        "研究农产品冷链物流中心建设项目",
        "研究为农服务中心提质改造项目",
        "研究邻里食堂运营方案",
    ],
    Category.FUNDS: [
        "研究农资储备资金使用",
        "研究社有门面维修资金安排",
        "研究为农服务专项资金分配",
    ],
}
PLACES = ["机关三楼会议室", "二楼小会议室", "党员活动室"]


def _when(day: datetime.date, hour=16):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 30)))


def build(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    admin = ctx.users["admin"]
    people = {}
    for p in Person.objects.filter(unit__in=[ctx.city, *ctx.counties, *ctx.enterprises]):
        people.setdefault(p.unit_id, []).append(p)
    plans = [(ctx.city, Body.PARTY_GROUP, 18), (ctx.city, Body.BOARD, 4)]
    plans += [(c, Body.PARTY_GROUP, 8) for c in ctx.counties] + [
        (c, Body.BOARD, 2) for c in ctx.counties
    ]
    plans += [(e, Body.MANAGEMENT, 4) for e in ctx.enterprises]
    meetings = 0
    for unit, body, per_year in plans:
        members = people.get(unit.pk, [])
        if len(members) < 3:
            continue
        for year in (today.year - 1, today.year):
            last_day = (
                datetime.date(year, 12, 31)
                if year < today.year
                else today - datetime.timedelta(days=2)
            )
            span = (last_day - datetime.date(year, 1, 5)).days
            count = per_year if year < today.year else max(1, per_year * span // 360)
            for k in range(count):
                day = datetime.date(year, 1, 5) + datetime.timedelta(
                    days=span * (k + 1) // (count + 1)
                )
                _meeting(ctx, rng, unit, body, day, members, admin, today)
                meetings += 1
    # A meeting held these last days in each county and at the city: still being recorded.
    for unit in [ctx.city, *ctx.counties]:
        if len(people.get(unit.pk, [])) >= 3:
            _meeting(
                ctx,
                rng,
                unit,
                Body.PARTY_GROUP,
                today - datetime.timedelta(days=rng.randint(1, 6)),
                people[unit.pk],
                admin,
                today,
            )
            meetings += 1
    # One correction appended to a sealed record, as happens when a figure was mistyped.
    sealed = Meeting.objects.filter(sealed_at__isnull=False, unit=ctx.city).order_by("date").first()
    if sealed is not None:
        services.amend(
            meeting=sealed, user=admin, text="更正：第1项议题决定事项中“下月底前”应为“本季度末前”。"
        )
    ctx.counts["meetings"] = meetings
    ctx.counts["matters"] = Matter.objects.count()


def _meeting(ctx, rng, unit, body, day, members, admin, today) -> None:
    principal = next((p for p in members if p.is_cadre), members[0])
    meeting = kit.create_row(
        obj=Meeting(
            unit=unit, body=body, date=day, place=rng.choice(PLACES), chair=principal, minutes=""
        ),
        user=admin,
        source="demo",
    )
    absent = rng.choice([None, None, None, rng.choice([p for p in members if p != principal])])
    for p in members:
        services.set_attendance(
            meeting=meeting,
            person=p,
            user=admin,
            is_principal=p == principal,
            present=p != absent,
            absence_reason="" if p != absent else rng.choice(["因公出差", "病假", "参加上级培训"]),
        )
    cats = rng.sample(list(Category), k=rng.choice([1, 2, 2, 3]))
    recent = (today - day).days < 20
    for order, cat in enumerate(cats, start=1):
        title = rng.choice(TITLES[cat]).format(y=day.year)
        amount = (
            Decimal(rng.randrange(20, 600)) if cat in (Category.FUNDS, Category.PROJECT) else None
        )
        matter = kit.create_row(
            obj=Matter(
                meeting=meeting,
                order=order,
                category=cat,
                title=title,
                amount=amount,
                proposer=rng.choice(members),
                materials=f"{title}的请示及相关材料",
                feasibility_study=cat == Category.PROJECT,
                legal_review=cat in (Category.PROJECT, Category.FUNDS),
                opinions_solicited=True,
                risk_assessment=cat != Category.CADRE,
                party_prior_study=body != Body.PARTY_GROUP,
            ),
            user=admin,
            source="demo",
        )
        if recent and order == len(cats) and rng.random() < 0.5:
            continue  # the newest meetings still have matters being discussed
        if rng.random() < 0.06:
            services.defer_matter(matter=matter, user=admin, reason="需进一步调研论证")
            continue
        roll = rng.random()
        others = [p for p in members if p not in (principal, absent)]
        for p in others:
            position = "agree"
            if roll < 0.08:
                position = rng.choice(["disagree", "defer"])
            elif roll < 0.2 and rng.random() < 0.3:
                position = "defer"
            services.record_statement(
                matter=matter,
                person=p,
                position=position,
                user=admin,
                remarks="" if position == "agree" else "建议进一步论证",
            )
        services.record_statement(matter=matter, person=principal, position="agree", user=admin)
        matter.refresh_from_db()
        if matter.outcome == Outcome.PASSED:
            Matter.objects.filter(pk=matter.pk).update(
                decision_text=f"同意{title.removeprefix('研究')}，由{matter.proposer.name}牵头落实。"
            )
            if cat in (Category.FUNDS, Category.PROJECT) and (today - day).days > 30:
                services.add_follow_up(
                    matter=matter,
                    user=admin,
                    date=min(today, day + datetime.timedelta(days=30)),
                    text="已按决定组织实施，资金按程序拨付。",
                    completed=(today - day).days > 120,
                )
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes=f"{day.year}年{day.month}月{day.day}日，{meeting}在{meeting.place}召开，{principal.name}主持。"
        "会议逐项审议了议题，班子成员逐一表态，主要负责同志最后表态。"
    )
    if not recent and not meeting.matters.filter(outcome=Outcome.PENDING).exists():
        confirmed = min(today, day + datetime.timedelta(days=rng.randint(1, 5)))
        services.seal_meeting(meeting=meeting, user=admin, at=_when(confirmed), on=confirmed)
