"""Helpers for the generic ledger tests."""

from __future__ import annotations

import datetime
import io
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree as ET  # noqa: S405 - the product's own files

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


# --- how an exported file is laid out (read from the file's own XML) --------------------------

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


@dataclass
class SheetLayout:
    name: str
    landscape: bool
    paper: str | None
    fit_to_page: bool
    fit_width: str | None
    fit_height: str | None
    print_titles: str | None  # e.g. "$1:$2"
    frozen_rows: int
    widths: dict[int, float]  # 0-based column → width in characters
    footer: str | None


def xlsx_layouts(data: bytes) -> list[SheetLayout]:
    """The print set-up, frozen rows and column widths of each sheet, as the file states them
    (what Excel and LibreOffice read), in sheet order."""
    z = zipfile.ZipFile(io.BytesIO(data))
    book = ET.fromstring(z.read("xl/workbook.xml"))  # noqa: S314 - a file the product wrote
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    targets = {r.get("Id"): r.get("Target") for r in rels}
    titles = {}
    for dn in book.iterfind("m:definedNames/m:definedName", _NS):
        if dn.get("name") == "_xlnm.Print_Titles":
            titles[int(dn.get("localSheetId"))] = dn.text.split("!")[-1]
    out = []
    for i, sheet in enumerate(book.iterfind("m:sheets/m:sheet", _NS)):
        target = targets[sheet.get(f"{{{_NS['r']}}}id")].removeprefix("/xl/")
        ws = ET.fromstring(z.read(f"xl/{target}"))  # noqa: S314
        setup = ws.find("m:pageSetup", _NS)
        fit = ws.find("m:sheetPr/m:pageSetUpPr", _NS)
        pane = ws.find("m:sheetViews/m:sheetView/m:pane", _NS)
        widths = {}
        for col in ws.iterfind("m:cols/m:col", _NS):
            for c in range(int(col.get("min")), int(col.get("max")) + 1):
                widths[c - 1] = float(col.get("width"))
        footer = ws.find("m:headerFooter/m:oddFooter", _NS)
        out.append(
            SheetLayout(
                name=sheet.get("name"),
                landscape=setup is not None and setup.get("orientation") == "landscape",
                paper=None if setup is None else setup.get("paperSize"),
                fit_to_page=fit is not None and fit.get("fitToPage") == "1",
                fit_width=None if setup is None else setup.get("fitToWidth", "1"),
                fit_height=None if setup is None else setup.get("fitToHeight", "1"),
                print_titles=titles.get(i),
                frozen_rows=(
                    int(float(pane.get("ySplit", 0)))
                    if pane is not None and pane.get("state") == "frozen"
                    else 0
                ),
                widths=widths,
                footer=None if footer is None else footer.text,
            )
        )
    return out


def read_xlsx_values(data: bytes, sheet: int = 0) -> list[list]:
    """The cells as typed values: numbers as floats, dates as dates, text as text."""
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(sheet).to_python()


def docx_east_asian_language(doc) -> str | None:
    """The East Asian language a python-docx document declares in its defaults."""
    from docx.oxml.ns import qn

    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    return None if lang is None else lang.get(qn("w:eastAsia"))


def docx_header_repeats(table) -> bool:
    """Whether the first row of a python-docx table repeats on every page."""
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.trPr
    return tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
