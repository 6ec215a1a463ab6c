"""What the dashboard shows for a unit subtree and a period: key figures against last year,
a two-year trend, the figures by child unit, and status shares. Every number, bar, point and
slice carries the address of its rows."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import metrics, scoping
from gongxiao.core.periods import Period, parse_period

from .labels import choice_label, field_label
from .placeholders import fmt

TILES = [
    "rectification.items.found",
    "rectification.items.closed",
    "rectification.items.closeout_rate",
    "rectification.items.overdue",
    "decisions.meetings.held",
    "decisions.matters.count",
    "supervision.talks.persons",
    "supervision.inspections.count",
    "supervision.audits.count",
    "supervision.education.sessions",
    "party.elections.overdue",
]
# Figures that call for action when they are not zero: their tile is flagged.
FLAGGED = {"party.elections.overdue"}
TREND = ["rectification.items.found", "rectification.items.closed"]
BY_UNIT = ["rectification.items.found", "rectification.items.closed", "decisions.matters.count"]
SHARES = [
    ("rectification.items.found", "status"),
    ("decisions.matters.count", "category"),
    ("supervision.talks.count", "kind"),
]


def _allowed(user, key) -> bool:
    return scoping.can_any(user, metrics.get_metric(key).module, "view")


def _num(value):
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def months_to(period: Period, n: int = 24) -> list[Period]:
    """The n months up to the end of the period, or up to this month if that is earlier."""
    end = min(period.end, timezone.localdate())
    y, m = end.year, end.month
    out = []
    for _i in range(n):
        try:
            out.append(parse_period(f"{y}-{m:02d}"))
        except ValueError:  # before the first year a period may have
            break
        m -= 1
        if m == 0:
            y, m = y - 1, 12
    return list(reversed(out))


def build(user, unit, period: Period) -> dict:
    tiles = []
    for key in TILES:
        if not _allowed(user, key):
            continue
        c = metrics.compare(key, user, unit, period)
        tiles.append(
            {
                "metric": c.current.metric,
                "value": metrics.display(c.current.value, c.current.metric.measure),
                "url": c.current.url,
                "change": c.change_rate,
                "points": c.change_points,
                "last_year": metrics.display(c.previous.value, c.current.metric.measure),
                "flag": key in FLAGGED and bool(c.current.value),
            }
        )
    charts = []
    keys = [k for k in TREND if _allowed(user, k)]
    if keys:
        months = months_to(period)
        series = []
        for key in keys:
            points = metrics.trend(key, user, unit, months)
            series.append(
                {
                    "name": str(metrics.get_metric(key).label),
                    "values": [_num(f.value) for _p, f in points],
                    "urls": [f.url for _p, f in points],
                }
            )
        charts.append(
            {
                "id": "chart-trend",
                "type": "line",
                "title": _("Rectification items by month, last 24 months"),
                "labels": [p.code for p in months],
                "series": series,
            }
        )
    keys = [k for k in BY_UNIT if _allowed(user, k)]
    if keys:
        children = metrics.child_units(user, unit)
        columns = [metrics.rollup(k, user, unit, period, children=children) for k in keys]
        shown = metrics.live_rows(columns)
        columns = [[col[i] for i in shown] for col in columns]
        labels = [
            (_("%(unit)s (own)") % {"unit": r.unit.name}) if r.own else r.unit.name
            for r in columns[0]
        ]
        charts.append(
            {
                "id": "chart-units",
                "type": "bar",
                "title": _("By unit"),
                "labels": labels,
                "series": [
                    {
                        "name": str(metrics.get_metric(k).label),
                        "values": [_num(r.figure.value) for r in col],
                        "urls": [r.figure.url for r in col],
                    }
                    for k, col in zip(keys, columns, strict=True)
                ],
            }
        )
    for key, dimension in SHARES:
        if not _allowed(user, key):
            continue
        metric = metrics.get_metric(key)
        parts = metrics.breakdown(key, user, unit, period, dimension)
        if not parts:
            continue
        model = parts[0][1].rows.model
        path = metric.dimensions[dimension]
        charts.append(
            {
                "id": f"chart-{key.replace('.', '-')}-{dimension}",
                "type": "pie",
                "title": _("%(metric)s by %(field)s")
                % {"metric": metric.label, "field": field_label(model, path)},
                "labels": [choice_label(model, path, v, user) for v, _f in parts],
                "series": [
                    {
                        "name": str(metric.label),
                        "values": [_num(f.value) for _v, f in parts],
                        "urls": [f.url for _v, f in parts],
                    }
                ],
            }
        )
    return {"tiles": tiles, "charts": charts, "tables": [_table(c) for c in charts]}


def _table(chart) -> dict:
    """The chart's figures as rows of (label, [(value, url)]), for phones, screen readers and
    anyone who prefers a table."""
    rows = []
    for i, label in enumerate(chart["labels"]):
        rows.append((label, [(fmt(s["values"][i]), s["urls"][i]) for s in chart["series"]]))
    return {"chart": chart, "rows": rows}
