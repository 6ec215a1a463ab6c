"""The demo federation: a city federation, five county co-ops, forty grassroots co-ops,
enterprises, service outlets, people with valid codes, and a user for each role in two sibling
counties. Deterministic: the same database every time."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from gongxiao.core import services as kit

from .models import Division, Person, RoleAssignment, Unit, User
from .roles import Role
from .validators import USCC_ALPHABET, id_check_character, uscc_check_character

DEMO_PASSWORD = "gongxiao2026"
DIVISION_YEAR = 2023

CITY = ("430300", "湘潭市")
COUNTIES = [
    (
        "430302",
        "雨湖区",
        "yuhu",
        ["姜畲镇", "长城乡", "鹤岭镇", "楠竹山镇", "先锋街道", "响塘乡", "护潭乡", "九华街道"],
    ),
    (
        "430321",
        "湘潭县",
        "xtx",
        ["易俗河镇", "花石镇", "中路铺镇", "茶恩寺镇", "河口镇", "射埠镇", "石鼓镇", "白石镇"],
    ),
    (
        "430304",
        "岳塘区",
        "yuetang",
        [
            "荷塘街道",
            "昭山镇",
            "霞城街道",
            "双马街道",
            "宝塔街道",
            "建设街道",
            "东坪街道",
            "书院路街道",
        ],
    ),
    (
        "430381",
        "湘乡市",
        "xiangxiang",
        ["东郊乡", "山枣镇", "壶天镇", "翻江镇", "金石镇", "月山镇", "梅桥镇", "毛田镇"],
    ),
    (
        "430382",
        "韶山市",
        "shaoshan",
        ["清溪镇", "银田镇", "韶山乡", "杨林乡", "如意街道", "永义乡", "大坪乡", "韶山冲"],
    ),
]
SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏"
    "程吕丁沈任姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚"
    "邵万钱严赖覃洪武莫孔"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红春建国志文斌辉鹏宇浩然立新海燕俊峰晓东"
)
POSTS = [
    "主任",
    "副主任",
    "理事会主任",
    "监事会主任",
    "财务负责人",
    "业务员",
    "出纳",
    "会计",
    "办公室主任",
    "党支部书记",
]
RANKS = ["正科", "副科", "科员", "一级主任科员", "二级主任科员", ""]


@dataclass
class DemoContext:
    """What one app's demo leaves for the next (units by role in the story, users, a seeded RNG)."""

    rng: random.Random = field(default_factory=lambda: random.Random(20231))
    city: Unit | None = None
    counties: list[Unit] = field(default_factory=list)
    grassroots: list[Unit] = field(default_factory=list)
    enterprises: list[Unit] = field(default_factory=list)
    outlets: list[Unit] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    today: datetime.date = field(default_factory=datetime.date.today)
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return "Demo federation built: " + ", ".join(f"{v} {k}" for k, v in self.counts.items())


def already_built() -> bool:
    return Unit.objects.filter(code="XT").exists()


def make_credit_code(
    rng: random.Random, division: str, authority: str = "9", kind: str = "1"
) -> str:
    body = authority + kind + division + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc_check_character(body)


def make_id_number(rng: random.Random, division: str, *, female: bool | None = None) -> str:
    born = datetime.date(1965, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 35))
    seq = rng.randrange(0, 500) * 2 + (
        0 if (female if female is not None else rng.random() < 0.4) else 1
    )
    body = f"{division}{born:%Y%m%d}{seq:03d}"
    return body + id_check_character(body)


def _name(rng):
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    Division.objects.bulk_create(
        [Division(code=CITY[0], name=CITY[1], year=DIVISION_YEAR)]
        + [Division(code=c, name=n, year=DIVISION_YEAR) for c, n, _s, _t in COUNTIES]
        + [
            Division(code=f"{c}{100 + i:03d}", name=t, year=DIVISION_YEAR)
            for c, _n, _s, towns in COUNTIES
            for i, t in enumerate(towns)
        ]
    )
    ctx.city = Unit.objects.create(
        code="XT",
        name="湘潭市供销合作总社",
        short_name="市社",
        kind=Unit.Kind.CITY,
        division_code=CITY[0],
        credit_code=make_credit_code(rng, CITY[0], "1", "2"),
        address="湘潭市岳塘区建设北路",
    )
    ent = Unit.objects.create(
        code="XT-E1",
        name="湘潭市供销农资有限公司",
        kind=Unit.Kind.ENTERPRISE,
        parent=ctx.city,
        division_code=CITY[0],
        credit_code=make_credit_code(rng, CITY[0]),
        address="湘潭市雨湖区",
    )
    ctx.enterprises.append(ent)
    for ci, (div, cname, slug, towns) in enumerate(COUNTIES, start=1):
        county = Unit.objects.create(
            code=f"XT-{ci:02d}",
            name=f"{cname}供销合作社联合社",
            short_name=f"{cname}供销社",
            kind=Unit.Kind.COUNTY,
            parent=ctx.city,
            division_code=div,
            credit_code=make_credit_code(rng, div, "1", "2"),
            address=f"湘潭市{cname}",
        )
        county.slug = slug
        ctx.counties.append(county)
        ctx.enterprises.append(
            Unit.objects.create(
                code=f"XT-{ci:02d}-E1",
                name=f"{cname}供销再生资源有限公司",
                kind=Unit.Kind.ENTERPRISE,
                parent=county,
                division_code=div,
                credit_code=make_credit_code(rng, div),
                address=f"湘潭市{cname}",
            )
        )
        for ti, town in enumerate(towns, start=1):
            tdiv = f"{div}{99 + ti:03d}"
            g = Unit.objects.create(
                code=f"XT-{ci:02d}-{ti:02d}",
                name=f"{town}供销合作社",
                short_name=town,
                kind=Unit.Kind.GRASSROOTS,
                parent=county,
                division_code=tdiv,
                # Grassroots co-ops registered with agriculture authorities carry N codes.
                credit_code=make_credit_code(
                    rng, div, "N" if ti % 3 == 0 else "9", "3" if ti % 3 == 0 else "1"
                ),
                address=f"湘潭市{cname}{town}",
            )
            ctx.grassroots.append(g)
            if ti <= 2:
                kind_name = "综合服务社" if ti == 1 else "农事服务中心"
                ctx.outlets.append(
                    Unit.objects.create(
                        code=f"XT-{ci:02d}-{ti:02d}-S",
                        name=f"{town}{kind_name}",
                        kind=Unit.Kind.OUTLET,
                        parent=g,
                        division_code=tdiv,
                        address=f"{cname}{town}",
                    )
                )
    system = User.objects.create_superuser("admin", "admin@example.invalid", DEMO_PASSWORD)
    ctx.users["admin"] = system
    _people(ctx)
    _users(ctx)
    ctx.counts.update(
        {
            "units": Unit.objects.count(),
            "people": Person.objects.count(),
            "users": User.objects.count(),
        }
    )


