import datetime
from decimal import Decimal

from gongxiao.core.testing import factory_for, prepares
from gongxiao.org.tests.factories import PersonFactory
from gongxiao.party import models as m
from gongxiao.party.models import Placement

_n = {"i": 0}


def _seq():
    _n["i"] += 1
    return _n["i"]


FOUNDED = datetime.date(2020, 1, 1)
D = datetime.date(2023, 5, 10)


@factory_for(m.PartyOrganisation)
def make_organisation(unit, **kw):
    return m.PartyOrganisation.objects.create(
        unit=unit,
        name=kw.pop("name", f"第{_seq():05d}党支部"),
        kind=kw.pop("kind", m.PartyOrganisation.Kind.BRANCH),
        founded_on=kw.pop("founded_on", FOUNDED),
        **kw,
    )


@factory_for(m.Election)
def make_election(unit, **kw):
    organisation = kw.pop("organisation", None) or make_organisation(unit)
    committee = kw.pop("committee_members", [])
    election = m.Election.objects.create(
        organisation=organisation,
        date=kw.pop("date", D),
        secretary=kw.pop("secretary", None) or PersonFactory(unit=organisation.unit),
        **kw,
    )
    if committee:
        election.committee_members.set(committee)
    return election


@factory_for(m.PartyMember)
def make_member(unit, **kw):
    """A member placed in an organisation of `unit` (a new branch unless given) from `since`."""
    organisation = kw.pop("organisation", None) or make_organisation(unit)
    joined_on = kw.pop("joined_on", datetime.date(2022, 3, 1))
    member = m.PartyMember.objects.create(
        person=kw.pop("person", None) or PersonFactory(unit=organisation.unit),
        organisation=organisation,
        joined_on=joined_on,
        since=kw.pop("since", joined_on),
        **kw,
    )
    Placement.objects.create(member=member, organisation=organisation, start=member.since)
    return member


@factory_for(m.Activity)
def make_activity(unit, **kw):
    return m.Activity.objects.create(
        organisation=kw.pop("organisation", None) or make_organisation(unit),
        kind=kw.pop("kind", m.Activity.Kind.THEME_DAY),
        date=kw.pop("date", D),
        topic=kw.pop("topic", f"主题党日{_seq():05d}"),
        **kw,
    )


@prepares("party.members", "transfer", "transfer_out", "make_full", "award_points")
def member_in_a_unit_with_two_branches(unit):
    member = make_member(unit)
    make_organisation(unit)  # where a transfer may go
    make_item(unit, scheme=make_scheme(unit, valid_from=FOUNDED))  # points may be given
    return member


@prepares("party.activities", "attendance")
def activity_with_a_member(unit):
    organisation = make_organisation(unit)
    make_member(unit, organisation=organisation)
    return make_activity(unit, organisation=organisation)


@factory_for(m.Development)
def make_development(unit, **kw):
    return m.Development.objects.create(
        organisation=kw.pop("organisation", None) or make_organisation(unit),
        person=kw.pop("person", None) or PersonFactory(unit=unit),
        applied_on=kw.pop("applied_on", datetime.date(2022, 3, 1)),
        **kw,
    )


@prepares("party.development", "advance")
def an_applicant(unit):
    return make_development(unit)


# --- trainings, exams -------------------------------------------------------------------------


@factory_for(m.Training)
def make_training(unit, **kw):
    return m.Training.objects.create(
        unit=unit,
        kind=kw.pop("kind", m.Training.Kind.HELD),
        title=kw.pop("title", f"业务培训班{_seq():05d}"),
        start_date=kw.pop("start_date", D),
        days=kw.pop("days", Decimal(2)),
        sessions=kw.pop("sessions", 1),
        participants=kw.pop("participants", 30),
        **kw,
    )


@factory_for(m.Exam)
def make_exam(unit, **kw):
    return m.Exam.objects.create(
        unit=unit,
        title=kw.pop("title", f"廉政法规考试{_seq():05d}"),
        date=kw.pop("date", D),
        participants=kw.pop("participants", 40),
        passed=kw.pop("passed", 40),
        **kw,
    )


# --- points -----------------------------------------------------------------------------------


@factory_for(m.PointsScheme)
def make_scheme(unit, **kw):
    return m.PointsScheme.objects.create(
        unit=unit,
        name=kw.pop("name", f"党员积分方案{_seq():05d}"),
        valid_from=kw.pop(
            "valid_from", datetime.date(2000, 1, 1) + datetime.timedelta(days=_seq())
        ),
        **kw,
    )


