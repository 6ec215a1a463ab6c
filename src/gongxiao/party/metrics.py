"""Figures of party building for reports, each computed from business dates. Seed 000: 专题研讨
交流10次, 5名党组成员讲授专题党课, 8个党支部130余名党员, 各党支部组织专题学习70余次, 开展红色经典
活动10余次, 参与党员群众500余人次; seed 002: 基层党支部按期换届.

Counts "as of" a period are taken at its last day: the organisations existing then, the members
placed then (a member transferred since still counts where he was), the terms in force then."""

from __future__ import annotations

import datetime

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, rate, register_metric

from . import models as m
from . import services
from .models import add_months


def _in_subtree(qs, unit, field):
    return qs.filter(**{f"{field}__path__startswith": unit.path}) if unit is not None else qs


def _dated(model, date_field, extra=None):
    """The model's rows dated in the period (and satisfying `extra`), declared (core.metrics:
    the rows in reach in the subtree narrowed by `where`), so the figures over them are taken
    in one query."""

    def where(unit, period):
        q = Q(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
        return q & extra if extra is not None else q

    return (model, where)


def _link(date_field):
    return lambda unit, period: {
        f"{date_field}__gte": period.start.isoformat(),
        f"{date_field}__lte": period.end.isoformat(),
    }


def _organisations(user, unit, period):
    qs = m.PartyOrganisation.objects.visible_to(user).existing_on(period.end)
    return _in_subtree(qs, unit, "unit")


def _due(user, unit, period):
    return services.elections_due(_organisations(user, unit, period), period.end)


def _overdue(user, unit, period):
    return services.elections_overdue(_organisations(user, unit, period), period.end)


def _placements(user, unit, period):
    qs = m.Placement.objects.visible_to(user).on(period.end)
    return _in_subtree(qs, unit, "organisation__unit")


def _members(user, unit, period):
    """The members placed in the subtree on the period's last day (scoped through their
    placement then, so a member transferred since still counts, and shows, where he was)."""
    return m.PartyMember.objects.filter(pk__in=_placements(user, unit, period).values("member_id"))


def _probationary(user, unit, period):
    end = period.end
    return (
        _members(user, unit, period)
        .filter(joined_on__lte=end)
        .filter(Q(full_on__isnull=True) | Q(full_on__gt=end))
    )


def _count(rows, *args):
    # Not summed over the rows' current units: each unit's figure is asked for (a member
    # transferred since counts where he was).
    return rows.count()


def _participations(rows, *args):
    present = m.Attendance.objects.filter(activity__in=rows.values("pk"), present=True).count()
    return present + (rows.aggregate(s=Sum("external_participants"))["s"] or 0)


def _speakers(rows, *args):
    return (
        rows.filter(kind=m.Activity.Kind.LECTURE, speaker__isnull=False)
        .order_by()
        .values("speaker_id")
        .distinct()
        .count()
    )


def M(key, label, measure, rows, ledger, *, unit_field, link, **kw):
    if isinstance(rows, tuple):  # (model, where): declared
        model, where = rows
        assert model.scope_field == unit_field, key  # the subtree the rows were taken from
        kw.update(model=model, where=where)
    else:
        kw["rows"] = rows
    register_metric(
        Metric(
            key=key,
            label=label,
            measure=measure,
            module="party",
            ledger=ledger,
            link=link,
            unit_field=unit_field,
            **kw,
        )
    )


M(
    "party.organisations.count",
    _("Party organisations"),
    "个",
    _organisations,
    "party.organisations",
    unit_field="unit",
    link=lambda unit, period: {},
    dimensions={"kind": "kind"},
    description=_("Organisations existing on the period's last day."),
)
M(
    "party.elections.held",
    _("Elections held (换届)"),
    "次",
    _dated(m.Election, "date"),
    "party.elections",
    unit_field="organisation__unit",
    link=_link("date"),
    dimensions={"kind": "organisation__kind"},
)
M(
    "party.elections.due",
    _("Organisations with an election due"),
    "个",
    _due,
    "party.organisations",
    unit_field="unit",
    link=lambda unit, period: {"election_due_on": period.end.isoformat()},
    dimensions={"kind": "kind"},
    description=_(
        "On the period's last day: the term then in force ends within the notice months "
        "(a setting), or no election is on record."
    ),
)
M(
    "party.elections.overdue",
    _("Organisations whose term has expired without an election"),
    "个",
    _overdue,
    "party.organisations",
    unit_field="unit",
    link=lambda unit, period: {"election_overdue_on": period.end.isoformat()},
    dimensions={"kind": "kind"},
    description=_("On the period's last day: the term then in force had ended."),
)
M(
    "party.members.count",
    _("Party members"),
    "名",
    _members,
    "party.members",
    value=_count,
    unit_field="organisation__unit",
    link=lambda unit, period: {"member_on": period.end.isoformat()},
    dimensions={"kind": "organisation__kind"},
    description=_(
        "Members in the organisations on the period's last day, where they were then "
        "(full and probationary)."
    ),
)
M(
    "party.members.probationary",
    _("Probationary party members"),
    "名",
    _probationary,
    "party.members",
    value=_count,
    unit_field="organisation__unit",
    link=lambda unit, period: {"member_on": period.end.isoformat()},
    dimensions={"kind": "organisation__kind"},
)
M(
    "party.activities.count",
    _("Party activities (组织生活)"),
    "次",
    _dated(m.Activity, "date"),
    "party.activities",
    unit_field="organisation__unit",
    link=_link("date"),
    dimensions={"kind": "kind", "organisation_kind": "organisation__kind"},
)
M(
    "party.activities.participations",
    _("Participations in party activities"),
    "人次",
    _dated(m.Activity, "date"),
    "party.activities",
    value=_participations,
    unit_field="organisation__unit",
    link=_link("date"),
    dimensions={"kind": "kind", "organisation_kind": "organisation__kind"},
    description=_("Each member present at each activity once, plus the other participants."),
)
M(
    "party.lectures.speakers",
    _("Persons who gave party lectures"),
    "人",
    _dated(m.Activity, "date"),
    "party.activities",
    value=_speakers,
    unit_field="organisation__unit",
    link=lambda unit, period: {**_link("date")(unit, period), "kind": "lecture"},
    dimensions={"organisation_kind": "organisation__kind"},
    description=_("Each speaker of the period's party lectures once."),
)


# --- 4a trainings and exams (seed 003: 培训会议6次; seed 001: 廉政法规考试，合格率100%)


def _sum(field):
    return lambda rows, *a: rows.aggregate(s=Sum(field))["s"] or 0


def _own(model, date_field):
    """Rows of a ledger with its own unit, dated in the period."""
    return _dated(model, date_field)


M(
    "party.trainings.count",
    _("Training courses"),
    "次",
    _own(m.Training, "start_date"),
    "party.trainings",
    unit_field="unit",
    link=_link("start_date"),
    dimensions={"kind": "kind"},
)
M(
    "party.trainings.sessions",
    _("Training sessions (期)"),
    "期",
    _own(m.Training, "start_date"),
    "party.trainings",
    aggregate=Sum("sessions"),
    unit_field="unit",
    link=_link("start_date"),
    dimensions={"kind": "kind"},
)
M(
    "party.trainings.participants",
    _("Training participants"),
    "人次",
    _own(m.Training, "start_date"),
    "party.trainings",
    aggregate=Sum("participants"),
    unit_field="unit",
    link=_link("start_date"),
    dimensions={"kind": "kind"},
)
M(
    "party.exams.count",
    _("Exams held"),
    "次",
    _own(m.Exam, "date"),
    "party.exams",
    unit_field="unit",
    link=_link("date"),
)
M(
    "party.exams.participants",
    _("Exam participants"),
    "人次",
    _own(m.Exam, "date"),
    "party.exams",
    aggregate=Sum("participants"),
    unit_field="unit",
    link=_link("date"),
)
M(
    "party.exams.pass_rate",
    _("Exam pass rate"),
    "%",
    _own(m.Exam, "date"),
    "party.exams",
    value=lambda rows, *a: rate(_sum("passed")(rows), _sum("participants")(rows)),
    parts=lambda unit, period: {"passed": Sum("passed"), "all": Sum("participants")},
    combine=lambda parts: rate(parts["passed"] or 0, parts["all"] or 0),
    unit_field="unit",
    link=_link("date"),
    description=_("Those who passed over those who sat, over all the period's exams."),
)


# --- 5 points ----------------------------------------------------------------------------------

M(
    "party.points.entries",
    _("Points entries"),
    "条",
    _dated(m.PointsEntry, "date"),
    "party.points",
    unit_field="organisation__unit",
    link=_link("date"),
    dimensions={"part": "item__part", "source": "source"},
)
M(
    "party.points.given",
    _("Points given (before caps)"),
    "分",
    _dated(m.PointsEntry, "date"),
    "party.points",
    aggregate=Sum("points"),
    unit_field="organisation__unit",
    link=_link("date"),
    dimensions={"part": "item__part", "source": "source"},
    description=_("Points as entered, reversals taken off; a member's yearly total caps them."),
)


# --- 6 cadres (seed 002: 轮岗X人、职务变更X人、调动X人、退休X人)


M(
    "party.cadres.moves",
    _("Cadres taking posts"),
    "人次",
    _own(m.CadrePost, "start"),
    "party.cadre-posts",
    unit_field="unit",
    link=_link("start"),
    dimensions={"change": "change"},
    description=_("Posts taken in the period, counted where the post is: 轮岗交流, 调动 …"),
)
M(
    "party.cadres.retired",
    _("Cadres retired"),
    "人",
    _own(m.Cadre, "retired_on"),
    "party.cadres",
    unit_field="unit",
    link=_link("retired_on"),
)
M(
    "party.cadres.transferred_out",
    _("Cadres transferred out of the system"),
    "人",
    _own(m.Cadre, "left_on"),
    "party.cadres",
    unit_field="unit",
    link=_link("left_on"),
)


def _assessment_codes(period) -> list[str]:
    """The years and quarters lying wholly in the period, as a grade names them."""
    codes = []
    for year in range(period.start.year, period.end.year + 1):
        if datetime.date(year, 1, 1) >= period.start and datetime.date(year, 12, 31) <= period.end:
            codes.append(str(year))
        for q in range(4):
            first = datetime.date(year, 3 * q + 1, 1)
            last = add_months(first, 3) - datetime.timedelta(days=1)
            if first >= period.start and last <= period.end:
                codes.append(f"{year}Q{q + 1}")
    return codes


def _grades(user, unit, period):
    qs = m.CadreGrade.objects.visible_to(user).filter(period__in=_assessment_codes(period))
    return _in_subtree(qs, unit, "unit")


M(
    "party.cadres.graded",
    _("Cadre grades given"),
    "人次",
    _grades,
    "party.cadre-grades",
    unit_field="unit",
    link=lambda unit, period: {},
    dimensions={"grade": "grade", "period": "period"},
    description=_("Grades for the years and quarters within the period."),
)


# --- 7 writings (seed 000: 调研报告24篇, 心得体会80余篇; seed 003: 信息70余篇, 采用4篇)


_submitted = _dated(m.Writing, "date", ~Q(submitted_to=""))


M(
    "party.writings.count",
    _("Writings"),
    "篇",
    _own(m.Writing, "date"),
    "party.writings",
    unit_field="unit",
    link=_link("date"),
    dimensions={"kind": "kind", "submitted_to": "submitted_to"},
)
M(
    "party.writings.submitted",
    _("Writings submitted"),
    "篇",
    _submitted,
    "party.writings",
    unit_field="unit",
    link=_link("date"),
    dimensions={"kind": "kind", "submitted_to": "submitted_to"},
)
M(
    "party.writings.adopted",
    _("Writings adopted"),
    "篇",
    _own(m.Writing, "adopted_on"),
    "party.writings",
    unit_field="unit",
    link=_link("adopted_on"),
    dimensions={"kind": "kind", "level": "adopted_level", "submitted_to": "submitted_to"},
)


# --- 8 assistance (seed 002: 慰问低收入农户X余人次，共发放慰问金X元)


M(
    "party.assistance.visits",
    _("Assistance visits"),
    "次",
    _own(m.AssistanceVisit, "date"),
    "party.assistance",
    unit_field="unit",
    link=_link("date"),
)
M(
    "party.assistance.households",
    _("Households visited"),
    "户",
    _own(m.AssistanceVisit, "date"),
    "party.assistance",
    value=lambda rows, *a: rows.order_by().values("household").distinct().count(),
    unit_field="unit",
    link=_link("date"),
    description=_("Each household once, however often visited."),
)
M(
    "party.assistance.amount",
    _("Assistance money given"),
    "元",
    _own(m.AssistanceVisit, "date"),
    "party.assistance",
    aggregate=Sum("amount"),
    unit_field="unit",
    link=_link("date"),
)


# --- 8a rules (seed 001: 修改完善制度10余项; seed 004: 研究制定《监事会工作规则》)


_issued = _dated(m.Rule, "issued_on", Q(previous__isnull=True))
_revised = _dated(m.Rule, "issued_on", Q(previous__isnull=False))


def _in_force(user, unit, period):
    qs = m.Rule.objects.visible_to(user).in_force_on(period.end)
    return _in_subtree(qs, unit, "unit")


M(
    "party.rules.issued",
    _("Rules issued"),
    "项",
    _issued,
    "party.rules",
    unit_field="unit",
    link=lambda unit, period: {**_link("issued_on")(unit, period), "previous__isnull": "True"},
    dimensions={"kind": "kind"},
    description=_("New rules and documents, not revisions."),
)
M(
    "party.rules.revised",
    _("Rules revised"),
    "项",
    _revised,
    "party.rules",
    unit_field="unit",
    link=lambda unit, period: {**_link("issued_on")(unit, period), "previous__isnull": "False"},
    dimensions={"kind": "kind"},
)
M(
    "party.rules.in_force",
    _("Rules in force"),
    "项",
    _in_force,
    "party.rules",
    unit_field="unit",
    link=lambda unit, period: {"in_force_on": period.end.isoformat()},
    dimensions={"kind": "kind"},
    description=_("The versions in force on the period's last day."),
)
