"""The one way the product writes Excel: every workbook is opened here and every cell written
through `write_cell`, so text a user typed is stored as text, never as a formula or a link.

XlsxWriter's generic `write()` turns a string that starts with "=" into a formula and one that
looks like a URL into a hyperlink; a matter titled `=HYPERLINK("http://evil.example/x","点击查看")`
would then be a live link in the filing list sent to the supervising body. Here a `str` is always
written with `write_string` (whatever it starts with: = + - @, after spaces, a tab or CR), and the
workbook options turn the automatic conversions off as a second guard. The one formula the
product writes on purpose (the totals of the talk summary) goes through `write_formula`, which
takes a formula built by code, never a user's text. A test (core/tests/test_excel_injection.py)
fails when a module calls XlsxWriter outside this file.
"""

from __future__ import annotations

import datetime
import decimal
import unicodedata
import weakref
from collections.abc import Iterable, Mapping

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

__all__ = [
    "col_name",
    "finish_sheet",
    "merge_cells",
    "text_width",
    "workbook",
    "write_cell",
    "write_formula",
    "write_row",
]

# Never guess what a string means: text stays text.
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

col_name = xl_col_to_name

# The widest text written in each column of each sheet (in the units of Excel's column width:
# one Latin character; a Chinese character counts two), for `finish_sheet`.
_widths: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
DATE_WIDTH = 12  # 2026-12-01


def text_width(value) -> int:
    """How wide `value` prints, in Latin characters: East Asian wide characters count two; a
    multi-line text counts its longest line."""
    if isinstance(value, (datetime.date, datetime.time)):
        return DATE_WIDTH
    lines = str(value).splitlines() or [""]
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines
    )


def _track(ws, col: int, value) -> None:
    if value is None or value == "":
        return
    cols = _widths.setdefault(ws, {})
    cols[col] = max(cols.get(col, 0), text_width(value))


def workbook(target, options: dict | None = None) -> xlsxwriter.Workbook:
    """A new workbook at `target` (a path or a binary stream) with the caller's options and the
    automatic conversions of strings turned off. A date written without a format of its own
    is shown as an ISO date (a date in the file, never a bare serial number)."""
    return xlsxwriter.Workbook(
        target, {"default_date_format": "yyyy-mm-dd", **(options or {}), **SAFE_OPTIONS}
    )


def write_cell(
    ws, row: int, col: int, value, fmt=None, *, date_format=None, measure: bool = True
) -> None:
    """Write one value: text as text, numbers as numbers, dates as dates, None and "" as a blank
    (formatted), True/False as 是/否. Anything else is written as its text. Its width counts for
    the column's width in `finish_sheet` unless `measure` is false (a title over many columns)."""
    if measure:
        _track(ws, col, value)
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, (int, float, decimal.Decimal)):
        ws.write_number(
            row, col, float(value) if isinstance(value, decimal.Decimal) else value, fmt
        )
    elif isinstance(value, datetime.datetime):
        ws.write_datetime(row, col, value, fmt or date_format)
    elif isinstance(value, datetime.date):
        ws.write_datetime(
            row, col, datetime.datetime.combine(value, datetime.time()), fmt or date_format
        )
    elif isinstance(value, datetime.time):
        ws.write_datetime(row, col, value, fmt or date_format)
    else:
        ws.write_string(row, col, str(value), fmt)


def write_row(ws, row: int, col: int, values: Iterable, fmt=None) -> None:
    """Write `values` from (row, col) to the right, each as `write_cell` would."""
    for c, value in enumerate(values, start=col):
        write_cell(ws, row, c, value, fmt)


def merge_cells(ws, first_row, first_col, last_row, last_col, value, fmt=None) -> None:
    """Merge a range and put `value` in it, written as `write_cell` would."""
    ws.merge_range(first_row, first_col, last_row, last_col, None, fmt)
    write_cell(ws, first_row, first_col, value, fmt, measure=first_col == last_col)


def write_formula(ws, row: int, col: int, formula: str, fmt=None, value=None) -> None:
    """A formula the code composed (a SUM over a column, say); never pass text a user typed."""
    ws.write_formula(row, col, formula, fmt, value)


A4 = 9  # XlsxWriter's paper code
WIDE = 100  # a table wider than this many characters is printed on a landscape page


def finish_sheet(
    ws,
    *,
    header_rows: int,
    columns: int,
    widths: Mapping[int, float] | None = None,
    min_width: float = 6,
    max_width: float = 50,
    landscape: bool | None = None,
    freeze_cols: int = 0,
    repeat_from: int = 0,
) -> None:
    """Lay a table sheet out for the screen and for print: each column as wide as its widest
    text (between `min_width` and `max_width`; a text wider than that wraps) unless `widths`
    fixes it; the first `header_rows` rows frozen and repeated on every printed page; A4, fitted
    to the page's width, landscape when the table is wide (or as `landscape` says), centred,
    with page numbers in the footer. Rows above `repeat_from` (notes over a table) are frozen
    but printed once."""
    measured = _widths.get(ws, {})
    total = 0.0
    for col in range(columns):
        if widths and col in widths:
            width = widths[col]
        else:
            width = min(max_width, max(min_width, measured.get(col, 0) + 2))
        ws.set_column(col, col, width)
        total += width
    if header_rows:
        ws.freeze_panes(header_rows, freeze_cols)
        ws.repeat_rows(repeat_from, header_rows - 1)
    ws.set_paper(A4)
    if landscape if landscape is not None else total > WIDE:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    ws.center_horizontally()
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.set_footer("&C第 &P 页，共 &N 页")
