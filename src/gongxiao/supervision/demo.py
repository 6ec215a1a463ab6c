"""Supervision and discipline in the demo federation over the last two years: talks, inspections
with findings (each a rectification item) and numbered notices, letters signed (with gaps),
responsibility lists with fulfilment records, audits and their recommendations, the board of
supervisors, personal matters reports, life meetings with opinions, the four forms and
clean-government education. Written through the services, as users would."""

from __future__ import annotations

import datetime

from gongxiao.core import services as kit
from gongxiao.org.models import Person

from . import models as m
from . import services

FINDINGS = [
    ("safety", "农资仓库消防通道堵塞"),
    ("finance", "备用金未及时清理"),
    ("assets", "门面出租未公开招租"),
    ("conduct", "上班时间脱岗"),
    ("business", "农资进销存台账不全"),
    ("discipline", "公务用车登记不规范"),
]
RECOMMENDATIONS = [
    "建立健全资金支付审批制度",
    "清理长期挂账往来款项",
    "规范固定资产处置程序",
    "完善合同管理台账",
    "加强存货盘点",
    "规范招待费列支",
]
OPINIONS = [
    "深入基层调研不够，对基层社困难了解不深",
    "会议文件偏多，基层负担较重",
    "干部交流轮岗力度不够",
    "对社属企业监管的手段不多",
    "为农服务项目宣传不到位",
    "青年干部培养措施不具体",
]


