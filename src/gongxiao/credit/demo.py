"""Credit cooperation in the demo federation, last year in full and this year to date: each
county keeps the built-in scorecard (SPEC §5) and rates most of its federation members for last
year — scored by its service officer, approved by its administrator — and re-rates some this
year (the rest are due); an agency point (代办点) of the city agricultural guarantee company
opens in March and arranges guarantees, most released on time, one compensated and partly
recovered; a 三位一体 agreement with a bank (seed 003: 意向贷款800万元), credit granted to members
and loans arranged. Written through the services, as users would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.agri.models import Member
from gongxiao.core import services as kit

from . import models as m
from . import services

BANKS = ["建设银行", "农商银行", "农业银行", "邮储银行"]
GUARANTOR = "市农业融资担保有限公司"
CENT = Decimal("0.01")
PURPOSES = ["购置农资", "购置农机", "扩大种植规模", "建设冷库", "流转土地", "收购农产品"]


def D(value) -> Decimal:
    return Decimal(str(value))


def build(ctx) -> None:
    rng, today, admin = ctx.rng, ctx.today, ctx.users["admin"]
    last, this = today.year - 1, today.year
    counts = dict.fromkeys(["ratings", "guarantees", "loans"], 0)

    def past(year, month_from=1, month_to=12):
        """A day of `year` between the months, never later than yesterday (None if none)."""
        if year == today.year:
            month_to = min(month_to, today.month - 1)
        if month_to < month_from:
            return None
        month = rng.randint(month_from, month_to)
        return datetime.date(year, month, rng.randint(1, 28))

    def scores():
        out = {}
        for _title, kind, _points, items in services.BUILTIN_SECTIONS:
            for code, _item, most in items:
                if kind == "base":
                    out[code] = str(D(rng.randint(most, most * 2) * 5) / 10)  # half to full
                elif kind == "bonus":
                    out[code] = str(rng.choice([0, 0, 2, 3]))
                else:
                    out[code] = str(rng.choice([0, 0, 0, 0, 5, 15]))
        # A weaker household now and then: below the lowest band.
        if rng.random() < 0.1:
            out["f1"], out["f2"], out["c1"] = "6", "4", "2"
        return out

    for county in ctx.counties:
        below = [g for g in ctx.grassroots if g.path.startswith(county.path)]
        members = list(
            Member.objects.filter(unit__in=below, joined_on__lte=datetime.date(last, 12, 31))
            .select_related("unit")
            .order_by("unit__path", "pk")
        )
        if not members:
            continue
        slug = getattr(county, "slug", None)
        rater = ctx.users.get(f"{slug}_service") or admin
        approver = ctx.users.get(f"{slug}_sysadmin") or admin
        card = services.create_builtin_scorecard(
            unit=county, user=admin, valid_from=datetime.date(last, 1, 1), source="demo"
        )

        def rate(member, year, month_from, month_to, card=card, rater=rater, approver=approver):
            on = past(year, month_from, month_to)
            if on is None or on < member.joined_on:
                return None
            r = services.open_rating(
                rating=m.CreditRating(unit=member.unit, member=member, year=year, scorecard=card),
                user=rater,
                source="demo",
            )
            evidence = {"f1": "村委会出具的收入证明", "c1": "人民银行征信报告"}
            services.score_rating(rating=r, user=rater, on=on, scores=scores(), evidence=evidence)
            counts["ratings"] += 1
            if approver == rater:
                return r
            later = min(
                on + datetime.timedelta(days=rng.randint(1, 10)), today - datetime.timedelta(days=1)
            )
            return services.approve_rating(rating=r, user=approver, on=max(later, on))

        # Last year: most members rated in the spring drive; this year some re-rated already.
        for member in members:
            if rng.random() < 0.85:
                rate(member, last, 3, 6)
        for member in members[: len(members) // 2]:
            if rng.random() < 0.6:
                rate(member, this, 2, 5)

        # The agency point (代办点) opened at the end of March last year.
        town = below[0]
        point = f"{town.name}融资担保代办点"
        for year in (last, this):
            for _ in range(rng.randint(6, 9) if year == last else rng.randint(2, 4)):
                start = past(year, 4 if year == last else 1, 12)
                if start is None:
                    continue
                member = rng.choice(members)
                amount = D(rng.choice([30, 50, 80, 100, 150, 200, 300]))
                g = kit.create_row(
                    obj=m.Guarantee(
                        unit=member.unit,
                        member=member,
                        contract_number=f"NDB{year}{counts['guarantees'] + 1:04d}",
                        lender=rng.choice(BANKS),
                        guarantor=GUARANTOR,
                        amount=amount,
                        start_date=start,
                        end_date=start.replace(year=start.year + 1) - datetime.timedelta(days=1),
                        sector="agri" if rng.random() < 0.8 else "other",
                        agency_point=point if rng.random() < 0.6 else "",
                    ),
                    user=rater,
                    source="demo",
                )
                counts["guarantees"] += 1
                # Some loans repaid in part during the year: a partial release.
                mid = start + datetime.timedelta(days=rng.randint(90, 200))
                if mid < today and rng.random() < 0.3:
                    services.release(
                        guarantee=g, user=rater, on=mid, amount=(amount / 2).quantize(CENT)
                    )
        # Last year's guarantees that have run their year are released (解保), except one
        # that was compensated (代偿) and is being recovered.
        ended = list(
            m.Guarantee.objects.filter(unit__in=below, end_date__lt=today).order_by("start_date")
        )
        for i, g in enumerate(ended):
            pos = services.position(g, today)
            if not pos.in_force:
                continue
            if i == 0:
                day = g.end_date + datetime.timedelta(days=15)
                if day < today:
                    services.compensate(guarantee=g, user=rater, on=day, amount=pos.balance)
                    back = day + datetime.timedelta(days=60)
                    if back < today:
                        services.recover(
                            guarantee=g,
                            user=rater,
                            on=back,
                            amount=(pos.balance * D("0.4")).quantize(CENT),
                        )
                continue
            services.release(guarantee=g, user=rater, on=g.end_date)

        # Bank cooperation: the 三位一体 agreement of May, credit granted and loans arranged.
        signed = datetime.date(last, 5, 13)
        agreement = kit.create_row(
            obj=m.BankAgreement(
                unit=county,
                bank="建设银行",
                title="生产、供销、信用“三位一体”战略合作协议",
                signed_on=signed,
                credit_line=D(800),
                valid_until=datetime.date(last + 2, 5, 12),
                note="签约仪式现场达成意向贷款800万元",
            ),
            user=admin,
            source="demo",
        )
        for year in (last, this):
            for member in rng.sample(members, min(len(members), rng.randint(3, 6))):
                on = past(year, 6 if year == last else 1, 12)
                if on is None:
                    continue
                kit.create_row(
                    obj=m.CreditLine(
                        unit=member.unit,
                        member=member,
                        bank="建设银行",
                        agreement=agreement,
                        granted_on=on,
                        amount=D(rng.choice([20, 30, 50, 100])),
                        valid_until=on.replace(year=on.year + 1),
                    ),
                    user=rater,
                    source="demo",
                )
            for member in rng.sample(members, min(len(members), rng.randint(3, 5))):
                on = past(year, 6 if year == last else 1, 12)
                if on is None:
                    continue
                kit.create_row(
                    obj=m.Loan(
                        unit=member.unit,
                        member=member,
                        bank=rng.choice(["建设银行", "建设银行", "农商银行"]),
                        agreement=agreement if rng.random() < 0.7 else None,
                        lent_on=on,
                        amount=D(rng.choice([20, 50, 80, 100, 150])),
                        term_months=rng.choice([12, 12, 24, 36]),
                        sector="agri" if rng.random() < 0.85 else "other",
                        purpose=rng.choice(PURPOSES),
                    ),
                    user=rater,
                    source="demo",
                )
                counts["loans"] += 1
    ctx.counts["credit ratings"] = counts["ratings"]
    ctx.counts["guarantees"] = counts["guarantees"]
    ctx.counts["loans arranged"] = counts["loans"]
