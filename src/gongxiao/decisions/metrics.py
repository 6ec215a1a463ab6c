"""Figures of collective decisions: meetings held (by body), matters by category, amounts."""

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, register_metric

from .models import Matter, Meeting


def _meetings(user, unit, period):
    qs = Meeting.objects.visible_to(user).filter(date__gte=period.start, date__lte=period.end)
    return qs.filter(unit__path__startswith=unit.path) if unit is not None else qs


def _matters(user, unit, period):
    qs = Matter.objects.visible_to(user).filter(
        meeting__date__gte=period.start, meeting__date__lte=period.end
    )
    return qs.filter(meeting__unit__path__startswith=unit.path) if unit is not None else qs


def _date_link(prefix):
    return lambda unit, period: {
        f"{prefix}__gte": period.start.isoformat(),
        f"{prefix}__lte": period.end.isoformat(),
    }


register_metric(
    Metric(
        key="decisions.meetings.held",
        label=_("Meetings held"),
        measure="次",
        module="decisions",
        rows=_meetings,
        ledger="decisions.meetings",
        link=_date_link("date"),
        dimensions={"body": "body", "unit": "unit"},
        description=_(
            "Meetings of decision-making bodies in the period (e.g. 累计召开18次党组会议)."
        ),
    )
)
register_metric(
    Metric(
        key="decisions.matters.count",
        label=_("Matters decided collectively"),
        measure="项",
        module="decisions",
        rows=_matters,
        ledger="decisions.matters",
        link=_date_link("meeting__date"),
        unit_field="meeting__unit",
        dimensions={"category": "category", "body": "meeting__body", "outcome": "outcome"},
        description=_("Matters put to meetings in the period."),
    )
)
register_metric(
    Metric(
        key="decisions.matters.amount",
        label=_("Amount decided"),
        measure="万元",
        module="decisions",
        rows=lambda user, unit, period: _matters(user, unit, period).filter(amount__isnull=False),
        aggregate=Sum("amount"),
        ledger="decisions.matters",
        link=_date_link("meeting__date"),
        unit_field="meeting__unit",
        dimensions={"category": "category", "body": "meeting__body"},
        description=_("Sum of the amounts of matters put to meetings in the period."),
    )
)