def build(ctx) -> None:
    rng, today, admin = ctx.rng, ctx.today, ctx.users["admin"]
    people: dict[int, list[Person]] = {}
    for p in Person.objects.all():
        people.setdefault(p.unit_id, []).append(p)
    years = (today.year - 1, today.year)

    def day_in(year):
        last = (
            datetime.date(year, 12, 28) if year < today.year else today - datetime.timedelta(days=1)
        )
        return datetime.date(year, 1, 5) + datetime.timedelta(
            days=rng.randint(0, (last - datetime.date(year, 1, 5)).days)
        )

    def create(obj, m2m=None, user=admin):
        obj = kit.create_row(obj=obj, user=user, source="demo")
        if m2m:
            kit.set_m2m(obj=obj, values=m2m, user=admin, source="demo")
        return obj

    leading = [ctx.city, *ctx.counties]
    for unit in leading:
        staff = people.get(unit.pk, [])
        below = [
            g
            for g in ctx.grassroots + ctx.enterprises
            if g.path.startswith(unit.path) and g != unit
        ]
        below_people = [p for g in below for p in people.get(g.pk, [])] or staff
        for year in years:
            # Talks: dozens a year, one to several persons each, some of the six disciplines.
            for _ in range(rng.randint(12, 20)):
                talked = rng.sample(below_people, k=min(len(below_people), rng.randint(1, 4)))
                flags = {
                    name: rng.random() < 0.45
                    for name in ("political", "organisational", "integrity", "mass", "work", "life")
                }
                if not any(flags.values()):
                    flags["integrity"] = True
                create(
                    m.Talk(
                        unit=unit,
                        date=day_in(year),
                        kind=rng.choice(list(m.Talk.Kind)),
                        talker=staff[0],
                        record="围绕廉洁自律、履职尽责开展谈话，提醒注意苗头性倾向性问题。",
                        follow_up="已跟踪了解整改情况。",
                        **flags,
                    ),
                    {"talked_to": talked},
                )
            # Inspections with findings and a notice.
            for _ in range(rng.randint(1, 3)):
                start = day_in(year)
                targets = rng.sample(below, k=min(len(below), rng.randint(1, 3)))
                ins = create(
                    m.Inspection(
                        unit=unit,
                        title=f"{start.year}年{start.month}月督查检查",
                        method=rng.choice(list(m.Inspection.Method)),
                        start_date=start,
                        end_date=start + datetime.timedelta(days=3),
                        plan="采取“四不两直”方式，重点检查安全生产、财务管理和作风建设。",
                    ),
                    {"inspected_units": targets, "inspectors": staff[:2]},
                )
                for target in targets:
                    if rng.random() < 0.7:
                        cat, text = rng.choice(FINDINGS)
                        services.add_finding(
                            finding=m.Finding(
                                inspection=ins,
                                inspected_unit=target,
                                description=f"{target.short_name or target.name}{text}",
                                category=cat,
                                deadline=start + datetime.timedelta(days=rng.choice([30, 60])),
                            ),
                            user=admin,
                        )
                create(
                    m.Notice(
                        unit=unit,
                        title=f"关于{ins.title}情况的通报",
                        date=start + datetime.timedelta(days=10),
                        inspection=ins,
                        content="现将督查检查发现的问题通报如下，请各单位对照整改。",
                    ),
                    {"recipients": below},
                )
            # Responsibility letters: most units sign, a few do not (the coverage view shows them).
            for target in below:
                for kind in ("integrity", "safety", "party_building", "ideology"):
                    if rng.random() < 0.85:
                        create(
                            m.ResponsibilityLetter(
                                unit=unit,
                                kind=kind,
                                year=year,
                                signer_unit=target,
                                signed_date=datetime.date(year, 2, rng.randint(1, 28)),
                            )
                        )
            for p in staff:
                if p.is_cadre and rng.random() < 0.9:
                    create(
                        m.ResponsibilityLetter(
                            unit=unit,
                            kind="pledge",
                            year=year,
                            signer_person=p,
                            signed_date=datetime.date(year, 2, rng.randint(1, 28)),
                        )
                    )
                if p.is_cadre:
                    lst = create(
                        m.ResponsibilityList(
                            unit=unit,
                            person=p,
                            year=year,
                            kind="primary" if p == staff[0] else "dual",
                            duties="1. 落实全面从严治党主体责任\n2. 履行“一岗双责”\n"
                            "3. 带头廉洁自律",
                        )
                    )
                    for q in range(1, 5 if year < today.year else (today.month - 1) // 3 + 1):
                        create(
                            m.DutyRecord(
                                responsibility_list=lst,
                                date=datetime.date(year, 3 * q, 20),
                                text=f"第{q}季度：主持研究部署党风廉政建设工作，开展廉政谈话。",
                            )
                        )
            # An audit with recommendations, decided by the leadership.
            audited = rng.sample(below, k=min(len(below), 1 + rng.randint(0, 2)))
            report_date = day_in(year)
            audit = create(
                m.Audit(
                    unit=unit,
                    title=f"{year}年度社属企业专项审计",
                    kind=rng.choice(list(m.Audit.Kind)),
                    auditor=rng.choice(["internal", "firm"]),
                    firm_name="湘潭某会计师事务所",
                    period_start=datetime.date(year - 1, 1, 1),
                    period_end=datetime.date(year - 1, 12, 31),
                    scope="财务收支、资产管理、内部控制",
                    report_number=f"{unit.code}审〔{year}〕{rng.randint(1, 9)}号",
                    report_date=report_date,
                ),
                {"audited_units": audited},
            )
            for target in audited:
                for text in rng.sample(RECOMMENDATIONS, k=3):
                    rec = create(m.Recommendation(audit=audit, text=text, responsible_unit=target))
                    if report_date < today - datetime.timedelta(days=20) or rng.random() < 0.5:
                        services.decide_recommendation(
                            recommendation=rec,
                            adopted=rng.random() < 0.9,
                            user=admin,
                            deadline=report_date + datetime.timedelta(days=90),
                            on=min(today, report_date + datetime.timedelta(days=10)),
                        )
            # Board of supervisors, personal matters reports, life meetings, education.
            for _ in range(2):
                d = day_in(year)
                opinion = rng.random() < 0.7
                create(
                    m.SupervisoryMatter(
                        unit=unit,
                        date=d,
                        kind=rng.choice(list(m.SupervisoryMatter.Kind)),
                        title="对社有资产出租情况开展监督",
                        description="抽查门面租赁合同12份。",
                        opinion="建议规范招租程序，租金按评估价确定。" if opinion else "",
                        opinion_date=d + datetime.timedelta(days=7) if opinion else None,
                    )
                )
            for p in staff:
                if p.is_cadre:
                    checked = rng.random() < 0.3
                    result = (
                        rng.choice(["consistent", "consistent", "inconsistent"])
                        if checked
                        else "not_checked"
                    )
                    create(
                        m.PersonalMattersReport(
                            unit=unit,
                            person=p,
                            year=year,
                            filed_date=datetime.date(year, 1, rng.randint(10, 31)),
                            randomly_checked=checked,
                            check_result=result,
                            follow_up="已责令说明情况并补报。" if result == "inconsistent" else "",
                        )
                    )
            life = create(
                m.LifeMeeting(
                    unit=unit,
                    kind="democratic",
                    date=datetime.date(year, 2, 7),
                    theme=f"{year - 1}年度民主生活会",
                    criticism="班子成员逐一开展批评和自我批评。",
                )
            )
            for i, text in enumerate(rng.sample(OPINIONS, k=4)):
                op = create(m.Opinion(life_meeting=life, text=text))
                if i < 2 and life.date <= today:
                    services.raise_opinion(
                        opinion=op,
                        user=admin,
                        unit=unit,
                        deadline=life.date + datetime.timedelta(days=120),
                        on=min(today, life.date + datetime.timedelta(days=5)),
                    )
            for kind, title in [
                ("film", "观看警示教育片《零容忍》"),
                ("festival", "中秋国庆节前廉政提醒"),
                ("lecture", "书记讲廉政党课"),
            ]:
                create(
                    m.Education(
                        unit=unit,
                        date=day_in(year),
                        kind=kind,
                        title=title,
                        other_participants=rng.randint(10, 60),
                    ),
                    {"participants": staff},
                )
            # The four forms: a few cases, mostly the first form.
            for _ in range(rng.randint(0, 3)):
                create(
                    m.DisciplinaryAction(
                        unit=unit,
                        person=rng.choice(below_people),
                        form=rng.choice([1, 1, 1, 2, 3]),
                        date=day_in(year),
                        description="违反工作纪律，造成不良影响。",
                        decision="予以批评教育。",
                    ),
                    # The four forms are the discipline role's alone, not even the admin's.
                    user=ctx.users["city_discipline"],
                )
    ctx.counts["talks"] = m.Talk.objects.count()
    ctx.counts["inspection findings"] = m.Finding.objects.count()
    ctx.counts["audits"] = m.Audit.objects.count()
