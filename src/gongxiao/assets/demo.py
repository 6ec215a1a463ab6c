"""Co-op assets in the demo federation: the city's leasing rule (SPEC §5), the shops, offices,
warehouses, cold stores and plots of the counties and grassroots co-ops with their certificates
(a few missing, one in the old name), and three years of leases: market enquiries under 30,000
yuan, valuations above, a public tender with bids approved as a 三重一大 matter, an exception
approved by a matter, payments mostly on time and some arrears, a termination and a renewal.
Walked through the services, as users would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.core import services as kit
from gongxiao.org.demo import make_credit_code, make_id_number
from gongxiao.org.models import Person

from . import models as m
from . import services

STREETS = ["建设路", "人民路", "解放路", "新华街", "车站路", "胜利路", "和平街"]
SHOPS = ["门面房", "临街门店", "农资门市部"]
TENANT_SHOPS = ["便民超市", "农资经营部", "副食店", "五金店", "药店", "快递驿站", "早餐店"]
ENQUIRERS = ["周建华", "谭丽", "刘志强", "彭娟", "罗军"]


def _round(value: int, step: int = 100) -> Decimal:
    return Decimal(value // step * step)


def _passed_matter(ctx, unit, title, day, admin):
    """A 社务会 of `unit` that passes the matter approving a lease (all members agree)."""
    from gongxiao.decisions import services as decisions
    from gongxiao.decisions.models import Matter, Meeting

    members = list(Person.objects.filter(unit=unit).order_by("pk")[:5])
    meeting = kit.create_row(
        obj=Meeting(unit=unit, body="affairs", date=day, place="会议室", chair=members[0]),
        user=admin,
        source="demo",
    )
    for p in members:
        decisions.set_attendance(
            meeting=meeting, person=p, user=admin, is_principal=p == members[0], present=True
        )
    matter = kit.create_row(
        obj=Matter(
            meeting=meeting,
            category="decision",
            title=title,
            materials=f"{title}的请示、评估报告及招租方案",
            opinions_solicited=True,
            risk_assessment=True,
            legal_review=True,
        ),
        user=admin,
        source="demo",
    )
    for p in members[1:]:
        decisions.record_statement(matter=matter, person=p, position="agree", user=admin)
    decisions.record_statement(matter=matter, person=members[0], position="agree", user=admin)
    matter.refresh_from_db()
    return matter


def build(ctx) -> None:
    rng, today, admin = ctx.rng, ctx.today, ctx.users["admin"]
    first_year = today.year - 2
    kit.create_row(
        obj=m.LeasingRule(unit=ctx.city, effective_from=datetime.date(first_year - 3, 1, 1)),
        user=admin,
        source="demo",
    )

    def create(obj):
        return kit.create_row(obj=obj, user=admin, source="demo")

    counts = {"properties": 0, "leases": 0, "payments": 0}
    owners = []
    for county in ctx.counties:
        owners.append(county)
        owners += [g for g in ctx.grassroots if g.parent_id == county.pk][:3]
    tender_done = exception_done = False
    for oi, unit in enumerate(owners):
        place = unit.short_name or unit.name
        street = STREETS[oi % len(STREETS)]
        plan = [("shop", 1), ("shop", 2), ("warehouse", 1)]
        if oi % 2 == 0:
            plan.append(("office", 1))
        if oi % 3 == 0:
            plan.append(("land", 1))
        if oi % 5 == 1:
            plan.append(("cold_store", 1))
        props = []
        for kind, n in plan:
            number = rng.randint(8, 188)
            name = {
                "shop": f"{street}{number}号{rng.choice(SHOPS)}",
                "warehouse": f"{place}{'一二三'[n - 1]}号仓库",
                "office": f"{place}办公楼",
                "land": f"{place}原收购站地块",
                "cold_store": f"{place}果蔬冷库",
            }[kind]
            area = {
                "shop": Decimal(rng.randint(40, 180)),
                "warehouse": Decimal(rng.randint(300, 1200)),
                "office": Decimal(rng.randint(400, 900)),
                "land": None,
                "cold_store": Decimal(rng.randint(200, 600)),
            }[kind]
            prop = create(
                m.Property(
                    unit=unit,
                    name=name,
                    address=f"{unit.address}{street}{number}号",
                    kind=kind,
                    building_area=area,
                    land_area=Decimal(rng.randint(3, 20)) * m.MU_M2 // 1
                    if kind == "land"
                    else None,
                    book_value=_round(rng.randint(30_000, 900_000), 1000),
                    acquired_on=datetime.date(rng.randint(1985, 2012), rng.randint(1, 12), 1),
                    acquisition=rng.choice(["allocated", "built", "purchased", "transferred"]),
                    own_use=kind == "office",
                    note="",
                )
            )
            counts["properties"] += 1
            props.append(prop)
            roll = rng.random()
            if roll < 0.85:
                holder = unit.name
                if roll > 0.8:
                    holder = f"{place}基层供销社"  # the certificate still in the old name
                create(
                    m.Certificate(
                        property=prop,
                        kind="real_estate" if rng.random() < 0.6 else "house",
                        number=(
                            f"湘({rng.randint(2016, 2022)})不动产权"
                            f"第{rng.randint(1, 9_999_999):07d}号"
                        ),
                        issued_on=datetime.date(rng.randint(2016, 2022), rng.randint(1, 12), 15),
                        holder=holder,
                    )
                )
        division = (unit.division_code or ctx.city.division_code)[:6]
        for prop in props:
            if prop.kind == "office" or rng.random() < 0.15:
                continue  # in own use, or vacant
            start = datetime.date(first_year + rng.randint(0, 1), rng.choice([1, 3, 4, 7]), 1)
            if start >= today:
                continue
            years = rng.choice([2, 3, 3])
            end = m.add_months(start, 12 * years) - datetime.timedelta(days=1)
            rent = {
                "shop": _round(int(prop.area) * rng.randint(120, 260)),
                "warehouse": _round(int(prop.area) * rng.randint(30, 45)),
                "cold_store": _round(int(prop.area) * rng.randint(90, 140)),
                "land": _round(int(prop.area) * rng.randint(2, 5)),
            }[prop.kind]
            lease = m.Lease(
                unit=unit,
                property=prop,
                start_date=start,
                end_date=end,
                cycle=rng.choice([3, 3, 6, 12]),
                deposit=_round(int(rent) // 4),
                tenant_phone=f"13{rng.randint(100000000, 999999999)}",
            )
            if rng.random() < 0.5:
                lease.tenant_kind = "person"
                lease.tenant_name = rng.choice("王李张刘陈杨黄赵周") + rng.choice(
                    "建国秀英志华桂兰红军"
                )
                lease.tenant_id_number = make_id_number(rng, division)
            else:
                lease.tenant_kind = "organisation"
                lease.tenant_name = f"{place}{rng.choice(TENANT_SHOPS)}"
                lease.tenant_credit_code = make_credit_code(rng, division, "9", "2")
            matter = None
            if not tender_done and rent < Decimal(50000) and prop.kind == "warehouse":
                rent = Decimal("68000")  # the county's big warehouse goes to public tender
            if rent >= Decimal(50000):
                if tender_done:
                    rent = Decimal("48000")
                else:
                    tender_done = True
                    lease.method = "tender"
                    lease.exchange = "湘潭市公共资源交易中心"
                    lease.tender_date = start - datetime.timedelta(days=20)
                    lease.tenant_kind = "organisation"
                    lease.tenant_name = f"{place}物流有限公司"
                    lease.tenant_id_number = ""
                    lease.tenant_credit_code = make_credit_code(rng, division)
                    matter = _passed_matter(
                        ctx,
                        unit.parent if unit.kind == "grassroots" else unit,
                        f"研究{prop.name}公开招租方案",
                        start - datetime.timedelta(days=40),
                        admin,
                    )
            lease.annual_rent = rent
            if lease.method != "tender":
                if rent >= Decimal(30000):
                    lease.method = "valuation"
                else:
                    lease.method = "enquiry"
                    lease.enquiry_people = "、".join(rng.sample(ENQUIRERS, 2))
                    lease.comparables = "\n".join(
                        f"{street}{rng.randint(1, 200)}号 "
                        f"每年{_round(int(rent) * rng.randint(90, 115) // 100)}元"
                        for _i in range(rng.randint(2, 3))
                    )
            if not exception_done and lease.method == "enquiry" and unit.kind == "grassroots":
                # A co-op's shop let to the village's collective for a farm-input outlet.
                exception_done = True
                lease.method = "exception"
                lease.tenant_kind = "organisation"
                lease.tenant_name = f"{place}村股份经济合作社"
                lease.tenant_id_number = ""
                lease.tenant_credit_code = make_credit_code(rng, division, "N", "2")
                matter = _passed_matter(
                    ctx,
                    unit.parent,
                    f"研究{prop.name}定向出租给村集体用于农资服务的事项",
                    start - datetime.timedelta(days=30),
                    admin,
                )
            if rent >= Decimal(30000):
                lease.valuation_agency = "湖南湘元资产评估有限公司"
                lease.valuation_report = f"湘元评报字〔{start.year}〕第{rng.randint(10, 99)}号"
                lease.valuation_value = _round(int(rent) * rng.randint(90, 100) // 100)
            lease.matter = matter
            lease = create(lease)
            if lease.method == "tender":
                bids = sorted({_round(int(rent) * k // 100) for k in (88, 94, 100)}, reverse=True)
                for bi, amount in enumerate(bids):
                    create(
                        m.Bid(
                            lease=lease,
                            bidder=lease.tenant_name
                            if bi == 0
                            else f"{place}商贸{'甲乙丙'[bi]}公司",
                            amount=amount,
                            date=lease.tender_date,
                            won=bi == 0,
                        )
                    )
            if services.activation_problems(lease):
                continue  # stays a draft: the page shows what it lacks
            services.activate(lease=lease, user=admin, on=start)
            counts["leases"] += 1
            late = rng.random() < 0.25  # this tenant falls behind
            for charge in lease.charges.order_by("seq"):
                pay_on = charge.due_date + datetime.timedelta(days=rng.randint(0, 12))
                if pay_on >= today:
                    break
                if late and charge.due_date > today - datetime.timedelta(days=rng.randint(60, 400)):
                    break
                services.record_payment(
                    payment=m.RentPayment(
                        lease=lease,
                        paid_on=pay_on,
                        amount=charge.amount,
                        way=rng.choice(["transfer", "transfer", "mobile", "cash"]),
                        receipt_number=f"ZJ{pay_on:%Y%m}{rng.randint(1000, 9999)}",
                    ),
                    user=admin,
                )
                counts["payments"] += 1
    # One tenant gave up early; one lease was renewed ahead of its end.
    active = list(m.Lease.objects.filter(status="active").order_by("pk"))
    ending = [x for x in active if x.end_date > today + datetime.timedelta(days=60)]
    if ending:
        services.terminate(
            lease=ending[0],
            user=admin,
            reason="承租人经营调整，协商提前退租",
            deposit_refunded=ending[0].deposit,
            on=today - datetime.timedelta(days=10),
        )
    soon = [x for x in active if today < x.end_date <= today + datetime.timedelta(days=120)]
    if soon:
        services.renew(
            lease=soon[0],
            user=admin,
            end_date=m.add_months(soon[0].end_date + datetime.timedelta(days=1), 24)
            - datetime.timedelta(days=1),
            annual_rent=(soon[0].annual_rent * Decimal("1.05")).quantize(Decimal(1)),
        )
    ctx.counts.update(counts)
    _checks(ctx, owners)


HAZARDS = [
    ("仓库灭火器过期未更换", True),
    ("消防通道堆放杂物", True),
    ("配电箱未上锁、线路裸露", True),
    ("冷库氨制冷设备压力表未检定", False),
    ("门面房电线私拉乱接", True),
    ("仓库屋面漏雨、墙体开裂", False),
]


def _close(item, admin, reviewer, day):
    """The item rectified and closed out on `day` (业务日期), with its evidence."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gongxiao.rectification import services as rect

    rect.add_progress(
        item=item,
        user=admin,
        text="已整改到位，附整改前后照片。",
        date=day,
        files=[SimpleUploadedFile("整改佐证材料.pdf", b"%PDF-1.4 demo")],
    )
    rect.transition(item=item, step="request_close_out", user=admin, on=day)
    rect.transition(item=item, step="close_out", user=reviewer, on=day)


