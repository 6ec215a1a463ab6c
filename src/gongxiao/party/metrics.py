"""Figures of party building for reports, each computed from business dates. Seed 000: 专题研讨
交流10次, 5名党组成员讲授专题党课, 8个党支部130余名党员, 各党支部组织专题学习70余次, 开展红色经典
活动10余次, 参与党员群众500余人次; seed 002: 基层党支部按期换届.

Counts "as of" a period are taken at its last day: the organisations existing then, the members
placed then (a member transferred since still counts where he was), the terms in force then."""

from __future__ import annotations

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, register_metric

from . import models as m
from . import services


def _in_subtree(qs, unit, field):
    return qs.filter(**{f"{field}__path__startswith": unit.path}) if unit is not None else qs


def _dated(model, date_field):
    def rows(user, unit, period):
        qs = model.objects.visible_to(user).filter(
            **{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end}
        )
        return _in_subtree(qs, unit, model.scope_field)

    return rows


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
    register_metric(
        Metric(
            key=key,
            label=label,
            measure=measure,
            module="party",
            rows=rows,
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
