"""Figures of the rectification ledger for reports: found, closed, close-out rate, overdue,
open; each by source, category, unit and campaign."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, rate, register_metric

from .models import RectificationItem, Status

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
        rows=lambda user, unit, period: _items(user, unit).filter(
            status=Status.CLOSED, closed_at__date__gte=period.start, closed_at__date__lte=period.end
        ),
        ledger="rectification.items",
        link=lambda unit, period: {
            "status": Status.CLOSED,
            "closed_at__date__gte": period.start.isoformat(),
            "closed_at__date__lte": period.end.isoformat(),
        },
        dimensions=DIMENSIONS,
        description=_("Items closed out during the period."),
    )
)

register_metric(
    Metric(
        key="rectification.items.closeout_rate",
        label=_("Close-out rate"),
        measure="%",
        module="rectification",
        rows=_found,
        value=lambda rows, user, unit, period: rate(
            rows.filter(status=Status.CLOSED).count(), rows.count()
        ),
        ledger="rectification.items",
        link=_found_link,
        dimensions=DIMENSIONS,
        description=_("Of the items found in the period, the share closed out (整改完成率)."),
    )
)

register_metric(
    Metric(
        key="rectification.items.overdue",
        label=_("Overdue problems"),
        measure="条",
        module="rectification",
        rows=lambda user, unit, period: (
            _items(user, unit).overdue(timezone.localdate()).filter(found_date__lte=period.end)
        ),
        ledger="rectification.items",
        link=lambda unit, period: {"overdue": "true", "found_date__lte": period.end.isoformat()},
        dimensions=DIMENSIONS,
        description=_(
            "Items found by the end of the period, past their deadline and not closed out today."
        ),
    )
)

register_metric(
    Metric(
        key="rectification.items.open",
        label=_("Problems being rectified"),
        measure="条",
        module="rectification",
        rows=lambda user, unit, period: (
            _items(user, unit).exclude(status=Status.CLOSED).filter(found_date__lte=period.end)
        ),
        ledger="rectification.items",
        link=lambda unit, period: {"found_date__lte": period.end.isoformat(), "open": "true"},
        dimensions=DIMENSIONS,
        description=_("Items found by the end of the period and not closed out today."),
    )
)
