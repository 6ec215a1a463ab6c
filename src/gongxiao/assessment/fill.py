"""Indicators filled from the metric catalogue. An indicator names a metric and, as a report's
placeholder does, its narrowing by dimensions (会议类型=党组会); both are read by the reports'
own parser and resolved by its `narrow`, and the figure is computed by `core.metrics.compute`
for the assessed unit and the cycle's period — the same figure, and the same rows, as a report
or the metric's page shows."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongxiao.core import metrics
from gongxiao.reports import placeholders


@dataclass
class Filled:
    value: object
    rows: list  # the primary keys of the rows behind the figure, as text
    url: str
    figure: metrics.Figure


def _ref(key: str, narrowing: str):
    """The indicator's binding as the reports read `{{ key | 维度=值 }}`."""
    mods = [m.strip() for m in (narrowing or "").replace("｜", "|").split("|") if m.strip()]
    return placeholders.parse("{{ " + " | ".join([key, *mods]) + " }}")[0]


def binding_problem(key: str, narrowing: str = "") -> str | None:
    """Why `key` with `narrowing` names no figure (unknown metric, a dimension it lacks, a
    modifier such as 上年 that has no sense here), or None."""
    ref = _ref(key, narrowing)
    if isinstance(ref, placeholders.BadRef):
        return ref.message
    if not isinstance(ref, placeholders.FigureRef):
        return _("An indicator is bound to one metric.")
    if ref.modifiers:
        return _("An indicator takes the figure of its own period: no 上年, 同比 or 本专项.")
    return None


def figure(key: str, narrowing: str, user, unit, period) -> Filled:
    """The figure of the bound metric for `unit` and `period`, as `user` may see it; the
    narrowing resolved exactly as in a report (placeholders.narrow)."""
    ref = _ref(key, narrowing)
    if not isinstance(ref, placeholders.FigureRef):
        raise ValueError(binding_problem(key, narrowing) or key)
    metric = metrics.get_metric(ref.key)
    filters: dict = {}
    for name, value in ref.narrow:
        found = placeholders.narrow(metric, name, value, user)
        if isinstance(found, str):
            raise ValueError(found)
        filters.update(found)
    fig = metrics.compute(ref.key, user, unit, period, filters or None)
    pks = [str(pk) for pk in fig.rows.order_by().values_list("pk", flat=True)]
    return Filled(value=fig.value, rows=pks, url=fig.url, figure=fig)


def metric_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (m.key, f"{m.label}（{m.key}，{m.measure}）")
        for m in sorted(metrics.all_metrics(), key=lambda m: m.key)
    ]
