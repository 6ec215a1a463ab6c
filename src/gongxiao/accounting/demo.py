"""The accounting centre in the demo federation (seed 004: "目前共有2家基层单位实现集中核算"):
two grassroots units of the first county brought into the centre, one on 小企业会计准则 and one
on 农民专业合作社会计制度, with the opening balances taken over from their former books and
vouchers from the start of last year to yesterday — entered by one person, reviewed and posted
by the county's finance officer — every past month closed, the year-end carry-forward of profit
and loss done, and one red-ink reversal this month. Written through the services, as users
would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.org.models import Unit

from . import services
from .models import Account, Book, Dimension, Period, Voucher, VoucherLine

CENT = Decimal("0.01")

# Per standard: the accounts the story uses (bank, capital, goods, payables, fixed assets,
# depreciation, sales, cost of sales, management expenses).
CODES = {
    "small_enterprise": {
        "bank": "1002",
        "capital": "3001",
        "goods": "1405",
        "payable": "2202",
        "fixed": "1601",
        "depreciation": "1602",
        "sales": "5001",
        "cost": "5401",
        "admin": "5602",
    },
    "cooperative": {
        "bank": "102",
        "capital": "301",
        "goods": "121",
        "payable": "211",
        "fixed": "151",
        "depreciation": "152",
        "sales": "501",
        "cost": "521",
        "admin": "522",
    },
}
PARTNERS = ["市农资有限公司", "县农产品批发市场", "绿源农业科技公司"]
DEPARTMENTS = ["农资经营部", "农产品购销部", "综合办公室"]


def _money(x: float) -> Decimal:
    return Decimal(str(x)).quantize(CENT)


def build(ctx) -> None:
    if not ctx.counties:
        return
    county = ctx.counties[0]
    slug = county.slug if hasattr(county, "slug") else None
    grassroots = [g for g in ctx.grassroots if g.parent_id == county.pk][:2]
    if len(grassroots) < 2:
        return
    finance = ctx.users.get(f"{slug}_finance") if slug else None
    clerk = ctx.users.get(f"{slug}_clerk") if slug else None
    second_maker = ctx.users.get(f"{slug}_sysadmin") if slug else None
    admin = ctx.users["admin"]
    finance = finance or admin
    today = ctx.today
    first = datetime.date(today.year - 1, 1, 1)
    rng = ctx.rng
    made = 0
    for unit, standard, maker in (
        (grassroots[0], "small_enterprise", clerk or admin),
        (grassroots[1], "cooperative", second_maker or admin),
    ):
        book = services.open_book(
            book=Book(
                unit=unit,
                name=f"{unit.name}{first.year}年起账套",
                standard=standard,
                start_date=first,
                centre_from=first,
                note="纳入县社会计核算中心集中核算",
            ),
            user=admin,
            source="demo",
        )
        made += _year_of_vouchers(book, unit, maker, finance, rng, first, today)
    ctx.counts["accounting vouchers"] = made


def _year_of_vouchers(book, unit: Unit, maker, finance, rng, first, today) -> int:
    codes = CODES[book.standard]
    acc = {k: Account.objects.get(book=book, code=c) for k, c in codes.items()}
    partners = [
        Dimension.objects.create(book=book, kind="partner", code=f"W{i + 1:03d}", name=n)
        for i, n in enumerate(PARTNERS)
    ]
    for i, n in enumerate(DEPARTMENTS):
        Dimension.objects.create(book=book, kind="department", code=f"B{i + 1:02d}", name=n)
    made = 0

    def voucher(day, lines, word="记"):
        nonlocal made
        v = services.create_voucher(
            voucher=Voucher(book=book, word=word, date=day, attachments=rng.randint(1, 4)),
            user=maker,
            source="demo",
        )
        for key, debit, credit, summary, partner in lines:
            services.add_line(
                line=VoucherLine(
                    voucher=v,
                    account=acc[key] if isinstance(key, str) else key,
                    debit=debit,
                    credit=credit,
                    summary=summary,
                    partner=partner,
                ),
                user=maker,
                source="demo",
            )
        services.submit(v, maker)
        services.review(v, finance, on=day)
        services.post(v, finance, on=day)
        made += 1
        return v

    z = Decimal("0.00")
    # The balances taken over from the books the unit kept before the centre (期初余额).
    bank0, goods0 = _money(rng.randint(3, 8) * 10000), _money(rng.randint(1, 4) * 5000)
    services.set_opening_balances(
        book=book,
        balances=[
            (acc["bank"], bank0, z),
            (acc["goods"], goods0, z),
            (acc["capital"], z, bank0 + goods0),
        ],
        user=maker,
        source="demo",
    )
    capital = _money(rng.randint(60, 120) * 10000)
    voucher(
        first + datetime.timedelta(days=2),
        [
            ("bank", capital, z, "收到社员股金及上级社投资", None),
            ("capital", z, capital, "收到社员股金及上级社投资", None),
        ],
    )
    equipment = _money(rng.randint(8, 20) * 5000)
    voucher(
        first + datetime.timedelta(days=9),
        [
            ("fixed", equipment, z, "购置农资仓储货架及叉车", None),
            ("bank", z, equipment, "购置农资仓储货架及叉车", None),
        ],
    )
    month = first
    last_voucher = None
    while month <= today:
        y, m = month.year, month.month
        end = services._month_end(y, m)
        days = [d for d in (5, 12, 18, 25) if datetime.date(y, m, d) < today]
        partner = partners[rng.randrange(len(partners))]
        bought = _money(rng.randint(200, 400) * 100)
        cost = (bought * Decimal("0.8")).quantize(CENT)
        sold = (cost * Decimal("1.15")).quantize(CENT)
        steps = [
            [
                ("goods", bought, z, "购进化肥农药", partner),
                ("payable", z, bought, "购进化肥农药", partner),
            ],
            [("bank", sold, z, "销售农资收入", None), ("sales", z, sold, "销售农资收入", None)],
            [("cost", cost, z, "结转销售成本", None), ("goods", z, cost, "结转销售成本", None)],
            [("payable", bought, z, "支付货款", partner), ("bank", z, bought, "支付货款", partner)],
        ]
        for day, lines in zip(days, steps, strict=False):
            last_voucher = voucher(datetime.date(y, m, day), lines)
        if datetime.date(y, m, 28) < today:
            wages = _money(rng.randint(30, 60) * 100)
            dep = (equipment / 60).quantize(CENT)
            voucher(
                datetime.date(y, m, 28),
                [
                    ("admin", wages + dep, z, "管理费用：工资及折旧", None),
                    ("bank", z, wages, "支付管理人员工资", None),
                    ("depreciation", z, dep, "计提固定资产折旧", None),
                ],
                word="转",
            )
        if end < today.replace(day=1):
            period = Period.objects.get(book=book, year=y, month=m)
            if m == 12:
                services.carry_forward(period, maker, on=end)
                cf = Voucher.objects.get(book=book, carry_forward=True, year=y)
                services.submit(cf, maker)
                services.review(cf, finance, on=end)
                services.post(cf, finance, on=end)
                made += 1
            services.close_period(period, finance, on=end + datetime.timedelta(days=1))
        month = end + datetime.timedelta(days=1)
    # One mistake of a closed month corrected by a red-ink reversal dated this month.
    target = (
        Voucher.objects.filter(
            book=book, status="posted", carry_forward=False, period__status="closed"
        )
        .order_by("-date")
        .first()
    ) or last_voucher
    if target is not None:
        services.reverse(target, maker, on=today, summary="冲销重复记账")
        red = Voucher.objects.get(reverses=target)
        services.submit(red, maker)
        services.review(red, finance, on=today)
        services.post(red, finance, on=today)
        made += 1
    return made
