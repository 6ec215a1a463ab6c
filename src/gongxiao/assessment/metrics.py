"""Figures of 绩效考核 for reports and dashboards: the units assessed in the period, their
average score, and a unit's rank in its peer group — from published cycles whose period lies
within the report's, each drilling to the score sheets behind it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from django.db.models import Avg
from django.utils.translation import gettext_lazy as _

from gongxiao.core.metrics import Metric, register_metric

from .models import Cycle, Sheet

DIMENSIONS = {"peer_group": "peer_group", "kind": "cycle__kind", "cycle": "cycle"}


def published_in(qs, period):
    """Sheets of published cycles whose period lies within `period`."""
    return qs.filter(
        cycle__status=Cycle.Status.PUBLISHED,
        cycle__period_start__gte=period.start,
        cycle__period_end__lte=period.end,
    )


def _rows(user, unit, period):
    qs = published_in(Sheet.objects.visible_to(user), period).filter(person=None)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def _own_rows(user, unit, period):
    qs = published_in(Sheet.objects.visible_to(user), period).filter(person=None)
    return qs.filter(unit=unit) if unit is not None else qs.none()


def _link(unit, period):
    return {"in_period": period.code}


def _units(rows, user, unit, period):
    return rows.order_by().values("unit").distinct().count()


def _average(rows, user, unit, period):
    avg = rows.aggregate(v=Avg("total"))["v"]
    if avg is None:
        return None
    return Decimal(str(avg)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _rank(rows, user, unit, period):
    """The rank of the unit's own sheet in its latest published cycle of the period."""
    latest = rows.exclude(rank=None).order_by("-cycle__period_end", "-cycle_id").first()
    return latest.rank if latest else None


register_metric(
    Metric(
        key="assessment.sheets.assessed",
        label=cast(str, _("Units assessed")),
        measure="家",
        module="assessment",
        rows=_rows,
        value=_units,
        ledger="assessment.sheets",
        link=_link,
        dimensions=DIMENSIONS,
        description=cast(str, _("Units with a published score sheet in a cycle of the period.")),
    )
)
register_metric(
    Metric(
        key="assessment.sheets.average",
        label=cast(str, _("Average assessment score")),
        measure="分",
        module="assessment",
        rows=_rows,
        value=_average,
        ledger="assessment.sheets",
        link=_link,
        dimensions=DIMENSIONS,
        description=cast(str, _("The mean total of the published score sheets of the period.")),
    )
)
register_metric(
    Metric(
        key="assessment.sheets.rank",
        label=cast(str, _("Rank in the peer group")),
        measure="名",
        module="assessment",
        rows=_own_rows,
        value=_rank,
        ledger="assessment.sheets",
        link=_link,
        dimensions=DIMENSIONS,
        description=cast(
            str, _("The unit's own rank in its latest published cycle of the period.")
        ),
    )
)
