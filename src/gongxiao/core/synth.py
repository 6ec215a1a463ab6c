"""Province-scale synthetic data for the benchmarks: a province federation, its cities, counties
and grassroots co-ops, people, and about a million ledger rows, built in bulk and always the
same for the same seed. The rows skip the change history on purpose: they stand for data that
was already there, and writing a million history records would measure nothing we ship.

    gongxiao synth            # ~11 cities, ~100 counties, ~3,000 grassroots, 1,000,000 rows
    gongxiao synth --rows 20000 --counties 6 --grassroots 5            # small
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType

from django.apps import apps
from django.db import connection, transaction

from gongxiao.org.models import PATH_STEP, Person, RoleAssignment, Unit, User
from gongxiao.org.roles import Role

PROVINCE_CODE = "SYN"
BATCH = 5000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"


@dataclass
class SynthResult:
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = ", ".join(f"{v:,} {k}" for k, v in self.counts.items())
        return f"{parts} in {self.seconds:.1f} s"


@dataclass
class SynthContext:
    """What an app's synth.py builds its rows on: the one random stream (drawn from in the order
    of INSTALLED_APPS, so the same seed gives the same data), the units, two people per unit,
    and the dates the rows spread over (`first` and `span` days after it)."""

    rng: random.Random
    units: list[Unit]
    people_by_unit: dict[int, list[Person]]
    first: datetime.date
    span: int
    result: SynthResult
    say: Callable[[str], None]


def synth_modules() -> list[ModuleType]:
    """Each app's synth.py, in the order of INSTALLED_APPS (as `gongxiao demo` finds demo.py).
    A module has `build(ctx, rows)` and `SHARE`, its share of the rows; the one whose SHARE is
    None takes the rest."""
    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("gongxiao.") or config.name == __package__:
            continue
        try:
            found.append(importlib.import_module(f"{config.name}.synth"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.synth":
                raise
    return found


def _shares(rows: int) -> list[tuple[ModuleType, int]]:
    modules = synth_modules()
    counts = {m: int(rows * m.SHARE) for m in modules if m.SHARE is not None}
    rest = [m for m in modules if m.SHARE is None]
    for m in rest:
        counts[m] = (rows - sum(counts.values())) if m is rest[0] else 0
    return [(m, counts[m]) for m in modules]


def exists() -> bool:
    return Unit.objects.filter(code=PROVINCE_CODE).exists()


def _bulk_units(units: list[Unit], parents: dict[str, Unit]) -> list[Unit]:
    """Insert units of one level, then give them their materialised paths (which need the ids)."""
    for u in units:
        u.path = f"tmp-{u.code}"
    Unit.objects.bulk_create(units, batch_size=BATCH)
    if any(u.pk is None for u in units):  # a backend that does not return ids
        ids = dict(Unit.objects.filter(code__in=[u.code for u in units]).values_list("code", "pk"))
        for u in units:
            u.pk = ids[u.code]
    for u in units:
        parent = parents.get(u.code)
        u.path = (parent.path if parent else "") + f"{u.pk:0{PATH_STEP}d}/"
        u.depth = u.path.count("/") - 1
    Unit.objects.bulk_update(units, ["path", "depth"], batch_size=BATCH)
    return units


def build(
    *,
    rows: int = 1_000_000,
    cities: int = 11,
    counties: int = 100,
    grassroots: int = 30,
    seed: int = 2024,
    year: int = 2025,
    progress=None,
) -> SynthResult:
    """Build the province. `grassroots` is per county; rows are spread over `year` and the year
    before, across every unit, in every state."""
    say = progress or (lambda msg: None)
    started = time.perf_counter()
    rng = random.Random(seed)
    result = SynthResult()
    with transaction.atomic():
        province = _bulk_units(
            [Unit(code=PROVINCE_CODE, name="合成省供销合作社联合社", kind=Unit.Kind.PROVINCE)], {}
        )[0]
        city_units = [
            Unit(
                code=f"{PROVINCE_CODE}{c:02d}",
                name=f"合成第{c}市供销合作社",
                kind=Unit.Kind.CITY,
                parent=province,
            )
            for c in range(1, cities + 1)
        ]
        _bulk_units(city_units, {u.code: province for u in city_units})
        county_units, parents = [], {}
        for n in range(counties):
            city = city_units[n % cities]
            u = Unit(
                code=f"{city.code}{n:03d}",
                name=f"合成第{n + 1}县供销社",
                kind=Unit.Kind.COUNTY,
                parent=city,
            )
            county_units.append(u)
            parents[u.code] = city
        _bulk_units(county_units, parents)
        ground, parents = [], {}
        for county in county_units:
            for g in range(grassroots):
                u = Unit(
                    code=f"{county.code}G{g:03d}",
                    name=f"{county.name}第{g + 1}基层社",
                    kind=Unit.Kind.GRASSROOTS,
                    parent=county,
                )
                ground.append(u)
                parents[u.code] = county
        _bulk_units(ground, parents)
        all_units = [province, *city_units, *county_units, *ground]
        result.counts["units"] = len(all_units)
        say(f"{len(all_units):,} units")

        people = [
            Person(unit=u, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN))
            for u in all_units
            for _i in range(2)
        ]
        Person.objects.bulk_create(people, batch_size=BATCH)
        if any(p.pk is None for p in people):
            people = list(Person.objects.filter(unit__path__startswith=province.path))
        by_unit: dict[int, list[Person]] = {}
        for p in people:
            by_unit.setdefault(p.unit_id, []).append(p)
        result.counts["people"] = len(people)

        ctx = SynthContext(
            rng=rng,
            units=all_units,
            people_by_unit=by_unit,
            first=datetime.date(year - 1, 1, 1),
            span=(datetime.date(year, 12, 31) - datetime.date(year - 1, 1, 1)).days,
            result=result,
            say=say,
        )
        for module, n in _shares(rows):
            module.build(ctx, n)

        leader = User.objects.create_user("synth_province")
        leader.set_unusable_password()
        leader.save()
        RoleAssignment.objects.create(user=leader, unit=province, role=Role.LEADER)
        county_user = User.objects.create_user("synth_county")
        county_user.set_unusable_password()
        county_user.save()
        RoleAssignment.objects.create(user=county_user, unit=county_units[0], role=Role.LEADER)
        result.counts["users"] = 2
    # The search index of rows inserted in bulk: built again once (SQLite queued each row).
    from gongxiao.core import textsearch

    textsearch.sync(rebuild=connection.vendor == "sqlite", say=say)
    # Fresh statistics, so the query planner knows the tables' new sizes.
    with connection.cursor() as c:
        c.execute("ANALYZE")
    result.seconds = time.perf_counter() - started
    return result
