"""The metric registry: named figures computed from ledgers for (unit subtree, period), each
knowing its label, measure unit and the rows behind it. Apps declare theirs in metrics.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from gongxiao.core import scoping
from gongxiao.core.periods import Period

_metrics: dict[str, Metric] = {}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    measure: str  # 条, 人次, %, 万元 …
    module: str
    # rows(user, unit, period) -> the scoped queryset of rows the figure counts.
    rows: Callable[..., QuerySet]
    # value(rows_queryset, user, unit, period) -> the figure; the row count by default.
    value: Callable[..., object] | None = None
    # The ledger whose list shows the rows, and the list filters that select them.
    ledger: str = ""
    link: Callable[..., dict] | None = None
    description: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)  # name -> field to group by


@dataclass
class Figure:
    metric: Metric
    value: object
    rows: QuerySet
    url: str


def register_metric(metric: Metric) -> Metric:
    if metric.key in _metrics:
        raise RuntimeError(f"Metric {metric.key} is registered twice.")
    _metrics[metric.key] = metric
    return metric


def get_metric(key: str) -> Metric:
    return _metrics[key]


def all_metrics(user=None) -> list[Metric]:
    """Every metric, or those whose rows `user` may see."""
    metrics = list(_metrics.values())
    if user is None:
        return metrics
    return [m for m in metrics if scoping.can_any(user, m.module, "view")]


def compute(key: str, user, unit, period: Period, filters: dict | None = None) -> Figure:
    """The figure of `key` for `unit`'s subtree and `period`, as `user` may see it."""
    metric = _metrics[key]
    if not scoping.can_any(user, metric.module, "view"):
        # A restricted figure (the four forms) does not exist for those who may not see its rows.
        raise PermissionDenied(_("Your roles do not allow this figure."))
    rows = metric.rows(user, unit, period)
    if filters:
        rows = rows.filter(**filters)
    value = metric.value(rows, user, unit, period) if metric.value else rows.count()
    return Figure(metric=metric, value=value, rows=rows, url=link(metric, unit, period, filters))


def link(metric: Metric, unit, period: Period, extra: dict | None = None) -> str:
    if not metric.ledger:
        return ""
    app_label, slug = metric.ledger.split(".")
    params = {"unit": unit.pk} if unit is not None else {}
    if metric.link:
        params.update(metric.link(unit, period))
    for k, v in (extra or {}).items():
        if v is None:
            return ""  # the list has no filter for "none"; better no link than a wrong one
        # A breakdown by unit counts the unit's own rows, not its subtree.
        params["unit_only" if k == "unit" else k] = v
    base = reverse("ledger-list", kwargs={"app_label": app_label, "slug": slug})
    return f"{base}?{urlencode(params)}"


def breakdown(key: str, user, unit, period: Period, dimension: str) -> list[tuple[object, Figure]]:
    """The figure split by one dimension (a field of the rows), largest first."""
    metric = _metrics[key]
    path = metric.dimensions[dimension]
    rows = metric.rows(user, unit, period)
    values = rows.order_by().values_list(path, flat=True).distinct()
    out = []
    for v in values:
        out.append((v, compute(key, user, unit, period, {path: v})))
    return sorted(out, key=lambda pair: -float(pair[1].value or 0))


def rate(part: int, whole: int) -> Decimal | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