@factory_for(m.PointsItem)
def make_item(unit, **kw):
    return m.PointsItem.objects.create(
        scheme=kw.pop("scheme", None) or make_scheme(unit),
        part=kw.pop("part", m.PointsItem.Part.CONDUCT),
        name=kw.pop("name", f"参加组织生活{_seq():05d}"),
        points=kw.pop("points", Decimal(2)),
        **kw,
    )


@factory_for(m.PointsEntry)
def make_entry(unit, **kw):
    member = kw.pop("member", None) or make_member(unit, joined_on=datetime.date(2021, 1, 1))
    item = kw.pop("item", None) or make_item(unit)
    points = kw.pop("points", item.points * item.sign)
    return m.PointsEntry.objects.create(
        member=member,
        organisation=kw.pop("organisation", member.organisation),
        item=item,
        date=kw.pop("date", D),
        points=points,
        reason=kw.pop("reason", "参加主题党日"),
        **kw,
    )


@prepares("party.points", "reverse")
def an_entry(unit):
    return make_entry(unit)


@prepares("party.points-schemes", "new_version")
def a_scheme(unit):
    return make_scheme(unit, valid_from=datetime.date(2020, 1, 1))


# --- cadres -----------------------------------------------------------------------------------


@factory_for(m.Cadre)
def make_cadre(unit, **kw):
    return m.Cadre.objects.create(
        unit=unit,
        person=kw.pop("person", None) or PersonFactory(unit=unit, is_cadre=True),
        since=kw.pop("since", datetime.date(2015, 1, 1)),
        **kw,
    )


@factory_for(m.CadrePost)
def make_post(unit, **kw):
    return m.CadrePost.objects.create(
        unit=unit,
        cadre=kw.pop("cadre", None) or make_cadre(unit),
        post=kw.pop("post", "副主任"),
        change=kw.pop("change", m.CadrePost.Change.APPOINTMENT),
        start=kw.pop("start", datetime.date(2016, 1, 1)),
        **kw,
    )


@prepares("party.cadres", "take_post", "retire", "transfer_out")
def a_cadre_in_post(unit):
    return make_post(unit).cadre


@factory_for(m.CadreGrade)
def make_grade(unit, **kw):
    return m.CadreGrade.objects.create(
        unit=unit,
        cadre=kw.pop("cadre", None) or make_cadre(unit),
        period=kw.pop("period", "2023"),
        grade=kw.pop("grade", m.CadreGrade.Grade.COMPETENT),
        assessed_on=kw.pop("assessed_on", datetime.date(2024, 1, 20)),
        **kw,
    )


# --- writings, assistance, rules --------------------------------------------------------------


@factory_for(m.Writing)
def make_writing(unit, **kw):
    return m.Writing.objects.create(
        unit=unit,
        kind=kw.pop("kind", m.Writing.Kind.INFORMATION),
        title=kw.pop("title", f"工作信息{_seq():05d}"),
        date=kw.pop("date", D),
        submitted_to=kw.pop("submitted_to", m.Writing.Recipient.PROVINCE_COOP),
        **kw,
    )


@prepares("party.writings", "adopt")
def a_submitted_writing(unit):
    return make_writing(unit)


@factory_for(m.AssistanceVisit)
def make_visit(unit, **kw):
    visitors = kw.pop("visitors", None)
    visit = m.AssistanceVisit.objects.create(
        unit=unit,
        date=kw.pop("date", D),
        household=kw.pop("household", f"低收入户{_seq():05d}"),
        amount=kw.pop("amount", Decimal("500.00")),
        goods=kw.pop("goods", "大米一袋、食用油一桶"),
        **kw,
    )
    visit.visitors.set(visitors if visitors is not None else [PersonFactory.create(unit=unit)])
    return visit


@factory_for(m.Rule)
def make_rule(unit, **kw):
    n = _seq()
    return m.Rule.objects.create(
        unit=unit,
        kind=kw.pop("kind", m.Rule.Kind.WORK_RULES),
        title=kw.pop("title", f"工作规则{n:05d}"),
        number=kw.pop("number", f"〔2023〕{n % 9000 + 1}号"),
        issued_on=kw.pop("issued_on", D),
        **kw,
    )


@prepares("party.rules", "revise", "abolish")
def a_rule(unit):
    return make_rule(unit)
