"""A corpus of hostile and broken import files, built here (XlsxWriter and zipfile), for
test_hostile_excel.py. Each builder takes the ledger's headers and rows (as a person would type
them) and returns (file name, bytes)."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from dataclasses import dataclass

import xlsxwriter

SHEET = "xl/worksheets/sheet1.xml"


@dataclass
class Material:
    headers: list[str]
    good: list[list]  # one valid row
    foreign: list[list]  # a valid row of a unit of another county
    date_col: int | None  # a column that takes a date, if any
    code_col: int  # a column that takes a code (ID number, or a related row's code)
    bad_code: str


def book(headers, rows, *, then=None, sheets=1) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_row(0, 0, headers)
    for r, row in enumerate(rows, start=1):
        for c, v in enumerate(row):
            # Text as text: a value starting with "=" is not a formula here.
            ws.write_string(r, c, v) if isinstance(v, str) else ws.write(r, c, v)
    for i in range(1, sheets):
        wb.add_worksheet(f"S{i}")
    if then:
        then(wb, ws)
    wb.close()
    return buf.getvalue()


def rezip(data: bytes, part: str, fn, level: int = 6) -> bytes:
    """The same workbook with one part changed by fn(bytes) -> bytes (or added)."""
    changes = {part: fn}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename in changes:
                body = changes.pop(info.filename)(body)
            dst.writestr(info.filename, body, zipfile.ZIP_DEFLATED, level)
        for name, fn in changes.items():
            dst.writestr(name, fn(b""), zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _before_sheet_data_end(extra: bytes):
    return lambda xml: xml.replace(b"</sheetData>", extra + b"</sheetData>", 1)


# --- the cases -----------------------------------------------------------------------------------


def cell_at_xfd1048576(m: Material):
    """The file of the report: one valid row and one cell written at the last cell of a sheet
    (as XlsxWriter writes it, spliced in: XlsxWriter itself takes a second to write it)."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t> </t></is></c></row>'

    def splice(xml):
        xml = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        return _before_sheet_data_end(far)(xml)

    return "rows.xlsx", rezip(book(m.headers, m.good), SHEET, splice)


def dimension_says_small(m: Material):
    """The same, with the <dimension> lying that the sheet is small."""
    data = cell_at_xfd1048576(m)[1]
    return "rows.xlsx", rezip(
        data,
        SHEET,
        lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', x),
    )


def wide_row(m: Material):
    """A huge declared dimension and a row 300 columns wide."""
    data = book(m.headers, m.good, then=lambda wb, ws: ws.write(1, 299, "x"))
    return "rows.xlsx", rezip(
        data,
        SHEET,
        lambda x: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', x),
    )


@functools.cache
def _million_blank_rows() -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d" s="1"/></row>' % (i, i) for i in range(3, 1_048_577))


def sheet_bomb(m: Material):
    """A million formatted blank rows below the data: a few MB that unpack to 40."""
    data = book(m.headers, m.good, then=lambda wb, ws: wb.add_format({"bold": True}))
    return "rows.xlsx", rezip(data, SHEET, _before_sheet_data_end(_million_blank_rows()), 1)


def blank_rows_then_a_row(m: Material):
    """300,000 empty rows, then a valid row: more rows than one file may hold."""
    data = book(m.headers, m.good)

    def splice(xml: bytes) -> bytes:
        row2 = re.search(rb'<row r="2".*?</row>', xml).group(0)
        moved = re.sub(rb'r="([A-Z]+)2"', rb'r="\g<1>300003"', row2).replace(
            b'<row r="2"', b'<row r="300003"'
        )
        blanks = b"".join(b'<row r="%d"/>' % i for i in range(3, 300003))
        return xml.replace(b"</sheetData>", blanks + moved + b"</sheetData>", 1)

    return "rows.xlsx", rezip(data, SHEET, splice)


def formula(m: Material):
    """A cell holding a formula (its cached value would be 0, or blank)."""

    def then(wb, ws):
        ws.write_formula(1, len(m.headers) - 1, '=HYPERLINK("http://evil.example/x","点击查看")')

    return "rows.xlsx", book(m.headers, m.good, then=then)


