import datetime

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


@prepares("party.members", "transfer", "transfer_out", "make_full")
def member_in_a_unit_with_two_branches(unit):
    member = make_member(unit)
    make_organisation(unit)  # where a transfer may go
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
