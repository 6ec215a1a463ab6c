"""Figures of supervision and discipline for reports, each computed from its ledger's rows.
Seed 000: 谈话196人次，六大纪律共504次; 对3家企业进行审计，形成审计报告3份，建议9条，均被采纳."""

from django.db.models import Count, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, rate, register_metric

from . import models as m


def _dated(date_field, extra=None):
    """The rows dated in the period (and satisfying `extra`), as a metric's `where`: the rows
    are then the model's rows in reach in the subtree (core.metrics.base_rows)."""

    def where(unit, period):
        q = Q(**{f"{date_field}__gte": period.start, f"{date_field}__lte": period.end})
        return q & extra if extra is not None else q

    return where


def _link(date_field):
    return lambda unit, period: {
        f"{date_field}__gte": period.start.isoformat(),
        f"{date_field}__lte": period.end.isoformat(),
    }


def _persons(rows, *args):
    return m.Talk.talked_to.through.objects.filter(talk__in=rows.values("pk")).count()


def _mentions(rows, *args):
    # Each person talked to counts each discipline the talk touched: the talk's topics summed
    # over its persons, in the database.
    topics = sum(
        (Cast(F(f"talk__{name}"), IntegerField()) for name, _label in m.DISCIPLINES), Value(0)
    )
    through = m.Talk.talked_to.through.objects.filter(talk__in=rows.values("pk"))
    return through.aggregate(s=Sum(topics))["s"] or 0


def M(
    key,
    label,
    measure,
    model,
    date_field,
    ledger,
    module="supervision",
    value=None,
    where=None,
    **kw,
):
    register_metric(
        Metric(
            key=key,
            label=label,
            measure=measure,
            module=module,
            model=model,
            where=_dated(date_field, where),
            value=value,
            ledger=ledger,
            link=kw.pop("link", None) or _link(date_field),
            unit_field=model.scope_field,
            **kw,
        )
    )


M(
    "supervision.talks.count",
    _("Talks held"),
    "次",
    m.Talk,
    "date",
    "supervision.talks",
    dimensions={"kind": "kind", "unit": "unit"},
)
M(
    "supervision.talks.persons",
    _("Persons talked to"),
    "人次",
    m.Talk,
    "date",
    "supervision.talks",
    value=_persons,
    dimensions={"kind": "kind", "unit": "unit"},
    description=_("Each person in each talk counts once (谈话人次)."),
)
M(
    "supervision.talks.mentions",
    _("Discipline mentions in talks"),
    "次",
    m.Talk,
    "date",
    "supervision.talks",
    value=_mentions,
    description=_("For each person talked to, each of the six disciplines the talk touched."),
)
M(
    "supervision.inspections.count",
    _("Inspections"),
    "次",
    m.Inspection,
    "start_date",
    "supervision.inspections",
    dimensions={"method": "method"},
)
M(
    "supervision.findings.count",
    _("Inspection findings"),
    "条",
    m.Finding,
    "inspection__start_date",
    "supervision.findings",
    dimensions={"category": "category"},
)
M(
    "supervision.findings.raised",
    _("Inspection findings entered in the rectification ledger"),
    "条",
    m.Finding,
    "inspection__start_date",
    "supervision.findings",
    where=Q(item__isnull=False),
    dimensions={"category": "category"},
    link=lambda unit, period: {
        **_link("inspection__start_date")(unit, period),
        "item__isnull": "False",
    },
    description=_("Findings of the period's inspections that became rectification items."),
)
M(
    "supervision.notices.count",
    _("Inspection notices issued"),
    "期",
    m.Notice,
    "date",
    "supervision.notices",
)
M(
    "supervision.letters.signed",
    _("Responsibility letters signed"),
    "份",
    m.ResponsibilityLetter,
    "signed_date",
    "supervision.letters",
    dimensions={"kind": "kind"},
)
M(
    "supervision.audits.count",
    _("Audits"),
    "次",
    m.Audit,
    "report_date",
    "supervision.audits",
    dimensions={"kind": "kind", "auditor": "auditor"},
)
M(
    "supervision.audits.units",
    _("Units audited"),
    "家",
    m.Audit,
    "report_date",
    "supervision.audits",
    value=lambda rows, *a: (
        m.Audit.audited_units.through.objects.filter(audit__in=rows.values("pk"))
        .values("unit_id")
        .distinct()
        .count()
    ),
)
M(
    "supervision.audits.reports",
    _("Audit reports"),
    "份",
    m.Audit,
    "report_date",
    "supervision.audits",
    where=~Q(report_number=""),
)
M(
    "supervision.recommendations.count",
    _("Audit recommendations"),
    "条",
    m.Recommendation,
    "audit__report_date",
    "supervision.recommendations",
)
M(
    "supervision.recommendations.adoption_rate",
    _("Adoption rate of audit recommendations"),
    "%",
    m.Recommendation,
    "audit__report_date",
    "supervision.recommendations",
    value=lambda rows, *a: rate(rows.filter(adopted=True).count(), rows.count()),
    parts=lambda unit, period: {"adopted": Count("pk", filter=Q(adopted=True)), "all": Count("pk")},
    combine=lambda parts: rate(parts["adopted"], parts["all"]),
)
M(
    "supervision.supervisory.matters",
    _("Matters supervised by the board of supervisors"),
    "项",
    m.SupervisoryMatter,
    "date",
    "supervision.supervisory-matters",
    dimensions={"kind": "kind"},
)
M(
    "supervision.supervisory.opinions",
    _("Opinions issued by the board of supervisors"),
    "条",
    m.SupervisoryMatter,
    "date",
    "supervision.supervisory-matters",
    where=~Q(opinion=""),
)
M(
    "supervision.personal_reports.filed",
    _("Personal matters reports filed"),
    "人",
    m.PersonalMattersReport,
    "filed_date",
    "supervision.personal-reports",
)
M(
    "supervision.personal_reports.checked",
    _("Personal matters reports checked"),
    "人",
    m.PersonalMattersReport,
    "filed_date",
    "supervision.personal-reports",
    where=Q(randomly_checked=True),
    dimensions={"check_result": "check_result"},
)
M(
    "supervision.life_meetings.count",
    _("Life meetings held"),
    "次",
    m.LifeMeeting,
    "date",
    "supervision.life-meetings",
    dimensions={"kind": "kind"},
)
M(
    "supervision.opinions.count",
    _("Opinions solicited"),
    "条",
    m.Opinion,
    "life_meeting__date",
    "supervision.opinions",
)
M(
    "supervision.opinions.raised",
    _("Opinions entered in the rectification ledger"),
    "条",
    m.Opinion,
    "life_meeting__date",
    "supervision.opinions",
    where=Q(item__isnull=False),
    link=lambda unit, period: {
        **_link("life_meeting__date")(unit, period),
        "item__isnull": "False",
    },
    description=_("Opinions solicited in the period that became rectification items."),
)
M(
    "supervision.education.sessions",
    _("Clean-government education sessions"),
    "次",
    m.Education,
    "date",
    "supervision.education",
    dimensions={"kind": "kind"},
)
M(
    "supervision.education.participants",
    _("Participants in clean-government education"),
    "人次",
    m.Education,
    "date",
    "supervision.education",
    value=lambda rows, *a: (
        m.Education.participants.through.objects.filter(education__in=rows.values("pk")).count()
        + (rows.aggregate(s=Sum("other_participants"))["s"] or 0)
    ),
)
M(
    "discipline.actions.count",
    _("Cases handled under the four forms"),
    "人次",
    m.DisciplinaryAction,
    "date",
    "supervision.four-forms",
    module="discipline",
    dimensions={"form": "form"},
)
