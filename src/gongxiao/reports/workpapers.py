"""The working papers (数据底稿) of a report: an index of every figure it prints, and one sheet
per figure with the metric, the unit subtree, the period, the filters, the time the figures were
taken and the rows behind it, as the user who exported it may see them."""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from gongxiao.core import excel, xlsx
from gongxiao.core.ledgers import get_ledger_by_key

from .placeholders import plain_title

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def sheet_name(used) -> str:
    return _BAD_SHEET_CHARS.sub("", f"{used.id} {used.label}")[:31]


WORKPAPERS = "数据底稿"  # in file names, whatever the language of the page


def _period_words(name, value) -> str:
    """A filter that takes a period (closed_in=2022) reads as the period: 2022年."""
    from gongxiao.core.periods import parse_period

    if name.endswith("_in"):
        try:
            return parse_period(str(value)).label
        except ValueError:
            pass
    return str(value)


def _filters_text(used, user=None) -> str:
    """The filters selecting the figure's rows, in words: 会议类型：党组会；期间：2022年 …"""
    from gongxiao.org.models import Unit

    from .labels import _field, choice_label, field_label

    model = used.rows.model if used.rows is not None else None
    params = used.metric.link(used.unit, used.period) if used.metric.link else {}
    params = {**params, **used.filters}
    extra = {}
    if used.metric.ledger:
        try:
            extra = get_ledger_by_key(used.metric.ledger).extra_filters()
        except KeyError:
            extra = {}
    words = []
    ranges: dict[str, dict] = {}
    for k, v in params.items():
        m = re.match(r"^(?P<f>.+)__(?P<op>gte|lte)$", k)
        if m and model is not None:
            path = m["f"]
            if path.endswith("__date") and _field(model, path) is None:
                path = path[: -len("__date")]  # closed_at__date: the date of a time
            ranges.setdefault(path, {})[m["op"]] = str(v)
            continue
        if k in ("unit", "unit_only", used.metric.unit_field):
            unit = Unit.objects.filter(pk=v).first()
            own = _("itself only")
            words.append(f"{_('Unit')}：{unit.name if unit else v}（{own}）")
        elif k in extra:
            words.append(f"{extra[k].label}：{_period_words(k, v)}")
        elif model is not None:
            words.append(f"{field_label(model, k)}：{choice_label(model, k, v, user)}")
        else:
            words.append(f"{k}：{v}")
    for f, r in ranges.items():
        label = field_label(model, f)
        if (
            r.get("gte") == used.period.start.isoformat()
            and r.get("lte") == used.period.end.isoformat()
        ):
            words.append(f"{_('Period')}（{label}）：{used.period.label}")
        else:
            words.append(f"{label}：{r.get('gte', '')}—{r.get('lte', '')}")
    return "；".join(words)


def write(document, draft, user, target, *, progress=None) -> dict:
    """Write the working papers of `document` to `target`; returns {figure id: rows listed}."""
    as_of = timezone.localtime(document.resolver.as_of)
    wb = xlsx.workbook(
        target,
        {"constant_memory": True, "in_memory": False, "remove_timezone": True},
    )
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#E7EEF7", "border": 1})
    index = wb.add_worksheet(_("Index"))
    index.set_column(0, 0, 8)
    index.set_column(1, 1, 30)
    index.set_column(2, 2, 36)
    index.set_column(3, 9, 14)
    xlsx.write_row(index, 0, 0, [_("Report"), plain_title(draft)], bold)
    xlsx.write_row(
        index, 1, 0, [_("Unit"), _("%(unit)s and the units below it") % {"unit": draft.unit}]
    )
    xlsx.write_row(index, 2, 0, [_("Period"), draft.period_obj.label])
    xlsx.write_row(index, 3, 0, [_("Figures taken at"), as_of.strftime("%Y-%m-%d %H:%M:%S")])
    xlsx.write_row(index, 4, 0, [_("Taken by"), user.get_full_name() or user.get_username()])
    headers = [
        _("No."),
        _("Metric"),
        _("Metric key"),
        _("Measure"),
        _("Unit"),
        _("Period"),
        _("Filters"),
        _("Value"),
        _("Rows listed"),
        _("Sheet"),
    ]
    xlsx.write_row(index, 6, 0, headers, head)
    counts = {}
    figures = document.figures
    for i, used in enumerate(figures, start=1):
        name = sheet_name(used)
        ws = wb.add_worksheet(name)
        ws.set_column(0, 0, 16)
        # Each row as it stood at the end of the figure's period, not as it stands today.
        on = min(used.period.end, as_of.date())
        meta = [
            (_("No."), used.id),
            (_("Metric"), used.label),
            (_("Metric key"), used.metric.key),
            (_("Measure"), used.metric.measure),
            (_("Definition"), str(used.metric.description or "")),
            (_("Unit"), _("%(unit)s and the units below it") % {"unit": used.unit}),
            (
                _("Period"),
                f"{used.period.label}（{used.period.start:%Y-%m-%d} — {used.period.end:%Y-%m-%d}）",
            ),
            (_("Filters"), _filters_text(used, user)),
            (_("Figures taken at"), as_of.strftime("%Y-%m-%d %H:%M:%S")),
            (_("Rows as they stood on"), on.isoformat()),
            (_("Value"), used.text),
        ]
        for r, (label, value) in enumerate(meta):
            xlsx.write_cell(ws, r, 0, str(label), bold)
            xlsx.write_cell(ws, r, 1, str(value))
        n = 0
        if used.metric.ledger and used.rows is not None:
            ledger = get_ledger_by_key(used.metric.ledger)
            fields = ledger.export_field_names
            rows = ledger.rows_as_of(used.rows.order_by("pk"), on)
            # The names the export shows, fetched with the rows (not one query per cell).
            if related := ledger.related_fields(fields):
                rows = rows.select_related(*related)
            if many := ledger.m2m_names(fields):
                rows = rows.prefetch_related(*many)
            xlsx.write_cell(ws, len(meta), 0, _("Rows listed"), bold)
            n = rows.count()
            xlsx.write_cell(ws, len(meta), 1, n)
            excel.write_rows(
                wb,
                ws,
                ledger,
                rows.iterator(chunk_size=2000),
                user,
                fields,
                first_row=len(meta) + 2,
                as_of=on,
            )
        counts[used.id] = n
        xlsx.write_row(
            index,
            6 + i,
            0,
            [
                used.id,
                used.label,
                used.metric.key,
                used.metric.measure,
                str(used.unit),
                used.period.label,
                _filters_text(used, user),
                used.text,
                n,
                name,
            ],
        )
        if progress:
            progress(i, len(figures))
    wb.close()
    return counts
