"""Helpers for the generic ledger tests."""

from __future__ import annotations

import datetime
import io

import xlsxwriter
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongxiao.core.excel import header_label


def ledger_url(ledger, name, **kw):
    return reverse(
        f"ledger-{name}", kwargs={"app_label": ledger.app_label, "slug": ledger.slug, **kw}
    )


def api_url(ledger, pk=None):
    base = f"/api/{ledger.app_label}/{ledger.slug}/"
    return base if pk is None else f"{base}{pk}/"


def detail_href(ledger, obj) -> str:
    return f'href="{ledger_url(ledger, "detail", pk=obj.pk)}"'


def import_cell(ledger, obj, name):
    """What a person would type in the import file for this field of `obj`."""
    field = ledger.field(name)
    if field.many_to_many:
        return (
            "、".join(getattr(o, "code", None) or str(o) for o in getattr(obj, name).all())
            if obj.pk
            else ""
        )
    value = getattr(obj, name)
    if value is None:
        return ""
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return "是" if value else "否"
    if field.is_relation:
        return getattr(value, "code", None) or str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def xlsx_for(ledger, objs, *, headers=None, overrides=None) -> bytes:
    """An import file for `objs` (unsaved or saved rows), with the template's headers."""
    names = ledger.import_field_names
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, headers or [header_label(ledger, n) for n in names])
    for r, obj in enumerate(objs, start=1):
        row = [import_cell(ledger, obj, n) for n in names]
        for (ri, col), value in (overrides or {}).items():
            if ri == r:
                row[names.index(col)] = value
        for c, v in enumerate(row):
            ws.write(r, c, v)
    wb.close()
    return buf.getvalue()


def read_xlsx(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def response_bytes(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content
