"""Tests that pin the all-or-nothing rule of imports: a failure while the rows are written leaves
none of them (issue 13, item 11: an import committed outside its transaction passed the suite)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from gongxiao.core import bulk
from gongxiao.core.ledgers import get_ledger
from gongxiao.core.models import ChangeRecord, Job
from gongxiao.org.models import Person
from gongxiao.org.roles import Role
from gongxiao.org.tests.factories import user_with

from .helpers import ledger_url, xlsx_for

LEDGER = get_ledger("org", "people")


def _failing_history(monkeypatch):
    """The history rows are written after the rows themselves: fail there, midway."""

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ChangeRecord.objects, "bulk_create", boom)
    monkeypatch.setattr(bulk, "insert_columns", boom)


@pytest.mark.parametrize("fast_from", [bulk.FAST_FROM, 1], ids=["bulk_create", "by column"])
def test_an_import_that_fails_midway_writes_no_row(
    federation, monkeypatch, django_capture_on_commit_callbacks, fast_from
):
    monkeypatch.setattr(bulk, "FAST_FROM", fast_from)  # both ways of inserting the rows
    user = user_with(Role.PARTY, federation.county_a)
    data = xlsx_for(LEDGER, [Person(unit=federation.a1, name=f"导入{i}") for i in range(5)])
    c = Client()
    c.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(ledger_url(LEDGER, "import"), {"file": SimpleUploadedFile("p.xlsx", data)})
    check = Job.objects.get(kind="import_check")
    assert check.result["ok"] is True
    _failing_history(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(f"/jobs/{check.pk}/confirm/")
    commit = Job.objects.get(kind="import_commit")
    assert commit.status == "failed" and commit.result["ok"] is False
    assert Person.objects.count() == 0
    assert not ChangeRecord.objects.filter(kind="create").exists()


def test_the_same_import_without_the_failure_writes_every_row(
    federation, django_capture_on_commit_callbacks
):
    user = user_with(Role.PARTY, federation.county_a)
    data = xlsx_for(LEDGER, [Person(unit=federation.a1, name=f"导入{i}") for i in range(5)])
    c = Client()
    c.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        c.post(ledger_url(LEDGER, "import"), {"file": SimpleUploadedFile("p.xlsx", data)})
        c.post(f"/jobs/{Job.objects.get(kind='import_check').pk}/confirm/")
    assert Job.objects.get(kind="import_commit").status == "done"
    assert Person.objects.count() == 5
