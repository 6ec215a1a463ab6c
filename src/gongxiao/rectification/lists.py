"""The three lists (问题清单, 整改清单, 责任清单) as they are kept by hand, exported from the
same data, and the import of existing ledgers kept in the 整改清单 layout."""

from __future__ import annotations

import calendar
import datetime
import io
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongxiao.core import jobs, scoping, xlsx
from gongxiao.core import services as kit
from gongxiao.core.excel import ImportCheck, _same, read_sheet
from gongxiao.core.filters import filtered
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import Job
from gongxiao.org.models import Person

from .models import (
    Category,
    Kind,
    Measure,
    ProgressEntry,
    RectificationItem,
    Source,
    Status,
)

LISTS = {
    "problems": (
        _("Problem list"),
        ["no", "problem", "source", "category", "found", "unit", "kind", "state"],
    ),
    "rectification": (
        _("Rectification list"),
        ["no", "problem", "measures", "leader", "unit", "person", "deadline", "progress", "state"],
    ),
    "responsibility": (
        _("Responsibility list"),
        ["no", "problem", "leader", "unit", "person", "department", "deadline", "state"],
    ),
}
HEADERS = {
    "no": "序号",
    "problem": "问题描述",
    "source": "问题来源",
    "category": "问题类别",
    "found": "发现时间",
    "unit": "责任单位",
    "kind": "整改类型",
    "measures": "整改措施",
    "leader": "责任领导",
    "person": "责任人",
    "department": "牵头部门",
    "deadline": "整改时限",
    "progress": "整改进展",
    "state": "完成情况",
}
# Widths in characters, as these lists are usually printed.
WIDTHS = {"no": 6, "problem": 40, "measures": 40, "progress": 36, "state": 14}


def _date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def deadline_text(item) -> str:
    if item.kind == Kind.ONGOING:
        return "长期坚持"
    if item.kind == Kind.IMMEDIATE:
        return "立行立改" + (f"（{_date(item.deadline)}前）" if item.deadline else "")
    return _date(item.deadline)


def state_text(item, today) -> str:
    if item.status == Status.CLOSED:
        return "已完成（已销号）"
    if item.status == Status.REQUESTED:
        return "已申请销号"
    if item.is_overdue(today):
        return f"整改中（逾期{item.overdue_days(today)}天）"
    if item.status == Status.IN_PROGRESS:
        return "持续整改" if item.kind == Kind.ONGOING else "整改中"
    return "未启动"


def cell(item, column, today) -> str:
    if column == "problem":
        return item.title + (f"：{item.description}" if item.description else "")
    if column == "source":
        return item.get_source_display()
    if column == "category":
        return item.get_category_display()
    if column == "found":
        return _date(item.found_date)
    if column == "unit":
        return item.unit.name
    if column == "kind":
        return item.get_kind_display()
    if column == "measures":
        return "\n".join(
            f"{i}. {m.description}" for i, m in enumerate(item.measures.all(), start=1)
        )
    if column == "leader":
        return item.responsible_leader.name if item.responsible_leader_id else ""
    if column == "person":
        return item.responsible_person.name if item.responsible_person_id else ""
    if column == "department":
        return item.lead_department
    if column == "deadline":
        return deadline_text(item)
    if column == "progress":
        return "\n".join(f"{_date(p.date)}：{p.text}" for p in item.progress.all())
    if column == "state":
        return state_text(item, today)
    raise KeyError(column)


