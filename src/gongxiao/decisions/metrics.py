"""Figures of collective decisions: meetings held (by body), matters by category, amounts."""

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, register_metric

from .models import Matter, Meeting

# Declared metrics (core.metrics): the rows in reach in the subtree, narrowed by `where`.


def _meetings(unit, period) -> Q:
    return Q(date__gte=period.start, date__lte=period.end)


def _matters(unit, period) -> Q:
    return Q(meeting__date__gte=period.start, meeting__date__lte=period.end)


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
        model=Meeting,
        where=_meetings,
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
        model=Matter,
        where=_matters,
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
        model=Matter,
        where=lambda unit, period: _matters(unit, period) & Q(amount__isnull=False),
        aggregate=Sum("amount"),
        ledger="decisions.matters",
        link=_date_link("meeting__date"),
        unit_field="meeting__unit",
        dimensions={"category": "category", "body": "meeting__body"},
        description=_("Sum of the amounts of matters put to meetings in the period."),
    )
)
