"""会议记录 in Word: the record of one meeting as sealed (members, matters, statements, outcome,
decision, minutes, amendments) with its seal and the unit's chain head, to be printed or sent to
the supervising body. The chain head on it lets a later `verify-seals --anchors` or a reader
with the paper catch a chain shortened or recomputed after it was printed."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from gongxiao.core import wordfile

from . import anchors
from .filing import _date, _font, _votes
from .models import Meeting, Seal


def _para(doc, text, size=12, name="仿宋_GB2312", bold=False, center=False):
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    _font(run, name, size)
    run.bold = bold
    return p


def seal_lines(meeting) -> list[str]:
    """The meeting's seals and its unit's chain head, as printed on the minutes."""
    seals = list(meeting.seals.order_by("position"))
    if not seals:
        return ["本会议记录尚未封存。"]
    lines = [
        f"封存 #{s.position}（{'会议' if s.kind == Seal.Kind.MEETING else '更正'}，"
        f"{timezone.localtime(s.sealed_at):%Y-%m-%d %H:%M}）摘要 {s.digest}"
        for s in seals
    ]
    for head in anchors.heads([meeting.unit_id]):
        lines.append(
            f"本单位封存链头（截至{timezone.localtime():%Y-%m-%d %H:%M}）：共{head['count']}个，"
            f"末位摘要 {head['digest']}"
        )
    return lines


def document(meeting) -> bytes:
    doc = wordfile.new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(26)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    _para(doc, f"{meeting}会议记录", size=22, name="方正小标宋简体", center=True)
    _para(doc, f"时间：{_date(meeting.date)}　地点：{meeting.place}")
    if meeting.chair_id:
        _para(doc, f"主持：{meeting.chair.name}")
    members = meeting.attendances.select_related("person")
    present = "、".join(a.person.name for a in members if a.role == "member" and a.present)
    absent = "、".join(
        f"{a.person.name}（{a.absence_reason}）"
        for a in members
        if a.role == "member" and not a.present
    )
    attendees = "、".join(a.person.name for a in members if a.role == "attendee")
    _para(doc, f"出席：{present or '无'}")
    if absent:
        _para(doc, f"缺席：{absent}")
    if attendees:
        _para(doc, f"列席：{attendees}")
    for m in meeting.matters.prefetch_related("statements__person").order_by("order", "id"):
        _para(doc, f"议题{m.order}：{m.title}", name="黑体", size=14)
        for s in m.statements.all():
            remarks = f"（{s.remarks}）" if s.remarks else ""
            _para(doc, f"{s.person.name}：{s.get_position_display()}{remarks}")
        _para(doc, f"表决情况：{_votes(m)}")
        if m.decision_text:
            _para(doc, f"决定事项：{m.decision_text}")
    _para(doc, "会议记录", name="黑体", size=14)
    for text in meeting.minutes.splitlines() or [""]:
        _para(doc, text)
    amendments = list(meeting.amendments.all())
    if amendments:
        _para(doc, "更正", name="黑体", size=14)
        for a in amendments:
            _para(doc, f"{timezone.localtime(a.created_at):%Y-%m-%d %H:%M} {a.text}")
    for text in seal_lines(meeting):
        _para(doc, text, size=9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@login_required
def minutes_docx(request, pk):
    meeting = get_object_or_404(
        Meeting.objects.permitted(request.user, "export").select_related("chair", "unit"), pk=pk
    )
    return FileResponse(
        io.BytesIO(document(meeting)), as_attachment=True, filename=f"{meeting}会议记录.docx"
    )


def record(meeting) -> dict:
    """The minutes as the print page shows them: the same content as the Word file."""
    members = list(meeting.attendances.select_related("person"))
    matters = []
    for m in meeting.matters.prefetch_related("statements__person").order_by("order", "id"):
        matters.append(
            {
                "order": m.order,
                "title": m.title,
                "statements": [
                    (s.person.name, s.get_position_display(), s.remarks) for s in m.statements.all()
                ],
                "votes": _votes(m),
                "decision": m.decision_text,
            }
        )
    return {
        "title": f"{meeting}会议记录",
        "date": _date(meeting.date),
        "place": meeting.place,
        "chair": meeting.chair.name if meeting.chair_id else "",
        "present": "、".join(a.person.name for a in members if a.role == "member" and a.present),
        "absent": "、".join(
            f"{a.person.name}（{a.absence_reason}）"
            for a in members
            if a.role == "member" and not a.present
        ),
        "attendees": "、".join(a.person.name for a in members if a.role == "attendee"),
        "matters": matters,
        "minutes": meeting.minutes,
        "amendments": [
            (f"{timezone.localtime(a.created_at):%Y-%m-%d %H:%M}", a.text)
            for a in meeting.amendments.all()
        ],
        "seals": seal_lines(meeting),
    }


@login_required
def minutes_print(request, pk):
    from django.shortcuts import render
    from django.urls import reverse

    meeting = get_object_or_404(
        Meeting.objects.permitted(request.user, "view").select_related("chair", "unit"), pk=pk
    )
    return render(
        request,
        "decisions/minutes_print.html",
        {
            "r": record(meeting),
            "back_url": reverse("ledger-detail", args=["decisions", "meetings", meeting.pk]),
            "docx_url": reverse("decisions:minutes-docx", args=[meeting.pk]),
        },
    )
