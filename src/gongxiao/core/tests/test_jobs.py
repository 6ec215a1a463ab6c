"""Long exports and imports run as background tasks with progress and a kept result."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings

from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import Job
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import PersonFactory, user_with

from .helpers import ledger_url, read_xlsx, response_bytes, xlsx_for

LEDGER = get_ledger("org", "people")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@override_settings(GONGXIAO_SYNC_ROW_LIMIT=3)
def test_a_large_export_runs_as_a_job_and_keeps_its_file(
    federation, django_capture_on_commit_callbacks
):
    user = user_with(Role.PARTY, federation.county_a)
    for _ in range(5):
        PersonFactory(unit=federation.a1)
    PersonFactory(unit=federation.b1)  # out of reach
    c = _client(user)
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.get(ledger_url(LEDGER, "export"))
    job = Job.objects.get(user=user)
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.pk}/"
    assert (job.kind, job.status, job.total, job.done, job.percent) == ("export", "done", 5, 5, 100)
    status = c.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'value="100"' in status and 'id="job-download"' in status
    assert "hx-trigger" not in status  # a finished job stops polling
    rows = read_xlsx(response_bytes(c.get(f"/jobs/{job.pk}/download/")))
    assert len(rows) == 6


@override_settings(GONGXIAO_SYNC_IMPORT_BYTES=10)
def test_a_large_import_is_checked_and_committed_in_the_background(
    federation, django_capture_on_commit_callbacks
):
    user = user_with(Role.PARTY, federation.county_a)
    data = xlsx_for(LEDGER, [Person(unit=federation.a1, name=f"后台{i}") for i in range(4)])
    c = _client(user)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(ledger_url(LEDGER, "import"), {"file": SimpleUploadedFile("big.xlsx", data)})
    check = Job.objects.get(kind="import_check")
    assert check.result["ok"] is True
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/jobs/{check.pk}/confirm/")
    commit = Job.objects.get(kind="import_commit")
    assert commit.status == "done" and commit.result["created"] == 4
    assert Person.objects.count() == 4


def test_a_running_job_page_polls_for_progress(federation):
    user = user_with(Role.PARTY, federation.county_a)
    job = Job.objects.create(
        kind="export", ledger=LEDGER.key, user=user, status="running", done=30, total=120
    )
    html = _client(user).get(f"/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="25"' in html


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_worker_run_a_job(federation):
    user = user_with(Role.PARTY, federation.county_a)
    PersonFactory(unit=federation.a1)
    with override_settings(TASKS=DB_TASKS, GONGXIAO_SYNC_ROW_LIMIT=0):
        _client(user).get(ledger_url(LEDGER, "export"))
        job = Job.objects.get(user=user)
        assert job.status == "queued"  # nothing ran in the request
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.count() == 1
        call_command("db_worker", batch=True, no_startup_delay=True, reload=False, verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and job.result["rows"] == 1 and job.result_file


def test_a_job_runs_once(federation):
    from gongxiao.core import jobs

    user = user_with(Role.PARTY, federation.county_a)
    PersonFactory(unit=federation.a1)
    job = Job.objects.create(kind="export", ledger=LEDGER.key, user=user)
    jobs.run(job.pk)
    first = Job.objects.get(pk=job.pk).result_file.name
    jobs.run(job.pk)
    assert Job.objects.get(pk=job.pk).result_file.name == first


def test_a_job_of_an_unknown_kind_fails_and_says_why(federation):
    from django.utils import translation

    from gongxiao.core import jobs

    user = user_with(Role.PARTY, federation.county_a)
    job = Job.objects.create(kind="no_such_kind", ledger=LEDGER.key, user=user)
    with translation.override("zh-hans"):
        jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None
    assert job.message == "没有登记“no_such_kind”类任务的执行程序，未做任何处理。"


def test_a_worker_without_the_url_conf_knows_every_job_kind():
    """The task worker sets Django up and never loads the URL conf or a views module: the
    runners each app registers in its jobs.py are there all the same."""
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup()\n"
        "from gongxiao.core import jobs\n"
        "from gongxiao.core.models import Job\n"
        "assert 'gongxiao.config.urls' not in sys.modules\n"
        "print(sorted(set(Job.Kind.values) - jobs.registered_kinds()))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
