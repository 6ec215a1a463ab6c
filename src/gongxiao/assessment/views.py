"""Pages of 绩效考核 beyond the kit: the ranking table of a cycle and a unit's score sheet, in
Excel and Word, for whoever may see the cycle or the sheet (else 404)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.encoding import escape_uri_path

from . import exports
from .models import Cycle, Sheet

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _file(name: str, data: bytes) -> HttpResponse:
    resp = HttpResponse(data, content_type=TYPES[name.rsplit(".", 1)[1]])
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return resp


def _cycle(request, pk):
    cycle = Cycle.objects.visible_to(request.user).filter(pk=pk).first()
    if cycle is None:
        raise Http404
    return cycle


def _sheet(request, pk):
    sheet = (
        Sheet.objects.visible_to(request.user)
        .select_related("cycle", "unit", "person")
        .filter(pk=pk)
        .first()
    )
    if sheet is None:
        raise Http404
    return sheet


@login_required
def ranking_xlsx(request, pk: int):
    return _file(*exports.ranking_xlsx(_cycle(request, pk), request.user))


@login_required
def ranking_docx(request, pk: int):
    return _file(*exports.ranking_docx(_cycle(request, pk), request.user))


@login_required
def sheet_xlsx(request, pk: int):
    return _file(*exports.sheet_xlsx(_sheet(request, pk)))


@login_required
def sheet_docx(request, pk: int):
    return _file(*exports.sheet_docx(_sheet(request, pk)))
