"""Issue 13: an import file cannot hurt the server (the reader runs in a child process with a
memory limit and a timeout), a job whose worker died is failed and can be run again, and a
checked file is committed once however often it is confirmed."""

from __future__ import annotations

import datetime
import io
import subprocess
import sys
import threading
import zipfile

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone

from gongxiao.core import excel, jobs
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import ChangeRecord, Job
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from . import hostile
from .helpers import ledger_url, xlsx_for

LEDGER = get_ledger("org", "people")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
MB = 1024


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _import(client, data: bytes, name="rows.xlsx") -> Job:
    client.post(ledger_url(LEDGER, "import"), {"file": SimpleUploadedFile(name, data)})
    return Job.objects.filter(kind="import_check").latest("created_at")


def _good(federation, n=2):
    return xlsx_for(LEDGER, [Person(unit=federation.a1, name=f"好{i}") for i in range(n)])


@pytest.fixture
def clerk(federation):
    return _client(user_with(Role.DATA_ENTRY, federation.a1))


# --- the reader in its own process ---------------------------------------------------------------


def test_a_reader_that_aborts_fails_that_import_only(federation, clerk, monkeypatch):
    """What python-calamine does when it cannot allocate: abort(). The child dies of SIGABRT;
    this process goes on, the import says why in Chinese, and the next file is read."""
    monkeypatch.setattr(excel, "READER", "gongxiao.core.tests.crash_readers:abort")
    job = _import(clerk, _good(federation))
    assert excel.last_read["returncode"] == -6  # SIGABRT, in the child
    assert job.result["ok"] is False
    assert "读取程序异常终止" in job.result["file_errors"][0]
    clerk.post(f"/jobs/{job.pk}/confirm/")
    assert not Person.objects.exists()
    monkeypatch.setattr(excel, "READER", None)
    assert _import(clerk, _good(federation)).result["ok"] is True


def test_a_reader_that_eats_memory_is_stopped_by_its_limit(federation, clerk, monkeypatch):
    monkeypatch.setattr(excel, "READER", "gongxiao.core.tests.crash_readers:hog")
    job = _import(clerk, _good(federation))
    assert job.result["ok"] is False
    assert "内存" in job.result["file_errors"][0] or "异常终止" in job.result["file_errors"][0]
    # The address-space limit stopped it near 512 MB, whatever it asked for.
    assert excel.last_read["peak_kb"] < 600 * MB


def test_a_reader_that_hangs_is_stopped(federation, clerk, monkeypatch):
    monkeypatch.setattr(excel, "READER", "gongxiao.core.tests.crash_readers:sleep")
    monkeypatch.setattr(excel, "READER_TIMEOUT_SECONDS", 1)
    job = _import(clerk, _good(federation))
    assert job.result["ok"] is False and "1 秒" in job.result["file_errors"][0]


def test_the_child_reports_its_own_peak_memory(monkeypatch):
    monkeypatch.setattr(excel, "READER", "gongxiao.core.tests.crash_readers:touch")
    sheet = excel.read_sheet(hostile.book(["a"], [["b"]]))
    assert sheet.rows == [["ok", 200 * 1024 * 1024]]
    assert 200 * MB <= sheet.peak_kb < 300 * MB


def test_a_declared_dimension_alone_does_not_matter(federation, clerk):
    """<dimension ref="A1:XFD1048576"> over two real rows: read as the two rows it holds."""
    data = hostile.rezip(
        _good(federation),
        hostile.SHEET,
        lambda x: x.replace(b'<dimension ref="A1:H3"/>', b'<dimension ref="A1:XFD1048576"/>'),
    )
    assert b"XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read(hostile.SHEET)
    job = _import(clerk, data)
    assert job.result["ok"] is True and job.total == 2
    assert excel.last_read["peak_kb"] < 100 * MB


