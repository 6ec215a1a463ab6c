"""Files as they print (issue 14, item 10): every Excel export on A4, fitted to the page's width
(landscape when wide), header rows frozen and repeated on each page, columns as wide as their
text, numbers and dates as values; Word files in zh-CN with header rows that repeat; file names
in Chinese whatever the page's language. Read back from the files' own XML."""

from __future__ import annotations

import datetime
import decimal
import io

from django.test import Client
from django.utils import translation
from docx.oxml.ns import qn
from docx.shared import Mm

from gongxiao.core import excel, jobs, wordfile, xlsx
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.tests.helpers import (
    docx_east_asian_language,
    docx_header_repeats,
    ledger_url,
    read_xlsx_values,
    response_bytes,
    xlsx_layouts,
)
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

PEOPLE = get_ledger("org", "people")


def _chars(width: float) -> int:
    """A width as the file stores it (characters plus the cell's padding) in characters."""
    return int(width)


def _sheet(columns: int, text: str) -> bytes:
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("表")
    xlsx.merge_cells(ws, 0, 0, 0, columns - 1, "一个很长很长很长很长很长很长的标题" * 3)
    xlsx.write_row(ws, 1, 0, [f"列{c}" for c in range(columns)])
    xlsx.write_row(ws, 2, 0, [text, decimal.Decimal("120.50"), datetime.date(2026, 12, 1)])
    xlsx.finish_sheet(ws, header_rows=2, columns=columns)
    wb.close()
    return buf.getvalue()


def test_text_width_counts_chinese_characters_twice():
    assert xlsx.text_width("abc") == 3
    assert xlsx.text_width("合同abc") == 7
    assert xlsx.text_width("短\n长一些的行") == 10
    assert xlsx.text_width(datetime.date(2026, 1, 1)) == xlsx.DATE_WIDTH


def test_a_narrow_table_prints_portrait_a_wide_one_landscape_both_fitted_to_width():
    narrow = xlsx_layouts(_sheet(3, "供销社"))[0]
    assert not narrow.landscape
    assert (narrow.paper, narrow.fit_to_page, narrow.fit_width, narrow.fit_height) == (
        "9",
        True,
        "1",
        "0",
    )
    assert narrow.print_titles == "$1:$2" and narrow.frozen_rows == 2
    # The long title spans the columns and does not widen the first one; the text does.
    assert _chars(narrow.widths[0]) == xlsx.text_width("供销社") + 2
    assert _chars(narrow.widths[2]) == xlsx.DATE_WIDTH + 2
    assert narrow.footer and "&P" in narrow.footer and "&N" in narrow.footer
    wide = xlsx_layouts(_sheet(12, "一段很长的问题描述" * 4))[0]
    assert wide.landscape and wide.fit_width == "1" and wide.fit_height == "0"
    assert _chars(wide.widths[0]) == 50  # the longest text wraps at the widest column
    values = read_xlsx_values(_sheet(3, "供销社"))
    assert values[2][1] == 120.5 and isinstance(values[2][2], datetime.date)


def test_a_ledger_export_is_laid_out_for_print_with_dates_as_dates(federation):
    people = [
        PersonFactory(unit=federation.a1, name="甲一张三"),
        PersonFactory(unit=federation.a2, name="甲二李四四四"),
    ]
    user = user_with(Role.PARTY, federation.county_a)
    fields = PEOPLE.export_field_names
    buf = io.BytesIO()
    n = excel.write_workbook(PEOPLE, people, user, fields, target=buf)
    assert n == 2
    data = buf.getvalue()
    layout = xlsx_layouts(data)[0]
    assert layout.print_titles == "$1:$1" and layout.frozen_rows == 1
    assert layout.fit_to_page and (layout.fit_width, layout.fit_height) == ("1", "0")
    assert layout.landscape == (sum(layout.widths.values()) > xlsx.WIDE)
    assert set(layout.widths) == set(range(len(fields)))
    name_col = fields.index("name")
    assert _chars(layout.widths[name_col]) >= xlsx.text_width("甲二李四四四") + 2
    rows = read_xlsx_values(data)
    birth = fields.index("birth_date")
    assert all(isinstance(r[birth], datetime.date) for r in rows[1:])


def test_word_files_declare_chinese_and_repeat_table_headers():
    doc = wordfile.new_document()
    assert docx_east_asian_language(doc) == "zh-CN"
    table = doc.add_table(rows=2, cols=3)
    wordfile.repeat_header(table.rows[0])
    wordfile.set_column_widths(table, [Mm(20), Mm(60), Mm(30)])
    assert docx_header_repeats(table)
    assert [round(c.width.mm) for c in table.rows[1].cells] == [20, 60, 30]
    assert [round(g.w.mm) for g in table._tbl.tblGrid.gridCol_lst] == [20, 60, 30]
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_file_names_are_chinese_whatever_the_page_language(federation):
    with translation.override("en"):
        assert jobs.export_filename(PEOPLE).startswith("人员-")
    user = user_with(Role.PARTY, federation.county_a)
    c = Client()
    c.force_login(user)
    c.post("/i18n/setlang/", {"language": "en"})
    resp = c.get(ledger_url(PEOPLE, "template"))
    assert resp.status_code == 200
    assert (
        "导入模板" in resp["Content-Disposition"]
        or "%E5%AF%BC%E5%85%A5" in (resp["Content-Disposition"])
    )
    assert response_bytes(resp)
