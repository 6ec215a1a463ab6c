"""Rows of credit cooperation for tests, and rows ready for each action
(core/tests/test_actions)."""

import datetime
from decimal import Decimal

from gongxiao.agri.tests.factories import make_member
from gongxiao.core.testing import factory_for, prepares
from gongxiao.credit import models as m
from gongxiao.credit import services
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

_n = {"i": 0}
D = datetime.date(2023, 5, 10)


def _seq():
    _n["i"] += 1
    return _n["i"]


def builtin_card(unit, **kw):
    """The built-in scorecard of SPEC §5 (household 40, finances 50, credit history 10, bonus
    up to 5, deductions up to 20; AAA ≥ 80, AA ≥ 70, A ≥ 60), written as raw rows."""
    card = m.Scorecard.objects.create(
        unit=unit,
        name=kw.pop("name", f"{services.BUILTIN_NAME}{_seq():05d}"),
        valid_from=kw.pop("valid_from", datetime.date(2020, 1, 1)),
        **kw,
    )
    for n, (title, kind, points, items) in enumerate(services.BUILTIN_SECTIONS, 1):
        sec = m.ScoreSection.objects.create(
            scorecard=card, order=n, title=title, kind=kind, points=Decimal(points)
        )
        for k, (code, item, most) in enumerate(items, 1):
            m.ScoreItem.objects.create(
                section=sec, code=code, order=k, title=item, points=Decimal(most)
            )
    for grade, floor in services.BUILTIN_BANDS:
        m.GradeBand.objects.create(scorecard=card, grade=grade, min_score=Decimal(floor))
    return card


@factory_for(m.Scorecard)
def make_scorecard(unit, **kw):
    """A scorecard with no content yet (the other factories add theirs to it)."""
    return m.Scorecard.objects.create(
        unit=unit,
        name=kw.pop("name", f"评分表{_seq():05d}"),
        valid_from=kw.pop("valid_from", datetime.date(2020, 1, 1)),
        **kw,
    )


prepares("credit.scorecards", "new_edition")(builtin_card)


@factory_for(m.ScoreSection)
def make_section(unit, **kw):
    card = kw.pop("scorecard", None) or make_scorecard(unit)
    return m.ScoreSection.objects.create(
        scorecard=card,
        order=kw.pop("order", 9),
        title=kw.pop("title", f"附加项目{_seq():05d}"),
        kind=kw.pop("kind", "bonus"),
        points=kw.pop("points", Decimal(3)),
        **kw,
    )


@factory_for(m.ScoreItem)
def make_item(unit, **kw):
    section = kw.pop("section", None) or make_section(unit)
    n = _seq()
    return m.ScoreItem.objects.create(
        section=section,
        code=kw.pop("code", f"x{n}"),
        title=kw.pop("title", f"附加评分项{n:05d}"),
        points=kw.pop("points", Decimal(3)),
        guidance=kw.pop("guidance", "按实际情况打分"),
        **kw,
    )


@factory_for(m.GradeBand)
def make_band(unit, **kw):
    card = kw.pop("scorecard", None) or make_scorecard(unit)
    return m.GradeBand.objects.create(
        scorecard=card, grade=kw.pop("grade", "AAA"), min_score=kw.pop("min_score", Decimal(80))
    )


@factory_for(m.CreditRating)
def make_rating(unit, **kw):
    member = kw.pop("member", None) or make_member(unit, kind="farmer")
    return m.CreditRating.objects.create(
        unit=member.unit,
        member=member,
        year=kw.pop("year", 2023),
        scorecard=kw.pop("scorecard", None) or builtin_card(unit),
        edition=1,
        **kw,
    )


prepares("credit.ratings", "score")(make_rating)

SCORES = {
    k[6:]: v
    for k, v in {
        "score_h1": "8",
        "score_h2": "7.5",
        "score_h3": "9",
        "score_h4": "10",
        "score_f1": "16",
        "score_f2": "12",
        "score_f3": "11",
        "score_c1": "10",
    }.items()
}


def scored_rating(unit, **kw):
    """A rating scored by a rater of its own (so another user may approve it)."""
    rating = make_rating(unit, **kw)
    rater = user_with(Role.SERVICE, unit)
    services.score_rating(
        rating=rating, user=rater, on=datetime.date(2024, 1, 10), scores=dict(SCORES)
    )
    rating.refresh_from_db()
    return rating


prepares("credit.ratings", "approve", "return_rating")(scored_rating)


@factory_for(m.Guarantee)
def make_guarantee(unit, **kw):
    member = kw.pop("member", None) or make_member(unit)
    return m.Guarantee.objects.create(
        unit=member.unit,
        member=member,
        contract_number=kw.pop("contract_number", f"NDB{_seq():06d}"),
        lender=kw.pop("lender", "农商银行"),
        guarantor=kw.pop("guarantor", "市农业融资担保有限公司"),
        amount=kw.pop("amount", Decimal(100)),
        start_date=kw.pop("start_date", datetime.date(2023, 3, 1)),
        end_date=kw.pop("end_date", datetime.date(2024, 2, 28)),
        sector=kw.pop("sector", "agri"),
        agency_point=kw.pop("agency_point", "某镇代办点"),
        **kw,
    )


prepares("credit.guarantees", "release", "compensate")(make_guarantee)


def compensated_guarantee(unit, **kw):
    g = make_guarantee(unit, **kw)
    m.GuaranteeEvent.objects.create(
        guarantee=g, kind="compensation", date=datetime.date(2023, 9, 1), amount=Decimal(60)
    )
    return g


prepares("credit.guarantees", "recover")(compensated_guarantee)


@factory_for(m.BankAgreement)
def make_agreement(unit, **kw):
    return m.BankAgreement.objects.create(
        unit=unit,
        bank=kw.pop("bank", "建设银行"),
        title=kw.pop("title", f"“三位一体”战略合作协议{_seq():05d}"),
        signed_on=kw.pop("signed_on", D),
        credit_line=kw.pop("credit_line", Decimal(800)),
        **kw,
    )


@factory_for(m.CreditLine)
def make_credit_line(unit, **kw):
    member = kw.pop("member", None) or make_member(unit)
    return m.CreditLine.objects.create(
        unit=member.unit,
        member=member,
        bank=kw.pop("bank", "建设银行"),
        granted_on=kw.pop("granted_on", D),
        amount=kw.pop("amount", Decimal(50)),
        **kw,
    )


@factory_for(m.Loan)
def make_loan(unit, **kw):
    member = kw.pop("member", None) or make_member(unit)
    return m.Loan.objects.create(
        unit=member.unit,
        member=member,
        bank=kw.pop("bank", "建设银行"),
        lent_on=kw.pop("lent_on", D),
        amount=kw.pop("amount", Decimal(80)),
        term_months=kw.pop("term_months", 12),
        purpose=kw.pop("purpose", f"购置农机{_seq():05d}"),
        **kw,
    )
