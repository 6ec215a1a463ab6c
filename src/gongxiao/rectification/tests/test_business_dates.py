"""Business dates (业务日期): every step carries the day it happened, apart from the time it was
entered, and every figure of a past period is read from those days, whenever it is asked for."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from gongxiao.core import metrics
from gongxiao.core.models import ChangeRecord
from gongxiao.core.periods import parse_period
from gongxiao.rectification import services
from gongxiao.rectification.models import Closure, Kind, RectificationItem, Status, Transition
from gongxiao.rectification.services import TransitionRefused
from gongxiao.rectification.tests.factories import CampaignFactory

D = datetime.date
IN_2026 = datetime.datetime(
    2026, 6, 15, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)
A_YEAR_LATER = IN_2026.replace(year=2027)


def _evidence():
    return SimpleUploadedFile("整改前后对比.pdf", b"%PDF-1.4\n%%EOF\n")


def _work_and_close(cast, item, *, worked, asked, closed):
    services.add_progress(
        item=item, user=cast.owner, text="已整改", date=worked, files=[_evidence()]
    )
    services.transition(
        item=item, step="request_close_out", user=cast.owner, on=asked, expected_version=None
    )
    services.transition(item=item, step="close_out", user=cast.leader, on=closed)


def _pilot(cast):
    """Seed 001's reform pilot, entered after the fact: 29 items found, worked and closed in
    2022, evidence and review dated 2022."""
    campaign = CampaignFactory(
        unit=cast.f.county_a,
        name="2022年供销社综合改革试点",
        start_date=D(2022, 3, 1),
        end_date=D(2022, 12, 31),
    )
    items = []
    for n in range(29):
        item = cast.item(
            campaign=campaign,
            title=f"改革试点问题{n + 1:02d}",
            found_date=D(2022, 3, 10),
            deadline=D(2022, 9, 30),
        )
        _work_and_close(
            cast, item, worked=D(2022, 5, 6), asked=D(2022, 6, 1), closed=D(2022, 6, 20)
        )
        items.append(item)
    return campaign, items


FIGURES = [
    "rectification.items.found",
    "rectification.items.closed",
    "rectification.items.closeout_rate",
    "rectification.items.overdue",
]


def _figures(user, unit, period="2022"):
    p = parse_period(period)
    return [metrics.compute(k, user, unit, p).value for k in FIGURES]


def _report(cast):
    from gongxiao.reports import services as reports
    from gongxiao.reports.models import Kind as ReportKind
    from gongxiao.reports.models import ReportDraft, ReportSection

    draft = reports.create_draft(
        draft=ReportDraft(
            unit=cast.f.county_a, kind=ReportKind.BLANK, period="2022", title="改革试点整改报告"
        ),
        user=cast.discipline_a,
    )
    ReportSection.objects.create(
        draft=draft,
        order=10,
        level=ReportSection.Level.ONE,
        heading="改革试点整改情况",
        body="发现问题{{ rectification.items.found }}个，已销号{{ rectification.items.closed }}个，"
        "完成率{{ rectification.items.closeout_rate }}，超期{{ rectification.items.overdue }}个。",
    )
    return draft


def _export(cast, draft):
    from docx import Document

    from gongxiao.reports import services as reports

    _name, data = reports.export_zip(draft=draft, user=cast.discipline_a)
    z = zipfile.ZipFile(io.BytesIO(data))
    docx = next(n for n in z.namelist() if n.endswith(".docx"))
    xlsx = next(n for n in z.namelist() if n.endswith(".xlsx"))
    text = "\n".join(p.text for p in Document(io.BytesIO(z.read(docx))).paragraphs)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(z.read(xlsx)))
    sheets = {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}
    return text, sheets


def _rows_of(sheets, label):
    """The data rows (as dicts by header) of the sheet whose name holds `label`."""
    name = next(n for n in sheets if label in n)
    rows = sheets[name]
    at = next(i for i, r in enumerate(rows) if r and r[0] in ("问题", "problem"))
    head = rows[at]
    return [dict(zip(head, r, strict=False)) for r in rows[at + 1 :] if any(c != "" for c in r)]


def _without_taken_time(sheets):
    return {
        name: [r for r in rows if not (r and r[0] in ("取数时间", "Figures taken at"))]
        for name, rows in sheets.items()
    }


@pytest.mark.django_db
def test_a_2022_pilot_entered_in_2026_reports_as_it_happened(cast):
    with time_machine.travel(IN_2026, tick=False):
        _campaign, items = _pilot(cast)
        # Entered in 2026, happened in 2022: both are kept.
        t = Transition.objects.filter(item=items[0], action="close_out").get()
        assert t.on == D(2022, 6, 20) and t.at.year == 2026
        assert items[0].closed_on == D(2022, 6, 20)
        assert _figures(cast.leader, cast.f.county_a) == [29, 29, Decimal("100.0"), 0]
        # Nothing counts in 2026, the year the steps were entered.
        assert _figures(cast.leader, cast.f.county_a, "2026")[1] == 0
        draft = _report(cast)
        text, sheets = _export(cast, draft)
    assert "发现问题29个，已销号29个，完成率100" in text and "超期0个" in text
    closed_rows = _rows_of(sheets, "销号")
    assert len(closed_rows) == 29
    for row in closed_rows:
        status = row.get("状态", row.get("status"))
        assert status in ("已销号", "Closed out")
        closed_on = row.get("销号日期", row.get("closed out on"))
        assert str(closed_on).startswith("2022-06-20")
    as_of = next(
        r[1]
        for n, rows in sheets.items()
        if "销号" in n
        for r in rows
        if r and r[0] in ("数据状态截至", "Rows as they stood on")
    )
    assert as_of == "2022-12-31"

    # Asked again a year later: the same text and the same working papers.
    with time_machine.travel(A_YEAR_LATER, tick=False):
        assert _figures(cast.leader, cast.f.county_a) == [29, 29, Decimal("100.0"), 0]
        text_later, sheets_later = _export(cast, draft)
    assert text_later == text
    assert _without_taken_time(sheets_later) == _without_taken_time(sheets)


@pytest.mark.django_db
def test_working_papers_of_a_past_period_show_each_row_as_it_stood_then(cast):
    """An item overdue at the end of 2022 and closed in 2023 shows, in the 2022 papers, as
    being rectified and overdue by the days it was then, not as closed or overdue to today."""
    with time_machine.travel(IN_2026, tick=False):
        item = cast.item(found_date=D(2022, 3, 10), deadline=D(2022, 9, 30))
        _work_and_close(
            cast, item, worked=D(2022, 5, 6), asked=D(2023, 2, 1), closed=D(2023, 2, 10)
        )
        assert item.status_on(D(2022, 12, 31)) == Status.IN_PROGRESS
        assert item.overdue_days(D(2022, 12, 31)) == 92
        assert item.status_on(D(2023, 2, 10)) == Status.CLOSED
        assert _figures(cast.leader, cast.f.county_a)[3] == 1
        draft = _report(cast)
        _text, sheets = _export(cast, draft)
    (row,) = _rows_of(sheets, "逾期")
    assert row.get("状态", row.get("status")) in ("整改中", "In rectification")
    assert "92" in str(row.get("逾期", row.get("overdue")))
    assert row.get("销号日期", row.get("closed out on")) in ("", None)


@pytest.mark.django_db
def test_a_reopened_item_counts_as_closed_while_it_was(cast):
    with time_machine.travel(IN_2026, tick=False):
        item = cast.item(found_date=D(2023, 3, 1), deadline=D(2023, 12, 31))
        _work_and_close(
            cast, item, worked=D(2023, 4, 1), asked=D(2023, 5, 1), closed=D(2023, 5, 10)
        )
        services.transition(
            item=item,
            step="reopen",
            user=cast.discipline_a,
            reason="回头看发现反弹",
            on=D(2024, 3, 1),
        )
        item.refresh_from_db()
        assert item.closed_on is None
        assert list(Closure.objects.filter(item=item).values_list("closed_on", "reopened_on")) == [
            (D(2023, 5, 10), D(2024, 3, 1))
        ]
        leader, county = cast.leader, cast.f.county_a
        # Closed in 2023 and at its end; open again, and overdue, from March 2024.
        assert _figures(leader, county, "2023") == [1, 1, Decimal("100.0"), 0]
        p2024 = parse_period("2024")
        assert metrics.compute("rectification.items.open", leader, county, p2024).value == 1
        assert metrics.compute("rectification.items.overdue", leader, county, p2024).value == 1
        assert metrics.compute("rectification.items.closed", leader, county, p2024).value == 0
        assert item.status_on(D(2023, 12, 31)) == Status.CLOSED
        assert item.status_on(D(2024, 3, 1)) == Status.IN_PROGRESS
        # The list's drill-down for the 2023 close-outs finds it still.
        c = Client()
        c.force_login(leader)
        resp = c.get("/ledgers/rectification/items/", {"closed_in": "2023"})
        assert item.title in resp.content.decode()


def _refusals(cast, item, step, user, on, *, expect):
    version = RectificationItem.objects.get(pk=item.pk).version
    steps = Transition.objects.count()
    changes = ChangeRecord.objects.count()
    with pytest.raises(TransitionRefused) as exc:
        services.transition(item=item, step=step, user=user, on=on, reason="理由")
    assert expect in str(exc.value)
    assert RectificationItem.objects.get(pk=item.pk).version == version
    assert Transition.objects.count() == steps and ChangeRecord.objects.count() == changes


@pytest.mark.django_db
@pytest.mark.parametrize("step", ["start", "request_close_out", "close_out", "reopen"])
def test_every_step_refuses_a_date_in_the_future_before_the_row_or_before_the_last_step(cast, step):
    with time_machine.travel(IN_2026, tick=False):
        item = cast.item(found_date=D(2026, 3, 1), deadline=D(2026, 12, 31))
        reviewer = cast.leader if step in ("close_out",) else cast.discipline_a
        user = cast.owner if step in ("start", "request_close_out") else reviewer
        if step != "start":
            services.add_progress(
                item=item, user=cast.owner, text="进展", date=D(2026, 4, 1), files=[_evidence()]
            )
        if step in ("close_out", "reopen"):
            services.transition(
                item=item, step="request_close_out", user=cast.owner, on=D(2026, 5, 1)
            )
        if step == "reopen":
            services.transition(item=item, step="close_out", user=cast.leader, on=D(2026, 5, 5))
        last = services.last_step_date(item)
        _refusals(cast, item, step, user, D(2026, 6, 16), expect="今天")
        _refusals(cast, item, step, user, D(2026, 2, 28), expect="发现")
        if last:
            _refusals(cast, item, step, user, last - datetime.timedelta(days=1), expect="上一步")
        services.transition(item=item, step=step, user=user, on=last or D(2026, 3, 1), reason="x")


@pytest.mark.django_db
def test_progress_and_check_ins_refuse_dates_out_of_bounds(cast):
    from django.core.exceptions import ValidationError

    with time_machine.travel(IN_2026, tick=False):
        item = cast.item(found_date=D(2026, 3, 1), kind=Kind.ONGOING, deadline=None)
        for bad, word in ((D(2026, 6, 16), "今天"), (D(2026, 2, 1), "发现")):
            for checkin in (False, True):
                with pytest.raises(ValidationError) as exc:
                    services.add_progress(
                        item=item, user=cast.owner, text="进展", date=bad, is_checkin=checkin
                    )
                assert word in " ".join(exc.value.messages)
        assert not item.progress.exists() and not item.transitions.exists()
        # The first progress starts the item on its own date, not the day it is entered.
        services.add_progress(item=item, user=cast.owner, text="进展", date=D(2026, 4, 2))
        assert item.transitions.get().on == D(2026, 4, 2)


@pytest.mark.django_db
def test_the_step_form_takes_the_business_date_and_needs_the_version(cast):
    with time_machine.travel(IN_2026, tick=False):
        item = cast.item(found_date=D(2026, 3, 1), deadline=D(2026, 12, 31))
        c = Client()
        c.force_login(cast.owner)
        url = f"/ledgers/rectification/items/{item.pk}/actions/start/"
        resp = c.post(url, {"on": "2026-04-01"}, follow=True)
        assert any("刷新" in str(m) or "reload" in str(m) for m in resp.context["messages"])
        assert not item.transitions.exists()
        c.post(url, {"on": "2026-04-01", "version": item.version})
        assert item.transitions.get().on == D(2026, 4, 1)
        page = c.get(f"/ledgers/rectification/items/{item.pk}/").content.decode()
        assert "2026年4月1日" in page and "2026年6月15日 10:00" in page  # business date, entry


@pytest.mark.django_db
def test_measures_of_a_closed_item_do_not_change(cast):
    from gongxiao.rectification.models import Measure

    with time_machine.travel(IN_2026, tick=False):
        item = cast.item(found_date=D(2026, 3, 1), deadline=D(2026, 12, 31))
        measure = services.add_measure(item=item, user=cast.owner, description="措施")
        _work_and_close(cast, item, worked=D(2026, 4, 1), asked=D(2026, 5, 1), closed=D(2026, 5, 2))
        measure.refresh_from_db()
        with pytest.raises(TransitionRefused):
            services.set_measure_state(
                measure=measure, state="done", user=cast.owner, expected_version=measure.version
            )
        assert Measure.objects.get(pk=measure.pk).state == Measure.State.PLANNED