def _people(ctx: DemoContext) -> None:
    rng = ctx.rng
    admin = ctx.users["admin"]
    units = [ctx.city, *ctx.counties, *ctx.enterprises, *ctx.grassroots]
    for unit in units:
        n = 6 if unit.kind in (Unit.Kind.CITY, Unit.Kind.COUNTY) else rng.randint(2, 4)
        div = unit.division_code[:6]
        for i in range(n):
            p = Person(
                unit=unit,
                name=_name(rng),
                id_number=make_id_number(rng, div),
                phone=f"1{rng.choice('35789')}{rng.randrange(10**8, 10**9)}",
                post=POSTS[i] if i < len(POSTS) else rng.choice(POSTS),
                rank=rng.choice(RANKS),
                is_cadre=i < 2,
                is_party_member=rng.random() < 0.6,
            )
            p.clean()
            ctx.people.append(p)
    kit.bulk_create_rows(model=Person, objs=ctx.people, user=admin, source="demo")


ROLE_LABELS = {
    Role.LEADER: "领导",
    Role.DISCIPLINE: "纪检",
    Role.SUPERVISOR: "监事",
    Role.ASSET: "资产",
    Role.SERVICE: "为农服务",
    Role.FINANCE: "财务",
    Role.PARTY: "党务",
    Role.READ_ONLY: "只读",
    Role.SYSADMIN: "系统管理员",
}


def _user(ctx, username, person, unit, role):
    user = User.objects.create_user(username, password=DEMO_PASSWORD, person=person)
    RoleAssignment.objects.create(user=user, unit=unit, role=role)
    ctx.users[username] = user
    return user


def _users(ctx: DemoContext) -> None:
    by_unit: dict[int, list[Person]] = {}
    for p in ctx.people:
        by_unit.setdefault(p.unit_id, []).append(p)
    RoleAssignment.objects.create(user=ctx.users["admin"], unit=ctx.city, role=Role.SYSADMIN)
    city_people = iter(by_unit[ctx.city.pk])
    _user(ctx, "city_leader", next(city_people), ctx.city, Role.LEADER)
    _user(ctx, "city_discipline", next(city_people), ctx.city, Role.DISCIPLINE)
    # Two sibling counties with a user for every role, so the scope between them can be tried.
    for county in ctx.counties[:2]:
        clerk_unit = next(g for g in ctx.grassroots if g.parent_id == county.pk)
        spare = list(by_unit[county.pk])
        extra = iter(
            p
            for g in ctx.grassroots
            if g.parent_id == county.pk and g != clerk_unit
            for p in by_unit[g.pk]
        )
        for role in [
            Role.SYSADMIN,
            Role.LEADER,
            Role.DISCIPLINE,
            Role.SUPERVISOR,
            Role.ASSET,
            Role.SERVICE,
            Role.FINANCE,
            Role.PARTY,
            Role.READ_ONLY,
        ]:
            person = spare.pop(0) if spare else next(extra)
            _user(ctx, f"{county.slug}_{role}", person, county, role)
        _user(ctx, f"{county.slug}_clerk", by_unit[clerk_unit.pk][0], clerk_unit, Role.DATA_ENTRY)


def logins() -> list[tuple[str, str]]:
    rows = []
    for user in (
        User.objects.filter(is_active=True).order_by("pk").prefetch_related("assignments__unit")
    ):
        roles = "; ".join(f"{a.get_role_display()} @ {a.unit.name}" for a in user.assignments.all())
        rows.append((user.username, roles + (" (superuser)" if user.is_superuser else "")))
    return rows