def _checks(ctx, owners) -> None:
    """Last year's inventory check in each county (most items as registered, some differences),
    and quarterly safety inspections over the last four quarters with their hazards."""
    rng, today, admin = ctx.rng, ctx.today, ctx.users["admin"]
    reviewer = ctx.users.get("city_leader", admin)
    year = today.year - 1
    n_diffs = n_hazards = 0
    for county in ctx.counties:
        units = [u for u in owners if u.path.startswith(county.path)]
        start = datetime.date(year, 9, 1)
        check = kit.create_row(
            obj=m.InventoryCheck(
                unit=county,
                title=f"{year}年度社有资产清查",
                start_date=start,
                end_date=datetime.date(year, 10, 31),
                note="对照公有房产登记簿逐处清点，核对权属证书和使用状态。",
            ),
            user=admin,
            source="demo",
        )
        kit.set_m2m(obj=check, values={"checked_units": units}, user=admin, source="demo")
        for unit in units:
            for prop in m.Property.objects.filter(unit=unit, disposed_on__isnull=True):
                day = start + datetime.timedelta(days=rng.randint(3, 40))
                status = prop.status_on(day)
                if status == "vacant" and rng.random() < 0.15:
                    status = "leased"  # let without a contract: found in use by someone
                count = services.record_count(
                    count=m.InventoryCount(
                        inventory_check=check,
                        counted_unit=unit,
                        property=prop,
                        counted_on=day,
                        present=rng.random() > 0.02,
                        status_found=status,
                        certificate_ok=True,
                    ),
                    user=admin,
                    source="demo",
                )
                n_diffs += count.differences.count()
            if rng.random() < 0.3:
                services.record_count(
                    count=m.InventoryCount(
                        inventory_check=check,
                        counted_unit=unit,
                        found_name=f"{unit.short_name or unit.name}后院简易棚",
                        counted_on=start + datetime.timedelta(days=10),
                        present=True,
                    ),
                    user=admin,
                    source="demo",
                )
                n_diffs += 1
        # The first county settles every difference and closes its check; elsewhere some are
        # still being rectified, so the check stays open.
        settled_by = check.start_date
        for diff in check.differences.all():
            if rng.random() < 0.6 or county == ctx.counties[0]:
                settled_by = max(settled_by, diff.found_on + datetime.timedelta(days=30))
                _close(diff.item, admin, reviewer, diff.found_on + datetime.timedelta(days=30))
        if county == ctx.counties[0] and not services.close_problems(check, settled_by):
            services.close_check(check=check, user=admin, on=settled_by)
        # 每季度开展安全生产检查: the last four quarters.
        for q in range(4):
            day = today - datetime.timedelta(days=90 * q + rng.randint(5, 60))
            inspected = rng.sample(units, k=min(len(units), rng.randint(2, 4)))
            ins = kit.create_row(
                obj=m.SafetyInspection(
                    unit=county,
                    date=day,
                    title=f"{day.year}年第{(day.month - 1) // 3 + 1}季度安全生产检查",
                    inspectors="县社安全生产领导小组",
                    note="重点检查仓库、冷库、门面房的消防和用电安全。",
                ),
                user=admin,
                source="demo",
            )
            props = list(m.Property.objects.filter(unit__in=inspected)[:6])
            kit.set_m2m(
                obj=ins,
                values={"inspected_units": inspected, "properties": props},
                user=admin,
                source="demo",
            )
            for unit in inspected:
                if rng.random() < 0.5:
                    text, immediate = rng.choice(HAZARDS)
                    hazard = services.add_hazard(
                        hazard=m.Hazard(
                            inspection=ins,
                            responsible_unit=unit,
                            description=f"{unit.short_name or unit.name}{text}",
                            immediate=immediate,
                            deadline=None if immediate else day + datetime.timedelta(days=45),
                        ),
                        user=admin,
                        source="demo",
                    )
                    n_hazards += 1
                    done = day + datetime.timedelta(days=rng.randint(1, 6 if immediate else 40))
                    if done < today and rng.random() < 0.85:
                        _close(hazard.item, admin, reviewer, done)
    ctx.counts.update({"inventory differences": n_diffs, "safety hazards": n_hazards})