def test_every_sheet_is_bounded_formulas_only_matter_on_the_first(federation, clerk):
    """The library reads the first sheet; should it take another part for it than the scan,
    every worksheet part is bounded too. A summary sheet with formulas is fine."""
    headers = [excel.header_label(LEDGER, n) for n in LEDGER.import_field_names]
    rows = [["A1", "甲"]]

    def summary(wb, ws):
        wb.worksheets()[1].write_formula(0, 0, "=COUNTA(Sheet1!B:B)")

    job = _import(clerk, hostile.book(headers, rows, sheets=2, then=summary))
    assert job.result["ok"] is True, job.result
    far = b'<sheetData><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    data = hostile.rezip(
        hostile.book(headers, rows, sheets=2),
        "xl/worksheets/sheet2.xml",
        lambda x: x.replace(b"<sheetData/>", far),
    )
    job = _import(clerk, data)
    assert job.result["ok"] is False and "XFD1048576" in job.result["file_errors"][0]


def _ods(rows_xml: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="S1">'
        + rows_xml
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            "</manifest:manifest>",
        )
    return out.getvalue()


def test_an_ods_is_bounded_by_its_used_cells_not_its_repeated_blank_rows():
    def cell(v):
        return (
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        )

    head = f"<table:table-row>{cell('单位')}{cell('姓名')}</table:table-row>"
    body = f"<table:table-row>{cell('A1')}{cell('张三')}</table:table-row>"
    # What LibreOffice writes below the data of every sheet.
    blanks = (
        '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert excel.read_sheet(_ods(head + body + blanks)).rows == [["单位", "姓名"], ["A1", "张三"]]
    filled = blanks.replace('<table:table-cell table:number-columns-repeated="1024"/>', cell("x"))
    with pytest.raises(excel.ReadRefused) as refused:
        excel.read_sheet(_ods(head + body + filled))
    assert refused.value.code == "rows" and "1048576" in str(refused.value)


def _numbers_xlsx(rows: int, cols: int) -> bytes:
    """A sheet of rows x cols numbers, streamed into the zip (XlsxWriter would take minutes)."""
    base = io.BytesIO()
    wb = xlsxwriter.Workbook(base, {"in_memory": True})
    wb.add_worksheet().write(0, 0, "x")
    wb.close()
    letters = [xlsxwriter.utility.xl_col_to_name(c).encode() for c in range(cols)]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            if info.filename != hostile.SHEET:
                dst.writestr(info.filename, src.read(info))
        with dst.open(hostile.SHEET, "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>'
            )
            for r in range(1, rows + 1):
                n = b"%d" % r
                cells = b"".join(b'<c r="' + c + n + b'"><v>' + n + b"</v></c>" for c in letters)
                f.write(b'<row r="' + n + b'">' + cells + b"</row>")
            f.write(b"</sheetData></worksheet>")
    return out.getvalue()


def test_the_largest_sheet_an_import_may_hold_is_read_under_500_mb():
    """The worst case for the reader's memory: the full block of cells it accepts (3 million,
    in 20 columns). A larger block is refused before the library sees it."""
    rows = excel.MAX_IMPORT_CELLS // 20
    data = _numbers_xlsx(rows, 20)
    sheet = excel.read_sheet(data)
    assert len(sheet.rows) == rows and sheet.rows[-1][0] == rows
    assert sheet.peak_kb < 500 * MB, sheet.peak_kb
    bigger = hostile.rezip(
        data,
        hostile.SHEET,
        lambda x: x.replace(
            b"</sheetData>",
            b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (rows + 1, rows + 1) + b"</sheetData>",
        ),
    )
    with pytest.raises(excel.ReadRefused) as refused:
        excel.read_sheet(bigger)
    assert refused.value.code == "cells" and str(excel.MAX_IMPORT_CELLS) in str(refused.value)
    assert excel.last_read["peak_kb"] < 100 * MB


def test_the_server_process_survives_the_file_of_the_report():
    """In a fresh interpreter, as a server would: the 6 KB file that aborted it is refused and
    the process exits normally."""
    code = (
        "import django, os;"
        "os.environ['DJANGO_SETTINGS_MODULE']='gongxiao.config.settings.test';django.setup();"
        "from gongxiao.core import excel;from gongxiao.core.tests import hostile;"
        "m=hostile.Material(['单位','姓名'],[['A1','x']],[],None,0,'');"
        "d=hostile.cell_at_xfd1048576(m)[1]\n"
        "try: excel.read_sheet(d)\n"
        "except excel.ReadRefused as e: print(e.code)"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "rows"


# --- what a cell holds ---------------------------------------------------------------------------


def test_a_formula_is_refused_naming_its_cell_never_read_as_blank_or_zero(federation, clerk):
    def then(wb, ws):
        ws.write_formula(1, 1, '=HYPERLINK("http://evil.example/x","点击查看")')
        ws.write_formula(2, 1, "=1+1")  # XlsxWriter stores 0 as its value

    headers = [excel.header_label(LEDGER, n) for n in LEDGER.import_field_names]
    job = _import(clerk, hostile.book(headers, [["A1", ""], ["A1", ""]], then=then))
    said = job.result["file_errors"][0]
    assert "2 个单元格是公式" in said and "B2" in said and "HYPERLINK" in said and "B3" in said
    assert not Person.objects.exists()


def test_identical_rows_are_refused_with_their_row_numbers(federation, clerk):
    rows = [Person(unit=federation.a1, name="同一人") for _ in range(3)]
    job = _import(clerk, xlsx_for(LEDGER, rows))
    assert job.result["ok"] is False
    dup = [(e["row"], e["message"]) for e in job.result["errors"]]
    assert dup == [
        (3, "与本文件第 2 行完全相同（重复行）"),
        (4, "与本文件第 2 行完全相同（重复行）"),
    ]


def test_a_ledger_may_allow_identical_rows(federation, clerk, monkeypatch):
    monkeypatch.setattr(LEDGER, "import_allows_duplicates", True, raising=False)
    rows = [Person(unit=federation.a1, name="同一人") for _ in range(2)]
    assert _import(clerk, xlsx_for(LEDGER, rows)).result["ok"] is True


# --- one commit per checked file ---------------------------------------------------------------


def test_a_confirm_that_lost_the_race_creates_no_second_commit(federation, clerk, monkeypatch):
    """Two confirms read the check before either wrote: the second finds it claimed by the
    conditional UPDATE and is sent to the first's job."""
    check = _import(clerk, _good(federation))
    stale = Job.objects.get(pk=check.pk)  # read before the first confirm
    clerk.post(f"/jobs/{check.pk}/confirm/")
    first = Job.objects.get(kind="import_commit")
    from gongxiao.core import views

    monkeypatch.setattr(views.JobMixin, "get_job", lambda self, pk: stale)
    resp = clerk.post(f"/jobs/{check.pk}/confirm/")
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{first.pk}/"
    assert Job.objects.filter(kind="import_commit").count() == 1
    assert Person.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database locks whole tables: run with DATABASE_URL "
    "on PostgreSQL (the stale-read test above covers the same path on SQLite)",
)
@pytest.mark.django_db(transaction=True)
def test_six_parallel_confirms_commit_once(federation):
    user = user_with(Role.DATA_ENTRY, federation.a1)
    check = _import(_client(user), _good(federation, 3))
    assert check.result["ok"] is True
    clients = [_client(user) for _ in range(6)]  # logged in before the race
    barrier, outcomes = threading.Barrier(6, timeout=60), []

    def confirm(c):
        try:
            barrier.wait()
            outcomes.append(c.post(f"/jobs/{check.pk}/confirm/").status_code)
        except Exception as exc:  # e.g. SQLite's "database is locked": refused, not doubled
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert 302 in outcomes, outcomes
    assert Job.objects.filter(kind="import_commit").count() == 1
    assert Person.objects.count() == 3
    assert ChangeRecord.objects.filter(source="import").count() == 3


def test_a_run_that_lost_its_job_writes_nothing(federation, clerk):
    """A worker thought dead (its job failed and run again) that wakes up: its commit finds the
    job no longer its own and writes no row."""
    check = _import(clerk, _good(federation))
    job = Job.objects.create(
        kind="import_commit",
        ledger=LEDGER.key,
        user=check.user,
        params={**check.params},
        upload=check.upload.name,
        status="running",
        worker="elsewhere:1:new-run",
    )
    job.worker = "here:2:old-run"
    jobs._run_import(job, LEDGER, commit=True)
    assert not Person.objects.exists()
    assert Job.objects.get(pk=job.pk).status == "running"  # the new run's, untouched


def test_a_job_is_claimed_by_one_run(federation, clerk):
    job = Job.objects.create(
        kind="export", ledger=LEDGER.key, user=user_with(Role.PARTY, federation.a1)
    )
    Job.objects.filter(pk=job.pk).update(status="running", worker="other:1:x")
    jobs.run(job.pk)  # someone else holds it
    job.refresh_from_db()
    assert job.status == "running" and job.worker == "other:1:x" and not job.result_file


# --- workers that die ----------------------------------------------------------------------------


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])  # noqa: S603
    p.wait()
    return p.pid


