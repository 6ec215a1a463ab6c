import datetime

from gongxiao.core.testing import factory_for, prepares
from gongxiao.org.tests.factories import PersonFactory, UnitFactory
from gongxiao.supervision import models as m

_n = {"i": 0}


def _seq():
    _n["i"] += 1
    return _n["i"]


D = datetime.date(2023, 5, 10)


def _person(unit):
    return PersonFactory(unit=unit)


@factory_for(m.Talk)
def make_talk(unit, **kw):
    talk = m.Talk.objects.create(
        unit=unit,
        date=kw.pop("date", D),
        kind=kw.pop("kind", "reminder"),
        talker=kw.pop("talker", None) or _person(unit),
        record=kw.pop("record", f"谈话记录{_seq():05d}"),
        **kw,
    )
    return talk


@factory_for(m.Inspection)
def make_inspection(unit, **kw):
    ins = m.Inspection.objects.create(
        unit=unit,
        title=kw.pop("title", f"督查检查{_seq():05d}"),
        method=kw.pop("method", "unannounced"),
        start_date=kw.pop("start_date", D),
        **kw,
    )
    ins.inspected_units.add(unit)
    return ins


@factory_for(m.Finding)
def make_finding(unit, **kw):
    inspection = kw.pop("inspection", None) or make_inspection(unit)
    return m.Finding.objects.create(
        inspection=inspection,
        inspected_unit=kw.pop("inspected_unit", unit),
        description=kw.pop("description", f"督查发现问题{_seq():05d}"),
        deadline=kw.pop("deadline", D + datetime.timedelta(days=60)),
        **kw,
    )


@factory_for(m.Notice)
def make_notice(unit, **kw):
    return m.Notice.objects.create(
        unit=unit,
        title=kw.pop("title", f"督查通报{_seq():05d}"),
        date=kw.pop("date", D),
        content="通报内容",
        **kw,
    )


@factory_for(m.ResponsibilityLetter)
def make_letter(unit, **kw):
    return m.ResponsibilityLetter.objects.create(
        unit=unit,
        kind=kw.pop("kind", "integrity"),
        year=kw.pop("year", 2023),
        signer_unit=kw.pop("signer_unit", None)
        or UnitFactory(parent=unit, name=f"签订单位{_seq():05d}"),
        signed_date=kw.pop("signed_date", D),
        **kw,
    )


@factory_for(m.ResponsibilityList)
def make_list(unit, **kw):
    return m.ResponsibilityList.objects.create(
        unit=unit,
        person=kw.pop("person", None) or _person(unit),
        year=kw.pop("year", 2023),
        kind=kw.pop("kind", "primary"),
        duties=kw.pop("duties", f"履行主体责任{_seq():05d}"),
        **kw,
    )


@factory_for(m.DutyRecord)
def make_duty_record(unit, **kw):
    return m.DutyRecord.objects.create(
        responsibility_list=kw.pop("responsibility_list", None) or make_list(unit),
        date=kw.pop("date", D),
        text=kw.pop("text", f"履责纪实{_seq():05d}"),
        **kw,
    )


@factory_for(m.Audit)
def make_audit(unit, **kw):
    audit = m.Audit.objects.create(
        unit=unit,
        title=kw.pop("title", f"专项审计{_seq():05d}"),
        kind=kw.pop("kind", "special"),
        auditor=kw.pop("auditor", "internal"),
        report_date=kw.pop("report_date", D),
        **kw,
    )
    audit.audited_units.add(unit)
    return audit


@factory_for(m.Recommendation)
def make_recommendation(unit, **kw):
    return m.Recommendation.objects.create(
        audit=kw.pop("audit", None) or make_audit(unit),
        text=kw.pop("text", f"审计建议{_seq():05d}"),
        responsible_unit=kw.pop("responsible_unit", unit),
        **kw,
    )


@factory_for(m.SupervisoryMatter)
def make_supervisory_matter(unit, **kw):
    return m.SupervisoryMatter.objects.create(
        unit=unit,
        date=kw.pop("date", D),
        kind=kw.pop("kind", "funds"),
        title=kw.pop("title", f"监督事项{_seq():05d}"),
        **kw,
    )


@factory_for(m.PersonalMattersReport)
def make_personal_report(unit, **kw):
    return m.PersonalMattersReport.objects.create(
        unit=unit,
        person=kw.pop("person", None) or _person(unit),
        year=kw.pop("year", 2023),
        filed_date=kw.pop("filed_date", D),
        **kw,
    )


@factory_for(m.LifeMeeting)
def make_life_meeting(unit, **kw):
    return m.LifeMeeting.objects.create(
        unit=unit,
        kind=kw.pop("kind", "democratic"),
        date=kw.pop("date", D),
        theme=kw.pop("theme", f"民主生活会主题{_seq():05d}"),
        **kw,
    )


@factory_for(m.Opinion)
def make_opinion(unit, **kw):
    return m.Opinion.objects.create(
        life_meeting=kw.pop("life_meeting", None) or make_life_meeting(unit),
        text=kw.pop("text", f"征求意见{_seq():05d}"),
        **kw,
    )


@factory_for(m.DisciplinaryAction)
def make_action(unit, **kw):
    return m.DisciplinaryAction.objects.create(
        unit=unit,
        person=kw.pop("person", None) or _person(unit),
        form=kw.pop("form", 1),
        date=kw.pop("date", D),
        description=kw.pop("description", f"违纪事实{_seq():05d}"),
        **kw,
    )


@factory_for(m.Education)
def make_education(unit, **kw):
    return m.Education.objects.create(
        unit=unit,
        date=kw.pop("date", D),
        kind=kw.pop("kind", "film"),
        title=kw.pop("title", f"警示教育{_seq():05d}"),
        **kw,
    )


# --- rows ready for each declared action (core/tests/test_actions.py) ------------------------

prepares("supervision.recommendations", "adopt", "not_adopt")(make_recommendation)
prepares("supervision.opinions", "raise_item")(make_opinion)
