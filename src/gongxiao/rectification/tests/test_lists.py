"""The three lists exported in their usual columns, and the import of existing ledgers."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxiao.core.models import Job
from gongxiao.core.tests.helpers import read_xlsx, response_bytes
from gongxiao.org.tests.factories import PersonFactory
from gongxiao.rectification import services
from gongxiao.rectification.lists import parse_deadline, split_measures
from gongxiao.rectification.models import Kind, Measure, ProgressEntry, RectificationItem, Status


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_rectification_list_has_its_usual_columns(cast, today):
    item = cast.item(title="合同文本不统一", description="部分租赁合同未使用标准文本")
    services.add_measure(item=item, user=cast.owner, description="清理在租合同")
    services.add_measure(item=item, user=cast.owner, description="统一换签")
    services.add_progress(item=item, user=cast.owner, text="已清理12份")
    cast.item(unit=cast.f.b1)  # another county: never in the list
    rows = read_xlsx(
        response_bytes(_client(cast.leader).get("/rectification/lists/rectification.xlsx"))
    )
    assert rows[1] == [
        "序号",
        "问题描述",
        "整改措施",
        "责任领导",
        "责任单位",
        "责任人",
        "整改时限",
        "整改进展",
        "完成情况",
    ]
    assert len(rows) == 3
    no, problem, measures, leader, unit, person, deadline, progress, state = rows[2]
    assert no == 1 and problem == "合同文本不统一：部分租赁合同未使用标准文本"
    assert measures == "1. 清理在租合同\n2. 统一换签"
    assert (leader, unit, person) == ("领导乙", cast.f.a1.name, "责任人甲")
    d = item.deadline
    assert deadline == f"{d.year}年{d.month}月{d.day}日"
    assert "已清理12份" in progress and state == "整改中"


@pytest.mark.parametrize(
    "kind,columns",
    [
        (
            "problems",
            [
                "序号",
                "问题描述",
                "问题来源",
                "问题类别",
                "发现时间",
                "责任单位",
                "整改类型",
                "完成情况",
            ],
        ),
        (
            "responsibility",
            [
                "序号",
                "问题描述",
                "责任领导",
                "责任单位",
                "责任人",
                "牵头部门",
                "整改时限",
                "完成情况",
            ],
        ),
    ],
)
def test_the_other_two_lists(cast, kind, columns):
    cast.item()
    rows = read_xlsx(response_bytes(_client(cast.leader).get(f"/rectification/lists/{kind}.xlsx")))
    assert rows[1] == columns and len(rows) == 3


def test_lists_follow_the_list_filters(cast, today):
    cast.item(
        deadline=today - datetime.timedelta(days=1), found_date=today - datetime.timedelta(days=9)
    )
    cast.item()
    rows = read_xlsx(
        response_bytes(
            _client(cast.leader).get("/rectification/lists/rectification.xlsx", {"overdue": "true"})
        )
    )
    assert len(rows) == 3 and rows[2][-1] == "整改中（逾期1天）"


def test_deadlines_as_people_write_them():
    found = datetime.date(2023, 3, 1)
    assert parse_deadline("2023年6月底", found) == (Kind.DEADLINE, datetime.date(2023, 6, 30))
    assert parse_deadline("2023年2月", found) == (Kind.DEADLINE, datetime.date(2023, 2, 28))
    assert parse_deadline("2023.5.10前", found) == (Kind.DEADLINE, datetime.date(2023, 5, 10))
    assert parse_deadline("立行立改", found) == (Kind.IMMEDIATE, datetime.date(2023, 3, 8))
    assert parse_deadline("长期坚持", found) == (Kind.ONGOING, None)
    assert parse_deadline(datetime.datetime(2023, 4, 1), found) == (
        Kind.DEADLINE,
        datetime.date(2023, 4, 1),
    )
    with pytest.raises(ValueError):
        parse_deadline("尽快", found)


def test_measures_split_on_lines_and_numbering():
    assert split_measures("1. 清理合同\n2、统一文本\n（3）建立台账") == [
        "清理合同",
        "统一文本",
        "建立台账",
    ]
    assert split_measures("") == []


def _ledger_file(rows, title=True):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet()
    r = 0
    if title:
        ws.write(0, 0, "甲县社整改清单")
        r = 1
    ws.write_row(
        r,
        0,
        [
            "序号",
            "问题描述",
            "整改措施",
            "责任领导",
            "责任单位",
            "责任人",
            "整改时限",
            "整改进展",
            "完成情况",
            "销号时间",
        ],
    )
    for i, row in enumerate(rows, start=1):
        ws.write_row(r + i, 0, [i, *row])
    wb.close()
    return buf.getvalue()


def _import(c, data):
    c.post("/rectification/lists/import/", {"file": SimpleUploadedFile("整改清单.xlsx", data)})
    return Job.objects.latest("created_at")


def test_import_of_an_existing_ledger(cast):
    f = cast.f
    data = _ledger_file(
        [
            [
                "资产台账不全：部分房产未登记",
                "1. 全面清查\n2. 补录台账",
                "领导乙",
                f.a1.name,
                "责任人甲",
                "2023年6月底",
                "已清查30处",
                "已完成",
                "2023年6月28日",
            ],
            ["财务制度执行不严", "规范报销流程", "", f.county_a.name, "", "长期坚持", "", "整改中"],
            ["会议记录不规范", "", "", "甲二基层社", "", "立行立改", "", ""],
        ]
    )
    c = _client(cast.discipline_a)
    check = _import(c, data)
    assert check.result["ok"] is True, check.result
    assert not RectificationItem.objects.exists()
    c.post(f"/jobs/{check.pk}/confirm/")
    commit = Job.objects.latest("created_at")
    assert commit.result["created"] == 3
    first = RectificationItem.objects.get(title="资产台账不全")
    assert first.description == "部分房产未登记" and first.status == Status.CLOSED
    assert (
        first.responsible_leader == cast.leader_person
        and first.responsible_person == cast.owner_person
    )
    assert first.deadline == datetime.date(2023, 6, 30)
    assert list(Measure.objects.filter(item=first).values_list("description", flat=True)) == [
        "全面清查",
        "补录台账",
    ]
    progress = ProgressEntry.objects.get(item=first)
    assert progress.text == "已清查30处" and progress.date == datetime.date(2023, 6, 28)
    # Closed on the date the ledger gives, by a discipline officer who could approve it.
    assert first.closed_on == datetime.date(2023, 6, 28)
    assert [t.on for t in first.transitions.all()] == [datetime.date(2023, 6, 28)] * 2
    assert all(t.reason for t in first.transitions.all())
    second = RectificationItem.objects.get(title="财务制度执行不严")
    assert second.kind == Kind.ONGOING and second.status == Status.IN_PROGRESS
    third = RectificationItem.objects.get(title="会议记录不规范")
    assert third.kind == Kind.IMMEDIATE and third.status == Status.OPEN and third.unit == f.a2


def test_import_with_bad_rows_writes_nothing(cast):
    f = cast.f
    PersonFactory(unit=f.a1, name="同名")
    PersonFactory(unit=f.a1, name="同名")
    data = _ledger_file(
        [
            ["问题一", "", "", f.a1.name, "", "2023年6月底", "", ""],
            ["问题二", "", "", f.b1.name, "", "2023年6月底", "", ""],  # another county
            [
                "问题三",
                "",
                "查无此人",
                f.a1.name,
                "",
                "尽快",
                "",
                "",
            ],  # unknown person, bad deadline
            ["问题四", "", "", f.a1.name, "同名", "2023年6月底", "", ""],  # ambiguous person
            ["", "", "", f.a1.name, "", "2023年6月底", "", ""],  # no problem text
        ]
    )
    c = _client(cast.discipline_a)
    check = _import(c, data)
    assert check.result["ok"] is False
    errors = {(e["row"], e["column"]) for e in check.result["errors"]}
    assert errors == {
        (4, "责任单位"),
        (5, "责任领导"),
        (5, "整改时限"),
        (6, "责任人"),
        (7, "问题描述"),
    }
    c.post(f"/jobs/{check.pk}/confirm/")
    assert not RectificationItem.objects.exists()


def test_import_refuses_a_file_without_the_layout(cast):
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    wb.add_worksheet().write_row(0, 0, ["名称", "日期"])
    wb.close()
    check = _import(_client(cast.discipline_a), buf.getvalue())
    assert check.result["ok"] is False and check.result["file_errors"]


def test_the_import_template_downloads(cast):
    rows = read_xlsx(
        response_bytes(_client(cast.discipline_a).get("/rectification/lists/import/template.xlsx"))
    )
    assert rows[0][:3] == ["序号", "问题描述", "整改措施"]


def test_import_refuses_the_same_problem_twice(cast):
    f = cast.f
    row = ["仓库消防通道堆放杂物", "清理杂物", "", f.a1.name, "", "2023年6月底", "", ""]
    check = _import(_client(cast.discipline_a), _ledger_file([row, ["另一问题", *row[1:]], row]))
    assert check.result["ok"] is False
    [error] = check.result["errors"]
    assert error["row"] == 5 and "3" in error["message"]  # row 5 repeats row 3 (after a title)


def test_import_refuses_merged_cells_among_the_rows_but_not_a_merged_title(cast):
    f = cast.f
    row = ["仓库消防通道堆放杂物", "清理杂物", "", f.a1.name, "", "2023年6月底", "", ""]

    def file(merge):
        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"in_memory": True})
        ws = wb.add_worksheet()
        ws.merge_range(0, 0, 0, 9, "甲县社整改清单")  # the usual title across the columns
        ws.write_row(1, 0, ["序号", "问题描述", "整改措施", "责任领导", "责任单位", "责任人"])
        ws.write_row(1, 6, ["整改时限", "整改进展", "完成情况", "销号时间"])
        ws.write_row(2, 0, [1, *row])
        ws.write_row(3, 0, [2, "另一问题", *row[1:]])
        if merge:  # one unit for both rows, merged: the second row's would import blank
            ws.merge_range(2, 4, 3, 4, f.a1.name)
        wb.close()
        return buf.getvalue()

    c = _client(cast.discipline_a)
    assert _import(c, file(merge=False)).result["ok"] is True
    refused = _import(c, file(merge=True)).result
    assert refused["ok"] is False and "E3:E4" in refused["file_errors"][0]
