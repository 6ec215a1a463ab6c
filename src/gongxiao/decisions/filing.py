"""报备: the list of matters decided collectively, for the supervising body, in Excel and Word,
for the working unit's subtree and a period."""

from __future__ import annotations

import datetime
import decimal
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt

from gongxiao.core import scoping, wordfile, xlsx
from gongxiao.core.periods import parse_period

from . import anchors
from .models import Matter, Meeting, Seal

COLUMNS = [
    "序号",
    "单位",
    "会议",
    "会议日期",
    "议题",
    "类别",
    "金额（万元）",
    "前置研究",
    "表决情况",
    "决定事项",
]


def _date(d):
    return f"{d.year}年{d.month}月{d.day}日"


def matters_for(user, unit, period):
    qs = (
        Matter.objects.permitted(user, "export")
        .filter(meeting__date__gte=period.start, meeting__date__lte=period.end)
        .select_related("meeting", "meeting__unit")
        .prefetch_related("statements")
    )
    if unit is not None:
        qs = qs.filter(meeting__unit__path__startswith=unit.path)
    return qs.order_by("meeting__unit__path", "meeting__date", "order", "id")


def _votes(m) -> str:
    agree = sum(1 for s in m.statements.all() if s.position == "agree")
    disagree = sum(1 for s in m.statements.all() if s.position == "disagree")
    defer = sum(1 for s in m.statements.all() if s.position == "defer")
    return f"{m.get_outcome_display()}（同意{agree}，不同意{disagree}，缓议{defer}）"


# Widths of the columns in characters (Excel) and their shares of the Word table's width.
WIDTHS = [6, 16, 24, 13, 30, 12, 11, 9, 24, 40]


def rows(matters):
    """One list per matter: numbers as numbers (the amount a Decimal) and the date a date, so
    the Excel file holds values; `display` makes the text of a page or a Word table."""
    for i, m in enumerate(matters, start=1):
        yield [
            i,
            m.meeting.unit.name,
            str(m.meeting),
            m.meeting.date,
            m.title,
            m.get_category_display().split(" (")[0].split("（")[0],
            m.amount,
            "是" if m.party_prior_study else "否",
            _votes(m),
            m.decision_text,
        ]


def display(value) -> str:
    """A cell of `rows` as printed text: dates as 2026年12月1日, amounts with two decimals."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return _date(value)
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    return str(value)


def _context(request):
    if not scoping.can_any(request.user, "decisions", "export"):
        raise PermissionDenied
    try:
        period = parse_period(request.GET.get("period") or request.working_period.code)
    except ValueError:
        period = request.working_period
    unit = request.working_unit
    return unit, period, matters_for(request.user, unit, period)


def seal_head_lines(user, unit) -> list[str]:
    """The chain heads (count of seals, last digest) of the units whose sealed meetings the user
    may file, printed under the list: the supervising body keeps them, and a chain later
    shortened or recomputed no longer ends there (`gongxiao verify-seals`)."""
    meetings = Meeting.objects.permitted(user, "export")
    if unit is not None:
        meetings = meetings.filter(unit__path__startswith=unit.path)
    units = Seal.objects.filter(meeting__in=meetings).values("unit_id").distinct()
    heads = anchors.heads(units.values_list("unit_id", flat=True))
    if not heads:
        return []
    now = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return [f"封存链头（截至{now}，供核验）："] + [
        f"{h['unit'].name}：封存{h['count']}个，末位摘要 {h['digest']}" for h in heads
    ]


def _title(unit, period):
    return f"{unit.name if unit else ''}{period.label}“三重一大”事项报备表"


@login_required
def filing(request):
    unit, period, matters = _context(request)
    return render(
        request,
        "decisions/filing.html",
        {
            "unit": unit,
            "period": period,
            "rows": [[display(v) for v in row] for row in rows(matters)],
            "columns": COLUMNS,
            "title": _title(unit, period),
            "seal_heads": seal_head_lines(request.user, unit),
        },
    )


@login_required
def filing_xlsx(request):
    unit, period, matters = _context(request)
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("报备表")
    title = wb.add_format(
        {"bold": True, "font_size": 16, "align": "center", "font_name": "方正小标宋简体"}
    )
    head = wb.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "font_name": "黑体",
        }
    )
    body_style = {"border": 1, "valign": "top", "text_wrap": True, "font_name": "仿宋_GB2312"}
    body = wb.add_format(body_style)
    formats = {
        datetime.date: wb.add_format({**body_style, "num_format": "yyyy-mm-dd"}),
        decimal.Decimal: wb.add_format({**body_style, "num_format": "#,##0.00"}),
    }
    xlsx.merge_cells(ws, 0, 0, 0, len(COLUMNS) - 1, _title(unit, period), title)
    ws.set_row(0, 30)
    xlsx.write_row(ws, 1, 0, COLUMNS, head)
    for r, row in enumerate(rows(matters), start=2):
        for c, v in enumerate(row):
            xlsx.write_cell(ws, r, c, v, formats.get(type(v), body))
    for r, text in enumerate(seal_head_lines(request.user, unit), start=matters.count() + 3):
        xlsx.write_cell(ws, r, 0, text, measure=False)
    xlsx.finish_sheet(
        ws, header_rows=2, columns=len(COLUMNS), widths=dict(enumerate(WIDTHS)), landscape=True
    )
    wb.close()
    return FileResponse(
        io.BytesIO(buf.getvalue()), as_attachment=True, filename=f"{_title(unit, period)}.xlsx"
    )


def _font(run, name, size):
    run.font.name = name
    run.font.size = Pt(size)
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)


@login_required
def filing_docx(request):
    unit, period, matters = _context(request)
    doc = wordfile.new_document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(_title(unit, period)), "方正小标宋简体", 22)
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(text), "黑体", 10.5)
    wordfile.repeat_header(table.rows[0])
    for row in rows(matters):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(display(value)), "仿宋_GB2312", 10.5)
    text_width = Mm(297 - 20 - 20)  # the landscape page less its margins
    wordfile.set_column_widths(table, [Emu(int(text_width * w / sum(WIDTHS))) for w in WIDTHS])
    for text in seal_head_lines(request.user, unit):
        _font(doc.add_paragraph().add_run(text), "仿宋_GB2312", 9)
    buf = io.BytesIO()
    doc.save(buf)
    return FileResponse(
        io.BytesIO(buf.getvalue()), as_attachment=True, filename=f"{_title(unit, period)}.docx"
    )
