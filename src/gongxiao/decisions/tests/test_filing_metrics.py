"""Filing lists in Excel and Word, and the figures of collective decisions."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import Client
from docx import Document
from docx.shared import Mm

from gongxiao.core.metrics import breakdown, compute
from gongxiao.core.periods import parse_period
from gongxiao.core.tests.helpers import (
    docx_east_asian_language,
    docx_header_repeats,
    read_xlsx,
    response_bytes,
    xlsx_layouts,
)
from gongxiao.decisions.filing import COLUMNS, WIDTHS
from gongxiao.decisions.tests.factories import MatterFactory, MeetingFactory
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

YEAR = parse_period("2023")


@pytest.fixture
def record(federation):
    f = federation
    m1 = MeetingFactory(
        unit=f.county_a, body="party_group", date=datetime.date(2023, int("03"), int("01"))
    )
    m2 = MeetingFactory(unit=f.a1, body="board", date=datetime.date(2023, int("06"), int("01")))
    m3 = MeetingFactory(
        unit=f.county_a, body="party_group", date=datetime.date(2022, int("12"), int("01"))
    )
    m4 = MeetingFactory(
        unit=f.county_b, body="party_group", date=datetime.date(2023, int("04"), int("01"))
    )
    MatterFactory(
        meeting=m1,
        category="funds",
        amount=Decimal("120.50"),
        title="冷库改造资金",
        party_prior_study=True,
    )
    MatterFactory(meeting=m1, category="cadre", title="任免副主任")
    MatterFactory(meeting=m2, category="funds", amount=Decimal("30"), title="农资采购")
    MatterFactory(meeting=m3, category="funds", amount=Decimal("999"), title="去年的事项")
    MatterFactory(meeting=m4, category="funds", amount=Decimal("888"), title="乙县事项")
    return f


def test_meetings_matters_and_amounts(record):
    user = user_with(Role.LEADER, record.county_a)
    assert compute("decisions.meetings.held", user, record.county_a, YEAR).value == 2
    by_body = dict(
        (k, fig.value)
        for k, fig in breakdown("decisions.meetings.held", user, record.county_a, YEAR, "body")
    )
    assert by_body == {"party_group": 1, "board": 1}
    assert compute("decisions.matters.count", user, record.county_a, YEAR).value == 3
    by_cat = dict(
        (k, fig.value)
        for k, fig in breakdown("decisions.matters.count", user, record.county_a, YEAR, "category")
    )
    assert by_cat == {"funds": 2, "cadre": 1}
    assert compute("decisions.matters.amount", user, record.county_a, YEAR).value == Decimal(
        "150.50"
    )
    city = user_with(Role.LEADER, record.city)
    assert compute("decisions.matters.amount", city, record.city, YEAR).value == Decimal("1038.50")


def test_figures_link_to_their_rows(record):
    user = user_with(Role.LEADER, record.county_a)
    c = Client()
    c.force_login(user)
    for key in ("decisions.meetings.held", "decisions.matters.count"):
        fig = compute(key, user, record.county_a, YEAR)
        resp = c.get(fig.url)
        assert {o.pk for o, _cells in resp.context["rows"]} == set(
            fig.rows.values_list("pk", flat=True)
        )


def test_filing_lists_in_excel_and_word(record):
    user = user_with(Role.LEADER, record.county_a)
    c = Client()
    c.force_login(user)
    c.post("/context/", {"unit": record.county_a.pk, "period": "2023"})
    html = c.get("/decisions/filing/").content.decode()
    assert "冷库改造资金" in html and "乙县事项" not in html and "去年的事项" not in html
    rows = read_xlsx(response_bytes(c.get("/decisions/filing.xlsx")))
    assert rows[1][:5] == ["序号", "单位", "会议", "会议日期", "议题"]
    titles = [r[4] for r in rows[2:]]
    assert titles == ["冷库改造资金", "任免副主任", "农资采购"]
    # The amount a number and the meeting's date a date, not their text.
    assert rows[2][6] == 120.5 and rows[2][7] == "是"
    assert rows[2][3] == datetime.date(2023, 3, 1)
    assert rows[3][6] == "" and rows[4][6] == 30  # a matter without an amount: a blank
    assert "120.50" in html and "2023年3月1日" in html  # the page shows them as text
    doc = Document(io.BytesIO(response_bytes(c.get("/decisions/filing.docx"))))
    table = doc.tables[0]
    assert len(table.rows) == 4
    assert table.rows[1].cells[4].text == "冷库改造资金"
    assert table.rows[1].cells[3].text == "2023年3月1日"
    assert table.rows[1].cells[6].text == "120.50"
    assert "报备表" in doc.paragraphs[0].text


def test_filing_files_are_laid_out_for_print(record):
    user = user_with(Role.LEADER, record.county_a)
    c = Client()
    c.force_login(user)
    c.post("/context/", {"unit": record.county_a.pk, "period": "2023"})
    resp = c.get("/decisions/filing.xlsx")
    assert "%E6%8A%A5%E5%A4%87%E8%A1%A8.xlsx" in resp["Content-Disposition"]  # 报备表.xlsx
    layout = xlsx_layouts(response_bytes(resp))[0]
    assert layout.landscape and layout.paper == "9"
    assert layout.fit_to_page and (layout.fit_width, layout.fit_height) == ("1", "0")
    assert layout.print_titles == "$1:$2" and layout.frozen_rows == 2
    assert [int(layout.widths[i]) for i in range(len(WIDTHS))] == WIDTHS

    doc = Document(io.BytesIO(response_bytes(c.get("/decisions/filing.docx"))))
    assert docx_east_asian_language(doc) == "zh-CN"
    table = doc.tables[0]
    assert docx_header_repeats(table)
    widths = [cell.width for cell in table.rows[1].cells]
    assert len(set(widths)) > 3  # not an equal split
    # 决定事项 is the widest column, 序号 the narrowest; together they fill the text block.
    assert widths.index(max(widths)) == COLUMNS.index("决定事项")
    assert widths.index(min(widths)) == COLUMNS.index("序号")
    block = Mm(297 - 20 - 20)  # the landscape A4 page less its margins
    assert abs(sum(widths) - block) < len(widths) * 1000
