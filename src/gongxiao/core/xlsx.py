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
from collections.abc import Iterable

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

__all__ = [
    "col_name",
    "merge_cells",
    "workbook",
    "write_cell",
    "write_formula",
    "write_row",
]

# Never guess what a string means: text stays text.
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}

col_name = xl_col_to_name


def workbook(target, options: dict | None = None) -> xlsxwriter.Workbook:
    """A new workbook at `target` (a path or a binary stream) with the caller's options and the
    automatic conversions of strings turned off."""
    return xlsxwriter.Workbook(target, {**(options or {}), **SAFE_OPTIONS})


def write_cell(ws, row: int, col: int, value, fmt=None, *, date_format=None) -> None:
    """Write one value: text as text, numbers as numbers, dates as dates, None and "" as a blank
    (formatted), True/False as 是/否. Anything else is written as its text."""
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
    write_cell(ws, first_row, first_col, value, fmt)


def write_formula(ws, row: int, col: int, formula: str, fmt=None, value=None) -> None:
    """A formula the code composed (a SUM over a column, say); never pass text a user typed."""
    ws.write_formula(row, col, formula, fmt, value)
