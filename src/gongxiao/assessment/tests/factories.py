"""Rows of the assessment ledgers for tests (factory_boy), and rows ready for each declared
action (core/tests/test_actions.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from gongxiao.assessment import models as m
from gongxiao.assessment import services
from gongxiao.core.testing import factory_for, prepares

OPENED = datetime.date(2023, 4, 3)


class SchemeFactory(DjangoModelFactory):
    class Meta:
        model = m.Scheme
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"JX{n:04d}")
    name = factory.Sequence(lambda n: f"基层社季度考核方案{n:04d}")
    edition = 1


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = m.Indicator
        skip_postgeneration_save = True

    scheme = factory.SubFactory(SchemeFactory)
    section = "党建工作"
    order = factory.Sequence(lambda n: n)
    name = factory.Sequence(lambda n: f"考核指标{n:05d}")
    weight = Decimal(100)
    rule = m.Indicator.Rule.MANUAL
    params = factory.LazyFunction(dict)


class CycleFactory(DjangoModelFactory):
    class Meta:
        model = m.Cycle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"2023年第一季度绩效考核{n:04d}")
    kind = m.Cycle.Kind.QUARTER
    period = "2023Q1"
    period_start = datetime.date(2023, 1, 1)
    period_end = datetime.date(2023, 3, 31)


def scheme_with(unit, weights=((Decimal(60), "manual"), (Decimal(40), "manual")), **kw):
    """A scheme of `unit` with manual indicators of these weights."""
    scheme = SchemeFactory(unit=unit, **kw)
    for w, rule in weights:
        IndicatorFactory(scheme=scheme, weight=w, rule=rule)
    return scheme


def open_cycle(unit, assessed, scheme=None, *, period="2023Q1", user=None, **kw):
    """An open cycle of `unit` assessing the units `assessed`."""
    from gongxiao.core.periods import parse_period

    scheme = scheme or scheme_with(unit)
    p = parse_period(period)
    kind = kw.pop("kind", m.Cycle.Kind.QUARTER if "Q" in period else m.Cycle.Kind.YEAR)
    cycle = CycleFactory(
        unit=unit,
        scheme=scheme,
        period=p.code,
        period_start=p.start,
        period_end=p.end,
        kind=kind,
        **kw,
    )
    cycle.assessed_units.set(assessed)
    actor = user or _system_user(unit)
    services.open_cycle(cycle=cycle, user=actor, on=max(OPENED, p.start))
    cycle.refresh_from_db()
    return cycle


def _system_user(unit):
    from gongxiao.org.roles import Role
    from gongxiao.org.tests.factories import user_with

    return user_with(Role.SYSADMIN, unit)


def score_all(sheet, user, points_by_order=None):
    """Score every indicator of the sheet (manual: the points given) and finish scoring."""
    for i, score in enumerate(
        sheet.scores.select_related("indicator").order_by("indicator__order")
    ):
        value = points_by_order[i] if points_by_order else score.indicator.weight
        services.score_indicator(score=score, user=user, value=value, on=OPENED)
    sheet.refresh_from_db()
    return services.finish_scoring(sheet=sheet, user=user, on=OPENED)


@factory_for(m.Scheme)
def make_scheme(unit, **kw):
    return SchemeFactory(unit=unit, **kw)


@factory_for(m.Indicator)
def make_indicator(unit, **kw):
    return IndicatorFactory(scheme=SchemeFactory(unit=unit), **kw)


@factory_for(m.Cycle)
def make_cycle(unit, **kw):
    return CycleFactory(unit=unit, scheme=kw.pop("scheme", None) or scheme_with(unit), **kw)


@factory_for(m.Component)
def make_component(unit, **kw):
    comp = CycleFactory(
        unit=unit,
        kind=m.Cycle.Kind.COMPREHENSIVE,
        period="2023",
        period_start=datetime.date(2023, 1, 1),
        period_end=datetime.date(2023, 12, 31),
    )
    part = CycleFactory(unit=unit, scheme=scheme_with(unit))
    return m.Component.objects.create(cycle=comp, part=part, weight=kw.pop("weight", Decimal(100)))


@factory_for(m.Sheet)
def make_sheet(unit, **kw):
    cycle = open_cycle(unit, [unit], scheme_with(unit, weights=((Decimal(100), "manual"),)))
    return cycle.sheets.get()


@factory_for(m.Score)
def make_score(unit, **kw):
    return make_sheet(unit).scores.first()


@factory_for(m.Appeal)
def make_appeal(unit, **kw):
    sheet = published_sheet(unit)
    return m.Appeal.objects.create(
        sheet=sheet,
        score=sheet.scores.first(),
        reason="加分材料未计入",
        filed_on=sheet.cycle.published_on,
    )


# --- rows ready for the actions ------------------------------------------------------------------


@prepares("assessment.schemes", "new_edition")
def scheme_ready(unit):
    return scheme_with(unit)


@prepares("assessment.cycles", "open")
def cycle_ready(unit):
    cycle = make_cycle(unit, scheme=scheme_with(unit, weights=((Decimal(100), "manual"),)))
    cycle.assessed_units.set([unit])
    return cycle


@prepares("assessment.cycles", "publish")
def cycle_reviewed(unit):
    sheet = reviewed_sheet(unit)
    return sheet.cycle


@prepares("assessment.sheets", "submit_self", "set_peer_group")
def sheet_open(unit):
    return make_sheet(unit)


@prepares("assessment.sheets", "finish_scoring")
def sheet_filled(unit):
    sheet = make_sheet(unit)
    for score in sheet.scores.select_related("indicator"):
        score.value = score.points = score.indicator.weight
        score.save()
    sheet.refresh_from_db()
    return sheet


@prepares("assessment.sheets", "review")
def scored_sheet(unit):
    """A scored sheet whose scorer is somebody else (the reviewer is a second person)."""
    sheet = make_sheet(unit)
    scorer = _system_user(unit)
    return score_all(sheet, scorer)


def reviewed_sheet(unit):
    sheet = scored_sheet(unit)
    return services.review(sheet=sheet, user=_system_user(unit), on=OPENED)


@prepares("assessment.sheets", "appeal")
def published_sheet(unit):
    sheet = reviewed_sheet(unit)
    services.publish(cycle=sheet.cycle, user=_system_user(unit), on=OPENED)
    sheet.refresh_from_db()
    return sheet


@prepares("assessment.scores", "self_assess", "score", "set_target")
def score_open(unit):
    return make_score(unit)


@prepares("assessment.scores", "refill")
def score_bound(unit):
    """A score of an indicator filled from a metric: rectification items found."""
    scheme = scheme_with(unit, weights=((Decimal(60), "manual"),))
    IndicatorFactory(
        scheme=scheme,
        weight=Decimal(40),
        rule=m.Indicator.Rule.DEDUCTION,
        params={"per": "5", "floor": "0"},
        metric="rectification.items.found",
    )
    cycle = open_cycle(unit, [unit], scheme)
    return cycle.sheets.get().scores.get(indicator__metric="rectification.items.found")


@prepares("assessment.appeals", "decide")
def appeal_filed(unit):
    return make_appeal(unit)