def _running_job(user, **kw) -> Job:
    job = Job.objects.create(kind="export", ledger=LEDGER.key, user=user, **kw)
    Job.objects.filter(pk=job.pk).update(status="running")
    return Job.objects.get(pk=job.pk)


@pytest.mark.django_db(transaction=True)
def test_a_worker_start_fails_the_jobs_of_a_dead_worker(federation):
    import socket

    user = user_with(Role.PARTY, federation.a1)
    dead = _running_job(
        user, worker=f"{socket.gethostname()[:50]}:{_dead_pid()}:t", heartbeat_at=timezone.now()
    )
    elsewhere = _running_job(user, worker="another-host:1:t", heartbeat_at=timezone.now())
    with override_settings(TASKS=DB_TASKS):
        call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    dead.refresh_from_db()
    elsewhere.refresh_from_db()
    assert dead.status == "failed" and "意外终止" in dead.message and dead.finished_at
    assert elsewhere.status == "running"  # alive as far as anyone here can tell


def test_the_watchdog_fails_a_silent_job_and_spares_a_live_one(federation):
    user = user_with(Role.PARTY, federation.a1)
    long_ago = timezone.now() - datetime.timedelta(minutes=6)
    silent = _running_job(user, worker="h:1:a", heartbeat_at=long_ago)
    alive = _running_job(user, worker="h:2:b", heartbeat_at=timezone.now())
    assert jobs.fail_stale_jobs() == 1
    silent.refresh_from_db()
    alive.refresh_from_db()
    assert silent.status == "failed" and silent.result["lost_worker"] is True
    assert alive.status == "running"


