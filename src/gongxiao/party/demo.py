"""Party building in the demo federation: the city co-op's 机关党委 with two office branches, a
general branch in each county with a branch in every grassroots co-op and enterprise that has
members, their elections (some due in the coming months, a few overdue), the party members
among the people on the roll (a few probationary, a few transferred), and a year of
organisational life with attendance. Written through the services, as users would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from gongxiao.core import services as kit
from gongxiao.org.models import Person

from . import models as m
from . import services
from .models import add_months

K = m.PartyOrganisation.Kind
A = m.Activity.Kind

THEMES = [
    "重温入党誓词，牢记初心使命",
    "学习党的二十大精神",
    "学雷锋志愿服务",
    "清明祭英烈",
    "党史学习教育专题",
    "为农服务进村入户",
    "廉洁文化进支部",
    "学习《中国共产党支部工作条例》",
]
LECTURES = [
    "扛起供销社为农服务政治责任",
    "以党建引领基层社高质量发展",
    "全面从严治党永远在路上",
    "深入学习习近平总书记关于“三农”工作的重要论述",
]
STUDIES = [
    "《习近平关于“三农”工作论述摘编》专题研讨",
    "供销合作社综合改革专题学习",
    "党纪学习教育集中学习",
    "学习贯彻中央一号文件精神",
]
REASONS = ["出差", "病假", "下乡开展春耕服务", "公休"]


def build(ctx) -> None:
    rng, today, admin = ctx.rng, ctx.today, ctx.users["admin"]
    people: dict[int, list[Person]] = {}
    for p in Person.objects.filter(is_party_member=True).order_by("pk"):
        people.setdefault(p.unit_id, []).append(p)

    def create(obj, m2m=None):
        obj = kit.create_row(obj=obj, user=admin, source="demo")
        if m2m:
            kit.set_m2m(obj=obj, values=m2m, user=admin, source="demo")
        return obj

    orgs: list[tuple[m.PartyOrganisation, list[Person]]] = []

    def organisation(unit, name, kind, parent, members):
        org = create(
            m.PartyOrganisation(
                unit=unit,
                name=name,
                kind=kind,
                parent=parent,
                founded_on=datetime.date(rng.choice((2008, 2012, 2015)), rng.randint(1, 12), 1),
            )
        )
        orgs.append((org, members))
        return org

    city_people = people.get(ctx.city.pk, [])
    committee = organisation(ctx.city, "湘潭市供销合作总社机关党委", K.COMMITTEE, None, [])
    half = len(city_people) // 2
    organisation(ctx.city, "机关第一党支部", K.BRANCH, committee, city_people[:half])
    organisation(ctx.city, "机关第二党支部", K.BRANCH, committee, city_people[half:])
    for county in ctx.counties:
        short = county.short_name or county.name
        general = organisation(
            county, f"{short}机关党总支", K.GENERAL_BRANCH, committee, people.get(county.pk, [])
        )
        below = [u for u in ctx.grassroots + ctx.enterprises if u.parent_id == county.pk]
        for unit in below:
            members = people.get(unit.pk, [])
            if len(members) >= 2:
                organisation(
                    unit, f"{unit.short_name or unit.name}党支部", K.BRANCH, general, members
                )
            else:
                general_members = next(ms for o, ms in orgs if o == general)
                general_members.extend(members)
    for unit in ctx.enterprises:
        if unit.parent_id == ctx.city.pk and len(people.get(unit.pk, [])) >= 1:
            organisation(unit, f"{unit.name}党支部", K.BRANCH, committee, people[unit.pk])

    # Elections: each organisation's last one so that its term ends between four months ago
    # and two years ahead, so some are overdue and some due within the notice months.
    for org, members in orgs:
        years = m.PartyOrganisation.term_years(org.kind)
        ends = today + datetime.timedelta(days=rng.randint(-120, 730))
        held = max(add_months(ends, -12 * years), org.founded_on)
        pool = members or city_people
        secretary = pool[0]
        create(
            m.Election(
                organisation=org,
                date=held,
                secretary=secretary,
                deputy_secretary=pool[1] if len(pool) > 2 else None,
                term_end=add_months(held, 12 * years),
            ),
            m2m={"committee_members": pool[: min(len(pool), 5 if org.kind == K.COMMITTEE else 3)]},
        )

    # Members: admitted over the years, a few still on probation; a few transferred.
    placed: dict[int, list[Person]] = {}
    all_members: list[m.PartyMember] = []
    for org, members in orgs:
        for person in members:
            probationary = rng.random() < 0.08
            joined = (
                today - datetime.timedelta(days=rng.randint(60, 330))
                if probationary
                else datetime.date(rng.randint(1990, today.year - 3), rng.randint(1, 12), 1)
            )
            since = max(joined, org.founded_on)
            member = services.admit_member(
                member=m.PartyMember(
                    person=person, organisation=org, joined_on=joined, since=since
                ),
                user=admin,
                source="demo",
            )
            if not probationary:
                services.make_full(
                    member=member, user=admin, on=services.full_membership_possible_on(member)
                )
            all_members.append(member)
            placed.setdefault(org.pk, []).append(person)
    branches = [o for o, _ms in orgs if o.kind == K.BRANCH]
    for member in rng.sample(all_members, k=min(3, len(all_members))):
        target = rng.choice([b for b in branches if b.pk != member.organisation_id])
        on = today - datetime.timedelta(days=rng.randint(30, 200))
        member.refresh_from_db()
        if on > member.since and on >= target.founded_on:
            services.transfer(member=member, organisation=target, user=admin, on=on)

    # 党员积分制管理: the city's scheme (100 = daily conduct 80 + democratic appraisal 20, bonus and
    # deduction items) in force for every organisation below it before the year of activities;
    # attendance awards its points as it is recorded.
    scheme = build_scheme(ctx, admin, valid_from=today - datetime.timedelta(days=400))

    # A year of organisational life: a themed party day each month, study every other month, a
    # party lecture each quarter by the secretary and two red-education trips with the masses;
    # the city committee's central group studies each month.
    start = today - datetime.timedelta(days=360)
    for org, _ms in orgs:
        secretary = org.elections.order_by("-date")[0].secretary
        for month in range(12):
            day = start + datetime.timedelta(days=30 * month + rng.randint(0, 20))
            if day >= today:
                continue
            plan: list[tuple[str, str, Person | None]] = []
            if org.kind == K.COMMITTEE:
                plan.append((A.CENTRAL_GROUP, rng.choice(STUDIES), secretary))
            else:
                plan.append((A.THEME_DAY, rng.choice(THEMES), None))
                if month % 2 == 0:
                    plan.append((A.STUDY, rng.choice(STUDIES), None))
                if month % 3 == 1:
                    plan.append((A.LECTURE, rng.choice(LECTURES), secretary))
            if org.kind != K.COMMITTEE and month in (3, 9):
                plan.append((A.RED_EDUCATION, "赴韶山毛泽东同志纪念馆开展红色教育", None))
            for kind, topic, speaker in plan:
                activity = create(
                    m.Activity(
                        organisation=org,
                        kind=kind,
                        date=day,
                        topic=topic,
                        speaker=speaker,
                        external_participants=rng.randint(20, 60) if kind == A.RED_EDUCATION else 0,
                    )
                )
                members = list(services.members_on(org, day))
                if not members:
                    continue
                absent = [p for p in members if rng.random() < 0.1]
                present = [p for p in members if p not in absent]
                services.record_attendance(
                    activity=activity,
                    user=admin,
                    present=present,
                    absent=absent,
                    reason=rng.choice(REASONS),
                )
    # The year-end democratic appraisal (民主评议) and a few bonus and deduction entries.
    appraisal = scheme.items.get(part=m.PointsItem.Part.APPRAISAL)
    bonus = scheme.items.get(name="获得上级表彰")
    deduction = scheme.items.get(part=m.PointsItem.Part.DEDUCTION)
    appraised_on = today - datetime.timedelta(days=rng.randint(1, 10))
    for member in all_members:
        member.refresh_from_db()
        if member.left_on or services.organisation_of(member, appraised_on) is None:
            continue
        if member.joined_on > appraised_on:
            continue
        services.award_points(
            member=member,
            item=appraisal,
            user=admin,
            reason="年度民主评议党员",
            on=appraised_on,
            points=rng.choice((16, 17, 18, 18, 19, 20)),
        )
        roll = rng.random()
        if roll < 0.1:
            services.award_points(
                member=member, item=bonus, user=admin, reason="获评优秀共产党员", on=appraised_on
            )
        elif roll > 0.96:
            services.award_points(
                member=member,
                item=deduction,
                user=admin,
                reason="无故缺席主题党日",
                on=appraised_on,
            )
    build_records(ctx, admin)
    ctx.counts["party organisations"] = len(orgs)
    ctx.counts["party members"] = len(all_members)


SCHEME_ITEMS = [
    # part, name, points, yearly cap, awarded for attending
    ("conduct", "参加主题党日", 2, 24, A.THEME_DAY),
    ("conduct", "参加专题学习研讨", 2, 12, A.STUDY),
    ("conduct", "参加党课", 2, 8, A.LECTURE),
    ("conduct", "参加中心组学习", 2, 24, A.CENTRAL_GROUP),
    ("conduct", "参加红色教育", 3, 6, A.RED_EDUCATION),
    ("conduct", "按时足额交纳党费", 1, 12, ""),
    ("appraisal", "年度民主评议", 20, 20, ""),
    ("bonus", "参加志愿服务", 2, 6, A.VOLUNTEER),
    ("bonus", "获得上级表彰", 5, 10, ""),
    ("deduction", "无故缺席组织生活", 5, None, ""),
]


def build_scheme(ctx, admin, *, valid_from) -> m.PointsScheme:
    scheme = kit.create_row(
        obj=m.PointsScheme(unit=ctx.city, name="党员积分制管理实施办法", valid_from=valid_from),
        user=admin,
        source="demo",
    )
    for part, name, points, cap, kind in SCHEME_ITEMS:
        kit.create_row(
            obj=m.PointsItem(
                scheme=scheme,
                part=part,
                name=name,
                points=Decimal(points),
                yearly_cap=None if cap is None else Decimal(cap),
                awarded_for=kind,
            ),
            user=admin,
            source="demo",
        )
    return scheme


TRAININGS = [
    ("held", "全市供销系统统计业务培训班", "市供销社", 2, 1),
    ("held", "财务会计实务培训", "市供销社", 2, 1),
    ("held", "信息宣传工作培训会", "市供销社", 1, 1),
    ("held", "基层社、农合联业务骨干培训班", "市供销社", 3, 2),
    ("attended", "市级机关党组织专职副书记培训班", "市直机关工委", 5, 1),
    ("attended", "意识形态工作专题培训班", "市委宣传部", 2, 1),
]
RESEARCH = [
    "关于基层供销社改造提升的调研报告",
    "关于农业社会化服务体系建设的调研报告",
    "关于社有资产管理情况的调研报告",
    "关于春耕备耕农资供应情况的调研",
    "关于农村综合服务社运营情况的调研报告",
    "关于数字农合联建设的调研报告",
]
OUTLETS = {
    "province_coop": ("省社网站", "provincial"),
    "city_committee": ("市委信息", "city"),
    "city_government": ("市政府政务信息", "city"),
    "media": ("湘潭日报", "city"),
}
RULES = [
    ("opinion", "关于加强全面从严治社工作的实施意见"),
    ("work_points", "直属机关纪检工作要点"),
    ("procedure", "党组议事规则"),
    ("work_rules", "监事会工作规则"),
    ("system", "监督工作联席会议制度"),
    ("system", "机关考勤制度"),
    ("measures", "机关考核办法"),
    ("measures", "单位绩效考核暂行办法"),
]
HOUSEHOLDS = ["王建国", "李秋菊", "张德胜", "刘桂英", "陈正华", "周玉兰", "黄志强", "赵春梅"]


def build_records(ctx, admin) -> None:
    """Trainings and an exam, the city's cadres with their posts and grades, writings, the
    assistance visits of the year and the register of rules."""
    rng, today, city = ctx.rng, ctx.today, ctx.city

    def create(obj, m2m=None):
        obj = kit.create_row(obj=obj, user=admin, source="demo")
        if m2m:
            kit.set_m2m(obj=obj, values=m2m, user=admin, source="demo")
        return obj

    def day_in_year(lo=10, hi=330):
        return today - datetime.timedelta(days=rng.randint(lo, hi))

    for kind, title, organiser, days, sessions in TRAININGS:
        create(
            m.Training(
                unit=city,
                kind=kind,
                title=title,
                organiser=organiser,
                start_date=day_in_year(),
                days=Decimal(days),
                sessions=sessions,
                participants=rng.randint(20, 80) if kind == "held" else rng.randint(1, 3),
            )
        )
    for county in ctx.counties:
        create(
            m.Training(
                unit=county,
                kind="held",
                title=f"{county.short_name or county.name}基层社业务培训",
                organiser=county.name,
                start_date=day_in_year(),
                days=Decimal(1),
                participants=rng.randint(15, 40),
            )
        )
    sat = rng.randint(35, 60)
    create(
        m.Exam(
            unit=city,
            title="党纪法规知识测试（廉政法规考试）",
            date=day_in_year(30, 200),
            participants=sat,
            passed=sat,
        )
    )

    # Cadres: the people marked as cadres, each with his appointment and some with a rotation,
    # a change of post or a retirement in the year; last year's grades and this year's quarters.
    cadres = list(
        Person.objects.filter(is_cadre=True, unit__path__startswith=city.path).order_by("pk")
    )
    grades = ["excellent", "competent", "competent", "competent", "competent", "basic"]
    for person in cadres:
        since = datetime.date(rng.randint(2005, today.year - 4), rng.randint(1, 12), 1)
        cadre = create(m.Cadre(unit=person.unit, person=person, since=since))
        services.take_post(
            post=m.CadrePost(
                cadre=cadre,
                unit=person.unit,
                post=person.post or "科员",
                rank="",
                change=m.CadrePost.Change.APPOINTMENT,
                start=since,
            ),
            user=admin,
            source="demo",
        )
        roll = rng.random()
        if roll < 0.2:
            services.take_post(
                post=m.CadrePost(
                    cadre=cadre,
                    unit=person.unit,
                    post="综合办公室副主任",
                    change=m.CadrePost.Change.ROTATION,
                    start=day_in_year(),
                ),
                user=admin,
                source="demo",
            )
        elif roll < 0.3:
            services.take_post(
                post=m.CadrePost(
                    cadre=cadre,
                    unit=person.unit,
                    post=f"{person.post or '科员'}（主持工作）",
                    change=m.CadrePost.Change.CHANGE,
                    start=day_in_year(),
                ),
                user=admin,
                source="demo",
            )
        elif roll > 0.95:
            services.retire(cadre=cadre, user=admin, on=day_in_year())
        create(
            m.CadreGrade(
                unit=cadre.unit,
                cadre=cadre,
                period=str(today.year - 1),
                grade=rng.choice(grades),
                assessed_on=datetime.date(today.year, 1, 20),
            )
        )
        for q in range(1, (today.month - 1) // 3 + 1):
            create(
                m.CadreGrade(
                    unit=cadre.unit,
                    cadre=cadre,
                    period=f"{today.year}Q{q}",
                    grade=rng.choice(grades[1:]),
                    assessed_on=add_months(datetime.date(today.year, 3 * q, 1), 1),
                )
            )

    # Writings: research reports, reflections, information submitted and some adopted.
    authors: list[Person | None] = [*Person.objects.filter(unit=city).order_by("pk")[:20]]
    authors = authors or [None]
    for title in RESEARCH:
        create(
            m.Writing(
                unit=city,
                kind="research",
                title=title,
                author=rng.choice(authors),
                date=day_in_year(),
            )
        )
    for i in range(rng.randint(25, 40)):
        create(
            m.Writing(
                unit=city,
                kind="essay",
                title=f"学习心得体会（{i + 1}）",
                author=rng.choice(authors),
                date=day_in_year(),
            )
        )
    for i in range(rng.randint(30, 45)):
        to = rng.choice(list(OUTLETS))
        w = create(
            m.Writing(
                unit=city,
                kind="information",
                title=f"供销工作信息第{i + 1}期",
                author=rng.choice(authors),
                date=day_in_year(15, 330),
                submitted_to=to,
                outlet=OUTLETS[to][0],
            )
        )
        if rng.random() < 0.3:
            services.adopt(
                writing=w,
                user=admin,
                level=OUTLETS[to][1],
                by=OUTLETS[to][0],
                on=w.date + datetime.timedelta(days=rng.randint(1, 10)),
            )

    # Assistance visits: the leaders to the households of the linked community.
    visitors = cadres[:4] or authors[:2]
    for household in HOUSEHOLDS:
        for visit_on in (day_in_year(200, 330), day_in_year(10, 120)):
            create(
                m.AssistanceVisit(
                    unit=city,
                    date=visit_on,
                    household=household,
                    place="岳塘区东坪街道",
                    amount=Decimal(rng.choice((300, 500, 800))),
                    goods=rng.choice(("大米一袋、食用油一桶", "棉被一床", "")),
                ),
                m2m={"visitors": [p for p in rng.sample(visitors, k=min(2, len(visitors))) if p]},
            )

    # The register of rules: issued over the years, two revised in the year, one abolished.
    meetings = _meetings(city)
    for n, (kind, title) in enumerate(RULES, start=1):
        issued = datetime.date(
            today.year - rng.randint(1, 4), rng.randint(1, 11), rng.randint(1, 28)
        )
        meeting = next((mt for mt in meetings if mt.date <= issued), None)
        rule = create(
            m.Rule(
                unit=city,
                kind=kind,
                title=title,
                number=f"湘供发〔{issued.year}〕{n + 10}号",
                issued_on=issued,
                meeting=meeting,
            )
        )
        if kind in ("procedure", "system") and rng.random() < 0.8:
            services.revise_rule(
                rule=rule,
                user=admin,
                on=day_in_year(10, 300),
                number=f"湘供发〔{today.year}〕{n + 30}号",
            )
        elif title == "单位绩效考核暂行办法":
            services.abolish_rule(rule=rule, user=admin, on=day_in_year(10, 200))


def _meetings(unit):
    """The unit's decision meetings, latest first (the rules adopted there link to them)."""
    from django.apps import apps

    Meeting = apps.get_model("decisions", "Meeting")
    return list(Meeting.objects.filter(unit=unit).order_by("-date")[:50])