def write_list(kind: str, items, title: str) -> bytes:
    label, columns = LISTS[kind]
    today = timezone.localdate()
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet(str(label))
    head = wb.add_format(
        {
            "bold": True,
            "align": "center",
            "valign": "vcenter",
            "border": 1,
            "text_wrap": True,
            "font_name": "黑体",
        }
    )
    body = wb.add_format(
        {"valign": "top", "border": 1, "text_wrap": True, "font_name": "仿宋_GB2312"}
    )
    center = wb.add_format(
        {"valign": "top", "align": "center", "border": 1, "font_name": "仿宋_GB2312"}
    )
    title_fmt = wb.add_format(
        {"bold": True, "font_size": 16, "align": "center", "font_name": "方正小标宋简体"}
    )
    xlsx.merge_cells(ws, 0, 0, 0, len(columns) - 1, title, title_fmt)
    ws.set_row(0, 30)
    for c, column in enumerate(columns):
        xlsx.write_cell(ws, 1, c, HEADERS[column], head)
        ws.set_column(c, c, WIDTHS.get(column, 14))
    for r, item in enumerate(items, start=2):
        for c, column in enumerate(columns):
            if column == "no":
                xlsx.write_cell(ws, r, c, r - 1, center)
            else:
                xlsx.write_cell(ws, r, c, cell(item, column, today), body)
    ws.repeat_rows(1)
    ws.freeze_panes(2, 0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    wb.close()
    return buf.getvalue()


@login_required
def export_list(request, kind):
    if kind not in LISTS:
        raise Http404
    if not scoping.can_any(request.user, "rectification", "export"):
        raise PermissionDenied
    ledger = get_ledger("rectification", "items")
    _fs, items = filtered(ledger, request, ledger.queryset_for(request.user, "export"))
    items = items.select_related(
        "unit", "responsible_leader", "responsible_person"
    ).prefetch_related("measures", "progress")
    unit = request.working_unit
    label = LISTS[kind][0]
    title = f"{unit.name if unit else ''}{label}"
    stamp = timezone.localtime().strftime("%Y%m%d")
    return FileResponse(
        io.BytesIO(write_list(kind, items, title)),
        as_attachment=True,
        filename=f"{label}-{stamp}.xlsx",
    )


# --- import of existing ledgers in the 整改清单 layout ------------------------------------------

IMPORT_COLUMNS = [
    "问题描述",
    "整改措施",
    "责任领导",
    "责任单位",
    "责任人",
    "整改时限",
    "整改进展",
    "完成情况",
    "问题来源",
    "问题类别",
    "牵头部门",
    "发现时间",
    "销号时间",
]
REQUIRED = {"问题描述", "责任单位"}


def _by_label(table: dict, text, default):
    """A choice from what people write: the label itself, or the one label that contains it
    ("资产" for 资产管理)."""
    text = str(text or "").strip()
    if not text:
        return default
    if text in table:
        return table[text]
    found = {v for label, v in table.items() if text in label}
    return found.pop() if len(found) == 1 else default


def SOURCE_BY_LABEL():  # noqa: N802 - labels depend on the active language
    return {str(label): v for v, label in Source.choices}


def CATEGORY_BY_LABEL():  # noqa: N802
    return {str(label): v for v, label in Category.choices}


FIELD_COLUMNS = {
    "title": "问题描述",
    "description": "问题描述",
    "unit": "责任单位",
    "deadline": "整改时限",
    "found_date": "发现时间",
    "lead_department": "牵头部门",
}
DONE_WORDS = ("已完成", "已整改", "已销号", "完成整改", "整改完成")
GOING_WORDS = ("整改中", "正在整改", "持续整改", "推进中", "部分完成")
_MONTH_END = re.compile(r"^\s*(\d{4})\s*年\s*(\d{1,2})\s*月(底|末)?\s*(前)?\s*$")
_DAY = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(前)?\s*$")
_NUMBERING = re.compile(r"^\s*(\d+[.、．)]|[（(]\d+[)）]|[一二三四五六七八九十]+、)\s*")


def parse_deadline(value, found: datetime.date):
    """(kind, deadline) from what people write: a date, 2023年6月底, 立行立改, 长期坚持."""
    if isinstance(value, datetime.datetime):
        return Kind.DEADLINE, value.date()
    if isinstance(value, datetime.date):
        return Kind.DEADLINE, value
    text = str(value or "").strip()
    if not text:
        raise ValueError(_("write the deadline, 立行立改 or 长期坚持"))
    if "长期" in text:
        return Kind.ONGOING, None
    if "立行立改" in text or "立即" in text:
        return Kind.IMMEDIATE, found + datetime.timedelta(days=7)
    try:  # 2023年13月45日 is no date either: the same message, not Python's own
        m = _DAY.match(text)
        if m:
            return Kind.DEADLINE, datetime.date(int(m[1]), int(m[2]), int(m[3]))
        m = _MONTH_END.match(text)
        if m:
            y, mo = int(m[1]), int(m[2])
            return Kind.DEADLINE, datetime.date(y, mo, calendar.monthrange(y, mo)[1])
    except ValueError:
        pass
    raise ValueError(
        _("“%(v)s” is not a deadline; write e.g. 2023-06-30, 2023年6月底, 立行立改 or 长期坚持")
        % {"v": text}
    )


def split_measures(text: str) -> list[str]:
    lines = [
        ln.strip() for ln in re.split(r"[\r\n]+|(?<=[。；;])\s*(?=\d+[.、．])", str(text or ""))
    ]
    return [_NUMBERING.sub("", ln).strip() for ln in lines if _NUMBERING.sub("", ln).strip()]


_REF = re.compile(r"^[A-Z]+(\d+)(?::[A-Z]+(\d+))?$")


def _merged_below(sheet, header_at: int) -> list[str]:
    """The merged ranges that reach the header row or below (0-based `header_at`); all of them
    when the reader kept only examples and cannot tell."""
    if sheet.merged_count > len(sheet.merged):
        return sheet.merged + ["…"]
    out = []
    for ref in sheet.merged:
        m = _REF.match(ref)
        last = int(m.group(2) or m.group(1)) if m else header_at + 1
        if last >= header_at + 1:
            out.append(ref)
    return out


class RectificationListImporter:
    """Checks and imports a 整改清单 kept in Excel: one item per row, measures as numbered
    lines, people by name within the responsible unit's reach."""

    name = "rectification_list"

    def __init__(self, ledger):
        self.ledger = ledger

    def check(self, data: bytes, user, *, progress=None) -> ImportCheck:
        result = ImportCheck()
        try:
            sheet = read_sheet(data)
        except ValueError as exc:
            result.file_errors.append(str(exc))
            return result
        rows = sheet.rows
        header_at = next(
            (
                i
                for i, r in enumerate(rows[:10])
                if any(str(c or "").strip() == "问题描述" for c in r)
            ),
            None,
        )
        if header_at is None:
            result.file_errors.append(
                _(
                    "No header row with “问题描述” in the first ten rows; use the 整改清单 layout "
                    "(download the template)."
                )
            )
            return result
        if merged := _merged_below(sheet, header_at):
            # A title merged across the columns above the header is the usual layout; a merged
            # cell among the rows would import blank in all but its first cell.
            result.file_errors.append(
                _(
                    "The sheet has %(n)s merged cells (%(ranges)s); unmerge them and fill in "
                    "every cell, as in the template."
                )
                % {"n": len(merged), "ranges": "、".join(merged)}
            )
            return result
        headers = [str(c or "").strip() for c in rows[header_at]]
        result.headers = headers
        self.columns = {h: i for i, h in enumerate(headers) if h in IMPORT_COLUMNS}
        missing = REQUIRED - set(self.columns)
        if missing:
            result.file_errors.append(
                _("Missing columns: %(cols)s.") % {"cols": "、".join(sorted(missing))}
            )
            return result
        self.units = {}
        for u in scoping.units_for(user, "rectification", "import"):
            for key in (u.name, u.short_name, u.code):
                if key:
                    self.units.setdefault(key, u)
        self.people = list(Person.objects.visible_to(user).select_related("unit"))
        self.today = timezone.localdate()
        seen: dict[tuple, int] = {}
        for index, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
            if not any(str(c or "").strip() for c in row):
                continue
            result.total += 1
            # Compared on the columns read (a serial number 序号 differs on every row).
            key = tuple(_same(self._cell(row, c)) for c in sorted(self.columns))
            if key in seen:
                # The same problem twice would become two items to drive to close-out.
                result.errors.append(
                    {
                        "row": index,
                        "column": "",
                        "message": _("the row is the same as row %(row)s of this file")
                        % {"row": seen[key]},
                    }
                )
                continue
            seen[key] = index
            errs, obj = self._check_row(row, index)
            result.errors.extend(errs)
            if obj is not None:
                result.objects.append(obj)
            if len(result.preview) < 20:
                result.preview.append(["" if c is None else str(c) for c in row[: len(headers)]])
            if progress and result.total % 200 == 0:
                progress(result.total, len(rows))
        if result.total == 0:
            result.file_errors.append(_("The file has headers but no rows."))
        return result

    def _cell(self, row, column):
        i = self.columns.get(column)
        return row[i] if i is not None and i < len(row) else None

    def _person(self, name, unit, column, err):
        name = str(name or "").strip()
        if not name or unit is None:
            return None
        reach = [
            p
            for p in self.people
            if p.name == name
            and (p.unit.path.startswith(unit.path) or unit.path.startswith(p.unit.path))
        ]
        if not reach:
            err(
                column,
                _(
                    "No person “%(n)s” in %(u)s or the units above it; add the person to the "
                    "People ledger first."
                )
                % {"n": name, "u": unit.name},
            )
            return None
        if len(reach) > 1:
            err(
                column,
                _("Several people are called “%(n)s”; keep one or add the others later.")
                % {"n": name},
            )
            return None
        return reach[0]

    def _check_row(self, row, index):
        errs = []

        def err(column, message):
            errs.append({"row": index, "column": column, "message": message})

        cell = lambda column: self._cell(row, column)  # noqa: E731
        problem = str(cell("问题描述") or "").strip()
        if not problem:
            err("问题描述", _("This field is required."))
        unit = self.units.get(str(cell("责任单位") or "").strip())
        if unit is None:
            err(
                "责任单位",
                _("“%(v)s” is not a unit you may import data for.") % {"v": cell("责任单位") or ""},
            )
        found = self.today
        if cell("发现时间"):
            try:
                _kind, found = parse_deadline(cell("发现时间"), self.today)
            except ValueError:
                err("发现时间", _("not a date"))
        kind, deadline = Kind.DEADLINE, None
        try:
            kind, deadline = parse_deadline(cell("整改时限"), found)
        except ValueError as exc:
            err("整改时限", str(exc))
        if not cell("发现时间") and deadline and deadline < found:
            # Old ledgers seldom record when a problem was found; it was by its deadline.
            found = deadline
        leader = self._person(cell("责任领导"), unit, "责任领导", err)
        owner = self._person(cell("责任人"), unit, "责任人", err)
        source = _by_label(SOURCE_BY_LABEL(), cell("问题来源"), Source.OTHER)
        category = _by_label(CATEGORY_BY_LABEL(), cell("问题类别"), Category.OTHER)
        state = str(cell("完成情况") or "").strip()
        if any(w in state for w in DONE_WORDS):
            status = Status.CLOSED
        elif any(w in state for w in GOING_WORDS):
            status = Status.IN_PROGRESS
        else:
            status = Status.OPEN
        closed_on = None
        if cell("销号时间"):
            try:
                _kind, closed_on = parse_deadline(cell("销号时间"), found)
            except ValueError:
                err("销号时间", _("not a date"))
            else:
                if closed_on and closed_on > self.today:
                    err("销号时间", _("The close-out date cannot be in the future."))
                elif closed_on and closed_on < found:
                    if cell("发现时间"):
                        err("销号时间", _("The close-out date cannot be before the date found."))
                    else:
                        found = closed_on  # found by the day it was closed, at the latest
        elif status == Status.CLOSED:
            # A close-out dated the day of the import would count in this year's figures.
            err(
                "销号时间",
                _("An item recorded as done needs its close-out date (e.g. 2022年6月30日)."),
            )
        title, _sep, description = problem.partition("：")
        item = RectificationItem(
            unit=unit,
            title=title[:200],
            description=description or (problem if len(title) > 200 else ""),
            source=source,
            category=category,
            responsible_leader=leader,
            responsible_person=owner,
            lead_department=str(cell("牵头部门") or "").strip()[:100],
            found_date=found,
            kind=kind,
            deadline=deadline,
        )
        if unit is not None and not errs:
            try:
                item.full_clean()
            except ValidationError as exc:
                for field, msgs in exc.message_dict.items():
                    for m in msgs:
                        err(FIELD_COLUMNS.get(field, field), m)
        if errs:
            return errs, None
        return [], {
            "item": item,
            "status": status,
            "measures": split_measures(cell("整改措施")),
            "progress": str(cell("整改进展") or "").strip(),
            "closed_on": closed_on,
        }

    def commit(self, check: ImportCheck, user) -> int:
        from . import services

        today = timezone.localdate()
        for row in check.objects:
            item = kit.create_row(obj=row["item"], user=user, source="import")
            done = row["status"] == Status.CLOSED
            for text in row["measures"]:
                kit.create_row(
                    obj=Measure(
                        item=item,
                        description=text,
                        state=Measure.State.DONE if done else Measure.State.IN_PROGRESS,
                    ),
                    user=user,
                    source="import",
                )
            if row["progress"]:
                kit.create_row(
                    obj=ProgressEntry(
                        item=item, date=row["closed_on"] or today, text=row["progress"]
                    ),
                    user=user,
                    source="import",
                )
            if row["status"] != Status.OPEN:
                # The state the old ledger records, on its own dates, through the page's rules:
                # 已销号 closes only where this user could approve the close-out.
                services.take_over_state(
                    item=item,
                    user=user,
                    status=row["status"],
                    on=row["closed_on"] or (item.found_date if not done else None),
                    reason=_("Taken over from the imported ledger."),
                )
        return len(check.objects)


@login_required
def import_template(request):
    if not scoping.can_any(request.user, "rectification", "import"):
        raise PermissionDenied
    buf = io.BytesIO()
    wb = xlsx.workbook(buf, {"in_memory": True})
    ws = wb.add_worksheet("整改清单")
    head = wb.add_format({"bold": True, "border": 1, "bg_color": "#E7EEF7"})
    xlsx.write_row(ws, 0, 0, ["序号", *IMPORT_COLUMNS], head)
    xlsx.write_row(
        ws,
        1,
        0,
        [
            1,
            "示例：资产租赁合同未统一使用标准文本",
            "1. 全面清理在租合同\n2. 统一换签标准合同文本",
            "",
            "",
            "",
            "2023年6月底",
            "",
            "整改中",
            "自查自纠",
            "资产",
            "资产管理科",
            "2023-03-15",
        ],
    )
    ws.set_column(0, 0, 6)
    ws.set_column(1, len(IMPORT_COLUMNS), 18)
    notes = wb.add_worksheet(_("Instructions"))
    for i, line in enumerate(
        [
            _("Required columns: 问题描述, 责任单位. The header row may follow a title row."),
            _("整改时限: a date, 2023年6月底, 立行立改 or 长期坚持."),
            _("整改措施: one measure per line; numbering such as 1. or （1） is removed."),
            _(
                "责任领导 and 责任人: names of people in the People ledger, in the responsible "
                "unit or above it."
            ),
            _(
                "完成情况: 已完成/已整改/已销号 imports the item as closed; 整改中 as in "
                "rectification; otherwise open."
            ),
            _("发现时间: the date the problem was found; today when empty."),
            _("Delete the example row before importing."),
        ]
    ):
        xlsx.write_cell(notes, i, 0, line)
    notes.set_column(0, 0, 100)
    wb.close()
    return FileResponse(
        io.BytesIO(buf.getvalue()), as_attachment=True, filename="整改清单导入模板.xlsx"
    )


@login_required
def import_ledger(request):
    if not scoping.can_any(request.user, "rectification", "import"):
        raise PermissionDenied
    ledger = get_ledger("rectification", "items")
    error = None
    if request.method == "POST":
        upload: UploadedFile | None = request.FILES.get("file")
        if upload is None or not upload.name.lower().endswith((".xlsx", ".xls", ".xlsm", ".ods")):
            error = _("Only Excel files (.xlsx, .xls) can be imported.")
        elif upload.size > 20 * 1024 * 1024:
            error = _("The file is larger than 20 MB; split it into several files.")
        else:
            job = Job(
                kind=Job.Kind.IMPORT_CHECK,
                ledger=ledger.key,
                user=request.user,
                params={
                    "language": get_language(),
                    "filename": upload.name,
                    "importer": RectificationListImporter.name,
                },
            )
            job.upload.save(upload.name, upload, save=False)
            job.save()
            jobs.start(job, sync=upload.size <= 512 * 1024)
            return redirect("job-detail", pk=job.pk)
    return render(
        request,
        "rectification/import.html",
        {"error": error, "ledger": ledger},
        status=400 if error else 200,
    )