def merged_header(m: Material):
    def then(wb, ws):
        ws.merge_range(0, 0, 0, 1, m.headers[0])

    return "rows.xlsx", book(m.headers, m.good, then=then)


def wrong_headers(m: Material):
    return "rows.xlsx", book([f"{h}（旧）" for h in m.headers], m.good)


def bad_date(m: Material):
    if m.date_col is None:
        return None
    row = list(m.good[0])
    row[m.date_col] = "2023年13月45日"
    return "rows.xlsx", book(m.headers, [row])


def bad_code(m: Material):
    row = list(m.good[0])
    row[m.code_col] = m.bad_code
    return "rows.xlsx", book(m.headers, [row])


def foreign_unit(m: Material):
    return "rows.xlsx", book(m.headers, m.foreign)


def duplicate_rows(m: Material):
    return "rows.xlsx", book(m.headers, [m.good[0], m.good[0]])


@functools.cache
def _bomb(total: int) -> bytes:
    """A workbook whose sheet unpacks to `total` bytes of spaces."""
    base = book(["a"], [["b"]])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as dst,
    ):
        for info in src.infolist():
            if info.filename != SHEET:
                dst.writestr(info.filename, src.read(info))
        with dst.open(SHEET, "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            chunk = b" " * (1024 * 1024)
            for _ in range(total // len(chunk)):
                f.write(chunk)
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def zip_bomb(m: Material):
    """Unpacks to 300 MB."""
    return "rows.xlsx", _bomb(300 * 1024 * 1024)


def zip_ratio(m: Material):
    """Only 40 MB, but packed a thousand to one."""
    return "rows.xlsx", _bomb(40 * 1024 * 1024)


def xxe(m: Material):
    dtd = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    data = book(m.headers, m.good)

    def splice(xml):
        xml = xml.replace(b"?>", b"?>" + dtd, 1)
        return _before_sheet_data_end(
            b'<row r="3"><c r="A3" t="inlineStr"><is><t>&xxe;</t></is></c></row>'
        )(xml)

    return "rows.xlsx", rezip(data, SHEET, splice)


def billion_laughs(m: Material):
    lol = (
        b'<!DOCTYPE sst [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    data = book(m.headers, m.good)
    return "rows.xlsx", rezip(
        data,
        "xl/sharedStrings.xml",
        lambda x: x.replace(b"?>", b"?>" + lol, 1).replace(b"<t>", b"<t>&c;", 1),
    )


def not_a_zip(m: Material):
    return "rows.xlsx", b"PK\x03\x04" + bytes(range(256)) * 20


def text_as_xlsx(m: Material):
    return "rows.xlsx", ",".join(m.headers).encode() + b"\n" + b"a,b,c\n"


def html_as_xls(m: Material):
    """What web systems call an Excel export: an HTML table in a file named .xls."""
    cells = "".join(f"<td>{h}</td>" for h in m.headers)
    return "rows.xls", f"<html><body><table><tr>{cells}</tr></table></body></html>".encode()


def docx_renamed(m: Material):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")
    return "rows.xlsx", out.getvalue()


def many_sheets(m: Material):
    return "rows.xlsx", book(m.headers, m.good, sheets=60)


CASES = [
    cell_at_xfd1048576,
    dimension_says_small,
    wide_row,
    sheet_bomb,
    blank_rows_then_a_row,
    formula,
    merged_header,
    wrong_headers,
    bad_date,
    bad_code,
    foreign_unit,
    duplicate_rows,
    zip_bomb,
    zip_ratio,
    xxe,
    billion_laughs,
    not_a_zip,
    text_as_xlsx,
    html_as_xls,
    docx_renamed,
    many_sheets,
]
# The ones the memory bound is checked on.
BIG = {
    "cell_at_xfd1048576",
    "dimension_says_small",
    "wide_row",
    "sheet_bomb",
    "blank_rows_then_a_row",
    "zip_bomb",
    "zip_ratio",
}
