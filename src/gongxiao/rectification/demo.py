"""The rectification ledger of the demo federation: campaigns and some two hundred items over
the last two years, in every state, walked through the real services and then dated back."""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from gongxiao.core import services as kit
from gongxiao.org.models import Person, User

from . import services
from .models import Campaign, Kind, RectificationItem, Source

PROBLEMS = [
    (
        "assets",
        "资产租赁合同未统一使用标准文本",
        "部分门面租赁合同仍使用旧版文本，租金调整条款不明确。",
        ["全面清理在租合同", "统一换签标准租赁合同文本", "建立合同到期预警台账"],
    ),
    (
        "assets",
        "部分房产未纳入公有房产信息化管理",
        "清查发现3处仓库未录入房产信息系统。",
        ["逐处核实产权资料", "补录房产信息并上传权证照片"],
    ),
    (
        "finance",
        "公务接待报销手续不全",
        "个别接待未附公函和接待清单。",
        ["补齐接待审批手续", "组织财务人员学习接待管理规定"],
    ),
    (
        "finance",
        "往来款项长期挂账未清理",
        "其他应收款中有3年以上挂账款项。",
        ["逐笔核对往来款项", "制定清收计划并落实责任人"],
    ),
    (
        "conduct",
        "节假日期间廉洁提醒不到位",
        "节前未开展廉政提醒谈话。",
        ["节前开展集体廉政谈话", "发送廉洁过节提醒短信"],
    ),
    (
        "discipline",
        "三重一大事项会议记录不规范",
        "个别会议记录未记录班子成员表态情况。",
        ["规范会议记录模板", "补充完善表态记录"],
    ),
    (
        "organisational",
        "党支部未按期换届",
        "基层社党支部任期届满未及时换届。",
        ["报请上级党组织批准换届", "按程序完成选举"],
    ),
    (
        "organisational",
        "三会一课记录不完整",
        "党员学习记录缺少签到。",
        ["完善三会一课台账", "落实党员签到制度"],
    ),
    (
        "ideological",
        "理论学习中心组学习流于形式",
        "学习研讨缺少交流发言记录。",
        ["制定年度学习计划", "每次学习安排专题发言"],
    ),
    (
        "safety",
        "仓库消防器材过期未更换",
        "检查发现农资仓库灭火器过期。",
        ["立即更换过期灭火器", "建立消防器材检查台账"],
    ),
    (
        "safety",
        "农资仓库危化品存放不规范",
        "农药与化肥混存，标识不清。",
        ["分区存放并设置标识", "开展安全生产培训"],
    ),
    (
        "business",
        "农资经营台账登记不及时",
        "进销存台账滞后于实际业务。",
        ["每日登记进销存", "月末盘点核对"],
    ),
    (
        "business",
        "社有企业绩效考核指标不细化",
        "考核方案缺少量化指标。",
        ["修订考核方案", "增加量化评分细则"],
    ),
    (
        "institutional",
        "内部控制制度未及时修订",
        "采购管理制度仍为2016年版本。",
        ["修订采购管理制度", "组织制度宣贯"],
    ),
    (
        "political",
        "第一议题制度落实不够到位",
        "个别党组会未将学习贯彻重要讲话精神列为第一议题。",
        ["严格执行第一议题制度", "建立学习贯彻落实台账"],
    ),
    ("conduct", "形式主义文山会海问题", "基层反映报表多、会议多。", ["精简报表", "合并同类会议"]),
]
SOURCES = [
    Source.INSPECTION,
    Source.AUDIT,
    Source.TOUR,
    Source.LIFE_MEETING,
    Source.SELF_CHECK,
    Source.ASSIGNED,
    Source.CASE_REFORM,
    Source.SAFETY,
    Source.ASSET_INVENTORY,
    Source.PETITION,
]
DEPARTMENTS = ["办公室", "财务科", "资产管理科", "业务科", "机关党委", "纪检组"]


def _pdf(name):
    return SimpleUploadedFile(
        name, b"%PDF-1.4\n% Gongxiao demo evidence\n%%EOF\n", content_type="application/pdf"
    )


