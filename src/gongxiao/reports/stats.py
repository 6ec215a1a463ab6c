"""Statistical tables (统计表): units × metrics for a period, in Excel. Each row is the unit's
own rows (本级) or a child's subtree; the last row is the total; with the comparison, each
metric also shows the same period last year and the change."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import metrics, xlsx


def _number(value):
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _cell(figure):
    """A figure's cell: its number, or 无 for a rate with nothing to divide."""
    if figure.value is None and figure.metric.measure == "%":
        return metrics.display(None, "%")
    return _number(figure.value)


def _change(current, previous):
    """Per cent against last year; for a percentage, the change in points."""
    c = metrics.Comparison(current, previous)
    return c.change_points if current.metric.measure == "%" else c.change_rate


def write(*, user, unit, period, keys: list[str], compare: bool, target, progress=None) -> int:
    """Write the table to `target`; returns the number of unit rows."""
    as_of = timezone.localtime()
    children = metrics.child_units(user, unit)
    columns = []
    for n, key in enumerate(keys, start=1):
        cur = metrics.rollup(key, user, unit, period, children=children)
        prev = (
            metrics.rollup(key, user, unit, period.previous_year(), children=children)
            if compare
            else None
        )
        total = metrics.compute(key, user, unit, period)
        total_prev = metrics.compute(key, user, unit, period.previous_year()) if compare else None
        columns.append((metrics.get_metric(key), cur, prev, total, total_prev))
        if progress:
            progress(n, len(keys))
    wb = xlsx.workbook(target, {"in_memory": True})
    title = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head = wb.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1, "text_wrap": True})
    cell = wb.add_format({"border": 1})
    num = wb.add_format({"border": 1})
    bold = wb.add_format({"border": 1, "bold": True})
    ws = wb.add_worksheet(_("Statistics"))
    width = 1 + len(columns) * (3 if compare else 1)
    xlsx.merge_cells(
        ws,
        0,
        0,
        0,
        max(width - 1, 1),
        _("%(unit)s statistics, %(period)s") % {"unit": unit.name, "period": period.label},
        title,
    )
    xlsx.write_cell(
        ws,
        1,
        0,
        _("Figures taken at %(t)s") % {"t": as_of.strftime("%Y-%m-%d %H:%M")},
        measure=False,
    )
    headers = [_("Unit")]
    for metric, *_rest in columns:
        headers.append(f"{metric.label}（{metric.measure}）")
        if compare:
            headers += [
                _("Same period last year"),
                _("Change (points)") if metric.measure == "%" else _("Change (%)"),
            ]
    xlsx.write_row(ws, 3, 0, headers, head)
    aligned = [c[1] for c in columns] + [c[2] for c in columns if c[2] is not None]
    shown = metrics.live_rows(aligned)
    base = columns[0][1] if columns else []
    r = 4
    name_widths: list[int] = []
    for i in shown:
        row = base[i]
        name = _("%(unit)s (own)") % {"unit": row.unit.name} if row.own else row.unit.name
        xlsx.write_cell(ws, r, 0, name, cell)
        name_widths.append(xlsx.text_width(name) + 2)
        c = 1
        for _metric, cur, prev, *_t in columns:
            xlsx.write_cell(ws, r, c, _cell(cur[i].figure), num)
            c += 1
            if compare:
                xlsx.write_cell(ws, r, c, _cell(prev[i].figure), num)
                xlsx.write_cell(ws, r, c + 1, _number(_change(cur[i].figure, prev[i].figure)), num)
                c += 2
        r += 1
    xlsx.write_cell(ws, r, 0, _("Total"), bold)
    c = 1
    for _m, _cur, _prev, total, total_prev in columns:
        xlsx.write_cell(ws, r, c, _cell(total), bold)
        c += 1
        if compare:
            xlsx.write_cell(ws, r, c, _cell(total_prev), bold)
            xlsx.write_cell(ws, r, c + 1, _number(_change(total, total_prev)), bold)
            c += 2
    # The unit names as wide as they are; a metric's long label wraps in its header. The title,
    # the time and the headers repeat on every printed page, the names stay in view.
    xlsx.finish_sheet(ws, header_rows=4, columns=width, min_width=10, max_width=16, freeze_cols=1)
    ws.set_column(0, 0, min(36, max(16, xlsx.text_width(_("Unit")) + 2, *name_widths)))
    notes = wb.add_worksheet(_("Definitions"))
    notes.set_column(0, 0, 36)
    notes.set_column(1, 1, 30)
    notes.set_column(2, 2, 60)
    xlsx.write_row(notes, 0, 0, [_("Metric key"), _("Metric"), _("Definition")], head)
    for n, (metric, *_rest) in enumerate(columns, start=1):
        xlsx.write_row(notes, n, 0, [metric.key, str(metric.label), str(metric.description or "")])
    wb.close()
    return len(shown)
