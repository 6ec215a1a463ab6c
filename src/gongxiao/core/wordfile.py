"""What every Word file the product writes shares (python-docx): the language is Chinese
(zh-CN as the East Asian language, so Word and LibreOffice check and break lines as Chinese, not
as English or Japanese), table header rows repeat on every page, and a table's columns can be
given their widths (an equal split suits no real list)."""

from __future__ import annotations

from collections.abc import Sequence

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length

__all__ = ["LANGUAGE", "new_document", "repeat_header", "set_column_widths"]

LANGUAGE = "zh-CN"


def new_document():
    """A new python-docx document whose default and theme language is Chinese."""
    doc = Document()
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), LANGUAGE)
        theme.set(qn("w:eastAsia"), LANGUAGE)
    return doc


def repeat_header(row) -> None:
    """Repeat `row` (a table's first row) at the top of every page; it is never split."""
    tr_pr = row._tr.get_or_add_trPr()
    for tag in ("w:cantSplit", "w:tblHeader"):
        if tr_pr.find(qn(tag)) is None:
            el = OxmlElement(tag)
            el.set(qn("w:val"), "true")
            tr_pr.append(el)


def set_column_widths(table, widths: Sequence[Length]) -> None:
    """Give the columns of `table` these widths (fixed layout: the widths are kept, the text
    wraps), in the grid and in every cell, as Word and LibreOffice each read one of them."""
    table.autofit = False
    grid = table._tbl.tblGrid
    for col, width in zip(grid.gridCol_lst, widths, strict=True):
        col.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
