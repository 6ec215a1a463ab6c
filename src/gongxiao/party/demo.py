"""Party building in the demo federation: the city co-op's 机关党委 with two office branches, a
general branch in each county with a branch in every grassroots co-op and enterprise that has
members, their elections (some due in the coming months, a few overdue), the party members
among the people on the roll (a few probationary, a few transferred), and a year of
organisational life with attendance. Written through the services, as users would."""

from __future__ import annotations

import datetime

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
    ctx.counts["party organisations"] = len(orgs)
    ctx.counts["party members"] = len(all_members)
