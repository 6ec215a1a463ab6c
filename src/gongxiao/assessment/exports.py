"""The score sheet of a unit and the ranking table of a cycle, in Excel (through core.xlsx, so a
typed text never becomes a formula) and in Word (core.wordfile)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from gongxiao.core import xlsx
from gongxiao.core.metrics import number
from gongxiao.core.wordfile import new_document, repeat_header

from . import services


def _n(v) -> str:
    return number(v) if v is not None else ""


def ranking_rows(cycle, user) -> tuple[list[str], list[list]]:
    head = [
        _("peer group"),
        _("rank in peer group"),
        _("assessed"),
        _("total score"),
        _("grade"),
        _("change against the last cycle"),
    ]
    rows = []
    for s in services.ranking(cycle, user):
        delta = services.change(s)
        rows.append([s.peer_group, s.rank, s.assessed, s.total, s.grade, delta])
    return head, rows


def sheet_rows(sheet) -> tuple[list[str], list[list]]:
    head = [
        _("section"),
        _("indicator"),
        _("weight (points)"),
        _("target"),
        _("self-assessed value or points"),
        _("value from the metric"),
        _("assessed value or points"),
        _("points"),
        _("reason for the override"),
    ]
    rows = []
    for s in sheet.scores.select_related("indicator"):
        i = s.indicator
        rows.append(
            [
                i.section,
                i.name,
                i.weight,
                s.target,
                s.self_value,
                s.auto_value,
                s.value,
                s.points,
                s.override_reason,
            ]
        )
    return head, rows


def _xlsx(title: str, head: list, rows: list, foot: list[str]) -> bytes:
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(_("sheet")[:31])
    bold = wb.add_format({"bold": True, "font_size": 14, "align": "center"})
    head_fmt = wb.add_format({"bold": True, "border": 1, "align": "center", "text_wrap": True})
    body = wb.add_format({"border": 1, "text_wrap": True})
    xlsx.merge_cells(ws, 0, 0, 0, len(head) - 1, title, bold)
    xlsx.write_row(ws, 1, 0, head, head_fmt)
    for r, row in enumerate(rows, start=2):
        xlsx.write_row(ws, r, 0, row, body)
    for r, text in enumerate(foot, start=len(rows) + 3):
        xlsx.write_cell(ws, r, 0, text, measure=False)
    xlsx.finish_sheet(ws, header_rows=2, columns=len(head))
    wb.close()
    return buf.getvalue()


def _docx(title: str, head: list, rows: list, foot: list[str]) -> bytes:
    doc = new_document()
    doc.add_heading(title, level=1)
    table = doc.add_table(rows=1, cols=len(head))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, head, strict=True):
        cell.text = str(text)
    repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for cell, v in zip(cells, row, strict=True):
            cell.text = _n(v) if not isinstance(v, str) else v
    for text in foot:
        doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _ranking_title(cycle) -> str:
    return _("%(cycle)s: ranking") % {"cycle": cycle.name}


def _sheet_title(sheet) -> str:
    return _("%(who)s: score sheet of %(cycle)s") % {
        "who": sheet.assessed,
        "cycle": sheet.cycle.name,
    }


def _sheet_foot(sheet) -> list[str]:
    foot = [f"{_('total score')}：{_n(sheet.total)}"]
    if sheet.rank:
        foot.append(f"{_('rank in peer group')}：{sheet.rank}（{sheet.peer_group}）")
    if sheet.grade:
        foot.append(f"{_('grade')}：{sheet.grade}")
    return foot


def ranking_xlsx(cycle, user) -> tuple[str, bytes]:
    return f"{_ranking_title(cycle)}.xlsx", _xlsx(
        _ranking_title(cycle), *ranking_rows(cycle, user), []
    )


def ranking_docx(cycle, user) -> tuple[str, bytes]:
    return f"{_ranking_title(cycle)}.docx", _docx(
        _ranking_title(cycle), *ranking_rows(cycle, user), []
    )


def sheet_xlsx(sheet) -> tuple[str, bytes]:
    return f"{_sheet_title(sheet)}.xlsx", _xlsx(
        _sheet_title(sheet), *sheet_rows(sheet), _sheet_foot(sheet)
    )


def sheet_docx(sheet) -> tuple[str, bytes]:
    return f"{_sheet_title(sheet)}.docx", _docx(
        _sheet_title(sheet), *sheet_rows(sheet), _sheet_foot(sheet)
    )
