"""问题销号审批表: an item's record in the official layout, to print or as a Word file — the
problem, its measures and progress, the close-out request and the review, with room for
signatures. Whoever may see the item may print it; the Word file needs the export right."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .models import RectificationItem, Status
from .services import REQUEST_ACTIONS

TITLE = "问题销号审批表"


def _date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def _name(user) -> str:
    return user.display_name() if user is not None else ""


def record(item) -> dict:
    """What the form shows, in the order it shows it (the page and the Word file alike)."""
    transitions = list(item.transitions.select_related("user__person").order_by("at", "id"))
    requests = [t for t in transitions if t.action in REQUEST_ACTIONS]
    reviews = [t for t in transitions if t.action in ("close_out", "reject_close_out")]
    request = requests[-1] if requests else None
    review = reviews[-1] if reviews else None
    withdrawn = [t for t in transitions if t.action == "withdraw_close_out"]
    if request and withdrawn and transitions.index(withdrawn[-1]) > transitions.index(request):
        request = None  # taken back: the form shows no request until a new one is made
    fields = [
        ("责任单位", item.unit.name),
        ("问题来源", item.get_source_display()),
        ("问题类别", item.get_category_display()),
        ("发现时间", _date(item.found_date)),
        ("整改时限", _date(item.deadline) if item.deadline else item.get_kind_display()),
        ("责任领导", item.responsible_leader.name if item.responsible_leader_id else ""),
        ("责任人", item.responsible_person.name if item.responsible_person_id else ""),
        ("牵头部门", item.lead_department),
        ("问题描述", item.description),
    ]
    measures = [
        (
            i,
            m.description,
            m.owner.name if m.owner_id else "",
            _date(m.deadline),
            m.get_state_display(),
        )
        for i, m in enumerate(item.measures.select_related("owner").order_by("id"), start=1)
    ]
    progress = [
        (_date(p.date), p.text, "、".join(e.name for e in p.evidence.all()))
        for p in item.progress.prefetch_related("evidence").order_by("date", "id")
    ]
    closed = item.status == Status.CLOSED
    return {
        "title": item.title,
        "fields": fields,
        "measures": measures,
        "progress": progress,
        "request": (
            {"by": _name(request.user), "on": _date(request.on), "text": request.reason}
            if request
            else None
        ),
        "review": (
            {
                "by": _name(review.user),
                "on": _date(review.on),
                "text": review.reason,
                "result": "同意销号" if review.action == "close_out" else "退回整改",
            }
            if review
            else None
        ),
        "closed_on": _date(item.closed_on) if closed else "",
        "status": item.get_status_display(),
        "printed_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def _item(request, pk, right):
    return get_object_or_404(
        RectificationItem.objects.permitted(request.user, right).select_related(
            "unit", "responsible_leader", "responsible_person"
        ),
        pk=pk,
    )


@login_required
def item_record_print(request, pk):
    item = _item(request, pk, "view")
    ctx = {
        "item": item,
        "r": record(item),
        "form_title": TITLE,
        "back_url": reverse("ledger-detail", args=["rectification", "items", item.pk]),
        "docx_url": reverse("rectification:item-record-docx", args=[item.pk]),
    }
    return render(request, "rectification/item_record_print.html", ctx)


def _cell(cell, text, *, bold=False, center=False, size=11):
    cell.text = ""
    p = cell.paragraphs[0]
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text or "")
    run.bold = bold
    run.font.size = Pt(size)
    run.font.name = "仿宋_GB2312"
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋_GB2312")


def document(item) -> bytes:
    r = record(item)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(20)
    section.top_margin, section.bottom_margin = Mm(25), Mm(20)
    # The East Asian language of the document: Chinese, for line breaking and fonts.
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(TITLE)
    run.font.size = Pt(20)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "方正小标宋简体")

    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"

    def row(label, value):
        cells = table.add_row().cells
        _cell(cells[0], label, center=True)
        merged = cells[1].merge(cells[3])
        _cell(merged, value)

    row("问题名称", r["title"])
    for label, value in r["fields"]:
        row(label, value)
    row(
        "整改措施",
        "\n".join(
            f"{i}. {text}（责任人：{owner or '—'}；时限：{deadline or '—'}；{state}）"
            for i, text, owner, deadline, state in r["measures"]
        )
        or "—",
    )
    row(
        "整改进展",
        "\n".join(
            f"{on} {text}" + (f"（佐证：{files}）" if files else "")
            for on, text, files in r["progress"]
        )
        or "—",
    )
    req = r["request"]
    row(
        "申请销号",
        f"{req['text'] or '已完成整改，申请销号。'}\n申请人：{req['by']}　{req['on']}"
        if req
        else "",
    )
    rev = r["review"]
    row(
        "审核意见",
        f"{rev['result']}。{rev['text']}\n审核人：{rev['by']}　{rev['on']}" if rev else "",
    )
    row("销号日期", r["closed_on"] or f"（{r['status']}）")
    row("备注", "")
    widths = (Mm(32), Mm(45), Mm(40), Mm(48))
    for tr in table.rows:
        for cell, width in zip(tr.cells, widths, strict=False):
            cell.width = width
    foot = doc.add_paragraph()
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = foot.add_run(f"打印时间：{r['printed_at']}")
    run.font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@login_required
def item_record_docx(request, pk):
    item = _item(request, pk, "export")
    name = f"{TITLE}-{item.title[:40]}.docx".replace("/", "／")
    return FileResponse(io.BytesIO(document(item)), as_attachment=True, filename=name)
