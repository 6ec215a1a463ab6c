"""Services to farmers in the demo federation, last year in full and this year to date: each
grassroots co-op's monthly input sales returns, the county's emergency fertiliser reserve from
April to September with its stock checks (one found short, so a rectification item), input-
delivery events, trusteeships and service operations, outlets (a service centre declared for
provincial recognition), recycling, sales events, a brand shop, canteens, industry federations
(产业农合联) and federation members, a few with records left incomplete. Written through the kit
and the services, as users would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.core import services as kit
from gongxiao.org.demo import make_credit_code, make_id_number
from gongxiao.org.models import Person

from . import models as m
from . import services

CROPS = ["水稻", "小麦", "杨梅", "柑橘", "茶叶", "蔬菜"]
PRODUCTS = ["杨梅", "柑橘", "茶叶", "铁皮石斛", "高山蔬菜"]
COOPERATIVES = ["杨梅专业合作社", "柑橘专业合作社", "茶叶专业合作社", "粮食专业合作社"]
FARMS = ["家庭农场", "生态农场"]


def D(value) -> Decimal:
    return Decimal(str(value))


def build(ctx) -> None:
    rng, today, admin = ctx.rng, ctx.today, ctx.users["admin"]
    years = (today.year - 1, today.year)
    counts = dict.fromkeys(["sales", "members", "operations"], 0)

    def create(obj):
        return kit.create_row(obj=obj, user=admin, source="demo")

    surnames = "王李张刘陈杨赵黄周吴徐孙朱胡林"

    def person(unit, division, *, phone=True):
        p = Person(
            unit=unit,
            name=rng.choice(surnames) + rng.choice(["建国", "志强", "海明", "秀英", "伟", "芳"]),
            id_number=make_id_number(rng, division),
            phone=f"139{rng.randint(10000000, 99999999)}" if phone else "",
            post="会员",
        )
        p.clean()
        return create(p)

    def months(year):
        last = 12 if year < today.year else today.month - 1
        return [datetime.date(year, n, 1) for n in range(1, last + 1)]

    def day(year, month_from=1, month_to=12):
        if year == today.year:
            month_to = min(month_to, today.month - 1)
        if month_to < month_from:
            return None
        month = rng.randint(month_from, month_to)
        return datetime.date(year, month, rng.randint(1, 28))

    for county in ctx.counties:
        below = [g for g in ctx.grassroots if g.path.startswith(county.path)]
        if not below:
            continue
        sales: list = []
        for year in years:
            # Monthly input sales returns: fertiliser, pesticide, film; seed in spring.
            for g in below:
                for month in months(year):
                    busy = month.month in (3, 4, 5, 6, 9, 10)
                    lines = [
                        ("fertiliser", rng.randint(20, 90) * (2 if busy else 1), "t", 0.32),
                        ("pesticide", rng.randint(1, 6), "t", 4.5),
                        ("film", rng.randint(1, 8), "t", 1.2),
                    ]
                    if month.month in (2, 3, 4):
                        lines.append(("seed", rng.randint(500, 3000), "kg", 0.004))
                    for category, qty, measure, price in lines:
                        sales.append(
                            m.InputSale(
                                unit=g,
                                month=month,
                                category=category,
                                quantity=D(qty),
                                measure=measure,
                                value=(D(qty) * D(price)).quantize(D("0.0001")),
                            )
                        )
                        counts["sales"] += 1
            # A month's return is entered as one sheet: in bulk, each line with its history.
            kit.bulk_create_rows(model=m.InputSale, objs=sales, user=admin, source="demo")
            sales.clear()
            # The reserve from April to September, counted in June and in September.
            if year < today.year or today.month > 6:
                for g in below[:2]:
                    task = create(
                        m.ReserveTask(
                            unit=g,
                            title=f"{year}年应急化肥储备任务（{g.short_name or g.name}）",
                            variety=rng.choice(["urea", "compound"]),
                            quantity=D(rng.choice([300, 500, 800])),
                            start_date=datetime.date(year, 4, 1),
                            end_date=datetime.date(year, 9, 30),
                            assigned_by="市供销合作社联合社",
                        )
                    )
                    checks = [datetime.date(year, 6, 15)]
                    if year < today.year:
                        checks.append(datetime.date(year, 9, 10))
                    for i, when in enumerate(checks):
                        short = g == below[0] and year == years[0] and i == 0
                        counted = task.quantity - D(60) if short else task.quantity + D(5)
                        services.record_stock_check(
                            check=m.StockCheck(
                                task=task, date=when, counted=counted, checked_by="县社业务科"
                            ),
                            user=admin,
                        )
            # Input delivery to the villages.
            for _ in range(rng.randint(2, 4)):
                when = day(year, 2, 10)
                if when:
                    create(
                        m.DeliveryEvent(
                            unit=county,
                            date=when,
                            title=f"{when.month}月送农资下乡活动",
                            place=(rng.choice(below).short_name or below[0].name),
                            tonnes=D(rng.randint(5, 30)),
                            households=rng.randint(80, 400),
                        )
                    )
            # Trusteeship and service operations.
            for g in below:
                for _ in range(rng.randint(2, 5)):
                    when = day(year, 2, 5)
                    if when:
                        create(
                            m.Trusteeship(
                                unit=g,
                                household=f"{rng.choice('王李张刘陈杨赵黄周吴')}某某",
                                crop=rng.choice(CROPS[:2]),
                                area=D(rng.randint(30, 400)),
                                households=rng.randint(1, 12),
                                start_date=when,
                                end_date=datetime.date(when.year, 12, 31),
                                ploughing=True,
                                sowing=rng.random() < 0.8,
                                protection=True,
                                harvesting=rng.random() < 0.7,
                                drying=rng.random() < 0.4,
                            )
                        )
                for _ in range(rng.randint(3, 8)):
                    when = day(year, 3, 11)
                    if when:
                        create(
                            m.ServiceOperation(
                                unit=g,
                                date=when,
                                link=rng.choice(m.ServiceLink.values[:5]),
                                crop=rng.choice(CROPS),
                                area=D(rng.randint(50, 800)),
                                times=rng.randint(1, 3),
                                households=rng.randint(5, 60),
                            )
                        )
                        counts["operations"] += 1
                # Waste pesticide packaging collected at the co-op's point.
                for _ in range(rng.randint(1, 3)):
                    when = day(year, 3, 11)
                    if when:
                        create(
                            m.Collection(
                                unit=g,
                                date=when,
                                material="packaging",
                                point=f"{g.short_name or g.name}回收点",
                                pieces=rng.randint(800, 6000),
                                weight=D(rng.randint(40, 300)),
                                weight_measure="kg",
                            )
                        )
            # Produce sales events, with sales in 万元.
            for _ in range(rng.randint(1, 3)):
                when = day(year, 5, 11)
                if when:
                    product = rng.choice(PRODUCTS)
                    create(
                        m.SalesEvent(
                            unit=county,
                            kind=rng.choice(m.SalesEvent.Kind.values[:3]),
                            title=f"{product}展示展销活动",
                            start_date=when,
                            organiser=county.name,
                            products=product,
                            sales=D(rng.randint(50, 600)),
                            cross_region=rng.random() < 0.3,
                        )
                    )
        # Outlets: each co-op's village service co-op, one service centre per county.
        for i, g in enumerate(below):
            create(
                m.ServiceOutlet(
                    unit=g,
                    name=f"{g.short_name or g.name}综合服务社",
                    kind="shop",
                    built_on=datetime.date(years[i % 2], rng.randint(1, 6), 10),
                    inputs=True,
                    agronomy=rng.random() < 0.5,
                    sales=True,
                )
            )
        centre = create(
            m.ServiceOutlet(
                unit=below[0],
                name=f"{county.short_name or county.name}农事服务中心",
                kind="centre",
                built_on=datetime.date(years[0], 5, 20),
                transport=True,
                cleaning=True,
                drying=True,
                storage=True,
                processing=True,
                sales=True,
            )
        )
        services.declare_level(
            outlet=centre, user=admin, level="province", on=datetime.date(years[0], 10, 15)
        )
        # A brand shop and a mini-program zone, with monthly sales.
        shop = create(
            m.Shop(
                unit=county,
                name=f"“瓯越鲜风”{county.short_name or county.name}专营店",
                kind="shop",
                brand="瓯越鲜风",
                opened_on=datetime.date(years[0], 3, 1),
                products_listed=rng.randint(40, 120),
            )
        )
        online = create(
            m.Shop(
                unit=county,
                name="数字农合联小程序专区",
                kind="online",
                opened_on=datetime.date(years[0], 6, 1),
                products_listed=rng.randint(20, 80),
                cross_region=True,
            )
        )
        canteen = create(
            m.Canteen(
                unit=below[-1],
                name=f"{below[-1].short_name or below[-1].name}邻里食堂",
                partner="村股份经济合作社",
                floor_area=D(rng.randint(120, 300)),
                seats=rng.randint(40, 120),
                opened_on=datetime.date(years[0], 4, 1),
            )
        )
        monthly: list = []
        meals: list = []
        for year in years:
            for month in months(year):
                if month >= shop.opened_on:
                    monthly.append(m.ShopSales(shop=shop, month=month, sales=D(rng.randint(8, 30))))
                if month >= online.opened_on:
                    monthly.append(
                        m.ShopSales(shop=online, month=month, sales=D(rng.randint(1, 8)))
                    )
                if month >= canteen.opened_on:
                    meals.append(
                        m.CanteenMeals(canteen=canteen, month=month, meals=rng.randint(1200, 2600))
                    )
        kit.bulk_create_rows(model=m.ShopSales, objs=monthly, user=admin, source="demo")
        kit.bulk_create_rows(model=m.CanteenMeals, objs=meals, user=admin, source="demo")
        # Projects: planned each year, funds applied for and granted, some completed.
        for year in years:
            for kind, title, invest in [
                ("village_shop", "新建、提升村级综合服务社", 150),
                ("cold_chain", "农产品冷链仓储", 300),
            ]:
                project = create(
                    m.Project(
                        unit=county,
                        year=year,
                        title=f"{year}年{title}项目",
                        kind=kind,
                        planned_investment=D(invest),
                    )
                )
                applied = day(year, 1, 4)
                if applied is None:
                    continue
                services.apply_funds(
                    project=project, user=admin, applied_to="省供销合作社", on=applied
                )
                granted = day(year, 5, 8)
                if granted and rng.random() < 0.7:
                    services.grant_funds(
                        project=project,
                        user=admin,
                        subsidy=D(invest * rng.choice([20, 30, 40]) // 100),
                        source="省级财政补助",
                        on=granted,
                    )
                    done = day(year, 9, 12)
                    if done:
                        services.complete_project(project=project, user=admin, on=done)
        # The county's expert pool and the experts' visits and trainings.
        division = county.division_code[:6] or "330382"
        for _k in range(rng.randint(3, 5)):
            expert = create(
                m.Expert(
                    unit=county,
                    person=person(county, division),
                    speciality=rng.choice(["病虫害防治", "水稻栽培", "果树修剪", "土壤改良"]),
                    pool=f"{county.short_name or county.name}线上农技专家库",
                    online=True,
                    joined_on=datetime.date(years[0], rng.randint(1, 4), 1),
                )
            )
            for year in years:
                for _ in range(rng.randint(1, 3)):
                    when = day(year, 3, 11)
                    if when and when >= expert.joined_on:
                        create(
                            m.ExpertVisit(
                                expert=expert,
                                date=when,
                                kind=rng.choice(m.ExpertVisit.Kind.values),
                                topic=f"{rng.choice(PRODUCTS)}种植技术指导",
                                households=rng.randint(15, 80),
                            )
                        )
        # 产业农合联: one built last year, and one this year where the county has two co-ops.
        feds = [
            create(
                m.IndustryFederation(
                    unit=below[0],
                    name=f"{county.short_name or county.name}杨梅产业农合联",
                    industry="杨梅",
                    founded_on=datetime.date(years[0], 4, 18),
                    lead=f"{below[0].short_name or below[0].name}杨梅专业合作社",
                )
            )
        ]
        if len(below) > 1 and today >= datetime.date(today.year, 1, 15):
            feds.append(
                create(
                    m.IndustryFederation(
                        unit=below[1],
                        name=f"{county.short_name or county.name}茶叶产业农合联",
                        industry="茶叶",
                        founded_on=datetime.date(today.year, 1, 15),
                    )
                )
            )
        # Members: cooperatives and family farms (organisations) and growers (persons).
        for n, g in enumerate(below):
            for k in range(rng.randint(2, 4)):
                kind = "cooperative" if k % 2 == 0 else "family_farm"
                name = (COOPERATIVES if kind == "cooperative" else FARMS)[k % 2]
                authority, sort = ("N", "3") if kind == "cooperative" and k == 2 else ("9", "3")
                org = create(
                    m.Organisation(
                        unit=g,
                        name=f"{g.short_name or g.name}{name}{n}{k}",
                        credit_code=make_credit_code(rng, division, authority, sort),
                        representative=person(g, division) if rng.random() < 0.9 else None,
                        address=f"{g.short_name or g.name}{k + 1}号",
                        phone=f"1390000{rng.randint(1000, 9999)}" if rng.random() < 0.85 else "",
                        main_business=rng.choice(PRODUCTS),
                    )
                )
                level = rng.choice(["township", "industry"])
                joined = datetime.date(years[0], rng.randint(1, 12), 1)
                fed = rng.choice(feds) if level == "industry" else None
                create(
                    m.Member(
                        unit=g,
                        kind=kind,
                        organisation=org,
                        federation=level,
                        industry_federation=fed,
                        industry=fed.industry if fed else rng.choice(PRODUCTS),
                        joined_on=max(joined, fed.founded_on) if fed else joined,
                        land_area=D(rng.randint(50, 600)),
                        main_products=rng.choice(PRODUCTS) if rng.random() < 0.9 else "",
                    )
                )
                counts["members"] += 1
            for _ in range(rng.randint(1, 2)):
                create(
                    m.Member(
                        unit=g,
                        kind="grain_grower",
                        person=person(g, division, phone=rng.random() < 0.9),
                        federation="township",
                        joined_on=datetime.date(years[0], rng.randint(1, 12), 1),
                        land_area=D(rng.randint(50, 300)) if rng.random() < 0.8 else None,
                        main_products="水稻",
                    )
                )
                counts["members"] += 1
    # The completeness of each member's record, from the day it joined (会员信息录入率).
    services.reevaluate_members()
    ctx.counts["input sales lines"] = counts["sales"]
    ctx.counts["service operations"] = counts["operations"]
    ctx.counts["federation members"] = counts["members"]