def build(ctx) -> None:
    rng = ctx.rng
    today = ctx.today
    admin = ctx.users["admin"]
    year = today.year
    campaigns = [
        (
            f"{year - 1}年全面从严治社年",
            datetime.date(year - 1, 1, 10),
            datetime.date(year - 1, 12, 31),
        ),
        ("集中整治形式主义、官僚主义", datetime.date(year - 1, 4, 1), datetime.date(year, 3, 31)),
        ("以案促改专项行动", datetime.date(year, 2, 15), datetime.date(year, 11, 30)),
        ("社有资产清查专项整治", datetime.date(year, 3, 1), None),
    ]
    made = []
    for name, start, end in campaigns:
        c = kit.create_row(
            obj=Campaign(
                unit=ctx.city,
                name=name,
                start_date=start,
                end_date=end,
                plan=f"{name}实施方案：明确目标任务、责任分工和时间节点，"
                "建立问题、整改、责任三张清单，实行销号管理。",
            ),
            user=admin,
            source="demo",
        )
        c.units.set(ctx.counties)
        made.append(c)
    people_by_unit: dict[int, list[Person]] = {}
    for p in Person.objects.all():
        people_by_unit.setdefault(p.unit_id, []).append(p)
    users_by_person = {u.person_id: u for u in User.objects.filter(person__isnull=False)}
    units = [*ctx.grassroots, *ctx.counties, *ctx.enterprises]
    n_items = 0
    for i in range(200):
        unit = units[i % len(units)] if i < len(units) else rng.choice(units)
        category, title, description, measures = rng.choice(PROBLEMS)
        found = today - datetime.timedelta(days=rng.randint(3, 700))
        kind = rng.choices([Kind.DEADLINE, Kind.IMMEDIATE, Kind.ONGOING], weights=[6, 2, 2])[0]
        deadline = None
        if kind == Kind.DEADLINE:
            deadline = found + datetime.timedelta(days=rng.choice([30, 45, 60, 90, 120]))
        elif kind == Kind.IMMEDIATE:
            deadline = found + datetime.timedelta(days=7)
        campaign = next(
            (
                c
                for c in made
                if c.start_date <= found <= (c.end_date or today) and rng.random() < 0.7
            ),
            None,
        )
        local = people_by_unit.get(unit.pk) or people_by_unit[unit.parent_id]
        county = unit if unit.kind == "county" else (unit.parent if unit.parent_id else unit)
        leaders = [p for p in people_by_unit.get(county.pk, []) if p.is_cadre] or people_by_unit[
            county.pk
        ]
        owner = local[0] if rng.random() < 0.5 else rng.choice(local)
        item = kit.create_row(
            obj=RectificationItem(
                unit=unit,
                campaign=campaign,
                title=title,
                description=description,
                category=category,
                source=rng.choice(SOURCES),
                responsible_person=owner,
                responsible_leader=rng.choice(leaders),
                lead_department=rng.choice(DEPARTMENTS),
                found_date=found,
                kind=kind,
                deadline=deadline,
                checkin_every_days=90,
            ),
            user=admin,
            source="demo",
        )
        n_items += 1
        _walk(item, rng, today, admin, users_by_person, measures, ctx.users["city_discipline"])
    ctx.counts["rectification items"] = n_items
    ctx.counts["campaigns"] = len(made)
    result = services.run_escalation(today=today)
    ctx.counts["notifications"] = result.total


def _walk(item, rng, today, admin, users_by_person, measures, reviewer) -> None:
    """Take the item as far as its age makes believable, then date every step back."""
    actor = users_by_person.get(item.responsible_person_id)
    worker = (
        actor
        if actor and RectificationItem.objects.editable_by(actor).filter(pk=item.pk).exists()
        else admin
    )
    age = (today - item.found_date).days
    for text in measures[: rng.randint(1, len(measures))]:
        services.add_measure(
            item=item,
            user=worker,
            description=text,
            owner=item.responsible_person,
            deadline=item.deadline,
        )
    roll = rng.random()
    if age < 45 and roll < 0.5:
        return  # newly found: still open
    start = item.found_date + datetime.timedelta(days=min(age, rng.randint(1, 10)))
    services.add_progress(
        item=item,
        user=worker,
        text="已制定整改方案，明确责任人和完成时限。",
        date=min(start, today),
    )
    if item.kind == Kind.ONGOING:
        for k in range(1, min(age // 90, 6) + 1):
            if rng.random() < 0.8:
                day = item.found_date + datetime.timedelta(days=90 * k - rng.randint(0, 10))
                if day <= today:
                    services.add_progress(
                        item=item,
                        user=worker,
                        text=f"第{k}次定期报告：持续推进，未发现反弹。",
                        date=day,
                        is_checkin=True,
                    )
    deadline = item.deadline or (item.found_date + datetime.timedelta(days=180))
    finish_chance = 0.85 if deadline < today else 0.35
    if roll > finish_chance:
        return  # still in rectification (and overdue when its deadline has passed)
    done_day = min(
        today,
        item.found_date
        + datetime.timedelta(
            days=max(2, int((deadline - item.found_date).days * rng.uniform(0.5, 1.1)))
        ),
    )
    done_day = max(done_day, services.last_step_date(item) or done_day)
    services.add_progress(
        item=item,
        user=worker,
        text="整改措施已全部落实，附佐证材料。",
        date=done_day,
        files=[_pdf("整改佐证材料.pdf")],
    )
    item.measures.update(state="done")

    def later(day, lo, hi):
        return min(today, day + datetime.timedelta(days=rng.randint(lo, hi)))

    # Every step on the day it happened (业务日期), entered now.
    asked = done_day
    services.transition(item=item, step="request_close_out", user=worker, on=asked)
    if rng.random() < 0.12:
        rejected = later(asked, 2, 10)
        services.transition(
            item=item,
            step="reject_close_out",
            user=reviewer,
            reason="佐证材料不充分，请补充整改前后对比照片。",
            on=rejected,
        )
        asked = later(rejected, 1, 7)
        services.add_progress(
            item=item,
            user=worker,
            text="已补充整改前后对比照片。",
            date=asked,
            files=[_pdf("整改前后对比.pdf")],
        )
        services.transition(item=item, step="request_close_out", user=worker, on=asked)
    if rng.random() < 0.4 and (today - asked).days < 45:
        return  # waiting for review
    closed = later(asked, 1, 10)
    services.transition(item=item, step="close_out", user=reviewer, on=closed)
    if rng.random() < 0.05 and (today - closed).days > 60:
        services.transition(
            item=item,
            step="reopen",
            user=reviewer,
            reason="回头看发现问题反弹，重新整改。",
            on=later(closed, 30, 60),
        )