def test_progress_is_a_heartbeat(federation):
    user = user_with(Role.PARTY, federation.a1)
    job = _running_job(
        user, worker="h:1:a", heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    jobs.progress(job)(10)
    job.refresh_from_db()
    assert job.done == 10 and job.heartbeat_at > timezone.now() - datetime.timedelta(minutes=1)


def test_the_owner_sees_a_lost_job_failed_and_runs_it_again(
    federation, clerk, django_capture_on_commit_callbacks
):
    check = _import(clerk, _good(federation))
    clerk.post(f"/jobs/{check.pk}/confirm/")
    commit = Job.objects.get(kind="import_commit")
    # As if its worker had died in the middle: its transaction rolled back, no rows.
    Person.objects.all().delete()
    Job.objects.filter(pk=commit.pk).update(
        status="running",
        worker="gone:1:x",
        result={},
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=30),
    )
    page = clerk.get(f"/jobs/{commit.pk}/").content.decode()
    assert "意外终止" in page and 'id="btn-retry-job"' in page
    stranger = _client(user_with(Role.DATA_ENTRY, federation.a1))
    assert stranger.post(f"/jobs/{commit.pk}/retry/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        clerk.post(f"/jobs/{commit.pk}/retry/")
    commit.refresh_from_db()
    assert commit.status == "done" and commit.result["created"] == 2
    assert Person.objects.count() == 2
    # Done is done: no second run.
    clerk.post(f"/jobs/{commit.pk}/retry/")
    assert Person.objects.count() == 2
