"""Figures of the rectification ledger for reports: found, closed, close-out rate, overdue,
open; each by source, category, unit and campaign."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, rate, register_metric

from .models import RectificationItem, closed_by

DIMENSIONS = {
    "source": "source",
    "category": "category",
    "unit": "unit",
    "campaign": "campaign",
    "status": "status",
}


def _items(user, unit):
    qs = RectificationItem.objects.visible_to(user)
    return qs.filter(unit__path__startswith=unit.path) if unit is not None else qs


def _found(user, unit, period):
    return _items(user, unit).filter(found_date__gte=period.start, found_date__lte=period.end)


def _found_link(unit, period):
    return {"found_date__gte": period.start.isoformat(), "found_date__lte": period.end.isoformat()}


register_metric(
    Metric(
        key="rectification.items.found",
        label=_("Problems found"),
        measure="条",
        module="rectification",
        rows=_found,
        ledger="rectification.items",
        link=_found_link,
        dimensions=DIMENSIONS,
        description=_("Items whose date found falls in the period."),
    )
)

register_metric(
    Metric(
        key="rectification.items.closed",
        label=_("Problems closed out"),
        measure="条",
        module="rectification",
        rows=lambda user, unit, period: _items(user, unit).closed_between(period.start, period.end),
        ledger="rectification.items",
        link=lambda unit, period: {"closed_in": period.code},
        dimensions=DIMENSIONS,
        description=_(
            "Items closed out during the period, by the date of the close-out (also when a "
            "follow-up review reopened them later)."
        ),
    )
)


def as_of(period) -> datetime.date:
    """The day a report for `period` describes: its last day, or today if it is not over.
    Figures of a past period then stay the same whenever they are asked for."""
    return min(period.end, timezone.localdate())


register_metric(
    Metric(
        key="rectification.items.closeout_rate",
        label=_("Close-out rate"),
        measure="%",
        module="rectification",
        rows=_found,
        value=lambda rows, user, unit, period: rate(
            rows.filter(closed_by(as_of(period))).count(), rows.count()
        ),
        ledger="rectification.items",
        link=_found_link,
        dimensions=DIMENSIONS,
        description=_(
            "Of the items found in the period, the share closed out by its end (整改完成率)."
        ),
    )
)

register_metric(
    Metric(
        key="rectification.items.overdue",
        label=_("Overdue problems"),
        measure="条",
        module="rectification",
        rows=lambda user, unit, period: _items(user, unit).overdue_on(as_of(period)),
        ledger="rectification.items",
        link=lambda unit, period: {"overdue_on": as_of(period).isoformat()},
        dimensions=DIMENSIONS,
        description=_(
            "Items not closed out at the end of the period (today, for a period not yet over) "
            "whose deadline had passed by then."
        ),
    )
)

register_metric(
    Metric(
        key="rectification.items.open",
        label=_("Problems being rectified"),
        measure="条",
        module="rectification",
        rows=lambda user, unit, period: _items(user, unit).open_on(as_of(period)),
        ledger="rectification.items",
        link=lambda unit, period: {"open_on": as_of(period).isoformat()},
        dimensions=DIMENSIONS,
        description=_(
            "Items found and not closed out at the end of the period (today, for a period not "
            "yet over)."
        ),
    )
)
