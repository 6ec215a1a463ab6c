"""Figures of the rectification ledger for reports: found, closed, close-out rate, overdue,
open; each by source, category, unit and campaign."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, rate, register_metric

from .models import RectificationItem, closed_between, closed_by

DIMENSIONS = {
    "source": "source",
    "category": "category",
    "unit": "unit",
    "campaign": "campaign",
    "status": "status",
}


# Every figure counts the items in reach in the unit's subtree (core.metrics.base_rows) that
# satisfy its `where`, so a report takes them all in one query.


def _found(unit, period) -> Q:
    return Q(found_date__gte=period.start, found_date__lte=period.end)


def _open_on(on) -> Q:
    """ItemQuerySet.open_on as a Q: found by `on` and not closed out by then."""
    return Q(found_date__lte=on) & ~closed_by(on)


def _found_link(unit, period):
    return {"found_date__gte": period.start.isoformat(), "found_date__lte": period.end.isoformat()}


register_metric(
    Metric(
        key="rectification.items.found",
        label=_("Problems found"),
        measure="条",
        module="rectification",
        model=RectificationItem,
        where=_found,
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
        model=RectificationItem,
        where=lambda unit, period: closed_between(period.start, period.end),
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
        model=RectificationItem,
        where=_found,
        value=lambda rows, user, unit, period: rate(
            rows.filter(closed_by(as_of(period))).count(), rows.count()
        ),
        parts=lambda unit, period: {
            "closed": Count("pk", filter=closed_by(as_of(period))),
            "found": Count("pk"),
        },
        combine=lambda parts: rate(parts["closed"], parts["found"]),
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
        model=RectificationItem,
        where=lambda unit, period: _open_on(as_of(period)) & Q(deadline__lt=as_of(period)),
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
        model=RectificationItem,
        where=lambda unit, period: _open_on(as_of(period)),
        ledger="rectification.items",
        link=lambda unit, period: {"open_on": as_of(period).isoformat()},
        dimensions=DIMENSIONS,
        description=_(
            "Items found and not closed out at the end of the period (today, for a period not "
            "yet over)."
        ),
    )
)
